/* The engine: demand paging, faults, eviction and swap, segfaults, the TLB across
 * switches, straddling accesses, events and the bookkeeping check. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "testutil.h"
#include "vmsim/sim.h"

typedef struct World {
    Sim *sim;
    Process *p;
    TraceReader *trace;
    char err[256];
} World;

static MachineConfig machine(ArchKind arch, uint64_t frames)
{
    MachineConfig m;
    machine_default(&m);
    geo_preset(&m.geo, arch);
    m.memory.frames = frames;
    return m;
}

/* A world with one process "p" mapping text r-x (file) and heap rw- (anon). */
static void world_init(World *w, const MachineConfig *m)
{
    memset(w, 0, sizeof *w);
    w->sim = sim_create(m, w->err, sizeof w->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->sim);
    w->p = sim_add_process(w->sim, 0, "p", w->err, sizeof w->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->p);
    Vma text = { .start = 0x400000, .end = 0x404000, .perms = PTE_R | PTE_X, .kind = VMA_TEXT, .file = true };
    Vma heap = { .start = 0x600000, .end = 0x640000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    CU_ASSERT_EQUAL(sim_map(w->sim, w->p, &text, w->err, sizeof w->err), 0);
    CU_ASSERT_EQUAL(sim_map(w->sim, w->p, &heap, w->err, sizeof w->err), 0);
}

static void world_trace(World *w, const char *text)
{
    trace_close(w->trace);
    w->trace = trace_open_mem(text, strlen(text), "t", 1, TRACE_VMSIM, 12, w->err, sizeof w->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->trace);
    sim_set_trace(w->sim, w->trace);
}

/* Runs to the end, checking the bookkeeping after every step. */
static StepStatus world_run(World *w)
{
    StepStatus r;
    while ((r = sim_step(w->sim, NULL)) == STEP_OK)
        CU_ASSERT_PTR_NULL(sim_check(w->sim));
    return r;
}

static void world_fini(World *w)
{
    sim_destroy(w->sim);
    trace_close(w->trace);
}

/* Peak resident memory of this program, in KiB (getrusage: ru_maxrss is in KiB on Linux). */
static long peak_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* memory.frames = 2^26, the documented maximum, for a few references: memory and time
 * grow with the frames used (a few), not with the frames that exist (64 Mi records of
 * frames and policy slots would be gigabytes and seconds to clear). Every policy. */
static void test_memory_grows_with_frames_used(void)
{
#ifdef __SANITIZE_ADDRESS__
    return;                 /* ASan's shadow of a 4 GB calloc is itself half a gigabyte */
#endif
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload"))
        return;             /* valgrind tracks every byte of it */
    for (int k = 0; k < POLICY_COUNT; k++) {
        MachineConfig m = machine(ARCH_X86_64, 1ull << 26);
        m.memory.policy = (PolicyKind)k;
        long before = peak_kib();
        double t0 = seconds_now();
        World w;
        world_init(&w, &m);
        world_trace(&w, "R 0x600000\nW 0x601000\nX 0x400000\nR 0x600000\nW 0x63f000\nR 0x602000\n");
        CU_ASSERT_EQUAL(world_run(&w), STEP_END);
        CU_ASSERT_EQUAL(sim_stats(w.sim)->references, 6);
        world_fini(&w);
        CU_ASSERT(seconds_now() - t0 < 0.5);
        CU_ASSERT(peak_kib() - before < 32 * 1024);
    }
}

static pte_t leaf_pte(World *w, vaddr_t va)
{
    Walk wk;
    sim_peek(w->sim, w->p, va, &wk);
    return wk.pte[wk.nread - 1];
}

static void test_demand_zero_and_tables(void)
{
    MachineConfig m = machine(ARCH_X86_64, 16);
    World w;
    world_init(&w, &m);
    world_trace(&w, "W 0x600000 8\nR 0x600008 8\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    const SimStats *st = sim_stats(w.sim);
    CU_ASSERT_EQUAL(st->references, 2);
    CU_ASSERT_EQUAL(st->minor_faults, 1);       /* heap is anonymous: zero-filled */
    CU_ASSERT_EQUAL(st->major_faults, 0);
    CU_ASSERT_EQUAL(st->tlb_hits, 1);           /* the second access hits */
    CU_ASSERT_EQUAL(w.p->rss, 1);
    CU_ASSERT_EQUAL(w.p->pt_pages, 4);          /* PML4 + PDPT + PD + PT */
    CU_ASSERT_EQUAL(sim_frames(w.sim)->in_use[FRAME_TABLE], 4);
    /* The leaf maps frame 4 (frames 0..3 hold the tables), present, writable, dirty. */
    pte_t pte = leaf_pte(&w, 0x600000);
    const Geometry *g = &sim_machine(w.sim)->geo;
    CU_ASSERT_EQUAL(pte_pfn(g, pte), 4);
    CU_ASSERT_EQUAL(pte_flags(g, pte) & (PTE_V | PTE_W | PTE_D | PTE_U), PTE_V | PTE_W | PTE_D | PTE_U);
    world_fini(&w);
}

static void test_text_is_file_backed_and_read_only(void)
{
    MachineConfig m = machine(ARCH_X86_64, 16);
    World w;
    world_init(&w, &m);
    world_trace(&w, "X 0x400000 4\nW 0x400010 4\nR 0x600000 4\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_MAJOR);    /* first touch of text reads the file */
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_SEGV_ACCERR);
    CU_ASSERT_EQUAL(info.pa, PADDR_NONE);
    CU_ASSERT_EQUAL(w.p->state, PROC_KILLED);
    CU_ASSERT_EQUAL(w.p->rss, 0);
    CU_ASSERT_EQUAL(w.p->pt_pages, 0);
    CU_ASSERT_EQUAL(frames_nfree(sim_frames(w.sim)), 16);   /* every frame came back */
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.kind, STEP_SKIP);           /* a dead process's access */
    CU_ASSERT_EQUAL(sim_stats(w.sim)->segfaults, 1);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->skipped, 1);
    CU_ASSERT_PTR_NULL(sim_check(w.sim));
    world_fini(&w);
}

