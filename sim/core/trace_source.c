/* vmsim: where a trace reader's text comes from, and how it is walked.
 *
 * A reader owns one fixed text window. Lines are found with memchr and parsed in
 * place; when no newline is left, the unconsumed tail moves to the front and the
 * source fills the rest. Memory therefore stays at one window (plus a decoder), however
 * long the trace:
 *
 *   text: [ consumed | start .. scan .. end | free ]    cap bytes
 *          text[0] is byte buf_off of the (decompressed) trace
 *
 * Sources: caller-owned memory (the window is the whole text), a plain file (read),
 * a gzip file (zlib inflate) or an xz file (liblzma). Files are told apart by their
 * first bytes, never by their names. Reading (trace_next) and seeking are here, beside
 * the window they move; the line grammars are in trace_grammar.c.
 */
#include "trace_fast.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Sources ------------------------------------------------------------------ */

static ssize_t read_some(int fd, void *dst, size_t n)
{
    ssize_t got;
    do
        got = read(fd, dst, n);
    while (got < 0 && errno == EINTR);
    return got;
}

/* Records a read failure; it stays until the reader seeks. Returns -1. */
static int src_fail(TraceReader *t, const char *why)
{
    snprintf(t->ioerr, sizeof t->ioerr, "%s", why);
    return -1;
}

/* Makes at least need bytes of compressed input available, unless the file ends. */
static int in_fill(TraceReader *t, size_t need)
{
    while (t->in_avail < need && !t->in_eof) {
        memmove(t->in, t->in_next, t->in_avail);
        t->in_next = t->in;
        ssize_t n = read_some(t->fd, t->in + t->in_avail, TRACE_IN_SIZE - t->in_avail);
        if (n < 0)
            return src_fail(t, strerror(errno));
        t->in_eof = n == 0;
        t->in_avail += (size_t)n;
    }
    return 0;
}

/* After one gzip member: another follows if the next bytes are the gzip magic; any
 * other bytes are an error (gzip(1) warns of "trailing garbage"; a trace with them is
 * not what was compressed), as they are after xz data. */
static int gz_next_member(TraceReader *t)
{
    if (in_fill(t, 2) < 0)
        return -1;
    if (t->in_avail >= 2 && t->in_next[0] == 0x1f && t->in_next[1] == 0x8b)
        inflateReset(&t->z);
    else if (t->in_avail > 0)
        return src_fail(t, "bytes after the end of the gzip data");
    else
        t->dec_end = true;
    return 0;
}

/* After one xz stream: stream padding (zero bytes, xz file format 2.2), then the end
 * or another stream; any other bytes are an error, as after gzip data. */
