/* Tests for the page walk (sim/core/hw/mmu.c). Page tables are built by hand in a
 * FramePool with raw entries taken from the manuals (Intel SDM vol. 3A ch. 4;
 * RISC-V privileged spec §4.3-4.5), and the A/D bits the walk writes are read back
 * from memory. The OSTEP case replays tests/data/ostep/multilevel-seed0.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/mmu.h"

/* A machine under test: its geometry and physical memory. */
typedef struct {
    Geometry g;
    FramePool mem;
} Mach;

static void mach_init(Mach *m, ArchKind arch, size_t nframes)
{
    geo_preset(&m->g, arch);
    CU_ASSERT_EQUAL_FATAL(frames_init(&m->mem, nframes, m->g.page_shift, false), 0);
}

static paddr_t pte_addr(const Mach *m, pfn_t table, unsigned idx)
{
    return (table << m->g.page_shift) + (paddr_t)idx * m->g.pte_size;
}

static void set_pte(Mach *m, pfn_t table, unsigned idx, pte_t v)
{
    CU_ASSERT_EQUAL_FATAL(mem_write(&m->mem, pte_addr(m, table, idx), m->g.pte_size, v), 0);
}

static pte_t get_pte(const Mach *m, pfn_t table, unsigned idx)
{
    return mem_read(&m->mem, pte_addr(m, table, idx), m->g.pte_size);
}

/* ---- x86_64 --------------------------------------------------------------------- */

/* VA 0x00007f12_3456_7abc: PML4 254, PDPT 72, PD 418, PT 359, offset 0xabc (the
 * arithmetic is in test_arch.c). Tables: PML4 in frame 1, PDPT 2, PD 3, PT 4. */
#define X64_VA 0x00007f1234567abcull
enum { X64_I0 = 254, X64_I1 = 72, X64_I2 = 418, X64_I3 = 359 };

/* Writes the four entries for X64_VA (pass 0 to leave one out). */
static void x64_chain(Mach *m, pte_t pml4e, pte_t pdpte, pte_t pde, pte_t pte)
{
    set_pte(m, 1, X64_I0, pml4e);
    set_pte(m, 2, X64_I1, pdpte);
    set_pte(m, 3, X64_I2, pde);
    set_pte(m, 4, X64_I3, pte);
}

/* Upper entries pointing at the next table with P|R/W|U/S (0x7). */
#define X64_UP(pfn) (((pte_t)(pfn) << 12) | 0x7)

/* Walks the same address on two identical machines, one with mmu_walk, one with
 * mmu_walk_cached, and checks they read, report and write the same. */
static void same_walk(Mach *a, Mach *b, WalkCache *c, vaddr_t va, AccessOp op)
{
    Walk wa, wb;
    WalkStatus sa = mmu_walk(&a->g, &a->mem, 1, va, op, true, &wa);
    WalkStatus sb = mmu_walk_cached(&b->g, &b->mem, 1, va, op, true, c, &wb);
    CU_ASSERT_EQUAL(sa, sb);
    CU_ASSERT_EQUAL(wa.nread, wb.nread);
    CU_ASSERT_EQUAL(wa.level, wb.level);
    CU_ASSERT_EQUAL(wa.pa, wb.pa);
    CU_ASSERT_EQUAL(wa.flags, wb.flags);
    for (unsigned l = 0; l < wa.nread && l < wb.nread; l++) {
        CU_ASSERT_EQUAL(wa.table_pa[l], wb.table_pa[l]);
        CU_ASSERT_EQUAL(wa.pte_pa[l], wb.pte_pa[l]);
        CU_ASSERT_EQUAL(wa.pte[l], wb.pte[l]);
    }
    for (pfn_t t = 1; t <= 5; t++)
        for (unsigned i = 0; i < 512; i++)
            if (get_pte(a, t, i) != get_pte(b, t, i)) {
                CU_FAIL("the cached walk left memory different");
                return;
            }
}

/* The host-side path cache changes nothing: after each change to an entry on the
 * path (valid bit, frame, R/W, the A bit the walk set), the cached walk reads the
 * same entries, ends in the same state and sets the same A/D bits as the plain one. */
static void test_x64_cached_walk(void)
{
    Mach a, b;
    mach_init(&a, ARCH_X86_64, 8);
    mach_init(&b, ARCH_X86_64, 8);
    WalkCache c;
    memset(&c, 0, sizeof c);
    struct { pfn_t t; unsigned i; pte_t v; } changes[] = {
        { 0, 0, 0 },                            /* none: the first walk fills the cache */
        { 0, 0, 0 },                            /* none: replayed */
        { 4, X64_I3, 0 },                       /* the leaf goes: not present at level 3 */
        { 4, X64_I3, 0x2345007 },               /* another frame */
        { 3, X64_I2, 0 },                       /* the PD entry goes */
        { 3, X64_I2, X64_UP(5) },               /* a different page table, empty */
        { 5, X64_I3, 0x3456007 },
        { 2, X64_I1, X64_UP(3) & ~2ull },       /* PDPT read-only: writes fault */
        { 1, X64_I0, X64_UP(2) },               /* A cleared in the PML4 entry */
        { 2, X64_I1, X64_UP(3) | (1ull << 51) },/* a reserved bit */
        { 2, X64_I1, X64_UP(3) },
    };
    x64_chain(&a, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234007);
    x64_chain(&b, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234007);
    for (size_t k = 0; k < sizeof changes / sizeof changes[0]; k++) {
        if (changes[k].t) {
            set_pte(&a, changes[k].t, changes[k].i, changes[k].v);
            set_pte(&b, changes[k].t, changes[k].i, changes[k].v);
        }
        same_walk(&a, &b, &c, X64_VA, OP_READ);
        same_walk(&a, &b, &c, X64_VA, OP_WRITE);
        same_walk(&a, &b, &c, X64_VA + 0x1000, OP_READ);   /* next PT entry, absent */
        same_walk(&a, &b, &c, X64_VA ^ (1ull << 30), OP_READ);   /* another PDPT slot */
        same_walk(&a, &b, &c, X64_VA ^ (1ull << 30), OP_READ);   /* replayed */
        same_walk(&a, &b, &c, X64_VA ^ (1ull << 50), OP_READ);   /* non-canonical */
    }
    frames_fini(&a.mem);
    frames_fini(&b.mem);
}

