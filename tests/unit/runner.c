/* The one CUnit runner: registers every suite from suites.h and exits non-zero
 * when any assertion failed. Usage: test_unit [SUITE-NAME...] */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

#include "testutil.h"

#define SUITE(name) void suite_##name(void);
#include "suites.h"
#undef SUITE

static const struct { const char *name; void (*add)(void); } suites[] = {
#define SUITE(name) { #name, suite_##name },
#include "suites.h"
#undef SUITE
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (wanted(suites[i].name, argc, argv))
            suites[i].add();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    /* Read the counts before cleanup: CU_get_error() does not report failed assertions. */
    unsigned asserts = CU_get_number_of_failures();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    printf("\nunit: %u passed, %u failed\n", run - tests_failed, tests_failed);
    if (asserts)
        printf("(%u assertions failed)\n", asserts);
    return (asserts || tests_failed || err != CUE_SUCCESS || run == 0) ? 1 : 0;
}
