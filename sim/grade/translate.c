/* Translation questions: a random memory image per variant, its key from the real
 * walk, and grading that names the likely slip. See translate.h. */
#include "translate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmsim/rng.h"

#define TRANSLATE_MAX_MAPPED 1024

void translate_spec_init(TranslateSpec *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->machine, sizeof s->machine, "ostep");
    s->mapped = 16;
    s->addresses = 10;
    s->ask = TRANSLATE_ASK_PA | TRANSLATE_ASK_FAULT | TRANSLATE_ASK_VALUE | TRANSLATE_ASK_PARTS;
}

static bool parse_count(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (!isdigit((unsigned char)*v) || *end || n < lo || n > hi)
        return false;
    *out = (unsigned)n;
    return true;
}

/* The parts ask names; *ask is left as it was on error. */
static int parse_ask(const char *v, unsigned *out, char *err, size_t n)
{
    unsigned got = 0;
    static const struct { const char *name; unsigned bit; } parts[] = {
        { "pa", TRANSLATE_ASK_PA }, { "fault", TRANSLATE_ASK_FAULT },
        { "value", TRANSLATE_ASK_VALUE }, { "parts", TRANSLATE_ASK_PARTS },
    };
    char word[32];
    for (const char *p = v; sscanf(p, "%31s", word) == 1; p = strstr(p, word) + strlen(word)) {
        size_t i = 0;
        while (i < 4 && strcmp(word, parts[i].name) != 0)
            i++;
        if (i == 4) {
            snprintf(err, n, "ask: expected some of pa value fault parts, got '%s'", word);
            return -1;
        }
        got |= parts[i].bit;
    }
    if (!got) {
        snprintf(err, n, "ask: expected some of pa value fault parts");
        return -1;
    }
    *out = got;
    return 0;
}

int translate_spec_key(TranslateSpec *s, const char *key, const char *value, char *err, size_t n)
{
    if (strcmp(key, "machine") == 0) {
        if (strlen(value) >= sizeof s->machine || !*value) {
            snprintf(err, n, "machine: expected an architecture or a machine config file");
            return -1;
        }
        snprintf(s->machine, sizeof s->machine, "%s", value);
        return 0;
    }
    if (strcmp(key, "mapped") == 0) {
        if (parse_count(value, 1, TRANSLATE_MAX_MAPPED, &s->mapped))
            return 0;
        snprintf(err, n, "mapped: expected a number of pages from 1 to %d, got '%s'", TRANSLATE_MAX_MAPPED, value);
        return -1;
    }
    if (strcmp(key, "addresses") == 0) {
        if (parse_count(value, 1, TRANSLATE_MAX_ADDRS, &s->addresses))
            return 0;
        snprintf(err, n, "addresses: expected a number from 1 to %d, got '%s'", TRANSLATE_MAX_ADDRS, value);
        return -1;
    }
    if (strcmp(key, "dump") == 0) {
        if (image_dump_style_parse(value, &s->dump)) {
            s->dump_set = true;
            return 0;
        }
        snprintf(err, n, "dump: expected ostep, entries or vmprint, got '%s'", value);
        return -1;
    }
    if (strcmp(key, "ask") == 0)
        return parse_ask(value, &s->ask, err, n);
    return 1;
}

/* ---- drawing a variant ------------------------------------------------------ */

typedef struct Gen {
    TranslateVariant *v;
    Rng rng;
    pfn_t *free;              /* frames not used yet */
    size_t nfree;
    uint64_t window;          /* pages addresses are drawn from: 0 .. window-1 */
    vpn_t mapped[TRANSLATE_MAX_MAPPED];
    size_t nmapped;
} Gen;

/* A frame at random among the free ones: placement that differs per variant. */
static pfn_t take_frame(Gen *gn)
{
    if (gn->nfree == 0)
        return PFN_NONE;
    size_t i = (size_t)rng_below(&gn->rng, gn->nfree);
    pfn_t pfn = gn->free[i];
    gn->free[i] = gn->free[--gn->nfree];
    return pfn;
}

/* A new table. OSTEP fills its tables with 0x7f (valid clear, PFN 127) as its
 * initPageDir does; elsewhere an empty table is zeros. */
