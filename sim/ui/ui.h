/* vmsim: the window (sim/ui). The only code compiled with SDL's flags.
 *
 * The parts, each in its own file:
 *   model.c   the simulation as the window sees it: a History (step, back, restart),
 *             the events of the step on show, per-step samples for the chart and a
 *             log of earlier steps. The only code here that changes simulation state,
 *             and only through history_step / history_goto.
 *   scene.c   what the panels show, worked out from the step's events up to the one
 *             being animated (no SDL), and the events in words.
 *   anim.c    the animation clock: which event is playing, for how long.
 *   text.c    the monospace font (found through fontconfig) and a glyph atlas per
 *             renderer.
 *   layout.c  rectangles for every panel and cell, from the output size alone.
 *   draw.c    drawing primitives, the top bar, help overlay, tooltips and banners.
 *   panel_*.c one draw function per panel; each reads const state only.
 *   gui.c     `vmsim gui`: options, the window, input, the event loop, headless
 *             screenshots.
 *
 * Everything is drawn in output pixels (HiDPI aware); mouse positions are scaled from
 * window points to output pixels before use.
 */
#ifndef VMSIM_UI_H
#define VMSIM_UI_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "app.h"
#include "vmsim/history.h"

/* ---- colours (draw.c) ----------------------------------------------------- */

typedef struct Theme {
    SDL_Color bg, panel, border, text, dim, accent;
    SDL_Color hit, miss, fault, evict, segv, oom, fill, next;
    SDL_Color free_frame, button, button_hot;
    SDL_Color level[GEO_MAX_LEVELS], offset;
} Theme;

extern const Theme theme;

/* The colour of process pid's pages (a fixed palette indexed by pid). */
SDL_Color owner_color(int pid);
/* The colour of a page-table page of process pid (its owner colour, darker). */
SDL_Color table_color(int pid);
SDL_Color mix(SDL_Color a, SDL_Color b, float t);   /* a at t = 0, b at t = 1 */
/* The colour of a tone (Tone is declared with the model below). */
SDL_Color tone_color(int tone);

/* ---- fonts and text (text.c) ---------------------------------------------- */

typedef enum { FONT_SMALL, FONT_NORMAL, FONT_BIG, FONT_COUNT } FontId;

typedef struct Fonts {
    char path[1024];
    TTF_Font *ttf[FONT_COUNT];
    int px[FONT_COUNT];
    int cw[FONT_COUNT];      /* advance of every glyph: the font is monospace */
    int lh[FONT_COUNT];      /* height of a line of text */
} Fonts;

/* Finds a monospace font file: $VMSIM_FONT if set, else fontconfig's match for
 * "DejaVu Sans Mono", else for "monospace". Returns 0, or -1 with err set. */
int fonts_find(char *path, size_t len, char *err, size_t errlen);

/* The normal font size in pixels for an output of w x h pixels. */
int fonts_base_px(int w, int h);

/* Opens the font at path in three sizes around base_px. Returns 0 or -1 with err. */
int fonts_open(Fonts *f, const char *path, int base_px, char *err, size_t errlen);
void fonts_close(Fonts *f);

typedef struct Atlas {
    SDL_Texture *tex;        /* every glyph we draw, white, in cells of cw x lh */
    int cw, lh, cols;        /* lh: the tallest glyph, at least the line height */
} Atlas;

/* One text drawn: what --text-out writes. */
typedef struct TextRec {
    char *text;              /* the whole string asked for (malloc'd) */
    const char *panel;       /* the panel drawing it ("walk", "tlb", ...) */
    SDL_Rect box;            /* what was drawn: x, y, drawn width, line height */
    int width;               /* the whole string's width */
    bool cut;                /* fewer characters drawn than asked for (ends in an ellipsis) */
    bool outside;            /* the box reaches past its panel's rectangle */
} TextRec;

/* Every text drawn in one frame, when asked for (Painter.out). */
typedef struct TextOut {
    TextRec *rec;
    size_t n, cap;
    const char *panel;       /* the panel being drawn */
    SDL_Rect area;           /* its rectangle (w == 0: the whole window) */
} TextOut;

