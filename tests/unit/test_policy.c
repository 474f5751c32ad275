/* Tests for the page replacement policies (sim/core/os/policy/policy.c). A small driver plays
 * the Sim: it maps pages to frames, fills free frames lowest first, asks for a victim
 * when memory is full, and tells the policy about every insert, touch, removal, tick
 * and (for opt) next use. Streams are checked against tests/data/expected-faults.csv
 * and against hand-worked examples, written out above each test. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mru_policy.h"
#include "testutil.h"
#include "vmsim/policy.h"
#include "vmsim/scenario.h"

#define MAXPAGES  4096      /* page numbers the driver can map */
#define MAXFRAMES 64
#define MAXREFS   32768     /* references in one stream */

/* ---- the driver ----------------------------------------------------------------- */

typedef struct Drv {
    Policy *p;
    size_t nframes, used;
    uint64_t now;                   /* reference index, as the Sim's reference count */
    long page_at[MAXFRAMES];        /* -1: empty */
    long frame_of[MAXPAGES];        /* -1: not resident */
    unsigned faults;
    bool clean_writebacks;          /* write scheduled write-backs after each search */
    PolicyFilter filter;
    void *ctx;
    Rng rng;
    unsigned evicted[MAXFRAMES];    /* evictions per frame */
    char victims[512];              /* evicted pages, "3 1 4" */
    char cleaned[128];              /* pages written back, "2" */
} Drv;

/* A reference of a parsed stream: a page (write or read) or a timer tick. */
typedef struct Ref {
    bool tick;
    bool write;
    long page;
} Ref;

static void append_num(char *buf, size_t cap, long v)
{
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, len ? " %ld" : "%ld", v);
}

static bool drv_init(Drv *d, PolicyKind kind, size_t nframes, uint64_t seed,
                     const PolicyParams *params)
{
    memset(d, 0, sizeof *d);
    memset(d->page_at, 0xff, sizeof d->page_at);
    memset(d->frame_of, 0xff, sizeof d->frame_of);
    rng_seed(&d->rng, seed);
    d->nframes = nframes;
    d->p = policy_create(kind, nframes, &d->rng, params);
    return d->p != NULL;
}

static void drv_fini(Drv *d)
{
    policy_destroy(d->p);
    d->p = NULL;
}

/* Writes back what the last victim search scheduled, as the Sim would. */
static void drv_writeback(Drv *d)
{
    pfn_t f;
    while ((f = policy_take_writeback(d->p)) != PFN_NONE) {
        append_num(d->cleaned, sizeof d->cleaned, d->page_at[f]);
        policy_cleaned(d->p, f);
    }
}

/* A free frame, lowest first, else the victim's frame (emptied). PFN_NONE if none. */
static pfn_t drv_frame(Drv *d)
{
    if (d->used < d->nframes)
        return d->used++;
    pfn_t f = policy_victim(d->p, d->filter, d->ctx);
    if (f == PFN_NONE || f >= d->nframes)
        return PFN_NONE;
    append_num(d->victims, sizeof d->victims, d->page_at[f]);
    d->evicted[f]++;
    d->frame_of[d->page_at[f]] = -1;
    d->page_at[f] = -1;
    policy_remove(d->p, f);
    if (d->clean_writebacks)
        drv_writeback(d);
    return f;
}

/* One reference to page; next is the index of its next reference (UINT64_MAX: never).
 * Returns false if the policy gave no usable victim. */
static bool drv_ref(Drv *d, long page, bool write, uint64_t next)
{
    long f = d->frame_of[page];
    if (f >= 0) {
        policy_set_next_use(d->p, (pfn_t)f, next);
        policy_touch(d->p, (pfn_t)f, write, d->now++);
        return true;
    }
    d->faults++;
    pfn_t fr = drv_frame(d);
    if (fr == PFN_NONE)
        return false;
    d->page_at[fr] = page;
    d->frame_of[page] = (long)fr;
    policy_set_next_use(d->p, fr, next);
    policy_insert(d->p, fr, write, d->now++);
    return true;
}

/* next[i] = index (counting references only) of the next reference to refs[i]'s page. */
static void next_uses(const Ref *refs, size_t n, uint64_t *next)
{
    static uint64_t seen[MAXPAGES];
    for (size_t i = 0; i < MAXPAGES; i++)
        seen[i] = UINT64_MAX;
    uint64_t idx = 0;
    for (size_t i = 0; i < n; i++)
        idx += !refs[i].tick;
    for (size_t i = n; i-- > 0;) {
        if (refs[i].tick)
            continue;
        idx--;
        next[i] = seen[refs[i].page];
        seen[refs[i].page] = idx;
    }
}

/* Feeds refs[0..n-1] (ticks included) to the driver, which must start at now = 0 for
 * opt's next uses to line up. Returns false if a victim search failed. */
