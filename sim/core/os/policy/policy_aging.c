/* aging: 8-bit counters: at each tick a counter shifts right and R enters at the top
 * (then R is cleared); the victim has the smallest counter, ties the lowest frame. A
 * load sets the counter to 0x80 with R clear (the load is credited to the interval
 * just ended, so a page just loaded is not the next victim). */
#include "policy_int.h"

#include <inttypes.h>

#define AGING_TOP 0x80u

static void aging_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_insert(p, pfn, write, now);
    p->s[pfn].counter = AGING_TOP;
    p->s[pfn].ref = 0;
}

/* counter = counter >> 1 | R << 7, then R is cleared. */
static void aging_tick(void *st, uint64_t now)
{
    PolicyState *p = st;
    p->now = now;
    for (size_t f = 0; f < p->n; f++) {
        Slot *s = &p->s[f];
        if (!s->resident)
            continue;
        s->counter = (s->counter >> 1) | (s->ref ? AGING_TOP : 0);
        s->ref = 0;
    }
}

/* The smallest counter in frame order (strict <, so ties keep the lowest frame);
 * nothing is below 0, so the first 0 ends the scan. */
static pfn_t aging_next_victim(const void *st, PolicyFilter filter, void *ctx)
{
    const PolicyState *p = st;
    pfn_t best = PFN_NONE;
    for (size_t f = 0; f < p->n; f++) {
        if (!pstate_eligible(p, f, filter, ctx))
            continue;
        if (best == PFN_NONE || p->s[f].counter < p->s[best].counter)
            best = f;
        if (p->s[f].counter == 0)
            break;
    }
    return best;
}

static pfn_t aging_victim(void *st, PolicyFilter filter, void *ctx)
{
    return aging_next_victim(st, filter, ctx);
}

/* "age 0x80" */
static void aging_frame(const void *st, pfn_t pfn, char *buf, size_t len)
{
    snprintf(buf, len, "age 0x%02" PRIx64, pstate_counter(st, pfn));
}

/* "counters (R enters at the top at each tick): 0 age 0x80 R=1, 2 age 0x40 R=0" */
static size_t aging_describe(const void *st, char *buf, size_t len)
{
    const PolicyState *p = st;
    size_t n = 0, shown = 0;
    pstate_appendf(buf, len, &n, "counters (R enters at the top at each tick)");
    char nm[96];
    for (size_t f = 0; f < p->n; f++)
        if (p->s[f].resident)
            pstate_appendf(buf, len, &n, "%s %s age 0x%02" PRIx64 " R=%u", shown++ ? "," : ":",
                           pstate_name(p, f, nm, sizeof nm), p->s[f].counter, p->s[f].ref);
    if (!shown)
        pstate_appendf(buf, len, &n, ": no pages loaded");
    return n;
}

const PolicyOps policy_aging_ops = {
    .name = "aging", .label = "aging (8-bit counters of R bits)", .counter_name = "age",
    .has_reference_bit = true,
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = aging_insert, .touch = pstate_touch, .remove = pstate_remove,
    .cleaned = pstate_cleaned, .tick = aging_tick,
    .victim = aging_victim, .next_victim = aging_next_victim, .describe_state = aging_describe, .set_namer = pstate_set_namer,
    .describe_frame = aging_frame, .referenced = pstate_referenced, .counter = pstate_counter,
};
