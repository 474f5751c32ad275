/* Page-table queries and teardown: walking a process's leaves, the reverse map of
 * shared frames, a page's span, dropping a frame, unmapping and releasing a process
 * (putting back the entries a trace wrote by hand first). Below reclaim: nothing here
 * gets a frame. */
#include "sim_int.h"

/* ---- walking a process's page tables ------------------------------------- */

typedef struct LeafWalk {
    Sim *s;
    Process *p;
    vaddr_t lo, hi;                 /* [lo, hi) */
    LeafFn fn;
    void *ctx;
} LeafWalk;

/* The address bits of va as a process sees them (sign-extended where required). */
static vaddr_t canonical(const Geometry *g, vaddr_t va)
{
    if (!g->sign_extend || g->va_bits >= 64 || !((va >> (g->va_bits - 1)) & 1))
        return va;
    return va | ~((1ull << g->va_bits) - 1);
}

static void walk_table(LeafWalk *lw, pfn_t table, unsigned level, vaddr_t base)
{
    Sim *s = lw->s;
    const Geometry *g = &s->geo;
    unsigned shift = geo_level_shift(g, level);
    uint64_t n = geo_table_entries(g, level);
    for (uint64_t i = 0; i < n; i++) {
        vaddr_t va = canonical(g, base | (i << shift));
        vaddr_t end = va + (1ull << shift) - 1;        /* last byte it covers */
        if (end < lw->lo || va >= lw->hi)
            continue;
        paddr_t pa = (table << g->page_shift) + i * g->pte_size;
        pte_t pte = mem_read(&s->fp, pa, g->pte_size);
        if (pte == 0)
            continue;
        unsigned fl = pte_flags(g, pte);
        if ((fl & PTE_V) && !pte_is_leaf(g, pte, level))
            walk_table(lw, pte_pfn(g, pte), level + 1, base | (i << shift));
        else
            lw->fn(s, lw->p, va, pa, pte, lw->ctx);
    }
}

void mm_for_each_leaf(Sim *s, Process *p, vaddr_t lo, vaddr_t hi, LeafFn fn, void *ctx)
{
    if (p->root == PFN_NONE || lo >= hi)
        return;
    LeafWalk lw = { s, p, lo, hi, fn, ctx };
    walk_table(&lw, p->root, 0, 0);
}

/* ---- the reverse map ------------------------------------------------------ */

/* The entry mapping pfn in q, or PADDR_NONE. Shared frames sit at the same address in
 * every process that maps them (they come from fork), so f->va finds them. */
static paddr_t mapping_in(const Sim *s, const Process *q, pfn_t pfn)
{
    if (q->state != PROC_RUNNING || q->root == PFN_NONE)
        return PADDR_NONE;
    Walk w;
    if (mmu_lookup(&s->geo, &s->fp, q->root, s->fp.frames[pfn].va, &w) != WALK_OK ||
        w.page_pfn != pfn)
        return PADDR_NONE;
    return w.pte_pa[w.nread - 1];
}

bool sim_maps_frame(const Sim *s, const Process *q, pfn_t pfn)
{
    return pfn < s->fp.total && s->fp.frames[pfn].kind == FRAME_DATA && mapping_in(s, q, pfn) != PADDR_NONE;
}

/* Calls fn for every live process mapping pfn, with its entry's address. */
void mm_for_each_mapper(Sim *s, pfn_t pfn, void (*fn)(Sim *, Process *, pfn_t, paddr_t, void *),
                            void *ctx)
{
    Frame *f = &s->fp.frames[pfn];
    if (f->refs <= 1) {
        Process *owner = proc_by_pid(s, f->pid);
        if (owner)
            fn(s, owner, pfn, f->pte_pa, ctx);
        return;
    }
    for (size_t i = 0; i < s->nprocs; i++) {
        paddr_t pa = mapping_in(s, s->procs[i], pfn);
        if (pa != PADDR_NONE)
            fn(s, s->procs[i], pfn, pa, ctx);
    }
}

/* Makes another live mapper of pfn its owner (the one eviction starts from). */
static void reassign_owner(Sim *s, pfn_t pfn, const Process *leaving)
{
    Frame *f = &s->fp.frames[pfn];
    for (size_t i = 0; i < s->nprocs; i++) {
        Process *q = s->procs[i];
        if (q == leaving)
            continue;
        paddr_t pa = mapping_in(s, q, pfn);
        if (pa != PADDR_NONE) {
            f->pid = q->pid;
            f->pte_pa = pa;
            return;
        }
    }
}

/* The flags of an entry that points at a table: x86 leaves every permission to the
 * leaf (R/W, U/S set, XD clear); RISC-V and the plain format have V alone. */
unsigned mm_table_flags(const Sim *s)
{
    return s->geo.style == PT_STYLE_X86 ? PTE_V | PTE_W | PTE_U | PTE_X : PTE_V;
}

