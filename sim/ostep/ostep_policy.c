/* OSTEP vm-beyondphys-policy/paging-policy.py: a reference string, generated or given,
 * run through FIFO, LRU, OPT, UNOPT, RAND, CLOCK or MRU over a small page cache.
 * Every option but -b is a string that the program converts with int() after echoing
 * it, so "-s 007" prints "ARG seed 007". */
#include <stdlib.h>
#include <string.h>

#include "ostep.h"
#include "vmsim/limits.h"

#define PROG "paging-policy.py"

enum { O_ADDR, O_FILE, O_NUM, O_POLICY, O_BITS, O_CACHE, O_MAX, O_SEED, O_NOTRACE, O_SOLVE };

static const PyOptSpec specs[] = {
    { 'a', "addresses", PYOPT_STRING, "addresses",
      "a set of comma-separated pages to access; -1 means randomly generate", "-1" },
    { 'f', "addressfile", PYOPT_STRING, "addressfile", "a file with a bunch of addresses in it", "" },
    { 'n', "numaddrs", PYOPT_STRING, "numaddrs",
      "if -a (--addresses) is -1, this is the number of addrs to generate", "10" },
    { 'p', "policy", PYOPT_STRING, "policy", "replacement policy: FIFO, LRU, OPT, UNOPT, RAND, CLOCK",
      "FIFO" },
    { 'b', "clockbits", PYOPT_INT, "clockbits", "for CLOCK policy, how many clock bits to use", "2" },
    { 'C', "cachesize", PYOPT_STRING, "cachesize", "size of the page cache, in pages", "3" },
    { 'm', "maxpage", PYOPT_STRING, "maxpage",
      "if randomly generating page accesses, this is the max page number", "10" },
    { 's', "seed", PYOPT_STRING, "seed", "random number seed", "0" },
    { 'N', "notrace", PYOPT_FLAG, "notrace", "do not print out a detailed trace", NULL },
    { 'c', "compute", PYOPT_FLAG, "solve", "compute answers for me", NULL },
};

/* One entry of addrList: a page, or a string int() refuses (an error where used). */
typedef struct Ref {
    int64_t page;
    const char *text;          /* NULL once parsed */
} Ref;

typedef struct Run {
    FILE *out;
    Ref *refs;
    size_t nrefs;
    char *filebuf;             /* -f's contents, which refs point into */
    const char *policy;
    int64_t cachesize, clockbits;
    bool notrace;
    PyRand rng;
    int64_t *mem, *ref;        /* the cache in list order, and each page's clock bits */
    size_t count;
} Run;

/* int(nStr) for entry i: its page, or -1 after the error (Python's traceback). */
static int ref_page(Run *r, size_t i, int64_t *page)
{
    Ref *f = &r->refs[i];
    if (f->text) {
        int rc = pyint_parse_i64(f->text, &f->page);
        if (rc < 0)
            ostep_die(PROG, "ValueError: invalid literal for int() with base 10: '%s'", f->text);
        else if (rc > 0)
            ostep_die(PROG, "page %s is beyond the 64-bit pages vmsim ostep handles", f->text);
        if (rc != 0)
            return -1;
        f->text = NULL;
    }
    *page = f->page;
    return 0;
}

static bool push_ref(Run *r, size_t *cap, int64_t page, const char *text)
{
    if (r->nrefs == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        Ref *n = realloc(r->refs, nc * sizeof *n);
        if (!n)
            return false;
        r->refs = n;
        *cap = nc;
    }
    r->refs[r->nrefs++] = (Ref){ page, text };
    return true;
}

/* -f FILE: one int() per line (universal newlines: \n, \r\n or \r end a line). */
static int read_file_refs(Run *r, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ostep_die(PROG, "FileNotFoundError: No such file or directory: '%s'", path);
    size_t len = 0, cap = 0, rcap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 >= cap) {
            char *n = realloc(r->filebuf, cap = cap * 2 + 4096);
            if (!n) {
                fclose(f);
                return ostep_die(PROG, "MemoryError");
            }
            r->filebuf = n;
        }
        r->filebuf[len++] = (char)c;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed)
        return ostep_die(PROG, "OSError: cannot read '%s'", path);
    char *p = r->filebuf, *end = p + len;
    while (p && p < end) {
        char *e = p;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        char *next = e + (e < end && *e == '\r' && e + 1 < end && e[1] == '\n' ? 2 : 1);
        *e = '\0';
        if (!push_ref(r, &rcap, 0, p))
            return ostep_die(PROG, "MemoryError");
        int64_t page;
        if (ref_page(r, r->nrefs - 1, &page) < 0)
            return 1;
        p = next;
    }
    return 0;
}

