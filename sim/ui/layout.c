/* The layout: every rectangle of the window from the output size, the font metrics
 * and the machine's shape (geometry, TLB sizes, frame count). Nothing is placed at a
 * fixed pixel position; the same code serves 1024x640 and 4K.
 *
 *   +-------------------------------------------------------------------------+
 *   | title                                             [buttons ...]         |  top
 *   +-------------------------------------------------------------------------+
 *   | who/what | bit strip: level index fields ............ | offset         |  addr
 *   | CR3 box  |  level box -> level box -> ...             | frame / PA     |  walk
 *   | status line                                                             |
 *   +----------------+--------------------------------+-----------------------+
 *   | TLBs           | frame pool                     | processes, swap       |  middle
 *   +----------------+-----------------+--------------+-----------------------+
 *   | event log                        | statistics, chart                    |  bottom
 *   +----------------------------------+--------------------------------------+
 */
#include <string.h>

#include "ui.h"

static SDL_Rect rect(int x, int y, int w, int h)
{
    return (SDL_Rect){ x, y, w > 0 ? w : 0, h > 0 ? h : 0 };
}

/* The content of a panel: inside its border, below its heading line. */
static SDL_Rect content(const Layout *L, const SDL_Rect *p, int heading_h)
{
    return rect(p->x + L->pad, p->y + heading_h + L->pad, p->w - 2 * L->pad,
                p->h - heading_h - 2 * L->pad);
}

/* Button widths come from their longest labels (see draw.c). */
static const char *const button_text[BTN_COUNT] = {
    "R restart", "\u2190 back", "\u2192 step", "\u21b5 pause", "\u2212", "+",
    "F next fault", "H help", "F12 shot", "Q quit",
};

static void layout_top(Layout *L, const Fonts *f)
{
    L->top = rect(0, 0, L->w, L->u + 2 * L->pad);
    int x = L->w - L->pad;
    for (int b = BTN_COUNT - 1; b >= 0; b--) {
        int bw = text_width(f, FONT_NORMAL, button_text[b]) + 2 * L->pad;
        if (b == BTN_SLOWER)             /* the speed shows between - and + */
            x -= text_width(f, FONT_NORMAL, "6000/s") + L->pad;
        x -= bw;
        L->buttons[b] = rect(x, L->pad / 2, bw, L->top.h - L->pad);
        x -= b == BTN_FAULT || b == BTN_HELP || b == BTN_RUN ? 2 * L->pad : L->gap * 2;
    }
}

/* The bit strip and its fields, most significant bit on the left. */
static void layout_strip(Layout *L, const SDL_Rect *c, const Geometry *g, int label_w, int us)
{
    L->va_label = rect(c->x, c->y, label_w, L->u * 2 + us);
    int x0 = c->x + label_w + L->pad;
    unsigned nb = g->va_bits ? g->va_bits : 1;
    L->bit_w = (c->x + c->w - x0) / (int)nb;
    L->bits = rect(x0, c->y, L->bit_w * (int)nb, L->u + L->pad / 2);
    L->nfields = g->levels + 1;
    int fy = L->bits.y + L->bits.h + L->gap, fh = us + L->gap * 2;
    unsigned top = nb;                   /* bits above the field being placed */
    for (unsigned i = 0; i < L->nfields; i++) {
        unsigned width = i < g->levels ? g->level_bits[i] : g->page_shift;
        int xa = x0 + (int)(nb - top) * L->bit_w;
        L->field[i] = rect(xa, fy, (int)width * L->bit_w, fh);
        top -= width;
    }
}

/* The walk: one box per level under its index field, the frame under the offset. */
static void layout_walk(Layout *L, const Geometry *g, int y, int box_h, int label_w, int left)
{
    int inset = L->u;                    /* room for the arrows between boxes */
    L->root_box = rect(left, y, label_w - inset / 2, box_h);
    for (unsigned l = 0; l < g->levels; l++) {
        const SDL_Rect *fr = &L->field[l];
        L->level_box[l] = rect(fr->x + inset / 2, y, fr->w - inset, box_h);
    }
    const SDL_Rect *off = &L->field[g->levels];
    L->pa_box = rect(off->x + inset / 2, y, off->w - inset / 2, box_h);
}

