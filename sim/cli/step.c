/* vmsim step: the terminal stepper, a small gdb for the paging simulator.
 *
 * The machine lives in a History (vmsim/history.h), so going back is a restore and a
 * replay. Each step taken in view is told in words by the text log of `vmsim run --log
 * all` (textlog.c); `print` reads state through const pointers and sim_peek, so looking
 * never changes what happens next. Commands come from GNU readline when stdin is a
 * terminal, else one per line from stdin, echoed after the prompt so that a piped
 * script reads back like a session.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"
#include "vmsim/history.h"
#include "vmsim/describe.h"

static const char step_usage[] =
    "usage: vmsim step [SCENARIO.ini] [options]\n"
    "\n"
    "Steps through a scenario one translation at a time, as a debugger steps through a\n"
    "program: each step prints what the TLB, the page walk and the fault handler did,\n"
    "and `print` shows the address, page tables, TLB, frames and processes in between.\n"
    "Commands are read from the terminal with line editing and history, or one per\n"
    "line from stdin when it is not a terminal (vmsim step < script).\n"
    "\n"
    "options:\n"
    "  --set SECTION.KEY=VALUE    override a config key, e.g. --set memory.frames=8\n"
    "  --config FILE              a machine config applied over the scenario's\n"
    "  --trace FILE               step through this trace instead of the scenario's\n"
    "  --image FILE               a memory image (or OSTEP's dump) instead of a scenario:\n"
    "                             the walk over fixed tables, no OS (faults not repaired)\n"
    "  --trace-format FMT         auto|vmsim|pages|lackey|ls|addrrw (default auto)\n"
    "                             or csc369|cs1550, which are never detected\n"
    "\n"
    "commands: step [N], back [N], continue, print va|pt|tlb|frames|proc|stats,\n"
    "break fault|segv|oom|step N, info break, delete [N], restart, help, quit\n"
    "(docs/stepper.md has them all).\n"
    "\n"
    "exit status: 0 at quit or the end of input, 2 bad usage or bad input\n";

#define PROMPT "(vmsim) "
#define MAX_ARGS 8
#define MAX_BREAKS 32

typedef enum { BREAK_FAULT, BREAK_SEGV, BREAK_OOM, BREAK_STEP } BreakKind;

typedef struct Breakpoint {
    int num;                  /* as `info break` lists it; never reused */
    BreakKind kind;
    uint64_t step;            /* BREAK_STEP: stop once this many steps are taken */
} Breakpoint;

typedef struct Stepper {
    Session s;                /* s.sim is NULL: the History owns the machine */
    History *h;
    TextLog log;              /* tells the steps in view, on stdout */
    StepInfo last;            /* the step that brought the machine where it is */
    bool have_last;           /* false at step 0 (and after a step that went wrong) */
    StepStatus blocked;       /* STEP_HALT or STEP_ERROR met at step blocked_at, or STEP_OK */
    uint64_t blocked_at;
    char why[1024];           /* what blocked it, in words */
    Breakpoint breaks[MAX_BREAKS];
    size_t nbreaks;
    int next_break;
    char *repeat;             /* the command line an empty line repeats, or NULL */
    int status;               /* exit status: EXIT_USAGE once a bad trace line is met */
    unsigned check;           /* VMSIM_CHECK: sim_check every Nth step, as run does */
    bool done;                /* quit */
} Stepper;

typedef struct Command {
    const char *name;
    const char *alias[3];     /* short forms besides unique prefixes, gdb's where it has them */
    void (*fn)(Stepper *st, int argc, char **argv);
    bool repeats;             /* an empty line runs it again */
    const char *const *args;  /* the words its first argument takes, for completion */
    const char *synopsis;
    const char *help;         /* one line, for help */
    const char *details;      /* more, for help COMMAND */
} Command;

/* Set by SIGINT while commands come from a terminal: a long continue or step N stops
 * at the next step boundary, and an input line is abandoned. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Errors go to stderr, after what stdout holds so far, so a transcript taken with
 * 2>&1 has them in the order they happened. */
static void say_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static Sim *live(const Stepper *st) { return history_sim(st->h); }
static const Geometry *geo(const Stepper *st) { return &sim_machine(live(st))->geo; }
static uint64_t now(const Stepper *st) { return history_now(st->h); }

/* ---- words and numbers --------------------------------------------------- */

/* A count of steps: decimal digits only, at least 1. */
static bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v == 0)
        return false;
    *out = v;
    return true;
}

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

