/* Where vmsim follows Linux and the ISA manuals: one test per rule, each naming the
 * kernel function or manual section it follows. Expected numbers are worked from the
 * kernel's formulas in the test, never read back from vmsim. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/oom.h"
#include "vmsim/scenario.h"

/* A scenario run from INI text, with the kernel's OOM lines and a count of events. */
typedef struct Rig {
    Scenario sc;
    Sim *sim;
    TraceReader *t;
    char err[512];
    char oom[8192];              /* EV_OOM lines, one per line */
    unsigned events[EV_COUNT];
    StepStatus last;
} Rig;

static void rig_observe(void *ctx, const SimEvent *ev)
{
    Rig *r = ctx;
    r->events[ev->kind]++;
    if (ev->kind == EV_OOM) {
        size_t n = strlen(r->oom);
        snprintf(r->oom + n, sizeof r->oom - n, "%s\n", ev->detail);
    }
}

/* Loads ini, builds the machine and runs its trace to the end, checking the
 * bookkeeping after every step. Returns the last status. */
static StepStatus rig_run(Rig *r, const char *ini)
{
    memset(r, 0, sizeof *r);
    return r->last = test_ini_run(ini, &r->sc, &r->sim, &r->t, rig_observe, r);
}

static void rig_fini(Rig *r)
{
    test_ini_fini(&r->sc, r->sim, r->t);
}

static const Process *rig_proc(Rig *r, const char *name)
{
    for (size_t i = 0; i < sim_nprocs(r->sim); i++)
        if (strcmp(sim_proc(r->sim, i)->name, name) == 0)
            return sim_proc(r->sim, i);
    CU_FAIL("no such process");
    return NULL;
}

static bool has(const char *text, const char *needle)
{
    bool found = strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "\n  missing \"%s\" in:\n%s\n", needle, text);
    return found;
}

/* One x86-64 process writing 13 heap pages into 16 frames with no swap: the root, a
 * PDPT, a PD and a PT take 4 frames, 12 pages fit, the 13th finds every page dirty and
 * nothing to evict. */
#define OOM_ONE_ADJ(adj)                                                      \
    "[machine]\narch = x86_64\n[memory]\nframes = 16\n[swap]\nslots = 0\n"    \
    "[process big]\nheap = 0x600000 64K\noom_score_adj = " adj "\n"           \
    "[trace]\nlines =\n    W 0x600000 53248\n"
#define OOM_ONE OOM_ONE_ADJ("0")

/* Item 1. mm_pgtables_bytes() counts PTE, PMD and PUD tables (mm_inc_nr_ptes/pmds/
 * puds in mm/memory.c), never the PGD: the x86-64 root is not a page-table page to
 * the OOM killer. __oom_kill_process prints pgtables:%lukB, dump_tasks pgtables_bytes. */
static void test_pgtables_leave_out_the_root(void)
{
    Rig r;
    rig_run(&r, OOM_ONE);
    CU_ASSERT_TRUE(has(r.oom, "anon-rss:48kB"));                /* 12 pages */
    CU_ASSERT_TRUE(has(r.oom, "UID:0 pgtables:12kB"));          /* PDPT + PD + PT */
    CU_ASSERT_TRUE(has(r.oom, "      16       12    12288        0"));
    rig_fini(&r);

    /* oom_badness = rss + swapents + pgtables; fs/proc/base.c proc_oom_score:
     * (1000 + badness * 1000 / totalpages) * 2 / 3. One page written, 100 frames. */
    rig_run(&r, "[machine]\narch = x86_64\n[memory]\nframes = 100\n[swap]\nslots = 0\n"
                "[process p]\nheap = 0x600000 64K\n[trace]\nlines =\n    W 0x600000\n");
    const Process *p = rig_proc(&r, "p");
    CU_ASSERT_EQUAL(p->pt_pages, 4);                            /* vmsim's own count */
    CU_ASSERT_EQUAL(sim_oom_score(r.sim, p), (1000 + (1 + 3) * 1000 / 100) * 2 / 3);
    rig_fini(&r);
}

