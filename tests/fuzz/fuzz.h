/* vmsim fuzz harnesses: what they share. Each harness is a libFuzzer target
 * (LLVMFuzzerTestOneInput) built by `make fuzz` with clang's -fsanitize=fuzzer, and runs
 * sim_check after every step it simulates: a failed check aborts, which libFuzzer
 * reports as a finding with the input that caused it. */
#ifndef VMSIM_FUZZ_H
#define VMSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "vmsim/scenario.h"
#include "vmsim/sim.h"

#define FUZZ_MAX_STEPS 2000        /* enough to reach the interesting states, fast */

/* Writes len bytes to this run's scratch file (in a scratch folder holding a link to
 * the repository's configs/, so that include = ../configs/x86_64.ini resolves) and
 * returns its path; name tells scratch files apart within one harness. */
const char *fuzz_scratch(const char *name, const uint8_t *data, size_t len);

/* Runs s for at most max steps, aborting when the bookkeeping check fails (with the
 * step and the check's message on stderr). Returns the last status. */
StepStatus fuzz_run(Sim *s, uint64_t max);

/* Loads sc from path (scenario_load), validates it, builds it and runs its trace under
 * the check. Bad input is fine (the loader must just say so); returns 0 either way. */
int fuzz_scenario_file(const char *path);

/* The same for a scenario already loaded (and validated or not). */
int fuzz_scenario(Scenario *sc);

#endif