static int xz_next_stream(TraceReader *t)
{
    static const uint8_t xz_magic[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
    for (;;) {
        if (in_fill(t, 6) < 0)
            return -1;
        if (t->in_avail == 0 || t->in_next[0] != 0)
            break;
        t->in_next++;                      /* padding */
        t->in_avail--;
    }
    if (t->in_avail == 0) {
        t->dec_end = true;
        return 0;
    }
    if (t->in_avail < 6 || memcmp(t->in_next, xz_magic, 6) != 0)
        return src_fail(t, "bytes after the end of the xz data");
    if (lzma_stream_decoder(&t->x, UINT64_MAX, 0) != LZMA_OK)
        return src_fail(t, "cannot restart the xz decoder");
    return 0;
}

static const char *gz_reason(int rc)
{
    switch (rc) {
    case Z_MEM_ERROR:  return "out of memory";
    case Z_DATA_ERROR: return "gzip data is corrupt";
    case Z_BUF_ERROR:  return "gzip data is truncated";
    }
    return "gzip decoder failed";
}

/* Inflates into dst until at least one byte comes out or the data ends. */
static ssize_t gz_read(TraceReader *t, char *dst, size_t cap)
{
    z_stream *z = &t->z;
    z->next_out = (Bytef *)dst;
    z->avail_out = (uInt)cap;
    while (z->avail_out == cap && !t->dec_end) {
        if (t->in_avail == 0 && in_fill(t, 1) < 0)
            return -1;
        z->next_in = t->in_next;
        z->avail_in = (uInt)t->in_avail;
        int rc = inflate(z, Z_NO_FLUSH);
        t->in_next = z->next_in;
        t->in_avail = z->avail_in;
        if (rc == Z_STREAM_END) {
            if (gz_next_member(t) < 0)
                return -1;
        } else if (rc != Z_OK) {
            return src_fail(t, gz_reason(rc));
        }
    }
    return (ssize_t)(cap - z->avail_out);
}

static const char *xz_reason(lzma_ret rc)
{
    switch (rc) {
    case LZMA_MEM_ERROR:      return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "xz memory limit reached";
    case LZMA_FORMAT_ERROR:   return "not xz data";
    case LZMA_OPTIONS_ERROR:  return "unsupported xz options";
    case LZMA_DATA_ERROR:     return "xz data is corrupt";
    case LZMA_BUF_ERROR:      return "xz data is truncated";
    default:                  return "xz decoder failed";
    }
}

/* Decodes into dst until at least one byte comes out or the data ends. */
static ssize_t xz_read(TraceReader *t, char *dst, size_t cap)
{
    lzma_stream *x = &t->x;
    x->next_out = (uint8_t *)dst;
    x->avail_out = cap;
    while (x->avail_out == cap && !t->dec_end) {
        if (t->in_avail == 0 && in_fill(t, 1) < 0)
            return -1;
        x->next_in = t->in_next;
        x->avail_in = t->in_avail;
        lzma_ret rc = lzma_code(x, t->in_eof ? LZMA_FINISH : LZMA_RUN);
        t->in_next = x->next_in;
        t->in_avail = x->avail_in;
        if (rc == LZMA_STREAM_END) {
            if (xz_next_stream(t) < 0)
                return -1;
        } else if (rc != LZMA_OK)
            return src_fail(t, xz_reason(rc));
    }
    return (ssize_t)(cap - x->avail_out);
}

/* Reads up to cap bytes of text into dst: > 0 bytes, 0 at the end, -1 with t->ioerr. */
static ssize_t src_read(TraceReader *t, char *dst, size_t cap)
{
    if (t->ioerr[0] != '\0')
        return -1;
    switch (t->src) {
    case SRC_RAW: {
        ssize_t n = read_some(t->fd, dst, cap);
        return n < 0 ? src_fail(t, strerror(errno)) : n;
    }
    case SRC_GZ: return gz_read(t, dst, cap);
    case SRC_XZ: return xz_read(t, dst, cap);
    case SRC_MEM: break;
    }
    return 0;
}

/* Starts (or restarts) the decoder for t->src at the beginning of its data. */
static int decoder_start(TraceReader *t)
{
    t->dec_end = false;
    if (t->src == SRC_GZ)
        return inflateReset(&t->z) == Z_OK ? 0 : -1;
    if (t->src == SRC_XZ)
        return lzma_stream_decoder(&t->x, UINT64_MAX, 0) == LZMA_OK ? 0 : -1;
    return 0;
}

/* Moves the file and the decoder back to byte 0 and empties the window. */
static int src_restart(TraceReader *t)
{
    t->ioerr[0] = '\0';
    if (lseek(t->fd, 0, SEEK_SET) < 0)
        return src_fail(t, strerror(errno));
    t->in_next = t->in;
    t->in_avail = 0;
    t->in_eof = false;
    if (decoder_start(t) < 0)
        return src_fail(t, "cannot restart the decoder");
    t->buf_off = 0;
    t->start = t->scan = t->end = 0;
    t->eof = false;
    return 0;
}

/* ---- The window --------------------------------------------------------------- */

int trace_refill(TraceReader *t, char *err, size_t errlen)
{
    if (t->start > 0) {
        memmove(t->buf, t->buf + t->start, t->end - t->start);
        t->buf_off += t->start;
        t->end -= t->start;
        t->scan -= t->start;
        t->start = 0;
    }
    ssize_t n = src_read(t, t->buf + t->end, t->cap - t->end);
    if (n < 0) {
        trace_set_err(err, errlen, "%s:%lu: cannot read: %s", t->name, t->line + 1, t->ioerr);
        return -1;
    }
    t->eof = n == 0;
    t->end += (size_t)n;
    return 0;
}

/* A full window without a newline: reports the line and discards it up to its end. */
static int line_too_long(TraceReader *t, char *err, size_t errlen)
{
    char why[64];
    snprintf(why, sizeof why, "a line of at most %zu bytes", t->cap - 1);
    t->line++;
    trace_line_error(err, errlen, t->name, t->line, why, t->text + t->start, t->end - t->start);
    t->start = t->scan = t->end;
    t->skip = true;
    return -1;
}

/* Drops bytes up to and including the next newline (the rest of an over-long line). */
static int skip_rest(TraceReader *t, char *err, size_t errlen)
{
    for (;;) {
        const char *nl = memchr(t->text + t->start, '\n', t->end - t->start);
        if (nl != NULL) {
            t->start = t->scan = (size_t)(nl - t->text) + 1;
            t->skip = false;
            return 0;
        }
        t->start = t->scan = t->end;
        if (t->eof) {
            t->skip = false;
            return 0;
        }
        if (trace_refill(t, err, errlen) < 0)
            return -1;
    }
}

/* The next line without its newline: 1 with *line and *len set, 0 at the end, -1 on
 * error. */
static inline int next_line(TraceReader *t, const char **line, size_t *len,
                            char *err, size_t errlen)
{
    if (t->skip && skip_rest(t, err, errlen) < 0)
        return -1;
    skip_bom(t);
    for (;;) {
        const char *s = t->text + t->start;
        const char *nl = memchr(t->text + t->scan, '\n', t->end - t->scan);
        if (nl != NULL) {
            *line = s;
            *len = (size_t)(nl - s);
            t->start = t->scan = (size_t)(nl - t->text) + 1;
            t->line++;
            return 1;
        }
        t->scan = t->end;
        if (t->eof) {
            if (t->start == t->end)
                return 0;
            *line = s;                      /* the last line has no newline */
            *len = t->end - t->start;
            t->start = t->scan = t->end;
            t->line++;
            return 1;
        }
        if (t->start == 0 && t->end == t->cap)
            return line_too_long(t, err, errlen);
        if (trace_refill(t, err, errlen) < 0)
            return -1;
    }
}

/* ---- Opening a file ----------------------------------------------------------- */

/* Reads the first bytes (up to n) without giving up on short reads. */
static ssize_t read_head(int fd, uint8_t *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read_some(fd, dst + got, n - got);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Hands the first bytes of a compressed file to a new decoder. */
static int decoder_open(TraceReader *t, TraceSource src, const uint8_t *head, size_t n)
{
    t->in = malloc(TRACE_IN_SIZE);
    if (t->in == NULL)
        return -1;
    memcpy(t->in, head, n);
    t->in_next = t->in;
    t->in_avail = n;
    if (src == SRC_GZ && inflateInit2(&t->z, 15 + 16) != Z_OK)   /* 16: gzip wrapper */
        return -1;
    t->src = src;
    return decoder_start(t);
}

int trace_src_open(TraceReader *t, const char *path, char *err, size_t errlen)
{
    static const uint8_t gz_magic[2] = { 0x1f, 0x8b };
    static const uint8_t xz_magic[6] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };
    uint8_t head[6];
    ssize_t n;
    struct stat st;
    /* "-" is standard input; a trace may be a file, a FIFO or a pipe, not a folder. */
    t->fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                                   : open(path, O_RDONLY | O_CLOEXEC);
    if (t->fd >= 0 && fstat(t->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        trace_set_err(err, errlen, "%s: is a directory, not a trace", path);
        return -1;
    }
    if (t->fd < 0 || (n = read_head(t->fd, head, sizeof head)) < 0) {
        trace_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    t->buf = malloc(TRACE_BUF_SIZE);
    if (t->buf == NULL) {
        trace_set_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    t->text = t->buf;
    t->cap = TRACE_BUF_SIZE;
    TraceSource src = SRC_RAW;
    if (n >= 6 && memcmp(head, xz_magic, 6) == 0)
        src = SRC_XZ;
    else if (n >= 2 && memcmp(head, gz_magic, 2) == 0)
        src = SRC_GZ;
    if (src == SRC_RAW) {
        t->src = SRC_RAW;
        memcpy(t->buf, head, (size_t)n);
        t->end = (size_t)n;
        return 0;
    }
    if (decoder_open(t, src, head, (size_t)n) < 0) {
        trace_set_err(err, errlen, "%s: cannot start the %s decoder", path,
                src == SRC_XZ ? "xz" : "gzip");
        return -1;
    }
    return 0;
}

void trace_src_close(TraceReader *t)
{
    if (t->src == SRC_GZ)
        inflateEnd(&t->z);
    lzma_end(&t->x);
    if (t->fd >= 0)
        close(t->fd);
}

/* ---- Reading ------------------------------------------------------------------ */

/* trace_next past its quickest path: a line at a time, found with memchr. Not inline,
 * so that the quickest path saves and restores few registers. */
__attribute__((noinline))
static int next_record(TraceReader *t, TraceRecord *rec, char *err, size_t errlen)
{
    for (;;) {
        const char *p;
        size_t n;
        int rc = next_line(t, &p, &n, err, errlen);
        if (rc <= 0)
            return rc;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        const char *why = NULL;
        rc = trace_parse_record(t, p, p + n, rec, &why);
        if (rc > 0) {
            rec->line = t->line;
            t->records++;
            return 1;
        }
        if (rc < 0) {
            trace_line_error(err, errlen, t->name, t->line, why, p, n);
            return -1;
        }
    }
}

int trace_next(TraceReader *t, TraceRecord *rec, char *err, size_t errlen)
{
    const char *nl;                        /* the usual lackey line, without memchr */
    if (t->fmt == TRACE_LACKEY && t->end - t->start >= LACKEY_LINE_READ && !t->skip &&
        (nl = lackey_line(t->text + t->start, rec)) != NULL) {
        t->start = t->scan = (size_t)(nl - t->text) + 1;
        rec->line = ++t->line;
        t->records++;
        return 1;
    }
    return next_record(t, rec, err, errlen);
}

/* ---- Positions ---------------------------------------------------------------- */

TracePos trace_tell(const TraceReader *t)
{
    TracePos pos = { t->buf_off + t->start, t->line, t->records };
    return pos;
}

static int seek_past_end(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    trace_set_err(err, errlen, "%s: cannot seek to byte %llu: the trace is shorter", t->name,
            (unsigned long long)offset);
    return -1;
}

/* A plain file: lseek there and empty the window. */
static int raw_seek(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode) && offset > (uint64_t)st.st_size)
        return seek_past_end(t, offset, err, errlen);
    if (offset > (uint64_t)INT64_MAX || lseek(t->fd, (off_t)offset, SEEK_SET) < 0) {
        if (errno == ESPIPE)
            trace_set_err(err, errlen, "%s: cannot go back to byte %llu of a pipe: reading a trace "
                    "again (opt's look ahead, stepping back) needs a regular file, or a trace "
                    "of at most %u KiB", t->name, (unsigned long long)offset,
                    TRACE_BUF_SIZE >> 10);
        else
            trace_set_err(err, errlen, "%s: cannot seek: %s", t->name, strerror(errno));
        return -1;
    }
    t->ioerr[0] = '\0';
    t->buf_off = offset;
    t->start = t->scan = t->end = 0;
    t->eof = false;
    return 0;
}

/* A compressed file: restart it when the offset lies behind the window, then
 * decompress forward, discarding, until the window holds the offset. */
static int dec_seek(TraceReader *t, uint64_t offset, char *err, size_t errlen)
{
    if (offset < t->buf_off && src_restart(t) < 0) {
        trace_set_err(err, errlen, "%s: cannot seek: %s", t->name, t->ioerr);
        return -1;
    }
    while (offset - t->buf_off > t->end) {
        if (t->eof)
            return seek_past_end(t, offset, err, errlen);
        t->start = t->end;
        if (trace_refill(t, err, errlen) < 0)
            return -1;
    }
    t->start = t->scan = (size_t)(offset - t->buf_off);
    return 0;
}

int trace_seek(TraceReader *t, TracePos pos, char *err, size_t errlen)
{
    int rc = 0;
    unsigned long line = t->line;
    bool skip = t->skip;
    t->line = pos.line;
    t->skip = false;
    if (pos.offset >= t->buf_off && pos.offset - t->buf_off <= t->end)
        t->start = t->scan = (size_t)(pos.offset - t->buf_off);
    else if (t->src == SRC_RAW)
        rc = raw_seek(t, pos.offset, err, errlen);
    else if (t->src == SRC_GZ || t->src == SRC_XZ)
        rc = dec_seek(t, pos.offset, err, errlen);
    else
        rc = seek_past_end(t, pos.offset, err, errlen);
    if (rc == 0) {
        t->records = pos.records;
    } else {                               /* still where it was: its lines count on */
        t->line = line;
        t->skip = skip;
    }
    return rc;
}

int trace_rewind(TraceReader *t, char *err, size_t errlen)
{
    TracePos start = { 0, t->first_line - 1, 0 };
    return trace_seek(t, start, err, errlen);
}
