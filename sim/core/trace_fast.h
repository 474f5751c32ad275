/* vmsim: the one-pass fast paths for the usual lackey and pages lines (private to
 * trace_source.c). They are inline in the reading loop (trace_next) because they run
 * once per line of the longest traces; a line they do not take goes to its format's
 * grammar in trace_grammar.c, which accepts the same records and words the errors.
 */
#ifndef VMSIM_TRACE_FAST_H
#define VMSIM_TRACE_FAST_H

#include "trace_int.h"

/* Up to eight lowercase hex digits at p (e - p >= 8) in one go (SWAR): how many lead
 * the eight bytes (0..8) in *n, their value returned. Each byte is checked to lie in
 * '0'..'9' or 'a'..'f' by adding offsets that carry into its top bit (no byte is
 * 0x80 or above, so no carry crosses into the next), then the digit values are
 * packed pairwise into nibbles, bytes, halves and the word. Other characters (capital
 * digits among them) end the run: the caller's loop takes them as before. */
static inline uint64_t hex8(const char *p, unsigned *n)
{
    const uint64_t ones = 0x0101010101010101ull, top = 0x8080808080808080ull;
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);              /* the first character in the low byte */
#endif
    uint64_t digit = (v + 0x50 * ones) & ~(v + 0x46 * ones);    /* 0x30..0x39 */
    uint64_t alpha = (v + 0x1f * ones) & ~(v + 0x19 * ones);    /* 0x61..0x66 */
    uint64_t bad = ~(digit | alpha) & top;
    bad |= v & top;
    unsigned k = bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
    *n = k;
    if (k == 0)
        return 0;
    uint64_t x = (v & 0x0f * ones) + 9 * ((v >> 6) & ones);    /* 'a' -> 1 + 9 */
    x <<= 8 * (8 - k);                     /* drop what follows; leading zeros */
    x = ((x << 4) | (x >> 8)) & 0x00ff00ff00ff00ffull;
    x = ((x << 8) | (x >> 16)) & 0x0000ffff0000ffffull;
    return ((x << 16) | (x >> 32)) & 0xffffffffull;
}

/* A lackey line's operation and the spaces around it (" S ", "I  "): where its address
 * starts, with *op set, or NULL. Reads at most p[0..3]. */
static inline const char *lackey_head(const char *p, AccessOp *op)
{
    p += *p == ' ';
    switch (*p) {
    case 'I': *op = OP_EXEC; break;
    case 'L': *op = OP_READ; break;
    case 'S': *op = OP_WRITE; break;
    case 'M': *op = OP_MODIFY; break;
    default: return NULL;
    }
    if (p[1] != ' ')
        return NULL;
    return p + 2 + (p[2] == ' ');
}

/* The usual lackey line ("I  0401ab70,3", " L 1fff000d18,8") in one pass, for speed.
 * Returns 1 with rec filled, or 0 to leave the line to trace_parse_lackey, which accepts
 * the same records and words the errors. */
static inline int lackey_fast(const char *p, const char *e, TraceRecord *rec)
{
    AccessOp op;
    if (e - p < 5 || !(p = lackey_head(p, &op)))
        return 0;
    const char *s = p;
    uint64_t addr = 0, size = 0;
    unsigned d;
    if (e - p >= 8) {
        addr = hex8(p, &d);
        p += d;
    }
    while (p < e && (d = hex_value[(unsigned char)*p]) != 0) {
        addr = addr << 4 | (d - 1);
        p++;
    }
    if (p == s || p - s > 16 || p == e || *p++ != ',')
        return 0;
    s = p;
    while (p < e && (unsigned)(*p - '0') < 10)
        size = size * 10 + (unsigned)(*p++ - '0');
    if (p != e || p == s || p - s > 9 || size == 0 || size > ACCESS_SIZE_MAX ||
        size - 1 > UINT64_MAX - addr)
        return 0;
    return record_access(rec, op, addr, (uint32_t)size);
}

/* The bytes lackey_line may read: the longest line it takes is 24 with its newline
 * (" S ", 16 hex digits, ",", 2 digits). */
#define LACKEY_LINE_READ 24

/* lackey_fast and the search for the newline in one pass, for a line at p with at
 * least LACKEY_LINE_READ bytes of the window from p (so no byte is tested against the
 * end): lowercase addresses by two hex8s, no '\r'. Returns the line's newline with rec
 * filled, or NULL to leave the line to the general path (which takes what this takes
 * to the same record). */
static inline const char *lackey_line(const char *p, TraceRecord *rec)
{
    AccessOp op;
    if (!(p = lackey_head(p, &op)))
        return NULL;
    unsigned k, k2 = 0;
    uint64_t addr = hex8(p, &k);
    if (k == 8) {
        uint64_t low = hex8(p + 8, &k2);
        addr = addr << (4 * k2) | low;
    }
    p += k + k2;
    if (k == 0 || *p != ',')               /* also a 17th digit */
        return NULL;
    unsigned d0 = (unsigned)(p[1] - '0'), d1 = (unsigned)(p[2] - '0'), size;
    if (d0 - 1 < 9 && p[2] == '\n')       /* 1..9 */
        size = d0, p += 2;
    else if (d0 - 1 < 9 && d1 < 10 && p[3] == '\n')
        size = d0 * 10 + d1, p += 3;
    else                                   /* 0, longer sizes, leading zeros, ... */
        return NULL;
    if (size - 1 > UINT64_MAX - addr)
        return NULL;
    record_access(rec, op, addr, size);
    return p;
}

/* The usual pages line, a bare decimal page number, in one pass; 0 leaves the line to
 * the pages grammar. Fifteen digits cannot overflow 64 bits. */
static inline int pages_fast(const char *p, const char *e, unsigned page_shift,
                             TraceRecord *rec)
{
    const char *s = p;
    uint64_t page = 0;
    while (p < e && (unsigned)(*p - '0') < 10)
        page = page * 10 + (unsigned)(*p++ - '0');
    if (p != e || p == s || p - s > 15 || page > (UINT64_MAX >> page_shift))
        return 0;
    return record_access(rec, OP_READ, page << page_shift, 1);
}

/* Parses one line [p, e) of t's format, the usual lackey and pages lines on their fast
 * paths: 1 = record, 0 = nothing, -1 = *why. */
static inline int trace_parse_record(const TraceReader *t, const char *p, const char *e,
                                     TraceRecord *rec, const char **why)
{
    if (t->fmt == TRACE_LACKEY)
        return lackey_fast(p, e, rec) ? 1 : trace_parse_lackey(p, e, t->page_shift, rec, why);
    if (t->fmt == TRACE_PAGES && pages_fast(p, e, t->page_shift, rec))
        return 1;
    return t->parse(p, e, t->page_shift, rec, why);
}

#endif
