/* Tests for the trace readers (sim/core/trace*.c): every format from files under
 * tests/data/trace and from memory, detection, gzip/xz, line ends, error messages,
 * positions, and the real lackey trace tests/data/wc.lackey.xz. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "vmsim/trace.h"

#define DIR TEST_DATA "/trace/"
#define MAXREC 64

typedef struct {
    TraceKind kind;
    AccessOp op;
    vaddr_t addr;
    uint32_t size;
    const char *name;       /* TREC_SWITCH only */
    unsigned long line;
} Want;

#define ACC(op, addr, size, line) { TREC_ACCESS, op, addr, size, NULL, line }
#define SW(name, line)            { TREC_SWITCH, OP_READ, 0, 0, name, line }
#define COUNT(a) ((int)(sizeof (a) / sizeof (a)[0]))

static char err[512];

/* ---- helpers ------------------------------------------------------------------ */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads every record into out (at most max); returns the count, or -1 - count when
 * trace_next failed (err holds the message). */
static int read_all(TraceReader *t, TraceRecord *out, int max)
{
    int n = 0, rc;
    TraceRecord r;
    while ((rc = trace_next(t, &r, err, sizeof err)) == 1) {
        if (n < max)
            out[n] = r;
        n++;
    }
    return rc < 0 ? -1 - n : n;
}

static void check_records(const TraceRecord *got, int n, const Want *want, int nwant)
{
    CU_ASSERT_EQUAL_FATAL(n, nwant);
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(got[i].kind, want[i].kind);
        CU_ASSERT_EQUAL(got[i].line, want[i].line);
        if (want[i].kind == TREC_SWITCH) {
            CU_ASSERT_STRING_EQUAL(got[i].name, want[i].name);
        } else {
            CU_ASSERT_EQUAL(got[i].op, want[i].op);
            CU_ASSERT_EQUAL(got[i].addr, want[i].addr);
            CU_ASSERT_EQUAL(got[i].size, want[i].size);
        }
    }
}

static bool same_record(const TraceRecord *a, const TraceRecord *b)
{
    return a->kind == b->kind && a->op == b->op && a->addr == b->addr &&
           a->size == b->size && a->line == b->line && strcmp(a->name, b->name) == 0;
}

/* The whole file in a malloc'd buffer (*len bytes). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *buf = malloc(1 << 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* Reads path with fmt from the file and from memory and checks both against want. */
static void check_file(const char *path, TraceFormat fmt, unsigned shift,
                       const Want *want, int nwant)
{
    TraceRecord got[MAXREC];
    TraceReader *t = trace_open(path, fmt, shift, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_records(got, read_all(t, got, MAXREC), want, nwant);
    trace_close(t);

    size_t len;
    char *text = slurp(path, &len);
    t = trace_open_mem(text, len, "mem", 1, fmt, shift, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_records(got, read_all(t, got, MAXREC), want, nwant);
    trace_close(t);
    free(text);
}

/* Both readers yield the same records (and both end without error). */
static void check_same(TraceReader *a, TraceReader *b)
{
    TraceRecord ra[MAXREC], rb[MAXREC];
    int na = read_all(a, ra, MAXREC), nb = read_all(b, rb, MAXREC);
    CU_ASSERT(na > 0);
    CU_ASSERT_EQUAL_FATAL(na, nb);
    for (int i = 0; i < na && i < MAXREC; i++)
        CU_ASSERT(same_record(&ra[i], &rb[i]));
}

static void check_same_files(const char *p1, TraceFormat f1, const char *p2, TraceFormat f2)
{
    TraceReader *a = trace_open(p1, f1, 12, err, sizeof err);
    TraceReader *b = trace_open(p2, f2, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    check_same(a, b);
    trace_close(a);
    trace_close(b);
}

/* Writes len bytes to a new temporary file; returns its path (static storage). */
static const char *temp_file(const void *data, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/vmsim-trace-XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
    close(fd);
    return path;
}

static bool same_pos(TracePos a, TracePos b)
{
    return a.offset == b.offset && a.line == b.line && a.records == b.records;
}

/* ---- names and letters -------------------------------------------------------- */

static void test_format_names(void)
{
    static const TraceFormat all[] = { TRACE_AUTO, TRACE_VMSIM, TRACE_PAGES,
                                       TRACE_LACKEY, TRACE_LS, TRACE_ADDRRW };
    for (int i = 0; i < COUNT(all); i++) {
        TraceFormat f = (TraceFormat)-1;
        CU_ASSERT_TRUE(trace_format_parse(trace_format_name(all[i]), &f));
        CU_ASSERT_EQUAL(f, all[i]);
    }
    TraceFormat f;
    CU_ASSERT_TRUE(trace_format_parse("lackey", &f) && f == TRACE_LACKEY);
    CU_ASSERT_STRING_EQUAL(trace_format_name(TRACE_ADDRRW), "addrrw");
    CU_ASSERT_FALSE(trace_format_parse("Lackey", &f));
    CU_ASSERT_FALSE(trace_format_parse("", &f));
    CU_ASSERT_FALSE(trace_format_parse(NULL, &f));
    CU_ASSERT_STRING_EQUAL(trace_format_name((TraceFormat)99), "unknown");
}

static void test_op_letters(void)
{
    CU_ASSERT_EQUAL(access_op_letter(OP_READ), 'R');
    CU_ASSERT_EQUAL(access_op_letter(OP_WRITE), 'W');
    CU_ASSERT_EQUAL(access_op_letter(OP_EXEC), 'X');
    CU_ASSERT_EQUAL(access_op_letter(OP_MODIFY), 'M');
    CU_ASSERT_EQUAL(access_op_letter((AccessOp)42), '?');
}

/* ---- each format -------------------------------------------------------------- */

static void test_vmsim(void)
{
    static const Want want[] = {
        ACC(OP_READ, 0x1000, 1, 2),
        ACC(OP_WRITE, 4096, 8, 3),
        ACC(OP_EXEC, 0x2000, 16, 4),
        ACC(OP_MODIFY, 0x3000, 4, 6),
        SW("proc-A.1", 7),
        ACC(OP_READ, 0x10, 2147483648u, 8),
        SW("b", 9),
        ACC(OP_WRITE, UINT64_MAX, 1, 10),
    };
    check_file(DIR "basic.vmsim", TRACE_VMSIM, 12, want, COUNT(want));
}

static void test_pages(void)
{
    static const Want want12[] = {
        ACC(OP_READ, 0x1000, 1, 2), ACC(OP_READ, 0x10000, 1, 3),
        ACC(OP_READ, 0x3000, 1, 5), ACC(OP_READ, 0, 1, 6),
    };
    static const Want want0[] = {
        ACC(OP_READ, 1, 1, 2), ACC(OP_READ, 0x10, 1, 3),
        ACC(OP_READ, 3, 1, 5), ACC(OP_READ, 0, 1, 6),
    };
    check_file(DIR "basic.pages", TRACE_PAGES, 12, want12, COUNT(want12));
    check_file(DIR "basic.pages", TRACE_PAGES, 0, want0, COUNT(want0));
}

static const Want small_lackey[] = {
    ACC(OP_EXEC, 0x0401ab70, 3, 3),
    ACC(OP_WRITE, 0x1fff000d18, 8, 4),
    ACC(OP_READ, 0x1fff000488, 8, 5),
    ACC(OP_MODIFY, 0x0421e8c8, 4, 6),
    ACC(OP_EXEC, 0x0401ab73, 5, 7),
    ACC(OP_READ, 0x04022a10, 16, 8),
};

static void test_lackey(void)
{
    check_file(DIR "small.lackey", TRACE_LACKEY, 12, small_lackey, COUNT(small_lackey));
}

static void test_ls(void)
{
    static const Want want[] = {
        ACC(OP_READ, 0x7ff000, 8, 1), ACC(OP_WRITE, 0x7ff008, 1, 2),
        ACC(OP_READ, 0x1000, 4, 3), ACC(OP_WRITE, 0xdeadbeef, 16, 4),
    };
    check_file(DIR "basic.ls", TRACE_LS, 12, want, COUNT(want));
}

static void test_addrrw(void)
{
    static const Want want[] = {
        ACC(OP_READ, 0x41f7a0, 1, 1), ACC(OP_WRITE, 0x41f7a4, 1, 2),
        ACC(OP_READ, 0xff, 1, 3), ACC(OP_WRITE, 0x10, 1, 4),
    };
    check_file(DIR "basic.addrrw", TRACE_ADDRRW, 12, want, COUNT(want));
}

/* cs1550 (docs/file-formats.md): the record carries ADDR as written and PROCESS apart
 * (has_proc, proc); other formats' records name no process, even after a cs1550 line
 * was parsed into the same record. */
static void test_cs1550_process(void)
{
    TraceRecord r;
    char why[256];
    const char *line = "s 0x0041f7a0 7";
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_CS1550, line, strlen(line), 12, &r, why, sizeof why), 1);
    CU_ASSERT_EQUAL(r.kind, TREC_ACCESS);
    CU_ASSERT_EQUAL(r.op, OP_WRITE);
    CU_ASSERT_EQUAL(r.addr, 0x41f7a0);
    CU_ASSERT(r.has_proc);
    CU_ASSERT_EQUAL(r.proc, 7);
    line = "l ffffffff 32767";
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_CS1550, line, strlen(line), 12, &r, why, sizeof why), 1);
    CU_ASSERT_EQUAL(r.addr, 0xffffffffu);
    CU_ASSERT_EQUAL(r.proc, 32767);
    line = "l 0x1000";
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_LS, line, strlen(line), 12, &r, why, sizeof why), 1);
    CU_ASSERT(!r.has_proc);
}

