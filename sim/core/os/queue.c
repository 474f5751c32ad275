/* The access under way and the OS's queue behind it: an access record's span of pages
 * and ops, and the accesses the OS makes for an event (a call's stack frame, a malloc
 * header). The OS writes them here; the step loop (sim.c) reads them. */
#include "sim_int.h"

#include <assert.h>

/* The pages an access record touches and the ops it makes of them (M: read then
 * write). Returns the number of ops. */
unsigned queue_span(const Sim *s, const TraceRecord *rec, vpn_t *first, vpn_t *last,
                AccessOp ops[2])
{
    unsigned sh = s->geo.page_shift;
    uint64_t size = rec->size ? rec->size : 1;
    vaddr_t end = rec->addr + (size - 1);
    if (end < rec->addr)
        end = UINT64_MAX;                  /* clamp a range that wraps */
    *first = rec->addr >> sh;
    *last = end >> sh;
    if (rec->op == OP_MODIFY) {
        ops[0] = OP_READ;
        ops[1] = OP_WRITE;
        return 2;
    }
    ops[0] = rec->op;
    return 1;
}

/* Makes rec the access under way. Records of the trace take the next reference
 * positions (opt's future knows them); the OS's own accesses take none. */
void queue_begin(Sim *s, const TraceRecord *rec, bool positioned)
{
    Pending *pd = &s->pend;
    pd->nops = queue_span(s, rec, &pd->first, &pd->last, pd->ops);
    pd->active = 1;
    pd->addr = rec->addr;
    pd->line = rec->line;
    pd->cur = pd->first;
    pd->opi = 0;
    pd->pos0 = positioned ? s->ref_pos : NO_POS;
    if (positioned)
        s->ref_pos += pd->nops * (pd->last - pd->first + 1);
}

void queue_access(Sim *s, AccessOp op, vaddr_t addr, uint64_t size, unsigned long line)
{
    Pending *pd = &s->pend;
    if (!pd->active) {
        TraceRecord rec = { .kind = TREC_ACCESS, .op = op, .addr = addr, .size = (uint32_t)size,
                            .line = line };
        pd->nq = pd->qi = 0;
        queue_begin(s, &rec, false);
    } else {
        /* The OS queues at most two accesses behind one (a malloc's header writes): a
         * fuller queue is a bug here, never input, so it is not dropped in silence. */
        assert(pd->nq < PEND_QUEUE);
        pd->queue[pd->nq++] = (SubAccess){ op, addr, (uint32_t)size };
    }
}
