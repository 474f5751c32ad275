/* vmsim grade-sim: the tests file and the profiles.
 *
 *   [grade-sim]
 *   profile = cs1550            cs1550 | csc369 | custom
 *   build   = make              run in the submission folder (optional)
 *   run     = ./vmsim -n {frames} -a {policy} {trace}
 *   timeout = 60                seconds per run; build_timeout (default 120)
 *   memory  = 1024              MiB of address space; output_limit (KiB, default 4096)
 *   counter.faults = ^Faults: (\d+)     custom: one regular expression per counter
 *   trace_format = vmsim        custom: the format {trace} is written in
 *   policy.random = rand        the program's name for a vmsim policy
 *   [test NAME]
 *   trace = FILE  frames = N  policy = P  compare = C...  points = X  pagesize = 4096
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gradesim.h"
#include "vmsim/limits.h"

const char *const gs_counter_names[GS_NCOUNTERS] = {
    "accesses", "faults", "writes", "hits", "misses", "evictions", "clean_evictions",
    "dirty_evictions",
};

/* A profile: the conventions of one course's simulator. */
typedef struct GsProfile {
    const char *name;
    TraceFormat format;
    const char *counter[GS_NCOUNTERS];
    const char *policy[POLICY_COUNT];    /* NULL: vmsim's own name */
} GsProfile;

static const GsProfile profiles[] = {
    { "cs1550", TRACE_CS1550,
      { [GS_ACCESSES] = "^Total memory accesses:[[:blank:]]*([0-9]+)",
        [GS_FAULTS] = "^Total page faults:[[:blank:]]*([0-9]+)",
        [GS_WRITES] = "^Total writes to disk:[[:blank:]]*([0-9]+)" },
      { [POLICY_RANDOM] = "rand" } },
    { "csc369", TRACE_CSC369,
      { [GS_HITS] = "^Hit count:[[:blank:]]*([0-9]+)",
        [GS_MISSES] = "^Miss count:[[:blank:]]*([0-9]+)",
        [GS_CLEAN_EVICTIONS] = "^Clean evictions:[[:blank:]]*([0-9]+)",
        [GS_DIRTY_EVICTIONS] = "^Dirty evictions:[[:blank:]]*([0-9]+)",
        [GS_ACCESSES] = "^Total references[[:blank:]]*:[[:blank:]]*([0-9]+)" },
      { [POLICY_RANDOM] = "rand" } },
    { "custom", TRACE_VMSIM, { 0 }, { 0 } },
};

typedef struct ConfCtx {
    GsConfig *c;
    FILE *f;
    unsigned long line;
    GsTest *test;                /* the section being read, NULL in [grade-sim] */
    bool in_main, seen_main;
    char *err;
    size_t errlen;
    bool failed;
} ConfCtx;

