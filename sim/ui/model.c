/* The simulation as the window sees it. The window changes simulation state only
 * here, and only through history_step and history_goto; everything it draws reads
 * the Sim through const pointers. */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

enum { SAMPLES_MAX = 4096 };

/* The observer: keeps a copy of each event of the latest step. */
static void observe(void *ctx, const SimEvent *ev)
{
    Model *m = ctx;
    if (ev->step != m->ev_step) {
        m->nev = 0;
        m->ev_step = ev->step;
    }
    if (m->nev == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        if (cap > 65536)
            return;                          /* a step this long shows its start */
        UiEvent *nv = realloc(m->ev, cap * sizeof *nv);
        if (!nv)
            return;
        m->ev = nv;
        m->cap = cap;
    }
    UiEvent *e = &m->ev[m->nev++];
    e->ev = *ev;
    snprintf(e->detail, sizeof e->detail, "%s", ev->detail ? ev->detail : "");
    e->ev.detail = NULL;                     /* the copy moves with the array */
}

static Sim *live(const Model *m) { return history_sim(m->hist); }

const Sim *model_sim(const Model *m) { return live(m); }

uint64_t model_now(const Model *m) { return history_now(m->hist); }

/* Records the counters after step `step` when it falls on the sampling stride;
 * when full, keeps every other sample and doubles the stride. */
static void add_sample(Model *m, uint64_t step)
{
    if (step % m->stride || step / m->stride != m->nsamples)
        return;
    if (m->nsamples == m->capsamples) {
        size_t k = 0;
        for (size_t i = 0; i < m->nsamples; i += 2)
            m->samples[k++] = m->samples[i];
        m->nsamples = k;
        m->stride *= 2;
        if (step % m->stride || step / m->stride != m->nsamples)
            return;
    }
    const SimStats *st = sim_stats(live(m));
    m->samples[m->nsamples++] = (Sample){ st->page_faults, st->evictions, st->writebacks,
                                          st->tlb_hits, st->references };
}

int model_init(Model *m, Session *s, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    snprintf(m->title, sizeof m->title, "%s",
             s->sc.title ? s->sc.title : s->trace_label ? s->trace_label : "vmsim");
    m->stride = 1;
    m->capsamples = SAMPLES_MAX;
    m->samples = calloc(SAMPLES_MAX, sizeof *m->samples);
    if (!m->samples) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    Sim *sim = s->sim;
    s->sim = NULL;                           /* ours now: session_close must not free it */
    sim_set_observer(sim, observe, m);
    m->has_trace = s->trace != NULL;         /* a scenario may have no trace at all */
    m->at_end = !m->has_trace;
    if (!(m->hist = history_create(sim, s->trace, 0, 0))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    add_sample(m, 0);
    return 0;
}

void model_fini(Model *m)
{
    history_destroy(m->hist);
    free(m->ev);
    free(m->samples);
    free(m->prev);
    memset(m, 0, sizeof *m);
}

/* Remembers who owned each RAM frame, so a kill can be animated from it. */
static void keep_owners(Model *m)
{
    const FramePool *fp = sim_frames(live(m));
    m->prev_valid = false;
    if (fp->nframes > m->nprev) {
        FrameWas *np = realloc(m->prev, fp->nframes * sizeof *np);
        if (!np)
            return;
        m->prev = np;
        m->nprev = fp->nframes;
    }
    for (size_t i = 0; i < fp->nframes; i++) {
        const Frame *f = &fp->frames[i];
        m->prev[i] = (FrameWas){ f->pid, f->kind, f->level, f->va };
    }
    m->prev_valid = true;
}

/* Engine messages about a trace line name the file and line already. */
static void set_error(Model *m, StepStatus r, const char *msg)
{
    m->stopped = r;
    m->at_end = true;
    snprintf(m->error, sizeof m->error, "%s%s", r == STEP_HALT ? "run stopped: " : "", msg);
}

static void note_step(Model *m)
{
    uint64_t now = model_now(m);
    add_sample(m, now);
    if (m->ev_step == now && now > 0)
        step_summary(live(m), m->ev, m->nev, now, &m->log[now % LOG_RING]);
}

StepStatus model_step(Model *m, bool keep_prev)
{
    if (m->at_end)
        return STEP_END;
    if (keep_prev)
        keep_owners(m);
    else
        m->prev_valid = false;
    m->before = *sim_stats(live(m));
    StepStatus r = history_step(m->hist, NULL);
    if (r == STEP_OK)
        note_step(m);
    else if (r == STEP_END)
        m->at_end = true;
    else
        set_error(m, r, sim_error(history_sim(m->hist)));
    return r;
}

StepStatus model_goto(Model *m, uint64_t n)
{
    char err[512];
    m->prev_valid = false;
    m->nev = 0;
    m->ev_step = 0;
    m->at_end = !m->has_trace;
    m->stopped = STEP_OK;
    m->error[0] = '\0';
    /* Arrive by stepping, so the step's events are seen even when a snapshot was
     * taken right at it (replay then has nothing to show). */
    StepStatus r = history_goto(m->hist, n ? n - 1 : 0, err, sizeof err);
    if (r == STEP_OK && n > 0) {
        r = history_step(m->hist, NULL);
        if (r == STEP_ERROR || r == STEP_HALT)
            snprintf(err, sizeof err, "%s", sim_error(history_sim(m->hist)));
    }
    if (r == STEP_OK)
        note_step(m);
    else if (r == STEP_END)
        m->at_end = true;
    else
        set_error(m, r, err);
    return r;
}

bool model_step_eventful(const Model *m)
{
    for (size_t i = 0; i < m->nev; i++) {
        EventKind k = m->ev[i].ev.kind;
        if (k == EV_FAULT || k == EV_SEGV || k == EV_OOM || k == EV_KILL)
            return true;
    }
    return false;
}

const Sample *model_samples(const Model *m, size_t *n, uint64_t *stride)
{
    uint64_t now = model_now(m);
    size_t k = (size_t)(now / m->stride) + 1;
    *n = k < m->nsamples ? k : m->nsamples;
    *stride = m->stride;
    return m->samples;
}