void textout_clear(TextOut *t);   /* forgets the texts, keeps the space */
void textout_free(TextOut *t);
/* Writes t as a JSON list of {"text","panel","box","width","cut","outside"} to path,
 * via a temporary file renamed into place. Returns 0 or -1 with err set. */
int textout_save(const TextOut *t, const char *path, char *err, size_t errlen);

/* Text drawing for one renderer (a window's or an offscreen one). */
typedef struct Painter {
    SDL_Renderer *r;
    const Fonts *fonts;
    Atlas atlas[FONT_COUNT];
    TextOut *out;            /* NULL, or where to record every text drawn */
} Painter;

/* Names the panel (and its rectangle, NULL for none) the next texts belong to. */
void painter_panel(const Painter *p, const char *panel, const SDL_Rect *area);

int painter_init(Painter *p, SDL_Renderer *r, const Fonts *f, char *err, size_t errlen);
void painter_fini(Painter *p);   /* a zeroed Painter is accepted */

/* Characters in s (UTF-8), and its width in pixels in font f. */
size_t text_len(const char *s);
int text_width(const Fonts *f, FontId font, const char *s);

/* Draws s with its top-left corner at x, y, at most max_w pixels wide (0: no limit;
 * longer text ends in '~'). Returns the width drawn. */
int text_draw(const Painter *p, FontId f, int x, int y, SDL_Color c, const char *s, int max_w);

/* ---- layout (layout.c) ---------------------------------------------------- */

typedef enum {
    BTN_RESTART, BTN_BACK, BTN_STEP, BTN_RUN, BTN_SLOWER, BTN_FASTER, BTN_FAULT,
    BTN_HELP, BTN_SHOT, BTN_QUIT, BTN_COUNT
} ButtonId;

/* One TLB drawn as a grid: each set takes rows_per_set rows of cols ways. */
typedef struct TlbGrid {
    bool present;
    SDL_Rect box;            /* the TLB's part of the panel, heading included */
    SDL_Rect grid;           /* where the cells go */
    unsigned cols, rows_per_set, vis_sets;
    int cell_w, cell_h, label_w;
} TlbGrid;

typedef struct Layout {
    int w, h;                /* output pixels */
    int pad, gap, u;         /* margins, gap between cells, line height (normal font) */
    SDL_Rect top, buttons[BTN_COUNT];
    SDL_Rect addr;           /* the address strip's panel */
    SDL_Rect va_label;       /* left of the strip: who accesses what */
    SDL_Rect bits;           /* the strip of bits, va_bits wide, most significant left */
    int bit_w;               /* width of one bit: bits.w == bit_w * va_bits */
    unsigned nfields;        /* levels + 1 (the offset) */
    SDL_Rect field[GEO_MAX_LEVELS + 1];   /* under the bits: index fields, then offset */
    SDL_Rect walk;           /* the page walk's panel */
    SDL_Rect root_box;       /* CR3 / satp */
    SDL_Rect level_box[GEO_MAX_LEVELS];
    SDL_Rect pa_box;         /* the frame and physical address */
    SDL_Rect walk_status;
    SDL_Rect tlb_panel;
    TlbGrid tlb[SIM_TLBS];
    SDL_Rect frames_panel, frames_grid;
    SDL_Rect policy_line;    /* under the frames: the policy's state and next victim */
    unsigned fcols, frows;
    size_t fshown;           /* frames with a cell (the first fshown RAM frames) */
    int fcell_w, fcell_h;
    SDL_Rect procs_panel, swap_bar, log_panel, stats_panel, chart;
} Layout;

/* Computes every rectangle for an output of w x h pixels showing sim in fonts f. */
void layout_compute(Layout *L, int w, int h, const Fonts *f, const Sim *sim);

/* The cell of frame pfn; false if it has none (beyond fshown). */
bool layout_frame_cell(const Layout *L, pfn_t pfn, SDL_Rect *r);

/* The first set shown of TLB which, keeping set `lit` (or any, if lit < 0) in view. */
unsigned layout_tlb_first_set(const Layout *L, const Tlb *t, SimTlb which, long lit);

/* The cell of way `way` of set `set`; false if that set is not in view. */
bool layout_tlb_cell(const Layout *L, SimTlb which, unsigned first_set, unsigned set,
                     unsigned way, SDL_Rect *r);

