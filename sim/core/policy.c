/* Page replacement policies. Per-frame state lives in arrays indexed by frame number;
 * queues are intrusive doubly linked lists over those arrays and opt keeps a binary
 * max-heap with a position index, so the per-reference operations are O(1) (O(log n)
 * for opt) and allocate nothing. Victim searches and ticks may scan the frames. */
#include "vmsim/policy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define TAU_DEFAULT 1000u
#define AGING_TOP 0x80u

/* An intrusive list over frame numbers: links live in the per-frame slots. */
typedef struct List {
    uint32_t head, tail;
} List;

/* What the policy knows about one frame. */
typedef struct Slot {
    uint32_t prev, next;    /* order list: fifo/lru/lfu load or use order, second-chance queue */
    uint32_t wb_prev, wb_next; /* wsclock: pending write-backs, oldest first */
    uint32_t heap_pos;      /* opt: index in heap, NIL when not in it */
    uint8_t resident;
    uint8_t ref;            /* R: set by every reference */
    uint8_t dirty;          /* M: set by a write, cleared by policy_cleaned */
    uint8_t wb_pending;     /* wsclock: write-back scheduled and not yet cleaned */
    uint64_t counter;       /* aging counter / lfu count / opt next use / wsclock last use */
} Slot;

struct Policy {
    PolicyKind kind;
    size_t n;
    Rng *rng;
    PolicyParams params;
    Slot *s;
    List order;
    List wb;
    uint32_t *heap;         /* opt: resident frames, farthest next use at the root */
    size_t heap_len;
    size_t hand;            /* clock, wsclock */
    uint64_t now;           /* latest time told */
    uint64_t writebacks;    /* wsclock: write-backs scheduled */
};

static const char *const policy_names[POLICY_COUNT] = {
    [POLICY_FIFO] = "fifo", [POLICY_LRU] = "lru", [POLICY_CLOCK] = "clock",
    [POLICY_SECOND_CHANCE] = "second-chance", [POLICY_NRU] = "nru", [POLICY_LFU] = "lfu",
    [POLICY_AGING] = "aging", [POLICY_WSCLOCK] = "wsclock", [POLICY_RANDOM] = "random",
    [POLICY_OPT] = "opt",
};

bool policy_parse(const char *name, PolicyKind *out)
{
    for (int i = 0; i < POLICY_COUNT; i++) {
        if (strcmp(name, policy_names[i]) == 0) {
            *out = (PolicyKind)i;
            return true;
        }
    }
    return false;
}

const char *policy_name(PolicyKind kind)
{
    return (unsigned)kind < POLICY_COUNT ? policy_names[kind] : "?";
}

PolicyParams policy_params_default(void)
{
    return (PolicyParams){ .tau = TAU_DEFAULT };
}

Policy *policy_create(PolicyKind kind, size_t nframes, Rng *rng, const PolicyParams *params)
{
    if (nframes >= NIL)
        return NULL;        /* frame numbers must fit the 32-bit links */
    Policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t n = nframes ? nframes : 1;
    p->kind = kind;
    p->n = nframes;
    p->rng = rng;
    p->params = params ? *params : policy_params_default();
    p->order.head = p->order.tail = NIL;
    p->wb.head = p->wb.tail = NIL;
    p->s = calloc(n, sizeof *p->s);
    p->heap = malloc(n * sizeof *p->heap);
    if (!p->s || !p->heap) {
        policy_destroy(p);
        return NULL;
    }
    return p;               /* slots are set up as they are first used: slot_ready */
}

/* A slot as policy_remove leaves it. Slots come zeroed from calloc (untouched pages cost
 * nothing, so memory grows with the frames used); a zeroed, non-resident slot has
 * heap_pos 0, which a slot ever set up never has while out of memory. */
static Slot *slot_ready(Policy *p, uint32_t f)
{
    Slot *s = &p->s[f];
    if (!s->resident && s->heap_pos != NIL) {
        s->heap_pos = s->wb_prev = s->wb_next = NIL;
        s->counter = p->kind == POLICY_OPT ? UINT64_MAX : 0;
    }
    return s;
}

