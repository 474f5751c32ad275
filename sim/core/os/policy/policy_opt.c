/* opt (Belady): the page whose next use (told by set_next_use) is farthest is the
 * victim, never (UINT64_MAX) being farthest; ties the lowest frame. A binary max-heap
 * with a position index: heap[0] is the frame whose page is used farthest in the
 * future; equal next uses put the lower frame number higher, so the root is exactly
 * opt's victim. */
#include "policy_int.h"

#include <inttypes.h>
#include <string.h>

static const char *const ties_names[] = { "lowest-frame", "latest-loaded", "earliest-loaded" };

const char *opt_ties_name(OptTies t)
{
    return (unsigned)t < 3 ? ties_names[t] : "?";
}

bool opt_ties_parse(const char *name, OptTies *out)
{
    for (unsigned i = 0; i < 3; i++)
        if (strcmp(name, ties_names[i]) == 0) {
            *out = (OptTies)i;
            return true;
        }
    return false;
}

/* a goes before b: a later next use, or on a tie memory.opt_ties's rule (the frame
 * number last, so the order is total). Ties are rare (only frames never used again
 * tie), so they take the out-of-line path. */
static bool heap_tie_above(const PolicyState *p, uint32_t a, uint32_t b)
{
    uint64_t la = p->s[a].loaded, lb = p->s[b].loaded;
    if (p->params.opt_ties == OPT_TIES_LATEST_LOADED && la != lb)
        return la > lb;
    if (p->params.opt_ties == OPT_TIES_EARLIEST_LOADED && la != lb)
        return la < lb;
    return a < b;
}

static inline bool heap_above(const PolicyState *p, uint32_t a, uint32_t b)
{
    uint64_t ka = p->s[a].counter, kb = p->s[b].counter;
    if (ka != kb)
        return ka > kb;
    return heap_tie_above(p, a, b);
}

static void heap_put(PolicyState *p, size_t i, uint32_t f)
{
    p->heap[i] = f;
    p->s[f].heap_pos = (uint32_t)i;
}

/* The arrays and the rising frame's key are held in locals: the stores to heap_pos
 * would otherwise make the compiler reload them at every level. */
static void heap_up(PolicyState *p, size_t i)
{
    uint32_t *heap = p->heap;
    Slot *s = p->s;
    uint32_t f = heap[i];
    uint64_t k = s[f].counter;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        uint32_t g = heap[up];
        uint64_t kg = s[g].counter;
        if (k < kg || (k == kg && !heap_tie_above(p, f, g)))
            break;
        heap[i] = g;
        s[g].heap_pos = (uint32_t)i;
        i = up;
    }
    heap[i] = f;
    s[f].heap_pos = (uint32_t)i;
}

static void heap_down(PolicyState *p, size_t i)
{
    uint32_t f = p->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= p->heap_len)
            break;
        if (c + 1 < p->heap_len && heap_above(p, p->heap[c + 1], p->heap[c]))
            c++;
        if (!heap_above(p, p->heap[c], f))
            break;
        heap_put(p, i, p->heap[c]);
        i = c;
    }
    heap_put(p, i, f);
}

/* Takes f out of the heap. The root (opt's victim, the usual case) leaves a hole that
 * walks down the path of the higher children to a leaf, one comparison a level
 * (Floyd's bottom-up deletion); the last entry then fills it and rises. */
static void heap_delete(PolicyState *p, uint32_t f)
{
    size_t i = p->s[f].heap_pos;
    uint32_t last = p->heap[--p->heap_len];
    p->s[f].heap_pos = NIL;
    if (last == f)
        return;
    if (i == 0) {
        uint32_t *heap = p->heap;
        size_t len = p->heap_len;
        for (size_t c; (c = 2 * i + 1) < len; i = c) {
            if (c + 1 < len && heap_above(p, heap[c + 1], heap[c]))
                c++;
            heap_put(p, i, heap[c]);
        }
        heap_put(p, i, last);
        heap_up(p, i);
        return;
    }
    heap_put(p, i, last);
    heap_up(p, i);
    heap_down(p, p->s[last].heap_pos);
}

/* Every frame's next use starts as never. */
static void *opt_create(size_t nframes, Rng *rng, const PolicyParams *params)
{
    PolicyState *p = pstate_create(nframes, rng, params);
    if (!p)
        return NULL;
    p->empty_counter = UINT64_MAX;      /* pstate_slot gives each slot this */
    return p;
}

