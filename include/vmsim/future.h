/* vmsim: the future of a trace, for Belady's OPT. A first pass names every page
 * reference (process, virtual page) in order; future_finish turns that sequence into,
 * for each position, the position of the next reference to the same page. */
#ifndef VMSIM_FUTURE_H
#define VMSIM_FUTURE_H

#include "vmsim/types.h"

#define FUTURE_NEVER UINT64_MAX

/* One entry of the page map: a (key, vpn) pair and its dense page id. */
typedef struct FutureSlot {
    vpn_t vpn;
    int32_t pid;          /* -1: empty */
    uint32_t id;
} FutureSlot;

/* Memory: 4 bytes a reference (seq, grown by doubling, so up to 8 while reading), the
 * page map while reading (16 bytes a slot, at most half full: 32 or more a distinct
 * page), then 4 bytes a distinct page for the backward pass; the map goes before it. */
typedef struct Future {
    uint32_t *seq;        /* page ids, then (after future_finish) next positions */
    size_t n, cap;
    FutureSlot *map;      /* (pid, vpn) -> page id, open addressing, linear probing */
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
int future_add_slow(Future *f, int pid, vpn_t vpn);

/* The slot where (pid, vpn) hashes in a map of cap (a power of two) slots: a
 * Fibonacci multiply, the key's high bits, so neighbouring pages spread. */
static inline size_t future_slot_of(vpn_t vpn, int pid, size_t cap)
{
    uint64_t h = (vpn ^ ((uint64_t)(uint32_t)pid << 40)) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

/* future_add_slow's contract. The usual case (room in seq, the page already known) is
 * here, inline in the first pass's loop; the rest (growth, a new page) is not. */
static inline int future_add(Future *f, int pid, vpn_t vpn)
{
    if (f->n < f->cap && f->map_cap) {
        for (size_t j = future_slot_of(vpn, pid, f->map_cap);; j = (j + 1) & (f->map_cap - 1)) {
            const FutureSlot *m = &f->map[j];
            if (m->pid < 0)
                break;
            if (m->vpn == vpn && m->pid == pid) {
                f->seq[f->n++] = m->id;
                return 0;
            }
        }
    }
    return future_add_slow(f, pid, vpn);
}

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