/* "4 KiB", "2 MiB", "32 bytes". */
static void size_words(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
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

/* ---- moving -------------------------------------------------------------- */

/* Attaches the text log to the live Sim (or detaches it), which history_goto replaces. */
static void show(Stepper *st, bool on)
{
    st->log.sim = live(st);
    sim_set_observer(live(st), on ? textlog_event : NULL, on ? &st->log : NULL);
}

/* Remembers that stepping on from here fails, and says why (a halt only when the step
 * is shown: continue replays it in view). A bad trace line is bad input: it makes the
 * exit status 2, as it does for run. */
static void block(Stepper *st, StepStatus r, bool shown)
{
    st->blocked = r;
    st->blocked_at = now(st);
    if (r == STEP_ERROR) {
        snprintf(st->why, sizeof st->why, "%s", sim_error(live(st)));
        say_error("vmsim: %s", st->why);
        st->status = EXIT_USAGE;
    } else {
        snprintf(st->why, sizeof st->why, "%s", sim_error(live(st)));
        if (shown)
            printf("the machine stopped at step %" PRIu64 ": %s\n", now(st), st->why);
    }
}

/* True (with the reason printed) when the machine cannot step on from here. */
static bool stuck(const Stepper *st)
{
    if (st->blocked == STEP_OK || st->blocked_at != now(st))
        return false;
    if (st->blocked == STEP_ERROR)
        say_error("cannot step past %s (go back, or restart)", st->why);
    else
        say_error("the machine stopped at step %" PRIu64 ": %s (go back, or restart)",
                  now(st), st->why);
    return true;
}

/* Takes one step, told in words when shown. Returns what history_step returned. */
static StepStatus advance(Stepper *st, bool shown)
{
    StepInfo info;
    uint64_t before = now(st);
    show(st, shown);
    StepStatus r = history_step(st->h, &info);
    if (shown)
        textlog_flush(&st->log);
    if (st->check && now(st) % st->check == 0 && sim_check(live(st))) {
        say_error("vmsim: internal check failed after step %" PRIu64 ": %s", now(st), sim_check(live(st)));
        abort();
    }
    if (now(st) != before) {
        st->last = info;
        st->have_last = r == STEP_OK || r == STEP_HALT;
    }
    if (r == STEP_ERROR || r == STEP_HALT)
        block(st, r, shown);
    return r;
}

static void say_end(const Stepper *st)
{
    if (now(st) == 0)
        printf("the trace is empty: there is nothing to step\n");
    else
        printf("the trace is over after step %" PRIu64 "\n", now(st));
}

/* Brings the machine to the state after `target` steps, showing step `target` (a
 * replay: the run is deterministic, so it is the step that happened). */
static void go_to(Stepper *st, uint64_t target)
{
    char err[512];
    show(st, false);
    StepStatus r = history_goto(st->h, target ? target - 1 : 0, err, sizeof err);
    st->have_last = false;
    if (r != STEP_OK) {
        say_error("cannot go to step %" PRIu64 ": %s", target, err);
        return;
    }
    if (target == 0)
        printf("back at the start: no steps taken\n");
    else
        advance(st, true);
}

/* ---- breakpoints --------------------------------------------------------- */

static const char *const break_words[] = { "fault", "segv", "oom", "step", NULL };

static void break_words_of(const Breakpoint *b, char *buf, size_t len)
{
    switch (b->kind) {
    case BREAK_FAULT: snprintf(buf, len, "fault: any fault (page fault or signal)"); break;
    case BREAK_SEGV:  snprintf(buf, len, "segv: a process is killed by SIGSEGV"); break;
    case BREAK_OOM:   snprintf(buf, len, "oom: the OOM killer kills a process"); break;
    case BREAK_STEP:  snprintf(buf, len, "step %" PRIu64, b->step); break;
    }
}

static bool is_segv(FaultKind f)
{
    return f == FAULT_SEGV_MAPERR || f == FAULT_SEGV_ACCERR || f == FAULT_ARCH;
}

/* The first breakpoint the step just taken hits; ooms is the OOM-kill count before it. */
static const Breakpoint *break_hit(const Stepper *st, uint64_t ooms)
{
    for (size_t i = 0; i < st->nbreaks; i++) {
        const Breakpoint *b = &st->breaks[i];
        bool hit = false;
        switch (b->kind) {
        case BREAK_FAULT: hit = st->have_last && st->last.fault != FAULT_NONE; break;
        case BREAK_SEGV:  hit = st->have_last && is_segv(st->last.fault); break;
        case BREAK_OOM:   hit = sim_stats(live(st))->oom_kills > ooms; break;
        case BREAK_STEP:  hit = now(st) == b->step; break;
        }
        if (hit)
            return b;
    }
    return NULL;
}

static const Breakpoint *add_break(Stepper *st, BreakKind kind, uint64_t step)
{
    for (size_t i = 0; i < st->nbreaks; i++) {
        if (st->breaks[i].kind == kind && (kind != BREAK_STEP || st->breaks[i].step == step)) {
            say_error("breakpoint %d already stops there", st->breaks[i].num);
            return NULL;
        }
    }
    if (st->nbreaks == MAX_BREAKS) {
        say_error("at most %d breakpoints (delete some)", MAX_BREAKS);
        return NULL;
    }
    Breakpoint *b = &st->breaks[st->nbreaks++];
    *b = (Breakpoint){ .num = ++st->next_break, .kind = kind, .step = step };
    return b;
}

/* ---- print --------------------------------------------------------------- */

/* The address print va and print pt look at, and the process whose tables map it:
 * addr (NULL: none given) in the running process, else the last step's. False (with
 * a message) when there is none. */
/* `print pt ADDR PROC`: the process named (or numbered) after the address; NULL when
 * none was given. Set by cmd_print for the printer it calls. */
static const char *print_owner;

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

static bool target_of(const Stepper *st, const char *what, const char *addr, vaddr_t *va,
                      const Process **p)
{
    if (addr) {
        if (!parse_addr(addr, va)) {
            say_error("print %s: expected an address such as 0x400000, not '%s'", what, addr);
            return false;
        }
        if (print_owner) {
            *p = proc_named(live(st), print_owner);
            if (!*p)
                say_error("print %s: no process named '%s' (print proc lists them)", what, print_owner);
            return *p != NULL;
        }
        *p = sim_current(live(st));
        if (!*p)
            say_error("print %s: there is no process", what);
        return *p != NULL;
    }
    if (!st->have_last) {
        say_error("print %s: no step taken yet (print %s ADDR looks at any address)", what, what);
        return false;
    }
    if (st->last.kind == STEP_SWITCH || st->last.kind == STEP_EVENT) {
        say_error("print %s: step %" PRIu64 " was a %s, not an access (print %s ADDR looks at any "
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
    size_words(1ull << w->shift, size, sizeof size);
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
            size_words(1ull << e->shift, words, sizeof words);
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
    size_words(1ull << fp->page_shift, size, sizeof size);
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

/* ---- commands ------------------------------------------------------------ */

typedef struct Printer {
    const char *name;
    void (*fn)(Stepper *st, const char *addr);
    bool takes_addr;
} Printer;

static const Printer printers[] = {
    { "va", print_va, true }, { "pt", print_pt, true }, { "tlb", print_tlb, false },
    { "frames", print_frames, false }, { "proc", print_proc, false }, { "stats", print_stats, false },
};
static const char *const print_words[] = { "va", "pt", "tlb", "frames", "proc", "stats", NULL };
static const char *const info_words[] = { "break", NULL };

/* The word of words that w names exactly or is a unique prefix of; -1 unknown, -2 ambiguous. */
static int match_word(const char *const *words, const char *w)
{
    int found = -1;
    size_t n = strlen(w);
    for (int i = 0; words[i]; i++) {
        if (strcmp(words[i], w) == 0)
            return i;
        if (n && strncmp(words[i], w, n) == 0)
            found = found == -1 ? i : -2;
    }
    return found;
}

static bool one_optional_count(int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (argc > 2 || (argc == 2 && !parse_count(argv[1], n))) {
        say_error("%s: expected a number of steps (1 or more), not '%s'", argv[0], argv[argc > 2 ? 2 : 1]);
        return false;
    }
    return true;
}

static void cmd_step_n(Stepper *st, int argc, char **argv)
{
    uint64_t n;
    if (!one_optional_count(argc, argv, &n))
        return;
    for (uint64_t i = 0; i < n; i++) {
        if (interrupted) {
            printf("\ninterrupted after step %" PRIu64 "\n", now(st));
            return;
        }
        if (stuck(st))
            return;
        StepStatus r = advance(st, true);
        if (r == STEP_END)
            say_end(st);
        if (r != STEP_OK)
            return;
    }
}

static void cmd_back(Stepper *st, int argc, char **argv)
{
    uint64_t n;
    if (!one_optional_count(argc, argv, &n))
        return;
    if (now(st) == 0) {
        say_error("back: no step taken yet, nothing to go back to");
        return;
    }
    if (n > now(st)) {
        say_error("back %" PRIu64 ": only %" PRIu64 " step%s taken so far", n, now(st), now(st) == 1 ? "" : "s");
        return;
    }
    go_to(st, now(st) - n);
}

static void cmd_continue(Stepper *st, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        say_error("continue takes no argument (step N takes N steps)");
        return;
    }
    const Breakpoint *hit = NULL;
    StepStatus r = STEP_OK;
    uint64_t start = now(st);
    /* Steps out of view (fast), then the stop is replayed in view. */
    while (!interrupted && !hit) {
        if (stuck(st))
            return;
        uint64_t ooms = sim_stats(live(st))->oom_kills;
        r = advance(st, false);
        if (r != STEP_OK)
            break;
        hit = break_hit(st, ooms);
    }
    if (r == STEP_END) {
        if (now(st) > start) {             /* ran to the end: show where it ended */
            printf("no breakpoint hit; the last step:\n");
            go_to(st, now(st));
        }
        say_end(st);
        return;
    }
    if (r == STEP_ERROR || now(st) == start)
        return;
    char words[64];
    if (hit) {
        break_words_of(hit, words, sizeof words);
        printf("breakpoint %d, %s\n", hit->num, words);
    } else if (r == STEP_OK) {
        printf("\ninterrupted at step %" PRIu64 "\n", now(st));
    }
    go_to(st, now(st));
}

static void cmd_print(Stepper *st, int argc, char **argv)
{
    int k = argc > 1 ? match_word(print_words, argv[1]) : -1;
    if (k < 0) {
        if (argc > 1)
            say_error("print: %s '%s': va, pt, tlb, frames, proc or stats", k == -2 ? "ambiguous" : "cannot print",
                      argv[1]);
        else
            say_error("print what? va, pt, tlb, frames, proc or stats");
        return;
    }
    const Printer *p = &printers[k];
    if (argc > (p->takes_addr ? 4 : 2)) {
        say_error("print %s takes %s", p->name, p->takes_addr ? "at most an address and a process" : "no argument");
        return;
    }
    print_owner = argc > 3 ? argv[3] : NULL;
    p->fn(st, argc > 2 ? argv[2] : NULL);
    print_owner = NULL;
}

static void cmd_break(Stepper *st, int argc, char **argv)
{
    int k = argc > 1 ? match_word(break_words, argv[1]) : -1;
    uint64_t step = 0;
    if (k < 0 || (k == BREAK_STEP) != (argc == 3) || argc > 3) {
        say_error("break: expected fault, segv, oom or step N");
        return;
    }
    if (k == BREAK_STEP && !parse_count(argv[2], &step)) {
        say_error("break step: expected a step number (1 or more), not '%s'", argv[2]);
        return;
    }
    const Breakpoint *b = add_break(st, (BreakKind)k, step);
    if (!b)
        return;
    char words[64];
    break_words_of(b, words, sizeof words);
    printf("breakpoint %d: %s\n", b->num, words);
    if (k == BREAK_STEP && step <= now(st))
        printf("(step %" PRIu64 " is behind: continue will not meet it unless you go back)\n", step);
}

static void cmd_info(Stepper *st, int argc, char **argv)
{
    if (argc != 2 || match_word(info_words, argv[1]) != 0) {
        say_error("info: expected info break");
        return;
    }
    if (!st->nbreaks) {
        printf("no breakpoints: continue runs to the end of the trace\n");
        return;
    }
    printf("num  continue stops when\n");
    for (size_t i = 0; i < st->nbreaks; i++) {
        char words[64];
        break_words_of(&st->breaks[i], words, sizeof words);
        printf("%3d  %s\n", st->breaks[i].num, words);
    }
}

static void cmd_delete(Stepper *st, int argc, char **argv)
{
    if (argc == 1) {
        st->nbreaks = 0;
        printf("deleted every breakpoint\n");
        return;
    }
    for (int a = 1; a < argc; a++) {
        uint64_t num = 0;
        bool ok = parse_count(argv[a], &num);
        size_t i = 0;
        while (ok && i < st->nbreaks && (uint64_t)st->breaks[i].num != num)
            i++;
        if (!ok || i == st->nbreaks) {
            say_error("delete: no breakpoint '%s' (info break lists them)", argv[a]);
            continue;
        }
        memmove(&st->breaks[i], &st->breaks[i + 1], (st->nbreaks - i - 1) * sizeof st->breaks[0]);
        st->nbreaks--;
        printf("deleted breakpoint %s\n", argv[a]);
    }
}

static void cmd_restart(Stepper *st, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        say_error("restart takes no argument");
        return;
    }
    go_to(st, 0);
}

static void cmd_quit(Stepper *st, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    st->done = true;
}

static void cmd_help(Stepper *st, int argc, char **argv);

static const Command commands[] = {
    { "step", { "s", "n", "next" }, cmd_step_n, true, NULL, "step [N]",
      "take N steps (default 1), printing what each did",
      "Takes N steps (default 1). A step is one translation (an access that crosses a page\n"
      "is one step per page), one context switch or one process event; each is printed in\n"
      "the words of `vmsim run --log all`. Breakpoints do not stop it: it takes N steps or\n"
      "stops at the end of the trace. Enter on an empty line takes the same steps again.\n",
    },
    { "back", { NULL }, cmd_back, true, NULL, "back [N]",
      "go back N steps (default 1) and print the step arrived at again",
      "Goes back N steps (default 1) by restoring a snapshot and replaying, then prints the\n"
      "step arrived at: the machine is exactly as it was after that step, so stepping\n"
      "forward again prints the same lines as the first time.\n",
    },
    { "continue", { "c" }, cmd_continue, true, NULL, "continue",
      "run to the next breakpoint, or the end of the trace",
      "Steps without printing until a breakpoint is hit or the trace ends, then prints the\n"
      "step it stopped at. Breakpoint 1, set at the start, stops at every fault: `delete 1`\n"
      "to run past them to the other breakpoints. Ctrl-C interrupts it.\n",
    },
    { "print", { "p" }, cmd_print, true, print_words, "print WHAT",
      "show va, pt, tlb, frames, proc or stats",
      "print va [ADDR]  the last step's address (or ADDR) split into each level's index\n"
      "                 and the page offset, and the physical address it became\n"
      "print pt [ADDR [PROC]]  the page walk for it in its process's (or PROC's) tables:\n"
      "                 each level's table, index, entry address, value and flags (read\n"
      "                 without side effects); PROC is a name or a pid\n"
      "print tlb        each TLB's valid entries by set and way\n"
      "print frames     the frame pool: what each frame holds, its owners, the dirty bit,\n"
      "                 the replacement policy's state (R bits, clock hand, counters) and,\n"
      "                 when memory is full, the next victim\n"
      "print proc       each process: state, resident, swapped and table pages, mappings\n"
      "print stats      the counters of run's report\n"
      "ADDR is hex with 0x or decimal, in the running process.\n",
    },
    { "break", { "b" }, cmd_break, false, break_words, "break KIND",
      "make continue stop at a fault, segv, oom, or step N",
      "break fault   stop at any fault: minor, major, copy-on-write, A/D update, or a kill\n"
      "break segv    stop when a process is killed by a segmentation fault\n"
      "break oom     stop when the OOM killer kills a process\n"
      "break step N  stop once N steps are taken\n"
      "Breakpoints stop continue only; step N always takes N steps.\n",
    },
    { "info", { "i" }, cmd_info, false, info_words, "info break",
      "list the breakpoints",
      "Lists the breakpoints by number.\n",
    },
    { "delete", { "d" }, cmd_delete, false, NULL, "delete [N]",
      "delete breakpoint N (every one with no N)",
      "Deletes the breakpoints numbered (delete 2 3), or every one.\n",
    },
    { "restart", { NULL }, cmd_restart, false, NULL, "restart",
      "go back to step 0",
      "Goes back to the state before the first step.\n",
    },
    { "help", { "h" }, cmd_help, false, NULL, "help [COMMAND]",
      "this list, or more about one command",
      "Lists the commands, or describes one (help print).\n",
    },
    { "quit", { "q", "exit" }, cmd_quit, false, NULL, "quit",
      "leave (the end of the input does too)",
      "Leaves vmsim. So does the end of the input (Ctrl-D).\n",
    },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The command w names exactly, by an alias, or by a unique prefix; NULL if none, with
 * *ambiguous set when several start with w. */
static const Command *lookup_command(const char *w, bool *ambiguous)
{
    const Command *found = NULL;
    size_t n = strlen(w);
    *ambiguous = false;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, w) == 0)
            return &commands[i];
        for (size_t a = 0; a < 3 && commands[i].alias[a]; a++)
            if (strcmp(commands[i].alias[a], w) == 0)
                return &commands[i];
    }
    for (size_t i = 0; n && i < NCOMMANDS; i++) {
        if (strncmp(commands[i].name, w, n) == 0) {
            *ambiguous = found != NULL;
            found = &commands[i];
        }
    }
    return *ambiguous ? NULL : found;
}

