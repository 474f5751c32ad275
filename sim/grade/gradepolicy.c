/* vmsim grade-policy: students' replacement policies, loaded as plugins
 * (include/vmsim/policy_plugin.h), run on each test's trace in a forked child under
 * CPU and memory limits, and compared with a reference policy of vmsim's own. A crash,
 * a hang or a wrong victim() answer is that test's result (score 0), never the
 * grader's failure. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "gradecli.h"
#include "plugin.h"
#include "sandbox.h"

enum { GP_TESTS_MAX = 64, EXIT_BAD_ANSWER = 5, EXIT_NO_LOAD = 4 };
typedef enum { CMP_VICTIMS, CMP_FAULTS, CMP_AT_MOST, CMP_RATIO } GpCompare;
static const char *const compare_names[] = { "victims", "faults", "faults_at_most_reference", "ratio" };

static const char gp_usage[] =
    "usage: vmsim grade-policy TESTS.ini STUDENT.so... [options]\n"
    "\n"
    "Loads each student's replacement policy (a plugin built against\n"
    "include/vmsim/policy_plugin.h, see 'vmsim help plugin-header') in a child process\n"
    "under CPU and memory limits, runs it on each test's trace and compares it with the\n"
    "tests file's reference policy: the victims one by one (the first divergence\n"
    "explained with the reference policy's state), the fault count, or a ratio between\n"
    "FIFO and OPT. A crash, a hang or a bad frame scores 0 for that test.\n"
    "\n"
    "  --format FMT   text|csv|gradescope|prairielearn (default text)\n"
    "  --out PATH     a file for one student; a folder for several\n"
    "  --strict       exit 3 when a plugin crashed, hung or answered a bad frame\n"
    "Exit status: 0 graded (whatever the scores), 2 bad tests file or usage, 3 --strict.\n"
    "Documentation: docs/grading.md.\n";

typedef struct GpTest {
    char name[GRADE_NAME_MAX], where[300], trace[600], visibility[24];
    TraceFormat format;
    unsigned frames;
    GpCompare compare;
    double points;
} GpTest;

typedef struct GpConfig {
    const char *path;
    PolicyKind reference;
    unsigned cpu_seconds, memory_mb, repeat;
    GpTest tests[GP_TESTS_MAX];
    size_t ntests;
} GpConfig;

/* One eviction: the reference that made it, the page and the frame. */
typedef struct GpVictim {
    uint64_t ref, page;
    uint32_t frame;
    int pid;
} GpVictim;

/* A run of the engine on a test. */
typedef struct GpRun {
    uint64_t faults, refs;
    GpVictim *v;
    size_t n, cap;
    unsigned shift;
    volatile uint64_t *progress;   /* the child's reference, shared with the grader */
} GpRun;

/* ---- the tests file ---------------------------------------------------------- */

typedef struct ConfCtx {
    GpConfig *c;
    GpTest *t;
    bool main_seen;
    char *err;
    size_t n;
    int line;
    FILE *f;
} ConfCtx;

/* inih's reader: counts lines (for messages). */
static char *conf_reader(char *str, int num, void *stream)
{
    ConfCtx *x = stream;
    if (!fgets(str, num, x->f))
        return NULL;
    x->line++;
    return str;
}

static bool uint_in(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi || v[0] == '-')
        return false;
    *out = (unsigned)x;
    return true;
}

static int conf_main_key(ConfCtx *x, const char *k, const char *v)
{
    GpConfig *c = x->c;
    if (strcmp(k, "reference") == 0)
        return policy_parse(v, &c->reference) && c->reference < POLICY_COUNT ? 0 : -1;
    if (strcmp(k, "cpu_seconds") == 0)
        return uint_in(v, 1, 3600, &c->cpu_seconds) ? 0 : -1;
    if (strcmp(k, "memory_mb") == 0)
        return uint_in(v, VMSIM_SANDBOX_MB_MIN, VMSIM_SANDBOX_MB_MAX, &c->memory_mb) ? 0 : -1;
    if (strcmp(k, "repeat") == 0)
        return uint_in(v, 1, 2, &c->repeat) ? 0 : -1;
    return -2;
}

