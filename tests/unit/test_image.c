/* Memory images: the text format round trip, OSTEP's dump read as an image and
 * walked with no OS (its own answers, from paging-multilevel-translate.py -s 0 -c,
 * in tests/data/ostep/), hand-built x86-64 tables (Intel SDM 3A §4.5), dumps and
 * errors. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmsim/image.h"
#include "vmsim/sim.h"

#define SEED0 TEST_DATA "/ostep/multilevel-seed0.txt"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 16);
    size_t n = text ? fread(text, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return text;
}

/* Write, read, write again: the same text; and the OSTEP dump of both the same. */
static void test_round_trip(void)
{
    Image a, b;
    char err[512];
    image_init(&a);
    image_init(&b);
    CU_ASSERT_EQUAL_FATAL(image_read(&a, SEED0, err, sizeof err), 0);
    CU_ASSERT_EQUAL(a.root, 108);
    CU_ASSERT_EQUAL(a.naddrs, 10);
    char *text = image_format(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(strncmp(text, "# vmsim memory image\nmachine = ostep\nroot = 108\nframe 0: 1b1d05", 63), 0);
    CU_ASSERT_PTR_NULL(strstr(text, "frame 1:"));        /* all zeros: left out */
    CU_ASSERT_EQUAL_FATAL(image_read_text(&b, "again.image", text, err, sizeof err), 0);
    char *again = image_format(&b);
    CU_ASSERT_STRING_EQUAL(again, text);
    char *da = image_dump(&a, IMAGE_DUMP_OSTEP), *db = image_dump(&b, IMAGE_DUMP_OSTEP);
    CU_ASSERT_STRING_EQUAL(da, db);
    /* ...and OSTEP's own lines, from "page   0:" through the PDBR line. */
    char *file = slurp(SEED0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    char *from = strstr(file, "page   0:"), *pdbr = strstr(file, "PDBR:");
    CU_ASSERT_PTR_NOT_NULL_FATAL(from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pdbr);
    size_t n = (size_t)(strchr(pdbr, '\n') + 1 - from);
    CU_ASSERT_EQUAL(strlen(da), n);
    CU_ASSERT_EQUAL(strncmp(da, from, n), 0);
    free(file);
    free(da);
    free(db);
    free(again);
    free(text);
    image_fini(&a);
    image_fini(&b);
}

typedef struct FaultSeen {
    int faults;
    unsigned level;
} FaultSeen;

static void on_event(void *ctx, const SimEvent *ev)
{
    FaultSeen *f = ctx;
    if (ev->kind == EV_FAULT) {
        f->faults++;
        f->level = ev->level;
    }
}

/* Runs the image over its own addresses and checks each against OSTEP's answer. */
static void test_ostep_answers(void)
{
    Image img;
    char err[512];
    image_init(&img);
    CU_ASSERT_EQUAL_FATAL(image_read(&img, SEED0, err, sizeof err), 0);
    Sim *s = sim_create_image(&img, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    /* The pages OSTEP allocated ("ARG allocated 64") and its tables: the PD and one PT
     * per valid PDE (valid bit 7 of each byte of the PD's page). */
    const uint8_t *pd = image_frame(&img, 108);
    unsigned tables = 1;
    for (int i = 0; i < 32; i++)
        tables += pd[i] >> 7;
    CU_ASSERT_EQUAL(sim_proc(s, 0)->rss, 64);
    CU_ASSERT_EQUAL(sim_proc(s, 0)->pt_pages, tables);
    CU_ASSERT_EQUAL(sim_frames(s)->in_use[FRAME_DATA], 64);
    CU_ASSERT_EQUAL(sim_frames(s)->in_use[FRAME_TABLE], tables);
    char trace[512];
    size_t len = 0;
    for (size_t i = 0; i < img.naddrs; i++)
        len += (size_t)snprintf(trace + len, sizeof trace - len, "R 0x%llx\n", (unsigned long long)img.addrs[i]);
    TraceReader *t = trace_open_mem(trace, len, "seed0", 1, TRACE_VMSIM, 5, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    sim_set_trace(s, t);
    FaultSeen seen = { 0, 0 };
    sim_set_observer(s, on_event, &seen);
    FILE *f = fopen(TEST_DATA "/ostep/multilevel-seed0-answers.csv", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256];
    int rows = 0;
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));      /* the header */
    while (fgets(line, sizeof line, f)) {
        unsigned seed, va, pde_i, pde, pte_i, pte, pa = 0, value = 0;
        char result[16];
        int got = sscanf(line, "%u,%x,%15[A-Z_],%u,%x,%u,%x,%x,%x", &seed, &va, result, &pde_i,
                         &pde, &pte_i, &pte, &pa, &value);
        CU_ASSERT_FATAL(got >= 7);
        StepInfo st;
        int before = seen.faults;
        CU_ASSERT_EQUAL_FATAL(sim_step(s, &st), STEP_OK);
        CU_ASSERT_EQUAL(st.va, va);
        if (strcmp(result, "OK") == 0) {
            CU_ASSERT_EQUAL(st.pa, pa);
            CU_ASSERT_EQUAL(image_read_mem(&img, pa, 1), value);
            CU_ASSERT_EQUAL(seen.faults, before);
        } else {
            CU_ASSERT_EQUAL(st.pa, PADDR_NONE);
            CU_ASSERT_EQUAL(st.fault, FAULT_UNHANDLED);
            CU_ASSERT_EQUAL(seen.faults, before + 1);
            CU_ASSERT_EQUAL(seen.level, strcmp(result, "PDE_FAULT") == 0 ? 0u : 1u);
        }
        rows++;
    }
    fclose(f);
    CU_ASSERT_EQUAL(rows, 10);
    StepInfo st;
    CU_ASSERT_EQUAL(sim_step(s, &st), STEP_END);
    CU_ASSERT_PTR_NULL(sim_check(s));
    sim_destroy(s);
    trace_close(t);
    image_fini(&img);
}

/* x86-64 by hand: CR3 = frame 2; PML4[0] -> 3, PDPT[0] -> 4, PD[2] -> 5, PT[0] -> 9
 * maps va 0x400000 (indices 0, 0, 2, 0); entries P|RW|US = 0x7 (SDM 3A table 4-19). */
static void build_x86(Image *img)
{
    char err[256];
    image_init(img);
    CU_ASSERT_EQUAL_FATAL(image_set_machine(img, "x86_64", NULL, err, sizeof err), 0);
    img->root = 2;
    CU_ASSERT_EQUAL(image_write_mem(img, 0x2000, 8, 0x3007), 0);
    CU_ASSERT_EQUAL(image_write_mem(img, 0x3000, 8, 0x4007), 0);
    CU_ASSERT_EQUAL(image_write_mem(img, 0x4000 + 2 * 8, 8, 0x5007), 0);
    CU_ASSERT_EQUAL(image_write_mem(img, 0x5000, 8, 0x9007), 0);
    CU_ASSERT_EQUAL(image_write_mem(img, 0x9123, 1, 0xab), 0);
}

static StepInfo run_one(Sim *s, const char *line, FaultSeen *seen)
{
    char err[256];
    TraceReader *t = trace_open_mem(line, strlen(line), "t", 1, TRACE_VMSIM, 12, err, sizeof err);
    StepInfo st = { 0 };
    sim_set_trace(s, t);
    sim_set_observer(s, on_event, seen);
    CU_ASSERT_EQUAL(sim_step(s, &st), STEP_OK);
    sim_set_trace(s, NULL);
    trace_close(t);
    return st;
}

static void test_x86_image(void)
{
    Image img;
    char err[256];
    build_x86(&img);
    Sim *s = sim_create_image(&img, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    FaultSeen seen = { 0, 0 };
    StepInfo st = run_one(s, "R 0x400123\n", &seen);
    CU_ASSERT_EQUAL(st.pa, 0x9123);
    CU_ASSERT_EQUAL(seen.faults, 0);
    st = run_one(s, "R 0x600000\n", &seen);            /* PD[3] is empty */
    CU_ASSERT_EQUAL(st.pa, PADDR_NONE);
    CU_ASSERT_EQUAL(seen.level, 2);
    CU_ASSERT_STRING_EQUAL(geo_level_name(&img.m.geo, seen.level), "PD");
    st = run_one(s, "R 0x8000000000\n", &seen);        /* PML4[1] is empty */
    CU_ASSERT_EQUAL(seen.level, 0);
    st = run_one(s, "R 0x600000\n", &seen);            /* never repaired */
    CU_ASSERT_EQUAL(seen.faults, 3);
    sim_destroy(s);

    char *vm = image_dump(&img, IMAGE_DUMP_VMPRINT);
    CU_ASSERT_STRING_EQUAL(vm,
        "page table 0x0000000000002000\n"
        "..0: pte 0x0000000000003007 pa 0x0000000000003000\n"
        ".. ..0: pte 0x0000000000004007 pa 0x0000000000004000\n"
        ".. .. ..2: pte 0x0000000000005007 pa 0x0000000000005000\n"
        ".. .. .. ..0: pte 0x0000000000009007 pa 0x0000000000009000\n");
    free(vm);
    char *ent = image_dump(&img, IMAGE_DUMP_ENTRIES);
    CU_ASSERT_STRING_EQUAL(ent,
        "PML4 in frame 2 (0x2000), va 0x0-0xffffffffffff\n"
        "  PML4[0] at 0x2000 = 0x0000000000003007  VRWXU----  -> PDPT in frame 3\n"
        "PDPT in frame 3 (0x3000), va 0x0-0x7fffffffff\n"
        "  PDPT[0] at 0x3000 = 0x0000000000004007  VRWXU----  -> PD in frame 4\n"
        "PD in frame 4 (0x4000), va 0x0-0x3fffffff\n"
        "  PD[2] at 0x4010 = 0x0000000000005007  VRWXU----  -> PT in frame 5\n"
        "PT in frame 5 (0x5000), va 0x400000-0x5fffff\n"
        "  PT[0] at 0x5000 = 0x0000000000009007  VRWXU----  -> page 0x400000 in frame 9 (0x9000)\n");
    free(ent);
    char *text = image_format(&img);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nframe 4: 000000000000000000000000000000000750\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nframe 9: ") && strstr(text, "ab\n"));
    free(text);
    image_fini(&img);
}

/* The image of OSTEP's linear table for `paging-linear-translate.py -s 1 -a 1m -p 2m
 * -P 1k -n 5 -c` on tests/data/image/linear-1k.ini: 1024 4-byte entries, four pages,
 * root = 8 (frames 8-11). VPN 513 -> PFN 0x49a and 767 -> 0x556 sit in frame 10 (513
 * * 4 = 2052 and 767 * 4 = 3068 bytes into the table), 891 -> 0x289 and 1013 -> 0x3f
 * in frame 11. root gives the root's line. */
static char *linear_image(const char *root)
{
    static const struct { unsigned vpn; uint32_t pfn; } e[] = {
        { 513, 0x49a }, { 767, 0x556 }, { 891, 0x289 }, { 1013, 0x3f },
    };
    uint8_t table[4096] = { 0 };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        uint32_t v = 0x80000000u | e[i].pfn;
        for (int b = 0; b < 4; b++)
            table[e[i].vpn * 4 + b] = (uint8_t)(v >> (8 * b));
    }
    size_t cap = 2 * sizeof table + 256, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text, cap, "machine = linear-1k.ini\n%s\n", root);
    for (unsigned f = 2; f < 4; f++) {            /* frames 10 and 11 hold the entries */
        n += (size_t)snprintf(text + n, cap - n, "frame %u: ", 8 + f);
        for (unsigned i = 0; i < 1024; i++)
            n += (size_t)snprintf(text + n, cap - n, "%02x", table[f * 1024 + i]);
        n += (size_t)snprintf(text + n, cap - n, "\n");
    }
    return text;
}

/* A root of four pages: read, walked to OSTEP's answers (-c: 0x1268b4, 0xa246d,
 * invalid VPN 765, 0x155973, 0xfd95), its frames counted, dumped; a root not aligned
 * to its four frames, or past the end of memory, refused. */
static void test_wide_root(void)
{
    Image img;
    char err[256];
    image_init(&img);
    char *text = linear_image("root = 8");
    CU_ASSERT_EQUAL_FATAL(image_read_text(&img, TEST_DATA "/image/linear.image", text, err, sizeof err), 0);
    free(text);
    Sim *s = sim_create_image(&img, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(sim_proc(s, 0)->pt_pages, 4);
    CU_ASSERT_EQUAL(sim_frames(s)->in_use[FRAME_TABLE], 4);
    CU_ASSERT_EQUAL(sim_frames(s)->in_use[FRAME_DATA], 4);
    CU_ASSERT_EQUAL(sim_frames(s)->frames[10].used, 2);      /* VPNs 513 and 767 */
    CU_ASSERT_EQUAL(sim_frames(s)->frames[11].used, 2);
    CU_ASSERT_PTR_NULL(sim_check(s));
    static const struct { const char *line; paddr_t pa; } want[] = {
        { "R 0x804b4\n", 0x1268b4 }, { "R 0xdec6d\n", 0xa246d }, { "R 0xbf76c\n", PADDR_NONE },
        { "R 0xbfd73\n", 0x155973 }, { "R 0xfd595\n", 0xfd95 },
    };
    FaultSeen seen = { 0, 0 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CU_ASSERT_EQUAL(run_one(s, want[i].line, &seen).pa, want[i].pa);
    CU_ASSERT_EQUAL(seen.faults, 1);
    sim_destroy(s);
    char *ent = image_dump(&img, IMAGE_DUMP_ENTRIES);
    static const char head[] = "T0 in frames 8-11 (0x2000-0x2fff), va 0x0-0xfffff\n"
        "  T0[513] at 0x2804 = 0x8000049a  VRWXU----  -> page 0x80400 in frame 1178 (0x126800)\n";
    CU_ASSERT_EQUAL(strncmp(ent, head, strlen(head)), 0);
    free(ent);
    image_fini(&img);

    static const struct { const char *root, *want; } bad[] = {
        { "root = 6", "linear.image:2: the root table spans 4 frames and starts at a multiple of 4 (frame 6 is not one)" },
        { "root = 2048", "linear.image:2: the root table spans frames 2048-2051, beyond the machine's 2048 frames" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        text = linear_image(bad[i].root);
        image_init(&img);
        CU_ASSERT_EQUAL(image_read_text(&img, TEST_DATA "/image/linear.image", text, err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
        image_fini(&img);
        free(text);
    }
}

/* Each bad image names FILE:LINE and what was expected. */
static void test_errors(void)
{
    static const struct { const char *text, *want; } cases[] = {
        { "machine = ostep\nroot = 3\nframe 1: 0g\n", "bad.image:3: expected the frame's bytes" },
        { "root = 3\nframe 1: 00\n", "bad.image:2: expected 'machine = ...' before" },
        { "machine = vax\n", "bad.image:1: machine = vax: expected x86_64" },
        { "machine = ostep\nroot = 200\n", "bad.image:2: the root frame 200 is beyond" },
        { "machine = ostep\nframe 1: 00\n", "bad.image:2: the image ended without a 'root" },
        { "machine = ostep\nroot = 1\nframe 1: 00\nframe 1: 01\n", "bad.image:4: frame 1 is given twice" },
        { "machine = ostep\nroot = 1\nframe 130: 00\n", "bad.image:3: frame 130 is beyond" },
        { "machine = ostep\nroot = 1\nframe 2: " "0000000000000000000000000000000000000000000000000000000000000000ff\n",
          "bad.image:3: frame 2 has more than 32 bytes" },
        { "machine = ostep\nroot = 1 2\n", "bad.image:2: expected the root table's frame number, got '1 2'" },
        { "machine = ostep\nroot = 1\nframes = 4\n", "bad.image:3: unknown key 'frames'" },
        { "machine = ostep\nroot = 1\nhello\n", "bad.image:3: expected 'machine = NAME'" },
        { "machine = x86_64\nroot = 1\npage   0:00\n", "bad.image:3: an OSTEP 'page N:' line" },
        { "machine = no/such.ini\n", "bad.image:1: no/such.ini: No such file" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Image img;
        char err[512] = "";
        image_init(&img);
        CU_ASSERT_EQUAL(image_read_text(&img, "bad.image", cases[i].text, err, sizeof err), -1);
        if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
            fprintf(stderr, "\n  case %zu: got '%s'\n", i, err);
        CU_ASSERT_EQUAL(strncmp(err, cases[i].want, strlen(cases[i].want)), 0);
        image_fini(&img);
    }
    /* Comments, blanks, short frames, spaces between bytes, hex numbers. */
    Image img;
    char err[256];
    image_init(&img);
    CU_ASSERT_EQUAL(image_read_text(&img, "ok.image",
        "# a comment\n\nmachine = ostep ; inline\nroot = 0x6\nframe 6: 81 02\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(img.root, 6);
    CU_ASSERT_EQUAL(image_read_mem(&img, 6 * 32, 2), 0x0281);
    CU_ASSERT_EQUAL(image_read_mem(&img, 6 * 32 + 2, 1), 0);
    CU_ASSERT_EQUAL(img.m.memory.frames, 128);              /* 7-bit PFN */
    image_fini(&img);
    /* A machine config beside the image: configs/ostep.ini's 8-entry TLB. */
    CU_ASSERT_EQUAL(image_read_text(&img, TEST_DATA "/image/cfg.image",
        "machine = ../../../configs/ostep.ini\nroot = 2\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(img.m.geo.arch, ARCH_OSTEP);
    CU_ASSERT_EQUAL(img.m.tlb.entries, 8);
    CU_ASSERT_STRING_EQUAL(img.machine, "../../../configs/ostep.ini");
    image_fini(&img);
}

void suite_image(void);     /* called by runner.c through suites.h */

void suite_image(void)
{
    TEST_SUITE("image",
        { "write, read, write: byte for byte", test_round_trip },
        { "OSTEP seed 0 dump: its ten answers", test_ostep_answers },
        { "x86-64 image: faults at their level, vmprint", test_x86_image },
        { "bad images name FILE:LINE", test_errors },
        { "a root of four pages (OSTEP's linear table)", test_wide_root });
}
