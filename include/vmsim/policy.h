/* vmsim: page replacement policies over the RAM frames holding data pages.
 *
 * The simulator tells the policy when a frame is filled (policy_insert), referenced
 * (policy_touch, on every translation that lands in it, TLB hit or not), written back
 * (policy_cleaned) and emptied by other means (policy_remove), and when a timer
 * interrupt happens (policy_tick); when memory is full it asks for a victim. Times are
 * the Sim's reference count ("now"); loading a page counts as its first reference.
 *
 * Each policy is one PolicyOps entry in a table: the built-in ones (fifo, lru, clock,
 * second-chance, nru, lfu, aging, wsclock, random, opt; each described in its file,
 * sim/core/policy_NAME.c) and any registered at run time with policy_register. Every
 * list of policy names (help, error messages, check, the stepper, the window) comes
 * from the table.
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
    POLICY_COUNT        /* the built-in ones; registered policies take kinds from here on */
} PolicyKind;

/* Tunables; policy_params_default() gives the values used when none are passed. */
/* OPT among pages whose next uses are equal (in practice: never used again). */
typedef enum {
    OPT_TIES_LOWEST_FRAME,     /* the lowest frame number (the default) */
    OPT_TIES_LATEST_LOADED,    /* the page loaded most recently (OSTEP's paging-policy.py) */
    OPT_TIES_EARLIEST_LOADED   /* the page loaded earliest (FIFO among the tied) */
} OptTies;

typedef struct PolicyParams {
    uint64_t tau;       /* wsclock: working-set window, in references (default 1000) */
    OptTies opt_ties;   /* opt: which of equal next uses goes */
} PolicyParams;

/* The name of an OptTies value ("lowest-frame"), and the value named name (false if
 * none). */
const char *opt_ties_name(OptTies t);
bool opt_ties_parse(const char *name, OptTies *out);

typedef struct Policy Policy;

/* Whether frame pfn may be chosen (for per-process replacement); ctx is the caller's. */
typedef bool (*PolicyFilter)(void *ctx, pfn_t pfn);

/* One replacement policy. The Policy object calls these on its state (the void * that
 * create returned). Entries marked "may be NULL" have the default given. */
/* Writes how descriptions name resident frame pfn into buf ("page 7 in frame 2");
 * returns its length, or 0 to have the frame's number used. */
typedef size_t (*PolicyNamer)(const void *ctx, pfn_t pfn, char *buf, size_t len);

typedef struct PolicyOps {
    const char *name;           /* what memory.policy takes: lowercase, no spaces */
    const char *label;          /* for titles and explanations: "FIFO (first in, first out)" */
    const char *counter_name;   /* the per-frame number counter gives ("age"); NULL: none */
    bool has_reference_bit;     /* whether referenced answers (an R bit per frame) */
    /* A state over frames 0..nframes-1, all empty; rng (not owned) for random choices;
     * params never NULL. NULL when out of memory. */
    void *(*create)(size_t nframes, Rng *rng, const PolicyParams *params);
    void (*destroy)(void *st);                          /* NULL accepted */
    void *(*clone)(const void *st, Rng *rng);           /* NULL when out of memory */
    void (*insert)(void *st, pfn_t pfn, bool write, uint64_t now);  /* first reference */
    void (*touch)(void *st, pfn_t pfn, bool write, uint64_t now);   /* every later one */
    void (*remove)(void *st, pfn_t pfn);                /* an empty frame is ignored */
    void (*cleaned)(void *st, pfn_t pfn);               /* the page was written back */
    void (*tick)(void *st, uint64_t now);               /* a timer interrupt */
    /* Chooses among resident frames passing filter (NULL: all); PFN_NONE if none. */
    pfn_t (*victim)(void *st, PolicyFilter filter, void *ctx);
    /* May be NULL (the policy ignores the future): pfn's next use (UINT64_MAX: never),
     * told right before insert or touch of pfn. Non-NULL makes the Sim compute them. */
    void (*set_next_use)(void *st, pfn_t pfn, uint64_t next);
    /* May be NULL (no preview): the frame victim would choose now, without changing
     * anything. */
    pfn_t (*next_victim)(const void *st, PolicyFilter filter, void *ctx);
    bool (*referenced)(const void *st, pfn_t pfn);      /* may be NULL: false */
    bool (*modified)(const void *st, pfn_t pfn);        /* may be NULL: false */
    uint64_t (*counter)(const void *st, pfn_t pfn);     /* may be NULL: 0 */
    pfn_t (*hand)(const void *st);                      /* may be NULL: no hand */
    /* May be NULL (no write-backs of its own): takes the next write-back it scheduled. */
    pfn_t (*take_writeback)(void *st);
    uint64_t (*writebacks)(const void *st);             /* may be NULL: 0 */
    /* The policy's whole state in words (its queue, hand, bits or counters) into buf,
     * without side effects; returns the length needed, as snprintf does. May be NULL. */
    size_t (*describe_state)(const void *st, char *buf, size_t len);
    /* One frame's state in words ("age 0x80", "next use never"); may be NULL: the
     * counter under counter_name, or nothing. */
    void (*describe_frame)(const void *st, pfn_t pfn, char *buf, size_t len);
    /* May be NULL (descriptions name frames by number): keeps fn and ctx to name each
     * frame in describe_state ("page 7 in frame 2"). */
    void (*set_namer)(void *st, PolicyNamer fn, const void *ctx);
} PolicyOps;