/* The trace path relative to the tests file's folder. */
static void resolve(const char *base, const char *v, char *out, size_t n)
{
    const char *slash = strrchr(base, '/');
    if (v[0] == '/' || !slash)
        snprintf(out, n, "%s", v);
    else
        snprintf(out, n, "%.*s/%s", (int)(slash - base), base, v);
}

static int conf_test_key(ConfCtx *x, const char *k, const char *v)
{
    GpTest *t = x->t;
    int i;
    if (strcmp(k, "trace") == 0)
        return resolve(x->c->path, v, t->trace, sizeof t->trace), 0;
    if (strcmp(k, "trace_format") == 0)
        return trace_format_parse(v, &t->format) ? 0 : -1;
    if (strcmp(k, "frames") == 0)
        return uint_in(v, 1, VMSIM_GRADE_FRAMES_MAX, &t->frames) ? 0 : -1;
    if (strcmp(k, "points") == 0) {
        char *end;
        t->points = strtod(v, &end);
        return *v && !*end && t->points >= 0 && t->points <= 1e6 ? 0 : -1;
    }
    if (strcmp(k, "visibility") == 0)
        return snprintf(t->visibility, sizeof t->visibility, "%s", v), 0;
    if (strcmp(k, "compare") == 0) {
        for (i = 0; i < 4 && strcmp(v, compare_names[i]); i++)
            ;
        t->compare = (GpCompare)i;
        return i < 4 ? 0 : -1;
    }
    return -2;
}

static const char *expected_of(const char *section, const char *k)
{
    if (!section)
        return "reference = a policy vmsim has, cpu_seconds = 1..3600, memory_mb = 16.., repeat = 1 or 2";
    return strcmp(k, "compare") == 0 ? "compare = victims, faults, faults_at_most_reference or ratio"
         : strcmp(k, "frames") == 0 ? "frames = a number of frames"
         : strcmp(k, "points") == 0 ? "points = a number"
         : strcmp(k, "trace_format") == 0 ? "trace_format = a format of --trace-format"
         : "trace, trace_format, frames, compare, points or visibility";
}

static int conf_handler(void *user, const char *section, const char *k, const char *v)
{
    ConfCtx *x = user;
    int line = x->line, r = -2;
    if (x->err[0])
        return 1;
    if (strcmp(section, "grade-policy") == 0)
        x->main_seen = true, r = conf_main_key(x, k, v);
    else if (strncmp(section, "test ", 5) == 0) {
        if (!x->t || strcmp(x->t->name, section + 5)) {
            if (x->c->ntests == GP_TESTS_MAX)
                return snprintf(x->err, x->n, "%s:%d: at most %d tests", x->c->path, line, GP_TESTS_MAX), 1;
            x->t = &x->c->tests[x->c->ntests++];
            *x->t = (GpTest){ .frames = 0, .compare = CMP_VICTIMS, .points = 1, .format = TRACE_AUTO };
            snprintf(x->t->name, sizeof x->t->name, "%s", section + 5);
            snprintf(x->t->visibility, sizeof x->t->visibility, "visible");
            snprintf(x->t->where, sizeof x->t->where, "%s:%d", x->c->path, line);
        }
        r = conf_test_key(x, k, v);
    }
    if (r == 0)
        return 1;
    bool main = strcmp(section, "grade-policy") == 0;
    snprintf(x->err, x->n, r == -2 && !main && strncmp(section, "test ", 5)
             ? "%s:%d: unknown section [%s] (expected [grade-policy] or [test NAME])%s"
             : "%s:%d: expected %s", x->c->path, line,
             r == -2 && !main && strncmp(section, "test ", 5) ? section : expected_of(main ? NULL : section, k), "");
    return 1;
}

