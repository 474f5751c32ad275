/* vmsim: the sections of scenario and machine-config files and their keys. Each
 * section has one handler that checks a key's value and stores it in the Scenario
 * ([machine], [tlb], [itlb], [stlb], [memory], [swap], [timing], [oom], [process NAME],
 * [scenario], [trace]); the table at the end names them and their keys for the loader
 * (scenario.c) and `vmsim help keys`. Messages read "expected KEY = ..., got 'VALUE'";
 * the loader puts FILE:LINE in front.
 */
#include "scenario_int.h"

#include "vmsim/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 8      /* include = chains: a loop ends with an error */

/* ---- errors --------------------------------------------------------------- */

int scenario_fail(LoadCtx *c, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = true;
    int n = c->line ? snprintf(c->err, c->errlen, "%s:%lu: ", c->path, c->line)
                    : snprintf(c->err, c->errlen, "%s: ", c->path);
    if (n < 0 || (size_t)n >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- small parsers ------------------------------------------------------- */

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "yes", "true", "on" };
    static const char *const no[] = { "0", "no", "false", "off" };
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0) { *out = true; return true; }
        if (strcmp(s, no[i]) == 0) { *out = false; return true; }
    }
    return false;
}

/* ---- [machine] ------------------------------------------------------------ */

static int want_u64(LoadCtx *c, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
                    const char *what)
{
    if (!parse_size(v, out) || *out < lo || *out > hi)
        return scenario_fail(c, "expected %s (%llu to %llu), got '%s'", what,
                             (unsigned long long)lo, (unsigned long long)hi, v);
    return 0;
}

static int set_arch(LoadCtx *c, const char *v)
{
    ArchKind a;
    if (!arch_parse(v, &a))
        return scenario_fail(c, "expected arch = x86_64, x86_32, sv39, sv48, ostep or custom, got '%s'", v);
    geo_preset(&c->sc->machine.geo, a);
    return 0;
}

static int set_page_size(LoadCtx *c, const char *v)
{
    Geometry *g = &c->sc->machine.geo;
    unsigned shift;
    if (!parse_page_size(v, &shift))
        return scenario_fail(c, "expected page_size to be a power of two from 16 to 1G, got '%s'", v);
    if (g->arch != ARCH_CUSTOM && g->arch != ARCH_OSTEP && shift != g->page_shift)
        return scenario_fail(c, "%s pages are %llu bytes; set arch = custom for another size "
                             "(large pages are mapped per region)", arch_name(g->arch),
                             (unsigned long long)geo_page_size(g));
    g->page_shift = shift;
    geo_update(g);
    return 0;
}

static int set_levels(LoadCtx *c, const char *v)
{
    Geometry *g = &c->sc->machine.geo;
    unsigned bits[GEO_MAX_LEVELS], n = 0;
    const char *p = v;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long b = strtoul(p, &end, 10);
        if (end == p || errno || b < 1 || b > 20 || n == GEO_MAX_LEVELS)
            return scenario_fail(c, "expected levels as 1 to 6 index widths in bits, root first "
                                 "(e.g. 9,9,9,9), got '%s'", v);
        bits[n++] = (unsigned)b;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (n == 0)
        return scenario_fail(c, "expected levels as index widths in bits, e.g. 9,9,9,9");
    g->levels = n;
    memset(g->level_bits, 0, sizeof g->level_bits);
    memcpy(g->level_bits, bits, n * sizeof bits[0]);
    g->leaf_levels &= (1u << n) - 1;
    geo_update(g);
    return 0;
}

static int set_leaf_levels(LoadCtx *c, const char *v)
{
    Geometry *g = &c->sc->machine.geo;
    uint32_t mask = 0;
    const char *p = v;
    if (strcmp(v, "none") != 0) {
        while (*p) {
            char *end;
            unsigned long l = strtoul(p, &end, 10);
            if (end == p || l >= GEO_MAX_LEVELS)
                return scenario_fail(c, "expected huge_levels as level numbers (0 = root), e.g. 1,2, or none");
            mask |= 1u << l;
            p = end;
            while (*p == ',' || *p == ' ')
                p++;
        }
    }
    g->leaf_levels = mask;
    geo_update(g);
    return 0;
}

