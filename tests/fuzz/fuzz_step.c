/* Fuzz target: the stepper's command line. The first byte picks a shipped scenario,
 * the second its number of frames (0: as shipped, else 1..8); the rest is what a user
 * types at `(vmsim)`. The stepper runs with VMSIM_CHECK set, so it checks the
 * bookkeeping after every step, forwards and back. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const scenarios[] = {
    "scenarios/default.ini", "scenarios/fork-cow.ini", "scenarios/oom-killer.ini",
    "scenarios/ostep-smalltables.ini", "scenarios/swap-writeback.ini", "scenarios/belady.ini",
    "scenarios/stack-overflow.ini", "scenarios/heap-malloc.ini", "scenarios/sv39-svade.ini",
    "scenarios/tlb-reach-huge.ini", "scenarios/x86_32-context-switch.ini", "scenarios/thrashing.ini",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("VMSIM_CHECK", "1", 1);
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096)
        return 0;
    const char *cmds = fuzz_scratch("commands.txt", data + 2, size - 2);
    if (!freopen(cmds, "r", stdin))
        abort();
    char frames[48];
    snprintf(frames, sizeof frames, "memory.frames=%u", data[1] % 9 ? data[1] % 9 : 16);
    char *argv[] = { "vmsim", "step", (char *)scenarios[data[0] % (sizeof scenarios / sizeof *scenarios)],
                     "--set", frames, NULL };
    cmd_step(data[1] % 9 ? 5 : 3, argv);
    return 0;
}