/* Reads path. 0, or -1 with err = "FILE:LINE: what was expected". */
static int gp_config_load(GpConfig *c, const char *path, char *err, size_t n)
{
    *c = (GpConfig){ .path = path, .reference = POLICY_COUNT, .cpu_seconds = 10, .memory_mb = 512, .repeat = 1 };
    ConfCtx x = { .c = c, .err = err, .n = n, .f = fopen(path, "r") };
    err[0] = '\0';
    if (!x.f)
        return snprintf(err, n, "%s: cannot read it: %s", path, strerror(errno)), -1;
    int r = ini_parse_stream(conf_reader, &x, conf_handler, &x);
    fclose(x.f);
    if (err[0])
        return -1;
    if (r > 0)
        return snprintf(err, n, "%s:%d: expected KEY = VALUE or [SECTION]", path, r), -1;
    if (c->reference == POLICY_COUNT)
        return snprintf(err, n, "%s:1: expected [grade-policy] with reference = POLICY", path), -1;
    for (size_t i = 0; i < c->ntests; i++)
        if (!c->tests[i].trace[0] || !c->tests[i].frames)
            return snprintf(err, n, "%s: expected trace = FILE and frames = N in [test %s]",
                            c->tests[i].where, c->tests[i].name), -1;
    if (!c->ntests)
        return snprintf(err, n, "%s:1: expected at least one [test NAME]", path), -1;
    return 0;
}

/* ---- runs ---------------------------------------------------------------------- */

static void on_event(void *ctx, const SimEvent *ev)
{
    GpRun *r = ctx;
    if (ev->kind != EV_VICTIM)
        return;
    if (r->n == r->cap) {
        GpVictim *nv = realloc(r->v, (r->cap = r->cap ? 2 * r->cap : 256) * sizeof *nv);
        if (!nv)
            abort();
        r->v = nv;
    }
    r->v[r->n++] = (GpVictim){ r->refs + 1, ev->victim_va >> r->shift, ev->pfn, ev->victim_pid };
}

/* Runs policy (a name memory.policy takes) on t until its trace ends or stop
 * references are done; with state, the policy's state in words at the end. 0, or -1
 * with err. */
static int gp_engine(const GpTest *t, const char *policy, uint64_t stop, GpRun *r, Buf *state,
                     char *err, size_t n)
{
    char frames[64], pol[1100];
    snprintf(frames, sizeof frames, "memory.frames=%u", t->frames);
    snprintf(pol, sizeof pol, "memory.policy=%s", policy);
    Options o = { .trace = t->trace, .trace_format = t->format, .sets = { frames, pol }, .nsets = 2 };
    Session s;
    if (session_open(&s, &o, err, n) != 0) {
        session_close(&s);
        return -1;
    }
    r->shift = sim_machine(s.sim)->geo.page_shift;
    sim_set_observer(s.sim, on_event, r);
    StepStatus st = STEP_OK;
    while (sim_stats(s.sim)->references < stop) {
        r->refs = sim_stats(s.sim)->references;
        if (r->progress)
            *r->progress = r->refs + 1;
        if ((st = sim_step(s.sim, NULL)) != STEP_OK)
            break;
    }
    r->faults = sim_stats(s.sim)->page_faults;
    if (st == STEP_ERROR || st == STEP_HALT)
        snprintf(err, n, "%s", sim_error(s.sim));
    if (state) {
        char buf[4096];
        policy_describe_state(sim_policy(s.sim), buf, sizeof buf);
        buf_printf(state, "%s", buf);
    }
    session_close(&s);
    return st == STEP_ERROR || st == STEP_HALT ? -1 : 0;
}

/* What the child runs. */
typedef struct GpChild {
    const GpTest *t;
    const char *plugin;
    volatile uint64_t *progress;
} GpChild;

static void child_bad(const char *msg)
{
    printf("bad %s\n", msg);
    fflush(stdout);
    _exit(EXIT_BAD_ANSWER);
}

