/* Tests for machine geometry and the PTE codecs (sim/core/hw/arch.c): presets, index
 * extraction, canonical addresses, raw entry bit positions from the manuals
 * (Intel SDM vol. 3A ch. 4; RISC-V privileged spec §4.3-4.5; OSTEP smalltables),
 * reserved-bit rules, geo_validate and level names. */
#include <stddef.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/arch.h"

static Geometry preset(ArchKind arch)
{
    Geometry g;
    geo_preset(&g, arch);
    return g;
}

/* A custom machine: 256-byte pages, three 7-bit levels, 16-bit entries laid out as
 *   bit 0 V, 1 W, 2 U, 3 A, 4 D, 8..15 PFN   (128 entries * 2 bytes = one page). */
static Geometry custom16(void)
{
    Geometry g = preset(ARCH_CUSTOM);
    g.levels = 3;
    for (unsigned l = 0; l < GEO_MAX_LEVELS; l++)
        g.level_bits[l] = l < 3 ? 7 : 0;
    g.page_shift = 8;
    g.pa_bits = 16;
    g.pte_size = 2;
    g.fmt = (PteFormat){ .valid = 0, .read = -1, .write = 1, .exec = -1, .nx = -1,
                         .user = 2, .accessed = 3, .dirty = 4, .huge = -1, .global = -1,
                         .pfn_shift = 8, .pfn_bits = 8 };
    g.leaf_levels = 0;
    g.sign_extend = false;
    geo_update(&g);
    return g;
}

static void test_arch_names(void)
{
    static const char *const names[] = { "x86_64", "x86_32", "sv39", "sv48", "ostep", "custom" };
    for (unsigned i = 0; i < 6; i++) {
        ArchKind k = ARCH_CUSTOM;
        CU_ASSERT_TRUE(arch_parse(names[i], &k));
        CU_ASSERT_EQUAL(k, (ArchKind)i);
        CU_ASSERT_STRING_EQUAL(arch_name((ArchKind)i), names[i]);
    }
    ArchKind k = ARCH_SV39;
    CU_ASSERT_FALSE(arch_parse("x86", &k));
    CU_ASSERT_FALSE(arch_parse("SV39", &k));
    CU_ASSERT_EQUAL(k, ARCH_SV39);   /* untouched on failure */
}

/* Preset shapes: va_bits = page_shift + sum(level_bits). */
static void test_presets(void)
{
    Geometry g = preset(ARCH_X86_64);
    CU_ASSERT_EQUAL(g.levels, 4);
    CU_ASSERT_EQUAL(g.va_bits, 48);          /* 12 + 4*9 */
    CU_ASSERT_EQUAL(g.pte_size, 8);
    CU_ASSERT_EQUAL(geo_table_bytes(&g, 0), 4096);   /* 512 entries * 8 bytes */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 1), 30);      /* PDPTE maps 1 GiB: 12+9+9 */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 2), 21);      /* PDE maps 2 MiB: 12+9 */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 3), 12);
    CU_ASSERT_EQUAL(g.leaf_levels, 0xeu);            /* levels 1, 2, 3; never the PML4 */
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    g = preset(ARCH_X86_32);
    CU_ASSERT_EQUAL(g.levels, 2);
    CU_ASSERT_EQUAL(g.va_bits, 32);          /* 12 + 10 + 10 */
    CU_ASSERT_EQUAL(g.pte_size, 4);
    CU_ASSERT_EQUAL(geo_table_bytes(&g, 0), 4096);   /* 1024 entries * 4 bytes */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 0), 22);      /* 4 MiB PSE page */
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    g = preset(ARCH_SV39);
    CU_ASSERT_EQUAL(g.levels, 3);
    CU_ASSERT_EQUAL(g.va_bits, 39);          /* 12 + 3*9 */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 0), 30);      /* gigapage */
    CU_ASSERT_EQUAL(g.leaf_levels, 0x7u);
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    g = preset(ARCH_SV48);
    CU_ASSERT_EQUAL(g.levels, 4);
    CU_ASSERT_EQUAL(g.va_bits, 48);          /* 12 + 4*9 */
    CU_ASSERT_EQUAL(geo_leaf_shift(&g, 0), 39);      /* terapage: 12+9+9+9 */
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    g = preset(ARCH_OSTEP);
    CU_ASSERT_EQUAL(g.levels, 2);
    CU_ASSERT_EQUAL(g.va_bits, 15);          /* 5 + 5 + 5 */
    CU_ASSERT_EQUAL(geo_page_size(&g), 32);
    CU_ASSERT_EQUAL(geo_table_bytes(&g, 1), 32);     /* 32 one-byte entries */
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    g = custom16();
    CU_ASSERT_EQUAL(g.va_bits, 29);          /* 8 + 3*7 */
    CU_ASSERT_EQUAL(g.leaf_levels, 0x4u);    /* geo_update adds the last level */
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));
}

