/* Process events from the trace, as the kernel (fork, exit, brk, mmap, munmap,
 * mprotect) and the C library (malloc, free, the stack frames of call and ret) carry
 * them out. Each is one step; its result is what the call would return. */
#include "sim_int.h"
#include "vmsim/oom.h"

#define ENOMEM 12
#define EINVAL 22
#define HEAP_PAD (128u << 10)      /* glibc's DEFAULT_TOP_PAD: the heap grows this much more */
#define CHUNK_HDR 16u              /* a chunk's header before its payload */
#define CHUNK_MIN 32u

static uint64_t page_mask(const Sim *s) { return geo_page_size(&s->geo) - 1; }
static vaddr_t page_up(const Sim *s, vaddr_t a) { return (a + page_mask(s)) & ~page_mask(s); }

/* Pages of accountable mappings of p within [lo, hi). */
static uint64_t charged_in(const Sim *s, const Process *p, vaddr_t lo, vaddr_t hi)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < p->nvmas; i++) {
        const Vma *v = &p->vmas[i];
        vaddr_t a = v->start > lo ? v->start : lo, b = v->end < hi ? v->end : hi;
        if (a < b && vm_charged(v))
            bytes += b - a;
    }
    return bytes >> s->geo.page_shift;
}

/* Reports the event in words and fills the step. */
static StepStatus done(Sim *s, StepInfo *info, int64_t result, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    info->result = result;
    if (result == -ENOMEM)
        s->stats.enomem++;
    EMIT(s, .kind = EV_SYSCALL, .pid = info->pid, .detail = text, .count = (uint64_t)result);
    return STEP_OK;
}

/* ---- fork ---------------------------------------------------------------------- */

typedef struct Leaf {
    vaddr_t va;
    paddr_t pte_pa;
} Leaf;

typedef struct LeafList {
    Leaf *v;
    size_t n, cap;
    bool oom;
} LeafList;

static void collect_leaf(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    (void)s, (void)p, (void)pte;
    LeafList *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap * 2 + 64;
        Leaf *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            l->oom = true;
            return;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = (Leaf){ va, pa };
}

/* The child's entry for one of the parent's: the same page, shared. A private writable
 * page becomes read-only in both, so the first write copies it (copy-on-write). */
static int share_leaf(Sim *s, Process *parent, Process *child, const Leaf *lf)
{
    const Geometry *g = &s->geo;
    pte_t pte = mem_read(&s->fp, lf->pte_pa, g->pte_size);
    if (pte == 0)
        return 0;
    unsigned level = mm_table_of(s, lf->pte_pa)->level;   /* a large page's leaf sits higher */
    paddr_t at = mm_entry_at(s, child, lf->va, level);
    if (at == PADDR_NONE)
        return -1;
    pte = mem_read(&s->fp, lf->pte_pa, g->pte_size);   /* finding table frames may evict */
    if (pte == 0)
        return 0;
    unsigned fl = pte_flags(g, pte);
    if (fl & PTE_V) {
        const Vma *v = proc_find_vma(parent, lf->va);
        if ((fl & PTE_W) && v && !v->shared) {
            pte = pte_encode(g, pte_pfn(g, pte), fl & ~PTE_W);
            mem_write(&s->fp, lf->pte_pa, g->pte_size, pte);
        }
        s->fp.frames[pte_pfn(g, pte)].refs++;
        child->rss += mm_span(s, pte_pfn(g, pte));
        child->hugetlb += v && v->huge_shift ? mm_span(s, pte_pfn(g, pte)) : 0;
    } else {
        swap_ref(&s->swap, (int64_t)pte_pfn(g, pte) - 1);
        child->swap++;
    }
    mem_write(&s->fp, at, g->pte_size, pte);
    mm_table_of(s, at)->used++;
    return 0;
}

/* Pages of p's private accountable mappings: what a fork charges again. */
static uint64_t private_charge(const Sim *s, const Process *p)
{
    uint64_t pages = 0;
    for (size_t i = 0; i < p->nvmas; i++) {
        const Vma *v = &p->vmas[i];
        if (!v->shared && v->accounted)   /* dup_mmap(): VM_ACCOUNT mappings */
            pages += (v->end - v->start) >> s->geo.page_shift;
    }
    return pages;
}

