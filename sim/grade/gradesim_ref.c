/* vmsim grade-sim: a test's trace written out for the student's program and for
 * vmsim's engine, vmsim's counters and reflog, and the first divergence explained.
 *
 * Each access record of the trace is one reference (sizes are ignored; csc369's M and
 * cs1550's processes are read as docs/file-formats.md says). Page P of the test's page
 * size is the engine's page P (address P << 12 on the textbook machine), so any page
 * size from 4 KiB up is simulated exactly; a cs1550 process N's page P is page
 * N * 2^32 / pagesize + P of the engine's one process (folded). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gradesim.h"
#include "kind_faults.h"
#include "vmsim/sim.h"

#define ENGINE_SHIFT 12
#define ENGINE_PAGES_MAX (UINT64_C(1) << (47 - ENGINE_SHIFT))   /* the lower half */

uint64_t gs_student_page(const GsConfig *c, const GsTest *t, uint64_t engine_page)
{
    if (c->format != TRACE_CS1550)
        return engine_page;
    return engine_page & ((UINT64_C(1) << (32 - t->page_shift)) - 1);
}

/* An engine page as the student knows it: "7", or cs1550's "7 of process 1". */
static void gs_page_name(const GsConfig *c, const GsTest *t, uint64_t engine_page, char *out)
{
    uint64_t page = gs_student_page(c, t, engine_page);
    if (c->format == TRACE_CS1550)
        snprintf(out, sizeof(GradePageName), "%" PRIu64 " of process %" PRIu64, page,
                 engine_page >> (32 - t->page_shift));
    else
        snprintf(out, sizeof(GradePageName), "%" PRIu64, page);
}

/* The engine's address of a reference: a cs1550 process N's address A is
 * N * 2^32 + A of its one process. Shared frames and per-process pages give the same
 * faults and writes either way (tests/verbs/gradesim.sh runs both), and the reflog
 * names a page within its process (gs_student_page). */
static uint64_t folded(const TraceRecord *r)
{
    return r->has_proc ? (uint64_t)r->proc << 32 | r->addr : r->addr;
}

/* One reference as the profile's format writes it. */
static void write_student(FILE *f, TraceFormat fmt, const TraceRecord *r, unsigned shift)
{
    char rw = r->op == OP_WRITE ? 'W' : r->op == OP_EXEC ? 'X' : 'R';
    switch (fmt) {
    case TRACE_CS1550:
        fprintf(f, "%c 0x%08" PRIx64 " %" PRIu32 "\n", r->op == OP_WRITE ? 's' : 'l',
                (uint64_t)r->addr, r->proc);
        break;
    case TRACE_CSC369:
        fprintf(f, "%c %" PRIx64 "\n", r->op == OP_WRITE ? 'S' : r->op == OP_EXEC ? 'I' : 'L',
                (uint64_t)r->addr);
        break;
    case TRACE_LACKEY:
        fprintf(f, "%s %" PRIx64 ",1\n", r->op == OP_WRITE ? " S" : r->op == OP_EXEC ? "I " : " L",
                (uint64_t)r->addr);
        break;
    case TRACE_PAGES: fprintf(f, "%" PRIu64 "\n", (uint64_t)(r->addr >> shift)); break;
    case TRACE_LS: fprintf(f, "%c 0x%" PRIx64 "\n", r->op == OP_WRITE ? 's' : 'l', (uint64_t)r->addr); break;
    case TRACE_ADDRRW: fprintf(f, "0x%" PRIx64 " %c\n", (uint64_t)r->addr, rw == 'W' ? 'W' : 'R'); break;
    default: fprintf(f, "%c 0x%" PRIx64 "\n", rw, (uint64_t)r->addr); break;
    }
}

/* Reads the test's trace; writes both files. 0 or -1 with err. */
static int convert(const GsConfig *c, const GsTest *t, GsReference *ref, char *err, size_t n)
{
    TraceReader *tr = trace_open(t->trace, c->format, t->page_shift, err, n);
    FILE *fs = tr ? fopen(ref->student_trace, "w") : NULL;
    FILE *fr = fs ? fopen(ref->ref_trace, "w") : NULL;
    int rc = fr ? 0 : -1, k;
    if (tr && !fr)
        snprintf(err, n, "cannot write in the temporary folder");
    TraceRecord rec;
    while (rc == 0 && (k = trace_next(tr, &rec, err, n)) != 0) {
        if (k < 0 || rec.kind != TREC_ACCESS || rec.named) {
            if (k > 0)
                snprintf(err, n, "%s:%lu: expected an access (grade-sim reads references only)",
                         t->trace, rec.line);
            rc = -1;
            break;
        }
        uint64_t page = folded(&rec) >> t->page_shift;
        if (page >= ENGINE_PAGES_MAX) {
            snprintf(err, n, "%s:%lu: expected an address below 2^47", t->trace, rec.line);
            rc = -1;
            break;
        }
        write_student(fs, c->format, &rec, t->page_shift);
        fprintf(fr, "%c 0x%" PRIx64 "\n", rec.op == OP_WRITE ? 'W' : 'R', page << ENGINE_SHIFT);
    }
    if (fs && fclose(fs) != 0 && rc == 0)
        rc = -1, snprintf(err, n, "cannot write %s", ref->student_trace);
    if (fr && fclose(fr) != 0 && rc == 0)
        rc = -1, snprintf(err, n, "cannot write %s", ref->ref_trace);
    trace_close(tr);
    return rc;
}

