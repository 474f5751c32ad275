/* Running a student's command: a shell command line in a folder, under rlimits, in a
 * process group of its own killed at a time-out, its output (stdout and stderr
 * together) captured up to a cap. Not a security sandbox: a program can still read
 * and write what the grader's user can; run graders in a container. */
#ifndef VMSIM_SANDBOX_H
#define VMSIM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct SandboxLimits {
    unsigned timeout;          /* seconds of wall time */
    unsigned long memory_mb;   /* RLIMIT_AS */
    unsigned long file_mb;     /* RLIMIT_FSIZE */
    unsigned long processes;   /* RLIMIT_NPROC (the user's processes, all told) */
    size_t output_max;         /* bytes of output kept */
} SandboxLimits;

typedef struct SandboxResult {
    bool started;              /* false: fork or pipe failed (why in out) */
    bool timed_out;
    bool truncated;            /* more output than output_max */
    int exit_code;             /* when exited */
    int signal;                /* when killed by a signal (0 if not) */
    char *out;                 /* NUL-terminated, owned */
    size_t len;
} SandboxResult;

/* Runs `/bin/sh -c cmd` in dir under lim. Always fills r (free with
 * sandbox_result_free); returns 0, or -1 when it could not start. */
int sandbox_run(const char *cmd, const char *dir, const SandboxLimits *lim, SandboxResult *r);
void sandbox_result_free(SandboxResult *r);

/* As sandbox_run, but the child calls fn(ctx) (its stdout and stderr the captured
 * output) and exits 0 when fn returns. */
int sandbox_call(void (*fn)(void *ctx), void *ctx, const char *dir, const SandboxLimits *lim,
                 SandboxResult *r);

/* What happened, in words: "exit status 2", "killed by signal 11 (Segmentation
 * fault)", "timed out after 2 s (killed)". */
void sandbox_describe(const SandboxResult *r, const SandboxLimits *lim, char *buf, size_t n);

#endif