/* SDM 3A fig. 4-8: PML4 = 47:39, PDPT = 38:30, PD = 29:21, PT = 20:12, offset 11:0.
 * VA 0x00007f12_3456_7abc in binary:
 *   0111 1111 0001 | 0010 0011 0100 | 0101 0110 0111 | 1010 1011 1100
 *   bits 47:39 = 0_1111_1110  = 0xfe  (254)
 *   bits 38:30 = 0_0100_1000  = 0x48  (72)
 *   bits 29:21 = 1_1010_0010  = 0x1a2 (418)
 *   bits 20:12 = 1_0110_0111  = 0x167 (359)
 *   bits 11:0  = 0xabc */
static void test_x86_64_indexes(void)
{
    Geometry g = preset(ARCH_X86_64);
    vaddr_t va = 0x00007f1234567abcull;
    CU_ASSERT_EQUAL(geo_index(&g, 0, va), 254);
    CU_ASSERT_EQUAL(geo_index(&g, 1, va), 72);
    CU_ASSERT_EQUAL(geo_index(&g, 2, va), 418);
    CU_ASSERT_EQUAL(geo_index(&g, 3, va), 359);
    CU_ASSERT_EQUAL(va & (geo_page_size(&g) - 1), 0xabc);
    CU_ASSERT_EQUAL(geo_level_shift(&g, 0), 39);
    CU_ASSERT_EQUAL(geo_level_shift(&g, 1), 30);
    CU_ASSERT_EQUAL(geo_level_shift(&g, 2), 21);
    CU_ASSERT_EQUAL(geo_level_shift(&g, 3), 12);
    /* A kernel address: 0xffff_8000_0000_0000 has bits 47:39 = 1_0000_0000 = 256. */
    CU_ASSERT_EQUAL(geo_index(&g, 0, 0xffff800000000000ull), 256);
    CU_ASSERT_EQUAL(geo_va_mask(&g, 0xffff800000000000ull), 0x800000000000ull);
}

/* x86_32 (SDM 3A fig. 4-2): PD = 31:22, PT = 21:12. 0x12345678 >> 22 = 0x48;
 * (0x12345678 >> 12) & 0x3ff = 0x12345 & 0x3ff = 0x345; offset 0x678.
 * OSTEP: 15 bits = PDE 14:10 | PTE 9:5 | offset 4:0; 0x611c = 110 0001 0001 1100:
 * PDE 11000 = 24, PTE 01000 = 8, offset 11100 = 0x1c. */
static void test_small_indexes(void)
{
    Geometry g = preset(ARCH_X86_32);
    CU_ASSERT_EQUAL(geo_index(&g, 0, 0x12345678), 0x48);
    CU_ASSERT_EQUAL(geo_index(&g, 1, 0x12345678), 0x345);

    g = preset(ARCH_OSTEP);
    CU_ASSERT_EQUAL(geo_index(&g, 0, 0x611c), 24);
    CU_ASSERT_EQUAL(geo_index(&g, 1, 0x611c), 8);

    /* Sv39: VPN[2] = 38:30, VPN[1] = 29:21, VPN[0] = 20:12 (spec fig. 4.19);
     * 0x12_3456_7abc >> 30 = 0x48, then 0x1a2 and 0x167 as on x86_64. */
    g = preset(ARCH_SV39);
    CU_ASSERT_EQUAL(geo_index(&g, 0, 0x1234567abcull), 0x48);
    CU_ASSERT_EQUAL(geo_index(&g, 1, 0x1234567abcull), 0x1a2);
    CU_ASSERT_EQUAL(geo_index(&g, 2, 0x1234567abcull), 0x167);
}

