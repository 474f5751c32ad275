/* Process events: fork with copy-on-write, exit, brk, mmap/munmap/mprotect, call/ret,
 * malloc/free, overcommit, strict alignment, and the OOM killer in a running machine.
 * Every run checks the bookkeeping (sim_check) after every step. */
#include <string.h>

#include "testutil.h"
#include "vmsim/sim.h"

typedef struct Box {
    Sim *sim;
    TraceReader *t;
    char err[256];
} Box;

static Process *box_open(Box *b, MachineConfig *m, const char *name)
{
    memset(b, 0, sizeof *b);
    b->sim = sim_create(m, b->err, sizeof b->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b->sim);
    Process *p = sim_add_process(b->sim, 0, name, b->err, sizeof b->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    Vma heap = { .start = 0x600000, .end = 0x610000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    Vma stack = { .start = 0x7fffffffd000, .end = 0x7ffffffff000, .perms = PTE_R | PTE_W,
                  .kind = VMA_STACK };
    CU_ASSERT_EQUAL(sim_map(b->sim, p, &heap, b->err, sizeof b->err), 0);
    CU_ASSERT_EQUAL(sim_map(b->sim, p, &stack, b->err, sizeof b->err), 0);
    p->stack_limit = 0x7ffffffff000 - (64u << 10);
    p->brk_start = 0x600000;
    p->brk = 0x610000;
    return p;
}

static StepStatus box_run(Box *b, const char *text)
{
    b->t = trace_open_mem(text, strlen(text), "t", 1, TRACE_VMSIM, 12, b->err, sizeof b->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b->t);
    sim_set_trace(b->sim, b->t);
    StepStatus r;
    while ((r = sim_step(b->sim, NULL)) == STEP_OK) {
        const char *bad = sim_check(b->sim);
        CU_ASSERT_PTR_NULL(bad);
        if (bad)
            return STEP_ERROR;
    }
    return r;
}

static void box_close(Box *b)
{
    sim_destroy(b->sim);
    trace_close(b->t);
}

static pfn_t frame_at(Box *b, const Process *p, vaddr_t va)
{
    Walk w;
    return sim_peek(b->sim, p, va, &w) == WALK_OK ? w.page_pfn : PFN_NONE;
}

static const Process *by_name(Box *b, const char *name)
{
    for (size_t i = 0; i < sim_nprocs(b->sim); i++)
        if (strcmp(sim_proc(b->sim, i)->name, name) == 0)
            return sim_proc(b->sim, i);
    return NULL;
}

static MachineConfig small(uint64_t frames)
{
    MachineConfig m;
    machine_default(&m);
    m.memory.frames = frames;
    return m;
}

static void test_fork_copy_on_write(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *parent = box_open(&b, &m, "parent");
    CU_ASSERT_EQUAL(box_run(&b, "W 0x600000 8\nW 0x601000 8\nfork kid\nswitch kid\n"
                                "R 0x600000 8\nW 0x601000 8\n"), STEP_END);
    const Process *kid = by_name(&b, "kid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(kid);
    CU_ASSERT_EQUAL(kid->parent, parent->pid);
    /* Read: still one frame for both. Written by the child: two frames, the parent's
     * entry still on the original. */
    CU_ASSERT_EQUAL(frame_at(&b, parent, 0x600000), frame_at(&b, kid, 0x600000));
    CU_ASSERT_NOT_EQUAL(frame_at(&b, parent, 0x601000), frame_at(&b, kid, 0x601000));
    CU_ASSERT_EQUAL(sim_frames(b.sim)->frames[frame_at(&b, parent, 0x600000)].refs, 2);
    CU_ASSERT_EQUAL(sim_frames(b.sim)->frames[frame_at(&b, parent, 0x601000)].refs, 1);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->cow_copies, 1);
    /* The parent's shared page is read-only now; its own copy stays writable. */
    Walk w;
    sim_peek(b.sim, parent, 0x600000, &w);
    CU_ASSERT_FALSE(w.flags & PTE_W);
    CU_ASSERT_EQUAL(parent->rss, 2);
    CU_ASSERT_EQUAL(kid->rss, 2);
    CU_ASSERT_EQUAL(sim_frames(b.sim)->in_use[FRAME_DATA], 3);
    box_close(&b);
}

static void test_exit_frees_only_what_is_not_shared(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *parent = box_open(&b, &m, "parent");
    CU_ASSERT_EQUAL(box_run(&b, "W 0x600000 8\nfork kid\nswitch kid\nexit\nswitch parent\n"
                                "W 0x600000 8\nexit\n"), STEP_END);
    CU_ASSERT_EQUAL(parent->state, PROC_EXITED);
    CU_ASSERT_EQUAL(by_name(&b, "kid")->state, PROC_EXITED);
    CU_ASSERT_EQUAL(frames_nfree(sim_frames(b.sim)), 64);          /* everything came back */
    CU_ASSERT_EQUAL(sim_stats(b.sim)->cow_copies, 0);       /* the last sharer reused it */
    box_close(&b);
}

static void test_brk_and_overcommit(void)
{
    MachineConfig m = small(64);
    m.memory.overcommit = 2;
    m.memory.overcommit_ratio = 50;
    m.swap.slots = 0;                                       /* CommitLimit = 32 pages */
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(p->committed, 16 + 2);                  /* heap 64K + stack 8K */
    CU_ASSERT_EQUAL(box_run(&b, "W 0x60f000 8\nbrk 0x608000\nbrk 0x620000\nbrk 0x612000\n"),
                    STEP_END);
    /* Shrinking unmapped the written page; growing to 0x620000 would need 24 pages
     * more than the 10 committed: refused; 0x612000 fits. */
    CU_ASSERT_EQUAL(p->rss, 0);
    CU_ASSERT_EQUAL(p->brk, 0x612000);
    CU_ASSERT_EQUAL(proc_find_vma(p, 0x611fff)->end, 0x612000);
    CU_ASSERT_PTR_NULL(proc_find_vma(p, 0x612000));
    CU_ASSERT_EQUAL(sim_stats(b.sim)->enomem, 1);
    CU_ASSERT_EQUAL(p->committed, 18 + 2);
    CU_ASSERT_EQUAL(sim_committed(b.sim), p->committed);
    CU_ASSERT_EQUAL(sim_commit_limit(b.sim), 32);
    box_close(&b);
}

static void test_mmap_munmap_mprotect(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "mmap 0x10000000 16K rw-\nW 0x10000000 8\nW 0x10003000 8\n"
                                "munmap 0x10001000 4K\nmprotect 0x10003000 4K r--\n"
                                "R 0x10003000 8\nW 0x10003000 8\n"), STEP_END);
    /* munmap split the region in two; mprotect split off its last page. */
    CU_ASSERT_EQUAL(proc_find_vma(p, 0x10000000)->end, 0x10001000);
    CU_ASSERT_PTR_NULL(proc_find_vma(p, 0x10001000));
    CU_ASSERT_EQUAL(proc_find_vma(p, 0x10002000)->end, 0x10003000);
    CU_ASSERT_EQUAL(proc_find_vma(p, 0x10003000)->perms, PTE_R);
    CU_ASSERT_EQUAL(p->state, PROC_KILLED);                 /* the write after mprotect */
    CU_ASSERT_EQUAL(sim_stats(b.sim)->segfaults, 1);
    box_close(&b);
}

