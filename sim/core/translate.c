/* Translation, the CPU's part of an access: the TLB levels (a hit, a miss, a fill),
 * then the page walk, and on a failed walk the OS's fault handler (os/fault.c) and a
 * retry. Called by the step loop (sim.c) for each page an access touches. */
#include "sim_int.h"

/* The frame's part of an access that completed at pfn: the policy's touch, the dirty
 * bit, the memory access's cycles (no StepInfo, no event: translate_quick's too). */
static inline void use_frame(Sim *s, AccessOp op, pfn_t pfn)
{
    if (frames_is_ram(&s->fp, pfn)) {
        Frame *f = &s->fp.frames[pfn];
        /* large pages are not replaced; a page this access loaded had its reference
         * counted by insert (PolicyOps: touch is for every later one) */
        if (f->kind == FRAME_DATA && f->span == 1) {
            if (s->future && pfn != s->loaded)
                policy_set_next_use(s->policy, pfn, future_next(s->future, s->cur_pos));
            if (pfn != s->loaded)
                policy_touch(s->policy, pfn, op == OP_WRITE, s->stats.references);
            if (op == OP_WRITE)
                f->dirty = true;
        }
    }
    s->stats.cycles += s->m.timing.memory;
}

static inline void complete(Sim *s, Process *p, vaddr_t va, AccessOp op, pfn_t pfn, StepInfo *info)
{
    use_frame(s, op, pfn);
    info->pa = (pfn << s->geo.page_shift) | (va & (geo_page_size(&s->geo) - 1));
    EMIT(s, .kind = EV_TRANSLATED, .pid = p->pid, .va = va, .op = op, .pa = info->pa, .pfn = pfn);
}

static void emit_walk(Sim *s, const Process *p, vaddr_t va, const Walk *w)
{
    if (!s->observer)                      /* the loop alone costs a walk ~30 instructions */
        return;
    for (unsigned l = 0; l < w->nread; l++)
        EMIT(s, .kind = EV_WALK, .pid = p->pid, .va = va, .level = l, .pte_pa = w->pte_pa[l],
             .pte = w->pte[l], .pfn = w->table_pa[l] >> s->geo.page_shift);
}

/* The user ops an entry may serve, worked out once when it is filled: a write through
 * an entry whose page is still clean goes back to the table to set D (x86 and Svadu do
 * this in hardware), so a clean entry does not serve writes. */
static void set_ops(const Sim *s, TlbEntry *e)
{
    if (!e)
        return;
    e->ops = 0;
    for (AccessOp op = OP_READ; op <= OP_EXEC; op++)
        if (mmu_allows(&s->geo, e->flags, op, true) && (op != OP_WRITE || (e->flags & PTE_D)))
            e->ops |= (uint8_t)(1u << op);
}

/* An entry that may serve op, or NULL. */
static inline TlbEntry *usable(Tlb *t, vaddr_t va, AccessOp op, uint32_t asid)
{
    TlbEntry *e = tlb_lookup(t, va, asid);
    return e && (e->ops & (1u << op)) ? e : NULL;
}

/* Whether op's first-level TLB is the instruction TLB: fetches, when the TLB is split. */
static inline bool uses_itlb(const Sim *s, AccessOp op)
{
    return op == OP_EXEC && s->tlb[SIM_ITLB].entries;
}

static Tlb *first_level(Sim *s, AccessOp op)
{
    return uses_itlb(s, op) ? &s->tlb[SIM_ITLB] : &s->tlb[SIM_DTLB];
}

SimTlb sim_tlb_first(const Sim *s, AccessOp op)
{
    return uses_itlb(s, op) ? SIM_ITLB : SIM_DTLB;
}