/* The child inherits everything of the parent's but its identity and its memory,
 * which share_leaf builds: a whole copy, so a field added to Process is inherited. */
static int inherit(Process *c, const Process *p)
{
    Process tmp;
    if (proc_copy(&tmp, p) != 0)
        return -1;
    proc_fini(c);
    tmp.pid = c->pid;
    memcpy(tmp.name, c->name, sizeof tmp.name);
    tmp.asid = c->asid;
    tmp.root = c->root;
    tmp.state = PROC_RUNNING;
    tmp.exit_reason[0] = '\0';
    tmp.rss = tmp.swap = tmp.committed = tmp.hugetlb = 0;   /* share_leaf counts them */
    tmp.pt_pages = c->pt_pages;
    tmp.parent = p->pid;
    memset(&tmp.stats, 0, sizeof tmp.stats);
    for (size_t i = 0; i < tmp.nvmas; i++)
        tmp.vmas[i].shm_charged = false;   /* the parent's shmem charge stays the parent's */
    *c = tmp;
    return 0;
}

/* Shares each of p's leaves with c. Returns 0, or -1 when memory ran out (p may have
 * been killed for it: see do_fork). The child is not yet a task the OOM killer sees
 * (copy_process adds it to the task list only once its mm is built). */
static int copy_leaves(Sim *s, Process *p, Process *c)
{
    LeafList leaves = { 0 };
    mm_for_each_leaf(s, p, 0, UINT64_MAX, collect_leaf, &leaves);
    int bad = leaves.oom;
    c->building = true;
    for (size_t i = 0; i < leaves.n && !bad; i++)
        bad = share_leaf(s, p, c, &leaves.v[i]) != 0 || p->state != PROC_RUNNING;
    c->building = false;
    free(leaves.v);
    tlbs_invalidate_asid(s, p->asid, "fork write-protected the parent's entries");
    return bad ? -1 : 0;
}

/* Fork, by the rules of copy_process: (a) refused (overcommit, no memory): -ENOMEM and
 * no child; (b) the parent OOM-killed while its tables are copied: the child goes with
 * it and the call never returns; (c) another process killed to make room: it completes. */
static StepStatus do_fork(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    char why[256];
    if (proc_by_name(s, rec->name) || sim_is_unborn(s, rec->name)) {
        sim_line_err(s, rec->line, FORK_TAKEN, rec->name);
        return STEP_ERROR;
    }
    /* dup_mmap() charges the VM_ACCOUNT mappings again; shared ones are not copied. */
    uint64_t charge = private_charge(s, p);
    if (!vm_enough_memory(s, p, charge)) {
        sim_note_unborn(s, rec->name);
        return done(s, info, -ENOMEM, "fork() = -ENOMEM (cannot commit %llu more pages)",
                    (unsigned long long)charge);
    }
    Process *c = sim_add_process(s, 0, rec->name, why, sizeof why);
    if (c && p->state != PROC_RUNNING) {   /* (b): its root table cost the parent's life */
        sim_forget_process(s, c);
        sim_note_unborn(s, rec->name);
        return STEP_OK;
    }
    s->halted = false;                     /* a refused fork is the caller's news */
    if (!c || inherit(c, p) != 0) {
        if (c)
            sim_forget_process(s, c);
        sim_note_unborn(s, rec->name);
        return done(s, info, -ENOMEM, "fork() = -ENOMEM (%s)", c ? "out of host memory" : why);
    }
    vm_charge(s, c, (int64_t)charge);
    s->err[0] = '\0';
    if (copy_leaves(s, p, c) != 0) {
        sim_forget_process(s, c);
        sim_note_unborn(s, rec->name);
        if (strncmp(s->err, "Kernel panic", 12) == 0)
            return STEP_HALT;              /* panic_on_oom: the machine stops */
        if (p->state != PROC_RUNNING)
            return STEP_OK;                /* (b): killed; its kill is this step's news */
        return done(s, info, -ENOMEM, "fork() = -ENOMEM (memory ran out while copying)");
    }
    return done(s, info, c->pid, "fork() = %d: child '%s' shares %llu pages copy-on-write",
                c->pid, c->name, (unsigned long long)c->rss);
}

