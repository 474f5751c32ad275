/* Drawing primitives, the colours, the top bar, the help overlay, tooltips and the
 * whole-window effects; draw_frame puts the panels together. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

const Theme theme = {
    .bg = { 22, 24, 29, 255 },        .panel = { 32, 35, 42, 255 },
    .border = { 58, 62, 74, 255 },    .text = { 222, 225, 230, 255 },
    .dim = { 138, 145, 158, 255 },    .accent = { 242, 194, 60, 255 },
    .hit = { 40, 190, 90, 255 },      .miss = { 226, 56, 64, 255 },
    .fault = { 226, 56, 64, 255 },    .evict = { 255, 140, 26, 255 },
    .segv = { 240, 36, 60, 255 },     .oom = { 176, 82, 232, 255 },
    .fill = { 70, 160, 255, 255 },    .next = { 255, 196, 130, 255 },
    .free_frame = { 50, 53, 62, 255 },
    .button = { 46, 50, 60, 255 },    .button_hot = { 72, 78, 96, 255 },
    .level = { { 62, 100, 160, 255 }, { 110, 84, 160, 255 }, { 46, 128, 120, 255 },
               { 150, 104, 50, 255 }, { 140, 64, 104, 255 }, { 84, 124, 64, 255 } },
    .offset = { 78, 82, 94, 255 },
};

/* Process colours: none green or red, which mean hit and fault, nor purple, which
 * means the OOM killer. */
static const SDL_Color owners[] = {
    { 70, 130, 230, 255 }, { 190, 186, 104, 255 }, { 30, 172, 186, 255 }, { 226, 166, 46, 255 },
    { 228, 106, 168, 255 }, { 128, 150, 196, 255 }, { 196, 128, 86, 255 }, { 96, 112, 236, 255 },
};

SDL_Color owner_color(int pid)
{
    int n = (int)(sizeof owners / sizeof owners[0]);
    return owners[((pid % n) + n + n - 1) % n];
}

SDL_Color mix(SDL_Color a, SDL_Color b, float t)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return (SDL_Color){ (Uint8)(a.r + (b.r - a.r) * t), (Uint8)(a.g + (b.g - a.g) * t),
                        (Uint8)(a.b + (b.b - a.b) * t), (Uint8)(a.a + (b.a - a.a) * t) };
}

SDL_Color table_color(int pid)
{
    return mix(owner_color(pid), (SDL_Color){ 0, 0, 0, 255 }, 0.55f);
}

float fade(double age, double span)
{
    if (age < 0 || age >= span)
        return 0;
    return (float)(1.0 - age / span);
}

float pulse(double age, double span)
{
    if (age < 0 || age >= span)
        return 0;
    double x = age / span;
    return (float)((1 - x) * (0.5 + 0.5 * cos(x * 4 * 3.14159265358979)));
}

