/* One record per reference, for graders and students' own tools: the `reflog` line
 * `N VPN R|W H|M VICTIM_VPN|- DIRTY(0|1)` (N from 1, pages in decimal, an M access is
 * one W reference; DIRTY says the victim was written back). Built on the engine's
 * events, so `vmsim grade-sim` and `vmsim run --format reflog` print the same thing. */
#ifndef VMSIM_REFLOG_H
#define VMSIM_REFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmsim/event.h"
#include "vmsim/sim.h"

typedef struct RefLogRecord {
    uint64_t n;               /* 1-based reference number */
    uint64_t vpn;             /* the page referenced (va >> page shift) */
    bool write;
    bool hit;
    bool evicted;             /* a victim was chosen */
    uint64_t victim_vpn;      /* its page, when evicted */
    bool dirty;               /* the victim was written back */
} RefLogRecord;

/* What the events of the current reference said so far. */
typedef struct RefLog {
    unsigned shift;           /* page shift of the data pages */
    uint64_t n;               /* references recorded */
    RefLogRecord cur;
    RefLogRecord half[2];     /* an M's R halves waiting for their W halves (one per page;
                                 a lackey access spans at most two) */
    unsigned nhalf;
} RefLog;

void reflog_init(RefLog *l, unsigned page_shift);

/* An observer: feeds one engine event (EV_ACCESS starts a reference; EV_VICTIM and
 * EV_WRITEBACK fill its victim). ctx is the RefLog. */
void reflog_event(void *ctx, const SimEvent *ev);

/* After a sim_step: true with *out filled when the step was a reference. An M record is
 * one W reference: its R half is held (false) and folded into its W half on the same
 * page, which faults if either half did and names the victim the last half chose; an R
 * half that killed the process is the whole reference. */
bool reflog_step(RefLog *l, const StepInfo *st, RefLogRecord *out);

/* The record as a reflog line, without a newline. */
void reflog_format(const RefLogRecord *r, char *buf, size_t n);

/* Parses a reflog line [s, s + len) (surrounding blanks allowed). False if it is not
 * one. */
bool reflog_parse(const char *s, size_t len, RefLogRecord *out);

#endif
