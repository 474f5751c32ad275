/* A sweep's rows as text, written as CSV (RFC 4180 quoting), JSON or a shard file, and
 * read back from shard files by --merge. Every output is made from the same text, so
 * merged shards give the bytes the whole sweep gives. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

enum { LINE_MAX_BYTES = 65536 };

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

void table_fini(Table *t)
{
    for (size_t i = 0; t->head && i < t->ncols; i++)
        free(t->head[i]);
    for (size_t i = 0; t->cell && i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->head);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

long table_col(const Table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->head[i], name) == 0)
            return (long)i;
    return -1;
}

/* The header: trace, the varied keys, the columns asked for. */
static int table_head(Table *t, const Sweep *sw)
{
    ReportCounter rows[REPORT_COUNTERS];
    SimStats none = { 0 };
    report_counter_rows(&none, rows);
    t->head = calloc(1 + sw->nvary + SWEEP_COLS, sizeof *t->head);
    if (!t->head)
        return -1;
    t->nkeys = sw->nvary;
    t->head[t->ncols++] = dup_str("trace");
    for (size_t k = 0; k < sw->nvary; k++)
        t->head[t->ncols++] = dup_str(sw->vary[k].key);
    for (size_t c = 0; c < SWEEP_COLS; c++)
        if (sw->want[c])
            t->head[t->ncols++] = dup_str(c == COL_HIT_RATE ? "tlb_hit_rate"
                                        : c == COL_EAT ? "effective_access_time" : rows[c].name);
    for (size_t i = 0; i < t->ncols; i++)
        if (!t->head[i])
            return -1;
    return 0;
}

/* One row's cells from a cell's result. */
static int table_row(Table *t, const Sweep *sw, size_t cell, const CellResult *r)
{
    char **row = t->cell + t->nrows++ * t->ncols, num[32], rate[2][32];
    ReportCounter rows[REPORT_COUNTERS];
    size_t n = 0;
    report_counter_rows(&r->st, rows);
    report_rates(&r->st, rate[0], rate[1], sizeof rate[0]);
    row[n++] = dup_str(sw->labels[cell_trace(sw, cell)]);
    for (size_t k = 0; k < sw->nvary; k++)
        row[n++] = dup_str(sw->vary[k].vals[cell_value(sw, cell, k)]);
    for (size_t c = 0; c < SWEEP_COLS; c++) {
        if (!sw->want[c])
            continue;
        if (c < REPORT_COUNTERS)
            snprintf(num, sizeof num, "%" PRIu64, rows[c].value);
        bool none = !r->tlb && (c == COL_HIT_RATE || (c < REPORT_COUNTERS && report_counter_is_tlb(rows[c].name)));
        row[n++] = dup_str(none ? "" : c < REPORT_COUNTERS ? num : rate[c - COL_HIT_RATE]);   /* "": none */
    }
    for (size_t i = 0; i < n; i++)
        if (!row[i])
            return -1;
    return 0;
}

int table_from_results(Table *t, const Sweep *sw, const CellResult *res)
{
    memset(t, 0, sizeof *t);
    size_t n = sw->last - sw->first;
    if (table_head(t, sw) != 0 || !(t->cell = calloc(n * t->ncols + 1, sizeof *t->cell)))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (table_row(t, sw, sw->first + i, &res[i]) != 0)
            return -1;
    return 0;
}

/* ---- writing ---------------------------------------------------------------------- */

static void csv_line(FILE *out, char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        csv_str(out, cells[i]);
    }
    fputc('\n', out);
}

void table_csv(FILE *out, const Table *t)
{
    csv_line(out, t->head, t->ncols);
    for (size_t r = 0; r < t->nrows; r++)
        csv_line(out, t->cell + r * t->ncols, t->ncols);
}

/* Whether s is a JSON number (RFC 8259 section 6), to be written without quotes. */
static bool json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
        return false;
    while (isdigit((unsigned char)*s))
        s++;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s += s[1] == '+' || s[1] == '-' ? 2 : 1;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

