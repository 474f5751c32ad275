/* vmsim: the future of a trace, for Belady's OPT. A first pass names every page
 * reference (process, virtual page) in order; future_finish turns that sequence into,
 * for each position, the position of the next reference to the same page. */
#ifndef VMSIM_FUTURE_H
#define VMSIM_FUTURE_H

#include "vmsim/types.h"

#define FUTURE_NEVER UINT64_MAX

typedef struct FutureSlot FutureSlot;

typedef struct Future {
    uint32_t *seq;        /* page ids, then (after future_finish) next positions */
    size_t n, cap;
    FutureSlot *map;      /* (pid, vpn) -> page id, open addressing */
    size_t map_cap, pages;
    bool finished;
    int refs;             /* Sims sharing this future (clones share it) */
} Future;

void future_init(Future *f);
void future_fini(Future *f);

/* Appends the next page reference: page vpn of the process pid names (any key from 0
 * up that is one per process: a pid, or a cs1550 trace's process number + 1, as the
 * process is made only when its first line runs). Returns 0, or -1 when out of memory
 * or past 2^32 - 2 references. */
int future_add(Future *f, int pid, vpn_t vpn);

/* Turns the sequence into next-use positions and frees the page map.
 * Returns 0, or -1 when out of memory (then no future is known). */
int future_finish(Future *f);

/* Position of the next reference to the page referenced at pos, or FUTURE_NEVER. */
static inline uint64_t future_next(const Future *f, uint64_t pos)
{
    if (!f->finished || pos >= f->n || f->seq[pos] == UINT32_MAX)
        return FUTURE_NEVER;
    return f->seq[pos];
}

#endif
