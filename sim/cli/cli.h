/* vmsim command line: the verbs and report formatting (options and the loaded run: app.h). */
#ifndef VMSIM_CLI_H
#define VMSIM_CLI_H

#include <stdio.h>

#include "vmsim/scenario.h"
#include "vmsim/sim.h"
#include "app.h"

/* Writes s as a JSON string ("null" for NULL). */
void json_str(FILE *out, const char *s);
/* Writes s as a CSV field (RFC 4180): quoted, quotes doubled, when it holds a comma,
 * a quote or a line break. */
void csv_str(FILE *out, const char *s);

/* vmsim check of a memory image (a path ending in .image): prints "PATH: ok" and
 * returns 0, or says why on stderr and returns 1; -1 when path is not an image's. */
int check_image(const char *path);

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
struct AccessRecord;
/* The counters block of the text report, "references" to "cycles". */
void report_counters(FILE *out, const Sim *sim);
void report_text(FILE *out, const Session *s);
void report_json_begin(FILE *out, const Session *s);
/* One step of the JSON log; rec (or NULL) adds vpn, victims, evicted and cow. */
void report_json_access(FILE *out, const StepInfo *st, int first, const struct AccessRecord *rec);
void report_json_end(FILE *out, const Session *s, int had_accesses, const char *halt);
void report_csv_stats(FILE *out, const Session *s);
/* The CSV log's header: 8 columns, then the record's 6 when record is set. */
void report_csv_header(FILE *out, bool record);
/* One step of the CSV log; rec (or NULL) appends the record's columns. */
void report_csv_access(FILE *out, const StepInfo *st, const struct AccessRecord *rec);


/* The report's integer counters by their JSON names, in the order "stats" lists them. */
enum { REPORT_COUNTERS = 23 };
typedef struct ReportCounter {
    const char *name;              /* the JSON key, e.g. "page_faults" (static) */
    uint64_t value;
} ReportCounter;
void report_counter_rows(const SimStats *st, ReportCounter rows[REPORT_COUNTERS]);
/* Whether the counter named name is a TLB's (none, not zero, on a machine without one). */
bool report_counter_is_tlb(const char *name);

/* The two figures "stats" ends with, as the JSON report writes them: tlb_hit_rate
 * (hits per reference, 6 decimals) and effective_access_time (cycles per reference, 4
 * decimals), each into a buffer of len bytes; 0 with no references. */
void report_rates(const SimStats *st, char *hit_rate, char *eat, size_t len);

/* Words for a step's outcome, e.g. "minor fault" or "TLB hit". */
const char *step_fault_words(FaultKind f);


/* A progress bar on stderr (progress.c): references done, rate, time left. It is on
 * only when stderr is a terminal, and shows only once a run has taken half a second. */
typedef struct Progress Progress;
struct Progress {
    bool on;                       /* stderr is a terminal */
    void (*tick)(Progress *pg, const Session *s);   /* every PROGRESS_EVERY+1 steps */
    void *ctx;                     /* the tick's own (a sweep's shared counters) */
    const char *file;              /* the trace file whose size is known */
    uint64_t size;                 /* its bytes (0: unknown, e.g. compressed or inline) */
    uint64_t max_steps;            /* --steps N (0: none) */
    uint64_t seen;                 /* references already told (sweep workers) */
    int worker;                    /* sweep: the worker's slot in the shared counters */
    size_t unit_cells;             /* sweep: cells the current piece of work answers */
    double start, last;            /* monotonic seconds: started, last drawn */
    bool drawn;                    /* a bar is on the terminal line */
};
#define PROGRESS_EVERY 0xffffu

/* Sets pg up for `vmsim run` on s: on if stderr is a terminal. */
void progress_run_init(Progress *pg, const Session *s, uint64_t max_steps);
/* How far s's run is, 0 to 1: by --steps, else by the trace file's bytes read; -1 when
 * that cannot be known (a compressed or inline trace). */
double progress_fraction(Progress *pg, const Session *s);
/* Draws "[####....] 42%  2.1 M refs  8.3 M refs/s  0:03 left" at most 5 times a second
 * once half a second has passed; fraction < 0 leaves out the bar and time left. */
void progress_draw(Progress *pg, uint64_t refs, double fraction);
/* Erases the bar if one was drawn. */
void progress_clear(Progress *pg);
/* Monotonic seconds. */
double progress_now(void);

/* Runs s's steps to the end (or --steps), writing log rows to out (o->log) and
 * ticking pg (NULL: none). Returns STEP_END, STEP_HALT or STEP_ERROR. */
StepStatus run_steps(Session *s, const Options *o, FILE *out, int *rows, Progress *pg);
/* VMSIM_CHECK: 0 when unset (no internal check), else check the bookkeeping after every
 * Nth step (VMSIM_CHECK=N; 1, or anything not a positive number, is every step). */
unsigned check_every(void);

int cmd_sweep(int argc, char **argv);
int cmd_gui(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_dump(int argc, char **argv);
/* vmsim ostep PROGRAM [flags]: OSTEP's paging homework programs (sim/ostep). */
int cmd_ostep(int argc, char **argv);

#endif
