/* kind = faults: a reference string on the textbook machine (no TLB, page tables apart,
 * memory empty at the start), one replacement policy and a number of frames.
 *
 *   policy = lru         any vmsim policy
 *   frames = 4
 *   refs   = 20          a random string of this length over `pages` ...
 *   pages  = 0-7         ... (ranges and single pages, e.g. 0-3 7 9)
 *   writes = 25          ... each reference a write with this percent chance
 *   string = 7 0 1 2w    ... or this string for everyone (w marks a write)
 *
 * Parts: seq (H or M per reference), faults, victims (the page evicted at each
 * eviction, in order; "-" for none), writebacks (dirty victims), state (the page in
 * each frame after each reference, "-" for an empty frame; groups separated by '|').
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "kind_faults.h"
#include "vmsim/policy.h"
#include "vmsim/scenario.h"
#include "vmsim/sim.h"

#define REFS_MAX FAULTS_REFS_MAX

typedef struct FaultsSpec {
    PolicyKind policy;
    unsigned frames;
    RefSpec refs;
} FaultsSpec;

static void faults_spec_init(void *spec)
{
    FaultsSpec *s = spec;
    s->policy = POLICY_FIFO;
    s->frames = 3;
    refspec_default(&s->refs);
}

static int faults_parse(Question *q, const char *k, const char *v, char *err, size_t n)
{
    FaultsSpec *s = q->spec;
    if (strcmp(k, "policy") == 0) {
        if (!policy_parse(v, &s->policy))
            return snprintf(err, n, "expected policy = fifo, lru, opt, clock, second-chance, nru, "
                            "lfu, aging, wsclock or random, got '%s'", v), -1;
        return 0;
    }
    if (strcmp(k, "frames") == 0)
        return grade_uint(v, 1, FAULTS_FRAMES_MAX, &s->frames) ? 0 :
               (snprintf(err, n, "expected frames = 1..16, got '%s'", v), -1);
    int r = refspec_key(&s->refs, k, v, err, n);
    if (r <= 0)
        return r;
    snprintf(err, n, "unknown key '%s' for kind = faults (expected policy, frames, refs, pages, "
             "writes, string, ask, points, credit or visibility)", k);
    return -1;
}

/* ---- the variant and its key -------------------------------------------------- */

static int faults_vary(const Question *q, Variant *v, Rng *rng, char *err, size_t n)
{
    const FaultsSpec *s = q->spec;
    FaultsData *d = calloc(1, sizeof *d);
    if (!d)
        return snprintf(err, n, "out of memory"), -1;
    d->policy = s->policy;
    d->frames = s->frames;
    d->n = refspec_draw(&s->refs, rng, d->refs);
    v->data = d;
    return 0;
}

/* The scenario of a string under policy with frames, as vmsim reads it. */
static void scenario_text(const FaultsData *d, PolicyKind policy, unsigned frames, Buf *out)
{
    buf_printf(out, "%s[memory]\nframes = %u\npolicy = %s\n\n", grade_textbook_ini, frames,
               policy_name(policy));
    refs_trace(d->refs, d->n, out);
}

typedef struct RunCtx {
    FaultsOutcome *o;
    unsigned shift;
    size_t ref;
} RunCtx;

static void on_event(void *ctx, const SimEvent *ev)
{
    RunCtx *c = ctx;
    if (ev->kind == EV_VICTIM && c->o->nvictims < REFS_MAX) {
        c->o->victims[c->o->nvictims] = (uint32_t)(ev->victim_va >> c->shift);
        c->o->victim_at[c->o->nvictims++] = c->ref;
    }
    if (ev->kind == EV_WRITEBACK)
        c->o->writebacks++;
}

static void on_step(void *ctx, const Sim *sim, const StepInfo *st)
{
    RunCtx *c = ctx;
    if (st->kind != STEP_ACCESS || c->ref >= REFS_MAX)
        return;
    const FramePool *fp = sim_frames(sim);
    c->o->hit[c->ref] = st->fault == FAULT_NONE;
    c->o->faults += st->fault != FAULT_NONE;
    for (size_t f = 0; f < fp->nframes && f < FAULTS_FRAMES_MAX; f++)
        c->o->state[c->ref][f] = fp->frames[f].kind == FRAME_DATA ?
                                 (int32_t)(fp->frames[f].va >> c->shift) : -1;
    c->ref++;
}

int faults_outcome(const Variant *v, PolicyKind policy, unsigned frames, FaultsOutcome *o,
                   char *err, size_t n)
{
    const FaultsData *d = v->data;
    memset(o, 0, sizeof *o);
    o->frames = frames;
    Buf text = { 0 };
    scenario_text(d, policy, frames, &text);
    RunCtx c = { .o = o, .shift = 12 };
    GradeRun cb = { .step = on_step, .event = on_event, .ctx = &c };
    int r = grade_run(v, buf_str(&text), UINT64_MAX, &cb, NULL, err, n);
    buf_free(&text);
    return r;
}