static void test_unmapped_access_segfaults(void)
{
    MachineConfig m = machine(ARCH_X86_64, 16);
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x500000 4\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_SEGV_MAPERR);
    CU_ASSERT_NSTRING_EQUAL(w.p->exit_reason, "SIGSEGV: no mapping", 19);
    world_fini(&w);
}

static void test_noncanonical_is_arch_fault(void)
{
    MachineConfig m = machine(ARCH_X86_64, 16);
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x0000800000000000 4\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_ARCH);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->arch_faults, 1);
    world_fini(&w);
}

/* 6 frames: 4 tables + 2 data. Three heap pages written in turn: the third evicts the
 * first (LRU), which is dirty, so it goes to swap slot 0 and its entry keeps the slot. */
static void test_dirty_eviction_goes_to_swap(void)
{
    MachineConfig m = machine(ARCH_X86_64, 6);
    m.memory.policy = POLICY_LRU;
    World w;
    world_init(&w, &m);
    world_trace(&w, "W 0x600000 8\nW 0x601000 8\nW 0x602000 8\nR 0x600000 8\n");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_OK);
    const SimStats *st = sim_stats(w.sim);
    CU_ASSERT_EQUAL(st->evictions, 1);
    CU_ASSERT_EQUAL(st->writebacks, 1);
    CU_ASSERT_EQUAL(w.p->swap, 1);
    const Geometry *g = &sim_machine(w.sim)->geo;
    pte_t pte = leaf_pte(&w, 0x600000);
    CU_ASSERT_FALSE(pte_flags(g, pte) & PTE_V);     /* not present ... */
    CU_ASSERT_EQUAL(pte_pfn(g, pte), 0 + 1);        /* ... holding swap slot 0 + 1 */
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_MAJOR);       /* read back from swap */
    CU_ASSERT_EQUAL(st->swap_ins, 1);
    CU_ASSERT_EQUAL(st->evictions, 2);
    CU_ASSERT_EQUAL(st->writebacks, 2);             /* 0x601000 was dirty too */
    CU_ASSERT_EQUAL(w.p->swap, 1);
    CU_ASSERT_PTR_NULL(sim_check(w.sim));
    world_fini(&w);
}

/* A clean page (read only, never written) is dropped, not written back. */
static void test_clean_eviction_is_dropped(void)
{
    MachineConfig m = machine(ARCH_X86_64, 5);
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000 8\nR 0x601000 8\nR 0x600000 8\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    const SimStats *st = sim_stats(w.sim);
    CU_ASSERT_EQUAL(st->evictions, 2);
    CU_ASSERT_EQUAL(st->writebacks, 0);
    CU_ASSERT_EQUAL(st->minor_faults, 3);           /* zero page again, not swap */
    CU_ASSERT_EQUAL(w.p->swap, 0);
    world_fini(&w);
}