/* In the child: the plugin on the test, its victims and faults on stdout. */
static void child_run(void *ctx)
{
    GpChild *c = ctx;
    char err[1600], pol[1100];
    PolicyKind kind;
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);     /* a crash kills the child as it is (a sanitizer
                                          build would report it and exit 1) */
    if (plugin_load(c->plugin, NULL, false, &kind, err, sizeof err) != 0) {
        printf("%s\n", err);
        fflush(stdout);
        _exit(EXIT_NO_LOAD);
    }
    plugin_on_bad(child_bad);
    snprintf(pol, sizeof pol, "plugin:%s", c->plugin);
    GpRun r = { .progress = c->progress };
    if (gp_engine(c->t, pol, UINT64_MAX, &r, NULL, err, sizeof err) != 0) {
        printf("error %s\n", err);
        fflush(stdout);
        _exit(EXIT_NO_LOAD);
    }
    printf("faults %llu\n", (unsigned long long)r.faults);
    for (size_t i = 0; i < r.n; i++)
        printf("v %llu %llu %u\n", (unsigned long long)r.v[i].ref, (unsigned long long)r.v[i].page, r.v[i].frame);
}

/* A student's run parsed back. */
static bool parse_run(const char *out, GpRun *r)
{
    unsigned long long a, b;
    unsigned f;
    if (sscanf(out, "faults %llu", &a) != 1)
        return false;
    r->faults = a;
    for (const char *p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        if (sscanf(p + 1, "v %llu %llu %u", &a, &b, &f) == 3) {
            GpRun tmp = *r;
            tmp.refs = a - 1;
            tmp.shift = 0;
            SimEvent ev = { .kind = EV_VICTIM, .victim_va = b, .pfn = f };
            on_event(&tmp, &ev);
            *r = tmp;
        }
    return true;
}

static const char *signal_word(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV"; case SIGBUS: return "SIGBUS"; case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT"; case SIGILL: return "SIGILL"; case SIGKILL: return "SIGKILL";
    case SIGXCPU: return "SIGXCPU (CPU time limit)";
    default: return strsignal(sig);
    }
}

/* Runs the plugin on t in a child; false with why when it did not finish well. */
static bool student_run(const GpConfig *c, const GpTest *t, const char *plugin, GpRun *r,
                        char **raw, Buf *why)
{
    volatile uint64_t *progress = mmap(NULL, sizeof *progress, PROT_READ | PROT_WRITE,
                                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED)
        return buf_printf(why, "cannot share memory with the child: %s", strerror(errno)), false;
    *progress = 0;
    GpChild ch = { t, plugin, progress };
    SandboxLimits lim = { .timeout = c->cpu_seconds, .memory_mb = c->memory_mb, .file_mb = 16,
                          .processes = 4096, .output_max = 64u << 20 };
#ifdef __SANITIZE_ADDRESS__
    lim.memory_mb = 1ul << 30;     /* AddressSanitizer's shadow alone takes terabytes of
                                      address space: only a sanitizer build lifts the cap */
#endif
    SandboxResult sr;
    sandbox_call(child_run, &ch, ".", &lim, &sr);
    unsigned long long at = *progress;
    munmap((void *)progress, sizeof *progress);
    bool ok = false;
    if (!sr.started)
        buf_printf(why, "could not start: %s", sr.out);
    else if (sr.timed_out)
        buf_printf(why, "no answer in %u s at reference %llu", c->cpu_seconds, at);
    else if (sr.signal)
        buf_printf(why, "%s at reference %llu", signal_word(sr.signal), at);
    else if (sr.exit_code == EXIT_BAD_ANSWER && strncmp(sr.out, "bad ", 4) == 0)
        buf_printf(why, "%.*s", (int)strcspn(sr.out + 4, "\n"), sr.out + 4);
    else if (sr.exit_code != 0 || !(ok = parse_run(sr.out, r)))
        buf_printf(why, "%.*s (exit status %d)", (int)strcspn(sr.out, "\n"), sr.out, sr.exit_code);
    if (raw)
        *raw = ok ? strdup(sr.out) : NULL;
    sandbox_result_free(&sr);
    return ok;
}