/* Item 2. out_of_memory(): check_panic_on_oom() calls dump_header() before
 * panic("Out of memory: system-wide panic_on_oom is enabled"); with no task to kill,
 * dump_header(), "Out of memory and no killable processes...", then
 * panic("System is deadlocked on memory"). */
static void test_header_before_panic(void)
{
    Rig r;
    CU_ASSERT_EQUAL(rig_run(&r, OOM_ONE "[oom]\npanic_on_oom = 1\n"), STEP_HALT);
    const char *head = strstr(r.oom, "big invoked oom-killer");
    const char *dump = strstr(r.oom, "Tasks state");
    const char *panic = strstr(r.oom, "Kernel panic - not syncing: Out of memory: system-wide");
    CU_ASSERT_TRUE(head && dump && panic && head < dump && dump < panic);
    rig_fini(&r);

    CU_ASSERT_EQUAL(rig_run(&r, OOM_ONE_ADJ("-1000")), STEP_HALT);
    head = strstr(r.oom, "big invoked oom-killer");
    dump = strstr(r.oom, "[      1]     0     1");
    const char *none = strstr(r.oom, "Out of memory and no killable processes...");
    panic = strstr(r.oom, "Kernel panic - not syncing: System is deadlocked on memory");
    CU_ASSERT_TRUE(head && dump && none && panic && head < dump && dump < none && none < panic);
    CU_ASSERT_STRING_EQUAL(sim_error(r.sim), "Kernel panic - not syncing: System is deadlocked on memory");
    rig_fini(&r);
}

/* Item 3. hugetlb_no_page() charges mm->hugetlb_usage; get_mm_rss() (MM_FILEPAGES +
 * MM_ANONPAGES + MM_SHMEMPAGES) leaves hugetlbfs pages out, so oom_badness() does too.
 * A process holding one 2 MiB huge= page (512 frames) scores its 2 counted tables and
 * nothing more; the one with 505 ordinary pages is the victim. */
static void test_hugetlb_is_not_rss(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[memory]\nframes = 1024\n[swap]\nslots = 0\n"
                "[process huge]\nmmap = 0x40000000 2M rw- huge=2M\n"
                "[process small]\nheap = 0x600000 4M\n"
                "[trace]\nlines =\n    W 0x40000000\n    switch small\n    W 0x600000 2072576\n");
    CU_ASSERT_TRUE(has(r.oom, "Killed process 2 (small)"));
    const Process *huge = rig_proc(&r, "huge");
    CU_ASSERT_EQUAL(huge->state, PROC_RUNNING);
    CU_ASSERT_EQUAL(huge->rss, 512);                            /* frames used */
    /* badness = 0 rss + 0 swap + 2 tables (PDPT, PD; the huge page needs no PT). */
    CU_ASSERT_EQUAL(sim_oom_score(r.sim, huge), (1000 + 2 * 1000 / 1024) * 2 / 3);
    rig_fini(&r);
}

/* Item 7b. The kill line's anon-rss, file-rss and shmem-rss are get_mm_counter()'s
 * MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES: the pages of a shared anonymous
 * mapping are shmem (shmem_zero_setup; mm_counter_file() for swap-backed folios). */
static void test_kill_line_memory_split(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[memory]\nframes = 16\n[swap]\nslots = 0\n"
                "[process big]\nheap = 0x600000 64K\nmmap = 0x700000 16K rw- anon shared\n"
                "[trace]\nlines =\n    W 0x700000 8192\n    W 0x600000 53248\n");
    /* 16 frames - 4 tables = 12 pages: 2 shared anonymous, 10 of the heap. */
    CU_ASSERT_TRUE(has(r.oom, "anon-rss:40kB, file-rss:0kB, shmem-rss:8kB"));
    rig_fini(&r);
}

/* Item 8. arch/x86/mm/fault.c access_error(): a read of a page not present needs only
 * vma_is_accessible(); x86 entries have no R bit, so a write-only mapping is readable,
 * before and after its page is present. */
