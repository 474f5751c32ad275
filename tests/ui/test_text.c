/* The text map (--text-out): every shipped scenario at 1280x800, at its first faulting
 * steps, draws no text past its panel, and every text cut short ends in an ellipsis and
 * has a tooltip with the whole of it. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* The text drawn inside r (whole box inside) containing needle, or NULL. */
static const TextRec *text_in(const TextOut *t, const SDL_Rect *r, const char *needle)
{
    for (size_t i = 0; i < t->n; i++) {
        const SDL_Rect *b = &t->rec[i].box;
        if (b->x >= r->x && b->y >= r->y && b->x + b->w <= r->x + r->w && b->y + b->h <= r->y + r->h &&
            strstr(t->rec[i].text, needle))
            return &t->rec[i];
    }
    return NULL;
}

/* The pte the step's walks read at level l: the first (before the fix) or the last. */
static pte_t walk_read(const Model *m, unsigned l, bool last)
{
    pte_t v = 0;
    for (size_t i = 0; i < m->nev; i++)
        if (m->ev[i].ev.kind == EV_WALK && m->ev[i].ev.level == l) {
            v = m->ev[i].ev.pte;
            if (!last)
                break;
        }
    return v;
}

/* default.ini step 4: PD[3] (level 2) was not present (0) and the kernel put a page
 * table there; at the end of the step the box shows both, the old one struck through
 * (a line of text colour across the middle of its row). */
static void test_fault_box_before_after(void)
{
    Shot f;
    TextOut t = { 0 };
    char err[256], want[64];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 4, 1280, 800));
    SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    const SDL_Rect *box = &f.ui.L.level_box[2];
    CU_ASSERT(walk_read(&f.ui.m, 2, false) == 0);
    CU_ASSERT(walk_read(&f.ui.m, 2, true) != 0);
    const TextRec *old = text_in(&t, box, "0x0000000000000000");
    snprintf(want, sizeof want, "now 0x%016llx", (unsigned long long)walk_read(&f.ui.m, 2, true));
    CU_ASSERT(text_in(&t, box, want) != NULL);
    CU_ASSERT(text_in(&t, box, "not present") != NULL);
    CU_ASSERT_FATAL(old != NULL);
    int y = old->box.y + old->box.h / 2, struck = 0;
    for (int x = old->box.x; x < old->box.x + old->box.w; x++)
        struck += near_tol(pixel(img, x, y), theme.text, 8) || near_tol(pixel(img, x, y + 1), theme.text, 8);
    CU_ASSERT(struck >= old->box.w * 9 / 10);
    SDL_FreeSurface(img);
    textout_free(&t);
    shot_close(&f);
}

/* swap-writeback.ini step 6: the PT entry held a swap entry; the box names the slot the
 * log says the page was read back from. */
static void test_fault_box_swap_slot(void)
{
    Shot f;
    TextOut t = { 0 };
    char err[256], want[64];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/swap-writeback.ini", 6, 1280, 800));
    SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    const TextRec *logline = text_in(&t, &f.ui.L.log_panel, "read back from swap slot ");
    CU_ASSERT_FATAL(logline != NULL);
    int slot = atoi(strstr(logline->text, "slot ") + 5);
    snprintf(want, sizeof want, "swap slot %d", slot);
    CU_ASSERT(text_in(&t, &f.ui.L.level_box[3], want) != NULL);
    SDL_FreeSurface(img);
    textout_free(&t);
    shot_close(&f);
}

/* The frame whose cell holds the next-victim mark, or PFN_NONE. */
static pfn_t marked_frame(const Ui *ui, const TextOut *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->rec[i].panel, "frames") || strncmp(t->rec[i].text, "\u25bc", 3))
            continue;
        for (pfn_t pfn = 0; pfn < ui->L.fshown; pfn++) {
            SDL_Rect r;
            if (layout_frame_cell(&ui->L, pfn, &r) && rect_has(&r, t->rec[i].box.x, t->rec[i].box.y))
                return pfn;
        }
    }
    return PFN_NONE;
}

