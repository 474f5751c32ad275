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
    pfn_t frame[GEO_MAX_LEVELS];           /* pte_pa split: its frame, and its offset */
    uint64_t off[GEO_MAX_LEVELS];          /* there (saves the split at each check) */
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

/* Whether a supervisor-mode access op is allowed to a page with effective flags, by the
 * supervisor rules: x86 SDM 3A §4.6.1 (CR0.WP, CR4.SMEP, CR4.SMAP with EFLAGS.AC = 0),
 * RISC-V privileged spec §4.1.1.2 and §4.3.1 (sstatus.SUM; S-mode never fetches from a
 * U=1 page). True also means "no supervisor rule applies; the R/W/X bits decide". */
static inline bool mmu_supervisor_ok(const Geometry *g, unsigned flags, AccessOp op)
{
    bool user_page = (flags & PTE_U) != 0;
    if (g->style == PT_STYLE_RISCV)
        return !user_page || (op != OP_EXEC && g->sum);
    if (g->style != PT_STYLE_X86 || !user_page)
        return true;
    return op == OP_EXEC ? !g->smep : !g->smap;
}

/* Whether effective flags (PTE_R W X U) allow op from user or supervisor mode. */
static inline bool mmu_allows(const Geometry *g, unsigned flags, AccessOp op, bool user)
{
    if (user && !(flags & PTE_U))
        return false;
    if (!user && !mmu_supervisor_ok(g, flags, op))
        return false;
    switch (op) {
    case OP_WRITE:
    case OP_MODIFY:
        /* x86 with CR0.WP = 0: supervisor writes ignore R/W (SDM 3A §4.6.1). */
        return (flags & PTE_W) || (!user && g->style == PT_STYLE_X86 && !g->cr0_wp);
    case OP_EXEC:
        return (flags & PTE_X) != 0;
    case OP_READ:
    default:
        /* RISC-V MXR: loads from executable pages succeed (privileged spec §4.1.1.2). */
        return (flags & PTE_R) || (g->mxr && (flags & PTE_X));
    }
}

/* The page-fault error code x86 pushes for the failed walk w of op (SDM 3A §4.7,
 * Figure 4-12): P bit 0 (1: a protection or reserved-bit fault, 0: not present),
 * W/R bit 1, U/S bit 2 (user mode), RSVD bit 3, I/D bit 4 (a fetch, with XD or SMEP). */
unsigned mmu_error_code(const Geometry *g, const Walk *w, AccessOp op, bool user);

/* Writes into buf (len bytes) the manual's rule the failed walk w of op broke, with
 * its section ("PS=1 in a PML4E is reserved (SDM 3A §4.5.4, Table 4-15)") and, on
 * x86, the error code; on RISC-V, the exception's scause. */
void mmu_explain(const Geometry *g, const Walk *w, AccessOp op, bool user, char *buf,
                 size_t len);

const char *walk_status_name(WalkStatus s);

#endif
