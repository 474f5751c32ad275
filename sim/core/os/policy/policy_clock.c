/* clock: a hand rotating over frames in frame order, starting at frame 0. Every
 * reference sets the frame's R bit; at a victim search a set bit is cleared and the
 * hand moves on; the first clear one is the victim, and the hand stops one past it. */
#include "policy_int.h"

/* Two turns of the hand suffice: the first clears every eligible set bit. */
static pfn_t clock_victim(void *st, PolicyFilter filter, void *ctx)
{
    PolicyState *p = st;
    for (size_t i = 0; p->n && i < 2 * p->n + 1; i++) {
        size_t f = p->hand;
        p->hand = (p->hand + 1) % p->n;
        if (!pstate_eligible(p, f, filter, ctx))
            continue;
        if (!p->s[f].ref)
            return f;
        p->s[f].ref = 0;
    }
    return PFN_NONE;
}

/* The first eligible frame from the hand with R clear; if all have R set, the first
 * eligible from the hand (the search clears them all and comes round to it). */
static pfn_t clock_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    pfn_t first = PFN_NONE;
    for (size_t i = 0; i < p->n; i++) {
        size_t f = (p->hand + i) % p->n;
        if (!pstate_eligible(p, f, filter, ctx))
            continue;
        if (!p->s[f].ref)
            return f;
        if (first == PFN_NONE)
            first = f;
    }
    return first;
}

/* "hand at frame 2; frames: 0 R=1 M=0, 1 R=0 M=1" */
static size_t clock_describe(const void *st, char *buf, size_t len)
{
    const PolicyState *p = st;
    char head[64];
    snprintf(head, sizeof head, "hand at frame %zu; frames", p->hand);
    return pstate_describe_frames(p, head, NULL, true, buf, len);
}

const PolicyOps policy_clock_ops = {
    .name = "clock", .label = "CLOCK (a hand over reference bits)", .has_reference_bit = true,
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = pstate_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = clock_victim, .next_victim = clock_next_victim, .describe_state = clock_describe, .set_namer = pstate_set_namer,
    .referenced = pstate_referenced, .hand = pstate_hand,
};