/* The frame the log of the step on show names as the victim ("victim frame N"), or
 * PFN_NONE; read from the words drawn in the log panel. */
static pfn_t logged_victim(const TextOut *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *v = strstr(t->rec[i].text, "victim frame ");
        if (!strcmp(t->rec[i].panel, "log") && v)
            return (pfn_t)strtoull(v + 13, NULL, 10);
    }
    return PFN_NONE;
}

/* Two processes under local lru replacement, 7 frames of which x86-32's tables take
 * 4: b's writes evict b's own least recent page (frames 5, then 6), not a's older
 * one in frame 3 that global replacement would take (mm.c's choose_victim). Writes
 * the scenario to path (len bytes at least 64). */
static bool local_scenario(char *path, size_t len)
{
    char cfg[4096];
    snprintf(path, len, "/tmp/vmsim-local-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return false;
    if (!getcwd(cfg, sizeof cfg)) {
        fclose(f);
        return false;
    }
    fprintf(f, "[scenario]\ntitle = local\ninclude = %s/configs/x86_32.ini\n[memory]\nframes = 7\npolicy = lru\nscope = local\n"
            "[process a]\nheap = 0x09000000 16K\n[process b]\nheap = 0x09000000 16K\n[trace]\nformat = vmsim\n"
            "lines =\n    switch a\n    W 0x09000000 4\n    switch b\n    W 0x09000000 4\n    W 0x09001000 4\n"
            "    W 0x09002000 4\n    W 0x09003000 4\n", cfg);
    return fclose(f) == 0;
}

/* Before every eviction of the first steps of an lru, a fifo and a clock scenario,
 * and of local replacement, the mark is on the frame the next step's log names as its
 * victim. */
static void test_next_victim_mark(void)
{
    char local[64];
    CU_ASSERT_FATAL(local_scenario(local, sizeof local));
    const char *const scen[] = { "scenarios/swap-writeback.ini", "scenarios/belady.ini", "scenarios/thrashing.ini",
                                 local };
    for (size_t s = 0; s < sizeof scen / sizeof scen[0]; s++) {
        Shot f;
        char err[256];
        int checked = 0;
        pfn_t marked = PFN_NONE;
        CU_ASSERT_FATAL(shot_open(&f, scen[s], 0, 1280, 800));
        for (int step = 0; step < 60 && !f.ui.m.at_end; step++) {
            TextOut t = { 0 };
            SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
            CU_ASSERT_FATAL(img != NULL);
            pfn_t victim = logged_victim(&t);
            if (step > 0 && victim != PFN_NONE) {
                if (marked != victim)
                    fprintf(stderr, "%s step %d: victim frame %llu, mark was on %llu\n", scen[s], step,
                            (unsigned long long)victim, (unsigned long long)marked);
                CU_ASSERT_EQUAL(marked, victim);
                checked++;
            }
            marked = marked_frame(&f.ui, &t);
            SDL_FreeSurface(img);
            textout_free(&t);
            if (ui_advance(&f.ui, 1) != STEP_OK)
                break;
        }
        CU_ASSERT(checked >= 2);
        shot_close(&f);
    }
    remove(local);
}

/* The last line of `vmsim run --log all --steps N` starting with prefix (the step
 * N block is the last), its rest copied into buf; false when there is none. */
static bool logged_line(const Captured *c, const char *prefix, char *buf, size_t len)
{
    const char *found = NULL;
    for (const char *l = c->out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, prefix, strlen(prefix)))
            found = l + strlen(prefix);
    if (!found)
        return false;
    snprintf(buf, len, "%.*s", (int)strcspn(found, "\n"), found);
    return true;
}

/* On a step that evicted, the line under the frames names the frame the log names as
 * the victim and gives the log's "why:" for it, word for word: belady.ini (fifo) step
 * 5 and swap-writeback.ini (lru) step 4, against `vmsim run --log all` run here. */