static void test_x64_4k(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    /* PTE: frame 0x1234 << 12 = 0x1234000, P|RW|US = 7. */
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234007);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.status, WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);            /* 0x1234000 | 0xabc */
    CU_ASSERT_EQUAL(w.pfn, 0x1234);
    CU_ASSERT_EQUAL(w.page_pfn, 0x1234);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_EQUAL(w.nread, 4);
    CU_ASSERT_EQUAL(w.shift, 12);
    CU_ASSERT_EQUAL(w.table_pa[0], 0x1000);      /* CR3 = frame 1 */
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x17f0);        /* 0x1000 + 254*8 = 4096 + 2032 */
    CU_ASSERT_EQUAL(w.table_pa[3], 0x4000);
    CU_ASSERT_EQUAL(w.pte_pa[3], 0x4b38);        /* 0x4000 + 359*8 = 16384 + 2872 */
    unsigned perm = PTE_R | PTE_W | PTE_X | PTE_U;
    CU_ASSERT_EQUAL(w.flags & perm, perm);
    CU_ASSERT_TRUE(w.flags & PTE_A);
    CU_ASSERT_FALSE(w.flags & PTE_D);
    CU_ASSERT_EQUAL(w.pte[3], 0x1234027);        /* value after the A update */
    frames_fini(&m.mem);
}

/* SDM 3A §4.8: A is set in every entry used; D only in the entry that maps the page,
 * and only on a write. Bit 5 = 0x20, bit 6 = 0x40. */
static void test_x64_accessed_dirty(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234007);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(get_pte(&m, 1, X64_I0), 0x2027);       /* 0x2007 | A */
    CU_ASSERT_EQUAL(get_pte(&m, 2, X64_I1), 0x3027);
    CU_ASSERT_EQUAL(get_pte(&m, 3, X64_I2), 0x4027);
    CU_ASSERT_EQUAL(get_pte(&m, 4, X64_I3), 0x1234027);    /* A, no D after a read */

    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(get_pte(&m, 1, X64_I0), 0x2027);       /* no D above the leaf */
    CU_ASSERT_EQUAL(get_pte(&m, 2, X64_I1), 0x3027);
    CU_ASSERT_EQUAL(get_pte(&m, 3, X64_I2), 0x4027);
    CU_ASSERT_EQUAL(get_pte(&m, 4, X64_I3), 0x1234067);    /* A|D = 0x60 */
    CU_ASSERT_EQUAL(w.pte[3], 0x1234067);
    CU_ASSERT_TRUE(w.flags & PTE_D);

    /* A 2 MiB page gets its D bit in the PDE, the entry that maps it. */
    set_pte(&m, 3, X64_I2, 0x3400087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_MODIFY, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(get_pte(&m, 3, X64_I2), 0x34000e7);    /* 0x87 | 0x60 */
    CU_ASSERT_EQUAL(get_pte(&m, 4, X64_I3), 0x1234067);    /* the PT is not read */
    frames_fini(&m.mem);
}

/* A PDE with PS = 1 maps 2 MiB (SDM 3A table 4-18): address 51:21, offset 20:0. */
static void test_x64_2m(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    /* 0x3400000 = 26 * 2 MiB; PS|US|RW|P = 0x87. */
    x64_chain(&m, X64_UP(2), X64_UP(3), 0x3400087, 0);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    /* offset = VA & 0x1fffff = 0x167abc; 0x3400000 + 0x167abc = 0x3567abc */
    CU_ASSERT_EQUAL(w.pa, 0x3567abc);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.nread, 3);
    CU_ASSERT_EQUAL(w.shift, 21);
    CU_ASSERT_EQUAL(w.page_pfn, 0x3400);         /* 0x3400000 >> 12 */
    CU_ASSERT_EQUAL(w.pfn, 0x3567);              /* 0x3400 + 0x167 */

    /* Bit 12 of a large-page entry is PAT, not an address bit. */
    set_pte(&m, 3, X64_I2, 0x3401087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x3567abc);

    /* Bits 20:13 are reserved in a 2 MiB PDE: bit 13 = 0x2000. */
    set_pte(&m, 3, X64_I2, 0x3402087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);
    frames_fini(&m.mem);
}

/* A PDPTE with PS = 1 maps 1 GiB (SDM 3A table 4-16): address 51:30, offset 29:0. */
static void test_x64_1g(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    x64_chain(&m, X64_UP(2), 0x80000087, 0, 0);  /* 2 GiB, PS|US|RW|P */
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_WRITE, true, &w), WALK_OK);
    /* offset = VA & 0x3fffffff = 0x34567abc; 0x80000000 + 0x34567abc = 0xb4567abc */
    CU_ASSERT_EQUAL(w.pa, 0xb4567abcull);
    CU_ASSERT_EQUAL(w.level, 1);
    CU_ASSERT_EQUAL(w.nread, 2);
    CU_ASSERT_EQUAL(w.shift, 30);
    CU_ASSERT_EQUAL(w.page_pfn, 0x80000);
    CU_ASSERT_EQUAL(w.pfn, 0xb4567);
    CU_ASSERT_EQUAL(get_pte(&m, 2, X64_I1), 0x800000e7ull);   /* A|D on the PDPTE */

    /* Bits 29:13 are reserved in a 1 GiB PDPTE: bit 21 = 0x200000. */
    set_pte(&m, 2, X64_I1, 0x80200087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 1);
    frames_fini(&m.mem);
}

