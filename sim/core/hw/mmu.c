/* The page walk: x86 (Intel SDM 3A §4.5), RISC-V Sv39/Sv48 (privileged spec §4.3.2,
 * the algorithm steps are numbered there), and the plain OSTEP format. */
#include "vmsim/mmu.h"

#include <string.h>

const char *walk_status_name(WalkStatus s)
{
    switch (s) {
    case WALK_OK: return "ok";
    case WALK_NOT_PRESENT: return "not present";
    case WALK_PROTECTION: return "protection";
    case WALK_RESERVED: return "reserved bit";
    case WALK_NONCANONICAL: return "non-canonical address";
    case WALK_MISALIGNED: return "misaligned superpage";
    case WALK_AD: return "accessed/dirty update";
    }
    return "?";
}


static WalkStatus fail(Walk *w, WalkStatus s)
{
    w->status = s;
    return s;
}

/* Sets the A bit (and D on a write) as the hardware does; Svade faults instead. */
static inline WalkStatus update_ad(const Geometry *g, FramePool *mem, Walk *w, unsigned l,
                                   bool leaf, bool write)
{
    const PteFormat *f = &g->fmt;
    pte_t pte = w->pte[l];
    if (f->accessed < 0)
        return WALK_OK;
    if (!leaf && g->style != PT_STYLE_X86)
        return WALK_OK;                    /* RISC-V keeps A/D in leaves only */
    pte_t want = pte | (1ull << f->accessed);
    if (leaf && write && f->dirty >= 0)
        want |= 1ull << f->dirty;
    if (want == pte)
        return WALK_OK;
    if (g->ad_by_fault)
        return WALK_AD;
    mem_write(mem, w->pte_pa[l], g->pte_size, want);
    w->pte[l] = want;
    return WALK_OK;
}

/* Permissions over the walk: x86 ANDs R/W and U/S and ORs XD over every level
 * (SDM 3A §4.6); the other styles use the leaf alone. */
static unsigned combine(const Geometry *g, unsigned acc, unsigned fl, bool first)
{
    if (g->style != PT_STYLE_X86 || first)
        return fl;
    unsigned perm = PTE_R | PTE_W | PTE_X | PTE_U;
    return (acc & fl & perm) | (fl & ~perm);
}

static WalkStatus finish_leaf(const Geometry *g, Walk *w, vaddr_t va, unsigned l,
                              unsigned flags)
{
    pte_t pte = w->pte[l];
    unsigned shift = geo_leaf_shift(g, l);
    pfn_t base = pte_pfn(g, pte);
    pfn_t span = 1ull << (shift - g->page_shift);
    if (g->style == PT_STYLE_X86)
        base &= ~(span - 1);               /* bit 12 of a large-page entry is PAT */
    else if (base & (span - 1))
        return fail(w, WALK_MISALIGNED);   /* RISC-V step 6 */
    w->shift = shift;
    w->page_pfn = base;
    w->pfn = base + ((va >> g->page_shift) & (span - 1));
    w->pa = (w->pfn << g->page_shift) | (va & (geo_page_size(g) - 1));
    w->flags = flags;
    return WALK_OK;
}

/* Clears what a walk reports; the per-level arrays are valid up to nread only. */
static void walk_start(Walk *w)
{
    w->status = WALK_OK;
    w->nread = w->level = w->shift = w->flags = 0;
    w->pa = PADDR_NONE;
    w->pfn = w->page_pfn = PFN_NONE;
}

/* Reads level l's entry for va from the table at table_pa, recording it in w. */
static inline pte_t read_level(const Geometry *g, const FramePool *mem, Walk *w, unsigned l,
                               paddr_t table_pa, vaddr_t va)
{
    w->level = l;
    w->nread = l + 1;
    w->table_pa[l] = table_pa;
    w->pte_pa[l] = table_pa + (paddr_t)geo_index(g, l, va) * g->pte_size;
    return w->pte[l] = mem_read(mem, w->pte_pa[l], g->pte_size);
}

/* pte_reserved, without the call where most walks end: at x86's last level only the
 * address bits above MAXPHYADDR are reserved (bit 7 is PAT there, not PS). */
static inline bool reserved(const Geometry *g, pte_t pte, unsigned l)
{
    if (g->style == PT_STYLE_X86 && l + 1 >= g->levels)
        return (pte & g->codec.x86_resv) != 0;
    return pte_reserved(g, pte, l);
}

/* Whether an entry with flags fl read at level l maps memory (see pte_is_leaf). */
static inline bool is_leaf(const Geometry *g, unsigned fl, unsigned l)
{
    if (l + 1 >= g->levels)
        return true;
    if (g->style == PT_STYLE_X86)
        return (fl & PTE_H) != 0;
    return g->style == PT_STYLE_RISCV && (fl & (PTE_R | PTE_W | PTE_X));
}

/* The walk from level l0, whose table is at table and the permissions combined above
 * it are flags (levels before l0 already read into w). hw is where the hardware sets
 * A and D (mem itself); NULL for a look that changes nothing and checks no permission
 * (mmu_lookup). Inlined into each walk: a call with ten arguments cost a walk about 30
 * instructions. */
