/* Reference strings for question kinds: the keys that give one (refs, pages, writes,
 * string), drawing a variant's string, and writing it as words or as a trace. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

void refspec_default(RefSpec *s)
{
    memset(s, 0, sizeof *s);
    s->nrefs = 12;
    for (uint32_t p = 0; p < 8; p++)
        s->pool[s->npool++] = p;
}

bool grade_uint(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (end == v || *end || x < lo || x > hi)
        return false;
    *out = (unsigned)x;
    return true;
}

/* pages = 0-7 9 12-13 */
static bool parse_pool(const char *v, RefSpec *s)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v);
    s->npool = 0;
    for (char *w = strtok(buf, " \t,"); w; w = strtok(NULL, " \t,")) {
        char *dash = strchr(w, '-'), *end;
        unsigned long a = strtoul(w, &end, 0), b = a;
        if (dash && end == dash)
            b = strtoul(dash + 1, &end, 0);
        if (end == w || *end || b < a || b - a >= GRADE_POOL_MAX || b > 0xffffff)
            return false;
        for (unsigned long p = a; p <= b; p++) {
            if (s->npool == GRADE_POOL_MAX)
                return false;
            s->pool[s->npool++] = (uint32_t)p;
        }
    }
    return s->npool > 0;
}

/* string = 7 0 1w 2 */
static bool parse_string(const char *v, RefSpec *s)
{
    char buf[GRADE_REFS_MAX * 4];
    snprintf(buf, sizeof buf, "%s", v);
    s->nfixed = 0;
    for (char *w = strtok(buf, " \t,"); w; w = strtok(NULL, " \t,")) {
        char *end;
        unsigned long p = strtoul(w, &end, 0);
        bool write = *end == 'w' || *end == 'W';
        if (end == w || end[write] || p > 0xffffff || s->nfixed == GRADE_REFS_MAX)
            return false;
        s->fixed[s->nfixed++] = (GradeRef){ (uint32_t)p, write };
    }
    return s->nfixed > 0;
}

int refspec_key(RefSpec *s, const char *k, const char *v, char *err, size_t n)
{
    if (strcmp(k, "refs") == 0)
        return grade_uint(v, 1, GRADE_REFS_MAX, &s->nrefs) ? 0 :
               (snprintf(err, n, "expected refs = 1..%d, got '%s'", GRADE_REFS_MAX, v), -1);
    if (strcmp(k, "writes") == 0)
        return grade_uint(v, 0, 100, &s->write_pct) ? 0 :
               (snprintf(err, n, "expected writes = a percentage 0..100, got '%s'", v), -1);
    if (strcmp(k, "pages") == 0)
        return parse_pool(v, s) ? 0 :
               (snprintf(err, n, "expected pages = page numbers and ranges (e.g. 0-7 9), got '%s'", v), -1);
    if (strcmp(k, "string") == 0)
        return parse_string(v, s) ? 0 :
               (snprintf(err, n, "expected string = page numbers, w marking a write (e.g. 7 0 1w 2), "
                         "got '%s'", v), -1);
    return 1;
}

size_t refspec_draw(const RefSpec *s, Rng *rng, GradeRef *out)
{
    if (s->nfixed) {
        memcpy(out, s->fixed, s->nfixed * sizeof *out);
        return s->nfixed;
    }
    for (size_t i = 0; i < s->nrefs; i++) {
        out[i].page = s->pool[rng_below(rng, s->npool)];
        out[i].write = s->write_pct && rng_below(rng, 100) < s->write_pct;
    }
    return s->nrefs;
}

void refs_words(const GradeRef *r, size_t n, Buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%s%" PRIu32 "%s", i ? " " : "", r[i].page, r[i].write ? "w" : "");
}

void refs_trace(const GradeRef *r, size_t n, Buf *out)
{
    buf_printf(out, "[trace]\nformat = vmsim\nlines =\n");
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "    %c 0x%" PRIx64 "\n", r[i].write ? 'W' : 'R', (uint64_t)r[i].page << 12);
}
