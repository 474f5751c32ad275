/* vmsim: address-trace readers (the API is in include/vmsim/trace.h).
 *
 * A reader owns one fixed text window. Lines are found with memchr and parsed in
 * place; when no newline is left, the unconsumed tail moves to the front and the
 * source fills the rest. Memory therefore stays at one window (plus a decoder), however
 * long the trace:
 *
 *   text: [ consumed | start .. scan .. end | free ]    cap bytes
 *          text[0] is byte buf_off of the (decompressed) trace
 *
 * Sources: caller-owned memory (the window is the whole text), a plain file (read),
 * a gzip file (zlib inflate) or an xz file (liblzma). Files are told apart by their
 * first bytes, never by their names.
 */
#include "vmsim/trace.h"

#define ZLIB_CONST
#include <zlib.h>
#include <lzma.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define TRACE_BUF_SIZE  (256u * 1024)   /* text window; lines are at most 1 byte shorter */
#define TRACE_IN_SIZE   (64u * 1024)    /* compressed input chunk */
#define SNIFF_LINES     20              /* meaningful lines TRACE_AUTO looks at */
#define SHOW_MAX        60              /* bytes of an offending line quoted in messages */
#define ACCESS_SIZE_MAX (UINT64_C(1) << 31)

/* What a malformed line should have been; messages read "expected <this>, got '...'". */
#define EXP_VMSIM  "'R|W|X|M ADDR [SIZE]', 'switch NAME' or a process event"
/* The vmsim line's expectation, by address: line_error adds the process events' words. */
static const char exp_vmsim[] = EXP_VMSIM;
#define EXP_PAGES  "a page number"
#define EXP_LACKEY "'I|L|S|M ADDR,SIZE' (lackey)"
#define EXP_LS     "'l|s ADDR [SIZE]'"
#define EXP_ADDRRW "'ADDR R|W'"
#define CS1550_PROC_MAX TRACE_CS1550_PROC_MAX
#define CS1550_PROC_MAX_TEXT "32767"
#define EXP_CSC369 "'I|L|S|M ADDR' (csc369)"
#define EXP_CS1550 "'l|s ADDR PROCESS' (cs1550)"
#define EXP_CS1550_ADDR "an address below 2^32 (cs1550)"
#define EXP_CS1550_PROC "a process number from 0 to " CS1550_PROC_MAX_TEXT " (cs1550)"
#define EXP_ADDR   "an address that fits in 64 bits"
#define EXP_SIZE   "a SIZE from 1 to 2147483648"
#define EXP_WRAP   "an access that ends below 2^64"
#define EXP_NAME   "a process NAME of 1 to 63 characters from [A-Za-z0-9_.-]"
#define EXP_PAGE   "a page number whose address fits in 64 bits"

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

/* ---- Formats by name ---------------------------------------------------------- */

static const char *const format_names[] = {
    [TRACE_AUTO] = "auto",     [TRACE_VMSIM] = "vmsim", [TRACE_PAGES] = "pages",
    [TRACE_LACKEY] = "lackey", [TRACE_LS] = "ls",       [TRACE_ADDRRW] = "addrrw",
    [TRACE_CSC369] = "csc369", [TRACE_CS1550] = "cs1550",
};
#define FORMAT_COUNT (sizeof format_names / sizeof format_names[0])

bool trace_format_parse(const char *name, TraceFormat *out)
{
    for (size_t i = 0; name != NULL && i < FORMAT_COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (TraceFormat)i;
            return true;
        }
    }
    return false;
}

const char *trace_format_name(TraceFormat fmt)
{
    return (unsigned)fmt < FORMAT_COUNT ? format_names[fmt] : "unknown";
}

/* ---- Error messages ----------------------------------------------------------- */

/* snprintf into the caller's err, which may be NULL or empty. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Copies up to SHOW_MAX bytes of [p, p+n) into out (SHOW_MAX * 4 + 4 bytes) as printable
 * ASCII, other bytes as \xNN, and "..." when the text was cut. */