static bool drv_feed(Drv *d, const Ref *refs, size_t n)
{
    static uint64_t next[MAXREFS];
    next_uses(refs, n, next);
    for (size_t i = 0; i < n; i++) {
        if (refs[i].tick)
            policy_tick(d->p, d->now);
        else if (!drv_ref(d, refs[i].page, refs[i].write, next[i]))
            return false;
    }
    return true;
}

/* Parses "1 2w 3 | 4": page numbers, w for a write, | for a tick. Returns the count. */
static size_t parse_stream(const char *s, Ref *out, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        if (isspace((unsigned char)*s)) {
            s++;
        } else if (*s == '|') {
            out[n++] = (Ref){ .tick = true };
            s++;
        } else {
            char *end;
            out[n] = (Ref){ .page = strtol(s, &end, 10) };
            s = end;
            if (*s == 'w') {
                out[n].write = true;
                s++;
            }
            n++;
        }
    }
    return n;
}

/* Runs a hand-written stream from now = 0. */
static bool drv_run(Drv *d, const char *stream)
{
    static Ref refs[256];
    return drv_feed(d, refs, parse_stream(stream, refs, 256));
}

/* Reads a .pages file (one page number per line) under tests/data. Returns the count,
 * or 0 if it cannot be read. */
static size_t read_pages(const char *name, Ref *out, size_t max)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.pages", TEST_DATA, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    long v;
    while (n < max && fscanf(f, "%ld", &v) == 1)
        out[n++] = (Ref){ .page = v };
    fclose(f);
    return n;
}

/* Faults of kind over nframes for refs; -1 if the driver failed. */
static long count_faults(PolicyKind kind, size_t nframes, const Ref *refs, size_t n,
                         uint64_t seed)
{
    Drv d;
    if (!drv_init(&d, kind, nframes, seed, NULL))
        return -1;
    bool ok = drv_feed(&d, refs, n);
    drv_fini(&d);
    return ok ? (long)d.faults : -1;
}

static long stream_faults(PolicyKind kind, size_t nframes, const char *stream)
{
    static Ref refs[256];
    return count_faults(kind, nframes, refs, parse_stream(stream, refs, 256), 1);
}

/* ---- names -------------------------------------------------------------------- */

static void test_names(void)
{
    static const char *const names[] = { "fifo", "lru", "clock", "second-chance", "nru",
                                         "lfu", "aging", "wsclock", "random", "opt" };
    CU_ASSERT_EQUAL(sizeof names / sizeof names[0], POLICY_COUNT);
    for (int i = 0; i < POLICY_COUNT; i++) {
        PolicyKind k = POLICY_COUNT;
        CU_ASSERT_TRUE(policy_parse(names[i], &k));
        CU_ASSERT_EQUAL(k, (PolicyKind)i);
        CU_ASSERT_STRING_EQUAL(policy_name(k), names[i]);
    }
    PolicyKind k = POLICY_LRU;
    CU_ASSERT_FALSE(policy_parse("LRU", &k));
    CU_ASSERT_FALSE(policy_parse("second_chance", &k));
    CU_ASSERT_FALSE(policy_parse("", &k));
    CU_ASSERT_EQUAL(k, POLICY_LRU);
    CU_ASSERT_STRING_EQUAL(policy_name(POLICY_COUNT), "?");
    CU_ASSERT_EQUAL(policy_params_default().tau, 1000);
}

/* ---- Belady's anomaly and the reference answers ---------------------------------- */

#define BELADY "1 2 3 4 1 2 5 1 2 3 4 5"

/* FIFO takes more faults with more frames; LRU and OPT (stack algorithms) never do. */
static void test_belady(void)
{
    CU_ASSERT_EQUAL(stream_faults(POLICY_FIFO, 3, BELADY), 9);
    CU_ASSERT_EQUAL(stream_faults(POLICY_FIFO, 4, BELADY), 10);
    CU_ASSERT_EQUAL(stream_faults(POLICY_LRU, 3, BELADY), 10);
    CU_ASSERT_EQUAL(stream_faults(POLICY_LRU, 4, BELADY), 8);
    CU_ASSERT_EQUAL(stream_faults(POLICY_OPT, 3, BELADY), 7);
    CU_ASSERT_EQUAL(stream_faults(POLICY_OPT, 4, BELADY), 6);
}

