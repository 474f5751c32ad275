/* vmsim: processes and their mappings (virtual memory areas).
 *
 * A VMA is a range [start, end) with permissions PTE_R/W/X and a kind. Text and data
 * are file-backed (their first touch reads the executable: a major fault); bss, heap,
 * stack and anonymous mmap regions are demand-zero (a minor fault). The stack grows
 * down: an access below it but within stack_limit of its top extends it.
 */
#ifndef VMSIM_PROC_H
#define VMSIM_PROC_H

#include "vmsim/types.h"

typedef enum {
    VMA_TEXT,
    VMA_DATA,
    VMA_BSS,
    VMA_HEAP,
    VMA_STACK,
    VMA_MMAP,
    VMA_KIND_COUNT
} VmaKind;

typedef struct Vma {
    vaddr_t start, end;    /* [start, end), page aligned */
    unsigned perms;        /* PTE_R | PTE_W | PTE_X */
    VmaKind kind;
    bool file;             /* file-backed: first touch reads from the file */
    bool shared;           /* MAP_SHARED: a fork shares it writable, no copy-on-write */
    uint8_t huge_shift;    /* large pages of 2^huge_shift bytes (0: base pages) */
    bool shm_charged;      /* shared anonymous: this process holds the shmem object's
                              commit charge (it made the mapping; a fork's copy does not) */
    bool accounted;        /* private: VM_ACCOUNT, its pages are in Committed_AS. Set when
                              it is mapped or made writable; mprotect never clears it */
} Vma;

#define PROC_NAME_MAX 64
#define BRK_NONE UINT64_MAX    /* a process with no program break */

typedef enum {
    PROC_RUNNING,
    PROC_KILLED,           /* by a signal: SIGSEGV, SIGBUS, SIGABRT or the OOM killer */
    PROC_EXITED            /* by an exit event */
} ProcState;

/* A malloc block: a chunk of the heap with a 16-byte header before its payload. */
typedef struct Block {
    char name[64];         /* the trace's name for it ("" for a free chunk never named) */
    char old[64];          /* the name it had before a later malloc reused it */
    vaddr_t addr;          /* the chunk's header; the payload starts 16 bytes later */
    uint64_t size;         /* the whole chunk, header included, a multiple of 16 */
    bool used;
    bool null;             /* a name malloc gave NULL to (ENOMEM): no chunk, kept first */
} Block;

typedef struct ProcStats {
    uint64_t references, faults, minor, major, tlb_hits, tlb_misses, evictions;
} ProcStats;

typedef struct Process {
    int pid;
    char name[PROC_NAME_MAX];
    ProcState state;
    bool building;         /* copy_process is still building its mm: not on the task list
                              yet, so the OOM killer neither lists nor chooses it */
    char exit_reason[320]; /* why it ended, in words (the kill line fits whole) */
    Vma *vmas;             /* sorted by start, non-overlapping */
    size_t nvmas, capvmas;
    vaddr_t stack_limit;   /* lowest address the stack may grow to (0 = no stack) */
    pfn_t root;            /* frame of the root page table (CR3 / satp), PFN_NONE if none */
    uint32_t asid;
    int oom_score_adj;
    uint64_t rss;          /* resident data pages (frames used, large pages included) */
    uint64_t hugetlb;      /* of rss: pages of huge= (hugetlbfs) mappings, which Linux
                              charges to hugetlb_usage, not to the rss counters */
    uint64_t swap;         /* pages in swap */
    uint64_t pt_pages;     /* page-table pages */
    uint64_t committed;    /* pages charged for overcommit (writable private mappings) */
    vaddr_t brk_start, brk;/* the heap: [brk_start, brk); BRK_NONE if the process has
                              none (0 is a valid heap address on small machines) */
    vaddr_t sp;            /* stack pointer for call/ret (the stack's top at start) */
    uint64_t *calls;       /* frame sizes pushed by call, popped by ret */
    size_t ncalls, capcalls;
    Block *blocks;         /* the heap's chunks in address order */
    size_t nblocks, capblocks;
    int parent;            /* pid of the process that forked it, 0 if none */
    ProcStats stats;
} Process;

/* Whether the OOM killer sees p: running and on the task list (for_each_process). */
static inline bool proc_on_task_list(const Process *p)
{
    return p->state == PROC_RUNNING && !p->building;
}

const char *vma_kind_name(VmaKind k);
bool vma_kind_parse(const char *name, VmaKind *out);

/* Sets up an empty process; name is copied (truncated to PROC_NAME_MAX-1). */
void proc_init(Process *p, int pid, const char *name);
void proc_fini(Process *p);

/* Adds a mapping. Returns 0, -1 if it overlaps an existing one or is empty, -2 when
 * out of memory. */
int proc_map(Process *p, const Vma *v);

/* The mapping containing va, or NULL. */
const Vma *proc_find_vma(const Process *p, vaddr_t va);

/* The stack VMA that may grow down to va: within the stack limit, and at least guard
 * bytes above the mapping below it (Linux's stack_guard_gap). NULL if none. */
Vma *proc_stack_for(Process *p, vaddr_t va, uint64_t guard);

/* Total mapped bytes (total-vm). */
uint64_t proc_total_vm(const Process *p);

/* Removes [lo, hi) from the mappings, splitting those it cuts. Returns 0, or -1 when
 * out of memory (nothing changed). */
int proc_unmap(Process *p, vaddr_t lo, vaddr_t hi);

/* Splits mappings at lo and hi so that [lo, hi) is covered by whole VMAs. Returns 0,
 * or -1 when out of memory. */
int proc_split(Process *p, vaddr_t lo, vaddr_t hi);

/* Copies everything of src but its memory into dst (VMAs, heap, calls, blocks). Returns
 * 0, or -1 when out of memory (dst then holds no arrays). */
int proc_copy(Process *dst, const Process *src);

#endif
