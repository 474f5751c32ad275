/* The Sim's self-check (sim_check): every frame accounted for, every process's counters
 * equal to what its page tables hold. */
#include "sim_int.h"

typedef struct Tally {
    uint64_t data, tables, pages, swapents, hugetlb;
} Tally;

static void tally_leaf(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    (void)pa;
    Tally *t = ctx;
    if (pte_flags(&s->geo, pte) & PTE_V) {
        const Vma *v = proc_find_vma(p, va);
        uint32_t span = mm_span(s, pte_pfn(&s->geo, pte));
        t->pages += span;
        t->hugetlb += v && v->huge_shift ? span : 0;
    } else {
        t->swapents++;
    }
}

/* Every frame is accounted for: data frames are mapped by exactly refs entries, table
 * frames belong to a live process, and each process's counters match its tables. */
const char *sim_check(const Sim *s)
{
    size_t counted[3] = { 0, 0, 0 };
    uint64_t refs = 0;
    counted[FRAME_FREE] += s->fp.nframes - s->fp.fresh;   /* never used: free */
    for (pfn_t pfn = 0; pfn < s->fp.fresh; pfn++) {
        const Frame *f = &s->fp.frames[pfn];
        counted[f->kind]++;
        refs += f->kind == FRAME_DATA ? (uint64_t)f->refs * f->span : 0;
        if (f->kind == FRAME_DATA && f->span && f->refs == 0)
            return "a data frame is mapped by no entry";
    }
    for (int k = 0; k < 3; k++)
        if (counted[k] != s->fp.in_use[k])
            return "frame counts by kind disagree with the pool's counters";
    if (counted[FRAME_FREE] != frames_nfree(&s->fp))
        return "free frames disagree with the free list";
    if (s->no_os || s->nhand)
        return NULL;      /* an image's tables, or entries written by hand, keep no OS
                             bookkeeping (OSTEP's 0x7f entries) */
    uint64_t mapped = 0;
    for (size_t i = 0; i < s->nprocs; i++) {
        Process *p = s->procs[i];
        Tally t = { 0, 0, 0, 0, 0 };
        for (pfn_t pfn = 0; (pfn = frames_skip_fresh(&s->fp, pfn)) < s->fp.total; pfn++) {
            const Frame *f = &s->fp.frames[pfn];
            t.tables += f->kind == FRAME_TABLE && f->pid == p->pid;
        }
        mm_for_each_leaf((Sim *)s, p, 0, UINT64_MAX, tally_leaf, &t);
        if (t.pages != p->rss)
            return "a process's resident pages disagree with its page tables";
        if (t.swapents != p->swap)
            return "a process's swap entries disagree with its page tables";
        if (t.hugetlb != p->hugetlb)
            return "a process's hugetlb pages disagree with its page tables";
        if (t.tables != p->pt_pages)
            return "a process's page-table pages disagree with the frames it owns";
        if (p->state != PROC_RUNNING && (p->rss || t.tables || p->swap))
            return "a dead process still holds memory";
        mapped += p->rss;
    }
    if (mapped != refs)
        return "the entries mapping data frames disagree with the frames' counts";
    return NULL;
}
