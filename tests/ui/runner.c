/* The window's test runner: renders under SDL's dummy video driver (set here when
 * the environment does not choose one) and exits non-zero when any assertion failed.
 * Usage: test_ui [SUITE-NAME...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

void suite_render(void);
void suite_layout(void);

static const struct { const char *name; void (*add)(void); } suites[] = {
    { "layout", suite_layout },
    { "render", suite_render },
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    setenv("SDL_VIDEODRIVER", getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "test_ui: cannot start SDL: %s\n", SDL_GetError());
        return 2;
    }
    IMG_Init(IMG_INIT_PNG);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (wanted(suites[i].name, argc, argv))
            suites[i].add();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    /* Read the counts before cleanup: CU_get_error() does not report failed assertions. */
    unsigned asserts = CU_get_number_of_failures();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    IMG_Quit();
    TTF_Quit();
    SDL_Quit();
    printf("\nui: %u passed, %u failed\n", run - tests_failed, tests_failed);
    if (asserts)
        printf("(%u assertions failed)\n", asserts);
    return (asserts || tests_failed || err != CUE_SUCCESS || run == 0) ? 1 : 0;
}
