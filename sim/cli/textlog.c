/* The text log, built from the event stream: one block of lines per step. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* What a shell prints for a process killed by this fault's signal. */
static const char *signal_words(FaultKind f)
{
    switch (f) {
    case FAULT_SIGBUS: return "Bus error";
    case FAULT_SIGABRT: return "Aborted";
    default: return "Segmentation fault";
    }
}

static void log_walk(TextLog *l, const SimEvent *ev)
{
    const Geometry *g = &sim_machine(l->sim)->geo;
    char flags[16];
    pte_describe(g, ev->pte, flags, sizeof flags);
    unsigned idx = geo_index(g, ev->level, ev->va);
    add(l, "  walk  %-4s[%u] at 0x%" PRIx64 " = 0x%0*" PRIx64 "  %s%s", geo_level_name(g, ev->level),
        idx, ev->pte_pa, (int)g->pte_size * 2, ev->pte, flags,
        (pte_flags(g, ev->pte) & PTE_V) ? "" : "  (not present)");
}

static void log_event(TextLog *l, const SimEvent *ev)
{
    const Sim *sim = l->sim;
    switch (ev->kind) {
    case EV_TLB_HIT:   add(l, "  TLB hit: frame %" PRIu64, ev->pfn); break;
    case EV_TLB_MISS:  add(l, "  TLB miss"); break;
    case EV_WALK:      log_walk(l, ev); break;
    case EV_FAULT:     add(l, "  page fault (%s): %s", fault_kind_name(ev->fault), ev->detail); l->faulted = 1; break;
    case EV_TABLE_ALLOC: add(l, "  page-table page for %s in frame %" PRIu64,
                             geo_level_name(&sim_machine(sim)->geo, ev->level), ev->pfn); break;
    case EV_VICTIM:    add(l, "  memory full: victim frame %" PRIu64 " holds %s's page 0x%" PRIx64,
                           ev->pfn, proc_name(sim, ev->victim_pid), ev->victim_va); break;
    case EV_WRITEBACK: add(l, "  dirty: written to swap slot %" PRId64, ev->slot); break;
    case EV_EVICT:     add(l, "  evicted 0x%" PRIx64 " from frame %" PRIu64 "%s", ev->victim_va, ev->pfn,
                           ev->slot >= 0 ? " (copy in swap)" : ""); break;
    case EV_SWAP_IN:   add(l, "  read back from swap slot %" PRId64, ev->slot); break;
    case EV_FRAME_ALLOC: add(l, "  page 0x%" PRIx64 " now in frame %" PRIu64, ev->va, ev->pfn); break;
    case EV_MAP:       add(l, "  set %s entry at 0x%" PRIx64 " = 0x%" PRIx64,
                           geo_level_name(&sim_machine(sim)->geo, ev->level), ev->pte_pa, ev->pte); break;
    case EV_TLB_FILL:  add(l, "  TLB fill: page 0x%" PRIx64 " -> frame %" PRIu64, ev->va >> ev->shift << ev->shift, ev->pfn); break;
    case EV_TLB_FLUSH: add(l, "  TLB flushed: %" PRIu64 " entries (no ASIDs)", ev->count); break;
    case EV_TRANSLATED: add(l, "  -> physical 0x%" PRIx64, ev->pa); break;
    case EV_SEGV:      add(l, "  %s: %s killed: %s", signal_words(ev->fault), proc_name(sim, ev->pid),
                           ev->detail); l->faulted = 1; break;
    case EV_KILL:      add(l, "  %s's memory released: %" PRIu64 " pages and %u page-table pages",
                           proc_name(sim, ev->pid), ev->count, ev->level); break;
    case EV_SKIP:      if (ev->count)   /* a child that was never born */
                           add(l, "  skipped: %s", ev->detail);
                       else
                           add(l, "  skipped: %s is dead (%s)", proc_name(sim, ev->pid), ev->detail);
                       break;
    case EV_OOM:       add(l, "  kernel: %s", ev->detail); l->faulted = 1; break;
    case EV_NOTE:      add(l, "  note: %s", ev->detail); l->faulted = 1; break;
    case EV_SWITCH:
    case EV_ACCESS:
    default: break;
    }
}

void textlog_event(void *ctx, const SimEvent *ev)
{
    TextLog *l = ctx;
    if (ev->step != l->step) {
        textlog_flush(l);
        l->step = ev->step;
    }
    if (ev->kind == EV_ACCESS)
        add(l, "step %" PRIu64 ": %s %c 0x%" PRIx64, ev->step, proc_name(l->sim, ev->pid),
            access_op_letter(ev->op), ev->va);
    else if (ev->kind == EV_SWITCH)
        add(l, "step %" PRIu64 ": switch to %s (pid %d)", ev->step, proc_name(l->sim, ev->pid), ev->pid);
    else if (ev->kind == EV_SKIP && l->len == 0)
        add(l, "step %" PRIu64 ": %s", ev->step, proc_name(l->sim, ev->pid));
    else if (ev->kind == EV_SYSCALL && l->len == 0)
        add(l, "step %" PRIu64 ": %s %s", ev->step, proc_name(l->sim, ev->pid), ev->detail);
    else if (ev->kind == EV_SYSCALL)
        add(l, "  %s", ev->detail);
    else if (l->len == 0 && sim_current(l->sim))   /* an event's work before its result */
        add(l, "step %" PRIu64 ": %s", ev->step, sim_current(l->sim)->name);
    if (ev->kind == EV_SYSCALL)
        l->faulted = 1;                    /* process events show in the faults log too */
    log_event(l, ev);
}
