/* vmsim-gui: the window, as `vmsim gui` and the no-verb path start it. */
#include "ui.h"

int main(int argc, char **argv)
{
    return ui_cmd_gui(argc, argv);
}
