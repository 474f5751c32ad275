/* The ISA lessons (scenarios/isa): one test per case, each expected outcome taken
 * from the manual section named in its comment (Intel SDM vol. 3A ch. 4; RISC-V
 * privileged spec), with page tables written by hand in a FramePool, and the trace
 * operations pte, invlpg, sfence.vma and kernel run through a scenario. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/mmu.h"
#include "vmsim/scenario.h"

typedef struct {
    Geometry g;
    FramePool mem;
} Mach;

static void mach_init(Mach *m, ArchKind arch)
{
    geo_preset(&m->g, arch);
    CU_ASSERT_EQUAL_FATAL(frames_init(&m->mem, 16, m->g.page_shift, false), 0);
}

static void set_pte(Mach *m, pfn_t table, unsigned idx, pte_t v)
{
    paddr_t pa = (table << m->g.page_shift) + (paddr_t)idx * m->g.pte_size;
    CU_ASSERT_EQUAL_FATAL(mem_write(&m->mem, pa, m->g.pte_size, v), 0);
}

/* x86-64, VA 0x400000: PML4[0] PDPT[0] PD[2] PT[0]; tables in frames 1..4, the page
 * in frame 5. Each argument is an entry's low flag bits (and XD, bit 63). */
#define X_VA 0x400000ull
static void x_chain(Mach *m, pte_t f0, pte_t f1, pte_t f2, pte_t f3)
{
    set_pte(m, 1, 0, (2ull << 12) | f0);
    set_pte(m, 2, 0, (3ull << 12) | f1);
    set_pte(m, 3, 2, (4ull << 12) | f2);
    set_pte(m, 4, 0, (5ull << 12) | f3);
}

/* x86 error-code bits, SDM 3A §4.7 (Figure 4-12): P 0, W/R 1, U/S 2, RSVD 3, I/D 4. */
enum { P = 1, WR = 2, US = 4, RSVD = 8, ID = 16 };

static WalkStatus x_walk(Mach *m, AccessOp op, bool user, Walk *w)
{
    return mmu_walk(&m->g, &m->mem, 1, X_VA, op, user, w);
}

/* SDM 3A §4.5.4, Table 4-15: bit 7 (PS) of a PML4E is reserved; §4.7: RSVD=1, P=1. */
static void test_ps_in_pml4e(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_X86_64);
    x_chain(&m, 0x87, 0x7, 0x7, 0x7);
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_READ, true), P | US | RSVD);
    char why[400];
    mmu_explain(&m.g, &w, OP_READ, true, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "PML4E"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "§4.5.4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "error code 0xd"));
    frames_fini(&m.mem);
}

/* SDM 3A §4.5.4 (Tables 4-15..4-20): address bits 51:MAXPHYADDR are reserved in every
 * paging-structure entry. With MAXPHYADDR 39, a PTE naming physical 2^45 faults with
 * RSVD (§4.7); with MAXPHYADDR 52 the same entry translates. */
static void test_maxphyaddr(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_X86_64);
    m.g.pa_bits = 39;
    geo_update(&m.g);
    x_chain(&m, 0x7, 0x7, 0x7, 0x7);
    set_pte(&m, 4, 0, (1ull << 45) | 0x7);
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_WRITE, true), P | WR | US | RSVD);
    m.g.pa_bits = 52;
    geo_update(&m.g);
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 1ull << 45);
    frames_fini(&m.mem);
}

/* SDM 3A §4.6.1: R/W and U/S are ANDed, XD ORed, over every level of the walk. A
 * read-only PDPTE, a supervisor PDE or an XD PML4E restrict a PTE that allows all;
 * error codes per §4.7 (I/D with XD in use). */
static void test_upper_levels_combine(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_X86_64);
    x_chain(&m, 0x7, 0x5, 0x7, 0x7);            /* PDPTE R/W=0 */
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_WRITE, true), P | WR | US);
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, true, &w), WALK_OK);
    x_chain(&m, 0x7, 0x7, 0x3, 0x7);            /* PDE U/S=0 */
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_READ, true), P | US);
    x_chain(&m, 0x7 | 1ull << 63, 0x7, 0x7, 0x7);   /* PML4E XD=1 */
    CU_ASSERT_EQUAL(x_walk(&m, OP_EXEC, true, &w), WALK_PROTECTION);
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_EXEC, true), P | US | ID);
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, true, &w), WALK_OK);
    frames_fini(&m.mem);
}