/* A button's label (the run button says run or pause). */
const char *button_label(ButtonId b, bool running);

/* The button under (x, y), or -1. */
int layout_button_at(const Layout *L, int x, int y);

static inline bool rect_has(const SDL_Rect *r, int x, int y)
{
    return x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h;
}

/* ---- the model (model.c) -------------------------------------------------- */

typedef struct UiEvent {
    SimEvent ev;
    char detail[256];        /* ev.detail copied (ev.detail is left NULL) */
} UiEvent;

/* Counters after a step, for the chart. */
typedef struct Sample {
    uint64_t faults, evictions, writebacks, tlb_hits, refs;
} Sample;

typedef enum { TONE_PLAIN, TONE_HIT, TONE_FAULT, TONE_EVICT, TONE_SEGV, TONE_OOM, TONE_DIM } Tone;

#define LOG_RING 256

typedef struct LogLine {
    uint64_t step;           /* 0: empty */
    Tone tone;
    char text[160];
} LogLine;

/* What a frame held before the step on show. */
typedef struct FrameWas {
    int32_t pid;
    uint8_t kind, level;
    vaddr_t va;
} FrameWas;

typedef struct Model {
    History *hist;           /* the live Sim, and snapshots to step back with */
    bool has_trace;          /* false: the scenario has nothing to step through */
    char title[256];
    UiEvent *ev;             /* the events of the step on show */
    size_t nev, cap;
    uint64_t ev_step;
    Sample *samples;         /* samples[i] is after step i * stride */
    size_t nsamples, capsamples;
    uint64_t stride;
    LogLine log[LOG_RING];   /* earlier steps, one line each, slot step % LOG_RING */
    bool at_end;             /* the trace is over, or the machine halted */
    StepStatus stopped;      /* STEP_ERROR or STEP_HALT when stopped by one */
    char error[640];
    FrameWas *prev;          /* the frames before the step on show, for its animation */
    size_t nprev;
    bool prev_valid;
    SimStats before;         /* the counters before the step on show (its end if unknown) */
} Model;

/* Takes s's Sim (s->sim becomes NULL) and wraps it in a History. */
int model_init(Model *m, Session *s, char *err, size_t errlen);
void model_fini(Model *m);
const Sim *model_sim(const Model *m);
uint64_t model_now(const Model *m);

/* One step forward; keep_prev records the frame owners first (for the kill
 * animation). Returns the step's status; at_end / stopped / error say why not. */
StepStatus model_step(Model *m, bool keep_prev);

/* Goes to step n (backwards by replay). */
StepStatus model_goto(Model *m, uint64_t n);

/* True if the step on show faulted, was killed or ran out of memory. */
bool model_step_eventful(const Model *m);

/* The samples up to step `now` to chart: count written to *n. */
const Sample *model_samples(const Model *m, size_t *n, uint64_t *stride);

/* ---- the scene: what the panels show (scene.c) ---------------------------- */

typedef enum { TLB_NONE, TLB_HIT, TLB_MISS } TlbResult;

typedef struct Scene {
    size_t upto;             /* events shown: ev[0..upto) */
    long cur;                /* the event playing, -1 when none */
    bool access;             /* a translation: pid, op, va */
    int pid;
    AccessOp op;
    vaddr_t va;
    bool switched, skipped;  /* a context switch / an event of a dead process */
    long syscall_ev;         /* a process event (fork, exit, brk, mmap...): its first line */
    TlbResult tlb;
    unsigned tlb_shift;      /* page size of the entry that hit or was filled */
    bool filled;
    unsigned walks;          /* walks begun so far (a fault makes a retry) */
    unsigned nread;          /* entries read by the walk on show */
    paddr_t pte_pa[GEO_MAX_LEVELS];
    pte_t pte[GEO_MAX_LEVELS];
    pfn_t table_pfn[GEO_MAX_LEVELS];
    bool faulted;
    long fault_ev;           /* index of the fault event */
    unsigned fault_level;    /* where the first failing walk stopped */
    pte_t fault_pte;         /* the entry it read there, before the kernel fixed it */
    FaultKind fault;
    bool translated;
    paddr_t pa;
    pfn_t pfn;               /* frame reached (translated) */
    bool segv, oom, killed, evicted, wrote_back;
    int64_t wb_slot;         /* the swap slot written back to */
    long segv_ev, oom_ev, kill_ev, evict_ev, victim_ev;
    int killed_pid;
    pfn_t evict_pfn, victim_pfn;
    char banner[512];        /* the step's headline ("" for none) */
    char note[400];          /* what the fault cost: tables added, a page evicted ("" for none) */
    Tone banner_tone;
} Scene;