static void layout_translation(Layout *L, const Fonts *f, const Geometry *g)
{
    int us = f->lh[FONT_SMALL], ln = f->lh[FONT_NORMAL];
    int label_w = 21 * f->cw[FONT_NORMAL];
    int box_h = 3 * ln + L->pad;
    int h = us + L->pad + (L->u + L->pad / 2) + us + 3 * L->gap + L->u + box_h + L->pad + L->u + 2 * L->pad;
    L->addr = rect(L->pad, L->top.y + L->top.h + L->pad / 2, L->w - 2 * L->pad, h);
    SDL_Rect c = content(L, &L->addr, us);
    layout_strip(L, &c, g, label_w, us);
    int wy = L->field[0].y + L->field[0].h + L->u;
    L->walk = rect(c.x, wy, c.w, box_h + L->pad + L->u);
    layout_walk(L, g, wy, box_h, label_w, c.x);
    L->walk_status = rect(c.x, wy + box_h + L->pad, c.w, L->u);
}

/* Cells for one TLB in box: sets x ways, a set's ways wrapping over several rows
 * when they do not fit across; a fully associative TLB (one set) has no set number,
 * so its ways are one row when they fit across (rows of ways when they do not). */
static void layout_tlb(Layout *L, TlbGrid *t, const Tlb *tlb, SDL_Rect box, const Fonts *f)
{
    memset(t, 0, sizeof *t);
    t->present = tlb->entries > 0;
    t->box = box;
    if (!t->present)
        return;
    int us = f->lh[FONT_SMALL];
    t->label_w = tlb->sets == 1 ? 0 : 5 * f->cw[FONT_SMALL];
    t->grid = rect(box.x + t->label_w, box.y + us + L->gap, box.w - t->label_w, box.h - us - L->gap);
    int min_w = 7 * f->cw[FONT_SMALL] + 2;
    unsigned fit = (unsigned)(t->grid.w / (min_w > 1 ? min_w : 1));
    t->cols = tlb->ways < fit ? tlb->ways : fit ? fit : 1;
    t->rows_per_set = (tlb->ways + t->cols - 1) / t->cols;
    t->cell_w = t->grid.w / (int)t->cols;
    unsigned rows = tlb->sets * t->rows_per_set;
    int ch = t->grid.h / (int)(rows ? rows : 1);
    int max_h = 2 * us + 6;
    t->cell_h = ch > max_h ? max_h : ch < 6 ? 6 : ch;
    unsigned vis = (unsigned)(t->grid.h / (t->cell_h * (int)t->rows_per_set));
    t->vis_sets = vis < tlb->sets ? vis : tlb->sets;
}

static void layout_tlbs(Layout *L, const Fonts *f, const Sim *sim)
{
    SDL_Rect c = content(L, &L->tlb_panel, f->lh[FONT_SMALL]);
    unsigned need[SIM_TLBS], total = 0;
    for (int k = 0; k < SIM_TLBS; k++) {
        const Tlb *t = sim_tlb_at(sim, (SimTlb)k);
        need[k] = t->entries ? 2 + (t->sets < 24 ? t->sets : 24) : 0;
        total += need[k];
    }
    int y = c.y;
    for (int k = 0; k < SIM_TLBS; k++) {
        int h = total ? c.h * (int)need[k] / (int)total : 0;
        layout_tlb(L, &L->tlb[k], sim_tlb_at(sim, (SimTlb)k), rect(c.x, y, c.w, h - L->pad / 2), f);
        y += h;
    }
}

/* The biggest cells (about 5:3) that fit every frame, or as many as fit at the least. */
static void layout_frames(Layout *L, const Fonts *f, size_t n)
{
    int us = f->lh[FONT_SMALL];
    SDL_Rect c = content(L, &L->frames_panel, us);
    L->frames_grid = rect(c.x, c.y, c.w, c.h - 2 * us - 2 * L->gap);
    L->policy_line = rect(c.x, c.y + c.h - 2 * us - L->gap, c.w, us);
    int max_w = 18 * f->cw[FONT_NORMAL];
    L->fshown = 0;
    for (int cw = max_w; cw >= 5; cw--) {
        int ch = cw * 3 / 5 < 4 ? 4 : cw * 3 / 5;
        unsigned cols = (unsigned)(L->frames_grid.w / cw);
        unsigned rows = (unsigned)(L->frames_grid.h / ch);
        if (!cols || !rows)
            continue;
        L->fcell_w = cw;
        L->fcell_h = ch;
        L->fcols = cols;
        L->frows = rows;
        size_t cap = (size_t)cols * rows;
        L->fshown = n < cap ? n : cap;
        if (cap >= n) {
            L->frows = (unsigned)((n + cols - 1) / cols);
            break;
        }
    }
}

