/* Memory images: the .image text format (and OSTEP's dump), reading, writing, and
 * the image's bytes. Dumps are in image_dump.c; the Sim over an image in
 * image_sim.c. */
#include "image_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmsim/scenario.h"

void image_init(Image *img)
{
    memset(img, 0, sizeof *img);
    img->root = PFN_NONE;
    machine_default(&img->m);
}

void image_fini(Image *img)
{
    for (size_t i = 0; i < img->nframes; i++)
        free(img->frames[i].bytes);
    free(img->frames);
    free(img->addrs);
    image_init(img);
}

/* ---- frames --------------------------------------------------------------- */

/* The index of pfn in the sorted frames, or where it would go. */
static size_t frame_slot(const Image *img, pfn_t pfn)
{
    size_t lo = 0, hi = img->nframes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->frames[mid].pfn < pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const uint8_t *image_frame(const Image *img, pfn_t pfn)
{
    size_t i = frame_slot(img, pfn);
    return i < img->nframes && img->frames[i].pfn == pfn ? img->frames[i].bytes : NULL;
}

/* The bytes of frame pfn, listed (zeroed) if it was not. NULL when out of memory. */
static uint8_t *frame_get(Image *img, pfn_t pfn)
{
    size_t i = frame_slot(img, pfn);
    if (i < img->nframes && img->frames[i].pfn == pfn)
        return img->frames[i].bytes;
    if (img->nframes == img->cap) {
        size_t cap = img->cap * 2 + 16;
        ImageFrame *nf = realloc(img->frames, cap * sizeof *nf);
        if (!nf)
            return NULL;
        img->frames = nf;
        img->cap = cap;
    }
    uint8_t *bytes = calloc(1, geo_page_size(&img->m.geo));
    if (!bytes)
        return NULL;
    memmove(&img->frames[i + 1], &img->frames[i], (img->nframes - i) * sizeof *img->frames);
    img->frames[i] = (ImageFrame){ pfn, bytes };
    img->nframes++;
    return bytes;
}

uint64_t image_read_mem(const Image *img, paddr_t pa, unsigned size)
{
    unsigned shift = img->m.geo.page_shift;
    uint64_t off = pa & (geo_page_size(&img->m.geo) - 1);
    const uint8_t *b = image_frame(img, pa >> shift);
    if (!b || off + size > geo_page_size(&img->m.geo))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[off + i] << (8 * i);
    return v;
}

int image_write_mem(Image *img, paddr_t pa, unsigned size, uint64_t value)
{
    unsigned shift = img->m.geo.page_shift;
    uint64_t off = pa & (geo_page_size(&img->m.geo) - 1);
    if ((pa >> shift) >= img->m.memory.frames || off + size > geo_page_size(&img->m.geo))
        return -1;
    uint8_t *b = frame_get(img, pa >> shift);
    if (!b)
        return -1;
    for (unsigned i = 0; i < size; i++)
        b[off + i] = (uint8_t)(value >> (8 * i));
    return 0;
}

/* ---- the machine ----------------------------------------------------------- */

/* A config file is named by a path; anything else is an architecture. */
static bool names_file(const char *machine)
{
    size_t n = strlen(machine);
    return strchr(machine, '/') || (n > 4 && strcmp(machine + n - 4, ".ini") == 0);
}

/* "DIR/path" for a relative path next to the file named from (NULL: as given). */
static void join_path(char *out, size_t len, const char *from, const char *path)
{
    const char *slash = from ? strrchr(from, '/') : NULL;
    if (path[0] == '/' || !slash)
        snprintf(out, len, "%s", path);
    else
        snprintf(out, len, "%.*s/%s", (int)(slash - from), from, path);
}

/* The built-in default machine with arch's geometry, as `[machine] arch = NAME`
 * gives, with no more frames than the entry's frame field can name (OSTEP's 7-bit
 * PFN: 128 frames, as its homework has). */
static int preset_machine(Scenario *sc, const char *machine, char *err, size_t errlen)
{
    char set[IMAGE_MACHINE_MAX + 16];
    snprintf(set, sizeof set, "machine.arch=%s", machine);
    ArchKind a;
    if (!arch_parse(machine, &a) || a == ARCH_CUSTOM) {
        snprintf(err, errlen, "machine = %s: expected x86_64, x86_32, sv39, sv48, ostep or a "
                 "machine config file (a path ending in .ini)", machine);
        return -1;
    }
    if (scenario_set(sc, set, "machine", err, errlen) != 0)
        return -1;
    unsigned bits = sc->machine.geo.fmt.pfn_bits;
    if (bits < 63 && sc->machine.memory.frames > (1ull << bits))
        sc->machine.memory.frames = 1ull << bits;
    return 0;
}

int image_set_machine(Image *img, const char *machine, const char *dir, char *err, size_t errlen)
{
    if (strlen(machine) >= sizeof img->machine) {
        snprintf(err, errlen, "machine = ...: the name is too long");
        return -1;
    }
    Scenario sc;
    scenario_init(&sc);
    int r;
    if (names_file(machine)) {
        char path[1024];
        join_path(path, sizeof path, dir, machine);
        r = scenario_load(&sc, path, err, errlen);
    } else {
        r = preset_machine(&sc, machine, err, errlen);
    }
    if (r == 0)
        r = scenario_validate(&sc, err, errlen);
    if (r == 0) {
        img->m = sc.machine;
        img->m.memory.separate_tables = false;   /* an image's tables are in its frames */
        snprintf(img->machine, sizeof img->machine, "%s", machine);
        img->has_machine = true;
    }
    scenario_fini(&sc);
    return r;
}

/* ---- reading --------------------------------------------------------------- */

typedef struct Reader {
    Image *img;
    const char *name;
    unsigned long line;
    unsigned long root_line;   /* where the root was given */
    char *err;
    size_t errlen;
} Reader;

static int bad(Reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s:%lu: %s", r->name, r->line, msg);
    return -1;
}

/* A number: decimal, or hex with 0x. Sets *end past it. */
static bool parse_num(const char *s, uint64_t *out, const char **end)
{
    char *e;
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    *out = strtoull(s, &e, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
    if (errno || e == s)
        return false;
    *end = e;
    return true;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* Reads a page's bytes in hex (blanks between bytes allowed; bytes not given are
 * zero) into frame pfn. */
static int read_bytes(Reader *r, pfn_t pfn, const char *hex)
{
    Image *img = r->img;
    uint64_t page = geo_page_size(&img->m.geo);
    if (pfn >= img->m.memory.frames)
        return bad(r, "frame %llu is beyond the machine's %llu frames", (unsigned long long)pfn,
                   (unsigned long long)img->m.memory.frames);
    if (image_frame(img, pfn))
        return bad(r, "frame %llu is given twice", (unsigned long long)pfn);
    uint8_t *b = frame_get(img, pfn);
    if (!b)
        return bad(r, "out of memory");
    uint64_t n = 0;
    for (const char *s = skip_space(hex); *s; s = skip_space(s)) {
        int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
        if (lo < 0)
            return bad(r, "expected the frame's bytes as pairs of hex digits, got '%.16s'", s);
        if (n == page)
            return bad(r, "frame %llu has more than %llu bytes (the page size)",
                       (unsigned long long)pfn, (unsigned long long)page);
        b[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    return 0;
}

/* "N: HEX" after `frame` or OSTEP's `page`. */
static int frame_line(Reader *r, const char *rest)
{
    uint64_t pfn;
    const char *e;
    if (!r->img->has_machine)
        return bad(r, "expected 'machine = ...' before the first frame (it sets the page size)");
    if (!parse_num(skip_space(rest), &pfn, &e) || *(e = skip_space(e)) != ':')
        return bad(r, "expected 'frame N: HEX' (a frame number, a colon, its bytes in hex)");
    return read_bytes(r, pfn, e + 1);
}

/* OSTEP's dump is of its own machine. */
static int want_ostep(Reader *r)
{
    if (!r->img->has_machine)
        return image_set_machine(r->img, "ostep", NULL, r->err, r->errlen);
    if (r->img->m.geo.arch != ARCH_OSTEP)
        return bad(r, "an OSTEP 'page N:' line in an image of a %s machine", arch_name(r->img->m.geo.arch));
    return 0;
}

/* The root's frame number; OSTEP's PDBR line has words after it (rest true). */
static int set_root(Reader *r, const char *v, bool rest)
{
    uint64_t root;
    const char *e;
    if (!parse_num(v, &root, &e) || (*e && !(rest && *e == ' ')))
        return bad(r, "expected the root table's frame number, got '%s'", v);
    if (r->img->root != PFN_NONE)
        return bad(r, "the root is given twice");
    r->img->root = root;
    r->root_line = r->line;
    return 0;
}

static int add_address(Reader *r, const char *v)
{
    Image *img = r->img;
    uint64_t va;
    char *e;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
        v += 2;
    va = strtoull(v, &e, 16);
    if (e == v || *e != ':')
        return bad(r, "expected 'Virtual Address HEX:', got '%s'", v);
    if (img->naddrs == img->capaddrs) {
        size_t cap = img->capaddrs * 2 + 16;
        vaddr_t *na = realloc(img->addrs, cap * sizeof *na);
        if (!na)
            return bad(r, "out of memory");
        img->addrs = na;
        img->capaddrs = cap;
    }
    img->addrs[img->naddrs++] = va;
    return 0;
}

/* "KEY = VALUE" with KEY machine or root. 1 when the line is not of that form. */
static int key_line(Reader *r, const char *s)
{
    const char *eq = strchr(s, '=');
    if (!eq)
        return 1;
    size_t klen = (size_t)(eq - s);
    while (klen && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
        klen--;
    const char *v = skip_space(eq + 1);
    if (klen == 7 && strncmp(s, "machine", 7) == 0) {
        if (r->img->has_machine)
            return bad(r, "the machine is given twice");
        if (!*v)
            return bad(r, "expected 'machine = NAME' (an architecture or a config file)");
        char why[512];
        return image_set_machine(r->img, v, r->name, why, sizeof why) != 0 ? bad(r, "%s", why) : 0;
    }
    if (klen == 4 && strncmp(s, "root", 4) == 0)
        return set_root(r, v, false);
    return bad(r, "unknown key '%.*s' (an image has machine, root and frame lines)", (int)klen, s);
}

/* One line, comments and blanks already stripped. */
static int image_line(Reader *r, const char *s)
{
    if (strncmp(s, "frame", 5) == 0 && (s[5] == ' ' || s[5] == '\t'))
        return frame_line(r, s + 5);
    if (strncmp(s, "page", 4) == 0 && (s[4] == ' ' || s[4] == '\t'))
        return want_ostep(r) ? -1 : frame_line(r, s + 4);
    if (strncmp(s, "PDBR:", 5) == 0)
        return want_ostep(r) ? -1 : set_root(r, skip_space(s + 5), true);
    if (strncmp(s, "Virtual Address ", 16) == 0)
        return add_address(r, s + 16);
    if (strncmp(s, "ARG ", 4) == 0 || strncmp(s, "-->", 3) == 0)
        return 0;                          /* OSTEP's arguments and answers */
    int k = key_line(r, s);
    if (k <= 0)
        return k;
    return bad(r, "expected 'machine = NAME', 'root = FRAME' or 'frame N: HEX' "
               "(or OSTEP's 'page N:HEX' and 'PDBR: N'), got '%.40s'", s);
}

/* Copies the line at *p into buf without its comment (# or ;) and outer blanks;
 * advances *p to the next line. False if the line is too long. */
static bool next_line(const char **p, char *buf, size_t len)
{
    const char *s = *p, *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    *p = nl ? nl + 1 : s + n;
    size_t cut = strcspn(s, "#;\n");
    if (cut < n)
        n = cut;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    if (n >= len)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

/* The root inside memory; a root of several pages (geo_table_pages) starts at a
 * multiple of its frames, as the hardware's wide roots are aligned to their size. */
static int check_root(Reader *r)
{
    const Image *img = r->img;
    uint64_t n = geo_table_pages(&img->m.geo, 0), frames = img->m.memory.frames;
    r->line = r->root_line;
    bool beyond = img->root >= frames || n > frames - img->root;
    if (beyond && n == 1)
        return bad(r, "the root frame %llu is beyond the machine's %llu frames",
                   (unsigned long long)img->root, (unsigned long long)frames);
    if (beyond)
        return bad(r, "the root table spans frames %llu-%llu, beyond the machine's %llu frames",
                   (unsigned long long)img->root, (unsigned long long)(img->root + n - 1),
                   (unsigned long long)frames);
    if (img->root % n)
        return bad(r, "the root table spans %llu frames and starts at a multiple of %llu "
                   "(frame %llu is not one)", (unsigned long long)n, (unsigned long long)n,
                   (unsigned long long)img->root);
    return 0;
}

int image_read_text(Image *img, const char *name, const char *text, char *err, size_t errlen)
{
    image_fini(img);
    Reader r = { img, name, 0, 0, err, errlen };
    size_t cap = strlen(text) + 1;
    char *buf = malloc(cap);
    int rc = buf ? 0 : bad(&r, "out of memory");
    for (const char *p = text; rc == 0 && *p;) {
        r.line++;
        if (!next_line(&p, buf, cap))
            rc = bad(&r, "line too long");
        else if (buf[0])
            rc = image_line(&r, buf);
    }
    free(buf);
    if (rc == 0 && !img->has_machine)
        rc = bad(&r, "the image ended without a 'machine = NAME' line");
    else if (rc == 0 && img->root == PFN_NONE)
        rc = bad(&r, "the image ended without a 'root = FRAME' line (OSTEP: 'PDBR: N')");
    else if (rc == 0)
        rc = check_root(&r);
    if (rc != 0)
        image_fini(img);
    return rc;
}

/* The whole of f as a NUL-terminated string (*len bytes before the NUL), or NULL
 * when out of memory or on a read error (errno says which). */
static char *read_all(FILE *f, size_t *len)
{
    char *text = NULL, chunk[65536];
    size_t cap = 0, n;
    *len = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*len + n + 1 > cap) {
            cap = (*len + n + 1) * 2;
            char *nt = realloc(text, cap);
            if (!nt) {
                free(text);
                errno = ENOMEM;
                return NULL;
            }
            text = nt;
        }
        memcpy(text + *len, chunk, n);
        *len += n;
    }
    if (ferror(f) || (!text && !(text = malloc(1)))) {
        free(text);
        return NULL;
    }
    text[*len] = '\0';
    return text;
}

int image_read(Image *img, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t len;
    char *text = read_all(f, &len);
    int e = errno;
    fclose(f);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -1;
    }
    int rc = -1;
    if (memchr(text, '\0', len))
        snprintf(err, errlen, "%s:1: expected a text image, found a NUL byte", path);
    else
        rc = image_read_text(img, path, text, err, errlen);
    free(text);
    return rc;
}

/* ---- writing --------------------------------------------------------------- */

void buf_add(Buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

char *buf_take(Buf *b)
{
    if (b->oom || !b->p) {
        free(b->p);
        return b->oom ? NULL : calloc(1, 1);
    }
    return b->p;
}

void buf_hex(Buf *b, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        buf_add(b, "%c%c", digits[bytes[i] >> 4], digits[bytes[i] & 15]);
}

/* How many of a frame's bytes the writer gives: all of a small page (OSTEP's 32
 * bytes read as one line), up to the last non-zero byte of a large one. */
static size_t bytes_to_write(const Geometry *g, const uint8_t *b)
{
    size_t n = geo_page_size(g);
    size_t last = n;
    while (last && b[last - 1] == 0)
        last--;
    return last == 0 ? 0 : n <= 64 ? n : last;
}

char *image_format(const Image *img)
{
    Buf b = { 0 };
    buf_add(&b, "# vmsim memory image\nmachine = %s\nroot = %llu\n", img->machine,
            (unsigned long long)img->root);
    for (size_t i = 0; i < img->nframes; i++) {
        size_t n = bytes_to_write(&img->m.geo, img->frames[i].bytes);
        if (n == 0)
            continue;
        buf_add(&b, "frame %llu: ", (unsigned long long)img->frames[i].pfn);
        buf_hex(&b, img->frames[i].bytes, n);
        buf_add(&b, "\n");
    }
    return buf_take(&b);
}

int image_to_frames(const Image *img, FramePool *fp)
{
    const Geometry *g = &img->m.geo;
    if (frames_init(fp, img->m.memory.frames, g->page_shift, false) != 0)
        return -1;
    for (size_t i = 0; i < img->nframes; i++) {
        if (img->frames[i].pfn >= fp->nframes)
            continue;
        if (mem_load(fp, img->frames[i].pfn << g->page_shift, img->frames[i].bytes,
                     geo_page_size(g)) != 0) {
            frames_fini(fp);
            return -1;
        }
    }
    return 0;
}
