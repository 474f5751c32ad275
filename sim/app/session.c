/* The loaded run (app.h): a scenario, a trace or a memory image, built into a Sim. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "plugin.h"
#include "vmsim/image.h"

/* The image's own addresses (OSTEP's "Virtual Address" lines) as an inline trace of
 * reads. Returns 0, or -1 when out of memory. */
static int image_trace(Scenario *sc, const Image *img, const char *path)
{
    size_t cap = img->naddrs * 24 + 1, len = 0;
    char *text = malloc(cap);
    sc->inline_name = strdup(path);
    if (!text || !sc->inline_name) {
        free(text);
        return -1;
    }
    for (size_t i = 0; i < img->naddrs; i++)
        len += (size_t)snprintf(text + len, cap - len, "R 0x%llx\n", (unsigned long long)img->addrs[i]);
    sc->inline_trace = text;
    sc->inline_len = len;
    sc->inline_first = 1;
    sc->inline_last = img->naddrs;
    sc->trace_format = TRACE_VMSIM;
    return 0;
}

/* The machine of the image with --set applied (--config would replace it). */
static int image_machine(Session *s, const Options *o, Image *img, char *err, size_t errlen)
{
    if (o->scenario || o->config) {
        snprintf(err, errlen, "--image brings its own machine and memory: give no scenario or "
                 "--config with it (--set may change the machine)");
        return -1;
    }
    scenario_init(&s->sc);
    s->sc.machine = img->m;
    for (int i = 0; i < o->nsets; i++)
        if (scenario_set(&s->sc, o->sets[i], "--set", err, errlen) != 0)
            return -1;
    if (scenario_validate(&s->sc, err, errlen) != 0)
        return -1;
    img->m = s->sc.machine;
    s->sc.title = malloc(strlen(o->image) + 16);
    if (s->sc.title)
        sprintf(s->sc.title, "memory image %s", o->image);
    return 0;
}

/* session_open for --image: the image's machine and memory, no OS. */
static int session_open_image(Session *s, const Options *o, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    Image img;
    image_init(&img);
    int r = image_read(&img, o->image, err, errlen) == 0 ? image_machine(s, o, &img, err, errlen) : -1;
    if (r == 0 && !o->trace && img.naddrs == 0) {
        snprintf(err, errlen, "%s: no addresses to translate: give --trace FILE (an OSTEP "
                 "dump's 'Virtual Address' lines serve as one)", o->image);
        r = -1;
    }
    if (r == 0 && !o->trace && image_trace(&s->sc, &img, o->image) != 0) {
        snprintf(err, errlen, "out of memory");
        r = -1;
    }
    bool none;
    if (r == 0 && !(s->trace = scenario_open_trace(&s->sc, o->trace, o->trace_format, &none, err, errlen)))
        r = -1;
    char why[512];
    if (r == 0 && !(s->sim = sim_create_image(&img, why, sizeof why))) {
        snprintf(err, errlen, "%s: %s", o->image, why);
        r = -1;
    }
    if (r == 0) {
        s->trace_label = o->trace ? o->trace : o->image;
        s->trace_file = o->trace ? o->trace : o->image;
        sim_set_trace(s->sim, s->trace);
    }
    image_fini(&img);
    return r;
}

/* Whether --trace names a stream of page numbers (--trace-format pages, or detected).
 * Only a regular file is looked into: a pipe or standard input read here would lose
 * what was read, so there it takes --trace-format pages. */
static bool page_stream(const Options *o)
{
    if (o->trace_format != TRACE_AUTO)
        return o->trace_format == TRACE_PAGES;
    struct stat st;
    if (strcmp(o->trace, "-") == 0 || stat(o->trace, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char err[256];
    TraceReader *t = trace_open(o->trace, TRACE_AUTO, 12, err, sizeof err);
    bool pages = t && trace_format(t) == TRACE_PAGES;
    trace_close(t);                        /* an unreadable file is reported later */
    return pages;
}

int options_load(const Options *o, Scenario *sc, char *err, size_t errlen)
{
    scenario_init(sc);
    char found[4096];
    const char *file = o->scenario ? datadir_find_scenario(o->scenario, found, sizeof found) : NULL;
    if (o->scenario && !file) {
        char where[8192];
        datadir_describe(where, sizeof where);
        snprintf(err, errlen, "%s: no such file, and no scenario of that name in %s "
                 "(vmsim run --list names them)", o->scenario, where);
        return -1;
    }
    /* A page stream alone runs on the textbook machine every such exercise assumes. */
    int r = o->scenario ? scenario_load(sc, file, err, errlen)
          : o->trace    ? (page_stream(o) ? scenario_load_text(sc, "configs/textbook.ini (built in)",
                                                               textbook_config_ini, err, errlen) : 0)
                        : scenario_load_text(sc, "(built-in default scenario)", default_scenario_ini, err, errlen);
    if (r == 0 && o->config)
        r = scenario_load(sc, o->config, err, errlen);
    for (int i = 0; r == 0 && i < o->nsets; i++)
        r = scenario_set(sc, o->sets[i], "--set", err, errlen);
    if (r == 0)
        r = scenario_validate(sc, err, errlen);
    return r;
}

/* Warns (stderr) when the frames cannot hold one process's page tables and a page:
 * the first access would end in an OOM kill with nothing learnt. */
static void warn_small_machine(const MachineConfig *m)
{
    /* one table per level (the root's may span several pages), and a frame for data */
    uint64_t tables = m->geo.levels - 1 + geo_table_pages(&m->geo, 0), need = tables + 1;
    if (m->memory.separate_tables || m->memory.frames >= need)
        return;
    fprintf(stderr, "vmsim: warning: %llu frames cannot hold one process's page tables "
            "(%s needs %llu table pages and a frame for data): set memory.page_tables = separate "
            "to keep page tables out of the frames, as textbook exercises assume\n",
            (unsigned long long)m->memory.frames, arch_name(m->geo.arch), (unsigned long long)tables);
}

int session_open(Session *s, const Options *o, char *err, size_t errlen)
{
    if (o->image)
        return session_open_image(s, o, err, errlen);
    memset(s, 0, sizeof *s);
    if (options_load(o, &s->sc, err, errlen) != 0)
        return -1;
    bool none;
    s->trace = scenario_open_trace(&s->sc, o->trace, o->trace_format, &none, err, errlen);
    if (!s->trace && !none)
        return -1;
    if (s->trace && trace_format(s->trace) == TRACE_CS1550)
        s->sc.trace_format = TRACE_CS1550;     /* its lines make the processes */
    s->trace_label = o->trace ? o->trace : s->sc.trace_path ? s->sc.trace_path
                   : s->sc.inline_trace ? "inline" : "none";
    s->trace_file = o->trace ? o->trace : s->sc.trace_path ? s->sc.trace_path
                  : s->sc.inline_trace ? s->sc.inline_name : "trace";
    s->sim = scenario_build(&s->sc, err, errlen);
    if (!s->sim)
        return -1;
    plugin_attach(s->sim);
    warn_small_machine(sim_machine(s->sim));
    sim_set_trace(s->sim, s->trace);
    return 0;
}

void session_close(Session *s)
{
    sim_destroy(s->sim);
    trace_close(s->trace);
    scenario_fini(&s->sc);
    memset(s, 0, sizeof *s);
}
