/* Scenario and machine-config files: numbers, includes and overrides, processes,
 * inline traces, and FILE:LINE errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "vmsim/scenario.h"

/* Writes text to a fresh file in dir (created if needed) and returns its path. */
static const char *write_file(const char *dir, const char *name, const char *text)
{
    static char paths[4][256];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char tmpdir[64];

static int make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vmsim-test-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Loads text as a scenario; returns the load's result, err holds the message. */
static int load(Scenario *sc, const char *text, char *err, size_t len)
{
    scenario_init(sc);
    const char *path = write_file(tmpdir, "s.ini", text);
    int r = scenario_load(sc, path, err, len);
    if (r == 0)
        r = scenario_validate(sc, err, len);
    return r;
}

/* err must be "<tmpdir>/s.ini:LINE: <starts with want>". */
static void assert_error_at(const char *err, unsigned line, const char *want)
{
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s/s.ini:%u: %s", tmpdir, line, want);
    CU_ASSERT_NSTRING_EQUAL(err, prefix, strlen(prefix));
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fprintf(stderr, "\n  got:  %s\n  want: %s...\n", err, prefix);
}

static void test_parse_size(void)
{
    uint64_t v;
    CU_ASSERT_TRUE(parse_size("4096", &v) && v == 4096);
    CU_ASSERT_TRUE(parse_size("0x1000", &v) && v == 0x1000);
    CU_ASSERT_TRUE(parse_size("4K", &v) && v == 4096);
    CU_ASSERT_TRUE(parse_size("8KiB", &v) && v == 8192);
    CU_ASSERT_TRUE(parse_size("2M", &v) && v == 2u << 20);
    CU_ASSERT_TRUE(parse_size("1G", &v) && v == 1u << 30);
    CU_ASSERT_TRUE(parse_size("16T", &v) && v == 16ull << 40);
    CU_ASSERT_TRUE(parse_size("18446744073709551615", &v) && v == UINT64_MAX);
    CU_ASSERT_FALSE(parse_size("18446744073709551616", &v));
    CU_ASSERT_FALSE(parse_size("16777216T", &v));          /* 2^24 * 2^40 overflows */
    CU_ASSERT_FALSE(parse_size("", &v));
    CU_ASSERT_FALSE(parse_size("12x", &v));
    CU_ASSERT_FALSE(parse_size("-1", &v));
    CU_ASSERT_FALSE(parse_size("0x", &v));
    CU_ASSERT_FALSE(parse_size("4 K", &v));
}

/* The parsers scenario files and trace lines share (vmsim/parse.h), by the grammars of
 * docs/file-formats.md: a trace line's size takes K|k, M or G alone; a file's size K, M,
 * G or T in either case with B or iB; permissions are r, w, x or '-' in that order. */
static void test_shared_parsers(void)
{
    static const unsigned bits[3] = { 4, 2, 1 };
    uint64_t v;
    unsigned u;
    MmapOptions o = { 0 };
    CU_ASSERT_TRUE(parse_size_span("16k", 3, PARSE_UNITS_TRACE, &v) && v == 16384);
    CU_ASSERT_TRUE(parse_size_span("0x2G", 4, PARSE_UNITS_TRACE, &v) && v == 2ull << 30);
    CU_ASSERT_FALSE(parse_size_span("2m", 2, PARSE_UNITS_TRACE, &v));   /* M only */
    CU_ASSERT_FALSE(parse_size_span("1T", 2, PARSE_UNITS_TRACE, &v));
    CU_ASSERT_FALSE(parse_size_span("4KB", 3, PARSE_UNITS_TRACE, &v));
    CU_ASSERT_FALSE(parse_size_span("4K", 2, PARSE_UNITS_NONE, &v));
    CU_ASSERT_TRUE(parse_size_span("2mB", 3, PARSE_UNITS_FILE, &v) && v == 2u << 20);
    CU_ASSERT_TRUE(parse_size_span("12", 1, PARSE_UNITS_NONE, &v) && v == 1);  /* the span */
    CU_ASSERT_TRUE(parse_size_span("0x00000000000000001", 19, PARSE_UNITS_NONE, &v) && v == 1);
    CU_ASSERT_FALSE(parse_size_span("0x10000000000000000", 19, PARSE_UNITS_NONE, &v));
    CU_ASSERT_TRUE(parse_page_size("4K", &u) && u == 12);
    CU_ASSERT_TRUE(parse_page_size("16", &u) && u == 4);
    CU_ASSERT_TRUE(parse_page_size("1G", &u) && u == 30);
    CU_ASSERT_FALSE(parse_page_size("8", &u));
    CU_ASSERT_FALSE(parse_page_size("2G", &u));
    CU_ASSERT_FALSE(parse_page_size("3K", &u));
    CU_ASSERT_TRUE(parse_perms("r-x", 3, bits, &u) && u == 5);
    CU_ASSERT_TRUE(parse_perms("---", 3, bits, &u) && u == 0);
    CU_ASSERT_FALSE(parse_perms("wrx", 3, bits, &u));
    CU_ASSERT_FALSE(parse_perms("rw", 2, bits, &u));
    CU_ASSERT_TRUE(parse_mmap_option("file", 4, &o) && o.file);
    CU_ASSERT_TRUE(parse_mmap_option("shared", 6, &o) && o.shared && o.file);
    CU_ASSERT_TRUE(parse_mmap_option("huge=4M", 7, &o) && o.huge_shift == 22);
    CU_ASSERT_TRUE(parse_mmap_option("anon", 4, &o) && !o.file && o.shared);
    CU_ASSERT_FALSE(parse_mmap_option("huge=8M", 7, &o));
    CU_ASSERT_FALSE(parse_mmap_option("anonymous", 9, &o));
}

static void test_include_then_override(void)
{
    char err[512];
    Scenario sc;
    write_file(tmpdir, "m.ini", "[machine]\narch = sv39\n[memory]\nframes = 99\npolicy = fifo\n");
    CU_ASSERT_EQUAL(load(&sc, "[scenario]\ninclude = m.ini\n[memory]\nframes = 7\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sc.machine.geo.arch, ARCH_SV39);
    CU_ASSERT_EQUAL(sc.machine.geo.levels, 3);
    CU_ASSERT_EQUAL(sc.machine.memory.frames, 7);          /* the scenario's value wins */
    CU_ASSERT_EQUAL(sc.machine.memory.policy, POLICY_FIFO); /* the include's stays */
    CU_ASSERT_EQUAL(scenario_set(&sc, "memory.frames = 12", "--set", err, sizeof err), 0);
    CU_ASSERT_EQUAL(scenario_set(&sc, "tlb.ways=full", "--set", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sc.machine.memory.frames, 12);
    CU_ASSERT_EQUAL(sc.machine.tlb.ways, 0);
    CU_ASSERT_EQUAL(scenario_set(&sc, "gpu.cores=4", "--set", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown section 'gpu'"));
    CU_ASSERT_EQUAL(scenario_set(&sc, "frames=4", "--set", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected section.key=value"));
    scenario_fini(&sc);
}

static void test_errors_name_the_line(void)
{
    char err[512];
    Scenario sc;
    CU_ASSERT_EQUAL(load(&sc, "[memory]\n\nframes = lots\n", err, sizeof err), -1);
    assert_error_at(err, 3, "expected a number of frames");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "; comment\n[tlb]\nentries = 8\nshape = round\n", err, sizeof err), -1);
    assert_error_at(err, 4, "unknown key 'shape' in [tlb]");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[machine]\narch = custom\nlevels = 9,9,9,9,9,9\n", err, sizeof err), -1);
    assert_error_at(err, 3, "machine.levels: the level indexes");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[tlb]\nentries = 10\n\nways = 4\n", err, sizeof err), -1);
    assert_error_at(err, 4, "tlb.ways: must divide");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[scenario]\ninclude = missing.ini\n", err, sizeof err), -1);
    assert_error_at(err, 2, "in include: ");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[memory]\nframes = 4\n  frames = 5\n", err, sizeof err), -1);
    assert_error_at(err, 3, "expected 'key = value'");
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[process a b]\n", err, sizeof err), -1);
    assert_error_at(err, 1, "expected [process NAME]");
    scenario_fini(&sc);
}

static void test_processes(void)
{
    char err[512];
    Scenario sc;
    CU_ASSERT_EQUAL(load(&sc,
        "[process init]\npid = 7\ntext = 0x400000 16K\nheap = 0x600000 0\n"
        "stack = 0x7ffffffff000 8K\nstack_limit = 1M\nmmap = 0x7f0000000000 64K r-- file\n"
        "oom_score_adj = -500\n[process idle]\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(sc.nprocs, 2);
    ProcSpec *p = &sc.procs[0];
    CU_ASSERT_STRING_EQUAL(p->name, "init");
    CU_ASSERT_EQUAL(p->pid, 7);
    CU_ASSERT_EQUAL(p->nvmas, 3);                  /* a heap of size 0 maps nothing yet */
    CU_ASSERT_EQUAL(p->vmas[0].kind, VMA_TEXT);
    CU_ASSERT_EQUAL(p->vmas[0].perms, PTE_R | PTE_X);
    CU_ASSERT_TRUE(p->vmas[0].file);
    CU_ASSERT_EQUAL(p->vmas[1].start, 0x7ffffffff000 - 8192);
    CU_ASSERT_EQUAL(p->vmas[1].end, 0x7ffffffff000);
    CU_ASSERT_EQUAL(p->stack_max, 1u << 20);
    CU_ASSERT_EQUAL(p->vmas[2].perms, PTE_R);
    CU_ASSERT_TRUE(p->vmas[2].file);
    CU_ASSERT_EQUAL(p->oom_score_adj, -500);
    CU_ASSERT_STRING_EQUAL(sc.procs[1].name, "idle");   /* created by its header alone */
    Sim *sim = scenario_build(&sc, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const Process *init = sim_proc_by_pid(sim, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(init);
    CU_ASSERT_EQUAL(init->stack_limit, 0x7ffffffff000 - (1u << 20));
    CU_ASSERT_EQUAL(sim_proc(sim, 1)->pid, 8);           /* pids assigned after 7 */
    sim_destroy(sim);
    scenario_fini(&sc);
}

static void test_default_process_maps_everything(void)
{
    char err[512];
    Scenario sc;
    scenario_init(&sc);
    Sim *sim = scenario_build(&sc, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const Process *p = sim_proc(sim, 0);
    CU_ASSERT_STRING_EQUAL(p->name, "main");
    CU_ASSERT_EQUAL(p->nvmas, 1);
    CU_ASSERT_EQUAL(p->vmas[0].start, 0);
    CU_ASSERT_EQUAL(p->vmas[0].end, 1ull << 47);     /* the canonical lower half */
    CU_ASSERT_EQUAL(p->vmas[0].perms, PTE_R | PTE_W | PTE_X);
    sim_destroy(sim);
    scenario_fini(&sc);
}

static void test_inline_trace_keeps_line_numbers(void)
{
    char err[512];
    Scenario sc;
    CU_ASSERT_EQUAL(load(&sc,
        "[trace]\nformat = vmsim\nlines =\n    R 0x1000\n    # a comment\n\n    W 0x2000 8\n",
        err, sizeof err), 0);
    bool none;
    TraceReader *t = scenario_open_trace(&sc, NULL, TRACE_AUTO, &none, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    TraceRecord rec;
    CU_ASSERT_EQUAL(trace_next(t, &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.line, 4);
    CU_ASSERT_EQUAL(rec.addr, 0x1000);
    CU_ASSERT_EQUAL(trace_next(t, &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.line, 7);
    CU_ASSERT_EQUAL(rec.op, OP_WRITE);
    CU_ASSERT_EQUAL(rec.size, 8);
    CU_ASSERT_EQUAL(trace_next(t, &rec, err, sizeof err), 0);
    trace_close(t);
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[trace]\nlines =\n    R 0x1000\n    jump 0x2000\n", err, sizeof err), -1);
    assert_error_at(err, 4, "expected");
    scenario_fini(&sc);
}

static void test_custom_layout(void)
{
    char err[512];
    Scenario sc;
    CU_ASSERT_EQUAL(load(&sc,
        "[machine]\narch = custom\nstyle = plain\nlevels = 4,4\npage_size = 256\npa_bits = 16\n"
        "pte_size = 2\nvalid_bit = 15\npfn_shift = 0\npfn_bits = 8\nread_bit = none\n"
        "write_bit = none\nexec_bit = none\nnx_bit = none\nuser_bit = none\naccessed_bit = none\n"
        "dirty_bit = none\nhuge_bit = none\nglobal_bit = none\nsign_extend = no\n"
        "[memory]\nframes = 256\n", err, sizeof err), 0);
    const Geometry *g = &sc.machine.geo;
    CU_ASSERT_EQUAL(g->va_bits, 16);          /* 4 + 4 + 8 */
    CU_ASSERT_EQUAL(g->page_shift, 8);
    CU_ASSERT_EQUAL(g->fmt.valid, 15);
    CU_ASSERT_EQUAL(g->style, PT_STYLE_PLAIN);
    CU_ASSERT_EQUAL(geo_index(g, 0, 0xab12), 0xa);
    CU_ASSERT_EQUAL(geo_index(g, 1, 0xab12), 0xb);
    scenario_fini(&sc);
    CU_ASSERT_EQUAL(load(&sc, "[machine]\narch = custom\npte_size = 4\nvalid_bit = 40\n", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "s.ini:4: machine."));   /* names the last layout key */
    scenario_fini(&sc);
}

/* Every key scenario_section lists (what `vmsim help keys`, the man page and shell
 * completion show) is one the loader takes: a bad value for it is an error about the
 * value, never "unknown key". A key left out of the list is caught the other way round
 * by tests/verbs/install.sh, which reads the loader's key comparisons. */
static void test_listed_keys_are_taken(void)
{
    Scenario sc;
    char err[512], text[256];
    const char *keys, *section;
    int n = 0;
    for (size_t i = 0; (section = scenario_section(i, &keys)); i++) {
        for (const char *k = keys; *k; k += strcspn(k, " "), k += *k == ' ', n++) {
            int len = (int)strcspn(k, " ");
            snprintf(text, sizeof text, "[%s%s]\n%.*s = ?\n", section,
                     strcmp(section, "process") == 0 ? " p" : "", len, k);
            scenario_init(&sc);
            err[0] = '\0';
            scenario_load_text(&sc, "s.ini", text, err, sizeof err);
            if (strstr(err, "unknown"))
                CU_FAIL(err);
            scenario_fini(&sc);
        }
    }
    CU_ASSERT(n > 40);
    scenario_init(&sc);
    CU_ASSERT_EQUAL(scenario_load_text(&sc, "s.ini", "[memory]\nnosuchkey = 1\n", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key"));
    scenario_fini(&sc);
}

void suite_scenario(void);
void suite_scenario(void)
{
    CU_pSuite s = CU_add_suite("scenario", make_tmpdir, remove_tmpdir);
    if (!s)
        return;
    CU_add_test(s, "sizes and numbers", test_parse_size);
    CU_add_test(s, "the parsers files and traces share", test_shared_parsers);
    CU_add_test(s, "include, then override, then --set", test_include_then_override);
    CU_add_test(s, "errors name FILE:LINE", test_errors_name_the_line);
    CU_add_test(s, "processes and their regions", test_processes);
    CU_add_test(s, "no process: one that maps everything", test_default_process_maps_everything);
    CU_add_test(s, "inline trace keeps file line numbers", test_inline_trace_keeps_line_numbers);
    CU_add_test(s, "a custom layout from keys", test_custom_layout);
    CU_add_test(s, "every listed key is taken", test_listed_keys_are_taken);
}
