/* FIFO as a vmsim policy plugin: evicts the page loaded longest ago.
 * Build: cc -shared -fPIC -O2 -I../../include -o fifo.so fifo.c */
#include <stdlib.h>

#include "vmsim/policy_plugin.h"

typedef struct { uint32_t n; uint64_t loaded[]; } Fifo;   /* 0: empty frame */

static void *create(const vmsim_policy_init *init)
{
    Fifo *s = calloc(1, sizeof *s + init->nframes * sizeof s->loaded[0]);
    if (s)
        s->n = init->nframes;
    return s;
}
static void destroy(void *st) { free(st); }
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int write, uint64_t now)
{
    (void)vpn, (void)pid, (void)write;
    ((Fifo *)st)->loaded[f] = now;
}
static void touch(void *st, uint32_t f, int write, uint64_t now) { (void)st, (void)f, (void)write, (void)now; }
static void remove_frame(void *st, uint32_t f) { ((Fifo *)st)->loaded[f] = 0; }
static uint32_t victim(void *st, uint64_t now)
{
    Fifo *s = st;
    uint32_t best = UINT32_MAX;
    (void)now;
    for (uint32_t f = 0; f < s->n; f++)
        if (s->loaded[f] && (best == UINT32_MAX || s->loaded[f] < s->loaded[best]))
            best = f;
    return best;
}

static const vmsim_policy_ops ops = {
    .abi = VMSIM_POLICY_ABI, .name = "fifo", .create = create, .destroy = destroy,
    .insert = insert, .touch = touch, .remove = remove_frame, .victim = victim,
};
const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
