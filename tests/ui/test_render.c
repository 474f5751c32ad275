/* Render tests: pixels where the layout places things, after real scenario steps. */
#include <SDL_image.h>
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "uitest.h"

void suite_render(void);

#define W 1280
#define H 800

/* A point inside a frame's cell clear of its text, marks and outlines. */
static SDL_Color frame_pixel(const Shot *f, pfn_t pfn)
{
    SDL_Rect r;
    if (!layout_frame_cell(&f->ui.L, pfn, &r))
        return (SDL_Color){ 0, 0, 0, 0 };
    return pixel(f->img, r.x + 3, r.y + r.h - 3);
}

/* The way of `set` in the data TLB holding page tag, or ways if none. */
static unsigned way_of(const Tlb *t, unsigned set, vpn_t tag)
{
    for (unsigned w = 0; w < t->ways; w++)
        if (t->e[set * t->ways + w].valid && t->e[set * t->ways + w].tag == tag)
            return w;
    return t->ways;
}

static SDL_Color tlb_pixel(const Shot *f, unsigned set, unsigned way)
{
    const Tlb *t = sim_tlb_at(model_sim(&f->ui.m), SIM_DTLB);
    SDL_Rect r;
    unsigned first = layout_tlb_first_set(&f->ui.L, t, SIM_DTLB, set);
    if (!layout_tlb_cell(&f->ui.L, SIM_DTLB, first, set, way, &r))
        return (SDL_Color){ 0, 0, 0, 0 };
    return pixel(f->img, r.x + 1, r.y + 1);
}

/* default.ini step 2 executes 0x400004: a hit on page 0x400 (filled at step 1, frame
 * 4). 16 entries, 4 ways: 4 sets, so the page sits in set 0x400 % 4 = 0. */
static void test_tlb_hit_green(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 2, W, H));
    const Tlb *t = sim_tlb_at(model_sim(&f.ui.m), SIM_DTLB);
    CU_ASSERT_EQUAL(t->sets, 4);
    unsigned way = way_of(t, 0, 0x400);
    CU_ASSERT_FATAL(way < t->ways);
    CU_ASSERT_EQUAL(t->e[way].pfn, 4);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(tlb_pixel(&f, 0, way), theme.hit));
    shot_close(&f);

    /* Step 3 misses on 0x401000: the entry for 0x400 is still there, no longer green. */
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 3, W, H));
    t = sim_tlb_at(model_sim(&f.ui.m), SIM_DTLB);
    way = way_of(t, 0, 0x400);
    CU_ASSERT_FATAL(way < t->ways);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(!near_tol(tlb_pixel(&f, 0, way), theme.hit, 40));
    shot_close(&f);
}

/* The walk's box at level l, inside its colour stripe and left of its text. */
static SDL_Color level_pixel(const Shot *f, unsigned l)
{
    const SDL_Rect *r = &f->ui.L.level_box[l];
    return pixel(f->img, r->x + 6, r->y + r->h / 2);
}

static void check_fault_level(const char *scenario, uint64_t step, unsigned levels, unsigned faulting)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, scenario, step, W, H));
    CU_ASSERT_EQUAL_FATAL(sim_machine(model_sim(&f.ui.m))->geo.levels, levels);
    CU_ASSERT_FATAL(shot_render(&f));
    for (unsigned l = 0; l < levels; l++) {
        if (l == faulting) {
            CU_ASSERT(near(level_pixel(&f, l), theme.fault));
        } else {
            CU_ASSERT(!near_tol(level_pixel(&f, l), theme.fault, 40));
        }
    }
    shot_close(&f);
}

/* default step 3: the PT entry for 0x401000 is not present (level 3 of 4).
 * sv48-sparse step 7: nothing maps 0x200000000000, its root entry is empty (level 0).
 * ostep step 12: the page table entry for 0x7fd0 is not present (level 1 of 2).
 * default step 17: a write to text: the leaf forbids it (level 3), SIGSEGV. */
static void test_fault_level_red(void)
{
    check_fault_level("scenarios/default.ini", 3, 4, 3);
    check_fault_level("scenarios/sv48-sparse.ini", 7, 4, 0);
    check_fault_level("scenarios/ostep-smalltables.ini", 12, 2, 1);
    check_fault_level("scenarios/default.ini", 17, 4, 3);
}

