/* vmsim: the simulation engine.
 *
 * A Sim owns the machine: frames, page tables (inside frames), TLB, swap, processes
 * and the one random generator. It advances one step at a time: a step is one
 * translation (an access that straddles a page, or a lackey M, makes several) or one
 * process event from the trace. Faults, evictions and kills are results reported in
 * StepInfo and as events, never errors; errors are bad input (a malformed trace line)
 * and running out of memory with nothing left to evict.
 */
#ifndef VMSIM_SIM_H
#define VMSIM_SIM_H

#include "vmsim/event.h"
#include "vmsim/frames.h"
#include "vmsim/machine.h"
#include "vmsim/mmu.h"
#include "vmsim/proc.h"
#include "vmsim/swap.h"
#include "vmsim/trace.h"

typedef struct SimStats {
    uint64_t steps;           /* steps taken */
    uint64_t references;      /* translations (page references) */
    uint64_t tlb_hits, tlb_misses;  /* translated without a walk, or not */
    uint64_t stlb_hits;       /* of the hits: found in the second-level TLB */
    uint64_t page_faults;     /* minor + major */
    uint64_t minor_faults, major_faults;
    uint64_t evictions, writebacks, swap_ins, swap_outs;
    uint64_t segfaults, arch_faults, oom_kills;
    uint64_t cow_copies;      /* pages copied by copy-on-write faults */
    uint64_t bus_errors;      /* SIGBUS: misaligned accesses under strict alignment */
    uint64_t huge_pages;      /* large pages mapped */
    uint64_t enomem;          /* mmap/brk/fork refused with ENOMEM */
    uint64_t walks, walk_reads;     /* page walks, entries they read */
    uint64_t table_pages;     /* page-table pages allocated */
    uint64_t skipped;         /* trace events of dead processes */
    uint64_t cycles;          /* by the [timing] costs */
} SimStats;

typedef enum {
    STEP_OK,
    STEP_END,       /* the trace is over */
    STEP_ERROR,     /* bad input; sim_error() says file:line: what */
    STEP_HALT       /* the machine cannot go on (out of memory); sim_error() says why */
} StepStatus;

typedef enum {
    STEP_ACCESS,    /* a translation */
    STEP_SWITCH,    /* a context switch */
    STEP_SKIP,      /* an event of a process that is dead */
    STEP_EVENT      /* a process event: fork, exit, brk, mmap, malloc... */
} StepKind;

typedef struct StepInfo {
    uint64_t step;            /* 1-based */
    StepKind kind;
    int pid;
    AccessOp op;              /* R, W or X (an M is split into R then W) */
    vaddr_t va;
    paddr_t pa;               /* PADDR_NONE if the access did not complete */
    bool tlb_hit;
    bool modify;              /* one of an M record's translations (its R half or its W half) */
    bool no_tlb;              /* the access had no TLB to look in (tlb.entries = 0) */
    FaultKind fault;          /* FAULT_NONE if none */
    unsigned long line;       /* trace line */
    TraceKind event;          /* STEP_EVENT: which */
    int64_t result;           /* STEP_EVENT: what the call returned (an address, a pid, 0),
                                 or -errno (-12 ENOMEM, -22 EINVAL) */
} StepInfo;

typedef struct Sim Sim;

/* The TLBs a machine may have (a level with 0 entries is absent). */
typedef enum {
    SIM_DTLB,       /* first level: data, or unified when there is no ITLB */
    SIM_ITLB,       /* first level for instruction fetches */
    SIM_STLB,       /* second level, unified */
    SIM_TLBS
} SimTlb;

/* Creates a machine from m (copied). Returns NULL with err set if m is invalid or
 * host memory runs out. */
Sim *sim_create(const MachineConfig *m, char *err, size_t errlen);
void sim_destroy(Sim *s);   /* NULL is accepted */

/* Adds a process with an empty address space and its root page table. pid 0 picks the
 * next free pid. Returns NULL with err set for a duplicate name or pid, or no memory.
 * The first process added is the running one. */
Process *sim_add_process(Sim *s, int pid, const char *name, char *err, size_t errlen);

/* Maps a region into p. Returns 0, or -1 with err set (overlap, out of range). */
int sim_map(Sim *s, Process *p, const Vma *v, char *err, size_t errlen);

