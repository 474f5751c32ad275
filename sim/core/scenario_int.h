/* vmsim: what the scenario reader's two files share (private to sim/core/scenario*.c).
 *
 *   scenario.c       the loader: INI reading with inih, line counting, includes,
 *                    FILE:LINE errors, where each key was set, --set, building the Sim
 *   scenario_keys.c  the sections and their keys: one handler per section that checks
 *                    and stores each value, and the table `vmsim help keys` lists
 */
#ifndef VMSIM_SCENARIO_INT_H
#define VMSIM_SCENARIO_INT_H

#include "vmsim/scenario.h"

#include <stdio.h>

typedef struct LoadCtx {
    Scenario *sc;
    const char *path;           /* the file being read ("--set" for overrides) */
    unsigned long line;         /* lines read so far = the line being handled */
    FILE *f;
    char raw[512];              /* the line as read */
    bool called;                /* inih called the handler for the line */
    bool keyed;                 /* a key since the last header: inih's prev_name */
    bool continued;             /* the line being handled is a continuation */
    size_t desc_len;            /* strlen of the description being continued */
    char *err;
    size_t errlen;
    bool failed;
    int depth;
    ProcSpec *proc;             /* the [process NAME] being read */
    /* The loader's scenario_load_file, for include = (the keys sit below the loader and
     * do not call back into it). */
    int (*load_file)(Scenario *sc, const char *path, int depth, char *err, size_t errlen);
} LoadCtx;

/* A section's key handler: 0 when the value is taken, -1 after scenario_fail. */
typedef int (*KeyFn)(LoadCtx *c, const char *key, const char *value);

/* ---- scenario.c ---- */

/* Reads the scenario or config file at path into sc, depth includes deep. 0, or -1 with
 * err set. */
int scenario_load_file(Scenario *sc, const char *path, int depth, char *err, size_t errlen);

/* Whether the line being handled continues the previous key's value: inih's rule
 * (INI_ALLOW_MULTILINE), an indented line after a key of the same section. */
static inline bool continuation(const LoadCtx *c)
{
    return c->continued;
}

/* ---- scenario_keys.c ---- */

/* Writes "FILE:LINE: " and the message into c->err (the first failure only) and marks
 * c failed. Returns -1. */
int scenario_fail(LoadCtx *c, const char *fmt, ...);

/* The handler of [section], NULL when there is none (and for [process NAME]). */
KeyFn scenario_key_fn(const char *section);

/* A key of the [process NAME] being read (c->proc). */
int scenario_process_key(LoadCtx *c, const char *k, const char *v);

#endif
