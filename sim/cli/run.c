/* vmsim run and vmsim check. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "reflog.h"

static const char run_usage[] =
    "usage: vmsim run [SCENARIO] [options]\n"
    "       vmsim run --list\n"
    "\n"
    "Runs a scenario headless and prints a report. SCENARIO is a file, or the name of\n"
    "an installed scenario ('vmsim run belady'; --list names them). With no scenario\n"
    "and no --trace, runs the built-in default scenario; with --trace alone, runs the\n"
    "trace with one process that may touch any address: a stream of page numbers on\n"
    "the textbook machine (configs/textbook.ini: no TLB, page tables separate, FIFO,\n"
    "3 frames, as textbook exercises assume), any other trace on the default x86-64\n"
    "machine; --config and --set apply over either.\n"
    "\n"
    "options:\n"
    "  --format text|json|csv|reflog  report format (default text); reflog: one\n"
    "                             line per reference (docs/reports.md)\n"
    "  --log none|faults|all      log each step (all) or the steps that fault\n"
    "  --set SECTION.KEY=VALUE    override a config key, e.g. --set memory.frames=64\n"
    "                             (repeatable; applied after the scenario and --config)\n"
    "  --config FILE              a machine config applied over the scenario's\n"
    "  --trace FILE               run this trace instead of the scenario's (- reads\n"
    "                             standard input; gzip and xz are read as they come)\n"
    "  --image FILE               a memory image (or OSTEP's dump) instead of a scenario:\n"
    "                             the walk over fixed tables, no OS (faults not repaired)\n"
    "  --trace-format FMT         auto|vmsim|pages|lackey|ls|addrrw (default auto)\n"
    "                             or csc369|cs1550, which are never detected\n"
    "  --steps N                  stop after N steps\n"
    "  --list                     name the installed scenarios, with their titles\n"
    "\n"
    EXIT_STATUS_HELP;

static bool want_row(const Options *o, const StepInfo *st)
{
    return o->log == LOG_ALL || (o->log == LOG_FAULTS && st->fault != FAULT_NONE);
}

static void copy_out(FILE *tmp)
{
    char buf[65536];
    size_t n;
    rewind(tmp);
    while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
        fwrite(buf, 1, n, stdout);
    fflush(stdout);
}

/* Ctrl-C during a run: the steps stop, the report covers those taken. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The logs for machines: a record of each step, or the reflog of each reference. */
typedef struct MachineLog {
    AccessRecord rec;
    RefLog ref;
} MachineLog;

static void machine_log_row(const Options *o, MachineLog *ml, FILE *out, const StepInfo *st, int *rows)
{
    RefLogRecord r;
    if (o->format == FMT_REFLOG) {
        char line[128];
        if (reflog_step(&ml->ref, st, &r)) {
            reflog_format(&r, line, sizeof line);
            fprintf(out, "%s\n", line);
        }
        return;
    }
    if (!want_row(o, st))
        return;
    if (o->format == FMT_JSON)
        report_json_access(out, st, *rows == 0, &ml->rec);
    else
        report_csv_access(out, st, &ml->rec);
    ++*rows;
}

unsigned check_every(void)
{
    const char *v = getenv("VMSIM_CHECK");
    if (!v)
        return 0;
    long n = strtol(v, NULL, 10);
    return n > 1 && n < 1000000 ? (unsigned)n : 1;
}

/* The steps until the next that run_steps must look at: the next multiple of check,
 * the next progress tick, the last of --steps, at most PROGRESS_EVERY + 1 (so Ctrl-C
 * is seen within that many). */
static uint64_t batch_len(const Options *o, uint64_t done, unsigned check)
{
    uint64_t n = (PROGRESS_EVERY + 1) - (done & PROGRESS_EVERY);
    if (check && check - done % check < n)
        n = check - done % check;
    if (o->max_steps && o->max_steps - done < n)
        n = o->max_steps - done;
    return n;
}

/* run_steps with no log: the steps in batches (sim_run), with no StepInfo to fill. */
/* VMSIM_CHECK: after every check-th step (0: never) the bookkeeping must add up; a
 * mismatch is vmsim's own bug, so it aborts with what sim_check found. */
static void check_step(const Sim *sim, uint64_t step, unsigned check)
{
    const char *bad = check && step % check == 0 ? sim_check(sim) : NULL;
    if (bad) {
        fprintf(stderr, "vmsim: internal check failed after step %llu: %s\n",
                (unsigned long long)step, bad);
        abort();
    }
}

static StepStatus run_batched(Session *s, const Options *o, Progress *pg, unsigned check)
{
    StepStatus r = STEP_OK;
    while (r == STEP_OK && (!o->max_steps || sim_stats(s->sim)->steps < o->max_steps) &&
           !interrupted) {
        r = sim_run(s->sim, batch_len(o, sim_stats(s->sim)->steps, check));
        uint64_t step = sim_stats(s->sim)->steps;
        if (r != STEP_OK)
            break;
        if (pg && (step & PROGRESS_EVERY) == 0)
            pg->tick(pg, s);
        check_step(s->sim, step, check);
    }
    return r == STEP_OK ? STEP_END : r;
}

