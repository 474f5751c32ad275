/* Why a walk failed, in the manuals' words: the rule, the section that states it, and
 * what the hardware reports (the x86 page-fault error code, the RISC-V scause). */
#include "vmsim/mmu.h"

#include <stdio.h>

enum { PF_P = 1, PF_WR = 2, PF_US = 4, PF_RSVD = 8, PF_ID = 16 };

unsigned mmu_error_code(const Geometry *g, const Walk *w, AccessOp op, bool user)
{
    unsigned code = 0;
    if (w->status != WALK_NOT_PRESENT)
        code |= PF_P;                       /* the entry was present (§4.7) */
    if (op == OP_WRITE || op == OP_MODIFY)
        code |= PF_WR;
    if (user)
        code |= PF_US;
    if (w->status == WALK_RESERVED)
        code |= PF_RSVD;
    /* I/D is reported for fetches when XD (IA32_EFER.NXE) or SMEP is in use (§4.7). */
    if (op == OP_EXEC && (g->fmt.nx >= 0 || g->smep))
        code |= PF_ID;
    return code;
}

/* The entry's name: "PML4E", "PDE", "L1 PTE". */
static void entry_name(const Geometry *g, unsigned l, char *buf, size_t len)
{
    if (g->style == PT_STYLE_X86)
        snprintf(buf, len, "%sE", geo_level_name(g, l));
    else
        snprintf(buf, len, "%s PTE", geo_level_name(g, l));
}

/* The first level, from the root, whose own entry lacks flag (x86 combines over the
 * levels, so the first restrictive one explains the fault). */
static unsigned first_without(const Geometry *g, const Walk *w, unsigned flag)
{
    for (unsigned l = 0; l < w->nread; l++)
        if (!(pte_flags(g, w->pte[l]) & flag))
            return l;
    return w->level;
}

static int x86_reserved_rule(const Geometry *g, const Walk *w, char *buf, size_t len)
{
    unsigned l = w->level;
    pte_t pte = w->pte[l];
    char e[16];
    entry_name(g, l, e, sizeof e);
    if (pte & g->codec.x86_resv)
        return snprintf(buf, len, "%s bits %u..%u are reserved: a physical address at or above "
                        "MAXPHYADDR = %u bits (SDM 3A §4.5.4, Tables 4-15..4-20)", e,
                        g->pa_bits, g->fmt.pfn_shift + g->fmt.pfn_bits - 1, g->pa_bits);
    if (!(g->leaf_levels & (1u << l)))
        return snprintf(buf, len, "PS=1 in a %s is reserved: no page is mapped at this level "
                        "(SDM 3A §4.5.4, Table 4-15)", e);
    return snprintf(buf, len, "%s: the address bits below the large page's size are reserved "
                    "(must be 0: the page is aligned; SDM 3A §4.5.4, Tables 4-17, 4-19)", e);
}

static int x86_protection_rule(const Geometry *g, const Walk *w, AccessOp op, bool user,
                               char *buf, size_t len)
{
    char e[16];
    unsigned fl = w->flags;
    if (user && !(fl & PTE_U)) {
        entry_name(g, first_without(g, w, PTE_U), e, sizeof e);
        return snprintf(buf, len, "U/S=0 in the %s: a user-mode access to a supervisor-mode "
                        "address (U/S is ANDed over the levels, SDM 3A §4.6.1)", e);
    }
    if (!user && !mmu_supervisor_ok(g, fl, op))
        return snprintf(buf, len, op == OP_EXEC
                        ? "CR4.SMEP=1: a supervisor-mode fetch from a user-mode address (SDM 3A §4.6.1)"
                        : "CR4.SMAP=1 and EFLAGS.AC=0: a supervisor-mode data access to a "
                          "user-mode address (SDM 3A §4.6.1)");
    if (op == OP_EXEC) {
        entry_name(g, first_without(g, w, PTE_X), e, sizeof e);
        return snprintf(buf, len, "XD=1 in the %s: no fetch from this page (IA32_EFER.NXE=1; "
                        "XD in any level forbids it, SDM 3A §4.6.1)", e);
    }
    entry_name(g, first_without(g, w, PTE_W), e, sizeof e);
    return snprintf(buf, len, "R/W=0 in the %s: a %s write to a read-only address (R/W is "
                    "ANDed over the levels%s, SDM 3A §4.6.1)", e, user ? "user-mode" : "supervisor-mode",
                    user ? "" : "; CR0.WP=1");
}

