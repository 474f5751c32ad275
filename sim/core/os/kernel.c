/* The kernel's lowest helpers, which every other part of the OS may call: error text,
 * finding a process by pid or name, the entry bits a region's permissions give, the
 * page sizes the machine has, and the children whose fork failed. */
#include "sim_int.h"

void sim_fmt_err(char *err, size_t len, const char *fmt, ...)
{
    if (!err || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

void sim_line_err(Sim *s, unsigned long line, const char *fmt, ...)
{
    const char *file = s->trace_file ? s->trace_file : "trace";
    int n = snprintf(s->err, sizeof s->err, "%s:%lu: ", file, line);
    if (n < 0 || (size_t)n >= sizeof s->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
    va_end(ap);
}

Process *proc_by_pid(const Sim *s, int pid)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (s->procs[i]->pid == pid)
            return s->procs[i];
    return NULL;
}

Process *proc_by_name(const Sim *s, const char *name)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (strcmp(s->procs[i]->name, name) == 0)
            return s->procs[i];
    return NULL;
}

unsigned sim_pte_perms(const Sim *s, unsigned perms)
{
    /* RISC-V's protection_map (arch/riscv/include/asm/pgtable.h): PAGE_COPY is
     * PAGE_READ and PAGE_SHARED is PAGE_WRITE = R|W; W without R is reserved (privileged
     * spec, Table "Encoding of PTE R/W/X fields"). x86 has no R bit: present is readable. */
    if (s->geo.style == PT_STYLE_RISCV && (perms & PTE_W))
        perms |= PTE_R;
    return perms;
}

bool sim_has_page_shift(const Sim *s, unsigned shift)
{
    for (unsigned l = 0; l < s->geo.levels; l++)
        if ((s->geo.leaf_levels & (1u << l)) && geo_leaf_shift(&s->geo, l) == shift)
            return true;
    return false;
}

bool sim_is_unborn(const Sim *s, const char *name)
{
    for (size_t i = 0; i < s->nunborn; i++)
        if (strcmp(s->unborn[i], name) == 0)
            return true;
    return false;
}

void sim_note_unborn(Sim *s, const char *name)
{
    if (sim_is_unborn(s, name))
        return;
    char (*nu)[TRACE_NAME_MAX] = realloc(s->unborn, (s->nunborn + 1) * sizeof *nu);
    if (!nu)
        return;                            /* a later switch to it is then an error */
    s->unborn = nu;
    snprintf(s->unborn[s->nunborn++], TRACE_NAME_MAX, "%s", name);
}
