/* Machine geometry presets and page-table entry codecs. */
#include "vmsim/arch.h"

#include <stdio.h>
#include <string.h>

static const char *const arch_names[] = {
    [ARCH_X86_64] = "x86_64", [ARCH_X86_32] = "x86_32", [ARCH_SV39] = "sv39",
    [ARCH_SV48] = "sv48", [ARCH_OSTEP] = "ostep", [ARCH_CUSTOM] = "custom",
};

bool arch_parse(const char *name, ArchKind *out)
{
    for (unsigned i = 0; i < sizeof arch_names / sizeof arch_names[0]; i++) {
        if (strcmp(name, arch_names[i]) == 0) {
            *out = (ArchKind)i;
            return true;
        }
    }
    return false;
}

const char *arch_name(ArchKind arch)
{
    return (unsigned)arch < sizeof arch_names / sizeof arch_names[0] ? arch_names[arch] : "?";
}

/* x86 paging-structure entry (Intel SDM 3A, tables 4-15..4-20):
 *   0 P  1 R/W  2 U/S  3 PWT  4 PCD  5 A  6 D  7 PS (PAT in a 4 KiB PTE)  8 G
 *   12..(MAXPHYADDR-1) frame address, 63 XD (with IA32_EFER.NXE). */
static const PteFormat x86_64_fmt = {
    .valid = 0, .read = -1, .write = 1, .exec = -1, .nx = 63, .user = 2,
    .accessed = 5, .dirty = 6, .huge = 7, .global = 8, .pfn_shift = 12, .pfn_bits = 40,
};

/* 32-bit paging without PAE: same low bits, frame address 12..31, no XD. */
static const PteFormat x86_32_fmt = {
    .valid = 0, .read = -1, .write = 1, .exec = -1, .nx = -1, .user = 2,
    .accessed = 5, .dirty = 6, .huge = 7, .global = 8, .pfn_shift = 12, .pfn_bits = 20,
};

/* RISC-V Sv39/Sv48 PTE (privileged spec §4.4.1): V0 R1 W2 X3 U4 G5 A6 D7, RSW 8..9,
 * PPN 10..53, bits 54..63 reserved here (no Svnapot/Svpbmt). */
static const PteFormat riscv_fmt = {
    .valid = 0, .read = 1, .write = 2, .exec = 3, .nx = -1, .user = 4,
    .accessed = 6, .dirty = 7, .huge = -1, .global = 5, .pfn_shift = 10, .pfn_bits = 44,
};

/* OSTEP smalltables: one byte, valid bit 7, PFN bits 6..0. */
static const PteFormat ostep_fmt = {
    .valid = 7, .read = -1, .write = -1, .exec = -1, .nx = -1, .user = -1,
    .accessed = -1, .dirty = -1, .huge = -1, .global = -1, .pfn_shift = 0, .pfn_bits = 7,
};

static void set_levels(Geometry *g, unsigned levels, unsigned bits)
{
    g->levels = levels;
    for (unsigned i = 0; i < GEO_MAX_LEVELS; i++)
        g->level_bits[i] = i < levels ? bits : 0;
}

void geo_preset(Geometry *g, ArchKind arch)
{
    memset(g, 0, sizeof *g);
    g->arch = arch;
    switch (arch) {
    case ARCH_X86_32:
        g->style = PT_STYLE_X86;
        set_levels(g, 2, 10);
        g->page_shift = 12;
        g->pa_bits = 32;
        g->pte_size = 4;
        g->fmt = x86_32_fmt;
        g->leaf_levels = 0x3;          /* 4 MiB PDE (CR4.PSE), 4 KiB PTE */
        break;
    case ARCH_SV39:
    case ARCH_SV48:
        g->style = PT_STYLE_RISCV;
        set_levels(g, arch == ARCH_SV39 ? 3 : 4, 9);
        g->page_shift = 12;
        g->pa_bits = 56;
        g->pte_size = 8;
        g->fmt = riscv_fmt;
        g->leaf_levels = (1u << g->levels) - 1;   /* a leaf may sit at any level */
        g->sign_extend = true;
        break;
    case ARCH_OSTEP:
        g->style = PT_STYLE_PLAIN;
        set_levels(g, 2, 5);
        g->page_shift = 5;
        g->pa_bits = 12;
        g->pte_size = 1;
        g->fmt = ostep_fmt;
        g->leaf_levels = 0x2;
        break;
    case ARCH_X86_64:
    case ARCH_CUSTOM:
    default:
        g->style = PT_STYLE_X86;
        set_levels(g, 4, 9);
        g->page_shift = 12;
        g->pa_bits = 52;
        g->pte_size = 8;
        g->fmt = x86_64_fmt;
        g->leaf_levels = 0xe;          /* 1 GiB PDPTE, 2 MiB PDE, 4 KiB PTE */
        g->sign_extend = true;
        break;
    }
    g->cr0_wp = g->smep = g->smap = true;   /* Linux sets all three where the CPU has them */
    geo_update(g);
}