/* ---- brk ------------------------------------------------------------------------- */

static Vma *heap_vma(Process *p)
{
    for (size_t i = 0; i < p->nvmas; i++)
        if (p->vmas[i].kind == VMA_HEAP && p->vmas[i].start == p->brk_start)
            return &p->vmas[i];
    return NULL;
}

/* Moves p's break to want. Returns 0, or -ENOMEM. */
static int64_t set_brk(Sim *s, Process *p, vaddr_t want)
{
    if (p->brk_start == BRK_NONE || want < p->brk_start)
        return -ENOMEM;
    vaddr_t old_end = page_up(s, p->brk), new_end = page_up(s, want);
    if (new_end < want)
        return -ENOMEM;                    /* wrapped */
    if (new_end > old_end) {
        const Vma *h = heap_vma(p);
        for (size_t i = 0; i < p->nvmas; i++) {
            const Vma *v = &p->vmas[i];
            if (v != h && v->start < new_end && v->end > old_end)
                return -ENOMEM;            /* it would run into another mapping */
        }
        uint64_t pages = (new_end - old_end) >> s->geo.page_shift;
        if (!vm_enough_memory(s, p, pages))
            return -ENOMEM;
        Vma *hv = heap_vma(p);
        if (hv) {
            hv->end = hv->end > new_end ? hv->end : new_end;
        } else {
            Vma v = { .start = p->brk_start, .end = new_end, .perms = PTE_R | PTE_W, .kind = VMA_HEAP,
                      .accounted = true };
            if (proc_map(p, &v) != 0)
                return -ENOMEM;
        }
        vm_charge(s, p, (int64_t)pages);
    } else if (new_end < old_end) {
        mm_unmap(s, p, new_end, old_end);
        vm_charge(s, p, -(int64_t)charged_in(s, p, new_end, old_end));
        proc_unmap(p, new_end, old_end);
    }
    p->brk = want;
    return 0;
}

static StepStatus do_brk(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    vaddr_t old = p->brk;
    vaddr_t want = rec->addr;
    if (rec->kind == TREC_SBRK) {
        want = rec->negative ? old - rec->length : old + rec->length;
        if ((rec->negative && want > old) || (!rec->negative && want < old))
            return done(s, info, -ENOMEM, "sbrk(%s%llu) = -ENOMEM", rec->negative ? "-" : "",
                        (unsigned long long)rec->length);
    }
    int64_t r = set_brk(s, p, want);
    if (rec->kind == TREC_SBRK)
        return r ? done(s, info, r, "sbrk(%s%llu) = -ENOMEM", rec->negative ? "-" : "",
                        (unsigned long long)rec->length)
                 : done(s, info, (int64_t)old, "sbrk(%s%llu) = 0x%llx: the break moves to 0x%llx",
                        rec->negative ? "-" : "", (unsigned long long)rec->length,
                        (unsigned long long)old, (unsigned long long)want);
    /* brk(2) returns the new break, or the old one when it refuses. */
    return r ? done(s, info, -ENOMEM, "brk(0x%llx) = 0x%llx: refused (ENOMEM), the break stays",
                    (unsigned long long)want, (unsigned long long)old)
             : done(s, info, (int64_t)want, "brk(0x%llx) = 0x%llx", (unsigned long long)want,
                    (unsigned long long)want);
}

/* ---- mmap, munmap, mprotect ------------------------------------------------------ */

static bool range_free(const Process *p, vaddr_t lo, vaddr_t hi)
{
    for (size_t i = 0; i < p->nvmas; i++)
        if (p->vmas[i].start < hi && p->vmas[i].end > lo)
            return false;
    return true;
}