static void test_munmap_frees_empty_tables(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "mmap 0x40000000 8K rw-\nW 0x40000000 8\n"), STEP_END);
    CU_ASSERT_EQUAL(p->pt_pages, 4);                        /* root, PDPT, PD, PT */
    trace_close(b.t);
    CU_ASSERT_EQUAL(box_run(&b, "munmap 0x40000000 8K\n"), STEP_END);
    CU_ASSERT_EQUAL(p->pt_pages, 1);                        /* PT, PD, PDPT emptied and went */
    CU_ASSERT_EQUAL(p->rss, 0);
    box_close(&b);
}

static void test_call_ret_and_stack(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "call 256\ncall 8192\nret\n"), STEP_END);
    CU_ASSERT_EQUAL(p->sp, 0x7ffffffff000 - 256);
    CU_ASSERT_EQUAL(proc_find_vma(p, 0x7ffffffff000 - 256 - 8192)->kind, VMA_STACK);   /* grew */
    CU_ASSERT_EQUAL(p->ncalls, 1);
    trace_close(b.t);
    CU_ASSERT_EQUAL(box_run(&b, "call 1M\n"), STEP_END);   /* past the 64K limit */
    CU_ASSERT_EQUAL(p->state, PROC_KILLED);
    box_close(&b);
}

