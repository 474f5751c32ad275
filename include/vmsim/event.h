/* vmsim: the event stream. Each step reports what happened inside it, in order, to
 * an observer callback; logs, the window and the grader are built on it. With no
 * observer attached nothing is built. */
#ifndef VMSIM_EVENT_H
#define VMSIM_EVENT_H

#include "vmsim/types.h"

typedef enum {
    EV_ACCESS,       /* a translation begins: pid, op, va */
    EV_TLB_HIT,      /* pfn, shift */
    EV_TLB_MISS,
    EV_WALK,         /* level, pte_pa, pte (value after A/D update) */
    EV_FAULT,        /* fault (FaultKind), level, detail; FAULT_COW: count the
                      * source frame, pfn the writer's frame (the same when reused) */
    EV_TABLE_ALLOC,  /* a page-table page: pfn, level; count frames (more than 1 for a
                        wide root: pfn is the first of its run) */
    EV_VICTIM,       /* the policy chose pfn, holding victim_pid's page victim_va */
    EV_WRITEBACK,    /* the victim was dirty: written to slot (-1: to its file) */
    EV_EVICT,        /* the victim's page is unmapped: pfn, victim_pid, victim_va */
    EV_SWAP_IN,      /* page read back from slot */
    EV_FRAME_ALLOC,  /* pfn now holds pid's page va */
    EV_MAP,          /* the entry at pte_pa now maps the page: pte */
    EV_TLB_FILL,     /* va, pfn, shift */
    EV_TLB_FLUSH,    /* count entries dropped (pid) */
    EV_TRANSLATED,   /* pa */
    EV_SEGV,         /* the process is killed: detail says why */
    EV_SKIP,         /* an event of a dead or unknown process is skipped (count 1: a
                        process that never existed, its fork having failed) */
    EV_SWITCH,       /* pid becomes the running process */
    EV_KILL,         /* process pid released its memory: count pages, level table pages */
    EV_OOM,          /* out of memory: detail is one line of the kernel's report */
    EV_SYSCALL,      /* a process event: detail says what and its result */
    EV_NOTE,         /* something the MMU cannot see (use after free): detail */
    EV_TLB_DROP,     /* one TLB entry invalidated: level = SimTlb, va (the page), shift,
                      * pfn, asid; detail says why (eviction, fork, mprotect...) */
    EV_COUNT         /* the number of kinds (new kinds go before it) */
} EventKind;

typedef enum {
    FAULT_NONE,
    FAULT_MINOR,         /* demand-zero page */
    FAULT_MAJOR,         /* page read from swap or a file */
    FAULT_SEGV_MAPERR,   /* no mapping at the address */
    FAULT_SEGV_ACCERR,   /* mapping forbids the access */
    FAULT_ARCH,          /* non-canonical address, reserved bit, misaligned superpage */
    FAULT_AD,            /* Svade: the OS sets A/D and retries */
    FAULT_COW,           /* a write to a page shared since fork: copied (or reused) */
    FAULT_SIGBUS,        /* a misaligned access with strict alignment */
    FAULT_SIGABRT,       /* the C library aborted the process (double free) */
    FAULT_UNHANDLED      /* a memory image has no OS: the walk's fault is only reported */
} FaultKind;

/* Which line of the kernel's out-of-memory report an EV_OOM event carries. */
typedef enum {
    OOM_REPORT,           /* "X invoked oom-killer", the task table */
    OOM_KILLED,           /* "Out of memory: Killed process ...": victim_pid was chosen */
    OOM_NOTHING_KILLABLE, /* "Out of memory and no killable processes...": the run stops */
    OOM_PANIC,            /* "Kernel panic - not syncing: ..." (panic_on_oom) */
    OOM_WHY               /* vmsim's explanation, not the kernel's: why nothing could be
                           * reclaimed, each candidate's badness sum, the winner */
} OomLine;

typedef struct SimEvent {
    EventKind kind;
    uint64_t step;
    int pid;
    AccessOp op;
    vaddr_t va;
    paddr_t pa;
    unsigned level;
    unsigned shift;
    paddr_t pte_pa;
    pte_t pte;
    pfn_t pfn;
    int victim_pid;
    vaddr_t victim_va;
    int64_t slot;
    uint64_t count;
    FaultKind fault;
    OomLine oom;          /* EV_OOM: which line detail is */
    uint32_t asid;        /* EV_TLB_DROP: the entry's address-space id */
    const char *detail;   /* valid during the callback only */
} SimEvent;

typedef void (*SimObserver)(void *ctx, const SimEvent *ev);

const char *event_kind_name(EventKind k);
const char *fault_kind_name(FaultKind f);

#endif
