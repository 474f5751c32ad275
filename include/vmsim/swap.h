/* vmsim: swap space, a set of page-sized slots. Slots are handed out lowest first
 * and remember their owner so a dying process can give its slots back. */
#ifndef VMSIM_SWAP_H
#define VMSIM_SWAP_H

#include "vmsim/types.h"

typedef struct Swap {
    uint64_t limit;       /* slots available (UINT64_MAX: unlimited) */
    uint64_t used;
    int32_t *owner;       /* pid per slot created so far, -1 free */
    uint64_t created, cap;
    int64_t *free;        /* stack of freed slots */
    uint64_t nfree, fcap;
} Swap;

void swap_init(Swap *s, uint64_t limit);
void swap_fini(Swap *s);

/* Makes dst a copy of src. Returns 0, or -1 when out of host memory. */
int swap_copy(Swap *dst, const Swap *src);

/* Takes a slot for pid. Returns the slot, or -1 when swap is full or host memory
 * runs out. */
int64_t swap_alloc(Swap *s, int pid);

/* Gives a slot back. */
void swap_free(Swap *s, int64_t slot);

/* Frees every slot pid owns; returns how many. */
uint64_t swap_free_owner(Swap *s, int pid);

#endif
