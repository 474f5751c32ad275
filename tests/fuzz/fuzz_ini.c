/* Fuzz target: the INI loader (scenarios, machine configs and what they include), then
 * the scenario it accepts, built and run under the bookkeeping check. Seeds:
 * scenarios/, configs/, tests/data/bad/. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    return fuzz_scenario_file(fuzz_scratch("input.ini", data, size));
}