static void test_victim_reason(void)
{
    static const struct { const char *scen, *steps; } cases[] = { { "scenarios/belady.ini", "5" },
                                                               { "scenarios/swap-writeback.ini", "4" } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Captured c;
        char why[512], victim[64], want[640], err[256];
        capture(cmd_run, (char *[]){ "vmsim", "run", (char *)cases[k].scen, "--log", "all", "--steps",
                                     (char *)cases[k].steps, NULL }, "", &c);
        CU_ASSERT_EQUAL_FATAL(c.status, 0);
        CU_ASSERT_FATAL(logged_line(&c, "    why: ", why, sizeof why));
        CU_ASSERT_FATAL(logged_line(&c, "  memory full: victim frame ", victim, sizeof victim));
        snprintf(want, sizeof want, "Evicted frame %llu, why: %s", strtoull(victim, NULL, 10), why);
        Shot f;
        TextOut t = { 0 };
        CU_ASSERT_FATAL(shot_open(&f, cases[k].scen, strtoull(cases[k].steps, NULL, 10), 1280, 800));
        SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
        CU_ASSERT_FATAL(img != NULL);
        if (!text_in(&t, &f.ui.L.policy_line, want))
            fprintf(stderr, "%s: no \"%s\" under the frames\n", cases[k].scen, want);
        CU_ASSERT(text_in(&t, &f.ui.L.policy_line, want) != NULL);
        SDL_FreeSurface(img);
        textout_free(&t);
        shot_close(&f);
    }
}

/* oom-killer.ini step 1014: each process row the report lists gets its badness,
 * computed here from the report's task lines in the log as oom_badness() in
 * mm/oom_kill.c does: rss + swapents + pgtables_bytes / PAGE_SIZE + oom_score_adj *
 * (totalpages / 1000); the victim (the highest) is marked killed. */
static void test_oom_badness(void)
{
    Shot f;
    TextOut t = { 0 };
    char err[256];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/oom-killer.ini", 1014, 1280, 800));
    SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    long long total = (long long)sim_totalpages(model_sim(&f.ui.m)), best = -1;
    int tasks = 0;
    char best_words[64] = "";
    for (size_t i = 0; i < f.ui.m.nev; i++) {
        const char *d = f.ui.m.ev[i].detail;
        int pid, uid, tgid, adj;
        long long vm, rss, ptb, swp;
        if (f.ui.m.ev[i].ev.kind != EV_OOM ||
            sscanf(d, "[ %d] %d %d %lld %lld %lld %lld %d", &pid, &uid, &tgid, &vm, &rss, &ptb, &swp, &adj) != 8 ||
            adj == -1000)
            continue;
        long long bad = rss + swp + ptb / 4096 + adj * (total / 1000);
        char want[64];
        snprintf(want, sizeof want, "OOM badness %lld", bad);
        CU_ASSERT(text_in(&t, &f.ui.L.procs_panel, want) != NULL);
        if (bad > best) {
            best = bad;
            snprintf(best_words, sizeof best_words, "OOM badness %lld: the highest, killed", bad);
        }
        tasks++;
    }
    CU_ASSERT(tasks >= 2);
    CU_ASSERT(text_in(&t, &f.ui.L.procs_panel, best_words) != NULL);
    CU_ASSERT(text_in(&t, &f.ui.L.procs_panel, "unkillable") != NULL);
    SDL_FreeSurface(img);
    textout_free(&t);
    shot_close(&f);
}

/* The text drawn right after the label `label` in the statistics panel (its value). */
static const char *stat_value(const TextOut *t, const char *label)
{
    for (size_t i = 0; i + 1 < t->n; i++)
        if (!strcmp(t->rec[i].panel, "stats") && !strcmp(t->rec[i].text, label))
            return t->rec[i + 1].text;
    return "";
}

/* default.ini step 4 is the third page fault and the fourth reference: before its
 * fault event plays the panel says 2 faults (and already 4 references), after it 3. */
