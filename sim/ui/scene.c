/* What the panels show, worked out from the events of the step on show. No SDL and
 * no simulation logic: the events already say what happened; this only sorts them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/describe.h"

static void walk_event(Scene *sc, const SimEvent *e)
{
    if (e->level >= GEO_MAX_LEVELS)
        return;
    if (e->level == 0) {                  /* every walk starts at the root */
        sc->walks++;
        sc->nread = 0;
    }
    sc->pte_pa[e->level] = e->pte_pa;
    sc->pte[e->level] = e->pte;
    sc->table_pfn[e->level] = e->pfn;
    sc->nread = e->level + 1;
}

/* A fault or a fatal signal: the walk on show stopped at its last entry read. */
static void fault_event(Scene *sc, const SimEvent *e, long i)
{
    if (sc->faulted)
        return;
    sc->faulted = true;
    sc->fault_ev = i;
    sc->fault = e->fault;
    sc->fault_level = sc->nread ? sc->nread - 1 : 0;
    sc->fault_pte = sc->pte[sc->fault_level];
}

static void take(Scene *sc, const SimEvent *e, long i)
{
    switch (e->kind) {
    case EV_ACCESS:
        sc->access = true;
        sc->pid = e->pid;
        sc->op = e->op;
        sc->va = e->va;
        break;
    case EV_TLB_HIT:   sc->tlb = TLB_HIT; sc->tlb_shift = e->shift; break;
    case EV_TLB_MISS:  sc->tlb = TLB_MISS; break;
    case EV_WALK:      walk_event(sc, e); break;
    case EV_FAULT:     fault_event(sc, e, i); break;
    case EV_SEGV:
        fault_event(sc, e, i);
        sc->segv = true;
        sc->segv_ev = i;
        sc->fault = e->fault;
        break;
    case EV_TLB_FILL:  sc->filled = true; sc->tlb_shift = e->shift; break;
    case EV_TRANSLATED:
        sc->translated = true;
        sc->pa = e->pa;
        sc->pfn = e->pfn;
        break;
    case EV_VICTIM:    sc->victim_ev = i; sc->victim_pfn = e->pfn; break;
    case EV_WRITEBACK: sc->wrote_back = true; sc->wb_slot = e->slot; break;
    case EV_EVICT:     sc->evicted = true; sc->evict_ev = i; sc->evict_pfn = e->pfn; break;
    case EV_KILL:      sc->killed = true; sc->kill_ev = i; sc->killed_pid = e->pid; break;
    case EV_OOM:       sc->oom = true; sc->oom_ev = i; break;
    case EV_SWITCH:    sc->switched = true; sc->pid = e->pid; break;
    case EV_SYSCALL:
        if (sc->syscall_ev < 0) {
            sc->syscall_ev = i;
            sc->pid = e->pid;
        }
        break;
    case EV_SKIP:      sc->skipped = true; sc->pid = e->pid; break;
    default:           break;
    }
}

/* The first of the step's events (up to upto) of kind k, or -1. */
static long find_kind(const Scene *sc, const Model *m, EventKind k)
{
    for (size_t i = 0; i < sc->upto; i++)
        if (m->ev[i].ev.kind == k)
            return (long)i;
    return -1;
}

