/* kind = tlb: a reference string through a given TLB on the textbook machine (with
 * enough frames that no page is evicted, so only the TLB decides).
 *
 *   entries = 4          TLB entries
 *   ways    = 2          per set (default: entries, fully associative)
 *   policy  = lru        the TLB's replacement: lru, fifo or random
 *   refs, pages, string  the reference string (reads only), as for faults
 *
 * Parts: seq (H or M, the TLB's, per reference), hits, misses. A page's set is its
 * number mod sets (sets = entries / ways), as include/vmsim/tlb.h says.
 */
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "vmsim/sim.h"
#include "vmsim/tlb.h"

typedef struct TlbSpec {
    unsigned entries, ways;
    TlbPolicy policy;
    RefSpec refs;
} TlbSpec;

typedef struct TlbData {
    TlbSpec spec;
    GradeRef refs[GRADE_REFS_MAX];
    size_t n;
    bool hit[GRADE_REFS_MAX];
    unsigned hits;
} TlbData;

static void tlb_spec_init(void *spec)
{
    TlbSpec *s = spec;
    s->entries = 4;
    s->policy = TLB_LRU;
    refspec_default(&s->refs);
}

static int tlb_parse(Question *q, const char *k, const char *v, char *err, size_t n)
{
    TlbSpec *s = q->spec;
    if (strcmp(k, "entries") == 0)
        return grade_uint(v, 1, 64, &s->entries) ? 0 :
               (snprintf(err, n, "expected entries = 1..64, got '%s'", v), -1);
    if (strcmp(k, "ways") == 0)
        return grade_uint(v, 1, 64, &s->ways) ? 0 :
               (snprintf(err, n, "expected ways = 1..64, got '%s'", v), -1);
    if (strcmp(k, "policy") == 0)
        return tlb_policy_parse(v, &s->policy) ? 0 :
               (snprintf(err, n, "expected policy = lru, fifo or random, got '%s'", v), -1);
    int r = refspec_key(&s->refs, k, v, err, n);
    if (r <= 0)
        return r;
    snprintf(err, n, "unknown key '%s' for kind = tlb (expected entries, ways, policy, refs, "
             "pages, string, ask, points, credit or visibility)", k);
    return -1;
}

static int tlb_check(Question *q, char *err, size_t n)
{
    TlbSpec *s = q->spec;
    if (!s->ways)
        s->ways = s->entries;
    if (s->entries % s->ways)
        return snprintf(err, n, "ways (%u) must divide entries (%u)", s->ways, s->entries), -1;
    bool writes = s->refs.write_pct > 0;
    for (size_t i = 0; i < s->refs.nfixed; i++)
        writes |= s->refs.fixed[i].write;
    if (writes)
        return snprintf(err, n, "kind = tlb takes reads only (no writes, no 'w' in string)"), -1;
    return 0;
}

static int tlb_vary(const Question *q, Variant *v, Rng *rng, char *err, size_t n)
{
    const TlbSpec *s = q->spec;
    TlbData *d = calloc(1, sizeof *d);
    if (!d)
        return snprintf(err, n, "out of memory"), -1;
    d->spec = *s;
    d->n = refspec_draw(&s->refs, rng, d->refs);
    v->data = d;
    return 0;
}

/* Frames enough for every page of the string: no eviction touches the TLB. */
static void tlb_text(const TlbData *d, Buf *out)
{
    buf_printf(out, "%s[tlb]\nentries = %u\nways = %u\npolicy = %s\n\n[memory]\nframes = %zu\n\n",
               grade_textbook_ini, d->spec.entries, d->spec.ways, tlb_policy_name(d->spec.policy),
               d->n);
    refs_trace(d->refs, d->n, out);
}

typedef struct TlbRun {
    TlbData *d;
    size_t ref;
} TlbRun;

static void tlb_on_step(void *ctx, const Sim *sim, const StepInfo *st)
{
    TlbRun *c = ctx;
    (void)sim;
    if (st->kind != STEP_ACCESS || c->ref >= c->d->n)
        return;
    c->d->hit[c->ref] = st->tlb_hit;
    c->d->hits += st->tlb_hit;
    c->ref++;
}

static int tlb_key(const Question *q, Variant *v, char *err, size_t n)
{
    TlbData *d = v->data;
    (void)q;
    Buf text = { 0 };
    tlb_text(d, &text);
    TlbRun c = { d, 0 };
    GradeRun cb = { .step = tlb_on_step, .ctx = &c };
    int r = grade_run(v, buf_str(&text), UINT64_MAX, &cb, NULL, err, n);
    buf_free(&text);
    if (r)
        return -1;
    KeyPart *seq = key_add(&v->key, "seq", true, false);
    for (size_t i = 0; i < d->n; i++)
        tokens_push(&seq->right, d->hit[i] ? "H" : "M");
    char w[24];
    snprintf(w, sizeof w, "%u", d->hits);
    tokens_push(&key_add(&v->key, "hits", false, false)->right, w);
    snprintf(w, sizeof w, "%zu", d->n - d->hits);
    tokens_push(&key_add(&v->key, "misses", false, false)->right, w);
    return 0;
}

static const char *tlb_part_words(const char *part)
{
    if (strcmp(part, "seq") == 0)
        return "H (TLB hit) or M (TLB miss) for each reference, in order";
    return strcmp(part, "hits") == 0 ? "the number of TLB hits" : "the number of TLB misses";
}