/* Swap full and the only page dirty: nothing can be evicted, so the OOM killer runs;
 * the one process is the victim, killed in the kernel's words. */
static void test_swap_full_oom_kills(void)
{
    MachineConfig m = machine(ARCH_X86_64, 5);
    m.swap.slots = 0;
    World w;
    world_init(&w, &m);
    world_trace(&w, "W 0x600000 8\nW 0x601000 8\nR 0x600000\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_OK);
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(w.p->state, PROC_KILLED);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->oom_kills, 1);
    CU_ASSERT_NSTRING_EQUAL(w.p->exit_reason, "Out of memory: Killed process 1 (p) total-vm:", 45);
    CU_ASSERT_EQUAL(sim_frames(w.sim)->nfree, 5);
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.kind, STEP_SKIP);
    world_fini(&w);
}

/* With oom_score_adj = -1000 nothing may be killed: the machine stops. */
static void test_no_killable_halts(void)
{
    MachineConfig m = machine(ARCH_X86_64, 5);
    m.swap.slots = 0;
    World w;
    world_init(&w, &m);
    w.p->oom_score_adj = -1000;
    world_trace(&w, "W 0x600000 8\nW 0x601000 8\n");
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_OK);
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_HALT);
    /* out_of_memory(): "Out of memory and no killable processes...", then the panic. */
    CU_ASSERT_STRING_EQUAL(sim_error(w.sim), "Kernel panic - not syncing: System is deadlocked on memory");
    world_fini(&w);
    m.oom.panic_on_oom = true;
    world_init(&w, &m);
    world_trace(&w, "W 0x600000 8\nW 0x601000 8\n");
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_OK);
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_HALT);
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_error(w.sim), "Kernel panic - not syncing: Out of memory"));
    world_fini(&w);
}

/* The TLB must not keep a translation for a page that was evicted. */
static void test_eviction_invalidates_tlb(void)
{
    MachineConfig m = machine(ARCH_X86_64, 5);
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000 8\nR 0x601000 8\nR 0x600000 8\n");
    StepInfo info;
    sim_step(w.sim, &info);
    sim_step(w.sim, &info);
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_FALSE(info.tlb_hit);
    CU_ASSERT_EQUAL(info.fault, FAULT_MINOR);
    world_fini(&w);
}

static void two_procs(World *w, bool asid)
{
    MachineConfig m = machine(ARCH_X86_64, 32);
    m.tlb.asid = asid;
    world_init(w, &m);
    Process *q = sim_add_process(w->sim, 0, "q", w->err, sizeof w->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    Vma heap = { .start = 0x600000, .end = 0x640000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    CU_ASSERT_EQUAL(sim_map(w->sim, q, &heap, w->err, sizeof w->err), 0);
    world_trace(w, "R 0x600000\nswitch q\nR 0x600000\nswitch p\nR 0x600000\n");
}

static void test_switch_with_and_without_asids(void)
{
    World w;
    two_procs(&w, false);
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->tlb_hits, 0);   /* each switch flushed the TLB */
    CU_ASSERT_EQUAL(sim_stats(w.sim)->page_faults, 2);
    world_fini(&w);
    two_procs(&w, true);
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->tlb_hits, 1);   /* p's entry survived q's turn */
    world_fini(&w);
}

static void test_same_va_two_processes_two_frames(void)
{
    World w;
    two_procs(&w, true);
    StepInfo a, b;
    sim_step(w.sim, &a);
    sim_step(w.sim, NULL);
    sim_step(w.sim, &b);
    CU_ASSERT_NOT_EQUAL(a.pa, b.pa);
    CU_ASSERT_NOT_EQUAL(a.pid, b.pid);
    world_fini(&w);
}

static void test_straddle_and_modify(void)
{
    MachineConfig m = machine(ARCH_X86_64, 16);
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600ffc 8\nM 0x601ffe 4\n");
    StepInfo s[6];
    int n = 0;
    while (n < 6 && sim_step(w.sim, &s[n]) == STEP_OK)
        n++;
    CU_ASSERT_EQUAL(n, 6);       /* 2 pages; then M: read 2 pages, write 2 pages */
    CU_ASSERT_EQUAL(s[0].va, 0x600ffc);
    CU_ASSERT_EQUAL(s[1].va, 0x601000);
    CU_ASSERT_EQUAL(s[2].op, OP_READ);
    CU_ASSERT_EQUAL(s[2].va, 0x601ffe);
    CU_ASSERT_EQUAL(s[3].va, 0x602000);
    CU_ASSERT_EQUAL(s[4].op, OP_WRITE);
    CU_ASSERT_EQUAL(s[4].va, 0x601ffe);
    CU_ASSERT_EQUAL(s[5].op, OP_WRITE);
    CU_ASSERT_EQUAL(s[2].line, 2);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->references, 6);
    world_fini(&w);
}