/* Canonical check (SDM 3A §3.3.7.1): bits 63:47 must all be equal. */
static void test_x64_noncanonical(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x0000800000000000ull, OP_READ, false, &w),
                    WALK_NONCANONICAL);
    CU_ASSERT_EQUAL(w.nread, 0);                 /* no entry was read */
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);

    /* 0xffff_8000_0000_0000 is canonical: the walk reads PML4[256] (not present). */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0xffff800000000000ull, OP_READ, false, &w),
                    WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(w.nread, 1);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x1800);        /* 0x1000 + 256*8 */

    /* ... and maps once the entries are there: PML4[256] -> PDPT frame 2, 1 GiB
     * page at 0x40000000 in PDPT[0]; pa = 0x40000000 + 0x123. */
    set_pte(&m, 1, 256, X64_UP(2));
    set_pte(&m, 2, 0, 0x40000083);               /* PS|RW|P, supervisor */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0xffff800000000123ull, OP_READ, false, &w),
                    WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x40000123);
    CU_ASSERT_EQUAL(mmu_lookup(&m.g, &m.mem, 1, 0x0000800000000123ull, &w),
                    WALK_NONCANONICAL);
    frames_fini(&m.mem);
}

/* SDM 3A §4.6: R/W and U/S are ANDed over every level; XD is ORed. */
static void test_x64_protection(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    Walk w;

    /* PTE with R/W = 0 (P|US = 0x5): reads fine, user writes fault. */
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234005);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_FALSE(w.flags & PTE_W);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_WRITE, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);
    CU_ASSERT_EQUAL(get_pte(&m, 4, X64_I3) & 0x40, 0);     /* no D after a failed write */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_MODIFY, true, &w), WALK_PROTECTION);

    /* R/W = 0 in the PDE only (0x4005): the write still faults at the leaf. */
    x64_chain(&m, X64_UP(2), X64_UP(3), 0x4005, 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_WRITE, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);

    /* U/S = 0 in the PDPTE only (0x3003): user access faults, supervisor is fine. */
    x64_chain(&m, X64_UP(2), 0x3003, X64_UP(4), 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, false, &w), WALK_OK);
    CU_ASSERT_FALSE(w.flags & PTE_U);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_WRITE, false, &w), WALK_OK);

    /* XD (bit 63) in the PML4E only: no execute anywhere below, reads still fine. */
    x64_chain(&m, X64_UP(2) | (1ull << 63), X64_UP(3), X64_UP(4), 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_EXEC, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_FALSE(w.flags & PTE_X);
    /* Without XD anywhere the fetch is allowed. */
    set_pte(&m, 1, X64_I0, X64_UP(2) | 0x20);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_EXEC, true, &w), WALK_OK);
    /* XD on the leaf alone. */
    set_pte(&m, 4, X64_I3, 0x8000000001234007ull);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_EXEC, true, &w), WALK_PROTECTION);
    frames_fini(&m.mem);
}

/* Reserved bits (SDM 3A §4.5, tables 4-15..4-20) fault with RSVD set. */
static void test_x64_reserved(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    Walk w;

    /* PS = 1 in a PML4E (bit 7 is reserved there): 0x2000 | 0x87. */
    x64_chain(&m, 0x2087, X64_UP(3), X64_UP(4), 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(get_pte(&m, 1, X64_I0), 0x2087);       /* A not set on a fault */
    /* ... even when the address would be aligned for a 512 GiB page (2^39). */
    set_pte(&m, 1, X64_I0, 0x8000000087ull);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 0);

    /* Bit 7 of a 4 KiB PTE is PAT, not PS: fine. */
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), 0x1234087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);

    /* With MAXPHYADDR = 46, address bits 51:46 are reserved at every level. */
    m.g.pa_bits = 46;
    geo_update(&m.g);
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), (1ull << 46) | 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 3);
    set_pte(&m, 4, X64_I3, (1ull << 45) | 0x1234007);       /* bit 45 is an address bit */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, (1ull << 45) | 0x1234abc);
    set_pte(&m, 2, X64_I1, (1ull << 51) | X64_UP(3));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 1);

    /* At the full 52 bits, bit 46 is an ordinary address bit. */
    m.g.pa_bits = 52;
    geo_update(&m.g);
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4), (1ull << 46) | 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, (1ull << 46) | 0x1234abc);
    frames_fini(&m.mem);
}

/* Not present at each level: the walk stops where P = 0 and reports that level. */
static void test_x64_not_present(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    Walk w;
    x64_chain(&m, X64_UP(2), X64_UP(3), X64_UP(4) & ~1ull, 0x1234007);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.nread, 3);
    CU_ASSERT_EQUAL(w.pte[2], 0x4006);
    CU_ASSERT_EQUAL(w.pfn, PFN_NONE);
    /* A not-present entry's other bits are ignored, even "reserved" ones. */
    set_pte(&m, 3, X64_I2, 0xfff0000000000086ull);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_NOT_PRESENT);
    /* An empty PML4. */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 5, X64_VA, OP_READ, true, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(w.nread, 1);
    frames_fini(&m.mem);
}