/* The engine's scenario for a test (the textbook machine, memory empty). */
static void scenario_text(const GsTest *t, const GsReference *ref, Buf *out)
{
    buf_printf(out, "%s[memory]\nframes = %u\npolicy = %s\n\n[trace]\nformat = vmsim\nfile = %s\n",
               grade_textbook_ini, t->frames, policy_name(t->policy), ref->ref_trace);
}

/* A run's observer: the counters and the reflog of each reference. */
typedef struct RefRun {
    GsReference *ref;
    RefLog log;
    const RefLogRecord *theirs;          /* the student's, or NULL */
    size_t ntheirs;
    const GsConfig *c;
    const GsTest *t;
    long diverged;                       /* 0-based reference, -1 none */
    RefLogRecord mine;                   /* vmsim's record there */
} RefRun;

static void run_event(void *ctx, const SimEvent *ev)
{
    RefRun *r = ctx;
    reflog_event(&r->log, ev);
    if (ev->kind == EV_VICTIM)
        r->ref->count[GS_EVICTIONS]++;
    if (ev->kind == EV_WRITEBACK)
        r->ref->count[GS_WRITES]++;
}

static bool same(const RefRun *r, const RefLogRecord *a, const RefLogRecord *b)
{
    return gs_student_page(r->c, r->t, a->vpn) == b->vpn && a->write == b->write &&
           a->hit == b->hit && a->evicted == b->evicted && a->dirty == b->dirty &&
           (!a->evicted || gs_student_page(r->c, r->t, a->victim_vpn) == b->victim_vpn);
}

static void run_step(void *ctx, const Sim *sim, const StepInfo *st)
{
    RefRun *r = ctx;
    RefLogRecord rec;
    (void)sim;
    if (!reflog_step(&r->log, st, &rec))
        return;
    r->ref->count[GS_ACCESSES]++;
    r->ref->count[GS_FAULTS] += !rec.hit;
    size_t i = rec.n - 1;
    if (r->theirs && r->diverged < 0 && (i >= r->ntheirs || !same(r, &rec, &r->theirs[i]))) {
        r->diverged = (long)i;
        r->mine = rec;
    }
}

/* Runs the test's references through the engine (up to stop), reporting to rr, or to
 * ctx (which begins with rr) through step when step is not NULL. */
static int engine_run(const GsConfig *c, const GsTest *t, RefRun *rr, uint64_t stop, Sim **keep,
                      void (*step)(void *, const Sim *, const StepInfo *), char *err, size_t n)
{
    static const Exercise none = { 0 };
    Variant v = { .ex = &none };
    Buf text = { 0 };
    scenario_text(t, rr->ref, &text);
    reflog_init(&rr->log, ENGINE_SHIFT);
    rr->c = c;
    rr->t = t;
    rr->diverged = -1;
    GradeRun cb = { .step = step ? step : run_step, .event = run_event, .ctx = rr };
    int r = grade_run(&v, buf_str(&text), stop, &cb, keep, err, n);
    buf_free(&text);
    return r;
}

int gs_reference(const GsConfig *c, const GsTest *t, const char *dir, GsReference *ref,
                 char *err, size_t n)
{
    memset(ref, 0, sizeof *ref);
    snprintf(ref->student_trace, sizeof ref->student_trace, "%s/%s.trace", dir, t->name);
    snprintf(ref->ref_trace, sizeof ref->ref_trace, "%s/%s.vmsim", dir, t->name);
    if (convert(c, t, ref, err, n))
        return -1;
    RefRun rr = { .ref = ref };
    if (engine_run(c, t, &rr, UINT64_MAX, NULL, NULL, err, n))
        return -1;
    uint64_t *k = ref->count;
    k[GS_MISSES] = k[GS_FAULTS];
    k[GS_HITS] = k[GS_ACCESSES] - k[GS_FAULTS];
    k[GS_DIRTY_EVICTIONS] = k[GS_WRITES];
    k[GS_CLEAN_EVICTIONS] = k[GS_EVICTIONS] - k[GS_WRITES];
    return 0;
}

/* ---- the first divergence explained ------------------------------------------- */

/* Per frame, up to the divergence: the reference that loaded it and its last use. */
typedef struct FrameUse {
    RefRun rr;
    size_t *loaded, *used;
    size_t nframes;
} FrameUse;

static void use_step(void *ctx, const Sim *sim, const StepInfo *st)
{
    FrameUse *u = ctx;
    run_step(&u->rr, sim, st);
    if (st->kind != STEP_ACCESS || st->pa == PADDR_NONE)
        return;
    size_t f = (size_t)(st->pa >> ENGINE_SHIFT), i = u->rr.log.n - 1;
    if (f >= u->nframes)
        return;
    if (st->fault != FAULT_NONE)
        u->loaded[f] = i;
    u->used[f] = i;
}

