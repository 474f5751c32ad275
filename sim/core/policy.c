/* Page replacement policies. Lists are intrusive arrays indexed by frame number, so
 * insert, touch and remove are O(1) and allocate nothing. */
#include "vmsim/policy.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct Policy {
    PolicyKind kind;
    size_t n;
    Rng *rng;
    uint32_t *prev, *next;      /* fifo/lru: oldest at head, newest at tail */
    uint32_t head, tail;
    uint8_t *resident;
    uint8_t *ref;               /* clock reference bits */
    size_t hand;
};

static const char *const policy_names[POLICY_COUNT] = {
    [POLICY_FIFO] = "fifo", [POLICY_LRU] = "lru", [POLICY_CLOCK] = "clock",
    [POLICY_RANDOM] = "random",
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

Policy *policy_create(PolicyKind kind, size_t nframes, Rng *rng)
{
    Policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t n = nframes ? nframes : 1;
    p->kind = kind;
    p->n = nframes;
    p->rng = rng;
    p->head = p->tail = NIL;
    p->prev = malloc(n * sizeof *p->prev);
    p->next = malloc(n * sizeof *p->next);
    p->resident = calloc(n, 1);
    p->ref = calloc(n, 1);
    if (!p->prev || !p->next || !p->resident || !p->ref) {
        policy_destroy(p);
        return NULL;
    }
    return p;
}

void policy_destroy(Policy *p)
{
    if (!p)
        return;
    free(p->prev);
    free(p->next);
    free(p->resident);
    free(p->ref);
    free(p);
}

PolicyKind policy_kind(const Policy *p) { return p->kind; }

static void list_unlink(Policy *p, uint32_t f)
{
    if (p->prev[f] != NIL)
        p->next[p->prev[f]] = p->next[f];
    else
        p->head = p->next[f];
    if (p->next[f] != NIL)
        p->prev[p->next[f]] = p->prev[f];
    else
        p->tail = p->prev[f];
}

static void list_append(Policy *p, uint32_t f)
{
    p->prev[f] = p->tail;
    p->next[f] = NIL;
    if (p->tail != NIL)
        p->next[p->tail] = f;
    else
        p->head = f;
    p->tail = f;
}

void policy_insert(Policy *p, pfn_t pfn)
{
    uint32_t f = (uint32_t)pfn;
    p->resident[f] = 1;
    p->ref[f] = 1;
    list_append(p, f);
}

void policy_touch(Policy *p, pfn_t pfn)
{
    uint32_t f = (uint32_t)pfn;
    p->ref[f] = 1;
    if (p->kind == POLICY_LRU && p->tail != f) {
        list_unlink(p, f);
        list_append(p, f);
    }
}

void policy_remove(Policy *p, pfn_t pfn)
{
    uint32_t f = (uint32_t)pfn;
    if (!p->resident[f])
        return;
    p->resident[f] = 0;
    p->ref[f] = 0;
    list_unlink(p, f);
}

static bool eligible(const Policy *p, size_t f, PolicyFilter filter, void *ctx)
{
    return p->resident[f] && (!filter || filter(ctx, f));
}

static pfn_t victim_list(Policy *p, PolicyFilter filter, void *ctx)
{
    for (uint32_t f = p->head; f != NIL; f = p->next[f])
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
        if (!p->ref[f])
            return f;
        p->ref[f] = 0;
    }
    return PFN_NONE;
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

pfn_t policy_victim(Policy *p, PolicyFilter filter, void *ctx)
{
    if (p->n == 0)
        return PFN_NONE;
    switch (p->kind) {
    case POLICY_CLOCK:
        return victim_clock(p, filter, ctx);
    case POLICY_RANDOM:
        return victim_random(p, filter, ctx);
    case POLICY_FIFO:
    case POLICY_LRU:
    default:
        return victim_list(p, filter, ctx);
    }
}

pfn_t policy_hand(const Policy *p)
{
    return p->kind == POLICY_CLOCK ? (pfn_t)p->hand : PFN_NONE;
}

bool policy_referenced(const Policy *p, pfn_t pfn)
{
    return pfn < p->n && p->ref[pfn];
}
