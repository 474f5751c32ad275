/* Translation questions: the key of generated variants against walks written here
 * over the questions' dump text (OSTEP's byte dump walked as paging-multilevel-
 * translate.py does; x86-64 bytes as Intel SDM 3A §4.5 reads them; xv6's vmprint
 * tree read as Sv39 tables), and each slip recognised. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "../../sim/grade/translate.h"
#include "vmsim/sim.h"

/* ---- reading the handout ------------------------------------------------------ */

#define MAXF 256

/* Physical memory as the "page N:hex" lines give it. */
typedef struct Handout {
    uint8_t *mem;              /* MAXF pages of up to 4096 bytes */
    unsigned page;
    long root;
    unsigned long long va[TRANSLATE_MAX_ADDRS];
    int nva;
    char *vm;                  /* the vmprint lines, when that is the dump */
} Handout;

static int hexv(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void read_handout(const char *text, const char *q, unsigned page, Handout *h)
{
    memset(h, 0, sizeof *h);
    h->mem = calloc(MAXF, 4096);
    h->page = page;
    h->root = -1;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "  %s.", q);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        unsigned n;
        int off;
        if (sscanf(l, "page %u:%n", &n, &off) == 1 && n < MAXF) {
            for (unsigned i = 0; i < page && l[off + 2 * i] != '\n'; i++)
                h->mem[n * page + i] = (uint8_t)(hexv(l[off + 2 * i]) << 4 | hexv(l[off + 2 * i + 1]));
        } else if (strncmp(l, "PDBR: ", 6) == 0) {
            h->root = strtol(l + 6, NULL, 10);
        } else if (strncmp(l, prefix, strlen(prefix)) == 0 && l[strlen(prefix)] >= '0' &&
                   l[strlen(prefix)] <= '9') {
            const char *sp = strstr(l, "  0x");
            CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
            h->va[h->nva++] = strtoull(sp + 2, NULL, 16);
        }
    }
}

/* The key's value of ITEM ("t.3" or "t.3.value") in key text. */
static void key_value(const char *key, const char *item, char *out, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s = ", item);
    out[0] = '\0';
    for (const char *l = key; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, pat, strlen(pat)) == 0) {
            size_t n = strcspn(l + strlen(pat), "\n");
            snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), l + strlen(pat));
            return;
        }
    }
}

/* OSTEP's translate(): PDE at PDBR's page + VA bits 14..10, PTE at the PDE's PFN page
 * + bits 9..5, valid bit 7, PFN bits 6..0 (paging-multilevel-translate.py). */
static void ostep_walk(const Handout *h, unsigned long long va, char *pa, char *value, unsigned idx[2])
{
    idx[0] = (unsigned)(va >> 10) & 31;
    idx[1] = (unsigned)(va >> 5) & 31;
    uint8_t pde = h->mem[h->root * 32 + idx[0]];
    if (!(pde & 0x80)) {
        strcpy(pa, "fault PD");
        strcpy(value, "-");
        return;
    }
    uint8_t pte = h->mem[(pde & 0x7f) * 32 + idx[1]];
    if (!(pte & 0x80)) {
        strcpy(pa, "fault PT");
        strcpy(value, "-");
        return;
    }
    unsigned p = (unsigned)(pte & 0x7f) << 5 | (unsigned)(va & 31);
    sprintf(pa, "0x%x", p);
    sprintf(value, "0x%02x", h->mem[p]);
}

static void generate(TranslateVariant *v, const char *machine, unsigned mapped, uint64_t seed,
                     int dump)
{
    TranslateSpec s;
    char err[256];
    translate_spec_init(&s);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "machine", machine, err, sizeof err), 0);
    char m[16];
    snprintf(m, sizeof m, "%u", mapped);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "mapped", m, err, sizeof err), 0);
    if (dump >= 0) {
        s.dump = (ImageDumpStyle)dump;
        s.dump_set = true;
    }
    int r = translate_generate(&s, seed, v, err, sizeof err);
    if (r != 0)
        fprintf(stderr, "\n  generate: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(r, 0);
}

