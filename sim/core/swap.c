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
    free(s->owner);
    free(s->free);
    memset(s, 0, sizeof *s);
}

int swap_copy(Swap *dst, const Swap *src)
{
    *dst = *src;
    dst->owner = src->cap ? malloc(src->cap * sizeof *dst->owner) : NULL;
    dst->free = src->fcap ? malloc(src->fcap * sizeof *dst->free) : NULL;
    if ((src->cap && !dst->owner) || (src->fcap && !dst->free)) {
        swap_fini(dst);
        return -1;
    }
    if (src->cap)
        memcpy(dst->owner, src->owner, src->cap * sizeof *dst->owner);
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

int64_t swap_alloc(Swap *s, int pid)
{
    if (s->used >= s->limit)
        return -1;
    int64_t slot;
    if (s->nfree) {
        slot = s->free[--s->nfree];
    } else {
        if (s->created == s->cap) {
            uint64_t cap = s->cap * 2 + 64;
            int32_t *no = realloc(s->owner, cap * sizeof *no);
            if (!no)
                return -1;
            s->owner = no;
            s->cap = cap;
        }
        slot = (int64_t)s->created++;
    }
    s->owner[slot] = pid;
    s->used++;
    return slot;
}

void swap_free(Swap *s, int64_t slot)
{
    if (slot < 0 || (uint64_t)slot >= s->created || s->owner[slot] < 0)
        return;
    s->owner[slot] = -1;
    s->used--;
    if (push_free(s, slot) != 0)
        return;   /* the slot is lost to reuse, but still counted free */
}

uint64_t swap_free_owner(Swap *s, int pid)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < s->created; i++) {
        if (s->owner[i] == pid) {
            swap_free(s, (int64_t)i);
            n++;
        }
    }
    return n;
}