/* Every FIFO/LRU/OPT row of expected-faults.csv for the streams in tests/data. */
static void test_expected_faults(void)
{
    static Ref refs[MAXREFS];
    FILE *f = fopen(TEST_DATA "/expected-faults.csv", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256], stream[64], pol[16];
    unsigned long frames, nref, want;
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63[^,],%15[^,],%lu,%lu,%lu", stream, pol, &frames, &nref, &want) != 5)
            continue;   /* the header */
        if (strcmp(stream, "belady") != 0 && strcmp(stream, "uniform_1k_s1") != 0)
            continue;
        for (char *c = pol; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        PolicyKind kind;
        CU_ASSERT_TRUE_FATAL(policy_parse(pol, &kind));
        size_t n = read_pages(stream, refs, MAXREFS);
        CU_ASSERT_EQUAL(n, nref);
        long got = count_faults(kind, frames, refs, n, 1);
        if (got != (long)want)
            printf("\n  %s %s %lu frames: %ld faults, expected %lu", stream, pol, frames, got, want);
        CU_ASSERT_EQUAL(got, (long)want);
        checked++;
    }
    fclose(f);
    CU_ASSERT_EQUAL(checked, 24);
}

/* ---- clock and second-chance ------------------------------------------------------ */

/* 3 frames, 3 1 4 2 1 3 4 2; [frame:page R], * marks the hand.
 *   3 1 4    [*0:3 1][1:1 1][2:4 1]                          faults 1-3
 *   2        hand clears 0,1,2, wraps, 0 is clear: evict 3
 *            [0:2 1][*1:1 0][2:4 0]                           fault 4
 *   1        hit, sets R of frame 1   [0:2 1][*1:1 1][2:4 0]
 *   3        clears 1, frame 2 is clear: evict 4
 *            [*0:2 1][1:1 0][2:3 1]                           fault 5
 *   4        clears 0, frame 1 is clear: evict 1
 *            [0:2 0][1:4 1][*2:3 1]                           fault 6
 *   2        hit  [0:2 1][1:4 1][*2:3 1]
 * FIFO evicts 3 then 1 and hits the rest (5 faults); LRU evicts 3 4 2 1 (7 faults). */
#define CLOCK_STREAM "3 1 4 2 1 3 4 2"

static void test_clock(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_CLOCK, 3, 1, NULL));
    CU_ASSERT_EQUAL(policy_hand(d.p), 0);
    CU_ASSERT_TRUE(drv_run(&d, CLOCK_STREAM));
    CU_ASSERT_EQUAL(d.faults, 6);
    CU_ASSERT_STRING_EQUAL(d.victims, "3 4 1");
    CU_ASSERT_EQUAL(policy_hand(d.p), 2);
    for (pfn_t f = 0; f < 3; f++)
        CU_ASSERT_TRUE(policy_referenced(d.p, f));
    drv_fini(&d);
    CU_ASSERT_EQUAL(stream_faults(POLICY_FIFO, 3, CLOCK_STREAM), 5);
    CU_ASSERT_EQUAL(stream_faults(POLICY_LRU, 3, CLOCK_STREAM), 7);
}

/* The clock's circle read from the hand is second-chance's queue: same victims. */
static void test_second_chance(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_SECOND_CHANCE, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, CLOCK_STREAM));
    CU_ASSERT_EQUAL(d.faults, 6);
    CU_ASSERT_STRING_EQUAL(d.victims, "3 4 1");
    CU_ASSERT_EQUAL(policy_hand(d.p), PFN_NONE);
    drv_fini(&d);

    static Ref refs[MAXREFS];
    size_t n = read_pages("uniform_1k_s1", refs, MAXREFS);
    CU_ASSERT_EQUAL_FATAL(n, 1000);
    static const size_t frames[] = { 3, 4, 8, 16 };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        long clock = count_faults(POLICY_CLOCK, frames[i], refs, n, 1);
        CU_ASSERT(clock > 0);
        CU_ASSERT_EQUAL(count_faults(POLICY_SECOND_CHANCE, frames[i], refs, n, 1), clock);
    }
}

/* ---- nru, lfu, aging ------------------------------------------------------------- */

/* 3 frames; class = 2R + M; | is a tick (clears R).
 *   1 2 3 2w    0:1 R1M0, 1:2 R1M1 (a write hit), 2:3 R1M0
 *   |           classes 0:0 1:1 2:0
 *   1           0:1 class 2
 *   4           classes 2,1,0: evict 3 (frame 2); 2:4 R1M0 class 2
 *   2           1:2 class 3
 *   5           classes 2,3,2: lowest frame of class 2 is 0: evict 1; 0:5 class 2
 *   |           classes 0:0 1:1 2:0
 *   4 5         frames 2 and 0 class 2
 *   3           classes 2,1,2: evict 2 (modified but unreferenced beats referenced) */
static void test_nru(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_NRU, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, "1 2 3 2w | 1 4 2 5 |"));
    CU_ASSERT_STRING_EQUAL(d.victims, "3 1");
    CU_ASSERT_FALSE(policy_referenced(d.p, 1));
    CU_ASSERT_TRUE(policy_modified(d.p, 1));
    CU_ASSERT_TRUE(drv_run(&d, "4 5 3"));
    CU_ASSERT_STRING_EQUAL(d.victims, "3 1 2");
    CU_ASSERT_EQUAL(d.faults, 6);
    CU_ASSERT_FALSE(policy_modified(d.p, 0));
    drv_fini(&d);
}

