/* vmsim: stepping backwards, by deterministic replay.
 *
 * A History owns the live Sim and snapshots of it (sim_clone plus the trace position)
 * taken every `every` steps. Going back to step N restores the last snapshot at or
 * before N and replays the steps in between; the run is deterministic, so the state
 * is the one step N had. Snapshots stay few: when there are max of them, every other
 * one is dropped and the interval doubles, so memory stays bounded however long the
 * run, and a step back replays at most `every` (as it has grown) steps.
 */
#ifndef VMSIM_HISTORY_H
#define VMSIM_HISTORY_H

#include "vmsim/sim.h"

typedef struct History History;

/* Takes ownership of sim (whose trace t, if any, must be set and stay open) and snapshots its
 * current state. every = 0 picks VMSIM_HISTORY_EVERY, max_snapshots = 0
 * VMSIM_HISTORY_SNAPSHOTS (vmsim/limits.h). NULL when out of memory (sim is then destroyed). */
History *history_create(Sim *sim, TraceReader *t, uint64_t every, size_t max_snapshots);

/* Destroys the live Sim and the snapshots (not the trace). NULL is accepted. */
void history_destroy(History *h);

/* The live Sim. It is replaced by history_goto: do not keep the pointer across it. */
Sim *history_sim(const History *h);

/* Steps the live Sim (see sim_step), snapshotting when due. */
StepStatus history_step(History *h, StepInfo *info);

/* Brings the live Sim to the state after `step` steps: backwards by restoring and
 * replaying, forwards by stepping. The observer attached to the Sim is kept, and is
 * told only of the last step replayed (none when step is 0). Returns STEP_OK when
 * there, STEP_END if the trace ends first, or STEP_ERROR/STEP_HALT (err set). */
StepStatus history_goto(History *h, uint64_t step, char *err, size_t errlen);

/* Steps taken by the live Sim. */
uint64_t history_now(const History *h);

/* Snapshots held, and the bytes of host memory they take (roughly). */
size_t history_snapshots(const History *h);

#endif