/* The kernel's choice: top down from below the stack's reach (mmap_base). */
static vaddr_t pick_address(const Sim *s, const Process *p, uint64_t len, uint64_t align)
{
    const Geometry *g = &s->geo;
    unsigned bits = g->sign_extend ? g->va_bits - 1 : g->va_bits;
    vaddr_t top = bits >= 64 ? UINT64_MAX & ~page_mask(s) : 1ull << bits;
    if (p->stack_limit && p->stack_limit < top)
        top = p->stack_limit;
    top = top > (1ull << 20) + geo_page_size(g) ? (top - (1ull << 20)) & ~page_mask(s) : 0;
    vaddr_t lo = 16 * geo_page_size(g);    /* mmap_min_addr */
    for (vaddr_t end = top; end >= lo + len && end - len >= lo;) {
        vaddr_t start = (end - len) & ~(align - 1);
        const Vma *hit = NULL;
        for (size_t i = 0; i < p->nvmas; i++)
            if (p->vmas[i].start < end && p->vmas[i].end > start)
                hit = &p->vmas[i];
        if (!hit)
            return start;
        end = hit->start < end ? hit->start : end - align;
    }
    return 0;
}

static unsigned prot_perms(uint8_t prot)
{
    return ((prot & TRACE_PROT_R) ? PTE_R : 0) | ((prot & TRACE_PROT_W) ? PTE_W : 0) |
           ((prot & TRACE_PROT_X) ? PTE_X : 0);
}

static StepStatus do_mmap(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    uint64_t len = page_up(s, rec->length);
    uint64_t align = rec->huge_shift ? 1ull << rec->huge_shift : page_mask(s) + 1;
    if (rec->huge_shift && !sim_has_page_shift(s, rec->huge_shift))
        return done(s, info, -EINVAL, "mmap(huge=%uK) = -EINVAL: %s has no such page size",
                    1u << (rec->huge_shift - 10), arch_name(s->geo.arch));
    len = (len + align - 1) & ~(align - 1);
    if (!len || (rec->addr & (align - 1)))
        return done(s, info, -EINVAL, "mmap(0x%llx, %llu) = -EINVAL", (unsigned long long)rec->addr,
                    (unsigned long long)rec->length);
    vaddr_t at = rec->addr;
    if (!at || at + len < at || !geo_va_ok(&s->geo, at + len - 1) || !range_free(p, at, at + len))
        at = pick_address(s, p, len, align);   /* a hint that does not fit is not taken */
    Vma v = { .start = at, .end = at + len, .perms = prot_perms(rec->prot), .kind = VMA_MMAP,
              .file = (rec->map & TRACE_MAP_FILE) != 0, .shared = (rec->map & TRACE_MAP_SHARED) != 0,
              .huge_shift = rec->huge_shift };
    v.shm_charged = v.shared && !v.file;
    v.accounted = !v.shared && vm_accountable(&v, v.perms);
    uint64_t pages = vm_charged(&v) ? len >> s->geo.page_shift : 0;
    if (!at || !vm_enough_memory(s, p, pages) || proc_map(p, &v) != 0)
        return done(s, info, -ENOMEM, "mmap(0x%llx, %llu) = -ENOMEM%s", (unsigned long long)rec->addr,
                    (unsigned long long)rec->length,
                    at ? " (the commit limit is reached)" : " (no room in the address space)");
    vm_charge(s, p, (int64_t)pages);
    return done(s, info, (int64_t)at, "mmap(%llu bytes) = 0x%llx", (unsigned long long)rec->length,
                (unsigned long long)at);
}

static StepStatus do_munmap(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    vaddr_t lo = rec->addr, hi = page_up(s, rec->addr + rec->length);
    if ((lo & page_mask(s)) || hi <= lo)
        return done(s, info, -EINVAL, "munmap(0x%llx, %llu) = -EINVAL", (unsigned long long)lo,
                    (unsigned long long)rec->length);
    uint64_t charged = charged_in(s, p, lo, hi);
    if (proc_split(p, lo, hi) != 0)
        return done(s, info, -ENOMEM, "munmap(0x%llx, %llu) = -ENOMEM", (unsigned long long)lo,
                    (unsigned long long)rec->length);
    uint64_t pages = mm_unmap(s, p, lo, hi);
    proc_unmap(p, lo, hi);
    vm_charge(s, p, -(int64_t)charged);
    return done(s, info, 0, "munmap(0x%llx, %llu) = 0: %llu resident pages freed",
                (unsigned long long)lo, (unsigned long long)rec->length, (unsigned long long)pages);
}

