/* The simulation engine's top: a Sim made, configured, copied and read, and the step
 * loop, which reads a trace record, runs a process event through the OS (os/procev.c)
 * or an access's pages through translation (translate.c), one translation a step. */
#include "sim_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    s->kernel_access = sim_kernel_access;
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
    s->trace_file = t ? trace_name(t) : NULL;
    memset(&s->pend, 0, sizeof s->pend);
    s->trace_proc = 0;
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

const Process *sim_proc_by_pid(const Sim *s, int pid) { return proc_by_pid(s, pid); }

/* ---- steps --------------------------------------------------------------- */

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
    procs_switch(s, p);
    return STEP_OK;
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
    queue_begin(s, &rec, false);
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
            continue;                      /* no place in the future: see queue_begin */
        int key = rec.has_proc ? (int)rec.proc + 1 : pid;   /* cs1550: (process, page) */
        vpn_t first, last;
        AccessOp ops[2];
        unsigned nops = queue_span(s, &rec, &first, &last, ops);
        for (unsigned k = 0; k < nops; k++)
            for (vpn_t v = first; v <= last && v >= first; v++)
                if (future_add(f, key, v) != 0)
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
    info->modify = pd->nops == 2;      /* only an M has two ops (queue_span) */
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
    return translate_access(s, p, va, op, info);
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

/* The step of a record just read (rec), as sim_step takes it. */
static StepStatus step_record(Sim *s, TraceRecord *rec, StepInfo *info)
{
    info->line = rec->line;
    info->step = s->stats.steps + 1;
    if (s->no_os && rec->kind != TREC_ACCESS) {
        sim_line_err(s, rec->line, "a memory image has no operating system: "
                     "only accesses (R, W, X, M) run on it");
        return STEP_ERROR;
    }
    StepStatus st;                         /* cs1550: the line's process runs it */
    if (rec->kind == TREC_ACCESS && rec->has_proc && rec->proc + 1 != s->trace_proc &&
        (st = procs_trace_enter(s, rec)) != STEP_OK)
        return st;
    if (rec->kind == TREC_SWITCH) {
        s->stats.steps++;
        return do_switch(s, rec, info);
    }
    if (!s->cur) {
        sim_line_err(s, rec->line, "an access before any process exists");
        return STEP_ERROR;
    }
    if (rec->kind != TREC_ACCESS)
        return event_step(s, rec, info);
    if (one_page(s, rec)) {                /* the common case, without the queue */
        info->step = ++s->stats.steps;
        if (s->future)
            s->cur_pos = s->ref_pos;
        s->ref_pos++;
        return translate_access(s, s->cur, rec->addr, rec->op, info);
    }
    bool named = rec->named;
    if (named && cur_runs(s) && procev_named(s, rec) != 0)
        return STEP_ERROR;
    s->pend.nq = s->pend.qi = 0;
    queue_begin(s, rec, !named);           /* opt's first pass skips named accesses */
    if (misaligned(s, rec)) {
        s->stats.steps++;
        return bus_error(s, rec, info);
    }
    info->step = ++s->stats.steps;
    return next_translation(s, info);
}

/* Whether the next step starts with a new record of the trace (else: STEP_END, a halt,
 * the rest of the record under way, or opt's future to prepare first). */
static inline bool reads_next(const Sim *s)
{
    return !s->halted && !s->pend.active && s->trace && (!s->needs_future || s->future);
}

StepStatus sim_step(Sim *s, StepInfo *info)
{
    StepInfo local;
    if (!info)
        info = &local;
    *info = (StepInfo){ .pa = PADDR_NONE };
    if (s->halted)
        return STEP_HALT;
    if (s->pend.active) {
        info->step = ++s->stats.steps;
        return next_translation(s, info);
    }
    if (!s->trace)
        return STEP_END;
    if (s->needs_future && !s->future) {
        StepStatus r = prepare_future(s);
        if (r != STEP_OK)
            return r;
    }
    TraceRecord rec;
    int r = trace_next(s->trace, &rec, s->err, sizeof s->err);
    if (r <= 0)
        return r == 0 ? STEP_END : STEP_ERROR;
    return step_record(s, &rec, info);
}

StepStatus sim_run(Sim *s, uint64_t n)
{
    TraceRecord rec;
    StepInfo info;
    /* reads_next and no observer: a quick step leaves them as they were (a halt there
     * ends with STEP_HALT), so they are asked again only after another kind of step;
     * pend.active (an M's second half, the OS's queue) at every step */
    bool ready = reads_next(s) && !s->observer;
    for (uint64_t i = 0; i < n; i++) {
        StepStatus st;
        if (!ready || s->pend.active) {
            st = sim_step(s, &info);
            ready = reads_next(s) && !s->observer;
        } else {
            int r = trace_next(s->trace, &rec, s->err, sizeof s->err);
            if (r <= 0)
                return r == 0 ? STEP_END : STEP_ERROR;
            if (rec.kind == TREC_ACCESS && !rec.has_proc && s->cur && one_page(s, &rec)) {
                s->stats.steps++;          /* step_record's common case, without info */
                if (s->future)
                    s->cur_pos = s->ref_pos;
                s->ref_pos++;
                st = translate_quick(s, s->cur, rec.addr, rec.op);
            } else {
                info = (StepInfo){ .pa = PADDR_NONE };
                st = step_record(s, &rec, &info);
                ready = reads_next(s) && !s->observer;
            }
        }
        if (st != STEP_OK)
            return st;
    }
    return STEP_OK;
}

uint64_t sim_committed(const Sim *s) { return s->committed; }

bool sim_has_tlb(const Sim *s)
{
    return s->tlb[SIM_DTLB].entries || s->tlb[SIM_ITLB].entries || s->tlb[SIM_STLB].entries;
}

WalkStatus sim_peek(const Sim *s, const Process *p, vaddr_t va, Walk *w)
{
    return mmu_lookup(&s->geo, &s->fp, p->root, va, w);
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

