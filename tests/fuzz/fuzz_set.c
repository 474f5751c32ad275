/* Fuzz target: --set. Each line of the input is one SECTION.KEY=VALUE applied over the
 * built-in default scenario, as `vmsim run --set ...` applies them; the result is
 * validated, built and run under the bookkeeping check. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char default_scenario_ini[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1), err[1024];
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    Scenario sc;
    scenario_init(&sc);
    int bad = scenario_load_text(&sc, "default", default_scenario_ini, err, sizeof err);
    for (char *line = text, *nl; !bad && line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        if (*line == '\0')
            continue;   /* a blank line (the seeds end with one) sets nothing */
        bad = scenario_set(&sc, line, "--set", err, sizeof err) != 0;
    }
    if (!bad)
        fuzz_scenario(&sc);
    scenario_fini(&sc);
    free(text);
    return 0;
}
