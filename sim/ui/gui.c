/* vmsim gui: the window, its event loop, and headless screenshots. */
#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

static const char gui_usage[] =
    "usage: vmsim gui [SCENARIO.ini] [options]\n"
    "\n"
    "Opens a window that animates every translation: the address split into its\n"
    "index fields, the TLB, the page walk, the frame pool, swap and processes.\n"
    "Press H in the window for the keys. With --screenshot it needs no display:\n"
    "it renders the window after --steps N steps into a PNG and exits.\n"
    "\n"
    "options:\n"
    "  --steps N                  start at step N (default 0)\n"
    "  --screenshot FILE.png      render headless to FILE.png and exit\n"
    "  --text-out FILE.json       with --screenshot: also write every text drawn, as\n"
    "                             [{\"text\", \"panel\", \"box\": [x,y,w,h], \"width\", \"cut\"}]\n"
    "  --size WxH                 window or screenshot size in pixels (default 1280x800,\n"
    "                             at least 1024x640)\n"
    "  --anim MS                  screenshot MS milliseconds into the last step's\n"
    "                             animation (default: when it has finished)\n"
    "  --set SECTION.KEY=VALUE    override a config key (repeatable)\n"
    "  --config FILE              a machine config applied over the scenario's\n"
    "  --trace FILE               run this trace instead of the scenario's\n"
    "  --image FILE               a memory image (or OSTEP's dump) instead of a scenario:\n"
    "                             the walk over fixed tables, no OS (faults not repaired)\n"
    "  --trace-format FMT         auto|vmsim|pages|lackey|ls|addrrw (default auto)\n"
    "                             or csc369|cs1550, which are never detected\n"
    "\n"
    "The font is DejaVu Sans Mono (or another monospace font) found through\n"
    "fontconfig; VMSIM_FONT=FILE.ttf overrides it.\n"
    "exit status: 0 done, 1 no display (or the machine ran out of memory),\n"
    "2 bad usage or input, or no font\n";

enum { DEFAULT_W = 1280, DEFAULT_H = 800, MIN_W = 1024, MIN_H = 640 };
enum { SLICE_MS = 10 };          /* stepping per frame when running fast or seeking */

typedef struct GuiArgs {
    const char *shot;            /* --screenshot FILE.png */
    const char *text_out;        /* --text-out FILE.json */
    int w, h;                    /* --size */
    double anim_ms;              /* --anim MS: that far into the last step's animation */
    bool fallback;               /* the no-verb path: run headless without a display */
} GuiArgs;

/* Takes --screenshot and --size out of argv, leaving the rest in rest[] for
 * options_parse. Returns 0, or -1 with a message on stderr. */
static int gui_args(int argc, char **argv, char **rest, int *nrest, GuiArgs *g)
{
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        bool shot = strncmp(a, "--screenshot", 12) == 0 && (a[12] == '\0' || a[12] == '=');
        bool size = strncmp(a, "--size", 6) == 0 && (a[6] == '\0' || a[6] == '=');
        bool anim = strncmp(a, "--anim", 6) == 0 && (a[6] == '\0' || a[6] == '=');
        bool tout = strncmp(a, "--text-out", 10) == 0 && (a[10] == '\0' || a[10] == '=');
        if (i < 2 || (!shot && !size && !anim && !tout)) {
            rest[(*nrest)++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v || !*v) {
            fprintf(stderr, "vmsim gui: %s needs a value\n",
                    shot ? "--screenshot" : size ? "--size" : anim ? "--anim" : "--text-out");
            return -1;
        }
        char *end;
        if (shot || tout) {
            *(shot ? &g->shot : &g->text_out) = v;
            continue;
        }
        if (anim) {
            g->anim_ms = strtod(v, &end);
            if (*end || g->anim_ms < 0) {
                fprintf(stderr, "vmsim gui: --anim needs a number of milliseconds, not '%s'\n", v);
                return -1;
            }
            continue;
        }
        long w = strtol(v, &end, 10), h = *end == 'x' ? strtol(end + 1, &end, 10) : 0;
        if (*end || w <= 0 || h <= 0 || w > 16384 || h > 16384) {
            fprintf(stderr, "vmsim gui: --size needs WIDTHxHEIGHT in pixels, not '%s'\n", v);
            return -1;
        }
        if (w < MIN_W || h < MIN_H) {
            fprintf(stderr, "vmsim gui: --size %s is below the smallest the window is laid out "
                    "for, %dx%d\n", v, MIN_W, MIN_H);
            return -1;
        }
        g->w = (int)w;
        g->h = (int)h;
    }
    rest[*nrest] = NULL;
    if (g->text_out && !g->shot) {
        fprintf(stderr, "vmsim gui: --text-out needs --screenshot FILE.png\n");
        return -1;
    }
    return 0;
}