static pte_t mask_of(int bit)
{
    return bit >= 0 && bit < 64 ? (pte_t)1 << bit : 0;
}

static void codec_update(Geometry *g)
{
    const PteFormat *f = &g->fmt;
    PteCodec *c = &g->codec;
    c->v = mask_of(f->valid);
    c->r = mask_of(f->read);
    c->w = mask_of(f->write);
    c->x = mask_of(f->exec);
    c->nx = f->exec >= 0 ? 0 : mask_of(f->nx);
    c->nx_set = mask_of(f->nx);
    c->u = mask_of(f->user);
    c->a = mask_of(f->accessed);
    c->d = mask_of(f->dirty);
    c->h = mask_of(f->huge);
    c->g = mask_of(f->global);
    c->implied = (f->read < 0 ? PTE_R : 0) | (f->write < 0 ? PTE_W : 0) |
                 (f->exec < 0 ? PTE_X : 0) | (f->user < 0 ? PTE_U : 0);
    unsigned top = f->pfn_shift + f->pfn_bits;   /* 52 on x86_64, 32 on x86_32 */
    c->x86_resv = 0;
    if (g->pa_bits < top && g->pa_bits < 64)
        c->x86_resv = ((top >= 64 ? 0 : 1ull << top) - 1) & ~((1ull << g->pa_bits) - 1);
    pte_t high = ~(pte_t)((1u << PTE_LOW_BITS) - 1);
    c->by_low = !((c->v | c->r | c->w | c->x | c->u | c->a | c->d | c->h | c->g) & high);
    for (unsigned i = 0; i < (1u << PTE_LOW_BITS); i++)
        c->low[i] = (uint16_t)pte_flags_codec(c, i);
}

void geo_update(Geometry *g)
{
    codec_update(g);
    unsigned bits = g->page_shift;
    unsigned n = g->levels < GEO_MAX_LEVELS ? g->levels : GEO_MAX_LEVELS;
    for (unsigned i = n; i-- > 0;) {
        g->shift[i] = bits;
        bits += g->level_bits[i];
    }
    g->va_bits = bits;
    if (g->levels >= 1 && g->levels <= GEO_MAX_LEVELS)
        g->leaf_levels |= 1u << (g->levels - 1);   /* the last level always maps pages */
}

static bool bit_ok(int bit, unsigned width)
{
    return bit < 0 || (unsigned)bit < width;
}

static bool bit_in_pfn(const Geometry *g, int bit)
{
    return bit >= g->fmt.pfn_shift && bit < g->fmt.pfn_shift + g->fmt.pfn_bits;
}

/* Names the setting at fault in *key (when key is not NULL) and returns why. */
static const char *invalid(const char **key, const char *setting, const char *why)
{
    if (key)
        *key = setting;
    return why;
}

