/* OSTEP vm-paging/paging-linear-translate.py: a linear page table of 32-bit entries
 * (bit 31 valid, the PFN below), about -u percent of the pages mapped to random
 * frames, and -n random addresses (or the -A list) to translate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ostep.h"
#include "vmsim/limits.h"

#define PROG "paging-linear-translate.py"

enum { O_ADDR, O_SEED, O_ASIZE, O_PSIZE, O_PAGE, O_NUM, O_USED, O_VERBOSE, O_SOLVE };

static const PyOptSpec specs[] = {
    { 'A', "addresses", PYOPT_STRING, "addresses",
      "a set of comma-separated pages to access; -1 means randomly generate", "-1" },
    { 's', "seed", PYOPT_INT, "seed", "the random seed", "0" },
    { 'a', "asize", PYOPT_STRING, "asize", "address space size (e.g., 16, 64k, 32m, 1g)", "16k" },
    { 'p', "physmem", PYOPT_STRING, "psize", "physical memory size (e.g., 16, 64k, 32m, 1g)", "64k" },
    { 'P', "pagesize", PYOPT_STRING, "pagesize", "page size (e.g., 4k, 8k, whatever)", "4k" },
    { 'n', "numaddrs", PYOPT_INT, "num", "number of virtual addresses to generate", "5" },
    { 'u', "used", PYOPT_INT, "used", "percent of virtual address space that is used", "50" },
    { 'v', NULL, PYOPT_FLAG, "verbose", "verbose mode", NULL },
    { 'c', NULL, PYOPT_FLAG, "solve", "compute answers for me", NULL },
};

/* The problem once its sizes are checked. */
typedef struct Linear {
    FILE *out;
    PyRand rng;
    int64_t asize, psize, pagesize, pages, vpages;
    int pagebits;
    int32_t *pt;               /* the PFN of each VPN, -1 where invalid */
    int64_t *vas;              /* the addresses asked, for --scenario */
    size_t nvas, capvas;
} Linear;

/* convert(): "16k" is 16 * 1024 (k, m, g either case), else int(). False after the
 * error (IndexError for "", ValueError for what int() refuses). *ovf: the value is past
 * what float() takes. */
static bool convert(const char *s, double *out, bool *ovf)
{
    size_t len = strlen(s);
    if (len == 0)
        return ostep_die(PROG, "IndexError: string index out of range") == 0;  /* false: it returns 1 */
    char last = (char)(s[len - 1] | 0x20);
    double m = last == 'k' ? 1024.0 : last == 'm' ? 1048576.0 : last == 'g' ? 1073741824.0 : 1;
    char *num = strdup(s);
    if (!num)
        return ostep_die(PROG, "MemoryError") == 0;  /* false: it returns 1 */
    if (m != 1)
        num[len - 1] = '\0';
    bool ok = pyint_parse_double(num, out, ovf);
    if (!ok)
        ostep_die(PROG, "ValueError: invalid literal for int() with base 10: '%s'", num);
    free(num);
    *out *= m;
    *ovf = *ovf || isinf(*out);
    return ok;
}

/* mustbemultipleof(): int(float(a)/float(b)) != a/b. 1 after the message (exit 1),
 * -1 after a traceback, 0 when it is a multiple. */
static int multiple_of(FILE *out, double a, double b, bool b_ovf, const char *msg)
{
    if (b_ovf)
        return -ostep_die(PROG, "OverflowError: int too large to convert to float");
    if (b == 0)
        return -ostep_die(PROG, "ZeroDivisionError: float division by zero");
    double q = a / b;
    if (trunc(q) != q) {
        fprintf(out, "Error in argument: %s\n", msg);
        return 1;
    }
    return 0;
}

/* The checks between convert() and the table, with the program's messages. Returns
 * 0 to go on, else the exit status. */
