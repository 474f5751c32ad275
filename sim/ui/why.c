/* Why the step went as it did, for the window: read from the step's events, the
 * reasons the core gives with them, so the window says what `vmsim run --log all`
 * says: the victim's "why:", the OOM killer's badness sums, the copy-on-write copy. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/oom.h"

bool why_victim(const Model *m, size_t upto, pfn_t pfn, char *buf, size_t len)
{
    for (size_t i = upto < m->nev ? upto : m->nev; i-- > 0;) {
        const UiEvent *e = &m->ev[i];
        if (e->ev.kind == EV_VICTIM && e->ev.pfn == pfn && e->detail[0]) {
            snprintf(buf, len, "%s", e->detail);
            return true;
        }
    }
    return false;
}

/* One candidate line of the OOM killer's explanation (os/reclaim.c's why_badness):
 * "NAME (pid N): badness = rss R + swap S + page tables P + oom_score_adj A x
 * (totalpages T / 1000) = B" or "NAME (pid N): unkillable (oom_score_adj -1000)". */
static bool cand_line(const char *s, const Sim *sim, OomCand *c)
{
    const char *p = strstr(s, " (pid "), *adj, *eq;
    int at = 0;
    long long bad;
    if (!p || sscanf(p, " (pid %d): %n", &c->pid, &at) != 1 || !at)
        return false;
    p += at;
    if (!strncmp(p, "unkillable", 10)) {
        c->adj = -1000;
        c->badness = OOM_UNKILLABLE;
    } else if (!strncmp(p, "badness = ", 10) && (adj = strstr(p, "oom_score_adj ")) && (eq = strrchr(p, '=')) &&
               sscanf(adj, "oom_score_adj %d", &c->adj) == 1 && sscanf(eq, "= %lld", &bad) == 1) {
        c->badness = bad;
    } else {
        return false;
    }
    c->score = oom_score(c->badness, sim_totalpages(sim));
    return true;
}

size_t why_oom_candidates(const Model *m, OomCand *out, size_t max)
{
    const Sim *sim = model_sim(m);
    size_t n = 0;
    for (size_t i = 0; i < m->nev && n < max; i++)
        if (m->ev[i].ev.kind == EV_OOM && m->ev[i].ev.oom == OOM_WHY && cand_line(m->ev[i].detail, sim, &out[n]))
            n++;
    return n;
}

bool why_cow(const Model *m, size_t upto, pfn_t *from, pfn_t *to)
{
    for (size_t i = 0; i < upto && i < m->nev; i++) {
        const SimEvent *e = &m->ev[i].ev;
        if (e->kind == EV_FAULT && e->fault == FAULT_COW) {
            *from = (pfn_t)e->count;
            *to = e->pfn;
            return true;
        }
    }
    return false;
}
