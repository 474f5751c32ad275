/* vmsim: the hardware page walk.
 *
 * mmu_walk reads entries from simulated physical memory, level by level from the
 * root table (CR3 / satp), checks them as the architecture does and sets the
 * accessed and dirty bits the hardware sets. It knows nothing of processes or of the
 * operating system: a failed walk is a page fault for the OS to handle.
 */
#ifndef VMSIM_MMU_H
#define VMSIM_MMU_H

#include "vmsim/arch.h"
#include "vmsim/frames.h"

typedef enum {
    WALK_OK,
    WALK_NOT_PRESENT,   /* an entry on the way has its valid bit clear */
    WALK_PROTECTION,    /* the page is present but the access is not allowed */
    WALK_RESERVED,      /* an entry has reserved bits set */
    WALK_NONCANONICAL,  /* the address is not sign-extended / beyond the VA width */
    WALK_MISALIGNED,    /* RISC-V superpage whose low PPN bits are not zero */
    WALK_AD             /* RISC-V Svade: A clear, or D clear on a write */
} WalkStatus;

typedef struct Walk {
    WalkStatus status;
    unsigned nread;                        /* entries read (levels visited) */
    paddr_t table_pa[GEO_MAX_LEVELS];      /* base of the table read at each level */
    paddr_t pte_pa[GEO_MAX_LEVELS];        /* address of the entry read */
    pte_t pte[GEO_MAX_LEVELS];             /* its value after any A/D update */
    unsigned level;                        /* where the walk ended (leaf or fault) */
    unsigned shift;                        /* page size of the mapping (WALK_OK) */
    pfn_t pfn;                             /* frame holding the byte at va (WALK_OK) */
    pfn_t page_pfn;                        /* first frame of the page (WALK_OK) */
    paddr_t pa;                            /* translated address (WALK_OK) */
    unsigned flags;                        /* effective PTE_R W X U, leaf's D and G */
} Walk;

/* The host's memory of the table entries above the last leaf walked (upper levels,
 * which every walk in the same region reads again): where they are and what they held
 * after the walk's accessed-bit updates. Only a shortcut: each use reads every entry
 * again and falls back to the full walk unless all still hold the remembered values,
 * so a change to any entry on the path (or a copy of the machine) needs no hook. */
typedef struct WalkCache {
    pfn_t root;                            /* the root the path starts at */
    vaddr_t key;                           /* va >> shift[depth - 1] */
    unsigned depth;                        /* levels remembered (0: none) */
    unsigned flags;                        /* permissions combined over them */
    paddr_t table_pa[GEO_MAX_LEVELS];
    paddr_t pte_pa[GEO_MAX_LEVELS];
    pte_t pte[GEO_MAX_LEVELS];
    paddr_t next_table;                    /* the table the last one points to */
} WalkCache;

/* mmu_walk, using and refreshing the path remembered in *c (zeroed before first use).
 * Fills *w exactly as mmu_walk does: the same entries read, the same A/D updates. */
WalkStatus mmu_walk_cached(const Geometry *g, FramePool *mem, pfn_t root, vaddr_t va,
                           AccessOp op, bool user, WalkCache *c, Walk *w);

/* Translates va for op (OP_READ, OP_WRITE or OP_EXEC) from the root table in frame
 * root, as user (true) or supervisor code. Fills *w; returns w->status. */
WalkStatus mmu_walk(const Geometry *g, FramePool *mem, pfn_t root, vaddr_t va,
                    AccessOp op, bool user, Walk *w);

/* Reads the entry chain for va without checking permissions or touching A/D bits
 * (for displays). Returns WALK_OK when a leaf was reached. */
WalkStatus mmu_lookup(const Geometry *g, const FramePool *mem, pfn_t root, vaddr_t va,
                      Walk *w);

/* Whether effective flags (PTE_R W X U) allow op from user or supervisor mode. */
static inline bool mmu_allows(const Geometry *g, unsigned flags, AccessOp op, bool user)
{
    if (user && !(flags & PTE_U))
        return false;
    /* RISC-V without SUM: supervisor code may not touch user pages. */
    if (!user && g->style == PT_STYLE_RISCV && (flags & PTE_U))
        return false;
    switch (op) {
    case OP_WRITE:
    case OP_MODIFY:
        return (flags & PTE_W) != 0;
    case OP_EXEC:
        return (flags & PTE_X) != 0;
    case OP_READ:
    default:
        return (flags & PTE_R) != 0;
    }
}

const char *walk_status_name(WalkStatus s);

#endif