static void tlb_describe(const Question *q, const Variant *v, FILE *out)
{
    const TlbData *d = v->data;
    unsigned sets = d->spec.entries / d->spec.ways;
    Buf s = { 0 };
    refs_words(d->refs, d->n, &s);
    fprintf(out, "A TLB of %u entries, %u-way set associative (%u set%s: page P goes to set\n"
            "P mod %u), replacing by %s, empty at the start. Memory holds every page, so\n"
            "only the TLB decides. The %zu references (page numbers, all reads):\n\n    %s\n",
            d->spec.entries, d->spec.ways, sets, sets == 1 ? "" : "s", sets,
            tlb_policy_name(d->spec.policy), d->n, buf_str(&s));
    buf_free(&s);
    (void)q;
}

static void tlb_scenario(const Question *q, const Variant *v, FILE *out)
{
    const TlbData *d = v->data;
    Buf text = { 0 };
    tlb_text(d, &text);
    fprintf(out, "[scenario]\ntitle = %s for %s\ndescription = a %u-entry %u-way %s TLB, %zu "
            "references.\n\n%s", q->name, v->id, d->spec.entries, d->spec.ways,
            tlb_policy_name(d->spec.policy), d->n, buf_str(&text));
    buf_free(&text);
}

static void tlb_inputs(const Question *q, const Variant *v, FILE *out)
{
    const TlbData *d = v->data;
    Buf s = { 0 };
    refs_words(d->refs, d->n, &s);
    fprintf(out, "@%s.entries = %u\n@%s.ways = %u\n@%s.policy = %s\n@%s.string = %s\n", q->name,
            d->spec.entries, q->name, d->spec.ways, q->name, tlb_policy_name(d->spec.policy),
            q->name, buf_str(&s));
    buf_free(&s);
}

/* Whether set `set` of t holds page. */
static bool tlb_set_has(const Tlb *t, unsigned set, uint32_t page)
{
    for (unsigned w = 0; w < t->ways; w++)
        if (t->e[(size_t)set * t->ways + w].valid && t->e[(size_t)set * t->ways + w].tag == page)
            return true;
    return false;
}

/* The pages of set `set` before reference i, from the engine's TLB, in the order the
 * policy replaces them (the first goes next). */
static void tlb_set_words(const Variant *v, size_t i, unsigned set, Buf *out)
{
    const TlbData *d = v->data;
    Buf text = { 0 };
    tlb_text(d, &text);
    GradeRun cb = { 0 };
    Sim *sim = NULL;
    char err[GRADE_ERR];
    int r = grade_run(v, buf_str(&text), i, &cb, &sim, err, sizeof err);
    buf_free(&text);
    if (r)
        return;
    const Tlb *t = sim_tlb(sim);
    const TlbEntry *e = &t->e[(size_t)set * t->ways];
    bool done[64] = { false };
    buf_printf(out, "  Before it, set %u holds (%s):", set,
               t->policy == TLB_LRU ? "least recently used first" :
               t->policy == TLB_FIFO ? "oldest fill first" : "in way order");
    unsigned shown = 0;
    for (unsigned k = 0; k < t->ways; k++) {
        int best = -1;
        for (unsigned w = 0; w < t->ways; w++)
            if (e[w].valid && !done[w] && (best < 0 || (t->policy != TLB_RANDOM && e[w].stamp < e[best].stamp)))
                best = (int)w;
        if (best < 0)
            break;
        done[best] = true;
        buf_printf(out, "%s %llu", shown ? "," : " pages", (unsigned long long)e[best].tag);
        shown++;
    }
    buf_printf(out, "%s.\n", shown ? "" : " nothing");
    buf_printf(out, "  Page %u %s, so it %s.\n", d->refs[i].page,
               tlb_set_has(t, set, d->refs[i].page) ? "is there" : "is not there",
               tlb_set_has(t, set, d->refs[i].page) ? "hits" : "misses");
    sim_destroy(sim);
}

static void tlb_explain(const Question *q, const Variant *v, const KeyPart *part,
                        const Tokens *given, size_t pos, Buf *out)
{
    const TlbData *d = v->data;
    const char *right = pos < part->right.n ? part->right.v[pos] : "(nothing more)";
    if (!part->seq || pos >= d->n) {
        buf_printf(out, "%s.%s: you answered %s; the answer is %s.\n", q->name, part->name,
                   given->n > pos ? given->v[pos] : "nothing", right);
        return;
    }
    unsigned sets = d->spec.entries / d->spec.ways, set = d->refs[pos].page % sets;
    buf_printf(out, "%s.seq, reference %zu (page %u, set %u): you answered %s; the answer is %s.\n",
               q->name, pos + 1, d->refs[pos].page, set, given->n > pos ? given->v[pos] : "nothing",
               right);
    tlb_set_words(v, pos, set, out);
    if (v->replay[0])
        buf_printf(out, "  Replay: %s, then 'step %zu' shows reference %zu.\n", v->replay, pos + 1,
                   pos + 1);
}

const QuestionKind tlb_kind = {
    .name = "tlb",
    .parts = "seq hits misses",
    .spec_size = sizeof(TlbSpec),
    .spec_init = tlb_spec_init,
    .default_ask = "seq hits",
    .parse = tlb_parse,
    .check = tlb_check,
    .vary = tlb_vary,
    .key = tlb_key,
    .part_words = tlb_part_words,
    .describe = tlb_describe,
    .scenario = tlb_scenario,
    .inputs = tlb_inputs,
    .explain = tlb_explain,
    .follow = NULL,
    .free_data = free,
};
