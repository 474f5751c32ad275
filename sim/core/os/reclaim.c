/* Reclaim: frames for pages and tables, eviction (write-back, swap-out, the policy's
 * choice), a contiguous run for a large page, and, when nothing can be freed, the OOM
 * kill (mm/oom_kill.c's out_of_memory; the arithmetic is oom.c's). */
#include "sim_int.h"
#include "vmsim/describe.h"
#include "vmsim/oom.h"

/* Whether the data frame f holds a page of a shared file mapping: its dirty data goes
 * back to the file, never to swap (shrink_folio_list() gives swap to anonymous folios
 * only; a dirty file folio is written by pageout()). */
static bool shared_file_page(const Sim *s, const Frame *f)
{
    if (!f->file)
        return false;
    const Process *owner = proc_by_pid(s, f->pid);
    const Vma *v = owner ? proc_find_vma(owner, f->va) : NULL;
    return v && v->file && v->shared;
}

/* Where a victim's page goes: a swap slot if it must be saved, else nowhere.
 * Returns the slot, -1 for "drop it" (a dirty shared file page is written to its
 * file first), or -2 when it must be saved and swap is full. */
static int64_t victim_slot(Sim *s, Frame *f)
{
    if (!f->dirty || f->swap_slot >= 0 || shared_file_page(s, f))
        return f->swap_slot;               /* clean: the file or the slot has it */
    int64_t slot = swap_alloc(&s->swap);
    return slot >= 0 ? slot : -2;
}

typedef struct Unmap {
    int64_t slot;
    int mappers;
} Unmap;

/* One mapper's entry becomes a swap entry (or empty). The frame's hold on the slot
 * passes to the first mapper; each further mapper takes one more. */
static void unmap_one(Sim *s, Process *q, pfn_t pfn, paddr_t pte_pa, void *ctx)
{
    Unmap *u = ctx;
    Frame *f = &s->fp.frames[pfn];
    pte_t npte = u->slot >= 0 ? swap_entry_encode(&s->geo, u->slot) : 0;
    mem_write(&s->fp, pte_pa, s->geo.pte_size, npte);
    if (npte == 0)
        mm_table_of(s, pte_pa)->used--;
    else if (u->mappers > 0)
        swap_ref(&s->swap, u->slot);
    u->mappers++;
    q->rss--;
    q->swap += u->slot >= 0;
    q->stats.evictions++;
    tlbs_invalidate_page(s, f->va, q->asid, "its page was evicted");
    EMIT(s, .kind = EV_EVICT, .pfn = pfn, .victim_pid = q->pid, .victim_va = f->va,
         .pte_pa = pte_pa, .pte = npte, .slot = u->slot);
}

/* Evicts pfn; why (the victim event's detail) says why this page was chosen. */
static int evict_why(Sim *s, pfn_t pfn, const char *why)
{
    Frame *f = &s->fp.frames[pfn];
    EMIT(s, .kind = EV_VICTIM, .pid = s->cur ? s->cur->pid : 0, .pfn = pfn,
         .victim_pid = f->pid, .victim_va = f->va, .detail = why);
    Unmap u = { victim_slot(s, f), 0 };
    if (u.slot == -2)
        return -1;
    if (f->dirty) {
        s->stats.writebacks++;
        s->stats.swap_outs += u.slot >= 0;   /* slot -1: written to its file */
        EMIT(s, .kind = EV_WRITEBACK, .pfn = pfn, .victim_pid = f->pid, .victim_va = f->va,
             .slot = u.slot);
    }
    mm_for_each_mapper(s, pfn, unmap_one, &u);
    if (u.mappers == 0 && u.slot >= 0)
        swap_put(&s->swap, u.slot);        /* no mapper took the frame's hold */
    s->stats.evictions++;
    policy_remove(s->policy, pfn);
    frames_free(&s->fp, pfn);
    return 0;
}

int mm_evict(Sim *s, pfn_t pfn)
{
    return evict_why(s, pfn, "to make room for a superpage's contiguous frames");
}

