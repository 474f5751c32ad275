/* vmsim: address traces, read one record at a time from a file or from memory.
 *
 * Formats (TraceFormat):
 *   vmsim   "R|W|X|M ADDR [SIZE]" and "switch NAME"; '#' starts a comment.
 *           ADDR is hex with 0x, or decimal; SIZE defaults to 1.
 *   pages   one page number per line (OSTEP paging-policy.py -f); the address is
 *           page << page_shift and the op is a read.
 *   lackey  Valgrind lackey: "I  ADDR,SIZE", " L ADDR,SIZE", " S ...", " M ...";
 *           ADDR is hex without 0x; lines starting with "==" are skipped.
 *   ls      "l 0xADDR" / "s 0xADDR" (load/store), optional trailing size.
 *   addrrw  "ADDR R|W" (hex address, then R or W).
 *   csc369  "I|L|S|M ADDR" (hex, no size): I fetch, L read, S and M one write each.
 *   cs1550  "l|s ADDR PROCESS": ADDR hex below 2^32, PROCESS 0..32767 decimal (the
 *           record's proc); each process number is its own process, created at its
 *           first line, all sharing the frames.
 * Every format skips blank lines and '#' comments (whole-line or after a record) and
 * accepts CRLF line ends. An access never runs past 2^64 - 1 (ADDR + SIZE - 1 fits).
 * TRACE_AUTO sniffs the first meaningful lines of a file to choose one of these but
 * csc369 and cs1550, which overlap ls and are read only when named (the others'
 * grammars are disjoint); a file with no meaningful line there reads as vmsim.
 * gzip and xz files are recognised by their magic bytes and decompressed while read.
 *
 * Readers stream: memory does not grow with the length of the trace.
 */
#ifndef VMSIM_TRACE_H
#define VMSIM_TRACE_H

#include "vmsim/types.h"

typedef enum {
    TRACE_AUTO,
    TRACE_VMSIM,
    TRACE_PAGES,
    TRACE_LACKEY,
    TRACE_LS,
    TRACE_ADDRRW,
    TRACE_CSC369,
    TRACE_CS1550
} TraceFormat;

/* cs1550: the largest process number (the course's traces number few; a bound keeps
 * names and pids short). */
#define TRACE_CS1550_PROC_MAX 32767u

typedef enum {
    TREC_ACCESS,    /* op, addr, size; with named, addr is an offset into block name */
    TREC_SWITCH,    /* name: make the named process the running one */
    TREC_FORK,      /* name: the child the running process forks */
    TREC_EXIT,      /* the running process exits */
    TREC_BRK,       /* addr: the new program break */
    TREC_SBRK,      /* length: the increment (negative: shrink) */
    TREC_MMAP,      /* addr (0: the kernel chooses), length, prot, map, huge_shift */
    TREC_MUNMAP,    /* addr, length */
    TREC_MPROTECT,  /* addr, length, prot */
    TREC_CALL,      /* length: a stack frame of this many bytes is pushed and written */
    TREC_RET,       /* the last frame is popped */
    TREC_MALLOC,    /* length, name: a heap block */
    TREC_FREE,      /* name */
    TREC_PTE,       /* addr, name (the level), length (the raw entry): hand-written entry */
    TREC_PTE_QUERY, /* addr, name (the level): the entry's value and flags are logged */
    TREC_INVLPG,    /* addr: x86 INVLPG */
    TREC_SFENCE,    /* addr, or every address when all: RISC-V SFENCE.VMA */
    TREC_KERNEL,    /* op, addr, size: an access in supervisor mode */
    TREC_COUNT
} TraceKind;

/* prot and map bits of mmap/mprotect records. */
enum { TRACE_PROT_R = 1, TRACE_PROT_W = 2, TRACE_PROT_X = 4 };
enum { TRACE_MAP_SHARED = 1, TRACE_MAP_FILE = 2 };

#define TRACE_NAME_MAX 64
/* A fork's name must be new: no process, and no earlier fork, has it (run and check
 * say so in these words, with the name). */
#define FORK_TAKEN "fork: the name '%s' is taken (by a process, or by an earlier fork)"

