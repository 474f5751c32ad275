/* vmsim ostep PROGRAM [flags]: runs one of OSTEP's paging homework programs, and with
 * --scenario FILE also writes the same problem for vmsim. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ostep.h"

static const char usage[] =
    "usage: vmsim ostep PROGRAM [the program's flags] [--scenario FILE]\n"
    "\n"
    "Runs one of OSTEP's paging homework programs (ostep-homework at 6c6cfc7e, 2025-10-26)\n"
    "as `python3 PROGRAM.py FLAGS` does: the same output, byte for byte, and exit status.\n"
    "\n"
    "programs:\n"
    "  paging-linear-translate      vm-paging: a linear page table, translate addresses\n"
    "  paging-multilevel-translate  vm-smalltables: a two-level table in a memory dump\n"
    "  paging-policy                vm-beyondphys-policy: FIFO, LRU, OPT, ... hits and misses\n"
    "\n"
    "'vmsim ostep PROGRAM -h' lists the program's own flags, as Python prints them.\n"
    "--scenario FILE also writes the problem for vmsim: a memory image (.image) for the\n"
    "multilevel program, a scenario (.ini) for paging-policy with FIFO, LRU or OPT.\n"
    "See docs/ostep.md.\n";

static const struct {
    const char *name;
    int (*run)(int, char **, const OstepOut *);
} programs[] = {
    { "paging-linear-translate", ostep_linear },
    { "paging-multilevel-translate", ostep_multilevel },
    { "paging-policy", ostep_policy },
};

int ostep_die(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (where Python stops with a traceback)\n", stderr);
    return EXIT_FAILED;
}

void *ostep_array(int64_t n, size_t size)
{
    uint64_t count = n > 0 ? (uint64_t)n + 1 : 1;
    if (size == 0 || count > SIZE_MAX / size)
        return NULL;
    return malloc((size_t)count * size);
}

int ostep_write_file(const char *path, const char *text, size_t len)
{
    if (app_write_text(path, text, len, NULL, 0) == 0)
        return 0;
    fprintf(stderr, "vmsim ostep: --scenario %s: cannot write the file\n", path);
    return -1;
}

/* Takes --scenario FILE (or --scenario=FILE) out of args, in place, before the
 * program's own options are parsed ("--" ends the search). Returns the new count, or
 * -1 when FILE is missing. */
static int take_scenario(int argc, char **argv, const char **file)
{
    int n = 0;
    bool rest = false;
    for (int i = 0; i < argc; i++) {
        if (!rest && strcmp(argv[i], "--") == 0)
            rest = true;
        if (!rest && strcmp(argv[i], "--scenario") == 0) {
            if (++i >= argc)
                return -1;
            *file = argv[i];
        } else if (!rest && strncmp(argv[i], "--scenario=", 11) == 0) {
            *file = argv[i] + 11;
        } else {
            argv[n++] = argv[i];
        }
    }
    return n;
}

/* The command as typed, for the comment at the top of a written file. */
static char *command_line(const char *prog, int argc, char **argv)
{
    size_t len = strlen("vmsim ostep ") + strlen(prog) + 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, "vmsim ostep ");
    strcat(s, prog);
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* Runs a program; with --scenario its output is held back until the file is written,
 * so a refusal (exit 2) leaves stdout empty. */
static int run_program(int idx, int argc, char **argv, const char *scenario)
{
    OstepOut o = { stdout, scenario, NULL };
    char *buf = NULL;
    size_t len = 0;
    char *cmd = command_line(programs[idx].name, argc, argv);
    if (scenario) {
        o.out = open_memstream(&buf, &len);
        if (!o.out || !cmd) {
            fputs("vmsim ostep: out of memory\n", stderr);
            free(cmd);
            return EXIT_FAILED;
        }
    }
    o.command = cmd ? cmd : programs[idx].name;
    int rc = programs[idx].run(argc, argv, &o);
    if (scenario) {
        fclose(o.out);
        if (rc != EXIT_USAGE && buf)
            fwrite(buf, 1, len, stdout);
        free(buf);
    }
    free(cmd);
    fflush(stdout);
    return rc;
}

int ostep_capture(const char *program, int argc, char **argv, const char *scenario,
                  const char *command, char **text)
{
    size_t len = 0;
    *text = NULL;
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        if (strcmp(programs[i].name, program) != 0)
            continue;
        OstepOut o = { open_memstream(text, &len), scenario, command };
        if (!o.out)
            return EXIT_FAILED;
        int rc = programs[i].run(argc, argv, &o);
        fclose(o.out);
        return rc;
    }
    return -1;
}

int cmd_ostep(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
        fputs(usage, argc < 3 ? stderr : stdout);
        return argc < 3 ? EXIT_USAGE : EXIT_OK;
    }
    const char *name = argv[2], *slash = strrchr(name, '/');
    size_t len = strlen(slash ? slash + 1 : name);
    if (slash)
        name = slash + 1;
    if (len > 3 && strcmp(name + len - 3, ".py") == 0)
        len -= 3;
    const char *scenario = NULL;
    int n = take_scenario(argc - 3, argv + 3, &scenario);
    if (n < 0) {
        fputs("vmsim ostep: --scenario needs a FILE\n", stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (strlen(programs[i].name) == len && strncmp(programs[i].name, name, len) == 0)
            return run_program((int)i, n, argv + 3, scenario);
    fprintf(stderr, "vmsim ostep: unknown program '%s' (expected paging-linear-translate, "
                    "paging-multilevel-translate or paging-policy)\n", argv[2]);
    return EXIT_USAGE;
}
