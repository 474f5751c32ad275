/* The text log, built from the event stream: one block of lines per step. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmsim/describe.h"

void textlog_init(TextLog *l, FILE *out, const Sim *sim, LogLevel level)
{
    memset(l, 0, sizeof *l);
    l->out = out;
    l->sim = sim;
    l->level = level;
}

void textlog_fini(TextLog *l)
{
    free(l->buf);
    memset(l, 0, sizeof *l);
}

static void add(TextLog *l, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (l->len + len + 2 > l->cap) {
        size_t cap = (l->cap + len + 2) * 2;
        char *nb = realloc(l->buf, cap);
        if (!nb)
            return;
        l->buf = nb;
        l->cap = cap;
    }
    memcpy(l->buf + l->len, line, len);
    l->len += len;
    l->buf[l->len++] = '\n';
}

void textlog_flush(TextLog *l)
{
    if (l->len && (l->level == LOG_ALL || (l->level == LOG_FAULTS && l->faulted)))
        fwrite(l->buf, 1, l->len, l->out);
    l->len = 0;
    l->faulted = 0;
}

static const char *proc_name(const Sim *sim, int pid)
{
    const Process *p = sim_proc_by_pid(sim, pid);
    return p ? p->name : "?";
}

/* Adds the event's line (the describer's words, indented) to the step's block; faults,
 * kills and notes make the step show in the faults log. */
static void log_event(TextLog *l, const SimEvent *ev)
{
    char words[512];
    switch (ev->kind) {
    case EV_SWITCH:
    case EV_ACCESS:
    case EV_SYSCALL:
        return;                             /* their words head the block */
    case EV_FAULT:
    case EV_SEGV:
    case EV_OOM:
    case EV_NOTE:
        l->faulted = 1;
        break;
    default:
        break;
    }
    describe_event(l->sim, ev, words, sizeof words);
    add(l, "  %s", words);
    if (ev->kind == EV_VICTIM && ev->detail && *ev->detail)
        add(l, "    why: %s", ev->detail);
}

void textlog_event(void *ctx, const SimEvent *ev)
{
    TextLog *l = ctx;
    if (ev->step != l->step) {
        textlog_flush(l);
        l->step = ev->step;
    }
    char words[512];
    bool heads = ev->kind == EV_ACCESS || ev->kind == EV_SWITCH || (ev->kind == EV_SYSCALL && l->len == 0);
    if (heads)
        describe_event(l->sim, ev, words, sizeof words);
    if (heads)
        add(l, "step %" PRIu64 ": %s", ev->step, words);
    else if (ev->kind == EV_SKIP && l->len == 0)
        add(l, "step %" PRIu64 ": %s", ev->step, proc_name(l->sim, ev->pid));
    else if (ev->kind == EV_SYSCALL)
        add(l, "  %s", ev->detail);
    else if (l->len == 0 && sim_current(l->sim))   /* an event's work before its result */
        add(l, "step %" PRIu64 ": %s", ev->step, sim_current(l->sim)->name);
    if (ev->kind == EV_SYSCALL)
        l->faulted = 1;                    /* process events show in the faults log too */
    log_event(l, ev);
}
