/* The per-step record of victims, removed mappings and copy-on-write (record.h). */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "record.h"

void record_reset(AccessRecord *r, const Sim *sim)
{
    r->sim = sim;
    r->nvictims = r->nevicted = 0;
    r->cow = false;
    r->ntlb = 0;
}

static void add_victim(AccessRecord *r, const SimEvent *ev)
{
    if (r->nvictims++ >= RECORD_VICTIMS)
        return;
    RecordVictim *v = &r->victims[r->nvictims - 1];
    v->frame = ev->pfn;
    v->pid = ev->victim_pid;
    v->va = ev->victim_va;
    v->dirty = false;
    v->slot = -1;
    snprintf(v->reason, sizeof v->reason, "%s", ev->detail ? ev->detail : "");
}

void record_event(void *ctx, const SimEvent *ev)
{
    AccessRecord *r = ctx;
    RecordVictim *last = r->nvictims && r->nvictims <= RECORD_VICTIMS ? &r->victims[r->nvictims - 1] : NULL;
    if (ev->kind == EV_VICTIM) {
        add_victim(r, ev);
    } else if (ev->kind == EV_WRITEBACK && last && last->frame == ev->pfn) {
        last->dirty = true;             /* not WSClock's early write-backs: those stay */
        last->slot = ev->slot;
    } else if (ev->kind == EV_EVICT && r->nevicted++ < RECORD_EVICTED) {
        r->evicted[r->nevicted - 1].pid = ev->victim_pid;
        r->evicted[r->nevicted - 1].va = ev->victim_va;
    } else if (ev->kind == EV_TLB_DROP && r->ntlb++ < RECORD_TLB) {
        r->tlb[r->ntlb - 1].tlb = ev->level;
        r->tlb[r->ntlb - 1].va = ev->va;
        r->tlb[r->ntlb - 1].asid = ev->asid;
    } else if (ev->kind == EV_FAULT && ev->fault == FAULT_COW) {
        r->cow = true;
        r->cow_from = (pfn_t)ev->count;
        r->cow_to = ev->pfn;
    }
}

static unsigned shift_of(const AccessRecord *r)
{
    return sim_machine(r->sim)->geo.page_shift;
}

static const char *name_of(const AccessRecord *r, int pid)
{
    const Process *p = sim_proc_by_pid(r->sim, pid);
    return p ? p->name : "?";
}

static int kept(int n, int cap) { return n < cap ? n : cap; }

static void json_victims(FILE *out, const AccessRecord *r)
{
    fputs(", \"victims\": [", out);
    for (int i = 0; i < kept(r->nvictims, RECORD_VICTIMS); i++) {
        const RecordVictim *v = &r->victims[i];
        fprintf(out, "%s{\"frame\": %" PRIu64 ", \"pid\": %d, \"name\": ", i ? ", " : "", v->frame, v->pid);
        json_str(out, name_of(r, v->pid));
        fprintf(out, ", \"vpn\": %" PRIu64 ", \"va\": \"0x%" PRIx64 "\", \"dirty\": %s, \"writeback_slot\": ",
                v->va >> shift_of(r), v->va, v->dirty ? "true" : "false");
        if (v->dirty && v->slot >= 0)
            fprintf(out, "%" PRId64, v->slot);
        else
            fputs("null", out);
        fputs(", \"reason\": ", out);
        json_str(out, v->reason);
        fputc('}', out);
    }
    fputs("], \"evicted\": [", out);
    for (int i = 0; i < kept(r->nevicted, RECORD_EVICTED); i++) {
        fprintf(out, "%s{\"pid\": %d, \"name\": ", i ? ", " : "", r->evicted[i].pid);
        json_str(out, name_of(r, r->evicted[i].pid));
        fprintf(out, ", \"va\": \"0x%" PRIx64 "\"}", r->evicted[i].va);
    }
    fputc(']', out);
}

void record_json(FILE *out, const AccessRecord *r, const StepInfo *st)
{
    if (st->kind == STEP_ACCESS || st->kind == STEP_SKIP)
        fprintf(out, ", \"vpn\": %" PRIu64, st->va >> shift_of(r));
    json_victims(out, r);
    if (r->cow)
        fprintf(out, ", \"cow\": {\"from\": %" PRIu64 ", \"to\": %" PRIu64 "}", r->cow_from, r->cow_to);
    else
        fputs(", \"cow\": null", out);
    static const char *const names[] = { "dtlb", "itlb", "stlb" };
    fputs(", \"tlb_invalidated\": [", out);
    bool asid = sim_machine(r->sim)->tlb.asid;
    for (int i = 0; i < kept(r->ntlb, RECORD_TLB); i++) {
        fprintf(out, "%s{\"tlb\": \"%s\", \"va\": \"0x%" PRIx64 "\", \"asid\": ", i ? ", " : "",
                r->tlb[i].tlb < 3 ? names[r->tlb[i].tlb] : "?", r->tlb[i].va);
        if (asid)
            fprintf(out, "%u}", r->tlb[i].asid);
        else
            fputs("null}", out);
    }
    fputc(']', out);
}

/* The victims' values of one column, ';'-separated. */
static void csv_column(FILE *out, const AccessRecord *r, int col)
{
    fputc(',', out);
    for (int i = 0; i < kept(r->nvictims, RECORD_VICTIMS); i++) {
        const RecordVictim *v = &r->victims[i];
        if (i)
            fputc(';', out);
        if (col == 0)
            fprintf(out, "%d", v->pid);
        else if (col == 1)
            fprintf(out, "%" PRIu64, v->va >> shift_of(r));
        else if (col == 2)
            fprintf(out, "%" PRIu64, v->frame);
        else
            fputc(v->dirty ? '1' : '0', out);
    }
}

void record_csv(FILE *out, const AccessRecord *r, const StepInfo *st)
{
    if (st->kind == STEP_ACCESS || st->kind == STEP_SKIP)
        fprintf(out, ",%" PRIu64 ",", st->va >> shift_of(r));
    else if (st->kind == STEP_EVENT)
        fprintf(out, ",,%" PRId64, st->result);
    else
        fputs(",,", out);
    for (int col = 0; col < 4; col++)
        csv_column(out, r, col);
}