/* A step without a fault shows no red level. */
static void test_hit_has_no_red(void)
{
    check_fault_level("scenarios/default.ini", 2, 4, GEO_MAX_LEVELS);
}

/* default step 17 kills demo (SIGSEGV): frame 4, its text page until then, turns free. */
static void test_kill_frees_frame(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 16, W, H));
    CU_ASSERT_EQUAL(sim_frames(model_sim(&f.ui.m))->frames[4].kind, FRAME_DATA);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(frame_pixel(&f, 4), owner_color(1)));
    CU_ASSERT(near(frame_pixel(&f, 0), table_color(1)));      /* the root table */
    shot_close(&f);
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 17, W, H));
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(frame_pixel(&f, 4), theme.free_frame));
    CU_ASSERT(near(frame_pixel(&f, 0), theme.free_frame));
    shot_close(&f);
}

/* Checks one geometry's fields by scanning the top row of the field labels for runs of
 * one colour: run i must be widths[i] bits wide (less the 1-pixel gap between fields). */
static void check_strip(const char *scenario, const unsigned *widths, unsigned n)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, scenario, 1, W, H));
    CU_ASSERT_FATAL(shot_render(&f));
    const Layout *L = &f.ui.L;
    unsigned total = 0;
    for (unsigned i = 0; i < n; i++)
        total += widths[i];
    CU_ASSERT_EQUAL(L->bits.w, L->bit_w * (int)total);
    CU_ASSERT(L->bit_w >= 4);
    int y = L->field[0].y, end = L->bits.x + L->bits.w;
    int runs[16], nr = 0, start = L->bits.x;
    SDL_Color cur = pixel(f.img, start, y);
    for (int x = L->bits.x + 1; x <= end && nr < 16; x++) {
        SDL_Color c = x < end ? pixel(f.img, x, y) : (SDL_Color){ 1, 2, 3, 0 };
        if (x < end && near(c, cur))
            continue;
        if (x - start > 1)               /* a 1-pixel run is the gap between fields */
            runs[nr++] = x - start;
        start = x;
        cur = c;
    }
    CU_ASSERT_EQUAL_FATAL(nr, (int)n);
    int x = L->bits.x;
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(runs[i], (int)widths[i] * L->bit_w - 1);
        SDL_Color want = i + 1 < n ? theme.level[i] : theme.offset;
        CU_ASSERT(near(pixel(f.img, x + 1, y), want));
        x += (int)widths[i] * L->bit_w;
    }
    shot_close(&f);
}

static void test_strip_fields(void)
{
    static const unsigned x86_64[] = { 9, 9, 9, 9, 12 }, sv39[] = { 9, 9, 9, 12 },
                          ostep[] = { 5, 5, 5 }, x86_32[] = { 10, 10, 12 }, custom[] = { 6, 6, 8, 12 };
    check_strip("scenarios/default.ini", x86_64, 5);
    check_strip("scenarios/sv39-svade.ini", sv39, 4);
    check_strip("scenarios/ostep-smalltables.ini", ostep, 3);
    check_strip("scenarios/x86_32-context-switch.ini", x86_32, 3);
    check_strip("scenarios/custom-embedded.ini", custom, 4);
}

/* The same state renders to the same pixels; another step to others. */
static void test_deterministic(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/swap-writeback.ini", 5, W, H));
    CU_ASSERT_FATAL(shot_render(&f));
    SDL_Surface *first = f.img;
    f.img = NULL;
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(same_image(first, f.img));
    CU_ASSERT_EQUAL(image_hash(first), image_hash(f.img));
    ui_advance(&f.ui, 1);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(image_hash(first) != image_hash(f.img));
    SDL_FreeSurface(first);
    shot_close(&f);
}

/* Five steps forward and two back looks exactly like three steps forward. */
static void test_back_matches_forward(void)
{
    Shot a, b;
    CU_ASSERT_FATAL(shot_open(&a, "scenarios/default.ini", 5, W, H));
    CU_ASSERT_EQUAL(model_goto(&a.ui.m, 3), STEP_OK);
    anim_finish(&a.ui.anim, a.ui.m.nev);
    CU_ASSERT_EQUAL(model_now(&a.ui.m), 3);
    CU_ASSERT_FATAL(shot_render(&a));
    CU_ASSERT_FATAL(shot_open(&b, "scenarios/default.ini", 3, W, H));
    CU_ASSERT_FATAL(shot_render(&b));
    CU_ASSERT(same_image(a.img, b.img));
    shot_close(&a);
    shot_close(&b);
}

