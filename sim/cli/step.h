/* vmsim step inside (sim/cli): the stepper's state, shared by its controller (step.c:
 * the command loop, moving through history, breakpoints) and its printers
 * (step_print.c: what `print` shows). */
#ifndef VMSIM_STEP_H
#define VMSIM_STEP_H

#include "cli.h"
#include "vmsim/history.h"

#define MAX_BREAKS 32

typedef enum { BREAK_FAULT, BREAK_SEGV, BREAK_OOM, BREAK_STEP } BreakKind;

typedef struct Breakpoint {
    int num;                  /* as `info break` lists it; never reused */
    BreakKind kind;
    uint64_t step;            /* BREAK_STEP: stop once this many steps are taken */
} Breakpoint;

typedef struct Stepper {
    Session s;                /* s.sim is NULL: the History owns the machine */
    History *h;
    TextLog log;              /* tells the steps in view, on stdout */
    StepInfo last;            /* the step that brought the machine where it is */
    bool have_last;           /* false at step 0 (and after a step that went wrong) */
    StepStatus blocked;       /* STEP_HALT or STEP_ERROR met at step blocked_at, or STEP_OK */
    uint64_t blocked_at;
    char why[1024];           /* what blocked it, in words */
    Breakpoint breaks[MAX_BREAKS];
    size_t nbreaks;
    int next_break;
    char *repeat;             /* the command line an empty line repeats, or NULL */
    int status;               /* exit status: EXIT_USAGE once a bad trace line is met */
    unsigned check;           /* VMSIM_CHECK: sim_check every Nth step, as run does */
    bool done;                /* quit */
    const char *print_owner;  /* `print pt ADDR PROC`: PROC while cmd print runs, else NULL */
} Stepper;

static inline Sim *live(const Stepper *st) { return history_sim(st->h); }
static inline const Geometry *geo(const Stepper *st) { return &sim_machine(live(st))->geo; }
static inline uint64_t now(const Stepper *st) { return history_now(st->h); }

/* Says fmt on stderr, after what stdout holds so far, so a transcript taken with 2>&1
 * has it in the order it happened. */
void step_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "4 KiB", "2 MiB", "32 bytes" into buf of len bytes. */
void step_size_words(uint64_t bytes, char *buf, size_t len);

/* The word of words (NULL-ended) that w names exactly or is a unique prefix of; -1
 * unknown, -2 ambiguous. */
int step_match_word(const char *const *words, const char *w);

/* What `print` takes, NULL-ended: va pt tlb frames proc stats. */
extern const char *const step_print_words[];

/* `print WHAT [ADDR [PROC]]` (argv[0] is "print"): the printer WHAT names, or a
 * message on stderr when argv is not one. */
void step_print(Stepper *st, int argc, char **argv);

/* What `info` takes, NULL-ended: break. */
extern const char *const step_info_words[];

/* `info break`: the breakpoints, one a line, or a message on stderr when argv is not
 * that. */
void step_info(Stepper *st, int argc, char **argv);

/* A breakpoint in words, as `break` and `info break` say it ("fault", "step 40"). */
void step_break_words(const Breakpoint *b, char *buf, size_t len);

#endif