/* ostep: 30 seeds, every item of the key against the walk over questions.txt's dump. */
static void test_key_ostep(void)
{
    int faults = 0, oks = 0, roots_differ = 0;
    long first_root = -1;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        TranslateVariant v;
        generate(&v, "ostep", 16, seed, -1);
        char *q = translate_questions(&v, "t"), *key = translate_key(&v, "t");
        Handout h;
        read_handout(q, "t", 32, &h);
        CU_ASSERT_EQUAL(h.nva, 10);
        CU_ASSERT(h.root >= 0);
        roots_differ += first_root >= 0 && h.root != first_root;
        if (first_root < 0)
            first_root = h.root;
        for (int i = 0; i < h.nva; i++) {
            char pa[32], value[16], item[32], got[64];
            unsigned idx[2];
            ostep_walk(&h, h.va[i], pa, value, idx);
            snprintf(item, sizeof item, "t.%d", i + 1);
            key_value(key, item, got, sizeof got);
            CU_ASSERT_STRING_EQUAL(got, pa);
            faults += pa[0] == 'f';
            oks += pa[0] == '0';
            snprintf(item, sizeof item, "t.%d.value", i + 1);
            key_value(key, item, got, sizeof got);
            CU_ASSERT_STRING_EQUAL(got, value);
            snprintf(item, sizeof item, "t.%d.pte", i + 1);
            key_value(key, item, got, sizeof got);
            CU_ASSERT_EQUAL(strtoul(got, NULL, 10), idx[1]);
        }
        free(h.mem);
        free(q);
        free(key);
        translate_variant_free(&v);
    }
    CU_ASSERT(faults > 30);          /* half the addresses are drawn anywhere */
    CU_ASSERT(oks > 30);             /* half in mapped pages */
    CU_ASSERT(roots_differ > 20);    /* frames are placed at random */
}

/* x86-64, its bytes shown in OSTEP's style: the walk of SDM 3A §4.5 (CR3, then the
 * PML4E, PDPTE, PDE, PTE at index bits 47..39, 38..30, 29..21, 20..12; P is bit 0,
 * the next table's address bits 51..12). */
static void test_key_x86(void)
{
    static const char *const names[] = { "PML4", "PDPT", "PD", "PT" };
    for (uint64_t seed = 1; seed <= 5; seed++) {
        TranslateVariant v;
        generate(&v, "x86_64", 8, seed, IMAGE_DUMP_OSTEP);
        char *q = translate_questions(&v, "x"), *key = translate_key(&v, "x");
        Handout h;
        read_handout(q, "x", 4096, &h);
        CU_ASSERT_EQUAL_FATAL(h.nva, 10);
        for (int i = 0; i < h.nva; i++) {
            unsigned long long table = (unsigned long long)h.root << 12, entry = 0;
            char want[32] = "", item[16], got[64];
            for (int l = 0; l < 4 && !want[0]; l++) {
                unsigned idx = (unsigned)(h.va[i] >> (39 - 9 * l)) & 511;
                memcpy(&entry, h.mem + table + idx * 8, 8);   /* little-endian host */
                if (!(entry & 1))
                    snprintf(want, sizeof want, "fault %s", names[l]);
                table = entry & 0x000ffffffffff000ull;
            }
            if (!want[0])
                snprintf(want, sizeof want, "0x%llx", table | (h.va[i] & 0xfff));
            snprintf(item, sizeof item, "x.%d", i + 1);
            key_value(key, item, got, sizeof got);
            CU_ASSERT_STRING_EQUAL(got, want);
        }
        free(h.mem);
        free(q);
        free(key);
        translate_variant_free(&v);
    }
}

/* The vmprint line under the lines [from, to) of depth d with index idx; the range
 * of its children in *cfrom, *cto. -1 if there is none. */
typedef struct VmLine {
    int depth;
    unsigned idx;
    unsigned long long pa;
} VmLine;

static int vm_find(const VmLine *ls, int from, int to, int d, unsigned idx, int *cto)
{
    for (int k = from; k < to; k++) {
        if (ls[k].depth == d && ls[k].idx == idx) {
            int e = k + 1;
            while (e < to && ls[e].depth > d)
                e++;
            *cto = e;
            return k;
        }
    }
    return -1;
}