/* OPT's keys: the next use (0-based) after reference i of each page, SIZE_MAX never. */
static void next_uses(const GsReference *ref, size_t i, const uint64_t *pages, size_t *key, size_t n)
{
    char err[GRADE_ERR];
    TraceReader *tr = trace_open(ref->ref_trace, TRACE_VMSIM, ENGINE_SHIFT, err, sizeof err);
    TraceRecord rec;
    size_t left = n;
    for (size_t k = 0; k < n; k++)
        key[k] = SIZE_MAX;
    for (size_t at = 0; tr && left && trace_next(tr, &rec, err, sizeof err) > 0; at++)
        for (size_t k = 0; at > i && k < n; k++)
            if (key[k] == SIZE_MAX && rec.addr >> ENGINE_SHIFT == pages[k])
                key[k] = at, left--;
    trace_close(tr);
}

/* The policy's state before reference i and its victim, from a run stopped there. */
static void explain_state(const GsConfig *c, const GsTest *t, GsReference *ref, size_t i,
                          const RefLogRecord *mine, Buf *out)
{
    char err[GRADE_ERR];
    Sim *sim = NULL;
    FrameUse u = { .nframes = t->frames };
    u.loaded = calloc(t->frames, sizeof *u.loaded);
    u.used = calloc(t->frames, sizeof *u.used);
    uint64_t *engine = calloc(t->frames, sizeof *engine);
    GradePageName *shown = calloc(t->frames, sizeof *shown), victim;
    size_t *key = calloc(t->frames, sizeof *key);
    GsReference scratch = *ref;        /* the counters of this partial run are not kept */
    u.rr.ref = &scratch;
    if (!u.loaded || !u.used || !engine || !shown || !key ||
        engine_run(c, t, &u.rr, i, &sim, use_step, err, sizeof err) != 0)
        goto done;
    const FramePool *fp = sim_frames(sim);
    size_t n = 0;
    uint64_t *byframe = engine;        /* reused below for the bits' view */
    for (size_t f = 0; f < fp->nframes && f < t->frames; f++) {
        if (fp->frames[f].kind != FRAME_DATA)
            continue;
        byframe[n] = fp->frames[f].va >> ENGINE_SHIFT;
        gs_page_name(c, t, byframe[n], shown[n]);
        key[n] = t->policy == POLICY_FIFO ? u.loaded[f] : u.used[f];
        n++;
    }
    if (t->policy == POLICY_OPT)
        next_uses(ref, i, byframe, key, n);
    gs_page_name(c, t, mine->victim_vpn, victim);
    if (!grade_explain_order(t->policy, shown, key, n, victim, out)) {
        for (size_t f = 0; f < t->frames; f++)
            byframe[f] = f < fp->nframes && fp->frames[f].kind == FRAME_DATA ?
                         gs_student_page(c, t, fp->frames[f].va >> ENGINE_SHIFT) : UINT64_MAX;
        grade_explain_bits(sim, byframe, (unsigned)(t->frames < 64 ? t->frames : 64), out);
        buf_printf(out, "  %s evicts page %s.\n", policy_name(t->policy), victim);
    }
done:
    sim_destroy(sim);
    free(u.loaded);
    free(u.used);
    free(engine);
    free(shown);
    free(key);
}

void gs_reflog_check(const GsConfig *c, const GsTest *t, const GsReference *ref,
                     const RefLogRecord *theirs, size_t n, Buf *out)
{
    char err[GRADE_ERR], a[96], b[96];
    GsReference scratch = *ref;
    RefRun rr = { .ref = &scratch, .theirs = theirs, .ntheirs = n };
    if (!n || engine_run(c, t, &rr, UINT64_MAX, NULL, NULL, err, sizeof err) || rr.diverged < 0)
        return;
    RefLogRecord mine = rr.mine;
    mine.vpn = gs_student_page(c, t, mine.vpn);
    mine.victim_vpn = gs_student_page(c, t, mine.victim_vpn);
    reflog_format(&mine, b, sizeof b);
    size_t i = (size_t)rr.diverged;
    if (i >= n) {
        buf_printf(out, "%s: your reflog stops after %zu lines; vmsim's next line is\n    %s\n",
                   t->name, n, b);
        return;
    }
    reflog_format(&theirs[i], a, sizeof a);
    buf_printf(out, "%s: your reflog first differs at reference %zu (line %zu of the trace):\n"
               "    yours: %s\n    vmsim: %s\n", t->name, i + 1, i + 1, a, b);
    GradePageName page;
    gs_page_name(c, t, rr.mine.vpn, page);
    buf_printf(out, "  Page %s is %sresident before reference %zu, so it %s.\n", page,
               mine.hit ? "" : "not ", i + 1, mine.hit ? "hits" : "faults");
    if (mine.evicted)
        explain_state(c, t, &scratch, i, &rr.mine, out);
}
