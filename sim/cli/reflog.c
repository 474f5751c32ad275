/* The reflog record of each reference, from the engine's events. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reflog.h"

void reflog_init(RefLog *l, unsigned page_shift)
{
    memset(l, 0, sizeof *l);
    l->shift = page_shift;
}

void reflog_event(void *ctx, const SimEvent *ev)
{
    RefLog *l = ctx;
    switch (ev->kind) {
    case EV_ACCESS:
        l->cur = (RefLogRecord){ .vpn = ev->va >> l->shift, .write = ev->op == OP_WRITE };
        break;
    case EV_VICTIM:          /* the last one is the data page's (tables are evicted first) */
        l->cur.evicted = true;
        l->cur.victim_vpn = ev->victim_va >> l->shift;
        l->cur.dirty = false;
        break;
    case EV_WRITEBACK:
        l->cur.dirty = true;
        break;
    default:
        break;
    }
}

/* Whether the fault killed the process: an M's W half will not follow. */
static bool fault_kills(FaultKind f)
{
    return f == FAULT_SEGV_MAPERR || f == FAULT_SEGV_ACCERR || f == FAULT_ARCH || f == FAULT_SIGBUS ||
           f == FAULT_SIGABRT;
}

/* Folds the held R half of w's page, if any, into W half w. */
static void reflog_fold(RefLog *l, RefLogRecord *w)
{
    for (unsigned i = 0; i < l->nhalf; i++) {
        const RefLogRecord *h = &l->half[i];
        if (h->vpn != w->vpn)
            continue;
        w->hit = w->hit && h->hit;
        if (!w->evicted && h->evicted) {
            w->evicted = true;
            w->victim_vpn = h->victim_vpn;
            w->dirty = h->dirty;
        }
        l->half[i] = l->half[--l->nhalf];
        return;
    }
}

bool reflog_step(RefLog *l, const StepInfo *st, RefLogRecord *out)
{
    if (st->kind != STEP_ACCESS)
        return false;
    RefLogRecord r = l->cur;
    l->cur = (RefLogRecord){ 0 };
    r.vpn = st->va >> l->shift;
    r.write = st->op == OP_WRITE || st->modify;
    r.hit = st->fault == FAULT_NONE;
    if (!st->modify) {
        l->nhalf = 0;             /* halves whose W never came (a skipped process) */
    } else if (st->op != OP_WRITE && !fault_kills(st->fault) && l->nhalf < 2) {
        l->half[l->nhalf++] = r;  /* an M's R half: its W half is the reference */
        return false;
    } else if (st->op == OP_WRITE) {
        reflog_fold(l, &r);
    }
    r.n = ++l->n;
    *out = r;
    return true;
}

void reflog_format(const RefLogRecord *r, char *buf, size_t n)
{
    char victim[24] = "-";
    if (r->evicted)
        snprintf(victim, sizeof victim, "%" PRIu64, r->victim_vpn);
    snprintf(buf, n, "%" PRIu64 " %" PRIu64 " %c %c %s %d", r->n, r->vpn, r->write ? 'W' : 'R',
             r->hit ? 'H' : 'M', victim, r->dirty);
}

/* A decimal at *p (advanced past it and the blanks after it). */
static bool word_num(const char **p, const char *e, uint64_t *out)
{
    char *end;
    if (*p == e || **p < '0' || **p > '9')
        return false;
    char tmp[24];
    size_t k = 0;
    while (*p + k < e && k < sizeof tmp - 1 && (*p)[k] >= '0' && (*p)[k] <= '9') {
        tmp[k] = (*p)[k];
        k++;
    }
    tmp[k] = '\0';
    *out = strtoull(tmp, &end, 10);
    *p += k;
    return true;
}

/* One letter of `choices` at *p; its index, or -1. */
static int word_letter(const char **p, const char *e, const char *choices)
{
    const char *c = *p < e ? strchr(choices, **p) : NULL;
    if (!c || !**p)
        return -1;
    (*p)++;
    return (int)(c - choices);
}

static bool blank(const char **p, const char *e)
{
    const char *s = *p;
    while (*p < e && (**p == ' ' || **p == '\t'))
        (*p)++;
    return *p > s;
}

bool reflog_parse(const char *s, size_t len, RefLogRecord *out)
{
    const char *p = s, *e = s + len;
    int w, h;
    uint64_t dirty;
    *out = (RefLogRecord){ 0 };
    blank(&p, e);
    if (!word_num(&p, e, &out->n) || !blank(&p, e) || !word_num(&p, e, &out->vpn) ||
        !blank(&p, e) || (w = word_letter(&p, e, "RW")) < 0 || !blank(&p, e) ||
        (h = word_letter(&p, e, "HM")) < 0 || !blank(&p, e))
        return false;
    if (p < e && *p == '-')
        p++;
    else if (word_num(&p, e, &out->victim_vpn))
        out->evicted = true;
    else
        return false;
    if (!blank(&p, e) || !word_num(&p, e, &dirty) || dirty > 1)
        return false;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    out->write = w == 1;
    out->hit = h == 0;
    out->dirty = dirty == 1;
    return p == e;
}