/* Works out the scene from the first upto events of the step on show. */
void scene_build(Scene *sc, const Model *m, size_t upto, long cur);

Tone event_tone(const SimEvent *ev);

/* The step's one-line summary for the log of earlier steps. */
void step_summary(const Sim *sim, const UiEvent *ev, size_t n, uint64_t step,
                  LogLine *out);

/* ---- why (why.c): the reasons behind the step ----------------------------- */

/* The reason the policy gave for choosing frame pfn, among the first upto events
 * (the "why:" line of the log under its victim). False when none was given. */
bool why_victim(const Model *m, size_t upto, pfn_t pfn, char *buf, size_t len);

/* One process the OOM killer weighed: its badness and /proc/PID/oom_score then. */
typedef struct OomCand {
    int pid, adj;
    int64_t badness;         /* OOM_UNKILLABLE for oom_score_adj -1000 */
    unsigned score;
} OomCand;

/* The candidates of the OOM killer's explanation in the step on show (its "why"
 * lines, one per process weighed; none without a kill). */
size_t why_oom_candidates(const Model *m, OomCand *out, size_t max);

/* The copy-on-write fault among the first upto events: the frame copied from and the
 * writer's frame (the same when the page was reused). False when there is none. */
bool why_cow(const Model *m, size_t upto, pfn_t *from, pfn_t *to);

/* ---- animation (anim.c) --------------------------------------------------- */

typedef struct Speed {
    const char *label;
    double rate;             /* animation speed (1 = normal); 0: not animated */
    unsigned per_frame;      /* steps per frame when not animated */
} Speed;

extern const Speed speeds[];
extern const int nspeeds;
enum { SPEED_DEFAULT = 2 };

typedef struct Anim {
    size_t n;                /* events in the step */
    size_t pos;              /* the event playing; n when the step is over */
    double t;                /* ms into it */
    double rate;             /* speed of this step's animation */
    double done_ms;          /* ms since the animation ended (for dwell and fades) */
} Anim;

void anim_start(Anim *a, size_t n, double rate);
void anim_finish(Anim *a, size_t n);
bool anim_active(const Anim *a);
/* Advances by dt ms of wall time; returns true if another event began (or the end). */
bool anim_advance(Anim *a, const Model *m, double dt);
/* How long event kind k plays at rate 1, in ms. */
double anim_event_ms(EventKind k);
/* ms since event i began (its age), or -1 if it has not; huge when finished. */
double anim_age(const Anim *a, const Model *m, size_t i);

/* ---- the whole window's state (gui.c) ------------------------------------- */

typedef struct Ui {
    Model m;
    Anim anim;
    Fonts fonts;
    Layout L;
    int out_w, out_h;        /* output pixels */
    int mouse_x, mouse_y;    /* in output pixels */
    bool mouse_in;
    bool running, help, seeking;
    bool told;               /* the error that stopped the run is on stderr already */
    int speed;
    char toast[160];         /* a short message, shown until toast_until */
    Uint64 toast_until;
    Uint64 now_ms;
} Ui;

/* Sets up ui around an open session (taking its Sim). Returns 0 or -1 with err. */
int ui_init(Ui *ui, Session *s, char *err, size_t errlen);
void ui_fini(Ui *ui);

/* Loads fonts for and lays out an output of w x h pixels. Returns 0 or -1 with err. */
int ui_resize(Ui *ui, int w, int h, char *err, size_t errlen);

/* Steps forward n steps (stopping at the end), showing the last one finished. */
StepStatus ui_advance(Ui *ui, uint64_t n);

/* Shows the step on show as it looks ms milliseconds into its animation at 1x (the
 * animation's end if ms is past it). */
void ui_animate_to(Ui *ui, double ms);

/* Renders the window as it stands into a new surface of the output size, with a
 * software renderer. NULL with err set on failure. */
