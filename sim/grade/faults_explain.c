/* kind = faults: the first wrong step explained, and follow-through credit.
 *
 * The explanation names the right answer and why: the resident pages in the policy's
 * order at that point (FIFO by load, LRU by last use, OPT by next use; CLOCK's hand and
 * R bits read from the engine's policy through include/vmsim/policy.h), and whether
 * the student's whole sequence is another policy's or another frame count's.
 * grade_explain_step is the one place that describes a policy's state; it is to be
 * replaced by the core's describer when that lands.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kind_faults.h"
#include "vmsim/sim.h"

const char *faults_policy_title(PolicyKind p)
{
    switch (p) {
    case POLICY_FIFO: return "FIFO (first in, first out)";
    case POLICY_LRU: return "LRU (least recently used)";
    case POLICY_OPT: return "OPT (Belady's optimal: the page used farthest in the future)";
    case POLICY_CLOCK: return "CLOCK (a hand over the frames, skipping pages with R set)";
    default: return policy_name(p);
    }
}

static const char *upper_name(PolicyKind p)
{
    static const char *const names[POLICY_COUNT] = {
        [POLICY_FIFO] = "FIFO", [POLICY_LRU] = "LRU", [POLICY_CLOCK] = "CLOCK",
        [POLICY_SECOND_CHANCE] = "second-chance", [POLICY_NRU] = "NRU", [POLICY_LFU] = "LFU",
        [POLICY_AGING] = "aging", [POLICY_WSCLOCK] = "WSClock", [POLICY_RANDOM] = "random",
        [POLICY_OPT] = "OPT",
    };
    return (unsigned)p < POLICY_COUNT ? names[p] : "?";
}

/* When page was last loaded (its latest fault) before reference i; last used; next used. */
static size_t loaded_at(const FaultsData *d, size_t i, uint32_t page)
{
    size_t at = 0;
    for (size_t k = 0; k < i; k++)
        if (d->refs[k].page == page && !d->out.hit[k])
            at = k;
    return at;
}

static size_t used_at(const FaultsRef *refs, size_t i, uint32_t page)
{
    size_t at = 0;
    for (size_t k = 0; k < i; k++)
        if (refs[k].page == page)
            at = k;
    return at;
}

static size_t next_use(const FaultsRef *refs, size_t n, size_t i, uint32_t page)
{
    for (size_t k = i + 1; k < n; k++)
        if (refs[k].page == page)
            return k;
    return SIZE_MAX;
}

/* The resident pages before reference i (frame order), as the key's run had them. */
static size_t resident(const FaultsData *d, size_t i, uint32_t *pages)
{
    size_t n = 0;
    for (unsigned f = 0; i > 0 && f < d->frames; f++)
        if (d->out.state[i - 1][f] >= 0)
            pages[n++] = (uint32_t)d->out.state[i - 1][f];
    return n;
}

void grade_explain_bits(const Sim *sim, const uint64_t *frame_page, unsigned nframes, Buf *out)
{
    const Policy *p = sim_policy(sim);
    pfn_t hand = policy_hand(p);
    bool first = true;
    buf_printf(out, "  Before it:");
    for (unsigned f = 0; f < nframes; f++)
        if (frame_page[f] != UINT64_MAX) {
            buf_printf(out, "%s frame %u page %" PRIu64 " R=%d", first ? "" : ",", f, frame_page[f],
                       policy_referenced(p, f));
            first = false;
        }
    if (hand != PFN_NONE)
        buf_printf(out, "; the hand at frame %llu.\n  The hand clears each R bit it passes; the "
                   "first frame with R clear is the victim", (unsigned long long)hand);
    buf_printf(out, ".\n");
}

/* CLOCK and the like: the hand and R bits of the engine's policy before reference i. */
static void explain_bits(const Variant *v, size_t i, Buf *out)
{
    const FaultsData *d = v->data;
    char err[GRADE_ERR];
    Sim *sim = NULL;
    /* Re-run to just before reference i and read the policy's own state. */
    if (faults_run_to(v, i, &sim, err, sizeof err))
        return;
    uint64_t pages[FAULTS_FRAMES_MAX];
    for (unsigned f = 0; f < d->frames; f++)
        pages[f] = d->out.state[i - 1][f] >= 0 ? (uint64_t)d->out.state[i - 1][f] : UINT64_MAX;
    grade_explain_bits(sim, pages, d->frames, out);
    sim_destroy(sim);
}

