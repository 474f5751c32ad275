/* Fatal signals: SIGSEGV, SIGBUS and the rest end a process and release its memory. */
#include "sim_int.h"

/* A signal ends p: its memory goes at once, and so does the rest of what it was doing. */
static void end_process(Sim *s, Process *p)
{
    p->state = PROC_KILLED;
    mm_release(s, p);
    s->pend.active = 0;
    s->pend.nq = s->pend.qi = 0;
}

FixResult kill_segv(Sim *s, Process *p, vaddr_t va, FaultKind fk, const char *why)
{
    s->stats.segfaults += fk != FAULT_ARCH;
    s->stats.arch_faults += fk == FAULT_ARCH;
    EMIT(s, .kind = EV_SEGV, .pid = p->pid, .va = va, .fault = fk, .detail = why);
    snprintf(p->exit_reason, sizeof p->exit_reason, "SIGSEGV: %s at 0x%llx", why,
             (unsigned long long)va);
    end_process(s, p);
    return FIX_KILLED;
}

void kill_signal(Sim *s, Process *p, FaultKind fk, const char *why)
{
    EMIT(s, .kind = EV_SEGV, .pid = p->pid, .fault = fk, .detail = why);
    snprintf(p->exit_reason, sizeof p->exit_reason, "%s", why);
    end_process(s, p);
}
