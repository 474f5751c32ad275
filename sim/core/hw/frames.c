/* The physical frame pool and simulated physical memory. */
#include "vmsim/frames.h"

#include <stdlib.h>
#include <string.h>

static void frame_clear(Frame *f)
{
    free(f->bytes);
    memset(f, 0, sizeof *f);
    f->kind = FRAME_FREE;
    f->pid = -1;
    f->pte_pa = PADDR_NONE;
    f->swap_slot = -1;
}

/* A never-used frame's record as frames_free leaves one (contents written to it while
 * free, as a test may, stay). */
static void fresh_init(Frame *f)
{
    uint8_t *b = f->bytes;
    f->bytes = NULL;
    frame_clear(f);
    f->bytes = b;
}

int frames_init(FramePool *fp, size_t nframes, unsigned page_shift, bool separate_tables)
{
    memset(fp, 0, sizeof *fp);
    /* calloc: the kernel hands out zeroed pages as they are touched, so frames never
     * used cost no memory and no time (see fresh). */
    fp->frames = calloc(nframes ? nframes : 1, sizeof *fp->frames);
    fp->free = malloc((nframes ? nframes : 1) * sizeof *fp->free);
    if (!fp->frames || !fp->free) {
        frames_fini(fp);
        return -1;
    }
    fp->nframes = fp->total = fp->cap = nframes;
    fp->page_shift = page_shift;
    fp->separate_tables = separate_tables;
    fp->in_use[FRAME_FREE] = nframes;
    return 0;
}

void frames_fini(FramePool *fp)
{
    if (fp->frames)
        for (pfn_t i = 0; (i = frames_skip_fresh(fp, i)) < fp->total; i++)
            free(fp->frames[i].bytes);
    free(fp->frames);
    free(fp->free);
    free(fp->tfree);
    memset(fp, 0, sizeof *fp);
}

static void *dup_mem(const void *src, size_t n)
{
    void *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, src, n);
    return d;
}