StepStatus run_steps(Session *s, const Options *o, FILE *out, int *rows, Progress *pg)
{
    StepInfo st;
    StepStatus r = STEP_OK;
    unsigned check = check_every();
    static MachineLog ml;                  /* the victims' reasons are large */
    if (o->log == LOG_NONE && o->format != FMT_REFLOG)
        return run_batched(s, o, pg, check);
    bool machine = out && o->format != FMT_TEXT;
    reflog_init(&ml.ref, sim_machine(s->sim)->geo.page_shift);
    record_reset(&ml.rec, s->sim);
    if (machine)
        sim_set_observer(s->sim, o->format == FMT_REFLOG ? reflog_event : record_event,
                         o->format == FMT_REFLOG ? (void *)&ml.ref : (void *)&ml.rec);
    while ((!o->max_steps || sim_stats(s->sim)->steps < o->max_steps) && !interrupted) {
        if (machine)                       /* the record collects only the log's events */
            record_reset(&ml.rec, s->sim);
        r = sim_step(s->sim, &st);
        if (r != STEP_OK)
            break;
        if (pg && (st.step & PROGRESS_EVERY) == 0)
            pg->tick(pg, s);
        check_step(s->sim, st.step, check);
        if (machine)
            machine_log_row(o, &ml, out, &st, rows);
    }
    return r == STEP_OK ? STEP_END : r;
}

/* Kills while the scenario was built (the OOM killer making room for a process's
 * tables) happened before any observer: the log tells them before step 1. */
static void log_setup_kills(FILE *out, const Session *s)
{
    for (size_t i = 0; i < sim_nprocs(s->sim); i++) {
        const Process *p = sim_proc(s->sim, i);
        if (p->state != PROC_RUNNING)
            fprintf(out, "before step 1: %s (pid %d) was killed while the machine was set up\n"
                    "  %s\n", p->name, p->pid, p->exit_reason);
    }
}

/* Writes the report after the steps (r: how they ended) to stdout by way of out, says
 * on stderr why the run ended early, and returns the exit status. */
static int finish_run(const Session *s, const Options *o, FILE *out, StepStatus r, int rows)
{
    unsigned long long steps = sim_stats(s->sim)->steps;
    if (o->format == FMT_TEXT) {
        if (o->log != LOG_NONE)
            fputc('\n', out);
        report_text(out, s);
        if (interrupted)
            fprintf(out, "\ninterrupted (Ctrl-C) after step %llu: the report covers the "
                    "steps taken\n", steps);
    } else if (o->format == FMT_JSON) {
        report_json_end(out, s, rows > 0, r == STEP_HALT ? sim_error(s->sim)
                                          : interrupted ? "interrupted" : NULL);
    } else if (o->format == FMT_CSV && o->log == LOG_NONE) {
        report_csv_stats(out, s);
    }
    copy_out(out);
    if (interrupted)
        fprintf(stderr, "vmsim: interrupted after step %llu\n", steps);
    if (r == STEP_HALT)
        fprintf(stderr, "vmsim: run stopped: %s\n", sim_error(s->sim));
    return r == STEP_HALT ? EXIT_FAILED : interrupted ? EXIT_INTERRUPTED : EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "--list") == 0)
        return datadir_list_scenarios(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
    Options o;
    int pr = options_parse(&o, argc, argv, 2, "run", run_usage);
    if (pr > 0) {
        char names[512];
        policy_list_names(names, sizeof names, " ", " ");
        printf("\nreplacement policies (memory.policy):\n  policies: %s\n", names);
    }
    if (pr)
        return pr > 0 ? EXIT_OK : EXIT_USAGE;
    Session s;
    char err[1024];
    if (session_open(&s, &o, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        session_close(&s);
        return EXIT_USAGE;
    }
    /* Everything goes to a temporary file first: bad input found late in a trace
     * leaves nothing half-written on stdout. */
    FILE *out = tmpfile();
    if (!out) {
        perror("vmsim: temporary file");
        session_close(&s);
        return EXIT_USAGE;
    }
    TextLog log;
    textlog_init(&log, out, s.sim, o.log);
    if (o.format == FMT_TEXT && o.log != LOG_NONE) {
        sim_set_observer(s.sim, textlog_event, &log);
        log_setup_kills(out, &s);
    }
    if (o.format == FMT_JSON)
        report_json_begin(out, &s);
    if (o.format == FMT_CSV && o.log != LOG_NONE)
        report_csv_header(out, true);
    int rows = 0;
    Progress pg;
    progress_run_init(&pg, &s, o.max_steps);
    struct sigaction sa = { .sa_handler = on_sigint }, old_sa;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_sa);
    StepStatus r = run_steps(&s, &o, out, &rows, pg.on ? &pg : NULL);
    sigaction(SIGINT, &old_sa, NULL);
    progress_clear(&pg);
    if (r != STEP_ERROR)
        textlog_flush(&log);
    else
        fprintf(stderr, "vmsim: %s\n", sim_error(s.sim));
    int status = r == STEP_ERROR ? EXIT_USAGE : finish_run(&s, &o, out, r, rows);
    fclose(out);
    textlog_fini(&log);
    session_close(&s);
    return status;
}