/* Sv39 from xv6's vmprint: each ".." is a level; VPN[2], VPN[1], VPN[0] are VA bits
 * 38..30, 29..21, 20..12 (RISC-V privileged spec §4.4); the leaf's pa plus the
 * offset is the answer. */
static void test_key_vmprint(void)
{
    static const char *const names[] = { "L2", "L1", "L0" };
    VmLine *ls = calloc(4096, sizeof *ls);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        TranslateVariant v;
        generate(&v, "sv39", 12, seed, IMAGE_DUMP_VMPRINT);
        char *q = translate_questions(&v, "s"), *key = translate_key(&v, "s");
        int n = 0;
        Handout h;
        read_handout(q, "s", 4096, &h);
        for (const char *l = strstr(q, "\n.."); l && l[1] == '.'; l = strchr(l + 1, '\n')) {
            int d = 0;
            const char *p = l + 1;
            while (strncmp(p, "..", 2) == 0) {
                d++;
                p += p[2] == ' ' ? 3 : 2;
            }
            CU_ASSERT_EQUAL_FATAL(sscanf(p, "%u: pte %*s pa %llx", &ls[n].idx, &ls[n].pa), 2);
            ls[n++].depth = d;
        }
        CU_ASSERT(n > 12);
        for (int i = 0; i < h.nva; i++) {
            int from = 0, to = n, k = -1, cto = n;
            char want[32] = "", item[16], got[64];
            for (int d = 1; d <= 3 && !want[0]; d++) {
                unsigned idx = (unsigned)(h.va[i] >> (12 + 9 * (3 - d))) & 511;
                k = vm_find(ls, from, to, d, idx, &cto);
                if (k < 0)
                    snprintf(want, sizeof want, "fault %s", names[d - 1]);
                from = k + 1;
                to = cto;
            }
            if (!want[0])
                snprintf(want, sizeof want, "0x%llx", ls[k].pa | (h.va[i] & 0xfff));
            snprintf(item, sizeof item, "s.%d", i + 1);
            key_value(key, item, got, sizeof got);
            CU_ASSERT_STRING_EQUAL(got, want);
        }
        free(h.mem);
        free(q);
        free(key);
        translate_variant_free(&v);
    }
    free(ls);
}

/* ---- slips ---------------------------------------------------------------------- */

static void expect(const TranslateVariant *v, const char *part, const char *answer, bool right,
                   TranslateSlip slip)
{
    TranslateMark m;
    CU_ASSERT_EQUAL_FATAL(translate_grade(v, part, answer, &m), 0);
    if (m.right != right || m.slip != slip)
        fprintf(stderr, "\n  %s = %s: right %d slip %d (%s), wanted %d %d\n", part, answer, m.right,
                m.slip, m.explain, right, slip);
    CU_ASSERT_EQUAL(m.right, right);
    CU_ASSERT_EQUAL(m.slip, slip);
    if (slip != SLIP_NONE)
        CU_ASSERT_PTR_NOT_NULL(strstr(m.explain, translate_slip_words(slip)));
}

/* An address of an ostep variant that translates, with its PDE and PTE as the
 * handout shows them, and a non-zero offset. */
typedef struct Found {
    TranslateVariant v;
    Handout h;
    int i;                    /* the address, 0-based */
} Found;

static bool ostep_find(Found *f, bool (*want)(const Handout *, unsigned long long))
{
    for (uint64_t seed = 1; seed <= 400; seed++) {
        generate(&f->v, "ostep", 80, seed, -1);
        char *q = translate_questions(&f->v, "t");
        read_handout(q, "t", 32, &f->h);
        free(q);
        for (f->i = 0; f->i < f->h.nva; f->i++)
            if (want(&f->h, f->h.va[f->i]))
                return true;
        free(f->h.mem);
        translate_variant_free(&f->v);
    }
    return false;
}