/* ---- the Ui ---------------------------------------------------------------- */

int ui_init(Ui *ui, Session *s, char *err, size_t errlen)
{
    memset(ui, 0, sizeof *ui);
    ui->speed = SPEED_DEFAULT;
    if (model_init(&ui->m, s, err, errlen) != 0)
        return -1;
    anim_finish(&ui->anim, 0);
    return 0;
}

void ui_fini(Ui *ui)
{
    fonts_close(&ui->fonts);
    model_fini(&ui->m);
}

int ui_resize(Ui *ui, int w, int h, char *err, size_t errlen)
{
    int px = fonts_base_px(w, h), changed = 0;
    if (!ui->fonts.ttf[0] || ui->fonts.px[FONT_NORMAL] != px) {
        char path[sizeof ui->fonts.path];
        if (ui->fonts.path[0])
            snprintf(path, sizeof path, "%s", ui->fonts.path);
        else if (fonts_find(path, sizeof path, err, errlen) != 0)
            return -1;
        fonts_close(&ui->fonts);
        if (fonts_open(&ui->fonts, path, px, err, errlen) != 0)
            return -1;
        changed = 1;
    }
    ui->out_w = w;
    ui->out_h = h;
    layout_compute(&ui->L, w, h, &ui->fonts, model_sim(&ui->m));
    return changed;
}

StepStatus ui_advance(Ui *ui, uint64_t n)
{
    StepStatus r = STEP_OK;
    for (uint64_t i = 0; i < n && r == STEP_OK; i++)
        r = model_step(&ui->m, i + 1 == n);   /* the last one may be animated */
    anim_finish(&ui->anim, ui->m.nev);
    return r;
}

void ui_animate_to(Ui *ui, double ms)
{
    anim_start(&ui->anim, ui->m.nev, 1);
    anim_advance(&ui->anim, &ui->m, ms);
}

SDL_Surface *ui_render(Ui *ui, char *err, size_t errlen)
{
    return ui_render_text(ui, NULL, err, errlen);
}

SDL_Surface *ui_render_text(Ui *ui, TextOut *out, char *err, size_t errlen)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, ui->out_w, ui->out_h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    Painter p;
    if (!r || painter_init(&p, r, &ui->fonts, err, errlen) != 0) {
        if (!r)
            snprintf(err, errlen, "cannot render offscreen: %s", SDL_GetError());
        if (r)
            SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
        return NULL;
    }
    p.out = out;
    draw_frame(&p, ui);
    SDL_RenderFlush(r);
    painter_fini(&p);
    SDL_DestroyRenderer(r);
    return s;
}

typedef struct PngOut {
    SDL_Surface *surface;
    const char *path;
    char *err;
    size_t errlen;
} PngOut;

/* Writes the surface in ctx as a PNG (app_write_file's fn). */
static int png_write(FILE *f, void *ctx)
{
    PngOut *o = ctx;
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_FALSE);
    if (rw && IMG_SavePNG_RW(o->surface, rw, 1) == 0)
        return 0;
    snprintf(o->err, o->errlen, "%s: cannot write the PNG: %s", o->path, IMG_GetError());
    return -1;
}

int ui_save_png(SDL_Surface *surface, const char *path, char *err, size_t errlen)
{
    PngOut o = { surface, path, err, errlen };
    return app_write_file(path, png_write, &o, err, errlen);
}

void ui_title(const Ui *ui, char *buf, size_t len)
{
    snprintf(buf, len, "vmsim \u2014 %s \u2014 step %llu", ui->m.title,
             (unsigned long long)model_now(&ui->m));
}

/* ---- the window's loop ------------------------------------------------------- */

typedef struct Win {
    SDL_Window *win;
    SDL_Renderer *r;
    Painter paint;
    TextOut texts;           /* the texts of the frame on show, for tooltips of cut ones */
    bool quit, dirty, shot;
    bool toast_shown;        /* the last frame drawn had the toast */
    char title[512];
} Win;

static void toast(Ui *ui, const char *msg)
{
    snprintf(ui->toast, sizeof ui->toast, "%s", msg);
    ui->toast_until = ui->now_ms + 2500;
}