static void clear_dirty(Sim *s, Process *q, pfn_t pfn, paddr_t pte_pa, void *ctx)
{
    (void)ctx;
    pte_t pte = mem_read(&s->fp, pte_pa, s->geo.pte_size);
    pte = pte_encode(&s->geo, pte_pfn(&s->geo, pte), pte_flags(&s->geo, pte) & ~PTE_D);
    mem_write(&s->fp, pte_pa, s->geo.pte_size, pte);
    tlbs_invalidate_page(s, s->fp.frames[pfn].va, q->asid, "written back: the entry's D bit cleared");
}

/* Writes a dirty page to swap ahead of its eviction (WSClock schedules these), so it
 * can later be dropped: the copy is the slot, the page and its entries turn clean. */
static void clean_page(Sim *s, pfn_t pfn)
{
    Frame *f = &s->fp.frames[pfn];
    if (f->kind != FRAME_DATA || !f->dirty)
        return;
    bool to_file = shared_file_page(s, f);
    int64_t slot = to_file ? -1 : f->swap_slot >= 0 ? f->swap_slot : swap_alloc(&s->swap);
    if (slot < 0 && !to_file)
        return;
    f->swap_slot = slot;
    f->dirty = false;
    s->stats.writebacks++;
    s->stats.swap_outs += !to_file;
    EMIT(s, .kind = EV_WRITEBACK, .pfn = pfn, .victim_pid = f->pid, .victim_va = f->va, .slot = slot);
    mm_for_each_mapper(s, pfn, clear_dirty, NULL);
    policy_cleaned(s->policy, pfn);
}

/* A page that can leave memory now: clean, or with a slot, or with swap to spare. */
static bool evictable(const Sim *s, pfn_t pfn)
{
    const Frame *f = &s->fp.frames[pfn];
    return !f->dirty || f->swap_slot >= 0 || s->swap.used < s->swap.limit ||
           shared_file_page(s, f);
}

bool mm_evictable(const Sim *s, pfn_t pfn)
{
    return evictable(s, pfn);
}

static bool evictable_any(void *ctx, pfn_t pfn)
{
    return evictable(ctx, pfn);
}

static bool evictable_own(void *ctx, pfn_t pfn)
{
    const Sim *s = ctx;
    return s->fp.frames[pfn].pid == s->cur->pid && evictable(s, pfn);
}

/* The public describe_policy (vmsim/describe.h) lives here, where eviction builds a
 * victim's reason from it, below the Sim's accessors. */
size_t describe_policy(const Sim *s, char *buf, size_t len)
{
    const Policy *p = s->policy;
    int n = snprintf(buf, len, "%s: ", policy_ops(p)->label);
    size_t head = n > 0 ? (size_t)n : 0;
    return head + policy_describe_state(p, head < len ? buf + head : NULL, head < len ? len - head : 0);
}

/* The policy's victim among pages that can leave: the running process's own with
 * local replacement (any page when it has none), then the write-backs it scheduled. */
static pfn_t choose_victim(Sim *s)
{
    bool swap_full = s->swap.used >= s->swap.limit;
    pfn_t victim = PFN_NONE;
    if (s->m.memory.local && s->cur)
        victim = policy_victim(s->policy, evictable_own, s);
    if (victim == PFN_NONE)
        victim = policy_victim(s->policy, swap_full ? evictable_any : NULL, s);
    for (pfn_t w; (w = policy_take_writeback(s->policy)) != PFN_NONE;)
        clean_page(s, w);
    return victim;
}