static void show_text(char *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0, i;
    for (i = 0; i < n && i < SHOW_MAX; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f) {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    if (i < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* "NAME:LINE: expected WHY, got 'TEXT'"; without NAME, just "expected ...". */
static void line_error(char *err, size_t errlen, const char *name, unsigned long line,
                       const char *why, const char *p, size_t n)
{
    char shown[SHOW_MAX * 4 + 4], list[256], vmsim[384];
    show_text(shown, p, n);
    if (why == exp_vmsim) {                 /* the process events, from the table */
        trace_op_list(list, sizeof list, ", ", " or ");
        snprintf(vmsim, sizeof vmsim, "%s (%s)", EXP_VMSIM, list);
        why = vmsim;
    }
    if (name != NULL)
        set_err(err, errlen, "%s:%lu: expected %s, got '%s'", name, line, why, shown);
    else
        set_err(err, errlen, "expected %s, got '%s'", why, shown);
}

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
static NumStatus scan_num(const char **pp, const char *e, uint64_t *out)
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
static NumStatus scan_hex_0x(const char **pp, const char *e, uint64_t *out)
{
    const char *p = *pp + (has_0x(*pp, e) ? 2 : 0);
    NumStatus st = scan_hex(&p, e, out);
    if (st == NUM_OK)
        *pp = p;
    return st;
}

/* Maps a failed scan to -1: an overflow reports overflow_why, a missing number keeps
 * the format's *why. */
static int num_fail(NumStatus st, const char *overflow_why, const char **why)
{
    if (st == NUM_OVERFLOW)
        *why = overflow_why;
    return -1;
}

/* SIZE (decimal, or 0x hex when hex_ok) in 1..2^31. Returns 0, or -1 with *why. */
static inline int scan_size(const char **pp, const char *e, bool hex_ok, uint64_t *size,
                            const char **why)
{
    NumStatus st = hex_ok ? scan_num(pp, e, size) : scan_dec(pp, e, size);
    if (st == NUM_OK && *pp < e && !is_blank(**pp) && **pp != '#')
        st = NUM_NONE;              /* not a number at all, like "0x3" in lackey */
    if (st == NUM_NONE)
        return -1;
    if (st == NUM_OVERFLOW || *size == 0 || *size > ACCESS_SIZE_MAX) {
        *why = EXP_SIZE;
        return -1;
    }
    return 0;
}

/* Fills an access record; rejects accesses whose last byte would pass 2^64 - 1. */
static inline int set_access(TraceRecord *rec, AccessOp op, uint64_t addr, uint64_t size,
                             const char **why)
{
    if (size - 1 > UINT64_MAX - addr) {
        *why = EXP_WRAP;
        return -1;
    }
    rec->kind = TREC_ACCESS;
    rec->op = op;
    rec->addr = addr;
    rec->size = (uint32_t)size;
    rec->name[0] = '\0';
    rec->named = false;
    return 1;
}

/* ---- Line grammars -----------------------------------------------------------
 * Every format skips blank lines, lines whose first non-blank is '#', and a trailing
 * "# comment" after a record; blanks are spaces and tabs. The record grammars are
 * disjoint (no meaningful line parses in two formats), which TRACE_AUTO relies on. */

/* "ADDR [SIZE]" and the end of the line. ADDR is hex after 0x and decimal otherwise,
 * or hex either way when bare_hex; SIZE is decimal or 0x hex. */
static int parse_addr_size(const char *p, const char *e, bool bare_hex, AccessOp op,
                           TraceRecord *rec, const char **why)
{
    uint64_t addr, size = 1;
    NumStatus st = bare_hex ? scan_hex_0x(&p, e, &addr) : scan_num(&p, e, &addr);
    if (st != NUM_OK)
        return num_fail(st, EXP_ADDR, why);
    const char *q = skip_blanks(p, e);
    if (q > p && q < e && *q != '#') {
        p = q;
        if (scan_size(&p, e, true, &size, why) < 0)
            return -1;
    }
    if (!at_end(p, e))
        return -1;
    return set_access(rec, op, addr, size, why);
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* "switch NAME": 1..TRACE_NAME_MAX-1 characters of [A-Za-z0-9_.-]. p is at 's'. */
static int parse_switch(const char *p, const char *e, TraceRecord *rec, const char **why)
{
    if (e - p < 6 || memcmp(p, "switch", 6) != 0 || (e - p > 6 && !is_blank(p[6])))
        return -1;
    *why = EXP_NAME;
    p = skip_blanks(p + 6, e);
    const char *s = p;
    while (p < e && is_name_char(*p))
        p++;
    size_t n = (size_t)(p - s);
    if (n == 0 || n >= TRACE_NAME_MAX || !at_end(p, e))
        return -1;
    rec->kind = TREC_SWITCH;
    rec->op = OP_READ;
    rec->addr = 0;
    rec->size = 0;
    memcpy(rec->name, s, n);
    rec->name[n] = '\0';
    return 1;
}

/* ---- vmsim process events ------------------------------------------------------
 * fork NAME | exit | brk ADDR | sbrk [+|-]SIZE | call SIZE | ret
 * mmap ADDR SIZE PERMS [anon|file] [private|shared] [huge=2M|1G]
 * munmap ADDR SIZE | mprotect ADDR SIZE PERMS | malloc SIZE as NAME | free NAME
 * SIZE may carry a K, M or G suffix here. */

#define EV_WORDS 8

typedef struct Word {
    const char *p;
    size_t n;
} Word;

/* Splits [p, e) at blanks, stopping at '#'. Returns the count, or -1 if too many. */
static int split_words(const char *p, const char *e, Word *w)
{
    int n = 0;
    for (p = skip_blanks(p, e); p < e && *p != '#'; p = skip_blanks(p, e)) {
        if (n == EV_WORDS)
            return -1;
        w[n].p = p;
        while (p < e && !is_blank(*p))
            p++;
        w[n].n = (size_t)(p - w[n].p);
        n++;
    }
    return n;
}

static bool word_is(Word w, const char *s)
{
    return w.n == strlen(s) && memcmp(w.p, s, w.n) == 0;
}

/* A whole word as a number: 0xHEX or DECIMAL, with K, M or G when sizes allows. */
static bool word_num(Word w, bool sizes, uint64_t *out)
{
    const char *p = w.p, *e = w.p + w.n;
    if (scan_num(&p, e, out) != NUM_OK)
        return false;
    unsigned shift = 0;
    if (sizes && p + 1 == e)
        shift = *p == 'K' || *p == 'k' ? 10 : *p == 'M' ? 20 : *p == 'G' ? 30 : 0;
    if (shift) {
        if (*out > (UINT64_MAX >> shift))
            return false;
        *out <<= shift;
        p++;
    }
    return p == e;
}

static bool word_name(Word w, TraceRecord *rec)
{
    if (w.n == 0 || w.n >= TRACE_NAME_MAX)
        return false;
    for (size_t i = 0; i < w.n; i++)
        if (!is_name_char(w.p[i]))
            return false;
    memcpy(rec->name, w.p, w.n);
    rec->name[w.n] = '\0';
    return true;
}

/* "rw-", "r-x", "---"... */
static bool word_prot(Word w, uint8_t *prot)
{
    if (w.n != 3 || (w.p[0] != 'r' && w.p[0] != '-') || (w.p[1] != 'w' && w.p[1] != '-') ||
        (w.p[2] != 'x' && w.p[2] != '-'))
        return false;
    *prot = (uint8_t)((w.p[0] == 'r' ? TRACE_PROT_R : 0) | (w.p[1] == 'w' ? TRACE_PROT_W : 0) |
                      (w.p[2] == 'x' ? TRACE_PROT_X : 0));
    return true;
}

/* mmap's options after PERMS. */
static bool mmap_options(const Word *w, int n, TraceRecord *rec)
{
    for (int i = 0; i < n; i++) {
        if (word_is(w[i], "anon"))
            rec->map &= (uint8_t)~TRACE_MAP_FILE;
        else if (word_is(w[i], "file"))
            rec->map |= TRACE_MAP_FILE;
        else if (word_is(w[i], "private"))
            rec->map &= (uint8_t)~TRACE_MAP_SHARED;
        else if (word_is(w[i], "shared"))
            rec->map |= TRACE_MAP_SHARED;
        else if (word_is(w[i], "huge=2M"))
            rec->huge_shift = 21;
        else if (word_is(w[i], "huge=4M"))
            rec->huge_shift = 22;
        else if (word_is(w[i], "huge=1G"))
            rec->huge_shift = 30;
        else
            return false;
    }
    return true;
}

/* sbrk's [+|-]SIZE. */
static bool sbrk_amount(Word w, TraceRecord *rec)
{
    if (w.n == 0)
        return false;
    rec->negative = w.p[0] == '-';
    size_t sign = w.p[0] == '-' || w.p[0] == '+';
    Word num = { w.p + sign, w.n - sign };
    return word_num(num, true, &rec->length);
}

/* Each process event's words after the verb, by its grammar. */
static bool words_name(const Word *w, int n, TraceRecord *rec) { return n == 1 && word_name(w[0], rec); }

static bool words_none(const Word *w, int n, TraceRecord *rec)
{
    (void)w, (void)rec;
    return n == 0;
}

static bool words_brk(const Word *w, int n, TraceRecord *rec)
{
    return n == 1 && word_num(w[0], false, &rec->addr);
}

static bool words_sbrk(const Word *w, int n, TraceRecord *rec) { return n == 1 && sbrk_amount(w[0], rec); }

static bool words_call(const Word *w, int n, TraceRecord *rec)
{
    return n == 1 && word_num(w[0], true, &rec->length) && rec->length > 0;
}

static bool words_malloc(const Word *w, int n, TraceRecord *rec)
{
    return n == 3 && word_num(w[0], true, &rec->length) && word_is(w[1], "as") && word_name(w[2], rec);
}

static bool words_munmap(const Word *w, int n, TraceRecord *rec)
{
    return n == 2 && word_num(w[0], false, &rec->addr) && word_num(w[1], true, &rec->length) &&
           rec->length > 0;
}

/* ADDR SIZE PERMS: mprotect's words and the start of mmap's. */
static bool words_mprotect(const Word *w, int n, TraceRecord *rec)
{
    return n >= 3 && word_num(w[0], false, &rec->addr) && word_num(w[1], true, &rec->length) &&
           rec->length > 0 && word_prot(w[2], &rec->prot) && (rec->kind != TREC_MPROTECT || n == 3);
}

static bool words_mmap(const Word *w, int n, TraceRecord *rec)
{
    return words_mprotect(w, n, rec) && mmap_options(w + 3, n - 3, rec);
}

/* pte's LEVEL = VALUE: a level's name (checked against the machine when it runs) and
 * the raw entry in hex, with or without 0x. */
static bool pte_value(const Word *w, TraceRecord *rec)
{
    const char *p = w[2].p, *e = w[2].p + w[2].n;
    return word_name(w[0], rec) && word_is(w[1], "=") && w[2].n > 0 &&
           scan_hex_0x(&p, e, &rec->length) == NUM_OK && p == e;
}

static bool words_pte(const Word *w, int n, TraceRecord *rec)
{
    return n == 4 && word_num(w[0], false, &rec->addr) && pte_value(w + 1, rec);
}

static bool words_pte_query(const Word *w, int n, TraceRecord *rec)
{
    return n == 2 && word_num(w[0], false, &rec->addr) && word_name(w[1], rec);
}

static bool words_sfence(const Word *w, int n, TraceRecord *rec)
{
    rec->all = n == 0;
    return n == 0 || words_brk(w, n, rec);
}

/* kernel R|W|X ADDR [SIZE]: the access stays inside 2^64. */
static bool words_kernel(const Word *w, int n, TraceRecord *rec)
{
    uint64_t size = 1;
    if (n < 2 || n > 3 || w[0].n != 1 || !word_num(w[1], false, &rec->addr) ||
        (n == 3 && (!word_num(w[2], true, &size) || size == 0 || size > ACCESS_SIZE_MAX)))
        return false;
    char c = w[0].p[0];
    rec->op = c == 'R' || c == 'r' ? OP_READ : c == 'W' || c == 'w' ? OP_WRITE : OP_EXEC;
    rec->size = (uint32_t)size;
    return strchr("RrWwXx", c) && rec->addr + (size - 1) >= rec->addr;
}

/* The trace operations, one line each: the word, the usage error messages show, and
 * (for process events) the grammar of the words after it. Reports name event steps by
 * the word (trace_op_name); the Sim's OS side (procev.c) has a handler per kind. */
static const struct {
    const char *verb;
    const char *usage;
    bool (*words)(const Word *w, int n, TraceRecord *rec);     /* NULL: not a process event */
} trace_ops[TREC_COUNT] = {
    [TREC_ACCESS] = { "access", "'R|W|X|M ADDR [SIZE]'", NULL },
    [TREC_SWITCH] = { "switch", "'switch NAME'", NULL },
    [TREC_FORK] = { "fork", "'fork NAME'", words_name },
    [TREC_EXIT] = { "exit", "'exit'", words_none },
    [TREC_BRK] = { "brk", "'brk ADDR'", words_brk },
    [TREC_SBRK] = { "sbrk", "'sbrk [+|-]SIZE'", words_sbrk },
    [TREC_MMAP] = { "mmap", "'mmap ADDR SIZE PERMS [anon|file] [private|shared] [huge=2M|1G]'", words_mmap },
    [TREC_MUNMAP] = { "munmap", "'munmap ADDR SIZE'", words_munmap },
    [TREC_MPROTECT] = { "mprotect", "'mprotect ADDR SIZE PERMS'", words_mprotect },
    [TREC_CALL] = { "call", "'call SIZE'", words_call },
    [TREC_RET] = { "ret", "'ret'", words_none },
    [TREC_MALLOC] = { "malloc", "'malloc SIZE as NAME'", words_malloc },
    [TREC_FREE] = { "free", "'free NAME'", words_name },
    [TREC_PTE] = { "pte", "'pte ADDR LEVEL = VALUE'", words_pte },
    [TREC_PTE_QUERY] = { "pte?", "'pte? ADDR LEVEL'", words_pte_query },
    [TREC_INVLPG] = { "invlpg", "'invlpg ADDR'", words_brk },
    [TREC_SFENCE] = { "sfence.vma", "'sfence.vma [ADDR]'", words_sfence },
    [TREC_KERNEL] = { "kernel", "'kernel R|W|X ADDR [SIZE]'", words_kernel },
};

const char *trace_op_name(TraceKind kind)
{
    return (unsigned)kind < TREC_COUNT ? trace_ops[kind].verb : "?";
}

const char *trace_op_usage(TraceKind kind)
{
    return (unsigned)kind < TREC_COUNT ? trace_ops[kind].usage : "?";
}

size_t trace_op_list(char *buf, size_t len, const char *sep, const char *last)
{
    size_t n = 0, shown = 0, events = 0;
    for (int k = 0; k < TREC_COUNT; k++)
        events += trace_ops[k].words != NULL;
    if (len)
        buf[0] = '\0';
    for (int k = 0; k < TREC_COUNT; k++) {
        if (!trace_ops[k].words)
            continue;
        int w = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0, "%s%s",
                         shown == 0 ? "" : shown + 1 == events ? last : sep, trace_ops[k].verb);
        shown++;
        n += w > 0 ? (size_t)w : 0;
    }
    return n;
}

/* A process event, or -2 when the first word is no event's verb. */
static int parse_event(const char *p, const char *e, TraceRecord *rec, const char **why)
{
    Word w[EV_WORDS];
    int n = split_words(p, e, w);
    if (n == 0)
        return -2;
    for (int k = 0; k < TREC_COUNT; k++) {
        if (!trace_ops[k].words || !word_is(w[0], trace_ops[k].verb))
            continue;
        *why = trace_ops[k].usage;
        if (n < 0)
            return -1;
        memset(rec, 0, sizeof *rec);
        rec->kind = (TraceKind)k;
        rec->size = 1;
        return trace_ops[k].words(w + 1, n - 1, rec) ? 1 : -1;
    }
    return -2;
}

/* "@NAME[+OFF] [SIZE]" after an op letter: bytes at an offset into a malloc block. */
static int parse_named(const char *p, const char *e, AccessOp op, TraceRecord *rec,
                       const char **why)
{
    const char *s = ++p;
    while (p < e && is_name_char(*p))
        p++;
    Word name = { s, (size_t)(p - s) };
    uint64_t off = 0, size = 1;
    char keep[TRACE_NAME_MAX];
    if (!word_name(name, rec))
        return -1;
    memcpy(keep, rec->name, sizeof keep);
    if (p < e && *p == '+') {
        p++;
        if (scan_num(&p, e, &off) != NUM_OK)
            return -1;
    }
    const char *q = skip_blanks(p, e);
    if (q > p && q < e && *q != '#') {
        p = q;
        if (scan_size(&p, e, true, &size, why) < 0)
            return -1;
    }
    if (!at_end(p, e) || set_access(rec, op, off, size, why) < 0)
        return -1;
    memcpy(rec->name, keep, sizeof keep);
    rec->named = true;
    return 1;
}

/* vmsim: "R|W|X|M ADDR [SIZE]" (op in either case), "R|W|X|M @NAME[+OFF] [SIZE]",
 * "switch NAME" or a process event. */
static int parse_vmsim(const char *p, const char *e, unsigned page_shift,
                       TraceRecord *rec, const char **why)
{
    (void)page_shift;
    p = skip_blanks(p, e);
    if (p == e || *p == '#')
        return 0;
    *why = exp_vmsim;
    if (e - p > 2 && !is_blank(p[1])) {     /* a word, not an op letter */
        int r = parse_event(p, e, rec, why);
        if (r != -2)
            return r;
    }
    AccessOp op;
    switch (*p) {
    case 'R': case 'r': op = OP_READ; break;
    case 'W': case 'w': op = OP_WRITE; break;
    case 'X': case 'x': op = OP_EXEC; break;
    case 'M': case 'm': op = OP_MODIFY; break;
    case 's': return parse_switch(p, e, rec, why);
    default: return -1;
    }
    if (++p == e || !is_blank(*p))
        return -1;
    p = skip_blanks(p, e);
    rec->named = false;
    if (p < e && *p == '@')
        return parse_named(p, e, op, rec, why);
    return parse_addr_size(p, e, false, op, rec, why);
}

/* pages: one page number (decimal or 0x hex); the access reads byte page << shift. */
static int parse_pages(const char *p, const char *e, unsigned page_shift,
                       TraceRecord *rec, const char **why)
{
    p = skip_blanks(p, e);
    if (p == e || *p == '#')
        return 0;
    *why = EXP_PAGES;
    uint64_t page;
    NumStatus st = scan_num(&p, e, &page);
    if (st != NUM_OK)
        return num_fail(st, EXP_PAGE, why);
    if (!at_end(p, e))
        return -1;
    if (page > (UINT64_MAX >> page_shift)) {
        *why = EXP_PAGE;
        return -1;
    }
    return set_access(rec, OP_READ, page << page_shift, 1, why);
}

/* lackey: "I  ADDR,SIZE", " L|S|M ADDR,SIZE" with bare hex ADDR, decimal SIZE and no
 * blanks around the comma; "==" lines are Valgrind's commentary. Leading blanks vary. */
static int parse_lackey(const char *p, const char *e, unsigned page_shift,
                        TraceRecord *rec, const char **why)
{
    (void)page_shift;
    p = skip_blanks(p, e);
    if (p == e || *p == '#' || (e - p >= 2 && p[0] == '=' && p[1] == '='))
        return 0;
    *why = EXP_LACKEY;
    AccessOp op;
    switch (*p) {
    case 'I': op = OP_EXEC; break;
    case 'L': op = OP_READ; break;
    case 'S': op = OP_WRITE; break;
    case 'M': op = OP_MODIFY; break;
    default: return -1;
    }
    if (++p == e || !is_blank(*p))
        return -1;
    p = skip_blanks(p, e);
    uint64_t addr, size;
    NumStatus st = scan_hex(&p, e, &addr);
    if (st != NUM_OK)
        return num_fail(st, EXP_ADDR, why);
    if (p == e || *p++ != ',' || scan_size(&p, e, false, &size, why) < 0 || !at_end(p, e))
        return -1;
    return set_access(rec, op, addr, size, why);
}

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

/* The usual lackey line ("I  0401ab70,3", " L 1fff000d18,8") in one pass, for speed.
 * Returns 1 with rec filled, or 0 to leave the line to parse_lackey, which accepts
 * the same records and words the errors. */
static inline int lackey_fast(const char *p, const char *e, TraceRecord *rec)
{
    if (e - p < 5)
        return 0;
    p += *p == ' ';
    AccessOp op;
    switch (*p) {
    case 'I': op = OP_EXEC; break;
    case 'L': op = OP_READ; break;
    case 'S': op = OP_WRITE; break;
    case 'M': op = OP_MODIFY; break;
    default: return 0;
    }
    if (p[1] != ' ')
        return 0;
    p += 2 + (p[2] == ' ');
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
    rec->kind = TREC_ACCESS;
    rec->op = op;
    rec->addr = addr;
    rec->size = (uint32_t)size;
    rec->name[0] = '\0';
    rec->named = false;
    return 1;
}

/* The usual pages line, a bare decimal page number, in one pass; 0 leaves the line to
 * parse_pages. Fifteen digits cannot overflow 64 bits. */
static inline int pages_fast(const char *p, const char *e, unsigned page_shift,
                             TraceRecord *rec)
{
    const char *s = p;
    uint64_t page = 0;
    while (p < e && (unsigned)(*p - '0') < 10)
        page = page * 10 + (unsigned)(*p++ - '0');
    if (p != e || p == s || p - s > 15 || page > (UINT64_MAX >> page_shift))
        return 0;
    rec->kind = TREC_ACCESS;
    rec->op = OP_READ;
    rec->addr = page << page_shift;
    rec->size = 1;
    rec->name[0] = '\0';
    rec->named = false;
    return 1;
}

/* ls: "l|s ADDR [SIZE]" (either case), ADDR hex with or without 0x. */
static int parse_ls(const char *p, const char *e, unsigned page_shift,
                    TraceRecord *rec, const char **why)
{
    (void)page_shift;
    p = skip_blanks(p, e);
    if (p == e || *p == '#')
        return 0;
    *why = EXP_LS;
    AccessOp op;
    switch (*p) {
    case 'l': case 'L': op = OP_READ; break;
    case 's': case 'S': op = OP_WRITE; break;
    default: return -1;
    }
    if (++p == e || !is_blank(*p))
        return -1;
    return parse_addr_size(skip_blanks(p, e), e, true, op, rec, why);
}

/* addrrw: "ADDR R|W" (either case), ADDR hex with or without 0x; size 1. */
static int parse_addrrw(const char *p, const char *e, unsigned page_shift,
                        TraceRecord *rec, const char **why)
{
    (void)page_shift;
    p = skip_blanks(p, e);
    if (p == e || *p == '#')
        return 0;
    *why = EXP_ADDRRW;
    uint64_t addr;
    NumStatus st = scan_hex_0x(&p, e, &addr);
    if (st != NUM_OK)
        return num_fail(st, EXP_ADDR, why);
    if (p == e || !is_blank(*p))
        return -1;
    p = skip_blanks(p, e);
    AccessOp op;
    if (p < e && (*p == 'R' || *p == 'r'))
        op = OP_READ;
    else if (p < e && (*p == 'W' || *p == 'w'))
        op = OP_WRITE;
    else
        return -1;
    if (!at_end(p + 1, e))
        return -1;
    return set_access(rec, op, addr, 1, why);
}

/* The lead of csc369 and cs1550 lines: one of letters (ops[i] the op of letters[i]),
 * blanks, a hex ADDR with or without 0x. 1 with *op, *addr and *pp past ADDR; 0 for a
 * blank or comment line; -1 with *why (set to the format's grammar beforehand). */
static int parse_op_addr(const char **pp, const char *e, const char *letters,
                         const AccessOp *ops, AccessOp *op, uint64_t *addr, const char **why)
{
    const char *p = skip_blanks(*pp, e);
    if (p == e || *p == '#')
        return 0;
    const char *c = strchr(letters, *p);
    if (!*p || !c)
        return -1;
    *op = ops[c - letters];
    if (++p == e || !is_blank(*p))
        return -1;
    p = skip_blanks(p, e);
    NumStatus st = scan_hex_0x(&p, e, addr);
    if (st != NUM_OK)
        return num_fail(st, EXP_ADDR, why);
    *pp = p;
    return 1;
}

/* csc369: "I|L|S|M ADDR", ADDR hex with or without 0x, no size. I is an instruction
 * fetch, L a load; S and M are each one write reference (M is not split into a read
 * and a write, as the CSC369 simulator counts it). */
static int parse_csc369(const char *p, const char *e, unsigned page_shift,
                        TraceRecord *rec, const char **why)
{
    static const AccessOp ops[] = { OP_EXEC, OP_READ, OP_WRITE, OP_WRITE };
    AccessOp op;
    uint64_t addr;
    (void)page_shift;
    *why = EXP_CSC369;
    int r = parse_op_addr(&p, e, "ILSM", ops, &op, &addr, why);
    if (r <= 0)
        return r;
    if (!at_end(p, e))
        return -1;
    return set_access(rec, op, addr, 1, why);
}

/* cs1550: "l|s ADDR PROCESS", ADDR hex with or without 0x below 2^32, PROCESS a
 * decimal. Each process number is its own address space; all share the frames. The
 * record carries the process in the address's upper half: addr = PROCESS << 32 | ADDR
 * (trace_cs1550_process and trace_cs1550_addr take it apart). */
static int parse_cs1550(const char *p, const char *e, unsigned page_shift,
                        TraceRecord *rec, const char **why)
{
    static const AccessOp ops[] = { OP_READ, OP_WRITE };
    AccessOp op;
    uint64_t addr, proc;
    (void)page_shift;
    *why = EXP_CS1550;
    int r = parse_op_addr(&p, e, "ls", ops, &op, &addr, why);
    if (r <= 0)
        return r;
    if (addr > UINT32_MAX)
        return *why = EXP_CS1550_ADDR, -1;
    const char *q = skip_blanks(p, e);
    if (q == p || q == e)
        return -1;
    p = q;
    if (scan_dec(&p, e, &proc) != NUM_OK || proc > CS1550_PROC_MAX)
        return *why = EXP_CS1550_PROC, -1;
    if (!at_end(p, e))
        return -1;
    return set_access(rec, op, proc << 32 | addr, 1, why);
}

static LineParser parser_for(TraceFormat fmt)
{
    switch (fmt) {
    case TRACE_VMSIM:  return parse_vmsim;
    case TRACE_PAGES:  return parse_pages;
    case TRACE_LACKEY: return parse_lackey;
    case TRACE_LS:     return parse_ls;
    case TRACE_ADDRRW: return parse_addrrw;
    case TRACE_CSC369: return parse_csc369;
    case TRACE_CS1550: return parse_cs1550;
    case TRACE_AUTO:   break;
    }
    return NULL;
}

/* ---- Sources ------------------------------------------------------------------ */

static ssize_t read_some(int fd, void *dst, size_t n)
{
    ssize_t got;
    do
        got = read(fd, dst, n);
    while (got < 0 && errno == EINTR);
    return got;
}

/* Records a read failure; it stays until the reader seeks. Returns -1. */
static int src_fail(TraceReader *t, const char *why)
{
    snprintf(t->ioerr, sizeof t->ioerr, "%s", why);
    return -1;
}

/* Makes at least need bytes of compressed input available, unless the file ends. */
static int in_fill(TraceReader *t, size_t need)
{
    while (t->in_avail < need && !t->in_eof) {
        memmove(t->in, t->in_next, t->in_avail);
        t->in_next = t->in;
        ssize_t n = read_some(t->fd, t->in + t->in_avail, TRACE_IN_SIZE - t->in_avail);
        if (n < 0)
            return src_fail(t, strerror(errno));
        t->in_eof = n == 0;
        t->in_avail += (size_t)n;
    }
    return 0;
}

/* After one gzip member: another follows if the next bytes are the gzip magic; any
 * other bytes are an error (gzip(1) warns of "trailing garbage"; a trace with them is
 * not what was compressed), as they are after xz data. */
static int gz_next_member(TraceReader *t)
{
    if (in_fill(t, 2) < 0)
        return -1;
    if (t->in_avail >= 2 && t->in_next[0] == 0x1f && t->in_next[1] == 0x8b)
        inflateReset(&t->z);
    else if (t->in_avail > 0)
        return src_fail(t, "bytes after the end of the gzip data");
    else
        t->dec_end = true;
    return 0;
}

/* After one xz stream: stream padding (zero bytes, xz file format 2.2), then the end
 * or another stream; any other bytes are an error, as after gzip data. */
static int xz_next_stream(TraceReader *t)
{
    static const uint8_t xz_magic[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
    for (;;) {
        if (in_fill(t, 6) < 0)
            return -1;
        if (t->in_avail == 0 || t->in_next[0] != 0)
            break;
        t->in_next++;                      /* padding */
        t->in_avail--;
    }
    if (t->in_avail == 0) {
        t->dec_end = true;
        return 0;
    }
    if (t->in_avail < 6 || memcmp(t->in_next, xz_magic, 6) != 0)
        return src_fail(t, "bytes after the end of the xz data");
    if (lzma_stream_decoder(&t->x, UINT64_MAX, 0) != LZMA_OK)
        return src_fail(t, "cannot restart the xz decoder");
    return 0;
}

static const char *gz_reason(int rc)
{
    switch (rc) {
    case Z_MEM_ERROR:  return "out of memory";
    case Z_DATA_ERROR: return "gzip data is corrupt";
    case Z_BUF_ERROR:  return "gzip data is truncated";
    }
    return "gzip decoder failed";
}

/* Inflates into dst until at least one byte comes out or the data ends. */
static ssize_t gz_read(TraceReader *t, char *dst, size_t cap)
{
    z_stream *z = &t->z;
    z->next_out = (Bytef *)dst;
    z->avail_out = (uInt)cap;
    while (z->avail_out == cap && !t->dec_end) {
        if (t->in_avail == 0 && in_fill(t, 1) < 0)
            return -1;
        z->next_in = t->in_next;
        z->avail_in = (uInt)t->in_avail;
        int rc = inflate(z, Z_NO_FLUSH);
        t->in_next = z->next_in;
        t->in_avail = z->avail_in;
        if (rc == Z_STREAM_END) {
            if (gz_next_member(t) < 0)
                return -1;
        } else if (rc != Z_OK) {
            return src_fail(t, gz_reason(rc));
        }
    }
    return (ssize_t)(cap - z->avail_out);
}

static const char *xz_reason(lzma_ret rc)
{
    switch (rc) {
    case LZMA_MEM_ERROR:      return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "xz memory limit reached";
    case LZMA_FORMAT_ERROR:   return "not xz data";
    case LZMA_OPTIONS_ERROR:  return "unsupported xz options";
    case LZMA_DATA_ERROR:     return "xz data is corrupt";
    case LZMA_BUF_ERROR:      return "xz data is truncated";
    default:                  return "xz decoder failed";
    }
}

/* Decodes into dst until at least one byte comes out or the data ends. */
static ssize_t xz_read(TraceReader *t, char *dst, size_t cap)
{
    lzma_stream *x = &t->x;
    x->next_out = (uint8_t *)dst;
    x->avail_out = cap;
    while (x->avail_out == cap && !t->dec_end) {
        if (t->in_avail == 0 && in_fill(t, 1) < 0)
            return -1;
        x->next_in = t->in_next;
        x->avail_in = t->in_avail;
        lzma_ret rc = lzma_code(x, t->in_eof ? LZMA_FINISH : LZMA_RUN);
        t->in_next = x->next_in;
        t->in_avail = x->avail_in;
        if (rc == LZMA_STREAM_END) {
            if (xz_next_stream(t) < 0)
                return -1;
        } else if (rc != LZMA_OK)
            return src_fail(t, xz_reason(rc));
    }
    return (ssize_t)(cap - x->avail_out);
}

/* Reads up to cap bytes of text into dst: > 0 bytes, 0 at the end, -1 with t->ioerr. */
static ssize_t src_read(TraceReader *t, char *dst, size_t cap)
{
    if (t->ioerr[0] != '\0')
        return -1;
    switch (t->src) {
    case SRC_RAW: {
        ssize_t n = read_some(t->fd, dst, cap);
        return n < 0 ? src_fail(t, strerror(errno)) : n;
    }
    case SRC_GZ: return gz_read(t, dst, cap);
    case SRC_XZ: return xz_read(t, dst, cap);
    case SRC_MEM: break;
    }
    return 0;
}

/* Starts (or restarts) the decoder for t->src at the beginning of its data. */
static int decoder_start(TraceReader *t)
{
    t->dec_end = false;
    if (t->src == SRC_GZ)
        return inflateReset(&t->z) == Z_OK ? 0 : -1;
    if (t->src == SRC_XZ)
        return lzma_stream_decoder(&t->x, UINT64_MAX, 0) == LZMA_OK ? 0 : -1;
    return 0;
}

/* Moves the file and the decoder back to byte 0 and empties the window. */
static int src_restart(TraceReader *t)
{
    t->ioerr[0] = '\0';
    if (lseek(t->fd, 0, SEEK_SET) < 0)
        return src_fail(t, strerror(errno));
    t->in_next = t->in;
    t->in_avail = 0;
    t->in_eof = false;
    if (decoder_start(t) < 0)
        return src_fail(t, "cannot restart the decoder");
    t->buf_off = 0;
    t->start = t->scan = t->end = 0;
    t->eof = false;
    return 0;
}

/* ---- The window --------------------------------------------------------------- */

/* Moves the unconsumed bytes to the front and reads more after them. */
static int refill(TraceReader *t, char *err, size_t errlen)
{
    if (t->start > 0) {
        memmove(t->buf, t->buf + t->start, t->end - t->start);
        t->buf_off += t->start;
        t->end -= t->start;
        t->scan -= t->start;
        t->start = 0;
    }
    ssize_t n = src_read(t, t->buf + t->end, t->cap - t->end);
    if (n < 0) {
        set_err(err, errlen, "%s:%lu: cannot read: %s", t->name, t->line + 1, t->ioerr);
        return -1;
    }
    t->eof = n == 0;
    t->end += (size_t)n;
    return 0;
}

/* A full window without a newline: reports the line and discards it up to its end. */
static int line_too_long(TraceReader *t, char *err, size_t errlen)
{
    char why[64];
    snprintf(why, sizeof why, "a line of at most %zu bytes", t->cap - 1);
    t->line++;
    line_error(err, errlen, t->name, t->line, why, t->text + t->start, t->end - t->start);
    t->start = t->scan = t->end;
    t->skip = true;
    return -1;
}

/* Drops bytes up to and including the next newline (the rest of an over-long line). */
static int skip_rest(TraceReader *t, char *err, size_t errlen)
{
    for (;;) {
        const char *nl = memchr(t->text + t->start, '\n', t->end - t->start);
        if (nl != NULL) {
            t->start = t->scan = (size_t)(nl - t->text) + 1;
            t->skip = false;
            return 0;
        }
        t->start = t->scan = t->end;
        if (t->eof) {
            t->skip = false;
            return 0;
        }
        if (refill(t, err, errlen) < 0)
            return -1;
    }
}

/* The next line without its newline: 1 with *line and *len set, 0 at the end, -1 on
 * error. */
/* A UTF-8 byte-order mark at the start of the text is not part of its first line. */
static inline void skip_bom(TraceReader *t)
{
    if (t->buf_off + t->start == 0 && t->end >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0)
        t->start = t->scan = 3;
}

static inline int next_line(TraceReader *t, const char **line, size_t *len,
                            char *err, size_t errlen)
{
    if (t->skip && skip_rest(t, err, errlen) < 0)
        return -1;
    skip_bom(t);
    for (;;) {
        const char *s = t->text + t->start;
        const char *nl = memchr(t->text + t->scan, '\n', t->end - t->scan);
        if (nl != NULL) {
            *line = s;
            *len = (size_t)(nl - s);
            t->start = t->scan = (size_t)(nl - t->text) + 1;
            t->line++;
            return 1;
        }
        t->scan = t->end;
        if (t->eof) {
            if (t->start == t->end)
                return 0;
            *line = s;                      /* the last line has no newline */
            *len = t->end - t->start;
            t->start = t->scan = t->end;
            t->line++;
            return 1;
        }
        if (t->start == 0 && t->end == t->cap)
            return line_too_long(t, err, errlen);
        if (refill(t, err, errlen) < 0)
            return -1;
    }
}

/* ---- Format detection --------------------------------------------------------- */

/* Candidates in order of preference (csc369 and cs1550 overlap ls, so they are only
 * read when named). The grammars are disjoint, so more than one fits
 * only when the window has no meaningful line; then the native format, vmsim. */
static const TraceFormat sniff_order[] = {
    TRACE_LACKEY, TRACE_VMSIM, TRACE_ADDRRW, TRACE_LS, TRACE_PAGES
};
#define SNIFF_COUNT (sizeof sniff_order / sizeof sniff_order[0])

/* Runs every candidate over the first SNIFF_LINES meaningful complete lines in the
 * window; bad[i] becomes the first line candidate i rejects (0 if none). Returns the
 * number of meaningful lines seen. */
static int sniff_lines(const TraceReader *t, unsigned long bad[SNIFF_COUNT])
{
    int seen = 0;
    const char *p = t->text + t->start, *e = t->text + t->end;
    unsigned long line = t->line;
    while (p < e && seen < SNIFF_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (nl == NULL && !t->eof)
            break;
        const char *le = nl != NULL ? nl : e;
        if (le > p && le[-1] == '\r')
            le--;
        line++;
        const char *q = skip_blanks(p, le);
        if (q < le && *q != '#') {
            seen++;
            for (size_t i = 0; i < SNIFF_COUNT; i++) {
                TraceRecord rec;
                const char *why;
                LineParser parse = parser_for(sniff_order[i]);
                if (bad[i] == 0 && parse(p, le, t->page_shift, &rec, &why) < 0)
                    bad[i] = line;
            }
        }
        p = nl != NULL ? nl + 1 : e;
    }
    return seen;
}

/* Fills the window and picks t->fmt from what it holds; consumes nothing. A read
 * failure after some text only ends the filling: it is sticky, so trace_next reports
 * it again at the line where it happened. */
static int sniff(TraceReader *t, char *err, size_t errlen)
{
    while (!t->eof && t->end < t->cap) {
        if (refill(t, err, errlen) < 0) {
            if (t->end == t->start)
                return -1;
            break;
        }
    }
    unsigned long bad[SNIFF_COUNT] = { 0 }, worst = 0;
    skip_bom(t);
    if (sniff_lines(t, bad) == 0) {
        t->fmt = TRACE_VMSIM;
        return 0;
    }
    for (size_t i = 0; i < SNIFF_COUNT; i++) {
        if (bad[i] == 0) {
            t->fmt = sniff_order[i];
            return 0;
        }
        if (bad[i] > worst)
            worst = bad[i];
    }
    set_err(err, errlen, "%s:%lu: cannot tell the trace format; use --trace-format",
            t->name, worst);
    return -1;
}

/* ---- Opening and closing ------------------------------------------------------ */

/* A reader with no source yet, or NULL with err set. */
static TraceReader *reader_new(const char *name, TraceFormat fmt, unsigned page_shift,
                               char *err, size_t errlen)
{
    if ((unsigned)fmt >= FORMAT_COUNT) {
        set_err(err, errlen, "%s: unknown trace format %d", name, (int)fmt);
        return NULL;
    }
    if (page_shift > 63) {
        set_err(err, errlen, "%s: page shift %u is not in 0..63", name, page_shift);
        return NULL;
    }
    TraceReader *t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        set_err(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    t->fmt = fmt;
    t->page_shift = page_shift;
    t->fd = -1;
    t->x = (lzma_stream)LZMA_STREAM_INIT;
    t->first_line = 1;
    return t;
}

/* Reads the first bytes (up to n) without giving up on short reads. */
static ssize_t read_head(int fd, uint8_t *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read_some(fd, dst + got, n - got);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Hands the first bytes of a compressed file to a new decoder. */
static int decoder_open(TraceReader *t, TraceSource src, const uint8_t *head, size_t n)
{
    t->in = malloc(TRACE_IN_SIZE);
    if (t->in == NULL)
        return -1;
    memcpy(t->in, head, n);
    t->in_next = t->in;
    t->in_avail = n;
    if (src == SRC_GZ && inflateInit2(&t->z, 15 + 16) != Z_OK)   /* 16: gzip wrapper */
        return -1;
    t->src = src;
    return decoder_start(t);
}

/* Opens path, reads its magic bytes and sets up the matching source. */
static int src_open(TraceReader *t, const char *path, char *err, size_t errlen)
{
    static const uint8_t gz_magic[2] = { 0x1f, 0x8b };
    static const uint8_t xz_magic[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
    uint8_t head[6];
    ssize_t n;
    struct stat st;
    /* "-" is standard input; a trace may be a file, a FIFO or a pipe, not a folder. */
    t->fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                                   : open(path, O_RDONLY | O_CLOEXEC);
    if (t->fd >= 0 && fstat(t->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        set_err(err, errlen, "%s: is a directory, not a trace", path);
        return -1;
    }
    if (t->fd < 0 || (n = read_head(t->fd, head, sizeof head)) < 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    t->buf = malloc(TRACE_BUF_SIZE);
    if (t->buf == NULL) {
        set_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    t->text = t->buf;
    t->cap = TRACE_BUF_SIZE;
    TraceSource src = SRC_RAW;
    if (n >= 6 && memcmp(head, xz_magic, 6) == 0)
        src = SRC_XZ;
    else if (n >= 2 && memcmp(head, gz_magic, 2) == 0)
        src = SRC_GZ;
    if (src == SRC_RAW) {
        t->src = SRC_RAW;
        memcpy(t->buf, head, (size_t)n);
        t->end = (size_t)n;
        return 0;
    }
    if (decoder_open(t, src, head, (size_t)n) < 0) {
        set_err(err, errlen, "%s: cannot start the %s decoder", path,
                src == SRC_XZ ? "xz" : "gzip");
        return -1;
    }
    return 0;
}

TraceReader *trace_open(const char *path, TraceFormat fmt, unsigned page_shift,
                        char *err, size_t errlen)
{
    if (path == NULL) {
        set_err(err, errlen, "trace: no path given");
        return NULL;
    }
    TraceReader *t = reader_new(path, fmt, page_shift, err, errlen);
    if (t == NULL)
        return NULL;
    if (src_open(t, path, err, errlen) < 0 ||
        (fmt == TRACE_AUTO && sniff(t, err, errlen) < 0)) {
        trace_close(t);
        return NULL;
    }
    t->parse = parser_for(t->fmt);
    return t;
}

TraceReader *trace_open_mem(const char *text, size_t len, const char *name,
                            unsigned long first_line, TraceFormat fmt,
                            unsigned page_shift, char *err, size_t errlen)
{
    if (name == NULL)
        name = "(memory)";
    if (text == NULL && len > 0) {
        set_err(err, errlen, "%s: no text given", name);
        return NULL;
    }
    TraceReader *t = reader_new(name, fmt, page_shift, err, errlen);
    if (t == NULL)
        return NULL;
    t->src = SRC_MEM;
    t->text = text != NULL ? text : "";
    t->cap = t->end = len;
    t->eof = true;
    t->first_line = first_line;
    t->line = first_line - 1;
    if (fmt == TRACE_AUTO && sniff(t, err, errlen) < 0) {
        trace_close(t);
        return NULL;
    }
    t->parse = parser_for(t->fmt);
    return t;
}

void trace_close(TraceReader *t)
{
    if (t == NULL)
        return;
    if (t->src == SRC_GZ)
        inflateEnd(&t->z);
    lzma_end(&t->x);
    if (t->fd >= 0)
        close(t->fd);
    free(t->in);
    free(t->buf);
    free(t->name);
    free(t);
}

const char *trace_name(const TraceReader *t) { return t->name; }

TraceFormat trace_format(const TraceReader *t)
{
    return t->fmt;
}

/* ---- Reading ------------------------------------------------------------------ */

int trace_next(TraceReader *t, TraceRecord *rec, char *err, size_t errlen)
{
    for (;;) {
        const char *p;
        size_t n;
        int rc = next_line(t, &p, &n, err, errlen);
        if (rc <= 0)
            return rc;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        const char *why = NULL;
        if (t->fmt == TRACE_LACKEY && lackey_fast(p, p + n, rec))
            rc = 1;
        else if (t->fmt == TRACE_LACKEY)
            rc = parse_lackey(p, p + n, t->page_shift, rec, &why);
        else if (t->fmt == TRACE_PAGES && pages_fast(p, p + n, t->page_shift, rec))
            rc = 1;
        else
            rc = t->parse(p, p + n, t->page_shift, rec, &why);
        if (rc > 0) {
            rec->line = t->line;
            t->records++;
            return 1;
        }
        if (rc < 0) {
            line_error(err, errlen, t->name, t->line, why, p, n);
            return -1;
        }
    }
}

int trace_parse_line(TraceFormat fmt, const char *line, size_t len,
                     unsigned page_shift, TraceRecord *rec,
                     char *err, size_t errlen)
{
    LineParser parse = (unsigned)fmt < FORMAT_COUNT ? parser_for(fmt) : NULL;
    if (parse == NULL || page_shift > 63 || (line == NULL && len > 0)) {
        set_err(err, errlen, "expected a trace format other than auto, a page shift "
                "in 0..63 and a line");
        return -1;
    }
    if (line == NULL)
        line = "";
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    const char *why = NULL;
    int rc = parse(line, line + len, page_shift, rec, &why);
    if (rc > 0)
        rec->line = 0;
    else if (rc < 0)
        line_error(err, errlen, NULL, 0, why, line, len);
    return rc;
}

/* ---- Positions ---------------------------------------------------------------- */

TracePos trace_tell(const TraceReader *t)
{
    TracePos pos = { t->buf_off + t->start, t->line, t->records };
    return pos;
}

static int seek_past_end(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    set_err(err, errlen, "%s: cannot seek to byte %llu: the trace is shorter", t->name,
            (unsigned long long)offset);
    return -1;
}

/* A plain file: lseek there and empty the window. */
static int raw_seek(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode) && offset > (uint64_t)st.st_size)
        return seek_past_end(t, offset, err, errlen);
    if (offset > (uint64_t)INT64_MAX || lseek(t->fd, (off_t)offset, SEEK_SET) < 0) {
        if (errno == ESPIPE)
            set_err(err, errlen, "%s: cannot go back to byte %llu of a pipe: reading a trace "
                    "again (opt's look ahead, stepping back) needs a regular file, or a trace "
                    "of at most %u KiB", t->name, (unsigned long long)offset,
                    TRACE_BUF_SIZE >> 10);
        else
            set_err(err, errlen, "%s: cannot seek: %s", t->name, strerror(errno));
        return -1;
    }
    t->ioerr[0] = '\0';
    t->buf_off = offset;
    t->start = t->scan = t->end = 0;
    t->eof = false;
    return 0;
}

/* A compressed file: restart it when the offset lies behind the window, then
 * decompress forward, discarding, until the window holds the offset. */
static int dec_seek(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    if (offset < t->buf_off && src_restart(t) < 0) {
        set_err(err, errlen, "%s: cannot seek: %s", t->name, t->ioerr);
        return -1;
    }
    while (offset - t->buf_off > t->end) {
        if (t->eof)
            return seek_past_end(t, offset, err, errlen);
        t->start = t->end;
        if (refill(t, err, errlen) < 0)
            return -1;
    }
    t->start = t->scan = (size_t)(offset - t->buf_off);
    return 0;
}

int trace_seek(TraceReader *t, TracePos pos, char *err, size_t errlen)
{
    int rc = 0;
    unsigned long line = t->line;
    bool skip = t->skip;
    t->line = pos.line;
    t->skip = false;
    if (pos.offset >= t->buf_off && pos.offset - t->buf_off <= t->end)
        t->start = t->scan = (size_t)(pos.offset - t->buf_off);
    else if (t->src == SRC_RAW)
        rc = raw_seek(t, pos.offset, err, errlen);
    else if (t->src == SRC_GZ || t->src == SRC_XZ)
        rc = dec_seek(t, pos.offset, err, errlen);
    else
        rc = seek_past_end(t, pos.offset, err, errlen);
    if (rc == 0) {
        t->records = pos.records;
    } else {                               /* still where it was: its lines count on */
        t->line = line;
        t->skip = skip;
    }
    return rc;
}

int trace_rewind(TraceReader *t, char *err, size_t errlen)
{
    TracePos start = { 0, t->first_line - 1, 0 };
    return trace_seek(t, start, err, errlen);
}
