/* vmsim: physical memory as a pool of frames.
 *
 * Frames 0..nframes-1 are RAM; the replacement policy chooses among their data
 * frames. With separate page tables (textbook replacement exercises), table pages
 * come from an unlimited region numbered from nframes upwards, so they never compete
 * with data. Only frames that hold page tables (or bytes loaded by a test) carry
 * contents; data pages are tracked by owner and state alone.
 */
#ifndef VMSIM_FRAMES_H
#define VMSIM_FRAMES_H

#include <string.h>

#include "vmsim/types.h"

typedef enum {
    FRAME_FREE,
    FRAME_DATA,
    FRAME_TABLE
} FrameKind;

typedef struct Frame {
    uint8_t kind;        /* FrameKind */
    uint8_t level;       /* FRAME_TABLE: level of the table it holds */
    bool dirty;          /* FRAME_DATA: written since it was last clean on disk */
    bool file;           /* FRAME_DATA: backed by a file (text, data) rather than swap */
    int32_t pid;         /* owning process, -1 when free */
    vaddr_t va;          /* DATA: page base; TABLE: lowest address it translates */
    paddr_t pte_pa;      /* the entry pointing here (PADDR_NONE for a root table) */
    int64_t swap_slot;   /* DATA: the slot holding a copy, -1 if none */
    uint32_t used;       /* TABLE: non-zero entries */
    uint32_t refs;       /* DATA: page-table entries mapping it (fork shares frames) */
    uint32_t span;       /* DATA: 1 for a base page; a large page's first frame holds its
                            frame count, the others 0 (they follow its head) */
    uint8_t *bytes;      /* contents, NULL until first written (reads as zeros) */
} Frame;

typedef struct FramePool {
    Frame *frames;
    size_t nframes;      /* RAM frames */
    size_t total;        /* RAM + separate table frames created so far */
    size_t cap;
    pfn_t *free;         /* stack of freed RAM frames; the top is used next */
    size_t nfree;
    size_t fresh;        /* RAM frames from here up were never handed out: free, their
                            records still the zeros calloc gave (memory and time grow
                            with the frames used, not the frames that exist) */
    size_t touched;      /* RAM frames from here up have neither a record nor contents
                            (>= fresh; contents may be written to a free frame) */
    pfn_t *tfree;        /* free frames of the separate table region */
    size_t ntfree, tcap;
    bool separate_tables;
    size_t limit;        /* frame numbers the entries can hold: the separate region
                            stops below it (0: no bound) */
    unsigned page_shift;
    size_t in_use[3];    /* RAM frames per FrameKind */
} FramePool;

/* Sets up nframes free RAM frames of 2^page_shift bytes. Returns 0, or -1 when out of
 * host memory. Frames are handed out lowest-numbered first. */
int frames_init(FramePool *fp, size_t nframes, unsigned page_shift, bool separate_tables);
void frames_fini(FramePool *fp);

/* Makes dst a deep copy of src (contents included). Returns 0, or -1 when out of host
 * memory (dst is then empty). */
int frames_copy(FramePool *dst, const FramePool *src);

/* Takes a free RAM frame for a data page. Returns PFN_NONE when none is free. */
pfn_t frames_alloc(FramePool *fp);

/* Takes a frame for a page table: from RAM (PFN_NONE when full) or, with separate
 * tables, from the region above RAM (PFN_NONE when its numbers reach limit or host
 * memory runs out). Its contents read as zeros. */
pfn_t frames_alloc_table(FramePool *fp);

/* Takes n free RAM frames in a run starting at a multiple of n (n a power of two), for
 * a large page. Returns the first, or PFN_NONE when no such run is free. */
pfn_t frames_alloc_run(FramePool *fp, size_t n);

/* Takes n frames in a run starting at a multiple of n (n a power of two) for a table
 * that spans n pages (a wide root, geo_table_pages): from RAM, or with separate tables
 * from the region above RAM, as frames_alloc_table. Returns the first, or PFN_NONE. */
pfn_t frames_alloc_table_run(FramePool *fp, size_t n);

/* Takes the free RAM frame pfn for kind (a memory image's frames are where the image
 * puts them). Returns 0, or -1 when pfn is not a free RAM frame. */
int frames_claim(FramePool *fp, pfn_t pfn, FrameKind kind);

/* Returns a frame to its free list and clears its record and contents. */
void frames_free(FramePool *fp, pfn_t pfn);

static inline Frame *frames_get(FramePool *fp, pfn_t pfn) { return &fp->frames[pfn]; }
/* Free RAM frames: freed ones and never-used ones. */
static inline size_t frames_nfree(const FramePool *fp) { return fp->nfree + fp->nframes - fp->fresh; }
/* pfn, or past the never-used RAM frames when it is the first of them: a loop over
 * every frame that may be in use is for (pfn = 0; (pfn = frames_skip_fresh(fp, pfn))
 * < fp->total; pfn++). */
static inline pfn_t frames_skip_fresh(const FramePool *fp, pfn_t pfn)
{
    size_t end = fp->touched > fp->fresh ? fp->touched : fp->fresh;
    return pfn == end && pfn < fp->nframes ? fp->nframes : pfn;
}
static inline bool frames_is_ram(const FramePool *fp, pfn_t pfn) { return pfn < fp->nframes; }
static inline bool frames_valid(const FramePool *fp, pfn_t pfn) { return pfn < fp->total; }

/* Reads a size-byte (1, 2, 4 or 8) little-endian value at physical address pa (zeros
 * outside memory or in a frame never written). Inline: every level of a walk reads. */
static inline uint64_t mem_read(const FramePool *fp, paddr_t pa, unsigned size)
{
    pfn_t pfn = pa >> fp->page_shift;
    uint64_t off = pa & ((1ull << fp->page_shift) - 1);
    if (pfn >= fp->total || !fp->frames[pfn].bytes || off + size > (1ull << fp->page_shift))
        return 0;
    const uint8_t *b = fp->frames[pfn].bytes + off;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (size == 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        return v;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* mem_write's every case: a frame with no contents yet, any size, any byte order. */
int mem_write_any(FramePool *fp, paddr_t pa, unsigned size, uint64_t value);

/* Writes a size-byte little-endian value at pa. Returns 0, or -1 if pa is outside
 * memory or host memory runs out. Inline for an 8-byte entry in a frame that has
 * contents already (every store into a page table after its first): one store. */
static inline int mem_write(FramePool *fp, paddr_t pa, unsigned size, uint64_t value)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    pfn_t pfn = pa >> fp->page_shift;
    uint64_t off = pa & ((1ull << fp->page_shift) - 1);
    if (size == 8 && pfn < fp->total && fp->frames[pfn].bytes &&
        off + 8 <= (1ull << fp->page_shift) && (pfn >= fp->nframes || pfn < fp->touched)) {
        memcpy(fp->frames[pfn].bytes + off, &value, 8);
        return 0;
    }
#endif
    return mem_write_any(fp, pa, size, value);
}

/* Copies len bytes into memory at pa (for loading images). Returns 0 or -1. */
int mem_load(FramePool *fp, paddr_t pa, const uint8_t *src, size_t len);

#endif