/* mmu_lookup reads the same chain without checking permissions or writing A/D. */
static void test_x64_lookup(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_64, 8);
    x64_chain(&m, X64_UP(2), 0x3003, X64_UP(4), 0x1234005);   /* supervisor, read-only */
    Walk w;
    CU_ASSERT_EQUAL(mmu_lookup(&m.g, &m.mem, 1, X64_VA, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_EQUAL(w.flags & (PTE_U | PTE_W), 0);
    CU_ASSERT_EQUAL(get_pte(&m, 1, X64_I0), 0x2007);       /* no A written */
    CU_ASSERT_EQUAL(get_pte(&m, 4, X64_I3), 0x1234005);
    CU_ASSERT_NOT_EQUAL(mmu_lookup(&m.g, &m.mem, PFN_NONE, X64_VA, &w), WALK_OK);
    frames_fini(&m.mem);
}

/* ---- x86_32 --------------------------------------------------------------------- */

/* VA 0x12345678: PDE 0x48, PTE 0x345, offset 0x678 (test_arch.c). PD in frame 1,
 * PT in frame 2, 4-byte entries. */
static void test_x86_32(void)
{
    Mach m;
    mach_init(&m, ARCH_X86_32, 4);
    Walk w;
    set_pte(&m, 1, 0x48, 0x2007);                /* PT in frame 2, P|RW|US */
    set_pte(&m, 2, 0x345, 0xabcde007);           /* frame 0xabcde */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0xabcde678);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x1120);        /* 0x1000 + 0x48*4 = 4096 + 288 */
    CU_ASSERT_EQUAL(w.pte_pa[1], 0x2d14);        /* 0x2000 + 0x345*4 = 8192 + 3348 */
    CU_ASSERT_EQUAL(w.shift, 12);
    CU_ASSERT_EQUAL(get_pte(&m, 1, 0x48), 0x2027);          /* A */
    CU_ASSERT_EQUAL(get_pte(&m, 2, 0x345), 0xabcde067);     /* A|D */
    /* No XD bit in 32-bit paging: a fetch is always allowed. */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_EXEC, true, &w), WALK_OK);
    CU_ASSERT_TRUE(w.flags & PTE_X);
    /* pte_encode without PTE_X sets no bit 31 (it is an address bit here). */
    CU_ASSERT_EQUAL(pte_encode(&m.g, 0xabcde, PTE_V | PTE_W | PTE_U), 0xabcde007);

    /* 4 MiB page with PSE (table 4-4): 0xfec00000 = 0x3fb * 4 MiB, PS|US|RW|P. */
    set_pte(&m, 1, 0x48, 0xfec00087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_READ, true, &w), WALK_OK);
    /* offset = 0x12345678 & 0x3fffff = 0x345678; 0xfec00000 + 0x345678 = 0xfef45678 */
    CU_ASSERT_EQUAL(w.pa, 0xfef45678);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(w.shift, 22);
    CU_ASSERT_EQUAL(w.page_pfn, 0xfec00);
    /* Bits 21:13 of a 4 MiB PDE are reserved when MAXPHYADDR is 32. */
    set_pte(&m, 1, 0x48, 0xfec02087);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_READ, true, &w), WALK_RESERVED);

    /* A linear address is 32 bits: 2^32 and above cannot be translated. */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x100000000ull, OP_READ, true, &w),
                    WALK_NONCANONICAL);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x112345678ull, OP_READ, true, &w),
                    WALK_NONCANONICAL);
    frames_fini(&m.mem);
}

/* ---- RISC-V ----------------------------------------------------------------------- */

/* Sv39 VA 0x12_3456_7abc: VPN[2] 0x48, VPN[1] 0x1a2, VPN[0] 0x167, offset 0xabc.
 * Root (satp.PPN) frame 1, then frames 2 and 3. Pointers are PPN << 10 | V. */
#define SV_VA 0x1234567abcull
#define SV_PTR(ppn) (((pte_t)(ppn) << 10) | 0x1)
/* A leaf for PPN with flag bits (V 0x1, R 0x2, W 0x4, X 0x8, U 0x10, A 0x40, D 0x80). */
#define SV_LEAF(ppn, bits) (((pte_t)(ppn) << 10) | (bits))

static void sv39_chain(Mach *m, pte_t e0, pte_t e1, pte_t e2)
{
    set_pte(m, 1, 0x48, e0);
    set_pte(m, 2, 0x1a2, e1);
    set_pte(m, 3, 0x167, e2);
}

static void test_sv39_4k(void)
{
    Mach m;
    mach_init(&m, ARCH_SV39, 8);
    Walk w;
    /* PPN 0x1234 << 10 = 0x48d000; V|R|W|X|U = 0x1f. */
    sv39_chain(&m, SV_PTR(2), SV_PTR(3), SV_LEAF(0x1234, 0x1f));
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d01f);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);            /* 0x1234 << 12 | 0xabc */
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.shift, 12);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x1240);        /* 0x1000 + 0x48*8 */
    /* Svadu: the walk sets A in the leaf, and pointers stay untouched (A/D are
     * reserved in non-leaf PTEs, §4.3.1). */
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d05f);     /* | A 0x40 */
    CU_ASSERT_EQUAL(get_pte(&m, 1, 0x48), 0x801);
    CU_ASSERT_EQUAL(get_pte(&m, 2, 0x1a2), 0xc01);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d0dfu);    /* | A | D 0xc0 */
    CU_ASSERT_EQUAL(get_pte(&m, 1, 0x48), 0x801);
    CU_ASSERT_TRUE(w.flags & PTE_D);

    /* The last level must be a leaf: a pointer there is a page fault (§4.3.2 step 4). */
    set_pte(&m, 3, 0x167, SV_PTR(0x1234));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);
    /* mmu_lookup agrees: a pointer is not a leaf, so there is no translation to show. */
    CU_ASSERT_EQUAL(mmu_lookup(&m.g, &m.mem, 1, SV_VA, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);
    frames_fini(&m.mem);
}

static void test_sv39_superpages(void)
{
    Mach m;
    mach_init(&m, ARCH_SV39, 8);
    Walk w;
    /* Gigapage in the root: PPN 0x80000 (pa 0x8000_0000, PPN[1:0] = 0); V|R|W|X|A|D.
     * pa = 0x80000000 + (VA & 0x3fffffff = 0x34567abc) = 0xb4567abc. */
    sv39_chain(&m, SV_LEAF(0x80000, 0xcf), 0, 0);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0xb4567abcull);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(w.nread, 1);
    CU_ASSERT_EQUAL(w.shift, 30);
    CU_ASSERT_EQUAL(w.page_pfn, 0x80000);
    CU_ASSERT_EQUAL(w.pfn, 0xb4567);

    /* Megapage: PPN 0x1a00 (pa 0x1a0_0000 = 13 * 2 MiB, PPN[0] = 0).
     * pa = 0x1a00000 + (VA & 0x1fffff = 0x167abc) = 0x1b67abc. */
    sv39_chain(&m, SV_PTR(2), SV_LEAF(0x1a00, 0xcf), 0);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1b67abc);
    CU_ASSERT_EQUAL(w.level, 1);
    CU_ASSERT_EQUAL(w.shift, 21);

    /* Misaligned superpages (§4.3.2 step 6): PPN[0] != 0 in a megapage, PPN[1:0] != 0
     * in a gigapage. */
    set_pte(&m, 2, 0x1a2, SV_LEAF(0x1a01, 0xcf));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_MISALIGNED);
    CU_ASSERT_EQUAL(w.level, 1);
    CU_ASSERT_EQUAL(w.pa, PADDR_NONE);
    set_pte(&m, 1, 0x48, SV_LEAF(0x80200, 0xcf));  /* 0x80200: PPN[1] = 1 */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_MISALIGNED);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(mmu_lookup(&m.g, &m.mem, 1, SV_VA, &w), WALK_MISALIGNED);
    frames_fini(&m.mem);
}