static void test_stack_grows_to_its_limit(void)
{
    MachineConfig m = machine(ARCH_X86_64, 32);
    World w;
    world_init(&w, &m);
    Vma stack = { .start = 0x7ffffffee000, .end = 0x7ffffffff000, .perms = PTE_R | PTE_W, .kind = VMA_STACK };
    CU_ASSERT_EQUAL(sim_map(w.sim, w.p, &stack, w.err, sizeof w.err), 0);
    w.p->stack_limit = 0x7ffffffec000;           /* two more pages may be added */
    world_trace(&w, "W 0x7ffffffed008 8\nW 0x7ffffffeb000 8\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_MINOR);
    CU_ASSERT_EQUAL(proc_find_vma(w.p, 0x7ffffffed000)->start, 0x7ffffffed000);
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(info.fault, FAULT_SEGV_MAPERR);  /* below the limit */
    world_fini(&w);
}

typedef struct Recorder {
    EventKind kinds[64];
    int n;
} Recorder;

static void record(void *ctx, const SimEvent *ev)
{
    Recorder *r = ctx;
    if (r->n < 64)
        r->kinds[r->n++] = ev->kind;
}

static void test_events_of_a_fault(void)
{
    MachineConfig m = machine(ARCH_X86_32, 16);
    World w;
    world_init(&w, &m);
    Recorder rec = { .n = 0 };
    sim_set_observer(w.sim, record, &rec);
    world_trace(&w, "W 0x600000 4\n");
    CU_ASSERT_EQUAL(sim_step(w.sim, NULL), STEP_OK);
    /* x86_32: 2 levels. The walk stops at the empty PD entry, the OS adds a PT and a
     * page, the walk is retried through both levels. */
    static const EventKind want[] = {
        EV_ACCESS, EV_TLB_MISS, EV_WALK, EV_TABLE_ALLOC, EV_MAP, EV_FAULT, EV_FRAME_ALLOC,
        EV_MAP, EV_WALK, EV_WALK, EV_TLB_FILL, EV_TRANSLATED,
    };
    CU_ASSERT_EQUAL_FATAL(rec.n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < rec.n; i++)
        CU_ASSERT_EQUAL(rec.kinds[i], want[i]);
    world_fini(&w);
}

static void test_svade_faults_for_dirty(void)
{
    MachineConfig m = machine(ARCH_SV39, 16);
    m.geo.ad_by_fault = true;
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000 8\nW 0x600000 8\nW 0x600008 8\n");
    StepInfo s[3];
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(sim_step(w.sim, &s[i]), STEP_OK);
    CU_ASSERT_EQUAL(s[0].fault, FAULT_MINOR);
    CU_ASSERT_EQUAL(s[1].fault, FAULT_AD);       /* D clear: the OS sets it */
    CU_ASSERT_EQUAL(s[2].fault, FAULT_NONE);
    CU_ASSERT_TRUE(s[2].tlb_hit);
    world_fini(&w);
}

static void test_separate_tables_leave_ram_to_data(void)
{
    MachineConfig m = machine(ARCH_X86_64, 2);
    m.memory.separate_tables = true;
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000\nR 0x601000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->evictions, 0);  /* two data pages fit in 2 frames */
    CU_ASSERT_EQUAL(w.p->pt_pages, 4);
    CU_ASSERT_EQUAL(sim_frames(w.sim)->in_use[FRAME_DATA], 2);
    world_fini(&w);
}

static void test_all_tables_oom(void)
{
    MachineConfig m = machine(ARCH_X86_64, 4);   /* the 4 tables fill RAM */
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000\n");
    StepInfo info;
    CU_ASSERT_EQUAL(sim_step(w.sim, &info), STEP_OK);
    CU_ASSERT_EQUAL(w.p->state, PROC_KILLED);     /* the OOM killer's only choice */
    CU_ASSERT_EQUAL(info.pa, PADDR_NONE);
    CU_ASSERT_EQUAL(sim_frames(w.sim)->nfree, 4);
    world_fini(&w);
}

