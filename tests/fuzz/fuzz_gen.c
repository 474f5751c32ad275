/* Fuzz target: random valid scenarios. The input's bytes are choices: a preset machine
 * (every architecture), a tiny frame count, every replacement policy, tables in RAM or
 * separate, THP, overcommit, swap, then up to three processes and a trace that uses
 * every operation (accesses in and around each region, switch, fork, exit, brk, sbrk,
 * mmap, munmap, mprotect, call, ret, malloc, free, named accesses). The scenario is
 * written as INI text, loaded as a user's would be, built and run under the bookkeeping
 * check after every step; then stepped back and forwards through a History. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "vmsim/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Bytes {
    const uint8_t *p;
    size_t n;
} Bytes;

/* The next choice in 0..n-1 (0 once the input runs out). */
static unsigned pick(Bytes *b, unsigned n)
{
    if (!b->n || n <= 1)
        return 0;
    b->n--;
    return *b->p++ % n;
}

typedef struct Text {
    char buf[16384];
    size_t len;
} Text;

static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0 && t->len + (size_t)n < sizeof t->buf)
        t->len += (size_t)n;
}

/* Where each architecture's processes put their regions: text, heap, stack top, and a
 * page size to move by. */
typedef struct Layout {
    const char *arch;
    unsigned long long text, heap, stack, page;
} Layout;

static const Layout layouts[] = {
    { "x86_64", 0x400000, 0x600000, 0x7ffffffff000, 4096 },
    { "x86_32", 0x400000, 0x600000, 0xbffff000, 4096 },
    { "sv39", 0x400000, 0x600000, 0x3ffffff000, 4096 },
    { "sv48", 0x400000, 0x600000, 0x7ffffffff000, 4096 },
    { "ostep", 0x0000, 0x0800, 0x8000, 32 },
};

static void machine_part(Text *t, Bytes *b, const Layout **lay)
{
    *lay = &layouts[pick(b, sizeof layouts / sizeof *layouts)];
    put(t, "[machine]\narch = %s\nseed = %u\n", (*lay)->arch, pick(b, 256));
    put(t, "[tlb]\nentries = %u\n", (unsigned[]){ 0, 1, 4, 16 }[pick(b, 4)]);
    put(t, "[memory]\nframes = %u\npolicy = %s\npage_tables = %s\n", pick(b, 12) + 1,
        policy_name((PolicyKind)pick(b, POLICY_COUNT)), pick(b, 2) ? "separate" : "ram");
    put(t, "thp = %s\novercommit_memory = %u\nscope = %s\n", pick(b, 4) ? "never" : "always",
        pick(b, 3), pick(b, 2) ? "global" : "local");
    unsigned slots = pick(b, 5);
    if (slots == 4)
        put(t, "[swap]\nslots = unlimited\n");
    else
        put(t, "[swap]\nslots = %u\n", slots * 3);
    put(t, "[oom]\npanic_on_oom = %u\n", pick(b, 8) == 0);
}

static void process_part(Text *t, Bytes *b, const Layout *l, unsigned i)
{
    unsigned long long pg = l->page;
    put(t, "[process p%u]\ntext = 0x%llx %llu\nheap = 0x%llx %llu\nstack = 0x%llx %llu\n", i,
        l->text, pg * (1 + pick(b, 4)), l->heap, pg * (1 + pick(b, 8)), l->stack, pg * (1 + pick(b, 2)));
    put(t, "stack_limit = %llu\noom_score_adj = %d\n", pg * (2 + pick(b, 6)),
        (int[]){ 0, 0, 500, -1000, -500 }[pick(b, 5)]);
}

/* An address in or near one of a process's regions (sometimes just outside). */
static unsigned long long some_addr(Bytes *b, const Layout *l)
{
    unsigned long long base = (unsigned long long[]){ l->text, l->heap, l->stack - l->page }[pick(b, 3)];
    long long off = (long long)pick(b, 16) - 4;
    return base + (unsigned long long)(off * (long long)l->page) + pick(b, 4) * 8;
}

