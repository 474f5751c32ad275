/* Exercise files (INI, read with inih), seeds and variants.
 *
 *   [exercise]            title, salt
 *   [question NAME]       kind first, then ask, points, credit, visibility and the
 *                         kind's own keys
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "vmsim/scenario.h"

typedef struct ExCtx {
    Exercise *ex;
    FILE *f;
    const char *path;
    unsigned long line;
    Question *q;              /* the section being read, NULL in [exercise] */
    bool in_exercise;
    char *err;
    size_t errlen;
    bool failed;
    bool cont;                /* the line is indented: it continues the last value */
    char acc[8192];           /* the last key's value so far (continuations join it) */
} ExCtx;

static int ex_fail(ExCtx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ex_fail(ExCtx *c, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    char msg[GRADE_ERR];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s:%lu: %s", c->path, c->line, msg);
    c->failed = true;
    return -1;
}

uint64_t grade_fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;          /* FNV-1a 64-bit offset basis */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;                   /* FNV 64-bit prime */
    }
    return h;
}

bool grade_id(const char *id, char *out)
{
    size_t n = strlen(id);
    if (!n || n >= GRADE_NAME_MAX)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (id[i] && !isalnum((unsigned char)id[i]) && !strchr("_-.@", id[i]))
            return false;
        out[i] = (char)tolower((unsigned char)id[i]);
    }
    return true;
}

uint64_t grade_seed(const Exercise *ex, const char *id, const char *question)
{
    char low[GRADE_NAME_MAX] = "", buf[GRADE_NAME_MAX * 2 + 130];
    if (!grade_id(id, low))
        snprintf(low, sizeof low, "%s", id);
    if (question)
        snprintf(buf, sizeof buf, "%s/%s/%s", ex->salt, low, question);
    else
        snprintf(buf, sizeof buf, "%s/%s", ex->salt, low);
    return grade_fnv1a(buf);
}

/* ---- the common question keys ------------------------------------------------- */

static bool kind_has_part(const QuestionKind *k, const char *part)
{
    size_t n = strlen(part);
    for (const char *p = k->parts; (p = strstr(p, part)); p += n)
        if ((p == k->parts || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* The ask list: words the kind knows. */
static int set_ask(ExCtx *c, const char *v)
{
    Question *q = c->q;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    q->nask = 0;
    for (char *w = strtok(buf, " \t,"); w; w = strtok(NULL, " \t,")) {
        if (!kind_has_part(q->kind, w) || strlen(w) >= sizeof q->ask[0])
            return ex_fail(c, "expected ask = some of: %s; got '%s'", q->kind->parts, w);
        if (q->nask == GRADE_PARTS_MAX)
            return ex_fail(c, "at most %d parts in ask", GRADE_PARTS_MAX);
        snprintf(q->ask[q->nask++], sizeof q->ask[0], "%s", w);
    }
    if (!q->nask)
        return ex_fail(c, "expected ask = some of: %s", q->kind->parts);
    return 0;
}

/* Default points: 0.25 a position for sequences, 1 for a count. */
static double default_points(const char *part)
{
    return strcmp(part, "seq") == 0 || strcmp(part, "victims") == 0 ||
           strcmp(part, "state") == 0 ? 0.25 : 1.0;
}

/* points = PART:N ...: parts not in ask are refused (asked later parts keep theirs). */
static int set_points(ExCtx *c, const char *v)
{
    Question *q = c->q;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *w = strtok(buf, " \t,"); w; w = strtok(NULL, " \t,")) {
        char *colon = strchr(w, ':'), *end;
        size_t i = 0;
        if (colon) {
            *colon = '\0';
            while (i < q->nask && strcmp(q->ask[i], w) != 0)
                i++;
        }
        double p = colon ? strtod(colon + 1, &end) : 0;
        if (!colon || i == q->nask || end == colon + 1 || *end || p < 0 || p > 1e6)
            return ex_fail(c, "expected points = PART:N for parts in ask (e.g. seq:0.25 faults:2), "
                           "got '%s'", w);
        q->points[i] = p;
    }
    return 0;
}

static int set_credit(ExCtx *c, const char *v)
{
    static const char *const names[] = { "per-item", "prefix", "follow-through", "exact" };
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            c->q->credit = (CreditMode)i;
            return 0;
        }
    return ex_fail(c, "expected credit = per-item, prefix, follow-through or exact, got '%s'", v);
}

static int set_visibility(ExCtx *c, const char *v)
{
    static const char *const names[] = { "visible", "hidden", "after_due_date", "after_published" };
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            snprintf(c->q->visibility, sizeof c->q->visibility, "%s", v);
            return 0;
        }
    return ex_fail(c, "expected visibility = visible, hidden, after_due_date or after_published, "
                   "got '%s'", v);
}

