/* vmsim sweep: options, the cells, running them, writing the rows and plots. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

static const char sweep_usage[] =
    "usage: vmsim sweep [SCENARIO.ini] [--trace FILE]... --vary KEY=SPEC... [options]\n"
    "       vmsim sweep --merge PART... [--format csv|json] [--plot FILE]...\n"
    "\n"
    "Runs the scenario (or each --trace) once for every combination of the varied\n"
    "keys and prints one row per run: trace, the varied keys, then the report's\n"
    "counters by their JSON names. SPEC is A..B (every whole number), A..B:STEP, or a\n"
    "comma list of values and ranges (fifo,lru,opt or 1..8,16,32).\n"
    "LRU sweeps over memory.frames take one pass where stack distances give the same\n"
    "counts (see docs/sweep.md); other cells run on every core.\n"
    "\n"
    "options:\n"
    "  --vary SECTION.KEY=SPEC    a key to vary (repeatable; the last varies fastest)\n"
    "  --trace FILE               a trace to run (repeatable; default the scenario's)\n"
    "  --format csv|json          output format (default csv)\n"
    "  --counters LIST            the counters to print, e.g. references,page_faults\n"
    "                             (default all)\n"
    "  --plot FILE.svg|.png|.gp   draw a plot: faults against frames, TLB hit rate\n"
    "                             against entries... (repeatable)\n"
    "  --plot-y COLUMN            the column the plot shows (default by the x key)\n"
    "  --title TEXT               the plot's title\n"
    "  -j, --jobs N               run N cells at a time (default: the cores)\n"
    "  --shard I/N                run the I-th of N slices; write it for --merge\n"
    "  --merge PART...            join shard files into the whole sweep's output\n"
    "  --set SECTION.KEY=VALUE    fix a key for every run (repeatable)\n"
    "  --config FILE              a machine config applied over the scenario's\n"
    "  --trace-format FMT         auto|vmsim|pages|lackey|ls|addrrw (default auto)\n"
    "  --steps N                  stop each run after N steps\n"
    "\n"
    "exit status: 0 done, 1 a run stopped (out of memory), 2 bad usage or input\n";

/* What the command line asks for beyond the Sweep itself. */
typedef struct SweepArgs {
    bool json, merge;
    const char *plots[SWEEP_MAX_PLOTS];
    int nplots;
    const char *plot_y, *title;
    char **parts;
    int nparts;
} SweepArgs;

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 (value set), 0 not it, -1 no value. */
static int arg_value(int argc, char **argv, int *i, const char *name, const char **v)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0 || (argv[*i][n] != '\0' && argv[*i][n] != '='))
        return 0;
    if (argv[*i][n] == '=') {
        *v = argv[*i] + n + 1;
        return 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "vmsim sweep: %s needs a value\n", name);
        return -1;
    }
    *v = argv[++*i];
    return 1;
}