static void test_x86_write_only_is_readable(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[process p]\nmmap = 0x700000 8K -w-\n"
                "[trace]\nlines =\n    R 0x700000 8\n    W 0x700000 8\n    R 0x701000 8\n");
    const SimStats *st = sim_stats(r.sim);
    CU_ASSERT_EQUAL(st->segfaults, 0);
    CU_ASSERT_EQUAL(st->minor_faults, 2);       /* one per page, the read's included */
    CU_ASSERT_EQUAL(rig_proc(&r, "p")->state, PROC_RUNNING);
    rig_fini(&r);
}

/* Item 9. access_error() never checks VM_EXEC. x86-32 has no XD bit (Intel SDM 3A
 * §4.3: 32-bit paging has no execute-disable), so a fetch from a data page is an
 * ordinary demand fault and then runs. On x86-64 the fetch from a page not present
 * faults it in (a minor fault); the retried fetch hits XD (§4.6) with the page present,
 * a protection fault access_error() refuses: SIGSEGV. */
static void test_x86_fetch_from_data(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_32\n[process p]\nheap = 0x600000 8K\n"
                "[trace]\nlines =\n    X 0x600000 4\n    X 0x600004 4\n");
    CU_ASSERT_EQUAL(sim_stats(r.sim)->segfaults, 0);
    CU_ASSERT_EQUAL(sim_stats(r.sim)->minor_faults, 1);
    CU_ASSERT_EQUAL(rig_proc(&r, "p")->state, PROC_RUNNING);
    rig_fini(&r);

    rig_run(&r, "[machine]\narch = x86_64\n[process p]\nheap = 0x600000 8K\n"
                "[trace]\nlines =\n    X 0x600000 4\n");
    CU_ASSERT_EQUAL(sim_stats(r.sim)->minor_faults, 1);
    CU_ASSERT_EQUAL(sim_stats(r.sim)->segfaults, 1);
    CU_ASSERT_EQUAL(rig_proc(&r, "p")->state, PROC_KILLED);
    rig_fini(&r);
}

/* Item 10. Linux's RISC-V protection_map: a private writable page is PAGE_COPY =
 * PAGE_READ, made writable on a write fault; a shared one PAGE_SHARED = PAGE_WRITE =
 * R|W. W without R is reserved (privileged spec, §4.3.1, "Encoding of PTE R/W/X
 * fields"), and arch/riscv/mm/fault.c lets a load through a VM_WRITE mapping. */
static void test_riscv_write_implies_read(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = sv39\n[process p]\nmmap = 0x700000 8K -w-\n"
                "mmap = 0x800000 4K -w- anon shared\n"
                "[trace]\nlines =\n    W 0x700000 8\n    R 0x700008 8\n    R 0x701000 8\n"
                "    W 0x800000 8\n");
    const SimStats *st = sim_stats(r.sim);
    CU_ASSERT_EQUAL(st->arch_faults, 0);
    CU_ASSERT_EQUAL(st->segfaults, 0);
    const Process *p = rig_proc(&r, "p");
    CU_ASSERT_EQUAL(p->state, PROC_RUNNING);
    Walk w;
    CU_ASSERT_EQUAL_FATAL(sim_peek(r.sim, p, 0x700000, &w), WALK_OK);
    pte_t leaf = w.pte[w.nread - 1];
    CU_ASSERT_EQUAL(leaf & 0xf, 0x7);            /* V R W, no X: bits 0..3 */
    CU_ASSERT_EQUAL_FATAL(sim_peek(r.sim, p, 0x800000, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.pte[w.nread - 1] & 0xf, 0x7);
    rig_fini(&r);
}

/* Results of the process events, in step order (-12 is ENOMEM). */
typedef struct Results {
    int64_t r[16];
    unsigned n;
} Results;

