/* OPT (Belady's optimal) as a vmsim policy plugin: evicts the resident page whose
 * next use is farthest away (never used again first), asking vmsim for each frame's
 * next use through init->next_use. Ties go to the lowest frame.
 * Build: cc -shared -fPIC -O2 -I../../include -o opt.so opt.c */
#include <stdlib.h>

#include "vmsim/policy_plugin.h"

typedef struct { vmsim_policy_init init; uint8_t resident[]; } Opt;

static void *create(const vmsim_policy_init *init)
{
    Opt *s = calloc(1, sizeof *s + init->nframes);
    if (s)
        s->init = *init;
    return s;
}
static void destroy(void *st) { free(st); }
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int write, uint64_t now)
{
    (void)vpn, (void)pid, (void)write, (void)now;
    ((Opt *)st)->resident[f] = 1;
}
static void touch(void *st, uint32_t f, int write, uint64_t now) { (void)st, (void)f, (void)write, (void)now; }
static void remove_frame(void *st, uint32_t f) { ((Opt *)st)->resident[f] = 0; }
static uint32_t victim(void *st, uint64_t now)
{
    Opt *s = st;
    uint32_t best = UINT32_MAX;
    uint64_t far = 0;
    (void)now;
    for (uint32_t f = 0; f < s->init.nframes; f++) {
        if (!s->resident[f] || !s->init.eligible(s->init.engine, f))
            continue;
        uint64_t next = s->init.next_use(s->init.engine, f);
        if (best == UINT32_MAX || next > far)
            best = f, far = next;
    }
    return best;
}

static const vmsim_policy_ops ops = {
    .abi = VMSIM_POLICY_ABI, .name = "opt", .create = create, .destroy = destroy,
    .insert = insert, .touch = touch, .remove = remove_frame, .victim = victim,
};
const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
