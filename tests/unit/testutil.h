/* Helpers shared by the unit tests. */
#ifndef VMSIM_TESTUTIL_H
#define VMSIM_TESTUTIL_H

#include <CUnit/CUnit.h>

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
