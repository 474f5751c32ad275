/* The process table: adding a process (with its root table), forgetting one whose
 * fork failed, and mapping a region into one (mmap's checks and its commit charge). */
#include "sim_int.h"
#include "vmsim/oom.h"

Process *sim_add_process(Sim *s, int pid, const char *name, char *err, size_t errlen)
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
    p->oom_score_adj = OOM_SCORE_ADJ_MIN;   /* not a task the OOM killer sees yet */
    p->root = mm_new_table(s, p, 0, 0, PADDR_NONE);
    p->oom_score_adj = 0;
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
    int r = proc_map(p, &own);
    if (r == 0 && vm_accountable(&own, own.perms))
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