bool sim_tlb_probe(const Sim *s, int pid, vaddr_t va, AccessOp op, SimTlb *which, unsigned *set,
                   unsigned *way)
{
    const Process *p = proc_by_pid(s, pid);
    SimTlb order[2] = { sim_tlb_first(s, op), SIM_STLB };
    for (int k = 0; p && k < 2; k++) {
        const Tlb *t = &s->tlb[order[k]];
        long i = tlb_find(t, va, p->asid);
        if (i >= 0) {
            *which = order[k];
            *set = (unsigned)((size_t)i / t->ways);
            *way = (unsigned)((size_t)i % t->ways);
            return true;
        }
    }
    return false;
}

/* The frame of va's page by a TLB entry that maps it (of any page size). */
static inline pfn_t hit_pfn(const Sim *s, const TlbEntry *e, vaddr_t va)
{
    unsigned sh = s->geo.page_shift;
    return e->shift == sh ? e->pfn : e->pfn + ((va >> sh) & ((1ull << (e->shift - sh)) - 1));
}

/* Looks va up in the first level, then the second; a second-level hit refills the
 * first. Counts hits and misses per TLB. */
static inline bool tlb_hit(Sim *s, Tlb *l1, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    Tlb *l2 = &s->tlb[SIM_STLB];
    TlbEntry *e = usable(l1, va, op, p->asid);
    if (e) {
        l1->hits++;
    } else {
        l1->misses++;
        if (!l2->entries || !(e = usable(l2, va, op, p->asid))) {
            l2->misses += l2->entries != 0;
            return false;
        }
        l2->hits++;
        s->stats.stlb_hits++;
        uint8_t ops = e->ops;
        e = tlb_fill(l1, va, e->shift, e->pfn, e->flags, e->asid, NULL);
        e->ops = ops;
    }
    pfn_t pfn = hit_pfn(s, e, va);
    s->stats.tlb_hits++;
    p->stats.tlb_hits++;
    info->tlb_hit = true;
    EMIT(s, .kind = EV_TLB_HIT, .pid = p->pid, .va = va, .pfn = pfn, .shift = e->shift);
    complete(s, p, va, op, pfn, info);
    return true;
}

/* Why a TLB that holds va's page could not serve op: the entry matched, but the access
 * needs what it does not grant (write on a read-only or clean entry: the walk must set
 * D or fault; a user access on a supervisor entry). NULL when no entry matched. */
static const char *entry_refuses(Sim *s, Process *p, vaddr_t va, AccessOp op)
{
    const Tlb *t = first_level(s, op);
    long i = tlb_find(t, va, p->asid);
    if (i < 0)
        return NULL;
    unsigned f = t->e[i].flags;
    if (op == OP_WRITE && !(f & PTE_W))
        return "TLB hit, but the entry is read-only: the walk decides (counted as a miss)";
    if (op == OP_WRITE && !(f & PTE_D))
        return "TLB hit, but the entry is clean (D=0): the walk sets D (counted as a miss)";
    if (op == OP_EXEC && !(f & PTE_X))
        return "TLB hit, but the entry forbids execution: the walk decides (counted as a miss)";
    return "TLB hit, but the entry does not permit this access: the walk decides (counted as a miss)";
}

/* The TLB's part of a translation: the lookup is charged, a miss counted. True on a
 * hit, which completes the access. With no TLB to look in (info->no_tlb) there is no
 * lookup at all: no hit, no miss, no cycles. */
static inline bool tlb_step(Sim *s, Tlb *l1, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    if (info->no_tlb)
        return false;
    s->stats.cycles += s->m.timing.tlb;
    if (tlb_hit(s, l1, p, va, op, info))
        return true;
    s->stats.tlb_misses++;
    p->stats.tlb_misses++;
    EMIT(s, .kind = EV_TLB_MISS, .pid = p->pid, .va = va, .op = op,
         .detail = s->observer ? entry_refuses(s, p, va, op) : NULL);
    return false;
}

