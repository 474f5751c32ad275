/* The event log in words and the statistics with their chart. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

/* Lines for the step on show in font f: its events so far, the playing one marked.
 * When they do not fit, the first (the access) stays and the latest are shown. */
static int draw_current(const Painter *p, const Ui *ui, const Scene *sc, FontId f, int x, int y, int w,
                        int rows)
{
    const Sim *sim = model_sim(&ui->m);
    int lh = p->fonts->lh[f], cw = p->fonts->cw[f];
    size_t n = sc->upto, skip_to = n > (size_t)rows && rows > 1 ? n - (size_t)rows + 1 : 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && i < skip_to)
            continue;
        SimEvent e = ui->m.ev[i].ev;
        e.detail = ui->m.ev[i].detail;
        char words[256];
        event_words(sim, &e, words, sizeof words);
        bool playing = (long)i == sc->cur;
        if (playing) {
            SDL_Rect band = { x - 2, y, w + 4, lh };
            fill(p, &band, (SDL_Color){ 242, 194, 60, 60 });
        }
        bool head = e.kind == EV_ACCESS || e.kind == EV_SWITCH || e.kind == EV_SKIP;
        int indent = head ? 2 : 4;
        if (playing)
            text_draw(p, f, x, y, theme.accent, "\u25b6", 0);
        if (i == 0 && skip_to > 1)
            snprintf(words + strlen(words), sizeof words - strlen(words), "  (%zu line%s hidden)", skip_to - 1,
                     skip_to - 1 == 1 ? "" : "s");
        text_draw(p, f, x + indent * cw, y, head ? theme.accent : tone_color(event_tone(&e)), words,
                  w - indent * cw);
        y += lh;
    }
    return y;
}

/* One line per earlier step, newest first, as long as the ring remembers them. */
static void draw_earlier(const Painter *p, const Ui *ui, int x, int y, int w, int bottom)
{
    int lh = p->fonts->lh[FONT_SMALL];
    uint64_t now = model_now(&ui->m);
    for (uint64_t s = now; s-- > 1 && y + lh <= bottom;) {
        const LogLine *l = &ui->m.log[s % LOG_RING];
        if (l->step != s)
            break;
        char buf[200];
        snprintf(buf, sizeof buf, "%6llu  %s", (unsigned long long)s, l->text);
        text_draw(p, FONT_SMALL, x, y, mix(tone_color(l->tone), theme.panel, 0.3f), buf, w);
        y += lh;
    }
}

void draw_log(const Painter *p, const Ui *ui, const Scene *sc)
{
    const SDL_Rect *r = &ui->L.log_panel;
    char head[96];
    uint64_t now = model_now(&ui->m);
    snprintf(head, sizeof head, "Step %llu, event by event", (unsigned long long)now);
    panel(p, r, head);
    int pad = ui->L.pad;
    int x = r->x + pad, w = r->w - 2 * pad, y = r->y + p->fonts->lh[FONT_SMALL] + pad;
    int bottom = r->y + r->h - pad;
    int keep = now > 1 ? 3 : 0;          /* lines kept for earlier steps */
    FontId f = FONT_NORMAL;
    if ((int)sc->upto + keep + 1 > (bottom - y) / p->fonts->lh[FONT_NORMAL])
        f = FONT_SMALL;
    int lh = p->fonts->lh[f], rows = (bottom - y) / lh;
    if (keep && (int)sc->upto + keep + 1 > rows)
        keep = rows - (int)sc->upto - 1 > 1 ? rows - (int)sc->upto - 1 : 1;
    if (!sc->upto) {
        text_draw(p, FONT_NORMAL, x, y, theme.dim, now ? "(nothing happened)" :
                  "Nothing yet: step with \u2192 or Space, run with Enter, H for help.", w);
        y += lh;
    }
    y = draw_current(p, ui, sc, f, x, y, w, rows - keep - (keep ? 1 : 0));
    if (keep && y + lh + p->fonts->lh[FONT_SMALL] <= bottom) {
        hline(p, x, x + w, y + lh / 2, theme.border);
        int tw = text_width(p->fonts, FONT_SMALL, " earlier steps ");
        SDL_Rect lab = { x + w - tw - pad, y, tw, lh };
        fill(p, &lab, theme.panel);
        text_center(p, FONT_SMALL, &lab, theme.dim, "earlier steps");
        draw_earlier(p, ui, x, y + lh, w, bottom);
    }
}