static StepStatus run_results(Rig *r, const char *ini, Results *out)
{
    StepInfo info;
    memset(out, 0, sizeof *out);
    rig_run(r, ini);                    /* checks the file; then again, step by step */
    sim_destroy(r->sim);
    trace_close(r->t);
    r->sim = scenario_build(&r->sc, r->err, sizeof r->err);
    bool none;
    r->t = scenario_open_trace(&r->sc, NULL, TRACE_AUTO, &none, r->err, sizeof r->err);
    sim_set_trace(r->sim, r->t);
    StepStatus st;
    while ((st = sim_step(r->sim, &info)) == STEP_OK)
        if (info.kind == STEP_EVENT && out->n < 16)
            out->r[out->n++] = info.result;
    return st;
}

#define MODE2 "[machine]\narch = x86_64\n[swap]\nslots = 0\n" \
              "[memory]\nframes = 100\novercommit_memory = 2\n"

/* Item 5. __vm_enough_memory() (mm/util.c) charges the request first
 * (vm_acct_memory), then allows it only while Committed_AS < allowed, where allowed =
 * CommitLimit - min(total_vm / 32, user_reserve_kbytes in pages); processes run as root,
 * so no admin reserve. CommitLimit = 100 frames * 50% + 0 swap = 50 pages.
 * init_user_reserve(): min(free kB / 32, 128 MiB) = 100 * 4 / 32 = 12 kB, 3 pages. */
static void test_overcommit_never_is_strict(void)
{
    Rig r;
    Results res;
    /* No reserve: 49 pages fit, 50 do not (50 < 50 is false). */
    run_results(&r, MODE2 "user_reserve_kbytes = 0\n[process p]\ntext = 0x400000 4K\n"
                "[trace]\nlines =\n    mmap 0 200K rw-\n    mmap 0 196K rw-\n", &res);
    CU_ASSERT_EQUAL(res.n, 2);
    CU_ASSERT_EQUAL(res.r[0], -12);
    CU_ASSERT_TRUE(res.r[1] > 0);
    CU_ASSERT_EQUAL(sim_commit_limit(r.sim), 50);
    CU_ASSERT_EQUAL(sim_committed(r.sim), 49);
    rig_fini(&r);

    /* brk and fork: a 25-page heap forks only if 25 + 25 < 50. */
    run_results(&r, MODE2 "user_reserve_kbytes = 0\n[process p]\nheap = 0x600000 100K\n"
                "[trace]\nlines =\n    fork child\n    brk 0x631000\n    brk 0x632000\n", &res);
    CU_ASSERT_EQUAL(res.r[0], -12);                 /* 25 + 25 = 50: refused */
    CU_ASSERT_EQUAL(res.r[1], 0x631000);            /* 25 + 24 = 49 < 50 */
    CU_ASSERT_EQUAL(res.r[2], -12);                 /* 49 + 1 = 50: refused */
    rig_fini(&r);

    /* The default reserve: total_vm = 1024 pages of text, 1024 / 32 = 32, min(32, 3)
     * = 3, allowed = 47: 46 pages fit, one more does not. */
    run_results(&r, MODE2 "[process p]\ntext = 0x400000 4M\n"
                "[trace]\nlines =\n    mmap 0 184K rw-\n    mmap 0 4K rw-\n", &res);
    CU_ASSERT_EQUAL(sim_user_reserve_kbytes(r.sim), 100 * 4 / 32);
    CU_ASSERT_TRUE(res.r[0] > 0);
    CU_ASSERT_EQUAL(res.r[1], -12);
    CU_ASSERT_EQUAL(sim_committed(r.sim), 46);
    rig_fini(&r);
}

/* Item 6. A shared anonymous mapping is a shmem object: shmem_zero_setup() ->
 * shmem_acct_size() -> security_vm_enough_memory_mm() charges its whole size, whatever
 * its permissions. dup_mmap() charges only VM_ACCOUNT (private) mappings again. */
