/* vmsim grade: answers files scored against keys regenerated from the exercise. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradecli.h"


static const char grade_usage[] =
    "usage: vmsim grade EXERCISE.ini SUBMISSION... [options]\n"
    "\n"
    "Scores answers files (QUESTION.PART = ANSWER lines) against each student's key,\n"
    "made again from the exercise and the student id (a 'student = ID' line, else the\n"
    "file's or folder's name). A SUBMISSION is an answers file or a folder of them\n"
    "(a folder holding answers.txt is one submission, as vmsim generate writes it).\n"
    "\n"
    "  --format FMT               text|csv|gradescope|prairielearn (default text)\n"
    "  --out PATH                 a file for one submission; a folder for several\n"
    "                             (a result per student, summary.csv, items.csv)\n"
    "  --explain WHICH            first|all|none: wrong steps explained (default first)\n"
    "  --keys DIR                 grade against DIR/ID/key.txt instead\n"
    "  --student ID               grade the one submission as ID (an autograder's id;\n"
    "                             a 'student =' line naming another is an error)\n"
    "  --strict                   exit 3 when a submission has format errors\n"
    "  --set 'SECTION.KEY=VALUE'  as given to vmsim generate\n"
    "Exit status: 0 graded (whatever the scores), 2 bad exercise or usage, 3 --strict.\n"
    "Documentation: docs/grading.md.\n";

int grade_arg(GradeArgs *ga, int argc, char **argv, int *i)
{
    const char *v;
    int k;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        fputs(ga->usage, stdout);
        ga->help = true;
        return 1;
    }
    if ((k = opt_value(argc, argv, i, "--set", &v)) != 0) {
        if (k < 0)
            return -1;
        if (ga->nsets == sizeof ga->sets / sizeof ga->sets[0]) {
            fprintf(stderr, "vmsim: at most %zu --set options\n", ga->nsets);
            return -1;
        }
        ga->sets[ga->nsets++] = v;
        return 1;
    }
    return 0;
}

int grade_load(const GradeArgs *ga, const char *path, Exercise *ex)
{
    char err[GRADE_ERR];
    if (exercise_load(ex, path, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    for (size_t i = 0; i < ga->nsets; i++)
        snprintf(ex->sets[ex->nsets++], sizeof ex->sets[0], "%s", ga->sets[i]);
    return 0;
}

/* ---- submissions --------------------------------------------------------------- */

typedef struct Paths {
    char **v;
    size_t n;
} Paths;

static void paths_add(Paths *p, const char *path)
{
    char **nv = realloc(p->v, (p->n + 1) * sizeof *nv);
    if (nv && (nv[p->n] = strdup(path))) {
        p->v = nv;
        p->n++;
    } else if (nv) {
        p->v = nv;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A folder: its answers.txt, else its *.txt files and its subfolders' answers.txt. */
static void add_folder(Paths *p, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/answers.txt", dir);
    if (is_file(path)) {
        paths_add(p, path);
        return;
    }
    DIR *d = opendir(dir);
    if (!d)
        return;
    Paths found = { 0 };
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0 && is_file(path)) {
            paths_add(&found, path);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s/answers.txt", dir, e->d_name);
        if (is_file(path))
            paths_add(&found, path);
    }
    closedir(d);
    qsort(found.v, found.n, sizeof *found.v, by_name);
    for (size_t i = 0; i < found.n; i++) {
        paths_add(p, found.v[i]);
        free(found.v[i]);
    }
    free(found.v);
}

static void add_submission(Paths *p, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        add_folder(p, arg);
    else
        paths_add(p, arg);      /* a missing file is reported when it is graded */
}

/* ---- one submission -------------------------------------------------------------- */

/* The version a key.txt was made by (its @version line), or "" if none. */
static void key_version(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "@version = ", 11) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(out, n, "%.100s", line + 11);
            break;
        }
    fclose(f);
}

/* Warns once per run when a saved key was made by another version of vmsim. */
static void check_version(const char *answers_path, const char *keys_dir, const char *id)
{
    static bool warned;
    char path[1024], ver[128], mine[64];
    if (keys_dir)
        snprintf(path, sizeof path, "%s/%s/key.txt", keys_dir, id);
    else {
        snprintf(path, sizeof path, "%s", answers_path);
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "key.txt");
    }
    key_version(path, ver, sizeof ver);
    snprintf(mine, sizeof mine, "vmsim %s", grade_version());
    if (ver[0] && strcmp(ver, mine) != 0 && !warned) {
        fprintf(stderr, "vmsim grade: warning: %s was made by %s, this is %s; the keys are made "
                "again by this version\n", path, ver, mine);
        warned = true;
    }
}