/* As lookup_command, saying what is wrong when w names no command. */
static const Command *find_command(const char *w)
{
    bool ambiguous;
    const Command *c = lookup_command(w, &ambiguous);
    if (!c)
        say_error("%s command '%s' (help lists the commands)", ambiguous ? "ambiguous" : "unknown", w);
    return c;
}

static void cmd_help(Stepper *st, int argc, char **argv)
{
    (void)st;
    if (argc > 2) {
        say_error("help takes at most one command");
        return;
    }
    if (argc == 2) {
        const Command *c = find_command(argv[1]);
        if (c)
            printf("%s: %s\n%s", c->synopsis, c->help, c->details);
        return;
    }
    printf("commands (a unique prefix will do; Enter repeats step, back, continue, print):\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char also[32] = "";
        if (commands[i].alias[0])
            snprintf(also, sizeof also, "  (%s)", commands[i].alias[0]);
        printf("  %-16s %s%s\n", commands[i].synopsis, commands[i].help, also);
    }
    printf("help COMMAND says more.\n");
}

/* Splits line in place at spaces and tabs. Returns the word count, or -1 if too many. */
static int split_line(char *line, char **argv)
{
    int argc = 0;
    for (char *w = strtok(line, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
        if (argc == MAX_ARGS)
            return -1;
        argv[argc++] = w;
    }
    return argc;
}

/* Runs one input line. An empty line runs the last repeatable command again; a line
 * starting with # is a comment. */
static void run_line(Stepper *st, const char *text)
{
    const char *p = text + strspn(text, " \t\r\n");
    if (*p == '#')
        return;
    if (!*p) {
        if (!st->repeat)
            return;
        p = st->repeat;
    }
    char *copy = strdup(p), *argv[MAX_ARGS];
    if (!copy) {
        say_error("out of memory");
        return;
    }
    int argc = split_line(copy, argv);
    const Command *c = argc < 0 ? NULL : find_command(argv[0]);
    if (argc < 0)
        say_error("too many words (at most %d)", MAX_ARGS);
    if (!c && p != st->repeat) {
        free(st->repeat);
        st->repeat = NULL;
    }
    if (c) {
        if (p != st->repeat) {
            free(st->repeat);
            st->repeat = c->repeats ? strdup(p) : NULL;
        }
        interrupted = 0;
        c->fn(st, argc, argv);
    }
    free(copy);
    fflush(stdout);
}

/* ---- input --------------------------------------------------------------- */

/* Completion: command names first, then the words a command's first argument takes.
 * Readline's generator interface keeps its state between calls, hence these statics. */
static const char *const *completing;     /* NULL: command names */

static char *complete_word(const char *text, int state)
{
    static size_t i, len;
    if (!state) {
        i = 0;
        len = strlen(text);
    }
    for (;;) {
        const char *w = completing ? completing[i] : i < NCOMMANDS ? commands[i].name : NULL;
        if (!w)
            return NULL;
        i++;
        if (strncmp(w, text, len) == 0)
            return strdup(w);
    }
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;     /* never file names */
    size_t skip = strspn(rl_line_buffer, " \t");
    size_t n = strcspn(rl_line_buffer + skip, " \t");
    completing = NULL;
    if ((size_t)start > skip) {
        char first[32];
        bool ambiguous;
        if (skip + n + strspn(rl_line_buffer + skip + n, " \t") != (size_t)start || n >= sizeof first)
            return NULL;                  /* only the first argument is completed */
        memcpy(first, rl_line_buffer + skip, n);
        first[n] = '\0';
        const Command *c = lookup_command(first, &ambiguous);
        if (!c || (!c->args && c->fn != cmd_help))
            return NULL;
        completing = c->args;             /* help completes command names */
    }
    return rl_completion_matches(text, complete_word);
}

/* Ctrl-C at the prompt abandons the line and gives a fresh prompt, as gdb and shells do. */
static int on_readline_signal(void)
{
    if (interrupted) {
        interrupted = 0;
        rl_replace_line("", 0);
        rl_crlf();
        rl_on_new_line();
        rl_redisplay();
    }
    return 0;
}

static void loop_terminal(Stepper *st)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    rl_readline_name = "vmsim";
    rl_attempted_completion_function = complete;
    rl_signal_event_hook = on_readline_signal;
    while (!st->done) {
        char *line = readline(PROMPT);
        if (!line) {
            printf("quit\n");
            break;
        }
        const char *p = line + strspn(line, " \t");
        HIST_ENTRY *prev = history_length ? history_get(history_base + history_length - 1) : NULL;
        if (*p && (!prev || strcmp(prev->line, line) != 0))
            add_history(line);
        run_line(st, line);
        free(line);
    }
    rl_clear_history();
}

