/* kind = oom: processes write their heaps, in turn, into a memory with no swap until
 * it runs out; the OOM killer (include/vmsim/oom.h, Linux's mm/oom_kill.c) picks one.
 *
 *   frames  = 64              RAM frames (no swap)
 *   process = web 20 0        NAME PAGES OOM_SCORE_ADJ, once per process, in running
 *                             order; or, drawn per student:
 *   procs   = 3               this many processes p1..pN
 *   sizes   = 8-24            pages each (the last one writes `frames` pages)
 *   adjs    = 0 0 300 -1000   each one's oom_score_adj drawn from these (the last
 *                             one's is never -1000, so someone can be killed)
 *
 * Parts: victim (the process killed first), scores (each process's
 * /proc/PID/oom_score at that moment, in process order).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "vmsim/sim.h"

#define OOM_PROCS_MAX 8
#define OOM_ADJS_MAX 16

typedef struct OomProc {
    char name[16];
    unsigned pages;
    int adj;
} OomProc;

typedef struct OomSpec {
    unsigned frames;
    OomProc fixed[OOM_PROCS_MAX];
    size_t nfixed;
    unsigned nprocs, size_lo, size_hi;
    int adjs[OOM_ADJS_MAX];
    size_t nadjs;
} OomSpec;

/* What the engine said at the first kill. */
typedef struct OomSeen {
    bool seen;
    char victim[16];
    unsigned score[OOM_PROCS_MAX];
    uint64_t rss[OOM_PROCS_MAX], swap[OOM_PROCS_MAX], pt[OOM_PROCS_MAX], total;
} OomSeen;

typedef struct OomData {
    unsigned frames;
    OomProc p[OOM_PROCS_MAX];
    size_t n;
    OomSeen at;
} OomData;

static void oom_spec_init(void *spec)
{
    *(OomSpec *)spec = (OomSpec){ .frames = 64, .nprocs = 3, .size_lo = 8, .size_hi = 24, .nadjs = 1 };
}

static bool parse_proc(const char *v, OomSpec *s)
{
    OomProc p;
    char extra;
    if (s->nfixed == OOM_PROCS_MAX ||
        sscanf(v, "%15s %u %d %c", p.name, &p.pages, &p.adj, &extra) != 3 ||
        p.pages < 1 || p.pages > 4096 || p.adj < -1000 || p.adj > 1000)
        return false;
    for (size_t i = 0; i < s->nfixed; i++)
        if (strcmp(s->fixed[i].name, p.name) == 0)
            return false;
    s->fixed[s->nfixed++] = p;
    return true;
}

static bool parse_adjs(const char *v, OomSpec *s)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    s->nadjs = 0;
    for (char *w = strtok(buf, " \t,"); w; w = strtok(NULL, " \t,")) {
        char *end;
        long a = strtol(w, &end, 10);
        if (end == w || *end || a < -1000 || a > 1000 || s->nadjs == OOM_ADJS_MAX)
            return false;
        s->adjs[s->nadjs++] = (int)a;
    }
    return s->nadjs > 0;
}

static int oom_parse(Question *q, const char *k, const char *v, char *err, size_t n)
{
    OomSpec *s = q->spec;
    if (strcmp(k, "frames") == 0)
        return grade_uint(v, 4, 4096, &s->frames) ? 0 :
               (snprintf(err, n, "expected frames = 4..4096, got '%s'", v), -1);
    if (strcmp(k, "process") == 0)
        return parse_proc(v, s) ? 0 :
               (snprintf(err, n, "expected process = NAME PAGES OOM_SCORE_ADJ (a new name, 1..4096 "
                         "pages, -1000..1000; at most %d), got '%s'", OOM_PROCS_MAX, v), -1);
    if (strcmp(k, "procs") == 0)
        return grade_uint(v, 2, OOM_PROCS_MAX, &s->nprocs) ? 0 :
               (snprintf(err, n, "expected procs = 2..%d, got '%s'", OOM_PROCS_MAX, v), -1);
    if (strcmp(k, "sizes") == 0)
        return sscanf(v, "%u-%u", &s->size_lo, &s->size_hi) == 2 && s->size_lo >= 1 &&
               s->size_lo <= s->size_hi && s->size_hi <= 4096 ? 0 :
               (snprintf(err, n, "expected sizes = LOW-HIGH pages (1..4096), got '%s'", v), -1);
    if (strcmp(k, "adjs") == 0)
        return parse_adjs(v, s) ? 0 :
               (snprintf(err, n, "expected adjs = oom_score_adj values -1000..1000, got '%s'", v), -1);
    snprintf(err, n, "unknown key '%s' for kind = oom (expected frames, process, procs, sizes, "
             "adjs, ask, points, credit or visibility)", k);
    return -1;
}

