/* The simulation engine: steps, translation through the TLB and the page walk, and the
 * operating system's side of a page fault (tables, frames, eviction, swap, SIGSEGV). */
#include "sim_int.h"
#include "vmsim/oom.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_fmt_err(char *err, size_t len, const char *fmt, ...)
{
    if (!err || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

void sim_line_err(Sim *s, unsigned long line, const char *fmt, ...)
{
    int n = snprintf(s->err, sizeof s->err, "%s:%lu: ", s->trace ? trace_name(s->trace) : "trace", line);
    if (n < 0 || (size_t)n >= sizeof s->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
    va_end(ap);
}

static int tlb_level_init(Tlb *t, unsigned entries, unsigned ways, TlbPolicy policy, Rng *rng)
{
    return tlb_init(t, entries, ways ? ways : entries, policy, rng);
}

static int tlbs_init(Sim *s)
{
    const MachineConfig *m = &s->m;
    return tlb_level_init(&s->tlb[SIM_DTLB], m->tlb.entries, m->tlb.ways, m->tlb.policy, &s->rng) ||
           tlb_level_init(&s->tlb[SIM_ITLB], m->itlb.entries, m->itlb.ways, m->itlb.policy, &s->rng) ||
           tlb_level_init(&s->tlb[SIM_STLB], m->stlb.entries, m->stlb.ways, m->stlb.policy, &s->rng);
}

static void tlb_dropped(void *ctx, const Tlb *t, const TlbEntry *e)
{
    Sim *s = ctx;
    EMIT(s, .kind = EV_TLB_DROP, .pid = s->cur ? s->cur->pid : 0, .level = (unsigned)(t - s->tlb),
         .va = e->tag << e->shift, .shift = e->shift, .pfn = e->pfn, .asid = e->asid, .detail = s->tlb_why);
}

/* Every TLB is told who listens for the entries it drops, and why they go. */
static void tlbs_hook(Sim *s, const char *why)
{
    s->tlb_why = why;
    for (int i = 0; i < SIM_TLBS; i++) {
        s->tlb[i].on_drop = s->observer ? tlb_dropped : NULL;
        s->tlb[i].drop_ctx = s;
    }
}

/* Invalidation reaches every TLB: what one level drops, another must not keep. */
unsigned tlbs_invalidate_page(Sim *s, vaddr_t va, uint32_t asid, const char *why)
{
    unsigned n = 0;
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        if (s->tlb[i].entries)             /* no call per fault for an absent TLB */
            n += tlb_flush_page(&s->tlb[i], va, asid);
    return n;
}

void tlbs_invalidate_asid(Sim *s, uint32_t asid, const char *why)
{
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        tlb_flush_asid(&s->tlb[i], asid);
}

void tlbs_flush_page(Sim *s, vaddr_t va, uint32_t asid)
{
    tlbs_invalidate_page(s, va, asid, "invalidated");
}

void tlbs_flush_asid(Sim *s, uint32_t asid)
{
    tlbs_invalidate_asid(s, asid, "invalidated");
}

unsigned tlbs_flush_all(Sim *s, bool keep_global, const char *why)
{
    unsigned n = 0;
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        n += tlb_flush_all(&s->tlb[i], keep_global);
    return n;
}

static void release_future(Sim *s)
{
    if (s->future && --s->future->refs == 0) {
        future_fini(s->future);
        free(s->future);
    }
    s->future = NULL;
}

/* A data frame as the policies' descriptions name it: its page (decimal on a trace
 * of page numbers, as the trace wrote them; else the page's address), the owner when
 * there are several processes, and the frame: "page 7 in frame 2". */
static size_t frame_namer(const void *ctx, pfn_t pfn, char *buf, size_t len)
{
    const Sim *s = ctx;
    if (pfn >= s->fp.nframes || s->fp.frames[pfn].kind != FRAME_DATA)
        return 0;
    const Frame *f = &s->fp.frames[pfn];
    const Process *p = s->nprocs > 1 ? proc_by_pid(s, f->pid) : NULL;
    char owner[TRACE_NAME_MAX + 4] = "";
    if (p)
        snprintf(owner, sizeof owner, "%s's ", p->name);
    int n = s->trace && trace_format(s->trace) == TRACE_PAGES
          ? snprintf(buf, len, "%spage %" PRIu64 " in frame %" PRIu64, owner,
                     (uint64_t)(f->va >> s->geo.page_shift), (uint64_t)pfn)
          : snprintf(buf, len, "%spage 0x%" PRIx64 " in frame %" PRIu64, owner, (uint64_t)f->va, (uint64_t)pfn);
    return n > 0 ? (size_t)n : 0;
}

Sim *sim_create(const MachineConfig *m, char *err, size_t errlen)
{
    const char *key = "machine";
    const char *bad = machine_validate(m, &key);
    if (bad) {
        sim_fmt_err(err, errlen, "%s: %s", key, bad);
        return NULL;
    }
    Sim *s = calloc(1, sizeof *s);
    if (!s) {
        sim_fmt_err(err, errlen, "out of memory");
        return NULL;
    }
    s->m = *m;
    geo_update(&s->m.geo);
    s->geo = s->m.geo;
    s->next_pid = 1;
    rng_seed(&s->rng, m->seed);
    /* A swap entry keeps slot + 1 in the entry's frame field: that bounds the slots. */
    uint64_t field = m->geo.fmt.pfn_bits >= 64 ? UINT64_MAX : (1ull << m->geo.fmt.pfn_bits) - 1;
    swap_init(&s->swap, m->swap.slots < field ? m->swap.slots : field);
    s->needs_future = policy_needs_future(m->memory.policy);
    /* Separate table frames are numbered from frames up: no further than the entries'
     * frame field reaches, or a table would alias a data frame. */
    uint64_t pfns = field < UINT64_MAX ? field + 1 : UINT64_MAX;
    if (m->geo.pa_bits < 64 && (m->geo.pa_bits - m->geo.page_shift) < 64 &&
        (1ull << (m->geo.pa_bits - m->geo.page_shift)) < pfns)
        pfns = 1ull << (m->geo.pa_bits - m->geo.page_shift);
    if (frames_init(&s->fp, m->memory.frames, m->geo.page_shift, m->memory.separate_tables) ||
        !(s->policy = policy_create(m->memory.policy, m->memory.frames, &s->rng,
                                    &(PolicyParams){ .tau = m->memory.tau, .opt_ties = m->memory.opt_ties })) ||
        tlbs_init(s)) {
        sim_destroy(s);
        sim_fmt_err(err, errlen, "out of memory for %llu frames",
                (unsigned long long)m->memory.frames);
        return NULL;
    }
    s->fp.limit = pfns < SIZE_MAX ? (size_t)pfns : 0;
    policy_set_namer(s->policy, frame_namer, s);
    return s;
}

void sim_destroy(Sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nprocs; i++) {
        proc_fini(s->procs[i]);
        free(s->procs[i]);
    }
    free(s->procs);
    frames_fini(&s->fp);
    policy_destroy(s->policy);
    for (int i = 0; i < SIM_TLBS; i++)
        tlb_fini(&s->tlb[i]);
    swap_fini(&s->swap);
    release_future(s);
    free(s->unborn);
    free(s);
}

void sim_set_trace(Sim *s, TraceReader *t)
{
    s->trace = t;
    memset(&s->pend, 0, sizeof s->pend);
    release_future(s);
}
void sim_set_observer(Sim *s, SimObserver fn, void *ctx) { s->observer = fn; s->obs_ctx = ctx; }
void sim_get_observer(const Sim *s, SimObserver *fn, void **ctx) { *fn = s->observer; *ctx = s->obs_ctx; }
const char *sim_error(const Sim *s) { return s->err; }
bool sim_halted(const Sim *s) { return s->halted; }
const SimStats *sim_stats(const Sim *s) { return &s->stats; }
const MachineConfig *sim_machine(const Sim *s) { return &s->m; }
const FramePool *sim_frames(const Sim *s) { return &s->fp; }
const Tlb *sim_tlb(const Sim *s) { return &s->tlb[SIM_DTLB]; }
const Tlb *sim_tlb_at(const Sim *s, SimTlb which) { return &s->tlb[which]; }
const Swap *sim_swap(const Sim *s) { return &s->swap; }
const Policy *sim_policy(const Sim *s) { return s->policy; }
size_t sim_nprocs(const Sim *s) { return s->nprocs; }
const Process *sim_proc(const Sim *s, size_t i) { return i < s->nprocs ? s->procs[i] : NULL; }
const Process *sim_current(const Sim *s) { return s->cur; }

bool sim_is_unborn(const Sim *s, const char *name)
{
    for (size_t i = 0; i < s->nunborn; i++)
        if (strcmp(s->unborn[i], name) == 0)
            return true;
    return false;
}

Process *proc_by_pid(const Sim *s, int pid)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (s->procs[i]->pid == pid)
            return s->procs[i];
    return NULL;
}

Process *proc_by_name(const Sim *s, const char *name)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (strcmp(s->procs[i]->name, name) == 0)
            return s->procs[i];
    return NULL;
}

