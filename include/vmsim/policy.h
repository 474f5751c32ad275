/* vmsim: page replacement policies over the RAM frames holding data pages.
 *
 * The simulator tells the policy when a frame is filled (policy_insert), referenced
 * (policy_touch, on every translation that lands in it, TLB hit or not), written back
 * (policy_cleaned) and emptied by other means (policy_remove), and when a timer
 * interrupt happens (policy_tick); when memory is full it asks for a victim. Times are
 * the Sim's reference count ("now"); loading a page counts as its first reference.
 *
 *   fifo           the page loaded earliest
 *   lru            the page referenced least recently
 *   clock          a hand rotating over frames in frame order, starting at frame 0:
 *                  every reference sets the frame's R bit; a set bit is cleared and the
 *                  hand moves on; the first clear one is the victim, and the hand stops
 *                  one past it
 *   second-chance  a FIFO queue: the oldest page with R set has R cleared and moves to
 *                  the tail; the oldest with R clear is the victim (clock's faults)
 *   nru            class = 2 * R + M; R bits are cleared at each tick; the victim is
 *                  the lowest-numbered frame of the lowest non-empty class
 *   lfu            the page referenced fewest times since it was loaded; ties go to the
 *                  one loaded earliest
 *   aging          8-bit counters: at each tick a counter shifts right and R enters at
 *                  the top (then R is cleared); the victim has the smallest counter,
 *                  ties the lowest frame. A load sets the counter to 0x80 with R clear
 *                  (the load is credited to the interval just ended, so a page just
 *                  loaded is not the next victim)
 *   wsclock        Tanenbaum's WSClock: a hand over frames; R set: R is cleared and the
 *                  last use becomes now; R clear and age (now - last use) > tau: a
 *                  clean page is the victim, a dirty one is scheduled for write-back
 *                  and skipped; after a full turn without a victim, the first clean page
 *                  seen, else the frame at the hand. The hand stops one past the victim
 *   random         a frame chosen with the Sim's seeded generator
 *   opt            Belady: the page whose next use (told by policy_set_next_use) is
 *                  farthest, never (UINT64_MAX) being farthest; ties the lowest frame
 *
 * insert, touch, remove, cleaned and set_next_use are O(1) (O(log n) for opt) and
 * allocate nothing; a victim search may scan the frames (O(n)), as a tick does.
 */
#ifndef VMSIM_POLICY_H
#define VMSIM_POLICY_H

#include "vmsim/rng.h"
#include "vmsim/types.h"

typedef enum {
    POLICY_FIFO,
    POLICY_LRU,
    POLICY_CLOCK,
    POLICY_SECOND_CHANCE,
    POLICY_NRU,
    POLICY_LFU,
    POLICY_AGING,
    POLICY_WSCLOCK,
    POLICY_RANDOM,
    POLICY_OPT,
    POLICY_COUNT
} PolicyKind;

/* Tunables; policy_params_default() gives the values used when none are passed. */
typedef struct PolicyParams {
    uint64_t tau;       /* wsclock: working-set window, in references (default 1000) */
} PolicyParams;

typedef struct Policy Policy;

/* Whether frame pfn may be chosen (for per-process replacement); ctx is the caller's. */
typedef bool (*PolicyFilter)(void *ctx, pfn_t pfn);

/* Sets *out to the policy named name ("fifo", "second-chance", ...); false if unknown. */
bool policy_parse(const char *name, PolicyKind *out);

/* The name policy_parse accepts for kind, or "?" for a value out of range. */
const char *policy_name(PolicyKind kind);

/* The parameters policy_create uses when given NULL. */
PolicyParams policy_params_default(void);

/* Creates a policy over frames 0..nframes-1, all empty; rng (kept, not owned) serves
 * random; params (copied; NULL for defaults) tune it. Returns NULL when out of memory. */
Policy *policy_create(PolicyKind kind, size_t nframes, Rng *rng, const PolicyParams *params);

/* Frees p; NULL is accepted. */
void policy_destroy(Policy *p);

/* A copy of p that draws from rng (the copy's owner's generator). NULL when out of
 * memory. */
Policy *policy_clone(const Policy *p, Rng *rng);

/* The kind p was created with. */
PolicyKind policy_kind(const Policy *p);

/* Empty frame pfn now holds a page, loaded at time now by a write or a read. */
void policy_insert(Policy *p, pfn_t pfn, bool write, uint64_t now);

/* Resident frame pfn was referenced at time now (by a write when write is true). */
void policy_touch(Policy *p, pfn_t pfn, bool write, uint64_t now);

/* Frame pfn no longer holds a page the policy may choose; an empty frame is ignored. */
void policy_remove(Policy *p, pfn_t pfn);

/* Resident frame pfn was written back: its page is clean (and no write-back is due). */
void policy_cleaned(Policy *p, pfn_t pfn);

/* A timer interrupt at time now: nru clears the R bits, aging shifts its counters;
 * the other policies only note the time. O(n). */
void policy_tick(Policy *p, uint64_t now);

/* opt: the page in frame pfn will next be referenced at reference index next
 * (UINT64_MAX: never). Called right before policy_insert or policy_touch of pfn; a
 * page whose next use was never told counts as never used again. Others ignore it. */
void policy_set_next_use(Policy *p, pfn_t pfn, uint64_t next);

/* Chooses the frame to evict among resident frames that pass filter (NULL: all),
 * taking "now" as the latest time given to insert, touch or tick. The frame stays
 * resident until policy_remove. Returns PFN_NONE if none qualifies. Clock, second-
 * chance and wsclock update their bits and hand as they search. */
pfn_t policy_victim(Policy *p, PolicyFilter filter, void *ctx);

/* The clock or wsclock hand (the frame it points at), or PFN_NONE for other policies. */
pfn_t policy_hand(const Policy *p);

/* The R bit kept for pfn by clock, second-chance, nru, aging and wsclock; false for
 * the other policies and for an empty or out-of-range frame. */
bool policy_referenced(const Policy *p, pfn_t pfn);

/* The M bit kept for pfn (set by a write, cleared by policy_cleaned); false if empty. */
bool policy_modified(const Policy *p, pfn_t pfn);

/* For displays: the aging counter, lfu count, opt next use or wsclock last use of
 * resident frame pfn; 0 for other policies and for an empty or out-of-range frame. */
uint64_t policy_counter(const Policy *p, pfn_t pfn);

/* wsclock: how many write-backs its victim searches have scheduled so far. */
uint64_t policy_writebacks(const Policy *p);

/* wsclock: takes the earliest scheduled write-back still due (the frame is dirty and
 * resident), or returns PFN_NONE. The caller writes the page and calls policy_cleaned. */
pfn_t policy_take_writeback(Policy *p);

#endif
