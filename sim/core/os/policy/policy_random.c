/* random: a frame chosen with the Sim's seeded generator. */
#include "policy_int.h"

/* A uniformly random starting frame, then the first eligible one from there. */
static pfn_t random_victim(void *st, PolicyFilter filter, void *ctx)
{
    PolicyState *p = st;
    if (p->n == 0)
        return PFN_NONE;
    size_t start = (size_t)rng_below(p->rng, p->n);
    for (size_t i = 0; i < p->n; i++) {
        size_t f = (start + i) % p->n;
        if (pstate_eligible(p, f, filter, ctx))
            return f;
    }
    return PFN_NONE;
}

static size_t random_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_order(st, "in load order (random ignores it)", "loaded at", false, false, buf,
                                 len);
}

const PolicyOps policy_random_ops = {
    .name = "random", .label = "random (a seeded generator chooses)",
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = pstate_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = random_victim, .describe_state = random_describe, .set_namer = pstate_set_namer,
};