/* ---- statistics -------------------------------------------------------------- */

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void draw_numbers(const Painter *p, const Ui *ui, int x, int y, int w)
{
    const Sim *sim = model_sim(&ui->m);
    const SimStats *st = sim_stats(sim);
    int lh = p->fonts->lh[FONT_NORMAL];
    char l[4][200];
    snprintf(l[0], sizeof l[0], "references %-7" PRIu64 " TLB hit rate %.1f%% (%" PRIu64 " hits, %" PRIu64 " misses)",
             st->references, pct(st->tlb_hits, st->references), st->tlb_hits, st->tlb_misses);
    snprintf(l[1], sizeof l[1], "page faults %-6" PRIu64 " minor %" PRIu64 ", major %" PRIu64 ", segfaults %" PRIu64
             ", OOM kills %" PRIu64, st->page_faults, st->minor_faults, st->major_faults,
             st->segfaults + st->arch_faults, st->oom_kills);
    snprintf(l[2], sizeof l[2], "evictions %-8" PRIu64 " write-backs %" PRIu64 ", swap-ins %" PRIu64
             ", table pages %" PRIu64, st->evictions, st->writebacks, st->swap_ins, st->table_pages);
    snprintf(l[3], sizeof l[3], "effective access time %.1f cycles (walks read %" PRIu64 " entries)",
             st->references ? (double)st->cycles / (double)st->references : 0.0, st->walk_reads);
    for (int i = 0; i < 4; i++)
        text_draw(p, FONT_NORMAL, x, y + i * lh, theme.text, l[i], w);
}

/* A series over the chart: value(i) / max scaled to the chart's height. */
static void plot(const Painter *p, const SDL_Rect *c, const Sample *s, size_t n, uint64_t stride,
                 uint64_t now, int which, double max, SDL_Color col)
{
    SDL_Point pts[512];
    size_t step = n > 512 ? (n + 511) / 512 : 1, k = 0;
    for (size_t i = 0; i < n && k < 512; i += step) {
        double v = which == 0 ? (double)s[i].faults : which == 1 ? (double)s[i].evictions
                 : pct(s[i].tlb_hits, s[i].refs);
        double fx = now ? (double)(i * stride) / (double)now : 0;
        pts[k++] = (SDL_Point){ c->x + (int)(fx * (c->w - 1)), c->y + c->h - 1 - (int)(v / max * (c->h - 2)) };
    }
    SDL_SetRenderDrawColor(p->r, col.r, col.g, col.b, col.a);
    if (k > 1)
        SDL_RenderDrawLines(p->r, pts, (int)k);
    for (size_t i = 0; i < k; i++) {
        SDL_Rect d = { pts[i].x - 1, pts[i].y - 1, 3, 3 };
        if (k < 64)
            SDL_RenderFillRect(p->r, &d);
    }
}

static void draw_chart(const Painter *p, const Ui *ui)
{
    const SDL_Rect *c = &ui->L.chart;
    size_t n;
    uint64_t stride, now = model_now(&ui->m);
    const Sample *s = model_samples(&ui->m, &n, &stride);
    fill(p, c, mix(theme.panel, theme.bg, 0.6f));
    for (int i = 1; i < 4; i++)
        hline(p, c->x, c->x + c->w - 1, c->y + c->h * i / 4, theme.border);
    double max = 1;
    for (size_t i = 0; i < n; i++) {
        max = (double)s[i].faults > max ? (double)s[i].faults : max;
        max = (double)s[i].evictions > max ? (double)s[i].evictions : max;
    }
    if (now && n > 0) {
        plot(p, c, s, n, stride, now, 2, 100, theme.hit);
        plot(p, c, s, n, stride, now, 1, max, theme.evict);
        plot(p, c, s, n, stride, now, 0, max, theme.fault);
    } else {
        text_center(p, FONT_SMALL, c, theme.dim, "the chart grows as you step");
    }
    char leg[160];
    snprintf(leg, sizeof leg, "over steps 0-%llu:", (unsigned long long)now);
    int y = c->y + c->h + ui->L.gap, x = c->x;
    x += text_draw(p, FONT_SMALL, x, y, theme.dim, leg, 0) + p->fonts->cw[FONT_SMALL];
    snprintf(leg, sizeof leg, "\u2500 faults (top %.0f) ", max);
    x += text_draw(p, FONT_SMALL, x, y, theme.fault, leg, 0);
    x += text_draw(p, FONT_SMALL, x, y, theme.evict, "\u2500 evictions ", 0);
    text_draw(p, FONT_SMALL, x, y, theme.hit, "\u2500 TLB hit rate (0-100%)", c->x + c->w - x);
}

void draw_stats(const Painter *p, const Ui *ui, const Scene *sc)
{
    const SDL_Rect *r = &ui->L.stats_panel;
    panel(p, r, "Statistics");
    int pad = ui->L.pad;
    draw_numbers(p, ui, r->x + pad, r->y + p->fonts->lh[FONT_SMALL] + pad, r->w - 2 * pad);
    draw_chart(p, ui);
    (void)sc;
}