/* p no longer maps the data frame pfn: the frame goes when nobody else does. */
void mm_drop_frame(Sim *s, Process *p, pfn_t pfn)
{
    Frame *f = &s->fp.frames[pfn];
    if (!frames_is_ram(&s->fp, pfn) || f->kind != FRAME_DATA)
        return;
    if (--f->refs > 0) {
        if (f->pid == p->pid)
            reassign_owner(s, pfn, p);
        return;
    }
    uint32_t span = f->span;
    if (span == 1)
        policy_remove(s->policy, pfn);    /* large pages are never in the policy */
    swap_put(&s->swap, f->swap_slot);
    for (uint32_t i = 0; i < span; i++)
        frames_free(&s->fp, pfn + i);
}

/* Frames in a page's run: 1, or a large page's count. */
uint32_t mm_span(const Sim *s, pfn_t pfn)
{
    if (!frames_is_ram(&s->fp, pfn))
        return 1;
    uint32_t n = s->fp.frames[pfn].span;
    return n ? n : 1;
}

/* Clears one leaf entry of p (a page or a swap entry). */
static void unmap_leaf(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    uint64_t *pages = ctx;
    const Geometry *g = &s->geo;
    if (pte_flags(g, pte) & PTE_V) {
        uint32_t span = mm_span(s, pte_pfn(g, pte));
        const Vma *v = proc_find_vma(p, va);
        p->rss -= span;
        p->hugetlb -= v && v->huge_shift ? span : 0;
        *pages += span;
        mem_write(&s->fp, pa, g->pte_size, 0);   /* before the drop: no longer a mapper */
        mm_drop_frame(s, p, pte_pfn(g, pte));
    } else {
        int64_t slot = -1;
        p->swap--;
        if (swap_entry_decode(g, pte, &slot))
            swap_put(&s->swap, slot);
        mem_write(&s->fp, pa, g->pte_size, 0);
    }
    mm_table_of(s, pa)->used--;
    tlbs_invalidate_page(s, va, p->asid, s->releasing ? "its process ended" : "its mapping was removed");
}

/* Frees p's tables (below the root) left with no entry, bottom up. */
static void free_empty_tables(Sim *s, Process *p)
{
    for (unsigned level = s->geo.levels - 1; level > 0; level--) {
        for (pfn_t pfn = 0; (pfn = frames_skip_fresh(&s->fp, pfn)) < s->fp.total; pfn++) {
            Frame *f = &s->fp.frames[pfn];
            if (f->kind != FRAME_TABLE || f->pid != p->pid || f->level != level || f->used)
                continue;
            mem_write(&s->fp, f->pte_pa, s->geo.pte_size, 0);
            mm_table_of(s, f->pte_pa)->used--;
            p->pt_pages--;
            frames_free(&s->fp, pfn);
        }
    }
}

static void unmap_present(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    if (pte_flags(&s->geo, pte) & PTE_V)
        unmap_leaf(s, p, va, pa, pte, ctx);
}

uint64_t mm_unmap_present(Sim *s, Process *p, vaddr_t lo, vaddr_t hi)
{
    uint64_t pages = 0;
    mm_for_each_leaf(s, p, lo, hi, unmap_present, &pages);
    free_empty_tables(s, p);
    return pages;
}

uint64_t mm_unmap(Sim *s, Process *p, vaddr_t lo, vaddr_t hi)
{
    uint64_t pages = 0;
    mm_for_each_leaf(s, p, lo, hi, unmap_leaf, &pages);
    free_empty_tables(s, p);
    return pages;
}

void isa_restore(Sim *s, const Process *p)
{
    for (unsigned i = s->nhand; i-- > 0;) {
        HandPte *h = &s->hand[i];
        if (h->pid != p->pid)
            continue;
        if (mem_read(&s->fp, h->pa, s->geo.pte_size) == h->now) {
            mem_write(&s->fp, h->pa, s->geo.pte_size, h->old);
            mm_table_of(s, h->pa)->used += (h->now == 0) - (h->old == 0);
        }
        h->pid = -1;
    }
}

void mm_release(Sim *s, Process *p)
{
    uint64_t pages = 0, tables = p->pt_pages;
    isa_restore(s, p);
    s->releasing = true;
    mm_for_each_leaf(s, p, 0, UINT64_MAX, unmap_leaf, &pages);
    s->releasing = false;
    for (pfn_t pfn = 0; (pfn = frames_skip_fresh(&s->fp, pfn)) < s->fp.total; pfn++) {
        Frame *f = &s->fp.frames[pfn];
        if (f->kind == FRAME_TABLE && f->pid == p->pid)
            frames_free(&s->fp, pfn);
    }
    tlbs_invalidate_asid(s, p->asid, "its process ended");
    p->rss = p->swap = p->pt_pages = p->hugetlb = 0;
    p->root = PFN_NONE;
    s->committed -= p->committed;
    p->committed = 0;
    EMIT(s, .kind = EV_KILL, .pid = p->pid, .count = pages, .level = (unsigned)tables);
}
