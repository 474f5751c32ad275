/* vmsim: the engine's private parts, shared by the top of sim/core (sim.c: steps;
 * translate.c: translation) and the operating system's files in sim/core/os/.
 * Not part of the public API: include/vmsim/sim.h is. */
#ifndef VMSIM_SIM_INT_H
#define VMSIM_SIM_INT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmsim/future.h"
#include "vmsim/sim.h"

/* The translations left from the current trace record: pages first..last, once per op. */
/* An access the OS makes for an event (a stack frame for call, a malloc header). */
typedef struct SubAccess {
    AccessOp op;
    vaddr_t addr;
    uint32_t size;
} SubAccess;

#define PEND_QUEUE 4
#define STACK_GUARD_PAGES 256     /* Linux's stack_guard_gap: 256 pages */
#define NO_POS UINT64_MAX         /* a translation with no place in the trace's future */

/* An entry the trace wrote by hand (isa.c): what the OS had there, put back when its
 * process is released unless the OS has written the entry since. */
#define ISA_HAND_MAX 64
typedef struct HandPte {
    int pid;                  /* -1 once restored */
    paddr_t pa;
    pte_t old, now;
} HandPte;

typedef struct Pending {
    SubAccess queue[PEND_QUEUE];  /* accesses to start after the current one */
    unsigned nq, qi;
    int active;
    AccessOp ops[2];
    unsigned nops, opi;
    vpn_t first, last, cur;
    vaddr_t addr;             /* the record's address, for its first page */
    unsigned long line;
    uint64_t pos0;            /* reference position of its first translation */
} Pending;

struct Sim {
    MachineConfig m;
    Geometry geo;             /* = m.geo, kept at hand */
    FramePool fp;
    Policy *policy;
    bool needs_future;     /* the policy is told next uses (opt): the Sim reads ahead */
    Tlb tlb[SIM_TLBS];        /* data (or unified), instruction, second level */
    Swap swap;
    Rng rng;
    Process **procs;          /* pointers stay valid as processes are added */
    size_t nprocs, capprocs;
    Process *cur;
    int next_pid;
    TraceReader *trace;
    const char *trace_file;   /* its name, for the OS side's messages (sim_line_err) */
    /* sim_kernel_access, set by sim_create: the OS (isa.c's trace op kernel) reaches
     * translation, above it, through this pointer rather than a call up */
    StepStatus (*kernel_access)(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info);
    Pending pend;
    SimObserver observer;
    const char *tlb_why;      /* why the TLB entries being flushed now go */
    bool releasing;           /* mm_release is unmapping a whole process */
    void *obs_ctx;
    SimStats stats;
    uint64_t ref_pos;         /* positions handed out to the trace's translations so far */
    uint64_t cur_pos;         /* position of the translation under way */
    uint64_t since_tick;      /* references since the last timer tick */
    Future *future;           /* next uses, for opt; shared by clones (refs) */
    uint64_t committed;       /* pages charged to every process (Committed_AS) */
    bool no_os;               /* a memory image: faults are reported, never handled */
    WalkCache walk_cache;     /* the upper levels of the last walk (mmu_walk_cached) */
    char (*unborn)[TRACE_NAME_MAX];  /* children whose fork failed: a switch skips */
    size_t nunborn;
    bool halted;              /* memory ran out while processes were added: no step runs */
    uint32_t trace_proc;      /* the running process's number in the trace + 1 (cs1550),
                                 0 none yet: a line of another number switches */
    bool nobody;              /* the last switch named an unborn child: skip until the next */
    char nobody_why[TRACE_NAME_MAX + 48];   /* says so, for the skipped steps */
    pfn_t loaded;             /* the frame the translation under way loaded, or PFN_NONE:
                                 insert counted its reference, so it is not touched */
    bool kernel;              /* the translation under way is a supervisor-mode access */
    unsigned nhand;           /* entries written by hand (trace op pte), in hand[] */
    HandPte hand[ISA_HAND_MAX];
    char err[512];
};



typedef enum { FIX_RETRY, FIX_KILLED, FIX_HALT, FIX_FALLBACK } FixResult;

