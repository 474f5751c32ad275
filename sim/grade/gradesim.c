/* vmsim grade-sim: builds and runs each submission's own simulator on the tests'
 * traces and scores the counters it prints against vmsim's. A build or run that fails,
 * crashes or times out is a result (score 0 with the reason), never an error. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradecli.h"
#include "gradesim.h"

enum { TAIL_LINES = 6 };

static const char gradesim_usage[] =
    "usage: vmsim grade-sim TESTS.ini SUBMISSION_DIR... [options]\n"
    "\n"
    "Builds each submission (the tests file's build command, in its folder), runs its\n"
    "simulator on each test's trace and scores the counters it prints against vmsim's\n"
    "own (profiles cs1550, csc369, custom). Reflog lines it prints ('N VPN R|W H|M\n"
    "VICTIM|- DIRTY') are checked too: the first divergence is explained.\n"
    "Not a security sandbox: run it in a container.\n"
    "\n"
    "  --format FMT   text|csv|gradescope|prairielearn (default text)\n"
    "  --out PATH     a file for one submission; a folder for several\n"
    "  --strict       exit 3 when a submission did not build or a run failed\n"
    "Exit status: 0 graded (whatever the scores), 2 bad tests file or usage, 3 --strict.\n"
    "Documentation: docs/grading.md.\n";

/* The shell word for s, in single quotes. */
static void quoted(Buf *b, const char *s)
{
    buf_printf(b, "'");
    for (; *s; s++)
        buf_printf(b, *s == '\'' ? "'\\''" : "%c", *s);
    buf_printf(b, "'");
}

/* The run template with {trace}, {frames}, {policy} and {pagesize} filled in; with
 * ref NULL, {trace} is left as it is (for messages: the file is temporary). */
static void expand(const GsConfig *c, const GsTest *t, const GsReference *ref, Buf *out)
{
    for (const char *p = c->run; *p; p++) {
        if (strncmp(p, "{trace}", 7) == 0 && ref)
            quoted(out, ref->student_trace), p += 6;
        else if (strncmp(p, "{frames}", 8) == 0)
            buf_printf(out, "%u", t->frames), p += 7;
        else if (strncmp(p, "{policy}", 8) == 0)
            buf_printf(out, "%s", c->policy_names[t->policy]), p += 7;
        else if (strncmp(p, "{pagesize}", 10) == 0)
            buf_printf(out, "%lu", 1ul << t->page_shift), p += 9;
        else
            buf_printf(out, "%c", *p);
    }
}

/* The last lines of a program's output, indented, for a reason. */
static void tail(const SandboxResult *r, Buf *out)
{
    const char *e = r->out + r->len, *p = e;
    int lines = 0;
    while (p > r->out && e[-1] == '\n')
        e--, p = e;
    while (p > r->out && lines < TAIL_LINES)
        if (*--p == '\n')
            lines++;
    if (p < e && *p == '\n')
        p++;
    if (p == e) {
        buf_printf(out, "; no output");
        return;
    }
    buf_printf(out, "; its output ends:");
    for (const char *q = p; q < e;) {
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        const char *le = nl ? nl : e;
        buf_printf(out, "\n    %.*s", (int)(le - q > 160 ? 160 : le - q), q);
        q = nl ? nl + 1 : e;
    }
}

/* The number counter k's expression captures first in the output. */
static bool counter_value(const GsConfig *c, int k, const char *text, unsigned long long *v)
{
    regmatch_t m[2];
    if (regexec(&c->re[k], text, 2, m, 0) != 0 || m[1].rm_so < 0)
        return false;
    char num[32];
    int len = (int)(m[1].rm_eo - m[1].rm_so);
    snprintf(num, sizeof num, "%.*s", len < 31 ? len : 31, text + m[1].rm_so);
    char *end;
    errno = 0;
    *v = strtoull(num, &end, 10);
    return end != num && !*end && !errno;
}

/* Every reflog line of the output, in order. */
static RefLogRecord *reflog_lines(const char *text, size_t *n)
{
    RefLogRecord *v = NULL, rec;
    size_t cap = 0;
    *n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (reflog_parse(p, len, &rec)) {
            if (*n == cap) {
                RefLogRecord *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof *v);
                if (!nv)
                    break;
                v = nv;
            }
            v[(*n)++] = rec;
        }
        p = nl ? nl + 1 : p + len;
    }
    return v;
}

static void add_error(Result *r, const char *msg)
{
    char **nv = realloc(r->errors, (r->nerrors + 1) * sizeof *nv);
    if (!nv)
        return;
    r->errors = nv;
    if ((nv[r->nerrors] = strdup(msg)))
        r->nerrors++;
}

