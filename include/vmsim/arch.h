/* vmsim: machine geometry and page-table entry codecs.
 *
 * A Geometry describes how an architecture splits a virtual address and what its
 * page-table entries look like. Level 0 is the root table (x86 PML4, RISC-V's
 * top level); the last level maps base pages.
 *
 *   x86_64   VA 48 bits = 9 | 9 | 9 | 9 | 12, 8-byte entries, 4 KiB / 2 MiB / 1 GiB
 *            pages; bits P0 RW1 US2 PWT3 PCD4 A5 D6 PS7 G8, PFN 12..51, XD63.
 *            Permissions are combined over every level (Intel SDM 3A §4.6).
 *   x86_32   VA 32 bits = 10 | 10 | 12, 4-byte entries, 4 KiB and (PSE) 4 MiB pages;
 *            same low flag bits, PFN 12..31, no XD.
 *   sv39     VA 39 bits = 9 | 9 | 9 | 12; sv48: 9 | 9 | 9 | 9 | 12. 8-byte entries
 *            V0 R1 W2 X3 U4 G5 A6 D7, PPN 10..53; a leaf has R, W or X set and may
 *            sit at any level; permissions come from the leaf only.
 *   ostep    VA 15 bits = 5 | 5 | 5, 32-byte pages, 1-byte entries: valid bit 7,
 *            PFN bits 6..0, no permission bits (OSTEP's "smalltables").
 *   custom   level widths, page size, entry size and bit positions from the INI.
 */
#ifndef VMSIM_ARCH_H
#define VMSIM_ARCH_H

#include "vmsim/types.h"

#define GEO_MAX_LEVELS 6

typedef enum {
    ARCH_X86_64,
    ARCH_X86_32,
    ARCH_SV39,
    ARCH_SV48,
    ARCH_OSTEP,
    ARCH_CUSTOM
} ArchKind;

/* How entries are read: which entries are leaves and where permissions come from. */
typedef enum {
    PT_STYLE_X86,     /* leaf at the last level or with PS set; permissions ANDed over levels */
    PT_STYLE_RISCV,   /* leaf when R|W|X != 0; permissions from the leaf alone */
    PT_STYLE_PLAIN    /* leaf at the last level; valid means read, write and execute */
} PtStyle;

/* Bit positions of an entry's fields; -1 when the format has no such bit. */
typedef struct PteFormat {
    int8_t valid, read, write, exec, nx, user, accessed, dirty, huge, global;
    uint8_t pfn_shift;   /* lowest bit of the frame number field */
    uint8_t pfn_bits;    /* its width */
} PteFormat;

/* Decoded, architecture-neutral entry flags. */
enum {
    PTE_V = 1u << 0,   /* valid / present */
    PTE_R = 1u << 1,
    PTE_W = 1u << 2,
    PTE_X = 1u << 3,
    PTE_U = 1u << 4,   /* user accessible */
    PTE_A = 1u << 5,
    PTE_D = 1u << 6,
    PTE_G = 1u << 7,
    PTE_H = 1u << 8    /* x86 PS: this entry maps a large page */
};

/* The format's flags as single-bit masks (0 where the format has no such bit), kept
 * by geo_update so decoding an entry is a few ANDs. */
#define PTE_LOW_BITS 9
typedef struct PteCodec {
    pte_t v, r, w, x, nx, u, a, d, h, g;
    unsigned implied;     /* PTE_R/W/X/U a valid entry has because its format has no such bit */
    pte_t x86_resv;       /* x86: frame-address bits at or above pa_bits (reserved) */
    pte_t nx_set;         /* the NX bit pte_encode sets on a valid entry without PTE_X */
    /* When every flag but NX sits in the entry's low PTE_LOW_BITS bits (x86, RISC-V,
     * ostep), by_low is set and low[] holds the decoded flags of each value of those
     * bits: a decode is one load (and the NX test). */
    bool by_low;
    uint16_t low[1u << PTE_LOW_BITS];
} PteCodec;

typedef struct Geometry {
    ArchKind arch;
    PtStyle style;
    unsigned levels;                      /* 1..GEO_MAX_LEVELS */
    unsigned level_bits[GEO_MAX_LEVELS];  /* index width per level, root first */
    unsigned page_shift;                  /* log2 of the base page size */
    unsigned va_bits;                     /* page_shift + sum of level_bits */
    unsigned pa_bits;                     /* physical address width */
    unsigned pte_size;                    /* bytes per entry: 1, 2, 4 or 8 */
    PteFormat fmt;
    uint32_t leaf_levels;                 /* bit l set: level l may hold a leaf */
    bool sign_extend;                     /* bits above va_bits must copy bit va_bits-1 */
    bool ad_by_fault;                     /* RISC-V Svade: missing A/D raises a page fault */
    /* Supervisor-mode access controls (SDM 3A §4.6.1; RISC-V privileged spec §4.1.1.2):
     * x86 CR0.WP (supervisor writes obey R/W), CR4.SMEP (no supervisor fetch from a
     * user-mode address), CR4.SMAP (no supervisor data access to one, EFLAGS.AC = 0);
     * RISC-V sstatus.SUM (S-mode may load and store U=1 pages) and MXR (loads from
     * execute-only pages succeed). Presets: as Linux runs: WP, SMEP, SMAP on; SUM, MXR off. */
    bool cr0_wp, smep, smap, sum, mxr;
    PteCodec codec;                       /* derived from fmt by geo_update */
    unsigned shift[GEO_MAX_LEVELS];       /* derived: lowest VA bit each level indexes */
} Geometry;

/* Fills g with the preset for arch (ARCH_CUSTOM starts from x86_64's values). */
void geo_preset(Geometry *g, ArchKind arch);

