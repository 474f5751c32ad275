/* The memory panels: the TLBs (sets x ways), the frame pool, the processes and swap. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/describe.h"
#include "vmsim/oom.h"

/* Age of event index i, or -1 when there is none. */
static double age_of(const Ui *ui, long i)
{
    return i < 0 ? -1 : anim_age(&ui->anim, &ui->m, (size_t)i);
}

/* The set this step looked up in TLB k, or -1: the first level for the access (and
 * the L2 TLB after a first-level miss). */
static long lit_set(const Ui *ui, const Scene *sc, SimTlb k, bool *hit, unsigned *hit_way)
{
    const Sim *sim = model_sim(&ui->m);
    const Tlb *t = sim_tlb_at(sim, k);
    *hit = false;
    if (!sc->access || sc->tlb == TLB_NONE || !t->entries)
        return -1;
    SimTlb first = sim_tlb_first(sim, sc->op);
    SimTlb which;
    unsigned set, way;
    if (sc->tlb == TLB_HIT && sim_tlb_probe(sim, sc->pid, sc->va, sc->op, &which, &set, &way) &&
        which == k) {
        *hit = true;
        *hit_way = way;
        return set;
    }
    if (k != first && !(k == SIM_STLB && sc->tlb == TLB_MISS))
        return -1;
    unsigned shift = sc->tlb_shift ? sc->tlb_shift : sim_machine(sim)->geo.page_shift;
    return tlb_set_of(t, sc->va, shift);
}

/* "page->frame", and below it when there is room the entry's permissions and ASID. */
static void tlb_cell_text(const Painter *p, const SDL_Rect *r, const TlbEntry *e, SDL_Color c)
{
    char s[48], t[48];
    snprintf(s, sizeof s, "%" PRIx64 "\u2192%" PRIu64, e->tag, e->pfn);
    snprintf(t, sizeof t, "%c%c%c%c%c a%u", e->flags & PTE_R ? 'R' : '-', e->flags & PTE_W ? 'W' : '-',
             e->flags & PTE_X ? 'X' : '-', e->flags & PTE_D ? 'D' : '-', e->flags & PTE_G ? 'G' : '-', e->asid);
    int lh = p->fonts->lh[FONT_SMALL];
    if (r->h < lh || r->w <= 3 * p->fonts->cw[FONT_SMALL])
        return;
    bool two = r->h >= 2 * lh + 2;
    int y = r->y + (r->h - (two ? 2 : 1) * lh) / 2;
    text_draw(p, FONT_SMALL, r->x + 3, y, c, s, r->w - 4);
    if (two)
        text_draw(p, FONT_SMALL, r->x + 3, y + lh, mix(c, theme.panel, 0.3f), t, r->w - 4);
}

/* One entry's cell: empty, valid, the hit (green) or the entry just filled (blue). */
static void draw_tlb_entry(const Painter *p, const Ui *ui, const Scene *sc, const TlbEntry *e,
                           const SDL_Rect *r, bool is_hit, bool is_fill)
{
    SDL_Color c = e->valid ? (SDL_Color){ 62, 68, 84, 255 } : mix(theme.panel, theme.bg, 0.6f);
    if (is_hit)
        c = theme.hit;
    fill(p, r, c);
    if (e->valid)
        tlb_cell_text(p, r, e, is_hit ? (SDL_Color){ 10, 30, 16, 255 } : theme.text);
    if (is_fill) {
        float k = pulse(age_of(ui, sc->upto ? (long)sc->upto - 1 : -1), FX_FILL_MS);
        outline(p, r, mix(theme.fill, theme.text, k), 2);
    }
}

/* True while this step's TLB fill has yet to play. */
static bool fill_pending(const Ui *ui, const Scene *sc)
{
    for (size_t i = sc->upto; i < ui->m.nev; i++)
        if (ui->m.ev[i].ev.kind == EV_TLB_FILL)
            return true;
    return false;
}

/* What one TLB's drawing needs to know about this step. */
typedef struct TlbView {
    SimTlb k;
    const Tlb *t;
    unsigned first;          /* first set in view */
    long lit;                /* the set looked up, or -1 */
    bool hit;                /* the entry hit is in this TLB, at way hit_way of set lit */
    unsigned hit_way;
    bool later;              /* this step's fill has yet to play */
} TlbView;