/* A record the OS side refuses is bad input: the message names the trace and its line
 * ("FILE:LINE: what"), as the reader's own messages do. */
static void test_refused_record_names_line(void)
{
    MachineConfig m = small(64);
    Box b;
    box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "call 16\nret\nret\n"), STEP_ERROR);
    CU_ASSERT_STRING_EQUAL(sim_error(b.sim), "t:3: ret without a call in process 'p'");
    box_close(&b);
}

typedef struct Notes {
    int notes;
} Notes;

static void count_notes(void *ctx, const SimEvent *ev)
{
    ((Notes *)ctx)->notes += ev->kind == EV_NOTE;
}

static void test_malloc_free(void)
{
    MachineConfig m = small(64);
    Box b;
    Process *p = box_open(&b, &m, "p");
    p->brk_start = p->brk = 0x700000;                       /* an empty heap, above the box's */
    Notes n = { 0 };
    sim_set_observer(b.sim, count_notes, &n);
    CU_ASSERT_EQUAL(box_run(&b, "malloc 100 as a\nmalloc 100 as b\nfree a\nW @a+8 8\n"
                                "malloc 40 as c\nfree c\nfree c\n"), STEP_END);
    /* First fit: c reuses a's chunk; a was 100 -> 112 + 16 header. */
    CU_ASSERT_EQUAL_FATAL(p->nblocks, 4);                   /* c, a's rest, b, the top */
    CU_ASSERT_EQUAL(p->blocks[0].addr, 0x700000);
    CU_ASSERT_STRING_EQUAL(p->blocks[0].name, "c");
    CU_ASSERT_EQUAL(p->blocks[1].addr, 0x700000 + 64);      /* c took 48 + 16 of a's 128 */
    CU_ASSERT_EQUAL(p->blocks[2].addr, 0x700000 + 128);
    CU_ASSERT_STRING_EQUAL(p->blocks[2].name, "b");
    CU_ASSERT_EQUAL(p->brk, 0x700000 + 0x21000);            /* 128K pad + the request, in pages */
    CU_ASSERT_EQUAL(n.notes, 1);                            /* the use after free */
    CU_ASSERT_EQUAL(p->state, PROC_KILLED);                 /* the double free */
    CU_ASSERT_STRING_EQUAL(p->exit_reason, "free(): double free detected in tcache 2");
    box_close(&b);
}

static void test_strict_alignment(void)
{
    MachineConfig m = small(64);
    m.strict_alignment = true;
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "R 0x600008 8\nW 0x600002 2\nR 0x600003 1\nR 0x600004 8\n"), STEP_END);
    CU_ASSERT_EQUAL(p->state, PROC_KILLED);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->bus_errors, 1);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->references, 3);       /* the last access never ran */
    box_close(&b);
}

/* Three processes fill memory; the OOM killer takes the one with the largest badness,
 * and after the kill the frames in use are exactly the survivors'. */
