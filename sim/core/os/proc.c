/* Processes and their VMAs. */
#include "vmsim/proc.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[VMA_KIND_COUNT] = {
    [VMA_TEXT] = "text", [VMA_DATA] = "data", [VMA_BSS] = "bss",
    [VMA_HEAP] = "heap", [VMA_STACK] = "stack", [VMA_MMAP] = "mmap",
};

const char *vma_kind_name(VmaKind k)
{
    return (unsigned)k < VMA_KIND_COUNT ? kind_names[k] : "?";
}

bool vma_kind_parse(const char *name, VmaKind *out)
{
    for (int i = 0; i < VMA_KIND_COUNT; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (VmaKind)i;
            return true;
        }
    }
    return false;
}

void proc_init(Process *p, int pid, const char *name)
{
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->root = PFN_NONE;
    p->brk_start = p->brk = BRK_NONE;
    p->asid = (uint32_t)pid;
    size_t n = strlen(name);
    if (n >= PROC_NAME_MAX)
        n = PROC_NAME_MAX - 1;
    memcpy(p->name, name, n);
    p->name[n] = '\0';
}

void proc_fini(Process *p)
{
    free(p->vmas);
    free(p->calls);
    free(p->blocks);
    p->vmas = NULL;
    p->calls = NULL;
    p->blocks = NULL;
    p->nvmas = p->capvmas = p->ncalls = p->capcalls = p->nblocks = p->capblocks = 0;
}

static void *dup_array(const void *src, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *d = malloc(n * size);
    if (d)
        memcpy(d, src, n * size);
    return d;
}

int proc_copy(Process *dst, const Process *src)
{
    *dst = *src;
    dst->vmas = dup_array(src->vmas, src->capvmas, sizeof *src->vmas);
    dst->calls = dup_array(src->calls, src->capcalls, sizeof *src->calls);
    dst->blocks = dup_array(src->blocks, src->capblocks, sizeof *src->blocks);
    if ((src->capvmas && !dst->vmas) || (src->capcalls && !dst->calls) ||
        (src->capblocks && !dst->blocks)) {
        proc_fini(dst);
        return -1;
    }
    return 0;
}

int proc_map(Process *p, const Vma *v)
{
    if (v->end <= v->start)
        return -1;
    size_t i = 0;
    while (i < p->nvmas && p->vmas[i].start < v->start)
        i++;
    if ((i > 0 && p->vmas[i - 1].end > v->start) || (i < p->nvmas && p->vmas[i].start < v->end))
        return -1;
    if (p->nvmas == p->capvmas) {
        size_t cap = p->capvmas * 2 + 8;
        Vma *nv = realloc(p->vmas, cap * sizeof *nv);
        if (!nv)
            return -2;
        p->vmas = nv;
        p->capvmas = cap;
    }
    memmove(&p->vmas[i + 1], &p->vmas[i], (p->nvmas - i) * sizeof *p->vmas);
    p->vmas[i] = *v;
    p->nvmas++;
    return 0;
}

/* Binary search: VMAs are sorted and disjoint. */
const Vma *proc_find_vma(const Process *p, vaddr_t va)
{
    size_t lo = 0, hi = p->nvmas;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const Vma *v = &p->vmas[mid];
        if (va < v->start)
            hi = mid;
        else if (va >= v->end)
            lo = mid + 1;
        else
            return v;
    }
    return NULL;
}

Vma *proc_stack_for(Process *p, vaddr_t va, uint64_t guard)
{
    for (size_t i = 0; i < p->nvmas; i++) {
        Vma *v = &p->vmas[i];
        if (v->kind != VMA_STACK || va >= v->start || va < p->stack_limit)
            continue;
        /* Linux keeps stack_guard_gap between a growing stack and the mapping below. */
        vaddr_t below = i == 0 ? 0 : p->vmas[i - 1].end;
        if (va >= below && va - below >= guard)
            return v;
    }
    return NULL;
}

uint64_t proc_total_vm(const Process *p)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < p->nvmas; i++)
        bytes += p->vmas[i].end - p->vmas[i].start;
    return bytes;
}

/* Splits the VMA containing at (if any, and not at its start) into two. */
static int split_at(Process *p, vaddr_t at)
{
    for (size_t i = 0; i < p->nvmas; i++) {
        Vma *v = &p->vmas[i];
        if (at <= v->start || at >= v->end)
            continue;
        Vma upper = *v;
        upper.start = at;
        v->end = at;
        if (proc_map(p, &upper) == -2) {   /* undo: the split needs one more slot */
            p->vmas[i].end = upper.end;
            return -1;
        }
        return 0;
    }
    return 0;
}

int proc_split(Process *p, vaddr_t lo, vaddr_t hi)
{
    return split_at(p, lo) || split_at(p, hi) ? -1 : 0;
}

int proc_unmap(Process *p, vaddr_t lo, vaddr_t hi)
{
    if (proc_split(p, lo, hi) != 0)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < p->nvmas; i++)
        if (p->vmas[i].end <= lo || p->vmas[i].start >= hi)
            p->vmas[k++] = p->vmas[i];
    p->nvmas = k;
    return 0;
}