static int conf_fail(ConfCtx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records the first error (later ones are consequences). Returns -1. */
static int conf_fail(ConfCtx *x, const char *fmt, ...)
{
    if (x->failed)
        return -1;
    x->failed = true;
    int k = snprintf(x->err, x->errlen, "%s:%lu: ", x->c->path, x->line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < x->errlen)
        vsnprintf(x->err + k, x->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static const GsProfile *profile_find(const char *name)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

static int counter_find(const char *name, size_t len)
{
    for (int i = 0; i < GS_NCOUNTERS; i++)
        if (strlen(gs_counter_names[i]) == len && strncmp(gs_counter_names[i], name, len) == 0)
            return i;
    return -1;
}

/* A pattern with Perl's \d and \s written as POSIX classes (regex.h has neither). */
static char *posix_pattern(const char *re)
{
    char *out = malloc(strlen(re) * 12 + 1), *o = out;
    for (const char *p = re; out && *p; p++) {
        if (p[0] == '\\' && p[1] == 'd')
            o += sprintf(o, "[0-9]"), p++;
        else if (p[0] == '\\' && p[1] == 's')
            o += sprintf(o, "[[:space:]]"), p++;
        else
            *o++ = *p;
    }
    if (out)
        *o = '\0';
    return out;
}

static void set_counter(ConfCtx *x, int k, const char *pattern)
{
    GsConfig *c = x->c;
    if (c->has_re[k])
        regfree(&c->re[k]);
    free(c->pattern[k]);
    c->has_re[k] = false;
    c->pattern[k] = strdup(pattern);
    char *posix = posix_pattern(pattern);
    int rc = posix ? regcomp(&c->re[k], posix, REG_EXTENDED | REG_NEWLINE) : REG_ESPACE;
    free(posix);
    if (rc != 0) {
        char why[160] = "out of memory";
        if (posix)
            regerror(rc, &c->re[k], why, sizeof why);
        conf_fail(x, "expected a POSIX extended regular expression for counter.%s, got '%s' (%s)",
                  gs_counter_names[k], pattern, why);
        return;
    }
    c->has_re[k] = true;
    if (c->re[k].re_nsub < 1)
        conf_fail(x, "expected counter.%s to capture the number in ( ), got '%s'",
                  gs_counter_names[k], pattern);
}

static void use_profile(ConfCtx *x, const GsProfile *p)
{
    snprintf(x->c->profile, sizeof x->c->profile, "%s", p->name);
    x->c->format = p->format;
    for (int k = 0; k < GS_NCOUNTERS; k++)
        if (p->counter[k])
            set_counter(x, k, p->counter[k]);
    for (int i = 0; i < POLICY_COUNT; i++)
        snprintf(x->c->policy_names[i], sizeof x->c->policy_names[i], "%s",
                 p->policy[i] ? p->policy[i] : policy_name((PolicyKind)i));
}

static bool seconds(const char *v, unsigned *out)
{
    return grade_uint(v, 1, 86400, out);
}

static int main_key(ConfCtx *x, const char *k, const char *v)
{
    GsConfig *c = x->c;
    PolicyKind pk;
    TraceFormat tf;
    unsigned u;
    if (strcmp(k, "profile") == 0) {
        const GsProfile *p = profile_find(v);
        if (!p)
            return conf_fail(x, "expected profile = cs1550, csc369 or custom, got '%s'", v);
        use_profile(x, p);
    } else if (strcmp(k, "build") == 0) {
        snprintf(c->build, sizeof c->build, "%s", v);
    } else if (strcmp(k, "run") == 0) {
        snprintf(c->run, sizeof c->run, "%s", v);
    } else if (strcmp(k, "timeout") == 0 || strcmp(k, "build_timeout") == 0) {
        if (!seconds(v, &u))
            return conf_fail(x, "expected %s = 1..86400 seconds, got '%s'", k, v);
        (k[0] == 't' ? &c->run_lim : &c->build_lim)->timeout = u;
    } else if (strcmp(k, "memory") == 0 && grade_uint(v, VMSIM_SANDBOX_MB_MIN, VMSIM_SANDBOX_MB_MAX, &u)) {
        c->run_lim.memory_mb = c->build_lim.memory_mb = u;
    } else if (strcmp(k, "output_limit") == 0 && grade_uint(v, 1, 1u << 20, &u)) {
        c->run_lim.output_max = c->build_lim.output_max = (size_t)u << 10;
    } else if (strcmp(k, "trace_format") == 0) {
        if (!trace_format_parse(v, &tf) || tf == TRACE_AUTO)
            return conf_fail(x, "expected trace_format = vmsim, pages, lackey, ls, addrrw, csc369 "
                             "or cs1550, got '%s'", v);
        c->format = tf;
    } else if (strncmp(k, "counter.", 8) == 0 && counter_find(k + 8, strlen(k + 8)) >= 0) {
        set_counter(x, counter_find(k + 8, strlen(k + 8)), v);
    } else if (strncmp(k, "policy.", 7) == 0 && policy_parse(k + 7, &pk)) {
        snprintf(c->policy_names[pk], sizeof c->policy_names[pk], "%s", v);
    } else {
        conf_fail(x, "unknown key '%s = %s' in [grade-sim] (expected profile, build, run, timeout, "
                  "build_timeout, memory (16.. MiB), output_limit (KiB), trace_format, counter.NAME "
                  "or policy.NAME)", k, v);
    }
    return 0;
}

/* compare = faults writes ...: each a counter the profile can read. */
static int compare_key(ConfCtx *x, GsTest *t, const char *v)
{
    memset(t->compare, 0, sizeof t->compare);
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, " \t,");
        if (len) {
            int k = counter_find(p, len);
            if (k < 0)
                return conf_fail(x, "expected compare = counters among accesses, faults, writes, "
                                 "hits, misses, evictions, clean_evictions, dirty_evictions, got '%.*s'",
                                 (int)len, p);
            t->compare[k] = true;
        }
        p += len;
        p += strspn(p, " \t,");
    }
    return 0;
}

static int test_key(ConfCtx *x, GsTest *t, const char *k, const char *v)
{
    unsigned u;
    char *end;
    if (strcmp(k, "trace") == 0) {
        const char *slash = strrchr(x->c->path, '/');
        if (v[0] == '/' || !slash)
            snprintf(t->trace, sizeof t->trace, "%s", v);
        else
            snprintf(t->trace, sizeof t->trace, "%.*s/%s", (int)(slash - x->c->path), x->c->path, v);
    } else if (strcmp(k, "frames") == 0) {
        if (!grade_uint(v, 1, VMSIM_GRADE_FRAMES_MAX, &t->frames))
            conf_fail(x, "expected frames = 1.." VMSIM_STR(VMSIM_GRADE_FRAMES_MAX) ", got '%s'", v);
    } else if (strcmp(k, "policy") == 0) {
        if (!policy_parse(v, &t->policy))
            return conf_fail(x, "expected policy = fifo, lru, opt, clock, second-chance, nru, lfu, aging, "
                      "wsclock or random, got '%s'", v);
    } else if (strcmp(k, "compare") == 0) {
        compare_key(x, t, v);
    } else if (strcmp(k, "points") == 0) {
        t->points = strtod(v, &end);
        if (end == v || *end || !(t->points >= 0 && t->points <= 1e6))
            conf_fail(x, "expected points = a number from 0, got '%s'", v);
    } else if (strcmp(k, "visibility") == 0) {
        snprintf(t->visibility, sizeof t->visibility, "%s", v);
    } else if (strcmp(k, "pagesize") == 0) {
        if (!grade_uint(v, 4096, 1u << 30, &u) || (u & (u - 1)))
            return conf_fail(x, "expected pagesize = a power of two from 4096 to 1073741824, got '%s'", v);
        for (t->page_shift = 0; (1u << t->page_shift) < u; t->page_shift++)
            ;
    } else {
        conf_fail(x, "unknown key '%s' in [test %s] (expected trace, frames, policy, compare, "
                  "points, visibility or pagesize)", k, t->name);
    }
    return 0;
}

/* A test's checks once its section ends. */
static int end_test(ConfCtx *x)
{
    GsTest *t = x->test;
    if (!t || x->failed)
        return 0;
    if (!t->trace[0] || !t->frames)
        return conf_fail(x, "expected trace = FILE and frames = N in [test %s] (at %s)", t->name,
                         t->where);
    bool any = false;
    for (int k = 0; k < GS_NCOUNTERS; k++) {
        if (t->compare[k] && !x->c->has_re[k])
            return conf_fail(x, "[test %s] compares %s, but profile %s has no counter.%s", t->name,
                             gs_counter_names[k], x->c->profile, gs_counter_names[k]);
        any |= t->compare[k];
    }
    if (!any)                                   /* default: every counter the profile reads */
        for (int k = 0; k < GS_NCOUNTERS; k++)
            t->compare[k] = x->c->has_re[k];
    return 0;
}

static int begin_section(ConfCtx *x, const char *name)
{
    end_test(x);
    x->test = NULL;
    x->in_main = strcmp(name, "grade-sim") == 0;
    x->seen_main |= x->in_main;
    if (x->in_main)
        return 0;
    if (strncmp(name, "test ", 5) != 0)
        return conf_fail(x, "expected [grade-sim] or [test NAME], got '[%s]'", name);
    char id[GRADE_NAME_MAX];
    if (!grade_id(name + 5, id))
        return conf_fail(x, "expected a test NAME of letters, digits, '_', '-', '.', got '%s'", name + 5);
    if (x->c->ntests == GS_TESTS_MAX)
        return conf_fail(x, "at most %d tests", GS_TESTS_MAX);
    for (size_t i = 0; i < x->c->ntests; i++)
        if (strcmp(x->c->tests[i].name, id) == 0)
            return conf_fail(x, "a second [test %s]", id);
    GsTest *t = x->test = &x->c->tests[x->c->ntests++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", id);
    snprintf(t->where, sizeof t->where, "%s:%lu", x->c->path, x->line);
    snprintf(t->visibility, sizeof t->visibility, "visible");
    t->policy = POLICY_FIFO;
    t->points = 1;
    t->page_shift = 12;
    return 0;
}

/* inih's reader: counts lines and sees section headers (for their line numbers). */
static char *conf_reader(char *str, int num, void *stream)
{
    ConfCtx *x = stream;
    if (!fgets(str, num, x->f))
        return NULL;
    x->line++;
    const char *p = str + strspn(str, " \t");
    const char *close = *p == '[' ? strchr(p, ']') : NULL;
    if (close && !x->failed) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        begin_section(x, name);
    }
    return str;
}

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
    ConfCtx *x = user;
    (void)section;
    if (x->failed)
        return 1;
    if (x->test)
        test_key(x, x->test, name, value);
    else if (x->in_main)
        main_key(x, name, value);
    else
        conf_fail(x, "expected [grade-sim] or [test NAME] before '%s = ...'", name);
    return 1;
}