static void test_oom_in_a_running_machine(void)
{
    MachineConfig m = small(1024);
    m.swap.slots = 0;
    Box b;
    Process *a = box_open(&b, &m, "a");
    char err[128];
    Process *big = sim_add_process(b.sim, 0, "big", err, sizeof err);
    Process *adj = sim_add_process(b.sim, 0, "adj", err, sizeof err);
    Vma heap = { .start = 0x600000, .end = 0xe00000, .perms = PTE_R | PTE_W, .kind = VMA_HEAP };
    CU_ASSERT_EQUAL(sim_map(b.sim, big, &heap, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sim_map(b.sim, adj, &heap, err, sizeof err), 0);
    adj->oom_score_adj = 300;                               /* +300 with 1024 pages */
    a->oom_score_adj = -1000;
    CU_ASSERT_EQUAL(box_run(&b, "W 0x600000 8192\nswitch big\nW 0x600000 2457600\n"
                                "switch adj\nW 0x600000 1228800\nW 0x72c000 819200\n"), STEP_END);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->oom_kills, 1);
    CU_ASSERT_EQUAL(adj->state, PROC_KILLED);               /* 300 pages + 300 > 600 pages */
    CU_ASSERT_EQUAL(big->state, PROC_RUNNING);
    CU_ASSERT_EQUAL(a->state, PROC_RUNNING);
    const FramePool *fp = sim_frames(b.sim);
    CU_ASSERT_EQUAL(fp->in_use[FRAME_DATA], a->rss + big->rss);
    CU_ASSERT_EQUAL(fp->in_use[FRAME_TABLE], a->pt_pages + big->pt_pages);
    box_close(&b);
}

/* A 2 MiB region: one fault maps 512 aligned frames with one PD entry (PS set) and
 * one TLB entry; a fork shares it; the child's write copies all of it; munmap frees it. */
static void test_large_pages(void)
{
    MachineConfig m = small(2048);
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "mmap 0x40000000 2M rw- huge=2M\nW 0x40000000 8\nR 0x401ff000 8\n"
                                "fork q\nswitch q\nW 0x40000010 8\n"), STEP_END);
    const Process *q = by_name(&b, "q");
    Walk w;
    CU_ASSERT_EQUAL(sim_peek(b.sim, p, 0x40123456, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.shift, 21);
    CU_ASSERT_EQUAL(w.nread, 3);                            /* the PD entry is the leaf */
    CU_ASSERT_EQUAL(w.page_pfn % 512, 0);                   /* aligned to 2 MiB */
    CU_ASSERT_EQUAL(w.pfn, w.page_pfn + 0x123);
    CU_ASSERT_EQUAL(p->rss, 512);
    CU_ASSERT_EQUAL(q->rss, 512);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->huge_pages, 1);
    CU_ASSERT_EQUAL(sim_stats(b.sim)->tlb_hits, 1);         /* the second access, same entry */
    CU_ASSERT_EQUAL(sim_stats(b.sim)->cow_copies, 1);
    CU_ASSERT_NOT_EQUAL(frame_at(&b, p, 0x40000000), frame_at(&b, q, 0x40000000));
    CU_ASSERT_EQUAL(sim_frames(b.sim)->in_use[FRAME_DATA], 1024);
    trace_close(b.t);
    CU_ASSERT_EQUAL(box_run(&b, "switch p\nmunmap 0x40000000 2M\n"), STEP_END);
    CU_ASSERT_EQUAL(p->rss, 0);
    CU_ASSERT_EQUAL(sim_frames(b.sim)->in_use[FRAME_DATA], 512);   /* q's copy stays */
    box_close(&b);
}

/* Transparent huge pages: an aligned 2 MiB stretch of an anonymous region gets a large
 * page; without a free run of frames it falls back to base pages. */