static void loop_plain(Stepper *st)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!st->done && (n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        printf(*line ? PROMPT "%s\n" : "(vmsim)\n", line);
        run_line(st, line);
    }
    free(line);
}

/* ---- set-up -------------------------------------------------------------- */

/* --format, --log and --steps are run's: options_parse knows them, step does not. */
static bool has_run_option(int argc, char **argv)
{
    static const char *const opts[] = { "--format", "--log", "--steps" };
    for (int i = 2; i < argc; i++) {
        for (size_t k = 0; k < 3; k++) {
            size_t n = strlen(opts[k]);
            if (strncmp(argv[i], opts[k], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '=')) {
                fprintf(stderr, "vmsim step: %s is an option of run (see vmsim step --help)\n", opts[k]);
                return true;
            }
        }
    }
    return false;
}

static int stepper_open(Stepper *st, const Options *o)
{
    char err[1024];
    memset(st, 0, sizeof *st);
    if (session_open(&st->s, o, err, sizeof err) != 0)
        goto fail;
    if (!st->s.trace) {                   /* no trace: an empty one, so there is a History */
        st->s.trace = trace_open_mem("", 0, "(no trace)", 1, TRACE_VMSIM,
                                     sim_machine(st->s.sim)->geo.page_shift, err, sizeof err);
        if (!st->s.trace)
            goto fail;
        sim_set_trace(st->s.sim, st->s.trace);
    }
    st->h = history_create(st->s.sim, st->s.trace, 0, 0);
    st->s.sim = NULL;                     /* the History owns (or has freed) it */
    if (!st->h) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    textlog_init(&st->log, stdout, live(st), LOG_ALL);
    st->check = check_every();
    add_break(st, BREAK_FAULT, 0);
    return 0;
fail:
    fprintf(stderr, "vmsim: %s\n", err);
    session_close(&st->s);
    return -1;
}