/* ---- each of the four animations is visible and distinct -------------------- */

static bool reddish(SDL_Color c) { return c.r > 150 && c.g < 110 && c.b < 120; }
static bool orange(SDL_Color c) { return c.r > 150 && c.g > 70 && c.g < 190 && c.b < 110; }

/* A fault: the faulting level's box pulses from pale to the fault red. */
static void test_anim_fault(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 3, W, H));
    long i = event_index(&f.ui.m, EV_FAULT);
    CU_ASSERT_FATAL(i > 0);
    animate_into(&f.ui, i, 1);
    CU_ASSERT_FATAL(shot_render(&f));
    SDL_Color c = level_pixel(&f, 3);
    CU_ASSERT(c.r > 200 && c.g > theme.fault.g + 40 && c.r > c.b);
    ui_animate_to(&f.ui, 1e9);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(level_pixel(&f, 3), theme.fault));
    shot_close(&f);
}

/* An eviction (swap-writeback step 5 evicts frame 4): an orange ring bursts out of
 * the victim's cell; once over, only a ring close round it stays. */
static void test_anim_evict(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/swap-writeback.ini", 5, W, H));
    long i = event_index(&f.ui.m, EV_EVICT);
    CU_ASSERT_FATAL(i > 0);
    CU_ASSERT_EQUAL(f.ui.m.ev[i].ev.pfn, 4);
    SDL_Rect r;
    CU_ASSERT_FATAL(layout_frame_cell(&f.ui.L, 4, &r));
    int y = r.y + r.h / 2, far = 0;
    animate_into(&f.ui, i, 450);
    CU_ASSERT_FATAL(shot_render(&f));
    for (int x = r.x - 7; x > r.x - 3 * f.ui.L.u; x--)
        far += orange(pixel(f.img, x, y));
    CU_ASSERT(far > 0);
    ui_animate_to(&f.ui, 1e9);
    CU_ASSERT_FATAL(shot_render(&f));
    far = 0;
    for (int x = r.x - 7; x > r.x - 3 * f.ui.L.u; x--)
        far += orange(pixel(f.img, x, y));
    CU_ASSERT_EQUAL(far, 0);
    CU_ASSERT(orange(pixel(f.img, r.x - 4, y)));
    shot_close(&f);
}

/* A segfault flashes the window's edge red; nothing stays once it is over. */
static void test_anim_segv(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 17, W, H));
    long i = event_index(&f.ui.m, EV_SEGV);
    CU_ASSERT_FATAL(i > 0);
    animate_into(&f.ui, i, 1);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(reddish(pixel(f.img, 1, H / 2)));
    ui_animate_to(&f.ui, 1e9);
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(pixel(f.img, 1, H / 2), theme.bg));
    shot_close(&f);
}

/* A kill: the dead process's frames fade from its colour, through red, to free. */
static void test_anim_kill(void)
{
    Shot f;
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 17, W, H));
    long i = event_index(&f.ui.m, EV_KILL);
    CU_ASSERT_FATAL(i > 0);
    animate_into(&f.ui, i, -anim_event_ms(EV_SEGV) / 2);   /* during the SIGSEGV: still there */
    CU_ASSERT_FATAL(shot_render(&f));
    CU_ASSERT(near(frame_pixel(&f, 4), owner_color(1)));
    animate_into(&f.ui, i, 300);
    CU_ASSERT_FATAL(shot_render(&f));
    SDL_Color c = frame_pixel(&f, 4);
    CU_ASSERT(!near_tol(c, owner_color(1), 10) && !near_tol(c, theme.free_frame, 10));
    shot_close(&f);
}

/* ---- hover text, files ------------------------------------------------------ */