/* One set's row(s): the band behind a looked-up set, its number, its ways. */
static void draw_tlb_set(const Painter *p, const Ui *ui, const Scene *sc, const TlbView *v, unsigned s)
{
    const Layout *L = &ui->L;
    const TlbGrid *gr = &L->tlb[v->k];
    SDL_Rect c0;
    layout_tlb_cell(L, v->k, v->first, s, 0, &c0);
    bool is_lit = (long)s == v->lit;
    if (is_lit) {
        SDL_Rect band = { gr->box.x, c0.y - 1, gr->box.w, gr->cell_h * (int)gr->rows_per_set + 1 };
        SDL_Color miss = theme.miss;
        fill(p, &band, v->hit ? (SDL_Color){ 242, 194, 60, 110 } : (SDL_Color){ miss.r, miss.g, miss.b, 150 });
    }
    char lab[16];
    snprintf(lab, sizeof lab, "%u", s);
    if (gr->label_w > 0)                     /* a fully associative TLB has no set number */
        text_draw(p, FONT_SMALL, gr->box.x + 2, c0.y + (gr->cell_h - p->fonts->lh[FONT_SMALL]) / 2,
                  is_lit ? theme.text : theme.dim, lab, gr->label_w - 2);
    for (unsigned w = 0; w < v->t->ways; w++) {
        SDL_Rect r;
        if (!layout_tlb_cell(L, v->k, v->first, s, w, &r))
            continue;
        const TlbEntry *e = tlb_entry_at(v->t, s, w);
        bool mine = e->valid && e->tag == sc->va >> e->shift;
        if (v->later && mine) {              /* filled later in this step: not yet */
            TlbEntry empty = { .valid = 0 };
            draw_tlb_entry(p, ui, sc, &empty, &r, false, false);
            continue;
        }
        draw_tlb_entry(p, ui, sc, e, &r, is_lit && v->hit && w == v->hit_way, is_lit && sc->filled && mine);
    }
}

static void draw_tlb(const Painter *p, const Ui *ui, const Scene *sc, SimTlb k)
{
    const Sim *sim = model_sim(&ui->m);
    const TlbGrid *gr = &ui->L.tlb[k];
    TlbView v = { .k = k, .t = sim_tlb_at(sim, k) };
    v.lit = lit_set(ui, sc, k, &v.hit, &v.hit_way);
    v.first = layout_tlb_first_set(&ui->L, v.t, k, v.lit);
    v.later = sc->access && fill_pending(ui, sc);
    char head[128];
    if (v.t->sets == 1)
        snprintf(head, sizeof head, "%s %u entries, fully associative, %s", describe_tlb(sim, k, true),
                 v.t->entries, tlb_policy_name(v.t->policy));
    else
        snprintf(head, sizeof head, "%s %u entries, %u-way, %u sets, %s", describe_tlb(sim, k, true),
                 v.t->entries, v.t->ways, v.t->sets, tlb_policy_name(v.t->policy));
    text_draw(p, FONT_SMALL, gr->box.x, gr->box.y, theme.dim, head, gr->box.w);
    for (unsigned s = v.first; s < v.first + gr->vis_sets && s < v.t->sets; s++)
        draw_tlb_set(p, ui, sc, &v, s);
    if (gr->vis_sets < v.t->sets) {
        snprintf(head, sizeof head, "sets %u-%u of %u", v.first, v.first + gr->vis_sets - 1, v.t->sets);
        int tw = text_width(p->fonts, FONT_SMALL, head);
        text_draw(p, FONT_SMALL, gr->box.x + gr->box.w - tw, gr->box.y, theme.dim, head, 0);
    }
}

void draw_tlbs(const Painter *p, const Ui *ui, const Scene *sc)
{
    panel(p, &ui->L.tlb_panel, "TLB: page\u2192frame, by set");
    bool any = false;
    for (int k = 0; k < SIM_TLBS; k++) {
        if (ui->L.tlb[k].present) {
            draw_tlb(p, ui, sc, (SimTlb)k);
            any = true;
        }
    }
    if (!any) {
        const SDL_Rect *r = &ui->L.tlb_panel;
        SDL_Rect in = { r->x, r->y, r->w, r->h };
        text_center(p, FONT_NORMAL, &in, theme.dim, "no TLB: every access walks");
    }
}