/* ---- scoring ------------------------------------------------------------------- */

/* The reference policy's run, and FIFO's and OPT's counts for ratio. */
typedef struct GpRef {
    GpRun ref;
    uint64_t fifo, opt;
} GpRef;

static PartResult *add_part(Result *r, const GpTest *t)
{
    PartResult *nv = realloc(r->parts, (r->nparts + 1) * sizeof *nv);
    if (!nv)
        abort();
    r->parts = nv;
    PartResult *p = &nv[r->nparts++];
    memset(p, 0, sizeof *p);
    snprintf(p->item, sizeof p->item, "%s.%s", t->name, compare_names[t->compare]);
    snprintf(p->visibility, sizeof p->visibility, "%s", t->visibility);
    p->max = t->points;
    p->first_wrong = 0;
    r->max += t->points;
    return p;
}

/* The first eviction where the student's victims and the reference's differ, or n. */
static size_t first_divergence(const GpRun *a, const GpRun *b)
{
    size_t i = 0;
    while (i < a->n && i < b->n && a->v[i].ref == b->v[i].ref && a->v[i].frame == b->v[i].frame)
        i++;
    return i == a->n && i == b->n ? SIZE_MAX : i;
}

static void explain_victims(const GpConfig *c, const GpTest *t, const GpRef *g, const GpRun *s,
                            size_t k, PartResult *p)
{
    const char *ref = policy_name(c->reference);
    if (k >= g->ref.n || k >= s->n) {
        buf_printf(&p->explain, "%s: yours made %zu evictions, %s %zu; the first %zu agree.\n",
                   t->name, s->n, ref, g->ref.n, k);
        return;
    }
    const GpVictim *e = &g->ref.v[k], *y = &s->v[k];
    if (e->ref != y->ref) {
        buf_printf(&p->explain, "%s: eviction %zu: yours came at reference %llu, %s's at %llu.\n",
                   t->name, k + 1, (unsigned long long)y->ref, ref, (unsigned long long)e->ref);
        return;
    }
    buf_printf(&p->explain, "%s: eviction %zu, at reference %llu: yours evicted frame %u (page "
               "%llu), %s evicts frame %u (page %llu).\n", t->name, k + 1,
               (unsigned long long)e->ref, y->frame, (unsigned long long)y->page, ref, e->frame,
               (unsigned long long)e->page);
    GpRun before = { 0 };
    Buf state = { 0 };
    char err[GRADE_ERR];
    if (gp_engine(t, ref, e->ref - 1, &before, &state, err, sizeof err) == 0)
        buf_printf(&p->explain, "  %s's state before reference %llu: %s\n", ref,
                   (unsigned long long)e->ref, buf_str(&state));
    if (k)
        buf_printf(&p->explain, "  The %zu evictions before agree (%.0f%% of %s's %zu).\n", k,
                   100.0 * (double)k / (double)(g->ref.n ? g->ref.n : 1), ref, g->ref.n);
    else
        buf_printf(&p->explain, "  It is the first eviction (%s makes %zu).\n", ref, g->ref.n);
    buf_free(&state);
    free(before.v);
}

