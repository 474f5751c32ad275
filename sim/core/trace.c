/* vmsim: address-trace readers, the API's front (the API is in include/vmsim/trace.h):
 * formats by name, format sniffing (TRACE_AUTO), opening and closing,
 * and parsing a single line. The rest of the reader:
 *
 *   trace_source.c   the sources (memory, plain, gzip, xz), the window, reading, seeking
 *   trace_grammar.c  the line grammars, one function per format, and the messages
 *                    when a line fits none
 *   trace_events.c   the trace operations' table (the vmsim format's process events)
 *   trace_fast.h     the usual lackey and pages lines in one pass
 *   trace_int.h      what they share: the reader's struct and the scanning helpers
 */
#include "trace_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define SNIFF_LINES     20              /* meaningful lines TRACE_AUTO looks at */

/* ---- Formats by name ---------------------------------------------------------- */

static const char *const format_names[] = {
    [TRACE_AUTO] = "auto",     [TRACE_VMSIM] = "vmsim", [TRACE_PAGES] = "pages",
    [TRACE_LACKEY] = "lackey", [TRACE_LS] = "ls",       [TRACE_ADDRRW] = "addrrw",
    [TRACE_CSC369] = "csc369", [TRACE_CS1550] = "cs1550",
};
#define FORMAT_COUNT (sizeof format_names / sizeof format_names[0])

bool trace_format_parse(const char *name, TraceFormat *out)
{
    for (size_t i = 0; name != NULL && i < FORMAT_COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (TraceFormat)i;
            return true;
        }
    }
    return false;
}

const char *trace_format_name(TraceFormat fmt)
{
    return (unsigned)fmt < FORMAT_COUNT ? format_names[fmt] : "unknown";
}

/* ---- Format detection --------------------------------------------------------- */

/* Candidates in order of preference (csc369 and cs1550 overlap ls, so they are only
 * read when named). The grammars are disjoint, so more than one fits
 * only when the window has no meaningful line; then the native format, vmsim. */
static const TraceFormat sniff_order[] = {
    TRACE_LACKEY, TRACE_VMSIM, TRACE_ADDRRW, TRACE_LS, TRACE_PAGES
};
#define SNIFF_COUNT (sizeof sniff_order / sizeof sniff_order[0])

/* Runs every candidate over the first SNIFF_LINES meaningful complete lines in the
 * window; bad[i] becomes the first line candidate i rejects (0 if none). Returns the
 * number of meaningful lines seen. */
static int sniff_lines(const TraceReader *t, unsigned long bad[SNIFF_COUNT])
{
    int seen = 0;
    const char *p = t->text + t->start, *e = t->text + t->end;
    unsigned long line = t->line;
    while (p < e && seen < SNIFF_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (nl == NULL && !t->eof)
            break;
        const char *le = nl != NULL ? nl : e;
        if (le > p && le[-1] == '\r')
            le--;
        line++;
        const char *q = skip_blanks(p, le);
        if (q < le && *q != '#') {
            seen++;
            for (size_t i = 0; i < SNIFF_COUNT; i++) {
                TraceRecord rec;
                const char *why;
                LineParser parse = trace_parser_for(sniff_order[i]);
                if (bad[i] == 0 && parse(p, le, t->page_shift, &rec, &why) < 0)
                    bad[i] = line;
            }
        }
        p = nl != NULL ? nl + 1 : e;
    }
    return seen;
}

/* Fills the window and picks t->fmt from what it holds; consumes nothing. A read
 * failure after some text only ends the filling: it is sticky, so trace_next reports
 * it again at the line where it happened. */