/* Sv39 permissions come from the leaf alone (§4.3.1); U pages are off-limits to
 * supervisor code without SUM; W without R is reserved. */
static void test_sv39_permissions(void)
{
    Mach m;
    mach_init(&m, ARCH_SV39, 8);
    Walk w;
    /* Pointers carry no R/W/X/U, yet a user leaf is reachable from user mode. */
    sv39_chain(&m, SV_PTR(2), SV_PTR(3), SV_LEAF(0x1234, 0xd3));   /* V|R|U|A|D */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.flags & (PTE_R | PTE_W | PTE_X | PTE_U), PTE_R | PTE_U);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_EXEC, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, false, &w), WALK_PROTECTION);

    /* U = 0 (V|R|W|A|D = 0xc7): supervisor only. */
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0xc7));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, false, &w), WALK_OK);

    /* Execute-only (V|X|U|A = 0x59): fetch yes, read no (no MXR). */
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0x59));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_EXEC, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_PROTECTION);

    /* W without R (V|W|U = 0x15) is reserved: a fault even for a write. */
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0x15));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 2);
    /* ... also in a would-be superpage leaf (V|W|X|U = 0x1d). */
    set_pte(&m, 2, 0x1a2, SV_LEAF(0x1a00, 0x1d));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_EXEC, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 1);

    /* U set in a pointer is reserved (§4.3.1). */
    sv39_chain(&m, SV_PTR(2) | 0x10, SV_PTR(3), SV_LEAF(0x1234, 0xd3));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 0);
    /* Bits 63:54 are reserved without Svpbmt/Svnapot. */
    sv39_chain(&m, SV_PTR(2), SV_PTR(3), SV_LEAF(0x1234, 0xd3) | (1ull << 62));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_RESERVED);
    frames_fini(&m.mem);
}

/* Sv39 addresses: bits 63:39 must equal bit 38 (§4.4.1). */
static void test_sv39_sign_extension(void)
{
    Mach m;
    mach_init(&m, ARCH_SV39, 8);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x0000004000000000ull, OP_READ, false, &w),
                    WALK_NONCANONICAL);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x8000001234567abcull, OP_READ, false, &w),
                    WALK_NONCANONICAL);
    /* 0xffff_ffc0_0000_0000: bit 38 set and copied up; VPN[2] = 0x100 = 256. */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0xffffffc000000000ull, OP_READ, false, &w),
                    WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x1800);        /* 0x1000 + 256*8 */
    set_pte(&m, 1, 256, SV_LEAF(0x40000, 0xcf));  /* gigapage at pa 0x4000_0000 */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0xffffffc000000042ull, OP_READ, false, &w),
                    WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x40000042);
    frames_fini(&m.mem);
}

/* A and D (§4.3.2 step 7): with Svade a missing A, or a missing D on a store, is a
 * page fault and memory is left alone; with Svadu the walk sets them. */
static void test_sv39_svade(void)
{
    Mach m;
    mach_init(&m, ARCH_SV39, 8);
    m.g.ad_by_fault = true;
    Walk w;
    sv39_chain(&m, SV_PTR(2), SV_PTR(3), SV_LEAF(0x1234, 0x17));   /* V|R|W|U, A=D=0 */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_AD);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d017);      /* unchanged */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_AD);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d017);

    /* The OS sets A (0x40): reads work, a store still needs D. */
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0x57));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_AD);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d057);
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0xd7));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_OK);

    /* A permission fault takes precedence over the A/D fault (step 5 before 7). */
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0x13));          /* V|R|U, no A */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_PROTECTION);

    /* Svadu (the default): the same walk sets A and D. */
    m.g.ad_by_fault = false;
    set_pte(&m, 3, 0x167, SV_LEAF(0x1234, 0x17));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, SV_VA, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x167), 0x48d0d7u);     /* 0x17 | 0xc0 */
    frames_fini(&m.mem);
}

/* Sv48: four levels; VA 0x00007f12_3456_7abc has the x86_64 indexes 254/72/418/359. */
static void test_sv48(void)
{
    Mach m;
    mach_init(&m, ARCH_SV48, 8);
    Walk w;
    set_pte(&m, 1, 254, SV_PTR(2));
    set_pte(&m, 2, 72, SV_PTR(3));
    set_pte(&m, 3, 418, SV_PTR(4));
    set_pte(&m, 4, 359, SV_LEAF(0x1234, 0xdf));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_EXEC, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_EQUAL(w.nread, 4);
    /* 1 GiB page at level 1: PPN 0x80000; pa = 0x80000000 + 0x34567abc. */
    set_pte(&m, 2, 72, SV_LEAF(0x80000, 0xdf));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0xb4567abcull);
    CU_ASSERT_EQUAL(w.shift, 30);
    /* 512 GiB terapage at the root needs PPN[2:0] = 0: PPN 0x8000000 (pa 2^39).
     * pa = 2^39 + (VA & (2^39 - 1)) = 0x80_0000_0000 + 0x12_3456_7abc = 0x92_3456_7abc. */
    set_pte(&m, 1, 254, SV_LEAF(0x8000000, 0xdf));
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x9234567abcull);
    CU_ASSERT_EQUAL(w.shift, 39);
    set_pte(&m, 1, 254, SV_LEAF(0x8040000, 0xdf));   /* PPN[2] = 1: misaligned */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, X64_VA, OP_READ, true, &w), WALK_MISALIGNED);
    /* bits 63:48 must equal bit 47 */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x0000800000000000ull, OP_READ, true, &w),
                    WALK_NONCANONICAL);
    frames_fini(&m.mem);
}