/* 3 frames, counts in brackets, index = reference number:
 *   0-2: 1 1 1   0:1 [3]
 *   3-4: 2 2     1:2 [2] (loaded at 3)
 *   5:   3       2:3 [1]
 *   6:   4       counts 3,2,1: evict 3; 2:4 [1]
 *   7:   3       counts 3,2,1: evict 4; 2:3 [1] (loaded at 7)
 *   8:   3       2:3 [2]
 *   9:   5       counts 3,2,2: tie, 2 was loaded at 3, 3 at 7: evict 2; 1:5 [1] (at 9)
 *   10:  5       1:5 [2]
 *   11:  6       counts 3,2,2: tie, 3 (frame 2, at 7) before 5 (frame 1, at 9): evict 3
 * The last eviction takes the higher frame: the tie goes by load time, not frame. */
static void test_lfu(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_LFU, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, "1 1 1 2 2 3 4 3 3 5 5"));
    CU_ASSERT_EQUAL(policy_counter(d.p, 0), 3);
    CU_ASSERT_EQUAL(policy_counter(d.p, 1), 2);
    CU_ASSERT_EQUAL(policy_counter(d.p, 2), 2);
    CU_ASSERT_TRUE(drv_run(&d, "6"));
    CU_ASSERT_STRING_EQUAL(d.victims, "3 4 2 3");
    CU_ASSERT_EQUAL(d.faults, 7);
    CU_ASSERT_EQUAL(policy_counter(d.p, 2), 1);
    drv_fini(&d);
}

/* 3 frames; counters in hex; a load sets 0x80 with R clear; | shifts R in at the top.
 *   1 2 3   80 80 80
 *   |       40 40 40
 *   1 |     A0 20 20
 *   2 |     50 90 10
 *   4       smallest 10: evict 3; frame 2 = 80     (50 90 80)
 *   3       smallest 50: evict 1; frame 0 = 80     (80 90 80)
 *   1       tie 80 at frames 0 and 2: lowest frame: evict 3 (LRU would evict 2) */
static void test_aging(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_AGING, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, "1 2 3 | 1 |"));
    CU_ASSERT_EQUAL(policy_counter(d.p, 0), 0xA0);
    CU_ASSERT_EQUAL(policy_counter(d.p, 1), 0x20);
    CU_ASSERT_TRUE(drv_run(&d, "2"));
    CU_ASSERT_TRUE(policy_referenced(d.p, 1));
    CU_ASSERT_TRUE(drv_run(&d, "|"));
    CU_ASSERT_FALSE(policy_referenced(d.p, 1));
    CU_ASSERT_EQUAL(policy_counter(d.p, 0), 0x50);
    CU_ASSERT_EQUAL(policy_counter(d.p, 1), 0x90);
    CU_ASSERT_EQUAL(policy_counter(d.p, 2), 0x10);
    CU_ASSERT_TRUE(drv_run(&d, "4 3 1"));
    CU_ASSERT_STRING_EQUAL(d.victims, "3 1 3");
    CU_ASSERT_EQUAL(policy_counter(d.p, 0), 0x80);
    drv_fini(&d);
    CU_ASSERT_EQUAL(stream_faults(POLICY_LRU, 3, "1 2 3 1 2 4 3 1"), 6);
}

/* ---- wsclock ---------------------------------------------------------------------- */

/* tau = 2, 3 frames; a victim search sees now = the previous reference's index.
 * [frame:page R last], d = dirty, * = hand.
 *   0-2: 1 2w 3   [*0:1 1 0][1:2d 1 1][2:3 1 2]
 *   3:   4        now 2: R cleared, last = 2 at 0,1,2; a full turn, no victim; the
 *                 first clean seen is frame 0: evict 1, hand 1. [0:4 1 3]
 *   4-5: 4 4
 *   6:   5        now 5: frame 1 age 3 > 2 dirty: scheduled (1), skipped; frame 2
 *                 age 3 clean: evict 3, hand 0.   [2:5 1 6]
 *   7:   6        now 6: frame 0 R cleared, last 6; frame 1 dirty, already scheduled:
 *                 skipped, not counted again; frame 2 R cleared, last 6; the first clean
 *                 seen is frame 0: evict 4, hand 1.
 * Had the write-back of 2 completed (policy_cleaned) right after the search at 6,
 * frame 1 (age 4, clean) is the victim at 7 and the hand stops at 2. */
#define WSCLOCK_STREAM "1 2w 3 4 4 4 5 6"

