/* The handouts a memory image prints: OSTEP's byte dump, every valid entry of every
 * table, and xv6's vmprint tree. */
#include "image_int.h"

#include <stdlib.h>
#include <string.h>

/* Tables printed at most, so an image whose entries loop cannot print for ever. */
#define DUMP_MAX_TABLES 4096

bool image_dump_style_parse(const char *name, ImageDumpStyle *out)
{
    static const char *const names[] = { "ostep", "entries", "vmprint" };
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (ImageDumpStyle)i;
            return true;
        }
    }
    return false;
}

/* OSTEP's memoryDump() and PDBR line (paging-multilevel-translate.py): every page
 * as "page %3d:" and its bytes in hex. Pages above 64 bytes would make lines of
 * thousands of digits, so on such machines only the frames holding something are
 * printed. */
static void dump_ostep(const Image *img, Buf *b)
{
    const Geometry *g = &img->m.geo;
    size_t page = geo_page_size(g);
    static const uint8_t zeros[64];
    if (page <= sizeof zeros) {
        for (pfn_t pfn = 0; pfn < img->m.memory.frames; pfn++) {
            const uint8_t *bytes = image_frame(img, pfn);
            buf_add(b, "page %3llu:", (unsigned long long)pfn);
            buf_hex(b, bytes ? bytes : zeros, page);
            buf_add(b, "\n");
        }
    } else {
        for (size_t i = 0; i < img->nframes; i++) {
            buf_add(b, "page %3llu:", (unsigned long long)img->frames[i].pfn);
            buf_hex(b, img->frames[i].bytes, page);
            buf_add(b, "\n");
        }
    }
    buf_add(b, "\nPDBR: %llu  (decimal) [This means the page directory is held in this page]\n",
            (unsigned long long)img->root);
}

typedef struct TreeDump {
    const Image *img;
    Buf *b;
    unsigned tables;           /* printed so far (DUMP_MAX_TABLES at most) */
} TreeDump;

/* Whether the entry points at another table (valid, not a leaf, inside memory). */
static bool is_table_entry(const Image *img, pte_t pte, unsigned level)
{
    const Geometry *g = &img->m.geo;
    return (pte_flags(g, pte) & PTE_V) && !pte_is_leaf(g, pte, level) &&
           pte_pfn(g, pte) < img->m.memory.frames;
}

static bool room_for_table(TreeDump *t)
{
    if (t->tables < DUMP_MAX_TABLES) {
        t->tables++;
        return true;
    }
    if (t->tables++ == DUMP_MAX_TABLES)
        buf_add(t->b, "... (more than %d tables: the rest is not printed)\n", DUMP_MAX_TABLES);
    return false;
}

/* One valid entry in the entries style: where it is, its value and flags, and what
 * it points at. */
static void entry_line(TreeDump *t, paddr_t at, unsigned level, unsigned i, pte_t pte, vaddr_t va)
{
    const Geometry *g = &t->img->m.geo;
    char flags[16];
    pte_describe(g, pte, flags, sizeof flags);
    pfn_t pfn = pte_pfn(g, pte);
    buf_add(t->b, "  %s[%u] at 0x%llx = 0x%0*llx  %s  -> ", geo_level_name(g, level), i,
            (unsigned long long)at, (int)g->pte_size * 2, (unsigned long long)pte, flags);
    if (pfn >= t->img->m.memory.frames)
        buf_add(t->b, "frame %llu (beyond memory)\n", (unsigned long long)pfn);
    else if (pte_is_leaf(g, pte, level))
        buf_add(t->b, "page 0x%llx in frame %llu (0x%llx)\n", (unsigned long long)va,
                (unsigned long long)pfn, (unsigned long long)(pfn << g->page_shift));
    else
        buf_add(t->b, "%s in frame %llu\n", geo_level_name(g, level + 1), (unsigned long long)pfn);
}