/* The prototypes below go by the file that defines them, from the top of the machine
 * down; a file calls only those below it (make check-layers):
 *   sim.c (steps) -> translate.c, check.c          the top: sim/core/
 *   os/procev.c, os/procs.c                        process events, the process table
 *   os/fault.c -> os/isa.c -> os/signal.c          the fault handler, ISA lessons, kills
 *   os/mm.c -> os/reclaim.c -> os/oom.c            tables grown, reclaim and the OOM kill,
 *   os/pgtable.c                                   Linux's OOM arithmetic, table queries
 *   os/tlbflush.c, os/kernel.c, os/queue.c         the lowest helpers
 *   hw/ and os/policy/                             the leaves */

/* ---- translate.c: the TLB levels and the walk ---- */

/* One translation of va for op (R, W or X) by process p: the TLB, the walk, the OS's
 * fault handler and a retry. Fills info; STEP_HALT with s->err set if the machine
 * cannot go on. */
StepStatus translate_access(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info);
/* translate_access for sim_run, which keeps no StepInfo: a hit in the first-level TLB
 * with no observer is counted here, anything else goes to translate_access. The
 * statistics are the same either way. */
StepStatus translate_quick(Sim *s, Process *p, vaddr_t va, AccessOp op);
/* One translation of va for op by p in supervisor mode (trace op kernel). isa.c calls
 * it through s->kernel_access. */
StepStatus sim_kernel_access(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info);

/* ---- os/procev.c: process events ---- */

/* Carries out a process event record. */
StepStatus procev_step(Sim *s, const TraceRecord *rec, StepInfo *info);
/* Resolves an access to @NAME+OFF into an address (notes a use after free). Returns 0,
 * or -1 with s->err set when no block has that name. */
int procev_named(Sim *s, TraceRecord *rec);

/* ---- os/procs.c: the process table (sim_add_process, sim_map: vmsim/sim.h) ---- */

/* Removes p, never run, as if it had not been (a fork that failed): its memory is
 * freed without a kill event. */
void sim_forget_process(Sim *s, Process *p);
/* Makes p the running process: an EV_SWITCH, and the TLBs flushed (but global entries)
 * when p is another process and the machine has no ASIDs, as a CR3 write without PCIDs. */
void procs_switch(Sim *s, Process *p);
/* Before an access record that names its process (cs1550's PROCESS, rec->proc): finds
 * process "pN" or creates it (its whole address space mapped), switches to it (a dead
 * one is only made current, its lines skipped) and notes it in s->trace_proc. Its
 * events carry the coming step's number. STEP_OK; STEP_HALT with s->err set when no
 * frame holds the new process's root table; STEP_ERROR on a memory image (no OS). */
StepStatus procs_trace_enter(Sim *s, const TraceRecord *rec);

/* ---- os/fault.c: the page-fault handler ---- */

/* The operating system's page-fault handler (as Linux's do_user_addr_fault and
 * handle_mm_fault) for the failed walk w of va: find the VMA, check the access, map
 * the page. *fk says what kind of fault it was. */
FixResult fault_handle(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, FaultKind *fk);
/* No operating system (a memory image): reports the failed walk w as a fault at its
 * level and leaves the tables as they are. */
StepStatus image_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w,
                       StepInfo *info);

/* ---- os/isa.c: the ISA lessons' trace operations ---- */

/* The handlers, by kind; NULL for the others. */
typedef StepStatus (*IsaHandler)(Sim *, Process *, const TraceRecord *, StepInfo *);
extern const IsaHandler isa_handlers[TREC_COUNT];
/* A fault the OS did not expect (a hand-written entry's reserved bits, an upper level's
 * restriction, a supervisor access SMAP, SMEP or SUM refuses): the rule is logged, a user
 * access gets SIGSEGV, a kernel one an oops. FIX_FALLBACK: the usual handler's case. */
FixResult isa_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, FaultKind *fk);

/* ---- os/signal.c: fatal signals ---- */