/* addrList: from -f, generated from -n and -m, or -a split at commas. */
static int make_refs(Run *r, const PyOptValue *v, int64_t numaddrs, double maxpage, bool max_ovf)
{
    size_t cap = 0;
    if (v[O_FILE].str[0])
        return read_file_refs(r, v[O_FILE].str);
    if (strcmp(v[O_ADDR].str, "-1") == 0) {
        for (int64_t i = 0; i < numaddrs; i++) {
            if (max_ovf)
                return ostep_die(PROG, "OverflowError: int too large to convert to float");
            double x = maxpage * pyrand_random(&r->rng);
            if (!(x > -9.2e18 && x < 9.2e18))
                return ostep_die(PROG, "page %.0f is beyond the 64-bit pages vmsim ostep handles", x);
            if (!push_ref(r, &cap, (int64_t)x, NULL))
                return ostep_die(PROG, "MemoryError");
        }
        return 0;
    }
    char *list = r->filebuf = strdup(v[O_ADDR].str);
    for (char *p = list; list; p++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!push_ref(r, &cap, 0, p))
            return ostep_die(PROG, "MemoryError");
        if (!comma)
            break;
        p = comma;
    }
    return list ? 0 : ostep_die(PROG, "MemoryError");
}

/* str(list) of the cache, right-aligned in 12 columns as '%12s' does. */
static void print_mem(const Run *r)
{
    char buf[64];
    size_t len = 2;
    for (size_t i = 0; i < r->count; i++)
        len += (size_t)snprintf(buf, sizeof buf, "%lld", (long long)r->mem[i]) + (i ? 2 : 0);
    for (size_t i = len; i < 12; i++)
        fputc(' ', r->out);
    fputc('[', r->out);
    for (size_t i = 0; i < r->count; i++)
        fprintf(r->out, "%s%lld", i ? ", " : "", (long long)r->mem[i]);
    fputc(']', r->out);
}

static void mem_remove(Run *r, size_t i)
{
    memmove(r->mem + i, r->mem + i + 1, (r->count - i - 1) * sizeof *r->mem);
    memmove(r->ref + i, r->ref + i + 1, (r->count - i - 1) * sizeof *r->ref);
    r->count--;
}

/* When page is next used after position at: its index, or nrefs for never. -1 after
 * an error (a later entry int() refuses, met while looking ahead). */
static int64_t next_use(Run *r, size_t at, int64_t page)
{
    for (size_t k = at + 1; k < r->nrefs; k++) {
        int64_t p;
        if (ref_page(r, k, &p) < 0)
            return -1;
        if (p == page)
            return (int64_t)k;
    }
    return (int64_t)r->nrefs;
}

/* OPT keeps the last of the pages used farthest ahead (>=); UNOPT the first of the
 * nearest (<). Returns the index in the cache, or -1 after an error. */
static long pick_future(Run *r, size_t at, bool opt)
{
    int64_t best = opt ? -1 : (int64_t)r->nrefs + 1;
    long idx = -1;
    for (size_t i = 0; i < r->count; i++) {
        int64_t when = next_use(r, at, r->mem[i]);
        if (when < 0)
            return -2;
        if (opt ? when >= best : when < best) {
            best = when;
            idx = (long)i;
        }
    }
    return idx;
}

/* OSTEP's CLOCK: probe random slots, decrementing reference counts, until one is 0. */
static size_t pick_clock(Run *r)
{
    for (;;) {
        size_t i = (size_t)(pyrand_random(&r->rng) * (double)r->count);
        if (r->ref[i] >= 1)
            r->ref[i]--;
        else
            return i;
    }
}

/* The victim's index in the cache for a full cache, or -1 for Python's IndexError on
 * an empty one (cache size 0), or -2 after another error. */