static void test_shared_anonymous_is_charged(void)
{
    Rig r;
    Results res;
    run_results(&r, MODE2 "[process p]\ntext = 0x400000 4K\n"
                "[trace]\nlines =\n    mmap 0 40K r-- anon shared\n    fork child\n"
                "    mmap 0 40K r-- anon private\n", &res);
    CU_ASSERT_TRUE(res.r[0] > 0);
    CU_ASSERT_TRUE(res.r[1] > 0);
    CU_ASSERT_EQUAL(sim_committed(r.sim), 10);      /* once, by its maker; r-- private: 0 */
    rig_fini(&r);
}

/* mprotect_fixup() (mm/mprotect.c): making a private mapping writable charges it
 * (VM_ACCOUNT, security_vm_enough_memory_mm); making it read-only again does not give
 * the charge back ("we cannot reduce our commit if we make it unwritable again"), nor
 * does making it writable a second time charge twice. munmap (vm_unacct_memory in
 * do_vmi_align_munmap) returns it; dup_mmap() charges a fork's copy of it again. */
static void test_mprotect_keeps_the_charge(void)
{
    Rig r;
    Results res;
    run_results(&r, MODE2 "[process p]\ntext = 0x400000 4K\n"
                "[trace]\nlines =\n    mmap 0x10000000 40K rw-\n    mprotect 0x10000000 40K r--\n"
                "    mprotect 0x10000000 40K rw-\n    mmap 0x20000000 8K r--\n"
                "    mprotect 0x20000000 8K rw-\n    mprotect 0x20000000 8K r--\n", &res);
    CU_ASSERT_EQUAL(res.n, 6);
    CU_ASSERT_EQUAL(sim_committed(r.sim), 10 + 2);  /* 40K once, 8K once made writable */
    rig_fini(&r);
    run_results(&r, MODE2 "[process p]\ntext = 0x400000 4K\n"
                "[trace]\nlines =\n    mmap 0x10000000 40K rw-\n    mprotect 0x10000000 40K r--\n"
                "    fork child\n    munmap 0x10000000 40K\n", &res);
    CU_ASSERT_EQUAL(res.n, 4);
    CU_ASSERT_EQUAL(sim_committed(r.sim), 10);      /* the child's copy, charged at fork */
    rig_fini(&r);
}

/* Item 4. shrink_folio_list() (mm/vmscan.c) gives swap only to anonymous folios; a
 * dirty folio of a shared file mapping is written to its file by pageout() and freed.
 * With no swap at all, writing 6 pages of a MAP_SHARED file into 4 free frames evicts
 * with write-backs to the file, kills nothing, and the evicted page is read back from
 * the file (a major fault). LRU: pages 4, 5 and then page 0's return evict 0, 1, 2. */
static void test_shared_file_pages_go_to_their_file(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[memory]\nframes = 8\npolicy = lru\n[swap]\nslots = 0\n"
                "[process p]\nmmap = 0x700000 24K rw- file shared\n"
                "[trace]\nlines =\n    W 0x700000 24576\n    R 0x700000 8\n");
    const SimStats *st = sim_stats(r.sim);
    CU_ASSERT_EQUAL(st->oom_kills, 0);
    CU_ASSERT_EQUAL(st->evictions, 3);
    CU_ASSERT_EQUAL(st->writebacks, 3);
    CU_ASSERT_EQUAL(st->swap_outs, 0);
    CU_ASSERT_EQUAL(st->major_faults, 7);      /* 6 first touches + the read back */
    CU_ASSERT_EQUAL(rig_proc(&r, "p")->state, PROC_RUNNING);
    rig_fini(&r);
}

/* Item 11. With no TLB there is nothing to look up: no TLB event, no hit or miss
 * counted, no TLB cycles. 3 reads of 2 pages on x86-64 (4-level walk each time):
 * cycles = 3 accesses x 100 + 2 minor faults x 1000 + entries read x 100. */