static void test_deterministic(void)
{
    uint64_t cycles[2];
    for (int run = 0; run < 2; run++) {
        MachineConfig m = machine(ARCH_X86_64, 6);
        m.memory.policy = POLICY_RANDOM;
        m.tlb.policy = TLB_RANDOM;
        World w;
        world_init(&w, &m);
        world_trace(&w, "W 0x600000\nW 0x601000\nW 0x602000\nR 0x600000\nW 0x603000\nR 0x601000\n");
        CU_ASSERT_EQUAL(world_run(&w), STEP_END);
        cycles[run] = sim_stats(w.sim)->cycles;
        world_fini(&w);
    }
    CU_ASSERT_EQUAL(cycles[0], cycles[1]);
}

static void test_bad_setup_is_refused(void)
{
    MachineConfig m = machine(ARCH_X86_64, 8);
    World w;
    world_init(&w, &m);
    Vma overlap = { .start = 0x401000, .end = 0x402000, .perms = PTE_R, .kind = VMA_DATA };
    CU_ASSERT_EQUAL(sim_map(w.sim, w.p, &overlap, w.err, sizeof w.err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(w.err, "overlaps"));
    Vma high = { .start = 0x800000000000, .end = 0x800000001000, .perms = PTE_R, .kind = VMA_MMAP };
    CU_ASSERT_EQUAL(sim_map(w.sim, w.p, &high, w.err, sizeof w.err), -1);
    CU_ASSERT_PTR_NULL(sim_add_process(w.sim, 0, "p", w.err, sizeof w.err));   /* same name */
    m.memory.frames = 0;
    CU_ASSERT_PTR_NULL(sim_create(&m, w.err, sizeof w.err));
    world_fini(&w);
}

/* A 1-entry data TLB backed by a 4-entry second level; fetches go to their own TLB. */
static void test_tlb_hierarchy(void)
{
    MachineConfig m = machine(ARCH_X86_64, 32);
    m.tlb.entries = 1;
    m.tlb.ways = 1;
    m.itlb.entries = 2;
    m.stlb.entries = 4;
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x600000\nR 0x601000\nR 0x600000\nX 0x400000\nR 0x601000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    const Tlb *d = sim_tlb_at(w.sim, SIM_DTLB), *i = sim_tlb_at(w.sim, SIM_ITLB), *l2 = sim_tlb_at(w.sim, SIM_STLB);
    /* dtlb: 4 data lookups, each misses (one entry, alternating pages). */
    CU_ASSERT_EQUAL(d->hits, 0);
    CU_ASSERT_EQUAL(d->misses, 4);
    /* stlb: first two miss; the 3rd and 4th data lookups and nothing else hit it. */
    CU_ASSERT_EQUAL(l2->hits, 2);
    CU_ASSERT_EQUAL(l2->misses, 3);            /* two data pages + the text page */
    CU_ASSERT_EQUAL(i->misses, 1);             /* the fetch went to the ITLB */
    CU_ASSERT_EQUAL(i->hits, 0);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->tlb_hits, 2);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->stlb_hits, 2);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->walks, 3 + 3);   /* each first touch walks twice */
    world_fini(&w);
}