void fill(const Painter *p, const SDL_Rect *r, SDL_Color c)
{
    SDL_SetRenderDrawColor(p->r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(p->r, r);
}

void outline(const Painter *p, const SDL_Rect *r, SDL_Color c, int thick)
{
    SDL_SetRenderDrawColor(p->r, c.r, c.g, c.b, c.a);
    for (int i = 0; i < thick && 2 * i < r->w && 2 * i < r->h; i++) {
        SDL_Rect q = { r->x + i, r->y + i, r->w - 2 * i, r->h - 2 * i };
        SDL_RenderDrawRect(p->r, &q);
    }
}

void hline(const Painter *p, int x0, int x1, int y, SDL_Color c)
{
    SDL_SetRenderDrawColor(p->r, c.r, c.g, c.b, c.a);
    SDL_RenderDrawLine(p->r, x0, y, x1, y);
}

void vline(const Painter *p, int x, int y0, int y1, SDL_Color c)
{
    SDL_SetRenderDrawColor(p->r, c.r, c.g, c.b, c.a);
    SDL_RenderDrawLine(p->r, x, y0, x, y1);
}

/* A horizontal arrow from x0 to x1 at y with a head `head` pixels long. */
void arrow_right(const Painter *p, int x0, int x1, int y, SDL_Color c, int head)
{
    for (int d = -1; d <= 1; d++)
        hline(p, x0, x1, y + d, c);
    for (int i = 0; i < head; i++)
        vline(p, x1 - i, y - i / 2 - 1, y + i / 2 + 1, c);
}

void text_center(const Painter *p, FontId f, const SDL_Rect *r, SDL_Color c, const char *s)
{
    const Fonts *fo = p->fonts;
    if (f == FONT_NORMAL && text_width(fo, f, s) > r->w)
        f = FONT_SMALL;
    int w = text_width(fo, f, s);
    if (w > r->w)
        w = r->w;
    text_draw(p, f, r->x + (r->w - w) / 2, r->y + (r->h - fo->lh[f]) / 2, c, s, r->w);
}

void panel(const Painter *p, const SDL_Rect *r, const char *heading)
{
    fill(p, r, theme.panel);
    outline(p, r, theme.border, 1);
    if (heading) {
        int pad = p->fonts->lh[FONT_SMALL] / 3 + 2;
        text_draw(p, FONT_SMALL, r->x + pad, r->y + pad / 2 + 1, theme.dim, heading, r->w - 2 * pad);
    }
}

SDL_Color tone_color(int t)
{
    switch (t) {
    case TONE_HIT:   return theme.hit;
    case TONE_FAULT: return theme.fault;
    case TONE_EVICT: return theme.evict;
    case TONE_SEGV:  return theme.segv;
    case TONE_OOM:   return theme.oom;
    case TONE_DIM:   return theme.dim;
    default:         return theme.text;
    }
}

/* ---- the top bar ----------------------------------------------------------- */

static bool button_enabled(const Ui *ui, int b)
{
    uint64_t now = model_now(&ui->m);
    switch (b) {
    case BTN_BACK:
    case BTN_RESTART: return now > 0;
    case BTN_STEP:
    case BTN_FAULT:
    case BTN_RUN:     return !ui->m.at_end || ui->running;
    case BTN_SLOWER:  return ui->speed > 0;
    case BTN_FASTER:  return ui->speed + 1 < nspeeds;
    default:          return true;
    }
}

static void draw_top(const Painter *p, const Ui *ui)
{
    const Layout *L = &ui->L;
    fill(p, &L->top, theme.panel);
    hline(p, 0, L->w, L->top.h - 1, theme.border);
    char status[96];
    uint64_t now = model_now(&ui->m);
    snprintf(status, sizeof status, "step %llu%s", (unsigned long long)now,
             ui->m.stopped ? " (stopped)" : ui->m.at_end && ui->m.has_trace ? " (end of trace)"
             : ui->running ? " (running)" : ui->seeking ? " (to next fault)" : "");
    int ty = (L->top.h - p->fonts->lh[FONT_NORMAL]) / 2;
    int room = L->buttons[0].x - 2 * L->pad;
    int sw = text_width(p->fonts, FONT_NORMAL, status);
    int x = L->pad + text_draw(p, FONT_NORMAL, L->pad, ty, theme.accent, status, room);
    text_draw(p, FONT_NORMAL, x + L->pad * 2, ty, theme.text, ui->m.title, room - sw - 2 * L->pad);
    for (int b = 0; b < BTN_COUNT; b++) {
        const SDL_Rect *r = &L->buttons[b];
        bool hot = ui->mouse_in && rect_has(r, ui->mouse_x, ui->mouse_y);
        bool on = button_enabled(ui, b);
        fill(p, r, hot && on ? theme.button_hot : theme.button);
        outline(p, r, b == BTN_RUN && ui->running ? theme.accent : theme.border, 1);
        text_center(p, FONT_NORMAL, r, on ? theme.text : theme.dim, button_label((ButtonId)b, ui->running));
    }
    const SDL_Rect *lo = &L->buttons[BTN_SLOWER], *hi = &L->buttons[BTN_FASTER];
    SDL_Rect sp = { lo->x + lo->w, lo->y, hi->x - lo->x - lo->w, lo->h };
    text_center(p, FONT_NORMAL, &sp, theme.accent, speeds[ui->speed].label);
}

/* ---- overlays -------------------------------------------------------------- */

/* The help overlay: headings, then "keys|what they do" rows aligned in two columns. */
static const char *const help_lines[] = {
    "Keys (or the buttons at the top)",
    "Space, \u2192|step forward (hold to go fast)",
    "Backspace, \u2190|step back (replays from a snapshot)",
    "Enter|run / pause",
    "+, \u2212|faster / slower; fast speeds skip the animation",
    "F|run to the next fault, kill or out-of-memory",
    "R|restart from step 0",
    "H, F1|this help (any key, Esc too, closes it)",
    "F12|screenshot: vmsim-STEP.png in the current directory",
    "Esc, Q|quit",
    "",
    "Colours",
    "frames|one colour per process; darker: its page-table pages; grey: free",
    "|\u25cf referenced (R bit)  \u25b2 dirty  outlines: yellow clock hand,",
    "|green frame reached, orange frame evicted, pale orange \u25bcnext victim",
    "TLB|yellow: the set looked up; green: hit; red: miss; blue: filled",
    "walk|yellow: the entry being read; red: where the walk faulted (the value",
    "|read struck through, the fixed one below it)",
    "flags|V valid, R W X read/write/execute, U user, A accessed, D dirty,",
    "|G global, H huge page; '-' clear",
    "",
    "Hover over a TLB entry, a frame or a page-walk entry to see what it holds,",
    "or over text ending in \u2026 to read all of it.",
};

static void draw_help(const Painter *p, const Ui *ui)
{
    const Layout *L = &ui->L;
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int lh = p->fonts->lh[FONT_NORMAL], cw = p->fonts->cw[FONT_NORMAL], col = 16 * cw, w = 0;
    for (int i = 0; i < n; i++) {
        const char *bar = strchr(help_lines[i], '|');
        int tw = bar ? col + text_width(p->fonts, FONT_NORMAL, bar + 1) : text_width(p->fonts, FONT_NORMAL, help_lines[i]);
        w = tw > w ? tw : w;
    }
    SDL_Rect shade = { 0, 0, L->w, L->h };
    fill(p, &shade, (SDL_Color){ 0, 0, 0, 150 });
    SDL_Rect box = { (L->w - w) / 2 - 2 * L->pad, (L->h - n * lh) / 2 - 2 * L->pad,
                     w + 4 * L->pad + 2 * cw, n * lh + 4 * L->pad };
    fill(p, &box, theme.panel);
    outline(p, &box, theme.accent, 2);
    int x = box.x + 2 * L->pad;
    for (int i = 0; i < n; i++) {
        int y = box.y + 2 * L->pad + i * lh;
        const char *bar = strchr(help_lines[i], '|');
        if (!bar) {
            text_draw(p, FONT_NORMAL, x, y, theme.accent, help_lines[i], box.w);
            continue;
        }
        char keys[64];
        snprintf(keys, sizeof keys, "%.*s", (int)(bar - help_lines[i]), help_lines[i]);
        text_draw(p, FONT_NORMAL, x + 2 * cw, y, theme.text, keys, col);
        text_draw(p, FONT_NORMAL, x + 2 * cw + col, y, theme.dim, bar + 1, box.w);
    }
}

/* A box of lines (separated by '\n') next to the mouse, kept inside the window. */
static void draw_tooltip(const Painter *p, const Ui *ui, const char *text)
{
    const Layout *L = &ui->L;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    const char *lines[12];
    int n = 0, w = 0, lh = p->fonts->lh[FONT_NORMAL];
    for (char *s = buf, *nl; s && n < 12; s = nl) {
        nl = strchr(s, '\n');
        if (nl)
            *nl++ = '\0';
        lines[n++] = s;
        int tw = text_width(p->fonts, FONT_NORMAL, s);
        w = tw > w ? tw : w;
    }
    SDL_Rect box = { ui->mouse_x + L->u, ui->mouse_y + L->u, w + 2 * L->pad, n * lh + 2 * L->pad };
    if (box.x + box.w > L->w)
        box.x = ui->mouse_x - box.w - L->pad;
    if (box.y + box.h > L->h)
        box.y = ui->mouse_y - box.h - L->pad;
    box.x = box.x < 0 ? 0 : box.x;
    box.y = box.y < 0 ? 0 : box.y;
    fill(p, &box, (SDL_Color){ 14, 15, 19, 240 });
    outline(p, &box, theme.accent, 1);
    for (int i = 0; i < n; i++)
        text_draw(p, FONT_NORMAL, box.x + L->pad, box.y + L->pad + i * lh, theme.text, lines[i], L->w);
}

/* A text drawn cut short under (x, y): its whole string. */
static bool hover_cut(const TextOut *t, int x, int y, char *buf, size_t len)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (t->rec[i].cut && rect_has(&t->rec[i].box, x, y)) {
            snprintf(buf, len, "%s", t->rec[i].text);
            return true;
        }
    return false;
}

