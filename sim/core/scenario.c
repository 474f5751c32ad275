/* Scenario and machine-config files, read with inih. The reader callback counts lines
 * so that every handler call knows its FILE:LINE. */
#include "vmsim/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INCLUDE_DEPTH 8
#define MAX_PROCESSES 1024       /* [process] sections: bounds the time a file can take */

typedef struct LoadCtx {
    Scenario *sc;
    const char *path;           /* the file being read ("--set" for overrides) */
    unsigned long line;         /* lines read so far = the line being handled */
    FILE *f;
    char raw[512];              /* the line as read */
    bool called;                /* inih called the handler for the line */
    bool keyed;                 /* a key since the last header: inih's prev_name */
    bool continued;             /* the line being handled is a continuation */
    size_t desc_len;            /* strlen of the description being continued */
    char *err;
    size_t errlen;
    bool failed;
    int depth;
    ProcSpec *proc;             /* the [process NAME] being read */
} LoadCtx;

/* ---- small parsers ------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static bool parse_u64(const char *s, uint64_t *out, const char **end)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        int d;
        if (isdigit((unsigned char)*s))
            d = *s - '0';
        else if (base == 16 && isxdigit((unsigned char)*s))
            d = tolower((unsigned char)*s) - 'a' + 10;
        else
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    *end = s;
    return true;
}

bool parse_size(const char *s, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (!parse_u64(s, &v, &end))
        return false;
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: break;
    }
    if (shift) {
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
            end += strlen(end);
        if (v > (UINT64_MAX >> shift))
            return false;
        v <<= shift;
    }
    if (*end)
        return false;
    *out = v;
    return true;
}

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

static bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

static unsigned log2u(uint64_t v)
{
    unsigned n = 0;
    while (v >>= 1)
        n++;
    return n;
}

/* ---- errors and origins --------------------------------------------------- */

static int fail(LoadCtx *c, const char *fmt, ...)
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

static void note_origin_as(LoadCtx *c, const char *name);

/* Remembers where section.key was set, and section.* as the section's latest key (for
 * messages about a value that was never set but clashes with ones that were). */
static void note_origin(LoadCtx *c, const char *section, const char *key)
{
    char name[72];
    snprintf(name, sizeof name, "%.24s.%.40s", section, key);
    note_origin_as(c, name);
    snprintf(name, sizeof name, "%.24s.*", section);
    note_origin_as(c, name);
}

static void note_origin_as(LoadCtx *c, const char *name)
{
    Scenario *sc = c->sc;
    size_t i = 0;
    while (i < sc->norigins && strcmp(sc->origins[i].key, name) != 0)
        i++;
    if (i == sc->norigins) {
        KeyOrigin *no = realloc(sc->origins, (sc->norigins + 1) * sizeof *no);
        if (!no)
            return;
        sc->origins = no;
        sc->norigins++;
        snprintf(sc->origins[i].key, sizeof sc->origins[i].key, "%s", name);
    }
    if (c->line)
        snprintf(sc->origins[i].where, sizeof sc->origins[i].where, "%s:%lu", c->path, c->line);
    else                                   /* --set has no lines */
        snprintf(sc->origins[i].where, sizeof sc->origins[i].where, "%s", c->path);
}

/* ---- [machine] ------------------------------------------------------------ */

static int want_u64(LoadCtx *c, const char *v, uint64_t lo, uint64_t hi, uint64_t *out,
                    const char *what)
{
    if (!parse_size(v, out) || *out < lo || *out > hi)
        return fail(c, "expected %s (%llu to %llu), got '%s'", what,
                    (unsigned long long)lo, (unsigned long long)hi, v);
    return 0;
}

static int set_arch(LoadCtx *c, const char *v)
{
    ArchKind a;
    if (!arch_parse(v, &a))
        return fail(c, "expected arch = x86_64, x86_32, sv39, sv48, ostep or custom, got '%s'", v);
    geo_preset(&c->sc->machine.geo, a);
    return 0;
}