static void test_crlf(void)
{
    static const Want want[] = {
        ACC(OP_READ, 0x10, 1, 1), ACC(OP_WRITE, 0x20, 4, 2), SW("p", 5),
    };
    check_file(DIR "crlf.vmsim", TRACE_VMSIM, 12, want, COUNT(want));
    check_file(DIR "crlf.vmsim", TRACE_AUTO, 12, want, COUNT(want));
    static const char lk[] = "I  10,4\r\n L 20,8\r";
    TraceRecord got[MAXREC];
    TraceReader *t = trace_open_mem(lk, sizeof lk - 1, "m", 1, TRACE_LACKEY, 12,
                                    err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const Want wl[] = { ACC(OP_EXEC, 0x10, 4, 1), ACC(OP_READ, 0x20, 8, 2) };
    check_records(got, read_all(t, got, MAXREC), wl, COUNT(wl));
    trace_close(t);
}

static void test_no_trailing_newline(void)
{
    static const Want want[] = { ACC(OP_EXEC, 0x0401ab70, 3, 1), ACC(OP_READ, 0x10, 8, 2) };
    check_file(DIR "nonl.lackey", TRACE_LACKEY, 12, want, COUNT(want));
    static const Want one[] = { ACC(OP_READ, 7, 1, 1) };
    TraceRecord got[MAXREC];
    TraceReader *t = trace_open_mem("R 7", 3, "m", 1, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_records(got, read_all(t, got, MAXREC), one, COUNT(one));
    trace_close(t);
}

static void test_numbers_at_the_limits(void)
{
    static const char text[] =
        "R 18446744073709551615\n"                      /* 2^64 - 1, decimal */
        "W 0xffffffffffffffff 1\n"
        "R 0x00000000000000000000000000001\n"           /* leading zeros do not overflow */
        "X 0xfffffffffffff000 4096\n"                   /* ends exactly at 2^64 - 1 */
        "M 0 0x80000000\n";                             /* SIZE 2^31 */
    static const Want want[] = {
        ACC(OP_READ, UINT64_MAX, 1, 1), ACC(OP_WRITE, UINT64_MAX, 1, 2),
        ACC(OP_READ, 1, 1, 3), ACC(OP_EXEC, 0xfffffffffffff000u, 4096, 4),
        ACC(OP_MODIFY, 0, 2147483648u, 5),
    };
    TraceRecord got[MAXREC];
    TraceReader *t = trace_open_mem(text, sizeof text - 1, "m", 1, TRACE_VMSIM, 12,
                                    err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_records(got, read_all(t, got, MAXREC), want, COUNT(want));
    trace_close(t);

    TraceRecord r;
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_PAGES, "0xfffffffffffff", 15, 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT_EQUAL(r.addr, 0xfffffffffffff000u);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_PAGES, "18446744073709551615", 20, 0, &r, err,
                                     sizeof err), 1);
    CU_ASSERT_EQUAL(r.addr, UINT64_MAX);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_LACKEY, "I  000000000000000000401ab70,3", 30, 12,
                                     &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(r.addr, 0x401ab70);
}

static void test_switch_names(void)
{
    char line[128];
    TraceRecord r;
    memset(r.name, 'x', sizeof r.name);
    snprintf(line, sizeof line, "switch %.63s",
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, line, strlen(line), 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT_EQUAL(r.kind, TREC_SWITCH);
    CU_ASSERT_EQUAL(strlen(r.name), TRACE_NAME_MAX - 1);
    CU_ASSERT_STRING_EQUAL(r.name, line + 7);
    strcat(line, "Z");                              /* 64 characters: one too many */
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, line, strlen(line), 12, &r, err,
                                     sizeof err), -1);
    CU_ASSERT(starts_with(err, "expected a process NAME of 1 to 63 characters"));
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "switch\tp2 # next", 16, 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT_STRING_EQUAL(r.name, "p2");
}

