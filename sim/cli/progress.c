/* A progress bar on stderr for long runs and sweeps, only when stderr is a terminal:
 * nothing is written to a file or a pipe, so logs and tests see none of it. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { BAR_WIDTH = 24 };
#define SHOW_AFTER 0.5       /* seconds before the first bar: short runs show nothing */
#define REDRAW 0.2           /* seconds between bars */

double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The size of a plain trace file, or 0 when it is compressed (gzip 1f 8b, xz fd 37 7a
 * 58 5a 00: the reader's offset counts decompressed bytes) or cannot be read. */
static uint64_t plain_size(const char *path)
{
    struct stat sb;
    unsigned char m[6] = { 0 };
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return 0;
    size_t n = fread(m, 1, sizeof m, f);
    int bad = fstat(fileno(f), &sb) != 0;
    fclose(f);
    if (bad || (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) || (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0))
        return 0;
    return (uint64_t)sb.st_size;
}

double progress_fraction(Progress *pg, const Session *s)
{
    if (pg->file != s->trace_file) {          /* a new run: its trace's size */
        pg->file = s->trace_file;
        pg->size = s->trace && strcmp(s->trace_label, "inline") != 0 ? plain_size(s->trace_file) : 0;
    }
    double f = -1;
    if (pg->max_steps)
        f = (double)sim_stats(s->sim)->steps / (double)pg->max_steps;
    else if (pg->size)
        f = (double)trace_tell(s->trace).offset / (double)pg->size;
    return f > 1 ? 1 : f;
}

static void run_tick(Progress *pg, const Session *s)
{
    progress_draw(pg, sim_stats(s->sim)->references, progress_fraction(pg, s));
}

void progress_run_init(Progress *pg, const Session *s, uint64_t max_steps)
{
    (void)s;
    memset(pg, 0, sizeof *pg);
    pg->on = isatty(STDERR_FILENO);
    pg->tick = run_tick;
    pg->max_steps = max_steps;
    pg->start = progress_now();
}

/* "1:05" or "12.3 s"-free: minutes and seconds, hours when needed. */
static void clock_words(char *buf, size_t len, double secs)
{
    long t = (long)(secs + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void progress_draw(Progress *pg, uint64_t refs, double fraction)
{
    double now = progress_now(), took = now - pg->start;
    if (!pg->on || took < SHOW_AFTER || now - pg->last < REDRAW)
        return;
    pg->last = now;
    char bar[BAR_WIDTH + 1] = "", left[32] = "";
    if (fraction >= 0) {
        int full = (int)(fraction * BAR_WIDTH);
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < full ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        if (fraction > 0.001) {
            clock_words(left, sizeof left - 6, took / fraction - took);
            strcat(left, " left");
        }
    }
    double rate = (double)refs / took;
    if (fraction >= 0)
        fprintf(stderr, "\r[%s] %3d%%  %.1f M refs  %.1f M refs/s  %s\033[K", bar,
                (int)(fraction * 100), (double)refs / 1e6, rate / 1e6, left);
    else
        fprintf(stderr, "\r%.1f M refs  %.1f M refs/s\033[K", (double)refs / 1e6, rate / 1e6);
    fflush(stderr);
    pg->drawn = true;
}

void progress_clear(Progress *pg)
{
    if (pg->drawn)
        fputs("\r\033[K", stderr);
    pg->drawn = false;
}