static uint8_t pde_of(const Handout *h, unsigned long long va) { return h->mem[h->root * 32 + ((va >> 10) & 31)]; }
static uint8_t pte_of(const Handout *h, unsigned long long va) { return h->mem[(pde_of(h, va) & 0x7f) * 32 + ((va >> 5) & 31)]; }

/* Translates, with an offset, and indices that differ. */
static bool translates(const Handout *h, unsigned long long va)
{
    return (pde_of(h, va) & 0x80) && (pte_of(h, va) & 0x80) && (va & 31) &&
           ((va >> 10) & 31) != ((va >> 5) & 31);
}

/* ...and a PD index of two decimal digits, so 0x24 and 24 differ. */
static bool translates_wide(const Handout *h, unsigned long long va)
{
    return translates(h, va) && ((va >> 10) & 31) >= 10;
}

static bool faults_at_pt(const Handout *h, unsigned long long va)
{
    return (pde_of(h, va) & 0x80) && !(pte_of(h, va) & 0x80);
}

/* The walk with the PD and PT indices exchanged also translates. */
static bool swap_translates(const Handout *h, unsigned long long va)
{
    unsigned long long sw = ((va >> 5) & 31) << 10 | ((va >> 10) & 31) << 5 | (va & 31);
    return translates(h, va) && translates(h, sw);
}

static void test_slips_translation(void)
{
    Found f;
    CU_ASSERT_FATAL(ostep_find(&f, translates_wide));
    const Handout *h = &f.h;
    unsigned long long va = h->va[f.i], off = va & 31;
    uint8_t pde = pde_of(h, va), pte = pte_of(h, va);
    unsigned long long pa = (unsigned long long)(pte & 0x7f) << 5 | off;
    char part[32], ans[32];
    snprintf(part, sizeof part, "%d", f.i + 1);
    sprintf(ans, "0x%llx", pa);
    expect(&f.v, part, ans, true, SLIP_NONE);
    sprintf(ans, "%llu", pa);                                    /* decimal is fine */
    expect(&f.v, part, ans, true, SLIP_NONE);
    sprintf(ans, "0x%llu", pa);                                  /* decimal digits as hex */
    expect(&f.v, part, ans, false, SLIP_BASE);
    sprintf(ans, "0x%llx", (unsigned long long)pte << 5 | off);  /* 0x80 kept in the PFN */
    expect(&f.v, part, ans, false, SLIP_VALID_BIT);
    sprintf(ans, "0x%llx", pa - off);                            /* no offset */
    expect(&f.v, part, ans, false, SLIP_NO_OFFSET);
    sprintf(ans, "0x%llx", (unsigned long long)(pde & 0x7f) << 5 | off);   /* the PT's frame */
    expect(&f.v, part, ans, false, SLIP_LEVEL_EARLY);
    sprintf(ans, "0x%llx", va);                                  /* VPN as PFN: PA = VA */
    expect(&f.v, part, ans, false, SLIP_VPN_AS_PFN);
    expect(&f.v, part, "fault PT", false, SLIP_NO_FAULT);
    expect(&f.v, part, "0x1", false, SLIP_NONE);
    char item[32];
    snprintf(item, sizeof item, "%d.pde", f.i + 1);
    sprintf(ans, "%llu", (va >> 10) & 31);
    expect(&f.v, item, ans, true, SLIP_NONE);
    sprintf(ans, "%llu", (va >> 5) & 31);                        /* the PT's index */
    expect(&f.v, item, ans, false, SLIP_SWAPPED);
    sprintf(ans, "0x%llu", (va >> 10) & 31);                    /* index >= 10: it differs */
    expect(&f.v, item, ans, false, SLIP_BASE);
    snprintf(item, sizeof item, "%d.value", f.i + 1);
    sprintf(ans, "0x%02x", h->mem[pa]);
    expect(&f.v, item, ans, true, SLIP_NONE);
    sprintf(ans, "0x%u", h->mem[pa]);
    expect(&f.v, item, ans, h->mem[pa] < 10, h->mem[pa] < 10 ? SLIP_NONE : SLIP_BASE);
    free(f.h.mem);
    translate_variant_free(&f.v);
}

