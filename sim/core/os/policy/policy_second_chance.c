/* second-chance: a FIFO queue; the oldest page with R set has R cleared and moves to
 * the tail; the oldest with R clear is the victim (the same faults as clock). */
#include "policy_int.h"

/* One pass over the queue as it stood: an eligible page with R set has R cleared and
 * goes to the tail (behind the pages not yet examined); one with R clear is the
 * victim. If every eligible page had R set, the first of them (now clear) is. */
static pfn_t second_chance_victim(void *st, PolicyFilter filter, void *ctx)
{
    PolicyState *p = st;
    uint32_t f = p->order.head, last = p->order.tail;
    while (f != NIL) {
        uint32_t next = f == last ? NIL : p->s[f].next;
        if (!filter || filter(ctx, f)) {
            if (!p->s[f].ref)
                return f;
            p->s[f].ref = 0;
            order_unlink(p, f);
            order_append(p, f);
        }
        f = next;
    }
    return pstate_first_in_order(p, filter, ctx);
}

/* The first eligible page of the queue with R clear, else the first eligible one. */
static pfn_t second_chance_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    for (uint32_t f = p->order.head; f != NIL; f = p->s[f].next)
        if ((!filter || filter(ctx, f)) && !p->s[f].ref)
            return f;
    return pstate_first_in_order(p, filter, ctx);
}

/* "queue, oldest first: 3 (loaded at 5, R=1), 1 (loaded at 7, R=0)" */
static size_t second_chance_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_order(st, "in queue order, oldest first", "loaded at", false, true, buf, len);
}

const PolicyOps policy_second_chance_ops = {
    .name = "second-chance", .label = "second chance (FIFO skipping referenced pages)",
    .has_reference_bit = true,
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = pstate_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = second_chance_victim, .next_victim = second_chance_next_victim,
    .describe_state = second_chance_describe, .set_namer = pstate_set_namer, .referenced = pstate_referenced,
};
