/* What both programs share (vmsim and vmsim-gui, sim/app): the options common to run,
 * step and gui, the loaded run (a Session: a scenario, trace or memory image in a Sim),
 * the data folders and the policy plugin loader. Built like sim/cli, without SDL. */
#ifndef VMSIM_APP_H
#define VMSIM_APP_H

#include <stdio.h>

#include "vmsim/scenario.h"
#include "vmsim/sim.h"

/* Exit statuses, as docs/reports.md and --help state them. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_STRICT = 3, EXIT_INTERRUPTED = 130 };

/* The exit statuses in words, for every verb's --help. */
#define EXIT_STATUS_HELP \
    "exit status: 0 done; 1 the run stopped (out of memory with nothing killable, swap\n" \
    "full, an internal check); 2 bad usage or input; 3 a grader's --strict found an\n" \
    "ungradable submission; 130 interrupted (Ctrl-C: the report covers the steps taken)\n"

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_REFLOG } ReportFormat;
typedef enum { LOG_NONE, LOG_FAULTS, LOG_ALL } LogLevel;

#define MAX_SETS 64

/* What the options common to run, step, gui and check ask for. */
typedef struct Options {
    const char *scenario;          /* NULL: the built-in default */
    const char *config;            /* --config FILE */
    const char *trace;             /* --trace FILE */
    const char *image;             /* --image FILE: a memory image instead of a scenario */
    TraceFormat trace_format;      /* --trace-format */
    const char *sets[MAX_SETS];    /* --set section.key=value */
    int nsets;
    ReportFormat format;           /* --format */
    LogLevel log;                  /* --log */
    unsigned long long max_steps;  /* --steps N (0: all) */
} Options;

/* The built-in default scenario (generated from scenarios/default.ini). */
extern const char default_scenario_ini[];
/* The textbook machine (generated from configs/textbook.ini): a page stream's default. */
extern const char textbook_config_ini[];

/* Matches "--name VALUE" or "--name=VALUE" at argv[*i], advancing *i past what it
 * used: 1 matched (*val set), 0 not this option, -1 the value is missing (said). */
int opt_value(int argc, char **argv, int *i, const char *name, const char **val);

/* Sets *out to the index of v in names[0..n); -1 with "vmsim: WHAT must be one of ..."
 * on stderr if it is not there. */
int parse_choice(const char *what, const char *v, const char *const *names, int n, int *out);

/* Parses argv[first..] into o. Returns 0, 1 if help was asked for (and printed with
 * usage), or -1 with a message on stderr. */
int options_parse(Options *o, int argc, char **argv, int first, const char *verb,
                  const char *usage);

/* Loads the scenario the options name, with --config and --set applied, and checks it.
 * Returns 0 or -1 with err set. */
int options_load(const Options *o, Scenario *sc, char *err, size_t errlen);

/* Everything a run needs, built from a loaded scenario. */
typedef struct Session {
    Scenario sc;
    Sim *sim;
    TraceReader *trace;
    const char *trace_label;       /* shown in reports: a file name or "inline" */
    const char *trace_file;        /* the file its lines come from, for messages */
} Session;

/* Loads, builds and opens the trace. Returns 0 or -1 with err set. */
int session_open(Session *s, const Options *o, char *err, size_t errlen);
void session_close(Session *s);

/* What the build compiled in (build/gen/buildinfo.c): the version (git describe, or
 * the release's VERSION file) and the install's folders, PREFIX/share/vmsim and
 * PREFIX/libexec/vmsim. */
extern const char vmsim_version[];
extern const char vmsim_datadir[];
extern const char vmsim_libexecdir[];

/* A scenario argument as a file: arg itself when it is a file or holds a '/', else
 * scenarios/NAME.ini (".ini" optional) from the data folders ($VMSIM_DATADIR, else the
 * source tree beside a build folder, ../share/vmsim beside this program, then
 * PREFIX/share/vmsim). Returns arg, buf, or NULL when no folder has it. */
const char *datadir_find_scenario(const char *arg, char *buf, size_t len);

/* The scenarios/ folders datadir_find_scenario looks in, for messages. */
void datadir_describe(char *buf, size_t len);

/* Prints each scenario name found there with its title, sorted. Returns 0, or -1 with a
 * message on stderr when there is none. */
int datadir_list_scenarios(FILE *out);

/* The window program: vmsim-gui beside this program, else ../libexec/vmsim/ from it,
 * else PREFIX/libexec/vmsim/. Returns 0, or -1 when none is there. */
int datadir_gui_path(char *buf, size_t len);

/* Writes path whole or not at all: fn(f, ctx) writes into a temporary file beside path,
 * renamed over it when fn returns 0 and every byte is written; otherwise the temporary
 * is removed and path is as it was. The file gets fopen's mode (0666 less the umask).
 * Returns 0, or -1 with errno and "PATH: why" in err (NULL: not said); when fn returns
 * nonzero, err is left as fn set it. */
int app_write_file(const char *path, int (*fn)(FILE *f, void *ctx), void *ctx, char *err,
                   size_t errlen);
/* app_write_file of len bytes of text. */
int app_write_text(const char *path, const char *text, size_t len, char *err, size_t errlen);

/* Whether the no-verb path (argv[1] "run") may open a window: a display, a terminal on
 * stdout and no report asked for (vmsim-gui still falls back if SDL's video will not
 * start; window.c). */
bool app_window_wanted(int argc, char **argv);

/* vmsim run (sim/cli/run.c): what the no-verb path does where no window can open, in
 * vmsim-gui too, which links the verbs' objects for it. Returns the exit status. */
int cmd_run(int argc, char **argv);

#endif
