/* Snapshots and replay for stepping backwards. */
#include "vmsim/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Snapshot {
    uint64_t step;
    Sim *sim;
    TracePos pos;
} Snapshot;

struct History {
    Sim *live;
    TraceReader *trace;
    uint64_t every;
    size_t max;
    Snapshot *snaps;           /* by step, ascending; snaps[0] is step 0 */
    size_t n;
};

static int take_snapshot(History *h)
{
    Sim *copy = sim_clone(h->live);
    if (!copy)
        return -1;
    TracePos none = { 0, 0, 0 };
    h->snaps[h->n++] = (Snapshot){ .step = sim_stats(h->live)->steps, .sim = copy,
                                   .pos = h->trace ? trace_tell(h->trace) : none };
    return 0;
}

/* Keeps snapshots 0, 2, 4... and doubles the interval. */
static void thin(History *h)
{
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (i % 2 == 0)
            h->snaps[k++] = h->snaps[i];
        else
            sim_destroy(h->snaps[i].sim);
    }
    h->n = k;
    h->every *= 2;
}

History *history_create(Sim *sim, TraceReader *t, uint64_t every, size_t max_snapshots)
{
    /* At least two: thinning keeps the first snapshot and needs room for a newer one. */
    size_t max = max_snapshots ? max_snapshots : VMSIM_HISTORY_SNAPSHOTS;
    if (max < 2)
        max = 2;
    History *h = calloc(1, sizeof *h);
    if (h)
        h->snaps = calloc(max, sizeof *h->snaps);
    if (!h || !h->snaps) {
        free(h);
        sim_destroy(sim);
        return NULL;
    }
    h->live = sim;
    h->trace = t;
    h->every = every ? every : VMSIM_HISTORY_EVERY;
    h->max = max;
    if (take_snapshot(h) != 0) {
        history_destroy(h);
        return NULL;
    }
    return h;
}

void history_destroy(History *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        sim_destroy(h->snaps[i].sim);
    free(h->snaps);
    sim_destroy(h->live);
    free(h);
}

Sim *history_sim(const History *h) { return h->live; }
uint64_t history_now(const History *h) { return sim_stats(h->live)->steps; }
size_t history_snapshots(const History *h) { return h->n; }

StepStatus history_step(History *h, StepInfo *info)
{
    StepStatus r = sim_step(h->live, info);
    uint64_t now = sim_stats(h->live)->steps;
    if (r == STEP_OK && now >= h->snaps[h->n - 1].step + h->every) {
        if (h->n == h->max)
            thin(h);
        if (now >= h->snaps[h->n - 1].step + h->every)
            take_snapshot(h);   /* out of memory: carry on with fewer snapshots */
    }
    return r;
}

/* Makes the live Sim a copy of snapshot i, with the trace where it was then. */
static int restore(History *h, size_t i, char *err, size_t errlen)
{
    Sim *copy = sim_clone(h->snaps[i].sim);
    if (!copy) {
        snprintf(err, errlen, "out of memory restoring step %llu",
                 (unsigned long long)h->snaps[i].step);
        return -1;
    }
    if (h->trace && trace_seek(h->trace, h->snaps[i].pos, err, errlen) != 0) {
        sim_destroy(copy);
        return -1;
    }
    sim_destroy(h->live);
    h->live = copy;            /* it reads the same trace, now back where it was */
    return 0;
}

StepStatus history_goto(History *h, uint64_t step, char *err, size_t errlen)
{
    SimObserver obs;
    void *ctx;
    sim_get_observer(h->live, &obs, &ctx);
    if (step < history_now(h)) {
        size_t i = h->n - 1;
        while (i > 0 && h->snaps[i].step > step)
            i--;
        if (restore(h, i, err, errlen) != 0)
            return STEP_ERROR;
    }
    sim_set_observer(h->live, NULL, NULL);
    StepStatus r = STEP_OK;
    while (r == STEP_OK && history_now(h) < step) {
        if (history_now(h) + 1 == step)
            sim_set_observer(h->live, obs, ctx);   /* the step arrived at is shown */
        r = history_step(h, NULL);
    }
    sim_set_observer(h->live, obs, ctx);
    if (r == STEP_ERROR || r == STEP_HALT)
        snprintf(err, errlen, "%s", sim_error(h->live));
    return r;
}