bool grade_explain_order(PolicyKind policy, GradePageName *pages, const size_t *key, size_t n,
                         const char *victim, Buf *out)
{
    const char *order, *label;
    if (policy == POLICY_FIFO)
        order = "by load, oldest first", label = "loaded at reference";
    else if (policy == POLICY_LRU)
        order = "by last use, least recent first", label = "last used at";
    else if (policy == POLICY_OPT)
        order = "by next use, farthest first", label = "next used at";
    else
        return false;
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (!done)
        return true;
    /* A stable selection sort, so equal keys keep frame order (OPT's tie rule). */
    bool desc = policy == POLICY_OPT;
    buf_printf(out, "  Resident pages %s:\n   ", order);
    for (size_t r = 0; r < n; r++) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < n; k++)
            if (!done[k] && (best == SIZE_MAX || (desc ? key[k] > key[best] : key[k] < key[best])))
                best = k;
        done[best] = true;
        if (key[best] == SIZE_MAX)
            buf_printf(out, "%s %s (never again)", r ? "," : "", pages[best]);
        else
            buf_printf(out, "%s %s (%s %zu)", r ? "," : "", pages[best], label, key[best] + 1);
    }
    free(done);
    buf_printf(out, ".\n  %s evicts page %s%s.\n", upper_name(policy), victim,
               policy == POLICY_OPT ? " (ties go to the lowest-numbered frame)" : "");
    return true;
}

/* The policy's state before reference i, in its own order, and its victim. */
void grade_explain_step(const Variant *v, size_t i, uint32_t victim, Buf *out)
{
    const FaultsData *d = v->data;
    uint32_t res[FAULTS_FRAMES_MAX];
    GradePageName pages[FAULTS_FRAMES_MAX], vname;
    size_t n = resident(d, i, res);
    size_t key[FAULTS_FRAMES_MAX];
    for (size_t k = 0; k < n; k++) {
        snprintf(pages[k], sizeof pages[k], "%u", res[k]);
        if (d->policy == POLICY_FIFO)
            key[k] = loaded_at(d, i, res[k]);
        else if (d->policy == POLICY_LRU)
            key[k] = used_at(d->refs, i, res[k]);
        else if (d->policy == POLICY_OPT)
            key[k] = next_use(d->refs, d->n, i, res[k]);
    }
    snprintf(vname, sizeof vname, "%u", victim);
    if (grade_explain_order(d->policy, pages, key, n, vname, out))
        return;
    explain_bits(v, i, out);
    buf_printf(out, "  %s evicts page %u.\n", upper_name(d->policy), victim);
}

/* The eviction made at reference i, or -1. */
static long eviction_at(const FaultsOutcome *o, size_t i)
{
    for (size_t j = 0; j < o->nvictims; j++)
        if (o->victim_at[j] == i)
            return (long)j;
    return -1;
}

/* Whether the student's tokens are part `what` of another policy or frame count;
 * says which. */
static void recognise(const Variant *v, const char *what, const Tokens *given, Buf *out)
{
    const FaultsData *d = v->data;
    static const PolicyKind others[] = { POLICY_FIFO, POLICY_LRU, POLICY_OPT, POLICY_CLOCK };
    if (!given->n || (given->n == 1 && strcmp(given->v[0], "-") == 0))
        return;
    FaultsOutcome *o = malloc(sizeof *o);
    if (!o)
        return;
    for (size_t pi = 0; pi < sizeof others / sizeof others[0]; pi++) {
        unsigned lo = d->frames > 2 ? d->frames - 2 : 1;
        for (unsigned f = lo; f <= d->frames + 2 && f <= FAULTS_FRAMES_MAX; f++) {
            char err[GRADE_ERR];
            if ((others[pi] == d->policy && f == d->frames) ||
                faults_outcome(v, others[pi], f, o, err, sizeof err))
                continue;
            bool same = strcmp(what, "seq") == 0 ? given->n == d->n : given->n == o->nvictims;
            for (size_t k = 0; same && k < given->n; k++) {
                char w[24];
                if (strcmp(what, "seq") == 0)
                    snprintf(w, sizeof w, "%s", o->hit[k] ? "H" : "M");
                else
                    snprintf(w, sizeof w, "%u", o->victims[k]);
                same = strcmp(w, given->v[k]) == 0;
            }
            if (same) {
                buf_printf(out, "  Your %s is exactly %s's with %u frame%s.\n",
                           strcmp(what, "seq") == 0 ? "sequence" : "list of victims",
                           upper_name(others[pi]), f, f == 1 ? "" : "s");
                free(o);
                return;
            }
        }
    }
    free(o);
}

static void you(const Tokens *given, size_t pos, Buf *out)
{
    if (pos < given->n)
        buf_printf(out, "you answered %s", given->v[pos]);
    else
        buf_printf(out, "you gave no answer");
}

/* The first line: which position, what the student said and the answer. Returns the
 * reference (0-based) the position is about, or SIZE_MAX when there is none. */
static size_t explain_head(const Question *q, const FaultsData *d, const KeyPart *part,
                           const Tokens *given, size_t pos, Buf *out)
{
    const FaultsOutcome *o = &d->out;
    const char *right = pos < part->right.n ? part->right.v[pos] : "(nothing more)";
    size_t ref = part->seq ? pos : SIZE_MAX;
    if (!part->seq) {
        buf_printf(out, "%s.%s: ", q->name, part->name);
        pos = 0;
    } else if (strcmp(part->name, "victims") == 0 && pos >= o->nvictims) {
        buf_printf(out, "%s.victims, eviction %zu: ", q->name, pos + 1);
        you(given, pos, out);
        buf_printf(out, "; there %s only %zu eviction%s.\n", o->nvictims == 1 ? "is" : "are",
                   o->nvictims, o->nvictims == 1 ? "" : "s");
        return SIZE_MAX;
    } else if (strcmp(part->name, "victims") == 0) {
        ref = o->victim_at[pos];
        buf_printf(out, "%s.victims, eviction %zu (at reference %zu, page %u): ", q->name,
                   pos + 1, ref + 1, d->refs[ref].page);
    } else {
        buf_printf(out, "%s.%s, reference %zu (page %u): ", q->name, part->name, ref + 1,
                   ref < d->n ? d->refs[ref].page : 0);
    }
    you(given, pos, out);
    buf_printf(out, "; the answer is %s.\n", right);
    return ref < d->n ? ref : SIZE_MAX;
}