static void show_step(Ui *ui, bool animate, double hurry)
{
    const Speed *sp = &speeds[ui->speed];
    if (animate && sp->rate > 0)
        anim_start(&ui->anim, ui->m.nev, sp->rate * hurry);
    else
        anim_finish(&ui->anim, ui->m.nev);
}

static void report_stop(Ui *ui)
{
    if (ui->m.stopped) {
        if (!ui->told)                   /* once on stderr; the window keeps showing it */
            fprintf(stderr, "vmsim: %s\n", ui->m.error);
        ui->told = true;
        toast(ui, ui->m.stopped == STEP_ERROR ? "stopped: bad trace line" : "stopped: the machine cannot go on");
    } else if (ui->m.at_end) {
        toast(ui, "end of the trace");
    }
}

static void act_step(Ui *ui, bool repeat)
{
    ui->running = ui->seeking = false;
    bool hurry = repeat || anim_active(&ui->anim);
    if (model_step(&ui->m, speeds[ui->speed].rate > 0) == STEP_OK)
        show_step(ui, true, hurry ? 4 : 1);
    else
        report_stop(ui);
}

static void act_back(Ui *ui, uint64_t to)
{
    ui->running = ui->seeking = false;
    if (model_now(&ui->m) == 0 && to == 0)
        return;
    ui->told = false;
    if (model_goto(&ui->m, to) != STEP_OK && ui->m.stopped)
        report_stop(ui);
    show_step(ui, false, 1);
}

static void act_shot(Ui *ui)
{
    char path[64], err[1024], msg[160];
    snprintf(path, sizeof path, "vmsim-%llu.png", (unsigned long long)model_now(&ui->m));
    /* The state, not the mouse: no tooltip or hover highlight (the same picture as
     * `vmsim gui --steps N --screenshot` of the same step). */
    bool in = ui->mouse_in;
    ui->mouse_in = false;
    SDL_Surface *s = ui_render(ui, err, sizeof err);
    ui->mouse_in = in;
    if (s && ui_save_png(s, path, err, sizeof err) == 0)
        snprintf(msg, sizeof msg, "saved %s", path);
    else
        snprintf(msg, sizeof msg, "screenshot failed: %.120s", err);
    if (!s || strncmp(msg, "saved", 5) != 0)
        fprintf(stderr, "vmsim: %s\n", err);
    SDL_FreeSurface(s);
    toast(ui, msg);
}

static void act(Ui *ui, Win *w, int b, bool repeat)
{
    switch (b) {
    case BTN_STEP:    act_step(ui, repeat); break;
    case BTN_BACK:    if (model_now(&ui->m) > 0) act_back(ui, model_now(&ui->m) - 1); break;
    case BTN_RESTART: act_back(ui, 0); break;
    case BTN_RUN:     ui->running = !ui->running && !ui->m.at_end; ui->seeking = false; break;
    case BTN_SLOWER:  ui->speed -= ui->speed > 0; break;
    case BTN_FASTER:  ui->speed += ui->speed + 1 < nspeeds; break;
    case BTN_FAULT:   ui->seeking = !ui->m.at_end; ui->running = false; break;
    case BTN_HELP:    ui->help = !ui->help; break;
    case BTN_SHOT:    w->shot = true; break;
    case BTN_QUIT:    w->quit = true; break;
    default:          break;
    }
}

static int key_button(SDL_Keycode k)
{
    switch (k) {
    case SDLK_SPACE: case SDLK_RIGHT:              return BTN_STEP;
    case SDLK_BACKSPACE: case SDLK_LEFT:           return BTN_BACK;
    case SDLK_RETURN: case SDLK_KP_ENTER:          return BTN_RUN;
    case SDLK_PLUS: case SDLK_EQUALS: case SDLK_KP_PLUS: return BTN_FASTER;
    case SDLK_MINUS: case SDLK_KP_MINUS:           return BTN_SLOWER;
    case SDLK_f:                                   return BTN_FAULT;
    case SDLK_r:                                   return BTN_RESTART;
    case SDLK_h: case SDLK_F1:                     return BTN_HELP;
    case SDLK_F12:                                 return BTN_SHOT;
    case SDLK_ESCAPE: case SDLK_q:                 return BTN_QUIT;
    default:                                       return -1;
    }
}

