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
static uint64_t kernel_pt_pages(const Process *p)
{
    return p->pt_pages - (p->root != PFN_NONE && p->pt_pages > 0);
}

/* get_mm_rss(): MM_ANONPAGES + MM_FILEPAGES + MM_SHMEMPAGES. hugetlbfs pages are
 * charged to mm->hugetlb_usage instead (hugetlb_no_page), so they are left out. */
static uint64_t kernel_rss(const Process *p)
{
    return p->rss - p->hugetlb;
}

static int64_t badness_of(const Sim *s, const Process *p)
{
    if (p->state != PROC_RUNNING)
        return OOM_UNKILLABLE;
    return oom_badness(kernel_rss(p), p->swap, kernel_pt_pages(p), p->oom_score_adj,
                       sim_totalpages(s));
}

unsigned sim_oom_score(const Sim *s, const Process *p)
{
    return oom_score(badness_of(s, p), sim_totalpages(s));
}

/* get_mm_counter()'s MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES. */
typedef struct RssSplit {
    uint64_t anon, file, shmem;
} RssSplit;

/* Which counter a resident page of p at va counts in (mm_counter()): a shared anonymous
 * mapping's pages are shmem; a file mapping's pages are file pages, except a private
 * mapping's written copy (do_cow_fault made it anonymous); everything else is anon. */
static void split_leaf(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    (void)pa;
    RssSplit *c = ctx;
    if (!(pte_flags(&s->geo, pte) & PTE_V))
        return;
    pfn_t pfn = pte_pfn(&s->geo, pte);
    const Frame *f = &s->fp.frames[pfn];
    const Vma *v = proc_find_vma(p, va);
    uint64_t n = mm_span(s, pfn);
    if (v && v->huge_shift)
        return;                            /* hugetlb_usage, not rss */
    if (v && v->shared && !v->file)
        c->shmem += n;
    else if (v && v->file && (v->shared || (f->file && !f->dirty && f->swap_slot < 0)))
        c->file += n;
    else
        c->anon += n;
}

/* One line of the report; victim is the pid a kill line names (else 0). */
static void say_line(Sim *s, OomLine kind, int victim, const char *line)
{
    EMIT(s, .kind = EV_OOM, .pid = s->cur ? s->cur->pid : 0, .oom = kind, .victim_pid = victim, .detail = line);
}

/* pages in kB, as the kernel's K(): page sizes under 1 KiB round down. */
static unsigned long long kb(const Sim *s, uint64_t pages)
{
    return (unsigned long long)((pages << s->geo.page_shift) >> 10);
}

static void say(Sim *s, const char *line) { say_line(s, OOM_REPORT, 0, line); }

