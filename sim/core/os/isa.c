/* The ISA lessons' trace operations: entries written by hand (pte), read back (pte?),
 * TLB invalidation (invlpg, sfence.vma) and supervisor-mode accesses (kernel), and
 * the OS's reaction to a fault its own entries could not have caused. */
#include "sim_int.h"

#include <inttypes.h>

/* Reports the operation in words (an EV_SYSCALL line) and fills the step. */
static StepStatus said(Sim *s, StepInfo *info, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    info->result = 0;
    EMIT(s, .kind = EV_SYSCALL, .pid = info->pid, .detail = text);
    return STEP_OK;
}

/* The level named name (as geo_level_name prints it), or -1 with the error set. */
static int level_named(Sim *s, const TraceRecord *rec)
{
    const Geometry *g = &s->geo;
    char names[80] = "";
    for (unsigned l = 0; l < g->levels; l++) {
        if (strcmp(geo_level_name(g, l), rec->name) == 0)
            return (int)l;
        size_t n = strlen(names);
        snprintf(names + n, sizeof names - n, "%s%s", l ? ", " : "", geo_level_name(g, l));
    }
    sim_line_err(s, rec->line, "no level '%s' on %s (its levels: %s)", rec->name,
                 arch_name(g->arch), names);
    return -1;
}

/* Remembers what the OS had at pa, so that releasing p puts it back (see isa_restore). */
static int remember(Sim *s, const Process *p, paddr_t pa, pte_t old, pte_t now,
                    unsigned long line)
{
    if (s->nhand == ISA_HAND_MAX) {
        sim_line_err(s, line, "at most %d entries may be written by hand in one run", ISA_HAND_MAX);
        return -1;
    }
    s->hand[s->nhand++] = (HandPte){ p->pid, pa, old, now };
    return 0;
}

static StepStatus do_pte(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    const Geometry *g = &s->geo;
    int l = level_named(s, rec);
    if (l < 0)
        return STEP_ERROR;
    paddr_t pa = mm_entry_at(s, p, rec->addr, (unsigned)l);
    if (pa == PADDR_NONE) {
        char why[sizeof s->err];
        snprintf(why, sizeof why, "%s", s->err);
        sim_line_err(s, rec->line, "pte: %s", why);
        return STEP_ERROR;
    }
    pte_t old = mem_read(&s->fp, pa, g->pte_size);
    pte_t now = rec->length & (g->pte_size == 8 ? ~0ull : (1ull << (g->pte_size * 8)) - 1);
    if (remember(s, p, pa, old, now, rec->line) != 0)
        return STEP_ERROR;
    mem_write(&s->fp, pa, g->pte_size, now);
    mm_table_of(s, pa)->used += (old == 0) - (now == 0);
    char fl[16];
    pte_describe(g, now, fl, sizeof fl);
    said(s, info, "writes the %s entry for 0x%" PRIx64 " at 0x%" PRIx64 ": 0x%" PRIx64
                " -> 0x%" PRIx64 " (%s); the TLB is not flushed: a translation it holds stays in "
                "use until %s", rec->name, rec->addr, pa, old, now, fl,
                g->style == PT_STYLE_RISCV ? "sfence.vma (privileged spec §4.2.1)"
                                           : "invlpg (SDM 3A §4.10.4)");
    EMIT(s, .kind = EV_MAP, .pid = p->pid, .va = rec->addr, .level = (unsigned)l, .pte_pa = pa, .pte = now);
    return STEP_OK;
}

/* The address of va's entry at level l without making tables, or PADDR_NONE with the
 * level whose entry stops the way down in *stop. */
static paddr_t entry_no_alloc(const Sim *s, const Process *p, vaddr_t va, unsigned l,
                              unsigned *stop, pte_t *stop_pte)
{
    const Geometry *g = &s->geo;
    paddr_t table = p->root << g->page_shift;
    for (unsigned k = 0; k < l; k++) {
        paddr_t pa = table + (paddr_t)geo_index(g, k, va) * g->pte_size;
        pte_t pte = mem_read(&s->fp, pa, g->pte_size);
        if (!(pte_flags(g, pte) & PTE_V) || pte_is_leaf(g, pte, k)) {
            *stop = k;
            *stop_pte = pte;
            return PADDR_NONE;
        }
        table = pte_pfn(g, pte) << g->page_shift;
    }
    return table + (paddr_t)geo_index(g, l, va) * g->pte_size;
}

static StepStatus do_pte_query(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    const Geometry *g = &s->geo;
    int l = level_named(s, rec);
    if (l < 0)
        return STEP_ERROR;
    unsigned stop = 0;
    pte_t above = 0;
    paddr_t pa = entry_no_alloc(s, p, rec->addr, (unsigned)l, &stop, &above);
    if (pa == PADDR_NONE)
        return said(s, info, "has no %s entry for 0x%" PRIx64 ": the %s entry above is 0x%" PRIx64
                    " (%s)", rec->name, rec->addr, geo_level_name(g, stop), above,
                    (pte_flags(g, above) & PTE_V) ? "it maps a page" : "not present");
    pte_t pte = mem_read(&s->fp, pa, g->pte_size);
    char fl[16];
    pte_describe(g, pte, fl, sizeof fl);
    return said(s, info, "%s entry for 0x%" PRIx64 " at 0x%" PRIx64 ": 0x%" PRIx64 " (%s), "
                "frame 0x%" PRIx64, rec->name, rec->addr, pa, pte, fl, pte_pfn(g, pte));
}