/* Grades one path into r (never fails on content). -1: the exercise cannot make a
 * variant (said on stderr). */
static int grade_one(const Exercise *ex, const char *path, const char *keys_dir, ExplainMode em,
                     const char *student, Result *r)
{
    Answers a;
    char err[GRADE_ERR];
    if (answers_load(&a, path, err, sizeof err)) {
        memset(r, 0, sizeof *r);
        snprintf(r->path, sizeof r->path, "%s", path);
        snprintf(r->id, sizeof r->id, "%s", "unknown");
        r->errors = malloc(sizeof *r->errors);
        if (r->errors && (r->errors[0] = strdup(err)))
            r->nerrors = 1;
        r->per_question = calloc(ex->nq, sizeof *r->per_question);
        return 0;
    }
    if (student)
        answers_force_id(&a, student);
    check_version(path, keys_dir, a.id);
    int rc = grade_answers(ex, &a, keys_dir, em, r, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    answers_free(&a);
    return rc;
}

static void write_result(FILE *out, OutFormat fmt, const Exercise *ex, const Result *r, bool header)
{
    switch (fmt) {
    case OUT_TEXT: output_text(out, ex, r); break;
    case OUT_GRADESCOPE: output_gradescope(out, r); break;
    case OUT_PL: output_prairielearn(out, r); break;
    case OUT_CSV:
        if (header)
            output_csv_header(out, ex);
        output_csv_row(out, ex, r);
        break;
    }
}

/* Writes one result per student, summary.csv and items.csv into dir. */
static int write_folder(const char *dir, OutFormat fmt, const Exercise *ex, const Result *rs,
                        size_t n)
{
    static const char *const ext[] = { "txt", "csv", "json", "json" };
    char path[1024];
    if (grade_mkdirs(dir))
        return -1;
    for (size_t i = 0; i <= n + 1; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
            return -1;
        if (i < n) {
            snprintf(path, sizeof path, "%s/%s.%s", dir, rs[i].id, ext[fmt]);
            write_result(f, fmt, ex, &rs[i], true);
        } else if (i == n) {
            snprintf(path, sizeof path, "%s/summary.csv", dir);
            output_csv_header(f, ex);
            for (size_t k = 0; k < n; k++)
                output_csv_row(f, ex, &rs[k]);
        } else {
            snprintf(path, sizeof path, "%s/items.csv", dir);
            output_items_csv(f, ex, rs, n);
        }
        fclose(f);
        int w = app_write_text(path, text, len, NULL, 0);
        free(text);
        if (w)
            return -1;
    }
    return 0;
}

int write_results(const char *out, OutFormat fmt, const Exercise *ex, const Result *rs,
                         size_t n)
{
    if (n > 1 && out) {
        if (write_folder(out, fmt, ex, rs, n) == 0)
            return EXIT_OK;
        fprintf(stderr, "vmsim: cannot write %s: %s\n", out, strerror(errno));
        return EXIT_FAILED;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return EXIT_FAILED;
    for (size_t i = 0; i < n; i++) {
        if (i && fmt == OUT_TEXT)
            fputc('\n', f);
        write_result(f, fmt, ex, &rs[i], i == 0);
    }
    fclose(f);
    int r = EXIT_OK;
    if (out ? app_write_text(out, text, len, NULL, 0) != 0 : fwrite(text, 1, len, stdout) != len) {
        fprintf(stderr, "vmsim: cannot write %s: %s\n", out ? out : "stdout", strerror(errno));
        r = EXIT_FAILED;
    }
    free(text);
    return r;
}

/* ---- the command ------------------------------------------------------------------ */

typedef struct GradeOpts {
    GradeArgs ga;
    const char *exfile, *out, *keys, *student;
    OutFormat fmt;
    ExplainMode em;
    bool strict;
    Paths subs;
} GradeOpts;

int grade_output_arg(int argc, char **argv, int *i, OutFormat *fmt, const char **out, bool *strict)
{
    static const char *const fmts[] = { "text", "csv", "gradescope", "prairielearn" };
    const char *v;
    int k, f = 0;
    if ((k = opt_value(argc, argv, i, "--format", &v)) != 0) {
        if (k < 0 || parse_choice("--format", v, fmts, 4, &f))
            return -1;
        *fmt = (OutFormat)f;
        return 1;
    }
    if ((k = opt_value(argc, argv, i, "--out", out)) != 0)
        return k;
    if (strcmp(argv[*i], "--strict") == 0)
        return *strict = true, 1;
    return 0;
}

/* One option or argument at argv[*i]: 0 used, -1 bad (said). */
static int grade_option(GradeOpts *o, int argc, char **argv, int *i)
{
    static const char *const fmts[] = { "text", "csv", "gradescope", "prairielearn" };
    static const char *const ems[] = { "first", "all", "none" };
    const char *v;
    int k;
    if ((k = grade_arg(&o->ga, argc, argv, i)) != 0)
        return k < 0 ? -1 : 0;
    if ((k = opt_value(argc, argv, i, "--format", &v)) != 0) {
        int f = 0;
        if (k < 0 || parse_choice("--format", v, fmts, 4, &f))
            return -1;
        o->fmt = (OutFormat)f;
        return 0;
    }
    if ((k = opt_value(argc, argv, i, "--explain", &v)) != 0) {
        int e = 0;
        if (k < 0 || parse_choice("--explain", v, ems, 3, &e))
            return -1;
        o->em = (ExplainMode)e;
        return 0;
    }
    if ((k = opt_value(argc, argv, i, "--out", &o->out)) != 0)
        return k < 0 ? -1 : 0;
    if ((k = opt_value(argc, argv, i, "--keys", &o->keys)) != 0)
        return k < 0 ? -1 : 0;
    if ((k = opt_value(argc, argv, i, "--student", &o->student)) != 0) {
        char low[GRADE_NAME_MAX];
        if (k > 0 && !grade_id(o->student, low))
            fprintf(stderr, "vmsim grade: --student needs a student id, not '%s'\n", o->student);
        return k < 0 || !grade_id(o->student, low) ? -1 : 0;
    }
    if (strcmp(argv[*i], "--strict") == 0) {
        o->strict = true;
        return 0;
    }
    if (argv[*i][0] == '-' && argv[*i][1]) {
        fprintf(stderr, "vmsim grade: unknown option '%s' (see vmsim grade --help)\n", argv[*i]);
        return -1;
    }
    if (!o->exfile)
        o->exfile = argv[*i];
    else
        add_submission(&o->subs, argv[*i]);
    return 0;
}

static int grade_all(GradeOpts *o, const Exercise *ex)
{
    Result *rs = calloc(o->subs.n, sizeof *rs);
    if (!rs)
        return EXIT_FAILED;
    int r = EXIT_OK;
    bool flawed = false;
    size_t done = 0;
    for (; done < o->subs.n; done++) {
        if (grade_one(ex, o->subs.v[done], o->keys, o->em, o->student, &rs[done])) {
            r = EXIT_USAGE;
            break;
        }
        flawed |= rs[done].nerrors > 0 || !rs[done].gradable;
    }
    if (r == EXIT_OK)
        r = write_results(o->out, o->fmt, ex, rs, o->subs.n);
    if (r == EXIT_OK && o->strict && flawed)
        r = EXIT_STRICT;
    for (size_t i = 0; i < done; i++)
        result_free(&rs[i]);
    free(rs);
    return r;
}

int cmd_grade(int argc, char **argv)
{
    GradeOpts o = { .ga.usage = grade_usage, .fmt = OUT_TEXT, .em = EXPLAIN_FIRST };
    int r = EXIT_USAGE;
    for (int i = 2; i < argc; i++)
        if (grade_option(&o, argc, argv, &i))
            goto done;
    if (o.ga.help) {
        r = EXIT_OK;
        goto done;
    }
    if (!o.exfile || !o.subs.n) {
        fputs(grade_usage, stderr);
        goto done;
    }
    if (o.student && o.subs.n > 1) {
        fprintf(stderr, "vmsim grade: --student names the student of one submission\n");
        goto done;
    }
    if (o.subs.n > 1 && !o.out && (o.fmt == OUT_GRADESCOPE || o.fmt == OUT_PL)) {
        fprintf(stderr, "vmsim grade: several submissions in --format %s need --out DIR\n",
                o.fmt == OUT_PL ? "prairielearn" : "gradescope");
        goto done;
    }
    Exercise ex;
    if (grade_load(&o.ga, o.exfile, &ex))
        goto done;
    r = grade_all(&o, &ex);
    exercise_free(&ex);
done:
    for (size_t i = 0; i < o.subs.n; i++)
        free(o.subs.v[i]);
    free(o.subs.v);
    return r;
}