static void test_slip_swapped(void)
{
    Found f;
    CU_ASSERT_FATAL(ostep_find(&f, swap_translates));
    unsigned long long va = f.h.va[f.i];
    unsigned long long sw = ((va >> 5) & 31) << 10 | ((va >> 10) & 31) << 5 | (va & 31);
    char part[32], ans[32];
    snprintf(part, sizeof part, "%d", f.i + 1);
    sprintf(ans, "0x%llx", (unsigned long long)(pte_of(&f.h, sw) & 0x7f) << 5 | (sw & 31));
    expect(&f.v, part, ans, false, SLIP_SWAPPED);
    free(f.h.mem);
    translate_variant_free(&f.v);
}

static void test_slips_fault(void)
{
    Found f;
    CU_ASSERT_FATAL(ostep_find(&f, faults_at_pt));
    unsigned long long va = f.h.va[f.i];
    char part[32], ans[32];
    snprintf(part, sizeof part, "%d", f.i + 1);
    expect(&f.v, part, "fault PT", true, SLIP_NONE);
    expect(&f.v, part, "Fault pte", true, SLIP_NONE);            /* OSTEP's name */
    expect(&f.v, part, "fault PD", false, SLIP_FAULT_LEVEL);
    expect(&f.v, part, "fault pde", false, SLIP_FAULT_LEVEL);
    sprintf(ans, "0x%llx", (unsigned long long)(pte_of(&f.h, va) & 0x7f) << 5 | (va & 31));
    expect(&f.v, part, ans, false, SLIP_IGNORED_VALID);
    snprintf(part, sizeof part, "%d.value", f.i + 1);
    expect(&f.v, part, "-", true, SLIP_NONE);
    snprintf(part, sizeof part, "%d", f.i + 1);
    f.v.ask &= ~(unsigned)TRANSLATE_ASK_FAULT;                   /* "fault" is enough */
    expect(&f.v, part, "fault", true, SLIP_NONE);
    expect(&f.v, part, "fault PD", true, SLIP_NONE);
    f.v.ask |= TRANSLATE_ASK_FAULT;
    expect(&f.v, part, "fault", false, SLIP_NONE);
    TranslateMark m;
    CU_ASSERT_EQUAL(translate_grade(&f.v, "99", "0x1", &m), -1);
    CU_ASSERT_EQUAL(translate_grade(&f.v, "1.pml4e", "1", &m), -1);
    free(f.h.mem);
    translate_variant_free(&f.v);
}

/* The key graded against itself scores everything; the template's items are the key's. */
static void test_key_self(void)
{
    TranslateVariant v;
    generate(&v, "ostep", 16, 7, -1);
    char *key = translate_key(&v, "t"), *blank = translate_template(&v, "t");
    int items = 0;
    for (char *l = key; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char item[32], value[64];
        CU_ASSERT_EQUAL_FATAL(sscanf(l, "t.%31s = %63[^\n]", item, value), 2);
        TranslateMark m;
        CU_ASSERT_EQUAL(translate_grade(&v, item, value, &m), 0);
        CU_ASSERT(m.right);
        char want[40];
        snprintf(want, sizeof want, "t.%s = \n", item);
        CU_ASSERT_PTR_NOT_NULL(strstr(blank, want));
        items++;
    }
    CU_ASSERT_EQUAL(items, 40);      /* 10 addresses: pa, value, pde, pte */
    free(key);
    free(blank);
    /* The same seed gives the same variant; the image round-trips. */
    TranslateVariant w;
    generate(&w, "ostep", 16, 7, -1);
    char *a = translate_image_text(&v), *b = translate_image_text(&w);
    CU_ASSERT_STRING_EQUAL(a, b);
    free(a);
    free(b);
    char *in = translate_inputs(&v, "t"), want[64];
    snprintf(want, sizeof want, "@t.machine = ostep\n@t.root = %llu\n@t.addresses = 0x%llx ",
             (unsigned long long)v.img.root, (unsigned long long)v.ans[0].va);
    CU_ASSERT_EQUAL(strncmp(in, want, strlen(want)), 0);
    free(in);
    translate_variant_free(&v);
    translate_variant_free(&w);
}