pfn_t mm_get_frame(Sim *s, bool table)
{
    for (;;) {
        pfn_t pfn = table ? frames_alloc_table(&s->fp) : frames_alloc(&s->fp);
        if (pfn != PFN_NONE)
            return pfn;
        if (table && s->fp.separate_tables) {
            if (s->fp.limit && s->fp.total >= s->fp.limit)
                sim_fmt_err(s->err, sizeof s->err, "no frame number left for a page table: "
                            "separate tables start at frame %zu, and an entry can point at "
                            "frames up to %zu",
                            s->fp.nframes, s->fp.limit - 1);
            else
                sim_fmt_err(s->err, sizeof s->err, "out of host memory for page tables");
            return PFN_NONE;
        }
        /* The policy's state before its choice is the reason (a clock's hand moves,
         * bits clear as it chooses); built only when someone is listening. */
        char why[1024];                    /* not "= \"\"": that zeroes 1 KiB a fault */
        why[0] = '\0';
        if (s->observer)
            describe_policy(s, why, sizeof why);
        pfn_t victim = choose_victim(s);
        if (victim != PFN_NONE && evict_why(s, victim, why) == 0)
            continue;
        if (oom_kill(s) <= 0)              /* nothing could be freed: s->err says why */
            return PFN_NONE;
    }
}

/* n frames in an aligned run taken for a table (a wide root) or a large page. */
static pfn_t alloc_run(Sim *s, size_t n, bool table)
{
    return table ? frames_alloc_table_run(&s->fp, n) : frames_alloc_run(&s->fp, n);
}

/* A run of n free frames: a free one, else one made by evicting the base pages in the
 * first run that holds no page table and no large page (kcompactd would move them;
 * vmsim evicts them). PFN_NONE if there is none. */
static pfn_t get_run(Sim *s, size_t n, bool table)
{
    pfn_t run = alloc_run(s, n, table);
    for (pfn_t start = 0; run == PFN_NONE && start + n <= s->fp.nframes; start += n) {
        bool movable = true;
        for (size_t i = 0; i < n && movable; i++) {
            const Frame *f = &s->fp.frames[start + i];
            movable = f->kind == FRAME_FREE ||
                      (f->kind == FRAME_DATA && f->span == 1 && evictable(s, start + i));
        }
        for (size_t i = 0; i < n && movable; i++)
            if (s->fp.frames[start + i].kind == FRAME_DATA && mm_evict(s, start + i) != 0)
                movable = false;
        if (movable)
            run = alloc_run(s, n, table);
    }
    return run;
}

pfn_t mm_get_run(Sim *s, size_t n)
{
    return get_run(s, n, false);
}

pfn_t mm_get_table_run(Sim *s, size_t n)
{
    for (;;) {
        pfn_t run = s->fp.separate_tables ? frames_alloc_table_run(&s->fp, n) : get_run(s, n, true);
        if (run != PFN_NONE)
            return run;
        if (s->fp.separate_tables) {
            sim_fmt_err(s->err, sizeof s->err, "no run of %zu frame numbers left for a root "
                        "table of %zu pages", n, n);
            return PFN_NONE;
        }
        if (oom_kill(s) <= 0)              /* nothing could be freed: s->err says why */
            return PFN_NONE;
    }
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
        if (!proc_on_task_list(p))
            continue;
        snprintf(line, sizeof line, "[%7d] %5d %5d %8llu %8llu %8llu %8llu         %5d %s",
                 p->pid, 0, p->pid,
                 (unsigned long long)(proc_total_vm(p) >> s->geo.page_shift),
                 (unsigned long long)oom_kernel_rss(p),
                 (unsigned long long)(oom_kernel_pt_pages(s, p) << s->geo.page_shift),
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
             kb(s, c.file), kb(s, c.shmem), kb(s, oom_kernel_pt_pages(s, p)), p->oom_score_adj);
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
        if (!proc_on_task_list(p))
            continue;
        if (badness[i] == OOM_UNKILLABLE)
            snprintf(line, sizeof line, "%s (pid %d): unkillable (oom_score_adj -1000)", p->name, p->pid);
        else
            snprintf(line, sizeof line, "%s (pid %d): badness = rss %llu + swap %llu + page tables %llu "
                     "+ oom_score_adj %d x (totalpages %llu / 1000) = %lld", p->name, p->pid,
                     (unsigned long long)oom_kernel_rss(p), (unsigned long long)p->swap,
                     (unsigned long long)oom_kernel_pt_pages(s, p), p->oom_score_adj, (unsigned long long)total,
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
        badness[i] = oom_task_badness(s, s->procs[i]);
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
