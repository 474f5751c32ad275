/* Swap slots. */
#include "vmsim/swap.h"

#include <stdlib.h>
#include <string.h>

void swap_init(Swap *s, uint64_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

void swap_fini(Swap *s)
{
    free(s->refs);
    free(s->free);
    memset(s, 0, sizeof *s);
}

int swap_copy(Swap *dst, const Swap *src)
{
    *dst = *src;
    dst->refs = src->cap ? malloc(src->cap * sizeof *dst->refs) : NULL;
    dst->free = src->fcap ? malloc(src->fcap * sizeof *dst->free) : NULL;
    if ((src->cap && !dst->refs) || (src->fcap && !dst->free)) {
        swap_fini(dst);
        return -1;
    }
    if (src->cap)
        memcpy(dst->refs, src->refs, src->cap * sizeof *dst->refs);
    if (src->fcap)
        memcpy(dst->free, src->free, src->fcap * sizeof *dst->free);
    return 0;
}

static int push_free(Swap *s, int64_t slot)
{
    if (s->nfree == s->fcap) {
        uint64_t cap = s->fcap * 2 + 64;
        int64_t *nf = realloc(s->free, cap * sizeof *nf);
        if (!nf)
            return -1;
        s->free = nf;
        s->fcap = cap;
    }
    s->free[s->nfree++] = slot;
    return 0;
}

int64_t swap_alloc(Swap *s)
{
    if (s->used >= s->limit)
        return -1;
    int64_t slot;
    if (s->nfree) {
        slot = s->free[--s->nfree];
    } else {
        if (s->created == s->cap) {
            uint64_t cap = s->cap * 2 + 64;
            uint32_t *nr = realloc(s->refs, cap * sizeof *nr);
            if (!nr)
                return -1;
            s->refs = nr;
            s->cap = cap;
        }
        slot = (int64_t)s->created++;
    }
    s->refs[slot] = 1;
    s->used++;
    return slot;
}

uint32_t swap_refs(const Swap *s, int64_t slot)
{
    return slot >= 0 && (uint64_t)slot < s->created ? s->refs[slot] : 0;
}

void swap_ref(Swap *s, int64_t slot)
{
    if (swap_refs(s, slot))
        s->refs[slot]++;
}

void swap_put(Swap *s, int64_t slot)
{
    if (!swap_refs(s, slot) || --s->refs[slot])
        return;
    s->used--;
    push_free(s, slot);   /* out of memory: the slot is lost to reuse, still counted free */
}

pte_t swap_entry_encode(const Geometry *g, int64_t slot)
{
    return pte_encode(g, (pfn_t)slot + 1, 0);
}

bool swap_entry_decode(const Geometry *g, pte_t pte, int64_t *slot)
{
    if (pte == 0 || (pte_flags(g, pte) & PTE_V) || pte_pfn(g, pte) == 0)
        return false;
    *slot = (int64_t)pte_pfn(g, pte) - 1;
    return true;
}