bool ui_hover_text(const Ui *ui, const Scene *sc, const TextOut *drawn, int x, int y,
                   char *buf, size_t len)
{
    return hover_tlb(ui, sc, x, y, buf, len) || hover_frame(ui, x, y, buf, len) ||
           hover_walk(ui, sc, x, y, buf, len) || hover_cut(drawn, x, y, buf, len);
}

static void hover(const Painter *p, const Ui *ui, const Scene *sc)
{
    char buf[512];
    int x = ui->mouse_x, y = ui->mouse_y;
    int b = layout_button_at(&ui->L, x, y);
    static const char *const tips[BTN_COUNT] = {
        "restart from step 0 (R)", "step back (Backspace or \u2190)", "step forward (Space or \u2192)",
        "run or pause (Enter)", "slower (\u2212)", "faster (+)", "run to the next fault (F)",
        "keys and colours (H or F1)", "save vmsim-STEP.png (F12)", "quit (Esc or Q)",
    };
    if (!ui->mouse_in || ui->help)
        return;
    if (b >= 0)
        draw_tooltip(p, ui, tips[b]);
    else if (ui_hover_text(ui, sc, p->out, x, y, buf, sizeof buf))
        draw_tooltip(p, ui, buf);
}

/* A segfault flashes the window's edge red, an OOM kill purple. */
static void edge_flash(const Painter *p, const Ui *ui, const Scene *sc)
{
    long i = sc->segv ? sc->segv_ev : sc->oom ? sc->oom_ev : -1;
    if (i < 0)
        return;
    float a = pulse(anim_age(&ui->anim, &ui->m, (size_t)i), FX_EDGE_MS);
    if (a <= 0)
        return;
    SDL_Color c = sc->segv ? theme.segv : theme.oom;
    c.a = (Uint8)(220 * a);
    SDL_Rect r = { 0, 0, ui->L.w, ui->L.h };
    outline(p, &r, c, ui->L.pad * 2);
}