/* The TLB cell under (x, y): which TLB, set and way. */
static bool tlb_cell_at(const Ui *ui, const Scene *sc, int x, int y, SimTlb *k, unsigned *set, unsigned *way)
{
    const Sim *sim = model_sim(&ui->m);
    for (int i = 0; i < SIM_TLBS; i++) {
        const Tlb *t = sim_tlb_at(sim, (SimTlb)i);
        const TlbGrid *gr = &ui->L.tlb[i];
        if (!gr->present || !rect_has(&gr->grid, x, y))
            continue;
        bool hit;
        unsigned hw;
        unsigned first = layout_tlb_first_set(&ui->L, t, (SimTlb)i, lit_set(ui, sc, (SimTlb)i, &hit, &hw));
        for (unsigned s = first; s < first + gr->vis_sets && s < t->sets; s++) {
            for (unsigned w = 0; w < t->ways; w++) {
                SDL_Rect r;
                if (layout_tlb_cell(&ui->L, (SimTlb)i, first, s, w, &r) && rect_has(&r, x, y)) {
                    *k = (SimTlb)i;
                    *set = s;
                    *way = w;
                    return true;
                }
            }
        }
    }
    return false;
}

bool hover_tlb(const Ui *ui, const Scene *sc, int x, int y, char *buf, size_t len)
{
    const Sim *sim = model_sim(&ui->m);
    SimTlb k;
    unsigned s, w;
    if (!tlb_cell_at(ui, sc, x, y, &k, &s, &w))
        return false;
    const Tlb *t = sim_tlb_at(sim, k);
    const TlbEntry *e = tlb_entry_at(t, s, w);
    if (!e->valid) {
        snprintf(buf, len, "%s set %u way %u: empty", describe_tlb(sim, k, true), s, w);
        return true;
    }
    unsigned f = e->flags;
    snprintf(buf, len, "%s set %u way %u\npage 0x%" PRIx64 " (tag 0x%" PRIx64 ", %llu KiB)\n"
             "frame %" PRIu64 "\nASID %u%s\nallows %s%s%s%s%s", describe_tlb(sim, k, true), s, w, e->tag << e->shift,
             e->tag, (unsigned long long)(1ull << e->shift) / 1024, e->pfn, e->asid,
             (f & PTE_G) ? " (global)" : "", f & PTE_R ? "read " : "", f & PTE_W ? "write " : "",
             f & PTE_X ? "execute " : "", f & PTE_U ? "(user)" : "(supervisor)",
             f & PTE_D ? "; dirty" : "");
    return true;
}

/* ---- frames ---------------------------------------------------------------- */

/* The event of this step that changes frame pfn (filled, emptied, released by a
 * kill), or -1. While it has not played, the frame is drawn as it was. */
static long change_event(const Ui *ui, pfn_t pfn)
{
    const Model *m = &ui->m;
    if (!m->prev_valid || pfn >= m->nprev)
        return -1;
    for (size_t i = 0; i < m->nev; i++) {
        const SimEvent *e = &m->ev[i].ev;
        bool mine = (e->kind == EV_EVICT || e->kind == EV_FRAME_ALLOC || e->kind == EV_TABLE_ALLOC) && e->pfn == pfn;
        if (mine || (e->kind == EV_KILL && m->prev[pfn].kind != FRAME_FREE && e->pid == m->prev[pfn].pid))
            return (long)i;
    }
    return -1;
}

static bool pending(const Scene *sc, long ev)
{
    return ev >= 0 && (size_t)ev >= sc->upto;
}

/* The colour a frame shows: its owner's, darker for tables, grey when free; until
 * this step's event for it plays, what it was; a frame freed by a kill fades out. */