void table_json(FILE *out, const Table *t)
{
    fputs("{\n  \"columns\": [", out);
    for (size_t i = 0; i < t->ncols; i++) {
        fputs(i ? ", " : "", out);
        json_str(out, t->head[i]);
    }
    fputs("],\n  \"rows\": [", out);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs(r ? ",\n    {" : "\n    {", out);
        for (size_t i = 0; i < t->ncols; i++) {
            const char *v = table_at(t, r, i);
            fputs(i ? ", " : "", out);
            json_str(out, t->head[i]);
            fputs(": ", out);
            if (i > 0 && json_number(v))
                fputs(v, out);
            else if (i > 0 && !*v)          /* a counter the machine does not have */
                fputs("null", out);
            else
                json_str(out, v);
        }
        fputc('}', out);
    }
    fputs(t->nrows ? "\n  ]\n}\n" : "]\n}\n", out);
}

void table_shard(FILE *out, const Table *t, const Sweep *sw)
{
    fprintf(out, "# vmsim sweep shard %d/%d: rows %zu-%zu of %zu\n", sw->shard, sw->nshards,
            sw->first + 1, sw->last, sw->ncells);
    table_csv(out, t);
}

/* ---- reading shards ----------------------------------------------------------------- */

/* Splits a CSV line (no line end) into fields, undoing the quoting. Returns the count,
 * or -1 for a quote out of place or no memory. */
static long csv_split(const char *line, char ***out)
{
    size_t n = 0, cap = 8;
    char **f = malloc(cap * sizeof *f), *buf = malloc(strlen(line) + 1);
    const char *p = line;
    bool ok = f && buf;
    while (ok) {
        size_t len = 0;
        if (*p == '"') {
            for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++)
                buf[len++] = *p == '"' ? *++p : *p;
            ok = *p == '"' && (p[1] == ',' || p[1] == '\0');
            p += ok;
        } else {
            while (*p && *p != ',' && *p != '"')
                buf[len++] = *p++;
            ok = *p != '"';
        }
        buf[len] = '\0';
        if (ok && n == cap)
            ok = (f = realloc(f, (cap *= 2) * sizeof *f)) != NULL;
        if (ok)
            ok = (f[n++] = dup_str(buf)) != NULL;
        if (!ok || *p == '\0')
            break;
        p++;
    }
    free(buf);
    if (!ok) {
        for (size_t i = 0; f && i < n; i++)
            free(f[i]);
        free(f);
        return -1;
    }
    *out = f;
    return (long)n;
}

/* One part: its shard line, header and rows. */
typedef struct Part {
    const char *path;
    int shard, nshards;
    size_t first, last, total;     /* rows first..last (1-based) of total */
    Table t;
} Part;

static bool read_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f))
        return false;
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

/* Reads one part file. Returns 0 or -1 with err set. */
static int part_read(Part *p, char *err, size_t errlen)
{
    FILE *f = fopen(p->path, "r");
    static char line[LINE_MAX_BYTES];
    char **fields;
    unsigned long ln = 1;
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", p->path, strerror(errno));
        return -1;
    }
    int bad = !read_line(f, line, sizeof line) ||
              sscanf(line, "# vmsim sweep shard %d/%d: rows %zu-%zu of %zu", &p->shard, &p->nshards,
                     &p->first, &p->last, &p->total) != 5 ||
              p->shard < 1 || p->shard > p->nshards || p->last + 1 < p->first || p->last > p->total;
    if (bad)
        snprintf(err, errlen, "%s:1: expected '# vmsim sweep shard I/N: rows A-B of T' "
                 "(a file written by vmsim sweep --shard)", p->path);
    long nf = 0;
    if (!bad && (++ln, !read_line(f, line, sizeof line) || (nf = csv_split(line, &fields)) < 2)) {
        snprintf(err, errlen, "%s:2: expected the CSV header of the sweep", p->path);
        bad = 1;
    }
    if (!bad) {
        p->t.head = fields;
        p->t.ncols = (size_t)nf;
        p->t.cell = calloc((p->last + 1 - p->first) * p->t.ncols + 1, sizeof *p->t.cell);
        bad = !p->t.cell;
    }
    while (!bad && read_line(f, line, sizeof line)) {
        ln++;
        if (p->t.nrows == p->last + 1 - p->first || (nf = csv_split(line, &fields)) != (long)p->t.ncols) {
            snprintf(err, errlen, "%s:%lu: %s", p->path, ln, p->t.nrows == p->last + 1 - p->first
                     ? "more rows than the shard line says" : "expected a row with as many fields as the header");
            bad = 1;
            break;
        }
        memcpy(p->t.cell + p->t.nrows++ * p->t.ncols, fields, (size_t)nf * sizeof *fields);
        free(fields);
    }
    if (!bad && p->t.nrows != p->last + 1 - p->first) {
        snprintf(err, errlen, "%s:%lu: the shard line says %zu rows, the file has %zu (cut short?)",
                 p->path, ln, p->last + 1 - p->first, p->t.nrows);
        bad = 1;
    }
    fclose(f);
    return bad ? -1 : 0;
}