typedef struct Reprotect {
    unsigned perms;
} Reprotect;

/* Rewrites a present entry's permissions; a page still shared copy-on-write keeps W
 * clear. */
static void reprotect(Sim *s, Process *p, vaddr_t va, paddr_t pa, pte_t pte, void *ctx)
{
    const Geometry *g = &s->geo;
    unsigned fl = pte_flags(g, pte);
    if (!(fl & PTE_V))
        return;
    const Vma *v = proc_find_vma(p, va);
    unsigned perms = sim_pte_perms(s, ((const Reprotect *)ctx)->perms);
    if (v && !v->shared && s->fp.frames[pte_pfn(g, pte)].refs > 1)
        perms &= ~(unsigned)PTE_W;
    unsigned keep = fl & (PTE_V | PTE_U | PTE_A | PTE_D | PTE_G | PTE_H);
    mem_write(&s->fp, pa, g->pte_size, pte_encode(g, pte_pfn(g, pte), keep | perms));
}

static StepStatus do_mprotect(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    vaddr_t lo = rec->addr, hi = page_up(s, rec->addr + rec->length);
    unsigned perms = prot_perms(rec->prot);
    if ((lo & page_mask(s)) || hi <= lo)
        return done(s, info, -EINVAL, "mprotect(0x%llx) = -EINVAL", (unsigned long long)lo);
    uint64_t covered = 0, more = 0;
    for (size_t i = 0; i < p->nvmas; i++) {
        const Vma *v = &p->vmas[i];
        vaddr_t a = v->start > lo ? v->start : lo, b = v->end < hi ? v->end : hi;
        if (a < b) {
            covered += b - a;
            more += !vm_charged(v) && vm_accountable(v, perms) ? (b - a) >> s->geo.page_shift : 0;
        }
    }
    if (covered != hi - lo || !vm_enough_memory(s, p, more) || proc_split(p, lo, hi) != 0)
        return done(s, info, -ENOMEM, "mprotect(0x%llx, %llu) = -ENOMEM", (unsigned long long)lo,
                    (unsigned long long)rec->length);
    int64_t charge = 0;
    for (size_t i = 0; i < p->nvmas; i++) {
        Vma *v = &p->vmas[i];
        if (v->start >= lo && v->end <= hi) {
            /* mprotect_fixup(): made writable, a private mapping is charged (VM_ACCOUNT);
             * made read-only it keeps the charge ("we cannot reduce our commit if we
             * make it unwritable again"). */
            if (!vm_charged(v) && vm_accountable(v, perms)) {
                v->accounted = true;
                charge += (int64_t)((v->end - v->start) >> s->geo.page_shift);
            }
            v->perms = perms;
        }
    }
    vm_charge(s, p, charge);
    Reprotect rp = { perms };
    /* PROT_NONE: Linux makes the entries non-present (_PAGE_PROTNONE), which no
     * hardware format here can say apart from a swap entry or (RISC-V: V with R, W and
     * X clear) a pointer to a table; the resident pages leave memory instead. */
    if (!(perms & (PTE_R | PTE_W | PTE_X)))
        mm_unmap_present(s, p, lo, hi);
    else
        mm_for_each_leaf(s, p, lo, hi, reprotect, &rp);
    tlbs_invalidate_asid(s, p->asid, "mprotect changed the permissions");
    return done(s, info, 0, "mprotect(0x%llx, %llu, %c%c%c) = 0", (unsigned long long)lo,
                (unsigned long long)rec->length, (perms & PTE_R) ? 'r' : '-',
                (perms & PTE_W) ? 'w' : '-', (perms & PTE_X) ? 'x' : '-');
}

/* ---- call and ret ------------------------------------------------------------------ */