static pfn_t new_table(Gen *gn, unsigned level)
{
    Image *img = &gn->v->img;
    const Geometry *g = &img->m.geo;
    pfn_t pfn = take_frame(gn);
    if (pfn == PFN_NONE || g->arch != ARCH_OSTEP)
        return pfn;
    for (uint64_t i = 0; i < geo_table_entries(g, level); i++)
        image_write_mem(img, (pfn << g->page_shift) + i * g->pte_size, g->pte_size, 0x7f);
    return pfn;
}

/* The root's frame, or a wide root's run of n (geo_table_pages) from a multiple of n,
 * drawn while every frame is free. */
static pfn_t take_root(Gen *gn)
{
    const Geometry *g = &gn->v->img.m.geo;
    uint64_t n = geo_table_pages(g, 0);
    if (n == 1)
        return new_table(gn, 0);
    if (gn->nfree < n)
        return PFN_NONE;
    pfn_t start = rng_below(&gn->rng, gn->nfree / n) * n;
    for (size_t i = gn->nfree; i-- > 0;)
        if (gn->free[i] >= start && gn->free[i] < start + n)
            gn->free[i] = gn->free[--gn->nfree];
    return start;
}

/* Random bytes in a data page: below 31 on ostep (OSTEP's fillPage), any byte else. */
static void fill_page(Gen *gn, pfn_t pfn)
{
    Image *img = &gn->v->img;
    const Geometry *g = &img->m.geo;
    uint64_t top = g->arch == ARCH_OSTEP ? 31 : 256;
    for (uint64_t i = 0; i < geo_page_size(g); i++)
        image_write_mem(img, (pfn << g->page_shift) + i, 1, rng_below(&gn->rng, top));
}

/* Maps page vpn: tables made on the way down, then a data frame. -1 when frames run out. */
static int map_page(Gen *gn, vpn_t vpn)
{
    Image *img = &gn->v->img;
    const Geometry *g = &img->m.geo;
    vaddr_t va = vpn << g->page_shift;
    pfn_t table = img->root;
    for (unsigned l = 0; l < g->levels; l++) {
        paddr_t at = (table << g->page_shift) + (paddr_t)geo_index(g, l, va) * g->pte_size;
        pte_t pte = image_read_mem(img, at, g->pte_size);
        if (l + 1 < g->levels && (pte_flags(g, pte) & PTE_V)) {
            table = pte_pfn(g, pte);
            continue;
        }
        pfn_t pfn = l + 1 < g->levels ? new_table(gn, l + 1) : take_frame(gn);
        if (pfn == PFN_NONE)
            return -1;
        unsigned fl = l + 1 < g->levels
                    ? (g->style == PT_STYLE_X86 ? PTE_V | PTE_W | PTE_U | PTE_X : PTE_V)
                    : PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
        image_write_mem(img, at, g->pte_size, pte_encode(g, pfn, fl));
        if (l + 1 == g->levels)
            fill_page(gn, pfn);
        table = pfn;
    }
    return 0;
}

/* mapped pages, each a page not drawn before, in the order drawn. */
static int map_pages(Gen *gn, unsigned mapped, char *err, size_t n)
{
    for (unsigned k = 0; k < mapped; k++) {
        vpn_t vpn;
        bool seen;
        do {
            vpn = rng_below(&gn->rng, gn->window);
            seen = false;
            for (size_t j = 0; j < gn->nmapped && !seen; j++)
                seen = gn->mapped[j] == vpn;
        } while (seen);
        gn->mapped[gn->nmapped++] = vpn;
        if (map_page(gn, vpn) != 0) {
            snprintf(err, n, "the machine's %llu frames cannot hold %u mapped pages and their tables",
                     (unsigned long long)gn->v->img.m.memory.frames, mapped);
            return -1;
        }
    }
    return 0;
}

/* Half the addresses (rounded up) in mapped pages, each in a different one, the others
 * anywhere in the window (where they mostly fault), in an order drawn at random. OSTEP
 * tosses a coin per address instead; an exact half keeps every variant as hard. */