static int by_shard(const void *a, const void *b)
{
    return ((const Part *)a)->shard - ((const Part *)b)->shard;
}

/* Whether the parts are shards 1..N of one sweep, each once, rows back to back, with
 * the same columns. */
static int parts_fit(const Part *p, int n, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        const Part *q = &p[i];
        const char *why = q->nshards != n ? "a shard of a sweep in %d parts (given %d files)"
                        : q->shard != i + 1 ? "shards 1 to %d, each once (given %d files)"
                        : q->total != p[0].total ? "the same sweep as the others (another row count)"
                        : q->first != (i ? p[i - 1].last + 1 : 1) || (i == n - 1 && q->last != q->total)
                            ? "rows that follow the previous shard's" : NULL;
        int line = 1;
        for (size_t c = 0; !why && c < p[0].t.ncols; c++)
            if (q->t.ncols != p[0].t.ncols || strcmp(q->t.head[c], p[0].t.head[c]) != 0) {
                why = "the same columns as the first shard";
                line = 2;
            }
        if (why) {
            char what[200];
            snprintf(what, sizeof what, why, n, n);
            snprintf(err, errlen, "%s:%d: expected %s", q->path, line, what);
            return -1;
        }
    }
    return 0;
}

/* The varied keys: the columns between trace and the first counter. */
static size_t count_keys(const Table *t)
{
    ReportCounter rows[REPORT_COUNTERS];
    SimStats none = { 0 };
    report_counter_rows(&none, rows);
    for (size_t c = 1; c < t->ncols; c++) {
        bool counter = strcmp(t->head[c], "tlb_hit_rate") == 0 ||
                       strcmp(t->head[c], "effective_access_time") == 0;
        for (size_t i = 0; i < REPORT_COUNTERS && !counter; i++)
            counter = strcmp(t->head[c], rows[i].name) == 0;
        if (counter)
            return c - 1;
    }
    return t->ncols - 1;
}

int table_merge(Table *t, char **paths, int n, char *err, size_t errlen)
{
    Part *p = calloc((size_t)n, sizeof *p);
    int bad = !p;
    memset(t, 0, sizeof *t);
    err[0] = '\0';
    for (int i = 0; !bad && i < n; i++) {
        p[i].path = paths[i];
        bad = part_read(&p[i], err, errlen) != 0;
    }
    if (!bad) {
        qsort(p, (size_t)n, sizeof *p, by_shard);
        bad = parts_fit(p, n, err, errlen) != 0;
    }
    if (!bad && !(t->cell = calloc(p[0].total * p[0].t.ncols + 1, sizeof *t->cell)))
        bad = 1;
    for (int i = 0; !bad && i < n; i++) {         /* move the rows over, in order */
        memcpy(t->cell + t->nrows * p[0].t.ncols, p[i].t.cell, p[i].t.nrows * p[0].t.ncols * sizeof *t->cell);
        t->nrows += p[i].t.nrows;
        p[i].t.nrows = 0;
    }
    if (!bad) {
        t->head = p[0].t.head;
        t->ncols = p[0].t.ncols;
        p[0].t.head = NULL;
        t->nkeys = count_keys(t);
    }
    for (int i = 0; p && i < n; i++)
        table_fini(&p[i].t);
    free(p);
    if (bad && !*err)
        snprintf(err, errlen, "out of memory");
    return bad ? -1 : 0;
}
