/* Page tables grown on demand: a table page for a process, and the entry for an
 * address at a level, made through the levels above it. */
#include "sim_int.h"

pfn_t mm_new_table(Sim *s, Process *p, unsigned level, vaddr_t va, paddr_t parent_pte)
{
    const Geometry *g = &s->geo;
    uint64_t n = geo_table_pages(g, level);    /* more than 1 for a wide root only */
    pfn_t pfn = n == 1 ? mm_get_frame(s, true) : mm_get_table_run(s, n);
    if (pfn == PFN_NONE)
        return PFN_NONE;
    if (p->state != PROC_RUNNING) {        /* the OOM killer chose p to make room */
        for (uint64_t i = 0; i < n; i++)
            frames_free(&s->fp, pfn + i);
        return PFN_NONE;
    }
    unsigned sh = geo_level_shift(g, level) + g->level_bits[level];
    vaddr_t base = sh >= 64 ? 0 : va & ~((1ull << sh) - 1);
    uint64_t per_page = geo_page_size(g) / g->pte_size;   /* entries in each frame */
    for (uint64_t i = 0; i < n; i++) {
        Frame *f = &s->fp.frames[pfn + i];
        f->pid = p->pid;
        f->level = (uint8_t)level;
        f->va = base + ((i * per_page) << geo_level_shift(g, level));
        f->pte_pa = parent_pte;
    }
    p->pt_pages += n;
    s->stats.table_pages += n;
    EMIT(s, .kind = EV_TABLE_ALLOC, .pid = p->pid, .pfn = pfn, .level = level, .va = va, .count = n);
    return pfn;
}

paddr_t mm_leaf_entry(Sim *s, Process *p, vaddr_t va)
{
    return mm_entry_at(s, p, va, s->geo.levels - 1);
}

paddr_t mm_entry_at(Sim *s, Process *p, vaddr_t va, unsigned level)
{
    const Geometry *g = &s->geo;
    paddr_t table = p->root << g->page_shift;
    for (unsigned l = 0; l < level; l++) {
        paddr_t pa = table + (paddr_t)geo_index(g, l, va) * g->pte_size;
        pte_t pte = mem_read(&s->fp, pa, g->pte_size);
        if ((pte_flags(g, pte) & PTE_V) && pte_is_leaf(g, pte, l)) {
            sim_fmt_err(s->err, sizeof s->err, "a large page already maps 0x%llx",
                        (unsigned long long)va);
            return PADDR_NONE;
        }
        if (!(pte_flags(g, pte) & PTE_V)) {
            pfn_t t = mm_new_table(s, p, l + 1, va, pa);
            if (t == PFN_NONE || p->state != PROC_RUNNING)
                return PADDR_NONE;         /* no memory, or p itself was OOM-killed */
            pte = pte_encode(g, t, mm_table_flags(s));
            mem_write(&s->fp, pa, g->pte_size, pte);
            mm_table_of(s, pa)->used++;
            EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = va, .level = l, .pte_pa = pa, .pte = pte);
        }
        table = pte_pfn(g, pte) << g->page_shift;
    }
    return table + (paddr_t)geo_index(g, level, va) * g->pte_size;
}