const Process *sim_proc_by_pid(const Sim *s, int pid) { return proc_by_pid(s, pid); }

/* ---- the fault handler --------------------------------------------------- */

/* Delivers a fatal signal: the process dies and its memory is released at once. */
/* A signal ends p: its memory goes at once, and so does the rest of what it was doing. */
static void end_process(Sim *s, Process *p)
{
    p->state = PROC_KILLED;
    mm_release(s, p);
    s->pend.active = 0;
    s->pend.nq = s->pend.qi = 0;
}

FixResult kill_segv(Sim *s, Process *p, vaddr_t va, FaultKind fk, const char *why)
{
    s->stats.segfaults += fk != FAULT_ARCH;
    s->stats.arch_faults += fk == FAULT_ARCH;
    EMIT(s, .kind = EV_SEGV, .pid = p->pid, .va = va, .fault = fk, .detail = why);
    snprintf(p->exit_reason, sizeof p->exit_reason, "SIGSEGV: %s at 0x%llx", why,
             (unsigned long long)va);
    end_process(s, p);
    return FIX_KILLED;
}

unsigned sim_pte_perms(const Sim *s, unsigned perms)
{
    /* RISC-V's protection_map (arch/riscv/include/asm/pgtable.h): PAGE_COPY is
     * PAGE_READ and PAGE_SHARED is PAGE_WRITE = R|W; W without R is reserved (privileged
     * spec, Table "Encoding of PTE R/W/X fields"). x86 has no R bit: present is readable. */
    if (s->geo.style == PT_STYLE_RISCV && (perms & PTE_W))
        perms |= PTE_R;
    return perms;
}

