/* Layout tests: from 1024x640 to 4K every panel fits the window and none overlaps
 * another, for machines of every shape. */
#include "uitest.h"

void suite_layout(void);

static bool inside(const SDL_Rect *in, const SDL_Rect *r)
{
    return r->w > 0 && r->h > 0 && r->x >= in->x && r->y >= in->y &&
           r->x + r->w <= in->x + in->w && r->y + r->h <= in->y + in->h;
}

static bool disjoint(const SDL_Rect *a, const SDL_Rect *b)
{
    return a->x + a->w <= b->x || b->x + b->w <= a->x || a->y + a->h <= b->y || b->y + b->h <= a->y;
}

/* The panels inside the window and apart; the buttons inside the top bar and apart. */
static void check_panels(const Layout *L, const char *what)
{
    SDL_Rect win = { 0, 0, L->w, L->h };
    const SDL_Rect *panels[] = { &L->top, &L->addr, &L->tlb_panel, &L->frames_panel, &L->procs_panel,
                                 &L->log_panel, &L->stats_panel };
    int n = (int)(sizeof panels / sizeof panels[0]);
    for (int i = 0; i < n; i++) {
        if (!inside(&win, panels[i]))
            fprintf(stderr, "%s: panel %d outside the window\n", what, i);
        CU_ASSERT(inside(&win, panels[i]));
        for (int j = i + 1; j < n; j++)
            CU_ASSERT(disjoint(panels[i], panels[j]));
    }
    for (int b = 0; b < BTN_COUNT; b++) {
        CU_ASSERT(inside(&L->top, &L->buttons[b]));
        for (int c = b + 1; c < BTN_COUNT; c++)
            CU_ASSERT(disjoint(&L->buttons[b], &L->buttons[c]));
    }
    CU_ASSERT(L->buttons[0].x > L->w / 4);            /* room for the step and title */
}

static void check_layout(const Layout *L, const Sim *sim, const char *what)
{
    check_panels(L, what);
    const Geometry *g = &sim_machine(sim)->geo;
    CU_ASSERT(inside(&L->addr, &L->bits));
    CU_ASSERT(inside(&L->addr, &L->root_box));
    CU_ASSERT(inside(&L->addr, &L->pa_box));
    CU_ASSERT(inside(&L->addr, &L->walk_status));
    for (unsigned l = 0; l < g->levels; l++) {
        CU_ASSERT(inside(&L->addr, &L->level_box[l]));
        CU_ASSERT(disjoint(&L->level_box[l], l + 1 < g->levels ? &L->level_box[l + 1] : &L->pa_box));
        CU_ASSERT(disjoint(&L->level_box[l], &L->root_box));
        CU_ASSERT(L->level_box[l].w >= 4 * L->u);      /* room for an entry's value */
    }
    CU_ASSERT(inside(&L->frames_panel, &L->frames_grid));
    CU_ASSERT_EQUAL(L->fshown, sim_frames(sim)->nframes);
    SDL_Rect last;
    CU_ASSERT(layout_frame_cell(L, L->fshown - 1, &last) && inside(&L->frames_grid, &last));
    CU_ASSERT(inside(&L->stats_panel, &L->chart));
    CU_ASSERT(inside(&L->procs_panel, &L->swap_bar));
    for (int k = 0; k < SIM_TLBS; k++) {
        const Tlb *t = sim_tlb_at(sim, (SimTlb)k);
        if (!t->entries)
            continue;
        const TlbGrid *gr = &L->tlb[k];
        CU_ASSERT(gr->present && inside(&L->tlb_panel, &gr->grid));
        CU_ASSERT(gr->vis_sets >= (t->sets < 8 ? t->sets : 8));
        SDL_Rect c;
        unsigned lastset = gr->vis_sets - 1;
        CU_ASSERT(layout_tlb_cell(L, (SimTlb)k, 0, lastset, t->ways - 1, &c) && inside(&gr->grid, &c));
    }
}

static void test_sizes(void)
{
    static const int sizes[][2] = { { 1024, 640 }, { 1280, 800 }, { 1920, 1080 }, { 2560, 1440 }, { 3840, 2160 } };
    static const char *const scen[] = {
        "scenarios/default.ini", "scenarios/sv48-sparse.ini", "scenarios/x86_32-context-switch.ini",
        "scenarios/ostep-smalltables.ini", "scenarios/belady.ini", "scenarios/sv39-svade.ini",
    };
    for (size_t s = 0; s < sizeof scen / sizeof scen[0]; s++) {
        Shot f;
        CU_ASSERT_FATAL(shot_open(&f, scen[s], 0, 1024, 640));
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            char err[512], what[128];
            CU_ASSERT_FATAL(ui_resize(&f.ui, sizes[i][0], sizes[i][1], err, sizeof err) >= 0);
            snprintf(what, sizeof what, "%s at %dx%d", scen[s], sizes[i][0], sizes[i][1]);
            check_layout(&f.ui.L, model_sim(&f.ui.m), what);
        }
        shot_close(&f);
    }
}

/* Text grows with the window (HiDPI outputs are bigger in pixels). */
static void test_font_scale(void)
{
    CU_ASSERT(fonts_base_px(1024, 640) >= 10);
    CU_ASSERT(fonts_base_px(1280, 800) < fonts_base_px(2560, 1600));
    CU_ASSERT(fonts_base_px(3840, 2160) >= 3 * fonts_base_px(1280, 800) / 2 + 8);
}

/* A TLB with more sets than fit keeps the set looked up in view. */
static void test_tlb_window(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 0, 1024, 640));
    Tlb t = { .entries = 1024, .ways = 2, .sets = 512 };
    Layout L = f.ui.L;
    L.tlb[SIM_DTLB].vis_sets = 20;
    unsigned first = layout_tlb_first_set(&L, &t, SIM_DTLB, 300);
    CU_ASSERT(first <= 300 && 300 < first + 20);
    CU_ASSERT_EQUAL(layout_tlb_first_set(&L, &t, SIM_DTLB, 511), 492);
    CU_ASSERT_EQUAL(layout_tlb_first_set(&L, &t, SIM_DTLB, 2), 0);
    SDL_Rect r;
    CU_ASSERT(!layout_tlb_cell(&L, SIM_DTLB, first, first + 20, 0, &r));
    shot_close(&f);
}

/* A click in a button's middle finds that button; elsewhere none. */
static void test_buttons(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 0, 1280, 800));
    const Layout *L = &f.ui.L;
    for (int b = 0; b < BTN_COUNT; b++) {
        const SDL_Rect *r = &L->buttons[b];
        CU_ASSERT_EQUAL(layout_button_at(L, r->x + r->w / 2, r->y + r->h / 2), b);
        CU_ASSERT(text_width(&f.ui.fonts, FONT_NORMAL, button_label((ButtonId)b, true)) < r->w);
        CU_ASSERT(text_width(&f.ui.fonts, FONT_NORMAL, button_label((ButtonId)b, false)) < r->w);
    }
    CU_ASSERT_EQUAL(layout_button_at(L, 5, 5), -1);
    CU_ASSERT_EQUAL(layout_button_at(L, L->w / 2, L->h / 2), -1);
    shot_close(&f);
}

void suite_layout(void)
{
    TEST_SUITE("layout",
               { "panels fit from 1024x640 to 4K", test_sizes },
               { "fonts scale with the output", test_font_scale },
               { "big TLBs scroll to the set looked up", test_tlb_window },
               { "buttons are where clicks find them", test_buttons });
}
