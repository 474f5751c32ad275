/* vmsim: a set-associative TLB.
 *
 * entries = sets * ways; ways = 1 is direct-mapped, ways = entries fully associative.
 * An entry maps one page of any size (4 KiB, 2 MiB, 1 GiB...): its tag is the virtual
 * page number at that size, and the set is tag % sets. Entries carry the address-space
 * tag (ASID/PCID) and the global bit; a lookup matches an entry of its own ASID or a
 * global one. The effective permissions and the dirty state are cached as PTE_* flags,
 * so a write through a clean entry goes back to the page table to set D, as x86 does.
 */
#ifndef VMSIM_TLB_H
#define VMSIM_TLB_H

#include "vmsim/arch.h"
#include "vmsim/rng.h"

typedef enum {
    TLB_LRU,
    TLB_FIFO,
    TLB_RANDOM
} TlbPolicy;

typedef struct TlbEntry {
    vpn_t tag;        /* va >> shift */
    pfn_t pfn;        /* first frame of the page */
    uint32_t asid;
    uint8_t shift;    /* log2 of the page size */
    uint8_t valid;
    uint16_t flags;   /* PTE_R W X U D G, effective over the walk */
    uint8_t ops;      /* bit (1 << AccessOp): the user ops this entry serves, set by the filler */
    uint64_t stamp;   /* lru: last use; fifo: fill time */
} TlbEntry;

typedef struct Tlb {
    /* Told of each entry a flush drops, before it goes (NULL: no one asks); set by the
     * owner before each flush, since a copied Tlb's ctx would be stale. */
    void (*on_drop)(void *ctx, const struct Tlb *t, const TlbEntry *e);
    void *drop_ctx;
    unsigned entries, ways, sets;
    uint64_t set_mask;   /* sets - 1 when sets is a power of two, else 0 (use %) */
    TlbPolicy policy;
    Rng *rng;
    TlbEntry *e;      /* set s holds e[s*ways .. s*ways+ways-1] */
    uint64_t clock;
    uint64_t shifts;  /* bit s: an entry of page shift s may be present */
    uint64_t hits, misses, flushes;
    TlbEntry *last;   /* the entry found last: checked first (a simulator shortcut that
                         finds the same entry the set search would) */
    TlbEntry *prev;   /* the one found before it, checked second (fetches and data
                         alternate in a unified TLB) */
} Tlb;

bool tlb_policy_parse(const char *name, TlbPolicy *out);
const char *tlb_policy_name(TlbPolicy p);

/* Sets up a TLB; entries = 0 makes a TLB that never hits. ways must divide entries.
 * Returns 0, or -1 when out of memory. */
int tlb_init(Tlb *t, unsigned entries, unsigned ways, TlbPolicy policy, Rng *rng);
void tlb_fini(Tlb *t);

/* Makes dst a copy of src drawing from rng. Returns 0, or -1 when out of memory. */
int tlb_copy(Tlb *dst, const Tlb *src, Rng *rng);

/* The set a tag maps to. */
static inline uint64_t tlb_set_index(const Tlb *t, vpn_t tag)
{
    return t->set_mask || t->sets == 1 ? tag & t->set_mask : tag % t->sets;
}

/* The index in t->e (set * ways + way) of the valid entry translating va for asid
 * (its own or a global one), or -1. Changes nothing: a probe for displays. */
static inline long tlb_find(const Tlb *t, vaddr_t va, uint32_t asid)
{
    for (uint64_t sh = t->entries ? t->shifts : 0; sh; sh &= sh - 1) {
        unsigned s = (unsigned)__builtin_ctzll(sh);
        vpn_t tag = va >> s;
        size_t base = (size_t)tlb_set_index(t, tag) * t->ways;
        for (unsigned w = 0; w < t->ways; w++) {
            const TlbEntry *e = &t->e[base + w];
            if (e->valid && e->tag == tag && e->shift == s && (e->asid == asid || (e->flags & PTE_G)))
                return (long)(base + w);
        }
    }
    return -1;
}

/* The entry in way of set (read-only), or NULL out of range. */
static inline const TlbEntry *tlb_entry_at(const Tlb *t, unsigned set, unsigned way)
{
    return set < t->sets && way < t->ways ? &t->e[(size_t)set * t->ways + way] : NULL;
}

/* Whether e is valid and translates va for asid. */
static inline bool tlb_matches(const TlbEntry *e, vaddr_t va, uint32_t asid)
{
    return e && e->valid && e->tag == (va >> e->shift) && (e->asid == asid || (e->flags & PTE_G));
}

/* The entry translating va for asid, or NULL, changing nothing: the last two entries
 * found, else the set search. */
static inline TlbEntry *tlb_peek(Tlb *t, vaddr_t va, uint32_t asid)
{
    if (t->entries == 0)
        return NULL;
    if (tlb_matches(t->last, va, asid))
        return t->last;
    if (tlb_matches(t->prev, va, asid))
        return t->prev;
    long i = tlb_find(t, va, asid);
    return i < 0 ? NULL : &t->e[i];
}

/* Marks e (of t) used now: its LRU stamp, and the entries tried first next time. */
static inline void tlb_touch(Tlb *t, TlbEntry *e)
{
    if (t->policy == TLB_LRU)
        e->stamp = ++t->clock;
    if (e != t->last) {
        t->prev = t->last;
        t->last = e;
    }
}

/* Finds the entry translating va for asid, or NULL. Counts neither hits nor misses
 * (the caller decides what a hit is); refreshes the LRU stamp. */
static inline TlbEntry *tlb_lookup(Tlb *t, vaddr_t va, uint32_t asid)
{
    TlbEntry *e = tlb_peek(t, va, asid);
    if (e)
        tlb_touch(t, e);
    return e;
}

/* The set index va falls in for a page of the given shift. */
static inline unsigned tlb_set_of(const Tlb *t, vaddr_t va, unsigned shift)
{
    return t->sets ? (unsigned)tlb_set_index(t, va >> shift) : 0;
}

/* Installs a translation, replacing an invalid way or the policy's victim in its set.
 * *evicted (if not NULL) receives the entry it replaced (valid = 0 if none).
 * Returns the new entry, or NULL for a TLB with no entries. */
TlbEntry *tlb_fill(Tlb *t, vaddr_t va, unsigned shift, pfn_t pfn, unsigned flags,
                   uint32_t asid, TlbEntry *evicted);

/* Drops every entry of asid (or global) that covers va. Returns how many. */
unsigned tlb_flush_page(Tlb *t, vaddr_t va, uint32_t asid);

/* Drops every non-global entry of asid. */
unsigned tlb_flush_asid(Tlb *t, uint32_t asid);

/* Drops every entry; keep_global keeps global ones (a CR3 write without PCIDs). */
unsigned tlb_flush_all(Tlb *t, bool keep_global);

/* Bytes of memory the valid entries map. */
uint64_t tlb_reach(const Tlb *t);

#endif
