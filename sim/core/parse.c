/* vmsim: the small parsers scenario files and trace lines share (include/vmsim/parse.h):
 * sizes, permissions, page sizes and mmap's options. Plain functions over spans, no
 * messages: each caller words its errors (FILE:LINE and what it expected). */
#include "vmsim/parse.h"

#include <string.h>

/* 0xHEX or DECIMAL at *pp (before e); on success *pp moves past the digits. */
static bool parse_number(const char **pp, const char *e, uint64_t *out)
{
    const char *p = *pp;
    unsigned base = 10;
    if (e - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    const char *s = p;
    uint64_t v = 0;
    for (; p < e; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (p == s)
        return false;
    *pp = p;
    *out = v;
    return true;
}

/* The shift of the unit at [p, e) as units allows it, with *p moved past it; 0 when
 * there is none (and *p stays). */
static unsigned unit_shift(const char **pp, const char *e, ParseUnits units)
{
    const char *p = *pp;
    char c = p < e ? *p : '\0';
    unsigned shift = 0;
    if (units == PARSE_UNITS_TRACE && p + 1 == e)
        shift = c == 'K' || c == 'k' ? 10 : c == 'M' ? 20 : c == 'G' ? 30 : 0;
    if (units == PARSE_UNITS_FILE) {
        c = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        shift = c == 'K' ? 10 : c == 'M' ? 20 : c == 'G' ? 30 : c == 'T' ? 40 : 0;
    }
    if (shift == 0)
        return 0;
    p++;
    if (units == PARSE_UNITS_FILE && ((e - p == 2 && memcmp(p, "iB", 2) == 0) ||
                                      (e - p == 1 && *p == 'B')))
        p = e;
    *pp = p;
    return shift;
}

bool parse_size_span(const char *p, size_t n, ParseUnits units, uint64_t *out)
{
    const char *e = p + n;
    uint64_t v;
    if (!parse_number(&p, e, &v))
        return false;
    unsigned shift = unit_shift(&p, e, units);
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    if (p != e)
        return false;
    *out = v << shift;
    return true;
}

bool parse_size(const char *s, uint64_t *out)
{
    return parse_size_span(s, strlen(s), PARSE_UNITS_FILE, out);
}

bool parse_page_size(const char *s, unsigned *shift)
{
    uint64_t n;
    if (!parse_size(s, &n) || (n & (n - 1)) != 0 || n < 16 || n > (UINT64_C(1) << 30))
        return false;
    unsigned k = 0;
    while (n >>= 1)
        k++;
    *shift = k;
    return true;
}

bool parse_perms(const char *p, size_t n, const unsigned bits[3], unsigned *out)
{
    static const char letters[3] = { 'r', 'w', 'x' };
    unsigned v = 0;
    if (n != 3)
        return false;
    for (int i = 0; i < 3; i++) {
        if (p[i] != letters[i] && p[i] != '-')
            return false;
        v |= p[i] == letters[i] ? bits[i] : 0;
    }
    *out = v;
    return true;
}

static bool word_is(const char *p, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(p, s, n) == 0;
}

bool parse_mmap_option(const char *p, size_t n, MmapOptions *o)
{
    static const struct { const char *word; uint8_t shift; } huge[] = {
        { "huge=2M", 21 }, { "huge=4M", 22 }, { "huge=1G", 30 },
    };
    if (word_is(p, n, "anon") || word_is(p, n, "file")) {
        o->file = p[0] == 'f';
        return true;
    }
    if (word_is(p, n, "private") || word_is(p, n, "shared")) {
        o->shared = p[0] == 's';
        return true;
    }
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        if (word_is(p, n, huge[i].word)) {
            o->huge_shift = huge[i].shift;
            return true;
        }
    }
    return false;
}
