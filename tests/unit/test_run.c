/* sim_run, the batched steps of a run with no log, against sim_step one step at a
 * time: the same statistics, per process and per TLB, and the same frames, on
 * scenarios and machines that take each of its ways (TLB hits and misses, a split ITLB
 * and a second level, a timer tick, opt's future, several processes, forks, skips,
 * straddling accesses, a halt). sim_step is the reference: it fills a StepInfo at
 * every step and takes every access the general way. */
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/sim.h"

typedef struct Run {
    Scenario sc;
    Sim *sim;
    TraceReader *t;
} Run;

/* Builds path (a scenario) with the settings sets (NULL-ended) over it, on trace (NULL:
 * the scenario's own). */
static void run_open(Run *r, const char *path, const char *trace, const char *const *sets)
{
    char err[512];
    scenario_init(&r->sc);
    CU_ASSERT_EQUAL_FATAL(scenario_load(&r->sc, path, err, sizeof err), 0);
    for (; sets && *sets; sets++)
        CU_ASSERT_EQUAL_FATAL(scenario_set(&r->sc, *sets, "test", err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(scenario_validate(&r->sc, err, sizeof err), 0);
    r->sim = scenario_build(&r->sc, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->sim);
    bool none;
    r->t = scenario_open_trace(&r->sc, trace, TRACE_AUTO, &none, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->t);
    sim_set_trace(r->sim, r->t);
}

static void run_close(Run *r)
{
    sim_destroy(r->sim);
    trace_close(r->t);
    scenario_fini(&r->sc);
}

/* Whether a and b ended alike: statistics, each process's, each TLB's counts, frames. */
static void same_machine(const Sim *a, const Sim *b)
{
    CU_ASSERT_EQUAL(memcmp(sim_stats(a), sim_stats(b), sizeof(SimStats)), 0);
    CU_ASSERT_EQUAL_FATAL(sim_nprocs(a), sim_nprocs(b));
    for (size_t i = 0; i < sim_nprocs(a); i++) {
        const Process *p = sim_proc(a, i), *q = sim_proc(b, i);
        CU_ASSERT_EQUAL(memcmp(&p->stats, &q->stats, sizeof p->stats), 0);
        CU_ASSERT_EQUAL(p->state, q->state);
    }
    for (int k = 0; k < SIM_TLBS; k++) {
        const Tlb *x = sim_tlb_at(a, (SimTlb)k), *y = sim_tlb_at(b, (SimTlb)k);
        CU_ASSERT(x->hits == y->hits && x->misses == y->misses && x->clock == y->clock);
    }
    const FramePool *f = sim_frames(a), *g = sim_frames(b);
    CU_ASSERT_EQUAL_FATAL(f->nframes, g->nframes);
    for (size_t i = 0; i < f->nframes; i++)
        CU_ASSERT(f->frames[i].kind == g->frames[i].kind && f->frames[i].va == g->frames[i].va &&
                  f->frames[i].pid == g->frames[i].pid && f->frames[i].dirty == g->frames[i].dirty);
    CU_ASSERT_PTR_NULL(sim_check(b));
}

/* Runs path both ways (sim_run in batches of batch steps) and compares them. */
static void both_ways(const char *path, const char *trace, const char *const *sets, uint64_t batch)
{
    Run one, many;
    run_open(&one, path, trace, sets);
    run_open(&many, path, trace, sets);
    StepStatus a, b;
    while ((a = sim_step(one.sim, NULL)) == STEP_OK)
        ;
    while ((b = sim_run(many.sim, batch)) == STEP_OK)
        CU_ASSERT_PTR_NULL(sim_check(many.sim));
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT(sim_stats(one.sim)->steps > 0);
    same_machine(one.sim, many.sim);
    run_close(&one);
    run_close(&many);
}

static void test_lackey_tlb_levels(void)
{
    static const char *const tlb[] = { "tlb.entries=64", "tlb.ways=4", "memory.frames=64",
                                       "memory.policy=lru", NULL };
    static const char *const split[] = { "tlb.entries=8", "itlb.entries=4", "stlb.entries=32",
                                         "memory.frames=24", "memory.policy=clock", NULL };
    static const char *const aging[] = { "memory.frames=16", "memory.policy=aging",
                                         "memory.tick=7", "tlb.policy=fifo", NULL };
    static const char *const opt[] = { "memory.frames=16", "memory.policy=opt", NULL };
    const char *wc = TEST_DATA "/wc.lackey.xz";
    both_ways("scenarios/default.ini", wc, tlb, 1000);
    both_ways("scenarios/default.ini", wc, split, 4096);
    both_ways("scenarios/default.ini", wc, aging, 333);
    both_ways("scenarios/default.ini", wc, opt, 65536);
}

static void test_scenarios(void)
{
    static const char *const files[] = {
        "scenarios/belady.ini", "scenarios/fork-cow.ini", "scenarios/heap-malloc.ini",
        "scenarios/oom-killer.ini", "scenarios/stack-overflow.ini", "scenarios/swap-writeback.ini",
        "scenarios/thrashing.ini", "scenarios/tlb-reach-huge.ini", "scenarios/sv39-svade.ini",
        "scenarios/x86_32-context-switch.ini", "scenarios/bss-and-alignment.ini",
        "scenarios/overcommit-never.ini",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        for (uint64_t batch = 1; batch <= 64; batch *= 8)
            both_ways(files[i], NULL, NULL, batch);
}

void suite_run(void);
void suite_run(void)
{
    TEST_SUITE("run",
        { "sim_run as sim_step: lackey, TLB levels, tick, opt", test_lackey_tlb_levels },
        { "sim_run as sim_step: the scenarios", test_scenarios });
}
