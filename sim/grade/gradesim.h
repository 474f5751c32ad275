/* vmsim grade-sim: students' own simulators run on the tests' traces and their printed
 * counters compared with vmsim's, computed by its engine under a profile's conventions.
 *
 * A tests file (INI) holds [grade-sim] (profile, build, run, limits) and one
 * [test NAME] per test (trace, frames, policy, compare, points). A profile says the
 * trace format the student's program reads, the names it gives the policies and how
 * to find each counter in its output (one POSIX extended regular expression each). */
#ifndef VMSIM_GRADESIM_H
#define VMSIM_GRADESIM_H

#include <regex.h>

#include "grade.h"
#include "reflog.h"
#include "sandbox.h"
#include "vmsim/policy.h"
#include "vmsim/trace.h"

/* What a simulator can be asked to print. */
typedef enum {
    GS_ACCESSES, GS_FAULTS, GS_WRITES, GS_HITS, GS_MISSES, GS_EVICTIONS,
    GS_CLEAN_EVICTIONS, GS_DIRTY_EVICTIONS, GS_NCOUNTERS
} GsCounter;

extern const char *const gs_counter_names[GS_NCOUNTERS];

#define GS_TESTS_MAX 64

typedef struct GsTest {
    char name[GRADE_NAME_MAX];
    char where[300];                /* FILE:LINE of its section */
    char trace[512];                /* as resolved against the tests file */
    unsigned frames;
    PolicyKind policy;
    bool compare[GS_NCOUNTERS];
    double points;
    char visibility[24];
    unsigned page_shift;            /* log2 of pagesize */
} GsTest;

typedef struct GsConfig {
    char *path;
    char profile[16];
    TraceFormat format;             /* what {trace} is written in */
    char build[512];                /* "" for none */
    char run[1024];
    SandboxLimits build_lim, run_lim;
    char *pattern[GS_NCOUNTERS];    /* as written, NULL if the profile has none */
    regex_t re[GS_NCOUNTERS];
    bool has_re[GS_NCOUNTERS];
    char policy_names[POLICY_COUNT][32];
    GsTest tests[GS_TESTS_MAX];
    size_t ntests;
} GsConfig;

/* Reads a tests file. 0, or -1 with err = "FILE:LINE: what was expected". */
int gs_config_load(GsConfig *c, const char *path, char *err, size_t n);
void gs_config_free(GsConfig *c);

/* vmsim's answer for one test. */
typedef struct GsReference {
    uint64_t count[GS_NCOUNTERS];
    char student_trace[600];        /* the file {trace} names */
    char ref_trace[600];            /* the same references as vmsim's engine reads them */
} GsReference;

/* Writes the test's trace for students (in the profile's format) and for vmsim into
 * dir, and runs vmsim's engine on it. 0, or -1 with err (a bad trace: FILE:LINE). */
int gs_reference(const GsConfig *c, const GsTest *t, const char *dir, GsReference *ref,
                 char *err, size_t n);

/* A student's reflog lines against vmsim's: the first divergence explained into out
 * (nothing when they agree). */
void gs_reflog_check(const GsConfig *c, const GsTest *t, const GsReference *ref,
                     const RefLogRecord *theirs, size_t n, Buf *out);

/* The page a student prints for an engine page: cs1550's pages count within their
 * process. */
uint64_t gs_student_page(const GsConfig *c, const GsTest *t, uint64_t engine_page);

#endif