/* SDM 3A §4.6.1: supervisor writes to a read-only page fault only with CR0.WP=1;
 * SMAP forbids supervisor data accesses to user-mode addresses (EFLAGS.AC=0), SMEP
 * supervisor fetches from them; a supervisor-mode address is unaffected by both. */
static void test_supervisor_x86(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_X86_64);
    x_chain(&m, 0x7, 0x7, 0x7, 0x5);            /* user page, read-only */
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, false, &w), WALK_PROTECTION);   /* SMAP */
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_READ, false), P);
    CU_ASSERT_EQUAL(x_walk(&m, OP_EXEC, false, &w), WALK_PROTECTION);   /* SMEP */
    CU_ASSERT_EQUAL(mmu_error_code(&m.g, &w, OP_EXEC, false), P | ID);
    m.g.smap = m.g.smep = false;
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(x_walk(&m, OP_EXEC, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, false, &w), WALK_PROTECTION);  /* WP=1 */
    m.g.cr0_wp = false;
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, false, &w), WALK_OK);
    m.g.cr0_wp = m.g.smap = m.g.smep = true;
    x_chain(&m, 0x7, 0x7, 0x7, 0x3);            /* supervisor page, writable */
    CU_ASSERT_EQUAL(x_walk(&m, OP_WRITE, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(x_walk(&m, OP_EXEC, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(x_walk(&m, OP_READ, true, &w), WALK_PROTECTION);
    frames_fini(&m.mem);
}

/* Sv39, VA 0x10000: L2[0] -> frame 1's table... root in frame 1, L1 in 2, L0 in 3,
 * the page in frame 5. RISC-V PTE: V0 R1 W2 X3 U4 G5 A6 D7, PPN from bit 10. */
#define R_VA 0x10000ull
#define R_PTR(pfn) (((pte_t)(pfn) << 10) | 0x1)
static void r_chain(Mach *m, pte_t l2, pte_t l1, pte_t l0)
{
    set_pte(m, 1, 0, l2);
    set_pte(m, 2, 0, l1);
    set_pte(m, 3, 16, l0);
}

static WalkStatus r_walk(Mach *m, vaddr_t va, AccessOp op, bool user, Walk *w)
{
    return mmu_walk(&m->g, &m->mem, 1, va, op, user, w);
}

/* Privileged spec §4.3.1: D, A and U are reserved in a non-leaf PTE; §4.3.2 step 3
 * faults on reserved bits. Also W=1 with R=0 is reserved (Table "Encoding of PTE
 * R/W/X fields"), whatever the access. */
static void test_riscv_reserved(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_SV39);
    pte_t leaf = (5ull << 10) | 0xd7;          /* V R W U A D */
    r_chain(&m, R_PTR(2), R_PTR(3), leaf);
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_WRITE, true, &w), WALK_OK);
    for (pte_t bit = 0x10; bit <= 0x80; bit <<= 1) {
        if (bit == 0x20)
            continue;                          /* G is allowed in a pointer */
        r_chain(&m, R_PTR(2), R_PTR(3) | bit, leaf);
        CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, true, &w), WALK_RESERVED);
        CU_ASSERT_EQUAL(w.level, 1);
    }
    r_chain(&m, R_PTR(2), R_PTR(3), (5ull << 10) | 0xd5);   /* W without R */
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_WRITE, true, &w), WALK_RESERVED);
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_EXEC, true, &w), WALK_RESERVED);
    frames_fini(&m.mem);
}

/* §4.3.2 step 6: a superpage whose PPN bits below its size are not zero faults. An L1
 * leaf maps 2 MiB: PPN 0x200 is aligned (VA 0x234567 -> PA 0x234567), 0x201 is not. */
static void test_riscv_misaligned(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_SV39);
    set_pte(&m, 1, 0, R_PTR(2));
    set_pte(&m, 2, 1, (0x200ull << 10) | 0xd7);
    set_pte(&m, 2, 2, (0x201ull << 10) | 0xd7);
    CU_ASSERT_EQUAL(r_walk(&m, 0x234567, OP_READ, true, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pa, 0x234567);
    CU_ASSERT_EQUAL(r_walk(&m, 0x400000, OP_READ, true, &w), WALK_MISALIGNED);
    frames_fini(&m.mem);
}