static void test_spec_keys(void)
{
    TranslateSpec s;
    char err[256];
    translate_spec_init(&s);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "ask", "pa parts", err, sizeof err), 0);
    CU_ASSERT_EQUAL(s.ask, TRANSLATE_ASK_PA | TRANSLATE_ASK_PARTS);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "ask", "pa bogus", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bogus"));
    CU_ASSERT_EQUAL(translate_spec_key(&s, "dump", "tree", err, sizeof err), -1);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "addresses", "0", err, sizeof err), -1);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "policy", "lru", err, sizeof err), 1);
    /* A machine config, relative to the exercise file. */
    snprintf(s.exercise, sizeof s.exercise, "%s", TEST_DATA "/lab.ini");
    CU_ASSERT_EQUAL(translate_spec_key(&s, "machine", "../../configs/sv39.ini", err, sizeof err), 0);
    TranslateVariant sv;
    CU_ASSERT_EQUAL_FATAL(translate_generate(&s, 3, &sv, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sv.img.m.geo.arch, ARCH_SV39);
    CU_ASSERT_EQUAL(sv.dump, IMAGE_DUMP_ENTRIES);
    CU_ASSERT_EQUAL(sv.ask, TRANSLATE_ASK_PA | TRANSLATE_ASK_PARTS);
    translate_variant_free(&sv);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "machine", "ostep", err, sizeof err), 0);
    CU_ASSERT_EQUAL(translate_spec_key(&s, "mapped", "1000", err, sizeof err), 0);
    TranslateVariant v;
    CU_ASSERT_EQUAL(translate_generate(&s, 1, &v, err, sizeof err), -1);   /* 128 frames */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "frames cannot hold"));
}

static void on_fault(void *ctx, const SimEvent *ev)
{
    if (ev->kind == EV_FAULT)
        *(unsigned *)ctx = ev->level;
}

/* The files a student opens (the .image and its trace) replay the key in vmsim run. */
static void test_replay(void)
{
    TranslateVariant v;
    generate(&v, "ostep", 16, 11, -1);
    char *text = translate_image_text(&v), *trace = translate_trace_text(&v), err[256];
    Image img;
    image_init(&img);
    CU_ASSERT_EQUAL_FATAL(image_read_text(&img, "walk.image", text, err, sizeof err), 0);
    Sim *s = sim_create_image(&img, err, sizeof err);
    TraceReader *t = trace_open_mem(trace, strlen(trace), "walk.trace", 1, TRACE_VMSIM, 5, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    sim_set_trace(s, t);
    unsigned level = 99;
    sim_set_observer(s, on_fault, &level);
    for (size_t i = 0; i < v.naddrs; i++) {
        StepInfo st;
        char want[64];
        CU_ASSERT_EQUAL_FATAL(sim_step(s, &st), STEP_OK);
        CU_ASSERT_EQUAL(translate_answer_text(&v, i, NULL, want, sizeof want), 0);
        if (st.pa != PADDR_NONE) {
            CU_ASSERT_EQUAL(strtoull(want, NULL, 16), st.pa);
        } else {
            char got[64];
            snprintf(got, sizeof got, "fault %s", geo_level_name(&img.m.geo, level));
            CU_ASSERT_STRING_EQUAL(got, want);
        }
    }
    sim_destroy(s);
    trace_close(t);
    image_fini(&img);
    free(text);
    free(trace);
    translate_variant_free(&v);
}

void suite_translate(void);     /* called by runner.c through suites.h */

void suite_translate(void)
{
    TEST_SUITE("translate",
        { "ostep key against a walk over the OSTEP dump", test_key_ostep },
        { "x86-64 key against a walk over its bytes", test_key_x86 },
        { "Sv39 key against xv6's vmprint tree", test_key_vmprint },
        { "slips in a translation", test_slips_translation },
        { "slip: swapped indices", test_slip_swapped },
        { "slips around a fault", test_slips_fault },
        { "key against itself, template, determinism", test_key_self },
        { "question keys", test_spec_keys },
        { "the student's image and trace replay the key", test_replay });
}
