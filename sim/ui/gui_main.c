/* vmsim-gui: the window, as `vmsim gui` and the no-verb path start it. */
#include <string.h>

#include "ui.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "plot") == 0)     /* vmsim sweep --plot FILE.png */
        return ui_cmd_plot(argc, argv);
    return ui_cmd_gui(argc, argv);
}
