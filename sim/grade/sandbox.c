/* A student's command under limits: fork, a process group, rlimits, a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

static void limit(int what, rlim_t v)
{
    struct rlimit rl = { v, v };
    struct rlimit cur;
    if (getrlimit(what, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max)
        rl.rlim_cur = rl.rlim_max = cur.rlim_max;     /* never above the hard limit */
    setrlimit(what, &rl);
}

/* In the child: its own group, the limits, output to the pipe. */
static void child(const char *dir, const SandboxLimits *lim, int wfd)
{
    setpgid(0, 0);
    dup2(wfd, STDOUT_FILENO);
    dup2(wfd, STDERR_FILENO);
    close(wfd);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    if (chdir(dir) != 0) {
        fprintf(stderr, "cannot enter %s: %s\n", dir, strerror(errno));
        _exit(126);
    }
    limit(RLIMIT_CPU, lim->timeout + 1);
    limit(RLIMIT_AS, (rlim_t)lim->memory_mb << 20);
    limit(RLIMIT_FSIZE, (rlim_t)lim->file_mb << 20);
    limit(RLIMIT_NPROC, lim->processes);
    limit(RLIMIT_CORE, 0);
    signal(SIGPIPE, SIG_DFL);
}

static void run_shell(void *cmd)
{
    execl("/bin/sh", "sh", "-c", (const char *)cmd, (char *)NULL);
    _exit(127);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps what fits under the cap, counts the rest as truncated. */
static void keep(SandboxResult *r, const char *buf, size_t got, size_t cap)
{
    size_t room = r->len < cap ? cap - r->len : 0;
    size_t take = got < room ? got : room;
    memcpy(r->out + r->len, buf, take);
    r->len += take;
    r->out[r->len] = '\0';
    r->truncated |= take < got;
}

/* Reads the pipe until it closes or the deadline passes (then kills the group). */
static void collect(SandboxResult *r, int rfd, pid_t pid, const SandboxLimits *lim)
{
    double deadline = now() + lim->timeout;
    char buf[8192];
    for (;;) {
        double left = deadline - now();
        if (left <= 0) {
            r->timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd pf = { .fd = rfd, .events = POLLIN };
        int k = poll(&pf, 1, (int)(left * 1000) + 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            continue;
        ssize_t got = read(rfd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        keep(r, buf, (size_t)got, lim->output_max);
    }
}

int sandbox_run(const char *cmd, const char *dir, const SandboxLimits *lim, SandboxResult *r)
{
    return sandbox_call(run_shell, (void *)cmd, dir, lim, r);
}

int sandbox_call(void (*fn)(void *ctx), void *ctx, const char *dir, const SandboxLimits *lim,
                 SandboxResult *r)
{
    memset(r, 0, sizeof *r);
    r->out = malloc(lim->output_max + 1);
    int fds[2];
    if (!r->out || pipe(fds) != 0) {
        free(r->out);
        r->out = strdup("cannot make a pipe");
        return -1;
    }
    r->out[0] = '\0';
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(r->out, lim->output_max + 1, "cannot fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(dir, lim, fds[1]);
        fn(ctx);
        fflush(NULL);
        _exit(0);
    }
    setpgid(pid, pid);       /* also here, so the kill below finds the group at once */
    close(fds[1]);
    r->started = true;
    collect(r, fds[0], pid, lim);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    kill(-pid, SIGKILL);     /* whatever the command left running in its group */
    if (WIFEXITED(status))
        r->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r->signal = WTERMSIG(status);
    return 0;
}

void sandbox_result_free(SandboxResult *r)
{
    free(r->out);
    r->out = NULL;
}

void sandbox_describe(const SandboxResult *r, const SandboxLimits *lim, char *buf, size_t n)
{
    if (!r->started)
        snprintf(buf, n, "could not start: %s", r->out ? r->out : "");
    else if (r->timed_out)
        snprintf(buf, n, "timed out after %u s (killed)", lim->timeout);
    else if (r->signal == SIGXCPU)
        snprintf(buf, n, "killed by signal %d (CPU time limit)", r->signal);
    else if (r->signal)
        snprintf(buf, n, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
    else if (r->exit_code > 128 && r->exit_code <= 128 + 64)   /* sh's word for a signal */
        snprintf(buf, n, "killed by signal %d (%s; the shell's exit status %d)",
                 r->exit_code - 128, strsignal(r->exit_code - 128), r->exit_code);
    else
        snprintf(buf, n, "exit status %d", r->exit_code);
}