static int check_sizes(Linear *l, double a, double p, double g, bool g_ovf)
{
    const char *msg = NULL;
    if (p <= 1)
        msg = "Error: must specify a non-zero physical memory size.";
    else if (a < 1)
        msg = "Error: must specify a non-zero address-space size.";
    else if (p <= a)
        msg = "Error: physical memory size must be GREATER than address space size (for this simulation)";
    else if (p >= 1073741824.0 || a >= 1073741824.0)
        msg = "Error: must use smaller sizes (less than 1 GB) for this simulation.";
    if (msg) {
        fprintf(l->out, "%s\n", msg);
        return 1;
    }
    int rc = multiple_of(l->out, a, g, g_ovf, "address space must be a multiple of the pagesize");
    if (!rc)
        rc = multiple_of(l->out, p, g, g_ovf, "physical memory must be a multiple of the pagesize");
    if (rc)
        return rc < 0 ? 1 : rc;
    l->asize = (int64_t)a;
    l->psize = (int64_t)p;
    l->pagesize = (int64_t)g;
    l->pages = (int64_t)(p / g);
    l->vpages = (int64_t)(a / g);
    /* bits as int(math.log(x)/math.log(2.0)), checked with math.pow(2, bits) */
    int vabits = (int)(log(a) / log(2.0));
    if (pow(2, vabits) != a) {
        fputs("Error in argument: address space must be a power of 2\n", l->out);
        return 1;
    }
    if (g < 0)
        return ostep_die(PROG, "ValueError: math domain error");
    l->pagebits = (int)(log(g) / log(2.0));
    if (pow(2, l->pagebits) != g) {
        fputs("Error in argument: page size must be a power of 2\n", l->out);
        return 1;
    }
    return 0;
}

static const char table_intro[] =
    "\n"
    "The format of the page table is simple:\n"
    "The high-order (left-most) bit is the VALID bit.\n"
    "  If the bit is 1, the rest of the entry is the PFN.\n"
    "  If the bit is 0, the page is not valid.\n"
    "Use verbose mode (-v) if you want to print the VPN # by\n"
    "each entry of the page table.\n"
    "\n"
    "Page Table (from entry 0 down to the max size)\n";

/* The table: for each VPN, valid with probability used%, in a random free frame
 * (drawing again, coin toss included, when the frame is taken). */
static int make_table(Linear *l, const PyInt *used_pct, bool verbose)
{
    double used = (double)pyint_clamp(used_pct);
    bool *taken = calloc((size_t)l->pages + 1, 1);
    l->pt = malloc(((size_t)l->vpages + 1) * sizeof *l->pt);
    if (!taken || !l->pt) {
        free(taken);
        return ostep_die(PROG, "MemoryError");
    }
    fputs(table_intro, l->out);
    for (int64_t v = 0; v < l->vpages; v++) {
        int64_t u;
        for (;;) {
            u = -1;
            if (pyrand_random(&l->rng) * 100.0 > 100.0 - used) {
                u = (int64_t)((double)l->pages * pyrand_random(&l->rng));
                if (taken[u])
                    continue;
                taken[u] = true;
            }
            break;
        }
        if (verbose)
            fprintf(l->out, "  [%8lld]  ", (long long)v);
        else
            fputs("  ", l->out);
        fprintf(l->out, "0x%08llx\n", u < 0 ? 0ULL : 0x80000000ULL | (unsigned long long)u);
        l->pt[v] = (int32_t)u;
    }
    fputc('\n', l->out);
    free(taken);
    return 0;
}

/* '%08x' and '%8d' of an int that may be negative, as Python prints them. */
static void print_va(FILE *out, int64_t va)
{
    unsigned long long m = va < 0 ? 0ULL - (unsigned long long)va : (unsigned long long)va;
    fprintf(out, "  VA 0x%s%0*llx (decimal: %8lld) -->", va < 0 ? "-" : "", va < 0 ? 7 : 8, m,
            (long long)va);
}

