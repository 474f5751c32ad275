/* Memory management: frames for pages and tables, eviction (with the reverse map of
 * shared frames), write-back, walking a process's leaves, unmapping and releasing. */
#include "sim_int.h"
#include "vmsim/describe.h"

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
static void for_each_mapper(Sim *s, pfn_t pfn, void (*fn)(Sim *, Process *, pfn_t, paddr_t, void *),
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

/* ---- eviction --------------------------------------------------------------- */

Frame *mm_table_of(Sim *s, paddr_t pa)
{
    return &s->fp.frames[pa >> s->geo.page_shift];
}

/* Whether the data frame f holds a page of a shared file mapping: its dirty data goes
 * back to the file, never to swap (shrink_folio_list() gives swap to anonymous folios
 * only; a dirty file folio is written by pageout()). */
static bool shared_file_page(const Sim *s, const Frame *f)
{
    if (!f->file)
        return false;
    const Process *owner = proc_by_pid(s, f->pid);
    const Vma *v = owner ? proc_find_vma(owner, f->va) : NULL;
    return v && v->file && v->shared;
}

/* Where a victim's page goes: a swap slot if it must be saved, else nowhere.
 * Returns the slot, -1 for "drop it" (a dirty shared file page is written to its
 * file first), or -2 when it must be saved and swap is full. */
static int64_t victim_slot(Sim *s, Frame *f)
{
    if (!f->dirty || f->swap_slot >= 0 || shared_file_page(s, f))
        return f->swap_slot;               /* clean: the file or the slot has it */
    int64_t slot = swap_alloc(&s->swap);
    return slot >= 0 ? slot : -2;
}

typedef struct Unmap {
    int64_t slot;
    int mappers;
} Unmap;

/* One mapper's entry becomes a swap entry (or empty). The frame's hold on the slot
 * passes to the first mapper; each further mapper takes one more. */
static void unmap_one(Sim *s, Process *q, pfn_t pfn, paddr_t pte_pa, void *ctx)
{
    Unmap *u = ctx;
    Frame *f = &s->fp.frames[pfn];
    pte_t npte = u->slot >= 0 ? swap_entry_encode(&s->geo, u->slot) : 0;
    mem_write(&s->fp, pte_pa, s->geo.pte_size, npte);
    if (npte == 0)
        mm_table_of(s, pte_pa)->used--;
    else if (u->mappers > 0)
        swap_ref(&s->swap, u->slot);
    u->mappers++;
    q->rss--;
    q->swap += u->slot >= 0;
    q->stats.evictions++;
    tlbs_invalidate_page(s, f->va, q->asid, "its page was evicted");
    EMIT(s, .kind = EV_EVICT, .pfn = pfn, .victim_pid = q->pid, .victim_va = f->va,
         .pte_pa = pte_pa, .pte = npte, .slot = u->slot);
}

/* Evicts pfn; why (the victim event's detail) says why this page was chosen. */
static int evict_why(Sim *s, pfn_t pfn, const char *why)
{
    Frame *f = &s->fp.frames[pfn];
    EMIT(s, .kind = EV_VICTIM, .pid = s->cur ? s->cur->pid : 0, .pfn = pfn,
         .victim_pid = f->pid, .victim_va = f->va, .detail = why);
    Unmap u = { victim_slot(s, f), 0 };
    if (u.slot == -2)
        return -1;
    if (f->dirty) {
        s->stats.writebacks++;
        s->stats.swap_outs += u.slot >= 0;   /* slot -1: written to its file */
        EMIT(s, .kind = EV_WRITEBACK, .pfn = pfn, .victim_pid = f->pid, .victim_va = f->va,
             .slot = u.slot);
    }
    for_each_mapper(s, pfn, unmap_one, &u);
    if (u.mappers == 0 && u.slot >= 0)
        swap_put(&s->swap, u.slot);        /* no mapper took the frame's hold */
    s->stats.evictions++;
    policy_remove(s->policy, pfn);
    frames_free(&s->fp, pfn);
    return 0;
}

int mm_evict(Sim *s, pfn_t pfn)
{
    return evict_why(s, pfn, "to make room for a superpage's contiguous frames");
}

static void clear_dirty(Sim *s, Process *q, pfn_t pfn, paddr_t pte_pa, void *ctx)
{
    (void)ctx;
    pte_t pte = mem_read(&s->fp, pte_pa, s->geo.pte_size);
    pte = pte_encode(&s->geo, pte_pfn(&s->geo, pte), pte_flags(&s->geo, pte) & ~PTE_D);
    mem_write(&s->fp, pte_pa, s->geo.pte_size, pte);
    tlbs_invalidate_page(s, s->fp.frames[pfn].va, q->asid, "written back: the entry's D bit cleared");
}

/* Writes a dirty page to swap ahead of its eviction (WSClock schedules these), so it
 * can later be dropped: the copy is the slot, the page and its entries turn clean. */
static void clean_page(Sim *s, pfn_t pfn)
{
    Frame *f = &s->fp.frames[pfn];
    if (f->kind != FRAME_DATA || !f->dirty)
        return;
    bool to_file = shared_file_page(s, f);
    int64_t slot = to_file ? -1 : f->swap_slot >= 0 ? f->swap_slot : swap_alloc(&s->swap);
    if (slot < 0 && !to_file)
        return;
    f->swap_slot = slot;
    f->dirty = false;
    s->stats.writebacks++;
    s->stats.swap_outs += !to_file;
    EMIT(s, .kind = EV_WRITEBACK, .pfn = pfn, .victim_pid = f->pid, .victim_va = f->va, .slot = slot);
    for_each_mapper(s, pfn, clear_dirty, NULL);
    policy_cleaned(s->policy, pfn);
}

/* A page that can leave memory now: clean, or with a slot, or with swap to spare. */
static bool evictable(const Sim *s, pfn_t pfn)
{
    const Frame *f = &s->fp.frames[pfn];
    return !f->dirty || f->swap_slot >= 0 || s->swap.used < s->swap.limit ||
           shared_file_page(s, f);
}

bool mm_evictable(const Sim *s, pfn_t pfn)
{
    return evictable(s, pfn);
}

static bool evictable_any(void *ctx, pfn_t pfn)
{
    return evictable(ctx, pfn);
}

static bool evictable_own(void *ctx, pfn_t pfn)
{
    const Sim *s = ctx;
    return s->fp.frames[pfn].pid == s->cur->pid && evictable(s, pfn);
}

/* The policy's victim among pages that can leave: the running process's own with
 * local replacement (any page when it has none), then the write-backs it scheduled. */
static pfn_t choose_victim(Sim *s)
{
    bool swap_full = s->swap.used >= s->swap.limit;
    pfn_t victim = PFN_NONE;
    if (s->m.memory.local && s->cur)
        victim = policy_victim(s->policy, evictable_own, s);
    if (victim == PFN_NONE)
        victim = policy_victim(s->policy, swap_full ? evictable_any : NULL, s);
    for (pfn_t w; (w = policy_take_writeback(s->policy)) != PFN_NONE;)
        clean_page(s, w);
    return victim;
}

pfn_t mm_get_frame(Sim *s, bool table)
{
    for (;;) {
        pfn_t pfn = table ? frames_alloc_table(&s->fp) : frames_alloc(&s->fp);
        if (pfn != PFN_NONE)
            return pfn;
        if (table && s->fp.separate_tables) {
            if (s->fp.limit && s->fp.total >= s->fp.limit)
                sim_fmt_err(s->err, sizeof s->err, "no frame number left for a page table: "
                            "separate tables start at frame %zu, and an entry can point at "
                            "frames up to %zu",
                            s->fp.nframes, s->fp.limit - 1);
            else
                sim_fmt_err(s->err, sizeof s->err, "out of host memory for page tables");
            return PFN_NONE;
        }
        /* The policy's state before its choice is the reason (a clock's hand moves,
         * bits clear as it chooses); built only when someone is listening. */
        char why[1024] = "";
        if (s->observer)
            describe_policy(s, why, sizeof why);
        pfn_t victim = choose_victim(s);
        if (victim != PFN_NONE && evict_why(s, victim, why) == 0)
            continue;
        if (oom_kill(s) <= 0)              /* nothing could be freed: s->err says why */
            return PFN_NONE;
    }
}

/* ---- page tables --------------------------------------------------------- */

/* The flags of an entry that points at a table: x86 leaves every permission to the
 * leaf (R/W, U/S set, XD clear); RISC-V and the plain format have V alone. */
unsigned mm_table_flags(const Sim *s)
{
    return s->geo.style == PT_STYLE_X86 ? PTE_V | PTE_W | PTE_U | PTE_X : PTE_V;
}

pfn_t mm_new_table(Sim *s, Process *p, unsigned level, vaddr_t va, paddr_t parent_pte)
{
    pfn_t pfn = mm_get_frame(s, true);
    if (pfn == PFN_NONE)
        return PFN_NONE;
    if (p->state != PROC_RUNNING) {        /* the OOM killer chose p to make room */
        frames_free(&s->fp, pfn);
        return PFN_NONE;
    }
    Frame *f = &s->fp.frames[pfn];
    f->pid = p->pid;
    f->level = (uint8_t)level;
    unsigned sh = geo_level_shift(&s->geo, level) + s->geo.level_bits[level];
    f->va = sh >= 64 ? 0 : va & ~((1ull << sh) - 1);
    f->pte_pa = parent_pte;
    p->pt_pages++;
    s->stats.table_pages++;
    EMIT(s, .kind = EV_TABLE_ALLOC, .pid = p->pid, .pfn = pfn, .level = level, .va = va);
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

/* ---- unmapping and releasing ---------------------------------------------- */

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

/* A run of n free frames for a large page: a free one, else one made by evicting the
 * base pages in the first run that holds no page table and no large page (kcompactd
 * would move them; vmsim evicts them). PFN_NONE if there is none. */
pfn_t mm_get_run(Sim *s, size_t n)
{
    pfn_t run = frames_alloc_run(&s->fp, n);
    for (pfn_t start = 0; run == PFN_NONE && start + n <= s->fp.nframes; start += n) {
        bool movable = true;
        for (size_t i = 0; i < n && movable; i++) {
            const Frame *f = &s->fp.frames[start + i];
            movable = f->kind == FRAME_FREE ||
                      (f->kind == FRAME_DATA && f->span == 1 && evictable(s, start + i));
        }
        for (size_t i = 0; i < n && movable; i++)
            if (s->fp.frames[start + i].kind == FRAME_DATA && mm_evict(s, start + i) != 0)
                movable = false;
        if (movable)
            run = frames_alloc_run(&s->fp, n);
    }
    return run;
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