static void test_wsclock(void)
{
    PolicyParams params = { .tau = 2 };
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_WSCLOCK, 3, 1, &params));
    CU_ASSERT_TRUE(drv_run(&d, WSCLOCK_STREAM));
    CU_ASSERT_STRING_EQUAL(d.victims, "1 3 4");
    CU_ASSERT_EQUAL(policy_hand(d.p), 1);
    CU_ASSERT_EQUAL(policy_writebacks(d.p), 1);
    CU_ASSERT_EQUAL(policy_counter(d.p, 1), 2);
    CU_ASSERT_EQUAL(policy_counter(d.p, 2), 6);
    CU_ASSERT_EQUAL(policy_counter(d.p, 0), 7);
    CU_ASSERT_TRUE(policy_modified(d.p, 1));
    CU_ASSERT_EQUAL(policy_take_writeback(d.p), 1);
    CU_ASSERT_EQUAL(policy_take_writeback(d.p), PFN_NONE);
    policy_cleaned(d.p, 1);
    CU_ASSERT_FALSE(policy_modified(d.p, 1));
    drv_fini(&d);

    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_WSCLOCK, 3, 1, &params));
    d.clean_writebacks = true;
    CU_ASSERT_TRUE(drv_run(&d, WSCLOCK_STREAM));
    CU_ASSERT_STRING_EQUAL(d.victims, "1 3 2");
    CU_ASSERT_STRING_EQUAL(d.cleaned, "2");
    CU_ASSERT_EQUAL(policy_hand(d.p), 2);
    CU_ASSERT_EQUAL(policy_writebacks(d.p), 1);
    drv_fini(&d);
}

/* tau = 2, 2 frames, every page dirty: no clean page, so the frame at the hand goes.
 *   0-1: 1w 2w   [*0:1d 1 0][1:2d 1 1]
 *   2:   3w      now 1: R cleared at both, last 1; none clean: frame at the hand, 0:
 *                evict 1, hand 1.   [0:3d 1 2]
 *   3-6: 3 3 3 3
 *   7:   4       now 6: frame 1 age 5 > 2 dirty: scheduled; frame 0 R cleared; none
 *                clean: the frame at the hand (1): evict 2, hand 0. Its write-back is
 *                no longer due once the frame is emptied. */
static void test_wsclock_dirty(void)
{
    PolicyParams params = { .tau = 2 };
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_WSCLOCK, 2, 1, &params));
    CU_ASSERT_TRUE(drv_run(&d, "1w 2w 3w 3 3 3 3 4"));
    CU_ASSERT_STRING_EQUAL(d.victims, "1 2");
    CU_ASSERT_EQUAL(policy_hand(d.p), 0);
    CU_ASSERT_EQUAL(policy_writebacks(d.p), 1);
    CU_ASSERT_EQUAL(policy_take_writeback(d.p), PFN_NONE);
    drv_fini(&d);

    /* The same with tau = 4 and 5: an age of 5 must exceed tau to be scheduled. */
    for (params.tau = 4; params.tau <= 5; params.tau++) {
        CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_WSCLOCK, 2, 1, &params));
        CU_ASSERT_TRUE(drv_run(&d, "1w 2w 3w 3 3 3 3 4"));
        CU_ASSERT_STRING_EQUAL(d.victims, "1 2");
        CU_ASSERT_EQUAL(policy_writebacks(d.p), params.tau == 4 ? 1 : 0);
        drv_fini(&d);
    }

    /* tau = 100, 3 frames: the first clean page seen, not the frame at the hand.
     *   0-2: 1w 2 3  [*0:1d 1 0][1:2 1 1][2:3 1 2]
     *   3:   4       now 2: R cleared everywhere, all ages 0: no victim in a full
     *                turn; frame 0 (at the hand) is dirty, the first clean one seen
     *                is frame 1: evict 2, hand 2; nothing scheduled (young pages). */
    params.tau = 100;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_WSCLOCK, 3, 1, &params));
    CU_ASSERT_TRUE(drv_run(&d, "1w 2 3 4"));
    CU_ASSERT_STRING_EQUAL(d.victims, "2");
    CU_ASSERT_EQUAL(policy_hand(d.p), 2);
    CU_ASSERT_EQUAL(policy_writebacks(d.p), 0);
    CU_ASSERT_FALSE(policy_referenced(d.p, 0));
    CU_ASSERT_TRUE(policy_referenced(d.p, 1));
    drv_fini(&d);
}

/* ---- random ----------------------------------------------------------------------- */

static void run_random(uint64_t seed, const Ref *refs, size_t n, char *victims, size_t cap)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_RANDOM, 4, seed, NULL));
    CU_ASSERT_TRUE(drv_feed(&d, refs, n));
    snprintf(victims, cap, "%u: %s", d.faults, d.victims);
    drv_fini(&d);
}