static int set_kind(ExCtx *c, const char *v)
{
    Question *q = c->q;
    if (q->kind)
        return ex_fail(c, "kind is given twice in [question %s]", q->name);
    q->kind = grade_kind(v);
    if (!q->kind) {
        char names[256] = "";
        for (size_t i = 0; i < grade_nkinds; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     i ? ", " : "", grade_kinds[i]->name);
        return ex_fail(c, "expected kind = %s; got '%s'", names, v);
    }
    q->spec = calloc(1, q->kind->spec_size);
    if (!q->spec)
        return ex_fail(c, "out of memory");
    q->kind->spec_init(q->spec);
    if (set_ask(c, q->kind->default_ask))
        return -1;
    for (size_t i = 0; i < q->nask; i++)
        q->points[i] = default_points(q->ask[i]);
    return 0;
}

static int question_key(ExCtx *c, const char *k, const char *v)
{
    Question *q = c->q;
    if (strcmp(k, "kind") == 0)
        return set_kind(c, v);
    if (!q->kind)
        return ex_fail(c, "expected kind = ... as the first key of [question %s]", q->name);
    if (strcmp(k, "ask") == 0) {
        if (set_ask(c, v))
            return -1;
        for (size_t i = 0; i < q->nask; i++)
            q->points[i] = default_points(q->ask[i]);
        return 0;
    }
    if (strcmp(k, "points") == 0)
        return set_points(c, v);
    if (strcmp(k, "credit") == 0)
        return set_credit(c, v);
    if (strcmp(k, "visibility") == 0)
        return set_visibility(c, v);
    char msg[GRADE_ERR] = "";
    if (q->kind->parse(q, k, v, msg, sizeof msg))
        return ex_fail(c, "%s", msg);
    return 0;
}

static int exercise_key(ExCtx *c, const char *k, const char *v)
{
    if (strcmp(k, "title") == 0) {
        snprintf(c->ex->title, sizeof c->ex->title, "%s", v);
        return 0;
    }
    if (strcmp(k, "salt") == 0) {
        snprintf(c->ex->salt, sizeof c->ex->salt, "%s", v);
        return 0;
    }
    return ex_fail(c, "unknown key '%s' in [exercise] (expected title or salt)", k);
}

/* ---- sections ---------------------------------------------------------------- */

/* The question just read is complete: its kind's checks. */
static int end_question(ExCtx *c)
{
    Question *q = c->q;
    c->q = NULL;
    if (!q)
        return 0;
    char msg[GRADE_ERR] = "";
    int r = 0;
    if (!q->kind)
        r = snprintf(msg, sizeof msg, "[question %s] has no kind", q->name);
    else if (q->kind->check && q->kind->check(q, msg, sizeof msg))
        r = 1;
    if (r) {
        snprintf(c->err, c->errlen, "%s: %s", q->where, msg);
        c->failed = true;
        return -1;
    }
    return 0;
}

static int begin_question(ExCtx *c, const char *name)
{
    Exercise *ex = c->ex;
    char low[GRADE_NAME_MAX];
    if (!grade_id(name, low) || strchr(low, '.'))
        return ex_fail(c, "expected [question NAME] with NAME of letters, digits, '_' or '-', "
                       "got '%s'", name);
    for (size_t i = 0; i < ex->nq; i++)
        if (strcmp(ex->q[i].name, low) == 0)
            return ex_fail(c, "question '%s' is defined twice (first at %s)", low, ex->q[i].where);
    Question *nq = realloc(ex->q, (ex->nq + 1) * sizeof *nq);
    if (!nq)
        return ex_fail(c, "out of memory");
    ex->q = nq;
    Question *q = &ex->q[ex->nq++];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", low);
    snprintf(q->where, sizeof q->where, "%s:%lu", c->path, c->line);
    snprintf(q->visibility, sizeof q->visibility, "visible");
    c->q = q;
    return 0;
}

static int begin_section(ExCtx *c, const char *name)
{
    if (end_question(c))
        return -1;
    c->in_exercise = strcmp(name, "exercise") == 0;
    if (c->in_exercise)
        return 0;
    if (strncmp(name, "question ", 9) == 0) {
        const char *n = name + 9;
        while (*n == ' ')
            n++;
        return begin_question(c, n);
    }
    return ex_fail(c, "unknown section [%s] (expected [exercise] or [question NAME])", name);
}