static int oom_check(Question *q, char *err, size_t n)
{
    OomSpec *s = q->spec;
    unsigned total = 0;
    for (size_t i = 0; i < s->nfixed; i++)
        total += s->fixed[i].pages;
    if (s->nfixed == 1 || (s->nfixed && total <= s->frames))
        return snprintf(err, n, "the processes (at least 2) must write more pages (%u) than "
                        "there are frames (%u), or memory never runs out", total, s->frames), -1;
    return 0;
}

static int oom_vary(const Question *q, Variant *v, Rng *rng, char *err, size_t n)
{
    const OomSpec *s = q->spec;
    OomData *d = calloc(1, sizeof *d);
    if (!d)
        return snprintf(err, n, "out of memory"), -1;
    d->frames = s->frames;
    if (s->nfixed) {
        memcpy(d->p, s->fixed, s->nfixed * sizeof *d->p);
        d->n = s->nfixed;
    }
    for (size_t i = 0; !s->nfixed && i < s->nprocs; i++) {
        OomProc *p = &d->p[d->n++];
        snprintf(p->name, sizeof p->name, "p%zu", i + 1);
        p->pages = s->size_lo + (unsigned)rng_below(rng, s->size_hi - s->size_lo + 1);
        p->adj = s->nadjs ? s->adjs[rng_below(rng, s->nadjs)] : 0;
        if (i + 1 == s->nprocs) {
            p->pages = s->frames;          /* the last one runs memory out */
            p->adj = p->adj == -1000 ? 0 : p->adj;
        }
    }
    v->data = d;
    return 0;
}

static void oom_text(const OomData *d, Buf *out)
{
    buf_printf(out, "%s[memory]\nframes = %u\n\n[swap]\nslots = 0\n\n", grade_textbook_ini, d->frames);
    for (size_t i = 0; i < d->n; i++)
        buf_printf(out, "[process %s]\nheap = 0x600000 %uK\noom_score_adj = %d\n\n", d->p[i].name,
                   d->p[i].pages * 4, d->p[i].adj);
    buf_printf(out, "[trace]\nformat = vmsim\nlines =\n");
    for (size_t i = 0; i < d->n; i++)
        buf_printf(out, "    switch %s\n    W 0x600000 %u\n", d->p[i].name, d->p[i].pages * 4096);
}

typedef struct OomRun {
    OomData *d;
    GradeRun *cb;
} OomRun;

/* The first EV_OOM line comes before the kill: the scores then are the killer's. */
static void oom_on_event(void *ctx, const SimEvent *ev)
{
    OomRun *c = ctx;
    OomSeen *at = &c->d->at;
    const Sim *sim = c->cb->sim;
    if (ev->kind != EV_OOM || at->victim[0])
        return;
    if (!at->seen) {
        at->seen = true;
        at->total = sim_totalpages(sim);
        for (size_t i = 0; i < sim_nprocs(sim) && i < OOM_PROCS_MAX; i++) {
            const Process *p = sim_proc(sim, i);
            at->score[i] = sim_oom_score(sim, p);
            at->rss[i] = p->rss;
            at->swap[i] = p->swap;
            at->pt[i] = p->pt_pages;
        }
    }
    const char *k = strstr(ev->detail, "Killed process ");
    if (k)
        sscanf(k, "Killed process %*d (%15[^)])", at->victim);
}

static bool oom_more(void *ctx)
{
    const OomRun *c = ctx;
    return !c->d->at.victim[0];
}

static int oom_key(const Question *q, Variant *v, char *err, size_t n)
{
    OomData *d = v->data;
    (void)q;
    Buf text = { 0 };
    oom_text(d, &text);
    GradeRun cb = { .event = oom_on_event, .more = oom_more };
    OomRun c = { d, &cb };
    cb.ctx = &c;
    int r = grade_run(v, buf_str(&text), UINT64_MAX, &cb, NULL, err, n);
    buf_free(&text);
    if (r)
        return -1;
    if (!d->at.victim[0])
        return snprintf(err, n, "memory never ran out: no process was killed"), -1;
    answer_tokens(d->at.victim, false, &key_add(&v->key, "victim", false, false)->right);
    KeyPart *sc = key_add(&v->key, "scores", true, false);
    for (size_t i = 0; i < d->n; i++) {
        char w[16];
        snprintf(w, sizeof w, "%u", d->at.score[i]);
        tokens_push(&sc->right, w);
    }
    return 0;
}