static inline __attribute__((always_inline)) WalkStatus
walk_from(const Geometry *g, const FramePool *mem, FramePool *hw, unsigned l0, paddr_t table,
          unsigned flags, vaddr_t va, AccessOp op, bool user, Walk *w)
{
    bool write = op == OP_WRITE || op == OP_MODIFY;
    for (unsigned l = l0; l < g->levels; l++) {
        pte_t pte = read_level(g, mem, w, l, table, va);
        unsigned fl = pte_flags(g, pte);
        if (!(fl & PTE_V))
            return fail(w, WALK_NOT_PRESENT);
        if (reserved(g, pte, l))
            return fail(w, WALK_RESERVED);
        bool leaf = is_leaf(g, fl, l);
        if (leaf && g->style == PT_STYLE_RISCV && !(fl & (PTE_R | PTE_X)))
            return fail(w, WALK_NOT_PRESENT);    /* last level, not a leaf: step 4 */
        flags = combine(g, flags, fl, l == 0);
        if (!leaf) {
            if (hw && update_ad(g, hw, w, l, false, false) != WALK_OK)
                return fail(w, WALK_AD);
            table = pte_pfn(g, pte) << g->page_shift;
            continue;
        }
        if (hw && !mmu_allows(g, flags, op, user)) {
            w->flags = flags;              /* for mmu_explain: which rule refused it */
            return fail(w, WALK_PROTECTION);
        }
        if (finish_leaf(g, w, va, l, flags) != WALK_OK)
            return w->status;
        if (!hw)
            return fail(w, WALK_OK);
        if (update_ad(g, hw, w, l, true, write) != WALK_OK)
            return fail(w, WALK_AD);
        w->flags = flags | (pte_flags(g, w->pte[l]) & (PTE_D | PTE_A));
        return fail(w, WALK_OK);
    }
    return fail(w, WALK_NOT_PRESENT);   /* not reached: the last level is a leaf */
}

WalkStatus mmu_walk(const Geometry *g, FramePool *mem, pfn_t root, vaddr_t va,
                    AccessOp op, bool user, Walk *w)
{
    walk_start(w);
    if (!geo_va_ok(g, va))
        return fail(w, WALK_NONCANONICAL);
    return walk_from(g, mem, mem, 0, root << g->page_shift, 0, va, op, user, w);
}

/* Whether remembered level l's entry still holds its value: mem_read's answer, with
 * the address split when the path was stored (an entry's bytes lie inside its frame). */
static inline bool level_holds(const Geometry *g, const FramePool *mem, const WalkCache *c,
                               unsigned l)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (g->pte_size == 8) {
        pfn_t f = c->frame[l];
        const uint8_t *b = f < mem->total ? mem->frames[f].bytes : NULL;
        pte_t v = 0;                       /* no contents: reads as zeros */
        if (b)
            memcpy(&v, b + c->off[l], 8);
        return v == c->pte[l];
    }
#endif
    return mem_read(mem, c->pte_pa[l], g->pte_size) == c->pte[l];
}

/* Replays the remembered levels into w when they cover va and every entry still holds
 * its value (then the checks and A updates the full walk would make are all no-ops).
 * Returns the level to go on from (0: none replayed); sets *table and *flags for it. */
static unsigned cache_replay(const Geometry *g, const FramePool *mem, const WalkCache *c,
                             pfn_t root, vaddr_t va, Walk *w, paddr_t *table, unsigned *flags)
{
    unsigned d = c->depth;
    if (d == 0 || c->root != root || c->key != va >> g->shift[d - 1])
        return 0;
    for (unsigned l = 0; l < d; l++) {     /* copied as checked: a miss walks anew */
        if (!level_holds(g, mem, c, l))
            return 0;
        w->table_pa[l] = c->table_pa[l];
        w->pte_pa[l] = c->pte_pa[l];
        w->pte[l] = c->pte[l];
    }
    w->level = d - 1;
    w->nread = d;
    *table = c->next_table;
    *flags = c->flags;
    return d;
}

/* Remembers the levels a walk passed through (those above where it ended). */
static void cache_store(const Geometry *g, const FramePool *mem, WalkCache *c, pfn_t root,
                        vaddr_t va, const Walk *w)
{
    unsigned d = w->nread ? w->level : 0;
    c->depth = 0;
    if (d == 0)
        return;
    unsigned flags = 0;
    for (unsigned l = 0; l < d; l++) {
        c->table_pa[l] = w->table_pa[l];
        c->pte_pa[l] = w->pte_pa[l];
        c->pte[l] = w->pte[l];
        c->frame[l] = w->pte_pa[l] >> mem->page_shift;
        c->off[l] = w->pte_pa[l] & ((1ull << mem->page_shift) - 1);
        flags = combine(g, flags, pte_flags(g, w->pte[l]), l == 0);
    }
    c->next_table = pte_pfn(g, w->pte[d - 1]) << g->page_shift;
    c->root = root;
    c->key = va >> g->shift[d - 1];
    c->flags = flags;
    c->depth = d;
}

WalkStatus mmu_walk_cached(const Geometry *g, FramePool *mem, pfn_t root, vaddr_t va,
                           AccessOp op, bool user, WalkCache *c, Walk *w)
{
    walk_start(w);
    paddr_t table = root << g->page_shift;
    unsigned flags = 0;
    unsigned l0 = cache_replay(g, mem, c, root, va, w, &table, &flags);
    /* A replayed path's key holds every bit of va from the top down to below va_bits,
     * and was stored by a walk of a canonical address: va is canonical too. */
    if (l0 == 0 && !geo_va_ok(g, va))
        return fail(w, WALK_NONCANONICAL);
    WalkStatus st = walk_from(g, mem, mem, l0, table, flags, va, op, user, w);
    if (w->nread && w->level != l0)
        cache_store(g, mem, c, root, va, w);
    return st;
}

WalkStatus mmu_lookup(const Geometry *g, const FramePool *mem, pfn_t root, vaddr_t va,
                      Walk *w)
{
    walk_start(w);
    if (!geo_va_ok(g, va) || root == PFN_NONE)
        return fail(w, WALK_NONCANONICAL);
    return walk_from(g, mem, NULL, 0, root << g->page_shift, 0, va, OP_READ, false, w);
}
