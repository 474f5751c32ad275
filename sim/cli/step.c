/* vmsim step: the terminal stepper, a small gdb for the paging simulator.
 *
 * The machine lives in a History (vmsim/history.h), so going back is a restore and a
 * replay. Each step taken in view is told in words by the text log of `vmsim run --log
 * all` (textlog.c); the printers are in step_print.c. Commands come from GNU readline
 * when stdin is a terminal, else one per line from stdin, echoed after the prompt so
 * that a piped script reads back like a session.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "step.h"
#include "vmsim/describe.h"

static const char step_usage[] =
    "usage: vmsim step [SCENARIO.ini] [options]\n"
    "\n"
    "Steps through a scenario one translation at a time, as a debugger steps through a\n"
    "program: each step prints what the TLB, the page walk and the fault handler did,\n"
    "and `print` shows the address, page tables, TLB, frames and processes in between.\n"
    "Commands are read from the terminal with line editing and history, or one per\n"
    "line from stdin when it is not a terminal (vmsim step < script).\n"
    "\n"
    "options:\n"
    "  --set SECTION.KEY=VALUE    override a config key, e.g. --set memory.frames=8\n"
    "  --config FILE              a machine config applied over the scenario's\n"
    "  --trace FILE               step through this trace instead of the scenario's\n"
    "  --image FILE               a memory image (or OSTEP's dump) instead of a scenario:\n"
    "                             the walk over fixed tables, no OS (faults not repaired)\n"
    "  --trace-format FMT         auto|vmsim|pages|lackey|ls|addrrw (default auto)\n"
    "                             or csc369|cs1550, which are never detected\n"
    "\n"
    "commands: step [N], back [N], continue, print va|pt|tlb|frames|proc|stats,\n"
    "break fault|segv|oom|step N, info break, delete [N], restart, help, quit\n"
    "(docs/stepper.md has them all).\n"
    "\n"
    "exit status: 0 at quit or the end of input, 2 bad usage or bad input\n";

#define PROMPT "(vmsim) "
#define MAX_ARGS 8

typedef struct Command {
    const char *name;
    const char *alias[3];     /* short forms besides unique prefixes, gdb's where it has them */
    void (*fn)(Stepper *st, int argc, char **argv);
    bool repeats;             /* an empty line runs it again */
    const char *const *args;  /* the words its first argument takes, for completion */
    const char *synopsis;
    const char *help;         /* one line, for help */
    const char *details;      /* more, for help COMMAND */
} Command;

/* Set by SIGINT while commands come from a terminal: a long continue or step N stops
 * at the next step boundary, and an input line is abandoned. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

void step_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}


/* ---- words and numbers --------------------------------------------------- */

/* A count of steps: decimal digits only, at least 1. */
static bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v == 0)
        return false;
    *out = v;
    return true;
}


void step_size_words(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
}


/* ---- moving -------------------------------------------------------------- */

/* Attaches the text log to the live Sim (or detaches it), which history_goto replaces. */
static void show(Stepper *st, bool on)
{
    st->log.sim = live(st);
    sim_set_observer(live(st), on ? textlog_event : NULL, on ? &st->log : NULL);
}

/* Remembers that stepping on from here fails, and says why (a halt only when the step
 * is shown: continue replays it in view). A bad trace line is bad input: it makes the
 * exit status 2, as it does for run. */
static void block(Stepper *st, StepStatus r, bool shown)
{
    st->blocked = r;
    st->blocked_at = now(st);
    if (r == STEP_ERROR) {
        snprintf(st->why, sizeof st->why, "%s", sim_error(live(st)));
        step_error("vmsim: %s", st->why);
        st->status = EXIT_USAGE;
    } else {
        snprintf(st->why, sizeof st->why, "%s", sim_error(live(st)));
        if (shown)
            printf("the machine stopped at step %" PRIu64 ": %s\n", now(st), st->why);
    }
}

/* True (with the reason printed) when the machine cannot step on from here. */
static bool stuck(const Stepper *st)
{
    if (st->blocked == STEP_OK || st->blocked_at != now(st))
        return false;
    if (st->blocked == STEP_ERROR)
        step_error("cannot step past %s (go back, or restart)", st->why);
    else
        step_error("the machine stopped at step %" PRIu64 ": %s (go back, or restart)",
                  now(st), st->why);
    return true;
}