static SDL_Color frame_color(const Ui *ui, const Scene *sc, const Frame *f, pfn_t pfn, long ch)
{
    const Model *m = &ui->m;
    if (pending(sc, ch)) {
        uint8_t k = m->prev[pfn].kind;
        return k == FRAME_DATA ? owner_color(m->prev[pfn].pid) : k == FRAME_TABLE ? table_color(m->prev[pfn].pid)
                                                                : theme.free_frame;
    }
    if (f->kind == FRAME_DATA)
        return owner_color(f->pid);
    if (f->kind == FRAME_TABLE)
        return table_color(f->pid);
    if (sc->killed && m->prev_valid && pfn < m->nprev && m->prev[pfn].pid == sc->killed_pid &&
        m->prev[pfn].kind != FRAME_FREE) {
        double age = age_of(ui, sc->kill_ev);
        SDL_Color was = m->prev[pfn].kind == FRAME_TABLE ? table_color(sc->killed_pid)
                                                         : owner_color(sc->killed_pid);
        if (age >= 0)
            return mix(mix(was, theme.segv, pulse(age, FX_KILL_MS) * 0.7f), theme.free_frame, (float)(age / FX_KILL_MS));
        return was;
    }
    return theme.free_frame;
}

static void frame_marks(const Painter *p, const SDL_Rect *r, bool ref, bool dirty)
{
    int d = r->h / 4 > 2 ? r->h / 4 : 2;
    if (ref) {
        SDL_Rect dot = { r->x + r->w - d - 2, r->y + 2, d, d };
        fill(p, &dot, theme.text);
    }
    if (dirty) {
        SDL_Color c = theme.evict;
        for (int i = 0; i < d + 1; i++)
            hline(p, r->x + r->w - 2 - i, r->x + r->w - 2, r->y + r->h - 3 - (d - i), c);
    }
}

/* The frame number, then what it holds (a table's level or a page's number), then
 * whose it is, as many lines as fit; the bottom 3 pixels stay clear. */
static void frame_text(const Painter *p, const SDL_Rect *r, const Frame *f, pfn_t pfn, const Sim *sim,
                       bool was, vaddr_t was_va, size_t owners)
{
    const Geometry *g = &sim_machine(sim)->geo;
    int lh = p->fonts->lh[FONT_SMALL], cw = p->fonts->cw[FONT_SMALL];
    const Process *pr = f->kind == FRAME_FREE ? NULL : sim_proc_by_pid(sim, f->pid);
    char l[3][64];
    snprintf(l[0], sizeof l[0], "%" PRIu64, pfn);
    if (f->kind == FRAME_TABLE)
        snprintf(l[1], sizeof l[1], "%s", geo_level_name(g, f->level));
    else if (f->kind == FRAME_DATA)
        snprintf(l[1], sizeof l[1], "pg %" PRIx64, f->va >> g->page_shift);
    else
        l[1][0] = '\0';
    snprintf(l[2], sizeof l[2], "%.32s", pr ? pr->name : "");
    if (owners > 1)                      /* shared since fork: the others on hover */
        snprintf(l[2], sizeof l[2], "%.20s +%zu", pr ? pr->name : "?", owners - 1);
    if (was)
        snprintf(l[2], sizeof l[2], "was pg %" PRIx64, was_va >> g->page_shift);
    SDL_Color c = f->kind == FRAME_FREE ? theme.dim : theme.text;
    if (r->w < 2 * cw + 6)
        return;
    for (int i = 0; i < 3 && r->h >= (i + 1) * lh + 6; i++)
        text_draw(p, FONT_SMALL, r->x + 3, r->y + 2 + i * lh, i == 2 && was ? (SDL_Color){ 255, 200, 140, 255 }
                  : c, l[i],
                  r->w - 4 - (i == 0 ? r->h / 4 + 2 : 0));
}

/* Outlines: the clock hand, the frame this step reached, the frame it evicted. */
static void frame_outlines(const Painter *p, const Ui *ui, const Scene *sc, const SDL_Rect *r, pfn_t pfn)
{
    pfn_t hand = policy_hand(sim_policy(model_sim(&ui->m)));
    if (sc->translated && pfn == sc->pfn)
        outline(p, r, theme.hit, 2);
    if (sc->victim_pfn == pfn && !sc->evicted) {
        SDL_Color c = mix(theme.evict, theme.text, pulse(age_of(ui, sc->victim_ev), FX_VICTIM_MS));
        outline(p, r, c, 3);
    }
    if (sc->evicted && pfn == sc->evict_pfn) {
        /* A ring bursts out of the victim, then an orange frame stays round it. */
        float k = fade(age_of(ui, sc->evict_ev), FX_EVICT_MS);
        int grow = k > 0 ? (int)((1 - k) * 2 * ui->L.u) : 0;
        SDL_Rect ring = { r->x - 4 - grow, r->y - 4 - grow, r->w + 8 + 2 * grow, r->h + 8 + 2 * grow };
        SDL_Color c = theme.evict;
        c.a = (Uint8)(k > 0 ? 80 + 175 * k : 255);
        outline(p, &ring, c, 2);
    }
    if (hand != PFN_NONE && pfn == hand) {
        SDL_Rect o = { r->x - 2, r->y - 2, r->w + 4, r->h + 4 };
        outline(p, &o, theme.accent, 2);
    }
}

