/* A replacement policy for vmsim: start here.
 *
 * vmsim calls these functions as the simulated program runs (see the header,
 * `vmsim help plugin-header`). Keep in your state what your policy needs; answer
 * victim() with a frame that holds a page (and that init->eligible accepts). As given,
 * it evicts the resident frame with the lowest number: correct, but a poor policy.
 *
 * Build and try:
 *     cc -shared -fPIC -O2 -Wall -I/usr/local/include -o mypolicy.so skeleton.c
 *     vmsim run --trace refs.pages --set memory.frames=4 --set memory.policy=plugin:./mypolicy.so
 *     vmsim step --trace refs.pages --set memory.frames=4 --set memory.policy=plugin:./mypolicy.so
 * (-I: where vmsim/policy_plugin.h is; in a vmsim checkout, -Iinclude.) */
#include <stdlib.h>

#include "vmsim/policy_plugin.h"

typedef struct {
    vmsim_policy_init init;    /* nframes, seed, params, and vmsim's two services */
    unsigned char *resident;   /* 1 while a frame holds a page */
    /* TODO: what your policy remembers per frame (load time, last use, R bit...) */
} State;

static void *create(const vmsim_policy_init *init)
{
    State *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->init = *init;
    s->resident = calloc(init->nframes, 1);
    if (!s->resident) {
        free(s);
        return NULL;
    }
    return s;
}

static void destroy(void *st)
{
    State *s = st;
    free(s->resident);
    free(s);
}

/* A page was loaded into frame f at reference now (its first reference). */
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int write, uint64_t now)
{
    State *s = st;
    (void)vpn, (void)pid, (void)write, (void)now;
    s->resident[f] = 1;
    /* TODO */
}

/* The page in frame f was referenced again. */
static void touch(void *st, uint32_t f, int write, uint64_t now)
{
    (void)st, (void)f, (void)write, (void)now;
    /* TODO */
}

/* Frame f no longer holds a page (evicted, or its process exited). */
static void remove_frame(void *st, uint32_t f)
{
    State *s = st;
    s->resident[f] = 0;
    /* TODO */
}

/* Memory is full: which frame's page leaves? */
static uint32_t victim(void *st, uint64_t now)
{
    State *s = st;
    (void)now;
    for (uint32_t f = 0; f < s->init.nframes; f++)     /* TODO: choose better */
        if (s->resident[f] && s->init.eligible(s->init.engine, f))
            return f;
    return UINT32_MAX;     /* cannot happen: vmsim asks only when some frame qualifies */
}

static const vmsim_policy_ops ops = {
    .abi = VMSIM_POLICY_ABI, .name = "mine", .create = create, .destroy = destroy,
    .insert = insert, .touch = touch, .remove = remove_frame, .victim = victim,
    .tick = NULL,          /* optional: a timer interrupt (for aging, NRU) */
    .cleaned = NULL,       /* optional: a dirty page was written back */
};

const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
