/* The text map (--text-out): every shipped scenario at 1280x800, at its first faulting
 * steps, draws no text past its panel, and every text cut short ends in an ellipsis and
 * has a tooltip with the whole of it. */
#include <dirent.h>
#include <stdio.h>

#include "uitest.h"

void suite_text(void);

enum { SCAN_STEPS = 1500, FAULT_STEPS = 3 };

/* Renders the step on show recording its texts; checks each. Returns the problems. */
static int check_texts(Shot *f, const char *scenario)
{
    TextOut t = { 0 };
    char err[1024], tip[512];
    SDL_Surface *img = ui_render_text(&f->ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    Scene sc;
    scene_build(&sc, &f->ui.m, f->ui.m.nev, -1);
    int bad = 0;
    CU_ASSERT(t.n > 20);   /* a whole window of words, not an empty list */
    for (size_t i = 0; i < t.n; i++) {
        const TextRec *r = &t.rec[i];
        int cx = r->box.x + r->box.w / 2, cy = r->box.y + r->box.h / 2;
        /* Cut short: fewer characters than the string has, and the tooltip says all. */
        bool cut_ok = !r->cut || (r->box.w < r->width &&
                                  ui_hover_text(&f->ui, &sc, &t, cx, cy, tip, sizeof tip));
        if (r->outside || !cut_ok) {
            fprintf(stderr, "%s step %llu: %s text '%s' at %d,%d %dx%d (width %d)%s\n", scenario,
                    (unsigned long long)model_now(&f->ui.m), r->panel, r->text, r->box.x, r->box.y,
                    r->box.w, r->box.h, r->width, r->outside ? " past its panel" : " cut, no tooltip");
            bad++;
        }
    }
    SDL_FreeSurface(img);
    textout_free(&t);
    return bad;
}

static int check_scenario(const char *path)
{
    Shot f;
    int bad = 0, seen = 0;
    CU_ASSERT_FATAL(shot_open(&f, path, 0, 1280, 800));
    for (int i = 0; i < SCAN_STEPS && seen < FAULT_STEPS && !f.ui.m.at_end; i++) {
        if (ui_advance(&f.ui, 1) != STEP_OK)
            break;
        if (model_step_eventful(&f.ui.m)) {
            bad += check_texts(&f, path);
            seen++;
        }
    }
    shot_close(&f);
    return bad;
}

static void test_no_text_lost(void)
{
    DIR *d = opendir("scenarios");
    CU_ASSERT_FATAL(d != NULL);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        CU_ASSERT_EQUAL(check_scenario(path), 0);
        n++;
    }
    closedir(d);
    CU_ASSERT(n >= 10);
}

void suite_text(void)
{
    TEST_SUITE("text", { "no text lost at 1280x800", test_no_text_lost });
}