static const char check_usage[] =
    "usage: vmsim check FILE... [--set SECTION.KEY=VALUE]...\n"
    "\n"
    "Checks scenario and machine-config files, and every line of their traces,\n"
    "and memory images (FILE.image), without running them. Prints FILE: ok for each\n"
    "good file.\n"
    "\n"
    EXIT_STATUS_HELP;

/* The names of the processes a trace may switch to: the scenario's, and those its fork
 * records create so far (a growing list: a trace may fork any number). */
typedef struct Names {
    char (*v)[TRACE_NAME_MAX];
    size_t n, cap;
} Names;

static bool names_has(const Session *s, const Names *nm, const char *name)
{
    for (size_t i = 0; i < sim_nprocs(s->sim); i++)
        if (strcmp(sim_proc(s->sim, i)->name, name) == 0)
            return true;
    for (size_t i = 0; i < nm->n; i++)
        if (strcmp(nm->v[i], name) == 0)
            return true;
    return false;
}

static int names_add(Names *nm, const char *name)
{
    if (nm->n == nm->cap) {
        size_t cap = nm->cap * 2 + 16;
        char (*nv)[TRACE_NAME_MAX] = realloc(nm->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        nm->v = nv;
        nm->cap = cap;
    }
    snprintf(nm->v[nm->n++], TRACE_NAME_MAX, "%s", name);
    return 0;
}

/* Reads every record of the trace, checking the names run would refuse: a fork of a
 * name taken, a switch to one nobody has. Returns 0, or -1 with err set. */
static int check_trace(Session *s, char *err, size_t errlen)
{
    TraceRecord rec;
    Names nm = { 0 };
    int r;
    while ((r = trace_next(s->trace, &rec, err, errlen)) > 0) {
        const char *bad = NULL;
        if (rec.kind == TREC_FORK && names_has(s, &nm, rec.name))
            bad = FORK_TAKEN;
        else if (rec.kind == TREC_FORK && names_add(&nm, rec.name) != 0)
            bad = "out of memory for the name '%s'";
        else if (rec.kind == TREC_SWITCH && !names_has(s, &nm, rec.name))
            bad = "no process named '%s'";
        if (bad) {
            int n = snprintf(err, errlen, "%s:%lu: ", s->trace_file, rec.line);
            if (n > 0 && (size_t)n < errlen)
                snprintf(err + n, errlen - (size_t)n, bad, rec.name);
            r = -1;
            break;
        }
    }
    free(nm.v);
    return r < 0 ? -1 : 0;
}

static int check_one(const char *path, const Options *base)
{
    int image = check_image(path);
    if (image >= 0)
        return image;
    Options o = *base;
    o.scenario = path;
    Session s;
    char err[1024];
    int bad = session_open(&s, &o, err, sizeof err) != 0;
    if (!bad && s.trace)
        bad = check_trace(&s, err, sizeof err) != 0;
    if (bad)
        fprintf(stderr, "vmsim: %s\n", err);
    else
        printf("%s: ok\n", path);
    session_close(&s);
    return bad;
}

int cmd_check(int argc, char **argv)
{
    Options base;
    memset(&base, 0, sizeof base);
    base.trace_format = TRACE_AUTO;
    int bad = 0, files = 0;
    for (int pass = 0; pass < 2; pass++) {     /* options first, then the files */
        for (int i = 2; i < argc; i++) {
            const char *a = argv[i];
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                fputs(check_usage, stdout);
                return EXIT_OK;
            }
            if (strcmp(a, "--set") == 0 || strncmp(a, "--set=", 6) == 0) {
                const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
                if (!v || (pass == 0 && base.nsets == MAX_SETS)) {
                    fputs(check_usage, stderr);
                    return EXIT_USAGE;
                }
                if (pass == 0)
                    base.sets[base.nsets++] = v;
            } else if (a[0] == '-') {
                fprintf(stderr, "vmsim check: unknown option '%s'\n", a);
                return EXIT_USAGE;
            } else if (pass == 1) {
                files++;
                bad |= check_one(a, &base);
            }
        }
    }
    if (!files) {
        fputs(check_usage, stderr);
        return EXIT_USAGE;
    }
    return bad ? EXIT_USAGE : EXIT_OK;
}
