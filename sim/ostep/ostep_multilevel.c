/* OSTEP vm-smalltables/paging-multilevel-translate.py: 128 frames of 32 bytes, a
 * 15-bit address split 5 (page directory index) | 5 (page table index) | 5 (offset),
 * one-byte entries with the valid bit at 7 and the PFN in bits 6..0; invalid entries
 * are 0x7f. One process gets `-a` random pages, in random frames, filled with random
 * bytes below 31; then `-n` addresses are asked, about half of them in mapped pages. */
#include <stdlib.h>
#include <string.h>

#include "ostep.h"

#define PROG "paging-multilevel-translate.py"
#define PAGE_SIZE 32
#define PAGE_BITS 5
#define PHYS_PAGES 128
#define VA_PAGES 1024

enum { O_SEED, O_ALLOC, O_NUM, O_SOLVE };

static const PyOptSpec specs[] = {
    { 's', "seed", PYOPT_INT, "seed", "the random seed", "0" },
    { 'a', "allocated", PYOPT_INT, "allocated", "number of virtual pages allocated", "64" },
    { 'n', "addresses", PYOPT_INT, "num", "number of virtual addresses to generate", "10" },
    { 'c', "solve", PYOPT_FLAG, "solve", "compute answers for me", NULL },
};

typedef struct Os {
    PyRand rng;
    uint8_t mem[PAGE_SIZE * PHYS_PAGES];
    bool used[PHYS_PAGES];
    int nused;
    int pdbr;
    int *vps;                  /* the pages allocated, in order */
    int nvps;
} Os;

/* findFree(): a random free frame; -1 where Python's assert fails (memory full). */
static int find_free(Os *os)
{
    if (os->nused >= PHYS_PAGES)
        return -1;
    int look;
    do
        look = (int)(pyrand_random(&os->rng) * PHYS_PAGES);
    while (os->used[look]);
    os->used[look] = true;
    os->nused++;
    return look;
}

/* allocVirtualPage(): maps vp to frame pp, taking a page-table page if needed. */
static int map_page(Os *os, int vp, int pp)
{
    uint8_t *pde = &os->mem[(os->pdbr << PAGE_BITS) | (vp >> 5)];
    int pt = *pde & 0x7f;
    if (!(*pde & 0x80)) {
        if ((pt = find_free(os)) < 0)
            return -1;
        *pde = (uint8_t)(0x80 | pt);
        memset(&os->mem[pt << PAGE_BITS], 0x7f, PAGE_SIZE);
    }
    os->mem[(pt << PAGE_BITS) | (vp & 0x1f)] = (uint8_t)(0x80 | pp);
    return 0;
}

/* procAlloc(): the page directory, then n pages, each in a random free frame. */
static int proc_alloc(Os *os, int64_t n)
{
    bool taken[VA_PAGES] = { false };
    if ((os->pdbr = find_free(os)) < 0)
        return -1;
    memset(&os->mem[os->pdbr << PAGE_BITS], 0x7f, PAGE_SIZE);
    os->vps = malloc(PHYS_PAGES * sizeof *os->vps);  /* memory fills before more */
    if (!os->vps)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        int vp;
        do
            vp = (int)(pyrand_random(&os->rng) * VA_PAGES);
        while (taken[vp]);
        taken[vp] = true;
        os->vps[os->nvps++] = vp;
        int pp = find_free(os);
        if (pp < 0 || map_page(os, vp, pp) < 0)
            return -1;
        for (int j = 0; j < PAGE_SIZE; j++)
            os->mem[pp * PAGE_SIZE + j] = (uint8_t)(pyrand_random(&os->rng) * 31);
    }
    return 0;
}

/* translate() with its printing: the PA, -1 for a PDE fault, -2 for a PTE fault. */
static int translate(const Os *os, FILE *out, int va)
{
    int pdi = (va & 0x7c00) >> 10, pti = (va & 0x03e0) >> 5;
    int pde = os->mem[(os->pdbr << PAGE_BITS) | pdi];
    fprintf(out, "  --> pde index:0x%x [decimal %d] pde contents:0x%x (valid %d, pfn 0x%02x "
                 "[decimal %d])\n", pdi, pdi, pde, pde >> 7, pde & 0x7f, pde & 0x7f);
    if (!(pde & 0x80))
        return -1;
    int pte = os->mem[((pde & 0x7f) << PAGE_BITS) | pti];
    fprintf(out, "    --> pte index:0x%x [decimal %d] pte contents:0x%x (valid %d, pfn 0x%02x "
                 "[decimal %d])\n", pti, pti, pte, pte >> 7, pte & 0x7f, pte & 0x7f);
    if (!(pte & 0x80))
        return -2;
    return ((pte & 0x7f) << PAGE_BITS) | (va & 0x1f);
}

static void dump(const Os *os, FILE *out)
{
    for (int i = 0; i < PHYS_PAGES; i++) {
        fprintf(out, "page %3d:", i);
        for (int j = 0; j < PAGE_SIZE; j++)
            fprintf(out, "%02x", os->mem[i * PAGE_SIZE + j]);
        fputc('\n', out);
    }
    fprintf(out, "\nPDBR: %d  (decimal) [This means the page directory is held in this page]\n\n",
            os->pdbr);
}

