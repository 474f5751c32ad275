/* Fuzz target: the trace readers. The first byte picks the format (auto, vmsim, pages,
 * lackey, ls, addrrw), the second the machine (architecture, frames 1..16, policy);
 * the rest is the trace file (gzip and xz data included: the reader sniffs the magic).
 * The trace runs on that machine with one process mapping its whole address space,
 * under the bookkeeping check. Seeds: tests/data/ traces. */
#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const archs[] = { "x86_64", "x86_32", "sv39", "sv48", "ostep" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > (1u << 20))
        return 0;
    TraceFormat fmt = (TraceFormat)(data[0] % (TRACE_ADDRRW + 1));
    char ini[256], err[1024];
    snprintf(ini, sizeof ini, "[machine]\narch = %s\n[memory]\nframes = %u\npolicy = %s\n"
             "[swap]\nslots = %u\n", archs[(data[1] >> 4) % 5], (data[1] & 15) + 1,
             policy_name((PolicyKind)(data[1] % POLICY_COUNT)), (data[1] >> 2) % 8);
    const char *path = fuzz_scratch("input.trace", data + 2, size - 2);
    Scenario sc;
    scenario_init(&sc);
    if (scenario_load_text(&sc, "machine", ini, err, sizeof err) != 0 ||
        scenario_validate(&sc, err, sizeof err) != 0)
        __builtin_trap();                  /* the harness's own machine is valid */
    TraceReader *t = trace_open(path, fmt, sc.machine.geo.page_shift, err, sizeof err);
    Sim *s = t ? scenario_build(&sc, err, sizeof err) : NULL;
    if (s) {
        sim_set_trace(s, t);
        fuzz_run(s, FUZZ_MAX_STEPS);
    }
    sim_destroy(s);
    trace_close(t);
    scenario_fini(&sc);
    return 0;
}