/* Takes one step, told in words when shown. Returns what history_step returned. */
static StepStatus advance(Stepper *st, bool shown)
{
    StepInfo info;
    uint64_t before = now(st);
    show(st, shown);
    StepStatus r = history_step(st->h, &info);
    if (shown)
        textlog_flush(&st->log);
    if (st->check && now(st) % st->check == 0 && sim_check(live(st))) {
        step_error("vmsim: internal check failed after step %" PRIu64 ": %s", now(st), sim_check(live(st)));
        abort();
    }
    if (now(st) != before) {
        st->last = info;
        st->have_last = r == STEP_OK || r == STEP_HALT;
    }
    if (r == STEP_ERROR || r == STEP_HALT)
        block(st, r, shown);
    return r;
}

static void say_end(const Stepper *st)
{
    if (now(st) == 0)
        printf("the trace is empty: there is nothing to step\n");
    else
        printf("the trace is over after step %" PRIu64 "\n", now(st));
}

/* Brings the machine to the state after `target` steps, showing step `target` (a
 * replay: the run is deterministic, so it is the step that happened). */
static void go_to(Stepper *st, uint64_t target)
{
    char err[512];
    show(st, false);
    StepStatus r = history_goto(st->h, target ? target - 1 : 0, err, sizeof err);
    st->have_last = false;
    if (r != STEP_OK) {
        step_error("cannot go to step %" PRIu64 ": %s", target, err);
        return;
    }
    if (target == 0)
        printf("back at the start: no steps taken\n");
    else
        advance(st, true);
}

/* ---- breakpoints --------------------------------------------------------- */

static const char *const break_words[] = { "fault", "segv", "oom", "step", NULL };

void step_break_words(const Breakpoint *b, char *buf, size_t len)
{
    switch (b->kind) {
    case BREAK_FAULT: snprintf(buf, len, "fault: any fault (page fault or signal)"); break;
    case BREAK_SEGV:  snprintf(buf, len, "segv: a process is killed by SIGSEGV"); break;
    case BREAK_OOM:   snprintf(buf, len, "oom: the OOM killer kills a process"); break;
    case BREAK_STEP:  snprintf(buf, len, "step %" PRIu64, b->step); break;
    }
}

static bool is_segv(FaultKind f)
{
    return f == FAULT_SEGV_MAPERR || f == FAULT_SEGV_ACCERR || f == FAULT_ARCH;
}

/* The first breakpoint the step just taken hits; ooms is the OOM-kill count before it. */
static const Breakpoint *break_hit(const Stepper *st, uint64_t ooms)
{
    for (size_t i = 0; i < st->nbreaks; i++) {
        const Breakpoint *b = &st->breaks[i];
        bool hit = false;
        switch (b->kind) {
        case BREAK_FAULT: hit = st->have_last && st->last.fault != FAULT_NONE; break;
        case BREAK_SEGV:  hit = st->have_last && is_segv(st->last.fault); break;
        case BREAK_OOM:   hit = sim_stats(live(st))->oom_kills > ooms; break;
        case BREAK_STEP:  hit = now(st) == b->step; break;
        }
        if (hit)
            return b;
    }
    return NULL;
}

static const Breakpoint *add_break(Stepper *st, BreakKind kind, uint64_t step)
{
    for (size_t i = 0; i < st->nbreaks; i++) {
        if (st->breaks[i].kind == kind && (kind != BREAK_STEP || st->breaks[i].step == step)) {
            step_error("breakpoint %d already stops there", st->breaks[i].num);
            return NULL;
        }
    }
    if (st->nbreaks == MAX_BREAKS) {
        step_error("at most %d breakpoints (delete some)", MAX_BREAKS);
        return NULL;
    }
    Breakpoint *b = &st->breaks[st->nbreaks++];
    *b = (Breakpoint){ .num = ++st->next_break, .kind = kind, .step = step };
    return b;
}

/* ---- commands ------------------------------------------------------------ */


int step_match_word(const char *const *words, const char *w)
{
    int found = -1;
    size_t n = strlen(w);
    for (int i = 0; words[i]; i++) {
        if (strcmp(words[i], w) == 0)
            return i;
        if (n && strncmp(words[i], w, n) == 0)
            found = found == -1 ? i : -2;
    }
    return found;
}