static int set_style(LoadCtx *c, const char *v)
{
    Geometry *g = &c->sc->machine.geo;
    if (strcmp(v, "x86") == 0) g->style = PT_STYLE_X86;
    else if (strcmp(v, "riscv") == 0) g->style = PT_STYLE_RISCV;
    else if (strcmp(v, "plain") == 0) g->style = PT_STYLE_PLAIN;
    else return scenario_fail(c, "expected style = x86, riscv or plain, got '%s'", v);
    return 0;
}

static int set_bit(LoadCtx *c, const char *v, int8_t *bit)
{
    long long n;
    if (strcmp(v, "none") == 0) {
        *bit = -1;
        return 0;
    }
    if (!parse_int(v, 0, 63, &n))
        return scenario_fail(c, "expected a bit position 0..63 or none, got '%s'", v);
    *bit = (int8_t)n;
    return 0;
}

static int set_ad(LoadCtx *c, const char *v)
{
    bool *f = &c->sc->machine.geo.ad_by_fault;
    if (strcmp(v, "hardware") == 0 || strcmp(v, "svadu") == 0) *f = false;
    else if (strcmp(v, "fault") == 0 || strcmp(v, "svade") == 0) *f = true;
    else return scenario_fail(c, "expected ad = hardware (Svadu) or fault (Svade), got '%s'", v);
    return 0;
}

/* The [machine] keys that are a field by offset: the paging modes (yes or no) and the
 * entry format's bit positions. 1 when k is neither. */
static int machine_field_key(LoadCtx *c, const char *k, const char *v)
{
    static const struct { const char *key; size_t off; } modes[] = {
        { "cr0_wp", offsetof(Geometry, cr0_wp) }, { "smep", offsetof(Geometry, smep) },
        { "smap", offsetof(Geometry, smap) }, { "sum", offsetof(Geometry, sum) },
        { "mxr", offsetof(Geometry, mxr) },
    };
    static const struct { const char *key; size_t off; } bits[] = {
        { "valid_bit", offsetof(PteFormat, valid) }, { "read_bit", offsetof(PteFormat, read) },
        { "write_bit", offsetof(PteFormat, write) }, { "exec_bit", offsetof(PteFormat, exec) },
        { "nx_bit", offsetof(PteFormat, nx) }, { "user_bit", offsetof(PteFormat, user) },
        { "accessed_bit", offsetof(PteFormat, accessed) }, { "dirty_bit", offsetof(PteFormat, dirty) },
        { "huge_bit", offsetof(PteFormat, huge) }, { "global_bit", offsetof(PteFormat, global) },
    };
    Geometry *g = &c->sc->machine.geo;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(k, modes[i].key) != 0)
            continue;
        if (!parse_bool(v, (bool *)((char *)g + modes[i].off)))
            return scenario_fail(c, "expected %s = yes or no, got '%s'", k, v);
        return 0;
    }
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (strcmp(k, bits[i].key) == 0)
            return set_bit(c, v, (int8_t *)((char *)&g->fmt + bits[i].off));
    return 1;
}