/* Output pixels per window point (HiDPI). */
static void to_output(const Ui *ui, const Win *w, int x, int y, int *ox, int *oy)
{
    int ww, wh;
    SDL_GetWindowSize(w->win, &ww, &wh);
    *ox = ww ? x * ui->out_w / ww : x;
    *oy = wh ? y * ui->out_h / wh : y;
}

static int resize(Ui *ui, Win *w)
{
    int ow, oh;
    char err[1024];
    SDL_GetRendererOutputSize(w->r, &ow, &oh);
    int r = ui_resize(ui, ow, oh, err, sizeof err);
    if (r == 1) {
        painter_fini(&w->paint);
        r = painter_init(&w->paint, w->r, &ui->fonts, err, sizeof err);
    }
    if (r < 0)
        fprintf(stderr, "vmsim: %s\n", err);
    return r < 0 ? -1 : 0;
}

static void on_window(Ui *ui, Win *w, const SDL_WindowEvent *e)
{
    if (e->event == SDL_WINDOWEVENT_SIZE_CHANGED && resize(ui, w) != 0)
        w->quit = true;
    if (e->event == SDL_WINDOWEVENT_LEAVE)
        ui->mouse_in = false;
    if (e->event == SDL_WINDOWEVENT_ENTER)
        ui->mouse_in = true;
}

static void on_event(Ui *ui, Win *w, const SDL_Event *e)
{
    bool was_dirty = w->dirty;   /* an unhandled event must not drop a redraw asked for */
    w->dirty = true;
    switch (e->type) {
    case SDL_QUIT: w->quit = true; break;
    case SDL_WINDOWEVENT: on_window(ui, w, &e->window); break;
    case SDL_MOUSEMOTION:
        ui->mouse_in = true;
        to_output(ui, w, e->motion.x, e->motion.y, &ui->mouse_x, &ui->mouse_y);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            to_output(ui, w, e->button.x, e->button.y, &ui->mouse_x, &ui->mouse_y);
            int b = layout_button_at(&ui->L, ui->mouse_x, ui->mouse_y);
            if (ui->help && b != BTN_QUIT)
                ui->help = false;
            else if (b >= 0)
                act(ui, w, b, false);
        }
        break;
    case SDL_KEYDOWN: {
        int b = key_button(e->key.keysym.sym);
        /* Any key but H, Q and F12 closes the help overlay; Esc closes it too. */
        if (ui->help && ((b != BTN_HELP && b != BTN_QUIT && b != BTN_SHOT) || e->key.keysym.sym == SDLK_ESCAPE))
            ui->help = false;
        else if (b >= 0)
            act(ui, w, b, e->key.repeat != 0);
        break;
    }
    default:
        w->dirty = was_dirty || e->type == SDL_RENDER_TARGETS_RESET || e->type == SDL_RENDER_DEVICE_RESET;
        break;
    }
}

/* Whether a frame's slice of work has used its time (checked every 32 steps). */
static bool slice_over(Uint64 start, unsigned i)
{
    return (i & 31) == 31 && SDL_GetTicks64() - start >= SLICE_MS;
}

/* Runs steps until one faults (or the trace ends), a slice per frame. The step found
 * is taken again with the frames' owners kept first, for its animation. */
static void seek_some(Ui *ui)
{
    Uint64 start = SDL_GetTicks64();
    for (unsigned i = 0; ui->seeking && !slice_over(start, i); i++) {
        if (model_step(&ui->m, false) != STEP_OK) {
            ui->seeking = false;
            show_step(ui, false, 1);
            report_stop(ui);
        } else if (model_step_eventful(&ui->m)) {
            ui->seeking = false;
            if (speeds[ui->speed].rate > 0 && model_goto(&ui->m, model_now(&ui->m) - 1) == STEP_OK)
                model_step(&ui->m, true);
            show_step(ui, true, 1);
        }
    }
    if (ui->seeking)
        anim_finish(&ui->anim, ui->m.nev);
}

/* Runs the step-per-frame speeds, or the next step once the last has played. */
static void run_some(Ui *ui)
{
    const Speed *sp = &speeds[ui->speed];
    if (sp->per_frame) {
        Uint64 start = SDL_GetTicks64();
        for (unsigned i = 0; i < sp->per_frame && ui->running && !slice_over(start, i); i++)
            if (model_step(&ui->m, false) != STEP_OK)
                ui->running = false;
        anim_finish(&ui->anim, ui->m.nev);
    } else if (!anim_active(&ui->anim) && ui->anim.done_ms >= 250 / sp->rate) {
        if (model_step(&ui->m, true) == STEP_OK)
            show_step(ui, true, 1);
        else
            ui->running = false;
    }
    if (!ui->running)
        report_stop(ui);
}

