/* The words for events, registers, signals, process states and policy state (see
 * describe.h). */
#include "vmsim/describe.h"

#include <inttypes.h>
#include <stdio.h>

#include "vmsim/policy.h"

const char *describe_root_register(const Geometry *g)
{
    switch (g->arch) {
    case ARCH_X86_64:
    case ARCH_X86_32: return "CR3";
    case ARCH_SV39:
    case ARCH_SV48: return "satp";
    case ARCH_OSTEP: return "PDBR";
    case ARCH_CUSTOM:
    default: return "root";
    }
}

const char *describe_tlb(const Sim *s, SimTlb which, bool brief)
{
    bool split = sim_tlb_at(s, SIM_ITLB)->entries != 0;
    switch (which) {
    case SIM_ITLB: return brief ? "ITLB" : "instruction TLB";
    case SIM_STLB: return brief ? "L2 TLB" : "second-level TLB";
    case SIM_DTLB:
    default: return !split ? "TLB" : brief ? "DTLB" : "data TLB";
    }
}

const char *describe_signal(FaultKind f)
{
    switch (f) {
    case FAULT_SIGBUS: return "Bus error";
    case FAULT_SIGABRT: return "Aborted";
    default: return "Segmentation fault";
    }
}

const char *describe_proc_state(ProcState s)
{
    return s == PROC_RUNNING ? "running" : s == PROC_EXITED ? "exited" : "killed";
}

const char *describe_fault(FaultKind f) { return fault_kind_name(f); }

static const char *pname(const Sim *sim, int pid)
{
    const Process *p = sim_proc_by_pid(sim, pid);
    return p ? p->name : "?";
}

/* "walk  PML4[0] at 0x2000 = 0x0000000000003027  P W U A" */
static void walk_words(const Geometry *g, const SimEvent *ev, char *buf, size_t len)
{
    char flags[16];
    pte_describe(g, ev->pte, flags, sizeof flags);
    snprintf(buf, len, "walk  %-4s[%u] at 0x%" PRIx64 " = 0x%0*" PRIx64 "  %s%s", geo_level_name(g, ev->level),
             geo_index(g, ev->level, ev->va), ev->pte_pa, (int)g->pte_size * 2, ev->pte, flags,
             (pte_flags(g, ev->pte) & PTE_V) ? "" : "  (not present)");
}

/* "memory full: victim frame 2 holds main's page 0x3000"; a frame shared since a fork
 * names every process whose mapping goes with it (read while they still map it: the
 * event comes before the unmapping). */
static void victim_words(const Sim *sim, const SimEvent *ev, char *buf, size_t len)
{
    char owners[256];
    if (describe_frame_owners(sim, ev->pfn, owners, sizeof owners) > 1)
        snprintf(buf, len, "memory full: victim frame %" PRIu64 " holds page 0x%" PRIx64 " shared by %s: "
                 "every mapping goes", ev->pfn, ev->victim_va, owners);
    else
        snprintf(buf, len, "memory full: victim frame %" PRIu64 " holds %s's page 0x%" PRIx64, ev->pfn,
                 pname(sim, ev->victim_pid), ev->victim_va);
}

/* The events of the walk and the fault handler: the frames and tables. */
static bool memory_words(const Sim *sim, const SimEvent *ev, char *buf, size_t len)
{
    const Geometry *g = &sim_machine(sim)->geo;
    vaddr_t page = ev->va >> g->page_shift << g->page_shift;
    switch (ev->kind) {
    case EV_WALK:        walk_words(g, ev, buf, len); break;
    case EV_TABLE_ALLOC: if (ev->count > 1)
                             snprintf(buf, len, "page-table pages for %s in frames %" PRIu64 "-%" PRIu64,
                                      geo_level_name(g, ev->level), ev->pfn, ev->pfn + ev->count - 1);
                         else
                             snprintf(buf, len, "page-table page for %s in frame %" PRIu64,
                                      geo_level_name(g, ev->level), ev->pfn);
                         break;
    case EV_VICTIM:      victim_words(sim, ev, buf, len); break;
    case EV_WRITEBACK:   if (ev->slot < 0)
                             snprintf(buf, len, "dirty: written back to its file");
                         else
                             snprintf(buf, len, "dirty: written to swap slot %" PRId64, ev->slot);
                         break;
    case EV_EVICT:       snprintf(buf, len, "evicted %s's 0x%" PRIx64 " from frame %" PRIu64 "%s", pname(sim, ev->victim_pid),
                                  ev->victim_va, ev->pfn, ev->slot >= 0 ? " (copy in swap)" : ""); break;
    case EV_SWAP_IN:     snprintf(buf, len, "read back from swap slot %" PRId64, ev->slot); break;
    case EV_FRAME_ALLOC: snprintf(buf, len, "page 0x%" PRIx64 " now in frame %" PRIu64, page, ev->pfn); break;
    case EV_MAP:         snprintf(buf, len, "set %s entry at 0x%" PRIx64 " = 0x%" PRIx64, geo_level_name(g, ev->level),
                                  ev->pte_pa, ev->pte); break;
    default:             return false;
    }
    return true;
}