static int machine_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    Geometry *g = &m->geo;
    PteFormat *f = &g->fmt;
    uint64_t n;
    if (strcmp(k, "arch") == 0) return set_arch(c, v);
    if (strcmp(k, "page_size") == 0) return set_page_size(c, v);
    if (strcmp(k, "levels") == 0) return set_levels(c, v);
    if (strcmp(k, "huge_levels") == 0) return set_leaf_levels(c, v);
    if (strcmp(k, "style") == 0) return set_style(c, v);
    if (strcmp(k, "ad") == 0) return set_ad(c, v);
    if (strcmp(k, "sign_extend") == 0) {
        if (!parse_bool(v, &g->sign_extend))
            return scenario_fail(c, "expected sign_extend = yes or no, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "seed") == 0) return want_u64(c, v, 0, UINT64_MAX, &m->seed, "a seed");
    if (strcmp(k, "strict_alignment") == 0) {
        if (!parse_bool(v, &m->strict_alignment))
            return scenario_fail(c, "expected strict_alignment = yes or no, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "pa_bits") == 0) {
        if (want_u64(c, v, 1, 64, &n, "pa_bits"))
            return -1;
        g->pa_bits = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "pte_size") == 0) {
        if (want_u64(c, v, 1, 8, &n, "pte_size in bytes"))
            return -1;
        g->pte_size = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "pfn_shift") == 0 || strcmp(k, "pfn_bits") == 0) {
        if (want_u64(c, v, k[4] == 's' ? 0 : 1, 64, &n, k))
            return -1;
        *(k[4] == 's' ? &f->pfn_shift : &f->pfn_bits) = (uint8_t)n;
        return 0;
    }
    int r = machine_field_key(c, k, v);
    if (r <= 0)
        return r;
    return scenario_fail(c, "unknown key '%s' in [machine] (expected arch, page_size, levels, "
                         "pa_bits, pte_size, style, huge_levels, sign_extend, ad, seed, strict_alignment, "
                         "cr0_wp, smep, smap, sum, mxr, pfn_shift, pfn_bits or a *_bit position)", k);
}

/* ---- [tlb] [memory] [swap] [timing] -------------------------------------- */

/* [itlb] and [stlb]: entries, ways, policy. */
static int level_key(LoadCtx *c, const char *k, const char *v, unsigned *entries,
                     unsigned *ways, TlbPolicy *policy, const char *section)
{
    uint64_t n;
    if (strcmp(k, "entries") == 0) {
        if (want_u64(c, v, 0, VMSIM_TLB_ENTRIES_MAX, &n, "tlb entries"))
            return -1;
        *entries = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "ways") == 0) {
        if (strcmp(v, "full") == 0 || strcmp(v, "0") == 0) {
            *ways = 0;
            return 0;
        }
        if (want_u64(c, v, 1, VMSIM_TLB_ENTRIES_MAX, &n, "tlb ways (or full)"))
            return -1;
        *ways = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "policy") == 0) {
        if (!tlb_policy_parse(v, policy))
            return scenario_fail(c, "expected tlb policy = lru, fifo or random, got '%s'", v);
        return 0;
    }
    return scenario_fail(c, "unknown key '%s' in [%s] (expected entries, ways or policy)", k, section);
}

static int itlb_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    return level_key(c, k, v, &m->itlb.entries, &m->itlb.ways, &m->itlb.policy, "itlb");
}

static int stlb_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    return level_key(c, k, v, &m->stlb.entries, &m->stlb.ways, &m->stlb.policy, "stlb");
}