static void op_line(Text *t, Bytes *b, const Layout *l, unsigned nprocs, unsigned *forks)
{
    static const char *const perms[] = { "rw-", "r--", "r-x", "---", "rwx" };
    unsigned long long pg = l->page;
    switch (pick(b, 20)) {
    case 0: put(t, "    switch p%u\n", pick(b, nprocs)); break;
    case 1: put(t, "    fork c%u\n", (*forks)++); break;
    case 2: put(t, "    switch c%u\n", *forks ? pick(b, *forks) : 0); break;
    case 3: put(t, "    exit\n"); break;
    case 4: put(t, "    sbrk %s%llu\n", pick(b, 3) ? "" : "-", pg * pick(b, 6)); break;
    case 5: put(t, "    brk 0x%llx\n", l->heap + pg * pick(b, 12)); break;
    case 6: put(t, "    mmap 0 %llu %s %s %s\n", pg * (1 + pick(b, 4)), perms[pick(b, 5)],
                pick(b, 2) ? "anon" : "file", pick(b, 3) ? "private" : "shared"); break;
    case 7: put(t, "    munmap 0x%llx %llu\n", l->heap + pg * pick(b, 4), pg * (1 + pick(b, 3))); break;
    case 8: put(t, "    mprotect 0x%llx %llu %s\n", l->heap + pg * pick(b, 4), pg * (1 + pick(b, 2)),
                perms[pick(b, 5)]); break;
    case 9: put(t, "    call %llu\n", (unsigned long long)(8 + pick(b, 8) * pg / 2)); break;
    case 10: put(t, "    ret\n"); break;
    case 11: put(t, "    malloc %u as b%u\n", 1 + pick(b, 200) * 8, pick(b, 4)); break;
    case 12: put(t, "    free b%u\n", pick(b, 4)); break;
    case 13: put(t, "    %c @b%u+%u 8\n", "RW"[pick(b, 2)], pick(b, 4), pick(b, 64)); break;
    case 14: put(t, "    M 0x%llx %u\n", some_addr(b, l), 1 + pick(b, 16)); break;
    case 15: put(t, "    X 0x%llx 4\n", some_addr(b, l)); break;
    case 16: case 17: put(t, "    W 0x%llx %u\n", some_addr(b, l), 1 << pick(b, 4)); break;
    default: put(t, "    R 0x%llx %u\n", some_addr(b, l), 1 << pick(b, 4)); break;
    }
}

/* Steps a History of the same scenario forwards, then goes back (and forwards again) to
 * a few steps, checking each state it reaches. */
static void replay(const char *path)
{
    Scenario sc;
    char err[1024];
    bool none;
    scenario_init(&sc);
    if (scenario_load(&sc, path, err, sizeof err) == 0 && scenario_validate(&sc, err, sizeof err) == 0) {
        TraceReader *t = scenario_open_trace(&sc, NULL, TRACE_AUTO, &none, err, sizeof err);
        Sim *s = t ? scenario_build(&sc, err, sizeof err) : NULL;
        if (s) {
            sim_set_trace(s, t);
            History *h = history_create(s, t, 0, 0);
            StepInfo info;
            uint64_t n = 0;
            while (n < 300 && history_step(h, &info) == STEP_OK)
                n++;
            const uint64_t back[] = { n ? n - 1 : 0, n / 2, n / 3, 1, 0, n };
            for (size_t i = 0; i < sizeof back / sizeof *back; i++) {
                uint64_t k = back[i];
                if (history_goto(h, k, err, sizeof err) == STEP_OK && sim_check(history_sim(h))) {
                    fprintf(stderr, "fuzz: check failed going back to step %llu: %s\n",
                            (unsigned long long)k, sim_check(history_sim(h)));
                    __builtin_trap();
                }
            }
            history_destroy(h);
        }
        trace_close(t);
    }
    scenario_fini(&sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Bytes b = { data, size };
    Text t = { .len = 0 };
    const Layout *l;
    unsigned nprocs = 1 + pick(&b, 3), forks = 0;
    machine_part(&t, &b, &l);
    for (unsigned i = 0; i < nprocs; i++)
        process_part(&t, &b, l, i);
    put(&t, "[trace]\nformat = vmsim\nlines =\n");
    for (unsigned k = 0; k < 200 && b.n; k++)
        op_line(&t, &b, l, nprocs, &forks);
    const char *path = fuzz_scratch("generated.ini", (const uint8_t *)t.buf, t.len);
    fuzz_scenario_file(path);
    if (size & 1)
        replay(path);
    return 0;
}