static void test_random(void)
{
    static Ref refs[MAXREFS];
    size_t n = read_pages("uniform_1k_s1", refs, MAXREFS);
    CU_ASSERT_EQUAL_FATAL(n, 1000);
    char a[600], b[600], c[600];
    run_random(1, refs, n, a, sizeof a);
    run_random(1, refs, n, b, sizeof b);
    run_random(2, refs, n, c, sizeof c);
    CU_ASSERT(strlen(a) > 100);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
}

/* ---- opt -------------------------------------------------------------------------- */

/* 3 frames. "1 2 3 4 1": at 4, page 1 is next used at 4, pages 2 and 3 never: the tie
 * goes to the lower frame, 1 (page 2). "3 2 1 4 1": pages 3 and 2 never, frame 0. */
static void test_opt_ties(void)
{
    Drv d;
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_OPT, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, "1 2 3 4 1"));
    CU_ASSERT_STRING_EQUAL(d.victims, "2");
    drv_fini(&d);
    CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_OPT, 3, 1, NULL));
    CU_ASSERT_TRUE(drv_run(&d, "3 2 1 4 1"));
    CU_ASSERT_STRING_EQUAL(d.victims, "3");
    drv_fini(&d);

    /* Through the API: equal finite next uses, updates and removal. */
    Policy *p = policy_create(POLICY_OPT, 4, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    static const uint64_t next[] = { 10, 50, 50, 20 };
    for (pfn_t f = 0; f < 4; f++) {
        policy_set_next_use(p, f, next[f]);
        policy_insert(p, f, false, f);
    }
    CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), 1);
    CU_ASSERT_EQUAL(policy_counter(p, 2), 50);
    policy_set_next_use(p, 1, 5);
    policy_touch(p, 1, false, 4);
    CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), 2);
    policy_remove(p, 2);
    CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), 3);
    policy_set_next_use(p, 0, UINT64_MAX);
    CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), 0);
    policy_destroy(p);
}

/* The heap against a straightforward scan on a long random stream: the same frame is
 * chosen at every fault. */
static void test_opt_heap(void)
{
    static Ref refs[20000];
    static uint64_t next[20000];
    Rng r;
    rng_seed(&r, 42);
    for (size_t i = 0; i < 20000; i++)
        refs[i] = (Ref){ .page = (long)(rng_below(&r, 4) ? rng_below(&r, 12) : rng_below(&r, 60)) };
    next_uses(refs, 20000, next);
    static const size_t frames[] = { 1, 7, 16, 33 };
    for (size_t k = 0; k < sizeof frames / sizeof frames[0]; k++) {
        size_t nf = frames[k];
        Drv d;
        CU_ASSERT_TRUE_FATAL(drv_init(&d, POLICY_OPT, nf, 1, NULL));
        uint64_t nu[MAXFRAMES];     /* next use of each frame's page, kept by the test */
        unsigned mismatches = 0;
        for (size_t i = 0; i < 20000; i++) {
            long f = d.frame_of[refs[i].page];
            if (f < 0 && d.used == nf) {
                size_t want = 0;
                for (size_t g = 1; g < nf; g++)
                    if (nu[g] > nu[want])
                        want = g;
                mismatches += policy_victim(d.p, NULL, NULL) != want;
            }
            CU_ASSERT_TRUE_FATAL(drv_ref(&d, refs[i].page, false, next[i]));
            nu[d.frame_of[refs[i].page]] = next[i];
        }
        CU_ASSERT_EQUAL(mismatches, 0);
        CU_ASSERT(d.faults > 60);
        drv_fini(&d);
    }
}

/* ---- every policy: filters and removal ------------------------------------------------ */

static bool odd_frames(void *ctx, pfn_t pfn)
{
    (void)ctx;
    return pfn % 2 == 1;
}

static bool no_frames(void *ctx, pfn_t pfn)
{
    (void)ctx;
    (void)pfn;
    return false;
}

static bool not_frame(void *ctx, pfn_t pfn)
{
    return pfn != *(const pfn_t *)ctx;
}

/* Local replacement: with a filter admitting the odd frames only, every victim of a
 * 6-frame run (with a tick every 8 references) is frame 1, 3 or 5, and each of them
 * is chosen, for every policy; a filter admitting none gives PFN_NONE. */
static void test_filter(void)
{
    static Ref pages[MAXREFS], refs[MAXREFS];
    size_t np = read_pages("uniform_1k_s1", pages, MAXREFS);
    CU_ASSERT_EQUAL_FATAL(np, 1000);
    size_t n = 0;
    for (size_t i = 0; i < np; i++) {
        if (i % 8 == 7)
            refs[n++] = (Ref){ .tick = true };
        refs[n++] = pages[i];
    }
    for (int k = 0; k < POLICY_COUNT; k++) {
        Drv d;
        CU_ASSERT_TRUE_FATAL(drv_init(&d, (PolicyKind)k, 6, 7, NULL));
        d.filter = odd_frames;
        CU_ASSERT_TRUE(drv_feed(&d, refs, n));
        CU_ASSERT_EQUAL(d.evicted[0] + d.evicted[2] + d.evicted[4], 0);
        CU_ASSERT(d.evicted[1] > 0 && d.evicted[3] > 0 && d.evicted[5] > 0);
        CU_ASSERT(d.faults > 100);
        CU_ASSERT_EQUAL(policy_victim(d.p, no_frames, NULL), PFN_NONE);
        pfn_t v = policy_victim(d.p, odd_frames, NULL);
        CU_ASSERT(v == 1 || v == 3 || v == 5);
        drv_fini(&d);
    }
}