static const char *fmt_validate(const Geometry *g, const char **key)
{
    const PteFormat *f = &g->fmt;
    unsigned width = g->pte_size * 8;
    const int8_t bits[] = { f->valid, f->read, f->write, f->exec, f->nx, f->user,
                            f->accessed, f->dirty, f->huge, f->global };
    if (f->valid < 0)
        return invalid(key, "machine.valid_bit", "an entry needs a valid bit");
    /* How the walker tells a leaf from a pointer (pte_is_leaf) needs these bits. */
    if (g->style == PT_STYLE_RISCV && (f->read < 0 || f->write < 0 || f->exec < 0))
        return invalid(key, "machine.read_bit", "style = riscv tells a leaf from a pointer by its R, W "
                       "and X bits: read_bit, write_bit and exec_bit are needed");
    uint32_t upper = g->leaf_levels & ~(1u << (g->levels - 1));
    if (g->style == PT_STYLE_PLAIN && upper)
        return invalid(key, "machine.huge_levels", "style = plain has leaves at the last level only");
    if (g->style == PT_STYLE_X86 && upper && f->huge < 0)
        return invalid(key, "machine.huge_bit", "style = x86 marks a large page by its huge bit: "
                       "huge_levels needs one");
    if (f->pfn_bits == 0 || f->pfn_shift + f->pfn_bits > width)
        return invalid(key, "machine.pfn_bits", "the frame-number field (pfn_shift, pfn_bits) must fit in the entry");
    for (unsigned i = 0; i < sizeof bits; i++) {
        if (!bit_ok(bits[i], width))
            return invalid(key, "machine.pte_size", "every flag bit must lie inside the entry (pte_size * 8 bits)");
        if (bits[i] >= 0 && bit_in_pfn(g, bits[i]))
            return invalid(key, "machine.pfn_shift", "a flag bit overlaps the frame-number field");
        for (unsigned j = 0; j < i; j++)
            if (bits[i] >= 0 && bits[i] == bits[j])
                return invalid(key, "machine.valid_bit", "two flags share one bit position");
    }
    return NULL;
}

const char *geo_validate(const Geometry *g, const char **key)
{
    if (g->levels < 1 || g->levels > GEO_MAX_LEVELS)
        return invalid(key, "machine.levels", "there must be 1 to 6 levels");
    if (g->page_shift < 4 || g->page_shift > 30)
        return invalid(key, "machine.page_size", "must be a power of two from 16 bytes to 1 GiB");
    if (g->pte_size != 1 && g->pte_size != 2 && g->pte_size != 4 && g->pte_size != 8)
        return invalid(key, "machine.pte_size", "must be 1, 2, 4 or 8");
    for (unsigned l = 0; l < g->levels; l++) {
        if (g->level_bits[l] < 1 || g->level_bits[l] > 20)
            return invalid(key, "machine.levels", "each level's index must be 1 to 20 bits wide");
        if (l > 0 && geo_table_bytes(g, l) > geo_page_size(g))   /* the root may span pages */
            return invalid(key, "machine.levels", "a page table below the root (2^bits entries * "
                           "pte_size) must fit in one page; only the root's may span several");
    }
    if (g->va_bits > 64)
        return invalid(key, "machine.levels", "the level indexes and the page offset do not fit in a 64-bit address");
    if (g->pa_bits < g->page_shift || g->pa_bits > 64)
        return invalid(key, "machine.pa_bits", "must be at least the page offset and at most 64");
    return fmt_validate(g, key);
}

bool geo_va_ok(const Geometry *g, vaddr_t va)
{
    if (g->va_bits >= 64)
        return true;
    if (!g->sign_extend)
        return (va >> g->va_bits) == 0;
    /* Canonical: bits 63..va_bits-1 all equal (x86 §3.3.7.1, RISC-V §4.4.1). */
    int64_t top = (int64_t)va >> (g->va_bits - 1);
    return top == 0 || top == -1;
}

static inline bool bit_get(pte_t pte, int bit)
{
    return bit >= 0 && ((pte >> bit) & 1);
}

pte_t pte_encode(const Geometry *g, pfn_t pfn, unsigned flags)
{
    const PteFormat *f = &g->fmt;
    const PteCodec *c = &g->codec;
    uint64_t mask = f->pfn_bits >= 64 ? ~0ull : (1ull << f->pfn_bits) - 1;
    pte_t pte = (pfn & mask) << f->pfn_shift;
    pte |= (flags & PTE_V) ? c->v : 0;     /* the codec's masks: 0 where there is no bit */
    pte |= (flags & PTE_R) ? c->r : 0;
    pte |= (flags & PTE_W) ? c->w : 0;
    pte |= (flags & PTE_X) ? c->x : 0;
    pte |= (flags & PTE_V) && !(flags & PTE_X) ? c->nx_set : 0;
    pte |= (flags & PTE_U) ? c->u : 0;
    pte |= (flags & PTE_A) ? c->a : 0;
    pte |= (flags & PTE_D) ? c->d : 0;
    pte |= (flags & PTE_H) ? c->h : 0;
    pte |= (flags & PTE_G) ? c->g : 0;
    return pte;
}


