/* The operating system's page-fault handler: find the region, check the access, then
 * map the page (demand-zero, file, swap-in, large pages, copy-on-write, Svade's A/D).
 * With no OS (a memory image) the fault is only reported. */
#include "sim_int.h"

#include <inttypes.h>

static unsigned leaf_flags(const Sim *s, const Vma *v, AccessOp op)
{
    unsigned fl = PTE_V | PTE_U | sim_pte_perms(s, v->perms);
    /* Svade leaves A/D to software: Linux sets A, and D for a write fault. */
    if (s->geo.ad_by_fault)
        fl |= PTE_A | (op == OP_WRITE ? PTE_D : 0);
    return fl;
}

/* Counts a fault the OS handled, for the machine and for p, and charges its time: a
 * major fault waits for the disk (swap or the file), a minor one does not. */
static void count_fault(Sim *s, Process *p, bool major)
{
    s->stats.page_faults++;
    p->stats.faults++;
    if (major) {
        s->stats.major_faults++;
        p->stats.major++;
        s->stats.cycles += s->m.timing.major_fault;
    } else {
        s->stats.minor_faults++;
        p->stats.minor++;
        s->stats.cycles += s->m.timing.minor_fault;
    }
}

/* The leaf entry's address for va. A walk that failed at the last level went through
 * valid table entries only (none a leaf): the slot it read is mm_leaf_entry's answer,
 * with no table to make, so the handler does not walk the tables a second time. */
static paddr_t leaf_slot(Sim *s, Process *p, vaddr_t va, const Walk *w)
{
    unsigned last = s->geo.levels - 1;
    if (w->status == WALK_NOT_PRESENT && w->level == last && w->nread == last + 1)
        return w->pte_pa[last];
    return mm_leaf_entry(s, p, va);
}

/* Brings the page at va into a frame: from swap, from the file, or zero-filled. w is
 * the walk that faulted. */
static FixResult page_in(Sim *s, Process *p, const Vma *v, vaddr_t va, AccessOp op,
                         const Walk *w, FaultKind *fk)
{
    const Geometry *g = &s->geo;
    paddr_t leaf = leaf_slot(s, p, va, w);
    if (leaf == PADDR_NONE)
        return p->state == PROC_RUNNING ? FIX_HALT : FIX_KILLED;
    pte_t old = mem_read(&s->fp, leaf, g->pte_size);
    bool swapped = old != 0;               /* non-present and non-zero: a swap entry */
    *fk = swapped || v->file ? FAULT_MAJOR : FAULT_MINOR;
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = op, .fault = *fk,
         .detail = swapped ? "swap-in" : v->file ? "file read" : "demand-zero");
    pfn_t pfn = mm_get_frame(s, false);
    if (pfn == PFN_NONE)
        return p->state == PROC_RUNNING ? FIX_HALT : FIX_KILLED;
    if (p->state != PROC_RUNNING) {        /* the OOM killer chose the faulting process */
        frames_free(&s->fp, pfn);
        return FIX_KILLED;
    }
    old = mem_read(&s->fp, leaf, g->pte_size);   /* the search for a frame may have moved it */
    swapped = old != 0;
    Frame *f = &s->fp.frames[pfn];
    f->pid = p->pid;
    f->refs = 1;
    f->span = 1;
    f->va = va & ~(geo_page_size(g) - 1);
    f->pte_pa = leaf;
    f->file = v->file && !swapped;
    f->swap_slot = -1;
    if (swapped)
        swap_entry_decode(g, old, &f->swap_slot);
    if (swapped) {
        s->stats.swap_ins++;
        p->swap--;
        EMIT(s, .kind = EV_SWAP_IN, .pid = p->pid, .va = va, .pfn = pfn, .slot = f->swap_slot);
    }
    pte_t pte = pte_encode(g, pfn, leaf_flags(s, v, op));
    mem_write(&s->fp, leaf, g->pte_size, pte);
    if (old == 0)
        mm_table_of(s, leaf)->used++;
    if (s->future)
        policy_set_next_use(s->policy, pfn, future_next(s->future, s->cur_pos));
    policy_insert(s->policy, pfn, op == OP_WRITE, s->stats.references);
    s->loaded = pfn;
    p->rss++;
    count_fault(s, p, *fk == FAULT_MAJOR);
    EMIT(s, .kind = EV_FRAME_ALLOC, .pid = p->pid, .va = va, .pfn = pfn);
    EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = va, .level = g->levels - 1, .pte_pa = leaf,
         .pte = pte);
    return FIX_RETRY;
}

