/* vmsim: the command line. main() dispatches to one function per verb. */
#include <string.h>

#include "cli.h"
#include "../grade/grade.h"

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
    "  generate write per-student exercises: questions, blank answers, keys\n"
    "  grade-sim run students' own simulators on traces, score what they print\n"
    "  grade-policy grade students' replacement policies (plugins) against vmsim's\n"
    "  grade    score answers files (text, CSV, Gradescope, PrairieLearn)\n"
    "  sweep    run over ranges of keys and traces: a table, a plot, on many cores\n"
    "  ostep    OSTEP's paging homework programs, byte for byte (docs/ostep.md)\n"
    "  dump     print a memory image as a handout (OSTEP, entries, xv6 vmprint)\n"
    "  help     this text; 'help VERB' a verb's options, 'help keys' every --set key,\n"
    "           'help plugin-header' the policy plugin ABI\n"
    "\n"
    "With no verb, vmsim opens SCENARIO (or the built-in default scenario) in the\n"
    "window where a display is usable, and runs it headless otherwise.\n"
    "SCENARIO is a file, or the name of an installed one ('vmsim run --list').\n"
    "'vmsim VERB --help' describes a verb's options; 'man vmsim', README.md, docs/.\n"
    "\n"
    EXIT_STATUS_HELP;

static int cmd_help(int argc, char **argv);
/* include/vmsim/policy_plugin.h, compiled in by the Makefile. */
extern const char policy_plugin_h_ini[];

static const struct { const char *name; int (*fn)(int, char **); } verbs[] = {
    { "run", cmd_run }, { "step", cmd_step }, { "check", cmd_check }, { "gui", cmd_gui },
    { "grade-sim", cmd_grade_sim },
    { "grade-policy", cmd_grade_policy },
    { "generate", cmd_generate }, { "grade", cmd_grade },
    { "dump", cmd_dump },
    { "sweep", cmd_sweep },
    { "help", cmd_help },
    { "ostep", cmd_ostep },
};

enum { NVERBS = sizeof verbs / sizeof verbs[0] };

/* `help keys`: every section.key a file may set, one a line, from the loader's table. */
static void print_keys(void)
{
    const char *keys, *section;
    for (size_t i = 0; (section = scenario_section(i, &keys)); i++)
        for (const char *k = keys; *k; k += strcspn(k, " "), k += *k == ' ')
            printf("%s.%.*s\n", section, (int)strcspn(k, " "), k);
}

/* Lists for scripts (the man page's generator, shell completion): help verbs, keys,
 * policies. Returns -1 for another topic. */
static int print_topic(const char *topic)
{
    if (strcmp(topic, "verbs") == 0)
        for (int i = 0; i < NVERBS; i++)
            puts(verbs[i].name);
    else if (strcmp(topic, "keys") == 0)
        print_keys();
    else if (strcmp(topic, "plugin-header") == 0)
        fputs(policy_plugin_h_ini, stdout);
    else if (strcmp(topic, "policies") == 0)
        for (int i = 0; i < POLICY_COUNT; i++)
            puts(policy_name((PolicyKind)i));
    else
        return -1;
    return 0;
}

/* help, help VERB (that verb's --help), help verbs|keys|policies. */
static int cmd_help(int argc, char **argv)
{
    if (argc < 3) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (print_topic(argv[2]) == 0)
        return EXIT_OK;
    for (int i = 0; i < NVERBS; i++)
        if (strcmp(argv[2], verbs[i].name) == 0 && verbs[i].fn != cmd_help) {
            char *args[] = { argv[0], argv[2], "--help", NULL };
            return verbs[i].fn(3, args);
        }
    fprintf(stderr, "vmsim help: no verb or topic '%s' (verbs, keys, policies, plugin-header)\n", argv[2]);
    return EXIT_USAGE;
}

/* Whether argv[1] names an installed scenario (`vmsim belady`). */
static bool is_scenario_name(const char *arg)
{
    char buf[4096];
    return datadir_find_scenario(arg, buf, sizeof buf) != NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cmd_help(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vmsim %s\n", vmsim_version);
        return EXIT_OK;
    }
    if (argc > 1)
        for (int i = 0; i < NVERBS; i++)
            if (strcmp(argv[1], verbs[i].name) == 0)
                return verbs[i].fn(argc, argv);
    if (argc > 1 && argv[1][0] != '-' && !strchr(argv[1], '.') && !strchr(argv[1], '/') &&
        !is_scenario_name(argv[1])) {
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