/* ---- custom ------------------------------------------------------------------------ */

/* 256-byte pages, three 7-bit levels, 16-bit entries: V 0, W 1, U 2, A 3, D 4,
 * PFN 15:8. VA 0x12345678 (29 bits): level 0 = bits 28:22 = 0x48, level 1 = 21:15 =
 * 0x68, level 2 = 14:8 = 0x56, offset 0x78. Tables in frames 1, 2, 3. */
static void test_custom(void)
{
    Mach m;
    geo_preset(&m.g, ARCH_CUSTOM);
    m.g.levels = 3;
    for (unsigned l = 0; l < GEO_MAX_LEVELS; l++)
        m.g.level_bits[l] = l < 3 ? 7 : 0;
    m.g.page_shift = 8;
    m.g.pa_bits = 16;
    m.g.pte_size = 2;
    m.g.fmt = (PteFormat){ .valid = 0, .read = -1, .write = 1, .exec = -1, .nx = -1,
                           .user = 2, .accessed = 3, .dirty = 4, .huge = -1, .global = -1,
                           .pfn_shift = 8, .pfn_bits = 8 };
    m.g.leaf_levels = 0;
    m.g.sign_extend = false;
    geo_update(&m.g);
    CU_ASSERT_PTR_NULL_FATAL(geo_validate(&m.g, NULL));
    CU_ASSERT_EQUAL_FATAL(frames_init(&m.mem, 16, 8, false), 0);

    set_pte(&m, 1, 0x48, 0x0207);                /* frame 2, V|W|U */
    set_pte(&m, 2, 0x68, 0x0307);                /* frame 3 */
    set_pte(&m, 3, 0x56, pte_encode(&m.g, 0xab, PTE_V | PTE_W | PTE_U));   /* 0xab07 */
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0xab78);               /* 0xab << 8 | 0x78 */
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(w.shift, 8);
    CU_ASSERT_EQUAL(w.pte_pa[0], 400);           /* 1*256 + 0x48*2 = 256 + 144 */
    CU_ASSERT_EQUAL(w.pte_pa[1], 720);           /* 2*256 + 0x68*2 = 512 + 208 */
    CU_ASSERT_EQUAL(w.pte_pa[2], 940);           /* 3*256 + 0x56*2 = 768 + 172 */
    CU_ASSERT_EQUAL(get_pte(&m, 1, 0x48), 0x020f);          /* A = bit 3 */
    CU_ASSERT_EQUAL(get_pte(&m, 2, 0x68), 0x030f);
    CU_ASSERT_EQUAL(get_pte(&m, 3, 0x56), 0xab1f);          /* A|D = 0x18 */
    /* The entry is two bytes: the neighbours are untouched. */
    CU_ASSERT_EQUAL(mem_read(&m.mem, 942, 2), 0);
    CU_ASSERT_EQUAL(mem_read(&m.mem, 938, 2), 0);
    /* Read-only leaf; not present in the middle; beyond the 29-bit VA. */
    set_pte(&m, 3, 0x56, 0xab05);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_WRITE, true, &w), WALK_PROTECTION);
    set_pte(&m, 2, 0x68, 0x0306);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x12345678, OP_READ, true, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.level, 1);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 1, 0x20000000, OP_READ, true, &w), WALK_NONCANONICAL);
    frames_fini(&m.mem);
}

/* ---- OSTEP multilevel homework ------------------------------------------------------ */

#define OSTEP_DIR TEST_DATA "/ostep/"
#define OSTEP_PAGES 128
#define OSTEP_PAGE 32

typedef struct {
    vaddr_t va;
    char result[16];           /* OK, PDE_FAULT, PTE_FAULT */
    unsigned pde_index, pde, pte_index, pte;
    long paddr, value;         /* -1 when empty */
} OstepAnswer;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads "page N:<64 hex digits>" lines into mem and the "PDBR: N" line into *pdbr.
 * Returns the number of well-formed pages read. */
static int ostep_read_dump(const char *path, uint8_t *mem, long *pdbr)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256];
    int pages = 0, bad = 0;
    *pdbr = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned n;
        char hex[80];
        if (sscanf(line, "page %u:%79s", &n, hex) == 2 && n < OSTEP_PAGES &&
            strlen(hex) == 2 * OSTEP_PAGE) {
            int ok = 1;
            for (unsigned i = 0; i < OSTEP_PAGE; i++) {
                int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
                ok &= hi >= 0 && lo >= 0;
                mem[n * OSTEP_PAGE + i] = (uint8_t)((hi & 0xf) << 4 | (lo & 0xf));
            }
            pages += ok;
            bad += !ok;
        } else if (strncmp(line, "PDBR:", 5) == 0) {
            *pdbr = strtol(line + 5, NULL, 10);
        }
    }
    fclose(f);
    CU_ASSERT_EQUAL(bad, 0);
    return pages;
}

/* Splits a CSV line in place at commas, keeping empty fields. Returns the count. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max; ) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static long field_num(const char *s)
{
    return *s ? strtol(s, NULL, 0) : -1;
}

static int ostep_read_answers(const char *path, OstepAnswer *out, int max)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256];
    int n = 0;
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));   /* header */
    CU_ASSERT_EQUAL(strncmp(line, "seed,vaddr,result,", 18), 0);
    while (n < max && fgets(line, sizeof line, f)) {
        char *fld[9];
        if (split_csv(line, fld, 9) != 9)
            continue;
        OstepAnswer *a = &out[n++];
        a->va = (vaddr_t)strtoul(fld[1], NULL, 16);
        snprintf(a->result, sizeof a->result, "%s", fld[2]);
        a->pde_index = (unsigned)field_num(fld[3]);
        a->pde = (unsigned)field_num(fld[4]);
        a->pte_index = (unsigned)field_num(fld[5]);
        a->pte = (unsigned)field_num(fld[6]);
        a->paddr = field_num(fld[7]);
        a->value = field_num(fld[8]);
    }
    fclose(f);
    return n;
}

