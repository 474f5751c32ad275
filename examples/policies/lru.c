/* LRU as a vmsim policy plugin: evicts the page used longest ago.
 * Build: cc -shared -fPIC -O2 -I../../include -o lru.so lru.c */
#include <stdlib.h>

#include "vmsim/policy_plugin.h"

typedef struct { uint32_t n; uint64_t used[]; } Lru;   /* 0: empty frame */

static void *create(const vmsim_policy_init *init)
{
    Lru *s = calloc(1, sizeof *s + init->nframes * sizeof s->used[0]);
    if (s)
        s->n = init->nframes;
    return s;
}
static void destroy(void *st) { free(st); }
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int write, uint64_t now)
{
    (void)vpn, (void)pid, (void)write;
    ((Lru *)st)->used[f] = now;
}
static void touch(void *st, uint32_t f, int write, uint64_t now)
{
    (void)write;
    ((Lru *)st)->used[f] = now;
}
static void remove_frame(void *st, uint32_t f) { ((Lru *)st)->used[f] = 0; }
static uint32_t victim(void *st, uint64_t now)
{
    Lru *s = st;
    uint32_t best = UINT32_MAX;
    (void)now;
    for (uint32_t f = 0; f < s->n; f++)
        if (s->used[f] && (best == UINT32_MAX || s->used[f] < s->used[best]))
            best = f;
    return best;
}

static const vmsim_policy_ops ops = {
    .abi = VMSIM_POLICY_ABI, .name = "lru", .create = create, .destroy = destroy,
    .insert = insert, .touch = touch, .remove = remove_frame, .victim = victim,
};
const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