/* The describer's words for event i; capital: with a capital first letter (a headline). */
static void event_line(const Model *m, long i, bool capital, char *buf, size_t len)
{
    SimEvent e = m->ev[i].ev;
    e.detail = m->ev[i].detail;
    describe_event(model_sim(m), &e, buf, len);
    if (capital && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
}

/* The step's headline, most serious first: the words of its most serious event. */
static void headline(Scene *sc, const Model *m)
{
    long i = -1;
    sc->banner[0] = '\0';
    sc->banner_tone = TONE_PLAIN;
    if (sc->segv) {
        i = sc->segv_ev;
        sc->banner_tone = TONE_SEGV;
    } else if (sc->oom) {
        OomLine line = m->ev[sc->oom_ev].ev.oom;     /* the last line: who was killed */
        bool says_oom = line == OOM_KILLED || line == OOM_NOTHING_KILLABLE;
        snprintf(sc->banner, sizeof sc->banner, "%s%s", says_oom ? "" : "Out of memory: ", m->ev[sc->oom_ev].detail);
        sc->banner_tone = TONE_OOM;
        return;
    } else if (sc->faulted) {
        i = sc->fault_ev;
        sc->banner_tone = TONE_FAULT;
    } else if (sc->tlb == TLB_HIT) {
        i = find_kind(sc, m, EV_TLB_HIT);
        sc->banner_tone = TONE_HIT;
    } else if (sc->syscall_ev >= 0) {
        i = sc->syscall_ev;
    } else if (sc->skipped) {
        i = find_kind(sc, m, EV_SKIP);
        sc->banner_tone = TONE_DIM;
    } else if (sc->switched) {
        i = find_kind(sc, m, EV_SWITCH);
    }
    if (i >= 0)
        event_line(m, i, true, sc->banner, sizeof sc->banner);
}

/* Appends ", what" to a summary, cutting it at the buffer's end. */
static void add(char *buf, size_t len, const char *what)
{
    size_t n = strlen(buf);
    const char *sep = n ? ", " : "";
    for (const char *s = sep; *s && n + 1 < len; s++)
        buf[n++] = *s;
    for (const char *s = what; *s && n + 1 < len; s++)
        buf[n++] = *s;
    buf[n] = '\0';
}

/* What handling the fault cost, in words: page-table pages it added, the page it
 * evicted to make room and its write-back. */
static void fault_note(Scene *sc, const Model *m)
{
    char w[200];
    sc->note[0] = '\0';
    for (size_t i = 0; i < sc->upto; i++) {
        if (m->ev[i].ev.kind != EV_TABLE_ALLOC)
            continue;
        event_line(m, (long)i, false, w, sizeof w);
        add(sc->note, sizeof sc->note, w);
    }
    long wb = find_kind(sc, m, EV_WRITEBACK);
    if (!sc->evicted)
        return;
    event_line(m, sc->evict_ev, false, w, sizeof w);
    add(sc->note, sizeof sc->note, w);
    if (wb >= 0) {
        event_line(m, wb, false, w, sizeof w);
        add(sc->note, sizeof sc->note, w);
    }
}

void scene_build(Scene *sc, const Model *m, size_t upto, long cur)
{
    memset(sc, 0, sizeof *sc);
    sc->cur = cur;
    sc->fault_ev = sc->segv_ev = sc->oom_ev = sc->kill_ev = sc->evict_ev = sc->victim_ev = -1;
    sc->victim_pfn = sc->evict_pfn = PFN_NONE;
    sc->killed_pid = -1;
    sc->syscall_ev = -1;
    sc->upto = upto < m->nev ? upto : m->nev;
    for (size_t i = 0; i < sc->upto; i++)
        take(sc, &m->ev[i].ev, (long)i);
    headline(sc, m);
    fault_note(sc, m);
}

Tone event_tone(const SimEvent *ev)
{
    switch (ev->kind) {
    case EV_TLB_HIT:
    case EV_TRANSLATED: return TONE_HIT;
    case EV_TLB_MISS:
    case EV_FAULT:      return TONE_FAULT;
    case EV_VICTIM:
    case EV_WRITEBACK:
    case EV_EVICT:      return TONE_EVICT;
    case EV_SEGV:
    case EV_KILL:       return TONE_SEGV;
    case EV_OOM:        return TONE_OOM;
    case EV_NOTE:       return TONE_FAULT;
    case EV_SKIP:       return TONE_DIM;
    default:            return TONE_PLAIN;
    }
}

void step_summary(const Sim *sim, const UiEvent *ev, size_t n, uint64_t step, LogLine *out)
{
    char w[160];
    out->step = step;
    out->tone = TONE_PLAIN;
    out->text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const SimEvent *e = &ev[i].ev;
        SimEvent c = *e;
        c.detail = ev[i].detail;
        Tone t = event_tone(e);
        switch (e->kind) {
        case EV_ACCESS: case EV_SWITCH: case EV_SKIP: case EV_FAULT: case EV_EVICT:
        case EV_SEGV: case EV_TLB_HIT: case EV_TLB_FLUSH: case EV_SYSCALL: case EV_NOTE:
            describe_event(sim, &c, w, sizeof w);
            add(out->text, sizeof out->text, w);
            break;
        case EV_TRANSLATED:
            snprintf(w, sizeof w, "PA 0x%" PRIx64, e->pa);
            add(out->text, sizeof out->text, w);
            break;
        case EV_OOM:
            if (e->oom == OOM_KILLED || e->oom == OOM_NOTHING_KILLABLE)
                add(out->text, sizeof out->text, ev[i].detail);
            break;
        default:
            break;
        }
        if (e->kind != EV_TLB_MISS && t != TONE_PLAIN && t != TONE_DIM && (out->tone == TONE_PLAIN || t > out->tone))
            out->tone = t;
    }
}

