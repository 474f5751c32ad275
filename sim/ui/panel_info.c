/* The event log in words and the statistics with their chart. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/describe.h"

/* One event line at x, y: the playing one banded and marked. */
static void event_line(const Painter *p, const Ui *ui, const Scene *sc, FontId f, size_t i, int x, int y,
                       int w, const char *extra)
{
    const Sim *sim = model_sim(&ui->m);
    int lh = p->fonts->lh[f], cw = p->fonts->cw[f];
    SimEvent e = ui->m.ev[i].ev;
    e.detail = ui->m.ev[i].detail;
    char words[320];
    describe_event(sim, &e, words, sizeof words);
    if (extra)
        snprintf(words + strlen(words), sizeof words - strlen(words), "%s", extra);
    bool playing = (long)i == sc->cur;
    if (playing) {
        SDL_Rect band = { x - 2, y, w + 4, lh };
        fill(p, &band, (SDL_Color){ 242, 194, 60, 60 });
        text_draw(p, f, x, y, theme.accent, "\u25b6", 0);
    }
    bool head = e.kind == EV_ACCESS || e.kind == EV_SWITCH || e.kind == EV_SKIP || (e.kind == EV_SYSCALL && i == 0);
    int indent = head ? 1 : 3;
    text_draw(p, f, x + indent * cw, y, head ? theme.accent : tone_color(event_tone(&e)), words, w - indent * cw);
}

/* The step on show, event by event, in up to `cols` columns of `rows` lines. When
 * they do not all fit, the first line (the access) stays and the latest are shown.
 * Returns the y below the lines. */
static int draw_current(const Painter *p, const Ui *ui, const Scene *sc, FontId f, int x, int y, int w,
                        int rows, int cols)
{
    int lh = p->fonts->lh[f], gap = 2 * p->fonts->cw[f];
    size_t n = sc->upto, room = (size_t)(rows * cols);
    if (rows < 1 || !n)
        return y;
    size_t skip_to = n > room && room > 1 ? n - room + 1 : 0, shown = n > room ? room : n;
    int per = (int)((shown + (size_t)cols - 1) / (size_t)cols);
    int cw = (w - gap * (cols - 1)) / cols;
    char extra[64];
    snprintf(extra, sizeof extra, "  (%zu line%s hidden)", skip_to - 1, skip_to == 2 ? "" : "s");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && i < skip_to)
            continue;
        int col = (int)k / per, row = (int)k % per;
        event_line(p, ui, sc, f, i, x + col * (cw + gap), y + row * lh, cw, i == 0 && skip_to > 1 ? extra : NULL);
        k++;
    }
    return y + per * lh;
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

/* How the log panel is split: the font, columns for the step on show, lines kept for
 * earlier steps. The step comes first; earlier steps get what is left (at least two
 * lines when there are any). */
typedef struct LogPlan {
    FontId f;
    int rows, cols, keep;
} LogPlan;