static int tlb_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    if (strcmp(k, "asid") == 0) {
        if (!parse_bool(v, &m->tlb.asid))
            return scenario_fail(c, "expected asid = yes or no, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "entries") && strcmp(k, "ways") && strcmp(k, "policy"))
        return scenario_fail(c, "unknown key '%s' in [tlb] (expected entries, ways, policy or asid)", k);
    return level_key(c, k, v, &m->tlb.entries, &m->tlb.ways, &m->tlb.policy, "tlb");
}

static int memory_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    if (strcmp(k, "frames") == 0)
        return want_u64(c, v, 1, VMSIM_FRAMES_MAX, &m->memory.frames, "a number of frames");
    if (strcmp(k, "policy") == 0 && strncmp(v, "plugin:", 7) == 0 && c->line)
        return scenario_fail(c, "a plugin policy is loaded from the command line only (--set "
                             "memory.policy=%s): opening a file never runs its code", v);
    if (strcmp(k, "policy_params") == 0)
        return scenario_fail(c, "memory.policy_params goes with a plugin, on the command line only");
    if (strcmp(k, "policy") == 0) {
        char names[512];
        policy_list_names(names, sizeof names, ", ", " or ");
        if (!policy_parse(v, &m->memory.policy))
            return scenario_fail(c, "expected policy = %s, got '%s'", names, v);
        return 0;
    }
    if (strcmp(k, "page_tables") == 0) {
        if (strcmp(v, "separate") == 0) m->memory.separate_tables = true;
        else if (strcmp(v, "ram") == 0 || strcmp(v, "pool") == 0) m->memory.separate_tables = false;
        else return scenario_fail(c, "expected page_tables = ram or separate, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "scope") == 0) {
        if (strcmp(v, "local") == 0) m->memory.local = true;
        else if (strcmp(v, "global") == 0) m->memory.local = false;
        else return scenario_fail(c, "expected scope = global or local, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "tick") == 0)
        return want_u64(c, v, 0, VMSIM_COUNT_MAX, &m->memory.tick, "references between ticks (0 = none)");
    if (strcmp(k, "tau") == 0)
        return want_u64(c, v, 1, VMSIM_COUNT_MAX, &m->memory.tau, "a working-set window in references");
    if (strcmp(k, "opt_ties") == 0) {
        if (!opt_ties_parse(v, &m->memory.opt_ties))
            return scenario_fail(c, "expected opt_ties = lowest-frame, latest-loaded or earliest-loaded, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "thp") == 0) {
        if (strcmp(v, "always") == 0) m->memory.thp = true;
        else if (strcmp(v, "never") == 0) m->memory.thp = false;
        else return scenario_fail(c, "expected thp = always or never, got '%s'", v);
        return 0;
    }
    uint64_t n;
    if (strcmp(k, "overcommit_memory") == 0) {
        if (want_u64(c, v, 0, 2, &n, "overcommit_memory = 0 (heuristic), 1 (always) or 2 (never)"))
            return -1;
        m->memory.overcommit = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "overcommit_ratio") == 0) {
        if (want_u64(c, v, 0, 1000, &n, "overcommit_ratio in percent"))
            return -1;
        m->memory.overcommit_ratio = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "user_reserve_kbytes") == 0)
        return want_u64(c, v, 0, VMSIM_COUNT_MAX, &m->memory.user_reserve_kbytes,
                        "vm.user_reserve_kbytes in kB");
    return scenario_fail(c, "unknown key '%s' in [memory] (expected frames, policy, page_tables, scope, "
                         "tick, tau, opt_ties, thp, overcommit_memory, overcommit_ratio or user_reserve_kbytes)", k);
}

static int swap_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    if (strcmp(k, "slots") == 0) {
        if (strcmp(v, "unlimited") == 0) {
            m->swap.slots = SWAP_UNLIMITED;
            return 0;
        }
        return want_u64(c, v, 0, VMSIM_COUNT_MAX, &m->swap.slots, "a number of swap slots (or unlimited)");
    }
    return scenario_fail(c, "unknown key '%s' in [swap] (expected slots)", k);
}

static int oom_key(LoadCtx *c, const char *k, const char *v)
{
    if (strcmp(k, "panic_on_oom") == 0) {
        if (!parse_bool(v, &c->sc->machine.oom.panic_on_oom))
            return scenario_fail(c, "expected panic_on_oom = 0 or 1, got '%s'", v);
        return 0;
    }
    return scenario_fail(c, "unknown key '%s' in [oom] (expected panic_on_oom)", k);
}

static int timing_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    static const struct { const char *key; size_t off; } keys[] = {
        { "tlb", offsetof(MachineConfig, timing.tlb) },
        { "memory", offsetof(MachineConfig, timing.memory) },
        { "minor_fault", offsetof(MachineConfig, timing.minor_fault) },
        { "major_fault", offsetof(MachineConfig, timing.major_fault) },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i].key) == 0)
            return want_u64(c, v, 0, VMSIM_COUNT_MAX, (uint64_t *)((char *)m + keys[i].off), "a cycle count");
    return scenario_fail(c, "unknown key '%s' in [timing] (expected tlb, memory, minor_fault or major_fault)", k);
}

/* ---- [process NAME] ------------------------------------------------------- */