static bool one_optional_count(int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (argc > 2 || (argc == 2 && !parse_count(argv[1], n))) {
        step_error("%s: expected a number of steps (1 or more), not '%s'", argv[0], argv[argc > 2 ? 2 : 1]);
        return false;
    }
    return true;
}

static void cmd_step_n(Stepper *st, int argc, char **argv)
{
    uint64_t n;
    if (!one_optional_count(argc, argv, &n))
        return;
    for (uint64_t i = 0; i < n; i++) {
        if (interrupted) {
            printf("\ninterrupted after step %" PRIu64 "\n", now(st));
            return;
        }
        if (stuck(st))
            return;
        StepStatus r = advance(st, true);
        if (r == STEP_END)
            say_end(st);
        if (r != STEP_OK)
            return;
    }
}

static void cmd_back(Stepper *st, int argc, char **argv)
{
    uint64_t n;
    if (!one_optional_count(argc, argv, &n))
        return;
    if (now(st) == 0) {
        step_error("back: no step taken yet, nothing to go back to");
        return;
    }
    if (n > now(st)) {
        step_error("back %" PRIu64 ": only %" PRIu64 " step%s taken so far", n, now(st), now(st) == 1 ? "" : "s");
        return;
    }
    go_to(st, now(st) - n);
}

static void cmd_continue(Stepper *st, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        step_error("continue takes no argument (step N takes N steps)");
        return;
    }
    const Breakpoint *hit = NULL;
    StepStatus r = STEP_OK;
    uint64_t start = now(st);
    /* Steps out of view (fast), then the stop is replayed in view. */
    while (!interrupted && !hit) {
        if (stuck(st))
            return;
        uint64_t ooms = sim_stats(live(st))->oom_kills;
        r = advance(st, false);
        if (r != STEP_OK)
            break;
        hit = break_hit(st, ooms);
    }
    if (r == STEP_END) {
        if (now(st) > start) {             /* ran to the end: show where it ended */
            printf("no breakpoint hit; the last step:\n");
            go_to(st, now(st));
        }
        say_end(st);
        return;
    }
    if (r == STEP_ERROR || now(st) == start)
        return;
    char words[64];
    if (hit) {
        step_break_words(hit, words, sizeof words);
        printf("breakpoint %d, %s\n", hit->num, words);
    } else if (r == STEP_OK) {
        printf("\ninterrupted at step %" PRIu64 "\n", now(st));
    }
    go_to(st, now(st));
}

static void cmd_break(Stepper *st, int argc, char **argv)
{
    int k = argc > 1 ? step_match_word(break_words, argv[1]) : -1;
    uint64_t step = 0;
    if (k < 0 || (k == BREAK_STEP) != (argc == 3) || argc > 3) {
        step_error("break: expected fault, segv, oom or step N");
        return;
    }
    if (k == BREAK_STEP && !parse_count(argv[2], &step)) {
        step_error("break step: expected a step number (1 or more), not '%s'", argv[2]);
        return;
    }
    const Breakpoint *b = add_break(st, (BreakKind)k, step);
    if (!b)
        return;
    char words[64];
    step_break_words(b, words, sizeof words);
    printf("breakpoint %d: %s\n", b->num, words);
    if (k == BREAK_STEP && step <= now(st))
        printf("(step %" PRIu64 " is behind: continue will not meet it unless you go back)\n", step);
}

static void cmd_delete(Stepper *st, int argc, char **argv)
{
    if (argc == 1) {
        st->nbreaks = 0;
        printf("deleted every breakpoint\n");
        return;
    }
    for (int a = 1; a < argc; a++) {
        uint64_t num = 0;
        bool ok = parse_count(argv[a], &num);
        size_t i = 0;
        while (ok && i < st->nbreaks && (uint64_t)st->breaks[i].num != num)
            i++;
        if (!ok || i == st->nbreaks) {
            step_error("delete: no breakpoint '%s' (info break lists them)", argv[a]);
            continue;
        }
        memmove(&st->breaks[i], &st->breaks[i + 1], (st->nbreaks - i - 1) * sizeof st->breaks[0]);
        st->nbreaks--;
        printf("deleted breakpoint %s\n", argv[a]);
    }
}