static void defaults(GsConfig *c)
{
    SandboxLimits lim = { .timeout = 60, .memory_mb = 1024, .file_mb = 64, .processes = 4096,
                          .output_max = 4u << 20 };
    c->run_lim = c->build_lim = lim;
    c->build_lim.timeout = 120;
}

/* After the file: what every tests file needs. */
static int conf_check(ConfCtx *x)
{
    if (!x->seen_main || !x->c->profile[0]) {
        x->line = 1;
        return conf_fail(x, "expected [grade-sim] with profile = cs1550, csc369 or custom");
    }
    if (!x->c->run[0])
        return conf_fail(x, "expected run = COMMAND in [grade-sim] ({trace}, {frames}, {policy}, "
                         "{pagesize} are filled in)");
    if (!x->c->ntests)
        return conf_fail(x, "expected at least one [test NAME]");
    return 0;
}

int gs_config_load(GsConfig *c, const char *path, char *err, size_t n)
{
    memset(c, 0, sizeof *c);
    defaults(c);
    c->path = strdup(path);
    FILE *f = fopen(path, "r");
    if (!f || !c->path) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        gs_config_free(c);
        return -1;
    }
    ConfCtx x = { .c = c, .f = f, .err = err, .errlen = n };
    int r = ini_parse_stream(conf_reader, &x, conf_handler, &x);
    fclose(f);
    if (!x.failed && r != 0) {
        x.line = r > 0 ? (unsigned long)r : x.line;
        conf_fail(&x, "expected [section] or key = value");
    }
    end_test(&x);
    if (!x.failed)
        conf_check(&x);
    if (x.failed) {
        gs_config_free(c);
        return -1;
    }
    return 0;
}

void gs_config_free(GsConfig *c)
{
    for (int k = 0; k < GS_NCOUNTERS; k++) {
        if (c->has_re[k])
            regfree(&c->re[k]);
        free(c->pattern[k]);
    }
    free(c->path);
    memset(c, 0, sizeof *c);
}