/* Canonical addresses: x86_64 bits 63:47 all equal (SDM 3A §3.3.7.1); Sv39 bits 63:39
 * equal bit 38, Sv48 bits 63:48 equal bit 47 (priv. spec §4.4.1, §4.5.1). */
static void test_canonical(void)
{
    Geometry g = preset(ARCH_X86_64);
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x0000800000000000ull));   /* bit 47 set, 63:48 clear */
    CU_ASSERT_TRUE(geo_va_ok(&g, 0xffff800000000000ull));
    CU_ASSERT_TRUE(geo_va_ok(&g, 0x00007fffffffffffull));
    CU_ASSERT_FALSE(geo_va_ok(&g, 0xffff7fffffffffffull));   /* bit 47 clear, 63:48 set */
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x8000000000000000ull));
    CU_ASSERT_TRUE(geo_va_ok(&g, 0));

    g = preset(ARCH_SV39);
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x0000004000000000ull));   /* bit 38 set, 63:39 clear */
    CU_ASSERT_TRUE(geo_va_ok(&g, 0xffffffc000000000ull));
    CU_ASSERT_TRUE(geo_va_ok(&g, 0x0000003fffffffffull));
    CU_ASSERT_FALSE(geo_va_ok(&g, 0xffffff8000000000ull));   /* bit 38 clear, bit 39 set */
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x0000008000000000ull));

    g = preset(ARCH_SV48);
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x0000800000000000ull));
    CU_ASSERT_TRUE(geo_va_ok(&g, 0xffff800000000000ull));
    CU_ASSERT_TRUE(geo_va_ok(&g, 0x0000004000000000ull));    /* fine in Sv48, not Sv39 */

    g = preset(ARCH_X86_32);                                /* no sign extension */
    CU_ASSERT_TRUE(geo_va_ok(&g, 0xffffffffull));
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x100000000ull));
    CU_ASSERT_FALSE(geo_va_ok(&g, 0xffffffff80000000ull));

    g = preset(ARCH_OSTEP);
    CU_ASSERT_TRUE(geo_va_ok(&g, 0x7fff));
    CU_ASSERT_FALSE(geo_va_ok(&g, 0x8000));
}

/* x86_64 entry (SDM 3A table 4-19): P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6, PS 7,
 * G 8, address 51:12, XD 63. */
static void test_x86_64_encode(void)
{
    Geometry g = preset(ARCH_X86_64);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_X), 0x1);              /* P */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_W | PTE_X), 0x3);      /* + R/W = 2 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_U | PTE_X), 0x5);      /* + U/S = 4 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_A | PTE_X), 0x21);     /* + A = 0x20 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_D | PTE_X), 0x41);     /* + D = 0x40 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_H | PTE_X), 0x81);     /* + PS = 0x80 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V | PTE_G | PTE_X), 0x101);    /* + G = 0x100 */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V), 0x8000000000000001ull);    /* X clear: XD */
    CU_ASSERT_EQUAL(pte_encode(&g, 0, 0), 0);                            /* not present */
    /* PFN 0x12345 at bit 12 = 0x12345000; flags P|RW|US|A|D|PS|G = 0x1e7; XD. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0x12345, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A |
                                           PTE_D | PTE_H | PTE_G),
                    0x80000000123451e7ull);
    /* The frame field is 40 bits (51:12): the largest PFN is 0xff_ffff_ffff. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0xffffffffffull, PTE_V | PTE_X), 0x000ffffffffff001ull);
    CU_ASSERT_EQUAL(pte_pfn(&g, 0xfffffffffffff067ull), 0xffffffffffull);   /* not XD, not 62:52 */
}