/* §4.3.2 step 5 and §4.1.1.2: permissions come from the leaf alone; S-mode may load
 * or store a U=1 page only with SUM=1 and never fetch from one; MXR=1 makes X pages
 * readable. §4.3.1 (Svade): A=0 raises a page fault instead of being set. */
static void test_riscv_supervisor_and_leaf(void)
{
    Mach m;
    Walk w;
    mach_init(&m, ARCH_SV39);
    r_chain(&m, R_PTR(2), R_PTR(3), (5ull << 10) | 0xdf);   /* V R W X U A D */
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, false, &w), WALK_PROTECTION);
    m.g.sum = true;
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_WRITE, false, &w), WALK_OK);
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_EXEC, false, &w), WALK_PROTECTION);
    r_chain(&m, R_PTR(2), R_PTR(3), (5ull << 10) | 0x59);   /* V X U A: execute-only */
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, true, &w), WALK_PROTECTION);
    m.g.mxr = true;
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, true, &w), WALK_OK);
    m.g.ad_by_fault = true;
    r_chain(&m, R_PTR(2), R_PTR(3), (5ull << 10) | 0x13);   /* V R U, A clear */
    CU_ASSERT_EQUAL(r_walk(&m, R_VA, OP_READ, true, &w), WALK_AD);
    frames_fini(&m.mem);
}

/* ---- the OS side, through scenarios --------------------------------------- */

typedef struct {
    Scenario sc;
    Sim *sim;
    TraceReader *t;
    char notes[2048];
    unsigned flushes;
} Rig;

static void observe(void *ctx, const SimEvent *ev)
{
    Rig *r = ctx;
    size_t n = strlen(r->notes);
    if (ev->kind == EV_NOTE || ev->kind == EV_SEGV)
        snprintf(r->notes + n, sizeof r->notes - n, "%s\n", ev->detail);
    r->flushes += ev->kind == EV_TLB_FLUSH;
}

static StepStatus rig_run(Rig *r, const char *ini)
{
    memset(r, 0, sizeof *r);
    return test_ini_run(ini, &r->sc, &r->sim, &r->t, observe, r);
}

static void rig_fini(Rig *r)
{
    CU_ASSERT_PTR_NULL(sim_check(r->sim));
    test_ini_fini(&r->sc, r->sim, r->t);
}

/* SDM 3A §4.10.4: the TLB keeps a translation after its entry changes until INVLPG.
 * The cleared PTE is not seen by the read after it (a TLB hit, no fault); after
 * invlpg the walk finds it not present: a second page fault. */
static void test_stale_tlb_until_invlpg(void)
{
    Rig r;
    CU_ASSERT_EQUAL(rig_run(&r, "[machine]\narch = x86_64\n[process p]\ndata = 0x400000 8K\n"
                    "[trace]\nlines =\n    R 0x400000\n    pte 0x400000 PT = 0\n    R 0x400000\n"
                    "    invlpg 0x400000\n    R 0x400000\n"), STEP_END);
    const SimStats *st = sim_stats(r.sim);
    CU_ASSERT_EQUAL(st->tlb_hits, 1);
    CU_ASSERT_EQUAL(st->page_faults, 2);
    CU_ASSERT_EQUAL(r.flushes, 1);
    rig_fini(&r);
}

/* A user access through an entry the OS did not write gets SIGSEGV (the rule named
 * with its section); a supervisor access refused by SMAP (SDM 3A §4.6.1) is a kernel
 * fault Linux's do_user_addr_fault() oopses on: "BUG: unable to handle page fault",
 * error_code(0x0001) for a read of a present page (§4.7). */
