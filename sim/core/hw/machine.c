/* The default machine and whole-configuration checks. */
#include "vmsim/machine.h"

#include <string.h>

void machine_default(MachineConfig *m)
{
    memset(m, 0, sizeof *m);
    geo_preset(&m->geo, ARCH_X86_64);
    m->tlb.entries = 64;
    m->tlb.ways = 4;
    m->tlb.policy = TLB_LRU;
    m->tlb.asid = true;
    m->itlb.policy = m->stlb.policy = TLB_LRU;
    m->memory.frames = 256;
    m->memory.policy = POLICY_LRU;
    m->memory.separate_tables = false;
    m->memory.tick = 1000;
    m->memory.tau = 1000;
    m->memory.overcommit_ratio = 50;
    m->memory.user_reserve_kbytes = USER_RESERVE_AUTO;
    m->swap.slots = SWAP_UNLIMITED;
    m->timing.tlb = 1;
    m->timing.memory = 100;
    m->timing.minor_fault = 1000;
    m->timing.major_fault = 1000000;
    m->seed = 1;
}

/* Names the setting at fault in *key (when key is not NULL) and returns why. */
static const char *invalid(const char **key, const char *setting, const char *why)
{
    if (key)
        *key = setting;
    return why;
}

const char *machine_validate(const MachineConfig *m, const char **key)
{
    const char *bad = geo_validate(&m->geo, key);
    if (bad)
        return bad;
    if (m->memory.frames == 0)
        return invalid(key, "memory.frames", "must be at least 1");
    if (m->memory.frames > VMSIM_FRAMES_MAX)
        return invalid(key, "memory.frames", "must be at most " VMSIM_STR(VMSIM_FRAMES_MAX));
    if (m->geo.pa_bits < 64 && m->memory.frames > (1ull << (m->geo.pa_bits - m->geo.page_shift)))
        return invalid(key, "memory.frames", "more frames than machine.pa_bits can address");
    uint64_t pfn_max = m->geo.fmt.pfn_bits >= 64 ? UINT64_MAX : (1ull << m->geo.fmt.pfn_bits);
    if (m->memory.frames > pfn_max)
        return invalid(key, "memory.frames", "more frames than the entry's frame-number field can hold");
    if (m->tlb.entries > VMSIM_TLB_ENTRIES_MAX)
        return invalid(key, "tlb.entries", "must be at most " VMSIM_STR(VMSIM_TLB_ENTRIES_MAX));
    unsigned ways = m->tlb.ways ? m->tlb.ways : m->tlb.entries;
    if (m->tlb.entries && (ways > m->tlb.entries || m->tlb.entries % ways))
        return invalid(key, "tlb.ways", "must divide tlb.entries");
    ways = m->itlb.ways ? m->itlb.ways : m->itlb.entries;
    if (m->itlb.entries && (ways > m->itlb.entries || m->itlb.entries % ways))
        return invalid(key, "itlb.ways", "must divide itlb.entries");
    ways = m->stlb.ways ? m->stlb.ways : m->stlb.entries;
    if (m->stlb.entries && (ways > m->stlb.entries || m->stlb.entries % ways))
        return invalid(key, "stlb.ways", "must divide stlb.entries");
    if (m->stlb.entries && !m->tlb.entries)
        return invalid(key, "stlb.entries", "a second-level TLB needs a first level (tlb.entries)");
    return NULL;
}