/* Kills p with SIGSEGV for an access at va. */
FixResult kill_segv(Sim *s, Process *p, vaddr_t va, FaultKind fk, const char *why);
/* Ends p with a signal other than SIGSEGV (SIGBUS, SIGABRT): why is the reason. */
void kill_signal(Sim *s, Process *p, FaultKind fk, const char *why);

/* ---- os/mm.c: page tables grown on demand ---- */

/* A zeroed table page for p at level, its parent entry at parent_pte. */
pfn_t mm_new_table(Sim *s, Process *p, unsigned level, vaddr_t va, paddr_t parent_pte);
/* The address of va's leaf entry, making tables as needed; PADDR_NONE on failure. */
paddr_t mm_leaf_entry(Sim *s, Process *p, vaddr_t va);
/* The address of va's entry at level (tables made as needed), PADDR_NONE on failure or
 * when a large page already covers va above that level. */
paddr_t mm_entry_at(Sim *s, Process *p, vaddr_t va, unsigned level);

/* ---- os/reclaim.c: frames, eviction, the OOM kill ---- */

/* A free RAM frame (a table's when table), evicting or OOM-killing as needed.
 * PFN_NONE with s->err set when the machine cannot go on. */
pfn_t mm_get_frame(Sim *s, bool table);
/* n free frames in an aligned run for a large page, evicting if need be; PFN_NONE if
 * none can be had. */
pfn_t mm_get_run(Sim *s, size_t n);
/* n frames in an aligned run for a root table of n pages (geo_table_pages), evicting
 * or OOM-killing as needed. PFN_NONE with s->err set when none can be had. */
pfn_t mm_get_table_run(Sim *s, size_t n);
/* True if the data page in pfn can leave memory now (clean, or swap to write it to). */
bool mm_evictable(const Sim *s, pfn_t pfn);
/* Evicts the page in pfn. 0, or -1 when it needed swap and swap is full. */
int mm_evict(Sim *s, pfn_t pfn);
/* The OOM killer: kills the process with the largest badness. Returns 1 when one was
 * killed, 0 when none can be (s->err set), -1 on panic_on_oom (s->err set). */
int oom_kill(Sim *s);

/* ---- os/oom.c: Linux's OOM arithmetic and overcommit ---- */

/* p's oom_badness() now; OOM_UNKILLABLE for a process that has ended. */
int64_t oom_task_badness(const Sim *s, const Process *p);
/* get_mm_rss(): the resident pages the kernel counts for p (hugetlb left out). */
uint64_t oom_kernel_rss(const Process *p);
/* mm_pgtables_bytes() / PAGE_SIZE: p's table pages but the root's. */
uint64_t oom_kernel_pt_pages(const Sim *s, const Process *p);
/* Whether p may commit pages more (vm.overcommit_memory); p may be NULL. */
bool vm_enough_memory(Sim *s, const Process *p, uint64_t pages);
/* Whether v, with permissions perms, is charged to Committed_AS: a private writable
 * mapping (VM_ACCOUNT, hugetlb aside), or a shared anonymous one whose shmem object
 * this process made (shmem_zero_setup -> shmem_acct_size). */
bool vm_accountable(const Vma *v, unsigned perms);
/* Whether v's pages are in Committed_AS now: a private mapping's VM_ACCOUNT, a shared
 * anonymous one's shmem charge. */
bool vm_charged(const Vma *v);
/* Charges (or, negative, uncharges) pages to p's commitment. */
void vm_charge(Sim *s, Process *p, int64_t pages);

/* ---- os/pgtable.c: table queries, the reverse map, unmapping, release ---- */

/* Called for each leaf entry (a page, or a swap entry) of p in [lo, hi). */
typedef void (*LeafFn)(Sim *s, Process *p, vaddr_t va, paddr_t pte_pa, pte_t pte, void *ctx);
void mm_for_each_leaf(Sim *s, Process *p, vaddr_t lo, vaddr_t hi, LeafFn fn, void *ctx);
/* Calls fn for every live process mapping the data frame pfn, with its entry's address. */
void mm_for_each_mapper(Sim *s, pfn_t pfn, void (*fn)(Sim *, Process *, pfn_t, paddr_t, void *),
                        void *ctx);
/* The table frame holding the entry at pa (inline: every fault and eviction counts
 * its table's entries). */