/* "ADDR SIZE" with sizes as parse_size reads them; rest gets what follows. */
static bool parse_range(const char *v, uint64_t *addr, uint64_t *size, char *rest, size_t restlen)
{
    char a[64], b[64];
    int used = 0;
    rest[0] = '\0';
    if (sscanf(v, "%63s %63s %n", a, b, &used) < 2)
        return false;
    snprintf(rest, restlen, "%s", v + used);
    return parse_size(a, addr) && parse_size(b, size) && *addr + *size >= *addr;
}

static bool parse_rwx(const char *s, unsigned *perms)
{
    static const unsigned bits[3] = { PTE_R, PTE_W, PTE_X };
    return parse_perms(s, strlen(s), bits, perms);
}

static int add_vma(LoadCtx *c, vaddr_t start, vaddr_t end, unsigned perms, VmaKind kind, bool file)
{
    ProcSpec *p = c->proc;
    if (p->nvmas == SCEN_MAX_VMAS)
        return scenario_fail(c, "too many regions in [process %s] (at most %d)", p->name, SCEN_MAX_VMAS);
    p->vmas[p->nvmas++] = (Vma){ .start = start, .end = end, .perms = perms, .kind = kind, .file = file };
    return 0;
}

static int segment_key(LoadCtx *c, VmaKind kind, const char *v)
{
    static const unsigned perms[VMA_KIND_COUNT] = {
        [VMA_TEXT] = PTE_R | PTE_X, [VMA_DATA] = PTE_R | PTE_W, [VMA_BSS] = PTE_R | PTE_W,
        [VMA_HEAP] = PTE_R | PTE_W, [VMA_STACK] = PTE_R | PTE_W,
    };
    uint64_t addr, size;
    char rest[64];
    if (!parse_range(v, &addr, &size, rest, sizeof rest) || rest[0])
        return scenario_fail(c, "expected %s = %s SIZE (e.g. %s), got '%s'", vma_kind_name(kind),
                             kind == VMA_STACK ? "TOP" : "ADDR",
                             kind == VMA_STACK ? "0x7ffffffff000 8K" : "0x400000 16K", v);
    if (kind == VMA_HEAP) {
        c->proc->heap_start = addr;
        c->proc->heap_size = size;
        c->proc->has_heap = true;
    }
    if (size == 0)
        return kind == VMA_HEAP ? 0 : scenario_fail(c, "%s size must not be 0", vma_kind_name(kind));
    if (kind == VMA_STACK) {
        if (size > addr)
            return scenario_fail(c, "stack size 0x%llx is larger than its top 0x%llx",
                                 (unsigned long long)size, (unsigned long long)addr);
        return add_vma(c, addr - size, addr, perms[kind], kind, false);
    }
    return add_vma(c, addr, addr + size, perms[kind], kind, kind == VMA_TEXT || kind == VMA_DATA);
}

static int mmap_key(LoadCtx *c, const char *v)
{
    uint64_t addr, size;
    char rest[96], perm[16] = "", opt[3][16] = { "", "", "" }, extra[8] = "";
    unsigned perms = 0;
    MmapOptions o = { 0 };
    bool ok = parse_range(v, &addr, &size, rest, sizeof rest) && size > 0 &&
              sscanf(rest, "%15s %15s %15s %15s %7s", perm, opt[0], opt[1], opt[2], extra) >= 1 &&
              !extra[0] && parse_rwx(perm, &perms);
    for (int i = 0; ok && i < 3; i++)
        ok = !opt[i][0] || parse_mmap_option(opt[i], strlen(opt[i]), &o);
    if (!ok)
        return scenario_fail(c, "expected mmap = ADDR SIZE PERMS [anon|file] [private|shared] [huge=2M|4M|1G] "
                             "(e.g. 0x7f0000000000 64K rw-), got '%s'", v);
    ProcSpec *p = c->proc;
    if (add_vma(c, addr, addr + size, perms, VMA_MMAP, o.file) != 0)
        return -1;
    p->vmas[p->nvmas - 1].shared = o.shared;
    p->vmas[p->nvmas - 1].huge_shift = o.huge_shift;
    return 0;
}