void layout_compute(Layout *L, int w, int h, const Fonts *f, const Sim *sim)
{
    memset(L, 0, sizeof *L);
    L->w = w;
    L->h = h;
    L->u = f->lh[FONT_NORMAL] + 2;
    L->pad = L->u / 3 > 4 ? L->u / 3 : 4;
    L->gap = L->u / 12 > 1 ? L->u / 12 : 1;
    layout_top(L, f);
    layout_translation(L, f, &sim_machine(sim)->geo);
    int y = L->addr.y + L->addr.h + L->pad / 2;
    int rest = h - y - L->pad / 2;
    int mid = rest * 55 / 100, x = L->pad, W = w - 2 * L->pad;
    int tw = W * 26 / 100, fw = W * 44 / 100;
    L->tlb_panel = rect(x, y, tw - L->pad / 2, mid - L->pad / 2);
    L->frames_panel = rect(x + tw, y, fw - L->pad / 2, mid - L->pad / 2);
    L->procs_panel = rect(x + tw + fw, y, W - tw - fw, mid - L->pad / 2);
    int ps = f->lh[FONT_SMALL];
    L->swap_bar = rect(L->procs_panel.x + L->pad, L->procs_panel.y + L->procs_panel.h - L->pad - ps,
                       L->procs_panel.w - 2 * L->pad, ps);
    int by = y + mid, bh = h - by - L->pad / 2, lw = W * 62 / 100;
    L->log_panel = rect(x, by, lw - L->pad / 2, bh);
    L->stats_panel = rect(x + lw, by, W - lw, bh);
    SDL_Rect sc = content(L, &L->stats_panel, ps);
    int lines = 6 * f->lh[FONT_NORMAL] + L->pad;
    L->chart = rect(sc.x, sc.y + lines, sc.w, sc.h - lines - ps - L->gap);
    layout_tlbs(L, f, sim);
    layout_frames(L, f, sim_frames(sim)->nframes);
}

bool layout_frame_cell(const Layout *L, pfn_t pfn, SDL_Rect *r)
{
    if (pfn >= L->fshown || !L->fcols)
        return false;
    unsigned col = (unsigned)(pfn % L->fcols), row = (unsigned)(pfn / L->fcols);
    *r = rect(L->frames_grid.x + (int)col * L->fcell_w, L->frames_grid.y + (int)row * L->fcell_h,
              L->fcell_w - L->gap, L->fcell_h - L->gap);
    return true;
}

unsigned layout_tlb_first_set(const Layout *L, const Tlb *t, SimTlb which, long lit)
{
    const TlbGrid *g = &L->tlb[which];
    if (!g->present || g->vis_sets >= t->sets || lit < 0)
        return 0;
    long first = lit - (long)g->vis_sets / 2;
    long last = (long)t->sets - (long)g->vis_sets;
    return (unsigned)(first < 0 ? 0 : first > last ? last : first);
}

bool layout_tlb_cell(const Layout *L, SimTlb which, unsigned first_set, unsigned set,
                     unsigned way, SDL_Rect *r)
{
    const TlbGrid *g = &L->tlb[which];
    if (!g->present || set < first_set || set >= first_set + g->vis_sets)
        return false;
    unsigned row = (set - first_set) * g->rows_per_set + way / g->cols;
    unsigned col = way % g->cols;
    *r = rect(g->grid.x + (int)col * g->cell_w, g->grid.y + (int)row * g->cell_h,
              g->cell_w - L->gap, g->cell_h - L->gap);
    return true;
}

const char *button_label(ButtonId b, bool running)
{
    if (b == BTN_RUN && !running)
        return "\u21b5 run";
    return b < BTN_COUNT ? button_text[b] : "";
}

int layout_button_at(const Layout *L, int x, int y)
{
    for (int b = 0; b < BTN_COUNT; b++)
        if (rect_has(&L->buttons[b], x, y))
            return b;
    return -1;
}