static void test_x86_64_decode(void)
{
    Geometry g = preset(ARCH_X86_64);
    /* 0x8000000000000027: P, R/W, U/S, A, XD. Reads are implied by P. */
    unsigned fl = pte_flags(&g, 0x8000000000000027ull);
    CU_ASSERT_EQUAL(fl, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A);
    /* 0x1e1: P, A, D, PS, G; no XD means executable. */
    fl = pte_flags(&g, 0x1e1);
    CU_ASSERT_EQUAL(fl, PTE_V | PTE_R | PTE_X | PTE_A | PTE_D | PTE_H | PTE_G);
    CU_ASSERT_EQUAL(pte_flags(&g, 0x1234006) & PTE_V, 0);   /* P clear */
    CU_ASSERT_EQUAL(pte_pfn(&g, 0x1234007), 0x1234);

    char buf[16];
    pte_describe(&g, 0x8000000000000027ull, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "VRW-UA---");
    pte_describe(&g, 0x1e1, buf, 4);                          /* truncated, terminated */
    CU_ASSERT_STRING_EQUAL(buf, "VR-");
}

/* x86_32 entry (SDM 3A tables 4-5, 4-6): same low bits, address 31:12, no XD. */
static void test_x86_32_codec(void)
{
    Geometry g = preset(ARCH_X86_32);
    /* 0xfffff << 12 = 0xfffff000; P|RW|US|PS = 0x87; X clear sets nothing. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0xfffff, PTE_V | PTE_W | PTE_U | PTE_H), 0xfffff087ull);
    CU_ASSERT_EQUAL(pte_encode(&g, 0xabcde, PTE_V | PTE_W | PTE_U), 0xabcde007ull);
    CU_ASSERT_TRUE(pte_flags(&g, 0x1) & PTE_X);              /* no XD: always executable */
    CU_ASSERT_EQUAL(pte_pfn(&g, 0xabcde007), 0xabcde);
}

/* RISC-V PTE (priv. spec fig. 4.21): V 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7,
 * RSW 9:8, PPN 53:10. */
static void test_riscv_codec(void)
{
    Geometry g = preset(ARCH_SV39);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_V), 0x01);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_R), 0x02);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_W), 0x04);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_X), 0x08);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_U), 0x10);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_G), 0x20);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_A), 0x40);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_D), 0x80);
    CU_ASSERT_EQUAL(pte_encode(&g, 0, PTE_H), 0);           /* no such bit */
    /* 0x12345 << 10 = 0x48d1400; all eight flags = 0xff. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0x12345, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U |
                                           PTE_G | PTE_A | PTE_D), 0x48d14ffull);
    /* PPN is 44 bits: bits 53:10 all set = 0x003f_ffff_ffff_fc00. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0xfffffffffffull, 0), 0x003ffffffffffc00ull);
    CU_ASSERT_EQUAL(pte_pfn(&g, 0xffc0000000000c01ull), 0x3);   /* bits 63:54 ignored */
    CU_ASSERT_EQUAL(pte_flags(&g, 0x0b), PTE_V | PTE_R | PTE_X); /* no implied bits */
    /* Leaves have R, W or X; a pointer has none (§4.3.2 step 4). */
    CU_ASSERT_FALSE(pte_is_leaf(&g, 0x801, 0));
    CU_ASSERT_TRUE(pte_is_leaf(&g, 0x803, 0));
    CU_ASSERT_TRUE(pte_is_leaf(&g, 0x809, 1));
}

