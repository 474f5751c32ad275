/* Helpers shared by the unit tests. */
#ifndef VMSIM_TESTUTIL_H
#define VMSIM_TESTUTIL_H

#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "vmsim/scenario.h"

/* One suite a test program can run: its name and the function that registers it. */
typedef struct TestSuiteEntry {
    const char *name;
    void (*add)(void);
} TestSuiteEntry;

/* Registers the suites argv names (all of them with none), runs them and prints
 * "LABEL: N passed, N failed". Returns 0; 1 if any assertion or test failed or none
 * ran; 2 if CUnit cannot start. The counts are read before cleanup: CU_get_error()
 * does not report failed assertions. */
static inline int test_run(const char *label, const TestSuiteEntry *suites, size_t n,
                           int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < n; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc && !wanted; a++)
            wanted = strcmp(argv[a], suites[i].name) == 0;
        if (wanted)
            suites[i].add();
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned asserts = CU_get_number_of_failures();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    printf("\n%s: %u passed, %u failed\n", label, run - tests_failed, tests_failed);
    if (asserts)
        printf("(%u assertions failed)\n", asserts);
    return (asserts || tests_failed || err != CUE_SUCCESS || run == 0) ? 1 : 0;
}

/* Adds a suite named NAME with the given tests ({"name", fn}, ..., {NULL, NULL}). */
#define TEST_SUITE(NAME, ...)                                              \
    do {                                                                   \
        CU_pSuite s_ = CU_add_suite(NAME, NULL, NULL);                     \
        static const struct { const char *n; CU_TestFunc f; } t_[] = {     \
            __VA_ARGS__, { NULL, NULL } };                                 \
        for (int i_ = 0; s_ && t_[i_].n; i_++)                             \
            CU_add_test(s_, t_[i_].n, t_[i_].f);                           \
    } while (0)

/* Loads ini (named "test.ini"), builds its machine into *sim and opens its trace into
 * *t, with fn(ctx) observing (NULL: none), then steps to the end, checking the
 * bookkeeping after every step. A scenario that does not load stops the test. Returns
 * the last step's status; test_ini_fini frees what it made. */
static inline StepStatus test_ini_run(const char *ini, Scenario *sc, Sim **sim, TraceReader **t,
                                      SimObserver fn, void *ctx)
{
    char err[512];
    scenario_init(sc);
    CU_ASSERT_EQUAL_FATAL(scenario_load_text(sc, "test.ini", ini, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(scenario_validate(sc, err, sizeof err), 0);
    *sim = scenario_build(sc, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*sim);
    bool none;
    *t = scenario_open_trace(sc, NULL, TRACE_AUTO, &none, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*t);
    sim_set_trace(*sim, *t);
    sim_set_observer(*sim, fn, ctx);
    StepStatus st;
    while ((st = sim_step(*sim, NULL)) == STEP_OK)
        CU_ASSERT_PTR_NULL(sim_check(*sim));
    return st;
}

static inline void test_ini_fini(Scenario *sc, Sim *sim, TraceReader *t)
{
    sim_destroy(sim);
    trace_close(t);
    scenario_fini(sc);
}

/* Directory holding tests/data, set from the build (defaults to tests/data). */
#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

#endif
