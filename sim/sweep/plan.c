/* Which of a shard's cells one stack pass can answer. LRU is a stack algorithm
 * (Mattson, Gecsei, Slutz and Traiger, "Evaluation techniques for storage
 * hierarchies", IBM Systems Journal 9(2), 1970): the pages held with n frames are
 * always among those held with n + 1, so one pass over the references, recording each
 * one's distance in the LRU stack, gives the faults for every frame count. That holds
 * for vmsim's runs only where nothing but the references decides what is resident.
 * OPT is a stack algorithm too (same paper: its priority stack, see stack.c). */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

/* The counters a stack pass gives. */
static bool stack_counter(size_t col)
{
    static const char *const ok[] = { "references", "page_faults", "evictions" };
    ReportCounter rows[REPORT_COUNTERS];
    SimStats none = { 0 };
    if (col >= REPORT_COUNTERS)
        return false;
    report_counter_rows(&none, rows);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(rows[col].name, ok[i]) == 0)
            return true;
    return false;
}

bool plan_stack_fits(const Sweep *sw, const Scenario *sc)
{
    for (size_t c = 0; c < SWEEP_COLS; c++)
        if (sw->want[c] && !stack_counter(c))
            return false;
    const MachineConfig *m = &sc->machine;
    return (m->memory.policy == POLICY_LRU || m->memory.policy == POLICY_OPT) && !m->memory.local && m->memory.separate_tables &&
           m->swap.slots == SWAP_UNLIMITED && !m->memory.thp && !m->geo.ad_by_fault &&
           sc->nprocs <= 1;
}

/* The varied key memory.frames, or -1. */
static long frames_key(const Sweep *sw)
{
    for (size_t k = 0; k < sw->nvary; k++)
        if (strcmp(sw->vary[k].key, "memory.frames") == 0)
            return (long)k;
    return -1;
}

/* The distance between cells whose key k differs by one value. */
static size_t key_stride(const Sweep *sw, size_t k)
{
    size_t stride = 1;
    for (size_t j = sw->nvary; j-- > k + 1; )
        stride *= sw->vary[j].n;
    return stride;
}

/* Whether the group of cell (all frame counts of its other values) fits a stack pass. */
static bool group_fits(const Sweep *sw, size_t cell)
{
    Options o;
    char buf[SWEEP_MAX_VARY][160];
    Scenario sc;
    char err[512];
    cell_options(sw, cell, &o, buf);
    bool fits = options_load(&o, &sc, err, sizeof err) == 0 && plan_stack_fits(sw, &sc);
    scenario_fini(&sc);
    return fits;
}

long plan_units(const Sweep *sw, Unit **units)
{
    size_t n = sw->last - sw->first;
    long fk = frames_key(sw), nu = 0;
    Unit *u = calloc(n ? n : 1, sizeof *u);
    char *taken = calloc(n ? n : 1, 1);
    if (!u || !taken) {
        free(u);
        free(taken);
        return -1;
    }
    for (size_t i = sw->first; i < sw->last; i++) {
        if (taken[i - sw->first])
            continue;
        Unit *x = &u[nu++];
        x->cells = malloc(sizeof *x->cells * (fk >= 0 ? sw->vary[fk].n : 1));
        if (!x->cells) {
            plan_free(u, nu);
            free(taken);
            return -1;
        }
        x->cells[x->n++] = i;
        taken[i - sw->first] = 1;
        if (fk < 0 || sw->vary[fk].n < 2 || !group_fits(sw, i))
            continue;
        /* The group: the same cell at every frame count (the first is cell i). */
        size_t stride = key_stride(sw, (size_t)fk);
        size_t g = i - cell_value(sw, i, (size_t)fk) * stride;
        x->n = 0;
        for (size_t v = 0; v < sw->vary[fk].n; v++) {
            size_t j = g + v * stride;
            if (j >= i && j < sw->last) {
                x->cells[x->n++] = j;
                taken[j - sw->first] = 1;
            }
        }
        x->stack = x->n > 1;
    }
    free(taken);
    *units = u;
    return nu;
}

void plan_free(Unit *units, long n)
{
    for (long i = 0; units && i < n; i++)
        free(units[i].cells);
    free(units);
}