/* After q dies, switching to it makes its accesses skipped, not p's. */
static void test_switch_to_dead_process(void)
{
    World w;
    two_procs(&w, true);
    world_trace(&w, "switch q\nW 0x100\nswitch p\nR 0x600000\nswitch q\nR 0x600000\nswitch p\nR 0x600000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    const SimStats *st = sim_stats(w.sim);
    CU_ASSERT_EQUAL(st->segfaults, 1);           /* q touched an unmapped page */
    CU_ASSERT_EQUAL(st->skipped, 2);             /* the switch to q and q's read */
    CU_ASSERT_EQUAL(w.p->stats.references, 2);   /* p made only its own two reads */
    CU_ASSERT_EQUAL(st->tlb_hits, 1);
    world_fini(&w);
}

/* OPT in the engine: Belady's string with 3 frames takes 7 faults (the first pass over
 * the trace tells the policy each page's next use). */
static void test_opt_sees_the_future(void)
{
    MachineConfig m = machine(ARCH_X86_64, 3);
    m.memory.policy = POLICY_OPT;
    m.memory.separate_tables = true;
    m.tlb.entries = 0;
    World w;
    world_init(&w, &m);
    world_trace(&w, "R 0x601000\nR 0x602000\nR 0x603000\nR 0x604000\nR 0x601000\nR 0x602000\n"
                    "R 0x605000\nR 0x601000\nR 0x602000\nR 0x603000\nR 0x604000\nR 0x605000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    CU_ASSERT_EQUAL(sim_stats(w.sim)->page_faults, 7);
    world_fini(&w);
}

/* Local replacement takes the faulting process's own page even when another
 * process's page is older. */
static void test_local_scope(void)
{
    MachineConfig m = machine(ARCH_X86_64, 2);
    m.memory.separate_tables = true;
    m.memory.policy = POLICY_FIFO;
    m.memory.local = true;
    World w;
    world_init(&w, &m);
    Process *q = sim_add_process(w.sim, 0, "q", w.err, sizeof w.err);
    Vma heap = { .start = 0x600000, .end = 0x640000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    CU_ASSERT_EQUAL_FATAL(sim_map(w.sim, q, &heap, w.err, sizeof w.err), 0);
    world_trace(&w, "switch q\nR 0x600000\nswitch p\nR 0x600000\nR 0x601000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    CU_ASSERT_EQUAL(q->rss, 1);                   /* q's older page stayed */
    CU_ASSERT_EQUAL(w.p->rss, 1);
    CU_ASSERT_EQUAL(w.p->stats.evictions, 1);
    world_fini(&w);
}

/* The cost model: every reference pays a TLB lookup and a memory access, every entry
 * a walk reads a memory access, every fault its kernel time; so the effective access
 * time is the textbook's EAT. Checked on a run with hits, misses and both faults. */
static void test_cycles_are_the_eat_formula(void)
{
    MachineConfig m = machine(ARCH_X86_64, 6);
    m.timing.tlb = 2;
    m.timing.memory = 50;
    m.timing.minor_fault = 700;
    m.timing.major_fault = 90000;
    World w;
    world_init(&w, &m);
    world_trace(&w, "X 0x400000\nR 0x600000\nR 0x600008\nW 0x601000\nR 0x400010\nR 0x602000\n");
    CU_ASSERT_EQUAL(world_run(&w), STEP_END);
    const SimStats *st = sim_stats(w.sim);
    CU_ASSERT(st->tlb_hits > 0 && st->minor_faults > 0 && st->major_faults > 0);
    uint64_t want = st->references * (2 + 50) + st->walk_reads * 50 +
                    st->minor_faults * 700 + st->major_faults * 90000;
    CU_ASSERT_EQUAL(st->cycles, want);
    world_fini(&w);
}

void suite_sim(void);
void suite_sim(void)
{
    TEST_SUITE("sim",
        { "demand-zero fault and page-table pages", test_demand_zero_and_tables },
        { "text: file-backed, read-only, kill frees all", test_text_is_file_backed_and_read_only },
        { "access outside every mapping: SIGSEGV", test_unmapped_access_segfaults },
        { "non-canonical address: architecture fault", test_noncanonical_is_arch_fault },
        { "dirty victim to swap, swap entry, swap-in", test_dirty_eviction_goes_to_swap },
        { "clean victim dropped", test_clean_eviction_is_dropped },
        { "swap full, dirty victim: the OOM killer", test_swap_full_oom_kills },
        { "no killable process, or panic_on_oom: halt", test_no_killable_halts },
        { "eviction invalidates the TLB", test_eviction_invalidates_tlb },
        { "context switch with and without ASIDs", test_switch_with_and_without_asids },
        { "same address, two processes, two frames", test_same_va_two_processes_two_frames },
        { "straddling access and lackey M", test_straddle_and_modify },
        { "stack growth down to its limit", test_stack_grows_to_its_limit },
        { "event stream of a fault", test_events_of_a_fault },
        { "Svade: dirty-bit fault", test_svade_faults_for_dirty },
        { "separate page tables", test_separate_tables_leave_ram_to_data },
        { "RAM full of tables: the OOM killer", test_all_tables_oom },
        { "same seed, same run", test_deterministic },
        { "bad set-up refused", test_bad_setup_is_refused },
        { "split ITLB and a second-level TLB", test_tlb_hierarchy },
        { "switch to a dead process", test_switch_to_dead_process },
        { "opt sees the future", test_opt_sees_the_future },
        { "local replacement", test_local_scope },
        { "cycles follow the effective-access-time formula", test_cycles_are_the_eat_formula },
        { "memory grows with the frames used", test_memory_grows_with_frames_used });
}