/* Svade: the page is mapped but A (or D for a write) is clear; the OS sets them. */
static FixResult set_ad(Sim *s, Process *p, const Walk *w, vaddr_t va, AccessOp op,
                        FaultKind *fk)
{
    const Geometry *g = &s->geo;
    unsigned l = w->level;
    unsigned fl = pte_flags(g, w->pte[l]) | PTE_A | (op == OP_WRITE ? PTE_D : 0);
    pte_t pte = pte_encode(g, pte_pfn(g, w->pte[l]), fl);
    mem_write(&s->fp, w->pte_pa[l], g->pte_size, pte);
    *fk = FAULT_AD;
    count_fault(s, p, false);
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = op, .fault = FAULT_AD,
         .level = l, .detail = op == OP_WRITE ? "set accessed and dirty" : "set accessed");
    EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = va, .level = l, .pte_pa = w->pte_pa[l], .pte = pte);
    return FIX_RETRY;
}

/* The level at which va's page would be large: the region asks for large pages, or
 * transparent huge pages are on and the aligned range around va is anonymous, private
 * and inside the region. False for base pages. */
static bool huge_level(const Sim *s, const Vma *v, vaddr_t va, unsigned *level)
{
    const Geometry *g = &s->geo;
    unsigned want = v->huge_shift;
    bool thp = !want && s->m.memory.thp && !v->file && !v->shared;
    if (!want && !thp)
        return false;                      /* base pages: no level to look at */
    for (unsigned l = g->levels - 1; l-- > 0;) {
        unsigned shift = geo_leaf_shift(g, l);
        if (!(g->leaf_levels & (1u << l)) || (want && shift != want) || shift >= 64)
            continue;
        vaddr_t base = va & ~((1ull << shift) - 1);
        if (want || (thp && base >= v->start && base + (1ull << shift) <= v->end &&
                     base + (1ull << shift) > base)) {
            *level = l;
            return true;
        }
        if (thp)
            return false;                  /* only the smallest large size is tried */
    }
    return false;
}

/* A large page for va: an aligned run of frames mapped by one entry at level (x86 PS,
 * a RISC-V leaf above the last level). Large pages are zero-filled on first touch and
 * never replaced. Without a free run, transparent huge pages fall back to base pages;
 * a region that asked for large pages gets SIGBUS, as hugetlbfs gives. */
static FixResult huge_page_in(Sim *s, Process *p, const Vma *v, vaddr_t va, AccessOp op,
                              unsigned level, FaultKind *fk)
{
    const Geometry *g = &s->geo;
    unsigned shift = geo_leaf_shift(g, level);
    size_t n = (size_t)1 << (shift - g->page_shift);
    paddr_t at = mm_entry_at(s, p, va, level);
    if (at == PADDR_NONE)
        return p->state == PROC_RUNNING ? (v->huge_shift ? FIX_HALT : FIX_FALLBACK) : FIX_KILLED;
    pte_t old = mem_read(&s->fp, at, g->pte_size);
    if (old != 0 && !v->huge_shift)
        return FIX_FALLBACK;               /* base pages are mapped there already */
    if (old != 0) {
        sim_fmt_err(s->err, sizeof s->err, "the entry for the large page at 0x%llx is in use",
                    (unsigned long long)va);
        return FIX_HALT;
    }
    pfn_t run = n <= s->fp.nframes ? mm_get_run(s, n) : PFN_NONE;
    if (p->state != PROC_RUNNING)
        return FIX_KILLED;
    if (run == PFN_NONE) {
        if (!v->huge_shift)
            return FIX_FALLBACK;
        *fk = FAULT_SIGBUS;
        s->stats.bus_errors++;
        kill_signal(s, p, FAULT_SIGBUS, "SIGBUS: no free large page for a huge mapping");
        return FIX_KILLED;
    }
    vaddr_t base = va & ~((1ull << shift) - 1);
    for (size_t i = 0; i < n; i++) {
        Frame *f = &s->fp.frames[run + i];
        f->pid = p->pid;
        f->va = base + (i << g->page_shift);
        f->pte_pa = at;
        f->span = i == 0 ? (uint32_t)n : 0;
        f->refs = i == 0;
    }
    unsigned flags = leaf_flags(s, v, op) | (g->style == PT_STYLE_X86 ? PTE_H : 0);
    pte_t pte = pte_encode(g, run, flags);
    mem_write(&s->fp, at, g->pte_size, pte);
    mm_table_of(s, at)->used++;
    p->rss += n;
    p->hugetlb += v->huge_shift ? n : 0;
    *fk = FAULT_MINOR;
    count_fault(s, p, false);
    s->stats.huge_pages++;
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = op, .fault = FAULT_MINOR,
         .detail = v->huge_shift ? "large page, zero-filled" : "transparent huge page, zero-filled");
    EMIT(s, .kind = EV_FRAME_ALLOC, .pid = p->pid, .va = base, .pfn = run, .count = n);
    EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = va, .level = level, .pte_pa = at, .pte = pte);
    return FIX_RETRY;
}