/* OSTEP smalltables: valid bit 7, PFN 6:0 (0xa1 = valid, PFN 0x21). */
static void test_ostep_codec(void)
{
    Geometry g = preset(ARCH_OSTEP);
    CU_ASSERT_EQUAL(pte_encode(&g, 0x21, PTE_V), 0xa1);
    CU_ASSERT_EQUAL(pte_encode(&g, 0x7f, 0), 0x7f);
    CU_ASSERT_EQUAL(pte_flags(&g, 0x7f), 0);               /* invalid: nothing implied */
    CU_ASSERT_EQUAL(pte_flags(&g, 0xa1), PTE_V | PTE_R | PTE_W | PTE_X | PTE_U);
    CU_ASSERT_EQUAL(pte_pfn(&g, 0xa1), 0x21);
    CU_ASSERT_FALSE(pte_is_leaf(&g, 0xa1, 0));              /* the PDE points to a table */
    CU_ASSERT_TRUE(pte_is_leaf(&g, 0xa1, 1));
    CU_ASSERT_FALSE(pte_reserved(&g, 0xff, 0));

    g = custom16();
    /* PFN 0xab << 8 = 0xab00; V|W|U = 0x07. */
    CU_ASSERT_EQUAL(pte_encode(&g, 0xab, PTE_V | PTE_W | PTE_U), 0xab07);
    CU_ASSERT_EQUAL(pte_flags(&g, 0xab1f), PTE_V | PTE_R | PTE_W | PTE_X | PTE_U |
                                           PTE_A | PTE_D);
}

/* Bit b of pte, false for a format without the bit (b < 0). */
static bool fmt_bit(pte_t pte, int b)
{
    return b >= 0 && b < 64 && ((pte >> b) & 1);
}

/* The flags an entry decodes to, read from the format's bit positions alone (the
 * rules of arch.h's pte_flags comment): a valid entry has the permissions its format
 * has no bit for, NX (where there is no X bit) takes X away, each bit present adds
 * its flag. */
static unsigned flags_by_format(const Geometry *g, pte_t pte)
{
    const PteFormat *f = &g->fmt;
    unsigned fl = 0;
    if (fmt_bit(pte, f->valid))
        fl = PTE_V | (f->read < 0 ? PTE_R : 0) | (f->write < 0 ? PTE_W : 0) |
             (f->exec < 0 ? PTE_X : 0) | (f->user < 0 ? PTE_U : 0);
    if (f->exec < 0 && fmt_bit(pte, f->nx))
        fl &= ~(unsigned)PTE_X;
    static const struct { size_t at; unsigned flag; } bits[] = {
        { offsetof(PteFormat, read), PTE_R }, { offsetof(PteFormat, write), PTE_W },
        { offsetof(PteFormat, exec), PTE_X }, { offsetof(PteFormat, user), PTE_U },
        { offsetof(PteFormat, accessed), PTE_A }, { offsetof(PteFormat, dirty), PTE_D },
        { offsetof(PteFormat, huge), PTE_H }, { offsetof(PteFormat, global), PTE_G },
    };
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (fmt_bit(pte, *(const int8_t *)((const char *)f + bits[i].at)))
            fl |= bits[i].flag;
    return fl;
}

/* pte_flags (a table of the low bits where the format allows, the masks otherwise)
 * against the format read bit by bit: every value of the low 10 bits under a few
 * patterns of high bits (XD, frame bits, RISC-V's reserved top), on every preset, the
 * 16-bit custom format and one with its valid bit at 10 (no table). */
static void test_decode_table(void)
{
    Geometry gs[ARCH_CUSTOM + 2];
    for (ArchKind a = ARCH_X86_64; a <= ARCH_CUSTOM; a++)
        gs[a] = preset(a);
    gs[ARCH_CUSTOM] = custom16();
    gs[ARCH_CUSTOM + 1] = preset(ARCH_CUSTOM);
    gs[ARCH_CUSTOM + 1].fmt.valid = 10;
    geo_update(&gs[ARCH_CUSTOM + 1]);
    CU_ASSERT_TRUE(gs[ARCH_X86_64].codec.by_low);
    CU_ASSERT_FALSE(gs[ARCH_CUSTOM + 1].codec.by_low);
    static const pte_t high[] = { 0, 1ull << 63, 0x0000123456789000ull, 0xffc0000000000000ull,
                                  1ull << 10 };
    unsigned bad = 0;
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++)
        for (size_t h = 0; h < sizeof high / sizeof high[0]; h++)
            for (pte_t low = 0; low < 1024; low++)
                bad += pte_flags(&gs[k], high[h] | low) != flags_by_format(&gs[k], high[h] | low);
    CU_ASSERT_EQUAL(bad, 0);
}