static void cmd_restart(Stepper *st, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        step_error("restart takes no argument");
        return;
    }
    go_to(st, 0);
}

static void cmd_quit(Stepper *st, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    st->done = true;
}

static void cmd_help(Stepper *st, int argc, char **argv);

static const Command commands[] = {
    { "step", { "s", "n", "next" }, cmd_step_n, true, NULL, "step [N]",
      "take N steps (default 1), printing what each did",
      "Takes N steps (default 1). A step is one translation (an access that crosses a page\n"
      "is one step per page), one context switch or one process event; each is printed in\n"
      "the words of `vmsim run --log all`. Breakpoints do not stop it: it takes N steps or\n"
      "stops at the end of the trace. Enter on an empty line takes the same steps again.\n",
    },
    { "back", { NULL }, cmd_back, true, NULL, "back [N]",
      "go back N steps (default 1) and print the step arrived at again",
      "Goes back N steps (default 1) by restoring a snapshot and replaying, then prints the\n"
      "step arrived at: the machine is exactly as it was after that step, so stepping\n"
      "forward again prints the same lines as the first time.\n",
    },
    { "continue", { "c" }, cmd_continue, true, NULL, "continue",
      "run to the next breakpoint, or the end of the trace",
      "Steps without printing until a breakpoint is hit or the trace ends, then prints the\n"
      "step it stopped at. Breakpoint 1, set at the start, stops at every fault: `delete 1`\n"
      "to run past them to the other breakpoints. Ctrl-C interrupts it.\n",
    },
    { "print", { "p" }, step_print, true, step_print_words, "print WHAT",
      "show va, pt, tlb, frames, proc or stats",
      "print va [ADDR]  the last step's address (or ADDR) split into each level's index\n"
      "                 and the page offset, and the physical address it became\n"
      "print pt [ADDR [PROC]]  the page walk for it in its process's (or PROC's) tables:\n"
      "                 each level's table, index, entry address, value and flags (read\n"
      "                 without side effects); PROC is a name or a pid\n"
      "print tlb        each TLB's valid entries by set and way\n"
      "print frames     the frame pool: what each frame holds, its owners, the dirty bit,\n"
      "                 the replacement policy's state (R bits, clock hand, counters) and,\n"
      "                 when memory is full, the next victim\n"
      "print proc       each process: state, resident, swapped and table pages, mappings\n"
      "print stats      the counters of run's report\n"
      "ADDR is hex with 0x or decimal, in the running process.\n",
    },
    { "break", { "b" }, cmd_break, false, break_words, "break KIND",
      "make continue stop at a fault, segv, oom, or step N",
      "break fault   stop at any fault: minor, major, copy-on-write, A/D update, or a kill\n"
      "break segv    stop when a process is killed by a segmentation fault\n"
      "break oom     stop when the OOM killer kills a process\n"
      "break step N  stop once N steps are taken\n"
      "Breakpoints stop continue only; step N always takes N steps.\n",
    },
    { "info", { "i" }, step_info, false, step_info_words, "info break",
      "list the breakpoints",
      "Lists the breakpoints by number.\n",
    },
    { "delete", { "d" }, cmd_delete, false, NULL, "delete [N]",
      "delete breakpoint N (every one with no N)",
      "Deletes the breakpoints numbered (delete 2 3), or every one.\n",
    },
    { "restart", { NULL }, cmd_restart, false, NULL, "restart",
      "go back to step 0",
      "Goes back to the state before the first step.\n",
    },
    { "help", { "h" }, cmd_help, false, NULL, "help [COMMAND]",
      "this list, or more about one command",
      "Lists the commands, or describes one (help print).\n",
    },
    { "quit", { "q", "exit" }, cmd_quit, false, NULL, "quit",
      "leave (the end of the input does too)",
      "Leaves vmsim. So does the end of the input (Ctrl-D).\n",
    },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The command w names exactly, by an alias, or by a unique prefix; NULL if none, with
 * *ambiguous set when several start with w. */
static const Command *lookup_command(const char *w, bool *ambiguous)
{
    const Command *found = NULL;
    size_t n = strlen(w);
    *ambiguous = false;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, w) == 0)
            return &commands[i];
        for (size_t a = 0; a < 3 && commands[i].alias[a]; a++)
            if (strcmp(commands[i].alias[a], w) == 0)
                return &commands[i];
    }
    for (size_t i = 0; n && i < NCOMMANDS; i++) {
        if (strncmp(commands[i].name, w, n) == 0) {
            *ambiguous = found != NULL;
            found = &commands[i];
        }
    }
    return *ambiguous ? NULL : found;
}