/* Scores a finished run of the student on t. */
static void score(const GpConfig *c, const GpTest *t, const GpRef *g, const GpRun *s,
                  PartResult *p, Result *r)
{
    const char *ref = policy_name(c->reference);
    snprintf(p->given, sizeof p->given, "%llu faults", (unsigned long long)s->faults);
    snprintf(p->right, sizeof p->right, "%llu faults", (unsigned long long)g->ref.faults);
    double frac = 0;
    if (t->compare == CMP_VICTIMS) {
        size_t k = first_divergence(s, &g->ref);
        frac = k == SIZE_MAX ? 1 : g->ref.n ? (double)k / (double)g->ref.n : 0;
        if (k != SIZE_MAX)
            explain_victims(c, t, g, s, k, p);
    } else if (t->compare == CMP_FAULTS || t->compare == CMP_AT_MOST) {
        frac = s->faults == g->ref.faults || (t->compare == CMP_AT_MOST && s->faults < g->ref.faults);
        if (frac < 1)
            buf_printf(&p->explain, "%s: yours made %llu faults, %s %llu.\n", t->name,
                       (unsigned long long)s->faults, ref, (unsigned long long)g->ref.faults);
    } else {
        double span = (double)g->fifo - (double)g->opt;
        frac = span > 0 ? ((double)g->fifo - (double)s->faults) / span : s->faults == g->fifo;
        frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
        buf_printf(&p->explain, "%s: %llu faults; FIFO %llu, OPT %llu: ratio %.4f.\n", t->name,
                   (unsigned long long)s->faults, (unsigned long long)g->fifo,
                   (unsigned long long)g->opt, frac);
        r->leaderboard += frac;    /* a sum here: grade_plugin makes it the mean */
        r->has_leaderboard = true;
    }
    p->score = t->points * frac;
    if (frac >= 1)
        p->first_wrong = -1;
}

/* Grades one plugin on every test into r. False if a run crashed, hung or erred. */
static bool grade_plugin(const GpConfig *c, const GpRef *refs, const char *plugin, Result *r)
{
    memset(r, 0, sizeof *r);
    const char *base = strrchr(plugin, '/');
    snprintf(r->id, sizeof r->id, "%.*s", (int)strcspn(base ? base + 1 : plugin, "."), base ? base + 1 : plugin);
    snprintf(r->path, sizeof r->path, "%s", plugin);
    r->gradable = true;
    r->per_question = calloc(c->ntests, sizeof *r->per_question);
    bool all_ok = true;
    unsigned nratio = 0;
    for (size_t i = 0; i < c->ntests; i++) {
        const GpTest *t = &c->tests[i];
        PartResult *p = add_part(r, t);
        GpRun s = { 0 }, again = { 0 };
        Buf why = { 0 };
        char *raw1 = NULL, *raw2 = NULL;
        bool ok = student_run(c, t, plugin, &s, c->repeat > 1 ? &raw1 : NULL, &why);
        if (ok && c->repeat > 1 && student_run(c, t, plugin, &again, &raw2, &why) &&
            strcmp(raw1, raw2) != 0) {
            buf_printf(&why, "two runs gave different answers (vmsim's runs are deterministic: "
                       "use init->seed for random choices)");
            ok = false;
        }
        if (ok && !why.len)
            score(c, t, &refs[i], &s, p, r);
        else
            buf_printf(&p->explain, "%s: %s\n", t->name, buf_str(&why));
        all_ok &= ok && !why.len;
        r->per_question[i] = p->score;
        r->score += p->score;
        free(s.v), free(again.v), free(raw1), free(raw2);
        buf_free(&why);
        nratio += t->compare == CMP_RATIO;
    }
    if (nratio) {                  /* a crashed ratio test counts 0 */
        r->leaderboard /= nratio;
        r->has_leaderboard = true;
    }
    return all_ok;
}

/* ---- the command line ---------------------------------------------------------- */

typedef struct GpOpts {
    const char *tests, *out;
    const char **plugins;
    size_t n;
    OutFormat fmt;
    bool strict, help;
} GpOpts;

static int gp_option(GpOpts *o, int argc, char **argv, int *i)
{
    int k;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        fputs(gp_usage, stdout);
        o->help = true;
        return 0;
    }
    if ((k = grade_output_arg(argc, argv, i, &o->fmt, &o->out, &o->strict)) != 0)
        return k < 0 ? -1 : 0;
    if (argv[*i][0] == '-' && argv[*i][1]) {
        fprintf(stderr, "vmsim grade-policy: unknown option '%s' (see vmsim grade-policy --help)\n", argv[*i]);
        return -1;
    }
    if (!o->tests)
        o->tests = argv[*i];
    else
        o->plugins[o->n++] = argv[*i];
    return 0;
}