static void opt_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_insert(p, pfn, write, now);
    heap_put(p, p->heap_len++, (uint32_t)pfn);
    heap_up(p, p->heap_len - 1);
}

static void opt_remove(void *st, pfn_t pfn)
{
    PolicyState *p = st;
    if (pfn < p->n && p->s[pfn].resident && p->s[pfn].heap_pos != NIL)
        heap_delete(p, (uint32_t)pfn);
    pstate_remove(p, pfn);
}

/* A frame's next use only moves one way at a time: later on a reference (the use
 * it waited for has come), so the frame rises; set afresh before insert otherwise. */
static void opt_set_next_use(void *st, pfn_t pfn, uint64_t next)
{
    PolicyState *p = st;
    if (pfn >= p->n)
        return;
    Slot *s = p->s[pfn].ready ? &p->s[pfn] : pstate_slot(p, pfn);
    uint64_t old = s->counter;
    s->counter = next;
    if (s->heap_pos == NIL || next == old)
        return;
    if (next > old)
        heap_up(p, s->heap_pos);
    else
        heap_down(p, s->heap_pos);
}

/* The heap root, or with a filter the highest eligible frame in heap order. */
static pfn_t opt_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    if (!filter)
        return p->heap_len ? p->heap[0] : PFN_NONE;
    pfn_t best = PFN_NONE;
    for (size_t f = 0; f < p->n; f++)
        if (pstate_eligible(p, f, filter, ctx) &&
            (best == PFN_NONE || heap_above(p, (uint32_t)f, (uint32_t)best)))
            best = f;
    return best;
}

static pfn_t opt_victim(void *st, PolicyFilter filter, void *ctx)
{
    return opt_next_victim(st, filter, ctx);
}

/* "next use 13" (the trace record, from 1, as opt_describe counts) or "next use never" */
static void opt_frame(const void *st, pfn_t pfn, char *buf, size_t len)
{
    uint64_t c = pstate_counter(st, pfn);
    if (c == UINT64_MAX)
        snprintf(buf, len, "next use never");
    else
        snprintf(buf, len, "next use %" PRIu64, c + 1);
}

/* "next uses (trace record, from 1): 0 at 13, 1 never, 2 at 10". The counters are
 * positions in the trace from 0; people count records (and the log steps) from 1. */
static size_t opt_describe(const void *st, char *buf, size_t len)
{
    const PolicyState *p = st;
    size_t n = 0, shown = 0;
    pstate_appendf(buf, len, &n, "next uses (trace record, from 1)");
    for (size_t f = 0; f < p->n; f++) {
        if (!p->s[f].resident)
            continue;
        char nm[96];
        pstate_name(p, f, nm, sizeof nm);
        if (p->s[f].counter == UINT64_MAX)
            pstate_appendf(buf, len, &n, "%s %s never", shown++ ? "," : ":", nm);
        else
            pstate_appendf(buf, len, &n, "%s %s at %" PRIu64, shown++ ? "," : ":", nm, p->s[f].counter + 1);
        if (p->params.opt_ties != OPT_TIES_LOWEST_FRAME)
            pstate_appendf(buf, len, &n, " (loaded at %" PRIu64 ")", p->s[f].loaded);
    }
    if (!shown)
        pstate_appendf(buf, len, &n, ": no pages loaded");
    else
        pstate_appendf(buf, len, &n, "; equal next uses: %s", p->params.opt_ties == OPT_TIES_LOWEST_FRAME ?
                       "the lowest frame goes" : p->params.opt_ties == OPT_TIES_LATEST_LOADED ?
                       "the latest loaded goes" : "the earliest loaded goes");
    return n;
}

const PolicyOps policy_opt_ops = {
    .name = "opt", .label = "OPT (Belady: the farthest next use)", .counter_name = "next use",
    .create = opt_create, PSTATE_COMMON_OPS,
    .insert = opt_insert, .touch = pstate_touch, .remove = opt_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick, .set_next_use = opt_set_next_use,
    .victim = opt_victim, .next_victim = opt_next_victim, .describe_state = opt_describe, .set_namer = pstate_set_namer,
    .describe_frame = opt_frame, .counter = pstate_counter,
};
