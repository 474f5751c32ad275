/* The table of replacement policies and the Policy object that runs one of them.
 * The built-in policies are one file each (policy_NAME.c, over the shared state of
 * policy_base.c); policy_register appends others at run time. */
#include "policy_int.h"

#include <stdlib.h>
#include <string.h>

#define POLICY_MAX_REGISTERED 32

struct Policy {
    const PolicyOps *ops;
    void *st;
    PolicyKind kind;
};

/* The built-in policies, one line each; the order gives their PolicyKind. */
static const PolicyOps *const builtin[POLICY_COUNT] = {
    [POLICY_FIFO] = &policy_fifo_ops,
    [POLICY_LRU] = &policy_lru_ops,
    [POLICY_CLOCK] = &policy_clock_ops,
    [POLICY_SECOND_CHANCE] = &policy_second_chance_ops,
    [POLICY_NRU] = &policy_nru_ops,
    [POLICY_LFU] = &policy_lfu_ops,
    [POLICY_AGING] = &policy_aging_ops,
    [POLICY_WSCLOCK] = &policy_wsclock_ops,
    [POLICY_RANDOM] = &policy_random_ops,
    [POLICY_OPT] = &policy_opt_ops,
};

/* Policies registered at run time (tests, plugins). The one mutable global of the core:
 * a registered policy is known to every Sim of the process, as a built-in one is. */
static const PolicyOps *registered[POLICY_MAX_REGISTERED];
static size_t nregistered;

size_t policy_count(void)
{
    return POLICY_COUNT + nregistered;
}

const PolicyOps *policy_ops_of(PolicyKind kind)
{
    if (kind >= 0 && (size_t)kind < POLICY_COUNT)
        return builtin[kind];
    if (kind >= 0 && (size_t)kind < policy_count())
        return registered[(size_t)kind - POLICY_COUNT];
    return NULL;
}

/* Whether ops has every entry the Policy object calls unconditionally. */
static bool ops_complete(const PolicyOps *o)
{
    return o->name && o->name[0] && o->label && o->create && o->destroy && o->clone && o->insert &&
           o->touch && o->remove && o->cleaned && o->tick && o->victim;
}

bool policy_register(const PolicyOps *ops, PolicyKind *out)
{
    PolicyKind taken;
    if (!ops || !ops_complete(ops) || policy_parse(ops->name, &taken) ||
        nregistered == POLICY_MAX_REGISTERED)
        return false;
    registered[nregistered++] = ops;
    *out = (PolicyKind)(policy_count() - 1);
    return true;
}

size_t policy_list_names(char *buf, size_t len, const char *sep, const char *last)
{
    size_t n = 0, count = policy_count();
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < count; i++)
        pstate_appendf(buf, len, &n, "%s%s", i == 0 ? "" : i + 1 == count ? last : sep,
                       policy_ops_of((PolicyKind)i)->name);
    return n;
}

bool policy_parse(const char *name, PolicyKind *out)
{
    for (size_t i = 0; i < policy_count(); i++) {
        if (strcmp(name, policy_ops_of((PolicyKind)i)->name) == 0) {
            *out = (PolicyKind)i;
            return true;
        }
    }
    return false;
}

const char *policy_name(PolicyKind kind)
{
    const PolicyOps *o = policy_ops_of(kind);
    return o ? o->name : "?";
}

const char *policy_label(PolicyKind kind)
{
    const PolicyOps *o = policy_ops_of(kind);
    return o ? o->label : "?";
}

bool policy_needs_future(PolicyKind kind)
{
    const PolicyOps *o = policy_ops_of(kind);
    return o && o->set_next_use;
}

Policy *policy_create(PolicyKind kind, size_t nframes, Rng *rng, const PolicyParams *params)
{
    const PolicyOps *o = policy_ops_of(kind);
    PolicyParams def = policy_params_default();
    Policy *p = o ? calloc(1, sizeof *p) : NULL;
    if (!p)
        return NULL;
    p->ops = o;
    p->kind = kind;
    if (!(p->st = o->create(nframes, rng, params ? params : &def))) {
        free(p);
        return NULL;
    }
    return p;
}

Policy *policy_clone(const Policy *p, Rng *rng)
{
    Policy *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *p;
    if (!(c->st = p->ops->clone(p->st, rng))) {
        free(c);
        return NULL;
    }
    return c;
}

void policy_destroy(Policy *p)
{
    if (!p)
        return;
    p->ops->destroy(p->st);
    free(p);
}

PolicyKind policy_kind(const Policy *p) { return p->kind; }

const PolicyOps *policy_ops(const Policy *p) { return p->ops; }

/* ---- events from the simulator: one indirect call each ---------------------- */

void policy_insert(Policy *p, pfn_t pfn, bool write, uint64_t now)
{
    p->ops->insert(p->st, pfn, write, now);
}

void policy_touch(Policy *p, pfn_t pfn, bool write, uint64_t now)
{
    p->ops->touch(p->st, pfn, write, now);
}

void policy_remove(Policy *p, pfn_t pfn) { p->ops->remove(p->st, pfn); }

void policy_cleaned(Policy *p, pfn_t pfn) { p->ops->cleaned(p->st, pfn); }

void policy_tick(Policy *p, uint64_t now) { p->ops->tick(p->st, now); }

void policy_set_next_use(Policy *p, pfn_t pfn, uint64_t next)
{
    if (p->ops->set_next_use)
        p->ops->set_next_use(p->st, pfn, next);
}

pfn_t policy_victim(Policy *p, PolicyFilter filter, void *ctx)
{
    return p->ops->victim(p->st, filter, ctx);
}

/* ---- state for displays and explanations ------------------------------------ */

pfn_t policy_hand(const Policy *p)
{
    return p->ops->hand ? p->ops->hand(p->st) : PFN_NONE;
}

bool policy_referenced(const Policy *p, pfn_t pfn)
{
    return p->ops->referenced && p->ops->referenced(p->st, pfn);
}

bool policy_modified(const Policy *p, pfn_t pfn)
{
    return p->ops->modified && p->ops->modified(p->st, pfn);
}

uint64_t policy_counter(const Policy *p, pfn_t pfn)
{
    return p->ops->counter ? p->ops->counter(p->st, pfn) : 0;
}

bool policy_next_victim(const Policy *p, PolicyFilter filter, void *ctx, pfn_t *out)
{
    if (!p->ops->next_victim)
        return false;
    *out = p->ops->next_victim(p->st, filter, ctx);
    return true;
}

void policy_set_namer(Policy *p, PolicyNamer fn, const void *ctx)
{
    if (p->ops->set_namer)
        p->ops->set_namer(p->st, fn, ctx);
}

size_t policy_describe_state(const Policy *p, char *buf, size_t len)
{
    if (p->ops->describe_state)
        return p->ops->describe_state(p->st, buf, len);
    int n = snprintf(buf, len, "%s keeps no state it can describe", p->ops->name);
    return n > 0 ? (size_t)n : 0;
}

void policy_frame_words(const Policy *p, pfn_t pfn, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (p->ops->describe_frame)
        p->ops->describe_frame(p->st, pfn, buf, len);
    else if (p->ops->counter_name && p->ops->counter)
        snprintf(buf, len, "%s %llu", p->ops->counter_name,
                 (unsigned long long)p->ops->counter(p->st, pfn));
}

uint64_t policy_writebacks(const Policy *p)
{
    return p->ops->writebacks ? p->ops->writebacks(p->st) : 0;
}

pfn_t policy_take_writeback(Policy *p)
{
    return p->ops->take_writeback ? p->ops->take_writeback(p->st) : PFN_NONE;
}