static int set_page_size(LoadCtx *c, const char *v)
{
    Geometry *g = &c->sc->machine.geo;
    uint64_t n;
    if (!parse_size(v, &n) || !is_pow2(n) || n < 16 || n > (1ull << 30))
        return fail(c, "expected page_size to be a power of two from 16 to 1G, got '%s'", v);
    if (g->arch != ARCH_CUSTOM && g->arch != ARCH_OSTEP && log2u(n) != g->page_shift)
        return fail(c, "%s pages are %llu bytes; set arch = custom for another size "
                    "(large pages are mapped per region)", arch_name(g->arch),
                    (unsigned long long)geo_page_size(g));
    g->page_shift = log2u(n);
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
            return fail(c, "expected levels as 1 to 6 index widths in bits, root first "
                        "(e.g. 9,9,9,9), got '%s'", v);
        bits[n++] = (unsigned)b;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (n == 0)
        return fail(c, "expected levels as index widths in bits, e.g. 9,9,9,9");
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
                return fail(c, "expected huge_levels as level numbers (0 = root), e.g. 1,2, or none");
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
    else return fail(c, "expected style = x86, riscv or plain, got '%s'", v);
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
        return fail(c, "expected a bit position 0..63 or none, got '%s'", v);
    *bit = (int8_t)n;
    return 0;
}