Policy *policy_clone(const Policy *p, Rng *rng)
{
    size_t n = p->n ? p->n : 1;
    Policy *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *p;
    c->rng = rng;
    c->s = malloc(n * sizeof *c->s);
    c->heap = malloc(n * sizeof *c->heap);
    if (!c->s || !c->heap) {
        policy_destroy(c);
        return NULL;
    }
    memcpy(c->s, p->s, n * sizeof *c->s);
    memcpy(c->heap, p->heap, n * sizeof *c->heap);
    return c;
}

void policy_destroy(Policy *p)
{
    if (!p)
        return;
    free(p->s);
    free(p->heap);
    free(p);
}

PolicyKind policy_kind(const Policy *p) { return p->kind; }

/* ---- lists ------------------------------------------------------------------ */

static void order_unlink(Policy *p, uint32_t f)
{
    Slot *s = p->s;
    if (s[f].prev != NIL)
        s[s[f].prev].next = s[f].next;
    else
        p->order.head = s[f].next;
    if (s[f].next != NIL)
        s[s[f].next].prev = s[f].prev;
    else
        p->order.tail = s[f].prev;
}

static void order_append(Policy *p, uint32_t f)
{
    Slot *s = p->s;
    s[f].prev = p->order.tail;
    s[f].next = NIL;
    if (p->order.tail != NIL)
        s[p->order.tail].next = f;
    else
        p->order.head = f;
    p->order.tail = f;
}

static void wb_unlink(Policy *p, uint32_t f)
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

static void wb_append(Policy *p, uint32_t f)
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

/* Whether f is queued in the write-back list (a popped frame has no links and is not
 * the head). */
static bool wb_queued(const Policy *p, uint32_t f)
{
    return p->s[f].wb_prev != NIL || p->wb.head == f;
}

/* ---- opt's heap ----------------------------------------------------------------
 * heap[0] is the frame whose page is used farthest in the future; equal next uses
 * put the lower frame number higher, so the root is exactly opt's victim. */

static bool heap_above(const Policy *p, uint32_t a, uint32_t b)
{
    uint64_t ka = p->s[a].counter, kb = p->s[b].counter;
    return ka > kb || (ka == kb && a < b);
}

static void heap_put(Policy *p, size_t i, uint32_t f)
{
    p->heap[i] = f;
    p->s[f].heap_pos = (uint32_t)i;
}

