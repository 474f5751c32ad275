/* vmsim: the trace operations and the vmsim format's process events.
 *
 * One table (trace_ops) names every kind of trace record: the word a line starts with,
 * the usage error messages show and, for process events, the grammar of the words
 * after the verb. To add an operation: a TraceKind in include/vmsim/trace.h, a line
 * here, a handler in the Sim's OS side (sim/core/os/procev.c); docs/design.md.
 */
#include "trace_int.h"
#include "vmsim/parse.h"

#include <stdio.h>

/* ---- vmsim process events ------------------------------------------------------
 * fork NAME | exit | brk ADDR | sbrk [+|-]SIZE | call SIZE | ret
 * mmap ADDR SIZE PERMS [anon|file] [private|shared] [huge=2M|1G]
 * munmap ADDR SIZE | mprotect ADDR SIZE PERMS | malloc SIZE as NAME | free NAME
 * SIZE may carry a K, M or G suffix here. */

#define EV_WORDS 8


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
    return parse_size_span(w.p, w.n, sizes ? PARSE_UNITS_TRACE : PARSE_UNITS_NONE, out);
}

bool trace_word_name(Word w, TraceRecord *rec)
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
    static const unsigned bits[3] = { TRACE_PROT_R, TRACE_PROT_W, TRACE_PROT_X };
    unsigned v;
    if (!parse_perms(w.p, w.n, bits, &v))
        return false;
    *prot = (uint8_t)v;
    return true;
}

/* mmap's options after PERMS. */
static bool mmap_options(const Word *w, int n, TraceRecord *rec)
{
    MmapOptions o = { .file = rec->map & TRACE_MAP_FILE, .shared = rec->map & TRACE_MAP_SHARED,
                      .huge_shift = rec->huge_shift };
    for (int i = 0; i < n; i++)
        if (!parse_mmap_option(w[i].p, w[i].n, &o))
            return false;
    rec->map = (uint8_t)((o.file ? TRACE_MAP_FILE : 0) | (o.shared ? TRACE_MAP_SHARED : 0));
    rec->huge_shift = o.huge_shift;
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
static bool words_name(const Word *w, int n, TraceRecord *rec) { return n == 1 && trace_word_name(w[0], rec); }

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
    return n == 3 && word_num(w[0], true, &rec->length) && word_is(w[1], "as") && trace_word_name(w[2], rec);
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
    return trace_word_name(w[0], rec) && word_is(w[1], "=") && w[2].n > 0 &&
           scan_hex_0x(&p, e, &rec->length) == NUM_OK && p == e;
}

static bool words_pte(const Word *w, int n, TraceRecord *rec)
{
    return n == 4 && word_num(w[0], false, &rec->addr) && pte_value(w + 1, rec);
}

static bool words_pte_query(const Word *w, int n, TraceRecord *rec)
{
    return n == 2 && word_num(w[0], false, &rec->addr) && trace_word_name(w[1], rec);
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
int trace_parse_event(const char *p, const char *e, TraceRecord *rec, const char **why)
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