/* Reserved bits, entry by entry (the walk tests check the same through mmu_walk). */
static void test_reserved(void)
{
    Geometry g = preset(ARCH_X86_64);
    CU_ASSERT_TRUE(pte_reserved(&g, 0x2087, 0));           /* PS in a PML4E: table 4-15 */
    CU_ASSERT_TRUE(pte_reserved(&g, 0x8000000087ull, 0));  /* even 512 GiB aligned */
    CU_ASSERT_FALSE(pte_reserved(&g, 0x8000000007ull, 0));
    CU_ASSERT_FALSE(pte_reserved(&g, 0x80000087, 1));      /* 1 GiB page at 2 GiB */
    CU_ASSERT_TRUE(pte_reserved(&g, 0x80002087, 1));       /* bit 13 in a 1 GiB PDPTE */
    CU_ASSERT_TRUE(pte_reserved(&g, 0xa0000087, 1));       /* bit 29 in a 1 GiB PDPTE */
    CU_ASSERT_FALSE(pte_reserved(&g, 0x3401087, 2));       /* bit 12 = PAT in a 2 MiB PDE */
    CU_ASSERT_TRUE(pte_reserved(&g, 0x3402087, 2));        /* bit 13 in a 2 MiB PDE */
    CU_ASSERT_FALSE(pte_reserved(&g, 0x1234087, 3));       /* bit 7 = PAT in a PTE */
    CU_ASSERT_FALSE(pte_reserved(&g, (1ull << 51) | 0x7, 3));   /* MAXPHYADDR 52 */
    g.pa_bits = 46;
    geo_update(&g);                      /* pa_bits feeds the reserved-bit mask */
    CU_ASSERT_TRUE(pte_reserved(&g, (1ull << 46) | 0x7, 3));    /* bits 51:46 reserved */
    CU_ASSERT_TRUE(pte_reserved(&g, (1ull << 51) | 0x7, 0));
    CU_ASSERT_FALSE(pte_reserved(&g, (1ull << 45) | 0x7, 3));

    g = preset(ARCH_X86_32);
    CU_ASSERT_FALSE(pte_reserved(&g, 0xfec00087, 0));      /* 4 MiB page */
    CU_ASSERT_TRUE(pte_reserved(&g, 0xfec02087, 0));       /* bit 13: 21:13 reserved */

    g = preset(ARCH_SV39);
    CU_ASSERT_TRUE(pte_reserved(&g, 0x05, 2));             /* W without R */
    CU_ASSERT_TRUE(pte_reserved(&g, 0x0d, 2));             /* W|X without R */
    CU_ASSERT_FALSE(pte_reserved(&g, 0x07, 2));
    CU_ASSERT_TRUE(pte_reserved(&g, (1ull << 63) | 0x03, 2));   /* N without Svnapot */
    CU_ASSERT_TRUE(pte_reserved(&g, (1ull << 54) | 0x03, 2));
    CU_ASSERT_TRUE(pte_reserved(&g, 0x811, 0));            /* U in a pointer */
    CU_ASSERT_TRUE(pte_reserved(&g, 0x841, 0));            /* A in a pointer */
    CU_ASSERT_FALSE(pte_reserved(&g, 0x821, 0));           /* G in a pointer is fine */
}

