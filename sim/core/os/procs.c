/* The process table: adding a process (with its root table), forgetting one whose
 * fork failed, mapping a region into one (mmap's checks and its commit charge), the
 * context switch, and the processes a cs1550 trace names, made at their first line. */
#include "sim_int.h"
#include "vmsim/oom.h"

#include <inttypes.h>
#include <stdio.h>

/* sim_add_process; when said is not NULL, an EV_SYSCALL with it as detail is reported
 * once the process has its pid and name, before its root table is allocated. */
static Process *add_process(Sim *s, int pid, const char *name, const char *said,
                            char *err, size_t errlen)
{
    if (pid <= 0)
        while (proc_by_pid(s, s->next_pid))
            s->next_pid++;
    if (pid <= 0)
        pid = s->next_pid;
    if (proc_by_pid(s, pid) || proc_by_name(s, name)) {
        sim_fmt_err(err, errlen, "a process named '%s' or with pid %d exists already", name, pid);
        return NULL;
    }
    if (s->nprocs == s->capprocs) {
        size_t cap = s->capprocs * 2 + 4;
        Process **np = realloc(s->procs, cap * sizeof *np);
        if (!np)
            goto oom;
        s->procs = np;
        s->capprocs = cap;
    }
    Process *p = malloc(sizeof *p);
    if (!p)
        goto oom;
    proc_init(p, pid, name);
    s->procs[s->nprocs++] = p;
    if (pid >= s->next_pid)
        s->next_pid = pid + 1;
    if (said)
        EMIT(s, .kind = EV_SYSCALL, .pid = pid, .detail = said);
    p->building = true;                    /* not a task the OOM killer sees yet */
    p->root = mm_new_table(s, p, 0, 0, PADDR_NONE);
    p->building = false;
    if (p->root == PFN_NONE) {             /* no frame, and the OOM killer found none */
        sim_fmt_err(err, errlen, "%s", s->err);
        sim_forget_process(s, p);
        s->halted = true;
        return NULL;
    }
    if (!s->cur)
        s->cur = p;
    return p;
oom:
    sim_fmt_err(err, errlen, "out of memory");
    return NULL;
}

Process *sim_add_process(Sim *s, int pid, const char *name, char *err, size_t errlen)
{
    return add_process(s, pid, name, NULL, err, errlen);
}

void sim_forget_process(Sim *s, Process *p)
{
    SimObserver obs = s->observer;
    s->observer = NULL;                    /* it never ran: no kill to report */
    mm_release(s, p);
    s->observer = obs;
    size_t i = 0;
    while (i < s->nprocs && s->procs[i] != p)
        i++;
    memmove(&s->procs[i], &s->procs[i + 1], (s->nprocs - i - 1) * sizeof *s->procs);
    s->nprocs--;
    proc_fini(p);
    free(p);
}

static void set_huge_err(const Sim *s, const Vma *v, char *err, size_t errlen)
{
    char sizes[64] = "";
    size_t n = 0;
    for (unsigned l = 0; l + 1 < s->geo.levels && n < sizeof sizes; l++)
        if (s->geo.leaf_levels & (1u << l))
            n += (size_t)snprintf(sizes + n, sizeof sizes - n, " %lluK",
                                  (unsigned long long)(1ull << (geo_leaf_shift(&s->geo, l) - 10)));
    sim_fmt_err(err, errlen, "%s has no %lluK pages for huge= (its large pages:%s)",
                arch_name(s->geo.arch), (unsigned long long)(1ull << (v->huge_shift - 10)),
                n ? sizes : " none");
}

