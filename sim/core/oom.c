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

static int64_t badness_of(const Sim *s, const Process *p)
{
    if (p->state != PROC_RUNNING)
        return OOM_UNKILLABLE;
    return oom_badness(p->rss, p->swap, p->pt_pages, p->oom_score_adj, sim_totalpages(s));
}

unsigned sim_oom_score(const Sim *s, const Process *p)
{
    return oom_score(badness_of(s, p), sim_totalpages(s));
}

/* Resident pages of p backed by files, and the rest (anonymous), for the kill line. */
static void rss_split(const Sim *s, const Process *p, uint64_t *anon, uint64_t *file)
{
    *anon = *file = 0;
    for (pfn_t pfn = 0; pfn < s->fp.nframes; pfn++) {
        const Frame *f = &s->fp.frames[pfn];
        if (f->kind == FRAME_DATA && f->pid == p->pid)
            *(f->file && !f->dirty ? file : anon) += 1;
    }
}

/* One line of the report; victim is the pid a kill line names (else 0). */
static void say_line(Sim *s, OomLine kind, int victim, const char *line)
{
    EMIT(s, .kind = EV_OOM, .pid = s->cur ? s->cur->pid : 0, .oom = kind, .victim_pid = victim, .detail = line);
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
                 (unsigned long long)p->rss,
                 (unsigned long long)(p->pt_pages << s->geo.page_shift),
                 (unsigned long long)p->swap, p->oom_score_adj, p->name);
        say(s, line);
    }
}

/* The kill itself, in the kernel's words. */
static void kill_victim(Sim *s, Process *p)
{
    uint64_t anon, file, kb = geo_page_size(&s->geo) >> 10;
    rss_split(s, p, &anon, &file);
    snprintf(p->exit_reason, sizeof p->exit_reason,
             "Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, "
             "file-rss:%llukB, shmem-rss:0kB, UID:0 pgtables:%llukB oom_score_adj:%d",
             p->pid, p->name, (unsigned long long)(proc_total_vm(p) >> 10),
             (unsigned long long)(anon * kb), (unsigned long long)(file * kb),
             (unsigned long long)(p->pt_pages * kb), p->oom_score_adj);
    say_line(s, OOM_KILLED, p->pid, p->exit_reason);
    p->state = PROC_KILLED;
    s->stats.oom_kills++;
    mm_release(s, p);
}

int oom_kill(Sim *s)
{
    int64_t badness[s->nprocs ? s->nprocs : 1];
    for (size_t i = 0; i < s->nprocs; i++)
        badness[i] = badness_of(s, s->procs[i]);
    int victim = oom_select(badness, s->nprocs);
    if (s->m.oom.panic_on_oom) {
        sim_fmt_err(s->err, sizeof s->err,
                    "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled");
        say_line(s, OOM_PANIC, 0, s->err);
        return -1;
    }
    if (victim < 0) {
        sim_fmt_err(s->err, sizeof s->err, "Out of memory and no killable processes...");
        say_line(s, OOM_NOTHING_KILLABLE, 0, s->err);
        return 0;
    }
    char line[160];
    snprintf(line, sizeof line, "%s invoked oom-killer: order=0, oom_score_adj=%d",
             s->cur ? s->cur->name : "kernel", s->cur ? s->cur->oom_score_adj : 0);
    say(s, line);
    dump_tasks(s);
    kill_victim(s, s->procs[victim]);
    return 1;
}

/* ---- overcommit ------------------------------------------------------------- */

uint64_t sim_commit_limit(const Sim *s)
{
    uint64_t swap = s->swap.limit == SWAP_UNLIMITED ? UINT64_MAX / 4 : s->swap.limit;
    return s->fp.nframes * s->m.memory.overcommit_ratio / 100 + swap;
}

bool vm_enough_memory(Sim *s, uint64_t pages)
{
    switch (s->m.memory.overcommit) {
    case 1:                                /* OVERCOMMIT_ALWAYS */
        return true;
    case 2:                                /* OVERCOMMIT_NEVER */
        return s->committed + pages <= sim_commit_limit(s);
    default:                               /* OVERCOMMIT_GUESS: one request at a time */
        return pages <= sim_totalpages(s) || s->swap.limit == SWAP_UNLIMITED;
    }
}

void vm_charge(Sim *s, Process *p, int64_t pages)
{
    s->committed += (uint64_t)pages;
    p->committed += (uint64_t)pages;
}