static void heap_up(Policy *p, size_t i)
{
    uint32_t f = p->heap[i];
    while (i > 0 && heap_above(p, f, p->heap[(i - 1) / 2])) {
        heap_put(p, i, p->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_put(p, i, f);
}

static void heap_down(Policy *p, size_t i)
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

static void heap_push(Policy *p, uint32_t f)
{
    heap_put(p, p->heap_len++, f);
    heap_up(p, p->heap_len - 1);
}

static void heap_delete(Policy *p, uint32_t f)
{
    size_t i = p->s[f].heap_pos;
    uint32_t last = p->heap[--p->heap_len];
    p->s[f].heap_pos = NIL;
    if (last == f)
        return;
    heap_put(p, i, last);
    heap_up(p, i);
    heap_down(p, p->s[last].heap_pos);
}

/* ---- events from the simulator ------------------------------------------------ */

void policy_insert(Policy *p, pfn_t pfn, bool write, uint64_t now)
{
    assert(pfn < p->n && !p->s[pfn].resident);
    uint32_t f = (uint32_t)pfn;
    Slot *s = slot_ready(p, f);
    s->resident = 1;
    s->ref = 1;
    s->dirty = write;
    p->now = now;
    switch (p->kind) {
    case POLICY_LFU:
        s->counter = 1;
        break;
    case POLICY_AGING:
        s->counter = AGING_TOP;
        s->ref = 0;
        break;
    case POLICY_WSCLOCK:
        s->counter = now;
        break;
    case POLICY_OPT:
        heap_push(p, f);
        break;
    default:
        break;
    }
    order_append(p, f);
}

void policy_touch(Policy *p, pfn_t pfn, bool write, uint64_t now)
{
    assert(pfn < p->n && p->s[pfn].resident);
    uint32_t f = (uint32_t)pfn;
    Slot *s = &p->s[f];
    s->ref = 1;
    s->dirty |= write;
    p->now = now;
    if (p->kind == POLICY_LRU && p->order.tail != f) {
        order_unlink(p, f);
        order_append(p, f);
    } else if (p->kind == POLICY_LFU) {
        s->counter++;
    }
}

void policy_remove(Policy *p, pfn_t pfn)
{
    if (pfn >= p->n || !p->s[pfn].resident)
        return;
    uint32_t f = (uint32_t)pfn;
    Slot *s = &p->s[f];
    order_unlink(p, f);
    if (s->heap_pos != NIL)
        heap_delete(p, f);
    if (wb_queued(p, f))
        wb_unlink(p, f);
    s->resident = s->ref = s->dirty = s->wb_pending = 0;
    s->counter = p->kind == POLICY_OPT ? UINT64_MAX : 0;
}

void policy_cleaned(Policy *p, pfn_t pfn)
{
    if (pfn >= p->n || !p->s[pfn].resident)
        return;
    uint32_t f = (uint32_t)pfn;
    if (wb_queued(p, f))
        wb_unlink(p, f);
    p->s[f].dirty = 0;
    p->s[f].wb_pending = 0;
}

/* nru: R bits are cleared. aging: counter = counter >> 1 | R << 7, then R is cleared. */
void policy_tick(Policy *p, uint64_t now)
{
    p->now = now;
    if (p->kind != POLICY_NRU && p->kind != POLICY_AGING)
        return;
    for (size_t f = 0; f < p->n; f++) {
        Slot *s = &p->s[f];
        if (!s->resident)
            continue;
        if (p->kind == POLICY_AGING)
            s->counter = (s->counter >> 1) | (s->ref ? AGING_TOP : 0);
        s->ref = 0;
    }
}

void policy_set_next_use(Policy *p, pfn_t pfn, uint64_t next)
{
    if (p->kind != POLICY_OPT || pfn >= p->n)
        return;
    uint32_t f = (uint32_t)pfn;
    slot_ready(p, f)->counter = next;
    if (p->s[f].heap_pos != NIL) {
        heap_up(p, p->s[f].heap_pos);
        heap_down(p, p->s[f].heap_pos);
    }
}

/* ---- victims ------------------------------------------------------------------ */

static bool eligible(const Policy *p, size_t f, PolicyFilter filter, void *ctx)
{
    return p->s[f].resident && (!filter || filter(ctx, f));
}

/* fifo, lru: the first eligible frame of the order list. */
static pfn_t victim_list(Policy *p, PolicyFilter filter, void *ctx)
{
    for (uint32_t f = p->order.head; f != NIL; f = p->s[f].next)
        if (!filter || filter(ctx, f))
            return f;
    return PFN_NONE;
}

/* Two turns of the hand suffice: the first clears every eligible set bit. */
static pfn_t victim_clock(Policy *p, PolicyFilter filter, void *ctx)
{
    for (size_t i = 0; i < 2 * p->n + 1; i++) {
        size_t f = p->hand;
        p->hand = (p->hand + 1) % p->n;
        if (!eligible(p, f, filter, ctx))
            continue;
        if (!p->s[f].ref)
            return f;
        p->s[f].ref = 0;
    }
    return PFN_NONE;
}

/* One pass over the queue as it stood: an eligible page with R set has R cleared and
 * goes to the tail (behind the pages not yet examined); one with R clear is the
 * victim. If every eligible page had R set, the first of them (now clear) is. */
static pfn_t victim_second_chance(Policy *p, PolicyFilter filter, void *ctx)
{
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
    return victim_list(p, filter, ctx);
}

/* The lowest class (2 * R + M) wins; within it the lowest frame number (a scan in
 * frame order keeps the first of each class), so results do not depend on the rng. */
static pfn_t victim_nru(Policy *p, PolicyFilter filter, void *ctx)
{
    pfn_t best[4] = { PFN_NONE, PFN_NONE, PFN_NONE, PFN_NONE };
    for (size_t f = 0; f < p->n; f++) {
        if (!eligible(p, f, filter, ctx))
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

/* aging: the smallest counter in frame order (strict <, so ties keep the lowest
 * frame); nothing is below 0, so the first 0 ends the scan. */
static pfn_t victim_aging(Policy *p, PolicyFilter filter, void *ctx)
{
    pfn_t best = PFN_NONE;
    for (size_t f = 0; f < p->n; f++) {
        if (!eligible(p, f, filter, ctx))
            continue;
        if (best == PFN_NONE || p->s[f].counter < p->s[best].counter)
            best = f;
        if (p->s[f].counter == 0)
            break;
    }
    return best;
}

/* The smallest count in load order (strict <, so ties keep the earliest loaded); a
 * resident page has at least 1, so the first 1 ends the scan. */
static pfn_t victim_lfu(Policy *p, PolicyFilter filter, void *ctx)
{
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

/* Schedules a write-back of dirty frame f once until it is cleaned. */
static void wsclock_schedule(Policy *p, uint32_t f)
{
    if (p->s[f].wb_pending)
        return;
    p->s[f].wb_pending = 1;
    p->writebacks++;
    wb_append(p, f);
}

/* One full turn from the hand (see policy.h); the hand stops one past the victim. */
static pfn_t victim_wsclock(Policy *p, PolicyFilter filter, void *ctx)
{
    pfn_t first_clean = PFN_NONE, first_seen = PFN_NONE, victim = PFN_NONE;
    for (size_t i = 0; i < p->n && victim == PFN_NONE; i++) {
        size_t f = (p->hand + i) % p->n;
        if (!eligible(p, f, filter, ctx))
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

/* A uniformly random starting frame, then the first eligible one from there. */
static pfn_t victim_random(Policy *p, PolicyFilter filter, void *ctx)
{
    size_t start = (size_t)rng_below(p->rng, p->n);
    for (size_t i = 0; i < p->n; i++) {
        size_t f = (start + i) % p->n;
        if (eligible(p, f, filter, ctx))
            return f;
    }
    return PFN_NONE;
}

/* The heap root, or with a filter the highest eligible frame in heap order. */
static pfn_t victim_opt(Policy *p, PolicyFilter filter, void *ctx)
{
    if (!filter)
        return p->heap_len ? p->heap[0] : PFN_NONE;
    pfn_t best = PFN_NONE;
    for (size_t f = 0; f < p->n; f++)
        if (eligible(p, f, filter, ctx) &&
            (best == PFN_NONE || heap_above(p, (uint32_t)f, (uint32_t)best)))
            best = f;
    return best;
}

pfn_t policy_victim(Policy *p, PolicyFilter filter, void *ctx)
{
    if (p->n == 0)
        return PFN_NONE;
    switch (p->kind) {
    case POLICY_CLOCK:          return victim_clock(p, filter, ctx);
    case POLICY_SECOND_CHANCE:  return victim_second_chance(p, filter, ctx);
    case POLICY_NRU:            return victim_nru(p, filter, ctx);
    case POLICY_LFU:            return victim_lfu(p, filter, ctx);
    case POLICY_AGING:          return victim_aging(p, filter, ctx);
    case POLICY_WSCLOCK:        return victim_wsclock(p, filter, ctx);
    case POLICY_RANDOM:         return victim_random(p, filter, ctx);
    case POLICY_OPT:            return victim_opt(p, filter, ctx);
    case POLICY_FIFO:
    case POLICY_LRU:
    default:                    return victim_list(p, filter, ctx);
    }
}

/* ---- state for displays ------------------------------------------------------- */

pfn_t policy_hand(const Policy *p)
{
    bool has_hand = p->kind == POLICY_CLOCK || p->kind == POLICY_WSCLOCK;
    return has_hand && p->n ? (pfn_t)p->hand : PFN_NONE;
}

bool policy_referenced(const Policy *p, pfn_t pfn)
{
    switch (p->kind) {
    case POLICY_CLOCK:
    case POLICY_SECOND_CHANCE:
    case POLICY_NRU:
    case POLICY_AGING:
    case POLICY_WSCLOCK:
        return pfn < p->n && p->s[pfn].resident && p->s[pfn].ref;
    default:
        return false;
    }
}

bool policy_modified(const Policy *p, pfn_t pfn)
{
    return pfn < p->n && p->s[pfn].resident && p->s[pfn].dirty;
}

uint64_t policy_counter(const Policy *p, pfn_t pfn)
{
    switch (p->kind) {
    case POLICY_AGING:
    case POLICY_LFU:
    case POLICY_OPT:
    case POLICY_WSCLOCK:
        return pfn < p->n && p->s[pfn].resident ? p->s[pfn].counter : 0;
    default:
        return 0;
    }
}

uint64_t policy_writebacks(const Policy *p) { return p->writebacks; }

pfn_t policy_take_writeback(Policy *p)
{
    uint32_t f = p->wb.head;
    if (f == NIL)
        return PFN_NONE;
    wb_unlink(p, f);
    return f;
}