static void check_ostep_answer(Mach *m, pfn_t pdbr, const OstepAnswer *a)
{
    Walk w;
    WalkStatus s = mmu_walk(&m->g, &m->mem, pdbr, a->va, OP_READ, true, &w);
    CU_ASSERT_EQUAL(geo_index(&m->g, 0, a->va), a->pde_index);
    CU_ASSERT_EQUAL(w.pte_pa[0], pdbr * OSTEP_PAGE + a->pde_index);
    CU_ASSERT_EQUAL(w.pte[0], a->pde);
    if (strcmp(a->result, "PDE_FAULT") == 0) {
        CU_ASSERT_EQUAL(s, WALK_NOT_PRESENT);
        CU_ASSERT_EQUAL(w.level, 0);
        return;
    }
    CU_ASSERT_EQUAL(geo_index(&m->g, 1, a->va), a->pte_index);
    CU_ASSERT_EQUAL(w.pte_pa[1], (a->pde & 0x7f) * OSTEP_PAGE + a->pte_index);
    CU_ASSERT_EQUAL(w.pte[1], a->pte);
    CU_ASSERT_EQUAL(w.level, 1);
    if (strcmp(a->result, "PTE_FAULT") == 0) {
        CU_ASSERT_EQUAL(s, WALK_NOT_PRESENT);
        return;
    }
    CU_ASSERT_STRING_EQUAL(a->result, "OK");
    CU_ASSERT_EQUAL(s, WALK_OK);
    CU_ASSERT_EQUAL((long)w.pa, a->paddr);
    CU_ASSERT_EQUAL((long)mem_read(&m->mem, w.pa, 1), a->value);
    Walk l;
    CU_ASSERT_EQUAL(mmu_lookup(&m->g, &m->mem, pdbr, a->va, &l), WALK_OK);
    CU_ASSERT_EQUAL(l.pa, w.pa);
}

/* OSTEP paging-multilevel-translate.py -s 0: ten addresses against the real dump. */
static void test_ostep_multilevel(void)
{
    static uint8_t image[OSTEP_PAGES * OSTEP_PAGE];
    long pdbr;
    memset(image, 0, sizeof image);
    CU_ASSERT_EQUAL_FATAL(ostep_read_dump(OSTEP_DIR "multilevel-seed0.txt", image, &pdbr),
                          OSTEP_PAGES);
    CU_ASSERT_EQUAL_FATAL(pdbr, 108);
    OstepAnswer ans[16];
    int n = ostep_read_answers(OSTEP_DIR "multilevel-seed0-answers.csv", ans, 16);
    CU_ASSERT_EQUAL_FATAL(n, 10);

    Mach m;
    mach_init(&m, ARCH_OSTEP, OSTEP_PAGES);
    CU_ASSERT_EQUAL_FATAL(m.g.page_shift, 5);
    CU_ASSERT_EQUAL_FATAL(mem_load(&m.mem, 0, image, sizeof image), 0);
    int ok = 0;
    for (int i = 0; i < n; i++) {
        check_ostep_answer(&m, (pfn_t)pdbr, &ans[i]);
        ok += strcmp(ans[i].result, "OK") == 0;
    }
    CU_ASSERT_EQUAL(ok, 4);                      /* 0x611c, 0x17f5, 0x2592, 0x3e99 */
    /* First row by hand: 0x611c -> PDE[24] at 108*32 + 24 = 3480 holds 0xa1 (valid,
     * PFN 0x21); PTE[8] at 0x21*32 + 8 = 1064 holds 0xb5 (valid, PFN 0x35);
     * pa = 0x35 << 5 | 0x1c = 0x6a0 + 0x1c = 0x6bc. */
    CU_ASSERT_EQUAL(image[3480], 0xa1);
    CU_ASSERT_EQUAL(image[1064], 0xb5);
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 108, 0x611c, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x6bc);
    /* No A/D bits in this format: walking changed no byte of memory. */
    int same = 1;
    for (size_t i = 0; i < sizeof image; i++)
        same &= mem_read(&m.mem, i, 1) == image[i];
    CU_ASSERT_TRUE(same);
    frames_fini(&m.mem);
}

/* ---- a root of several pages --------------------------------------------------------- */

/* Sv39x4, the G-stage of RISC-V's hypervisor extension (privileged spec, "Two-Stage
 * Address Translation", "Guest Physical Address Translation"): Sv39 with the root's index widened by 2 bits to 11 (guest
 * physical address bits 40:30), so the root table is 2^11 * 8 bytes = 16 KiB, four
 * pages, "aligned to a 16-KiB boundary", and its entry is at hgatp.PPN * PAGESIZE +
 * VPN[2] * PTESIZE as in Sv39's walk. Guest physical addresses are not sign-extended:
 * bits 63:41 must be zero. Here the root is in frames 4-7, L1 in 8, L0 in 9. */