/* As lookup_command, saying what is wrong when w names no command. */
static const Command *find_command(const char *w)
{
    bool ambiguous;
    const Command *c = lookup_command(w, &ambiguous);
    if (!c)
        step_error("%s command '%s' (help lists the commands)", ambiguous ? "ambiguous" : "unknown", w);
    return c;
}

static void cmd_help(Stepper *st, int argc, char **argv)
{
    (void)st;
    if (argc > 2) {
        step_error("help takes at most one command");
        return;
    }
    if (argc == 2) {
        const Command *c = find_command(argv[1]);
        if (c)
            printf("%s: %s\n%s", c->synopsis, c->help, c->details);
        return;
    }
    printf("commands (a unique prefix will do; Enter repeats step, back, continue, print):\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char also[32] = "";
        if (commands[i].alias[0])
            snprintf(also, sizeof also, "  (%s)", commands[i].alias[0]);
        printf("  %-16s %s%s\n", commands[i].synopsis, commands[i].help, also);
    }
    printf("help COMMAND says more.\n");
}

/* Splits line in place at spaces and tabs. Returns the word count, or -1 if too many. */
static int split_line(char *line, char **argv)
{
    int argc = 0;
    for (char *w = strtok(line, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
        if (argc == MAX_ARGS)
            return -1;
        argv[argc++] = w;
    }
    return argc;
}

/* Runs one input line. An empty line runs the last repeatable command again; a line
 * starting with # is a comment. */
static void run_line(Stepper *st, const char *text)
{
    const char *p = text + strspn(text, " \t\r\n");
    if (*p == '#')
        return;
    if (!*p) {
        if (!st->repeat)
            return;
        p = st->repeat;
    }
    char *copy = strdup(p), *argv[MAX_ARGS];
    if (!copy) {
        step_error("out of memory");
        return;
    }
    int argc = split_line(copy, argv);
    const Command *c = argc < 0 ? NULL : find_command(argv[0]);
    if (argc < 0)
        step_error("too many words (at most %d)", MAX_ARGS);
    if (!c && p != st->repeat) {
        free(st->repeat);
        st->repeat = NULL;
    }
    if (c) {
        if (p != st->repeat) {
            free(st->repeat);
            st->repeat = c->repeats ? strdup(p) : NULL;
        }
        interrupted = 0;
        c->fn(st, argc, argv);
    }
    free(copy);
    fflush(stdout);
}

/* ---- input --------------------------------------------------------------- */

/* Completion: command names first, then the words a command's first argument takes.
 * Readline's generator interface keeps its state between calls, hence these statics. */
static const char *const *completing;     /* NULL: command names */

static char *complete_word(const char *text, int state)
{
    static size_t i, len;
    if (!state) {
        i = 0;
        len = strlen(text);
    }
    for (;;) {
        const char *w = completing ? completing[i] : i < NCOMMANDS ? commands[i].name : NULL;
        if (!w)
            return NULL;
        i++;
        if (strncmp(w, text, len) == 0)
            return strdup(w);
    }
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;     /* never file names */
    size_t skip = strspn(rl_line_buffer, " \t");
    size_t n = strcspn(rl_line_buffer + skip, " \t");
    completing = NULL;
    if ((size_t)start > skip) {
        char first[32];
        bool ambiguous;
        if (skip + n + strspn(rl_line_buffer + skip + n, " \t") != (size_t)start || n >= sizeof first)
            return NULL;                  /* only the first argument is completed */
        memcpy(first, rl_line_buffer + skip, n);
        first[n] = '\0';
        const Command *c = lookup_command(first, &ambiguous);
        if (!c || (!c->args && c->fn != cmd_help))
            return NULL;
        completing = c->args;             /* help completes command names */
    }
    return rl_completion_matches(text, complete_word);
}

/* Ctrl-C at the prompt abandons the line and gives a fresh prompt, as gdb and shells do. */
static int on_readline_signal(void)
{
    if (interrupted) {
        interrupted = 0;
        rl_replace_line("", 0);
        rl_crlf();
        rl_on_new_line();
        rl_redisplay();
    }
    return 0;
}

static void loop_terminal(Stepper *st)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    rl_readline_name = "vmsim";
    rl_attempted_completion_function = complete;
    rl_signal_event_hook = on_readline_signal;
    while (!st->done) {
        char *line = readline(PROMPT);
        if (!line) {
            printf("quit\n");
            break;
        }
        const char *p = line + strspn(line, " \t");
        HIST_ENTRY *prev = history_length ? history_get(history_base + history_length - 1) : NULL;
        if (*p && (!prev || strcmp(prev->line, line) != 0))
            add_history(line);
        run_line(st, line);
        free(line);
    }
    rl_clear_history();
}

