/* The operations the built-in replacement policies share (see policy_int.h). */
#include "policy_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TAU_DEFAULT 1000u

PolicyParams policy_params_default(void)
{
    return (PolicyParams){ .tau = TAU_DEFAULT };
}

void *pstate_create(size_t nframes, Rng *rng, const PolicyParams *params)
{
    if (nframes >= NIL)
        return NULL;        /* frame numbers must fit the 32-bit links */
    PolicyState *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    size_t n = nframes ? nframes : 1;
    p->n = nframes;
    p->rng = rng;
    p->params = params ? *params : policy_params_default();
    p->order.head = p->order.tail = NIL;
    p->wb.head = p->wb.tail = NIL;
    p->s = calloc(n, sizeof *p->s);
    p->heap = malloc(n * sizeof *p->heap);
    if (!p->s || !p->heap) {
        pstate_destroy(p);
        return NULL;
    }
    return p;               /* slots are set up as they are first used: pstate_slot */
}

Slot *pstate_slot(PolicyState *p, pfn_t f)
{
    Slot *s = &p->s[f];
    if (!s->ready) {
        s->ready = 1;
        s->heap_pos = s->wb_prev = s->wb_next = NIL;
        s->counter = p->empty_counter;
    }
    return s;
}

void *pstate_clone(const void *st, Rng *rng)
{
    const PolicyState *p = st;
    size_t n = p->n ? p->n : 1;
    PolicyState *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *p;
    c->rng = rng;
    c->s = malloc(n * sizeof *c->s);
    c->heap = malloc(n * sizeof *c->heap);
    if (!c->s || !c->heap) {
        pstate_destroy(c);
        return NULL;
    }
    memcpy(c->s, p->s, n * sizeof *c->s);
    memcpy(c->heap, p->heap, n * sizeof *c->heap);
    return c;
}

void pstate_destroy(void *st)
{
    PolicyState *p = st;
    if (!p)
        return;
    free(p->s);
    free(p->heap);
    free(p);
}

void pstate_insert(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    assert(pfn < p->n && !p->s[pfn].resident);
    Slot *s = pstate_slot(p, pfn);
    s->resident = 1;
    s->ref = 1;
    s->dirty = write;
    s->loaded = now;
    p->now = now;
    order_append(p, (uint32_t)pfn);
}

void pstate_touch(void *st, pfn_t pfn, bool write, uint64_t now)
{
    PolicyState *p = st;
    assert(pfn < p->n && p->s[pfn].resident);
    Slot *s = &p->s[pfn];
    s->ref = 1;
    s->dirty |= write;
    p->now = now;
}

void pstate_remove(void *st, pfn_t pfn)
{
    PolicyState *p = st;
    if (pfn >= p->n || !p->s[pfn].resident)
        return;
    Slot *s = &p->s[pfn];
    order_unlink(p, (uint32_t)pfn);
    s->resident = s->ref = s->dirty = s->wb_pending = 0;
    s->counter = p->empty_counter;
}

void pstate_cleaned(void *st, pfn_t pfn)
{
    PolicyState *p = st;
    if (pfn >= p->n || !p->s[pfn].resident)
        return;
    p->s[pfn].dirty = 0;
    p->s[pfn].wb_pending = 0;
}

void pstate_tick(void *st, uint64_t now)
{
    ((PolicyState *)st)->now = now;
}

bool pstate_referenced(const void *st, pfn_t pfn)
{
    const PolicyState *p = st;
    return pfn < p->n && p->s[pfn].resident && p->s[pfn].ref;
}

bool pstate_modified(const void *st, pfn_t pfn)
{
    const PolicyState *p = st;
    return pfn < p->n && p->s[pfn].resident && p->s[pfn].dirty;
}

uint64_t pstate_counter(const void *st, pfn_t pfn)
{
    const PolicyState *p = st;
    return pfn < p->n && p->s[pfn].resident ? p->s[pfn].counter : 0;
}

pfn_t pstate_hand(const void *st)
{
    const PolicyState *p = st;
    return p->n ? (pfn_t)p->hand : PFN_NONE;
}

pfn_t pstate_first_in_order(const PolicyState *p, PolicyFilter filter, void *ctx)
{
    for (uint32_t f = p->order.head; f != NIL; f = p->s[f].next)
        if (!filter || filter(ctx, f))
            return f;
    return PFN_NONE;
}

pfn_t pstate_victim_first(void *st, PolicyFilter filter, void *ctx)
{
    return pstate_first_in_order(st, filter, ctx);
}

pfn_t pstate_next_first(const void *st, PolicyFilter filter, void *ctx)
{
    return pstate_first_in_order(st, filter, ctx);
}

/* ---- descriptions ------------------------------------------------------------- */

void pstate_appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(*n < len ? buf + *n : NULL, *n < len ? len - *n : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        *n += (size_t)w;
}

void pstate_set_namer(void *st, PolicyNamer fn, const void *ctx)
{
    PolicyState *p = st;
    p->namer = fn;
    p->namer_ctx = ctx;
}

const char *pstate_name(const PolicyState *p, size_t f, char *buf, size_t len)
{
    if (!p->namer || p->namer(p->namer_ctx, (pfn_t)f, buf, len) == 0)
        snprintf(buf, len, "%zu", f);
    return buf;
}

size_t pstate_describe_order(const PolicyState *p, const char *order, const char *what, bool counter,
                             bool bits, char *buf, size_t len)
{
    size_t n = 0;
    if (len)
        buf[0] = '\0';
    if (p->order.head == NIL) {
        pstate_appendf(buf, len, &n, "no pages loaded");
        return n;
    }
    pstate_appendf(buf, len, &n, "frames %s:", order);
    char nm[96];
    for (uint32_t f = p->order.head; f != NIL; f = p->s[f].next)
        pstate_appendf(buf, len, &n, " %s (%s %" PRIu64 "%s)%s", pstate_name(p, f, nm, sizeof nm), what,
                       counter ? p->s[f].counter : p->s[f].loaded,
                       !bits ? "" : p->s[f].ref ? ", R=1" : ", R=0", p->s[f].next != NIL ? "," : "");
    return n;
}

size_t pstate_describe_frames(const PolicyState *p, const char *head, const char *what, bool bits,
                              char *buf, size_t len)
{
    size_t n = 0, shown = 0;
    if (len)
        buf[0] = '\0';
    pstate_appendf(buf, len, &n, "%s", head);
    for (size_t f = 0; f < p->n; f++) {
        const Slot *s = &p->s[f];
        if (!s->resident)
            continue;
        char nm[96];
        pstate_appendf(buf, len, &n, "%s %s", shown++ ? "," : ":", pstate_name(p, f, nm, sizeof nm));
        if (what)
            pstate_appendf(buf, len, &n, " %s %" PRIu64, what, s->counter);
        if (bits)
            pstate_appendf(buf, len, &n, " R=%u M=%u", s->ref, s->dirty);
    }
    if (!shown)
        pstate_appendf(buf, len, &n, ": no pages loaded");
    return n;
}