static const char *oom_part_words(const char *part)
{
    return strcmp(part, "victim") == 0 ? "the name of the process the OOM killer kills"
           : "each process's oom_score (/proc/PID/oom_score) when the killer\n      runs, in the order listed";
}

static void oom_describe(const Question *q, const Variant *v, FILE *out)
{
    const OomData *d = v->data;
    fprintf(out, "A machine with %u frames of 4 KiB and no swap (page tables kept apart) runs\n"
            "these processes one after another; each writes its whole heap, a page at a time:\n\n",
            d->frames);
    for (size_t i = 0; i < d->n; i++)
        fprintf(out, "    %-8s %4u pages   oom_score_adj %5d\n", d->p[i].name, d->p[i].pages, d->p[i].adj);
    fprintf(out, "\nEvery page is dirty and there is no swap, so when memory is full nothing can be\n"
            "evicted and the OOM killer runs (as Linux's mm/oom_kill.c).\n");
    (void)q;
}

static void oom_scenario(const Question *q, const Variant *v, FILE *out)
{
    Buf text = { 0 };
    oom_text(v->data, &text);
    fprintf(out, "[scenario]\ntitle = %s for %s\ndescription = who does the OOM killer kill?\n\n%s",
            q->name, v->id, buf_str(&text));
    buf_free(&text);
}

static void oom_inputs(const Question *q, const Variant *v, FILE *out)
{
    const OomData *d = v->data;
    fprintf(out, "@%s.frames = %u\n", q->name, d->frames);
    for (size_t i = 0; i < d->n; i++)
        fprintf(out, "@%s.process = %s %u %d\n", q->name, d->p[i].name, d->p[i].pages, d->p[i].adj);
}

/* The killer's arithmetic for each process, with the engine's counts. */
static void oom_explain(const Question *q, const Variant *v, const KeyPart *part,
                        const Tokens *given, size_t pos, Buf *out)
{
    const OomData *d = v->data;
    const OomSeen *at = &d->at;
    const char *right = pos < part->right.n ? part->right.v[pos] : "(nothing more)";
    buf_printf(out, "%s.%s%s%s: you answered %s; the answer is %s.\n", q->name, part->name,
               part->seq ? ", process " : "", part->seq && pos < d->n ? d->p[pos].name : "",
               pos < given->n ? given->v[pos] : "nothing", right);
    buf_printf(out, "  totalpages = %" PRIu64 " (frames + swap); badness = rss + swap + page-table "
               "pages\n  + oom_score_adj * (totalpages / 1000); oom_score = (1000 + badness * 1000 / "
               "totalpages) * 2 / 3;\n  -1000 is never killed; the largest badness dies.\n", at->total);
    for (size_t i = 0; i < d->n; i++) {
        int64_t bad = (int64_t)(at->rss[i] + at->swap[i] + at->pt[i]) +
                      (int64_t)d->p[i].adj * (int64_t)(at->total / 1000);
        buf_printf(out, "  %-8s rss %" PRIu64 " + swap %" PRIu64 " + tables %" PRIu64 " + adj %d x %"
                   PRIu64 ": ", d->p[i].name, at->rss[i], at->swap[i], at->pt[i], d->p[i].adj,
                   at->total / 1000);
        if (d->p[i].adj == -1000)
            buf_printf(out, "never killed, oom_score 0\n");
        else
            buf_printf(out, "badness %" PRId64 ", oom_score %u\n", bad, at->score[i]);
    }
    if (v->replay[0])
        buf_printf(out, "  Replay: %s, then 'continue' runs to the kill.\n", v->replay);
}

const QuestionKind oom_kind = {
    .name = "oom",
    .parts = "victim scores",
    .spec_size = sizeof(OomSpec),
    .spec_init = oom_spec_init,
    .default_ask = "victim scores",
    .parse = oom_parse,
    .check = oom_check,
    .vary = oom_vary,
    .key = oom_key,
    .part_words = oom_part_words,
    .describe = oom_describe,
    .scenario = oom_scenario,
    .inputs = oom_inputs,
    .explain = oom_explain,
    .follow = NULL,
    .free_data = free,
};
