/* vmsim gui, and the no-verb path, from the program without SDL: the window is the
 * separate program vmsim-gui beside this one, so headless runs load none of SDL's
 * libraries. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_gui(int argc, char **argv)
{
    bool no_verb = argc > 1 && strcmp(argv[1], "run") == 0;
    if (no_verb && !app_window_wanted(argc, argv))
        return cmd_run(argc, argv);
    char path[PATH_MAX];
    if (datadir_gui_path(path, sizeof path) != 0) {
        fprintf(stderr, "vmsim: cannot find vmsim-gui beside vmsim or in %s\n", vmsim_libexecdir);
        return EXIT_USAGE;
    }
    argv[0] = path;
    execv(path, argv);
    fprintf(stderr, "vmsim: cannot start %s: %s (the window is a separate program, "
            "built by make)\n", path, strerror(errno));
    return EXIT_USAGE;
}
