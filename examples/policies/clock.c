/* CLOCK (second chance over a circular list of frames) as a vmsim policy plugin: the
 * hand passes frames whose R bit is set, clearing it, and evicts the first with R
 * clear. A page's load sets its R bit. The hand stays on the frame after the victim.
 * Build: cc -shared -fPIC -O2 -I../../include -o clock.so clock.c */
#include <stdlib.h>

#include "vmsim/policy_plugin.h"

typedef struct { uint32_t n, hand; uint8_t *resident, *ref; } Clock;

static void *create(const vmsim_policy_init *init)
{
    Clock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = init->nframes;
    s->resident = calloc(s->n, 1);
    s->ref = calloc(s->n, 1);
    if (!s->resident || !s->ref) {
        free(s->resident), free(s->ref), free(s);
        return NULL;
    }
    return s;
}
static void destroy(void *st)
{
    Clock *s = st;
    free(s->resident), free(s->ref), free(s);
}
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int write, uint64_t now)
{
    Clock *s = st;
    (void)vpn, (void)pid, (void)write, (void)now;
    s->resident[f] = s->ref[f] = 1;
}
static void touch(void *st, uint32_t f, int write, uint64_t now)
{
    (void)write, (void)now;
    ((Clock *)st)->ref[f] = 1;
}
static void remove_frame(void *st, uint32_t f)
{
    Clock *s = st;
    s->resident[f] = s->ref[f] = 0;
}
static uint32_t victim(void *st, uint64_t now)
{
    Clock *s = st;
    (void)now;
    for (uint32_t step = 0; step < 2 * s->n + 1; step++) {
        uint32_t f = s->hand;
        s->hand = (s->hand + 1) % s->n;
        if (!s->resident[f])
            continue;
        if (!s->ref[f])
            return f;
        s->ref[f] = 0;
    }
    return UINT32_MAX;    /* nothing resident */
}

static const vmsim_policy_ops ops = {
    .abi = VMSIM_POLICY_ABI, .name = "clock", .create = create, .destroy = destroy,
    .insert = insert, .touch = touch, .remove = remove_frame, .victim = victim,
};
const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
