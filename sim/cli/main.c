/* vmsim: the command line. main() dispatches to one function per verb. */
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: vmsim [VERB] [SCENARIO.ini] [options]\n"
    "\n"
    "A virtual-memory and paging simulator: an MMU walking real page tables, a TLB,\n"
    "a frame pool with replacement policies, swap, for one or many processes.\n"
    "\n"
    "verbs:\n"
    "  run      run a scenario or trace headless and print a report\n"
    "  step     step through a scenario in the terminal, forwards and back\n"
    "  check    validate scenario and config files and their traces\n"
    "  gui      open the window: watch and step every translation\n"
    "  help     this text\n"
    "\n"
    "With no verb, vmsim opens SCENARIO (or the built-in default scenario) in the\n"
    "window where a display is usable, and runs it headless otherwise.\n"
    "'vmsim VERB --help' describes a verb's options. Documentation: README.md, docs/.\n"
    "\n"
    EXIT_STATUS_HELP;

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs(usage, stdout);
    return EXIT_OK;
}

static const struct { const char *name; int (*fn)(int, char **); } verbs[] = {
    { "run", cmd_run }, { "step", cmd_step }, { "check", cmd_check }, { "gui", cmd_gui },
    { "help", cmd_help },
};

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cmd_help(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        puts("vmsim 0.1");
        return EXIT_OK;
    }
    if (argc > 1)
        for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
            if (strcmp(argv[1], verbs[i].name) == 0)
                return verbs[i].fn(argc, argv);
    if (argc > 1 && argv[1][0] != '-' && !strchr(argv[1], '.') && !strchr(argv[1], '/')) {
        fprintf(stderr, "vmsim: unknown verb '%s' (see vmsim --help)\n", argv[1]);
        return EXIT_USAGE;
    }
    /* No verb: the window where a display is usable, else `vmsim run` (see cmd_gui). */
    char *args[argc + 2];
    args[0] = argv[0];
    args[1] = "run";
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    return cmd_gui(argc + 1, args);
}
