/* A replacement policy defined outside the core, as a plugin would: mru, which evicts
 * the page used most recently (ties: the lowest frame). Its state is its own: the last
 * use of each frame, 0 for an empty one (the Sim's reference count, the time it passes,
 * is at least 1 once a page is loaded). Registered by the tests that check every
 * front end names a policy it was never told about. */
#ifndef VMSIM_TEST_MRU_POLICY_H
#define VMSIM_TEST_MRU_POLICY_H

#include <stdlib.h>
#include <string.h>

#include "vmsim/policy.h"

typedef struct Mru { size_t n; uint64_t last[]; } Mru;

static void *mru_create(size_t n, Rng *rng, const PolicyParams *params)
{
    (void)rng, (void)params;
    Mru *m = calloc(1, sizeof *m + (n + 1) * sizeof m->last[0]);
    if (m)
        m->n = n;
    return m;
}
static void mru_destroy(void *st) { free(st); }
static void *mru_clone(const void *st, Rng *rng)
{
    (void)rng;
    size_t bytes = sizeof(Mru) + (((const Mru *)st)->n + 1) * sizeof(uint64_t);
    void *c = malloc(bytes);
    return c ? memcpy(c, st, bytes) : NULL;
}
static void mru_use(void *st, pfn_t f, bool w, uint64_t now) { (void)w; ((Mru *)st)->last[f] = now; }
static void mru_remove(void *st, pfn_t f) { ((Mru *)st)->last[f] = 0; }
static void mru_noop_frame(void *st, pfn_t f) { (void)st, (void)f; }
static void mru_noop_time(void *st, uint64_t now) { (void)st, (void)now; }
static pfn_t mru_victim(void *st, PolicyFilter filter, void *ctx)
{
    const Mru *m = st;
    pfn_t best = PFN_NONE;
    for (pfn_t f = 0; f < m->n; f++)
        if (m->last[f] && (!filter || filter(ctx, f)) && (best == PFN_NONE || m->last[f] > m->last[best]))
            best = f;
    return best;
}
static uint64_t mru_counter(const void *st, pfn_t f) { return ((const Mru *)st)->last[f]; }

static const PolicyOps mru_ops = {
    .name = "mru", .label = "MRU (most recently used)", .counter_name = "last use",
    .create = mru_create, .destroy = mru_destroy, .clone = mru_clone, .insert = mru_use,
    .touch = mru_use, .remove = mru_remove, .cleaned = mru_noop_frame, .tick = mru_noop_time,
    .victim = mru_victim, .counter = mru_counter,
};

/* Registers mru once per process; its kind. */
static inline PolicyKind mru_register(void)
{
    PolicyKind k = POLICY_COUNT;
    if (!policy_parse("mru", &k) && !policy_register(&mru_ops, &k))
        abort();
    return k;
}

#endif