/* Moves time on by dt ms. Returns true if the window must be redrawn. */
static bool tick(Ui *ui, double dt)
{
    uint64_t before = model_now(&ui->m);
    bool was_running = ui->running, was_seeking = ui->seeking;
    bool changed = anim_advance(&ui->anim, &ui->m, dt) || fx_active(ui);
    if (ui->seeking)
        seek_some(ui);
    else if (ui->running)
        run_some(ui);
    return changed || model_now(&ui->m) != before || ui->running != was_running || ui->seeking != was_seeking;
}

static bool toast_on(const Ui *ui)
{
    return ui->toast[0] && ui->now_ms < ui->toast_until;
}

/* Something moves: wake up for the next frame (a toast only needs its end noticed). */
static bool busy(const Ui *ui)
{
    return anim_active(&ui->anim) || ui->running || ui->seeking || toast_on(ui);
}

static void redraw(Ui *ui, Win *w)
{
    char title[512];
    w->toast_shown = toast_on(ui);
    textout_clear(&w->texts);
    w->paint.out = &w->texts;
    draw_frame(&w->paint, ui);
    SDL_RenderPresent(w->r);
    if (w->shot) {
        w->shot = false;
        act_shot(ui);
    }
    ui_title(ui, title, sizeof title);
    if (strcmp(title, w->title) != 0) {
        snprintf(w->title, sizeof w->title, "%s", title);
        SDL_SetWindowTitle(w->win, title);
    }
}

/* Waits for input: blocked while nothing moves (an idle window uses no CPU), else
 * until the next frame is due (about 60 a second). */
static void loop(Ui *ui, Win *w)
{
    const double frame_ms = 1000.0 / 60;
    Uint64 last = SDL_GetTicks64();
    w->dirty = true;
    while (!w->quit) {
        SDL_Event e;
        int got;
        if (busy(ui) || w->dirty) {
            Sint64 wait = (Sint64)frame_ms - (Sint64)(SDL_GetTicks64() - last);
            got = SDL_WaitEventTimeout(&e, wait > 0 ? (int)wait : 0);
        } else {
            got = SDL_WaitEvent(&e);
        }
        ui->now_ms = SDL_GetTicks64();
        for (; got; got = SDL_PollEvent(&e))
            on_event(ui, w, &e);
        Uint64 now = SDL_GetTicks64();
        if (now - last >= frame_ms || !busy(ui)) {
            w->dirty |= tick(ui, (double)(now - last));
            last = now;
            ui->now_ms = now;
            if (w->dirty || toast_on(ui) != w->toast_shown)
                redraw(ui, w);
            w->dirty = false;
        }
    }
}

/* A window of w x h points (or less on a smaller screen), HiDPI aware. */
static int open_window(Win *w, int ww, int wh, const char *title)
{
    SDL_Rect usable;
    if (SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 && usable.h > 0) {
        ww = ww > usable.w ? usable.w : ww;
        wh = wh > usable.h ? usable.h : wh;
    }
    w->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww, wh,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!w->win)
        return -1;
    SDL_SetWindowMinimumSize(w->win, ww < MIN_W ? ww : MIN_W, wh < MIN_H ? wh : MIN_H);
    w->r = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!w->r)
        w->r = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    return w->r ? 0 : -1;
}

static int run_window(Ui *ui, const GuiArgs *g)
{
    Win w;
    memset(&w, 0, sizeof w);
    char title[512];
    ui_title(ui, title, sizeof title);
    if (open_window(&w, g->w, g->h, title) != 0) {
        fprintf(stderr, "vmsim: cannot open a window: %s\n", SDL_GetError());
        if (w.win)
            SDL_DestroyWindow(w.win);
        return EXIT_FAILED;
    }
    int status = resize(ui, &w) == 0 ? EXIT_OK : EXIT_USAGE;
    if (status == EXIT_OK) {
        loop(ui, &w);
        if (ui->m.stopped == STEP_ERROR)
            status = EXIT_USAGE;
    }
    painter_fini(&w.paint);
    textout_free(&w.texts);
    SDL_DestroyRenderer(w.r);
    SDL_DestroyWindow(w.win);
    return status;
}

/* ---- vmsim gui ----------------------------------------------------------------- */