/* --counters LIST: marks the columns named. */
static int parse_counters(Sweep *sw, const char *list)
{
    ReportCounter rows[REPORT_COUNTERS];
    SimStats none = { 0 };
    report_counter_rows(&none, rows);
    memset(sw->want, 0, sizeof sw->want);
    for (const char *p = list; *p; ) {
        size_t len = strcspn(p, ","), c;
        for (c = 0; c < SWEEP_COLS; c++) {
            const char *name = c == COL_HIT_RATE ? "tlb_hit_rate" : c == COL_EAT ? "effective_access_time"
                             : rows[c].name;
            if (strlen(name) == len && strncmp(name, p, len) == 0)
                break;
        }
        if (c == SWEEP_COLS) {
            fprintf(stderr, "vmsim sweep: --counters: no counter '%.*s' (the JSON report's "
                    "\"stats\" keys, e.g. references,page_faults,evictions)\n", (int)len, p);
            return -1;
        }
        sw->want[c] = true;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_shard(Sweep *sw, const char *v)
{
    char *end;
    long i = strtol(v, &end, 10), n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
    if (*end || i < 1 || n < 1 || i > n || n > SWEEP_MAX_CELLS) {
        fprintf(stderr, "vmsim sweep: --shard needs I/N with 1 <= I <= N (e.g. 2/8), not '%s'\n", v);
        return -1;
    }
    sw->shard = (int)i;
    sw->nshards = (int)n;
    return 0;
}

static int parse_jobs(Sweep *sw, const char *v)
{
    char *end;
    long j = strtol(v, &end, 10);
    if (*end || !*v || j < 1 || j > 1024) {
        fprintf(stderr, "vmsim sweep: -j needs a number of workers from 1 to 1024, not '%s'\n", v);
        return -1;
    }
    sw->jobs = (int)j;
    return 0;
}

/* One sweep option at argv[*i]: 1 used, 0 not one of them, -1 bad. */
static int sweep_option(Sweep *sw, SweepArgs *a, int argc, char **argv, int *i)
{
    const char *v;
    int r;
    char err[600];
    if ((r = arg_value(argc, argv, i, "--vary", &v)) != 0) {
        if (r > 0 && sw->nvary == SWEEP_MAX_VARY)
            fprintf(stderr, "vmsim sweep: at most %d --vary options\n", SWEEP_MAX_VARY);
        else if (r > 0 && vary_parse(&sw->vary[sw->nvary], v, err, sizeof err) != 0)
            fprintf(stderr, "vmsim sweep: %s\n", err);
        else if (r > 0)
            return sw->nvary++, 1;
        return -1;
    }
    if ((r = arg_value(argc, argv, i, "--trace", &v)) != 0) {
        if (r > 0 && sw->ntraces == SWEEP_MAX_TRACES)
            fprintf(stderr, "vmsim sweep: at most %d --trace options\n", SWEEP_MAX_TRACES);
        else if (r > 0)
            return sw->traces[sw->ntraces++] = v, 1;
        return -1;
    }
    if ((r = arg_value(argc, argv, i, "--format", &v)) != 0) {
        if (r > 0 && strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
            fprintf(stderr, "vmsim sweep: --format must be csv or json, not '%s'\n", v);
        else if (r > 0)
            return a->json = strcmp(v, "json") == 0, 1;
        return -1;
    }
    if ((r = arg_value(argc, argv, i, "--plot", &v)) != 0) {
        if (r > 0 && (a->nplots == SWEEP_MAX_PLOTS || !plot_format_known(v)))
            fprintf(stderr, "vmsim sweep: --plot needs a file ending in .svg, .png or .gp "
                    "(at most %d), not '%s'\n", SWEEP_MAX_PLOTS, v);
        else if (r > 0)
            return a->plots[a->nplots++] = v, 1;
        return -1;
    }
    if ((r = arg_value(argc, argv, i, "--plot-y", &a->plot_y)) != 0 ||
        (r = arg_value(argc, argv, i, "--title", &a->title)) != 0)
        return r;
    if ((r = arg_value(argc, argv, i, "--counters", &v)) != 0)
        return r < 0 || parse_counters(sw, v) != 0 ? -1 : 1;
    if ((r = arg_value(argc, argv, i, "--shard", &v)) != 0)
        return r < 0 || parse_shard(sw, v) != 0 ? -1 : 1;
    if ((r = arg_value(argc, argv, i, "--jobs", &v)) != 0 || (r = arg_value(argc, argv, i, "-j", &v)) != 0)
        return r < 0 || parse_jobs(sw, v) != 0 ? -1 : 1;
    if (strncmp(argv[*i], "-j", 2) == 0 && argv[*i][2] >= '0' && argv[*i][2] <= '9')
        return parse_jobs(sw, argv[*i] + 2) != 0 ? -1 : 1;
    return 0;
}

/* Splits argv between the sweep's own options and those options_parse knows. Returns
 * 0, 1 for --help (printed), -1 bad. */
static int sweep_args(Sweep *sw, SweepArgs *a, int argc, char **argv)
{
    char *rest[argc + 1];
    int nrest = 2;
    rest[0] = argv[0];
    rest[1] = argv[1];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--merge") == 0) {
            a->merge = true;
            continue;
        }
        int r = sweep_option(sw, a, argc, argv, &i);
        if (r < 0)
            return -1;
        if (r == 0 && a->merge && argv[i][0] != '-') {
            a->parts = a->parts ? a->parts : &argv[i];
            if (&a->parts[a->nparts] != &argv[i]) {
                fprintf(stderr, "vmsim sweep: --merge takes its parts together, then options\n");
                return -1;
            }
            a->nparts++;
        } else if (r == 0) {
            if (strncmp(argv[i], "--log", 5) == 0) {
                fprintf(stderr, "vmsim sweep: --log is for vmsim run\n");
                return -1;
            }
            rest[nrest++] = argv[i];
        }
    }
    rest[nrest] = NULL;
    return options_parse(&sw->base, nrest, rest, 2, "sweep", sweep_usage);
}

/* Each trace's name in the rows: the --trace file, or the scenario's trace file, or
 * the scenario itself for its inline lines. Returns 0 or -1 with a message. */
static int sweep_labels(Sweep *sw)
{
    Scenario sc;
    char err[1200];
    if (options_load(&sw->base, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        scenario_fini(&sc);
        return -1;
    }
    if (sw->ntraces == 0) {
        if (!sc.trace_path && !sc.inline_trace) {
            fprintf(stderr, "vmsim sweep: %s has no trace; give --trace FILE\n",
                    sc.path ? sc.path : "the built-in default scenario");
            scenario_fini(&sc);
            return -1;
        }
        sw->traces[sw->ntraces++] = NULL;
    }
    for (size_t t = 0; t < sw->ntraces; t++) {
        const char *l = sw->traces[t] ? sw->traces[t] : sc.trace_path ? sc.trace_path
                      : sc.path ? sc.path : "(built-in default scenario)";
        sw->labels[t] = malloc(strlen(l) + 1);
        if (sw->labels[t])
            strcpy(sw->labels[t], l);
    }
    scenario_fini(&sc);
    return 0;
}

/* Checks each varied value on its own (the message names --vary), then every cell's
 * machine as a whole. Returns 0 or -1 with a message. */
static int sweep_check(const Sweep *sw)
{
    char err[1200], assign[200];
    int bad = 0;
    for (size_t k = 0; k < sw->nvary && !bad; k++)
        for (size_t v = 0; v < sw->vary[k].n && !bad; v++) {
            Scenario sc;
            snprintf(assign, sizeof assign, "%s=%s", sw->vary[k].key, sw->vary[k].vals[v]);
            bad = options_load(&sw->base, &sc, err, sizeof err) != 0 ||
                  scenario_set(&sc, assign, "--vary", err, sizeof err) != 0;
            scenario_fini(&sc);
        }
    for (size_t c = sw->first; c < sw->last && !bad; c++) {
        Options o;
        char buf[SWEEP_MAX_VARY][160];
        Scenario sc;
        cell_options(sw, c, &o, buf);
        bad = options_load(&o, &sc, err, sizeof err) != 0;
        scenario_fini(&sc);
    }
    if (bad)
        fprintf(stderr, "vmsim: %s\n", err);
    return bad ? -1 : 0;
}

/* Counts the cells and picks this shard's slice. Returns 0 or -1 with a message. */
static int sweep_cells(Sweep *sw)
{
    sw->ncells = sw->ntraces;
    for (size_t k = 0; k < sw->nvary; k++) {
        if (sw->vary[k].n > SWEEP_MAX_CELLS / sw->ncells) {
            fprintf(stderr, "vmsim sweep: more than %d combinations\n", SWEEP_MAX_CELLS);
            return -1;
        }
        sw->ncells *= sw->vary[k].n;
    }
    sw->first = 0;
    sw->last = sw->ncells;
    if (sw->nshards) {
        sw->first = sw->ncells * (size_t)(sw->shard - 1) / (size_t)sw->nshards;
        sw->last = sw->ncells * (size_t)sw->shard / (size_t)sw->nshards;
    }
    return 0;
}

/* The first cell that found bad input, or that stopped. */
static const CellResult *first_with(const Sweep *sw, const CellResult *res, int status, size_t *count)
{
    const CellResult *r = NULL;
    *count = 0;
    for (size_t i = 0; i < sw->last - sw->first; i++)
        if (res[i].status == status) {
            r = r ? r : &res[i];
            ++*count;
        }
    return r;
}

/* Writes the rows and plots. Returns the exit status. */
static int sweep_output(const Table *t, const Sweep *sw, const SweepArgs *a)
{
    char err[1200];
    for (int i = 0; i < a->nplots; i++)
        if (plot_write(t, a->plots[i], a->plot_y, a->title, err, sizeof err) != 0) {
            fprintf(stderr, "vmsim sweep: %s\n", err);
            return EXIT_USAGE;
        }
    if (sw && sw->nshards)
        table_shard(stdout, t, sw);
    else if (a->json)
        table_json(stdout, t);
    else
        table_csv(stdout, t);
    fflush(stdout);
    return EXIT_OK;
}

/* With VMSIM_SWEEP_PLAN set, says on stderr how the cells will run (for tests and the
 * curious: the output is the same either way). */
static void tell_plan(const Sweep *sw, const Unit *units, long nunits)
{
    size_t passes = 0, stacked = 0;
    if (!getenv("VMSIM_SWEEP_PLAN"))
        return;
    for (long i = 0; i < nunits; i++)
        if (units[i].stack) {
            passes++;
            stacked += units[i].n;
        }
    fprintf(stderr, "vmsim sweep: %zu cells: %zu in %zu stack pass%s, %zu run separately\n",
            sw->last - sw->first, stacked, passes, passes == 1 ? "" : "es",
            sw->last - sw->first - stacked);
}

/* Runs the shard's cells and writes what they gave. */
static int sweep_run(Sweep *sw, const SweepArgs *a)
{
    Unit *units = NULL;
    long nunits = plan_units(sw, &units);
    tell_plan(sw, units, nunits);
    size_t n = sw->last - sw->first, nbad, nhalt;
    CellResult *res = nunits >= 0 ? work_results(n) : NULL;
    Table t = { 0 };
    int status = EXIT_USAGE;
    if (!res)
        fprintf(stderr, "vmsim sweep: out of memory\n");
    else if (work_all(sw, units, nunits, res) == 0) {
        const CellResult *bad = first_with(sw, res, EXIT_USAGE, &nbad);
        const CellResult *halt = first_with(sw, res, EXIT_FAILED, &nhalt);
        if (bad)
            fprintf(stderr, "vmsim: %s\n", bad->msg);
        else if (table_from_results(&t, sw, res) != 0)
            fprintf(stderr, "vmsim sweep: out of memory\n");
        else if ((status = sweep_output(&t, sw, a)) == EXIT_OK && halt) {
            fprintf(stderr, "vmsim sweep: %zu run%s stopped early (%s counts up to the "
                    "stop); row %zu: %s\n", nhalt, nhalt == 1 ? "" : "s",
                    nhalt == 1 ? "its row" : "their rows", (size_t)(halt - res) + 1, halt->msg);
            status = EXIT_FAILED;
        }
    }
    table_fini(&t);
    work_results_free(res, n);
    plan_free(units, nunits);
    return status;
}

static int sweep_merge(const SweepArgs *a)
{
    Table t;
    char err[1200];
    if (a->nparts == 0) {
        fprintf(stderr, "vmsim sweep: --merge needs the shard files\n");
        return EXIT_USAGE;
    }
    if (table_merge(&t, a->parts, a->nparts, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    int status = sweep_output(&t, NULL, a);
    table_fini(&t);
    return status;
}

int cmd_sweep(int argc, char **argv)
{
    Sweep sw;
    SweepArgs a;
    memset(&sw, 0, sizeof sw);
    memset(&a, 0, sizeof a);
    for (size_t c = 0; c < SWEEP_COLS; c++)
        sw.want[c] = true;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    sw.jobs = cores > 0 ? (int)cores : 1;
    int pr = sweep_args(&sw, &a, argc, argv), status = EXIT_USAGE;
    if (pr > 0)
        status = EXIT_OK;
    else if (pr == 0 && a.merge)
        status = sweep_merge(&a);
    else if (pr == 0 && sw.nshards && (a.json || a.nplots))
        fprintf(stderr, "vmsim sweep: --shard writes CSV parts; give --format and --plot to --merge\n");
    else if (pr == 0 && sweep_labels(&sw) == 0 && sweep_cells(&sw) == 0 && sweep_check(&sw) == 0)
        status = sweep_run(&sw, &a);
    for (size_t k = 0; k < sw.nvary; k++)
        vary_fini(&sw.vary[k]);
    for (size_t t = 0; t < sw.ntraces; t++)
        free(sw.labels[t]);
    return status;
}