static void test_parse_line(void)
{
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "W 0x40 2\r\n", 10, 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT(r.kind == TREC_ACCESS && r.op == OP_WRITE && r.addr == 0x40 && r.size == 2);
    CU_ASSERT_EQUAL(r.line, 0);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_LACKEY, " M 0421e8c8,4\n", 14, 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT(r.op == OP_MODIFY && r.addr == 0x421e8c8 && r.size == 4);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_ADDRRW, "0041f7a0 W", 10, 12, &r, err,
                                     sizeof err), 1);
    CU_ASSERT(r.op == OP_WRITE && r.addr == 0x41f7a0 && r.size == 1);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_LS, "s 0x10 4", 8, 12, &r, err, sizeof err), 1);
    CU_ASSERT(r.op == OP_WRITE && r.addr == 0x10 && r.size == 4);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_PAGES, "5", 1, 12, &r, err, sizeof err), 1);
    CU_ASSERT(r.op == OP_READ && r.addr == 0x5000 && r.size == 1);
    /* Nothing to return: blank, comment, lackey commentary. */
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "", 0, 12, &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, " \t", 2, 12, &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_PAGES, "  # c", 5, 12, &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_LACKEY, "==1== x", 7, 12, &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, NULL, 0, 12, &r, err, sizeof err), 0);
    /* The length counts, not a NUL: "R 12" cut to "R 1". */
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, "R 12", 3, 12, &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(r.addr, 1);
    /* Misuse. */
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_AUTO, "R 1", 3, 12, &r, err, sizeof err), -1);
    CU_ASSERT(starts_with(err, "expected "));
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_PAGES, "1", 1, 64, &r, err, sizeof err), -1);
}

/* ---- detection ---------------------------------------------------------------- */