static void test_hover(void)
{
    Shot f;
    char buf[512];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 3, W, H));
    SDL_Rect r;
    CU_ASSERT_FATAL(layout_frame_cell(&f.ui.L, 4, &r));
    CU_ASSERT(hover_frame(&f.ui, r.x + r.w / 2, r.y + r.h / 2, buf, sizeof buf));
    CU_ASSERT(strstr(buf, "frame 4") && strstr(buf, "demo") && strstr(buf, "0x400000"));
    Scene sc;
    scene_build(&sc, &f.ui.m, f.ui.m.nev, -1);
    const Tlb *t = sim_tlb_at(model_sim(&f.ui.m), SIM_DTLB);
    unsigned way = way_of(t, 1, 0x401);
    CU_ASSERT_FATAL(way < t->ways);
    CU_ASSERT_FATAL(layout_tlb_cell(&f.ui.L, SIM_DTLB, 0, 1, way, &r));
    CU_ASSERT(hover_tlb(&f.ui, &sc, r.x + 2, r.y + 2, buf, sizeof buf));
    CU_ASSERT(strstr(buf, "page 0x401000") && strstr(buf, "frame 5"));
    const SDL_Rect *b = &f.ui.L.level_box[3];
    CU_ASSERT(hover_walk(&f.ui, &sc, b->x + b->w / 2, b->y + b->h / 2, buf, sizeof buf));
    CU_ASSERT(strstr(buf, "PT entry 1") && strstr(buf, "maps frame 5"));
    CU_ASSERT(!hover_frame(&f.ui, 0, 0, buf, sizeof buf));
    shot_close(&f);
}

static void test_title(void)
{
    Shot f;
    char t[512];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/belady.ini", 4, W, H));
    ui_title(&f.ui, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "vmsim \u2014 Belady's anomaly: FIFO with more frames faults more \u2014 step 4");
    shot_close(&f);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* The PNG holds exactly the pixels rendered; a failed save leaves nothing behind. */
static void test_save_png(void)
{
    Shot f;
    char dir[] = "/tmp/vmsim-uitest-XXXXXX", path[256], err[1024];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 3, 1024, 640));
    CU_ASSERT_FATAL(shot_render(&f));
    snprintf(path, sizeof path, "%s/no/such/dir.png", dir);
    CU_ASSERT_EQUAL(ui_save_png(f.img, path, err, sizeof err), -1);
    CU_ASSERT(strstr(err, path) != NULL);
    CU_ASSERT_EQUAL(count_entries(dir), 0);
    snprintf(path, sizeof path, "%s/shot.png", dir);
    CU_ASSERT_EQUAL_FATAL(ui_save_png(f.img, path, err, sizeof err), 0);
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    SDL_Surface *back = IMG_Load(path);
    CU_ASSERT_FATAL(back != NULL);
    SDL_Surface *conv = SDL_ConvertSurfaceFormat(back, SDL_PIXELFORMAT_ARGB8888, 0);
    CU_ASSERT(conv && same_image(conv, f.img));
    SDL_FreeSurface(conv);
    SDL_FreeSurface(back);
    remove(path);
    rmdir(dir);
    shot_close(&f);
}

static void test_no_font(void)
{
    char path[256], err[256];
    setenv("VMSIM_FONT", "/no/such/font.ttf", 1);
    CU_ASSERT_EQUAL(fonts_find(path, sizeof path, err, sizeof err), -1);
    CU_ASSERT(strstr(err, "VMSIM_FONT=/no/such/font.ttf") != NULL);
    unsetenv("VMSIM_FONT");
    CU_ASSERT_EQUAL(fonts_find(path, sizeof path, err, sizeof err), 0);
    CU_ASSERT(access(path, R_OK) == 0);
}

void suite_render(void)
{
    TEST_SUITE("render",
               { "TLB hit entry is green", test_tlb_hit_green },
               { "faulting walk level is red", test_fault_level_red },
               { "a TLB hit shows no red level", test_hit_has_no_red },
               { "frames freed by a kill turn free", test_kill_frees_frame },
               { "bit strip fields follow the geometry", test_strip_fields },
               { "rendering is deterministic", test_deterministic },
               { "step back renders as stepping forward", test_back_matches_forward },
               { "fault animation", test_anim_fault },
               { "eviction animation", test_anim_evict },
               { "segfault animation", test_anim_segv },
               { "kill animation", test_anim_kill },
               { "hover text", test_hover },
               { "window title", test_title },
               { "PNG saved whole or not at all", test_save_png },
               { "missing font", test_no_font });
}