static int sniff(TraceReader *t, char *err, size_t errlen)
{
    while (!t->eof && t->end < t->cap) {
        if (trace_refill(t, err, errlen) < 0) {
            if (t->end == t->start)
                return -1;
            break;
        }
    }
    unsigned long bad[SNIFF_COUNT] = { 0 }, worst = 0;
    skip_bom(t);
    if (sniff_lines(t, bad) == 0) {
        t->fmt = TRACE_VMSIM;
        return 0;
    }
    for (size_t i = 0; i < SNIFF_COUNT; i++) {
        if (bad[i] == 0) {
            t->fmt = sniff_order[i];
            return 0;
        }
        if (bad[i] > worst)
            worst = bad[i];
    }
    trace_set_err(err, errlen, "%s:%lu: cannot tell the trace format; use --trace-format",
            t->name, worst);
    return -1;
}

/* ---- Opening and closing ------------------------------------------------------ */

/* A reader with no source yet, or NULL with err set. */
static TraceReader *reader_new(const char *name, TraceFormat fmt, unsigned page_shift,
                               char *err, size_t errlen)
{
    if ((unsigned)fmt >= FORMAT_COUNT) {
        trace_set_err(err, errlen, "%s: unknown trace format %d", name, (int)fmt);
        return NULL;
    }
    if (page_shift > 63) {
        trace_set_err(err, errlen, "%s: page shift %u is not in 0..63", name, page_shift);
        return NULL;
    }
    TraceReader *t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        trace_set_err(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    t->fmt = fmt;
    t->page_shift = page_shift;
    t->fd = -1;
    t->x = (lzma_stream)LZMA_STREAM_INIT;
    t->first_line = 1;
    return t;
}

TraceReader *trace_open(const char *path, TraceFormat fmt, unsigned page_shift,
                        char *err, size_t errlen)
{
    if (path == NULL) {
        trace_set_err(err, errlen, "trace: no path given");
        return NULL;
    }
    TraceReader *t = reader_new(path, fmt, page_shift, err, errlen);
    if (t == NULL)
        return NULL;
    if (trace_src_open(t, path, err, errlen) < 0 ||
        (fmt == TRACE_AUTO && sniff(t, err, errlen) < 0)) {
        trace_close(t);
        return NULL;
    }
    t->parse = trace_parser_for(t->fmt);
    return t;
}

TraceReader *trace_open_mem(const char *text, size_t len, const char *name,
                            unsigned long first_line, TraceFormat fmt,
                            unsigned page_shift, char *err, size_t errlen)
{
    if (name == NULL)
        name = "(memory)";
    if (text == NULL && len > 0) {
        trace_set_err(err, errlen, "%s: no text given", name);
        return NULL;
    }
    TraceReader *t = reader_new(name, fmt, page_shift, err, errlen);
    if (t == NULL)
        return NULL;
    t->src = SRC_MEM;
    t->text = text != NULL ? text : "";
    t->cap = t->end = len;
    t->eof = true;
    t->first_line = first_line;
    t->line = first_line - 1;
    if (fmt == TRACE_AUTO && sniff(t, err, errlen) < 0) {
        trace_close(t);
        return NULL;
    }
    t->parse = trace_parser_for(t->fmt);
    return t;
}

void trace_close(TraceReader *t)
{
    if (t == NULL)
        return;
    trace_src_close(t);
    free(t->in);
    free(t->buf);
    free(t->name);
    free(t);
}

const char *trace_name(const TraceReader *t) { return t->name; }

TraceFormat trace_format(const TraceReader *t)
{
    return t->fmt;
}

int trace_parse_line(TraceFormat fmt, const char *line, size_t len,
                     unsigned page_shift, TraceRecord *rec,
                     char *err, size_t errlen)
{
    LineParser parse = (unsigned)fmt < FORMAT_COUNT ? trace_parser_for(fmt) : NULL;
    if (parse == NULL || page_shift > 63 || (line == NULL && len > 0)) {
        trace_set_err(err, errlen, "expected a trace format other than auto, a page shift "
                "in 0..63 and a line");
        return -1;
    }
    if (line == NULL)
        line = "";
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    const char *why = NULL;
    int rc = parse(line, line + len, page_shift, rec, &why);
    if (rc > 0)
        rec->line = 0;
    else if (rc < 0)
        trace_line_error(err, errlen, NULL, 0, why, line, len);
    return rc;
}
