/* Running a sweep's units. Workers are forked processes: each takes the next unit from
 * a counter in shared memory and writes its cells' results into a shared array, so
 * which worker ran a cell changes nothing in the output. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"

enum { MAX_WORKERS = 1024 };

typedef struct Shared {
    atomic_long next;              /* the next unit to take */
    atomic_ullong refs;            /* references simulated so far, for the bar */
    atomic_ulong cells;            /* cells done */
    atomic_ulong part[MAX_WORKERS];   /* each worker's current work done, in 1/1000 cells */
    size_t total;                  /* cells in the shard */
} Shared;

CellResult *work_results(size_t n)
{
    void *p = mmap(NULL, (n ? n : 1) * sizeof(CellResult), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void work_results_free(CellResult *res, size_t n)
{
    if (res)
        munmap(res, (n ? n : 1) * sizeof *res);
}

void work_cell(const Sweep *sw, size_t cell, CellResult *r, Progress *pg)
{
    Options o;
    char buf[SWEEP_MAX_VARY][160];
    Session s;
    int rows = 0;
    memset(r, 0, sizeof *r);
    cell_options(sw, cell, &o, buf);
    if (session_open(&s, &o, r->msg, sizeof r->msg) != 0) {
        r->status = EXIT_USAGE;
        session_close(&s);
        return;
    }
    if (pg)
        pg->seen = 0;
    StepStatus st = run_steps(&s, &o, NULL, &rows, pg);
    r->st = *sim_stats(s.sim);
    r->tlb = sim_has_tlb(s.sim);
    if (st == STEP_ERROR || st == STEP_HALT) {
        r->status = st == STEP_ERROR ? EXIT_USAGE : EXIT_FAILED;
        snprintf(r->msg, sizeof r->msg, "%s", sim_error(s.sim));
    }
    if (pg)
        pg->tick(pg, &s);
    session_close(&s);
}

/* Cells done, with the workers' current ones in part. */
static double done_fraction(Shared *sh)
{
    double milli = 1000.0 * (double)atomic_load(&sh->cells);
    for (int i = 0; i < MAX_WORKERS; i++)
        milli += (double)atomic_load(&sh->part[i]);
    return milli / 1000.0 / (double)sh->total;
}

/* Marks n more cells done and the worker's current work as none. */
static void done_cells(Shared *sh, Progress *pg, size_t n)
{
    atomic_store(&sh->part[pg->worker], 0);
    atomic_fetch_add(&sh->cells, n);
}

/* A worker's tick: adds the references since the last one to the shared count (and
 * draws the bar when the sweep runs in this process). */
static void work_tick(Progress *pg, const Session *s)
{
    Shared *sh = pg->ctx;
    uint64_t refs = sim_stats(s->sim)->references;
    double f = progress_fraction(pg, s);
    atomic_fetch_add(&sh->refs, refs - pg->seen);
    pg->seen = refs;
    if (f >= 0)
        atomic_store(&sh->part[pg->worker], (unsigned long)(f * (double)pg->unit_cells * 1000));
    if (pg->on)
        progress_draw(pg, atomic_load(&sh->refs), done_fraction(sh));
}

static void work_loop(const Sweep *sw, Unit *units, long n, CellResult *res, Shared *sh,
                      Progress *pg)
{
    long i;
    while ((i = atomic_fetch_add(&sh->next, 1)) < n) {
        const Unit *u = &units[i];
        pg->unit_cells = u->n;
        if (u->stack && stack_run(sw, u, res, pg) != 0) {
            done_cells(sh, pg, u->n);
            continue;
        }
        pg->unit_cells = 1;
        for (size_t c = 0; c < u->n; c++) {
            work_cell(sw, u->cells[c], &res[u->cells[c] - sw->first], pg);
            done_cells(sh, pg, 1);
        }
    }
}

/* Waits for the workers, drawing the bar on a terminal. Returns 0, or -1 if one failed. */
static int wait_workers(int nkids, Progress *pg, Shared *sh)
{
    int bad = 0;
    while (nkids > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, pg->on ? WNOHANG : 0);
        if (pid < 0 && errno != EINTR)
            return -1;
        if (pid > 0) {
            nkids--;
            bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
            continue;
        }
        if (pid == 0) {
            struct timespec ts = { 0, 100 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            progress_draw(pg, atomic_load(&sh->refs), done_fraction(sh));
        }
    }
    return bad ? -1 : 0;
}

int work_all(const Sweep *sw, Unit *units, long nunits, CellResult *res)
{
    Shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("vmsim sweep: shared memory");
        return -1;
    }
    atomic_init(&sh->next, 0);
    atomic_init(&sh->refs, 0);
    atomic_init(&sh->cells, 0);
    for (int i = 0; i < MAX_WORKERS; i++)
        atomic_init(&sh->part[i], 0);
    sh->total = sw->last - sw->first;
    Progress pg;
    memset(&pg, 0, sizeof pg);
    pg.on = isatty(STDERR_FILENO);
    pg.start = progress_now();
    pg.tick = work_tick;
    pg.ctx = sh;
    int jobs = sw->jobs < nunits ? sw->jobs : (int)nunits, kids = 0, status = 0;
    if (jobs <= 1) {
        work_loop(sw, units, nunits, res, sh, &pg);
    } else {
        Progress quiet = pg;
        quiet.on = false;
        for (; kids < jobs; kids++) {
            pid_t pid = fork();
            if (pid == 0) {
                quiet.worker = kids;
                work_loop(sw, units, nunits, res, sh, &quiet);
                _exit(0);
            }
            if (pid < 0) {
                perror("vmsim sweep: fork");
                status = -1;
                break;
            }
        }
        if (wait_workers(kids, &pg, sh) != 0 && status == 0) {
            fprintf(stderr, "vmsim sweep: a worker stopped before its cells were done\n");
            status = -1;
        }
    }
    progress_clear(&pg);
    munmap(sh, sizeof *sh);
    return status;
}
