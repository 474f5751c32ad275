/* Tests for the describer (sim/core/describe.c): the words every front end shows. The
 * root register is each architecture's own name for it: CR3 (Intel SDM vol. 3A, 4.2
 * "Hierarchical paging structures"), satp (RISC-V privileged spec, "Supervisor Address
 * Translation and Protection Register"), PDBR (OSTEP's paging-multilevel-translate.py
 * homework: "page directory base register"). */
#include <string.h>

#include "testutil.h"
#include "vmsim/describe.h"
#include "vmsim/scenario.h"

void suite_describe(void);

static void test_root_register(void)
{
    static const struct { ArchKind a; const char *want; } cases[] = {
        { ARCH_X86_64, "CR3" }, { ARCH_X86_32, "CR3" }, { ARCH_SV39, "satp" }, { ARCH_SV48, "satp" },
        { ARCH_OSTEP, "PDBR" }, { ARCH_CUSTOM, "root" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Geometry g;
        geo_preset(&g, cases[i].a);
        CU_ASSERT_STRING_EQUAL(describe_root_register(&g), cases[i].want);
    }
}

static void test_words(void)
{
    CU_ASSERT_STRING_EQUAL(describe_signal(FAULT_SEGV_MAPERR), "Segmentation fault");
    CU_ASSERT_STRING_EQUAL(describe_signal(FAULT_SIGBUS), "Bus error");
    CU_ASSERT_STRING_EQUAL(describe_signal(FAULT_SIGABRT), "Aborted");
    CU_ASSERT_STRING_EQUAL(describe_proc_state(PROC_RUNNING), "running");
    CU_ASSERT_STRING_EQUAL(describe_proc_state(PROC_EXITED), "exited");
    CU_ASSERT_STRING_EQUAL(describe_proc_state(PROC_KILLED), "killed");
    CU_ASSERT_STRING_EQUAL(describe_fault(FAULT_MINOR), "minor");
}

/* A frame allocation names the page by its first address whatever the access's offset
 * (4 KiB pages: 0x600010 is in page 0x600000); a fill by its TLB entry's page size
 * (2 MiB: 0x7fe00000 holds 0x7fe12345). The policy's words start with its label. */
static void test_events(void)
{
    MachineConfig m;
    machine_default(&m);
    m.memory.policy = POLICY_FIFO;
    char err[256], buf[256];
    Sim *s = sim_create(&m, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    SimEvent ev = { .kind = EV_FRAME_ALLOC, .va = 0x600010, .pfn = 7 };
    describe_event(s, &ev, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "page 0x600000 now in frame 7");
    ev = (SimEvent){ .kind = EV_TLB_FILL, .va = 0x7fe12345, .shift = 21, .pfn = 512 };
    describe_event(s, &ev, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "TLB fill: page 0x7fe00000 -> frame 512");
    ev = (SimEvent){ .kind = EV_SEGV, .pid = 99, .fault = FAULT_SIGBUS, .detail = "misaligned" };
    describe_event(s, &ev, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "Bus error: ? killed: misaligned");
    size_t n = describe_policy(s, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "FIFO (first in, first out): no pages loaded");
    CU_ASSERT_EQUAL(n, strlen(buf));
    sim_destroy(s);
}

/* A swap entry keeps slot + 1 in a non-present entry's frame field (x86-64: bits
 * 51:12, P clear), so slot 0 is not the empty entry 0; present and empty entries name
 * no slot. */
static void test_swap_entry(void)
{
    Geometry g;
    geo_preset(&g, ARCH_X86_64);
    CU_ASSERT_EQUAL(swap_entry_encode(&g, 0), 0x1000);
    CU_ASSERT_EQUAL(swap_entry_encode(&g, 5), 0x6000);
    int64_t slot = -1;
    CU_ASSERT_TRUE(swap_entry_decode(&g, 0x6000, &slot));
    CU_ASSERT_EQUAL(slot, 5);
    CU_ASSERT_FALSE(swap_entry_decode(&g, 0, &slot));
    CU_ASSERT_FALSE(swap_entry_decode(&g, 0x6001, &slot));   /* P set: a present page */
}

typedef struct OomSeen {
    unsigned killed, report;
    int victims[8];
    bool lines_match;       /* each kill line names its victim_pid, as the kernel writes it */
} OomSeen;

static void see_oom(void *ctx, const SimEvent *ev)
{
    OomSeen *o = ctx;
    if (ev->kind != EV_OOM)
        return;
    if (ev->oom != OOM_KILLED) {
        o->report++;
        o->lines_match &= strncmp(ev->detail, "Out of memory: Killed", 21) != 0;
        return;
    }
    char want[48];
    snprintf(want, sizeof want, "Out of memory: Killed process %d (", ev->victim_pid);
    o->lines_match &= strncmp(ev->detail, want, strlen(want)) == 0;
    if (o->killed < 8)
        o->victims[o->killed] = ev->victim_pid;
    o->killed++;
}

/* scenarios/oom-killer.ini kills one process: its kill line is typed OOM_KILLED with
 * the victim's pid (a process that ends killed); the invocation and the task table are
 * OOM_REPORT lines. */
static void test_oom_lines(void)
{
    Scenario sc;
    char err[512];
    bool none;
    scenario_init(&sc);
    CU_ASSERT_EQUAL_FATAL(scenario_load(&sc, "scenarios/oom-killer.ini", err, sizeof err), 0);
    Sim *s = scenario_build(&sc, err, sizeof err);
    TraceReader *t = s ? scenario_open_trace(&sc, NULL, TRACE_AUTO, &none, err, sizeof err) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    sim_set_trace(s, t);
    OomSeen o = { .lines_match = true };
    sim_set_observer(s, see_oom, &o);
    while (sim_step(s, NULL) == STEP_OK)
        ;
    CU_ASSERT_EQUAL(o.killed, 1);
    CU_ASSERT(o.report >= 3);
    CU_ASSERT_TRUE(o.lines_match);
    const Process *v = sim_proc_by_pid(s, o.victims[0]);
    CU_ASSERT_PTR_NOT_NULL(v);
    CU_ASSERT(v && v->state == PROC_KILLED);
    sim_destroy(s);
    trace_close(t);
    scenario_fini(&sc);
}

void suite_describe(void)
{
    TEST_SUITE("describe",
               { "root_register", test_root_register },
               { "words", test_words },
               { "events", test_events },
               { "swap_entry", test_swap_entry },
               { "oom_lines", test_oom_lines });
}