/* One address of the trace; -1 after an error. */
static int translate(Linear *l, int64_t va, bool solve)
{
    if (l->nvas == l->capvas) {
        int64_t *n = realloc(l->vas, (l->capvas = l->capvas * 2 + 16) * sizeof *n);
        if (!n)
            return -ostep_die(PROG, "MemoryError");
        l->vas = n;
    }
    l->vas[l->nvas++] = va;
    if (!solve) {
        print_va(l->out, va);
        fputs(" PA or invalid address?\n", l->out);
        return 0;
    }
    uint64_t mask = 0xFFFFFFFFULL & ~(((uint64_t)1 << l->pagebits) - 1);
    int64_t vpn = (int64_t)(((uint64_t)va & mask) >> l->pagebits);
    if (vpn >= l->vpages)
        return -ostep_die(PROG, "IndexError: array index out of range");
    print_va(l->out, va);
    if (l->pt[vpn] < 0) {
        fprintf(l->out, "  Invalid (VPN %lld not valid)\n", (long long)vpn);
        return 0;
    }
    int64_t pa = ((int64_t)l->pt[vpn] << l->pagebits) | (va & ((1LL << l->pagebits) - 1));
    fprintf(l->out, " %08llx (decimal %8lld) [VPN %lld]\n", (long long)pa, (long long)pa,
            (long long)vpn);
    return 0;
}

/* The trace: -n random addresses, or the -A list, each int()ed where used. */
static int trace(Linear *l, const PyOptValue *v)
{
    bool solve = v[O_SOLVE].flag;
    if (strcmp(v[O_ADDR].str, "-1") == 0) {
        /* Python builds the whole list before its heading: a MemoryError comes first. */
        int64_t n = pyint_clamp(&v[O_NUM].num), *va = ostep_array(n, sizeof *va);
        if (!va)
            return ostep_die(PROG, "MemoryError");
        for (int64_t i = 0; i < n; i++)
            va[i] = (int64_t)((double)l->asize * pyrand_random(&l->rng));
        fputs("Virtual Address Trace\n", l->out);
        int rc = 0;
        for (int64_t i = 0; i < n && !rc; i++)
            rc = translate(l, va[i], solve);
        free(va);
        if (rc)
            return 1;
    } else {
        char *list = strdup(v[O_ADDR].str);
        int rc = list ? 0 : ostep_die(PROG, "MemoryError");
        if (!rc)
            fputs("Virtual Address Trace\n", l->out);
        for (char *p = list, *comma = list; !rc && comma; p = comma + 1) {
            if ((comma = strchr(p, ',')))
                *comma = '\0';
            int64_t va;
            int pr = pyint_parse_i64(p, &va);
            if (pr)
                rc = ostep_die(PROG, pr < 0 ? "ValueError: invalid literal for int() with base 10: '%s'"
                                            : "address %s is beyond the 64 bits vmsim ostep handles", p);
            else
                rc = translate(l, va, solve) ? 1 : 0;
        }
        free(list);
        if (rc)
            return 1;
    }
    fputc('\n', l->out);
    if (!solve)
        fputs("For each virtual address, write down the physical address it translates to\n"
              "OR write down that it is an out-of-bounds address (e.g., segfault).\n\n", l->out);
    return 0;
}

static int linear_run(Linear *l, const PyOptValue *v)
{
    char *seed = pyint_str(&v[O_SEED].num);
    if (!seed)
        return ostep_die(PROG, "ValueError: Exceeds the limit (4300 digits) for integer string conversion");
    fprintf(l->out, "ARG seed %s\nARG address space size %s\nARG phys mem size %s\nARG page size %s\n"
                    "ARG verbose %s\nARG addresses %s\n\n", seed, v[O_ASIZE].str, v[O_PSIZE].str,
            v[O_PAGE].str, v[O_VERBOSE].flag ? "True" : "False", v[O_ADDR].str);
    free(seed);
    pyrand_seed_int(&l->rng, &v[O_SEED].num);
    double a, p, g;
    bool a_ovf, p_ovf, g_ovf;
    if (!convert(v[O_ASIZE].str, &a, &a_ovf) || !convert(v[O_PSIZE].str, &p, &p_ovf) ||
        !convert(v[O_PAGE].str, &g, &g_ovf))
        return 1;
    int rc = check_sizes(l, a, p, g, g_ovf);
    if (!rc)
        rc = make_table(l, &v[O_USED].num, v[O_VERBOSE].flag);
    if (!rc)
        rc = trace(l, v);
    return rc;
}

