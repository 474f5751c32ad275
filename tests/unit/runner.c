/* The one CUnit runner: registers every suite from suites.h and exits non-zero
 * when any assertion failed. Usage: test_unit [SUITE-NAME...] */
#include "testutil.h"

#define SUITE(name) void suite_##name(void);
#include "suites.h"
#undef SUITE

static const TestSuiteEntry suites[] = {
#define SUITE(name) { #name, suite_##name },
#include "suites.h"
#undef SUITE
};

int main(int argc, char **argv)
{
    return test_run("unit", suites, sizeof suites / sizeof suites[0], argc, argv);
}
