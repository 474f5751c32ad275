/* vmsim: the words for what the simulator does, for every front end. The text log,
 * the stepper and the window all call these, so an event, a register, a signal, a
 * process state, a fault or a policy's state reads the same everywhere. Pure: each
 * writes into the caller's buffer (or returns a constant string) and changes nothing.
 * Page numbers are always written page-aligned. */
#ifndef VMSIM_DESCRIBE_H
#define VMSIM_DESCRIBE_H

#include <stddef.h>

#include "vmsim/sim.h"

/* The register holding the root table's frame, in the architecture's own word: "CR3"
 * (x86), "satp" (RISC-V), "PDBR" (OSTEP's homework), "root" (custom machines). */
const char *describe_root_register(const Geometry *g);

/* A TLB's name on this machine: brief "TLB", "DTLB", "ITLB", "L2 TLB" (for the
 * window's small labels), else "TLB", "data TLB", "instruction TLB", "second-level TLB".
 * The data TLB is just "TLB" unless the machine has an instruction TLB. */
const char *describe_tlb(const Sim *s, SimTlb which, bool brief);

/* What a shell prints for a process killed by the signal of fault f: "Segmentation
 * fault", "Bus error", "Aborted". */
const char *describe_signal(FaultKind f);

/* A process state in words: "running", "exited", "killed". */
const char *describe_proc_state(ProcState s);

/* A fault kind in words, as logs write it ("minor", "segv-maperr"): fault_kind_name. */
const char *describe_fault(FaultKind f);

/* One event in words, without indent or step number ("TLB hit: frame 3", "page 0x5000
 * now in frame 2"); process names come from sim. */
void describe_event(const Sim *sim, const SimEvent *ev, char *buf, size_t len);

/* Every process mapping the data page in pfn, "shell (pid 1), child (pid 2)", each at
 * the frame's page (a shared frame sits at the same address in each: fork made it).
 * Returns how many processes were named. */
unsigned describe_frame_owners(const Sim *sim, pfn_t pfn, char *buf, size_t len);

/* The frame the policy would evict now (the running process's own pages first under
 * local replacement), without changing anything, or PFN_NONE when it
 * cannot say without a side effect (random draws; wsclock may schedule write-backs). */
pfn_t describe_next_victim(const Sim *sim);

/* The replacement policy's label and state: "LRU (least recently used): frames by last
 * use, ...". Returns the length needed, as snprintf does. */
size_t describe_policy(const Sim *sim, char *buf, size_t len);

#endif