static void test_stats_count_up(void)
{
    Shot f;
    char err[256];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 4, 1280, 800));
    long fault = event_index(&f.ui.m, EV_FAULT);
    CU_ASSERT_FATAL(fault > 0);
    for (int k = 0; k < 3; k++) {
        TextOut t = { 0 };
        if (k == 0)
            animate_into(&f.ui, fault - 1, 1);
        else if (k == 1)
            animate_into(&f.ui, fault, 1);
        else
            anim_finish(&f.ui.anim, f.ui.m.nev);
        SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
        CU_ASSERT_FATAL(img != NULL);
        CU_ASSERT_STRING_EQUAL(stat_value(&t, "page faults"), k == 0 ? "2" : "3");
        CU_ASSERT_STRING_EQUAL(stat_value(&t, "references"), "4");
        SDL_FreeSurface(img);
        textout_free(&t);
    }
    shot_close(&f);
}

/* fork-cow.ini step 8: the child writes 0x601000, shared since fork. Frames mapped by
 * both processes say "+1"; the copy is drawn from the frame the first walk's leaf
 * pointed at to the frame the TLB was filled with ("copy" on the line between). */
static void test_sharing(void)
{
    Shot f;
    TextOut t = { 0 };
    char err[256];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/fork-cow.ini", 8, 1280, 800));
    SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    CU_ASSERT(text_in(&t, &f.ui.L.frames_grid, "shell +1") != NULL);
    const Geometry *g = &sim_machine(model_sim(&f.ui.m))->geo;
    pte_t first = walk_read(&f.ui.m, g->levels - 1, false);
    long fill = event_index(&f.ui.m, EV_TLB_FILL);
    CU_ASSERT_FATAL(fill >= 0);
    SDL_Rect a, b;
    CU_ASSERT_FATAL(layout_frame_cell(&f.ui.L, pte_pfn(g, first), &a));
    CU_ASSERT_FATAL(layout_frame_cell(&f.ui.L, f.ui.m.ev[fill].ev.pfn, &b));
    CU_ASSERT(pte_pfn(g, first) != f.ui.m.ev[fill].ev.pfn);
    const TextRec *copy = text_in(&t, &f.ui.L.frames_grid, "copy");
    CU_ASSERT_FATAL(copy != NULL);
    int cx = copy->box.x + copy->box.w / 2, cy = copy->box.y + copy->box.h / 2;
    int mx = (a.x + a.w / 2 + b.x + b.w / 2) / 2, my = (a.y + a.h / 2 + b.y + b.h / 2) / 2;
    CU_ASSERT(abs(cx - mx) <= 2 && abs(cy - my) <= 2);
    SDL_FreeSurface(img);
    textout_free(&t);
    shot_close(&f);
}

/* The help overlay at the smallest size: every line whole and inside the window. */
static void test_help_fits(void)
{
    Shot f;
    TextOut t = { 0 };
    char err[256];
    CU_ASSERT_FATAL(shot_open(&f, "scenarios/default.ini", 4, 1024, 640));
    f.ui.help = true;
    SDL_Surface *img = ui_render_text(&f.ui, &t, err, sizeof err);
    CU_ASSERT_FATAL(img != NULL);
    int lines = 0;
    for (size_t i = 0; i < t.n; i++) {
        const TextRec *r = &t.rec[i];
        if (strcmp(r->panel, "overlay"))
            continue;
        lines++;
        if (r->cut || r->outside)
            fprintf(stderr, "help: '%s' %s\n", r->text, r->cut ? "cut" : "outside the window");
        CU_ASSERT(!r->cut && !r->outside);
    }
    CU_ASSERT(lines > 20);
    SDL_FreeSurface(img);
    textout_free(&t);
    shot_close(&f);
}

void suite_text(void)
{
    TEST_SUITE("text", { "no text lost at 1280x800", test_no_text_lost },
               { "faulting box: value read and value fixed", test_fault_box_before_after },
               { "faulting box: the swap slot", test_fault_box_swap_slot },
               { "next-victim mark on the frame the log names", test_next_victim_mark },
               { "each OOM candidate's badness", test_oom_badness },
               { "statistics count up with the animation", test_stats_count_up },
               { "shared frames and the copy-on-write copy", test_sharing },
               { "an eviction's reason is the log's", test_victim_reason },
               { "the help overlay fits at 1024x640", test_help_fits });
}