/* Headless: renders after the steps and saves the PNG. */
static int screenshot(Ui *ui, const GuiArgs *g)
{
    char err[1024];
    if (ui_resize(ui, g->w, g->h, err, sizeof err) < 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    if (g->anim_ms > 0)
        ui_animate_to(ui, g->anim_ms);
    TextOut texts = { 0 };
    SDL_Surface *s = ui_render_text(ui, g->text_out ? &texts : NULL, err, sizeof err);
    int bad = !s || ui_save_png(s, g->shot, err, sizeof err) != 0 ||
              (g->text_out && textout_save(&texts, g->text_out, err, sizeof err) != 0);
    SDL_FreeSurface(s);
    textout_free(&texts);
    if (bad) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_FAILED;
    }
    return ui->m.stopped == STEP_HALT ? EXIT_FAILED : EXIT_OK;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* Starts SDL's video for a window someone can see: X11 or Wayland (DISPLAY or
 * WAYLAND_DISPLAY set), or whatever SDL_VIDEODRIVER names (kmsdrm on a console).
 * Without them SDL would fall back to drawing offscreen, which nobody sees. */
static bool start_video(void)
{
    if (!env_set("DISPLAY") && !env_set("WAYLAND_DISPLAY") && !env_set("SDL_VIDEODRIVER")) {
        SDL_SetError("DISPLAY and WAYLAND_DISPLAY are not set");
        return false;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return false;
    const char *d = SDL_GetCurrentVideoDriver();
    if (env_set("SDL_VIDEODRIVER") || (d && strcmp(d, "offscreen") != 0 && strcmp(d, "dummy") != 0))
        return true;
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_SetError("SDL found only its offscreen driver");
    return false;
}

/* Whether the no-verb path may open a window: a display, a terminal on stdout, no
 * report asked for, and SDL's video starting (left started when it says yes). */
static bool window_wanted(int argc, char **argv)
{
    if (!app_window_wanted(argc, argv))
        return false;
    if (start_video())
        return true;
    SDL_Quit();
    return false;
}

/* Opens the session, goes to the first step asked for, then shows or saves it. */
static int gui_session(const Options *o, const GuiArgs *g)
{
    Session s;
    Ui ui;
    char err[1024];
    int status = EXIT_USAGE;
    if (session_open(&s, o, err, sizeof err) != 0 || ui_init(&ui, &s, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        session_close(&s);
        return EXIT_USAGE;
    }
    StepStatus r = ui_advance(&ui, o->max_steps);
    if (r == STEP_ERROR || r == STEP_HALT) {
        fprintf(stderr, "vmsim: %s\n", ui.m.error);
        ui.told = true;
    }
    if (r != STEP_ERROR)
        status = g->shot ? screenshot(&ui, g) : run_window(&ui, g);
    ui_fini(&ui);
    session_close(&s);
    return status;
}

static int gui_main(const Options *o, const GuiArgs *g)
{
    char path[1024], err[1024];
    if (fonts_find(path, sizeof path, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    if (!g->shot && !SDL_WasInit(SDL_INIT_VIDEO) && !start_video()) {
        fprintf(stderr, "vmsim gui: no display to open a window on (%s); "
                "--screenshot FILE.png renders without one\n", SDL_GetError());
        return EXIT_FAILED;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, "vmsim: cannot start SDL_ttf: %s\n", TTF_GetError());
        SDL_Quit();
        return EXIT_FAILED;
    }
    IMG_Init(IMG_INIT_PNG);
    int status = gui_session(o, g);
    IMG_Quit();
    TTF_Quit();
    SDL_Quit();
    return status;
}

/* argv[1] is "gui", or "run" when main() has no verb: then the window opens only
 * where one can (see window_wanted), and otherwise this is `vmsim run`. */
int ui_cmd_gui(int argc, char **argv)
{
    GuiArgs g = { NULL, NULL, DEFAULT_W, DEFAULT_H, 0, argc > 1 && strcmp(argv[1], "run") == 0 };
    if (g.fallback && !window_wanted(argc, argv))
        return cmd_run(argc, argv);
    char *rest[argc + 1];
    int nrest;
    Options o;
    if (gui_args(argc, argv, rest, &nrest, &g) != 0)
        return EXIT_USAGE;
    int pr = options_parse(&o, nrest, rest, 2, g.fallback ? "run" : "gui", gui_usage);
    if (pr) {
        SDL_Quit();
        return pr > 0 ? EXIT_OK : EXIT_USAGE;
    }
    return gui_main(&o, &g);
}