/* Frees the n frames from pfn that a copy did not use. */
static void free_run(Sim *s, pfn_t pfn, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        frames_free(&s->fp, pfn + i);
}

/* The writer's own copy of the page (a base page, or a large page's run) in old,
 * mapped at pte_pa. *pfn is the copy, or PFN_NONE when the retry must start over. */
/* A transparent huge page the writer cannot copy whole: it stops mapping it, and the
 * retried access faults in base pages (Linux splits the huge PMD, do_huge_pmd_wp_page;
 * vmsim, which keeps no page contents, lets each base page fault in again). */
static FixResult thp_fall_back(Sim *s, Process *p, vaddr_t va, paddr_t pte_pa, pfn_t old)
{
    p->rss -= mm_span(s, old);
    mem_write(&s->fp, pte_pa, s->geo.pte_size, 0);
    mm_table_of(s, pte_pa)->used--;
    mm_drop_frame(s, p, old);
    tlbs_flush_page(s, va, p->asid);
    EMIT(s, .kind = EV_NOTE, .pid = p->pid, .va = va,
         .detail = "copy-on-write of a transparent huge page with no free run for the copy: "
                   "it falls back to base pages");
    return FIX_RETRY;
}

static FixResult cow_copy(Sim *s, Process *p, const Vma *v, vaddr_t va, paddr_t pte_pa,
                          pfn_t old, pfn_t *pfn, FaultKind *fk)
{
    const Geometry *g = &s->geo;
    uint32_t n = mm_span(s, old);
    *pfn = n == 1 ? mm_get_frame(s, false) : mm_get_run(s, n);
    if (*pfn == PFN_NONE && n > 1 && p->state == PROC_RUNNING && !v->huge_shift)
        return thp_fall_back(s, p, va, pte_pa, old);
    if (*pfn == PFN_NONE && n > 1 && p->state == PROC_RUNNING) {
        *fk = FAULT_SIGBUS;                /* as hugetlbfs: no large page for the copy */
        s->stats.bus_errors++;
        kill_signal(s, p, FAULT_SIGBUS, "SIGBUS: no free large page for copy-on-write");
        return FIX_KILLED;
    }
    if (*pfn == PFN_NONE)
        return p->state == PROC_RUNNING ? FIX_HALT : FIX_KILLED;
    pte_t now = mem_read(&s->fp, pte_pa, g->pte_size);
    if (p->state != PROC_RUNNING || !(pte_flags(g, now) & PTE_V) || pte_pfn(g, now) != old) {
        free_run(s, *pfn, n);              /* killed, or the shared page left meanwhile */
        bool dead = p->state != PROC_RUNNING;
        *pfn = PFN_NONE;
        return dead ? FIX_KILLED : FIX_RETRY;
    }
    for (uint32_t i = 0; i < n; i++) {
        Frame *f = &s->fp.frames[*pfn + i], *o = &s->fp.frames[old + i];
        f->pid = p->pid;
        f->refs = i == 0;
        f->span = i == 0 ? n : 0;
        f->va = o->va;
        f->pte_pa = pte_pa;
        f->dirty = true;                   /* a private copy: only swap has it now */
        if (o->bytes && mem_load(&s->fp, (*pfn + i) << g->page_shift, o->bytes,
                                 geo_page_size(g)) != 0) {
            free_run(s, *pfn, n);
            sim_fmt_err(s->err, sizeof s->err, "out of host memory copying a page");
            return FIX_HALT;
        }
    }
    if (n == 1) {
        policy_insert(s->policy, *pfn, true, s->stats.references);
        s->loaded = *pfn;
    }
    mem_write(&s->fp, pte_pa, g->pte_size, 0);   /* p stops mapping the old frame */
    mm_drop_frame(s, p, old);
    return FIX_RETRY;
}

