/* vmsim: page replacement policies over the RAM frames holding data pages.
 *
 * The simulator tells the policy when a frame is filled (policy_insert), referenced
 * (policy_touch, on every translation that lands in it, TLB hit or not) and emptied
 * by other means (policy_remove); when memory is full it asks for a victim.
 *
 *   fifo    the page loaded earliest
 *   lru     the page referenced least recently
 *   clock   a hand rotating over frames in frame order: a set reference bit is
 *           cleared and the hand moves on; the first clear one is the victim, and the
 *           hand stops one past it
 *   random  a frame chosen with the Sim's seeded generator
 */
#ifndef VMSIM_POLICY_H
#define VMSIM_POLICY_H

#include "vmsim/rng.h"
#include "vmsim/types.h"

typedef enum {
    POLICY_FIFO,
    POLICY_LRU,
    POLICY_CLOCK,
    POLICY_RANDOM,
    POLICY_COUNT
} PolicyKind;

typedef struct Policy Policy;

/* Whether frame pfn may be chosen (for per-process replacement); ctx is the caller's. */
typedef bool (*PolicyFilter)(void *ctx, pfn_t pfn);

bool policy_parse(const char *name, PolicyKind *out);
const char *policy_name(PolicyKind kind);

/* Creates a policy over frames 0..nframes-1; rng (kept, not owned) serves random.
 * Returns NULL when out of memory. */
Policy *policy_create(PolicyKind kind, size_t nframes, Rng *rng);
void policy_destroy(Policy *p);   /* NULL is accepted */

PolicyKind policy_kind(const Policy *p);

/* Frame pfn now holds a page (which counts as its first reference). */
void policy_insert(Policy *p, pfn_t pfn);

/* Frame pfn was referenced. */
void policy_touch(Policy *p, pfn_t pfn);

/* Frame pfn no longer holds a page the policy may choose. */
void policy_remove(Policy *p, pfn_t pfn);

/* Chooses the frame to evict among resident frames that pass filter (NULL: all).
 * The frame stays resident until policy_remove. Returns PFN_NONE if none qualifies. */
pfn_t policy_victim(Policy *p, PolicyFilter filter, void *ctx);

/* The clock hand (frame number), or PFN_NONE for policies without one. */
pfn_t policy_hand(const Policy *p);

/* The reference bit the policy keeps for pfn (clock), else false. */
bool policy_referenced(const Policy *p, pfn_t pfn);

#endif