/* The region a trace of bare addresses runs in: the whole lower half of the address
 * space (all of it without sign extension), read-write-execute. */
Vma sim_whole_space(const Geometry *g);

/* The trace to run (not owned; must outlive the Sim or be replaced). */
void sim_set_trace(Sim *s, TraceReader *t);

/* Attaches an observer (NULL detaches). */
void sim_set_observer(Sim *s, SimObserver fn, void *ctx);
void sim_get_observer(const Sim *s, SimObserver *fn, void **ctx);

/* Takes one step. info (may be NULL) describes it when STEP_OK is returned. */
StepStatus sim_step(Sim *s, StepInfo *info);

/* Takes up to n steps as sim_step would, describing none of them: the statistics and
 * the machine end as after the same steps one by one, sooner when no observer listens.
 * STEP_OK after n steps; else how the last ended (STEP_END, STEP_HALT, STEP_ERROR),
 * sim_stats' steps telling how many were taken. */
StepStatus sim_run(Sim *s, uint64_t n);

/* Whether the machine stopped while it was set up (a process's root table found no
 * frame and nothing could be killed): every step returns STEP_HALT. */
bool sim_halted(const Sim *s);

/* The message for the last STEP_ERROR or STEP_HALT. */
const char *sim_error(const Sim *s);

const SimStats *sim_stats(const Sim *s);
const MachineConfig *sim_machine(const Sim *s);
const FramePool *sim_frames(const Sim *s);
const Tlb *sim_tlb(const Sim *s);   /* the first-level data (or unified) TLB */
const Tlb *sim_tlb_at(const Sim *s, SimTlb which);

/* The TLB a lookup for op goes to first: the instruction TLB for fetches when the TLB
 * is split, else the data (or unified) one; a miss there goes on to SIM_STLB. */
SimTlb sim_tlb_first(const Sim *s, AccessOp op);

/* Finds pid's entry for va along op's lookup path (the first level, then the STLB)
 * without changing anything: sets *which, *set and *way. False when none holds it. */
bool sim_tlb_probe(const Sim *s, int pid, vaddr_t va, AccessOp op, SimTlb *which, unsigned *set,
                   unsigned *way);
const Swap *sim_swap(const Sim *s);
const Policy *sim_policy(const Sim *s);
size_t sim_nprocs(const Sim *s);
const Process *sim_proc(const Sim *s, size_t i);
const Process *sim_proc_by_pid(const Sim *s, int pid);
/* Whether q's page tables map the data page in pfn (at the frame's address). */
bool sim_maps_frame(const Sim *s, const Process *q, pfn_t pfn);
const Process *sim_current(const Sim *s);   /* NULL before any process exists */

/* A deep copy of the whole machine state, sharing the trace reader (whose position is
 * not part of the copy: see TracePos) and with no observer. NULL when out of memory. */
Sim *sim_clone(const Sim *s);

/* Reads the entry chain for va in p's tables without side effects (for display). */
WalkStatus sim_peek(const Sim *s, const Process *p, vaddr_t va, Walk *w);

/* /proc/PID/oom_score of p (0 for unkillable or dead processes), and the totalpages
 * the OOM killer scales by (RAM frames + swap slots). */
unsigned sim_oom_score(const Sim *s, const Process *p);
uint64_t sim_totalpages(const Sim *s);

/* Whether the machine has any TLB (a level with entries). */
bool sim_has_tlb(const Sim *s);
/* Whether the machine can map a page of 2^shift bytes (a leaf level of that size). */
bool sim_has_page_shift(const Sim *s, unsigned shift);

/* CommitLimit (RAM * overcommit_ratio / 100 + swap) and Committed_AS, in pages. */
uint64_t sim_commit_limit(const Sim *s);
uint64_t sim_committed(const Sim *s);
/* vm.user_reserve_kbytes: the key's value, or the kernel's default for the machine. */
uint64_t sim_user_reserve_kbytes(const Sim *s);

/* Checks the bookkeeping (frames per owner against each process's rss and table
 * pages, free counts). Returns NULL or a static message describing the mismatch. */
const char *sim_check(const Sim *s);

#endif
