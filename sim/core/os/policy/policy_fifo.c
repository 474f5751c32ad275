/* fifo: the page loaded earliest is the victim (the order list is the load order). */
#include "policy_int.h"

/* "frames in load order, oldest first: 3 (loaded at 5), 1 (loaded at 7)" */
static size_t fifo_describe(const void *st, char *buf, size_t len)
{
    return pstate_describe_order(st, "in load order, oldest first", "loaded at", false, false, buf, len);
}

const PolicyOps policy_fifo_ops = {
    .name = "fifo", .label = "FIFO (first in, first out)",
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = pstate_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = pstate_tick,
    .victim = pstate_victim_first, .next_victim = pstate_next_first, .describe_state = fifo_describe, .set_namer = pstate_set_namer,
};
