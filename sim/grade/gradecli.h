/* vmsim generate and vmsim grade: what their command lines share. */
#ifndef VMSIM_GRADECLI_H
#define VMSIM_GRADECLI_H

#include "grade.h"

/* Student ids, lowercased, each once. */
typedef struct GradeIds {
    char (*v)[GRADE_NAME_MAX];
    size_t n;
} GradeIds;

/* Adds id (lowercased) unless listed. 0, or -1 if it is not an id. */
int grade_ids_add(GradeIds *ids, const char *id);

/* The options both verbs take: --set (repeatable) and --help. */
typedef struct GradeArgs {
    const char *usage;
    const char *sets[16];
    size_t nsets;
    bool help;
} GradeArgs;

/* One common option at argv[*i]: 1 used, 0 not one, -1 bad (said on stderr). */
int grade_arg(GradeArgs *ga, int argc, char **argv, int *i);

/* Loads the exercise with the --set lines. 0, or -1 with the FILE:LINE message said. */
int grade_load(const GradeArgs *ga, const char *path, Exercise *ex);

/* Makes the folders of path (mkdir -p). 0 or -1 with errno. */
int grade_mkdirs(const char *path);

typedef enum { OUT_TEXT, OUT_CSV, OUT_GRADESCOPE, OUT_PL } OutFormat;

/* The output options of the graders that run students' code: --format, --out,
 * --strict. 1 used, 0 not one of them, -1 bad (said on stderr). */
int grade_output_arg(int argc, char **argv, int *i, OutFormat *fmt, const char **out, bool *strict);

/* Writes the results where out says (stdout without it; a folder of one result per
 * student, summary.csv and items.csv when there are several). An exit status. */
int write_results(const char *out, OutFormat fmt, const Exercise *ex, const Result *rs, size_t n);

/* Writes every student's files under out and lists them on stdout. An exit status. */
int generate_all(const Exercise *ex, const GradeIds *ids, const char *out);

#endif
