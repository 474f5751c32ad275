/* vmsim: what the trace reader's files share (private to sim/core/trace*.c).
 *
 *   trace.c          the API's front: formats by name, messages, sniffing, opening
 *   trace_source.c   the sources (memory, plain, gzip, xz), the window, reading, seeking
 *   trace_grammar.c  the line grammars (vmsim, pages, lackey, ls, addrrw, csc369, cs1550)
 *   trace_fast.h     the usual lackey and pages lines in one pass, inline in trace_next
 *   trace_events.c   the trace operations' table and the process events' words
 *
 * The scanning helpers below are static inline: the grammars run them on every line.
 */
#ifndef VMSIM_TRACE_INT_H
#define VMSIM_TRACE_INT_H

#include "vmsim/limits.h"
#include "vmsim/trace.h"

#define ZLIB_CONST
#include <zlib.h>
#include <lzma.h>

#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define TRACE_BUF_SIZE  (256u * 1024)   /* text window; lines are at most 1 byte shorter */
#define TRACE_IN_SIZE   (64u * 1024)    /* compressed input chunk */
#define ACCESS_SIZE_MAX ((uint64_t)VMSIM_ACCESS_SIZE_MAX)

/* What a malformed line should have been; messages read "expected <this>, got '...'". */
#define EXP_VMSIM  "'R|W|X|M ADDR [SIZE]', 'switch NAME' or a process event"
/* The vmsim line's expectation, by address: trace_line_error adds the process events'
 * words. */
extern const char trace_exp_vmsim[];

typedef enum { SRC_MEM, SRC_RAW, SRC_GZ, SRC_XZ } TraceSource;

/* Parses one line [p, e) without its newline: 1 = record, 0 = nothing, -1 = *why. */
typedef int (*LineParser)(const char *p, const char *e, unsigned page_shift,
                          TraceRecord *rec, const char **why);

struct TraceReader {
    TraceFormat fmt;
    LineParser parse;
    unsigned page_shift;
    char *name;                 /* for messages */
    unsigned long first_line;

    const char *text;           /* the window: buf, or the caller's text */
    char *buf;                  /* owned window (files only) */
    size_t cap, start, scan, end;
    uint64_t buf_off;
    bool eof;                   /* the source has nothing after text[end] */
    bool skip;                  /* discarding the tail of an over-long line */

    unsigned long line;         /* lines consumed */
    uint64_t records;           /* records returned */

    TraceSource src;
    int fd;
    uint8_t *in;                /* compressed input chunk */
    const uint8_t *in_next;
    size_t in_avail;
    bool in_eof;
    bool dec_end;               /* the decoder has seen the end of its data */
    z_stream z;
    lzma_stream x;
    char ioerr[128];            /* sticky read failure, "" when none */
};

/* ---- Scanning helpers ---------------------------------------------------------- */

typedef enum { NUM_OK, NUM_NONE, NUM_OVERFLOW } NumStatus;

/* Hex digit value plus one; 0 marks a byte that is not a hex digit. */
static const uint8_t hex_value[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
    ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16,
};

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline const char *skip_blanks(const char *p, const char *e)
{
    while (p < e && is_blank(*p))
        p++;
    return p;
}

/* True when only blanks and an optional "# comment" remain. */
static inline bool at_end(const char *p, const char *e)
{
    p = skip_blanks(p, e);
    return p == e || *p == '#';
}

/* Hex digits (no prefix) at *pp; on NUM_OK *pp moves past them. Shifting drops the
 * high digits of a long number, so the count tells an overflow afterwards. */
static inline NumStatus scan_hex(const char **pp, const char *e, uint64_t *out)
{
    const char *s = *pp, *p = s;
    uint64_t v = 0;
    unsigned d;
    while (p < e && (d = hex_value[(unsigned char)*p]) != 0) {
        v = v << 4 | (d - 1);
        p++;
    }
    if (p == s)
        return NUM_NONE;
    if (p - s > 16) {               /* more than 64 bits unless the excess is zeros */
        for (const char *z = s; z < p - 16; z++)
            if (*z != '0')
                return NUM_OVERFLOW;
    }
    *pp = p;
    *out = v;
    return NUM_OK;
}

