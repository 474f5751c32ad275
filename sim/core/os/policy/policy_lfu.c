/* lfu: the page referenced fewest times since it was loaded; ties go to the one loaded
 * earliest (the order list is the load order). */
#include "policy_int.h"

static void lfu_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_insert(p, pfn, write, now);
    p->s[pfn].counter = 1;
}

static void lfu_touch(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_touch(p, pfn, write, now);
    p->s[pfn].counter++;
}

/* The smallest count in load order (strict <, so ties keep the earliest loaded); a
 * resident page has at least 1, so the first 1 ends the scan. */
static pfn_t lfu_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    pfn_t best = PFN_NONE;
    for (uint32_t f = p->order.head; f != NIL; f = p->s[f].next) {
        if (filter && !filter(ctx, f))
            continue;
        if (best == PFN_NONE || p->s[f].counter < p->s[best].counter)
            best = f;
        if (p->s[f].counter <= 1)
            break;
    }
    return best;
}

static pfn_t lfu_victim(void *st, PolicyFilter filter, void *ctx)
{
    return lfu_next_victim(st, filter, ctx);
}

/* "frames in load order, oldest first: 3 (uses 4), 1 (uses 1)" */
static size_t lfu_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_order(st, "in load order, oldest first", "uses", true, false, buf, len);
}

const PolicyOps policy_lfu_ops = {
    .name = "lfu", .label = "LFU (least frequently used)", .counter_name = "uses",
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = lfu_insert, .touch = lfu_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = lfu_victim, .next_victim = lfu_next_victim, .describe_state = lfu_describe, .set_namer = pstate_set_namer,
    .counter = pstate_counter,
};
