/* What the fuzz harnesses share: scratch files and a checked run. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch_dir[256];

/* A scratch folder: DIR/scenarios/ for the files, DIR/configs -> the repository's. */
static const char *scratch_root(void)
{
    if (scratch_dir[0])
        return scratch_dir;
    char tmpl[] = "/tmp/vmsim-fuzz-XXXXXX";
    if (!mkdtemp(tmpl))
        abort();
    char cwd[1024], path[1200];
    if (!getcwd(cwd, sizeof cwd))
        abort();
    snprintf(path, sizeof path, "%s/scenarios", tmpl);
    if (mkdir(path, 0700) != 0)
        abort();
    char link[1200];
    snprintf(path, sizeof path, "%s/configs", cwd);
    snprintf(link, sizeof link, "%s/configs", tmpl);
    if (symlink(path, link) != 0)
        abort();
    snprintf(scratch_dir, sizeof scratch_dir, "%s", tmpl);
    return scratch_dir;
}

const char *fuzz_scratch(const char *name, const uint8_t *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", scratch_root(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
        abort();
    return path;
}

StepStatus fuzz_run(Sim *s, uint64_t max)
{
    StepStatus r = STEP_OK;
    for (uint64_t i = 0; i < max && r == STEP_OK; i++) {
        r = sim_step(s, NULL);
        const char *bad = sim_check(s);
        if (bad) {
            fprintf(stderr, "fuzz: bookkeeping check failed after step %llu: %s\n",
                    (unsigned long long)sim_stats(s)->steps, bad);
            abort();
        }
    }
    return r;
}

int fuzz_scenario(Scenario *sc)
{
    char err[1024];
    bool none = false;
    if (scenario_validate(sc, err, sizeof err) != 0)
        return 0;
    TraceReader *t = scenario_open_trace(sc, NULL, TRACE_AUTO, &none, err, sizeof err);
    if (!t && !none)
        return 0;
    Sim *s = scenario_build(sc, err, sizeof err);
    if (s) {
        const char *bad = sim_check(s);
        if (bad) {
            fprintf(stderr, "fuzz: bookkeeping check failed after set-up: %s\n", bad);
            abort();
        }
        sim_set_trace(s, t);
        fuzz_run(s, FUZZ_MAX_STEPS);
    }
    sim_destroy(s);
    trace_close(t);
    return 0;
}

int fuzz_scenario_file(const char *path)
{
    Scenario sc;
    char err[1024];
    scenario_init(&sc);
    if (scenario_load(&sc, path, err, sizeof err) == 0)
        fuzz_scenario(&sc);
    scenario_fini(&sc);
    return 0;
}
