/* vmsim dump and vmsim check of an image: memory images from the command line (--image
 * for run, step and gui: sim/app/session.c). */
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