static int set_ad(LoadCtx *c, const char *v)
{
    bool *f = &c->sc->machine.geo.ad_by_fault;
    if (strcmp(v, "hardware") == 0 || strcmp(v, "svadu") == 0) *f = false;
    else if (strcmp(v, "fault") == 0 || strcmp(v, "svade") == 0) *f = true;
    else return fail(c, "expected ad = hardware (Svadu) or fault (Svade), got '%s'", v);
    return 0;
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
            return fail(c, "expected sign_extend = yes or no, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "seed") == 0) return want_u64(c, v, 0, UINT64_MAX, &m->seed, "a seed");
    static const struct { const char *key; size_t off; } modes[] = {
        { "cr0_wp", offsetof(Geometry, cr0_wp) }, { "smep", offsetof(Geometry, smep) },
        { "smap", offsetof(Geometry, smap) }, { "sum", offsetof(Geometry, sum) },
        { "mxr", offsetof(Geometry, mxr) },
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(k, modes[i].key) != 0)
            continue;
        if (!parse_bool(v, (bool *)((char *)g + modes[i].off)))
            return fail(c, "expected %s = yes or no, got '%s'", k, v);
        return 0;
    }
    if (strcmp(k, "strict_alignment") == 0) {
        if (!parse_bool(v, &m->strict_alignment))
            return fail(c, "expected strict_alignment = yes or no, got '%s'", v);
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
    static const struct { const char *key; size_t off; } bits[] = {
        { "valid_bit", offsetof(PteFormat, valid) }, { "read_bit", offsetof(PteFormat, read) },
        { "write_bit", offsetof(PteFormat, write) }, { "exec_bit", offsetof(PteFormat, exec) },
        { "nx_bit", offsetof(PteFormat, nx) }, { "user_bit", offsetof(PteFormat, user) },
        { "accessed_bit", offsetof(PteFormat, accessed) }, { "dirty_bit", offsetof(PteFormat, dirty) },
        { "huge_bit", offsetof(PteFormat, huge) }, { "global_bit", offsetof(PteFormat, global) },
    };
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (strcmp(k, bits[i].key) == 0)
            return set_bit(c, v, (int8_t *)((char *)f + bits[i].off));
    return fail(c, "unknown key '%s' in [machine] (expected arch, page_size, levels, "
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
        if (want_u64(c, v, 0, 1u << 20, &n, "tlb entries"))
            return -1;
        *entries = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "ways") == 0) {
        if (strcmp(v, "full") == 0 || strcmp(v, "0") == 0) {
            *ways = 0;
            return 0;
        }
        if (want_u64(c, v, 1, 1u << 20, &n, "tlb ways (or full)"))
            return -1;
        *ways = (unsigned)n;
        return 0;
    }
    if (strcmp(k, "policy") == 0) {
        if (!tlb_policy_parse(v, policy))
            return fail(c, "expected tlb policy = lru, fifo or random, got '%s'", v);
        return 0;
    }
    return fail(c, "unknown key '%s' in [%s] (expected entries, ways or policy)", k, section);
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
            return fail(c, "expected asid = yes or no, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "entries") && strcmp(k, "ways") && strcmp(k, "policy"))
        return fail(c, "unknown key '%s' in [tlb] (expected entries, ways, policy or asid)", k);
    return level_key(c, k, v, &m->tlb.entries, &m->tlb.ways, &m->tlb.policy, "tlb");
}

static int memory_key(LoadCtx *c, const char *k, const char *v)
{
    MachineConfig *m = &c->sc->machine;
    if (strcmp(k, "frames") == 0)
        return want_u64(c, v, 1, 1ull << 26, &m->memory.frames, "a number of frames");
    if (strcmp(k, "policy") == 0 && strncmp(v, "plugin:", 7) == 0 && c->line)
        return fail(c, "a plugin policy is loaded from the command line only (--set "
                    "memory.policy=%s): opening a file never runs its code", v);
    if (strcmp(k, "policy_params") == 0)
        return fail(c, "memory.policy_params goes with a plugin, on the command line only");
    if (strcmp(k, "policy") == 0) {
        char names[512];
        policy_list_names(names, sizeof names, ", ", " or ");
        if (!policy_parse(v, &m->memory.policy))
            return fail(c, "expected policy = %s, got '%s'", names, v);
        return 0;
    }
    if (strcmp(k, "page_tables") == 0) {
        if (strcmp(v, "separate") == 0) m->memory.separate_tables = true;
        else if (strcmp(v, "ram") == 0 || strcmp(v, "pool") == 0) m->memory.separate_tables = false;
        else return fail(c, "expected page_tables = ram or separate, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "scope") == 0) {
        if (strcmp(v, "local") == 0) m->memory.local = true;
        else if (strcmp(v, "global") == 0) m->memory.local = false;
        else return fail(c, "expected scope = global or local, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "tick") == 0)
        return want_u64(c, v, 0, 1ull << 40, &m->memory.tick, "references between ticks (0 = none)");
    if (strcmp(k, "tau") == 0)
        return want_u64(c, v, 1, 1ull << 40, &m->memory.tau, "a working-set window in references");
    if (strcmp(k, "opt_ties") == 0) {
        if (!opt_ties_parse(v, &m->memory.opt_ties))
            return fail(c, "expected opt_ties = lowest-frame, latest-loaded or earliest-loaded, got '%s'", v);
        return 0;
    }
    if (strcmp(k, "thp") == 0) {
        if (strcmp(v, "always") == 0) m->memory.thp = true;
        else if (strcmp(v, "never") == 0) m->memory.thp = false;
        else return fail(c, "expected thp = always or never, got '%s'", v);
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
        return want_u64(c, v, 0, 1ull << 40, &m->memory.user_reserve_kbytes,
                        "vm.user_reserve_kbytes in kB");
    return fail(c, "unknown key '%s' in [memory] (expected frames, policy, page_tables, scope, "
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
        return want_u64(c, v, 0, 1ull << 40, &m->swap.slots, "a number of swap slots (or unlimited)");
    }
    return fail(c, "unknown key '%s' in [swap] (expected slots)", k);
}

static int oom_key(LoadCtx *c, const char *k, const char *v)
{
    if (strcmp(k, "panic_on_oom") == 0) {
        if (!parse_bool(v, &c->sc->machine.oom.panic_on_oom))
            return fail(c, "expected panic_on_oom = 0 or 1, got '%s'", v);
        return 0;
    }
    return fail(c, "unknown key '%s' in [oom] (expected panic_on_oom)", k);
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
            return want_u64(c, v, 0, 1ull << 40, (uint64_t *)((char *)m + keys[i].off), "a cycle count");
    return fail(c, "unknown key '%s' in [timing] (expected tlb, memory, minor_fault or major_fault)", k);
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

static bool parse_perms(const char *s, unsigned *perms)
{
    if (strlen(s) != 3 || (s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
        (s[2] != 'x' && s[2] != '-'))
        return false;
    *perms = (s[0] == 'r' ? PTE_R : 0) | (s[1] == 'w' ? PTE_W : 0) | (s[2] == 'x' ? PTE_X : 0);
    return true;
}

static int add_vma(LoadCtx *c, vaddr_t start, vaddr_t end, unsigned perms, VmaKind kind, bool file)
{
    ProcSpec *p = c->proc;
    if (p->nvmas == SCEN_MAX_VMAS)
        return fail(c, "too many regions in [process %s] (at most %d)", p->name, SCEN_MAX_VMAS);
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
        return fail(c, "expected %s = %s SIZE (e.g. %s), got '%s'", vma_kind_name(kind),
                    kind == VMA_STACK ? "TOP" : "ADDR",
                    kind == VMA_STACK ? "0x7ffffffff000 8K" : "0x400000 16K", v);
    if (kind == VMA_HEAP) {
        c->proc->heap_start = addr;
        c->proc->heap_size = size;
        c->proc->has_heap = true;
    }
    if (size == 0)
        return kind == VMA_HEAP ? 0 : fail(c, "%s size must not be 0", vma_kind_name(kind));
    if (kind == VMA_STACK) {
        if (size > addr)
            return fail(c, "stack size 0x%llx is larger than its top 0x%llx",
                        (unsigned long long)size, (unsigned long long)addr);
        return add_vma(c, addr - size, addr, perms[kind], kind, false);
    }
    return add_vma(c, addr, addr + size, perms[kind], kind, kind == VMA_TEXT || kind == VMA_DATA);
}

/* One of mmap's options: anon, file, private, shared, huge=2M (4M, 1G). */
static bool mmap_option(const char *w, Vma *v)
{
    if (strcmp(w, "anon") == 0) v->file = false;
    else if (strcmp(w, "file") == 0) v->file = true;
    else if (strcmp(w, "private") == 0) v->shared = false;
    else if (strcmp(w, "shared") == 0) v->shared = true;
    else if (strcmp(w, "huge=2M") == 0) v->huge_shift = 21;
    else if (strcmp(w, "huge=4M") == 0) v->huge_shift = 22;
    else if (strcmp(w, "huge=1G") == 0) v->huge_shift = 30;
    else return false;
    return true;
}

static int mmap_key(LoadCtx *c, const char *v)
{
    uint64_t addr, size;
    char rest[96], perm[16] = "", opt[3][16] = { "", "", "" }, extra[8] = "";
    Vma vma = { .kind = VMA_MMAP };
    bool ok = parse_range(v, &addr, &size, rest, sizeof rest) && size > 0 &&
              sscanf(rest, "%15s %15s %15s %15s %7s", perm, opt[0], opt[1], opt[2], extra) >= 1 &&
              !extra[0] && parse_perms(perm, &vma.perms);
    for (int i = 0; ok && i < 3; i++)
        ok = !opt[i][0] || mmap_option(opt[i], &vma);
    if (!ok)
        return fail(c, "expected mmap = ADDR SIZE PERMS [anon|file] [private|shared] [huge=2M|4M|1G] "
                    "(e.g. 0x7f0000000000 64K rw-), got '%s'", v);
    ProcSpec *p = c->proc;
    if (add_vma(c, addr, addr + size, vma.perms, VMA_MMAP, vma.file) != 0)
        return -1;
    p->vmas[p->nvmas - 1].shared = vma.shared;
    p->vmas[p->nvmas - 1].huge_shift = vma.huge_shift;
    return 0;
}

static int process_key(LoadCtx *c, const char *k, const char *v)
{
    long long n;
    VmaKind kind;
    if (strcmp(k, "pid") == 0) {
        if (!parse_int(v, 1, 4194304, &n))
            return fail(c, "expected pid = 1..4194304, got '%s'", v);
        c->proc->pid = (int)n;
        return 0;
    }
    if (strcmp(k, "oom_score_adj") == 0) {
        if (!parse_int(v, -1000, 1000, &n))
            return fail(c, "expected oom_score_adj = -1000..1000, got '%s'", v);
        c->proc->oom_score_adj = (int)n;
        return 0;
    }
    if (strcmp(k, "stack_limit") == 0) {
        if (!parse_size(v, &c->proc->stack_max))
            return fail(c, "expected stack_limit = SIZE (e.g. 8M), got '%s'", v);
        return 0;
    }
    if (strcmp(k, "mmap") == 0)
        return mmap_key(c, v);
    if (vma_kind_parse(k, &kind) && kind != VMA_MMAP)
        return segment_key(c, kind, v);
    return fail(c, "unknown key '%s' in [process %s] (expected pid, text, data, bss, heap, "
                "stack, stack_limit, mmap or oom_score_adj)", k, c->proc->name);
}

/* ---- [scenario] [trace] --------------------------------------------------- */

/* Whether the line being handled continues the previous key's value: inih's rule
 * (INI_ALLOW_MULTILINE), an indented line after a key of the same section. */
static bool continuation(const LoadCtx *c)
{
    return c->continued;
}

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
        return dup_str(path);
    size_t dir = (size_t)(slash - from) + 1;
    char *r = malloc(dir + strlen(path) + 1);
    if (r) {
        memcpy(r, from, dir);
        strcpy(r + dir, path);
    }
    return r;
}

static int load_file(Scenario *sc, const char *path, int depth, char *err, size_t errlen);

static int scenario_key(LoadCtx *c, const char *k, const char *v)
{
    Scenario *sc = c->sc;
    if (strcmp(k, "title") == 0) {
        free(sc->title);
        sc->title = dup_str(v);
        return sc->title ? 0 : fail(c, "out of memory");
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
        return append_line(&sc->description, &c->desc_len, v) ? fail(c, "out of memory") : 0;
    }
    if (strcmp(k, "include") == 0) {
        if (c->depth >= MAX_INCLUDE_DEPTH)
            return fail(c, "includes nest deeper than %d files", MAX_INCLUDE_DEPTH);
        char *path = resolve(c->path, v);
        if (!path)
            return fail(c, "out of memory");
        char sub[512];
        int r = load_file(sc, path, c->depth + 1, sub, sizeof sub);
        free(path);
        return r ? fail(c, "in include: %s", sub) : 0;
    }
    return fail(c, "unknown key '%s' in [scenario] (expected title, description or include)", k);
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
        return fail(c, "%s", why);
    if (!sc->inline_trace || strcmp(sc->inline_name, c->path) != 0) {
        free(sc->inline_trace);
        free(sc->inline_name);
        sc->inline_trace = NULL;
        sc->inline_len = 0;
        sc->inline_first = c->line;
        sc->inline_last = c->line - 1;
        sc->inline_name = dup_str(c->path);
        if (!sc->inline_name)
            return fail(c, "out of memory");
    }
    for (; sc->inline_last + 1 < c->line; sc->inline_last++)
        if (append_line(&sc->inline_trace, &sc->inline_len, ""))
            return fail(c, "out of memory");
    if (append_line(&sc->inline_trace, &sc->inline_len, v))
        return fail(c, "out of memory");
    sc->inline_last = c->line;
    return 0;
}

static int trace_key(LoadCtx *c, const char *k, const char *v)
{
    Scenario *sc = c->sc;
    if (strcmp(k, "file") == 0) {
        free(sc->trace_path);
        sc->trace_path = resolve(c->path, v);
        return sc->trace_path ? 0 : fail(c, "out of memory");
    }
    if (strcmp(k, "format") == 0) {
        if (!trace_format_parse(v, &sc->trace_format))
            return fail(c, "expected format = vmsim, pages, lackey, ls, addrrw, csc369, cs1550 or auto, got '%s'", v);
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
    return fail(c, "unknown key '%s' in [trace] (expected file, format or lines)", k);
}

/* ---- sections and the inih callbacks -------------------------------------- */

typedef int (*KeyFn)(LoadCtx *c, const char *key, const char *value);

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

static KeyFn section_fn(const char *section)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(section, sections[i].name) == 0)
            return sections[i].fn;
    return NULL;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= PROC_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return false;
    return true;
}

/* A [process NAME] header creates the process even if no key follows. */
static int begin_process(LoadCtx *c, const char *name)
{
    Scenario *sc = c->sc;
    if (!valid_name(name))
        return fail(c, "expected [process NAME] with NAME of letters, digits, '_', '.' or '-' "
                    "(at most %d), got '%s'", PROC_NAME_MAX - 1, name);
    if (sc->nprocs >= MAX_PROCESSES)
        return fail(c, "too many processes (at most %d [process] sections)", MAX_PROCESSES);
    for (size_t i = 0; i < sc->nprocs; i++)
        if (strcmp(sc->procs[i].name, name) == 0)
            return fail(c, "process '%s' is defined twice (first at %s)", name, sc->procs[i].origin);
    ProcSpec *np = realloc(sc->procs, (sc->nprocs + 1) * sizeof *np);
    if (!np)
        return fail(c, "out of memory");
    sc->procs = np;
    ProcSpec *p = &sc->procs[sc->nprocs++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->stack_max = 8ull << 20;
    snprintf(p->origin, sizeof p->origin, "%s:%lu", c->path, c->line);
    c->proc = p;
    return 0;
}

static int begin_section(LoadCtx *c, const char *name)
{
    c->proc = NULL;
    if (strncmp(name, "process", 7) == 0 && (name[7] == ' ' || name[7] == '\0')) {
        const char *n = name + 7;
        while (*n == ' ')
            n++;
        return begin_process(c, n);
    }
    if (!section_fn(name))
        return fail(c, "unknown section [%s] (expected machine, tlb, itlb, stlb, memory, swap, "
                    "timing, oom, scenario, trace or process NAME)", name);
    return 0;
}

/* The name of the section a line opens, as inih reads it: the line is parsed on its
 * own, followed by a key whose handler call carries the section. Returns 1 with name
 * set for a header, 0 for a blank or comment line, -1 for a line inih rejects. Only
 * lines that made no handler call in the stream come here: not keys, not continuations,
 * so on their own they read as they did there. */
typedef struct Probe {
    char name[128];
} Probe;

static int probe_handler(void *user, const char *section, const char *name, const char *value)
{
    (void)name, (void)value;
    snprintf(((Probe *)user)->name, sizeof ((Probe *)user)->name, "%s", section);
    return 1;
}

static int line_section(const char *line, bool first, char *name, size_t len)
{
    char text[600];                        /* a line (at most 512) and the probe */
    Probe pr = { "" };
    /* A BOM is stripped only at the start of a file: keep its place for line 1. */
    snprintf(text, sizeof text, "%s%s\n\001=\n", first ? "" : "\n", line);
    if (ini_parse_string(text, probe_handler, &pr) != 0)
        return -1;
    snprintf(name, len, "%s", pr.name);
    return pr.name[0] != '\0';
}

/* What inih made of the line handed to it last, told by the handler calls it made
 * (keys and continuations) or, when it made none, by line_section. */
static void after_line(LoadCtx *c)
{
    if (!c->line || c->failed || c->called)
        return;
    c->called = true;                      /* told once */
    char name[128];
    const char *start = c->raw;
    while (isspace((unsigned char)*start))
        start++;
    switch (line_section(c->raw, c->line == 1, name, sizeof name)) {
    case 1:
        c->keyed = false;                  /* inih forgets the previous key at a header */
        begin_section(c, name);
        break;
    case -1:
        fail(c, *start == '[' ? "expected ']' to close the section name"
                              : "expected [section] or key = value");
        break;
    default:
        break;
    }
}

/* Hands inih one line at a time, counting them, so that each handler call knows its
 * FILE:LINE. A NUL byte or an over-long line is an error; reading stops at the first. */
static char *reader(char *str, int num, void *stream)
{
    LoadCtx *c = stream;
    after_line(c);
    if (c->failed)
        return NULL;
    int ch = 0, n = 0;
    bool nul = false, long_line = false;
    while ((ch = getc(c->f)) != EOF && ch != '\n') {
        nul = ch == '\0';
        long_line = n >= num - 2;
        if (nul || long_line)
            break;                         /* an error: no need to read on */
        str[n++] = (char)ch;
    }
    if (ch == EOF && n == 0 && !nul && !long_line)
        return NULL;
    c->line++;
    c->called = false;
    str[n] = '\0';
    if (nul)
        fail(c, "unexpected NUL byte (is this a text file?)");
    else if (long_line)
        fail(c, "line is too long (at most %d characters)", num - 2);
    if (c->failed)
        return NULL;
    snprintf(c->raw, sizeof c->raw, "%s", str);
    if (ch == '\n' && n < num - 1) {
        str[n++] = '\n';
        str[n] = '\0';
    }
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    LoadCtx *c = user;
    c->called = true;
    bool cont = c->keyed && isspace((unsigned char)c->raw[0]);
    c->keyed = true;
    c->continued = cont;
    if (c->failed)
        return 1;
    if (!section[0]) {
        fail(c, "expected a [section] before '%s = ...'", name);
        return 1;
    }
    if (continuation(c) && strcmp(name, "description") != 0 && strcmp(name, "lines") != 0) {
        fail(c, "expected 'key = value'; only description and lines continue on indented lines");
        return 1;
    }
    if (c->proc) {
        process_key(c, name, value);
        return 1;
    }
    KeyFn fn = section_fn(section);
    if (fn && fn(c, name, value) == 0)
        note_origin(c, section, name);
    return 1;
}

static int load_stream(Scenario *sc, FILE *f, const char *path, int depth, char *err, size_t errlen)
{
    LoadCtx c = { .sc = sc, .path = path, .err = err, .errlen = errlen, .depth = depth, .f = f };
    int r = ini_parse_stream(reader, &c, handler, &c);
    after_line(&c);                        /* the last line, when inih asked for no more */
    if (c.failed)
        return -1;
    if (r != 0) {
        c.line = r > 0 ? (unsigned long)r : c.line;
        fail(&c, "expected [section] or key = value");
        return -1;
    }
    return 0;
}

static int load_file(Scenario *sc, const char *path, int depth, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file (scenarios and configs are files)", path);
        fclose(f);
        return -1;
    }
    int r = load_stream(sc, f, path, depth, err, errlen);
    fclose(f);
    return r;
}

int scenario_load_text(Scenario *sc, const char *name, const char *text, char *err, size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", name, strerror(errno));
        return -1;
    }
    if (!sc->path)
        sc->path = dup_str(name);
    int r = load_stream(sc, f, name, 0, err, errlen);
    fclose(f);
    return r;
}

/* ---- the public face ------------------------------------------------------ */

void scenario_init(Scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    machine_default(&sc->machine);
    sc->trace_format = TRACE_AUTO;
}

void scenario_fini(Scenario *sc)
{
    free(sc->path);
    free(sc->title);
    free(sc->description);
    free(sc->procs);
    free(sc->trace_path);
    free(sc->inline_trace);
    free(sc->inline_name);
    free(sc->origins);
    memset(sc, 0, sizeof *sc);
}

int scenario_load(Scenario *sc, const char *path, char *err, size_t errlen)
{
    if (!sc->path) {
        sc->path = dup_str(path);
        if (!sc->path) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return load_file(sc, path, 0, err, errlen);
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t i = 0;
    while (isspace((unsigned char)s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
}

/* --set 'process NAME.KEY=VALUE': a key of a process the scenario defines. */
static int set_process_key(Scenario *sc, LoadCtx *c, char *name, const char *key, const char *value)
{
    trim(name);
    for (size_t i = 0; i < sc->nprocs; i++)
        if (strcmp(sc->procs[i].name, name) == 0) {
            c->proc = &sc->procs[i];
            return process_key(c, key, value) ? -1 : 0;
        }
    fail(c, "no [process %s] in the scenario", name);
    return -1;
}

int scenario_set(Scenario *sc, const char *assignment, const char *source, char *err, size_t errlen)
{
    char buf[512], where[600];
    snprintf(buf, sizeof buf, "%s", assignment);
    snprintf(where, sizeof where, "%s %s", source, assignment);
    LoadCtx c = { .sc = sc, .path = where, .err = err, .errlen = errlen };
    char *eq = strchr(buf, '=');
    char *dot = strchr(buf, '.');
    if (eq && strncmp(buf, "process ", 8) == 0)     /* process NAME.KEY: NAME may hold dots */
        for (char *d = dot; d && d < eq; d = strchr(d + 1, '.'))
            dot = d;
    if (!eq || !dot || dot > eq) {
        fail(&c, "expected section.key=value (e.g. memory.frames=64)");
        return -1;
    }
    *eq = *dot = '\0';
    char *section = buf, *key = dot + 1, *value = eq + 1;
    trim(section);
    trim(key);
    trim(value);
    if (strncmp(section, "process ", 8) == 0)
        return set_process_key(sc, &c, section + 8, key, value);
    KeyFn fn = section_fn(section);
    if (!fn || fn == scenario_key) {
        fail(&c, "unknown section '%s' (expected machine, tlb, itlb, stlb, memory, swap, timing, oom or trace)", section);
        return -1;
    }
    if (fn(&c, key, value) != 0)
        return -1;
    note_origin(&c, section, key);
    return 0;
}

static const char *find_origin(const Scenario *sc, const char *key, size_t n)
{
    for (size_t i = 0; i < sc->norigins; i++)
        if (strlen(sc->origins[i].key) == n && strncmp(sc->origins[i].key, key, n) == 0)
            return sc->origins[i].where;
    return NULL;
}

/* Where key ("memory.frames") was set, else where its section was last touched. */
static const char *origin_of(const Scenario *sc, const char *key)
{
    const char *where = find_origin(sc, key, strlen(key));
    const char *dot = strchr(key, '.');
    if (!where && dot) {
        char any[72];
        snprintf(any, sizeof any, "%.*s.*", (int)(dot - key) < 24 ? (int)(dot - key) : 24, key);
        where = find_origin(sc, any, strlen(any));
    }
    return where;
}

int scenario_validate(Scenario *sc, char *err, size_t errlen)
{
    geo_update(&sc->machine.geo);
    const char *key = "machine";
    const char *bad = machine_validate(&sc->machine, &key);
    if (!bad)
        return 0;
    const char *where = origin_of(sc, key);
    if (!where)
        where = sc->path ? sc->path : "the default machine";
    snprintf(err, errlen, "%s: %s: %s", where, key, bad);
    return -1;
}

TraceReader *scenario_open_trace(const Scenario *sc, const char *override_path,
                                 TraceFormat override_fmt, bool *none, char *err, size_t errlen)
{
    unsigned shift = sc->machine.geo.page_shift;
    *none = false;
    err[0] = '\0';
    if (override_path)
        return trace_open(override_path, override_fmt, shift, err, errlen);
    if (sc->trace_path)
        return trace_open(sc->trace_path, sc->trace_format, shift, err, errlen);
    if (sc->inline_trace) {
        TraceFormat f = sc->trace_format == TRACE_AUTO ? TRACE_VMSIM : sc->trace_format;
        return trace_open_mem(sc->inline_trace, sc->inline_len, sc->inline_name,
                              sc->inline_first, f, shift, err, errlen);
    }
    *none = true;
    return NULL;
}

/* The whole lower half of the address space, read-write-execute. */
static Vma whole_space(const Geometry *g)
{
    unsigned bits = g->sign_extend ? g->va_bits - 1 : g->va_bits;
    if (bits > 63)
        bits = 63;
    return (Vma){ .start = 0, .end = 1ull << bits, .perms = PTE_R | PTE_W | PTE_X, .kind = VMA_MMAP };
}

static int build_process(Sim *sim, const Scenario *sc, const ProcSpec *ps, char *err, size_t errlen)
{
    char why[256];
    uint64_t mask = geo_page_size(&sc->machine.geo) - 1;
    Process *p = sim_add_process(sim, ps->pid, ps->name, why, sizeof why);
    if (!p) {
        snprintf(err, errlen, "%s: %s", ps->origin, why);
        return -1;
    }
    p->oom_score_adj = ps->oom_score_adj;
    vaddr_t data_end = BRK_NONE;
    for (size_t i = 0; i < ps->nvmas; i++) {
        Vma v = ps->vmas[i];
        if (v.kind == VMA_STACK) {
            v.start &= ~mask;              /* a stack's top is its fixed end */
            p->stack_limit = v.end > ps->stack_max ? (v.end - ps->stack_max) & ~mask : 0;
        }
        if (v.start & mask) {
            snprintf(err, errlen, "%s: %s starts at 0x%llx, which is not page aligned (pages are %llu bytes)",
                     ps->origin, vma_kind_name(v.kind), (unsigned long long)v.start,
                     (unsigned long long)(mask + 1));
            return -1;
        }
        uint64_t round = v.huge_shift ? (1ull << v.huge_shift) - 1 : mask;
        v.end = (v.end + round) & ~round;
        if (v.end == 0 || sim_map(sim, p, &v, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: %s", ps->origin, v.end ? why : "region wraps around the address space");
            return -1;
        }
        if ((v.kind == VMA_DATA || v.kind == VMA_BSS) && (data_end == BRK_NONE || v.end > data_end))
            data_end = v.end;
    }
    /* The program break starts at the heap, or (like Linux) just past data and BSS. */
    p->brk_start = ps->has_heap ? ps->heap_start : data_end;
    p->brk = ps->has_heap ? ps->heap_start + ps->heap_size : data_end;
    return 0;
}

Sim *scenario_build(const Scenario *sc, char *err, size_t errlen)
{
    Sim *sim = sim_create(&sc->machine, err, errlen);
    if (!sim)
        return NULL;
    for (size_t i = 0; i < sc->nprocs; i++) {
        if (build_process(sim, sc, &sc->procs[i], err, errlen) != 0) {
            if (sim_halted(sim))
                return sim;                /* out of memory: a run-time outcome */
            sim_destroy(sim);
            return NULL;
        }
    }
    if (sc->nprocs == 0) {
        Process *p = sim_add_process(sim, 1, "main", err, errlen);
        Vma all = whole_space(&sc->machine.geo);
        if (!p || sim_map(sim, p, &all, err, errlen) != 0) {
            sim_destroy(sim);
            return NULL;
        }
    }
    return sim;
}