/* Caches a successful walk in the first level op uses and in the second level. */
static void tlb_fill_walk(Sim *s, const Process *p, vaddr_t va, AccessOp op, const Walk *w)
{
    set_ops(s, tlb_fill(first_level(s, op), va, w->shift, w->page_pfn, w->flags, p->asid, NULL));
    set_ops(s, tlb_fill(&s->tlb[SIM_STLB], va, w->shift, w->page_pfn, w->flags, p->asid, NULL));
    EMIT(s, .kind = EV_TLB_FILL, .pid = p->pid, .va = va, .pfn = w->page_pfn, .shift = w->shift);
}

StepStatus translate_access(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    info->kind = STEP_ACCESS;
    info->pid = p->pid;
    info->op = op;
    info->va = va;
    info->pa = PADDR_NONE;
    s->stats.references++;
    p->stats.references++;
    Tlb *l1 = first_level(s, op);
    info->no_tlb = s->kernel || (!l1->entries && !s->tlb[SIM_STLB].entries);
    if (s->m.memory.tick && ++s->since_tick >= s->m.memory.tick) {
        s->since_tick = 0;
        policy_tick(s->policy, s->stats.references);    /* the timer interrupt */
    }
    EMIT(s, .kind = EV_ACCESS, .pid = p->pid, .va = va, .op = op,
         .detail = s->kernel ? "in supervisor mode" : NULL);
    s->loaded = PFN_NONE;
    if (tlb_step(s, l1, p, va, op, info))
        return STEP_OK;
    for (int attempt = 0; attempt < 4; attempt++) {
        Walk w;
        if (s->kernel)                     /* a supervisor access: no path cache for it */
            mmu_walk(&s->geo, &s->fp, p->root, va, op, false, &w);
        else
            mmu_walk_cached(&s->geo, &s->fp, p->root, va, op, true, &s->walk_cache, &w);
        s->stats.walks++;
        s->stats.walk_reads += w.nread;
        s->stats.cycles += s->m.timing.memory * w.nread;
        emit_walk(s, p, va, &w);
        if (w.status == WALK_OK) {
            if (!info->no_tlb)
                tlb_fill_walk(s, p, va, op, &w);
            complete(s, p, va, op, w.pfn, info);
            return STEP_OK;
        }
        if (s->no_os)
            return image_fault(s, p, va, op, &w, info);
        FaultKind fk = FAULT_NONE;
        FixResult r = fault_handle(s, p, va, op, &w, &fk);
        if (info->fault == FAULT_NONE)
            info->fault = fk;
        if (r == FIX_KILLED) {
            info->fault = fk == FAULT_NONE ? FAULT_MINOR : fk;
            s->pend.active = 0;            /* the rest of the record dies with it */
            s->pend.nq = s->pend.qi = 0;
            return STEP_OK;
        }
        if (r == FIX_HALT)
            return STEP_HALT;
    }
    sim_fmt_err(s->err, sizeof s->err, "internal error: the fault at 0x%llx was not resolved",
            (unsigned long long)va);
    return STEP_HALT;
}

StepStatus translate_quick(Sim *s, Process *p, vaddr_t va, AccessOp op)
{
    Tlb *l1 = first_level(s, op);
    TlbEntry *e;
    /* a tick due now may change what the TLB holds: that reference goes the long way */
    bool tick = s->m.memory.tick != 0;
    if (s->observer || s->kernel || (tick && s->since_tick + 1 >= s->m.memory.tick) ||
        !(e = tlb_peek(l1, va, p->asid)) || !(e->ops & (1u << op))) {
        StepInfo info = { .pa = PADDR_NONE };
        return translate_access(s, p, va, op, &info);
    }
    tlb_touch(l1, e);          /* as tlb_lookup's hit */
    s->stats.references++;
    p->stats.references++;
    s->since_tick += tick;
    s->loaded = PFN_NONE;
    s->stats.cycles += s->m.timing.tlb;
    l1->hits++;
    s->stats.tlb_hits++;
    p->stats.tlb_hits++;
    use_frame(s, op, hit_pfn(s, e, va));
    return STEP_OK;
}

StepStatus sim_kernel_access(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    s->kernel = true;
    StepStatus r = translate_access(s, p, va, op, info);
    s->kernel = false;
    return r;
}
