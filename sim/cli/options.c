/* Options shared by the verbs, and opening a session from them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
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

/* Whether --trace names a stream of page numbers (--trace-format pages, or detected).
 * Only a regular file is looked into: a pipe or standard input read here would lose
 * what was read, so there it takes --trace-format pages. */
static bool page_stream(const Options *o)
{
    if (o->trace_format != TRACE_AUTO)
        return o->trace_format == TRACE_PAGES;
    struct stat st;
    if (strcmp(o->trace, "-") == 0 || stat(o->trace, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char err[256];
    TraceReader *t = trace_open(o->trace, TRACE_AUTO, 12, err, sizeof err);
    bool pages = t && trace_format(t) == TRACE_PAGES;
    trace_close(t);                        /* an unreadable file is reported later */
    return pages;
}

int options_load(const Options *o, Scenario *sc, char *err, size_t errlen)
{
    scenario_init(sc);
    char found[4096];
    const char *file = o->scenario ? datadir_find_scenario(o->scenario, found, sizeof found) : NULL;
    if (o->scenario && !file) {
        char where[8192];
        datadir_describe(where, sizeof where);
        snprintf(err, errlen, "%s: no such file, and no scenario of that name in %s "
                 "(vmsim run --list names them)", o->scenario, where);
        return -1;
    }
    /* A page stream alone runs on the textbook machine every such exercise assumes. */
    int r = o->scenario ? scenario_load(sc, file, err, errlen)
          : o->trace    ? (page_stream(o) ? scenario_load_text(sc, "configs/textbook.ini (built in)",
                                                               textbook_config_ini, err, errlen) : 0)
                        : scenario_load_text(sc, "(built-in default scenario)", default_scenario_ini, err, errlen);
    if (r == 0 && o->config)
        r = scenario_load(sc, o->config, err, errlen);
    for (int i = 0; r == 0 && i < o->nsets; i++)
        r = scenario_set(sc, o->sets[i], "--set", err, errlen);
    if (r == 0)
        r = scenario_validate(sc, err, errlen);
    return r;
}

/* Warns (stderr) when the frames cannot hold one process's page tables and a page:
 * the first access would end in an OOM kill with nothing learnt. */
static void warn_small_machine(const MachineConfig *m)
{
    uint64_t need = m->geo.levels + 1;     /* one table per level, and a frame for data */
    if (m->memory.separate_tables || m->memory.frames >= need)
        return;
    fprintf(stderr, "vmsim: warning: %llu frames cannot hold one process's page tables "
            "(%s needs %u table pages and a frame for data): set memory.page_tables = separate "
            "to keep page tables out of the frames, as textbook exercises assume\n",
            (unsigned long long)m->memory.frames, arch_name(m->geo.arch), m->geo.levels);
}

int session_open(Session *s, const Options *o, char *err, size_t errlen)
{
    if (o->image)
        return session_open_image(s, o, err, errlen);
    memset(s, 0, sizeof *s);
    if (options_load(o, &s->sc, err, errlen) != 0)
        return -1;
    bool none;
    s->trace = scenario_open_trace(&s->sc, o->trace, o->trace_format, &none, err, errlen);
    if (!s->trace && !none)
        return -1;
    s->trace_label = o->trace ? o->trace : s->sc.trace_path ? s->sc.trace_path
                   : s->sc.inline_trace ? "inline" : "none";
    s->trace_file = o->trace ? o->trace : s->sc.trace_path ? s->sc.trace_path
                  : s->sc.inline_trace ? s->sc.inline_name : "trace";
    s->sim = scenario_build(&s->sc, err, errlen);
    if (!s->sim)
        return -1;
    plugin_attach(s->sim);
    warn_small_machine(sim_machine(s->sim));
    sim_set_trace(s->sim, s->trace);
    return 0;
}

void session_close(Session *s)
{
    sim_destroy(s->sim);
    trace_close(s->trace);
    scenario_fini(&s->sc);
    memset(s, 0, sizeof *s);
}