/* Counts lines and spots section headers before inih does (for FILE:LINE). */
static char *ex_reader(char *str, int num, void *stream)
{
    ExCtx *c = stream;
    if (!fgets(str, num, c->f))
        return NULL;
    c->line++;
    size_t n = strlen(str);
    if (n && str[n - 1] != '\n' && !feof(c->f)) {
        ex_fail(c, "line is too long (at most %d characters): continue a long value on "
                "indented lines", num - 2);
        str[0] = '\0';
        return str;
    }
    const char *p = str;
    while (*p == ' ' || *p == '\t')
        p++;
    c->cont = p != str;
    const char *close = *p == '[' ? strchr(p, ']') : NULL;
    if (*p == '[' && !close)
        ex_fail(c, "expected ']' to close the section name");
    if (close && !c->failed) {
        char name[128];
        size_t len = (size_t)(close - p - 1);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, p + 1, len);
        name[len] = '\0';
        begin_section(c, name);
    }
    return str;
}

static int ex_handler(void *user, const char *section, const char *name, const char *value)
{
    ExCtx *c = user;
    (void)section;
    if (c->failed)
        return 1;
    if (c->cont) {
        size_t len = strlen(c->acc);
        snprintf(c->acc + len, sizeof c->acc - len, " %s", value);
    } else {
        snprintf(c->acc, sizeof c->acc, "%s", value);
    }
    value = c->acc;
    if (c->q)
        question_key(c, name, value);
    else if (c->in_exercise)
        exercise_key(c, name, value);
    else
        ex_fail(c, "expected [exercise] or [question NAME] before '%s = ...'", name);
    return 1;
}

int exercise_load(Exercise *ex, const char *path, char *err, size_t n)
{
    memset(ex, 0, sizeof *ex);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    ex->path = strdup(path);
    ex->set_used = calloc(16, sizeof *ex->set_used);
    ExCtx c = { .ex = ex, .f = f, .path = path, .err = err, .errlen = n };
    int r = ini_parse_stream(ex_reader, &c, ex_handler, &c);
    fclose(f);
    if (!c.failed && r != 0) {
        c.line = r > 0 ? (unsigned long)r : c.line;
        ex_fail(&c, "expected [section] or key = value");
    }
    if (!c.failed)
        end_question(&c);
    if (!c.failed && !ex->nq) {
        c.line = 1;
        ex_fail(&c, "expected at least one [question NAME]");
    }
    if (c.failed) {
        exercise_free(ex);
        return -1;
    }
    return 0;
}

void exercise_free(Exercise *ex)
{
    for (size_t i = 0; i < ex->nq; i++)
        free(ex->q[i].spec);
    free(ex->q);
    free(ex->path);
    free(ex->set_used);
    memset(ex, 0, sizeof *ex);
}

const Question *exercise_question(const Exercise *ex, const char *name)
{
    for (size_t i = 0; i < ex->nq; i++)
        if (strcmp(ex->q[i].name, name) == 0)
            return &ex->q[i];
    return NULL;
}

/* ---- variants ---------------------------------------------------------------- */

int question_asks(const Question *q, const KeyPart *kp)
{
    for (size_t i = 0; i < q->nask; i++)
        if (strcmp(q->ask[i], kp->ask) == 0)
            return (int)i;
    return -1;
}

int variant_make(const Exercise *ex, const Question *q, const char *id, Variant *v,
                 char *err, size_t n)
{
    memset(v, 0, sizeof *v);
    v->ex = ex;
    if (!grade_id(id, v->id)) {
        snprintf(err, n, "'%s' is not a student id (letters, digits, '_', '-', '.', '@')", id);
        return -1;
    }
    v->seed = grade_seed(ex, v->id, q->name);
    Rng rng;
    rng_seed(&rng, v->seed);
    if (q->kind->vary(q, v, &rng, err, n) || q->kind->key(q, v, err, n) ||
        (v->key.oom && snprintf(err, n, "out of memory"))) {
        variant_free(q, v);
        return -1;
    }
    return 0;
}

void variant_free(const Question *q, Variant *v)
{
    if (v->data && q->kind->free_data)
        q->kind->free_data(v->data);
    v->data = NULL;
    key_free(&v->key);
}

static void key_part_free(KeyPart *p)
{
    tokens_free(&p->right);
    for (size_t a = 0; a < p->nalt; a++)
        tokens_free(&p->alt[a]);
}

void key_free(Key *k)
{
    for (size_t i = 0; i < k->nparts; i++)
        key_part_free(&k->parts[i]);
    key_part_free(&k->spill);
    free(k->parts);
    memset(k, 0, sizeof *k);
}