/* A write to a private page shared since a fork (its entry read-only in every sharer):
 * copy it for the writer, or, if no one else maps it any more, just make it writable
 * (Linux's do_wp_page: wp_page_copy or wp_page_reuse). A minor fault either way. */
static FixResult cow_fault(Sim *s, Process *p, const Vma *v, vaddr_t va, const Walk *w,
                           FaultKind *fk)
{
    const Geometry *g = &s->geo;
    unsigned l = w->level;
    paddr_t pte_pa = w->pte_pa[l];
    pfn_t old = pte_pfn(g, w->pte[l]);
    pfn_t pfn = old;
    if (s->fp.frames[old].refs > 1) {
        FixResult r = cow_copy(s, p, v, va, pte_pa, old, &pfn, fk);
        if (r != FIX_RETRY || pfn == PFN_NONE)
            return r;
    }
    unsigned huge = mm_span(s, pfn) > 1 && g->style == PT_STYLE_X86 ? PTE_H : 0;
    pte_t pte = pte_encode(g, pfn, leaf_flags(s, v, OP_WRITE) | PTE_A | PTE_D | huge);
    mem_write(&s->fp, pte_pa, g->pte_size, pte);
    tlbs_invalidate_page(s, va, p->asid, "copy-on-write rewrote the entry");
    *fk = FAULT_COW;
    count_fault(s, p, false);
    s->stats.cow_copies += pfn != old;
    char why[96] = "";
    if (s->observer && pfn != old)
        snprintf(why, sizeof why, "copy-on-write: frame %" PRIu64 " copied to frame %" PRIu64, old, pfn);
    else if (s->observer)
        snprintf(why, sizeof why, "copy-on-write: last sharer, frame %" PRIu64 " reused", old);
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = OP_WRITE, .fault = FAULT_COW,
         .pfn = pfn, .count = old, .detail = why);
    EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = va, .level = l, .pte_pa = pte_pa, .pte = pte);
    return FIX_RETRY;
}

/* The mapping for va (v, when proc_find_vma found one), growing the stack down to its
 * limit if va lies just below it. */
static const Vma *vma_for(Process *p, const Vma *v, vaddr_t va, vaddr_t page_mask)
{
    if (v)
        return v;
    Vma *st = proc_stack_for(p, va, STACK_GUARD_PAGES * (page_mask + 1));
    if (st)
        st->start = va & ~page_mask;
    return st;
}

/* Why va has no mapping: below a stack that may grow no further (the stack limit,
 * RLIMIT_STACK) is said as such; anything else is just unmapped. */
static const char *maperr_words(const Process *p, vaddr_t va, char *buf, size_t len)
{
    for (size_t i = 0; i < p->nvmas; i++) {
        const Vma *v = &p->vmas[i];
        vaddr_t below = i == 0 ? 0 : p->vmas[i - 1].end;   /* the gap the stack grows into */
        if (v->kind == VMA_STACK && va < p->stack_limit && va >= below && p->stack_limit <= v->start) {
            snprintf(buf, len, "no mapping at this address: the stack may not grow below 0x%" PRIx64
                     " (its limit, RLIMIT_STACK)", p->stack_limit);
            return buf;
        }
    }
    return "no mapping at this address";
}

static const char *arch_fault_words(WalkStatus st)
{
    switch (st) {
    case WALK_NONCANONICAL: return "non-canonical address";
    case WALK_RESERVED: return "reserved bit set in a page-table entry";
    case WALK_MISALIGNED: return "misaligned superpage";
    default: return "architecture fault";
    }
}

/* Whether Linux refuses the access to v, as access_error() decides.
 * arch/x86/mm/fault.c: a write needs VM_WRITE; a read or fetch that faulted on a
 * present page is a protection fault (XD, or no user access) and refused; one on a
 * page not present needs only vma_is_accessible() (x86 cannot express "writable but
 * unreadable", and VM_EXEC is never checked: without XD every page is executable).
 * arch/riscv/mm/fault.c: a fetch needs VM_EXEC, a load VM_READ or VM_WRITE ("write
 * implies read"), a store VM_WRITE. Other formats: the region's permissions. */
static bool access_error(const Sim *s, const Vma *v, AccessOp op, WalkStatus st)
{
    bool write = op == OP_WRITE || op == OP_MODIFY;
    switch (s->geo.style) {
    case PT_STYLE_X86:
        if (write)
            return !(v->perms & PTE_W);
        return st == WALK_PROTECTION || !(v->perms & (PTE_R | PTE_W | PTE_X));
    case PT_STYLE_RISCV:
        if (op == OP_EXEC)
            return !(v->perms & PTE_X);
        return !(v->perms & (write ? PTE_W : PTE_R | PTE_W));
    default:
        return !mmu_allows(&s->geo, v->perms | PTE_U, op, true);
    }
}