static long pick_victim(Run *r, size_t at)
{
    const char *p = r->policy;
    long i;
    if (strcmp(p, "FIFO") == 0 || strcmp(p, "LRU") == 0)
        i = 0;
    else if (strcmp(p, "MRU") == 0)
        i = (long)r->count - 1;
    else if (strcmp(p, "RAND") == 0)
        i = (long)(pyrand_random(&r->rng) * (double)r->count);
    else if (strcmp(p, "CLOCK") == 0)
        return r->count ? (long)pick_clock(r) : -1;
    else
        i = pick_future(r, at, strcmp(p, "OPT") == 0);
    if (i == -2)
        return -2;
    return (i < 0 || (size_t)i >= r->count) ? -1 : i;
}

/* The trace line: 'Access: %d  %s %s -> %12s <- %s Replaced:%s [Hits:%d Misses:%d]',
 * with the policy's names for the two ends of its list. */
static void print_access(Run *r, int64_t n, bool hit, int64_t victim, int64_t hits, int64_t miss)
{
    const char *p = r->policy, *left = "Left ", *right = "Right";
    if (strcmp(p, "FIFO") == 0) {
        left = "FirstIn";
        right = "Lastin ";
    } else if (strcmp(p, "LRU") == 0 || strcmp(p, "MRU") == 0) {
        left = "LRU";
        right = "MRU";
    }
    fprintf(r->out, "Access: %lld  %s %s -> ", (long long)n, hit ? "HIT " : "MISS", left);
    print_mem(r);
    fprintf(r->out, " <- %s Replaced:", right);
    if (victim == -1)  /* vfunc(): '-' for no victim, and for page -1 too */
        fputc('-', r->out);
    else
        fprintf(r->out, "%lld", (long long)victim);
    fprintf(r->out, " [Hits:%lld Misses:%lld]\n", (long long)hits, (long long)miss);
}

/* One reference: lookup, replacement, reference bits, the trace line. */
static int access_one(Run *r, size_t at, int64_t n, int64_t *hits, int64_t *miss)
{
    size_t idx;
    for (idx = 0; idx < r->count && r->mem[idx] != n; idx++)
        ;
    bool hit = idx < r->count;
    int64_t victim = -1, bits = 0;
    if (hit) {
        ++*hits;
        bits = r->ref[idx];
        if (strcmp(r->policy, "LRU") == 0 || strcmp(r->policy, "MRU") == 0) {
            mem_remove(r, idx);  /* to the MRU end */
            r->mem[r->count] = n;
            r->ref[r->count++] = bits;
            idx = r->count - 1;
        }
    } else {
        ++*miss;
        if ((int64_t)r->count == r->cachesize) {
            long v = pick_victim(r, at);
            if (v == -2)
                return -1;
            if (v < 0) {
                ostep_die(PROG, "IndexError: pop from empty list");
                return -1;
            }
            victim = r->mem[v];
            mem_remove(r, (size_t)v);
        }
        r->mem[r->count] = n;
        r->ref[r->count] = 0;
        idx = r->count++;
    }
    /* ref[n] = 1 for a page not in ref, else += 1 capped at clockbits */
    r->ref[idx] = hit ? (bits + 1 > r->clockbits ? r->clockbits : bits + 1) : 1;
    if (!r->notrace)
        print_access(r, n, hit, victim, *hits, *miss);
    return 0;
}

static bool policy_known(const char *p)
{
    static const char *const names[] = { "FIFO", "LRU", "MRU", "OPT", "RAND", "UNOPT", "CLOCK" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(p, names[i]) == 0)
            return true;
    return false;
}