/* How many policies the table holds: the built-in ones (kinds 0..POLICY_COUNT-1) and
 * those registered after them. */
size_t policy_count(void);

/* The table's entry for kind, or NULL when out of range. */
const PolicyOps *policy_ops_of(PolicyKind kind);

/* Adds ops to the table (for tests and plugins). Sets *out to its kind and returns true;
 * false when the name is taken or empty, a required entry (create, destroy, clone,
 * insert, touch, remove, cleaned, tick, victim) is NULL, or the table is full. ops is
 * kept, not copied: it must outlive every use. */
bool policy_register(const PolicyOps *ops, PolicyKind *out);

/* Writes the names, in table order, separated by sep and the last two by last ("fifo,
 * lru or opt" for ", " and " or "); returns the length needed, as snprintf does. */
size_t policy_list_names(char *buf, size_t len, const char *sep, const char *last);

/* Sets *out to the policy named name ("fifo", "second-chance", ...); false if unknown. */
bool policy_parse(const char *name, PolicyKind *out);

/* The name policy_parse accepts for kind, or "?" for a value out of range. */
const char *policy_name(PolicyKind kind);

/* The label of kind ("LRU (least recently used)"), or "?" for a value out of range. */
const char *policy_label(PolicyKind kind);

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

/* The table entry p runs (its name, label, counter name, whether it keeps R bits). */
const PolicyOps *policy_ops(const Policy *p);

/* Whether the policy of kind needs each page's next use (policy_set_next_use). */
bool policy_needs_future(PolicyKind kind);

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

/* Sets *out to the frame policy_victim would choose now (filter as there), without
 * changing anything; false when the policy cannot say in advance (random, wsclock). */
bool policy_next_victim(const Policy *p, PolicyFilter filter, void *ctx, pfn_t *out);

/* The policy's state in words (queue with load times, hand and R bits, counters, next
 * uses) into buf; no side effects. Returns the length needed, as snprintf does. */
size_t policy_describe_state(const Policy *p, char *buf, size_t len);

/* Has p's descriptions name frames through fn (with ctx); a policy without set_namer
 * keeps naming them by number. */
void policy_set_namer(Policy *p, PolicyNamer fn, const void *ctx);

/* What the policy keeps for frame pfn, in words ("age 0x80", "uses 3", "next use
 * never"); "" when it keeps no number per frame or the frame is empty. */
void policy_frame_words(const Policy *p, pfn_t pfn, char *buf, size_t len);

/* wsclock: how many write-backs its victim searches have scheduled so far. */
uint64_t policy_writebacks(const Policy *p);

/* wsclock: takes the earliest scheduled write-back still due (the frame is dirty and
 * resident), or returns PFN_NONE. The caller writes the page and calls policy_cleaned. */
pfn_t policy_take_writeback(Policy *p);

#endif
