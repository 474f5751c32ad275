/* vmsim sweep: the same run over every combination of varied keys and traces, one
 * row each; one pass for LRU where stack distances give the same answers; workers on
 * every core; shards for many hosts; plots.
 *
 *   spec.c    SPEC parsing (A..B, A..B:STEP, comma lists) and cells by index
 *   plan.c    which cells one stack pass answers, and which run separately
 *   stack.c   LRU and OPT stack distances (Mattson et al., 1970) over one run's references
 *   work.c    running the units: forked workers sharing a results array
 *   table.c   rows as text; CSV, JSON, shard files and --merge
 *   plot.c    the plot's layout, written as SVG or a gnuplot script, or drawn to PNG
 *             by vmsim-gui
 *   sweep.c   the verb: options, then the parts above in order
 */
#ifndef VMSIM_SWEEP_H
#define VMSIM_SWEEP_H

#include <stdatomic.h>

#include "cli.h"

#define SWEEP_MAX_VARY 8
#define SWEEP_MAX_TRACES 64
#define SWEEP_MAX_CELLS 100000
#define SWEEP_MAX_PLOTS 8

/* The columns after the varied keys: the report's counters, then its two rates. */
enum { COL_HIT_RATE = REPORT_COUNTERS, COL_EAT, SWEEP_COLS };

/* One --vary KEY=SPEC: the key ("memory.frames") and its values, as text. */
typedef struct Vary {
    char key[80];
    char **vals;
    size_t n;
} Vary;

typedef struct Sweep {
    Options base;                  /* scenario, --config, --set, --trace-format, --steps */
    const char *traces[SWEEP_MAX_TRACES];   /* NULL: the scenario's own trace */
    char *labels[SWEEP_MAX_TRACES];         /* each trace as the rows name it */
    size_t ntraces;
    Vary vary[SWEEP_MAX_VARY];
    size_t nvary;
    bool want[SWEEP_COLS];         /* --counters: the columns asked for */
    size_t ncells;                 /* traces x values of each key */
    size_t first, last;            /* this shard's cells: [first, last) */
    int shard, nshards;            /* --shard I/N (1-based); 0/0: none */
    int jobs;                      /* -j */
} Sweep;

/* What one cell's run gave. */
typedef struct CellResult {
    int status;                    /* EXIT_OK, EXIT_FAILED (halted), EXIT_USAGE (bad input) */
    SimStats st;
    bool tlb;                      /* the machine had a TLB (else its counters are none) */
    char msg[400];                 /* halted or bad: why */
} CellResult;

/* ---- spec.c ---------------------------------------------------------------- */

/* Parses "KEY=SPEC" into v. Returns 0, or -1 with err saying what was expected. */
int vary_parse(Vary *v, const char *arg, char *err, size_t errlen);
void vary_fini(Vary *v);

/* The value index of key k in cell i (the last key varies fastest), and its trace. */
size_t cell_value(const Sweep *sw, size_t cell, size_t k);
size_t cell_trace(const Sweep *sw, size_t cell);

/* The options of one cell: the base ones, its trace and "key=value" for each varied
 * key (written into buf, which must outlive o). */
void cell_options(const Sweep *sw, size_t cell, Options *o, char buf[][160]);

/* ---- plan.c ---------------------------------------------------------------- */

/* A unit of work: one cell run on its own, or cells that differ only in
 * memory.frames, answered by one stack pass. */
typedef struct Unit {
    size_t *cells;
    size_t n;
    bool stack;
} Unit;

/* Splits the shard's cells into units. Returns the count (*units allocated), or -1 when
 * out of memory. */
long plan_units(const Sweep *sw, Unit **units);
void plan_free(Unit *units, long n);

/* Whether cells differing only in memory.frames under machine m may share one stack
 * pass: LRU or OPT, global, page tables separate, unlimited swap, no huge pages, A/D by
 * hardware, one process, and only references, page_faults and evictions asked for. */
bool plan_stack_fits(const Sweep *sw, const Scenario *sc);

/* ---- stack.c --------------------------------------------------------------- */

/* Runs the cells of u (differing only in memory.frames) with one simulation and LRU
 * or OPT stack distances, filling res[cell]. Returns 1 done, 0 if the run turned out not to
 * fit (another process, a process event, a fault other than minor or major: run the
 * cells separately), -1 bad input or host trouble (the cells' results say why).
 * res holds the shard's cells: cell c at res[c - sw->first]. */
int stack_run(const Sweep *sw, const Unit *u, CellResult *res, Progress *pg);

/* ---- work.c ---------------------------------------------------------------- */

/* Runs one cell as `vmsim run` would, into *r; pg (NULL: none) is ticked. */
void work_cell(const Sweep *sw, size_t cell, CellResult *r, Progress *pg);

/* An array of n results in memory shared with forked workers (NULL if none), and its
 * release. */
CellResult *work_results(size_t n);
void work_results_free(CellResult *res, size_t n);

/* Runs every unit on sw->jobs workers (forked processes sharing the results), filling
 * res (cell c at res[c - sw->first]), with a progress bar on a terminal. Returns 0, or
 * -1 with a message on stderr (a worker could not start or died). */
int work_all(const Sweep *sw, Unit *units, long nunits, CellResult *res);

/* ---- table.c --------------------------------------------------------------- */

/* The rows as text: a header of ncols names, then nrows rows of ncols cells. */
typedef struct Table {
    char **head;
    size_t ncols;
    char **cell;                   /* nrows * ncols, row-major */
    size_t nrows;
    size_t nkeys;                  /* varied keys: columns 1..nkeys */
} Table;

/* The shard's rows from its results. Returns 0 or -1 when out of memory. */
int table_from_results(Table *t, const Sweep *sw, const CellResult *res);
void table_fini(Table *t);
static inline const char *table_at(const Table *t, size_t row, size_t col)
{
    return t->cell[row * t->ncols + col];
}
/* The column named name, or -1. */
long table_col(const Table *t, const char *name);

void table_csv(FILE *out, const Table *t);
void table_json(FILE *out, const Table *t);
/* A shard's file: a line "# vmsim sweep shard I/N, rows A-B of CELLS", then the CSV. */
void table_shard(FILE *out, const Table *t, const Sweep *sw);

/* Reads the shard files of one sweep into t, in cell order. Returns 0, or -1 with err
 * naming FILE:LINE and what was expected (a missing or doubled shard included). */
int table_merge(Table *t, char **paths, int n, char *err, size_t errlen);

/* ---- plot.c ---------------------------------------------------------------- */

/* Writes the plot of t to path: .svg, .gp (a gnuplot script with its data) or .png
 * (drawn by vmsim-gui). y names the column to plot (NULL: chosen by the x key), title
 * overrides the title. Returns 0, or -1 with err set (nothing is left at path). */
int plot_write(const Table *t, const char *path, const char *y, const char *title,
               char *err, size_t errlen);

/* Whether path ends in a plot format plot_write knows. */
bool plot_format_known(const char *path);

#endif