static void draw_addresses(Gen *gn, unsigned count)
{
    const Geometry *g = &gn->v->img.m.geo;
    bool in_mapped[TRANSLATE_MAX_ADDRS];
    for (unsigned i = 0; i < count; i++)
        in_mapped[i] = i < (count + 1) / 2 && i < gn->nmapped;
    for (unsigned i = count; i-- > 1;) {            /* Fisher-Yates */
        unsigned j = (unsigned)rng_below(&gn->rng, i + 1);
        bool t = in_mapped[i];
        in_mapped[i] = in_mapped[j];
        in_mapped[j] = t;
    }
    size_t next = 0;
    for (unsigned i = 0; i < count; i++) {
        vaddr_t va = in_mapped[i] ? (gn->mapped[next++] << g->page_shift) | rng_below(&gn->rng, geo_page_size(g))
                                  : rng_below(&gn->rng, gn->window << g->page_shift);
        gn->v->ans[gn->v->naddrs++].va = va;
    }
}

/* The key: the hardware's walk over the image (mmu_walk, a read from user mode). */
static int compute_key(TranslateVariant *v)
{
    const Geometry *g = &v->img.m.geo;
    FramePool fp;
    if (image_to_frames(&v->img, &fp) != 0)
        return -1;
    for (size_t i = 0; i < v->naddrs; i++) {
        TranslateAnswer *a = &v->ans[i];
        Walk w;
        a->status = mmu_walk(g, &fp, v->img.root, a->va, OP_READ, true, &w);
        a->level = w.level;
        a->nread = w.nread;
        for (unsigned l = 0; l < w.nread; l++)   /* as the handout shows them (before A/D) */
            a->pte[l] = image_read_mem(&v->img, w.pte_pa[l], g->pte_size);
        a->pa = w.pa;
        a->value = a->status == WALK_OK ? (uint8_t)image_read_mem(&v->img, w.pa, 1) : 0;
    }
    frames_fini(&fp);
    return 0;
}

/* Pages addresses come from: all of a small space (OSTEP's 1024), else 32 last-level
 * tables' worth from address 0, so the tables of a variant share their upper levels. */
static uint64_t address_window(const Geometry *g)
{
    unsigned vpn_bits = g->va_bits - g->page_shift - (g->sign_extend ? 1 : 0);
    uint64_t all = vpn_bits >= 62 ? 1ull << 62 : 1ull << vpn_bits;
    uint64_t some = 32ull << g->level_bits[g->levels - 1];
    return all < some ? all : some;
}

static int generate(Gen *gn, const TranslateSpec *s, char *err, size_t n)
{
    TranslateVariant *v = gn->v;
    const Geometry *g = &v->img.m.geo;
    gn->window = address_window(g);
    if (s->mapped > gn->window) {
        snprintf(err, n, "mapped = %u: the machine's addresses give %llu pages", s->mapped,
                 (unsigned long long)gn->window);
        return -1;
    }
    gn->nfree = v->img.m.memory.frames;
    gn->free = malloc(gn->nfree * sizeof *gn->free);
    if (!gn->free) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < gn->nfree; i++)
        gn->free[i] = i;
    v->img.root = take_root(gn);
    if (v->img.root == PFN_NONE) {
        snprintf(err, n, "the machine's %llu frames cannot hold its root table",
                 (unsigned long long)v->img.m.memory.frames);
        return -1;
    }
    if (map_pages(gn, s->mapped, err, n) != 0)
        return -1;
    draw_addresses(gn, s->addresses);
    if (compute_key(v) != 0) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    return 0;
}

int translate_generate(const TranslateSpec *s, uint64_t seed, TranslateVariant *v, char *err,
                       size_t n)
{
    memset(v, 0, sizeof *v);
    image_init(&v->img);
    v->ask = s->ask;
    if (image_set_machine(&v->img, s->machine, s->exercise[0] ? s->exercise : NULL, err, n) != 0)
        return -1;
    v->dump = s->dump_set ? s->dump : v->img.m.geo.arch == ARCH_OSTEP ? IMAGE_DUMP_OSTEP : IMAGE_DUMP_ENTRIES;
    if (v->dump != IMAGE_DUMP_OSTEP)
        v->ask &= ~(unsigned)TRANSLATE_ASK_VALUE;   /* only the byte dump shows the bytes */
    Gen *gn = calloc(1, sizeof *gn);
    if (!gn) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    gn->v = v;
    rng_seed(&gn->rng, seed);
    int r = generate(gn, s, err, n);
    free(gn->free);
    free(gn);
    if (r != 0)
        translate_variant_free(v);
    return r;
}