static StepStatus do_call(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    if (!p->sp) {
        sim_line_err(s, rec->line, "call: process '%s' has no stack", p->name);
        return STEP_ERROR;
    }
    if (rec->length > p->sp || rec->length > UINT32_MAX) {
        /* Larger than an access can be: its push would fault below the limit anyway. */
        char why[160];
        snprintf(why, sizeof why, "stack overflow: a %llu-byte frame goes below stack_limit (0x%llx)",
                 (unsigned long long)rec->length, (unsigned long long)p->stack_limit);
        info->fault = FAULT_SEGV_MAPERR;
        done(s, info, 0, "call: push a %llu-byte frame", (unsigned long long)rec->length);
        kill_segv(s, p, p->sp - (rec->length > p->sp ? p->sp : rec->length), FAULT_SEGV_MAPERR, why);
        return STEP_OK;
    }
    if (p->ncalls == p->capcalls) {
        size_t cap = p->capcalls * 2 + 16;
        uint64_t *nc = realloc(p->calls, cap * sizeof *nc);
        if (!nc)
            return done(s, info, -ENOMEM, "call: out of host memory");
        p->calls = nc;
        p->capcalls = cap;
    }
    p->calls[p->ncalls++] = rec->length;
    p->sp -= rec->length;
    queue_access(s, OP_WRITE, p->sp, rec->length, rec->line);   /* the frame is written */
    return done(s, info, (int64_t)p->sp, "call: push a %llu-byte frame; sp = 0x%llx",
                (unsigned long long)rec->length, (unsigned long long)p->sp);
}

static StepStatus do_ret(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    if (!p->ncalls) {
        sim_line_err(s, rec->line, "ret without a call in process '%s'",
                     p->name);
        return STEP_ERROR;
    }
    uint64_t n = p->calls[--p->ncalls];
    if (n >= 8)                             /* the return address, at the frame's top */
        queue_access(s, OP_READ, p->sp + n - 8, 8, rec->line);
    p->sp += n;
    return done(s, info, (int64_t)p->sp, "ret: pop a %llu-byte frame; sp = 0x%llx",
                (unsigned long long)n, (unsigned long long)p->sp);
}

/* ---- malloc and free: first fit, a 16-byte header before each payload ---------- */

/* The chunk a name was given to: by its current name, or (stale) by the name it had
 * before a later malloc reused it. */
static Block *find_block(Process *p, const char *name, bool *stale)
{
    *stale = false;
    for (size_t i = 0; i < p->nblocks; i++)
        if (p->blocks[i].name[0] && strcmp(p->blocks[i].name, name) == 0)
            return &p->blocks[i];
    for (size_t i = 0; i < p->nblocks; i++) {
        if (p->blocks[i].old[0] && strcmp(p->blocks[i].old, name) == 0) {
            *stale = true;
            return &p->blocks[i];
        }
    }
    return NULL;
}

/* Inserts a chunk at index i. Returns it, or NULL when out of memory. */
static Block *insert_block(Process *p, size_t i, Block b)
{
    if (p->nblocks == p->capblocks) {
        size_t cap = p->capblocks * 2 + 16;
        Block *nb = realloc(p->blocks, cap * sizeof *nb);
        if (!nb)
            return NULL;
        p->blocks = nb;
        p->capblocks = cap;
    }
    memmove(&p->blocks[i + 1], &p->blocks[i], (p->nblocks - i) * sizeof *p->blocks);
    p->blocks[i] = b;
    p->nblocks++;
    return &p->blocks[i];
}

/* glibc's top pad, but never more than 1/64 of the address space: 128 KiB on a 48-bit
 * machine, 512 bytes on OSTEP's 32 KiB one, where 128 KiB would fail every malloc. */
static uint64_t heap_pad(const Sim *s)
{
    unsigned bits = s->geo.va_bits - (s->geo.sign_extend ? 1 : 0);
    uint64_t space64 = bits >= 6 ? 1ull << (bits - 6) : 1;   /* va_bits <= 64 */
    return space64 < HEAP_PAD ? space64 : HEAP_PAD;
}

/* Grows the heap by at least need bytes (plus glibc's top pad) as a free chunk at its
 * end. Returns 0 or -ENOMEM. */
