/* vmsim: the small parsers scenario files (sim/core/scenario*.c) and trace lines
 * (sim/core/trace_events.c) share: sizes ("4K", "0x1000", "2MiB"), permissions ("r-x"),
 * page sizes and mmap's options. Each reads a span [p, p+n) or a string and says only
 * yes or no: the callers word their own errors, which name the file and line. */
#ifndef VMSIM_PARSE_H
#define VMSIM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What may follow a size's number: the units are powers of 1024. */
typedef enum {
    PARSE_UNITS_NONE,       /* nothing: a plain number */
    PARSE_UNITS_TRACE,      /* one of K or k, M, G (trace lines' process events) */
    PARSE_UNITS_FILE,       /* K, M, G or T in either case, then "B" or "iB" if any */
} ParseUnits;

/* The whole span [p, p+n) as 0xHEX or DECIMAL times the unit that units allows.
 * False if anything else is there or the value passes 2^64-1 (leading zeros are fine). */
bool parse_size_span(const char *p, size_t n, ParseUnits units, uint64_t *out);

/* Parses a byte count or number: decimal, 0x hex, with an optional K, M, G or T
 * suffix (powers of 1024; "KiB" etc. accepted). False if malformed or > 2^64-1. */
bool parse_size(const char *s, uint64_t *out);

/* A page size as scenario files give it (page_size = 4K): a size that is a power of
 * two from 16 bytes to 1 GiB. *shift gets its log2; false otherwise. */
bool parse_page_size(const char *s, unsigned *shift);

/* Permissions "rwx", "r-x", "---"...: exactly three characters, each its letter or '-'.
 * *out gets the OR of bits[0], bits[1], bits[2] for the r, w and x present. */
bool parse_perms(const char *p, size_t n, const unsigned bits[3], unsigned *out);

/* What mmap's options after PERMS set; zero is anon, private, base pages. */
typedef struct MmapOptions {
    bool file;              /* file-backed (else anonymous) */
    bool shared;            /* MAP_SHARED (else private) */
    uint8_t huge_shift;     /* huge=2M: 21, 4M: 22, 1G: 30; 0 = base pages */
} MmapOptions;

/* One of mmap's options: anon, file, private, shared, huge=2M, huge=4M or huge=1G,
 * applied to *o. False for any other word. */
bool parse_mmap_option(const char *p, size_t n, MmapOptions *o);

#endif
