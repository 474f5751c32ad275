/* TLB shootdown: the OS invalidating entries in every TLB level (invlpg, sfence.vma,
 * a flush on a switch with no ASIDs), each drop reported with why it went. */
#include "sim_int.h"

static void tlb_dropped(void *ctx, const Tlb *t, const TlbEntry *e)
{
    Sim *s = ctx;
    EMIT(s, .kind = EV_TLB_DROP, .pid = s->cur ? s->cur->pid : 0, .level = (unsigned)(t - s->tlb),
         .va = e->tag << e->shift, .shift = e->shift, .pfn = e->pfn, .asid = e->asid, .detail = s->tlb_why);
}

/* Every TLB is told who listens for the entries it drops, and why they go. */
static void tlbs_hook(Sim *s, const char *why)
{
    s->tlb_why = why;
    for (int i = 0; i < SIM_TLBS; i++) {
        s->tlb[i].on_drop = s->observer ? tlb_dropped : NULL;
        s->tlb[i].drop_ctx = s;
    }
}

/* Invalidation reaches every TLB: what one level drops, another must not keep. */
unsigned tlbs_invalidate_page(Sim *s, vaddr_t va, uint32_t asid, const char *why)
{
    unsigned n = 0;
    if (!s->tlb[SIM_DTLB].entries && !s->tlb[SIM_ITLB].entries && !s->tlb[SIM_STLB].entries)
        return 0;                          /* no TLB: nothing to hook or flush per eviction */
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        if (s->tlb[i].entries)             /* no call per fault for an absent TLB */
            n += tlb_flush_page(&s->tlb[i], va, asid);
    return n;
}

void tlbs_invalidate_asid(Sim *s, uint32_t asid, const char *why)
{
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        tlb_flush_asid(&s->tlb[i], asid);
}

void tlbs_flush_page(Sim *s, vaddr_t va, uint32_t asid)
{
    tlbs_invalidate_page(s, va, asid, "invalidated");
}

void tlbs_flush_asid(Sim *s, uint32_t asid)
{
    tlbs_invalidate_asid(s, asid, "invalidated");
}

unsigned tlbs_flush_all(Sim *s, bool keep_global, const char *why)
{
    unsigned n = 0;
    tlbs_hook(s, why);
    for (int i = 0; i < SIM_TLBS; i++)
        n += tlb_flush_all(&s->tlb[i], keep_global);
    return n;
}