/* The reference runs of every test. 0, or -1 said on stderr (a bad trace). */
static int references(const GpConfig *c, GpRef *refs)
{
    char err[GRADE_ERR];
    for (size_t i = 0; i < c->ntests; i++) {
        const GpTest *t = &c->tests[i];
        GpRun fifo = { 0 }, opt = { 0 };
        if (gp_engine(t, policy_name(c->reference), UINT64_MAX, &refs[i].ref, NULL, err, sizeof err) ||
            (t->compare == CMP_RATIO && (gp_engine(t, "fifo", UINT64_MAX, &fifo, NULL, err, sizeof err) ||
                                         gp_engine(t, "opt", UINT64_MAX, &opt, NULL, err, sizeof err)))) {
            fprintf(stderr, "%s: [test %s]: %s\n", t->where, t->name, err);
            free(fifo.v), free(opt.v);
            return -1;
        }
        refs[i].fifo = fifo.faults;
        refs[i].opt = opt.faults;
        free(fifo.v), free(opt.v);
    }
    return 0;
}

static int grade_all(const GpOpts *o, const GpConfig *c, const GpRef *refs)
{
    Result *rs = calloc(o->n, sizeof *rs);
    Exercise ex = { .path = (char *)c->path, .q = calloc(c->ntests, sizeof *ex.q), .nq = c->ntests };
    if (!rs || !ex.q)
        return free(rs), free(ex.q), EXIT_FAILED;
    for (size_t i = 0; i < c->ntests; i++) {
        snprintf(ex.q[i].name, sizeof ex.q[i].name, "%s", c->tests[i].name);
        snprintf(ex.q[i].visibility, sizeof ex.q[i].visibility, "%s", c->tests[i].visibility);
    }
    bool failed = false;
    for (size_t i = 0; i < o->n; i++)
        failed |= !grade_plugin(c, refs, o->plugins[i], &rs[i]);
    int r = write_results(o->out, o->fmt, &ex, rs, o->n);
    if (r == EXIT_OK && o->strict && failed)
        r = EXIT_STRICT;
    for (size_t i = 0; i < o->n; i++)
        result_free(&rs[i]);
    free(rs);
    free(ex.q);
    return r;
}

int cmd_grade_policy(int argc, char **argv)
{
    GpOpts o = { .fmt = OUT_TEXT, .plugins = calloc((size_t)argc, sizeof(char *)) };
    int r = EXIT_USAGE;
    for (int i = 2; o.plugins && i < argc; i++)
        if (gp_option(&o, argc, argv, &i))
            goto done;
    if (o.help) {
        r = EXIT_OK;
        goto done;
    }
    if (!o.tests || !o.n) {
        fputs(gp_usage, stderr);
        goto done;
    }
    if (o.n > 1 && !o.out && (o.fmt == OUT_GRADESCOPE || o.fmt == OUT_PL)) {
        fprintf(stderr, "vmsim grade-policy: several plugins in --format %s need --out DIR\n",
                o.fmt == OUT_PL ? "prairielearn" : "gradescope");
        goto done;
    }
    char err[GRADE_ERR];
    GpConfig *c = malloc(sizeof *c);
    if (!c || gp_config_load(c, o.tests, err, sizeof err)) {
        fprintf(stderr, "%s\n", c ? err : "vmsim grade-policy: out of memory");
        free(c);
        goto done;
    }
    GpRef *refs = calloc(c->ntests, sizeof *refs);
    r = !refs ? EXIT_FAILED : references(c, refs) ? EXIT_USAGE : grade_all(&o, c, refs);
    for (size_t i = 0; refs && i < c->ntests; i++)
        free(refs[i].ref.v);
    free(refs);
    free(c);
done:
    free(o.plugins);
    return r;
}