static inline Frame *mm_table_of(Sim *s, paddr_t pa)
{
    return &s->fp.frames[pa >> s->geo.page_shift];
}
/* The flags of an entry pointing at a table. */
unsigned mm_table_flags(const Sim *s);
/* Frames of the page starting at pfn (1, or a large page's count). */
uint32_t mm_span(const Sim *s, pfn_t pfn);
/* p no longer maps the data frame pfn; it is freed when no one does. */
void mm_drop_frame(Sim *s, Process *p, pfn_t pfn);
/* Unmaps p's pages and swap entries in [lo, hi) and frees tables left empty. Returns
 * the pages that were resident. */
uint64_t mm_unmap(Sim *s, Process *p, vaddr_t lo, vaddr_t hi);
/* Unmaps p's resident pages in [lo, hi), keeping its swap entries. Returns them. */
uint64_t mm_unmap_present(Sim *s, Process *p, vaddr_t lo, vaddr_t hi);
/* Puts back what the OS had in the entries written by hand (isa.c) in p's tables. */
void isa_restore(Sim *s, const Process *p);
/* Frees all p holds: frames (or its share of them), tables, swap, TLB entries. */
void mm_release(Sim *s, Process *p);

/* ---- os/tlbflush.c: TLB shootdown ---- */

/* Invalidation in every TLB. */
void tlbs_flush_page(Sim *s, vaddr_t va, uint32_t asid);
void tlbs_flush_asid(Sim *s, uint32_t asid);
/* As tlbs_flush_page and tlbs_flush_asid; each entry dropped is an EV_TLB_DROP event
 * whose detail is why (a constant string). The page's returns the entries dropped. */
unsigned tlbs_invalidate_page(Sim *s, vaddr_t va, uint32_t asid, const char *why);
void tlbs_invalidate_asid(Sim *s, uint32_t asid, const char *why);
/* Drops every entry (but global ones when keep_global), saying why; returns how many. */
unsigned tlbs_flush_all(Sim *s, bool keep_global, const char *why);

/* ---- os/kernel.c: the lowest helpers ---- */

/* Formats a message into err (len bytes); NULL err is ignored. */
void sim_fmt_err(char *err, size_t len, const char *fmt, ...);
/* Sets the Sim's error to "TRACE:LINE: message" (printf-style), naming the trace's file
 * as its reader does, for a record the OS side refuses. */
void sim_line_err(Sim *s, unsigned long line, const char *fmt, ...);
/* The process with pid (or name), or NULL. */
Process *proc_by_pid(const Sim *s, int pid);
Process *proc_by_name(const Sim *s, const char *name);
/* The permission bits Linux writes in an entry for a region with perms (PTE_R W X):
 * on RISC-V, write implies read. */
unsigned sim_pte_perms(const Sim *s, unsigned perms);
/* Whether a fork of name failed (or was skipped). */
bool sim_is_unborn(const Sim *s, const char *name);
/* Remembers that name's fork failed, so a switch to it is a skip, not an error. */
void sim_note_unborn(Sim *s, const char *name);

/* ---- os/queue.c: the access under way, and the OS's queue behind it ---- */

/* The pages an access record touches and the ops it makes of them (M: read then
 * write). Returns the number of ops. */
unsigned queue_span(const Sim *s, const TraceRecord *rec, vpn_t *first, vpn_t *last,
                    AccessOp ops[2]);
/* Makes rec the access under way. Records of the trace take the next reference
 * positions (opt's future knows them); the OS's own accesses take none. */
void queue_begin(Sim *s, const TraceRecord *rec, bool positioned);
/* Queues an access the OS makes on the running process's behalf. */
void queue_access(Sim *s, AccessOp op, vaddr_t addr, uint64_t size, unsigned long line);

#define EMIT(s, ...)                                                      \
    do {                                                                  \
        if ((s)->observer) {                                              \
            SimEvent ev_ = { .step = (s)->stats.steps, __VA_ARGS__ };     \
            (s)->observer((s)->obs_ctx, &ev_);                            \
        }                                                                 \
    } while (0)

#endif