static int solve(Run *r)
{
    if (!r->notrace)
        fputs("Solving...\n\n", r->out);
    if (!policy_known(r->policy)) {
        fprintf(r->out, "Policy %s is not yet implemented\n", r->policy);
        return 1;
    }
    r->mem = malloc((r->nrefs + 1) * sizeof *r->mem);
    r->ref = malloc((r->nrefs + 1) * sizeof *r->ref);
    if (!r->mem || !r->ref)
        return ostep_die(PROG, "MemoryError");
    int64_t hits = 0, miss = 0;
    for (size_t i = 0; i < r->nrefs; i++) {
        int64_t n;
        if (ref_page(r, i, &n) < 0 || access_one(r, i, n, &hits, &miss) < 0)
            return 1;
    }
    fputs("\n", r->out);
    if (hits + miss == 0)
        return ostep_die(PROG, "ZeroDivisionError: float division by zero");
    fprintf(r->out, "FINALSTATS hits %lld   misses %lld   hitrate %.2f\n\n", (long long)hits,
            (long long)miss, (100.0 * (double)hits) / ((double)hits + (double)miss));
    return 0;
}

/* The questions without answers. */
static int ask(Run *r, const char *cachesize)
{
    fprintf(r->out, "Assuming a replacement policy of %s, and a cache of size %s pages,\n"
                    "figure out whether each of the following page references hit or miss\n"
                    "in the page cache.\n\n", r->policy, cachesize);
    for (size_t i = 0; i < r->nrefs; i++) {
        int64_t n;
        if (ref_page(r, i, &n) < 0)
            return 1;
        fprintf(r->out, "Access: %lld  Hit/Miss?  State of Memory?\n", (long long)n);
    }
    fputs("\n", r->out);
    return 0;
}

/* ---- --scenario: the same reference string for vmsim ---------------------------- */

/* vmsim's name for an OSTEP policy it has, or NULL. */
static const char *vmsim_policy(const char *p)
{
    return strcmp(p, "FIFO") == 0 ? "fifo" : strcmp(p, "LRU") == 0 ? "lru"
         : strcmp(p, "OPT") == 0 ? "opt" : NULL;
}

/* The largest page a pages trace can name on x86_64: user addresses below 2^47. */
#define SCENARIO_MAX_PAGE ((INT64_C(1) << 35) - 1)

/* Whether the problem can be a vmsim scenario; a message on stderr if not. */
static bool scenario_fits(Run *r)
{
    if (r->cachesize < 1 || r->cachesize > VMSIM_FRAMES_MAX) {
        fprintf(stderr, "vmsim ostep: --scenario: a cache of %lld pages is no vmsim machine "
                        "(memory.frames is 1.." VMSIM_STR(VMSIM_FRAMES_MAX) ")\n", (long long)r->cachesize);
        return false;
    }
    for (size_t i = 0; i < r->nrefs; i++) {
        int64_t p;
        if (ref_page(r, i, &p) < 0)
            return false;
        if (p < 0 || p > SCENARIO_MAX_PAGE) {
            fprintf(stderr, "vmsim ostep: --scenario: page %lld is outside x86_64's user "
                            "pages (0..%lld)\n", (long long)p, (long long)SCENARIO_MAX_PAGE);
            return false;
        }
    }
    return true;
}

/* The scenario text: configs/textbook.ini's settings written out (so the file stands
 * on its own wherever it is saved), the cache size, the policy, the pages. */
static int write_scenario(Run *r, const OstepOut *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return ostep_die(PROG, "out of memory");
    fprintf(f, "; Written by: %s\n"
               "; OSTEP paging-policy.py's reference string on the settings of\n"
               "; configs/textbook.ini (no TLB, page tables outside the frames counted).\n"
               "[scenario]\n"
               "title = OSTEP paging-policy: %s, %lld frames, %zu references\n"
               "description = The reference string of `%s`.\n"
               "\n[machine]\narch = x86_64\n\n[tlb]\nentries = 0\n\n"
               "[memory]\nframes = %lld\npolicy = %s\npage_tables = separate\n%s\n"
               "[swap]\nslots = unlimited\n\n[trace]\nformat = pages\nlines =\n",
            o->command, r->policy, (long long)r->cachesize, r->nrefs, o->command,
            (long long)r->cachesize, vmsim_policy(r->policy),
            /* OPT's loop keeps the last of equal next uses (`>=`) in a list kept in load
             * order: among pages never used again, the one loaded last goes. */
            strcmp(r->policy, "OPT") == 0 ? "opt_ties = latest-loaded\n" : "");
    for (size_t i = 0; i < r->nrefs; i++)
        fprintf(f, "    %lld\n", (long long)r->refs[i].page);
    fclose(f);
    int rc = text ? ostep_write_file(o->scenario, text, len) : ostep_die(PROG, "out of memory");
    free(text);
    return rc;
}

