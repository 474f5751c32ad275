/* vmsim: the trace line grammars, one function per format (vmsim, pages, lackey, ls,
 * addrrw, csc369, cs1550). Each parses one line in place. The window that finds the
 * lines is trace_source.c, the vmsim format's process events are trace_events.c, and
 * the one-pass fast paths for the usual lackey and pages lines trace_fast.h. Below the
 * grammars, the messages for a line that fits none (the reader and the API use them).
 */
#include "trace_int.h"

#include <stdarg.h>
#include <stdio.h>

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
#define EXP_SIZE   "a SIZE from 1 to " VMSIM_STR(VMSIM_ACCESS_SIZE_MAX)
#define EXP_WRAP   "an access that ends below 2^64"
#define EXP_NAME   "a process NAME of 1 to 63 characters from [A-Za-z0-9_.-]"
#define EXP_PAGE   "a page number whose address fits in 64 bits"

const char trace_exp_vmsim[] = EXP_VMSIM;

#define SHOW_MAX   60   /* bytes of an offending line quoted in messages */

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
    return record_access(rec, op, addr, (uint32_t)size);
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
    if (!trace_word_name(name, rec))
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
    *why = trace_exp_vmsim;
    if (e - p > 2 && !is_blank(p[1])) {     /* a word, not an op letter */
        int r = trace_parse_event(p, e, rec, why);
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
int trace_parse_lackey(const char *p, const char *e, unsigned page_shift,
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
 * decimal. Each process number is its own process (the step loop creates it at its
 * first line); all share the frames. The record carries ADDR and, in proc, PROCESS. */
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
    set_access(rec, op, addr, 1, why);
    rec->has_proc = true;
    rec->proc = (uint32_t)proc;
    return 1;
}

LineParser trace_parser_for(TraceFormat fmt)
{
    switch (fmt) {
    case TRACE_VMSIM:  return parse_vmsim;
    case TRACE_PAGES:  return parse_pages;
    case TRACE_LACKEY: return trace_parse_lackey;
    case TRACE_LS:     return parse_ls;
    case TRACE_ADDRRW: return parse_addrrw;
    case TRACE_CSC369: return parse_csc369;
    case TRACE_CS1550: return parse_cs1550;
    case TRACE_AUTO:   break;
    }
    return NULL;
}

/* ---- Error messages ----------------------------------------------------------- */

void trace_set_err(char *err, size_t errlen, const char *fmt, ...)
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

void trace_line_error(char *err, size_t errlen, const char *name, unsigned long line,
                      const char *why, const char *p, size_t n)
{
    char shown[SHOW_MAX * 4 + 4], list[256], vmsim[384];
    show_text(shown, p, n);
    if (why == trace_exp_vmsim) {                 /* the process events, from the table */
        trace_op_list(list, sizeof list, ", ", " or ");
        snprintf(vmsim, sizeof vmsim, "%s (%s)", EXP_VMSIM, list);
        why = vmsim;
    }
    if (name != NULL)
        trace_set_err(err, errlen, "%s:%lu: expected %s, got '%s'", name, line, why, shown);
    else
        trace_set_err(err, errlen, "expected %s, got '%s'", why, shown);
}
