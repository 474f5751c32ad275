/* Names of events and fault kinds, as logs print them. */
#include "vmsim/event.h"

const char *event_kind_name(EventKind k)
{
    static const char *const names[] = {
        [EV_ACCESS] = "access", [EV_TLB_HIT] = "tlb-hit", [EV_TLB_MISS] = "tlb-miss",
        [EV_WALK] = "walk", [EV_FAULT] = "fault", [EV_TABLE_ALLOC] = "table-alloc",
        [EV_VICTIM] = "victim", [EV_WRITEBACK] = "writeback", [EV_EVICT] = "evict",
        [EV_SWAP_IN] = "swap-in", [EV_FRAME_ALLOC] = "frame-alloc", [EV_MAP] = "map",
        [EV_TLB_FILL] = "tlb-fill", [EV_TLB_FLUSH] = "tlb-flush", [EV_TRANSLATED] = "translated",
        [EV_SEGV] = "segv", [EV_SKIP] = "skip", [EV_SWITCH] = "switch", [EV_KILL] = "kill",
        [EV_OOM] = "oom", [EV_SYSCALL] = "syscall", [EV_NOTE] = "note",
        [EV_TLB_DROP] = "tlb-drop",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "?";
}

const char *fault_kind_name(FaultKind f)
{
    switch (f) {
    case FAULT_NONE: return "none";
    case FAULT_MINOR: return "minor";
    case FAULT_MAJOR: return "major";
    case FAULT_SEGV_MAPERR: return "segv-maperr";
    case FAULT_SEGV_ACCERR: return "segv-accerr";
    case FAULT_ARCH: return "arch";
    case FAULT_AD: return "ad-update";
    case FAULT_COW: return "cow";
    case FAULT_SIGBUS: return "sigbus";
    case FAULT_SIGABRT: return "sigabrt";
    case FAULT_UNHANDLED: return "unhandled";
    }
    return "?";
}
