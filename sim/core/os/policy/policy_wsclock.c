/* wsclock: Tanenbaum's WSClock. A hand over frames; R set: R is cleared and the last
 * use (counter) becomes now; R clear and age (now - last use) > tau: a clean page is
 * the victim, a dirty one is scheduled for write-back and skipped; after a full turn
 * without a victim, the first clean page seen, else the frame at the hand. The hand
 * stops one past the victim. Scheduled write-backs wait in the wb list, oldest first. */
#include "policy_int.h"

#include <inttypes.h>

static void wb_unlink(PolicyState *p, uint32_t f)
{
    Slot *s = p->s;
    if (s[f].wb_prev != NIL)
        s[s[f].wb_prev].wb_next = s[f].wb_next;
    else
        p->wb.head = s[f].wb_next;
    if (s[f].wb_next != NIL)
        s[s[f].wb_next].wb_prev = s[f].wb_prev;
    else
        p->wb.tail = s[f].wb_prev;
    s[f].wb_prev = s[f].wb_next = NIL;
}

static void wb_append(PolicyState *p, uint32_t f)
{
    Slot *s = p->s;
    s[f].wb_prev = p->wb.tail;
    s[f].wb_next = NIL;
    if (p->wb.tail != NIL)
        s[p->wb.tail].wb_next = f;
    else
        p->wb.head = f;
    p->wb.tail = f;
}

/* Drops f from the write-back list if it is queued (a popped frame has no links and
 * is not the head). */
static void wb_drop(PolicyState *p, pfn_t pfn)
{
    uint32_t f = (uint32_t)pfn;
    if (pfn < p->n && p->s[f].ready && (p->s[f].wb_prev != NIL || p->wb.head == f))
        wb_unlink(p, f);
}

static void wsclock_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    pstate_insert(p, pfn, write, now);
    p->s[pfn].counter = now;
}

static void wsclock_remove(void *st, pfn_t pfn)
{
    PolicyState *p = st;
    if (pfn < p->n && p->s[pfn].resident)
        wb_drop(p, pfn);
    pstate_remove(p, pfn);
}

static void wsclock_cleaned(void *st, pfn_t pfn)
{
    PolicyState *p = st;
    if (pfn < p->n && p->s[pfn].resident)
        wb_drop(p, pfn);
    pstate_cleaned(p, pfn);
}

/* Schedules a write-back of dirty frame f once until it is cleaned. */
static void wsclock_schedule(PolicyState *p, uint32_t f)
{
    if (p->s[f].wb_pending)
        return;
    p->s[f].wb_pending = 1;
    p->writebacks++;
    wb_append(p, f);
}

/* One full turn from the hand; the hand stops one past the victim. */
static pfn_t wsclock_victim(void *st, PolicyFilter filter, void *ctx)
{
    PolicyState *p = st;
    pfn_t first_clean = PFN_NONE, first_seen = PFN_NONE, victim = PFN_NONE;
    for (size_t i = 0; i < p->n && victim == PFN_NONE; i++) {
        size_t f = (p->hand + i) % p->n;
        if (!pstate_eligible(p, f, filter, ctx))
            continue;
        Slot *s = &p->s[f];
        if (first_seen == PFN_NONE)
            first_seen = f;
        if (s->ref) {
            s->ref = 0;
            s->counter = p->now;
        } else if (p->now > s->counter && p->now - s->counter > p->params.tau) {
            if (!s->dirty)
                victim = f;
            else
                wsclock_schedule(p, (uint32_t)f);
        }
        if (!s->dirty && first_clean == PFN_NONE)
            first_clean = f;
    }
    if (victim == PFN_NONE)
        victim = first_clean != PFN_NONE ? first_clean : first_seen;
    if (victim != PFN_NONE)
        p->hand = (victim + 1) % p->n;
    return victim;
}

static pfn_t wsclock_take_writeback(void *st)
{
    PolicyState *p = st;
    uint32_t f = p->wb.head;
    if (f == NIL)
        return PFN_NONE;
    wb_unlink(p, f);
    return f;
}

static uint64_t wsclock_writebacks(const void *st)
{
    return ((const PolicyState *)st)->writebacks;
}

/* "hand at frame 1, tau 1000, now 7; frames: 0 last use 7 R=1 M=0, ..." */
static size_t wsclock_describe(const void *st, char *buf, size_t len)
{
    const PolicyState *p = st;
    char head[96];
    snprintf(head, sizeof head, "hand at frame %zu, tau %" PRIu64 ", now %" PRIu64 "; frames", p->hand,
             p->params.tau, p->now);
    return pstate_describe_frames(p, head, "last use", true, buf, len);
}

const PolicyOps policy_wsclock_ops = {
    .name = "wsclock", .label = "WSClock (working set with a clock hand)", .counter_name = "last use",
    .has_reference_bit = true,
    .create = pstate_create, PSTATE_COMMON_OPS,
    .insert = wsclock_insert, .touch = pstate_touch, .remove = wsclock_remove,
    .cleaned = wsclock_cleaned, .tick = pstate_tick,
    .victim = wsclock_victim, .describe_state = wsclock_describe, .set_namer = pstate_set_namer,
    .referenced = pstate_referenced, .counter = pstate_counter, .hand = pstate_hand,
    .take_writeback = wsclock_take_writeback, .writebacks = wsclock_writebacks,
};