/* "TLB entry dropped (its page was evicted): page 0x5000 -> frame 3, ASID 1" (no ASID
 * on a machine without them: the tag is then the running process's by construction). */
static void tlb_drop_words(const Sim *sim, const SimEvent *ev, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s entry dropped (%s): page 0x%" PRIx64 " -> frame %" PRIu64,
                     describe_tlb(sim, (SimTlb)ev->level, false), ev->detail ? ev->detail : "", ev->va, ev->pfn);
    if (n > 0 && (size_t)n < len && sim_machine(sim)->tlb.asid)
        snprintf(buf + n, len - (size_t)n, ", ASID %u", ev->asid);
}

void describe_event(const Sim *sim, const SimEvent *ev, char *buf, size_t len)
{
    const char *d = ev->detail ? ev->detail : "";
    if (memory_words(sim, ev, buf, len))
        return;
    switch (ev->kind) {
    case EV_ACCESS:    snprintf(buf, len, "%s %c 0x%" PRIx64 "%s%s", pname(sim, ev->pid), access_op_letter(ev->op), ev->va,
                                *d ? " " : "", d); break;
    case EV_TLB_HIT:   snprintf(buf, len, "TLB hit: frame %" PRIu64, ev->pfn); break;
    case EV_TLB_MISS:  snprintf(buf, len, "%s", *d ? d : "TLB miss"); break;
    case EV_FAULT:     snprintf(buf, len, "page fault (%s)%s%s", fault_kind_name(ev->fault), *d ? ": " : "", d); break;
    case EV_TLB_FILL:  snprintf(buf, len, "TLB fill: page 0x%" PRIx64 " -> frame %" PRIu64,
                                ev->va >> ev->shift << ev->shift, ev->pfn); break;
    case EV_TLB_DROP:  tlb_drop_words(sim, ev, buf, len); break;
    case EV_TLB_FLUSH: snprintf(buf, len, "TLB flushed: %" PRIu64 " entries (%s)", ev->count, *d ? d : "no ASIDs"); break;
    case EV_TRANSLATED: snprintf(buf, len, "-> physical 0x%" PRIx64, ev->pa); break;
    case EV_SEGV:      snprintf(buf, len, "%s: %s killed: %s", describe_signal(ev->fault), pname(sim, ev->pid), d); break;
    case EV_SKIP:      if (ev->count)   /* a child that was never born */
                           snprintf(buf, len, "skipped: %s", d);
                       else
                           snprintf(buf, len, "skipped: %s is dead (%s)", pname(sim, ev->pid), d);
                       break;
    case EV_SWITCH:    snprintf(buf, len, "switch to %s (pid %d)", pname(sim, ev->pid), ev->pid); break;
    case EV_KILL:      snprintf(buf, len, "%s's memory released: %" PRIu64 " page%s and %u page-table page%s",
                                pname(sim, ev->pid), ev->count, ev->count == 1 ? "" : "s", ev->level,
                                ev->level == 1 ? "" : "s"); break;
    case EV_OOM:       snprintf(buf, len, "%s: %s", ev->oom == OOM_WHY ? "why" : "kernel", d); break;
    case EV_SYSCALL:   snprintf(buf, len, "%s %s", pname(sim, ev->pid), d); break;
    case EV_NOTE:      snprintf(buf, len, "note: %s", d); break;
    default:           snprintf(buf, len, "%s", event_kind_name(ev->kind)); break;
    }
}

unsigned describe_frame_owners(const Sim *sim, pfn_t pfn, char *buf, size_t len)
{
    unsigned n = 0;
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < sim_nprocs(sim); i++) {
        const Process *p = sim_proc(sim, i);
        if (!sim_maps_frame(sim, p, pfn))
            continue;
        int k = snprintf(buf + used, used < len ? len - used : 0, "%s%s (pid %d)", n ? ", " : "", p->name, p->pid);
        used += k > 0 ? (size_t)k : 0;
        if (used >= len)
            used = len ? len - 1 : 0;
        n++;
    }
    return n;
}

/* Local replacement takes the running process's own data pages first. */
static bool own_page(void *ctx, pfn_t pfn)
{
    const Sim *sim = ctx;
    const Process *cur = sim_current(sim);
    const Frame *f = &sim_frames(sim)->frames[pfn];
    return cur && f->kind == FRAME_DATA && f->pid == cur->pid;
}

pfn_t describe_next_victim(const Sim *sim)
{
    pfn_t v = PFN_NONE;
    /* As choose_victim (os/reclaim.c): the running process's own pages first, then any. */
    if (sim_machine(sim)->memory.local && policy_next_victim(sim_policy(sim), own_page, (void *)sim, &v) &&
        v != PFN_NONE)
        return v;
    if (!policy_next_victim(sim_policy(sim), NULL, NULL, &v))
        return PFN_NONE;
    return v;
}
