/* vmsim: scenario and machine-config files (INI, read with inih).
 *
 * A machine config has [machine], [tlb], [memory], [swap] and [timing]. A scenario
 * may hold the same sections, plus [scenario] (title, description, include = a
 * machine config), one [process NAME] per process and [trace] (file, format, or
 * inline lines). Keys set later override earlier ones, so put include first.
 * Every error names FILE:LINE and what was expected. docs/file-formats.md lists
 * every key.
 */
#ifndef VMSIM_SCENARIO_H
#define VMSIM_SCENARIO_H

#include "vmsim/machine.h"
#include "vmsim/parse.h"       /* parse_size */
#include "vmsim/proc.h"
#include "vmsim/sim.h"
#include "vmsim/trace.h"

#define SCEN_MAX_VMAS 32
#define SCEN_ORIGIN_MAX 160

typedef struct ProcSpec {
    char name[PROC_NAME_MAX];
    int pid;                     /* 0: assigned in order */
    Vma vmas[SCEN_MAX_VMAS];
    size_t nvmas;
    uint64_t stack_max;          /* stack limit in bytes (default 8 MiB) */
    int oom_score_adj;
    vaddr_t heap_start;          /* the heap key's ADDR (the program break starts there) */
    uint64_t heap_size;
    bool has_heap;
    char origin[SCEN_ORIGIN_MAX];   /* FILE:LINE of the section header */
} ProcSpec;

/* Where a key was last set, for messages about values that only fail together. */
typedef struct KeyOrigin {
    char key[72];                /* "section.key" */
    char where[SCEN_ORIGIN_MAX]; /* "FILE:LINE" */
} KeyOrigin;

typedef struct Scenario {
    char *path;                  /* the scenario file, NULL for the built-in default */
    char *title;
    char *description;
    MachineConfig machine;
    ProcSpec *procs;
    size_t nprocs;
    char *trace_path;            /* resolved against the scenario's folder */
    TraceFormat trace_format;
    char *inline_trace;          /* [trace] lines, padded so line numbers match the file */
    size_t inline_len;
    unsigned long inline_first;  /* file line of inline_trace's first line */
    unsigned long inline_last;   /* file line of its last line */
    char *inline_name;           /* file the inline lines came from */
    KeyOrigin *origins;
    size_t norigins;
} Scenario;

/* Starts a scenario with the default machine and nothing else. */
void scenario_init(Scenario *sc);
void scenario_fini(Scenario *sc);

/* Reads an INI file (scenario or machine config) into sc, on top of what sc holds.
 * Returns 0, or -1 with err = "FILE:LINE: what was expected". */
int scenario_load(Scenario *sc, const char *path, char *err, size_t errlen);

/* Same as scenario_load, for INI text in memory (the built-in default scenario);
 * name stands for the file in messages and in relative paths. */
int scenario_load_text(Scenario *sc, const char *name, const char *text,
                       char *err, size_t errlen);

/* Applies "section.key=value" as if it were in a file (source names it in errors).
 * Returns 0 or -1 with err set. */
int scenario_set(Scenario *sc, const char *assignment, const char *source,
                 char *err, size_t errlen);

/* Checks the loaded scenario as a whole (the machine's values together; processes'
 * mappings against the geometry). Returns 0 or -1 with err naming where. */
int scenario_validate(Scenario *sc, char *err, size_t errlen);

/* Opens the scenario's trace: override_path (if not NULL) with override_fmt, else
 * [trace] file, else the inline lines. Returns NULL with err set; *none is set true
 * (and NULL returned, err empty) when the scenario has no trace at all. */
TraceReader *scenario_open_trace(const Scenario *sc, const char *override_path,
                                 TraceFormat override_fmt, bool *none,
                                 char *err, size_t errlen);

/* Builds the machine and its processes. With no [process] sections, one process
 * "main" maps its whole (lower-half) address space read-write-execute, so any trace
 * runs; but a cs1550 trace's (trace_format) lines make their own processes, and
 * there is no "main". Returns NULL with err set. */
Sim *scenario_build(const Scenario *sc, char *err, size_t errlen);

/* The i-th section a scenario or config file may hold ("process" stands for
 * [process NAME]); *keys gets its keys, separated by single spaces. NULL past the last. */
const char *scenario_section(size_t i, const char **keys);

#endif
