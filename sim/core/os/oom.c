/* The OOM killer (mm/oom_kill.c: oom_badness, select_bad_process, dump_tasks,
 * __oom_kill_process) and overcommit accounting (mm/util.c: __vm_enough_memory). */
#include "sim_int.h"

#include "vmsim/oom.h"

int64_t oom_badness(uint64_t rss, uint64_t swapents, uint64_t pt_pages, int oom_score_adj,
                    uint64_t totalpages)
{
    if (oom_score_adj == OOM_SCORE_ADJ_MIN)
        return OOM_UNKILLABLE;
    int64_t points = (int64_t)(rss + swapents + pt_pages);
    int64_t adj = (int64_t)oom_score_adj * (int64_t)(totalpages / 1000);
    return points + adj;
}

unsigned oom_score(int64_t badness, uint64_t totalpages)
{
    if (badness == OOM_UNKILLABLE || totalpages == 0)
        return 0;
    int64_t points = (1000 + badness * 1000 / (int64_t)totalpages) * 2 / 3;
    return points > 0 ? (unsigned)points : 0;
}

int oom_select(const int64_t *badness, size_t n)
{
    int chosen = -1;
    int64_t chosen_points = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        /* select_bad_process skips "points < chosen_points": a tie replaces. */
        if (badness[i] == OOM_UNKILLABLE || badness[i] < chosen_points)
            continue;
        chosen = (int)i;
        chosen_points = badness[i];
    }
    return chosen;
}

uint64_t sim_totalpages(const Sim *s)
{
    uint64_t swap = s->swap.limit == SWAP_UNLIMITED ? 0 : s->swap.limit;
    return s->fp.nframes + swap;
}

/* The kernel's page-table count, mm_pgtables_bytes() / PAGE_SIZE: the PTE, PMD and PUD
 * tables (mm_inc_nr_ptes/pmds/puds), never the root (pgd_alloc counts nothing). */
uint64_t oom_kernel_pt_pages(const Sim *s, const Process *p)
{
    uint64_t root = p->root != PFN_NONE ? geo_table_pages(&s->geo, 0) : 0;
    return p->pt_pages > root ? p->pt_pages - root : 0;
}

/* get_mm_rss(): MM_ANONPAGES + MM_FILEPAGES + MM_SHMEMPAGES. hugetlbfs pages are
 * charged to mm->hugetlb_usage instead (hugetlb_no_page), so they are left out. */
uint64_t oom_kernel_rss(const Process *p)
{
    return p->rss - p->hugetlb;
}

int64_t oom_task_badness(const Sim *s, const Process *p)
{
    if (!proc_on_task_list(p))
        return OOM_UNKILLABLE;
    return oom_badness(oom_kernel_rss(p), p->swap, oom_kernel_pt_pages(s, p), p->oom_score_adj,
                       sim_totalpages(s));
}

unsigned sim_oom_score(const Sim *s, const Process *p)
{
    return oom_score(oom_task_badness(s, p), sim_totalpages(s));
}
/* ---- overcommit ------------------------------------------------------------- */

uint64_t sim_commit_limit(const Sim *s)
{
    uint64_t swap = s->swap.limit == SWAP_UNLIMITED ? UINT64_MAX / 4 : s->swap.limit;
    return s->fp.nframes * s->m.memory.overcommit_ratio / 100 + swap;
}

uint64_t sim_user_reserve_kbytes(const Sim *s)
{
    if (s->m.memory.user_reserve_kbytes != USER_RESERVE_AUTO)
        return s->m.memory.user_reserve_kbytes;
    /* init_user_reserve(): min(free kB / 32, 128 MiB), free = every frame at boot. */
    uint64_t free_kb = (s->fp.nframes << s->geo.page_shift) >> 10;
    return free_kb / 32 < (1ull << 17) ? free_kb / 32 : 1ull << 17;
}

/* __vm_enough_memory() (mm/util.c): the request is charged first, then allowed only
 * while Committed_AS stays below the limit; in mode 2 the limit is CommitLimit less
 * min(total_vm / 32, user_reserve_kbytes) for the asking process. Processes run as
 * root (cap_vm_enough_memory), so no admin reserve is kept. No request, no check:
 * the kernel calls it only for something to charge. */
bool vm_enough_memory(Sim *s, const Process *p, uint64_t pages)
{
    if (pages == 0)
        return true;
    switch (s->m.memory.overcommit) {
    case 1:                                /* OVERCOMMIT_ALWAYS */
        return true;
    case 2: {                              /* OVERCOMMIT_NEVER */
        if (s->swap.limit == SWAP_UNLIMITED)
            return true;
        uint64_t reserve_bytes = sim_user_reserve_kbytes(s) << 10;
        uint64_t reserve = reserve_bytes >> s->geo.page_shift;
        uint64_t vm32 = p ? (proc_total_vm(p) >> s->geo.page_shift) / 32 : 0;
        int64_t allowed = (int64_t)sim_commit_limit(s) - (int64_t)(vm32 < reserve ? vm32 : reserve);
        return (int64_t)(s->committed + pages) < allowed;
    }
    default:                               /* OVERCOMMIT_GUESS: one request at a time */
        return pages <= sim_totalpages(s) || s->swap.limit == SWAP_UNLIMITED;
    }
}

bool vm_accountable(const Vma *v, unsigned perms)
{
    if (v->shared)                         /* shmem_acct_size(), whatever the permissions */
        return !v->file && v->shm_charged;
    /* accountable_mapping(): private and writable; hugetlbfs keeps its own reservations. */
    return (perms & PTE_W) && !v->huge_shift;
}

bool vm_charged(const Vma *v)
{
    return v->shared ? !v->file && v->shm_charged : v->accounted;
}

void vm_charge(Sim *s, Process *p, int64_t pages)
{
    s->committed += (uint64_t)pages;
    p->committed += (uint64_t)pages;
}