static int64_t grow_heap(Sim *s, Process *p, uint64_t need)
{
    if (p->brk_start == BRK_NONE)
        return -ENOMEM;
    if (p->brk == BRK_NONE)
        p->brk = p->brk_start;
    vaddr_t old = p->brk;
    uint64_t incr = page_up(s, need + heap_pad(s));
    if (set_brk(s, p, old + incr) != 0)
        return -ENOMEM;
    Block *last = p->nblocks ? &p->blocks[p->nblocks - 1] : NULL;
    if (last && !last->used && last->addr + last->size == old)
        last->size += incr;
    else if (!insert_block(p, p->nblocks, (Block){ .addr = old, .size = incr }))
        return -ENOMEM;
    return 0;
}

/* malloc returned NULL: the name now holds NULL, so an access through it is an access
 * to NULL + offset (a run's event, normally SIGSEGV), and free(NULL) does nothing. */
static StepStatus malloc_null(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    Block b = { .used = true, .null = true };
    snprintf(b.name, sizeof b.name, "%s", rec->name);
    if (!insert_block(p, 0, b))            /* below every chunk: address order holds */
        return done(s, info, 0, "malloc: out of host memory");
    return done(s, info, 0, "malloc(%llu) = NULL: the heap cannot grow (ENOMEM)",
                (unsigned long long)rec->length);
}

static StepStatus do_malloc(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    bool stale;
    Block *named = find_block(p, rec->name, &stale);
    if (named && named->null) {            /* it held NULL: drop that record */
        memmove(named, named + 1, (size_t)(&p->blocks[p->nblocks] - (named + 1)) * sizeof *named);
        p->nblocks--;
        named = NULL;
    }
    if (named && stale)
        named->old[0] = '\0';             /* the name is given anew */
    else if (named && named->used) {
        sim_line_err(s, rec->line, "malloc: block '%s' is still allocated",
                     rec->name);
        return STEP_ERROR;
    }
    if (named)
        named->name[0] = '\0';             /* the name moves to the new block */
    uint64_t need = ((rec->length + 15) & ~15ull) + CHUNK_HDR;
    if (need < CHUNK_MIN)
        need = CHUNK_MIN;
    size_t i = 0;
    while (i < p->nblocks && (p->blocks[i].used || p->blocks[i].size < need))
        i++;
    if (i == p->nblocks) {
        if (grow_heap(s, p, need) != 0)
            return malloc_null(s, p, rec, info);
        i = p->nblocks - 1;
    }
    Block *b = &p->blocks[i];
    vaddr_t hdr = b->addr;
    if (b->size - need >= CHUNK_MIN) {     /* split: the rest stays free */
        Block rest = { .addr = b->addr + need, .size = b->size - need };
        b->size = need;
        if (!insert_block(p, i + 1, rest))
            return done(s, info, 0, "malloc: out of host memory");
        b = &p->blocks[i];
        queue_access(s, OP_WRITE, rest.addr, 8, rec->line);
    }
    b->used = true;
    if (b->name[0])
        memcpy(b->old, b->name, sizeof b->old);   /* a use of the old name is a use after free */
    snprintf(b->name, sizeof b->name, "%s", rec->name);
    queue_access(s, OP_WRITE, hdr, 8, rec->line);      /* the header: size and in-use bit */
    return done(s, info, (int64_t)(hdr + CHUNK_HDR), "malloc(%llu) = 0x%llx as %s",
                (unsigned long long)rec->length, (unsigned long long)(hdr + CHUNK_HDR), rec->name);
}