int scenario_process_key(LoadCtx *c, const char *k, const char *v)
{
    long long n;
    VmaKind kind;
    if (strcmp(k, "pid") == 0) {
        if (!parse_int(v, 1, VMSIM_PID_MAX, &n))
            return scenario_fail(c, "expected pid = 1.." VMSIM_STR(VMSIM_PID_MAX) ", got '%s'", v);
        c->proc->pid = (int)n;
        return 0;
    }
    if (strcmp(k, "oom_score_adj") == 0) {
        if (!parse_int(v, -1000, 1000, &n))
            return scenario_fail(c, "expected oom_score_adj = -1000..1000, got '%s'", v);
        c->proc->oom_score_adj = (int)n;
        return 0;
    }
    if (strcmp(k, "stack_limit") == 0) {
        if (!parse_size(v, &c->proc->stack_max))
            return scenario_fail(c, "expected stack_limit = SIZE (e.g. 8M), got '%s'", v);
        return 0;
    }
    if (strcmp(k, "mmap") == 0)
        return mmap_key(c, v);
    if (vma_kind_parse(k, &kind) && kind != VMA_MMAP)
        return segment_key(c, kind, v);
    return scenario_fail(c, "unknown key '%s' in [process %s] (expected pid, text, data, bss, heap, "
                         "stack, stack_limit, mmap or oom_score_adj)", k, c->proc->name);
}


/* ---- [scenario] [trace] --------------------------------------------------- */

/* The allocation for a value of n bytes: a power of two, so that appending line after
 * line copies the value a logarithmic number of times. */
static size_t cap_for(size_t n)
{
    size_t c = 64;
    while (c < n)
        c *= 2;
    return c;
}

/* Appends s as a new line of *buf (NULL-safe), whose length *len keeps: a long value
 * is not measured again, nor moved, for every line. *buf holds cap_for(*len + 1). */
static int append_line(char **buf, size_t *len, const char *s)
{
    size_t old = *buf ? *len : 0, n = strlen(s);
    char *nb = *buf;
    if (!nb || cap_for(old + n + 2) > cap_for(old + 1))
        nb = realloc(*buf, cap_for(old + n + 2));
    if (!nb)
        return -1;
    if (old || *buf)
        nb[old++] = '\n';
    memcpy(nb + old, s, n + 1);
    *buf = nb;
    *len = old + n;
    return 0;
}

/* A path as written in the file at `from`: relative ones are taken from its folder. */
static char *resolve(const char *from, const char *path)
{
    const char *slash = strrchr(from, '/');
    if (path[0] == '/' || !slash)
        return strdup(path);
    size_t dir = (size_t)(slash - from) + 1;
    char *r = malloc(dir + strlen(path) + 1);
    if (r) {
        memcpy(r, from, dir);
        strcpy(r + dir, path);
    }
    return r;
}

static int scenario_key(LoadCtx *c, const char *k, const char *v)
{
    Scenario *sc = c->sc;
    if (strcmp(k, "title") == 0) {
        free(sc->title);
        sc->title = strdup(v);
        return sc->title ? 0 : scenario_fail(c, "out of memory");
    }
    if (strcmp(k, "description") == 0) {
        if (!continuation(c)) {
            free(sc->description);
            sc->description = NULL;
        }
        if (!v[0] && !sc->description)
            return 0;
        if (!continuation(c) || !sc->description)
            c->desc_len = sc->description ? strlen(sc->description) : 0;
        return append_line(&sc->description, &c->desc_len, v) ? scenario_fail(c, "out of memory") : 0;
    }
    if (strcmp(k, "include") == 0) {
        if (c->depth >= MAX_INCLUDE_DEPTH)
            return scenario_fail(c, "includes nest deeper than %d files", MAX_INCLUDE_DEPTH);
        char *path = resolve(c->path, v);
        if (!path)
            return scenario_fail(c, "out of memory");
        char sub[512];
        int r = c->load_file(sc, path, c->depth + 1, sub, sizeof sub);
        free(path);
        return r ? scenario_fail(c, "in include: %s", sub) : 0;
    }
    return scenario_fail(c, "unknown key '%s' in [scenario] (expected title, description or include)", k);
}