static void frames_heading(const Painter *p, const Ui *ui)
{
    const Sim *sim = model_sim(&ui->m);
    const FramePool *fp = sim_frames(sim);
    const MachineConfig *mc = sim_machine(sim);
    char head[192];
    int n = snprintf(head, sizeof head, "Frames: %zu \u00d7 %llu B, %s%s: %zu data, %zu tables, %zu free",
                     fp->nframes, (unsigned long long)geo_page_size(&mc->geo), policy_name(mc->memory.policy),
                     mc->memory.local ? " (local)" : "", fp->in_use[FRAME_DATA], fp->in_use[FRAME_TABLE],
                     fp->in_use[FRAME_FREE]);
    if (ui->L.fshown < fp->nframes && n > 0 && (size_t)n < sizeof head)
        snprintf(head + n, sizeof head - (size_t)n, " (first %zu shown)", ui->L.fshown);
    else if (fp->separate_tables && n > 0 && (size_t)n < sizeof head)
        snprintf(head + n, sizeof head - (size_t)n, "; tables kept apart");
    panel(p, &ui->L.frames_panel, head);
}

static void frames_legend(const Painter *p, const Ui *ui)
{
    const SDL_Rect *g = &ui->L.frames_grid;
    int y = ui->L.frames_panel.y + ui->L.frames_panel.h - ui->L.pad - p->fonts->lh[FONT_SMALL];
    int x = g->x, cw = p->fonts->cw[FONT_SMALL];
    struct { SDL_Color c; const char *s; } items[] = {
        { owner_color(1), "\u25a0 data " }, { mix(table_color(1), theme.text, 0.2f), "\u25a0 table " },
        { theme.free_frame, "\u25a0 free " }, { theme.text, "\u25cf R bit " },
        { theme.evict, "\u25b2 dirty " }, { theme.accent, "\u25a1 hand " },
        { theme.hit, "\u25a1 reached " }, { theme.evict, "\u25a1 evicted " },
        { theme.next, "\u25bc next" },
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        int w = text_width(p->fonts, FONT_SMALL, items[i].s);
        if (x + w > g->x + g->w + cw)
            break;
        SDL_Color c = items[i].c;
        if (i == 2)
            c = mix(c, theme.text, 0.35f);
        text_draw(p, FONT_SMALL, x, y, c, items[i].s, 0);
        x += w;
    }
}

/* A copy-on-write fault: a line from the shared frame to the new copy, "copy" on it. */
static void draw_cow_copy(const Painter *p, const Ui *ui, const Scene *sc)
{
    pfn_t src, dst;
    SDL_Rect a, b;
    if (!why_cow(&ui->m, sc->upto, &src, &dst) || !sc->translated || dst == src ||
        !layout_frame_cell(&ui->L, src, &a) || !layout_frame_cell(&ui->L, dst, &b))
        return;
    int x0 = a.x + a.w / 2, y0 = a.y + a.h / 2, x1 = b.x + b.w / 2, y1 = b.y + b.h / 2;
    SDL_SetRenderDrawColor(p->r, theme.fill.r, theme.fill.g, theme.fill.b, 255);
    for (int d = -1; d <= 1; d++) {
        SDL_RenderDrawLine(p->r, x0 + d, y0, x1 + d, y1);
        SDL_RenderDrawLine(p->r, x0, y0 + d, x1, y1 + d);
    }
    int k = ui->L.u / 3 + 2;
    SDL_Rect head = { x1 - k, y1 - k, 2 * k, 2 * k }, dot = { x0 - k / 2, y0 - k / 2, k, k };
    outline(p, &head, theme.fill, 2);
    fill(p, &dot, theme.fill);
    int cw = p->fonts->cw[FONT_SMALL], lh = p->fonts->lh[FONT_SMALL];
    SDL_Rect lab = { (x0 + x1) / 2 - 2 * cw - 2, (y0 + y1) / 2 - lh / 2, 4 * cw + 4, lh };
    fill(p, &lab, theme.fill);
    text_center(p, FONT_SMALL, &lab, theme.bg, "copy");
}