/* The n addresses: each with a coin toss first, then a random address or one in the
 * i-th allocated page. Returns them (caller frees). */
static int *make_addresses(Os *os, int64_t n)
{
    int *va = ostep_array(n, sizeof *va);
    for (int64_t i = 0; va && i < n; i++) {
        if (pyrand_random(&os->rng) * 100 > 50.0 || i >= os->nvps)
            va[i] = (int)(pyrand_random(&os->rng) * 1024 * 32);
        else
            va[i] = (os->vps[i] << 5) | (int)(pyrand_random(&os->rng) * 32);
    }
    return va;
}

static void ask(const Os *os, FILE *out, const int *va, int64_t n, bool solve)
{
    for (int64_t i = 0; i < n; i++) {
        if (!solve) {
            fprintf(out, "Virtual Address %04x: Translates To What Physical Address (And Fetches "
                         "what Value)? Or Fault?\n", va[i]);
            continue;
        }
        fprintf(out, "Virtual Address 0x%04x:\n", va[i]);
        int r = translate(os, out, va[i]);
        if (r > -1)
            fprintf(out, "      --> Translates to Physical Address 0x%03x --> Value: 0x%02x\n", r,
                    os->mem[r]);
        else if (r == -1)
            fputs("      --> Fault (page directory entry not valid)\n", out);
        else
            fputs("      --> Fault (page table entry not valid)\n", out);
    }
    fputc('\n', out);
}

/* --scenario: the memory as a vmsim image of the ostep machine (see docs/ostep.md),
 * and the addresses as a vmsim trace beside it (FILE.trace). */
static int write_image(const Os *os, const OstepOut *o, const int *va, int64_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return -1;
    const char *base = strrchr(o->scenario, '/');
    fprintf(f, "# vmsim memory image\n# Written by: %s\n# Its addresses: %s.trace\n"
               "machine = ostep\nroot = %d\n", o->command, base ? base + 1 : o->scenario, os->pdbr);
    for (int i = 0; i < PHYS_PAGES; i++) {
        int last = PAGE_SIZE;
        while (last > 0 && os->mem[i * PAGE_SIZE + last - 1] == 0)
            last--;
        if (last == 0)
            continue;
        fprintf(f, "frame %d: ", i);
        for (int j = 0; j < PAGE_SIZE; j++)
            fprintf(f, "%02x", os->mem[i * PAGE_SIZE + j]);
        fputc('\n', f);
    }
    fclose(f);
    int rc = text ? ostep_write_file(o->scenario, text, len) : -1;
    free(text);
    text = NULL;
    len = 0;
    f = rc ? NULL : open_memstream(&text, &len);
    if (!f)
        return -1;
    fprintf(f, "# The addresses of: %s\n", o->command);
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "R 0x%04x 1\n", va[i]);
    fclose(f);
    char path[4096];
    snprintf(path, sizeof path, "%s.trace", o->scenario);
    rc = text ? ostep_write_file(path, text, len) : -1;
    free(text);
    return rc;
}

static int multilevel_run(const PyOptValue *v, const OstepOut *o)
{
    char *s[3];
    for (int i = 0; i < 3; i++)
        s[i] = pyint_str(&v[i].num);
    int rc = 0;
    if (s[0] && s[1] && s[2])
        fprintf(o->out, "ARG seed %s\nARG allocated %s\nARG num %s\n\n", s[0], s[1], s[2]);
    else
        rc = ostep_die(PROG, "ValueError: Exceeds the limit (4300 digits) for integer string conversion");
    for (int i = 0; i < 3; i++)
        free(s[i]);
    if (rc)
        return rc;
    Os *os = calloc(1, sizeof *os);
    if (!os)
        return ostep_die(PROG, "MemoryError");
    pyrand_seed_int(&os->rng, &v[O_SEED].num);
    int64_t n = pyint_clamp(&v[O_NUM].num);
    int *va = NULL;
    if (proc_alloc(os, pyint_clamp(&v[O_ALLOC].num)) < 0) {
        rc = ostep_die(PROG, "AssertionError (findFree: all %d pages are in use)", PHYS_PAGES);
    } else {
        dump(os, o->out);
        va = make_addresses(os, n > 0 ? n : 0);
        if (!va)
            rc = ostep_die(PROG, "MemoryError");
        else
            ask(os, o->out, va, n, v[O_SOLVE].flag);
        if (!rc && o->scenario && write_image(os, o, va, n > 0 ? n : 0) < 0)
            rc = 2;
    }
    free(va);
    free(os->vps);
    free(os);
    return rc;
}

int ostep_multilevel(int argc, char **argv, const OstepOut *o)
{
    PyOptParser p = { PROG, specs, sizeof specs / sizeof specs[0], NULL };
    int rc = pyopt_parse(&p, argc, argv);
    if (rc < 0)
        rc = multilevel_run(p.values, o);
    pyopt_free(&p);
    return rc;
}
