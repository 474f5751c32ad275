/* vmsim dump, and --image for run, step and gui: memory images from the command
 * line. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmsim/image.h"

static const char dump_usage[] =
    "usage: vmsim dump --image FILE [--style ostep|entries|vmprint|image]\n"
    "\n"
    "Prints a memory image (or OSTEP's paging-multilevel-translate output) as a\n"
    "handout: ostep, OSTEP's byte dump of every page and the PDBR; entries (the\n"
    "default), every valid entry of every table, root first; vmprint, xv6's tree of\n"
    "valid entries; image, the image in vmsim's .image format.\n"
    "exit status: 0 done, 2 bad usage or a bad image (FILE:LINE: on stderr)\n";

static char *duplicate(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The image's own addresses (OSTEP's "Virtual Address" lines) as an inline trace of
 * reads. Returns 0, or -1 when out of memory. */
static int image_trace(Scenario *sc, const Image *img, const char *path)
{
    size_t cap = img->naddrs * 24 + 1, len = 0;
    char *text = malloc(cap);
    sc->inline_name = duplicate(path);
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

int session_open_image(Session *s, const Options *o, char *err, size_t errlen)
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

int check_image(const char *path)
{
    size_t n = strlen(path);
    if (n < 6 || strcmp(path + n - 6, ".image") != 0)
        return -1;
    Image img;
    char err[1024];
    image_init(&img);
    int bad = image_read(&img, path, err, sizeof err) != 0;
    if (bad)
        fprintf(stderr, "vmsim: %s\n", err);
    else
        printf("%s: ok\n", path);
    image_fini(&img);
    return bad;
}

/* --image FILE and --style NAME; -1 with a message on bad usage, 1 for --help. */
static int dump_args(int argc, char **argv, const char **path, const char **style)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **into = strcmp(a, "--image") == 0 ? path : strcmp(a, "--style") == 0 ? style : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(dump_usage, stdout);
            return 1;
        }
        if (into && i + 1 < argc) {
            *into = argv[++i];
        } else if (strncmp(a, "--image=", 8) == 0) {
            *path = a + 8;
        } else if (strncmp(a, "--style=", 8) == 0) {
            *style = a + 8;
        } else {
            fprintf(stderr, "vmsim dump: %s '%s' (see vmsim dump --help)\n",
                    into ? "a value is missing after" : "unknown argument", a);
            return -1;
        }
    }
    if (!*path) {
        fputs(dump_usage, stderr);
        return -1;
    }
    return 0;
}

int cmd_dump(int argc, char **argv)
{
    const char *path = NULL, *style = "entries";
    int r = dump_args(argc, argv, &path, &style);
    if (r)
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    ImageDumpStyle st = IMAGE_DUMP_ENTRIES;
    bool as_image = strcmp(style, "image") == 0;
    if (!as_image && !image_dump_style_parse(style, &st)) {
        fprintf(stderr, "vmsim dump: --style must be one of ostep entries vmprint image, not '%s'\n", style);
        return EXIT_USAGE;
    }
    Image img;
    char err[1024];
    image_init(&img);
    if (image_read(&img, path, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim: %s\n", err);
        return EXIT_USAGE;
    }
    char *text = as_image ? image_format(&img) : image_dump(&img, st);
    image_fini(&img);
    if (!text) {
        fprintf(stderr, "vmsim: out of memory\n");
        return EXIT_FAILED;
    }
    fputs(text, stdout);
    free(text);
    return EXIT_OK;
}
