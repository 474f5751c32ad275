/* Whether the no-verb path opens the window (app.h): asked by vmsim before it starts
 * vmsim-gui, and by vmsim-gui before it tries SDL's video. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

bool app_window_wanted(int argc, char **argv)
{
    if (!env_set("DISPLAY") && !env_set("WAYLAND_DISPLAY"))
        return false;
    if (!isatty(STDOUT_FILENO))
        return false;
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], "--format", 8) == 0 || strncmp(argv[i], "--log", 5) == 0 ||
            strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return false;
    return true;
}
