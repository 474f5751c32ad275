/* The state the built-in replacement policies share, and their common operations.
 * Not part of the public API (include/vmsim/policy.h is): each built-in policy is one
 * file, policy_NAME.c, defining its PolicyOps over this state; a policy registered
 * from outside may keep any state of its own.
 *
 * Per-frame state lives in arrays indexed by frame number; queues are intrusive doubly
 * linked lists over those arrays and opt keeps a binary max-heap with a position index,
 * so the per-reference operations are O(1) (O(log n) for opt) and allocate nothing.
 * Victim searches and ticks may scan the frames. */
#ifndef VMSIM_POLICY_INT_H
#define VMSIM_POLICY_INT_H

#include <stdarg.h>
#include <stdio.h>

#include "vmsim/policy.h"

#define NIL UINT32_MAX

/* An intrusive list over frame numbers: links live in the per-frame slots. */
typedef struct List {
    uint32_t head, tail;
} List;

/* What the policy knows about one frame. */
typedef struct Slot {
    uint32_t prev, next;    /* order list: fifo/lru/lfu load or use order, second-chance queue */
    uint32_t wb_prev, wb_next; /* wsclock: pending write-backs, oldest first */
    uint32_t heap_pos;      /* opt: index in heap, NIL when not in it */
    uint8_t resident;
    uint8_t ref;            /* R: set by every reference */
    uint8_t dirty;          /* M: set by a write, cleared by cleaned */
    uint8_t wb_pending;     /* wsclock: write-back scheduled and not yet cleaned */
    uint8_t ready;          /* set up (pstate_slot): slots start zeroed, by calloc */
    uint64_t counter;       /* aging counter / lfu count / opt next use / wsclock last use */
    uint64_t loaded;        /* the time the page was loaded (for descriptions) */
} Slot;

/* The built-in policies' state (the void * their PolicyOps receive). */
typedef struct PolicyState {
    size_t n;
    Rng *rng;
    PolicyParams params;
    uint64_t empty_counter; /* counter of an empty frame: opt's "never", else 0 */
    Slot *s;
    List order;
    List wb;
    uint32_t *heap;         /* opt: resident frames, farthest next use at the root */
    size_t heap_len;
    size_t hand;            /* clock, wsclock */
    uint64_t now;           /* latest time told */
    uint64_t writebacks;    /* wsclock: write-backs scheduled */
    PolicyNamer namer;      /* names frames in descriptions (NULL: by number) */
    const void *namer_ctx;
} PolicyState;

/* ---- the shared operations (policy_base.c), usable as PolicyOps entries ---------- */

/* A state over nframes empty frames whose counters start at 0. NULL when out of memory
 * or when frame numbers would not fit the 32-bit links. */
void *pstate_create(size_t nframes, Rng *rng, const PolicyParams *params);

/* Frees a state from pstate_create or pstate_clone; NULL is accepted. */
void pstate_destroy(void *st);

/* A copy of st drawing from rng; NULL when out of memory. */
void *pstate_clone(const void *st, Rng *rng);

/* The slot of frame f, set up on its first use (links NIL, counter empty_counter):
 * slots come zeroed from calloc, so untouched pages cost nothing and memory grows with
 * the frames used, not the frames that exist. */
Slot *pstate_slot(PolicyState *p, pfn_t f);

/* PolicyOps.set_namer of the built-in policies. */
void pstate_set_namer(void *st, PolicyNamer fn, const void *ctx);
/* Frame f as descriptions name it (the namer's words, else its number), in buf. */
const char *pstate_name(const PolicyState *p, size_t f, char *buf, size_t len);

/* Marks empty frame pfn resident (R set, M = write, loaded at now) and appends it to
 * the order list. The policies' insert operations start with it. */
void pstate_insert(void *st, pfn_t pfn, bool write, uint64_t now);

/* Sets R (and M on a write) of resident frame pfn and notes the time. */
void pstate_touch(void *st, pfn_t pfn, bool write, uint64_t now);

/* Empties frame pfn (out of every list and the heap); an empty frame is ignored. */
void pstate_remove(void *st, pfn_t pfn);

/* Resident frame pfn's page is clean; its scheduled write-back, if any, is dropped. */
void pstate_cleaned(void *st, pfn_t pfn);

/* Notes the time of a tick (for the policies that do nothing else at one). */
void pstate_tick(void *st, uint64_t now);

/* The R bit of resident frame pfn; false for an empty or out-of-range frame. */
bool pstate_referenced(const void *st, pfn_t pfn);

/* The M bit of resident frame pfn; false for an empty or out-of-range frame. */
bool pstate_modified(const void *st, pfn_t pfn);

/* The counter of resident frame pfn; 0 for an empty or out-of-range frame. */
uint64_t pstate_counter(const void *st, pfn_t pfn);

/* The hand's frame, or PFN_NONE with no frames. */
pfn_t pstate_hand(const void *st);

/* fifo, lru: the first eligible frame of the order list, or PFN_NONE. */
pfn_t pstate_first_in_order(const PolicyState *p, PolicyFilter filter, void *ctx);

/* pstate_first_in_order as a victim and as a next_victim entry. */
pfn_t pstate_victim_first(void *st, PolicyFilter filter, void *ctx);
pfn_t pstate_next_first(const void *st, PolicyFilter filter, void *ctx);

/* Writes "frames in ORDER: F (WHAT N), ..." listing the order list from its head with
 * each frame's counter (counter) or load time, and with bits its R bit; returns the
 * length it needed, as snprintf does. */
size_t pstate_describe_order(const PolicyState *p, const char *order, const char *what, bool counter,
                             bool bits, char *buf, size_t len);

/* Writes each resident frame's "F WHAT N" (counter) in frame order after head;
 * with bits, its R and M bits too. Returns the length it needed. */
size_t pstate_describe_frames(const PolicyState *p, const char *head, const char *what, bool bits,
                              char *buf, size_t len);

/* Appends printf-style text at *n in buf (of len bytes), truncating safely; *n counts
 * what would have been written, as snprintf's result does. */
void pstate_appendf(char *buf, size_t len, size_t *n, const char *fmt, ...);

/* Whether frame f is resident and passes filter (NULL: all pass). */
static inline bool pstate_eligible(const PolicyState *p, size_t f, PolicyFilter filter, void *ctx)
{
    return p->s[f].resident && (!filter || filter(ctx, f));
}

static inline void order_unlink(PolicyState *p, uint32_t f)
{
    Slot *s = p->s;
    if (s[f].prev != NIL)
        s[s[f].prev].next = s[f].next;
    else
        p->order.head = s[f].next;
    if (s[f].next != NIL)
        s[s[f].next].prev = s[f].prev;
    else
        p->order.tail = s[f].prev;
}

static inline void order_append(PolicyState *p, uint32_t f)
{
    Slot *s = p->s;
    s[f].prev = p->order.tail;
    s[f].next = NIL;
    if (p->order.tail != NIL)
        s[p->order.tail].next = f;
    else
        p->order.head = f;
    p->order.tail = f;
}

/* The entries every built-in policy shares. */
#define PSTATE_COMMON_OPS .destroy = pstate_destroy, .clone = pstate_clone, .modified = pstate_modified

/* The built-in policies, one file each. */
extern const PolicyOps policy_fifo_ops, policy_lru_ops, policy_clock_ops, policy_second_chance_ops,
    policy_nru_ops, policy_lfu_ops, policy_aging_ops, policy_wsclock_ops, policy_random_ops,
    policy_opt_ops;

#endif