static void stepper_close(Stepper *st)
{
    history_destroy(st->h);
    textlog_fini(&st->log);
    free(st->repeat);
    session_close(&st->s);
}

static void banner(const Stepper *st)
{
    const MachineConfig *m = sim_machine(live(st));
    const Geometry *g = &m->geo;
    char split[64], page[32];
    report_split_words(g, split, sizeof split);
    size_words(geo_page_size(g), page, sizeof page);
    if (st->s.sc.title)
        printf("%s\n", st->s.sc.title);
    printf("%s: %u-bit addresses split %s, pages of %s, %" PRIu64 " frames under %s, ", arch_name(g->arch),
           g->va_bits, split, page, m->memory.frames, policy_name(m->memory.policy));
    if (m->tlb.entries)
        printf("%u TLB entries\n", m->tlb.entries);
    else
        printf("no TLB\n");
    printf("'help' lists the commands; 'continue' runs to the next fault (breakpoint 1)\n");
}

int cmd_step(int argc, char **argv)
{
    Options o;
    if (has_run_option(argc, argv))
        return EXIT_USAGE;
    int pr = options_parse(&o, argc, argv, 2, "step", step_usage);
    if (pr)
        return pr > 0 ? EXIT_OK : EXIT_USAGE;
    Stepper st;
    if (stepper_open(&st, &o) != 0)
        return EXIT_USAGE;
    banner(&st);
    if (isatty(STDIN_FILENO))
        loop_terminal(&st);
    else
        loop_plain(&st);
    fflush(stdout);
    int status = st.status;
    stepper_close(&st);
    return status;
}
