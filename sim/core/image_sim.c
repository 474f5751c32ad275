/* A Sim over a memory image: the real walk, and no operating system behind it. */
#include "image_int.h"
#include "sim_int.h"

/* The page a leaf entry at level maps: its frames become p's data, as if the OS had
 * mapped them (a large page's run is never replaced, so only base pages go to the
 * policy). Frames already taken, or beyond memory, are left as they are. */
static void claim_page(Sim *s, Process *p, pte_t pte, unsigned level, vaddr_t va, paddr_t at)
{
    const Geometry *g = &s->geo;
    uint64_t n = 1ull << (geo_leaf_shift(g, level) - g->page_shift);
    pfn_t first = pte_pfn(g, pte) & ~(n - 1);
    for (uint64_t i = 0; i < n; i++) {
        if (frames_claim(&s->fp, first + i, FRAME_DATA) != 0)
            continue;
        Frame *f = &s->fp.frames[first + i];
        f->pid = p->pid;
        f->va = va + (i << g->page_shift);
        f->pte_pa = at;
        f->refs = i == 0;
        f->span = i == 0 ? (uint32_t)n : 0;
        p->rss++;
        if (n == 1)
            policy_insert(s->policy, first, false, 0);
    }
}

/* Takes the frames of the table at table (a wide root's run, else one frame) for p.
 * False when its first frame is taken already (entries that loop). */
static bool claim_frames(Sim *s, Process *p, pfn_t table, unsigned level, vaddr_t base, paddr_t parent)
{
    const Geometry *g = &s->geo;
    uint64_t n = geo_table_pages(g, level), per_page = geo_page_size(g) / g->pte_size;
    if (frames_claim(&s->fp, table, FRAME_TABLE) != 0)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        if (i > 0 && frames_claim(&s->fp, table + i, FRAME_TABLE) != 0)
            continue;                      /* checked by the image's reader: not reached */
        Frame *f = &s->fp.frames[table + i];
        f->pid = p->pid;
        f->level = (uint8_t)level;
        f->va = base | ((i * per_page) << geo_level_shift(g, level));
        f->pte_pa = parent;
        p->pt_pages++;
    }
    return true;
}

/* Marks the table in frame table and everything under it as the process's: table
 * pages and data pages, for the frame pool's and the process's counts. A frame met
 * twice (entries that loop) is counted once. */
static void claim_table(Sim *s, Process *p, pfn_t table, unsigned level, vaddr_t base, paddr_t parent)
{
    const Geometry *g = &s->geo;
    if (!claim_frames(s, p, table, level, base, parent))
        return;
    for (uint64_t i = 0; i < geo_table_entries(g, level); i++) {
        paddr_t at = (table << g->page_shift) + i * g->pte_size;
        pte_t pte = mem_read(&s->fp, at, g->pte_size);
        vaddr_t va = base | (i << geo_level_shift(g, level));
        if (!(pte_flags(g, pte) & PTE_V))
            continue;
        s->fp.frames[at >> g->page_shift].used++;   /* the frame holding the entry */
        if (pte_is_leaf(g, pte, level))
            claim_page(s, p, pte, level, va, at);
        else
            claim_table(s, p, pte_pfn(g, pte), level + 1, va, at);
    }
}

Sim *sim_create_image(const Image *img, char *err, size_t errlen)
{
    const Geometry *g = &img->m.geo;
    pfn_t top = img->nframes ? img->frames[img->nframes - 1].pfn : 0;
    pfn_t root_end = img->root + geo_table_pages(g, 0) - 1;   /* a wide root's last frame */
    if (root_end >= img->m.memory.frames || top >= img->m.memory.frames) {
        sim_fmt_err(err, errlen, "the image uses frame %llu but the machine has %llu frames",
                    (unsigned long long)(root_end > top ? root_end : top),
                    (unsigned long long)img->m.memory.frames);
        return NULL;
    }
    MachineConfig m = img->m;
    m.memory.separate_tables = false;
    Sim *s = sim_create(&m, err, errlen);
    if (!s)
        return NULL;
    Process *p = sim_add_process(s, 1, "image", err, errlen);
    if (!p) {
        sim_destroy(s);
        return NULL;
    }
    /* The image's own root replaces the empty one a process starts with. */
    for (uint64_t i = 0; i < geo_table_pages(g, 0); i++)
        frames_free(&s->fp, p->root + i);
    p->pt_pages = 0;
    s->stats.table_pages = 0;
    p->root = img->root;
    for (size_t i = 0; i < img->nframes; i++) {
        if (mem_load(&s->fp, img->frames[i].pfn << g->page_shift, img->frames[i].bytes,
                     geo_page_size(g)) != 0) {
            sim_destroy(s);
            sim_fmt_err(err, errlen, "out of memory loading the image");
            return NULL;
        }
    }
    claim_table(s, p, img->root, 0, 0, PADDR_NONE);
    s->no_os = true;
    return s;
}