/* ---- --scenario: the table as an image of a custom one-level machine --------------- */

/* Where the table goes in the image. OSTEP's table lives outside its physical memory;
 * vmsim's is in frames: a table of more than a page is a root of several pages
 * (geo_table_pages), an aligned run of them. */
typedef struct Placement {
    int vpnbits, pabits;
    int64_t pages;             /* frames the table spans (a power of two) */
    int64_t root;              /* its first frame */
    int64_t frames;            /* the machine's: OSTEP's, or up to the table's end */
} Placement;

/* Why the problem has no vmsim image (a message for stderr), or NULL when it has. */
static const char *image_gap(const Linear *l, int vpnbits)
{
    if (vpnbits < 1)
        return "a one-page address space has no table level";
    if (vpnbits > 20)
        return "more than 2^20 pages: a vmsim level indexes 20 bits at most";
    if (l->pagesize < 16)
        return "vmsim's pages are 16 bytes at least";
    if (l->pages > VMSIM_FRAMES_MAX)
        return "more frames than a vmsim machine has";
    for (size_t i = 0; i < l->nvas; i++)
        if (l->vas[i] < 0 || l->vas[i] >= l->asize)
            return "an address lies outside the address space";
    return NULL;
}

/* The lowest multiple of pl->pages whose frames no page uses, else the first one past
 * OSTEP's memory (the machine then has frames up to the table's end). -1 when out of
 * host memory. */
static int place_table(const Linear *l, Placement *pl)
{
    int64_t k = pl->pages, runs = (l->pages + k - 1) / k;
    bool *used = calloc((size_t)runs + 1, 1);
    if (!used)
        return -1;
    for (int64_t v = 0; v < l->vpages; v++)
        if (l->pt[v] >= 0)
            used[l->pt[v] / k] = true;
    int64_t run = 0;
    while (run < runs && (used[run] || (run + 1) * k > l->pages))
        run++;
    free(used);
    pl->root = run * k;
    pl->frames = pl->root + k > l->pages ? pl->root + k : l->pages;
    pl->pabits = 0;
    while ((INT64_C(1) << pl->pabits) < pl->frames * l->pagesize)
        pl->pabits++;
    return 0;
}

/* The machine: arch custom, one level of vpnbits, 4-byte entries with the valid bit at
 * 31 and the PFN from bit 0, no permission bits (style plain), no TLB. */