/* The frame the policy would evict next: "\u25bcnext" after its number. */
static void draw_next_victim(const Painter *p, const Ui *ui)
{
    pfn_t nv = describe_next_victim(model_sim(&ui->m));
    SDL_Rect r;
    if (anim_active(&ui->anim) || nv == PFN_NONE ||   /* the state is the step's end */ !layout_frame_cell(&ui->L, nv, &r))
        return;
    int cw = p->fonts->cw[FONT_SMALL];
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRIu64 " ", nv);
    int x = r.x + 3 + n * cw, room = r.x + r.w - 4 - (r.h / 4 + 2) - x;
    SDL_Rect o = { r.x + 1, r.y + 1, r.w - 2, r.h - 2 };
    outline(p, &o, theme.next, 1);
    if (room >= 5 * cw)
        text_draw(p, FONT_SMALL, x, r.y + 2, theme.next, "\u25bcnext", room);
    else
        text_draw(p, FONT_SMALL, r.x + r.w - 1 - (r.h / 4 + 2) - cw, r.y + 2, theme.next, "\u25bc", 0);
}

/* Under the grid: this step's victim and why, or the policy's state; the next victim. */
static void draw_policy_line(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Sim *sim = model_sim(&ui->m);
    const SDL_Rect *r = &ui->L.policy_line;
    char s[1024], why[768], next[48] = "";
    pfn_t nv = anim_active(&ui->anim) ? PFN_NONE : describe_next_victim(sim);
    if (nv != PFN_NONE)
        snprintf(next, sizeof next, "\u25bcnext victim: frame %" PRIu64 ".  ", nv);
    int x = r->x + text_draw(p, FONT_SMALL, r->x, r->y, theme.next, next, r->w);
    if (sc->evicted && why_victim(&ui->m, sc->upto, sc->evict_pfn, why, sizeof why)) {
        snprintf(s, sizeof s, "Evicted frame %" PRIu64 ", why: %s", sc->evict_pfn, why);
        text_draw(p, FONT_SMALL, x, r->y, theme.evict, s, r->x + r->w - x);
        return;
    }
    describe_policy(sim, s, sizeof s);
    text_draw(p, FONT_SMALL, x, r->y, theme.dim, s, r->x + r->w - x);
}

void draw_frames(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Sim *sim = model_sim(&ui->m);
    const FramePool *fp = sim_frames(sim);
    const Policy *pol = sim_policy(sim);
    frames_heading(p, ui);
    for (pfn_t pfn = 0; pfn < ui->L.fshown; pfn++) {
        SDL_Rect r;
        layout_frame_cell(&ui->L, pfn, &r);
        const Frame *f = &fp->frames[pfn];
        long ch = anim_active(&ui->anim) ? change_event(ui, pfn) : -1;
        fill(p, &r, frame_color(ui, sc, f, pfn, ch));
        if (pending(sc, ch)) {
            /* Not changed yet: as it was before the step. */
            const FrameWas *w = &ui->m.prev[pfn];
            Frame old = { .kind = w->kind, .pid = w->pid, .level = w->level, .va = w->va };
            frame_text(p, &r, &old, pfn, sim, false, 0, 0);
            continue;
        }
        if (f->kind == FRAME_DATA)
            frame_marks(p, &r, policy_referenced(pol, pfn), f->dirty);
        bool was = sc->evicted && pfn == sc->evict_pfn;
        char names[256];
        size_t owners = f->refs > 1 ? describe_frame_owners(sim, pfn, names, sizeof names) : 0;
        frame_text(p, &r, f, pfn, sim, was, was ? ui->m.ev[sc->evict_ev].ev.victim_va : 0, owners);
    }
    for (pfn_t pfn = 0; pfn < ui->L.fshown; pfn++) {
        SDL_Rect r;
        layout_frame_cell(&ui->L, pfn, &r);
        frame_outlines(p, ui, sc, &r, pfn);
    }
    draw_cow_copy(p, ui, sc);
    draw_next_victim(p, ui);
    draw_policy_line(p, ui, sc);
    frames_legend(p, ui);
}