static void loop_plain(Stepper *st)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!st->done && (n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        printf(*line ? PROMPT "%s\n" : "(vmsim)\n", line);
        run_line(st, line);
    }
    free(line);
}

/* ---- set-up -------------------------------------------------------------- */

/* --format, --log and --steps are run's: options_parse knows them, step does not. */
static bool has_run_option(int argc, char **argv)
{
    static const char *const opts[] = { "--format", "--log", "--steps" };
    for (int i = 2; i < argc; i++) {
        for (size_t k = 0; k < 3; k++) {
            size_t n = strlen(opts[k]);
            if (strncmp(argv[i], opts[k], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '=')) {
                fprintf(stderr, "vmsim step: %s is an option of run (see vmsim step --help)\n", opts[k]);
                return true;
            }
        }
    }
    return false;
}

static int stepper_open(Stepper *st, const Options *o)
{
    char err[1024];
    memset(st, 0, sizeof *st);
    if (session_open(&st->s, o, err, sizeof err) != 0)
        goto fail;
    if (!st->s.trace) {                   /* no trace: an empty one, so there is a History */
        st->s.trace = trace_open_mem("", 0, "(no trace)", 1, TRACE_VMSIM,
                                     sim_machine(st->s.sim)->geo.page_shift, err, sizeof err);
        if (!st->s.trace)
            goto fail;
        sim_set_trace(st->s.sim, st->s.trace);
    }
    st->h = history_create(st->s.sim, st->s.trace, 0, 0);
    st->s.sim = NULL;                     /* the History owns (or has freed) it */
    if (!st->h) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    textlog_init(&st->log, stdout, live(st), LOG_ALL);
    st->check = check_every();
    add_break(st, BREAK_FAULT, 0);
    return 0;
fail:
    fprintf(stderr, "vmsim: %s\n", err);
    session_close(&st->s);
    return -1;
}

static void stepper_close(Stepper *st)
{
    history_destroy(st->h);
    textlog_fini(&st->log);
    free(st->repeat);
    session_close(&st->s);
}

static void banner(const Stepper *st)
{
    const MachineConfig *m = sim_machine(live(st));
    const Geometry *g = &m->geo;
    char split[64], page[32];
    report_split_words(g, split, sizeof split);
    step_size_words(geo_page_size(g), page, sizeof page);
    if (st->s.sc.title)
        printf("%s\n", st->s.sc.title);
    printf("%s: %u-bit addresses split %s, pages of %s, %" PRIu64 " frames under %s, ", arch_name(g->arch),
           g->va_bits, split, page, m->memory.frames, policy_name(m->memory.policy));
    if (m->tlb.entries)
        printf("%u TLB entries\n", m->tlb.entries);
    else
        printf("no TLB\n");
    printf("'help' lists the commands; 'continue' runs to the next fault (breakpoint 1)\n");
}

int cmd_step(int argc, char **argv)
{
    Options o;
    if (has_run_option(argc, argv))
        return EXIT_USAGE;
    int pr = options_parse(&o, argc, argv, 2, "step", step_usage);
    if (pr)
        return pr > 0 ? EXIT_OK : EXIT_USAGE;
    Stepper st;
    if (stepper_open(&st, &o) != 0)
        return EXIT_USAGE;
    banner(&st);
    if (isatty(STDIN_FILENO))
        loop_terminal(&st);
    else
        loop_plain(&st);
    fflush(stdout);
    int status = st.status;
    stepper_close(&st);
    return status;
}
