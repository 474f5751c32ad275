/* Where vmsim finds what `make install` put beside it: scenarios by name, the window
 * program, and the build's version. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* This program's folder (no trailing '/'), from /proc/self/exe. Returns 0 or -1. */
static int exe_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

enum { MAX_DIRS = 3 };

/* The folders that may hold scenarios/ and configs/, the first match winning:
 * $VMSIM_DATADIR alone when it is set; else the source tree when this program sits in
 * its build folder (the parent has a Makefile), then ../share/vmsim from this program
 * (an install moved as a whole, or one under DESTDIR), then the compiled-in
 * PREFIX/share/vmsim. Returns how many it wrote. */
static int data_dirs(char dirs[MAX_DIRS][PATH_MAX])
{
    const char *env = getenv("VMSIM_DATADIR");
    if (env && *env) {
        snprintf(dirs[0], PATH_MAX, "%s", env);
        return 1;
    }
    int n = 0;
    char up[PATH_MAX - 32], probe[PATH_MAX];
    char *slash;
    if (exe_dir(up, sizeof up) == 0 && (slash = strrchr(up, '/'))) {
        *slash = '\0';                  /* the folder above this program's */
        snprintf(probe, sizeof probe, "%s/Makefile", up);
        if (is_file(probe))
            snprintf(dirs[n++], PATH_MAX, "%s", up);
        snprintf(dirs[n++], PATH_MAX, "%s/share/vmsim", up);
    }
    snprintf(dirs[n++], PATH_MAX, "%s", vmsim_datadir);
    return n;
}

/* "NAME" or "NAME.ini" as the file name scenarios/NAME.ini. */
static void scenario_file_name(const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    bool ini = n > 4 && strcmp(name + n - 4, ".ini") == 0;
    snprintf(buf, len, "%s%s", name, ini ? "" : ".ini");
}

/* scenarios/NAME.ini in the first data folder that has it, into buf; NULL if none. */
static const char *find_by_name(const char *name, char *buf, size_t len)
{
    char file[NAME_MAX + 8], dirs[MAX_DIRS][PATH_MAX];
    scenario_file_name(name, file, sizeof file);
    for (int i = 0, n = data_dirs(dirs); i < n; i++)
        if ((size_t)snprintf(buf, len, "%s/scenarios/%s", dirs[i], file) < len && is_file(buf))
            return buf;
    return NULL;
}

const char *datadir_find_scenario(const char *arg, char *buf, size_t len)
{
    if (is_file(arg) || strchr(arg, '/') || !*arg)
        return arg;
    return find_by_name(arg, buf, len);
}

void datadir_describe(char *buf, size_t len)
{
    char dirs[MAX_DIRS][PATH_MAX];
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0, n = data_dirs(dirs); i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s/scenarios", used ? ", " : "", dirs[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the scenario names in dir/scenarios to names[] (up to cap), skipping ones already
 * there (an earlier folder wins). */
static void collect_names(const char *dir, char **names, size_t *n, size_t cap)
{
    char path[PATH_MAX];
    DIR *d = (size_t)snprintf(path, sizeof path, "%s/scenarios", dir) < sizeof path
           ? opendir(path) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && *n < cap) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char name[NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
        bool seen = false;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strcmp(names[i], name) == 0;
        if (!seen && (names[*n] = strdup(name)))
            ++*n;
    }
    closedir(d);
}

/* The scenario's title as its loader reads it ("" when it has none or does not load). */
static void print_entry(FILE *out, const char *name, int width)
{
    char path[PATH_MAX], err[512];
    const char *file = find_by_name(name, path, sizeof path);
    Scenario sc;
    scenario_init(&sc);
    bool ok = file && scenario_load(&sc, file, err, sizeof err) == 0;
    fprintf(out, "%-*s  %s\n", width, name, ok && sc.title ? sc.title : "");
    scenario_fini(&sc);
}

int datadir_list_scenarios(FILE *out)
{
    enum { MAX_NAMES = 1024 };
    char *names[MAX_NAMES], dirs[MAX_DIRS][PATH_MAX];
    size_t n = 0;
    for (int i = 0, nd = data_dirs(dirs); i < nd; i++)
        collect_names(dirs[i], names, &n, MAX_NAMES);
    if (n == 0) {
        char where[3 * PATH_MAX];
        datadir_describe(where, sizeof where);
        fprintf(stderr, "vmsim: no scenarios found in %s\n", where);
        return -1;
    }
    qsort(names, n, sizeof names[0], compare_names);
    int width = 0;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(names[i]) > width)
            width = (int)strlen(names[i]);
    for (size_t i = 0; i < n; i++) {
        print_entry(out, names[i], width);
        free(names[i]);
    }
    return 0;
}

int datadir_gui_path(char *buf, size_t len)
{
    char exe[PATH_MAX];
    if (exe_dir(exe, sizeof exe) == 0) {
        if ((size_t)snprintf(buf, len, "%s/vmsim-gui", exe) < len && is_file(buf))
            return 0;
        if ((size_t)snprintf(buf, len, "%s/../libexec/vmsim/vmsim-gui", exe) < len && is_file(buf))
            return 0;
    }
    if ((size_t)snprintf(buf, len, "%s/vmsim-gui", vmsim_libexecdir) < len && is_file(buf))
        return 0;
    errno = ENOENT;
    return -1;
}
