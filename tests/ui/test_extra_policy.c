/* A policy registered at run time (tests/unit/mru_policy.h, defined outside the core)
 * is named by every front end without any change to them: run --help's policies line,
 * the error for an unknown policy, check, run's report, the stepper's print frames and
 * the window's frame labels. The expected numbers are mru's on belady.ini's reference
 * string, worked by hand in tests/unit/test_policy.c: 7 faults; at the end frame 0
 * holds page 3 (last used at reference 10) and frame 1 page 5 (at 12). */
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "mru_policy.h"
#include "uitest.h"

void suite_extra_policy(void);

/* Reads all of f (from its start) into buf. */
static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

void capture(int (*verb)(int, char **), char **argv, const char *input, Captured *c)
{
    FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
    CU_ASSERT_FATAL(in && out && err);
    fputs(input, in);
    fflush(in);
    rewind(in);
    fflush(stdout);
    fflush(stderr);
    int saved[3] = { dup(0), dup(1), dup(2) };
    dup2(fileno(in), 0);
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    int argc = 0;
    while (argv[argc])
        argc++;
    c->status = verb(argc, argv);
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 3; i++) {
        dup2(saved[i], i);
        close(saved[i]);
    }
    clearerr(stdin);
    slurp(out, c->out, sizeof c->out);
    slurp(err, c->err, sizeof c->err);
    fclose(in);
    fclose(out);
    fclose(err);
}

static void test_command_line(void)
{
    mru_register();
    static Captured c;
    capture(cmd_run, (char *[]){ "vmsim", "run", "--help", NULL }, "", &c);
    CU_ASSERT_EQUAL(c.status, EXIT_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "  policies: fifo lru clock second-chance nru lfu aging wsclock "
                                         "random opt mru\n"));
    capture(cmd_check, (char *[]){ "vmsim", "check", "scenarios/belady.ini", "--set", "memory.policy=nope",
                                   NULL }, "", &c);
    CU_ASSERT_EQUAL(c.status, EXIT_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.err, "random, opt or mru, got 'nope'"));
    capture(cmd_check, (char *[]){ "vmsim", "check", "scenarios/belady.ini", "--set", "memory.policy=mru",
                                   NULL }, "", &c);
    CU_ASSERT_EQUAL(c.status, EXIT_OK);
    capture(cmd_run, (char *[]){ "vmsim", "run", "scenarios/belady.ini", "--set", "memory.policy=mru", NULL },
            "", &c);
    CU_ASSERT_EQUAL(c.status, EXIT_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "3 frames, mru replacement"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "page faults                7"));
    capture(cmd_step, (char *[]){ "vmsim", "step", "scenarios/belady.ini", "--set", "memory.policy=mru", NULL },
            "step 12\nprint frames\n", &c);
    CU_ASSERT_EQUAL(c.status, EXIT_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "mru replacement"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "last use 10"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "last use 12"));
}

static void test_window_labels(void)
{
    mru_register();
    Options o;
    memset(&o, 0, sizeof o);
    o.trace_format = TRACE_AUTO;
    o.scenario = "scenarios/belady.ini";
    o.sets[o.nsets++] = "memory.policy=mru";
    static Shot f;
    char err[1024];
    memset(&f, 0, sizeof f);
    CU_ASSERT_EQUAL_FATAL(session_open(&f.s, &o, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(ui_init(&f.ui, &f.s, err, sizeof err), 0);
    ui_advance(&f.ui, 12);
    CU_ASSERT_FATAL(ui_resize(&f.ui, 1280, 800, err, sizeof err) >= 0);
    SDL_Rect r;
    char label[512] = "";
    CU_ASSERT_FATAL(layout_frame_cell(&f.ui.L, 0, &r));
    CU_ASSERT_TRUE(hover_frame(&f.ui, r.x + 1, r.y + 1, label, sizeof label));
    CU_ASSERT_PTR_NOT_NULL(strstr(label, "mru: last use 10"));
    CU_ASSERT_TRUE(shot_render(&f));
    shot_close(&f);
}

void suite_extra_policy(void)
{
    TEST_SUITE("extra_policy",
               { "command_line", test_command_line },
               { "window_labels", test_window_labels });
}
