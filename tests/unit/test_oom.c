/* The OOM killer's arithmetic against the formulas of mm/oom_kill.c and
 * fs/proc/base.c, on hand-built process tables. */
#include "testutil.h"
#include "vmsim/oom.h"

static void test_badness_formula(void)
{
    /* points = rss + swapents + pgtables; adj scaled by totalpages / 1000. */
    CU_ASSERT_EQUAL(oom_badness(600, 0, 6, 0, 1024), 606);
    CU_ASSERT_EQUAL(oom_badness(100, 50, 4, 0, 1024), 154);          /* swap entries count */
    CU_ASSERT_EQUAL(oom_badness(392, 0, 5, 500, 1024), 392 + 5 + 500);   /* 1024/1000 = 1 */
    CU_ASSERT_EQUAL(oom_badness(392, 0, 5, 500, 4096), 392 + 5 + 2000);  /* 4096/1000 = 4 */
    CU_ASSERT_EQUAL(oom_badness(392, 0, 5, 500, 999), 397);           /* 999/1000 = 0 */
    CU_ASSERT_EQUAL(oom_badness(10, 0, 1, -500, 4096), 11 - 2000);     /* can go negative */
    CU_ASSERT_EQUAL(oom_badness(1000000, 0, 0, -1000, 4096), OOM_UNKILLABLE);
}

static void test_select(void)
{
    int64_t t1[] = { 606, 897, 20 };
    CU_ASSERT_EQUAL(oom_select(t1, 3), 1);                    /* the largest */
    int64_t ties[] = { 50, 80, 80, 10 };
    CU_ASSERT_EQUAL(oom_select(ties, 4), 2);                  /* later wins a tie */
    int64_t protected_[] = { OOM_UNKILLABLE, 3, OOM_UNKILLABLE };
    CU_ASSERT_EQUAL(oom_select(protected_, 3), 1);            /* -1000 is never chosen */
    int64_t none[] = { OOM_UNKILLABLE, OOM_UNKILLABLE };
    CU_ASSERT_EQUAL(oom_select(none, 2), -1);
    int64_t negative[] = { -1500, -1200 };
    CU_ASSERT_EQUAL(oom_select(negative, 2), 1);              /* still killable */
    CU_ASSERT_EQUAL(oom_select(NULL, 0), -1);
}

/* /proc/PID/oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3. */
static void test_oom_score(void)
{
    CU_ASSERT_EQUAL(oom_score(606, 1024), (1000 + 606 * 1000 / 1024) * 2 / 3);   /* 1060 */
    CU_ASSERT_EQUAL(oom_score(606, 1024), 1060);
    CU_ASSERT_EQUAL(oom_score(0, 1024), 666);
    CU_ASSERT_EQUAL(oom_score(-1024, 1024), 0);
    CU_ASSERT_EQUAL(oom_score(-2000, 1024), 0);               /* clamped at zero */
    CU_ASSERT_EQUAL(oom_score(OOM_UNKILLABLE, 1024), 0);
    CU_ASSERT_EQUAL(oom_score(1024, 1024), 1333);             /* the top of the range */
}

void suite_oom(void);
void suite_oom(void)
{
    TEST_SUITE("oom",
        { "badness: rss, swap, page tables, scaled adj", test_badness_formula },
        { "victim: largest, later on ties, never -1000", test_select },
        { "/proc/PID/oom_score", test_oom_score });
}