static unsigned leaf_flags(const Sim *s, const Vma *v, AccessOp op)
{
    unsigned fl = PTE_V | PTE_U | sim_pte_perms(s, v->perms);
    /* Svade leaves A/D to software: Linux sets A, and D for a write fault. */
    if (s->geo.ad_by_fault)
        fl |= PTE_A | (op == OP_WRITE ? PTE_D : 0);
    return fl;
}

/* Brings the page at va into a frame: from swap, from the file, or zero-filled. */
static FixResult page_in(Sim *s, Process *p, const Vma *v, vaddr_t va, AccessOp op,
                         FaultKind *fk)
{
    const Geometry *g = &s->geo;
    paddr_t leaf = mm_leaf_entry(s, p, va);
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
    s->stats.page_faults++;
    p->stats.faults++;
    if (*fk == FAULT_MAJOR) {
        s->stats.major_faults++;
        p->stats.major++;
        s->stats.cycles += s->m.timing.major_fault;
    } else {
        s->stats.minor_faults++;
        p->stats.minor++;
        s->stats.cycles += s->m.timing.minor_fault;
    }
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
    s->stats.page_faults++;
    s->stats.minor_faults++;
    p->stats.faults++;
    p->stats.minor++;
    s->stats.cycles += s->m.timing.minor_fault;
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
    s->stats.page_faults++;
    s->stats.minor_faults++;
    s->stats.huge_pages++;
    p->stats.faults++;
    p->stats.minor++;
    s->stats.cycles += s->m.timing.minor_fault;
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
    s->stats.page_faults++;
    s->stats.minor_faults++;
    s->stats.cow_copies += pfn != old;
    p->stats.faults++;
    p->stats.minor++;
    s->stats.cycles += s->m.timing.minor_fault;
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

/* The mapping for va, growing the stack down to its limit if va lies just below it. */
static const Vma *vma_for(Process *p, vaddr_t va, vaddr_t page_mask)
{
    const Vma *v = proc_find_vma(p, va);
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
static FixResult handle_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w,
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
    bool mapped = proc_find_vma(p, va) != NULL;
    const Vma *v = vma_for(p, va, geo_page_size(&s->geo) - 1);
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
    return page_in(s, p, v, va, op, fk);
}

/* ---- translation --------------------------------------------------------- */

static inline void complete(Sim *s, Process *p, vaddr_t va, AccessOp op, pfn_t pfn, StepInfo *info)
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
    info->pa = (pfn << s->geo.page_shift) | (va & (geo_page_size(&s->geo) - 1));
    EMIT(s, .kind = EV_TRANSLATED, .pid = p->pid, .va = va, .op = op, .pa = info->pa, .pfn = pfn);
}