/* What the replacement policy keeps for a frame, in words: its name and, where it
 * keeps a number per frame, that number ("lru", "aging: age 0x80"). */
static void policy_words(const Policy *pol, pfn_t pfn, char *buf, size_t len)
{
    char w[64];
    policy_frame_words(pol, pfn, w, sizeof w);
    snprintf(buf, len, "%s%s%s", policy_ops(pol)->name, w[0] ? ": " : " replacement", w);
}

bool hover_frame(const Ui *ui, int x, int y, char *buf, size_t len)
{
    const Sim *sim = model_sim(&ui->m);
    const FramePool *fp = sim_frames(sim);
    const Geometry *g = &sim_machine(sim)->geo;
    if (!rect_has(&ui->L.frames_grid, x, y))
        return false;
    for (pfn_t pfn = 0; pfn < ui->L.fshown; pfn++) {
        SDL_Rect r;
        if (!layout_frame_cell(&ui->L, pfn, &r) || !rect_has(&r, x, y))
            continue;
        const Frame *f = &fp->frames[pfn];
        const Process *pr = sim_proc_by_pid(sim, f->pid);
        const char *who = pr ? pr->name : "?";
        char pw[96], names[256], shared[280] = "";
        if (f->refs > 1 && describe_frame_owners(sim, pfn, names, sizeof names) > 1)
            snprintf(shared, sizeof shared, "\nshared since fork by %s", names);
        policy_words(sim_policy(sim), pfn, pw, sizeof pw);
        paddr_t base = (paddr_t)pfn << g->page_shift;
        if (f->kind == FRAME_FREE)
            snprintf(buf, len, "frame %" PRIu64 " (0x%" PRIx64 "): free", pfn, base);
        else if (f->kind == FRAME_TABLE)
            snprintf(buf, len, "frame %" PRIu64 " (0x%" PRIx64 "): %s's %s table\ncovers addresses from 0x%" PRIx64
                     "\n%u entries in use", pfn, base, who, geo_level_name(g, f->level), f->va, f->used);
        else
            snprintf(buf, len, "frame %" PRIu64 " (0x%" PRIx64 "): %s's page 0x%" PRIx64 "%s\n%s%s%s\nswap copy: %s"
                     "\n%s", pfn, base, who, f->va, shared, f->file ? "file-backed" : "anonymous",
                     f->dirty ? ", dirty" : ", clean", policy_referenced(sim_policy(sim), pfn) ? ", referenced" : "",
                     f->swap_slot >= 0 ? "yes" : "none", pw);
        return true;
    }
    return false;
}

/* ---- processes and swap -------------------------------------------------- */

static void draw_swap(const Painter *p, const Ui *ui)
{
    const Swap *sw = sim_swap(model_sim(&ui->m));
    bool unlimited = sim_machine(model_sim(&ui->m))->swap.slots == SWAP_UNLIMITED;
    const SDL_Rect *b = &ui->L.swap_bar;
    char s[96];
    if (unlimited)
        snprintf(s, sizeof s, "swap: %llu slots used (no limit)", (unsigned long long)sw->used);
    else
        snprintf(s, sizeof s, "swap: %llu of %llu slots used", (unsigned long long)sw->used,
                 (unsigned long long)sw->limit);
    int lh = p->fonts->lh[FONT_SMALL];
    text_draw(p, FONT_SMALL, b->x, b->y - lh - 1, theme.dim, s, b->w);
    uint64_t n = unlimited ? (sw->created > 16 ? sw->created : 16) : sw->limit;
    fill(p, b, mix(theme.panel, theme.bg, 0.6f));
    if (!n)
        return;
    uint64_t cells = n < (uint64_t)b->w / 3 ? n : (uint64_t)b->w / 3;
    for (uint64_t i = 0; i < cells; i++) {
        uint64_t lo = i * n / cells, hi = (i + 1) * n / cells;
        bool used = false;
        for (uint64_t k = lo; k < hi && k < sw->created && !used; k++)
            used = swap_refs(sw, (int64_t)k) > 0;
        SDL_Rect c = { b->x + (int)(i * (uint64_t)b->w / cells), b->y,
                       (int)((uint64_t)b->w / cells) - 1, b->h };
        fill(p, &c, used ? theme.evict : theme.free_frame);
    }
}