/* Decimal digits at *pp; on NUM_OK *pp moves past them. */
static inline NumStatus scan_dec(const char **pp, const char *e, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    while (p < e && (unsigned)(*p - '0') < 10) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return NUM_OVERFLOW;
        v = v * 10 + d;
        p++;
    }
    if (p == *pp)
        return NUM_NONE;
    *pp = p;
    *out = v;
    return NUM_OK;
}

static inline bool has_0x(const char *p, const char *e)
{
    return e - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
}

/* A number written 0xHEX or DECIMAL. */
static inline NumStatus scan_num(const char **pp, const char *e, uint64_t *out)
{
    if (!has_0x(*pp, e))
        return scan_dec(pp, e, out);
    const char *p = *pp + 2;
    NumStatus st = scan_hex(&p, e, out);
    if (st == NUM_OK)
        *pp = p;
    return st;
}

/* A hex number with or without 0x. */
static inline NumStatus scan_hex_0x(const char **pp, const char *e, uint64_t *out)
{
    const char *p = *pp + (has_0x(*pp, e) ? 2 : 0);
    NumStatus st = scan_hex(&p, e, out);
    if (st == NUM_OK)
        *pp = p;
    return st;
}

/* Fills an access record (an address, not a malloc block's name). Returns 1. */
static inline int record_access(TraceRecord *rec, AccessOp op, uint64_t addr, uint32_t size)
{
    rec->kind = TREC_ACCESS;
    rec->op = op;
    rec->addr = addr;
    rec->size = size;
    rec->name[0] = '\0';
    rec->named = false;
    rec->has_proc = false;
    return 1;
}

static inline bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* A blank-separated word of a process event's line. */
typedef struct Word {
    const char *p;
    size_t n;
} Word;

/* ---- trace.c ---- */

/* snprintf into the caller's err, which may be NULL or empty. */
void trace_set_err(char *err, size_t errlen, const char *fmt, ...);

/* "NAME:LINE: expected WHY, got 'TEXT'"; without NAME, just "expected ...". */
void trace_line_error(char *err, size_t errlen, const char *name, unsigned long line,
                      const char *why, const char *p, size_t n);

/* ---- trace_grammar.c ---- */

/* The grammar of fmt, NULL for TRACE_AUTO. */
LineParser trace_parser_for(TraceFormat fmt);

/* The lackey grammar, for the fast path's leftovers (trace_fast.h). */
int trace_parse_lackey(const char *p, const char *e, unsigned page_shift,
                       TraceRecord *rec, const char **why);

/* ---- trace_events.c ---- */

/* A process event, or -2 when the first word is no event's verb. */
int trace_parse_event(const char *p, const char *e, TraceRecord *rec, const char **why);

/* A word of 1..TRACE_NAME_MAX-1 name characters into rec->name; false otherwise. */
bool trace_word_name(Word w, TraceRecord *rec);

/* ---- trace_source.c ---- */

/* Moves the unconsumed bytes to the front and reads more after them. 0, or -1 with err. */
int trace_refill(TraceReader *t, char *err, size_t errlen);

/* A UTF-8 byte-order mark at the start of the text is not part of its first line. */
static inline void skip_bom(TraceReader *t)
{
    if (t->buf_off + t->start == 0 && t->end >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0)
        t->start = t->scan = 3;
}

/* Opens path, reads its magic bytes and sets up the matching source and window. */
int trace_src_open(TraceReader *t, const char *path, char *err, size_t errlen);

/* Ends t's decoder and closes its file (trace_close's part). */
void trace_src_close(TraceReader *t);

#endif