static void test_no_tlb_no_tlb_events(void)
{
    Rig r;
    rig_run(&r, "[machine]\narch = x86_64\n[tlb]\nentries = 0\n[process p]\nheap = 0x600000 8K\n"
                "[trace]\nlines =\n    R 0x600000\n    R 0x601000\n    R 0x600008\n");
    const SimStats *st = sim_stats(r.sim);
    CU_ASSERT_FALSE(sim_has_tlb(r.sim));
    CU_ASSERT_EQUAL(r.events[EV_TLB_MISS] + r.events[EV_TLB_HIT] + r.events[EV_TLB_FILL], 0);
    CU_ASSERT_EQUAL(st->tlb_hits + st->tlb_misses, 0);
    /* Walks: each fault walks twice (before and after), the third read once. */
    CU_ASSERT_EQUAL(st->walks, 5);
    CU_ASSERT_EQUAL(st->cycles, 3 * 100 + 2 * 1000 + st->walk_reads * 100);
    rig_fini(&r);
}

/* Item 13. A custom machine starts from x86-64's values, sign_extend = yes among them
 * (canonical addresses, Intel SDM 1 §3.3.7.1): the error names the key. */
static void test_custom_sign_extend_named(void)
{
    char err[512];
    Scenario sc;
    scenario_init(&sc);
    CU_ASSERT_EQUAL_FATAL(scenario_load_text(&sc, "t.ini",
        "[machine]\narch = custom\nlevels = 4,4\npage_size = 256\n"
        "[process p]\nmmap = 0x8000 256 rw-\n", err, sizeof err), 0);
    Sim *sim = NULL;
    if (scenario_validate(&sc, err, sizeof err) == 0)
        sim = scenario_build(&sc, err, sizeof err);
    CU_ASSERT_PTR_NULL(sim);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "outside the 16-bit address space (machine.sign_extend = yes: "
                                       "addresses must be sign-extended from bit 15)"));
    sim_destroy(sim);
    scenario_fini(&sc);
}

/* Item 14. OSTEP's machine has a 32 KiB address space: a heap may start at 0x0, and
 * glibc's 128 KiB top pad would make every malloc fail. */
static void test_ostep_heap_at_zero(void)
{
    Rig r;
    Results res;
    run_results(&r, "[machine]\narch = ostep\n[memory]\nframes = 128\n"
                "[process p]\nheap = 0x0 0\n"
                "[trace]\nlines =\n    malloc 100 as a\n    malloc 200 as b\n", &res);
    CU_ASSERT_EQUAL(res.n, 2);
    CU_ASSERT_EQUAL(res.r[0], 0x10);                /* the first chunk's payload */
    CU_ASSERT_EQUAL(res.r[1], 0x10 + 112 + 16);     /* after a's 112 bytes and b's header */
    rig_fini(&r);
}

void suite_linux(void);
void suite_linux(void)
{
    TEST_SUITE("linux",
        { "1: pgtables and badness leave out the root table", test_pgtables_leave_out_the_root },
        { "2: dump_header before a panic and before no-killable", test_header_before_panic },
        { "3: hugetlbfs pages are not rss", test_hugetlb_is_not_rss },
        { "7b: the kill line splits anon, file and shmem", test_kill_line_memory_split },
        { "8: x86: a write-only mapping is readable", test_x86_write_only_is_readable },
        { "9: x86: a fetch from a data page", test_x86_fetch_from_data },
        { "4: dirty shared file pages go back to their file", test_shared_file_pages_go_to_their_file },
        { "5: overcommit_memory = 2: strict, with the user reserve", test_overcommit_never_is_strict },
        { "6: shared anonymous mappings are charged", test_shared_anonymous_is_charged },
        { "mprotect read-only keeps the commit charge (mprotect_fixup)", test_mprotect_keeps_the_charge },
        { "10: RISC-V: write implies read", test_riscv_write_implies_read },
        { "11: no TLB: no TLB events, counts or cycles", test_no_tlb_no_tlb_events },
        { "13: custom: sign_extend named in the error", test_custom_sign_extend_named },
        { "14: ostep: a heap at 0x0, a pad that fits", test_ostep_heap_at_zero });
}