SDL_Surface *ui_render(Ui *ui, char *err, size_t errlen);
/* The same, recording every text drawn into out (NULL: none). */
SDL_Surface *ui_render_text(Ui *ui, TextOut *out, char *err, size_t errlen);

/* Saves surface as a PNG at path, via a temporary file renamed into place: nothing
 * half-written on error. Returns 0 or -1 with err set. */
int ui_save_png(SDL_Surface *surface, const char *path, char *err, size_t errlen);

/* "vmsim — TITLE — step N" into buf. */
void ui_title(const Ui *ui, char *buf, size_t len);

/* Draws the whole window with p (draw.c). */
void draw_frame(const Painter *p, const Ui *ui);

/* ---- drawing helpers shared by the panels (draw.c) ------------------------ */

void fill(const Painter *p, const SDL_Rect *r, SDL_Color c);
void outline(const Painter *p, const SDL_Rect *r, SDL_Color c, int thick);
void panel(const Painter *p, const SDL_Rect *r, const char *heading);
void hline(const Painter *p, int x0, int x1, int y, SDL_Color c);
void vline(const Painter *p, int x, int y0, int y1, SDL_Color c);
void arrow_right(const Painter *p, int x0, int x1, int y, SDL_Color c, int head);
/* Text centred in r, in the larger of big/small that fits. */
void text_center(const Painter *p, FontId f, const SDL_Rect *r, SDL_Color c, const char *s);
/* How long each effect lasts, in ms of animation time from its event's start. */
enum { FX_FILL_MS = 500, FX_VICTIM_MS = 600, FX_FAULT_MS = 700, FX_KILL_MS = 700,
       FX_EVICT_MS = 900, FX_EDGE_MS = 900 };

/* True while an effect (a flash, pulse, ring or fade) is changing the picture: the
 * window redraws every frame then, and otherwise only when the next event starts. */
bool fx_active(const Ui *ui);

/* Glow that fades out: alpha 0..1 over `age` ms against `span` ms. */
float fade(double age, double span);
/* A pulse: 1 at start, decaying with two beats over span. */
float pulse(double age, double span);

/* Panels (panel_*.c): each draws its part of the layout from const state. */
void draw_address(const Painter *p, const Ui *ui, const Scene *sc);
void draw_walk(const Painter *p, const Ui *ui, const Scene *sc);
void draw_tlbs(const Painter *p, const Ui *ui, const Scene *sc);
void draw_frames(const Painter *p, const Ui *ui, const Scene *sc);
void draw_procs(const Painter *p, const Ui *ui, const Scene *sc);
void draw_log(const Painter *p, const Ui *ui, const Scene *sc);
void draw_stats(const Painter *p, const Ui *ui, const Scene *sc);

/* Hover text for what lies under (x, y), from the panels that know. */
bool hover_tlb(const Ui *ui, const Scene *sc, int x, int y, char *buf, size_t len);
bool hover_frame(const Ui *ui, int x, int y, char *buf, size_t len);
bool hover_walk(const Ui *ui, const Scene *sc, int x, int y, char *buf, size_t len);
/* The tooltip for (x, y): a TLB entry, a frame, a walk box, or the whole of a text
 * drawn cut short (from drawn, the texts of the frame on show; NULL for none). */
bool ui_hover_text(const Ui *ui, const Scene *sc, const TextOut *drawn, int x, int y,
                   char *buf, size_t len);

/* vmsim-gui's verb: argv as for `vmsim gui`, or argv[1] "run" for the no-verb path
 * (the window where SDL's video starts, else the headless run). */
int ui_cmd_gui(int argc, char **argv);

/* vmsim-gui plot FILE.png: draws the display list of `vmsim sweep --plot` read from
 * stdin and saves it (plotpng.c). Returns an exit status. */
int ui_cmd_plot(int argc, char **argv);
/* Draws the display list read from in ("S W H", then L, P, C and T lines: see
 * sim/sweep/plot.c) into a new W x H surface, antialiased. Needs TTF_Init. Returns NULL
 * with err set ("plot stdin:LINE: what was expected", or no font). */
SDL_Surface *ui_plot_render(FILE *in, char *err, size_t errlen);

#endif