static void test_user_segv_kernel_oops(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[process p]\ndata = 0x400000 8K\n"
                "[trace]\nlines =\n    R 0x400000\n    pte 0x400000 PML4 = 0x87\n    R 0x401000\n");
    CU_ASSERT_EQUAL(sim_proc(r.sim, 0)->state, PROC_KILLED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.notes, "PS=1 in a PML4E is reserved"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_proc(r.sim, 0)->exit_reason, "SIGSEGV"));
    rig_fini(&r);

    rig_run(&r, "[machine]\narch = x86_64\n[process p]\ndata = 0x400000 8K\n"
                "[trace]\nlines =\n    R 0x400000\n    kernel R 0x400000 8\n");
    CU_ASSERT_EQUAL(sim_proc(r.sim, 0)->state, PROC_KILLED);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.notes, "SMAP"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_proc(r.sim, 0)->exit_reason,
                                  "BUG: unable to handle page fault for address: 0000000000400000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_proc(r.sim, 0)->exit_reason, "error_code(0x0001)"));
    rig_fini(&r);

    /* smap = no: a kernel read of a user page not present is demand-paged as usual. */
    rig_run(&r, "[machine]\narch = x86_64\nsmap = no\n[process p]\ndata = 0x400000 8K\n"
                "[trace]\nlines =\n    kernel R 0x400000 8\n");
    CU_ASSERT_EQUAL(sim_proc(r.sim, 0)->state, PROC_RUNNING);
    CU_ASSERT_EQUAL(sim_stats(r.sim)->page_faults, 1);
    rig_fini(&r);
}

/* RISC-V die_kernel_fault(): an S-mode access to user memory with SUM=0 is "access to
 * user memory without uaccess routines" (arch/riscv/mm/fault.c). */
static void test_riscv_sum_oops(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = sv39\n[process p]\ndata = 0x10000 8K\n"
                "[trace]\nlines =\n    R 0x10000\n    kernel R 0x10000 8\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_proc(r.sim, 0)->exit_reason,
                                  "access to user memory without uaccess routines"));
    rig_fini(&r);
}

/* The operations' grammar and their errors: a level the machine does not have, the
 * other architecture's invalidation instruction. */
static void test_bad_operations(void)
{
    Rig r;
    CU_ASSERT_EQUAL(rig_run(&r, "[machine]\narch = x86_64\n[process p]\ndata = 0x400000 8K\n"
                            "[trace]\nlines =\n    pte? 0x400000 L1\n"), STEP_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_error(r.sim), "no level 'L1' on x86_64 (its levels: PML4, PDPT, PD, PT)"));
    rig_fini(&r);
    CU_ASSERT_EQUAL(rig_run(&r, "[machine]\narch = x86_64\n[process p]\ndata = 0x400000 8K\n"
                            "[trace]\nlines =\n    sfence.vma\n"), STEP_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sim_error(r.sim), "sfence.vma is not an instruction of x86_64"));
    rig_fini(&r);
    char err[200];
    TraceRecord rec;
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "pte 0x1000 PT = 8000000000000067", 32, 12,
                                     &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.kind, TREC_PTE);
    CU_ASSERT_EQUAL(rec.length, 0x8000000000000067ull);
    CU_ASSERT_STRING_EQUAL(rec.name, "PT");
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "kernel W 0x10 8", 15, 12, &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.kind, TREC_KERNEL);
    CU_ASSERT_EQUAL(rec.op, OP_WRITE);
    CU_ASSERT_EQUAL(rec.size, 8);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "kernel Q 0x10", 13, 12, &rec, err, sizeof err), -1);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "pte 0x10 PT 5", 13, 12, &rec, err, sizeof err), -1);
}

void suite_isa(void);
void suite_isa(void)
{
    TEST_SUITE("isa", { "PS in a PML4E", test_ps_in_pml4e }, { "MAXPHYADDR", test_maxphyaddr },
               { "upper levels combine", test_upper_levels_combine },
               { "x86 supervisor rules", test_supervisor_x86 },
               { "RISC-V reserved encodings", test_riscv_reserved },
               { "RISC-V misaligned superpage", test_riscv_misaligned },
               { "RISC-V supervisor and leaf rules", test_riscv_supervisor_and_leaf },
               { "stale TLB until invlpg", test_stale_tlb_until_invlpg },
               { "user SIGSEGV, kernel oops", test_user_segv_kernel_oops },
               { "RISC-V SUM oops", test_riscv_sum_oops },
               { "bad operations", test_bad_operations });
}