/* geo_validate refuses what cannot work and says why. */
static void test_validate(void)
{
    Geometry g = custom16();
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    /* 6 levels of 9 bits + 12 = 66 bits: more than a 64-bit address. */
    g = preset(ARCH_CUSTOM);
    g.levels = 6;
    for (unsigned l = 0; l < 6; l++)
        g.level_bits[l] = 9;
    geo_update(&g);
    CU_ASSERT_EQUAL(g.va_bits, 66);
    const char *key = NULL;
    const char *msg = geo_validate(&g, &key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "64-bit"));
    CU_ASSERT_STRING_EQUAL(key, "machine.levels");      /* the setting, apart from the words */
    g.level_bits[5] = 7;                  /* 5*9 + 7 + 12 = 64: fits exactly */
    geo_update(&g);
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));

    /* A 10-bit level of 8-byte entries is 8 KiB, bigger than a 4 KiB page: refused
     * below the root, a root of two pages at the top (as Sv39x4's is of four). */
    g = preset(ARCH_CUSTOM);
    g.level_bits[1] = 10;
    geo_update(&g);
    msg = geo_validate(&g, &key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fit in one page"));
    CU_ASSERT_STRING_EQUAL(key, "machine.levels");
    g.pte_size = 4;                       /* 1024 * 4 = 4096 would fit, but x86 fields */
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));   /* (PFN to bit 51, XD 63) do not */
    g = preset(ARCH_CUSTOM);
    g.level_bits[0] = 11;                 /* 2048 * 8 bytes = 16 KiB: four pages */
    geo_update(&g);
    CU_ASSERT_PTR_NULL(geo_validate(&g, NULL));
    CU_ASSERT_EQUAL(geo_table_pages(&g, 0), 4);
    CU_ASSERT_EQUAL(geo_table_pages(&g, 1), 1);

    /* Overlapping flags: D on A's bit. */
    g = custom16();
    g.fmt.dirty = g.fmt.accessed;
    msg = geo_validate(&g, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "share"));

    /* A flag inside the frame-number field (bits 8..15). */
    g = custom16();
    g.fmt.global = 9;
    msg = geo_validate(&g, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "overlaps"));

    /* PFN field 8 + 9 bits = 17 > 16-bit entry. */
    g = custom16();
    g.fmt.pfn_bits = 9;
    msg = geo_validate(&g, &key);
    CU_ASSERT_STRING_EQUAL(key, "machine.pfn_bits");
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "must fit in the entry"));

    /* A flag beyond bit 15 of a 16-bit entry. */
    g = custom16();
    g.fmt.pfn_bits = 7;
    g.fmt.global = 16;
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));

    /* No valid bit; bad entry size; level counts 0 and 7; a 0-bit level. */
    g = custom16();
    g.fmt.valid = -1;
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
    g = custom16();
    g.pte_size = 3;
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
    g = custom16();
    g.levels = 0;
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
    g.levels = GEO_MAX_LEVELS + 1;
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
    g = custom16();
    g.level_bits[1] = 0;
    geo_update(&g);
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
    g = custom16();
    g.pa_bits = 7;                        /* less than the 8-bit page offset */
    CU_ASSERT_PTR_NOT_NULL(geo_validate(&g, NULL));
}

static void test_level_names(void)
{
    Geometry g = preset(ARCH_X86_64);
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "PML4");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 1), "PDPT");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 2), "PD");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 3), "PT");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 4), "?");

    g = preset(ARCH_X86_32);
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "PD");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 1), "PT");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 2), "?");

    /* The RISC-V spec numbers levels from the leaf: Sv39's root is level 2. */
    g = preset(ARCH_SV39);
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "L2");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 1), "L1");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 2), "L0");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 3), "?");

    g = preset(ARCH_SV48);
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "L3");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 3), "L0");

    g = preset(ARCH_OSTEP);                 /* page directory, page table */
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "PD");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 1), "PT");

    g = custom16();
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 0), "T0");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 2), "T2");
    CU_ASSERT_STRING_EQUAL(geo_level_name(&g, 3), "?");
}

void suite_arch(void);     /* called by runner.c through suites.h */

void suite_arch(void)
{
    TEST_SUITE("arch",
        { "arch names", test_arch_names },
        { "presets", test_presets },
        { "x86_64 indexes", test_x86_64_indexes },
        { "x86_32, ostep and sv39 indexes", test_small_indexes },
        { "canonical addresses", test_canonical },
        { "x86_64 encode", test_x86_64_encode },
        { "x86_64 decode", test_x86_64_decode },
        { "x86_32 codec", test_x86_32_codec },
        { "riscv codec", test_riscv_codec },
        { "ostep and custom codec", test_ostep_codec },
        { "decode table as the format's bits", test_decode_table },
        { "reserved bits", test_reserved },
        { "geo_validate", test_validate },
        { "level names", test_level_names });
}