/* The operating system's page-fault handler (as Linux's do_user_addr_fault and
 * handle_mm_fault): find the VMA, check the access, then map the page. */
FixResult fault_handle(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w,
                              FaultKind *fk)
{
    FixResult unexpected = isa_fault(s, p, va, op, w, fk);
    if (unexpected != FIX_FALLBACK)
        return unexpected;
    switch (w->status) {
    case WALK_NONCANONICAL:
    case WALK_RESERVED:
    case WALK_MISALIGNED:
        *fk = FAULT_ARCH;
        return kill_segv(s, p, va, FAULT_ARCH, arch_fault_words(w->status));
    default:
        break;
    }
    const Vma *found = proc_find_vma(p, va);
    bool mapped = found != NULL;
    const Vma *v = vma_for(p, found, va, geo_page_size(&s->geo) - 1);
    char why[160];
    if (!v) {
        *fk = FAULT_SEGV_MAPERR;
        return kill_segv(s, p, va, *fk, maperr_words(p, va, why, sizeof why));
    }
    if (!mapped && s->observer) {              /* vma_for grew the stack down to va */
        snprintf(why, sizeof why, "the stack grew down to 0x%" PRIx64 " (it may grow to 0x%" PRIx64 ")",
                 v->start, p->stack_limit);
        EMIT(s, .kind = EV_NOTE, .pid = p->pid, .va = va, .detail = why);
    }
    if (access_error(s, v, op, w->status)) {
        *fk = FAULT_SEGV_ACCERR;
        return kill_segv(s, p, va, *fk, op == OP_WRITE ? "write to a read-only mapping"
                                        : op == OP_EXEC ? "execute of a non-executable mapping"
                                                        : "read of an unreadable mapping");
    }
    if (w->status == WALK_AD)
        return set_ad(s, p, w, va, op, fk);
    if (w->status == WALK_PROTECTION && op == OP_WRITE && !v->shared)
        return cow_fault(s, p, v, va, w, fk);
    if (w->status == WALK_PROTECTION) {
        /* The VMA allows what the entry forbids: the entry is stale; rewrite it. */
        unsigned l = w->level;
        pte_t pte = pte_encode(&s->geo, pte_pfn(&s->geo, w->pte[l]),
                               leaf_flags(s, v, op) | (pte_flags(&s->geo, w->pte[l]) & (PTE_A | PTE_D)));
        mem_write(&s->fp, w->pte_pa[l], s->geo.pte_size, pte);
        return FIX_RETRY;
    }
    unsigned level;
    if (huge_level(s, v, va, &level)) {
        FixResult r = huge_page_in(s, p, v, va, op, level, fk);
        if (r != FIX_FALLBACK)
            return r;
    }
    return page_in(s, p, v, va, op, w, fk);
}

/* ---- no operating system -------------------------------------------------- */

/* What stopped the walk, in words, with the level's name. */
static void fault_words(const Sim *s, const Walk *w, char *buf, size_t len)
{
    const char *lv = geo_level_name(&s->geo, w->level);
    switch (w->status) {
    case WALK_NONCANONICAL: snprintf(buf, len, "non-canonical address"); break;
    case WALK_PROTECTION: snprintf(buf, len, "%s entry forbids the access", lv); break;
    case WALK_RESERVED: snprintf(buf, len, "%s entry has a reserved bit set", lv); break;
    case WALK_MISALIGNED: snprintf(buf, len, "%s entry maps a misaligned superpage", lv); break;
    case WALK_AD: snprintf(buf, len, "%s entry's accessed/dirty bit is clear", lv); break;
    default: snprintf(buf, len, "%s entry not valid", lv); break;
    }
}

StepStatus image_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, StepInfo *info)
{
    char why[160], detail[200];
    fault_words(s, w, why, sizeof why);
    snprintf(detail, sizeof detail, "%s (no operating system: not repaired)", why);
    info->fault = FAULT_UNHANDLED;
    s->stats.page_faults++;
    p->stats.faults++;
    EMIT(s, .kind = EV_FAULT, .pid = p->pid, .va = va, .op = op, .fault = FAULT_UNHANDLED,
         .level = w->level, .detail = detail);
    return STEP_OK;
}