/* Drops the entries translating va (every entry when all) from every TLB. */
static unsigned invalidate(Sim *s, const Process *p, vaddr_t va, bool all, const char *why)
{
    return all ? tlbs_flush_all(s, false, why) : tlbs_invalidate_page(s, va, p->asid, why);
}

/* invlpg (x86, SDM 3A §4.10.4.1) and sfence.vma (RISC-V, privileged spec §4.2.1). */
static StepStatus do_invalidate(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    bool x86 = s->geo.style == PT_STYLE_X86;
    const char *insn = rec->kind == TREC_INVLPG ? "invlpg" : "sfence.vma";   /* the trace's verbs */
    if (x86 != (rec->kind == TREC_INVLPG)) {
        sim_line_err(s, rec->line, "%s is not an instruction of %s (use %s)",
                     insn, arch_name(s->geo.arch), x86 ? "invlpg ADDR" : "sfence.vma [ADDR]");
        return STEP_ERROR;
    }
    unsigned n = invalidate(s, p, rec->addr, rec->all, insn);
    if (rec->all)
        said(s, info, "sfence.vma: every address's translation is dropped from the TLBs");
    else
        said(s, info, "%s 0x%" PRIx64 ": the TLBs drop its translation; the next access walks "
             "the tables again", insn, rec->addr);
    EMIT(s, .kind = EV_TLB_FLUSH, .pid = p->pid, .va = rec->addr, .count = n,
         .detail = rec->all ? "every address" : insn);
    return STEP_OK;
}

static StepStatus do_kernel(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    uint64_t mask = geo_page_size(&s->geo) - 1;
    if ((rec->addr & ~mask) != ((rec->addr + rec->size - 1) & ~mask)) {
        sim_line_err(s, rec->line, "a kernel access must stay inside one page");
        return STEP_ERROR;
    }
    return s->kernel_access(s, p, rec->addr, rec->op, info);   /* translation, above the OS */
}

const IsaHandler isa_handlers[TREC_COUNT] = {
    [TREC_PTE] = do_pte, [TREC_PTE_QUERY] = do_pte_query, [TREC_INVLPG] = do_invalidate,
    [TREC_SFENCE] = do_invalidate, [TREC_KERNEL] = do_kernel,
};

/* ---- faults the OS did not expect ------------------------------------------ */

/* The kernel's oops line for a supervisor-mode fault: x86 show_fault_oops() and
 * RISC-V die_kernel_fault() (arch/{x86,riscv}/mm/fault.c). */
static void oops_line(const Sim *s, vaddr_t va, AccessOp op, const Walk *w, const char *why,
                      char *buf, size_t len)
{
    const Geometry *g = &s->geo;
    if (g->style != PT_STYLE_X86) {
        snprintf(buf, len, "Oops: Unable to handle kernel %s at virtual address %016" PRIx64,
                 why ? why : va < geo_page_size(g) ? "NULL pointer dereference" : "paging request", va);
        return;
    }
    unsigned code = mmu_error_code(g, w, op, false);
    snprintf(buf, len, "Oops: BUG: unable to handle page fault for address: %016" PRIx64
             "; #PF: supervisor %s in kernel mode; #PF: error_code(0x%04x) - %s", va,
             op == OP_EXEC ? "instruction fetch" : op == OP_READ ? "read access" : "write access",
             code, !(code & 1) ? "not-present page" : (code & 8) ? "reserved bit violation"
                                                   : "permissions violation");
}

/* Whether Linux would handle this fault by itself: a page not present, A/D to set
 * (Svade), or a protection fault the leaf entry itself explains (copy-on-write, a
 * stale entry); for the kernel, only on a user address it may touch (x86: SMAP off,
 * do_user_addr_fault(); RISC-V: SUM set, do_page_fault()). */
static bool expected(const Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, bool user)
{
    const Geometry *g = &s->geo;
    if (!user) {
        const Vma *v = proc_find_vma(p, va);
        unsigned need = op == OP_WRITE ? PTE_W : op == OP_EXEC ? PTE_X : PTE_R | PTE_W;
        if (!v || !(v->perms & need) || (g->style == PT_STYLE_X86 ? g->smap : !g->sum))
            return false;
        if (w->status == WALK_PROTECTION && !mmu_supervisor_ok(g, w->flags, op))
            return false;
    }
    switch (w->status) {
    case WALK_NOT_PRESENT:
    case WALK_AD:
        return true;
    case WALK_PROTECTION:
        return !mmu_allows(g, pte_flags(g, w->pte[w->level]), op, user);
    default:
        return false;
    }
}

FixResult isa_fault(Sim *s, Process *p, vaddr_t va, AccessOp op, const Walk *w, FaultKind *fk)
{
    bool user = !s->kernel;
    if (expected(s, p, va, op, w, user) || (user && w->status == WALK_NONCANONICAL))
        return FIX_FALLBACK;
    char rule[400], line[300];
    mmu_explain(&s->geo, w, op, user, rule, sizeof rule);
    EMIT(s, .kind = EV_NOTE, .pid = p->pid, .va = va, .level = w->level, .detail = rule);
    *fk = FAULT_ARCH;
    if (user && w->status != WALK_PROTECTION)
        return FIX_FALLBACK;               /* the handler's SIGSEGV for an arch fault */
    if (user)
        return kill_segv(s, p, va, FAULT_ARCH, "a protection fault the OS's entries cannot explain");
    bool uaccess = s->geo.style == PT_STYLE_RISCV && !s->geo.sum && proc_find_vma(p, va);
    oops_line(s, va, op, w, uaccess ? "access to user memory without uaccess routines" : NULL,
              line, sizeof line);
    s->stats.arch_faults++;
    kill_signal(s, p, FAULT_ARCH, line);
    return FIX_KILLED;
}
