/* The options run, step and gui share (app.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "plugin.h"

/* Matches "--name VALUE" or "--name=VALUE"; advances *i past what it used. */
int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "vmsim: %s needs a value\n", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int parse_choice(const char *what, const char *v, const char *const *names, int n, int *out)
{
    for (int k = 0; k < n; k++) {
        if (strcmp(v, names[k]) == 0) {
            *out = k;
            return 0;
        }
    }
    fprintf(stderr, "vmsim: %s must be one of", what);
    for (int k = 0; k < n; k++)
        fprintf(stderr, " %s", names[k]);
    fprintf(stderr, ", not '%s'\n", v);
    return -1;
}

/* One option at argv[*i]: 1 used, 0 not an option of ours, -1 bad. */
static int parse_one(Options *o, int argc, char **argv, int *i)
{
    static const char *const formats[] = { "text", "json", "csv", "reflog" };
    static const char *const logs[] = { "none", "faults", "all" };
    const char *v;
    int r, k;
    if ((r = opt_value(argc, argv, i, "--format", &v)) != 0) {
        if (r < 0 || parse_choice("--format", v, formats, 4, &k))
            return -1;
        o->format = (ReportFormat)k;
        return 1;
    }
    if ((r = opt_value(argc, argv, i, "--log", &v)) != 0) {
        if (r < 0 || parse_choice("--log", v, logs, 3, &k))
            return -1;
        o->log = (LogLevel)k;
        return 1;
    }
    if ((r = opt_value(argc, argv, i, "--set", &v)) != 0) {
        if (r < 0)
            return -1;
        if (o->nsets == MAX_SETS) {
            fprintf(stderr, "vmsim: at most %d --set options\n", MAX_SETS);
            return -1;
        }
        o->sets[o->nsets++] = v;
        return 1;
    }
    if ((r = opt_value(argc, argv, i, "--config", &o->config)) != 0)
        return r;
    if ((r = opt_value(argc, argv, i, "--trace", &o->trace)) != 0)
        return r;
    if ((r = opt_value(argc, argv, i, "--image", &o->image)) != 0)
        return r;
    if ((r = opt_value(argc, argv, i, "--trace-format", &v)) != 0) {
        if (r < 0)
            return -1;
        if (!trace_format_parse(v, &o->trace_format)) {
            fprintf(stderr, "vmsim: --trace-format must be one of auto vmsim pages lackey ls addrrw csc369 cs1550, not '%s'\n", v);
            return -1;
        }
        return 1;
    }
    if ((r = opt_value(argc, argv, i, "--steps", &v)) != 0) {
        char *end;
        if (r < 0)
            return -1;
        errno = 0;
        o->max_steps = strtoull(v, &end, 10);
        if (*end || !*v || v[0] == '-' || errno == ERANGE) {
            fprintf(stderr, "vmsim: --steps needs a number of steps, not '%s'\n", v);
            return -1;
        }
        return 1;
    }
    return 0;
}

int options_parse(Options *o, int argc, char **argv, int first, const char *verb, const char *usage)
{
    memset(o, 0, sizeof *o);
    o->trace_format = TRACE_AUTO;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        int r = parse_one(o, argc, argv, &i);
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vmsim %s: unknown option '%s' (see vmsim %s --help)\n", verb, a, verb);
            return -1;
        }
        if (o->scenario) {
            fprintf(stderr, "vmsim %s: one scenario at a time ('%s' and '%s')\n", verb, o->scenario, a);
            return -1;
        }
        o->scenario = a;
    }
    return plugin_from_sets(o->sets, &o->nsets, verb) ? -1 : 0;
}
