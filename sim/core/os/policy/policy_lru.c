/* lru: the page referenced least recently is the victim. The order list is kept in
 * use order (a reference moves the frame to the tail); counter holds the last use. */
#include "policy_int.h"

static void lru_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_insert(p, pfn, write, now);
    p->s[pfn].counter = now;
}

/* The hot path: no call beyond this one. */
static void lru_touch(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    uint32_t f = (uint32_t)pfn;
    Slot *s = &p->s[f];
    s->ref = 1;
    s->dirty |= write;
    s->counter = now;
    p->now = now;
    if (p->order.tail != f) {
        order_unlink(p, f);
        order_append(p, f);
    }
}

/* "frames by last use, least recent first: 2 (last used at 4), 0 (last used at 9)" */
static size_t lru_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_order(st, "by last use, least recent first", "last used at", true, false, buf,
                                 len);
}

const PolicyOps policy_lru_ops = {
    .name = "lru", .label = "LRU (least recently used)",
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = lru_insert, .touch = lru_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = pstate_victim_first, .next_victim = pstate_next_first, .describe_state = lru_describe, .set_namer = pstate_set_namer,
};