/* Inline trace lines are padded with blank lines so that a reader numbering from
 * inline_first reports each record at its line in the scenario file. */
static int inline_line(LoadCtx *c, const char *v)
{
    Scenario *sc = c->sc;
    TraceFormat fmt = sc->trace_format == TRACE_AUTO ? TRACE_VMSIM : sc->trace_format;
    TraceRecord rec;
    char why[256];
    if (trace_parse_line(fmt, v, strlen(v), sc->machine.geo.page_shift, &rec, why, sizeof why) < 0)
        return scenario_fail(c, "%s", why);
    if (!sc->inline_trace || strcmp(sc->inline_name, c->path) != 0) {
        free(sc->inline_trace);
        free(sc->inline_name);
        sc->inline_trace = NULL;
        sc->inline_len = 0;
        sc->inline_first = c->line;
        sc->inline_last = c->line - 1;
        sc->inline_name = strdup(c->path);
        if (!sc->inline_name)
            return scenario_fail(c, "out of memory");
    }
    for (; sc->inline_last + 1 < c->line; sc->inline_last++)
        if (append_line(&sc->inline_trace, &sc->inline_len, ""))
            return scenario_fail(c, "out of memory");
    if (append_line(&sc->inline_trace, &sc->inline_len, v))
        return scenario_fail(c, "out of memory");
    sc->inline_last = c->line;
    return 0;
}

static int trace_key(LoadCtx *c, const char *k, const char *v)
{
    Scenario *sc = c->sc;
    if (strcmp(k, "file") == 0) {
        free(sc->trace_path);
        sc->trace_path = resolve(c->path, v);
        return sc->trace_path ? 0 : scenario_fail(c, "out of memory");
    }
    if (strcmp(k, "format") == 0) {
        if (!trace_format_parse(v, &sc->trace_format))
            return scenario_fail(c, "expected format = vmsim, pages, lackey, ls, addrrw, csc369, "
                                 "cs1550 or auto, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "lines") == 0) {
        if (!continuation(c)) {
            free(sc->inline_trace);
            sc->inline_trace = NULL;
            sc->inline_len = 0;
        }
        return v[0] ? inline_line(c, v) : 0;
    }
    return scenario_fail(c, "unknown key '%s' in [trace] (expected file, format or lines)", k);
}

/* ---- the sections ---------------------------------------------------------- */

/* Each section's handler and the keys it takes, in the order docs/file-formats.md gives
 * them: the list feeds `vmsim help keys`, so the man page and shell completion; a key a
 * handler accepts belongs here too (tests/unit/test_scenario.c and tests/verbs/install.sh
 * check both ways). */
static const struct { const char *name; KeyFn fn; const char *keys; } sections[] = {
    { "machine", machine_key, "arch page_size levels huge_levels pa_bits pte_size style "
      "valid_bit read_bit write_bit exec_bit nx_bit user_bit accessed_bit dirty_bit huge_bit "
      "global_bit pfn_shift pfn_bits sign_extend ad seed strict_alignment cr0_wp smep smap sum "
      "mxr" },
    { "tlb", tlb_key, "entries ways policy asid" },
    { "itlb", itlb_key, "entries ways policy" }, { "stlb", stlb_key, "entries ways policy" },
    { "memory", memory_key, "frames policy page_tables scope tick tau opt_ties thp overcommit_memory "
      "overcommit_ratio user_reserve_kbytes policy_params" },
    { "swap", swap_key, "slots" }, { "timing", timing_key, "tlb memory minor_fault major_fault" },
    { "oom", oom_key, "panic_on_oom" }, { "scenario", scenario_key, "title description include" },
    { "trace", trace_key, "format file lines" },
    { "process", NULL, "pid text data bss heap stack stack_limit mmap oom_score_adj" },
};

const char *scenario_section(size_t i, const char **keys)
{
    if (i >= sizeof sections / sizeof sections[0])
        return NULL;
    *keys = sections[i].keys ? sections[i].keys : "";
    return sections[i].name;
}

KeyFn scenario_key_fn(const char *section)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(section, sections[i].name) == 0)
            return sections[i].fn;
    return NULL;
}