static void print_machine(FILE *f, const Linear *l, const Placement *pl)
{
    fprintf(f, "; OSTEP paging-linear-translate's machine: a linear table of 4-byte entries,\n"
               "; the valid bit 31 and the PFN below it; no permission bits, no TLB.\n"
               "[machine]\narch = custom\nstyle = plain\nlevels = %d\npage_size = %lld\n"
               "pa_bits = %d\npte_size = 4\nsign_extend = no\nvalid_bit = 31\n", pl->vpnbits,
            (long long)l->pagesize, pl->pabits);
    static const char *const none[] = { "read_bit", "write_bit", "exec_bit", "nx_bit", "user_bit",
                                        "accessed_bit", "dirty_bit", "huge_bit", "global_bit",
                                        "huge_levels" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        fprintf(f, "%s = none\n", none[i]);
    fprintf(f, "pfn_shift = 0\npfn_bits = %d\n\n[tlb]\nentries = 0\n\n[memory]\nframes = %lld\n",
            pl->pabits - l->pagebits, (long long)pl->frames);
}

/* The image: the table's entries, little-endian, one `frame` line for each of its
 * frames (the first always; the others when they hold a valid entry). */
static void print_image(FILE *f, const Linear *l, const Placement *pl, const OstepOut *o)
{
    const char *base = strrchr(o->scenario, '/');
    base = base ? base + 1 : o->scenario;
    fprintf(f, "# vmsim memory image\n# Written by: %s\n# Its addresses: %s.trace\n", o->command, base);
    if (pl->pages > 1)
        fprintf(f, "# The table: %lld entries of 4 bytes, frames %lld-%lld\n", (long long)l->vpages,
                (long long)pl->root, (long long)(pl->root + pl->pages - 1));
    fprintf(f, "machine = %s.ini\nroot = %lld\n", base, (long long)pl->root);
    int64_t per = l->pagesize / 4;
    for (int64_t first = 0; first < l->vpages; first += per) {
        int64_t end = first + per < l->vpages ? first + per : l->vpages, v = first;
        while (first > 0 && v < end && l->pt[v] < 0)
            v++;
        if (v == end)
            continue;                      /* all zeros: frames not listed are */
        fprintf(f, "frame %lld:", (long long)(pl->root + first / per));
        for (v = first; v < end; v++) {
            uint32_t e = l->pt[v] < 0 ? 0 : 0x80000000U | (uint32_t)l->pt[v];
            fprintf(f, " %02x%02x%02x%02x", e & 0xff, (e >> 8) & 0xff, (e >> 16) & 0xff, e >> 24);
        }
        fputc('\n', f);
    }
}

/* Refuses a problem with no image (2, the reason on stderr); else places its table. */
static int plan(const Linear *l, Placement *pl)
{
    pl->vpnbits = 0;
    while ((INT64_C(1) << (pl->vpnbits + l->pagebits)) < l->asize)
        pl->vpnbits++;
    const char *gap = image_gap(l, pl->vpnbits);
    pl->pages = gap ? 1 : (l->vpages * 4 + l->pagesize - 1) / l->pagesize;
    if (!gap && place_table(l, pl) != 0)
        return -1;
    if (!gap && pl->frames > VMSIM_FRAMES_MAX)
        gap = "the table and the pages need more frames than a vmsim machine has";
    if (gap) {
        fprintf(stderr, "vmsim ostep: --scenario: no vmsim image of this table: %s\n", gap);
        return 2;
    }
    return 0;
}

/* FILE (the image), FILE.ini (its machine) and FILE.trace (the addresses). 0, 2
 * refused, -1 failed. */
static int write_linear(const Linear *l, const OstepOut *o)
{
    Placement pl;
    int rc = plan(l, &pl);
    if (rc)
        return rc;
    char *text[3] = { NULL, NULL, NULL };
    size_t len[3] = { 0, 0, 0 };
    FILE *f[3];
    for (int i = 0; i < 3; i++)
        if (!(f[i] = open_memstream(&text[i], &len[i])))
            return -1;
    print_image(f[0], l, &pl, o);
    print_machine(f[1], l, &pl);
    fprintf(f[2], "# The addresses of: %s\n", o->command);
    for (size_t i = 0; i < l->nvas; i++)
        fprintf(f[2], "R 0x%llx 1\n", (unsigned long long)l->vas[i]);
    static const char *const ext[3] = { "", ".ini", ".trace" };
    for (int i = 0; i < 3; i++) {
        fclose(f[i]);
        char path[4096];
        snprintf(path, sizeof path, "%s%s", o->scenario, ext[i]);
        if (!rc && (!text[i] || ostep_write_file(path, text[i], len[i]) < 0))
            rc = -1;
        free(text[i]);
    }
    return rc;
}

int ostep_linear(int argc, char **argv, const OstepOut *o)
{
    PyOptParser p = { PROG, specs, sizeof specs / sizeof specs[0], NULL };
    int rc = pyopt_parse(&p, argc, argv);
    if (rc < 0) {
        Linear l = { .out = o->out };
        rc = linear_run(&l, p.values);
        if (!rc && o->scenario && write_linear(&l, o))
            rc = 2;
        free(l.pt);
        free(l.vas);
    }
    pyopt_free(&p);
    return rc;
}