bool pte_is_leaf(const Geometry *g, pte_t pte, unsigned level)
{
    if (level + 1 >= g->levels)
        return true;
    switch (g->style) {
    case PT_STYLE_X86:
        return bit_get(pte, g->fmt.huge);
    case PT_STYLE_RISCV:
        return (pte_flags(g, pte) & (PTE_R | PTE_W | PTE_X)) != 0;
    case PT_STYLE_PLAIN:
    default:
        return false;
    }
}

/* x86: frame-address bits at or above MAXPHYADDR (up to bit 51) are reserved; so is
 * PS where the level allows no large page, and in a large-page entry the address bits
 * between bit 13 and the page size (bit 12 is PAT there). */
static bool x86_reserved(const Geometry *g, pte_t pte, unsigned level)
{
    if (pte & g->codec.x86_resv)
        return true;
    bool last = level + 1 >= g->levels;
    if (last || !bit_get(pte, g->fmt.huge))
        return false;
    if (!(g->leaf_levels & (1u << level)))
        return true;
    unsigned shift = geo_leaf_shift(g, level);
    pte_t low = ((1ull << shift) - 1) & ~((1ull << (g->page_shift + 1)) - 1);
    return (pte & low) != 0;
}

/* RISC-V: W without R is reserved; bits 54..63 must be zero without Svnapot/Svpbmt;
 * D, A and U are reserved in a non-leaf entry. */
static bool riscv_reserved(const Geometry *g, pte_t pte, unsigned level)
{
    unsigned fl = pte_flags(g, pte);
    if ((fl & PTE_W) && !(fl & PTE_R))
        return true;
    if (g->pte_size == 8 && (pte >> 54) != 0)
        return true;
    if (!pte_is_leaf(g, pte, level) && (fl & (PTE_A | PTE_D | PTE_U)))
        return true;
    return false;
}

bool pte_reserved(const Geometry *g, pte_t pte, unsigned level)
{
    switch (g->style) {
    case PT_STYLE_X86:
        return x86_reserved(g, pte, level);
    case PT_STYLE_RISCV:
        return riscv_reserved(g, pte, level);
    case PT_STYLE_PLAIN:
    default:
        return false;
    }
}

void pte_describe(const Geometry *g, pte_t pte, char *buf, size_t len)
{
    static const struct { unsigned flag; char c; } letters[] = {
        { PTE_V, 'V' }, { PTE_R, 'R' }, { PTE_W, 'W' }, { PTE_X, 'X' }, { PTE_U, 'U' },
        { PTE_A, 'A' }, { PTE_D, 'D' }, { PTE_G, 'G' }, { PTE_H, 'H' },
    };
    unsigned fl = pte_flags(g, pte);
    size_t n = 0;
    for (unsigned i = 0; i < sizeof letters / sizeof letters[0] && n + 1 < len; i++)
        buf[n++] = (fl & letters[i].flag) ? letters[i].c : '-';
    if (len)
        buf[n < len ? n : len - 1] = '\0';
}

const char *geo_level_name(const Geometry *g, unsigned l)
{
    static const char *const x86_4[] = { "PML4", "PDPT", "PD", "PT" };
    static const char *const two[] = { "PD", "PT" };
    static const char *const riscv[] = { "L0", "L1", "L2", "L3", "L4", "L5" };
    static const char *const plain[] = { "T0", "T1", "T2", "T3", "T4", "T5" };
    if (l >= g->levels)
        return "?";
    if (g->style == PT_STYLE_X86 && g->levels == 4)
        return x86_4[l];
    if (g->levels == 2 && g->style != PT_STYLE_RISCV)
        return two[l];
    if (g->style == PT_STYLE_RISCV)
        return riscv[g->levels - 1 - l];   /* the root is level LEVELS-1 in the spec */
    return plain[l];
}
