/* The PNG renderer of `vmsim sweep --plot` (vmsim-gui plot): shapes land where the
 * display list puts them, in its colours, antialiased, and a bad list is refused. */
#include <stdio.h>

#include "uitest.h"

void suite_plot(void);

/* Renders list (held in memory) into a surface; NULL on failure, err set. */
static SDL_Surface *render(const char *list, char *err, size_t errlen)
{
    FILE *in = fmemopen((void *)list, strlen(list), "r");
    SDL_Surface *s = in ? ui_plot_render(in, err, errlen) : NULL;
    if (in)
        fclose(in);
    return s;
}

static const char shapes[] =
    "S 200 100\n"
    "L 0 50 200 50 4 ff0000\n"          /* a red band, rows 48..51 */
    "C 150 20 8 0000ff\n"               /* a blue disc */
    "L 0 20 100 20 1 000000\n"          /* one pixel wide on a pixel edge: two grey rows */
    "T 10 90 14 0 1 0 000000 Hi\n";     /* bold text, baseline at y 90 */

static void test_shapes(void)
{
    char err[512] = "";
    SDL_Surface *s = render(shapes, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->w, 200);
    CU_ASSERT_EQUAL(s->h, 100);
    CU_ASSERT(near_tol(pixel(s, 30, 49), (SDL_Color){ 255, 0, 0, 255 }, 8));
    CU_ASSERT(near_tol(pixel(s, 150, 20), (SDL_Color){ 0, 0, 255, 255 }, 8));
    CU_ASSERT(near_tol(pixel(s, 100, 80), (SDL_Color){ 255, 255, 255, 255 }, 0));
    CU_ASSERT(near_tol(pixel(s, 100, 30), (SDL_Color){ 255, 255, 255, 255 }, 0));
    /* y 19.5 to 20.5 covers half of rows 19 and 20: grey, not black or white */
    SDL_Color a = pixel(s, 50, 19), b = pixel(s, 50, 20);
    CU_ASSERT(a.r > 40 && a.r < 215);
    CU_ASSERT(b.r > 40 && b.r < 215);
    int dark = 0;                       /* the text's ink, above its baseline */
    for (int y = 76; y < 91; y++)
        for (int x = 10; x < 30; x++)
            dark += pixel(s, x, y).r < 100;
    CU_ASSERT(dark > 10);
    SDL_FreeSurface(s);
}

static void test_deterministic(void)
{
    char err[512];
    SDL_Surface *a = render(shapes, err, sizeof err), *b = render(shapes, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(same_image(a, b));
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
}

static void test_bad_list(void)
{
    char err[512] = "";
    CU_ASSERT_PTR_NULL(render("S 200 100\nL 0 0 10\n", err, sizeof err));
    CU_ASSERT(strstr(err, "plot stdin:2: expected L, P, C or T") != NULL);
    CU_ASSERT_PTR_NULL(render("L 0 0 10 10 1 000000\n", err, sizeof err));
    CU_ASSERT(strstr(err, "plot stdin:1: expected 'S WIDTH HEIGHT'") != NULL);
}

void suite_plot(void)
{
    TEST_SUITE("plot",
               { "shapes where the list puts them", test_shapes },
               { "rendering is deterministic", test_deterministic },
               { "a bad display list is refused", test_bad_list });
}