/* One row of the process table (also its heading, with pr NULL); score is its
 * oom_score (the one the OOM killer weighed at a kill). */
static void proc_row(const Process *pr, unsigned score, char *s, size_t len)
{
    if (!pr) {
        snprintf(s, len, "%-4s %-8s %-7s %4s %4s %3s %4s", "PID", "NAME", "STATE", "RSS", "SWAP", "PT", "OOM");
        return;
    }
    snprintf(s, len, "%-4d %-8.8s %-7s %4llu %4llu %3llu %4u", pr->pid, pr->name, describe_proc_state(pr->state),
             (unsigned long long)pr->rss, (unsigned long long)pr->swap, (unsigned long long)pr->pt_pages, score);
}

/* The candidate the OOM report of the step weighed for pid, or NULL. */
static const OomCand *cand_of(const OomCand *c, size_t n, int pid)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].pid == pid)
            return &c[i];
    return NULL;
}

/* Under a candidate's row at an OOM kill: its badness, and which one was killed. */
static void cand_words(const OomCand *c, bool victim, char *s, size_t len)
{
    if (c->badness == OOM_UNKILLABLE)
        snprintf(s, len, "OOM: unkillable (oom_score_adj %d)", c->adj);
    else
        snprintf(s, len, "OOM badness %" PRId64 "%s", c->badness, victim ? ": the highest, killed" : "");
}

void draw_procs(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Sim *sim = model_sim(&ui->m);
    const SDL_Rect *r = &ui->L.procs_panel;
    panel(p, r, "Processes (counts in pages)");
    char s[160];
    proc_row(NULL, 0, s, sizeof s);
    int x = r->x + ui->L.pad, w = r->w - 2 * ui->L.pad;
    FontId f = text_width(p->fonts, FONT_NORMAL, s) + 3 * p->fonts->cw[FONT_NORMAL] <= w ? FONT_NORMAL : FONT_SMALL;
    int lh = p->fonts->lh[f], cw = p->fonts->cw[f], tx = x + 3 * cw;
    int y = r->y + p->fonts->lh[FONT_SMALL] + ui->L.pad;
    int bottom = ui->L.swap_bar.y - p->fonts->lh[FONT_SMALL] - ui->L.pad;
    text_draw(p, f, tx, y, theme.dim, s, x + w - tx);
    y += lh;
    const Process *cur = sim_current(sim);
    OomCand cands[64];
    size_t nc = why_oom_candidates(&ui->m, cands, sizeof cands / sizeof cands[0]);
    for (size_t i = 0; i < sim_nprocs(sim) && y + lh <= bottom; i++) {
        const Process *pr = sim_proc(sim, i);
        SDL_Rect sw = { x, y + lh / 4, lh / 2, lh / 2 };
        fill(p, &sw, owner_color(pr->pid));
        if (pr == cur)
            text_draw(p, f, x + cw, y, theme.accent, "\u25b6", 0);
        const OomCand *c = cand_of(cands, nc, pr->pid);
        proc_row(pr, c ? c->score : sim_oom_score(sim, pr), s, sizeof s);
        bool dead = pr->state != PROC_RUNNING;
        bool hot = sc->killed && pr->pid == sc->killed_pid;
        text_draw(p, f, tx, y, hot ? theme.segv : dead ? theme.dim : theme.text, s, x + w - tx);
        y += lh;
        if (c && y + lh <= bottom) {
            cand_words(c, hot, s, sizeof s);
            text_draw(p, FONT_SMALL, tx, y, hot ? theme.oom : theme.dim, s, x + w - tx);
            y += p->fonts->lh[FONT_SMALL] + 1;
        }
        if (pr->state == PROC_KILLED && pr->exit_reason[0] && y + lh <= bottom) {
            text_draw(p, FONT_SMALL, tx, y, theme.dim, pr->exit_reason, x + w - tx);
            y += p->fonts->lh[FONT_SMALL] + 1;
        }
    }
    draw_swap(p, ui);
}