int sim_map(Sim *s, Process *p, const Vma *v, char *err, size_t errlen)
{
    const Geometry *g = &s->geo;
    uint64_t mask = geo_page_size(g) - 1;
    if (v->huge_shift && !sim_has_page_shift(s, v->huge_shift)) {
        set_huge_err(s, v, err, errlen);
        return -1;
    }
    if (v->huge_shift)
        mask = (1ull << v->huge_shift) - 1;   /* a large-page region is aligned to them */
    if ((v->start & mask) || (v->end & mask)) {
        sim_fmt_err(err, errlen, "%s at 0x%llx-0x%llx is not page aligned (pages are %llu bytes)",
                vma_kind_name(v->kind), (unsigned long long)v->start, (unsigned long long)v->end,
                (unsigned long long)geo_page_size(g));
        return -1;
    }
    if (v->end <= v->start || !geo_va_ok(g, v->start) || !geo_va_ok(g, v->end - 1)) {
        /* Within va_bits but not canonical: the rule that refuses it has a key. */
        bool canon = g->sign_extend && g->va_bits < 64 && ((v->end - 1) >> g->va_bits) == 0;
        char why[120] = "";
        if (canon)
            snprintf(why, sizeof why, " (machine.sign_extend = yes: addresses must be "
                     "sign-extended from bit %u)", g->va_bits - 1);
        sim_fmt_err(err, errlen, "0x%llx-0x%llx is empty or outside the %u-bit address space%s",
                (unsigned long long)v->start, (unsigned long long)v->end, g->va_bits, why);
        return -1;
    }
    Vma own = *v;
    own.shm_charged = v->shared && !v->file;   /* its maker holds the shmem charge */
    own.accounted = !v->shared && vm_accountable(&own, own.perms);
    int r = proc_map(p, &own);
    if (r == 0 && vm_charged(&own))
        vm_charge(s, p, (int64_t)((v->end - v->start) >> g->page_shift));
    if (r == 0 && v->kind == VMA_STACK && !p->sp)
        p->sp = v->end;                    /* call/ret start at the stack's top */
    if (r == -1)
        sim_fmt_err(err, errlen, "%s at 0x%llx-0x%llx overlaps another mapping of '%s'",
                vma_kind_name(v->kind), (unsigned long long)v->start,
                (unsigned long long)v->end, p->name);
    else if (r)
        sim_fmt_err(err, errlen, "out of memory");
    return r ? -1 : 0;
}

Vma sim_whole_space(const Geometry *g)
{
    unsigned bits = g->sign_extend ? g->va_bits - 1 : g->va_bits;
    if (bits > 63)
        bits = 63;
    return (Vma){ .start = 0, .end = 1ull << bits, .perms = PTE_R | PTE_W | PTE_X, .kind = VMA_MMAP };
}

void procs_switch(Sim *s, Process *p)
{
    bool flush = p != s->cur && !s->m.tlb.asid;
    s->cur = p;
    EMIT(s, .kind = EV_SWITCH, .pid = p->pid);
    if (flush) {                           /* a CR3 write without PCIDs */
        unsigned n = tlbs_flush_all(s, true, "a switch with no ASIDs");
        EMIT(s, .kind = EV_TLB_FLUSH, .pid = p->pid, .count = n);
    }
}

/* Process number n of a cs1550 trace: "pN" if one exists (a scenario may give it its
 * own layout), else made now with pid n + 1 (or the next free one) and its whole
 * address space mapped, as a single trace's "main" is. NULL with s->err set (and the
 * Sim halted) when no frame holds its root table. */
static Process *trace_process(Sim *s, uint32_t n)
{
    char name[TRACE_NAME_MAX], why[sizeof s->err];
    snprintf(name, sizeof name, "p%" PRIu32, n);
    Process *p = proc_by_name(s, name);
    if (p)
        return p;
    int pid = proc_by_pid(s, (int)n + 1) ? 0 : (int)n + 1;
    char said[TRACE_NAME_MAX + 96];
    snprintf(said, sizeof said, "created for process %" PRIu32 " of the trace, its whole "
             "address space mapped", n);
    p = add_process(s, pid, name, said, why, sizeof why);
    Vma all = sim_whole_space(&s->geo);
    if (p && sim_map(s, p, &all, why, sizeof why) != 0)
        p = NULL;                          /* not reached: a new process maps anything */
    if (!p) {
        sim_fmt_err(s->err, sizeof s->err, "%s", why);
        s->halted = true;
        return NULL;
    }
    return p;
}

StepStatus procs_trace_enter(Sim *s, const TraceRecord *rec)
{
    if (s->no_os) {
        sim_line_err(s, rec->line, "a memory image has one process: a trace that names "
                     "processes (cs1550) does not run on it");
        return STEP_ERROR;
    }
    s->stats.steps++;                      /* the events below are the coming step's */
    Process *p = trace_process(s, rec->proc);
    if (p && p->state == PROC_RUNNING)
        procs_switch(s, p);
    else if (p)
        s->cur = p;                        /* killed: its lines are skipped */
    s->stats.steps--;
    if (!p)
        return STEP_HALT;
    s->trace_proc = rec->proc + 1;
    return STEP_OK;
}