/* A table and its valid entries, then each table they point at, depth first. */
static void dump_entries(TreeDump *t, pfn_t table, unsigned level, vaddr_t base)
{
    const Image *img = t->img;
    const Geometry *g = &img->m.geo;
    unsigned shift = geo_level_shift(g, level);
    uint64_t n = geo_table_entries(g, level);
    paddr_t pa = table << g->page_shift;
    if (!room_for_table(t))
        return;
    uint64_t span = shift + g->level_bits[level] >= 64 ? 0 : 1ull << (shift + g->level_bits[level]);
    uint64_t pages = geo_table_pages(g, level);   /* a wide root spans several */
    if (pages > 1)
        buf_add(t->b, "%s in frames %llu-%llu (0x%llx-0x%llx)", geo_level_name(g, level),
                (unsigned long long)table, (unsigned long long)(table + pages - 1),
                (unsigned long long)pa, (unsigned long long)(pa + (pages << g->page_shift) - 1));
    else
        buf_add(t->b, "%s in frame %llu (0x%llx)", geo_level_name(g, level),
                (unsigned long long)table, (unsigned long long)pa);
    buf_add(t->b, ", va 0x%llx-0x%llx\n", (unsigned long long)base, (unsigned long long)(base + span - 1));
    for (uint64_t i = 0; i < n; i++) {
        pte_t pte = image_read_mem(img, pa + i * g->pte_size, g->pte_size);
        if (pte_flags(g, pte) & PTE_V)
            entry_line(t, pa + i * g->pte_size, level, (unsigned)i, pte, base | (i << shift));
    }
    for (uint64_t i = 0; i < n; i++) {
        pte_t pte = image_read_mem(img, pa + i * g->pte_size, g->pte_size);
        if (is_table_entry(img, pte, level))
            dump_entries(t, pte_pfn(g, pte), level + 1, base | (i << shift));
    }
}

/* Hex digits for the physical addresses vmprint prints: xv6's %p gives 16 on Sv39;
 * a narrower machine gets what its entries and addresses need. */
static int pa_digits(const Geometry *g)
{
    int d = (int)(g->pa_bits + 3) / 4;
    return d > (int)g->pte_size * 2 ? d : (int)g->pte_size * 2;
}

/* xv6-riscv's vmprint (the "print a page table" lab, kernel/vm.c): one line per
 * valid entry, " .." per level of depth, "INDEX: pte 0x... pa 0x...", children
 * below their entry. */
static void dump_vmprint(TreeDump *t, pfn_t table, unsigned level)
{
    const Image *img = t->img;
    const Geometry *g = &img->m.geo;
    paddr_t pa = table << g->page_shift;
    if (!room_for_table(t))
        return;
    for (uint64_t i = 0; i < geo_table_entries(g, level); i++) {
        pte_t pte = image_read_mem(img, pa + i * g->pte_size, g->pte_size);
        if (!(pte_flags(g, pte) & PTE_V))
            continue;
        for (unsigned d = 0; d <= level; d++)
            buf_add(t->b, d ? " .." : "..");
        buf_add(t->b, "%llu: pte 0x%0*llx pa 0x%0*llx\n", (unsigned long long)i,
                (int)g->pte_size * 2, (unsigned long long)pte, pa_digits(g),
                (unsigned long long)(pte_pfn(g, pte) << g->page_shift));
        if (is_table_entry(img, pte, level))
            dump_vmprint(t, pte_pfn(g, pte), level + 1);
    }
}

char *image_dump(const Image *img, ImageDumpStyle style)
{
    Buf b = { 0 };
    TreeDump t = { img, &b, 0 };
    const Geometry *g = &img->m.geo;
    switch (style) {
    case IMAGE_DUMP_OSTEP:
        dump_ostep(img, &b);
        break;
    case IMAGE_DUMP_ENTRIES:
        dump_entries(&t, img->root, 0, 0);
        break;
    case IMAGE_DUMP_VMPRINT:
        buf_add(&b, "page table 0x%0*llx\n", pa_digits(g),
                (unsigned long long)(img->root << g->page_shift));
        dump_vmprint(&t, img->root, 0);
        break;
    }
    return buf_take(&b);
}
