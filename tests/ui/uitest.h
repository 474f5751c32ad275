/* Helpers for the window's tests: open a scenario the way `vmsim gui` does, step it,
 * render it offscreen and read pixels back. */
#ifndef VMSIM_UITEST_H
#define VMSIM_UITEST_H

#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ui.h"

/* What a verb run in-process wrote, and its exit status. */
typedef struct Captured {
    int status;
    char out[16384], err[4096];
} Captured;

/* Runs verb(argv) (a vmsim verb, cmd_run...) with input on stdin and its stdout and
 * stderr captured into c (test_extra_policy.c). */
void capture(int (*verb)(int, char **), char **argv, const char *input, Captured *c);

typedef struct Shot {
    Session s;
    Ui ui;
    SDL_Surface *img;
} Shot;

/* Opens scenario, takes `steps` steps and lays the window out at w x h pixels.
 * Returns false (with the reason on stderr) if anything fails. */
static inline bool shot_open(Shot *f, const char *scenario, uint64_t steps, int w, int h)
{
    Options o;
    char err[1024];
    memset(f, 0, sizeof *f);
    memset(&o, 0, sizeof o);
    o.trace_format = TRACE_AUTO;
    o.scenario = scenario;
    if (session_open(&f->s, &o, err, sizeof err) != 0 || ui_init(&f->ui, &f->s, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", scenario, err);
        return false;
    }
    ui_advance(&f->ui, steps);
    if (ui_resize(&f->ui, w, h, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", scenario, err);
        return false;
    }
    return true;
}

/* Renders the window as it stands into f->img (replacing the last one). */
static inline bool shot_render(Shot *f)
{
    char err[1024];
    SDL_FreeSurface(f->img);
    f->img = ui_render(&f->ui, err, sizeof err);
    if (!f->img)
        fprintf(stderr, "render: %s\n", err);
    return f->img != NULL;
}

static inline void shot_close(Shot *f)
{
    SDL_FreeSurface(f->img);
    ui_fini(&f->ui);
    session_close(&f->s);
    memset(f, 0, sizeof *f);
}

static inline SDL_Color pixel(const SDL_Surface *s, int x, int y)
{
    SDL_Color c = { 0, 0, 0, 0 };
    if (x < 0 || y < 0 || x >= s->w || y >= s->h)
        return c;
    Uint32 v = ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
    SDL_GetRGBA(v, s->format, &c.r, &c.g, &c.b, &c.a);
    return c;
}

/* Colours equal within tol per channel. */
static inline bool near_tol(SDL_Color a, SDL_Color b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

static inline bool near(SDL_Color a, SDL_Color b) { return near_tol(a, b, 2); }

/* FNV-1a over the pixels. */
static inline uint64_t image_hash(const SDL_Surface *s)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < s->h; y++) {
        const Uint8 *row = (const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch;
        for (int x = 0; x < s->w * 4; x++)
            h = (h ^ row[x]) * 1099511628211ull;
    }
    return h;
}

static inline bool same_image(const SDL_Surface *a, const SDL_Surface *b)
{
    if (a->w != b->w || a->h != b->h)
        return false;
    for (int y = 0; y < a->h; y++)
        if (memcmp((const Uint8 *)a->pixels + (size_t)y * (size_t)a->pitch,
                   (const Uint8 *)b->pixels + (size_t)y * (size_t)b->pitch, (size_t)a->w * 4) != 0)
            return false;
    return true;
}

/* Index of the first event of kind k in the step on show, or -1. */
static inline long event_index(const Model *m, EventKind k)
{
    for (size_t i = 0; i < m->nev; i++)
        if (m->ev[i].ev.kind == k)
            return (long)i;
    return -1;
}

/* Shows the step on show `after` ms after event i began playing (at 1x). */
static inline void animate_into(Ui *ui, long i, double after)
{
    double start = 0;
    for (long k = 0; k < i; k++)
        start += anim_event_ms(ui->m.ev[k].ev.kind);
    ui_animate_to(ui, start + after);
}

#endif
