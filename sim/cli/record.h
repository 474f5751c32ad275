/* What one step did to memory, for machines: the victims with the policy's reason, the
 * mappings removed, the copy-on-write frames. Collected from the engine's events by an
 * observer, written as the JSON log's extra fields and the CSV log's extra columns
 * (docs/reports.md). */
#ifndef VMSIM_RECORD_H
#define VMSIM_RECORD_H

#include <stdbool.h>
#include <stdio.h>

#include "vmsim/event.h"
#include "vmsim/sim.h"

#define RECORD_VICTIMS 8
#define RECORD_EVICTED 32
#define RECORD_REASON 1024
#define RECORD_TLB 64

typedef struct RecordVictim {
    pfn_t frame;
    int pid;
    vaddr_t va;
    bool dirty;                 /* written back before it left */
    int64_t slot;               /* the swap slot written (-1: its file); with dirty */
    char reason[RECORD_REASON]; /* the policy's state when it chose */
} RecordVictim;

typedef struct AccessRecord {
    const Sim *sim;
    int nvictims, nevicted;     /* more than fit are counted, not kept */
    RecordVictim victims[RECORD_VICTIMS];
    struct { int pid; vaddr_t va; } evicted[RECORD_EVICTED];
    bool cow;
    pfn_t cow_from, cow_to;
    int ntlb;
    struct { unsigned tlb; vaddr_t va; uint32_t asid; } tlb[RECORD_TLB];   /* entries dropped */
} AccessRecord;

/* Empties r for the next step; sim names the processes. */
void record_reset(AccessRecord *r, const Sim *sim);

/* An observer: adds EV_VICTIM, EV_WRITEBACK, EV_EVICT and copy-on-write faults to the
 * AccessRecord ctx. */
void record_event(void *ctx, const SimEvent *ev);

/* The record's JSON fields, each after ", ": vpn (accesses only), victims, evicted,
 * cow, tlb_invalidated. */
void record_json(FILE *out, const AccessRecord *r, const StepInfo *st);

/* The CSV columns appended after the 8 of report_csv_header, each after a comma:
 * vpn,result,victim_pid,victim_vpn,victim_frame,writeback. */
void record_csv(FILE *out, const AccessRecord *r, const StepInfo *st);

#endif