typedef struct TraceRecord {
    TraceKind kind;
    AccessOp op;
    vaddr_t addr;
    uint32_t size;                 /* bytes, at least 1 */
    char name[TRACE_NAME_MAX];     /* switch, fork, malloc, free, named access */
    unsigned long line;            /* 1-based line in the source */
    uint64_t length;               /* mmap, munmap, mprotect, malloc, call, sbrk */
    bool negative;                 /* sbrk: length is subtracted */
    bool named;                    /* access: addr is an offset into block `name` */
    uint8_t prot;                  /* TRACE_PROT_* */
    uint8_t map;                   /* TRACE_MAP_* */
    uint8_t huge_shift;            /* mmap huge=2M: 21; 0 = base pages */
    bool all;                      /* sfence.vma without ADDR */
    bool has_proc;                 /* access: the line names its process (cs1550) */
    uint32_t proc;                 /* with has_proc: that process's number */
} TraceRecord;

typedef struct TraceReader TraceReader;

/* Position of a reader, for trace_seek. Opaque to callers. */
typedef struct TracePos {
    uint64_t offset;               /* bytes of (decompressed) text consumed */
    unsigned long line;
    uint64_t records;              /* records returned so far */
} TracePos;

/* Parses a format name ("vmsim", "pages", "lackey", "ls", "addrrw", "csc369",
 * "cs1550", "auto").
 * Returns false if the name is not one of them. */
bool trace_format_parse(const char *name, TraceFormat *out);

/* The name of a format, as trace_format_parse accepts it. */
const char *trace_format_name(TraceFormat fmt);

/* Opens path for reading records. page_shift is used by the pages format.
 * On error, NULL is returned and err holds "PATH: reason". */
TraceReader *trace_open(const char *path, TraceFormat fmt, unsigned page_shift,
                        char *err, size_t errlen);

/* Reads from a caller-owned buffer of text; name is used in messages and
 * first_line numbers its first line. The buffer must outlive the reader. */
TraceReader *trace_open_mem(const char *text, size_t len, const char *name,
                            unsigned long first_line, TraceFormat fmt,
                            unsigned page_shift, char *err, size_t errlen);

/* Reads the next record. Returns 1 and fills *rec, 0 at the end of the trace,
 * or -1 on a malformed line with err holding "NAME:LINE: what was expected".
 * After a malformed line the next call carries on with the line after it; a read
 * failure ("NAME:LINE: cannot read: ...", e.g. truncated xz) repeats until a seek. */
int trace_next(TraceReader *t, TraceRecord *rec, char *err, size_t errlen);

/* The name messages give the trace: the path it was opened with, or the name given to
 * trace_open_mem. */
const char *trace_name(const TraceReader *t);

/* The format in use (the detected one when opened with TRACE_AUTO). */
TraceFormat trace_format(const TraceReader *t);

/* Where the reader stands; trace_seek(t, pos) returns to it later.
 * Returns 0, or -1 with err set if the position cannot be reached (then the reader's
 * position is unspecified until the next successful seek or rewind). */
TracePos trace_tell(const TraceReader *t);
int trace_seek(TraceReader *t, TracePos pos, char *err, size_t errlen);

/* Goes back to the first record. Returns 0 or -1 with err set. */
int trace_rewind(TraceReader *t, char *err, size_t errlen);

/* Parses one line of the given format (not TRACE_AUTO) without a reader.
 * Returns 1 with *rec filled (rec->line = 0), 0 for a blank or comment line, -1
 * with err holding what was expected (no file:line prefix). */
int trace_parse_line(TraceFormat fmt, const char *line, size_t len,
                     unsigned page_shift, TraceRecord *rec,
                     char *err, size_t errlen);

/* The word a trace writes for records of kind ("fork", "mmap", "switch"; "access" for
 * accesses), or "?" out of range. Reports name event steps by it. */
const char *trace_op_name(TraceKind kind);

/* The grammar of kind as error messages show it ("'fork NAME'"), or "?". */
const char *trace_op_usage(TraceKind kind);

/* Writes the process events' words in table order, separated by sep and the last two
 * by last ("fork, exit or free"); returns the length needed, as snprintf does. */
size_t trace_op_list(char *buf, size_t len, const char *sep, const char *last);

/* Closes the reader; NULL is accepted. */
void trace_close(TraceReader *t);

#endif