int faults_run_to(const Variant *v, size_t stop, Sim **keep, char *err, size_t n)
{
    const FaultsData *d = v->data;
    Buf text = { 0 };
    scenario_text(d, d->policy, d->frames, &text);
    GradeRun cb = { 0 };
    int r = grade_run(v, buf_str(&text), stop, &cb, keep, err, n);
    buf_free(&text);
    return r;
}

static void push_num(Tokens *t, long long x)
{
    char w[24];
    if (x < 0)
        snprintf(w, sizeof w, "-");
    else
        snprintf(w, sizeof w, "%lld", x);
    tokens_push(t, w);
}

void faults_state_group(const FaultsOutcome *o, size_t ref, Buf *out)
{
    for (unsigned f = 0; f < o->frames && f < FAULTS_FRAMES_MAX; f++) {
        if (o->state[ref][f] < 0)
            buf_printf(out, "%s-", f ? " " : "");
        else
            buf_printf(out, "%s%d", f ? " " : "", o->state[ref][f]);
    }
}

static int faults_key(const Question *q, Variant *v, char *err, size_t n)
{
    FaultsData *d = v->data;
    (void)q;
    if (faults_outcome(v, d->policy, d->frames, &d->out, err, n))
        return -1;
    const FaultsOutcome *o = &d->out;
    KeyPart *seq = key_add(&v->key, "seq", true, false);
    for (size_t i = 0; i < d->n; i++)
        tokens_push(&seq->right, o->hit[i] ? "H" : "M");
    push_num(&key_add(&v->key, "faults", false, false)->right, (long long)o->faults);
    KeyPart *vic = key_add(&v->key, "victims", true, false);
    for (size_t i = 0; i < o->nvictims; i++)
        push_num(&vic->right, o->victims[i]);
    if (!o->nvictims)
        push_num(&vic->right, -1);
    push_num(&key_add(&v->key, "writebacks", false, false)->right, (long long)o->writebacks);
    KeyPart *st = key_add(&v->key, "state", true, true);
    for (size_t i = 0; i < d->n; i++) {
        Buf g = { 0 };
        faults_state_group(o, i, &g);
        tokens_push(&st->right, buf_str(&g));
        buf_free(&g);
    }
    return 0;
}

/* ---- what the student reads --------------------------------------------------- */

static const struct { const char *part, *what; } part_words[] = {
    { "seq", "H (hit) or M (miss, a page fault) for each reference, in order" },
    { "faults", "the number of page faults" },
    { "victims", "the page evicted at each eviction, in order, or - if none" },
    { "writebacks", "how many evicted pages were dirty (written since loaded)" },
    { "state", "after each reference, the page in each frame (frame 0 first, - for an "
               "empty one);\n      references separated by |" },
};

const char *faults_part_words(const char *part)
{
    for (size_t i = 0; i < sizeof part_words / sizeof part_words[0]; i++)
        if (strcmp(part_words[i].part, part) == 0)
            return part_words[i].what;
    return "";
}

static void faults_describe(const Question *q, const Variant *v, FILE *out)
{
    const FaultsData *d = v->data;
    Buf s = { 0 };
    refs_words(d->refs, d->n, &s);
    fprintf(out, "A machine with %u page frames, all empty at the start, replaces pages by\n"
            "%s. Page tables and the TLB play no part.\n"
            "The %zu references (page numbers; w marks a write):\n\n    %s\n\n", d->frames,
            faults_policy_title(d->policy), d->n, buf_str(&s));
    buf_free(&s);
    fprintf(out, "A fault with a free frame fills the lowest-numbered free frame; a page brought\n"
            "in by evicting another takes the evicted page's frame.\n");
    (void)q;
}

static void faults_scenario(const Question *q, const Variant *v, FILE *out)
{
    const FaultsData *d = v->data;
    Buf text = { 0 };
    scenario_text(d, d->policy, d->frames, &text);
    fprintf(out, "[scenario]\ntitle = %s for %s\ndescription = %u frames, %s, %zu references.\n\n%s",
            q->name, v->id, d->frames, policy_name(d->policy), d->n, buf_str(&text));
    buf_free(&text);
}

static void faults_inputs(const Question *q, const Variant *v, FILE *out)
{
    const FaultsData *d = v->data;
    Buf s = { 0 };
    refs_words(d->refs, d->n, &s);
    fprintf(out, "@%s.policy = %s\n@%s.frames = %u\n@%s.string = %s\n", q->name,
            policy_name(d->policy), q->name, d->frames, q->name, buf_str(&s));
    buf_free(&s);
}

static void faults_free(void *data) { free(data); }

const QuestionKind faults_kind = {
    .name = "faults",
    .parts = "seq faults victims writebacks state",
    .spec_size = sizeof(FaultsSpec),
    .spec_init = faults_spec_init,
    .default_ask = "seq faults",
    .parse = faults_parse,
    .check = NULL,
    .vary = faults_vary,
    .key = faults_key,
    .part_words = faults_part_words,
    .describe = faults_describe,
    .scenario = faults_scenario,
    .inputs = faults_inputs,
    .explain = faults_explain,
    .follow = faults_follow,
    .free_data = faults_free,
};
