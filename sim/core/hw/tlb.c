/* The TLB: fill, replacement within a set, and invalidation. */
#include "vmsim/tlb.h"

#include <stdlib.h>
#include <string.h>

bool tlb_policy_parse(const char *name, TlbPolicy *out)
{
    static const char *const names[] = { "lru", "fifo", "random" };
    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (TlbPolicy)i;
            return true;
        }
    }
    return false;
}

const char *tlb_policy_name(TlbPolicy p)
{
    switch (p) {
    case TLB_LRU: return "lru";
    case TLB_FIFO: return "fifo";
    case TLB_RANDOM: return "random";
    }
    return "?";
}

int tlb_init(Tlb *t, unsigned entries, unsigned ways, TlbPolicy policy, Rng *rng)
{
    memset(t, 0, sizeof *t);
    t->policy = policy;
    t->rng = rng;
    if (entries == 0)
        return 0;
    if (ways == 0 || entries % ways)
        return -1;
    t->e = calloc(entries, sizeof *t->e);
    if (!t->e)
        return -1;
    t->entries = entries;
    t->ways = ways;
    t->sets = entries / ways;
    t->set_mask = (t->sets & (t->sets - 1)) == 0 ? t->sets - 1 : 0;
    return 0;
}

void tlb_fini(Tlb *t)
{
    free(t->e);
    memset(t, 0, sizeof *t);
}

int tlb_copy(Tlb *dst, const Tlb *src, Rng *rng)
{
    *dst = *src;
    dst->rng = rng;
    dst->last = dst->prev = NULL;
    if (!src->entries)
        return 0;
    dst->e = malloc(src->entries * sizeof *dst->e);
    if (!dst->e) {
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    memcpy(dst->e, src->e, src->entries * sizeof *dst->e);
    return 0;
}

/* The way to replace in a set: an invalid one first, else by policy. */
static TlbEntry *choose_way(Tlb *t, TlbEntry *set)
{
    TlbEntry *pick = &set[0];
    for (unsigned w = 0; w < t->ways; w++) {
        if (!set[w].valid)
            return &set[w];
        if (set[w].stamp < pick->stamp)
            pick = &set[w];
    }
    if (t->policy == TLB_RANDOM)
        pick = &set[rng_below(t->rng, t->ways)];
    return pick;
}

TlbEntry *tlb_fill(Tlb *t, vaddr_t va, unsigned shift, pfn_t pfn, unsigned flags,
                   uint32_t asid, TlbEntry *evicted)
{
    if (evicted)
        evicted->valid = 0;
    if (t->entries == 0)
        return NULL;
    vpn_t tag = va >> shift;
    TlbEntry *set = &t->e[tlb_set_index(t, tag) * t->ways];
    TlbEntry *e = NULL;
    for (unsigned w = 0; w < t->ways && !e; w++)   /* refresh an existing entry in place */
        if (set[w].valid && set[w].tag == tag && set[w].shift == shift && set[w].asid == asid)
            e = &set[w];
    if (!e)
        e = choose_way(t, set);
    if (evicted && e->valid && !(e->tag == tag && e->shift == shift && e->asid == asid))
        *evicted = *e;
    e->tag = tag;
    e->pfn = pfn;
    e->asid = asid;
    e->shift = (uint8_t)shift;
    e->flags = (uint16_t)flags;
    e->ops = 0;
    e->valid = 1;
    e->stamp = ++t->clock;
    t->shifts |= 1ull << shift;
    return e;
}

static bool covers(const TlbEntry *e, vaddr_t va)
{
    return e->valid && e->tag == (va >> e->shift);
}

/* Only the set va falls in can hold it, once per page size present. */
unsigned tlb_flush_page(Tlb *t, vaddr_t va, uint32_t asid)
{
    unsigned n = 0;
    if (t->entries == 0)
        return 0;
    for (uint64_t sh = t->shifts; sh; sh &= sh - 1) {
        unsigned s = (unsigned)__builtin_ctzll(sh);
        TlbEntry *set = &t->e[tlb_set_index(t, va >> s) * t->ways];
        for (unsigned w = 0; w < t->ways; w++) {
            TlbEntry *e = &set[w];
            if (e->shift == s && covers(e, va) && (e->asid == asid || (e->flags & PTE_G))) {
                if (t->on_drop)
                    t->on_drop(t->drop_ctx, t, e);
                e->valid = 0;
                n++;
            }
        }
    }
    return n;
}

/* Drops the valid entries of asid (every ASID when any_asid), global ones only when
 * keep_global is false; counts a flush when any went. */
static unsigned flush_matching(Tlb *t, bool any_asid, uint32_t asid, bool keep_global)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->entries; i++) {
        TlbEntry *e = &t->e[i];
        if (e->valid && (any_asid || e->asid == asid) && !(keep_global && (e->flags & PTE_G))) {
            if (t->on_drop)
                t->on_drop(t->drop_ctx, t, e);
            e->valid = 0;
            n++;
        }
    }
    if (n)
        t->flushes++;
    return n;
}

unsigned tlb_flush_asid(Tlb *t, uint32_t asid)
{
    return flush_matching(t, false, asid, true);
}

unsigned tlb_flush_all(Tlb *t, bool keep_global)
{
    return flush_matching(t, true, 0, keep_global);
}

uint64_t tlb_reach(const Tlb *t)
{
    uint64_t bytes = 0;
    for (unsigned i = 0; i < t->entries; i++)
        if (t->e[i].valid)
            bytes += 1ull << t->e[i].shift;
    return bytes;
}
