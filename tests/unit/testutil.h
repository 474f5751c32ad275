/* Helpers shared by the unit tests. */
#ifndef VMSIM_TESTUTIL_H
#define VMSIM_TESTUTIL_H

#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

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

/* Directory holding tests/data, set from the build (defaults to tests/data). */
#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

#endif