static void x86_explain(const Geometry *g, const Walk *w, AccessOp op, bool user, char *buf,
                        size_t len)
{
    char e[16];
    int n = 0;
    entry_name(g, w->level, e, sizeof e);
    if (w->status == WALK_RESERVED)
        n = x86_reserved_rule(g, w, buf, len);
    else if (w->status == WALK_PROTECTION)
        n = x86_protection_rule(g, w, op, user, buf, len);
    else
        n = snprintf(buf, len, "P=0 in the %s: not present (SDM 3A §4.5.4)", e);
    unsigned code = mmu_error_code(g, w, op, user);
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "; #PF error code 0x%x (P=%u W/R=%u U/S=%u RSVD=%u "
                 "I/D=%u, SDM 3A §4.7)", code, code & 1, (code >> 1) & 1, (code >> 2) & 1,
                 (code >> 3) & 1, (code >> 4) & 1);
}

static int riscv_reserved_rule(const Geometry *g, const Walk *w, const char *e, char *buf,
                               size_t len)
{
    pte_t pte = w->pte[w->level];
    unsigned fl = pte_flags(g, pte);
    if ((fl & PTE_W) && !(fl & PTE_R))
        return snprintf(buf, len, "W=1 with R=0 in the %s is reserved (privileged spec §4.3.1, "
                        "Table \"Encoding of PTE R/W/X fields\"; §4.3.2 step 3)", e);
    if (g->pte_size == 8 && (pte >> 54))
        return snprintf(buf, len, "bits 63..54 of the %s are reserved (privileged spec §4.4.1; "
                        "§4.3.2 step 3)", e);
    return snprintf(buf, len, "the %s points to a table but has A, D or U set: reserved in a "
                    "non-leaf PTE (privileged spec §4.3.1; §4.3.2 step 3)", e);
}

static int riscv_protection_rule(const Geometry *g, const Walk *w, AccessOp op, bool user,
                                 const char *e, char *buf, size_t len)
{
    unsigned fl = w->flags;
    if (user && !(fl & PTE_U))
        return snprintf(buf, len, "U=0 in the %s: U-mode may not access a supervisor page "
                        "(privileged spec §4.3.1)", e);
    if (!user && op == OP_EXEC && (fl & PTE_U))
        return snprintf(buf, len, "U=1 in the %s: S-mode never executes from a user page "
                        "(privileged spec §4.3.1)", e);
    if (!user && (fl & PTE_U) && !g->sum)
        return snprintf(buf, len, "sstatus.SUM=0: S-mode may not load or store to a U=1 page "
                        "(privileged spec §4.1.1.2)");
    const char *bit = op == OP_EXEC ? "X" : op == OP_READ ? "R" : "W";
    return snprintf(buf, len, "%s=0 in the %s: permissions come from the leaf alone "
                    "(privileged spec §4.3.2 step 5%s)", bit, e,
                    op == OP_READ ? (g->mxr ? "; MXR=1 but X=0" : "; MXR=0") : "");
}

static void riscv_explain(const Geometry *g, const Walk *w, AccessOp op, bool user, char *buf,
                          size_t len)
{
    char e[16];
    int n;
    entry_name(g, w->level, e, sizeof e);
    switch (w->status) {
    case WALK_RESERVED: n = riscv_reserved_rule(g, w, e, buf, len); break;
    case WALK_PROTECTION: n = riscv_protection_rule(g, w, op, user, e, buf, len); break;
    case WALK_MISALIGNED:
        n = snprintf(buf, len, "the %s maps a superpage whose low PPN bits are not zero: a "
                     "misaligned superpage (privileged spec §4.3.2 step 6)", e);
        break;
    case WALK_AD:
        n = snprintf(buf, len, "A=0%s in the %s under Svade: a page fault, for software to "
                     "set them (privileged spec §4.3.1, §4.3.2 step 7)",
                     op == OP_WRITE ? " or D=0 on a store" : "", e);
        break;
    default:
        n = snprintf(buf, len, (pte_flags(g, w->pte[w->level]) & PTE_V)
                     ? "the %s at the last level points to a table (privileged spec §4.3.2 step 4)"
                     : "V=0 in the %s (privileged spec §4.3.2 step 3)", e);
        break;
    }
    unsigned cause = op == OP_EXEC ? 12 : op == OP_READ ? 13 : 15;
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "; scause %u (%s page fault)",
                 cause, cause == 12 ? "instruction" : cause == 13 ? "load" : "store/AMO");
}

void mmu_explain(const Geometry *g, const Walk *w, AccessOp op, bool user, char *buf,
                 size_t len)
{
    if (!len)
        return;
    if (w->status == WALK_NONCANONICAL)
        snprintf(buf, len, "the address is not canonical (SDM 3A §3.3.7.1; privileged spec §4.4.1)");
    else if (g->style == PT_STYLE_X86)
        x86_explain(g, w, op, user, buf, len);
    else if (g->style == PT_STYLE_RISCV)
        riscv_explain(g, w, op, user, buf, len);
    else
        snprintf(buf, len, "%s at level %u", walk_status_name(w->status), w->level);
}