void translate_variant_free(TranslateVariant *v)
{
    image_fini(&v->img);
    v->naddrs = 0;
}

/* ---- what the student reads, and the key ------------------------------------ */

/* The item naming level l's index: pde, pte (x86 and OSTEP: the entry's name),
 * vpn2..vpn0 on RISC-V (the spec's VPN[i]). */
void translate_index_item(const Geometry *g, unsigned l, char *buf, size_t len)
{
    if (g->style == PT_STYLE_RISCV) {
        snprintf(buf, len, "vpn%u", g->levels - 1 - l);
        return;
    }
    const char *name = geo_level_name(g, l);
    size_t i = 0;
    for (; name[i] && i + 2 < len; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[i++] = 'e';
    buf[i] = '\0';
}

static void describe_machine(FILE *f, const TranslateVariant *v)
{
    const Geometry *g = &v->img.m.geo;
    fprintf(f, "Machine %s: %u-bit virtual addresses =", v->img.machine, g->va_bits);
    for (unsigned l = 0; l < g->levels; l++)
        fprintf(f, " %s index (%u bits) |", geo_level_name(g, l), g->level_bits[l]);
    fprintf(f, " offset (%u bits).\n", g->page_shift);
    fprintf(f, "Pages of %llu bytes; entries of %u byte%s (little-endian): valid bit %d, frame number\n"
            "in bits %u..%u. The root table (%s) is in ",
            (unsigned long long)geo_page_size(g), g->pte_size, g->pte_size > 1 ? "s" : "",
            g->fmt.valid, g->fmt.pfn_shift + g->fmt.pfn_bits - 1, g->fmt.pfn_shift,
            geo_level_name(g, 0));
    uint64_t pages = geo_table_pages(g, 0);   /* a wide root: its frames follow */
    if (pages > 1)
        fprintf(f, "frames %llu-%llu", (unsigned long long)v->img.root, (unsigned long long)(v->img.root + pages - 1));
    else
        fprintf(f, "frame %llu", (unsigned long long)v->img.root);
    fprintf(f, " (physical address 0x%llx).\n", (unsigned long long)(v->img.root << g->page_shift));
}

/* How to read the dump that follows. */
static const char *dump_words(ImageDumpStyle st)
{
    switch (st) {
    case IMAGE_DUMP_OSTEP: return "Memory: each 'page N:' line is frame N's bytes in hex, lowest address first.";
    case IMAGE_DUMP_ENTRIES: return "Page tables: every valid entry of every table, the root first.";
    case IMAGE_DUMP_VMPRINT: return "Page tables, as xv6's vmprint prints them: one '..' per level, the entry's index, its value and the address it points at.";
    }
    return "";
}

static void describe_items(FILE *f, const TranslateVariant *v, const char *q)
{
    const Geometry *g = &v->img.m.geo;
    fprintf(f, "For each address N, answer in answers.txt:\n");
    if (v->ask & (TRANSLATE_ASK_PA | TRANSLATE_ASK_FAULT))
        fprintf(f, "  %s.N = 0xPA (the physical address), or %s.N = fault%s\n", q, q,
                (v->ask & TRANSLATE_ASK_FAULT) ? " LEVEL (the table whose entry is not valid)" : "");
    if (v->ask & TRANSLATE_ASK_VALUE)
        fprintf(f, "  %s.N.value = 0xVV (the byte at that address; - when it faults)\n", q);
    if (v->ask & TRANSLATE_ASK_PARTS) {
        fprintf(f, "  ");
        for (unsigned l = 0; l < g->levels; l++) {
            char item[16];
            translate_index_item(g, l, item, sizeof item);
            fprintf(f, "%s.N.%s = the %s index%s", q, item, geo_level_name(g, l), l + 1 < g->levels ? ", " : "\n");
        }
    }
}

/* Runs fn into a memory stream and returns the text (NULL when out of memory). */
static char *text_of(void (*fn)(FILE *, const TranslateVariant *, const char *),
                     const TranslateVariant *v, const char *q)
{
    char *p = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&p, &len);
    if (!f)
        return NULL;
    fn(f, v, q);
    if (fclose(f) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static void write_questions(FILE *f, const TranslateVariant *v, const char *q)
{
    fprintf(f, "Translate each virtual address below with the page tables in this memory.\n");
    describe_machine(f, v);
    describe_items(f, v, q);
    char *dump = image_dump(&v->img, v->dump);
    fprintf(f, "\n%s\n\n%s\nVirtual addresses:\n", dump_words(v->dump), dump ? dump : "(out of memory)\n");
    free(dump);
    for (size_t i = 0; i < v->naddrs; i++)
        fprintf(f, "  %s.%zu  0x%04llx\n", q, i + 1, (unsigned long long)v->ans[i].va);
}

char *translate_questions(const TranslateVariant *v, const char *qname)
{
    return text_of(write_questions, v, qname);
}

int translate_answer_text(const TranslateVariant *v, size_t i, const char *sub, char *buf,
                          size_t len)
{
    const Geometry *g = &v->img.m.geo;
    if (i >= v->naddrs)
        return -1;
    const TranslateAnswer *a = &v->ans[i];
    if (!sub && a->status == WALK_OK)
        snprintf(buf, len, "0x%llx", (unsigned long long)a->pa);
    else if (!sub)
        snprintf(buf, len, (v->ask & TRANSLATE_ASK_FAULT) ? "fault %s" : "fault",
                 geo_level_name(g, a->level));
    else if (strcmp(sub, "value") == 0 && a->status == WALK_OK)
        snprintf(buf, len, "0x%02x", a->value);
    else if (strcmp(sub, "value") == 0)
        snprintf(buf, len, "-");
    else {
        for (unsigned l = 0; l < g->levels; l++) {
            char item[16];
            translate_index_item(g, l, item, sizeof item);
            if (strcmp(sub, item) == 0) {
                snprintf(buf, len, "%u", geo_index(g, l, a->va));
                return 0;
            }
        }
        return -1;
    }
    return 0;
}

/* One item, with its key value or blank. */
static void write_item(FILE *f, const TranslateVariant *v, const char *q, size_t i,
                       const char *sub, bool values)
{
    char val[64] = "";
    if (values)
        translate_answer_text(v, i, sub, val, sizeof val);
    fprintf(f, "%s.%zu%s%s = %s\n", q, i + 1, sub ? "." : "", sub ? sub : "", val);
}

static void write_items(FILE *f, const TranslateVariant *v, const char *q, bool values)
{
    const Geometry *g = &v->img.m.geo;
    for (size_t i = 0; i < v->naddrs; i++) {
        if (v->ask & (TRANSLATE_ASK_PA | TRANSLATE_ASK_FAULT))
            write_item(f, v, q, i, NULL, values);
        if (v->ask & TRANSLATE_ASK_VALUE)
            write_item(f, v, q, i, "value", values);
        for (unsigned l = 0; (v->ask & TRANSLATE_ASK_PARTS) && l < g->levels; l++) {
            char item[16];
            translate_index_item(g, l, item, sizeof item);
            write_item(f, v, q, i, item, values);
        }
    }
}

static void write_key(FILE *f, const TranslateVariant *v, const char *q) { write_items(f, v, q, true); }
static void write_blank(FILE *f, const TranslateVariant *v, const char *q) { write_items(f, v, q, false); }

char *translate_key(const TranslateVariant *v, const char *qname) { return text_of(write_key, v, qname); }
char *translate_template(const TranslateVariant *v, const char *qname) { return text_of(write_blank, v, qname); }

char *translate_image_text(const TranslateVariant *v) { return image_format(&v->img); }

static void write_trace(FILE *f, const TranslateVariant *v, const char *q)
{
    (void)q;
    for (size_t i = 0; i < v->naddrs; i++)
        fprintf(f, "R 0x%llx\n", (unsigned long long)v->ans[i].va);
}

char *translate_trace_text(const TranslateVariant *v) { return text_of(write_trace, v, NULL); }

static void write_inputs(FILE *f, const TranslateVariant *v, const char *q)
{
    fprintf(f, "@%s.machine = %s\n@%s.root = %llu\n@%s.addresses =", q, v->img.machine, q,
            (unsigned long long)v->img.root, q);
    for (size_t i = 0; i < v->naddrs; i++)
        fprintf(f, " 0x%llx", (unsigned long long)v->ans[i].va);
    fprintf(f, "\n");
}

char *translate_inputs(const TranslateVariant *v, const char *qname) { return text_of(write_inputs, v, qname); }
