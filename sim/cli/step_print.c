/* vmsim step's printers (step.h): what `print va|pt|tlb|frames|proc|stats` and `info
 * break` show. They read the machine through const pointers and sim_peek, so looking
 * never changes what happens next. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "step.h"
#include "vmsim/describe.h"

/* An address: hex with 0x, or decimal, as traces write them. */
static bool parse_addr(const char *s, vaddr_t *out)
{
    char *end;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
        return false;                     /* no sign, no space: strtoull would take them */
    errno = 0;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

/* The low width bits of v, most significant first. buf holds 65 bytes. */
static void binary(uint64_t v, unsigned width, char *buf)
{
    for (unsigned i = 0; i < width; i++)
        buf[i] = (v >> (width - 1 - i)) & 1 ? '1' : '0';
    buf[width] = '\0';
}

static unsigned hex_digits(uint64_t v)
{
    unsigned n = 1;
    while (v >>= 4)
        n++;
    return n;
}

static const char *op_words(AccessOp op)
{
    switch (op) {
    case OP_WRITE: return "write";
    case OP_EXEC: return "instruction fetch";
    case OP_MODIFY: return "modify";
    case OP_READ:
    default: return "read";
    }
}
static const char *proc_label(const Sim *sim, int pid)
{
    const Process *p = sim_proc_by_pid(sim, pid);
    return p ? p->name : "?";
}

/* ---- print --------------------------------------------------------------- */

/* The process a name or pid names, or NULL. */
static const Process *proc_named(const Sim *s, const char *name)
{
    for (size_t i = 0; i < sim_nprocs(s); i++) {
        const Process *p = sim_proc(s, i);
        char pid[16];
        snprintf(pid, sizeof pid, "%d", p->pid);
        if (strcmp(p->name, name) == 0 || strcmp(pid, name) == 0)
            return p;
    }
    return NULL;
}

/* The address print va and print pt look at, and the process whose tables map it:
 * addr (NULL: none given) in the running process, else the last step's. False (with
 * a message) when there is none. */
static bool target_of(const Stepper *st, const char *what, const char *addr, vaddr_t *va,
                      const Process **p)
{
    if (addr) {
        if (!parse_addr(addr, va)) {
            step_error("print %s: expected an address such as 0x400000, not '%s'", what, addr);
            return false;
        }
        if (st->print_owner) {
            *p = proc_named(live(st), st->print_owner);
            if (!*p)
                step_error("print %s: no process named '%s' (print proc lists them)", what, st->print_owner);
            return *p != NULL;
        }
        *p = sim_current(live(st));
        if (!*p)
            step_error("print %s: there is no process", what);
        return *p != NULL;
    }
    if (!st->have_last) {
        step_error("print %s: no step taken yet (print %s ADDR looks at any address)", what, what);
        return false;
    }
    if (st->last.kind == STEP_SWITCH || st->last.kind == STEP_EVENT) {
        step_error("print %s: step %" PRIu64 " was a %s, not an access (print %s ADDR looks at any "
                  "address)", what, st->last.step, st->last.kind == STEP_SWITCH ? "context switch"
                  : "process event", what);
        return false;
    }
    *va = st->last.va;
    *p = sim_proc_by_pid(live(st), st->last.pid);
    return *p != NULL;
}

/* One row per field of va: sign extension, each level's index, the offset. */
static void print_fields(const Geometry *g, vaddr_t va)
{
    char range[24], bin[65];
    printf("  %-7s %-6s %-6s %s\n", "bits", "field", "value", "binary");
    if (g->sign_extend && g->va_bits < 64) {
        snprintf(range, sizeof range, "63..%u", g->va_bits);
        printf("  %-7s %-6s copies of bit %u (%u)\n", range, "sign", g->va_bits - 1,
               (unsigned)(va >> (g->va_bits - 1)) & 1);
    }
    for (unsigned l = 0; l < g->levels; l++) {
        unsigned lo = geo_level_shift(g, l), w = g->level_bits[l];
        snprintf(range, sizeof range, "%u..%u", lo + w - 1, lo);
        binary(geo_index(g, l, va), w, bin);
        printf("  %-7s %-6s %-6u %s\n", range, geo_level_name(g, l), geo_index(g, l, va), bin);
    }
    if (g->page_shift) {
        char off[24];
        snprintf(range, sizeof range, "%u..0", g->page_shift - 1);
        snprintf(off, sizeof off, "0x%" PRIx64, va & (geo_page_size(g) - 1));
        binary(va & (geo_page_size(g) - 1), g->page_shift, bin);
        printf("  %-7s %-6s %-6s %s\n", range, "offset", off, bin);
    }
}

/* A leaf above the last level maps a large page: the offset is wider than the fields say. */
static void print_large_page(const Geometry *g, const Walk *w)
{
    if (w->status != WALK_OK || w->level + 1 >= g->levels)
        return;
    char size[32];
    step_size_words(1ull << w->shift, size, sizeof size);
    printf("  the %s entry maps a %s page: bits %u..0 are the offset into it\n",
           geo_level_name(g, w->level), size, w->shift - 1);
}

static void print_va(Stepper *st, const char *addr)
{
    const Geometry *g = geo(st);
    vaddr_t va;
    const Process *p;
    if (!target_of(st, "va", addr, &va, &p))
        return;
    char split[64];
    report_split_words(g, split, sizeof split);
    if (addr)
        printf("0x%" PRIx64 " in %s's address space: %u-bit addresses split %s\n", va, p->name,
               g->va_bits, split);
    else
        printf("step %" PRIu64 ": %s of 0x%" PRIx64 " by %s: %u-bit addresses split %s\n",
               st->last.step, op_words(st->last.op), va, p->name, g->va_bits, split);
    if (!geo_va_ok(g, va)) {
        printf("  0x%" PRIx64 " is not a valid %u-bit address%s\n", va, g->va_bits,
               g->sign_extend ? " (the bits above must copy its top bit)" : "");
        return;
    }
    print_fields(g, va);
    Walk w;
    WalkStatus ws = sim_peek(live(st), p, va, &w);
    print_large_page(g, &w);
    paddr_t pa = addr ? (ws == WALK_OK ? w.pa : PADDR_NONE) : st->last.pa;
    if (pa != PADDR_NONE)
        printf("  -> physical 0x%" PRIx64 ": frame %" PRIu64 ", offset 0x%" PRIx64 "\n", pa,
               pa >> g->page_shift, pa & (geo_page_size(g) - 1));
    else if (addr)
        printf("  -> not mapped now (print pt 0x%" PRIx64 " shows where the walk stops)\n", va);
    else if (st->last.kind == STEP_SKIP)
        printf("  -> none: the step was skipped, %s is dead\n", p->name);
    else
        printf("  -> none: the access failed (%s)\n", fault_kind_name(st->last.fault));
}

/* Where a walk that stopped early stopped, in words. */
static void print_walk_end(const Geometry *g, const Walk *w)
{
    pte_t pte = w->pte[w->level];
    int64_t slot;
    switch (w->status) {
    case WALK_OK:
        printf("  -> frame %" PRIu64 ", physical 0x%" PRIx64 "\n", w->pfn, w->pa);
        return;
    case WALK_NOT_PRESENT:
        if (w->level + 1 == g->levels && swap_entry_decode(g, pte, &slot))
            printf("  -> not present: the page is in swap slot %" PRId64 "; an access is a major fault\n",
                   slot);
        else
            printf("  -> not present at %s: an access here is a page fault\n", geo_level_name(g, w->level));
        return;
    case WALK_NONCANONICAL:
        printf("  -> not a valid address on this machine\n");
        return;
    case WALK_PROTECTION:
    case WALK_RESERVED:
    case WALK_MISALIGNED:
    case WALK_AD:
    default:
        printf("  -> the walk stops at %s: %s\n", geo_level_name(g, w->level), walk_status_name(w->status));
        return;
    }
}

static void print_pt(Stepper *st, const char *addr)
{
    const Geometry *g = geo(st);
    const FramePool *fp = sim_frames(live(st));
    vaddr_t va;
    const Process *p;
    if (!target_of(st, "pt", addr, &va, &p))
        return;
    if (p->root == PFN_NONE) {
        printf("%s (pid %d) has no page tables: %s\n", p->name, p->pid,
               p->state == PROC_RUNNING ? "none were made" : p->exit_reason);
        return;
    }
    printf("walk of 0x%" PRIx64 " in %s's page tables (pid %d), %s = frame %" PRIu64 "\n", va, p->name,
           p->pid, describe_root_register(g), p->root);
    Walk w;
    sim_peek(live(st), p, va, &w);
    int aw = 2 + (int)hex_digits(((uint64_t)fp->total << g->page_shift) - 1);
    if (aw < 8)
        aw = 8;
    int vw = g->pte_size > 1 ? 2 + 2 * (int)g->pte_size : 5;   /* at least "value" */
    printf("  %-5s  %-*s  %-5s  %-*s  %-*s  %s\n", "level", aw, "table at", "index", aw, "entry at", vw,
           "value", "flags");
    for (unsigned l = 0; l < w.nread; l++) {
        char flags[16], tab[24], ent[24], val[24];
        pte_describe(g, w.pte[l], flags, sizeof flags);
        snprintf(tab, sizeof tab, "0x%" PRIx64, w.table_pa[l]);
        snprintf(ent, sizeof ent, "0x%" PRIx64, w.pte_pa[l]);
        snprintf(val, sizeof val, "0x%0*" PRIx64, (int)g->pte_size * 2, w.pte[l]);
        printf("  %-5s  %-*s  %-5u  %-*s  %-*s  %s%s\n", geo_level_name(g, l), aw, tab, geo_index(g, l, va),
               aw, ent, vw, val, flags, (pte_flags(g, w.pte[l]) & PTE_V) ? "" : "  (not present)");
    }
    print_walk_end(g, &w);
}

/* An entry's cached permissions and state: R W X U D G. */
static void tlb_flags(unsigned fl, char *buf)
{
    static const struct { unsigned flag; char c; } letters[] = {
        { PTE_R, 'R' }, { PTE_W, 'W' }, { PTE_X, 'X' }, { PTE_U, 'U' }, { PTE_D, 'D' }, { PTE_G, 'G' },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        buf[n++] = (fl & letters[i].flag) ? letters[i].c : '-';
    buf[n] = '\0';
}

/* Whether entry e translates va for asid (as tlb_lookup matches, without touching LRU). */
static bool tlb_covers(const TlbEntry *e, vaddr_t va, uint32_t asid)
{
    return e->valid && e->tag == va >> e->shift && (e->asid == asid || (e->flags & PTE_G));
}

static void print_one_tlb(const Stepper *st, const Tlb *t, const char *name, bool asids)
{
    const Geometry *g = geo(st);
    const Process *lp = st->have_last && st->last.kind == STEP_ACCESS
                      ? sim_proc_by_pid(live(st), st->last.pid) : NULL;
    unsigned valid = 0, pw = 4;
    for (unsigned i = 0; i < t->entries; i++) {
        if (t->e[i].valid) {
            valid++;
            unsigned d = 2 + hex_digits(t->e[i].tag << t->e[i].shift);
            pw = d > pw ? d : pw;
        }
    }
    printf("%s: %u entries in %u set%s of %u way%s, %s; %u valid; %" PRIu64 " hit%s, %" PRIu64 " miss%s\n",
           name, t->entries, t->sets, t->sets == 1 ? "" : "s", t->ways, t->ways == 1 ? "" : "s",
           tlb_policy_name(t->policy), valid, t->hits, t->hits == 1 ? "" : "s", t->misses,
           t->misses == 1 ? "" : "es");
    if (!valid)
        return;
    printf("  set  way  %-*s  frame  flags%s\n", (int)pw, "page", asids ? "   asid" : "");
    for (unsigned i = 0; i < t->entries; i++) {
        const TlbEntry *e = &t->e[i];
        if (!e->valid)
            continue;
        char fl[8], page[24], size[40] = "";
        tlb_flags(e->flags, fl);
        snprintf(page, sizeof page, "0x%" PRIx64, e->tag << e->shift);
        if (e->shift != g->page_shift) {
            char words[24];
            step_size_words(1ull << e->shift, words, sizeof words);
            snprintf(size, sizeof size, "  (%s page)", words);
        }
        printf("  %3u  %3u  %-*s  %5" PRIu64 "  %s", i / t->ways, i % t->ways, (int)pw, page, e->pfn, fl);
        if (asids)
            printf("  %5" PRIu32, e->asid);
        printf("%s%s\n", size, lp && tlb_covers(e, st->last.va, lp->asid) ? "  <- last access" : "");
    }
}

static void print_tlb(Stepper *st, const char *addr)
{
    (void)addr;
    const MachineConfig *m = sim_machine(live(st));
    if (!m->tlb.entries && !m->itlb.entries && !m->stlb.entries) {
        printf("no TLB on this machine (tlb.entries = 0): every access walks the page tables\n");
        return;
    }
    for (int i = 0; i < SIM_TLBS; i++) {
        const Tlb *t = sim_tlb_at(live(st), (SimTlb)i);
        if (!t->entries)
            continue;
        print_one_tlb(st, t, describe_tlb(live(st), (SimTlb)i, false), m->tlb.asid);
    }
    printf("  flags: R W X U permissions, D dirty, G global\n");
}

/* What a used frame holds, in words: "PT table for 0x400000-0x5fffff", "text page 0x400000". */
static void frame_words(const Stepper *st, const Frame *f, char *buf, size_t len)
{
    const Geometry *g = geo(st);
    if (f->kind == FRAME_TABLE) {
        unsigned span = geo_level_shift(g, f->level) + g->level_bits[f->level];
        if (f->level == 0 || span >= 64)
            snprintf(buf, len, "%s table (root)", geo_level_name(g, f->level));
        else
            snprintf(buf, len, "%s table for 0x%" PRIx64 "-0x%" PRIx64, geo_level_name(g, f->level),
                     f->va, f->va + (((uint64_t)1 << span) - 1));
        return;
    }
    const Process *p = sim_proc_by_pid(live(st), f->pid);
    const Vma *v = p ? proc_find_vma(p, f->va) : NULL;
    snprintf(buf, len, "%s page 0x%" PRIx64 "%s", v ? vma_kind_name(v->kind) : "data", f->va,
             f->file ? " (file)" : "");
}

static void print_frame_row(const Stepper *st, pfn_t pfn, int fw, int ww, pfn_t hand, pfn_t victim)
{
    const Frame *f = &sim_frames(live(st))->frames[pfn];
    const Policy *pol = sim_policy(live(st));
    char what[128], owner[96], row[512], counter[64];
    frame_words(st, f, what, sizeof what);
    snprintf(owner, sizeof owner, "%s/%d", proc_label(live(st), f->pid), f->pid);
    int n = snprintf(row, sizeof row, "  %*" PRIu64 "  %-*s  %-12s", fw, pfn, ww, what, owner);
    if (f->kind == FRAME_DATA) {
        n += snprintf(row + n, sizeof row - (size_t)n, " %s%c",
                      policy_ops(pol)->has_reference_bit ? (policy_referenced(pol, pfn) ? "R" : "-") : "",
                      f->dirty ? 'D' : '-');
        policy_frame_words(pol, pfn, counter, sizeof counter);
        if (counter[0])
            n += snprintf(row + n, sizeof row - (size_t)n, "  %s", counter);
        char owners[256];
        if (f->refs > 1 && describe_frame_owners(live(st), pfn, owners, sizeof owners) > 1)
            n += snprintf(row + n, sizeof row - (size_t)n, "  shared by %s", owners);
        else if (f->refs > 1)
            n += snprintf(row + n, sizeof row - (size_t)n, "  shared by %" PRIu32 " entries", f->refs);
        if (f->swap_slot >= 0)
            n += snprintf(row + n, sizeof row - (size_t)n, "  swap slot %" PRId64, f->swap_slot);
    }
    if (pfn == hand)
        n += snprintf(row + n, sizeof row - (size_t)n, "  <- hand");
    if (pfn == victim)
        n += snprintf(row + n, sizeof row - (size_t)n, "  <- next victim");
    while (n > 0 && row[n - 1] == ' ')
        row[--n] = '\0';
    printf("%s\n", row);
}

/* Frames from..to-1, with runs of free frames on one line. */
static void print_frame_range(const Stepper *st, pfn_t from, pfn_t to, int fw, int ww, pfn_t hand,
                              pfn_t victim)
{
    const FramePool *fp = sim_frames(live(st));
    for (pfn_t pfn = from; pfn < to; pfn++) {
        if (fp->frames[pfn].kind != FRAME_FREE) {
            print_frame_row(st, pfn, fw, ww, hand, victim);
            continue;
        }
        pfn_t end = pfn;
        while (end + 1 < to && fp->frames[end + 1].kind == FRAME_FREE)
            end++;
        char run[48];
        if (end == pfn)
            snprintf(run, sizeof run, "%" PRIu64, pfn);
        else
            snprintf(run, sizeof run, "%" PRIu64 "..%" PRIu64, pfn, end);
        bool hand_here = hand != PFN_NONE && hand >= pfn && hand <= end;
        printf("  %*s  free%s\n", fw, run, hand_here ? "  (the hand is in here)" : "");
        pfn = end;
    }
}

static void print_frames(Stepper *st, const char *addr)
{
    (void)addr;
    const FramePool *fp = sim_frames(live(st));
    const Policy *pol = sim_policy(live(st));
    pfn_t hand = policy_hand(pol);
    char size[32];
    step_size_words(1ull << fp->page_shift, size, sizeof size);
    printf("%zu frames of %s, %s replacement: %zu pages, %zu page tables, %zu free", fp->nframes, size,
           policy_ops(pol)->name, fp->in_use[FRAME_DATA], fp->in_use[FRAME_TABLE], fp->in_use[FRAME_FREE]);
    if (hand != PFN_NONE)
        printf("; the hand is at frame %" PRIu64, hand);
    printf("\n");
    int fw = 5;                                       /* room for "100..199" */
    for (size_t t = fp->total; t >= 10; t /= 10)
        fw += 2;
    int ww = 8;
    char what[128];
    for (pfn_t pfn = 0; pfn < fp->total; pfn++) {
        if (fp->frames[pfn].kind != FRAME_FREE) {
            frame_words(st, &fp->frames[pfn], what, sizeof what);
            ww = (int)strlen(what) > ww ? (int)strlen(what) : ww;
        }
    }
    printf("  %*s  %-*s  %-12s %s\n", fw, "frame", ww, "holds", "owner/pid", "flags");
    /* Marked only when memory is full: only then is a victim chosen. */
    pfn_t victim = fp->in_use[FRAME_FREE] ? PFN_NONE : describe_next_victim(live(st));
    print_frame_range(st, 0, fp->nframes, fw, ww, hand, victim);
    if (fp->total > fp->nframes) {
        printf("  page tables outside RAM (memory.page_tables = separate):\n");
        print_frame_range(st, fp->nframes, fp->total, fw, ww, PFN_NONE, PFN_NONE);
    }
    const PolicyOps *ops = policy_ops(pol);
    printf("  flags: %sD dirty%s\n", ops->has_reference_bit ? "R referenced, " : "",
           ops->counter_name ? "; the policy's count is shown after them" : "");
    char state[2048];
    describe_policy(live(st), state, sizeof state);
    printf("  %s\n", state);
}

static void print_vmas(const Process *p)
{
    for (size_t i = 0; i < p->nvmas; i++) {
        const Vma *v = &p->vmas[i];
        printf("       %-6s 0x%" PRIx64 "-0x%" PRIx64 "  %c%c%c%s", vma_kind_name(v->kind), v->start, v->end,
               (v->perms & PTE_R) ? 'r' : '-', (v->perms & PTE_W) ? 'w' : '-', (v->perms & PTE_X) ? 'x' : '-',
               v->file ? "  file" : "");
        if (v->kind == VMA_STACK && p->stack_limit && p->stack_limit < v->start)
            printf("  (may grow down to 0x%" PRIx64 ")", p->stack_limit);
        printf("\n");
    }
}

/* The process table of run's report, each process followed by its mappings. */
static void print_proc(Stepper *st, const char *addr)
{
    (void)addr;
    const Sim *sim = live(st);
    const Process *cur = sim_current(sim);
    if (sim_nprocs(sim) == 0) {
        printf("no process yet: a cs1550 trace makes each at its first line\n");
        return;
    }
    printf("  PID  NAME             STATE     RSS   SWAP  TABLES      REFS  FAULTS  OOM_SCORE\n");
    for (size_t i = 0; i < sim_nprocs(sim); i++) {
        const Process *p = sim_proc(sim, i);
        printf("%c%4d  %-16s %-7s %5" PRIu64 "  %5" PRIu64 "  %6" PRIu64 "  %8" PRIu64 "  %6" PRIu64 "  %9u\n",
               p == cur ? '*' : ' ', p->pid, p->name, describe_proc_state(p->state), p->rss, p->swap, p->pt_pages,
               p->stats.references, p->stats.faults, sim_oom_score(sim, p));
        if (p->state != PROC_RUNNING)
            printf("       %s\n", p->exit_reason);
        if (p->parent)
            printf("       forked by pid %d\n", p->parent);
        print_vmas(p);
    }
    printf("  * on the CPU; RSS, SWAP and TABLES count pages; mappings are [start-end)\n");
}

/* The counters of run's text report (report_counters), after the step count. */
static void print_stats(Stepper *st, const char *addr)
{
    (void)addr;
    printf("steps           %12" PRIu64 "\n", now(st));
    report_counters(stdout, live(st));
}

typedef struct Printer {
    const char *name;
    void (*fn)(Stepper *st, const char *addr);
    bool takes_addr;
} Printer;

static const Printer printers[] = {
    { "va", print_va, true }, { "pt", print_pt, true }, { "tlb", print_tlb, false },
    { "frames", print_frames, false }, { "proc", print_proc, false }, { "stats", print_stats, false },
};
const char *const step_print_words[] = { "va", "pt", "tlb", "frames", "proc", "stats", NULL };

void step_print(Stepper *st, int argc, char **argv)
{
    int k = argc > 1 ? step_match_word(step_print_words, argv[1]) : -1;
    if (k < 0) {
        if (argc > 1)
            step_error("print: %s '%s': va, pt, tlb, frames, proc or stats", k == -2 ? "ambiguous" : "cannot print",
                      argv[1]);
        else
            step_error("print what? va, pt, tlb, frames, proc or stats");
        return;
    }
    const Printer *p = &printers[k];
    if (argc > (p->takes_addr ? 4 : 2)) {
        step_error("print %s takes %s", p->name, p->takes_addr ? "at most an address and a process" : "no argument");
        return;
    }
    st->print_owner = argc > 3 ? argv[3] : NULL;
    p->fn(st, argc > 2 ? argv[2] : NULL);
    st->print_owner = NULL;
}

const char *const step_info_words[] = { "break", NULL };

void step_info(Stepper *st, int argc, char **argv)
{
    if (argc != 2 || step_match_word(step_info_words, argv[1]) != 0) {
        step_error("info: expected info break");
        return;
    }
    if (!st->nbreaks) {
        printf("no breakpoints: continue runs to the end of the trace\n");
        return;
    }
    printf("num  continue stops when\n");
    for (size_t i = 0; i < st->nbreaks; i++) {
        char words[64];
        step_break_words(&st->breaks[i], words, sizeof words);
        printf("%3d  %s\n", st->breaks[i].num, words);
    }
}
