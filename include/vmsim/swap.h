/* vmsim: swap space, a set of page-sized slots with reference counts. A slot is held
 * by every swap entry that names it (a fork copies entries, so a slot can have several)
 * and by a resident page that keeps a copy in it (the swap cache). Freed slots are
 * reused most recent first. */
#ifndef VMSIM_SWAP_H
#define VMSIM_SWAP_H

#include "vmsim/arch.h"
#include "vmsim/types.h"

typedef struct Swap {
    uint64_t limit;       /* slots available (UINT64_MAX: unlimited) */
    uint64_t used;        /* slots with a count above zero */
    uint32_t *refs;       /* count per slot created so far */
    uint64_t created, cap;
    int64_t *free;        /* stack of freed slots */
    uint64_t nfree, fcap;
} Swap;

/* A swap entry: a non-present page-table entry holding slot + 1 in its frame field (0
 * stays "nothing here"), as Linux keeps swap locations in non-present PTEs. */
pte_t swap_entry_encode(const Geometry *g, int64_t slot);

/* Sets *slot to the slot a non-zero, non-present leaf entry names; false for any other
 * entry (zero, present). */
bool swap_entry_decode(const Geometry *g, pte_t pte, int64_t *slot);

void swap_init(Swap *s, uint64_t limit);
void swap_fini(Swap *s);

/* Makes dst a copy of src. Returns 0, or -1 when out of host memory. */
int swap_copy(Swap *dst, const Swap *src);

/* Takes a slot, with a count of 1. Returns it, or -1 when swap is full or host memory
 * runs out. */
int64_t swap_alloc(Swap *s);

/* One more holder of slot. */
void swap_ref(Swap *s, int64_t slot);

/* One holder fewer; at zero the slot is free. Invalid or free slots are ignored. */
void swap_put(Swap *s, int64_t slot);

/* The count of slot (0 if free or invalid). */
uint32_t swap_refs(const Swap *s, int64_t slot);

#endif
