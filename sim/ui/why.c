/* Why the step went as it did, for the window: the frame the policy would evict next,
 * why this step's victim was chosen, and each candidate's badness at an OOM kill.
 *
 * Worked out here from what the core exposes today (the policy's next_victim, its
 * label, the OOM report's task lines). When the event record carries the reasons
 * itself, these functions read them from there and the panels stay as they are. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/oom.h"
#include "vmsim/policy.h"

/* Local replacement takes the running process's own data pages first. */
static bool own_page(void *ctx, pfn_t pfn)
{
    const Sim *sim = ctx;
    const Process *cur = sim_current(sim);
    const Frame *f = &sim_frames(sim)->frames[pfn];
    return cur && f->kind == FRAME_DATA && f->pid == cur->pid;
}

pfn_t why_next_victim(const Sim *sim)
{
    const Policy *pol = sim_policy(sim);
    pfn_t out = PFN_NONE;
    if (sim_machine(sim)->memory.local && policy_next_victim(pol, own_page, (void *)sim, &out) &&
        out != PFN_NONE)
        return out;
    if (!policy_next_victim(pol, NULL, NULL, &out))
        return PFN_NONE;
    return out;
}

void why_victim(const Sim *sim, char *buf, size_t len)
{
    const PolicyOps *ops = policy_ops(sim_policy(sim));
    const char *open = strchr(ops->label, '('), *close = open ? strrchr(open, ')') : NULL;
    if (open && close)
        snprintf(buf, len, "%s: %.*s", ops->name, (int)(close - open - 1), open + 1);
    else
        snprintf(buf, len, "%s", ops->name);
}

/* One task line of the report: "[  pid  ] uid tgid total_vm rss pgtables_bytes
 * swapents oom_score_adj name" (dump_task in mm/oom_kill.c). */
static bool task_line(const char *s, const Sim *sim, OomCand *c)
{
    unsigned long long vm, rss, ptb, swp;
    int uid, tgid;
    if (sscanf(s, "[ %d] %d %d %llu %llu %llu %llu %d", &c->pid, &uid, &tgid, &vm, &rss, &ptb, &swp,
               &c->adj) != 8)
        return false;
    uint64_t total = sim_totalpages(sim), page = geo_page_size(&sim_machine(sim)->geo);
    c->badness = oom_badness(rss, swp, ptb / page, c->adj, total);
    c->score = oom_score(c->badness, total);
    return true;
}

size_t why_oom_candidates(const Model *m, OomCand *out, size_t max)
{
    const Sim *sim = model_sim(m);
    size_t n = 0;
    for (size_t i = 0; i < m->nev && n < max; i++)
        if (m->ev[i].ev.kind == EV_OOM && m->ev[i].ev.oom == OOM_REPORT &&
            task_line(m->ev[i].detail, sim, &out[n]))
            n++;
    return n;
}

size_t why_frame_owners(const Sim *sim, pfn_t pfn, int *pids, size_t max)
{
    const Frame *f = &sim_frames(sim)->frames[pfn];
    size_t n = 0;
    if (f->kind != FRAME_DATA)
        return 0;
    for (size_t i = 0; i < sim_nprocs(sim) && n < max; i++) {
        const Process *pr = sim_proc(sim, i);
        Walk w;
        if (pr->state == PROC_RUNNING && pr->root != PFN_NONE && sim_peek(sim, pr, f->va, &w) == WALK_OK &&
            w.page_pfn == pfn)
            pids[n++] = pr->pid;
    }
    return n;
}

pfn_t why_cow_source(const Sim *sim, const Scene *sc)
{
    const Geometry *g = &sim_machine(sim)->geo;
    if (!sc->faulted || sc->fault != FAULT_COW || !(pte_flags(g, sc->fault_pte) & PTE_V))
        return PFN_NONE;
    return pte_pfn(g, sc->fault_pte);
}
