/* vmsim: memory images, a fixed physical memory with page tables already in it.
 *
 * The classic translation exercise gives the page-table base and a dump of memory
 * and asks what addresses translate to. An Image is that memory: a machine, the
 * root table's frame and the bytes of the frames that are not zero. The text form
 * (docs/file-formats.md, "Memory images"):
 *
 *   # vmsim memory image
 *   machine = ostep            ; an architecture preset, or a machine config file
 *   root = 108                 ; the root table's frame (CR3 / satp / PDBR)
 *   frame 33: 7f7f7f7fb5...    ; a frame's bytes in hex; frames not listed are zero
 *
 * OSTEP's paging-multilevel-translate output (`page   N:hex` lines, `PDBR: N`,
 * its `Virtual Address` lines) reads as an image of the ostep machine too.
 * Sim built over an image runs with no operating system: a walk that fails is a
 * fault reported at the level where it stopped, never repaired.
 */
#ifndef VMSIM_IMAGE_H
#define VMSIM_IMAGE_H

#include "vmsim/frames.h"
#include "vmsim/machine.h"
#include "vmsim/sim.h"

#define IMAGE_MACHINE_MAX 256

typedef struct ImageFrame {
    pfn_t pfn;
    uint8_t *bytes;              /* a page of bytes */
} ImageFrame;

typedef struct Image {
    char machine[IMAGE_MACHINE_MAX];  /* the machine = value as written ("ostep") */
    MachineConfig m;             /* the machine it names */
    bool has_machine;
    pfn_t root;                  /* PFN_NONE until set */
    ImageFrame *frames;          /* the frames listed, sorted by pfn */
    size_t nframes, cap;
    vaddr_t *addrs;              /* OSTEP's "Virtual Address" lines, in order */
    size_t naddrs, capaddrs;
} Image;

/* The styles `vmsim dump` prints. */
typedef enum {
    IMAGE_DUMP_OSTEP,      /* OSTEP's "page %3d:hex" lines and the PDBR line */
    IMAGE_DUMP_ENTRIES,    /* every valid entry of every table, level by level */
    IMAGE_DUMP_VMPRINT     /* xv6's vmprint tree */
} ImageDumpStyle;

void image_init(Image *img);
void image_fini(Image *img);     /* frees what img holds; img may be reused after init */

/* Sets the machine: an architecture name (x86_64, x86_32, sv39, sv48, ostep: the
 * built-in default machine with that architecture, with no more frames than its
 * entries can name) or a machine config file, relative to dir (may be NULL).
 * Returns 0, or -1 with err set. */
int image_set_machine(Image *img, const char *machine, const char *dir, char *err,
                      size_t errlen);

/* Reads an image (or an OSTEP dump) from path. Returns 0, or -1 with
 * err = "FILE:LINE: what was expected" (img then holds nothing of use). */
int image_read(Image *img, const char *path, char *err, size_t errlen);

/* The same for text in memory; name stands for the file in messages and is the
 * folder config paths are relative to. */
int image_read_text(Image *img, const char *name, const char *text, char *err,
                    size_t errlen);

/* The bytes of frame pfn, or NULL when the image does not list it (it reads as
 * zeros). */
const uint8_t *image_frame(const Image *img, pfn_t pfn);

/* A size-byte little-endian value at pa (zeros where nothing is listed). */
uint64_t image_read_mem(const Image *img, paddr_t pa, unsigned size);

/* Writes a size-byte little-endian value at pa, listing its frame if need be.
 * Returns 0, or -1 when pa is beyond the machine's frames or memory runs out. */
int image_write_mem(Image *img, paddr_t pa, unsigned size, uint64_t value);

/* The image as .image text (frames that are all zeros left out; pages above 64
 * bytes stop at their last non-zero byte). Caller frees; NULL when out of memory. */
char *image_format(const Image *img);

/* Parses "ostep", "entries", "vmprint". False if unknown. */
bool image_dump_style_parse(const char *name, ImageDumpStyle *out);

/* The handout text of a dump style. Caller frees; NULL when out of memory. */
char *image_dump(const Image *img, ImageDumpStyle style);

/* Copies the image into a frame pool of the machine's size (frames_init'ed here).
 * Returns 0, or -1 when out of host memory. */
int image_to_frames(const Image *img, FramePool *fp);

/* A Sim whose physical memory is the image, with one process ("image", pid 1)
 * whose root table is the image's root, and no operating system: a walk that
 * fails is a fault of kind FAULT_UNHANDLED at the level it stopped, and the next
 * access goes on. Returns NULL with err set. */
Sim *sim_create_image(const Image *img, char *err, size_t errlen);

#endif
