/* vmsim gui, and the no-verb path, from the program without SDL: the window is the
 * separate program vmsim-gui beside this one, so headless runs load none of SDL's
 * libraries. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

bool cli_window_wanted(int argc, char **argv)
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

int launch_gui_path(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    size_t dir = slash ? (size_t)(slash - buf) + 1 : 0;
    if (dir + sizeof "vmsim-gui" > len)
        return -1;
    strcpy(buf + dir, "vmsim-gui");
    return 0;
}

int cmd_gui(int argc, char **argv)
{
    bool no_verb = argc > 1 && strcmp(argv[1], "run") == 0;
    if (no_verb && !cli_window_wanted(argc, argv))
        return cmd_run(argc, argv);
    char path[PATH_MAX];
    if (launch_gui_path(path, sizeof path) != 0) {
        fprintf(stderr, "vmsim: cannot find vmsim-gui beside vmsim\n");
        return EXIT_USAGE;
    }
    argv[0] = path;
    execv(path, argv);
    fprintf(stderr, "vmsim: cannot start %s: %s (the window is a separate program, "
            "built by make)\n", path, strerror(errno));
    return EXIT_USAGE;
}
