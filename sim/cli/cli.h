/* vmsim command line: verbs, option parsing and report formatting. */
#ifndef VMSIM_CLI_H
#define VMSIM_CLI_H

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

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV } ReportFormat;
typedef enum { LOG_NONE, LOG_FAULTS, LOG_ALL } LogLevel;

#define MAX_SETS 64

/* What the options common to run, step, gui and check ask for. */
typedef struct Options {
    const char *scenario;          /* NULL: the built-in default */
    const char *config;            /* --config FILE */
    const char *trace;             /* --trace FILE */
    TraceFormat trace_format;      /* --trace-format */
    const char *sets[MAX_SETS];    /* --set section.key=value */
    int nsets;
    ReportFormat format;           /* --format */
    LogLevel log;                  /* --log */
    unsigned long long max_steps;  /* --steps N (0: all) */
} Options;

/* The built-in default scenario (generated from scenarios/default.ini). */
extern const char default_scenario_ini[];

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

/* The text log: an observer that writes each step's events in words to a FILE. */
typedef struct TextLog {
    FILE *out;
    const Sim *sim;
    LogLevel level;
    char *buf;                     /* the current step's lines */
    size_t len, cap;
    int faulted;
    unsigned long long step;
} TextLog;

void textlog_init(TextLog *l, FILE *out, const Sim *sim, LogLevel level);
void textlog_event(void *ctx, const SimEvent *ev);
void textlog_flush(TextLog *l);    /* writes the last step (if it qualifies) */
void textlog_fini(TextLog *l);

/* The address split as "9+9+9+9+12": index bits per level, then the offset. */
void report_split_words(const Geometry *g, char *buf, size_t len);

/* Reports. */
void report_text(FILE *out, const Session *s);
void report_json_begin(FILE *out, const Session *s);
void report_json_access(FILE *out, const StepInfo *st, int first);
void report_json_end(FILE *out, const Session *s, int had_accesses, const char *halt);
void report_csv_stats(FILE *out, const Session *s);
void report_csv_header(FILE *out);
void report_csv_access(FILE *out, const StepInfo *st);

/* Words for a step's outcome, e.g. "minor fault" or "TLB hit". */
const char *step_fault_words(FaultKind f);

int cmd_run(int argc, char **argv);
int cmd_gui(int argc, char **argv);
/* Whether the no-verb path (argv[1] "run") may open a window: a display, a terminal on
 * stdout and no report asked for (vmsim-gui still falls back if SDL's video will not
 * start). */
bool cli_window_wanted(int argc, char **argv);   /* argv[1] "run" (no verb): run headless without a display */
int cmd_step(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