int frames_copy(FramePool *dst, const FramePool *src)
{
    size_t page = (size_t)1 << src->page_shift;
    *dst = *src;
    dst->frames = calloc(src->cap ? src->cap : 1, sizeof *src->frames);
    dst->free = malloc((src->nframes ? src->nframes : 1) * sizeof *src->free);
    dst->tfree = src->tcap ? dup_mem(src->tfree, src->tcap * sizeof *src->tfree) : NULL;
    if (!dst->frames || !dst->free || (src->tcap && !dst->tfree)) {
        free(dst->frames);
        free(dst->free);
        free(dst->tfree);
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    /* The records in use and the free stack; never-used frames stay calloc's zeros. */
    size_t used = src->touched > src->fresh ? src->touched : src->fresh;
    memcpy(dst->frames, src->frames, used * sizeof *src->frames);
    memcpy(dst->frames + src->nframes, src->frames + src->nframes,
           (src->total - src->nframes) * sizeof *src->frames);
    memcpy(dst->free, src->free, src->nfree * sizeof *src->free);
    int bad = 0;
    for (pfn_t i = 0; (i = frames_skip_fresh(dst, i)) < dst->total; i++) {
        if (src->frames[i].bytes) {
            dst->frames[i].bytes = dup_mem(src->frames[i].bytes, page);
            bad |= !dst->frames[i].bytes;
        }
    }
    if (bad) {
        frames_fini(dst);
        return -1;
    }
    return 0;
}

static void take(FramePool *fp, pfn_t pfn, FrameKind kind)
{
    fp->frames[pfn].kind = (uint8_t)kind;
    if (pfn < fp->nframes) {
        fp->in_use[FRAME_FREE]--;
        fp->in_use[kind]++;
    }
}

/* The next free RAM frame: the last freed, else the lowest never used (the order a
 * stack filled with every frame, frame 0 on top, gives). PFN_NONE when none is free. */
static pfn_t pop_free(FramePool *fp)
{
    if (fp->nfree)
        return fp->free[--fp->nfree];
    if (fp->fresh == fp->nframes)
        return PFN_NONE;
    pfn_t pfn = fp->fresh++;
    fresh_init(&fp->frames[pfn]);
    return pfn;
}

/* Makes the never-used frames below upto ordinary free frames, below the freed ones
 * on the stack (where a stack filled at the start would hold them). */
static void use_fresh(FramePool *fp, size_t upto)
{
    if (upto <= fp->fresh)
        return;
    size_t k = upto - fp->fresh;
    memmove(fp->free + k, fp->free, fp->nfree * sizeof *fp->free);
    for (size_t i = 0; i < k; i++) {
        fp->free[i] = upto - 1 - i;
        fresh_init(&fp->frames[upto - 1 - i]);
    }
    fp->nfree += k;
    fp->fresh = upto;
}

pfn_t frames_alloc(FramePool *fp)
{
    pfn_t pfn = pop_free(fp);
    if (pfn != PFN_NONE)
        take(fp, pfn, FRAME_DATA);
    return pfn;
}

/* Grows the separate table region by one frame. */
static pfn_t grow_table_region(FramePool *fp)
{
    if (fp->limit && fp->total >= fp->limit)
        return PFN_NONE;                    /* an entry could not point at it */
    if (fp->total == fp->cap) {
        size_t cap = fp->cap * 2 + 16;
        Frame *nf = realloc(fp->frames, cap * sizeof *nf);
        if (!nf)
            return PFN_NONE;
        fp->frames = nf;
        fp->cap = cap;
    }
    pfn_t pfn = fp->total++;
    fp->frames[pfn].bytes = NULL;
    frame_clear(&fp->frames[pfn]);
    return pfn;
}

pfn_t frames_alloc_table(FramePool *fp)
{
    pfn_t pfn;
    if (!fp->separate_tables) {
        pfn = pop_free(fp);
        if (pfn == PFN_NONE)
            return PFN_NONE;
    } else if (fp->ntfree) {
        pfn = fp->tfree[--fp->ntfree];
    } else {
        pfn = grow_table_region(fp);
        if (pfn == PFN_NONE)
            return PFN_NONE;
    }
    take(fp, pfn, FRAME_TABLE);
    return pfn;
}

/* n free RAM frames from a multiple of n, taken for kind; PFN_NONE when none. */
static pfn_t ram_run(FramePool *fp, size_t n, FrameKind kind)
{
    /* Past the first aligned run among the never-used frames, all are alike. */
    size_t stop = (fp->fresh + n - 1) / n * n + n;
    for (pfn_t start = 0; start + n <= fp->nframes && start + n <= stop; start += n) {
        use_fresh(fp, start + n);
        size_t i = 0;
        while (i < n && fp->frames[start + i].kind == FRAME_FREE)
            i++;
        if (i < n)
            continue;
        size_t k = 0;                       /* take them off the free stack */
        for (size_t j = 0; j < fp->nfree; j++)
            if (fp->free[j] < start || fp->free[j] >= start + n)
                fp->free[k++] = fp->free[j];
        fp->nfree = k;
        for (i = 0; i < n; i++)
            take(fp, start + i, kind);
        return start;
    }
    return PFN_NONE;
}

pfn_t frames_alloc_run(FramePool *fp, size_t n)
{
    return ram_run(fp, n, FRAME_DATA);
}

/* Takes the separate region's free frame pfn off its free list. */
static void region_take(FramePool *fp, pfn_t pfn)
{
    size_t k = 0;
    for (size_t j = 0; j < fp->ntfree; j++)
        if (fp->tfree[j] != pfn)
            fp->tfree[k++] = fp->tfree[j];
    fp->ntfree = k;
    take(fp, pfn, FRAME_TABLE);
}

/* n frames of the separate table region from a multiple of n: freed ones, else new
 * ones at its end (the frames skipped to reach the alignment join its free list). */
static pfn_t region_run(FramePool *fp, size_t n)
{
    pfn_t start = (fp->nframes + n - 1) / n * n;
    for (; start < fp->total; start += n) {   /* a run may end past the region's end */
        size_t i = 0;
        while (i < n && start + i < fp->total && fp->frames[start + i].kind == FRAME_FREE)
            i++;
        if (i == n || start + i == fp->total)
            break;
    }
    while (fp->total < start + n) {
        pfn_t pfn = grow_table_region(fp);
        if (pfn == PFN_NONE)
            return PFN_NONE;
        frames_free(fp, pfn);              /* on the free list until taken below */
    }
    for (size_t i = 0; i < n; i++)
        region_take(fp, start + i);
    return start;
}

pfn_t frames_alloc_table_run(FramePool *fp, size_t n)
{
    if (n == 1)
        return frames_alloc_table(fp);
    return fp->separate_tables ? region_run(fp, n) : ram_run(fp, n, FRAME_TABLE);
}

void frames_free(FramePool *fp, pfn_t pfn)
{
    Frame *f = &fp->frames[pfn];
    if (pfn < fp->nframes) {
        fp->in_use[f->kind]--;
        fp->in_use[FRAME_FREE]++;
        fp->free[fp->nfree++] = pfn;
    } else {
        if (fp->ntfree == fp->tcap) {
            size_t cap = fp->tcap * 2 + 16;
            pfn_t *nt = realloc(fp->tfree, cap * sizeof *nt);
            if (!nt) {   /* keep the frame out of use rather than lose track of it */
                frame_clear(f);
                return;
            }
            fp->tfree = nt;
            fp->tcap = cap;
        }
        fp->tfree[fp->ntfree++] = pfn;
    }
    frame_clear(f);
}


static uint8_t *frame_bytes(FramePool *fp, pfn_t pfn)
{
    Frame *f = &fp->frames[pfn];
    if (!f->bytes)
        f->bytes = calloc(1, (size_t)1 << fp->page_shift);
    if (f->bytes && pfn < fp->nframes && pfn >= fp->touched)
        fp->touched = pfn + 1;              /* frames_fini must see it */
    return f->bytes;
}

int mem_write_any(FramePool *fp, paddr_t pa, unsigned size, uint64_t value)
{
    pfn_t pfn = pa >> fp->page_shift;
    size_t off = pa & ((1ull << fp->page_shift) - 1);
    if (pfn >= fp->total || off + size > (1ull << fp->page_shift))
        return -1;
    uint8_t *b = frame_bytes(fp, pfn);
    if (!b)
        return -1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (size == 8) {                       /* a page-table entry: one store */
        memcpy(b + off, &value, 8);
        return 0;
    }
#endif
    for (unsigned i = 0; i < size; i++)
        b[off + i] = (uint8_t)(value >> (8 * i));
    return 0;
}

int mem_load(FramePool *fp, paddr_t pa, const uint8_t *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (mem_write(fp, pa + i, 1, src[i]) != 0)
            return -1;
    return 0;
}

int frames_claim(FramePool *fp, pfn_t pfn, FrameKind kind)
{
    if (pfn >= fp->nframes)
        return -1;
    use_fresh(fp, pfn + 1);                 /* a never-used frame joins the free stack */
    if (fp->frames[pfn].kind != FRAME_FREE)
        return -1;
    for (size_t i = fp->nfree; i-- > 0;) {
        if (fp->free[i] == pfn) {
            memmove(&fp->free[i], &fp->free[i + 1], (fp->nfree - i - 1) * sizeof *fp->free);
            fp->nfree--;
            take(fp, pfn, kind);
            return 0;
        }
    }
    return -1;
}
