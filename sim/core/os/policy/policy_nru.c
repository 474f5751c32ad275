/* nru: class = 2 * R + M; R bits are cleared at each tick; the victim is the
 * lowest-numbered frame of the lowest non-empty class. */
#include "policy_int.h"

static void nru_tick(void *st, uint64_t now)
{
    PolicyState *p = st;
    p->now = now;
    for (size_t f = 0; f < p->n; f++)
        if (p->s[f].resident)
            p->s[f].ref = 0;
}

/* The lowest class wins; within it the lowest frame number (a scan in frame order
 * keeps the first of each class), so results do not depend on the rng. */
static pfn_t nru_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    pfn_t best[4] = { PFN_NONE, PFN_NONE, PFN_NONE, PFN_NONE };
    for (size_t f = 0; f < p->n; f++) {
        if (!pstate_eligible(p, f, filter, ctx))
            continue;
        unsigned c = 2u * p->s[f].ref + p->s[f].dirty;
        if (c == 0)
            return f;
        if (best[c] == PFN_NONE)
            best[c] = f;
    }
    for (int c = 1; c < 4; c++)
        if (best[c] != PFN_NONE)
            return best[c];
    return PFN_NONE;
}

static pfn_t nru_victim(void *st, PolicyFilter filter, void *ctx)
{
    return nru_next_victim(st, filter, ctx);
}

/* "class = 2R + M; frames: 0 R=1 M=0, 1 R=0 M=1" */
static size_t nru_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_frames(st, "class = 2R + M; frames", NULL, true, buf, len);
}

const PolicyOps policy_nru_ops = {
    .name = "nru", .label = "NRU (not recently used)", .has_reference_bit = true,
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = pstate_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = nru_tick,
    .victim = nru_victim, .next_victim = nru_next_victim, .describe_state = nru_describe, .set_namer = pstate_set_namer,
    .referenced = pstate_referenced,
};