KeyPart *key_add(Key *k, const char *name, bool seq, bool group)
{
    KeyPart *p = &k->spill;
    if (k->nparts == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 8;
        KeyPart *np = realloc(k->parts, cap * sizeof *np);
        if (np) {
            k->parts = np;
            k->cap = cap;
        }
    }
    if (k->nparts < k->cap) {
        p = &k->parts[k->nparts++];
    } else {
        k->oom = true;
        key_part_free(p);                  /* the spill's last contents */
    }
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->ask, sizeof p->ask, "%s", name);
    p->seq = seq;
    p->group = group;
    return p;
}

KeyPart *key_part(Key *k, const char *name)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (strcmp(k->parts[i].name, name) == 0)
            return &k->parts[i];
    return NULL;
}

/* ---- the engine -------------------------------------------------------------- */

const char grade_textbook_ini[] =
    "; configs/textbook.ini's conventions: no TLB effects, page tables outside the\n"
    "; frames being counted, unlimited backing store.\n"
    "[machine]\narch = x86_64\n\n[tlb]\nentries = 0\n\n"
    "[memory]\npage_tables = separate\n\n[swap]\nslots = unlimited\n\n";

/* Whether a --set applies to sc: always, but for 'process NAME.KEY' where sc has no
 * [process NAME]. */
static bool scenario_has_set_target(const Scenario *sc, const char *set)
{
    if (strncmp(set, "process ", 8) != 0)
        return true;
    const char *name = set + 8, *eq = strchr(name, '=');
    const char *dot = NULL;
    for (const char *d = name; eq && d < eq; d++)
        if (*d == '.')
            dot = d;
    while (*name == ' ')
        name++;
    for (size_t i = 0; dot && i < sc->nprocs; i++)
        if (strlen(sc->procs[i].name) == (size_t)(dot - name) &&
            strncmp(sc->procs[i].name, name, (size_t)(dot - name)) == 0)
            return true;
    return !dot;       /* malformed: let scenario_set say so */
}

/* After every question of one student: a --set that applied to none is an error. */
int grade_sets_used(const Exercise *ex, char *err, size_t n)
{
    for (size_t i = 0; i < ex->nsets; i++)
        if (ex->set_used && !ex->set_used[i]) {
            snprintf(err, n, "--set %s: no question's scenario has that process", ex->sets[i]);
            return -1;
        }
    return 0;
}

struct Sim *grade_build(const Variant *v, const char *text, Scenario *sc, TraceReader **trace,
                        char *err, size_t n)
{
    scenario_init(sc);
    *trace = NULL;
    if (scenario_load_text(sc, "question", text, err, n))
        return NULL;
    for (size_t i = 0; i < v->ex->nsets; i++) {
        if (!scenario_has_set_target(sc, v->ex->sets[i]) || !v->ex->set_used)
            continue;
        if (scenario_set(sc, v->ex->sets[i], "--set", err, n))
            return NULL;
        v->ex->set_used[i]++;
    }
    if (scenario_validate(sc, err, n))
        return NULL;
    Sim *sim = scenario_build(sc, err, n);
    if (!sim)
        return NULL;
    bool none = false;
    *trace = scenario_open_trace(sc, NULL, TRACE_AUTO, &none, err, n);
    if (!*trace) {
        if (none)
            snprintf(err, n, "the question's scenario has no trace");
        sim_destroy(sim);
        return NULL;
    }
    sim_set_trace(sim, *trace);
    return sim;
}

int grade_run(const Variant *v, const char *text, uint64_t stop, GradeRun *cb,
              struct Sim **keep, char *err, size_t n)
{
    Scenario sc;
    TraceReader *trace;
    Sim *sim = grade_build(v, text, &sc, &trace, err, n);
    int r = sim ? 0 : -1;
    cb->sim = sim;
    if (sim && cb->event)
        sim_set_observer(sim, cb->event, cb->ctx);
    for (uint64_t refs = 0; sim && refs < stop;) {
        StepInfo st;
        StepStatus s = sim_step(sim, &st);
        if (s == STEP_END)
            break;
        if (s != STEP_OK) {
            snprintf(err, n, "%s", sim_error(sim));
            r = -1;
            break;
        }
        if (st.kind == STEP_ACCESS)
            refs++;
        if (cb->step)
            cb->step(cb->ctx, sim, &st);
        if (cb->more && !cb->more(cb->ctx))
            break;
    }
    cb->sim = NULL;
    if (sim)
        sim_set_observer(sim, NULL, NULL);
    if (keep && r == 0) {
        *keep = sim;
        sim = NULL;
    }
    sim_destroy(sim);
    trace_close(trace);   /* a kept Sim's trace is no longer read */
    scenario_fini(&sc);
    return r;
}