static StepStatus do_free(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    bool stale;
    Block *b = find_block(p, rec->name, &stale);
    if (!b) {
        sim_line_err(s, rec->line, "free: no block named '%s'", rec->name);
        return STEP_ERROR;
    }
    if (b->null)
        return done(s, info, 0, "free(%s): it is NULL (its malloc failed): nothing to do", rec->name);
    if (stale && b->used) {
        char note[256];
        snprintf(note, sizeof note, "free(%.60s) is a stale pointer: it frees '%.60s', which a "
                 "later malloc put in the same place", rec->name, b->name);
        EMIT(s, .kind = EV_NOTE, .pid = p->pid, .detail = note);
    }
    if (!b->used) {
        info->fault = FAULT_SIGABRT;
        done(s, info, 0, "free(%s): the block was freed already", rec->name);
        kill_signal(s, p, FAULT_SIGABRT, "free(): double free detected in tcache 2");
        return STEP_OK;
    }
    b->used = false;                       /* its name stays, to tell a use after free */
    queue_access(s, OP_WRITE, b->addr, 8, rec->line);
    return done(s, info, 0, "free(%s): 0x%llx, %llu bytes back to the heap", rec->name,
                (unsigned long long)(b->addr + CHUNK_HDR), (unsigned long long)(b->size - CHUNK_HDR));
}

int procev_named(Sim *s, TraceRecord *rec)
{
    Process *p = s->cur;
    bool stale;
    Block *b = find_block(p, rec->name, &stale);
    if (!b) {
        sim_line_err(s, rec->line, "no block named '%s' in process '%s'",
                     rec->name, p->name);
        return -1;
    }
    char note[200];
    if (b->null) {
        snprintf(note, sizeof note, "'%s' is NULL (its malloc failed): the access is at NULL + %llu",
                 rec->name, (unsigned long long)rec->addr);
        EMIT(s, .kind = EV_NOTE, .pid = p->pid, .detail = note);
        rec->named = false;
        return 0;
    }
    uint64_t payload = b->size - CHUNK_HDR;
    if (!b->used || stale) {
        snprintf(note, sizeof note, "use after free: '%s' was freed, but its page is still "
                 "mapped, so the MMU sees nothing wrong", rec->name);
        EMIT(s, .kind = EV_NOTE, .pid = p->pid, .detail = note);
    } else if (rec->addr + rec->size > payload) {
        snprintf(note, sizeof note, "heap overflow: byte %llu of the %llu-byte block '%s'; the page "
                 "is mapped, so the MMU sees nothing wrong",
                 (unsigned long long)(rec->addr + rec->size - 1), (unsigned long long)payload, rec->name);
        EMIT(s, .kind = EV_NOTE, .pid = p->pid, .detail = note);
    }
    rec->addr += b->addr + CHUNK_HDR;
    rec->named = false;
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------- */

/* exit: the process's memory is freed at once (no zombie: nothing waits for it). */
static StepStatus do_exit(Sim *s, Process *p, const TraceRecord *rec, StepInfo *info)
{
    (void)rec;
    p->state = PROC_EXITED;
    snprintf(p->exit_reason, sizeof p->exit_reason, "exited");
    done(s, info, 0, "exits: %s's memory is freed", p->name);
    mm_release(s, p);
    return STEP_OK;
}

/* The OS side of each process event, by the trace operation's kind (trace_events.c's table
 * names them and parses their words). */
static StepStatus (*const handlers[TREC_COUNT])(Sim *, Process *, const TraceRecord *, StepInfo *) = {
    [TREC_FORK] = do_fork, [TREC_EXIT] = do_exit, [TREC_BRK] = do_brk, [TREC_SBRK] = do_brk,
    [TREC_MMAP] = do_mmap, [TREC_MUNMAP] = do_munmap, [TREC_MPROTECT] = do_mprotect,
    [TREC_CALL] = do_call, [TREC_RET] = do_ret, [TREC_MALLOC] = do_malloc, [TREC_FREE] = do_free,
};

StepStatus procev_step(Sim *s, const TraceRecord *rec, StepInfo *info)
{
    Process *p = s->cur;
    info->kind = STEP_EVENT;
    info->event = rec->kind;
    info->pid = p->pid;
    if ((unsigned)rec->kind < TREC_COUNT && handlers[rec->kind])
        return handlers[rec->kind](s, p, rec, info);
    if ((unsigned)rec->kind < TREC_COUNT && isa_handlers[rec->kind])
        return isa_handlers[rec->kind](s, p, rec, info);
    sim_line_err(s, rec->line, "unexpected record");
    return STEP_ERROR;
}