static LogPlan log_plan(const Painter *p, int w, int h, int need, bool earlier)
{
    LogPlan lp = { FONT_NORMAL, h / p->fonts->lh[FONT_NORMAL], 1, 0 };
    int min_keep = earlier ? 2 : 0, sep = earlier ? 1 : 0;
    if (need + sep + min_keep > lp.rows) {
        lp.f = FONT_SMALL;
        lp.rows = h / p->fonts->lh[FONT_SMALL];
    }
    int per = need;
    if (need + sep + min_keep > lp.rows && w >= 2 * 50 * p->fonts->cw[FONT_SMALL]) {
        lp.cols = 2;                     /* a long step in two columns */
        per = (need + 1) / 2;
    }
    lp.keep = earlier ? lp.rows - per - sep : 0;
    if (lp.keep < min_keep)
        lp.keep = earlier && lp.rows > 8 ? min_keep : 0;
    return lp;
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
    LogPlan lp = log_plan(p, w, bottom - y, sc->upto ? (int)sc->upto : 1, now > 1);
    int lh = p->fonts->lh[lp.f];
    if (!sc->upto) {
        text_draw(p, FONT_NORMAL, x, y, theme.dim, now ? "(nothing happened)" :
                  "Nothing yet: step with \u2192 or Space, run with Enter, H for help.", w);
        y += lh;
    }
    y = draw_current(p, ui, sc, lp.f, x, y, w, lp.rows - lp.keep - (lp.keep ? 1 : 0), lp.cols);
    if (lp.keep && y + lh + p->fonts->lh[FONT_SMALL] <= bottom) {
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

/* a moved from a toward b by at most n. */
static uint64_t count_up(uint64_t a, uint64_t b, uint64_t n)
{
    return b > a && b - a > n ? a + n : b;
}

/* The counters as the animation has got to: before the step, plus one for each event
 * played that adds to them (never past the step's end). */
static void stats_shown(const Ui *ui, const Scene *sc, SimStats *st)
{
    const Model *m = &ui->m;
    const SimStats *end = sim_stats(model_sim(m)), *b = &m->before;
    *st = *end;
    if (!anim_active(&ui->anim) || sc->upto >= m->nev)
        return;
    uint64_t n[EV_NOTE + 1] = { 0 }, kills = 0;   /* kinds counted are all before EV_NOTE */
    for (size_t i = 0; i < sc->upto; i++) {
        if ((size_t)m->ev[i].ev.kind < sizeof n / sizeof n[0])
            n[m->ev[i].ev.kind]++;
        kills += m->ev[i].ev.kind == EV_OOM && m->ev[i].ev.oom == OOM_KILLED;
    }
    st->references = count_up(b->references, end->references, n[EV_ACCESS]);
    st->tlb_hits = count_up(b->tlb_hits, end->tlb_hits, n[EV_TLB_HIT]);
    st->page_faults = count_up(b->page_faults, end->page_faults, n[EV_FAULT]);
    st->minor_faults = count_up(b->minor_faults, end->minor_faults, n[EV_FAULT]);
    uint64_t minor = st->minor_faults - b->minor_faults;
    st->major_faults = count_up(b->major_faults, end->major_faults, n[EV_FAULT] > minor ? n[EV_FAULT] - minor : 0);
    st->evictions = count_up(b->evictions, end->evictions, n[EV_EVICT]);
    st->writebacks = count_up(b->writebacks, end->writebacks, n[EV_WRITEBACK]);
    st->swap_ins = count_up(b->swap_ins, end->swap_ins, n[EV_SWAP_IN]);
    st->table_pages = count_up(b->table_pages, end->table_pages, n[EV_TABLE_ALLOC]);
    st->segfaults = count_up(b->segfaults, end->segfaults, n[EV_SEGV]);
    st->arch_faults = b->arch_faults;
    st->oom_kills = count_up(b->oom_kills, end->oom_kills, kills);
    st->cycles = b->cycles + (end->cycles - b->cycles) * sc->upto / m->nev;
}

/* The counters as a table of two label/value columns, then the effective access time. */
static void draw_numbers(const Painter *p, const Ui *ui, const Scene *sc, int x, int y, int w)
{
    SimStats shown;
    stats_shown(ui, sc, &shown);
    const SimStats *st = &shown;
    int lh = p->fonts->lh[FONT_NORMAL], cw = p->fonts->cw[FONT_NORMAL];
    char v[12][48];
    snprintf(v[0], sizeof v[0], "%" PRIu64, st->references);
    snprintf(v[1], sizeof v[1], "%.1f%% (%" PRIu64 "/%" PRIu64 ")", pct(st->tlb_hits, st->references),
             st->tlb_hits, st->references);
    snprintf(v[2], sizeof v[2], "%" PRIu64, st->page_faults);
    snprintf(v[3], sizeof v[3], "%" PRIu64 " / %" PRIu64, st->minor_faults, st->major_faults);
    snprintf(v[4], sizeof v[4], "%" PRIu64, st->evictions);
    snprintf(v[5], sizeof v[5], "%" PRIu64, st->writebacks);
    snprintf(v[6], sizeof v[6], "%" PRIu64, st->swap_ins);
    snprintf(v[7], sizeof v[7], "%" PRIu64, st->table_pages);
    snprintf(v[8], sizeof v[8], "%" PRIu64, st->segfaults + st->arch_faults);
    snprintf(v[9], sizeof v[9], "%" PRIu64, st->oom_kills);
    static const char *const label[10] = {
        "references", "TLB hit rate", "page faults", "minor/major", "evictions", "write-backs",
        "swap-ins", "table pages", "segfaults", "OOM kills",
    };
    int half = w / 2, lw = 13 * cw;
    if ((int)text_len(v[1]) * cw > half - lw - cw)     /* no room for the counts */
        snprintf(v[1], sizeof v[1], "%.1f%%", pct(st->tlb_hits, st->references));
    for (int i = 0; i < 10; i++) {
        int cx = x + (i % 2) * half, cy = y + (i / 2) * lh;
        text_draw(p, FONT_NORMAL, cx, cy, theme.dim, label[i], lw);
        text_draw(p, FONT_NORMAL, cx + lw, cy, i == 8 && st->segfaults + st->arch_faults ? theme.segv
                  : i == 9 && st->oom_kills ? theme.oom : theme.text, v[i], half - lw - cw);
    }
    snprintf(v[10], sizeof v[10], "%.1f cycles", st->references ? (double)st->cycles / (double)st->references : 0.0);
    text_draw(p, FONT_NORMAL, x, y + 5 * lh, theme.dim, "effective access time", 0);
    text_draw(p, FONT_NORMAL, x + 22 * cw, y + 5 * lh, theme.text, v[10], w - 22 * cw);
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
    snprintf(leg, sizeof leg, "\u2500 faults (top line %.0f) ", max);
    x += text_draw(p, FONT_SMALL, x, y, theme.fault, leg, 0);
    x += text_draw(p, FONT_SMALL, x, y, theme.evict, "\u2500 evictions ", 0);
    text_draw(p, FONT_SMALL, x, y, theme.hit, "\u2500 TLB hit %", c->x + c->w - x);
}

void draw_stats(const Painter *p, const Ui *ui, const Scene *sc)
{
    const SDL_Rect *r = &ui->L.stats_panel;
    panel(p, r, "Statistics");
    int pad = ui->L.pad;
    draw_numbers(p, ui, sc, r->x + pad, r->y + p->fonts->lh[FONT_SMALL] + pad, r->w - 2 * pad);
    draw_chart(p, ui);
}