/* The conversions after the ARG lines, each an int() that may raise. */
static int convert_args(Run *r, const PyOptValue *v, PyInt *cache, int64_t *numaddrs,
                        double *maxpage, bool *max_ovf)
{
    static const char bad[] = "ValueError: invalid literal for int() with base 10: '%s'";
    if (pyint_parse_i64(v[O_NUM].str, numaddrs) < 0)
        return ostep_die(PROG, bad, v[O_NUM].str);
    if (!pyint_parse(v[O_CACHE].str, 10, cache))
        return ostep_die(PROG, bad, v[O_CACHE].str);
    r->cachesize = pyint_clamp(cache);
    PyInt seed;
    if (!pyint_parse(v[O_SEED].str, 10, &seed))
        return ostep_die(PROG, bad, v[O_SEED].str);
    if (!pyint_parse_double(v[O_MAX].str, maxpage, max_ovf)) {
        pyint_free(&seed);
        return ostep_die(PROG, bad, v[O_MAX].str);
    }
    pyrand_seed_int(&r->rng, &seed);
    pyint_free(&seed);
    PyInt n;  /* numaddrs past 64 bits: as many as can ever be generated */
    if (pyint_parse(v[O_NUM].str, 10, &n)) {
        *numaddrs = pyint_clamp(&n);
        pyint_free(&n);
    }
    return 0;
}

static int print_args(FILE *out, const PyOptValue *v)
{
    char *bits = pyint_str(&v[O_BITS].num);
    if (!bits)
        return ostep_die(PROG, "ValueError: Exceeds the limit (4300 digits) for integer string conversion");
    fprintf(out, "ARG addresses %s\nARG addressfile %s\nARG numaddrs %s\nARG policy %s\n"
                 "ARG clockbits %s\nARG cachesize %s\nARG maxpage %s\nARG seed %s\n"
                 "ARG notrace %s\n\n", v[O_ADDR].str, v[O_FILE].str, v[O_NUM].str,
            v[O_POLICY].str, bits, v[O_CACHE].str, v[O_MAX].str, v[O_SEED].str,
            v[O_NOTRACE].flag ? "True" : "False");
    free(bits);
    return 0;
}

static int policy_run(Run *r, const PyOptValue *v, const OstepOut *o)
{
    PyInt cache = { 0 };
    int64_t numaddrs = 0;
    double maxpage = 0;
    bool max_ovf = false;
    int rc = print_args(r->out, v);
    if (!rc)
        rc = convert_args(r, v, &cache, &numaddrs, &maxpage, &max_ovf);
    r->policy = v[O_POLICY].str;
    r->clockbits = pyint_clamp(&v[O_BITS].num);
    r->notrace = v[O_NOTRACE].flag;
    if (!rc)
        rc = make_refs(r, v, numaddrs, maxpage, max_ovf);
    char *cs = rc ? NULL : pyint_str(&cache);
    if (!rc && o->scenario && !scenario_fits(r))
        rc = 2;
    if (!rc)
        rc = v[O_SOLVE].flag ? solve(r) : ask(r, cs ? cs : "?");
    if (!rc && o->scenario)
        rc = write_scenario(r, o) ? 2 : 0;
    free(cs);
    pyint_free(&cache);
    return rc;
}

int ostep_policy(int argc, char **argv, const OstepOut *o)
{
    PyOptParser p = { PROG, specs, sizeof specs / sizeof specs[0], NULL };
    int rc = pyopt_parse(&p, argc, argv);
    if (rc < 0 && o->scenario && !vmsim_policy(p.values[O_POLICY].str)) {
        fprintf(stderr, "vmsim ostep: --scenario: OSTEP's %s has no vmsim equivalent "
                        "(vmsim has FIFO, LRU and OPT of these)\n", p.values[O_POLICY].str);
        rc = 2;
    }
    if (rc < 0) {
        Run r = { .out = o->out };
        rc = policy_run(&r, p.values, o);
        free(r.refs);
        free(r.filebuf);
        free(r.mem);
        free(r.ref);
    }
    pyopt_free(&p);
    return rc;
}
