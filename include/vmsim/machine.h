/* vmsim: a machine's configuration, as [machine], [tlb], [memory], [swap] and
 * [timing] in an INI file set it. Plain data: the config loader fills it, the Sim
 * reads it. */
#ifndef VMSIM_MACHINE_H
#define VMSIM_MACHINE_H

#include "vmsim/arch.h"
#include "vmsim/limits.h"
#include "vmsim/policy.h"
#include "vmsim/tlb.h"

#define SWAP_UNLIMITED UINT64_MAX
#define USER_RESERVE_AUTO UINT64_MAX

typedef struct MachineConfig {
    Geometry geo;
    struct {
        unsigned entries;          /* 0 = no TLB */
        unsigned ways;             /* 0 = fully associative */
        TlbPolicy policy;
        bool asid;                 /* tags entries with the process; else flush on switch */
    } tlb;                         /* the first-level TLB: data, or unified */
    struct {
        unsigned entries;          /* 0 = instruction fetches use [tlb] (unified) */
        unsigned ways;
        TlbPolicy policy;
    } itlb, stlb;                  /* split instruction TLB; second-level (unified) TLB */
    struct {
        uint64_t frames;           /* RAM frames */
        PolicyKind policy;
        bool separate_tables;      /* page tables outside RAM (textbook exercises) */
        bool local;                /* victims only among the faulting process's pages */
        uint64_t tick;             /* references between timer ticks (nru, aging); 0 = none */
        uint64_t tau;              /* wsclock working-set window, in references */
        OptTies opt_ties;          /* opt: which of equal next uses is evicted */
        unsigned overcommit;       /* vm.overcommit_memory: 0 heuristic, 1 always, 2 never */
        unsigned overcommit_ratio; /* vm.overcommit_ratio, percent of RAM (mode 2) */
        uint64_t user_reserve_kbytes; /* vm.user_reserve_kbytes (mode 2); USER_RESERVE_AUTO:
                                         the kernel's default for the machine's size */
        bool thp;                  /* transparent huge pages: always (true) or never */
    } memory;
    struct {
        bool panic_on_oom;         /* vm.panic_on_oom: stop the machine instead of killing */
    } oom;
    bool strict_alignment;         /* a misaligned access is a bus error (SIGBUS) */
    struct {
        uint64_t slots;            /* SWAP_UNLIMITED, or a count (0 = no swap) */
    } swap;
    struct {                       /* cycle costs */
        uint64_t tlb;              /* a TLB lookup */
        uint64_t memory;           /* a memory access, also each entry a walk reads */
        uint64_t minor_fault;      /* kernel time for a demand-zero fault */
        uint64_t major_fault;      /* a page read from disk or swap */
    } timing;
    uint64_t seed;
} MachineConfig;

/* The built-in default machine: x86_64, 64-entry 4-way LRU TLB with ASIDs, 256 frames
 * under LRU, page tables in RAM, unlimited swap, seed 1. */
void machine_default(MachineConfig *m);

/* Checks the whole configuration. Returns NULL, or a static message saying what is
 * wrong with *key (when key is not NULL) set to the setting at fault ("memory.frames"). */
const char *machine_validate(const MachineConfig *m, const char **key);

#endif