static void test_transparent_huge_pages(void)
{
    MachineConfig m = small(1024);
    m.memory.thp = true;
    Box b;
    Process *p = box_open(&b, &m, "p");
    CU_ASSERT_EQUAL(box_run(&b, "mmap 0x40000000 4M rw-\nW 0x40000000 8\nW 0x40200000 8\n"), STEP_END);
    /* Frames 0..511 hold tables: only the run at 512 is free for the first. */
    Walk w;
    CU_ASSERT_EQUAL(sim_peek(b.sim, p, 0x40000000, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.shift, 21);
    CU_ASSERT_EQUAL(sim_peek(b.sim, p, 0x40200000, &w), WALK_OK);
    CU_ASSERT_EQUAL(w.shift, 12);                           /* fell back */
    CU_ASSERT_EQUAL(p->rss, 513);
    box_close(&b);
}


/* The frames of p's root table (four here) are aligned, p's own, and counted. */
static void check_root(Box *b, const Process *p)
{
    const FramePool *fp = sim_frames(b->sim);
    CU_ASSERT_EQUAL(p->root % 4, 0);
    for (pfn_t i = p->root; i < p->root + 4; i++) {
        CU_ASSERT_EQUAL(fp->frames[i].kind, FRAME_TABLE);
        CU_ASSERT_EQUAL(fp->frames[i].pid, p->pid);
        CU_ASSERT_EQUAL(fp->frames[i].level, 0);
    }
}

/* A root of 2^11 8-byte entries, 16 KiB (as RISC-V's Sv39x4 root, here on x86 entries
 * of 11,9,9,9 bits): each process's root takes an aligned run of four frames, all
 * counted in its table pages and sim_check's count, all freed when it ends; the
 * OOM killer's count leaves all four out (mm_pgtables_bytes never counts the root). */
static void test_root_of_four_pages(void)
{
    MachineConfig m = small(100);
    m.geo.arch = ARCH_CUSTOM;
    m.geo.level_bits[0] = 11;
    geo_update(&m.geo);
    m.swap.slots = 0;                                       /* totalpages: the 100 frames */
    CU_ASSERT_PTR_NULL_FATAL(machine_validate(&m, NULL));
    Box b;
    Process *parent = box_open(&b, &m, "parent");
    CU_ASSERT_EQUAL(parent->pt_pages, 4);
    CU_ASSERT_EQUAL(sim_frames(b.sim)->in_use[FRAME_TABLE], 4);
    check_root(&b, parent);
    CU_ASSERT_EQUAL(box_run(&b, "W 0x600000 8\nfork kid\nswitch kid\nW 0x601000 8\n"), STEP_END);
    const Process *kid = by_name(&b, "kid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(kid);
    check_root(&b, kid);
    CU_ASSERT_NOT_EQUAL(kid->root, parent->root);
    CU_ASSERT_EQUAL(parent->pt_pages, 7);                   /* root's 4, PDPT, PD, PT */
    CU_ASSERT_EQUAL(kid->pt_pages, 7);
    /* proc_oom_score: (1000 + (rss 1 + tables 3) * 1000 / 100 frames) * 2 / 3. */
    CU_ASSERT_EQUAL(sim_oom_score(b.sim, parent), (1000 + (1 + 3) * 1000 / 100) * 2 / 3);
    trace_close(b.t);
    CU_ASSERT_EQUAL(box_run(&b, "exit\nswitch parent\nexit\n"), STEP_END);
    CU_ASSERT_EQUAL(frames_nfree(sim_frames(b.sim)), 100);          /* all came back */
    box_close(&b);
}
void suite_procev(void);
void suite_procev(void)
{
    TEST_SUITE("procev",
        { "fork shares pages; a write copies for the writer only", test_fork_copy_on_write },
        { "exit frees what no one else maps", test_exit_frees_only_what_is_not_shared },
        { "brk grows and shrinks; overcommit 2 refuses", test_brk_and_overcommit },
        { "mmap, munmap splits, mprotect read-only", test_mmap_munmap_mprotect },
        { "munmap frees tables left empty", test_munmap_frees_empty_tables },
        { "call, ret and the stack's limit", test_call_ret_and_stack },
        { "a refused record names FILE:LINE", test_refused_record_names_line },
        { "malloc first fit, use after free, double free", test_malloc_free },
        { "strict alignment: SIGBUS", test_strict_alignment },
        { "the OOM killer in a running machine", test_oom_in_a_running_machine },
        { "large pages: one entry, fork, copy-on-write, munmap", test_large_pages },
        { "transparent huge pages and their fallback", test_transparent_huge_pages },
        { "a root table of four pages", test_root_of_four_pages });
}