static PartResult *add_part(Result *r, const GsTest *t, int k, double max)
{
    PartResult *nv = realloc(r->parts, (r->nparts + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    r->parts = nv;
    PartResult *p = &nv[r->nparts++];
    memset(p, 0, sizeof *p);
    snprintf(p->item, sizeof p->item, "%s.%s", t->name, gs_counter_names[k]);
    snprintf(p->visibility, sizeof p->visibility, "%s", t->visibility);
    p->max = max;
    p->first_wrong = 0;
    r->max += max;
    return p;
}

static size_t ncompared(const GsTest *t)
{
    size_t n = 0;
    for (int k = 0; k < GS_NCOUNTERS; k++)
        n += t->compare[k];
    return n;
}

/* One counter of a run that finished: right, wrong by how much, or not printed. */
static void score_counter(const GsConfig *c, int k, const GsReference *ref, const char *text,
                          PartResult *p)
{
    unsigned long long v, want = ref->count[k];
    snprintf(p->right, sizeof p->right, "%llu", want);
    if (!counter_value(c, k, text, &v)) {
        buf_printf(&p->explain, "%s: no line matches %s in the output; vmsim counts %llu.\n",
                   p->item, c->pattern[k], want);
        return;
    }
    snprintf(p->given, sizeof p->given, "%llu", v);
    if (v == want) {
        p->score = p->max;
        p->first_wrong = -1;
        return;
    }
    buf_printf(&p->explain, "%s: your program printed %llu; vmsim counts %llu (yours is %llu %s).\n",
               p->item, v, want, v > want ? v - want : want - v, v > want ? "more" : "fewer");
}

/* Runs one test in dir (already built) and appends its parts to r. False if the run
 * failed. */
static bool grade_test(const GsConfig *c, const GsTest *t, const GsReference *ref,
                       const char *dir, Result *r, size_t ti)
{
    Buf cmd = { 0 };
    expand(c, t, ref, &cmd);
    SandboxResult sr;
    sandbox_run(buf_str(&cmd), dir, &c->run_lim, &sr);
    bool ok = sr.started && !sr.timed_out && !sr.signal && sr.exit_code == 0;
    double per = t->points / (double)(ncompared(t) ? ncompared(t) : 1);
    bool first = true;
    for (int k = 0; k < GS_NCOUNTERS; k++) {
        PartResult *p = t->compare[k] ? add_part(r, t, k, per) : NULL;
        if (!p)
            continue;
        if (ok) {
            score_counter(c, k, ref, sr.out, p);
        } else if (first) {
            char why[160];
            sandbox_describe(&sr, &c->run_lim, why, sizeof why);
            Buf shown = { 0 };
            expand(c, t, NULL, &shown);
            buf_printf(&p->explain, "%s: not graded: the run (%s) failed: %s", t->name,
                       buf_str(&shown), why);
            buf_free(&shown);
            tail(&sr, &p->explain);
            buf_printf(&p->explain, "\n");
        }
        if (first && p->first_wrong >= 0 && ok) {
            size_t n;
            RefLogRecord *theirs = reflog_lines(sr.out, &n);
            gs_reflog_check(c, t, ref, theirs, n, &p->explain);
            free(theirs);
        }
        first &= p->first_wrong < 0;
        r->per_question[ti] += p->score;
        r->score += p->score;
    }
    if (ok && sr.truncated)
        add_error(r, "output of a run was cut at the output limit");
    sandbox_result_free(&sr);
    buf_free(&cmd);
    return ok;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The build; false (with the reason in r's errors) if it failed. */
static bool build(const GsConfig *c, const char *dir, Result *r)
{
    if (!is_dir(dir)) {
        add_error(r, "not a folder: nothing to build or run");
        return false;
    }
    if (!c->build[0])
        return true;
    SandboxResult sr;
    sandbox_run(c->build, dir, &c->build_lim, &sr);
    bool ok = sr.started && !sr.timed_out && !sr.signal && sr.exit_code == 0;
    if (!ok) {
        char why[160];
        Buf b = { 0 };
        sandbox_describe(&sr, &c->build_lim, why, sizeof why);
        buf_printf(&b, "the build (%s) failed: %s", c->build, why);
        tail(&sr, &b);
        add_error(r, buf_str(&b));
        buf_free(&b);
    }
    sandbox_result_free(&sr);
    return ok;
}

/* The id of a submission: its folder's name. */
static void submission_id(const char *path, char *id)
{
    char *real = realpath(path, NULL);
    const char *dir = real ? real : path;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *s = dir + len;
    while (s > dir && s[-1] != '/')
        s--;
    snprintf(id, GRADE_NAME_MAX, "%.*s", (int)(dir + len - s), s);
    free(real);
}

/* Grades one submission folder into r. False if it did not build or a run failed. */
static bool grade_submission(const GsConfig *c, const GsReference *refs, const char *dir, Result *r)
{
    memset(r, 0, sizeof *r);
    submission_id(dir, r->id);
    snprintf(r->path, sizeof r->path, "%s", dir);
    r->gradable = true;
    r->per_question = calloc(c->ntests, sizeof *r->per_question);
    bool built = build(c, dir, r), ok = built;
    for (size_t i = 0; i < c->ntests; i++) {
        const GsTest *t = &c->tests[i];
        if (built) {
            ok &= grade_test(c, t, &refs[i], dir, r, i);
            continue;
        }
        bool said = false;
        for (int k = 0; k < GS_NCOUNTERS; k++) {
            PartResult *p = t->compare[k] ? add_part(r, t, k, t->points / (double)ncompared(t)) : NULL;
            if (p && !said)
                buf_printf(&p->explain, "%s: not run: the build failed.\n", t->name);
            said |= p != NULL;
        }
    }
    return ok;
}

/* The tests as an exercise, for the shared outputs (a question per test). */
static int as_exercise(const GsConfig *c, Exercise *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->path = c->path;
    ex->q = calloc(c->ntests, sizeof *ex->q);
    if (!ex->q)
        return -1;
    ex->nq = c->ntests;
    for (size_t i = 0; i < c->ntests; i++) {
        snprintf(ex->q[i].name, sizeof ex->q[i].name, "%s", c->tests[i].name);
        snprintf(ex->q[i].visibility, sizeof ex->q[i].visibility, "%s", c->tests[i].visibility);
    }
    return 0;
}

/* Removes the temporary folder and the traces in it. */
static void cleanup(const char *tmp, const GsReference *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unlink(refs[i].student_trace);
        unlink(refs[i].ref_trace);
    }
    rmdir(tmp);
}

typedef struct GsOpts {
    const char *tests, *out;
    const char **subs;
    size_t nsubs;
    OutFormat fmt;
    bool strict, help;
} GsOpts;

/* One option or argument at argv[*i]: 0 used, -1 bad (said). */
static int gs_option(GsOpts *o, int argc, char **argv, int *i)
{
    int k;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        fputs(gradesim_usage, stdout);
        o->help = true;
        return 0;
    }
    if ((k = grade_output_arg(argc, argv, i, &o->fmt, &o->out, &o->strict)) != 0)
        return k < 0 ? -1 : 0;
    if (argv[*i][0] == '-' && argv[*i][1]) {
        fprintf(stderr, "vmsim grade-sim: unknown option '%s' (see vmsim grade-sim --help)\n", argv[*i]);
        return -1;
    }
    if (!o->tests)
        o->tests = argv[*i];
    else
        o->subs[o->nsubs++] = argv[*i];
    return 0;
}

/* Every submission graded and written out. An exit status. */
static int grade_all(const GsOpts *o, const GsConfig *c, const GsReference *refs)
{
    Result *rs = calloc(o->nsubs, sizeof *rs);
    Exercise ex;
    if (!rs || as_exercise(c, &ex)) {
        free(rs);
        return EXIT_FAILED;
    }
    bool failed = false;
    for (size_t i = 0; i < o->nsubs; i++)
        failed |= !grade_submission(c, refs, o->subs[i], &rs[i]);
    int r = write_results(o->out, o->fmt, &ex, rs, o->nsubs);
    if (r == EXIT_OK && o->strict && failed)
        r = EXIT_STRICT;
    for (size_t i = 0; i < o->nsubs; i++)
        result_free(&rs[i]);
    free(rs);
    free(ex.q);
    return r;
}

/* The references of every test, in a new temporary folder tmp. An exit status. */
static int references(const GsConfig *c, char *tmp, size_t tmplen, GsReference *refs)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp, tmplen, "%s/vmsim-grade-sim.XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "vmsim grade-sim: cannot make a temporary folder %s: %s\n", tmp, strerror(errno));
        return EXIT_FAILED;
    }
    char err[GRADE_ERR];
    for (size_t i = 0; i < c->ntests; i++)
        if (gs_reference(c, &c->tests[i], tmp, &refs[i], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            cleanup(tmp, refs, i + 1);
            return EXIT_USAGE;
        }
    return EXIT_OK;
}

int cmd_grade_sim(int argc, char **argv)
{
    GsOpts o = { .fmt = OUT_TEXT, .subs = calloc((size_t)argc, sizeof(char *)) };
    int r = EXIT_USAGE;
    for (int i = 2; o.subs && i < argc; i++)
        if (gs_option(&o, argc, argv, &i))
            goto done;
    if (o.help) {
        r = EXIT_OK;
        goto done;
    }
    if (!o.tests || !o.nsubs) {
        fputs(gradesim_usage, stderr);
        goto done;
    }
    if (o.nsubs > 1 && !o.out && (o.fmt == OUT_GRADESCOPE || o.fmt == OUT_PL)) {
        fprintf(stderr, "vmsim grade-sim: several submissions in --format %s need --out DIR\n",
                o.fmt == OUT_PL ? "prairielearn" : "gradescope");
        goto done;
    }
    char err[GRADE_ERR], tmp[512];
    GsConfig *c = malloc(sizeof *c);          /* large: GS_TESTS_MAX tests */
    if (!c || gs_config_load(c, o.tests, err, sizeof err)) {
        fprintf(stderr, "%s\n", c ? err : "vmsim grade-sim: out of memory");
        free(c);
        goto done;
    }
    GsReference *refs = calloc(c->ntests, sizeof *refs);
    r = refs ? references(c, tmp, sizeof tmp, refs) : EXIT_FAILED;
    if (r == EXIT_OK) {
        r = grade_all(&o, c, refs);
        cleanup(tmp, refs, c->ntests);
    }
    free(refs);
    gs_config_free(c);
    free(c);
done:
    free(o.subs);
    return r;
}