static void test_sv39x4_root(void)
{
    Mach m;
    geo_preset(&m.g, ARCH_SV39);
    m.g.arch = ARCH_CUSTOM;
    m.g.level_bits[0] = 11;
    m.g.sign_extend = false;
    geo_update(&m.g);
    CU_ASSERT_PTR_NULL_FATAL(geo_validate(&m.g, NULL));
    CU_ASSERT_EQUAL(m.g.va_bits, 41);
    CU_ASSERT_EQUAL(geo_table_pages(&m.g, 0), 4);
    CU_ASSERT_EQUAL_FATAL(frames_init(&m.mem, 16, 12, false), 0);
    /* VA 0x168f4567abc: VPN[2] = 0x5a3 (bits 40:30), VPN[1] 0x1a2, VPN[0] 0x167. The
     * root's entry 0x5a3 is at 0x4000 + 0x5a3 * 8 = 0x6d18: in frame 6, the third of
     * the root's pages. */
    const vaddr_t va = 0x168f4567abcull;
    CU_ASSERT_EQUAL_FATAL(mem_write(&m.mem, 0x6d18, 8, SV_PTR(8)), 0);
    set_pte(&m, 8, 0x1a2, SV_PTR(9));
    set_pte(&m, 9, 0x167, SV_LEAF(0x1234, 0x1f));
    Walk w;
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 4, va, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);
    CU_ASSERT_EQUAL(w.table_pa[0], 0x4000);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x6d18);
    CU_ASSERT_EQUAL(w.pte_pa[1], 0x8000 + 0x1a2 * 8);
    CU_ASSERT_EQUAL(w.nread, 3);
    /* The cached walk reads the same entries. */
    WalkCache c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(mmu_walk_cached(&m.g, &m.mem, 4, va, OP_READ, true, &c, &w), WALK_OK);
        CU_ASSERT_EQUAL(w.pa, 0x1234abc);
        CU_ASSERT_EQUAL(w.pte_pa[0], 0x6d18);
    }
    /* Index 0 is the first entry of frame 4, index 0x7ff the last of frame 7
     * (0x4000 + 0x7ff * 8 = 0x7ff8); both invalid here. Bit 41 set is beyond the
     * 41-bit address. */
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 4, 0x1000, OP_READ, true, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x4000);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 4, 0x1ffc0000000ull, OP_READ, true, &w), WALK_NOT_PRESENT);
    CU_ASSERT_EQUAL(w.pte_pa[0], 0x7ff8);
    CU_ASSERT_EQUAL(mmu_walk(&m.g, &m.mem, 4, 1ull << 41, OP_READ, true, &w), WALK_NONCANONICAL);
    CU_ASSERT_EQUAL(mmu_lookup(&m.g, &m.mem, 4, va, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x1234abc);
    frames_fini(&m.mem);
}

/* OSTEP's linear table of `paging-linear-translate.py -s 1 -a 1m -p 2m -P 1k -n 5 -c`:
 * 1024 entries of 4 bytes (valid bit 31, PFN below), 4 KiB, four 1 KiB pages, here in
 * frames 8-11. The program's answers, from its -c output:
 *   VA 0x000804b4 --> 001268b4 [VPN 513]     VA 0x000dec6d --> 000a246d [VPN 891]
 *   VA 0x000bf76c --> Invalid (VPN 765)      VA 0x000bfd73 --> 00155973 [VPN 767]
 *   VA 0x000fd595 --> 0000fd95 [VPN 1013]
 * so the entries of VPNs 513, 891, 767 and 1013 hold PFNs 0x49a, 0x289, 0x556 and
 * 0x3f (PA >> 10), at 8 * 1024 + VPN * 4: in frames 10, 11, 10 and 11. */
static void test_linear_root(void)
{
    Mach m;
    geo_preset(&m.g, ARCH_CUSTOM);
    m.g.style = PT_STYLE_PLAIN;
    m.g.levels = 1;
    m.g.level_bits[0] = 10;
    m.g.page_shift = 10;
    m.g.pa_bits = 21;
    m.g.pte_size = 4;
    m.g.fmt = (PteFormat){ .valid = 31, .read = -1, .write = -1, .exec = -1, .nx = -1,
                           .user = -1, .accessed = -1, .dirty = -1, .huge = -1, .global = -1,
                           .pfn_shift = 0, .pfn_bits = 11 };
    m.g.leaf_levels = 0;
    m.g.sign_extend = false;
    geo_update(&m.g);
    CU_ASSERT_PTR_NULL_FATAL(geo_validate(&m.g, NULL));
    CU_ASSERT_EQUAL(geo_table_pages(&m.g, 0), 4);
    CU_ASSERT_EQUAL_FATAL(frames_init(&m.mem, 2048, 10, false), 0);
    static const struct { unsigned vpn; pte_t pte; } e[] = {
        { 513, 0x8000049a }, { 891, 0x80000289 }, { 767, 0x80000556 }, { 1013, 0x8000003f },
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        set_pte(&m, 8, e[i].vpn, e[i].pte);
    CU_ASSERT_EQUAL(mem_read(&m.mem, 11 * 1024 + (1013 - 768) * 4, 4), 0x8000003f);
    static const struct { vaddr_t va; paddr_t pa; } want[] = {
        { 0x804b4, 0x1268b4 }, { 0xdec6d, 0xa246d }, { 0xbf76c, PADDR_NONE },
        { 0xbfd73, 0x155973 }, { 0xfd595, 0xfd95 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        Walk w;
        WalkStatus st = mmu_walk(&m.g, &m.mem, 8, want[i].va, OP_READ, true, &w);
        CU_ASSERT_EQUAL(st, want[i].pa == PADDR_NONE ? WALK_NOT_PRESENT : WALK_OK);
        CU_ASSERT_EQUAL(w.pa, want[i].pa);
        CU_ASSERT_EQUAL(w.pte_pa[0], 8 * 1024 + (want[i].va >> 10) * 4);
    }
    frames_fini(&m.mem);
}

void suite_mmu(void);     /* called by runner.c through suites.h */

void suite_mmu(void)
{
    TEST_SUITE("mmu",
        { "x86_64 4 KiB page", test_x64_4k },
        { "x86_64 accessed and dirty", test_x64_accessed_dirty },
        { "x86_64 2 MiB page", test_x64_2m },
        { "x86_64 1 GiB page", test_x64_1g },
        { "x86_64 canonical addresses", test_x64_noncanonical },
        { "x86_64 protection over levels", test_x64_protection },
        { "x86_64 reserved bits", test_x64_reserved },
        { "x86_64 not present", test_x64_not_present },
        { "x86_64 lookup", test_x64_lookup },
        { "x86_32 4 KiB, 4 MiB, no XD", test_x86_32 },
        { "sv39 4 KiB page", test_sv39_4k },
        { "sv39 superpages", test_sv39_superpages },
        { "sv39 permissions", test_sv39_permissions },
        { "sv39 sign extension", test_sv39_sign_extension },
        { "sv39 Svade and Svadu", test_sv39_svade },
        { "sv48", test_sv48 },
        { "x86_64 cached walk as the plain one", test_x64_cached_walk },
        { "custom 16-bit entries", test_custom },
        { "ostep multilevel seed 0", test_ostep_multilevel },
        { "Sv39x4: a root of four pages", test_sv39x4_root },
        { "OSTEP's linear table over four pages", test_linear_root });
}
