/* The window's test runner: renders under SDL's dummy video driver (set here when
 * the environment does not choose one) and exits non-zero when any assertion failed.
 * Usage: test_ui [SUITE-NAME...] */
#include <stdlib.h>
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "testutil.h"

void suite_render(void);
void suite_layout(void);
void suite_extra_policy(void);
void suite_plot(void);
void suite_text(void);

static const TestSuiteEntry suites[] = {
    { "layout", suite_layout },
    { "render", suite_render },
    { "extra_policy", suite_extra_policy },
    { "plot", suite_plot },
    { "text", suite_text },
};

int main(int argc, char **argv)
{
    setenv("SDL_VIDEODRIVER", getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "test_ui: cannot start SDL: %s\n", SDL_GetError());
        return 2;
    }
    IMG_Init(IMG_INIT_PNG);
    int status = test_run("ui", suites, sizeof suites / sizeof suites[0], argc, argv);
    IMG_Quit();
    TTF_Quit();
    SDL_Quit();
    return status;
}