static void test_auto_detect(void)
{
    static const struct { const char *path; TraceFormat fmt; } cases[] = {
        { DIR "basic.vmsim", TRACE_VMSIM },   { DIR "basic.pages", TRACE_PAGES },
        { DIR "small.lackey", TRACE_LACKEY }, { DIR "basic.ls", TRACE_LS },
        { DIR "basic.addrrw", TRACE_ADDRRW }, { DIR "crlf.vmsim", TRACE_VMSIM },
        { DIR "nonl.lackey", TRACE_LACKEY },  { DIR "small.lackey.xz", TRACE_LACKEY },
        { DIR "vmsim-gz.trace", TRACE_VMSIM }, { TEST_DATA "/belady.pages", TRACE_PAGES },
        { TEST_DATA "/uniform_1k_s1.pages", TRACE_PAGES },
        { TEST_DATA "/wc.lackey.xz", TRACE_LACKEY },
    };
    for (int i = 0; i < COUNT(cases); i++) {
        TraceReader *a = trace_open(cases[i].path, TRACE_AUTO, 12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(trace_format(a), cases[i].fmt);
        /* Sniffing consumed nothing: the same records as with the format named. */
        TraceReader *b = trace_open(cases[i].path, cases[i].fmt, 12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_EQUAL(trace_format(b), cases[i].fmt);
        check_same(a, b);
        trace_close(a);
        trace_close(b);
    }
}

static void test_auto_nothing_to_see(void)
{
    const char *paths[] = { DIR "empty.txt", DIR "comments.txt" };
    for (int i = 0; i < COUNT(paths); i++) {
        TraceReader *t = trace_open(paths[i], TRACE_AUTO, 12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT_EQUAL(trace_format(t), TRACE_VMSIM);
        TraceRecord r;
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
        trace_close(t);
    }
    TraceReader *t = trace_open_mem(NULL, 0, NULL, 1, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
    trace_close(t);
    /* Valgrind's commentary alone is still lackey. */
    t = trace_open_mem("==1== hi\n", 9, "m", 1, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_format(t), TRACE_LACKEY);
    trace_close(t);
}

static void test_auto_fails(void)
{
    TraceReader *t = trace_open(DIR "unknown.txt", TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_STRING_EQUAL(err, DIR "unknown.txt:2: cannot tell the trace format; "
                           "use --trace-format");
    /* The line named is where the longest-lived candidate broke (vmsim, at line 3). */
    static const char text[] = "R 1\n# c\nW 2\nQ 3\nR 4\n";
    t = trace_open_mem(text, sizeof text - 1, "t.txt", 10, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_STRING_EQUAL(err, "t.txt:13: cannot tell the trace format; use --trace-format");
    /* Only the first 20 meaningful lines are sniffed; a bad 26th shows up when read. */
    char many[512] = "";
    for (int i = 0; i < 25; i++)
        strcat(many, "R 0x10\n");
    strcat(many, "Q 1\n");
    t = trace_open_mem(many, strlen(many), "t.txt", 1, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_format(t), TRACE_VMSIM);
    TraceRecord got[MAXREC];
    CU_ASSERT_EQUAL(read_all(t, got, MAXREC), -1 - 25);
    CU_ASSERT(starts_with(err, "t.txt:26: expected 'R|W|X|M ADDR [SIZE]'"));
    trace_close(t);
}

/* ---- compressed files --------------------------------------------------------- */

static void test_compressed(void)
{
    check_same_files(DIR "small.lackey", TRACE_LACKEY, DIR "small.lackey.gz", TRACE_LACKEY);
    check_same_files(DIR "small.lackey", TRACE_LACKEY, DIR "small.lackey.xz", TRACE_LACKEY);
    check_same_files(DIR "small.lackey", TRACE_LACKEY, DIR "multi.lackey.gz", TRACE_AUTO);
    check_same_files(DIR "small.lackey", TRACE_LACKEY, DIR "multi.lackey.xz", TRACE_AUTO);
    /* Recognised by content, not by name. */
    check_same_files(DIR "basic.vmsim", TRACE_VMSIM, DIR "vmsim-gz.trace", TRACE_AUTO);
    check_same_files(DIR "basic.vmsim", TRACE_VMSIM, DIR "vmsim-xz.trace", TRACE_AUTO);
    TraceRecord got[MAXREC];
    TraceReader *t = trace_open(DIR "small.lackey.xz", TRACE_LACKEY, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_records(got, read_all(t, got, MAXREC), small_lackey, COUNT(small_lackey));
    trace_close(t);
}

static void check_broken(const char *path, const char *reason)
{
    TraceReader *t = trace_open(path, TRACE_LACKEY, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord got[MAXREC];
    int n = read_all(t, got, MAXREC);
    CU_ASSERT(n < 0);
    CU_ASSERT(starts_with(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
    /* The failure sticks: no record appears after it. */
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
    trace_close(t);
}

static void test_compressed_broken(void)
{
    check_broken(DIR "truncated.xz", ": cannot read: xz data is truncated");
    check_broken(DIR "truncated.gz", ": cannot read: gzip data is truncated");
    check_broken(DIR "corrupt.gz", ": cannot read: gzip data is corrupt");
}

/* ---- errors ------------------------------------------------------------------- */

static const struct { TraceFormat fmt; const char *line; const char *why; } bad_lines[] = {
#define VM "'R|W|X|M ADDR [SIZE]', 'switch NAME' or a process event (fork, exit, brk, sbrk, mmap, munmap, mprotect, call, ret, malloc, free, pte, pte?, invlpg, sfence.vma or kernel)"
#define ADDR "an address that fits in 64 bits"
#define SIZE "a SIZE from 1 to 2147483648"
#define WRAP "an access that ends below 2^64"
#define NAME "a process NAME of 1 to 63 characters from [A-Za-z0-9_.-]"
#define LK "'I|L|S|M ADDR,SIZE' (lackey)"
    { TRACE_VMSIM, "Q 12", VM },
    { TRACE_VMSIM, "R", VM },
    { TRACE_VMSIM, "R0x10", VM },
    { TRACE_VMSIM, "R 0x", VM },
    { TRACE_VMSIM, "R -1", VM },
    { TRACE_VMSIM, "R 0x10z", VM },
    { TRACE_VMSIM, "R 10 abc", VM },
    { TRACE_VMSIM, "R 10 8 9", VM },
    { TRACE_VMSIM, "RR 10", VM },
    { TRACE_VMSIM, "switchy x", VM },
    { TRACE_VMSIM, "I  0401ab70,3", VM },
    { TRACE_VMSIM, "R 0x10000000000000000", ADDR },
    { TRACE_VMSIM, "R 18446744073709551616", ADDR },
    { TRACE_VMSIM, "w 99999999999999999999999999", ADDR },
    { TRACE_VMSIM, "R 10 0", SIZE },
    { TRACE_VMSIM, "R 10 2147483649", SIZE },
    { TRACE_VMSIM, "R 10 0x100000000", SIZE },
    { TRACE_VMSIM, "R 10 99999999999999999999999", SIZE },
    { TRACE_VMSIM, "R 0xffffffffffffffff 2", WRAP },
    { TRACE_VMSIM, "switch", NAME },
    { TRACE_VMSIM, "switch a$b", NAME },
    { TRACE_VMSIM, "switch a b", NAME },
    { TRACE_VMSIM,
      "switch 0123456789012345678901234567890123456789012345678901234567890123", NAME },
    { TRACE_PAGES, "-1", "a page number" },
    { TRACE_PAGES, "1 2", "a page number" },
    { TRACE_PAGES, "0x", "a page number" },
    { TRACE_PAGES, "R 10", "a page number" },
    { TRACE_PAGES, "0x10000000000000", "a page number whose address fits in 64 bits" },
    { TRACE_PAGES, "99999999999999999999", "a page number whose address fits in 64 bits" },
    { TRACE_LACKEY, "X  0401ab70,3", LK },
    { TRACE_LACKEY, "i  0401ab70,3", LK },
    { TRACE_LACKEY, "I0401ab70,3", LK },
    { TRACE_LACKEY, "I  0401ab70", LK },
    { TRACE_LACKEY, "I  0401ab70 ,3", LK },
    { TRACE_LACKEY, "I  0401ab70, 3", LK },
    { TRACE_LACKEY, "I  0401ab70,", LK },
    { TRACE_LACKEY, "I  0x0401ab70,3", LK },
    { TRACE_LACKEY, "I  0401ab70,3x", LK },
    { TRACE_LACKEY, "I  0401ab70,0x3", LK },
    { TRACE_LACKEY, "= 1", LK },
    { TRACE_LACKEY, "I  0401ab70,0", SIZE },
    { TRACE_LACKEY, "I  10000000000000000,1", ADDR },
    { TRACE_LACKEY, "I  ffffffffffffffff,2", WRAP },
    { TRACE_LS, "x 0x10", "'l|s ADDR [SIZE]'" },
    { TRACE_LS, "l", "'l|s ADDR [SIZE]'" },
    { TRACE_LS, "ll 0x10", "'l|s ADDR [SIZE]'" },
    { TRACE_LS, "l 0xZZ", "'l|s ADDR [SIZE]'" },
    { TRACE_LS, "l 0x10 0", SIZE },
    { TRACE_LS, "s 0x10000000000000000", ADDR },
    { TRACE_ADDRRW, "0041f7a0", "'ADDR R|W'" },
    { TRACE_ADDRRW, "0041f7a0 X", "'ADDR R|W'" },
    { TRACE_ADDRRW, "R 0041f7a0", "'ADDR R|W'" },
    { TRACE_ADDRRW, "0041f7a0 RW", "'ADDR R|W'" },
    { TRACE_ADDRRW, "0041f7a0R", "'ADDR R|W'" },
    { TRACE_ADDRRW, "10000000000000000 R", ADDR },
#undef VM
#undef ADDR
#undef SIZE
#undef WRAP
#undef NAME
#undef LK
};

static const char *good_line(TraceFormat fmt)
{
    switch (fmt) {
    case TRACE_PAGES:  return "1";
    case TRACE_LACKEY: return "I  10,1";
    case TRACE_LS:     return "l 10";
    case TRACE_ADDRRW: return "10 R";
    default:           return "R 1";
    }
}

/* Each bad line, third in a text named t.txt, gives "t.txt:3: expected WHY, got 'LINE'"
 * from the reader (which then carries on) and "expected ..." from trace_parse_line. */
static void test_error_messages(void)
{
    for (int i = 0; i < COUNT(bad_lines); i++) {
        const char *good = good_line(bad_lines[i].fmt), *line = bad_lines[i].line;
        char text[256], want[512], shown[80];
        snprintf(shown, sizeof shown, "%.60s%s", line, strlen(line) > 60 ? "..." : "");
        snprintf(text, sizeof text, "%s\n\n%s\n%s\n", good, line, good);
        TraceReader *t = trace_open_mem(text, strlen(text), "t.txt", 1, bad_lines[i].fmt,
                                        12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        TraceRecord r;
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
        snprintf(want, sizeof want, "t.txt:3: expected %s, got '%s'", bad_lines[i].why, shown);
        CU_ASSERT_STRING_EQUAL(err, want);
        if (strcmp(err, want) != 0)
            fprintf(stderr, "\n  case %d: got  %s\n          want %s\n", i, err, want);
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
        CU_ASSERT_EQUAL(r.line, 4);
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
        trace_close(t);

        CU_ASSERT_EQUAL(trace_parse_line(bad_lines[i].fmt, line, strlen(line), 12, &r,
                                         err, sizeof err), -1);
        CU_ASSERT_STRING_EQUAL(err, want + strlen("t.txt:3: "));
    }
}

static void test_error_from_file(void)
{
    /* Detection sees the bad line too, and gives up there. */
    CU_ASSERT_PTR_NULL(trace_open(DIR "bad.vmsim", TRACE_AUTO, 12, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, DIR "bad.vmsim:7: cannot tell the trace format; "
                           "use --trace-format");
    TraceReader *t = trace_open(DIR "bad.vmsim", TRACE_VMSIM, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord got[MAXREC];
    CU_ASSERT_EQUAL(read_all(t, got, MAXREC), -1 - 6);
    CU_ASSERT_STRING_EQUAL(err, DIR "bad.vmsim:7: expected 'R|W|X|M ADDR [SIZE]', 'switch NAME' or a process event (fork, exit, brk, sbrk, mmap, munmap, mprotect, call, ret, malloc, free, pte, pte?, invlpg, sfence.vma or kernel), got 'Q 12'");
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT(r.line == 8 && r.op == OP_WRITE && r.addr == 0x80);
    trace_close(t);
}

static void test_error_lines_from_first_line(void)
{
    static const char text[] = "R 1\n\nQ\n";
    TraceReader *t = trace_open_mem(text, sizeof text - 1, "x.trace", 41, TRACE_VMSIM, 12,
                                    err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(r.line, 41);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
    CU_ASSERT(starts_with(err, "x.trace:43: expected "));
    trace_close(t);
}

static void test_error_text_shown(void)
{
    char text[256];
    memset(text, 'Q', 200);
    text[200] = '\n';
    TraceReader *t = trace_open_mem(text, 201, "t", 1, TRACE_VMSIM, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "got '%.60s...'", text);
    size_t n = strlen(err);
    CU_ASSERT(n > strlen(want) && strcmp(err + n - strlen(want), want) == 0);
    trace_close(t);
    /* Bytes that are not printable ASCII are written \xNN, NULs included. */
    static const char bin[] = "R 1\0\x01\xff\tz";
    CU_ASSERT_EQUAL(trace_parse_line(TRACE_VMSIM, bin, sizeof bin - 1, 12, &r, err,
                                     sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "expected 'R|W|X|M ADDR [SIZE]', 'switch NAME' or a process event (fork, exit, brk, sbrk, mmap, munmap, mprotect, call, ret, malloc, free, pte, pte?, invlpg, sfence.vma or kernel), got 'R 1\\x00\\x01\\xff\\x09z'");
}

static void test_error_buffer_small(void)
{
    char small[8];
    memset(small, '@', sizeof small);
    TraceRecord r;
    TraceReader *t = trace_open_mem("Q\n", 2, "name", 1, TRACE_VMSIM, 12, small, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_next(t, &r, small, 5), -1);
    CU_ASSERT_STRING_EQUAL(small, "name");
    CU_ASSERT_EQUAL(small[5], '@');
    CU_ASSERT_EQUAL(trace_rewind(t, NULL, 0), 0);
    CU_ASSERT_EQUAL(trace_next(t, &r, NULL, 0), -1);
    trace_close(t);
    CU_ASSERT_PTR_NULL(trace_open(DIR "no-such-file", TRACE_AUTO, 12, NULL, 0));
}

static void test_open_errors(void)
{
    CU_ASSERT_PTR_NULL(trace_open(DIR "no-such-file", TRACE_AUTO, 12, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, DIR "no-such-file: No such file or directory");
    CU_ASSERT_PTR_NULL(trace_open(TEST_DATA "/trace", TRACE_VMSIM, 12, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, TEST_DATA "/trace: is a directory, not a trace");
    CU_ASSERT_PTR_NULL(trace_open(DIR "basic.pages", TRACE_PAGES, 64, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, DIR "basic.pages: page shift 64 is not in 0..63");
    CU_ASSERT_PTR_NULL(trace_open(DIR "basic.pages", (TraceFormat)17, 12, err, sizeof err));
    CU_ASSERT(starts_with(err, DIR "basic.pages: unknown trace format"));
    CU_ASSERT_PTR_NULL(trace_open_mem(NULL, 5, "m", 1, TRACE_VMSIM, 12, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "m: no text given");
    trace_close(NULL);
}

/* A line longer than the window is an error naming its line; reading carries on. */
static void test_long_line(void)
{
    size_t n = 300000;
    char *data = malloc(n + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    memset(data, 'A', n);
    memcpy(data + n, "\nR 1\n", 5);
    const char *path = temp_file(data, n + 5);
    TraceReader *t = trace_open(path, TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:1: expected a line of at most 262143 bytes, got 'AAA",
             path);
    CU_ASSERT(starts_with(err, want));
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT(r.line == 2 && r.addr == 1);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
    trace_close(t);
    unlink(path);
    /* The same at the very end, without a newline. */
    path = temp_file(data, n);
    t = trace_open(path, TRACE_VMSIM, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 0);
    trace_close(t);
    unlink(path);
    free(data);
}

/* Pseudo-random bytes, biased towards trace-like characters, NULs and newlines. */
static void fill_garbage(unsigned char *buf, size_t n, uint32_t seed)
{
    static const char alphabet[] = "RWXMILSlsrw0123456789abcdefx,# \t\r\n=\n\n";
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t v = seed >> 16;
        buf[i] = (v & 3) == 0 ? (unsigned char)(v >> 8)
                              : (unsigned char)alphabet[(v >> 2) % (sizeof alphabet - 1)];
    }
}

/* Reads whatever opens to the end; every call must return, and records must be sane. */
static void drain(TraceReader *t, unsigned long max_calls)
{
    TraceRecord r;
    unsigned long calls = 0, last_line = 0;
    int rc;
    while ((rc = trace_next(t, &r, err, sizeof err)) != 0 && calls++ < max_calls) {
        if (rc == 1) {
            CU_ASSERT(r.line > last_line);
            CU_ASSERT(r.kind == TREC_SWITCH || r.size >= 1);
            last_line = r.line;
        } else {
            CU_ASSERT(strchr(err, ':') != NULL);
        }
    }
    CU_ASSERT(calls <= max_calls);
}

static void test_garbage(void)
{
    static const TraceFormat fmts[] = { TRACE_AUTO, TRACE_VMSIM, TRACE_PAGES,
                                        TRACE_LACKEY, TRACE_LS, TRACE_ADDRRW };
    enum { N = 1 << 16 };
    unsigned char *buf = malloc(N);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (uint32_t seed = 1; seed <= 8; seed++) {
        fill_garbage(buf, N, seed);
        for (int f = 0; f < COUNT(fmts); f++) {
            TraceReader *t = trace_open_mem((const char *)buf, N, "g", 1, fmts[f], 12,
                                            err, sizeof err);
            if (t == NULL) {
                CU_ASSERT(fmts[f] == TRACE_AUTO && starts_with(err, "g:"));
                continue;
            }
            drain(t, N + 2);
            trace_close(t);
        }
    }
    /* Compressed-looking garbage: the decoder's complaint, never a crash. */
    static const unsigned char magic[2][6] = { { 0x1f, 0x8b }, { 0xfd, '7', 'z', 'X', 'Z', 0 } };
    for (int m = 0; m < 2; m++) {
        fill_garbage(buf, N, 99);
        memcpy(buf, magic[m], m == 0 ? 2 : 6);
        const char *path = temp_file(buf, N);
        TraceReader *t = trace_open(path, TRACE_AUTO, 12, err, sizeof err);
        if (t == NULL) {
            CU_ASSERT_PTR_NOT_NULL(strstr(err, ": cannot read: "));
        } else {
            TraceRecord r;
            CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), -1);
            CU_ASSERT_PTR_NOT_NULL(strstr(err, ": cannot read: "));
            trace_close(t);
        }
        unlink(path);
    }
    free(buf);
}

/* ---- positions ---------------------------------------------------------------- */

/* Counts the records of a trace that reads without error. */
static unsigned long count_records(const char *path, TraceFormat fmt)
{
    TraceReader *t = trace_open(path, fmt, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    unsigned long n = 0;
    int rc;
    while ((rc = trace_next(t, &r, err, sizeof err)) == 1)
        n++;
    CU_ASSERT_EQUAL(rc, 0);
    trace_close(t);
    return n;
}

/* Remembers the position before several records, then seeks back to each (last first)
 * and forward to each from a fresh reader; the record read there must match. */
static void check_seek(const char *path, TraceFormat fmt)
{
    enum { K = 6 };
    unsigned long total = count_records(path, fmt);
    CU_ASSERT_FATAL(total > 4);
    unsigned long at[K] = { 0, 1, total / 3, total / 2, total - 1, total };
    TracePos pos[K];
    TraceRecord rec[K], r;
    TraceReader *t = trace_open(path, fmt, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    for (unsigned long i = 0, k = 0; k < K; i++) {
        while (k < K && at[k] == i) {
            pos[k] = trace_tell(t);
            CU_ASSERT_EQUAL(pos[k].records, i);
            k++;
        }
        int rc = trace_next(t, &r, err, sizeof err);
        CU_ASSERT_EQUAL_FATAL(rc, i < total ? 1 : 0);
        for (int j = 0; j < K; j++)
            if (at[j] == i && rc == 1)
                rec[j] = r;
    }
    for (int k = K - 1; k >= 0; k--) {
        CU_ASSERT_EQUAL_FATAL(trace_seek(t, pos[k], err, sizeof err), 0);
        CU_ASSERT(same_pos(trace_tell(t), pos[k]));
        int rc = trace_next(t, &r, err, sizeof err);
        CU_ASSERT_EQUAL(rc, at[k] < total ? 1 : 0);
        if (rc == 1)
            CU_ASSERT(same_record(&r, &rec[k]));
    }
    trace_close(t);
    t = trace_open(path, fmt, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    for (int k = 1; k < K - 1; k++) {
        CU_ASSERT_EQUAL_FATAL(trace_seek(t, pos[k], err, sizeof err), 0);
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
        CU_ASSERT(same_record(&r, &rec[k]));
        CU_ASSERT_EQUAL(trace_tell(t).records, at[k] + 1);
    }
    trace_close(t);
}

/* A plain vmsim trace of about 1.2 MB (several windows), and its gzip copy. */
static void write_big_traces(char *plain, char *gz)
{
    strcpy(plain, "/tmp/vmsim-trace-big-XXXXXX");
    int fd = mkstemp(plain);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    strcpy(gz, "/tmp/vmsim-trace-gz-XXXXXX");
    int gfd = mkstemp(gz);
    CU_ASSERT_FATAL(gfd >= 0);
    gzFile g = gzdopen(gfd, "wb");
    CU_ASSERT_FATAL(f != NULL && g != NULL);
    for (unsigned i = 0; i < 80000; i++) {
        char line[64];
        int n = i % 1000 == 0 ? snprintf(line, sizeof line, "switch p%u\n", i % 7)
                              : snprintf(line, sizeof line, "%c 0x%x %u\n", "RWXM"[i % 4],
                                         i * 4096 + i % 13, 1 + i % 64);
        fputs(line, f);
        gzwrite(g, line, (unsigned)n);
    }
    fclose(f);
    gzclose(g);
}

static void test_seek(void)
{
    char plain[64], gz[64];
    write_big_traces(plain, gz);
    check_seek(plain, TRACE_VMSIM);
    check_seek(gz, TRACE_AUTO);
    check_seek(TEST_DATA "/wc.lackey.xz", TRACE_LACKEY);
    check_seek(DIR "small.lackey.xz", TRACE_LACKEY);
    check_seek(DIR "multi.lackey.gz", TRACE_LACKEY);
    check_seek(DIR "basic.vmsim", TRACE_AUTO);
    unlink(plain);
    unlink(gz);
}

static void test_seek_mem(void)
{
    static const char text[] = "R 1\nW 2\n# c\nX 3\nM 4\n";
    TraceReader *t = trace_open_mem(text, sizeof text - 1, "m", 5, TRACE_VMSIM, 12,
                                    err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    TracePos p = trace_tell(t);
    CU_ASSERT(p.offset == 8 && p.line == 6 && p.records == 2);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT(r.addr == 3 && r.line == 8);
    CU_ASSERT_EQUAL(trace_seek(t, p, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT(r.addr == 3 && r.line == 8);
    TracePos beyond = { sizeof text, 1, 0 };
    CU_ASSERT_EQUAL(trace_seek(t, beyond, err, sizeof err), -1);
    CU_ASSERT(starts_with(err, "m: cannot seek to byte 21"));
    trace_close(t);
}

static void test_seek_past_end(void)
{
    const char *paths[] = { DIR "basic.vmsim", DIR "small.lackey.xz", DIR "small.lackey.gz" };
    for (int i = 0; i < COUNT(paths); i++) {
        TraceReader *t = trace_open(paths[i], TRACE_AUTO, 12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        TracePos far = { 1u << 20, 1, 0 };
        CU_ASSERT_EQUAL(trace_seek(t, far, err, sizeof err), -1);
        CU_ASSERT(starts_with(err, paths[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot seek to byte 1048576"));
        CU_ASSERT_EQUAL(trace_rewind(t, err, sizeof err), 0);
        TraceRecord r;
        CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
        trace_close(t);
    }
}

static void test_rewind(void)
{
    const char *paths[] = { DIR "basic.vmsim", DIR "small.lackey.gz", DIR "small.lackey.xz",
                            DIR "crlf.vmsim", TEST_DATA "/wc.lackey.xz" };
    for (int i = 0; i < COUNT(paths); i++) {
        TraceReader *t = trace_open(paths[i], TRACE_AUTO, 12, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        TraceRecord first[MAXREC], again[MAXREC];
        int n1 = read_all(t, first, MAXREC);
        CU_ASSERT(n1 > 0);
        CU_ASSERT_EQUAL(trace_tell(t).records, (uint64_t)n1);
        CU_ASSERT_EQUAL(trace_rewind(t, err, sizeof err), 0);
        TracePos p = trace_tell(t);
        CU_ASSERT(p.offset == 0 && p.line == 0 && p.records == 0);
        CU_ASSERT_EQUAL(read_all(t, again, MAXREC), n1);
        for (int k = 0; k < n1 && k < MAXREC; k++)
            CU_ASSERT(same_record(&first[k], &again[k]));
        trace_close(t);
    }
    static const char text[] = "1\n2\n";
    TraceReader *t = trace_open_mem(text, 4, "m", 7, TRACE_PAGES, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r;
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT_EQUAL(trace_rewind(t, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_next(t, &r, err, sizeof err), 1);
    CU_ASSERT(r.addr == 1 && r.line == 7);
    trace_close(t);
}

/* ---- the real trace ----------------------------------------------------------- */

/* Expected values computed independently of vmsim with:
 *   xz -dc tests/data/wc.lackey.xz | grep -cE '^I  [0-9a-f]+,[0-9]+$'    -> 145023
 *   xz -dc tests/data/wc.lackey.xz | grep -cE '^ L [0-9a-f]+,[0-9]+$'    ->  34812
 *   xz -dc tests/data/wc.lackey.xz | grep -cE '^ S [0-9a-f]+,[0-9]+$'    ->  15366
 *   xz -dc tests/data/wc.lackey.xz | grep -cE '^ M [0-9a-f]+,[0-9]+$'    ->   1649
 *   xz -dc tests/data/wc.lackey.xz | grep -c '^=='                       ->     24
 *   xz -dc tests/data/wc.lackey.xz | grep -v '^==' | awk -F, '{s+=$2} END {print s}'
 *                                                                        -> 902816
 *   xz -dc tests/data/wc.lackey.xz | grep -n -v '^==' | sed -n '1p;$p'
 *       -> 6:I  0401ab70,3  and  196855:I  0491c407,2
 *   xz -dc tests/data/wc.lackey.xz | wc -l                               -> 196874 */
/* Lackey addresses of every length from 1 to 16 digits, lower and upper case and mixed,
 * read by the reader (one-pass parser, eight digits at a time) and by
 * trace_parse_line (the general parser, a digit at a time), whose answers must agree
 * with each other and with strtoull; a 17th significant digit or a stray character is refused. */
static void test_lackey_hex_lengths(void)
{
    static const char digits[] = "0123456789abcdefABCDEF";
    char text[4096], line[64];
    size_t len = 0;
    uint64_t want[48];
    unsigned n = 0;
    for (unsigned k = 1; k <= 16; k++)
        for (unsigned v = 0; v < 3; v++) {
            char a[17];
            for (unsigned i = 0; i < k; i++)
                a[i] = digits[(i * 7 + k * 3 + v * 5) % (v == 2 ? 22 : 16)];
            a[k] = '\0';
            want[n++] = strtoull(a, NULL, 16);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s %s,4\n",
                                    v ? " L" : "I ", a);
        }
    char msg[256];
    TraceReader *t = trace_open_mem(text, len, "m", 1, TRACE_LACKEY, 12, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord r, q;
    const char *p = text;
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(trace_next(t, &r, msg, sizeof msg), 1);
        CU_ASSERT_EQUAL(r.addr, want[i]);
        size_t l = (size_t)(strchr(p, '\n') - p);
        CU_ASSERT_EQUAL(trace_parse_line(TRACE_LACKEY, p, l, 12, &q, msg, sizeof msg), 1);
        CU_ASSERT_EQUAL(q.addr, r.addr);
        CU_ASSERT_EQUAL(q.op, r.op);
        p += l + 1;
    }
    CU_ASSERT_EQUAL(trace_next(t, &r, msg, sizeof msg), 0);
    trace_close(t);
    /* alone (the last bytes of the window), and followed by lines (a full window) */
    static const char *const bad[] = { " L 1123456789abcdef0,4", " L 01234g67,4",
                                       " L 0123456789ab\x80" "d,4", " L 1234,0",
                                       " L 1234,4x", "IL 1234,4" };
    for (unsigned i = 0; i < 2 * 6; i++) {
        snprintf(line, sizeof line, "%s\n%s", bad[i % 6], i < 6 ? "" : "I  0401ab70,3\nI  0401ab70,3\n");
        t = trace_open_mem(line, strlen(line), "m", 1, TRACE_LACKEY, 12, msg, sizeof msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT_EQUAL(trace_next(t, &r, msg, sizeof msg), -1);
        trace_close(t);
    }
}

/* Lines the one-pass paths leave to the general parser, which takes them: alone, and
 * followed by lines (a full window, where the reader tries its fastest path first). */
static void test_lackey_past_fast_paths(void)
{
    char line[64], msg[256];
    TraceRecord r;
    TraceReader *t;
    /* good, but past the one-pass paths (ten size digits, a 17th leading zero, capitals,
     * CR LF): the same record either way */
    static const char *const odd[] = { " L 1234,1234567890", " L 00000000000000001,4",
                                       " L 0401AB70,4", " L 0401ab70,4\r" };
    static const uint64_t odd_addr[] = { 0x1234, 1, 0x401ab70, 0x401ab70 };
    for (unsigned i = 0; i < 2 * 4; i++) {
        snprintf(line, sizeof line, "%s\n%s", odd[i % 4], i < 4 ? "" : "I  0401ab70,3\nI  0401ab70,3\n");
        t = trace_open_mem(line, strlen(line), "m", 1, TRACE_LACKEY, 12, msg, sizeof msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT_EQUAL(trace_next(t, &r, msg, sizeof msg), 1);
        CU_ASSERT(r.addr == odd_addr[i % 4] && r.size == (i % 4 ? 4u : 1234567890u) && r.line == 1);
        trace_close(t);
    }
}

static void test_wc_lackey(void)
{
    TraceReader *t = trace_open(TEST_DATA "/wc.lackey.xz", TRACE_AUTO, 12, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_format(t), TRACE_LACKEY);
    unsigned long count[4] = { 0 }, total = 0;
    uint64_t bytes = 0;
    TraceRecord r, first = { 0 }, last = { 0 };
    int rc;
    while ((rc = trace_next(t, &r, err, sizeof err)) == 1) {
        CU_ASSERT_FATAL(r.kind == TREC_ACCESS && r.op <= OP_MODIFY);
        count[r.op]++;
        bytes += r.size;
        if (total++ == 0)
            first = r;
        last = r;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(count[OP_EXEC], 145023);
    CU_ASSERT_EQUAL(count[OP_READ], 34812);
    CU_ASSERT_EQUAL(count[OP_WRITE], 15366);
    CU_ASSERT_EQUAL(count[OP_MODIFY], 1649);
    CU_ASSERT_EQUAL(total, 196850);
    CU_ASSERT_EQUAL(bytes, 902816);
    CU_ASSERT(first.line == 6 && first.op == OP_EXEC && first.addr == 0x0401ab70 &&
              first.size == 3);
    CU_ASSERT(last.line == 196855 && last.op == OP_EXEC && last.addr == 0x0491c407 &&
              last.size == 2);
    TracePos end = trace_tell(t);
    CU_ASSERT(end.line == 196874 && end.records == 196850);
    trace_close(t);
}

void suite_trace(void);     /* called by runner.c through suites.h */

void suite_trace(void)
{
    TEST_SUITE("trace",
        { "format names", test_format_names },
        { "op letters", test_op_letters },
        { "vmsim", test_vmsim },
        { "pages", test_pages },
        { "lackey", test_lackey },
        { "ls", test_ls },
        { "addrrw", test_addrrw },
        { "cs1550 processes", test_cs1550_process },
        { "crlf", test_crlf },
        { "no trailing newline", test_no_trailing_newline },
        { "numbers at the limits", test_numbers_at_the_limits },
        { "switch names", test_switch_names },
        { "parse_line", test_parse_line },
        { "auto detect", test_auto_detect },
        { "auto with nothing to see", test_auto_nothing_to_see },
        { "auto fails", test_auto_fails },
        { "gzip and xz", test_compressed },
        { "broken gzip and xz", test_compressed_broken },
        { "error messages", test_error_messages },
        { "error from a file", test_error_from_file },
        { "error lines count from first_line", test_error_lines_from_first_line },
        { "error text shown", test_error_text_shown },
        { "small error buffer", test_error_buffer_small },
        { "open errors", test_open_errors },
        { "line longer than the buffer", test_long_line },
        { "garbage", test_garbage },
        { "tell and seek", test_seek },
        { "seek in memory", test_seek_mem },
        { "seek past the end", test_seek_past_end },
        { "rewind", test_rewind },
        { "wc.lackey.xz", test_wc_lackey },
        { "lackey addresses of 1 to 16 digits", test_lackey_hex_lengths },
        { "lackey lines past the one-pass paths", test_lackey_past_fast_paths });
}