static void draw_toast(const Painter *p, const Ui *ui)
{
    if (!ui->toast[0] || ui->now_ms >= ui->toast_until)
        return;
    const Layout *L = &ui->L;
    int w = text_width(p->fonts, FONT_NORMAL, ui->toast) + 2 * L->pad;
    SDL_Rect r = { (L->w - w) / 2, L->top.h + L->pad, w, L->u + L->pad };
    fill(p, &r, (SDL_Color){ 14, 15, 19, 235 });
    outline(p, &r, theme.accent, 1);
    text_center(p, FONT_NORMAL, &r, theme.text, ui->toast);
}

bool fx_active(const Ui *ui)
{
    if (!anim_active(&ui->anim))
        return false;
    Scene sc;
    scene_build(&sc, &ui->m, ui->anim.pos + 1, (long)ui->anim.pos);
    long fill_ev = -1;
    for (size_t i = 0; i < sc.upto; i++)
        if (ui->m.ev[i].ev.kind == EV_TLB_FILL)
            fill_ev = (long)i;
    const struct { long ev; double span; } fx[] = {
        { sc.fault_ev, FX_FAULT_MS }, { sc.evict_ev, FX_EVICT_MS }, { sc.victim_ev, FX_VICTIM_MS },
        { sc.kill_ev, FX_KILL_MS }, { sc.segv ? sc.segv_ev : sc.oom_ev, FX_EDGE_MS }, { fill_ev, FX_FILL_MS },
    };
    for (size_t k = 0; k < sizeof fx / sizeof fx[0]; k++) {
        double age = fx[k].ev < 0 ? -1 : anim_age(&ui->anim, &ui->m, (size_t)fx[k].ev);
        if (age >= 0 && age < fx[k].span)
            return true;
    }
    return false;
}

void draw_frame(const Painter *p, const Ui *ui)
{
    Scene sc;
    bool playing = anim_active(&ui->anim);
    scene_build(&sc, &ui->m, playing ? ui->anim.pos + 1 : ui->m.nev,
                playing ? (long)ui->anim.pos : -1);
    SDL_SetRenderDrawBlendMode(p->r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(p->r, theme.bg.r, theme.bg.g, theme.bg.b, 255);
    SDL_RenderClear(p->r);
    const Layout *L = &ui->L;
    painter_panel(p, "top", &L->top);
    draw_top(p, ui);
    painter_panel(p, "address", &L->addr);
    draw_address(p, ui, &sc);
    painter_panel(p, "walk", &L->walk);
    draw_walk(p, ui, &sc);
    painter_panel(p, "tlb", &L->tlb_panel);
    draw_tlbs(p, ui, &sc);
    painter_panel(p, "frames", &L->frames_panel);
    draw_frames(p, ui, &sc);
    painter_panel(p, "procs", &L->procs_panel);
    draw_procs(p, ui, &sc);
    painter_panel(p, "log", &L->log_panel);
    draw_log(p, ui, &sc);
    painter_panel(p, "stats", &L->stats_panel);
    draw_stats(p, ui, &sc);
    SDL_Rect whole = { 0, 0, L->w, L->h };
    painter_panel(p, "overlay", &whole);
    edge_flash(p, ui, &sc);
    hover(p, ui, &sc);
    if (ui->help)
        draw_help(p, ui);
    draw_toast(p, ui);
}