/* A removed frame is never chosen, whatever its state, until it is filled again; an
 * empty policy has no victim. */
static void test_remove(void)
{
    for (int k = 0; k < POLICY_COUNT; k++) {
        Rng rng;
        rng_seed(&rng, 3);
        Policy *p = policy_create((PolicyKind)k, 4, &rng, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        for (pfn_t f = 0; f < 4; f++)
            policy_insert(p, f, false, f);
        policy_tick(p, 4);
        policy_remove(p, 0);
        policy_remove(p, 0);            /* removing an empty frame is ignored */
        unsigned chosen0 = 0;
        for (uint64_t t = 5; t < 45; t++) {
            pfn_t v = policy_victim(p, NULL, NULL);
            CU_ASSERT_FATAL(v < 4);
            chosen0 += v == 0;
            policy_remove(p, v);
            policy_insert(p, v, t % 3 == 0, t);
            policy_touch(p, (v + 1) % 4 == 0 ? 1 : (v + 1) % 4, false, t);
        }
        CU_ASSERT_EQUAL(chosen0, 0);
        CU_ASSERT_FALSE(policy_referenced(p, 0));
        CU_ASSERT_EQUAL(policy_counter(p, 0), 0);
        pfn_t keep = 2;
        for (pfn_t f = 1; f < 4; f++)
            if (f != keep)
                policy_remove(p, f);
        CU_ASSERT_EQUAL(policy_victim(p, not_frame, &keep), PFN_NONE);
        CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), keep);
        policy_remove(p, keep);
        CU_ASSERT_EQUAL(policy_victim(p, NULL, NULL), PFN_NONE);
        policy_destroy(p);
    }
    policy_destroy(NULL);
}

/* describe_state in words, worked by hand: frames 0, 1, 2 loaded at 1, 2, 3 by
 * reads, then frame 0 referenced at 4. fifo lists the load order with load times;
 * lru the use order with last uses; clock its hand and R and M bits (R set by every
 * reference); opt each frame's next use as told. */