/* Parses "x86_64", "x86_32", "sv39", "sv48", "ostep", "custom". False if unknown. */
bool arch_parse(const char *name, ArchKind *out);
const char *arch_name(ArchKind arch);

/* Recomputes what derives from the rest: va_bits, the last level in leaf_levels, and
 * the codec. Call it after changing any field. */
void geo_update(Geometry *g);

/* Checks that the geometry is usable: levels fit, tables below the root fit a page,
 * fields fit the entry. Returns NULL when fine, else a static message saying what is wrong ("there
 * must be 1 to 6 levels"), with *key (when key is not NULL) set to the setting at
 * fault ("machine.levels"). */
const char *geo_validate(const Geometry *g, const char **key);

static inline uint64_t geo_page_size(const Geometry *g) { return 1ull << g->page_shift; }

/* Shift of the lowest address bit that indexes level l (kept by geo_update). */
static inline unsigned geo_level_shift(const Geometry *g, unsigned l)
{
    return g->shift[l];
}

/* Index into the level-l table for va. */
static inline unsigned geo_index(const Geometry *g, unsigned l, vaddr_t va)
{
    return (unsigned)((va >> geo_level_shift(g, l)) & ((1ull << g->level_bits[l]) - 1));
}

/* Entries in one table of level l, and its size in bytes. */
static inline uint64_t geo_table_entries(const Geometry *g, unsigned l) { return 1ull << g->level_bits[l]; }
static inline uint64_t geo_table_bytes(const Geometry *g, unsigned l)
{
    return geo_table_entries(g, l) * g->pte_size;
}

/* Frames one table of level l spans: 1 below the root, whose tables fit a page; the
 * root's table may be larger (a machine with a wide root index, as RISC-V's Sv39x4
 * root of 2^11 entries, 16 KiB: privileged spec, Hypervisor Extension, "Two-Stage
 * Address Translation", "Guest Physical Address Translation"), and then spans
 * bytes / page size frames in a contiguous run aligned to its size. Its entry i is at
 * root * page size + i * pte_size, as for any table. */
static inline uint64_t geo_table_pages(const Geometry *g, unsigned l)
{
    uint64_t bytes = geo_table_bytes(g, l);
    return bytes > geo_page_size(g) ? bytes >> g->page_shift : 1;
}

/* Size of the page a leaf at level l maps, as a shift (12 for 4 KiB). */
static inline unsigned geo_leaf_shift(const Geometry *g, unsigned l) { return geo_level_shift(g, l); }

/* True if va is representable: below 2^va_bits, or sign-extended where required. */
bool geo_va_ok(const Geometry *g, vaddr_t va);

/* The user-visible address bits of va (sign extension removed). */
static inline vaddr_t geo_va_mask(const Geometry *g, vaddr_t va)
{
    return g->va_bits >= 64 ? va : va & ((1ull << g->va_bits) - 1);
}

/* Encodes an entry with frame number pfn and the PTE_* flags (others ignored if the
 * format lacks them). PTE_X clear sets the XD/NX bit where the format has one. */
pte_t pte_encode(const Geometry *g, pfn_t pfn, unsigned flags);

/* pte_flags by the codec's masks, bit by bit (what fills PteCodec.low). */
static inline unsigned pte_flags_codec(const PteCodec *c, pte_t pte)
{
    unsigned fl = (pte & c->v) ? PTE_V | c->implied : 0;
    if (pte & c->nx)
        fl &= ~(unsigned)PTE_X;
    fl |= (pte & c->r) ? PTE_R : 0;
    fl |= (pte & c->w) ? PTE_W : 0;
    fl |= (pte & c->x) ? PTE_X : 0;
    fl |= (pte & c->u) ? PTE_U : 0;
    fl |= (pte & c->a) ? PTE_A : 0;
    fl |= (pte & c->d) ? PTE_D : 0;
    fl |= (pte & c->h) ? PTE_H : 0;
    fl |= (pte & c->g) ? PTE_G : 0;
    return fl;
}

/* Decodes an entry's PTE_* flags. On formats without R, X or U bits, a valid entry
 * reports them set; on formats with an NX bit, PTE_X is its inverse. */
static inline unsigned pte_flags(const Geometry *g, pte_t pte)
{
    const PteCodec *c = &g->codec;
    if (!c->by_low)
        return pte_flags_codec(c, pte);
    unsigned fl = c->low[pte & ((1u << PTE_LOW_BITS) - 1)];
    return (pte & c->nx) ? fl & ~(unsigned)PTE_X : fl;
}

/* The entry's frame number field. */
static inline pfn_t pte_pfn(const Geometry *g, pte_t pte)
{
    uint64_t mask = g->fmt.pfn_bits >= 64 ? ~0ull : (1ull << g->fmt.pfn_bits) - 1;
    return (pte >> g->fmt.pfn_shift) & mask;
}

/* True if the entry has bits set that the architecture reserves (x86: physical address
 * bits above pa_bits, PS where no large page is allowed; RISC-V: W without R, bits
 * 54..63, A/D/U on a non-leaf). level says where the entry was read. */
bool pte_reserved(const Geometry *g, pte_t pte, unsigned level);

/* True if an entry read at level l is a leaf (maps memory rather than a table). */
bool pte_is_leaf(const Geometry *g, pte_t pte, unsigned level);

/* The architecture's name for the table at level l (PML4, PDPT, PD, PT on x86_64;
 * L2, L1, L0 on Sv39, numbered as the RISC-V spec does). */
const char *geo_level_name(const Geometry *g, unsigned l);

/* Writes the entry's flags as letters ("V R W X U A D G H", '-' for clear) into buf. */
void pte_describe(const Geometry *g, pte_t pte, char *buf, size_t len);

#endif
