/* The animation clock. A step's events play one after another, each for its own
 * time scaled by the speed; effects (flashes, pulses) are functions of an event's age,
 * so a finished step always looks the same however it was reached. */
#include "ui.h"

/* Speeds up to 4x animate every event; faster ones run whole steps per frame. */
const Speed speeds[] = {
    { "1/4x", 0.25, 0 }, { "1/2x", 0.5, 0 }, { "1x", 1.0, 0 }, { "2x", 2.0, 0 }, { "4x", 4.0, 0 },
    { "60/s", 0, 1 }, { "600/s", 0, 10 }, { "6000/s", 0, 100 }, { "max", 0, 2000 },
};
const int nspeeds = (int)(sizeof speeds / sizeof speeds[0]);

double anim_event_ms(EventKind k)
{
    switch (k) {
    case EV_ACCESS:      return 200;
    case EV_TLB_HIT:
    case EV_TLB_MISS:    return 260;
    case EV_WALK:        return 220;
    case EV_FAULT:       return 450;
    case EV_VICTIM:      return 300;
    case EV_WRITEBACK:   return 300;
    case EV_EVICT:       return 420;
    case EV_SEGV:        return 800;
    case EV_KILL:        return 700;
    case EV_OOM:         return 800;
    case EV_TLB_FLUSH:   return 300;
    case EV_TRANSLATED:  return 260;
    default:             return 160;
    }
}

void anim_start(Anim *a, size_t n, double rate)
{
    a->n = n;
    a->pos = 0;
    a->t = 0;
    a->rate = rate > 0 ? rate : 1;
    a->done_ms = 0;
}

void anim_finish(Anim *a, size_t n)
{
    a->n = n;
    a->pos = n;
    a->t = 0;
    a->done_ms = 1e9;
}

bool anim_active(const Anim *a) { return a->pos < a->n; }

bool anim_advance(Anim *a, const Model *m, double dt)
{
    if (a->pos >= a->n) {
        a->done_ms += dt;
        return false;
    }
    size_t was = a->pos;
    a->t += dt * a->rate;
    while (a->pos < a->n && a->pos < m->nev && a->t >= anim_event_ms(m->ev[a->pos].ev.kind)) {
        a->t -= anim_event_ms(m->ev[a->pos].ev.kind);
        a->pos++;
    }
    if (a->pos >= m->nev) {
        a->pos = a->n;
        a->done_ms = 0;
    }
    return a->pos != was;
}

double anim_age(const Anim *a, const Model *m, size_t i)
{
    if (a->pos >= a->n)
        return 1e9;
    if (i > a->pos)
        return -1;
    double age = a->t;
    for (size_t k = i; k < a->pos && k < m->nev; k++)
        age += anim_event_ms(m->ev[k].ev.kind);
    return age;
}