static void test_describe_state(void)
{
    static const struct { PolicyKind k; const char *want; } cases[] = {
        { POLICY_FIFO, "frames in load order, oldest first: 0 (loaded at 1), 1 (loaded at 2), "
                       "2 (loaded at 3)" },
        { POLICY_LRU, "frames by last use, least recent first: 1 (last used at 2), "
                      "2 (last used at 3), 0 (last used at 4)" },
        { POLICY_CLOCK, "hand at frame 0; frames: 0 R=1 M=0, 1 R=1 M=1, 2 R=1 M=0" },
        { POLICY_OPT, "next uses (trace record, from 1): 0 at 10, 1 never, 2 at 8; equal next uses: "
                     "the lowest frame goes" },   /* positions 9, 7 */
    };
    static const uint64_t next[3] = { 9, UINT64_MAX, 7 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Policy *p = policy_create(cases[i].k, 3, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        char before[256], buf[256];
        policy_describe_state(p, before, sizeof before);
        CU_ASSERT_PTR_NOT_NULL(strstr(before, "no pages loaded"));
        for (pfn_t f = 0; f < 3; f++) {
            policy_set_next_use(p, f, f == 0 ? 4 : next[f]);
            policy_insert(p, f, f == 1, f + 1);
        }
        policy_set_next_use(p, 0, next[0]);
        policy_touch(p, 0, false, 4);
        size_t n = policy_describe_state(p, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
        CU_ASSERT_EQUAL(n, strlen(cases[i].want));
        char small[8];                  /* truncated, terminated, same length reported */
        CU_ASSERT_EQUAL(policy_describe_state(p, small, sizeof small), n);
        CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
        policy_destroy(p);
    }
}

/* next_victim previews victim: over a stream with ticks and writes, wherever a policy
 * can preview, the preview asked first equals the frame victim then chooses, with
 * and without a filter; random and wsclock say they cannot. */
static void test_next_victim(void)
{
    for (int k = 0; k < POLICY_COUNT; k++) {
        Rng rng;
        rng_seed(&rng, 11);
        Policy *p = policy_create((PolicyKind)k, 5, &rng, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        pfn_t preview;
        bool can = policy_next_victim(p, NULL, NULL, &preview);
        CU_ASSERT_EQUAL(can, k != POLICY_RANDOM && k != POLICY_WSCLOCK);
        for (pfn_t f = 0; f < 5; f++)
            policy_insert(p, f, f % 2, f + 1);
        unsigned checked = 0;
        for (uint64_t t = 6; can && t < 200; t++) {
            if (t % 7 == 0)
                policy_tick(p, t);
            PolicyFilter filter = t % 3 == 0 ? odd_frames : NULL;
            CU_ASSERT_TRUE(policy_next_victim(p, filter, NULL, &preview));
            pfn_t v = policy_victim(p, filter, NULL);
            checked += preview == v;
            CU_ASSERT_EQUAL(preview, v);
            policy_set_next_use(p, v, (t * 7919) % 61);
            policy_remove(p, v);
            policy_insert(p, v, t % 4 == 0, t);
            pfn_t u = (pfn_t)((t * 31) % 5);
            policy_set_next_use(p, u, t + (t * 13) % 17);
            policy_touch(p, u, t % 5 == 0, t);
        }
        CU_ASSERT_EQUAL(checked, can ? 194u : 0u);
        policy_destroy(p);
    }
}

/* The first free frame, then mru's victims (the page used last; worked by hand):
 * 1 2 3 | 4 evicts 3 | 1 2 hit | 5 evicts 2 | 1 hit | 2 evicts 1 | 3 evicts 2 | 4 5 hit:
 * 7 faults with 3 frames, where fifo takes 9 (scenarios/belady.ini says so). */
static uint64_t belady_faults(const char *policy, char *err, size_t errlen)
{
    Scenario sc;
    scenario_init(&sc);
    char set[64];
    snprintf(set, sizeof set, "memory.policy=%s", policy);
    uint64_t faults = UINT64_MAX;
    if (scenario_load(&sc, "scenarios/belady.ini", err, errlen) == 0 &&
        scenario_set(&sc, set, "--set", err, errlen) == 0 && scenario_validate(&sc, err, errlen) == 0) {
        bool none = false;
        Sim *s = scenario_build(&sc, err, errlen);
        TraceReader *t = s ? scenario_open_trace(&sc, NULL, TRACE_AUTO, &none, err, errlen) : NULL;
        if (t) {
            sim_set_trace(s, t);
            while (sim_step(s, NULL) == STEP_OK)
                ;
            faults = sim_stats(s)->page_faults;
            CU_ASSERT_STRING_EQUAL(policy_name(policy_kind(sim_policy(s))), policy);
        }
        sim_destroy(s);
        trace_close(t);
    }
    scenario_fini(&sc);
    return faults;
}

/* A policy registered from outside the core (tests/unit/mru_policy.h) is in the table:
 * named, parsed, listed in the error for an unknown one, and run by the Sim. */
static void test_registered(void)
{
    PolicyKind k = mru_register();
    CU_ASSERT_TRUE(k >= POLICY_COUNT);
    CU_ASSERT_EQUAL(policy_count(), (size_t)k + 1);
    CU_ASSERT_STRING_EQUAL(policy_name(k), "mru");
    CU_ASSERT_STRING_EQUAL(policy_label(k), "MRU (most recently used)");
    PolicyKind again;
    CU_ASSERT_FALSE(policy_register(&mru_ops, &again));          /* the name is taken */
    PolicyOps partial = { .name = "half", .label = "half" };
    CU_ASSERT_FALSE(policy_register(&partial, &again));          /* entries missing */
    char names[512];
    policy_list_names(names, sizeof names, ", ", " or ");
    CU_ASSERT_STRING_EQUAL(names, "fifo, lru, clock, second-chance, nru, lfu, aging, wsclock, random, "
                                  "opt or mru");
    char err[512] = "";
    CU_ASSERT_EQUAL(belady_faults("mru", err, sizeof err), 7);
    CU_ASSERT_EQUAL(belady_faults("fifo", err, sizeof err), 9);
    CU_ASSERT_EQUAL(belady_faults("nope", err, sizeof err), UINT64_MAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "random, opt or mru, got 'nope'"));
}

void suite_policy(void);     /* called by runner.c through suites.h */

void suite_policy(void)
{
    TEST_SUITE("policy",
               { "names", test_names },
               { "belady", test_belady },
               { "expected_faults", test_expected_faults },
               { "clock", test_clock },
               { "second_chance", test_second_chance },
               { "nru", test_nru },
               { "lfu", test_lfu },
               { "aging", test_aging },
               { "wsclock", test_wsclock },
               { "wsclock_dirty", test_wsclock_dirty },
               { "random", test_random },
               { "opt_ties", test_opt_ties },
               { "opt_heap", test_opt_heap },
               { "filter", test_filter },
               { "remove", test_remove },
               { "describe_state", test_describe_state },
               { "next_victim", test_next_victim },
               { "registered", test_registered });
}