/* The task table the kernel prints before a kill (dump_tasks). */
static void dump_tasks(Sim *s)
{
    char line[256];
    say(s, "Tasks state (memory values in pages):");
    say(s, "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
    for (size_t i = 0; i < s->nprocs; i++) {
        const Process *p = s->procs[i];
        if (p->state != PROC_RUNNING)
            continue;
        snprintf(line, sizeof line, "[%7d] %5d %5d %8llu %8llu %8llu %8llu         %5d %s",
                 p->pid, 0, p->pid,
                 (unsigned long long)(proc_total_vm(p) >> s->geo.page_shift),
                 (unsigned long long)kernel_rss(p),
                 (unsigned long long)(kernel_pt_pages(p) << s->geo.page_shift),
                 (unsigned long long)p->swap, p->oom_score_adj, p->name);
        say(s, line);
    }
}

/* dump_header(): who asked, then the task table. */
static void dump_header(Sim *s)
{
    char line[160];
    snprintf(line, sizeof line, "%s invoked oom-killer: order=0, oom_score_adj=%d",
             s->cur ? s->cur->name : "kernel", s->cur ? s->cur->oom_score_adj : 0);
    say(s, line);
    dump_tasks(s);
}

/* The kill itself, in the kernel's words (__oom_kill_process). */
static void kill_victim(Sim *s, Process *p)
{
    RssSplit c = { 0, 0, 0 };
    mm_for_each_leaf(s, p, 0, UINT64_MAX, split_leaf, &c);
    snprintf(p->exit_reason, sizeof p->exit_reason,
             "Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, "
             "file-rss:%llukB, shmem-rss:%llukB, UID:0 pgtables:%llukB oom_score_adj:%d",
             p->pid, p->name, (unsigned long long)(proc_total_vm(p) >> 10), kb(s, c.anon),
             kb(s, c.file), kb(s, c.shmem), kb(s, kernel_pt_pages(p)), p->oom_score_adj);
    say_line(s, OOM_KILLED, p->pid, p->exit_reason);
    p->state = PROC_KILLED;
    s->stats.oom_kills++;
    mm_release(s, p);
}

static void why(Sim *s, const char *line) { say_line(s, OOM_WHY, 0, line); }

/* Why reclaim failed: what the frames hold, counted as the eviction path sees them. */
static void why_no_reclaim(Sim *s)
{
    uint64_t tables = 0, stuck = 0, other = 0;
    for (pfn_t f = 0; f < s->fp.nframes; f++) {
        const Frame *fr = &s->fp.frames[f];
        if (fr->kind == FRAME_TABLE)
            tables++;
        else if (fr->kind == FRAME_DATA && !mm_evictable(s, f))
            stuck++;
        else if (fr->kind != FRAME_FREE)
            other++;
    }
    char line[256], sw[64] = "unlimited";
    if (s->swap.limit != SWAP_UNLIMITED)
        snprintf(sw, sizeof sw, "%llu of %llu slots used", (unsigned long long)s->swap.used,
                 (unsigned long long)s->swap.limit);
    snprintf(line, sizeof line, "no frame could be reclaimed: of %llu frames, %llu hold page tables "
             "(never evicted), %llu hold dirty pages with no swap slot to go to (swap: %s), %llu others",
             (unsigned long long)s->fp.nframes, (unsigned long long)tables, (unsigned long long)stuck, sw,
             (unsigned long long)other);
    why(s, line);
}

/* Each candidate's oom_badness() as its sum; -1000 is unkillable. */
static void why_badness(Sim *s, const int64_t *badness)
{
    char line[320];
    uint64_t total = sim_totalpages(s);
    for (size_t i = 0; i < s->nprocs; i++) {
        const Process *p = s->procs[i];
        if (p->state != PROC_RUNNING)
            continue;
        if (badness[i] == OOM_UNKILLABLE)
            snprintf(line, sizeof line, "%s (pid %d): unkillable (oom_score_adj -1000)", p->name, p->pid);
        else
            snprintf(line, sizeof line, "%s (pid %d): badness = rss %llu + swap %llu + page tables %llu "
                     "+ oom_score_adj %d x (totalpages %llu / 1000) = %lld", p->name, p->pid,
                     (unsigned long long)kernel_rss(p), (unsigned long long)p->swap,
                     (unsigned long long)kernel_pt_pages(p), p->oom_score_adj, (unsigned long long)total,
                     (long long)badness[i]);
        why(s, line);
    }
}

/* The winner and the tie rule (select_bad_process keeps the last of equal scores). */
static void why_winner(Sim *s, const int64_t *badness, int victim)
{
    char line[256];
    if (victim < 0) {
        why(s, "every process is unkillable: nothing to kill");
        return;
    }
    int ties = 0;
    for (size_t i = 0; i < s->nprocs; i++)
        ties += badness[i] == badness[victim];
    snprintf(line, sizeof line, "%s has the highest badness (%lld)%s", s->procs[victim]->name,
             (long long)badness[victim], ties > 1 ? "; among equal ones the kernel keeps the last in "
             "its task list (select_bad_process: only a lower score is skipped)" : "");
    why(s, line);
}

/* out_of_memory(): check_panic_on_oom() first, then select_bad_process(); both a panic
 * and "no killable processes" come after dump_header(). */
int oom_kill(Sim *s)
{
    int64_t badness[s->nprocs ? s->nprocs : 1];
    for (size_t i = 0; i < s->nprocs; i++)
        badness[i] = badness_of(s, s->procs[i]);
    int victim = oom_select(badness, s->nprocs);
    dump_header(s);
    if (s->observer) {
        why_no_reclaim(s);
        why_badness(s, badness);
        if (!s->m.oom.panic_on_oom)
            why_winner(s, badness, victim);
    }
    if (s->m.oom.panic_on_oom) {
        sim_fmt_err(s->err, sizeof s->err,
                    "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled");
        say_line(s, OOM_PANIC, 0, s->err);
        return -1;
    }
    if (victim < 0) {
        say_line(s, OOM_NOTHING_KILLABLE, 0, "Out of memory and no killable processes...");
        sim_fmt_err(s->err, sizeof s->err, "Kernel panic - not syncing: System is deadlocked on memory");
        say_line(s, OOM_PANIC, 0, s->err);
        return 0;
    }
    kill_victim(s, s->procs[victim]);
    return 1;
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

void vm_charge(Sim *s, Process *p, int64_t pages)
{
    s->committed += (uint64_t)pages;
    p->committed += (uint64_t)pages;
}