static void emit_walk(Sim *s, const Process *p, vaddr_t va, const Walk *w)
{
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
    const Process *p = sim_proc_by_pid(s, pid);
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

/* Looks va up in the first level, then the second; a second-level hit refills the
 * first. Counts hits and misses per TLB. */
static inline bool tlb_hit(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    Tlb *l1 = first_level(s, op), *l2 = &s->tlb[SIM_STLB];
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
    pfn_t pfn = e->pfn + ((va >> s->geo.page_shift) & ((1ull << (e->shift - s->geo.page_shift)) - 1));
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
static inline bool tlb_step(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    if (info->no_tlb)
        return false;
    s->stats.cycles += s->m.timing.tlb;
    if (tlb_hit(s, p, va, op, info))
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

/* One translation of va for op (R, W or X) by process p. */
static StepStatus translate(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    info->kind = STEP_ACCESS;
    info->pid = p->pid;
    info->op = op;
    info->va = va;
    info->pa = PADDR_NONE;
    s->stats.references++;
    p->stats.references++;
    info->no_tlb = s->kernel || (!first_level(s, op)->entries && !s->tlb[SIM_STLB].entries);
    if (s->m.memory.tick && ++s->since_tick >= s->m.memory.tick) {
        s->since_tick = 0;
        policy_tick(s->policy, s->stats.references);    /* the timer interrupt */
    }
    EMIT(s, .kind = EV_ACCESS, .pid = p->pid, .va = va, .op = op,
         .detail = s->kernel ? "in supervisor mode" : NULL);
    s->loaded = PFN_NONE;
    if (tlb_step(s, p, va, op, info))
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
        FixResult r = handle_fault(s, p, va, op, &w, &fk);
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

StepStatus sim_kernel_access(Sim *s, Process *p, vaddr_t va, AccessOp op, StepInfo *info)
{
    s->kernel = true;
    StepStatus r = translate(s, p, va, op, info);
    s->kernel = false;
    return r;
}

/* ---- steps --------------------------------------------------------------- */

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

void sim_note_unborn(Sim *s, const char *name)
{
    if (sim_is_unborn(s, name))
        return;
    char (*nu)[TRACE_NAME_MAX] = realloc(s->unborn, (s->nunborn + 1) * sizeof *nu);
    if (!nu)
        return;                            /* a later switch to it is then an error */
    s->unborn = nu;
    snprintf(s->unborn[s->nunborn++], TRACE_NAME_MAX, "%s", name);
}

/* A switch to a child whose fork failed: the steps until the next switch are skipped,
 * as the program that would have run them never started. */
static StepStatus switch_unborn(Sim *s, const TraceRecord *rec, StepInfo *info)
{
    char why[TRACE_NAME_MAX + 64];
    snprintf(why, sizeof why, "'%s' does not exist: its fork failed", rec->name);
    s->nobody = true;
    snprintf(s->nobody_why, sizeof s->nobody_why, "a step of '%s', whose fork failed", rec->name);
    info->kind = STEP_SKIP;
    info->pid = s->cur ? s->cur->pid : 0;
    s->stats.skipped++;
    EMIT(s, .kind = EV_SKIP, .pid = info->pid, .detail = why, .count = 1);
    return STEP_OK;
}

static StepStatus do_switch(Sim *s, const TraceRecord *rec, StepInfo *info)
{
    Process *p = proc_by_name(s, rec->name);
    if (!p && sim_is_unborn(s, rec->name))
        return switch_unborn(s, rec, info);
    s->nobody = false;
    if (!p) {
        sim_line_err(s, rec->line, "no process named '%s'", rec->name);
        return STEP_ERROR;
    }
    info->pid = p->pid;
    if (p->state != PROC_RUNNING) {
        s->cur = p;                        /* its accesses that follow are skipped too */
        info->kind = STEP_SKIP;
        s->stats.skipped++;
        EMIT(s, .kind = EV_SKIP, .pid = p->pid, .detail = p->exit_reason);
        return STEP_OK;
    }
    info->kind = STEP_SWITCH;
    bool flush = p != s->cur && !s->m.tlb.asid;
    s->cur = p;
    EMIT(s, .kind = EV_SWITCH, .pid = p->pid);
    if (flush) {                           /* a CR3 write without PCIDs */
        unsigned n = tlbs_flush_all(s, true, "a switch with no ASIDs");
        EMIT(s, .kind = EV_TLB_FLUSH, .pid = p->pid, .count = n);
    }
    return STEP_OK;
}

/* The pages an access record touches and the ops it makes of them (M: read then
 * write). Returns the number of ops. */
static unsigned record_span(const Sim *s, const TraceRecord *rec, vpn_t *first, vpn_t *last,
                            AccessOp ops[2])
{
    unsigned sh = s->geo.page_shift;
    uint64_t size = rec->size ? rec->size : 1;
    vaddr_t end = rec->addr + (size - 1);
    if (end < rec->addr)
        end = UINT64_MAX;                  /* clamp a range that wraps */
    *first = rec->addr >> sh;
    *last = end >> sh;
    if (rec->op == OP_MODIFY) {
        ops[0] = OP_READ;
        ops[1] = OP_WRITE;
        return 2;
    }
    ops[0] = rec->op;
    return 1;
}

/* Makes rec the access under way. Records of the trace take the next reference
 * positions (opt's future knows them); the OS's own accesses take none. */
static void begin_access(Sim *s, const TraceRecord *rec, bool positioned)
{
    Pending *pd = &s->pend;
    pd->nops = record_span(s, rec, &pd->first, &pd->last, pd->ops);
    pd->active = 1;
    pd->addr = rec->addr;
    pd->line = rec->line;
    pd->cur = pd->first;
    pd->opi = 0;
    pd->pos0 = positioned ? s->ref_pos : NO_POS;
    if (positioned)
        s->ref_pos += pd->nops * (pd->last - pd->first + 1);
}

void queue_access(Sim *s, AccessOp op, vaddr_t addr, uint64_t size, unsigned long line)
{
    Pending *pd = &s->pend;
    if (!pd->active) {
        TraceRecord rec = { .kind = TREC_ACCESS, .op = op, .addr = addr, .size = (uint32_t)size,
                            .line = line };
        pd->nq = pd->qi = 0;
        begin_access(s, &rec, false);
    } else {
        /* The OS queues at most two accesses behind one (a malloc's header writes): a
         * fuller queue is a bug here, never input, so it is not dropped in silence. */
        assert(pd->nq < PEND_QUEUE);
        pd->queue[pd->nq++] = (SubAccess){ op, addr, (uint32_t)size };
    }
}

/* After an access: the next one the OS queued, if any. */
static void next_queued(Sim *s)
{
    Pending *pd = &s->pend;
    if (pd->active || pd->qi >= pd->nq)
        return;
    const SubAccess *q = &pd->queue[pd->qi++];
    TraceRecord rec = { .kind = TREC_ACCESS, .op = q->op, .addr = q->addr, .size = q->size,
                        .line = pd->line };
    begin_access(s, &rec, false);
}

/* OPT's first pass: reads the rest of the trace, naming each page reference in the
 * order the steps will make them, then returns the trace to where it was. */
static StepStatus prepare_future(Sim *s)
{
    Future *f = malloc(sizeof *f);
    if (!f)
        goto oom;
    future_init(f);
    f->refs = 1;
    s->future = f;
    TracePos start = trace_tell(s->trace);
    TraceRecord rec;
    int pid = s->cur ? s->cur->pid : 0, r;
    while ((r = trace_next(s->trace, &rec, s->err, sizeof s->err)) > 0) {
        if (rec.kind == TREC_SWITCH || rec.kind == TREC_FORK) {
            const Process *p = rec.kind == TREC_SWITCH ? proc_by_name(s, rec.name) : NULL;
            pid = p ? p->pid : pid;
            continue;
        }
        if (rec.kind != TREC_ACCESS || rec.named)
            continue;                      /* no place in the future: see begin_access */
        vpn_t first, last;
        AccessOp ops[2];
        unsigned nops = record_span(s, &rec, &first, &last, ops);
        for (unsigned k = 0; k < nops; k++)
            for (vpn_t v = first; v <= last && v >= first; v++)
                if (future_add(f, pid, v) != 0)
                    goto oom;
    }
    if (r < 0) {
        release_future(s);
        return STEP_ERROR;
    }
    if (future_finish(f) != 0)
        goto oom;
    return trace_seek(s->trace, start, s->err, sizeof s->err) == 0 ? STEP_OK : STEP_ERROR;
oom:
    release_future(s);
    sim_fmt_err(s->err, sizeof s->err, "out of host memory for opt's look at the future");
    return STEP_HALT;
}

/* Whether the steps of the trace now belong to a live process. */
static inline bool cur_runs(const Sim *s)
{
    return !s->nobody && s->cur->state == PROC_RUNNING;
}

static const char *skip_reason(const Sim *s)
{
    return s->nobody ? s->nobody_why : s->cur->exit_reason;
}

/* The next translation of the pending record; advances it. */
static StepStatus next_translation(Sim *s, StepInfo *info)
{
    Pending *pd = &s->pend;
    unsigned sh = s->geo.page_shift;
    vaddr_t va = pd->cur == pd->first ? pd->addr : pd->cur << sh;
    AccessOp op = pd->ops[pd->opi];
    info->line = pd->line;
    info->modify = pd->nops == 2;      /* only an M has two ops (record_span) */
    if (s->future)                         /* only opt looks at positions */
        s->cur_pos = pd->pos0 == NO_POS ? NO_POS
                   : pd->pos0 + pd->opi * (pd->last - pd->first + 1) + (pd->cur - pd->first);
    if (pd->cur == pd->last) {
        pd->cur = pd->first;
        if (++pd->opi == pd->nops)
            pd->active = 0;
    } else {
        pd->cur++;
    }
    next_queued(s);
    Process *p = s->cur;
    if (!cur_runs(s)) {
        info->kind = STEP_SKIP;
        info->pid = p->pid;
        info->va = va;
        info->op = op;
        info->pa = PADDR_NONE;
        pd->active = 0;
        pd->nq = pd->qi = 0;
        s->stats.skipped++;
        EMIT(s, .kind = EV_SKIP, .pid = p->pid, .va = va, .detail = skip_reason(s),
             .count = s->nobody);
        return STEP_OK;
    }
    return translate(s, p, va, op, info);
}

/* An access that is one translation: a read, write or fetch inside one page, by a
 * running process, with nothing to check for alignment. */
static inline bool one_page(const Sim *s, const TraceRecord *rec)
{
    unsigned sh = s->geo.page_shift;
    return !rec->named && rec->op != OP_MODIFY && !s->m.strict_alignment &&
           cur_runs(s) && rec->size &&
           (rec->addr >> sh) == ((rec->addr + rec->size - 1) >> sh);
}

/* A process event is one step; a dead process's events are skipped. */
static StepStatus event_step(Sim *s, const TraceRecord *rec, StepInfo *info)
{
    s->stats.steps++;
    if (!cur_runs(s)) {
        if (rec->kind == TREC_FORK)
            sim_note_unborn(s, rec->name);  /* a switch to it is a skip too */
        info->kind = STEP_SKIP;
        info->pid = s->cur->pid;
        s->stats.skipped++;
        EMIT(s, .kind = EV_SKIP, .pid = s->cur->pid, .detail = skip_reason(s), .count = s->nobody);
        return STEP_OK;
    }
    return procev_step(s, rec, info);
}

/* With strict alignment, a 2-, 4-, 8- or 16-byte access must be aligned to its size. */
static bool misaligned(const Sim *s, const TraceRecord *rec)
{
    uint32_t n = rec->size;
    return s->m.strict_alignment && cur_runs(s) &&
           (n == 2 || n == 4 || n == 8 || n == 16) && (rec->addr & (n - 1));
}

void kill_signal(Sim *s, Process *p, FaultKind fk, const char *why)
{
    EMIT(s, .kind = EV_SEGV, .pid = p->pid, .fault = fk, .detail = why);
    snprintf(p->exit_reason, sizeof p->exit_reason, "%s", why);
    end_process(s, p);
}

static StepStatus bus_error(Sim *s, const TraceRecord *rec, StepInfo *info)
{
    char why[160];
    snprintf(why, sizeof why, "SIGBUS: misaligned %u-byte %s at 0x%llx (strict alignment)",
             rec->size, rec->op == OP_WRITE ? "write" : "access", (unsigned long long)rec->addr);
    info->kind = STEP_ACCESS;
    info->pid = s->cur->pid;
    info->op = rec->op == OP_MODIFY ? OP_READ : rec->op;
    info->modify = rec->op == OP_MODIFY;
    info->va = rec->addr;
    info->fault = FAULT_SIGBUS;
    s->stats.bus_errors++;
    EMIT(s, .kind = EV_ACCESS, .pid = info->pid, .va = info->va, .op = info->op);
    kill_signal(s, s->cur, FAULT_SIGBUS, why);
    return STEP_OK;
}

StepStatus sim_step(Sim *s, StepInfo *info)
{
    StepInfo local;
    if (!info)
        info = &local;
    *info = (StepInfo){ .pa = PADDR_NONE };
    if (s->halted)
        return STEP_HALT;
    if (!s->pend.active) {
        TraceRecord rec;
        if (!s->trace)
            return STEP_END;
        if (s->needs_future && !s->future) {
            StepStatus r = prepare_future(s);
            if (r != STEP_OK)
                return r;
        }
        int r = trace_next(s->trace, &rec, s->err, sizeof s->err);
        if (r == 0)
            return STEP_END;
        if (r < 0)
            return STEP_ERROR;
        info->line = rec.line;
        info->step = s->stats.steps + 1;
        if (s->no_os && rec.kind != TREC_ACCESS) {
            sim_line_err(s, rec.line, "a memory image has no operating system: "
                         "only accesses (R, W, X, M) run on it");
            return STEP_ERROR;
        }
        if (rec.kind == TREC_SWITCH) {
            s->stats.steps++;
            return do_switch(s, &rec, info);
        }
        if (!s->cur) {
            sim_line_err(s, rec.line, "an access before any process exists");
            return STEP_ERROR;
        }
        if (rec.kind != TREC_ACCESS)
            return event_step(s, &rec, info);
        if (one_page(s, &rec)) {           /* the common case, without the queue */
            info->step = ++s->stats.steps;
            if (s->future)
                s->cur_pos = s->ref_pos;
            s->ref_pos++;
            return translate(s, s->cur, rec.addr, rec.op, info);
        }
        bool named = rec.named;
        if (named && cur_runs(s) && procev_named(s, &rec) != 0)
            return STEP_ERROR;
        s->pend.nq = s->pend.qi = 0;
        begin_access(s, &rec, !named);     /* opt's first pass skips named accesses */
        if (misaligned(s, &rec)) {
            s->stats.steps++;
            return bus_error(s, &rec, info);
        }
    }
    info->step = ++s->stats.steps;
    return next_translation(s, info);
}

/* ---- set-up -------------------------------------------------------------- */

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

uint64_t sim_committed(const Sim *s) { return s->committed; }

bool sim_has_tlb(const Sim *s)
{
    return s->tlb[SIM_DTLB].entries || s->tlb[SIM_ITLB].entries || s->tlb[SIM_STLB].entries;
}

bool sim_has_page_shift(const Sim *s, unsigned shift)
{
    for (unsigned l = 0; l < s->geo.levels; l++)
        if ((s->geo.leaf_levels & (1u << l)) && geo_leaf_shift(&s->geo, l) == shift)
            return true;
    return false;
}

WalkStatus sim_peek(const Sim *s, const Process *p, vaddr_t va, Walk *w)
{
    return mmu_lookup(&s->geo, &s->fp, p->root, va, w);
}

typedef struct Tally {
    uint64_t data, tables, pages, swapents, hugetlb;
} Tally;

static void tally_leaf(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    (void)pa;
    Tally *t = ctx;
    if (pte_flags(&s->geo, pte) & PTE_V) {
        const Vma *v = proc_find_vma(p, va);
        uint32_t span = mm_span(s, pte_pfn(&s->geo, pte));
        t->pages += span;
        t->hugetlb += v && v->huge_shift ? span : 0;
    } else {
        t->swapents++;
    }
}

/* Every frame is accounted for: data frames are mapped by exactly refs entries, table
 * frames belong to a live process, and each process's counters match its tables. */
const char *sim_check(const Sim *s)
{
    size_t counted[3] = { 0, 0, 0 };
    uint64_t refs = 0;
    counted[FRAME_FREE] += s->fp.nframes - s->fp.fresh;   /* never used: free */
    for (pfn_t pfn = 0; pfn < s->fp.fresh; pfn++) {
        const Frame *f = &s->fp.frames[pfn];
        counted[f->kind]++;
        refs += f->kind == FRAME_DATA ? (uint64_t)f->refs * f->span : 0;
        if (f->kind == FRAME_DATA && f->span && f->refs == 0)
            return "a data frame is mapped by no entry";
    }
    for (int k = 0; k < 3; k++)
        if (counted[k] != s->fp.in_use[k])
            return "frame counts by kind disagree with the pool's counters";
    if (counted[FRAME_FREE] != frames_nfree(&s->fp))
        return "free frames disagree with the free list";
    if (s->no_os || s->nhand)
        return NULL;      /* an image's tables, or entries written by hand, keep no OS
                             bookkeeping (OSTEP's 0x7f entries) */
    uint64_t mapped = 0;
    for (size_t i = 0; i < s->nprocs; i++) {
        Process *p = s->procs[i];
        Tally t = { 0, 0, 0, 0, 0 };
        for (pfn_t pfn = 0; (pfn = frames_skip_fresh(&s->fp, pfn)) < s->fp.total; pfn++) {
            const Frame *f = &s->fp.frames[pfn];
            t.tables += f->kind == FRAME_TABLE && f->pid == p->pid;
        }
        mm_for_each_leaf((Sim *)s, p, 0, UINT64_MAX, tally_leaf, &t);
        if (t.pages != p->rss)
            return "a process's resident pages disagree with its page tables";
        if (t.swapents != p->swap)
            return "a process's swap entries disagree with its page tables";
        if (t.hugetlb != p->hugetlb)
            return "a process's hugetlb pages disagree with its page tables";
        if (t.tables != p->pt_pages)
            return "a process's page-table pages disagree with the frames it owns";
        if (p->state != PROC_RUNNING && (p->rss || t.tables || p->swap))
            return "a dead process still holds memory";
        mapped += p->rss;
    }
    if (mapped != refs)
        return "the entries mapping data frames disagree with the frames' counts";
    return NULL;
}

/* ---- snapshots ----------------------------------------------------------- */

static int clone_procs(Sim *c, const Sim *s)
{
    c->procs = calloc(s->capprocs ? s->capprocs : 1, sizeof *c->procs);
    if (!c->procs)
        return -1;
    c->capprocs = s->capprocs ? s->capprocs : 1;
    for (size_t i = 0; i < s->nprocs; i++) {
        const Process *p = s->procs[i];
        Process *q = malloc(sizeof *q);
        if (!q || proc_copy(q, p) != 0) {
            free(q);
            return -1;
        }
        c->procs[c->nprocs++] = q;
        if (s->cur == p)
            c->cur = q;
    }
    return 0;
}

Sim *sim_clone(const Sim *s)
{
    Sim *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = *s;
    /* Nothing owned is shared until copied; sim_destroy copes with NULLs. */
    c->procs = NULL;
    c->nprocs = c->capprocs = 0;
    c->cur = NULL;
    c->policy = NULL;
    c->observer = NULL;
    memset(&c->fp, 0, sizeof c->fp);
    memset(&c->swap, 0, sizeof c->swap);
    memset(c->tlb, 0, sizeof c->tlb);
    c->unborn = NULL;
    c->nunborn = 0;
    for (size_t i = 0; i < s->nunborn; i++)
        sim_note_unborn(c, s->unborn[i]);
    if (c->future)
        c->future->refs++;
    int bad = frames_copy(&c->fp, &s->fp) || swap_copy(&c->swap, &s->swap) ||
              !(c->policy = policy_clone(s->policy, &c->rng)) || clone_procs(c, s);
    for (int i = 0; i < SIM_TLBS && !bad; i++)
        bad = tlb_copy(&c->tlb[i], &s->tlb[i], &c->rng);
    if (bad) {
        sim_destroy(c);
        return NULL;
    }
    policy_set_namer(c->policy, frame_namer, c);   /* the copy names its own frames */
    return c;
}
