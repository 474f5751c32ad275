/* Stepping back: restoring a snapshot and replaying gives exactly the state and the
 * steps of the first run, whatever the policy (random and opt included). */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/history.h"

#define STEPS 400

/* A trace with faults, evictions, write-backs, a kill and switches. */
static char *make_trace(void)
{
    static char buf[STEPS * 24];
    size_t n = 0;
    unsigned x = 12345;
    for (int i = 0; i < STEPS - 10; i++) {
        x = x * 1103515245u + 12345u;
        unsigned page = (x >> 16) % 24;
        if (i % 37 == 0)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "switch %s\n", i % 74 ? "b" : "a");
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%c 0x%x 8\n", (x >> 8) & 1 ? 'W' : 'R',
                              0x600000 + page * 0x1000);
    }
    snprintf(buf + n, sizeof buf - n, "switch b\nW 0x500000\nR 0x600000\n");
    return buf;
}

typedef struct Run {
    Sim *sim;
    TraceReader *t;
} Run;

static void run_open(Run *r, PolicyKind policy, const char *text)
{
    char err[256];
    MachineConfig m;
    machine_default(&m);
    m.memory.frames = 12;
    m.memory.policy = policy;
    m.tlb.entries = 4;
    m.tlb.policy = TLB_RANDOM;
    m.swap.slots = 64;
    r->sim = sim_create(&m, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->sim);
    Vma heap = { .start = 0x600000, .end = 0x640000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    Process *a = sim_add_process(r->sim, 0, "a", err, sizeof err);
    Process *b = sim_add_process(r->sim, 0, "b", err, sizeof err);
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT_EQUAL(sim_map(r->sim, a, &heap, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sim_map(r->sim, b, &heap, err, sizeof err), 0);
    r->t = trace_open_mem(text, strlen(text), "t", 1, TRACE_VMSIM, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->t);
    sim_set_trace(r->sim, r->t);
}

static void check_policy(PolicyKind policy)
{
    const char *text = make_trace();
    Run ref;
    run_open(&ref, policy, text);
    static StepInfo want[STEPS + 16];
    static SimStats stats[STEPS + 16];
    size_t n = 0;
    stats[0] = *sim_stats(ref.sim);
    while (n < STEPS + 15 && sim_step(ref.sim, &want[n]) == STEP_OK) {
        n++;
        stats[n] = *sim_stats(ref.sim);
    }
    CU_ASSERT(n > 300);
    CU_ASSERT(stats[n].evictions > 0 && stats[n].segfaults == 1);

    Run run;
    run_open(&run, policy, text);
    History *h = history_create(run.sim, run.t, 7, 4);   /* small: forces thinning */
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    char err[256];
    /* Forward to the end, back to a few places, forward again; compare each time. */
    static const uint64_t stops[] = { 0, 350, 3, 200, 199, 1, 0, 390, 57 };
    StepInfo got;
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
        uint64_t at = stops[k] < n ? stops[k] : n;
        CU_ASSERT_EQUAL(history_goto(h, at, err, sizeof err), STEP_OK);
        const SimStats *st = sim_stats(history_sim(h));
        CU_ASSERT_EQUAL(st->steps, stats[at].steps);
        CU_ASSERT_EQUAL(st->page_faults, stats[at].page_faults);
        CU_ASSERT_EQUAL(st->tlb_hits, stats[at].tlb_hits);
        CU_ASSERT_EQUAL(st->writebacks, stats[at].writebacks);
        CU_ASSERT_EQUAL(st->cycles, stats[at].cycles);
        CU_ASSERT_PTR_NULL(sim_check(history_sim(h)));
        if (at < n) {   /* and the next step is the same step */
            CU_ASSERT_EQUAL(history_step(h, &got), STEP_OK);
            CU_ASSERT_EQUAL(got.pa, want[at].pa);
            CU_ASSERT_EQUAL(got.va, want[at].va);
            CU_ASSERT_EQUAL(got.fault, want[at].fault);
            CU_ASSERT_EQUAL(got.tlb_hit, want[at].tlb_hit);
        }
    }
    CU_ASSERT(history_snapshots(h) <= 4);
    history_destroy(h);
    trace_close(run.t);
    sim_destroy(ref.sim);
    trace_close(ref.t);
}

static void test_back_lru(void) { check_policy(POLICY_LRU); }
static void test_back_random(void) { check_policy(POLICY_RANDOM); }
static void test_back_opt(void) { check_policy(POLICY_OPT); }
static void test_back_wsclock(void) { check_policy(POLICY_WSCLOCK); }

/* Asked for one snapshot, the history keeps two (the first and one newer; thinning
 * needs both): stepping far forward thins, never writes past its array (ASan and
 * valgrind in CI see that), and going back lands on the same statistics. */
static void test_one_snapshot_is_two(void)
{
    Run ref, run;
    const char *text = make_trace();
    run_open(&ref, POLICY_FIFO, text);
    for (int i = 0; i < 120; i++)
        sim_step(ref.sim, NULL);
    run_open(&run, POLICY_FIFO, text);
    History *h = history_create(run.sim, run.t, 3, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    char err[256];
    CU_ASSERT_EQUAL(history_goto(h, 300, err, sizeof err), STEP_OK);
    CU_ASSERT(history_snapshots(h) <= 2);
    CU_ASSERT_EQUAL(history_goto(h, 120, err, sizeof err), STEP_OK);
    CU_ASSERT_EQUAL(sim_stats(history_sim(h))->page_faults, sim_stats(ref.sim)->page_faults);
    CU_ASSERT_EQUAL(sim_stats(history_sim(h))->evictions, sim_stats(ref.sim)->evictions);
    history_destroy(h);
    trace_close(run.t);
    sim_destroy(ref.sim);
    trace_close(ref.t);
}

static void test_clone_is_independent(void)
{
    Run r;
    run_open(&r, POLICY_CLOCK, make_trace());
    for (int i = 0; i < 100; i++)
        sim_step(r.sim, NULL);
    Sim *copy = sim_clone(r.sim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    uint64_t faults = sim_stats(copy)->page_faults;
    for (int i = 0; i < 100; i++)
        sim_step(r.sim, NULL);
    CU_ASSERT_EQUAL(sim_stats(copy)->page_faults, faults);   /* untouched by the original */
    CU_ASSERT_PTR_NULL(sim_check(copy));
    sim_destroy(r.sim);                                      /* the copy outlives it */
    CU_ASSERT_EQUAL(sim_nprocs(copy), 2);
    CU_ASSERT_PTR_NULL(sim_check(copy));
    sim_destroy(copy);
    trace_close(r.t);
}

void suite_history(void);
void suite_history(void)
{
    TEST_SUITE("history",
        { "back and forth under lru", test_back_lru },
        { "back and forth under random (the generator is restored)", test_back_random },
        { "back and forth under opt (the future is shared)", test_back_opt },
        { "back and forth under wsclock", test_back_wsclock },
        { "one snapshot asked for: two kept, thinning stays inside", test_one_snapshot_is_two },
        { "a clone is independent", test_clone_is_independent });
}