void faults_explain(const Question *q, const Variant *v, const KeyPart *part,
                    const Tokens *given, size_t pos, Buf *out)
{
    const FaultsData *d = v->data;
    const FaultsOutcome *o = &d->out;
    size_t ref = explain_head(q, d, part, given, pos, out);
    if (ref == SIZE_MAX)
        return;
    buf_printf(out, "  Page %u is %sresident before reference %zu, so it %s.\n", d->refs[ref].page,
               o->hit[ref] ? "" : "not ", ref + 1, o->hit[ref] ? "hits" : "faults");
    long j = eviction_at(o, ref);
    if (j >= 0)
        grade_explain_step(v, ref, o->victims[j], out);
    size_t first = 0;           /* recognised once, at the first difference */
    while (first < given->n && first < part->right.n && strcmp(given->v[first], part->right.v[first]) == 0)
        first++;
    if (pos == first && (strcmp(part->name, "seq") == 0 || strcmp(part->name, "victims") == 0))
        recognise(v, part->name, given, out);
    if (v->replay[0])
        buf_printf(out, "  Replay: %s, then 'step %zu' shows reference %zu.\n", v->replay,
                   ref + 1, ref + 1);
}

/* ---- follow-through ----------------------------------------------------------- */

/* The frame the policy evicts among frames[0..nf) (pages, with when each was loaded
 * and last used), before reference i. */
static unsigned ft_victim(const FaultsData *d, size_t i, const uint32_t *frames,
                          const size_t *loaded, const size_t *used, unsigned nf)
{
    unsigned best = 0;
    for (unsigned f = 1; f < nf; f++) {
        bool better;
        if (d->policy == POLICY_FIFO)
            better = loaded[f] < loaded[best];
        else if (d->policy == POLICY_LRU)
            better = used[f] < used[best];
        else
            better = next_use(d->refs, d->n, i, frames[f]) > next_use(d->refs, d->n, i, frames[best]);
        if (better)
            best = f;
    }
    return best;
}

static long find_page(const uint32_t *frames, unsigned nf, uint32_t page)
{
    for (unsigned f = 0; f < nf; f++)
        if (frames[f] == page)
            return (long)f;
    return -1;
}

/* Replays the string with the student's own victims (the policy's where theirs is
 * missing or not resident), judging each hit/miss and each victim against the
 * policy applied to the student's memory at that point. */
bool faults_follow(const Question *q, const Variant *v, const KeyPart *part,
                   const Tokens *given, bool *right)
{
    const FaultsData *d = v->data;
    (void)q;
    if (d->policy != POLICY_FIFO && d->policy != POLICY_LRU && d->policy != POLICY_OPT)
        return false;
    bool is_seq = strcmp(part->name, "seq") == 0;
    if (!is_seq && strcmp(part->name, "victims") != 0)
        return false;
    const Tokens *seq = &given[0], *vic = &given[2];     /* faults_key's part order */
    uint32_t frames[FAULTS_FRAMES_MAX];
    size_t loaded[FAULTS_FRAMES_MAX], used[FAULTS_FRAMES_MAX];
    unsigned nf = 0;
    size_t ev = 0;
    for (size_t i = 0; i < d->n; i++) {
        uint32_t page = d->refs[i].page;
        long f = find_page(frames, nf, page);
        if (is_seq && i < part->right.n)
            right[i] = i < seq->n && strcmp(seq->v[i], f >= 0 ? "H" : "M") == 0;
        if (f < 0 && nf < d->frames) {
            f = nf++;
            loaded[f] = i;
        } else if (f < 0) {
            unsigned pv = ft_victim(d, i, frames, loaded, used, nf);
            char w[24];
            snprintf(w, sizeof w, "%u", frames[pv]);
            bool ok = ev < vic->n && strcmp(vic->v[ev], w) == 0;
            if (!is_seq && ev < part->right.n)
                right[ev] = ok;
            long theirs = ev < vic->n ? find_page(frames, nf, (uint32_t)strtoul(vic->v[ev], NULL, 10)) : -1;
            f = theirs >= 0 ? theirs : (long)pv;
            loaded[f] = i;
            ev++;
        }
        frames[f] = page;
        used[f] = i;
    }
    if (!is_seq && ev == 0 && part->right.n)
        right[0] = vic->n == 1 && strcmp(vic->v[0], "-") == 0;
    return true;
}
