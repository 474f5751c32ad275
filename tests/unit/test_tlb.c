/* Tests for the TLB (sim/core/hw/tlb.c): set mapping and conflicts, LRU / FIFO / seeded
 * random replacement, ASID tags and the global bit, invalidation per page of every
 * size, reach, and the zero-entry TLB. Pages are 4 KiB (shift 12) unless stated. */
#include "testutil.h"
#include "vmsim/tlb.h"

#define KIB4 12
#define MIB2 21
#define GIB1 30
#define RW (PTE_R | PTE_W)

/* The tag (VPN at its page size) the entry maps, or -1 on a miss. */
static long long hit_tag(Tlb *t, vaddr_t va, uint32_t asid)
{
    TlbEntry *e = tlb_lookup(t, va, asid);
    return e ? (long long)e->tag : -1;
}

static void test_policy_names(void)
{
    static const char *const names[] = { "lru", "fifo", "random" };
    for (unsigned i = 0; i < 3; i++) {
        TlbPolicy p = TLB_RANDOM;
        CU_ASSERT_TRUE(tlb_policy_parse(names[i], &p));
        CU_ASSERT_EQUAL(p, (TlbPolicy)i);
        CU_ASSERT_STRING_EQUAL(tlb_policy_name(p), names[i]);
    }
    TlbPolicy p = TLB_FIFO;
    CU_ASSERT_FALSE(tlb_policy_parse("LRU", &p));
    CU_ASSERT_FALSE(tlb_policy_parse("clock", &p));
}

static void test_init(void)
{
    Tlb t;
    CU_ASSERT_EQUAL(tlb_init(&t, 16, 4, TLB_LRU, NULL), 0);
    CU_ASSERT_EQUAL(t.sets, 4);                  /* 16 entries / 4 ways */
    CU_ASSERT_EQUAL(tlb_reach(&t), 0);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 0));
    tlb_fini(&t);
    CU_ASSERT_EQUAL(tlb_init(&t, 12, 8, TLB_LRU, NULL), -1);   /* 8 does not divide 12 */
    tlb_fini(&t);
    CU_ASSERT_EQUAL(tlb_init(&t, 12, 0, TLB_LRU, NULL), -1);
    tlb_fini(&t);
}

/* Direct-mapped, 4 sets: VPN 1 and VPN 5 both land in set 1 (1 % 4 = 5 % 4 = 1). */
static void test_direct_mapped_conflict(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 4, 1, TLB_LRU, NULL), 0);
    CU_ASSERT_EQUAL(tlb_set_of(&t, 0x1000, KIB4), 1);
    CU_ASSERT_EQUAL(tlb_set_of(&t, 0x5000, KIB4), 1);
    CU_ASSERT_EQUAL(tlb_set_of(&t, 0x2000, KIB4), 2);
    TlbEntry ev;
    CU_ASSERT_PTR_NOT_NULL(tlb_fill(&t, 0x1000, KIB4, 100, RW, 0, &ev));
    CU_ASSERT_EQUAL(ev.valid, 0);
    CU_ASSERT_PTR_NOT_NULL(tlb_fill(&t, 0x2000, KIB4, 200, RW, 0, &ev));
    CU_ASSERT_EQUAL(ev.valid, 0);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1abc, 0), 1);
    tlb_fill(&t, 0x5000, KIB4, 500, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.valid, 1);                /* VPN 1 was thrown out */
    CU_ASSERT_EQUAL(ev.tag, 1);
    CU_ASSERT_EQUAL(ev.pfn, 100);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1abc, 0), -1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x5abc, 0), 5);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x2abc, 0), 2);  /* set 2 untouched */
    tlb_fill(&t, 0x1000, KIB4, 100, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.tag, 5);                  /* and back again */
    CU_ASSERT_EQUAL(hit_tag(&t, 0x5abc, 0), -1);
    tlb_fini(&t);
}

/* 2-way, 2 sets: VPN 1, 3 and 5 share set 1. Two fit; the third evicts the LRU one. */
static void test_two_way(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 4, 2, TLB_LRU, NULL), 0);
    TlbEntry ev;
    tlb_fill(&t, 0x1000, KIB4, 11, RW, 0, &ev);
    tlb_fill(&t, 0x3000, KIB4, 33, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.valid, 0);                /* both ways of set 1 in use */
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1000, 0), 1);  /* VPN 1 now most recently used */
    CU_ASSERT_EQUAL(hit_tag(&t, 0x3000, 0), 3);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1000, 0), 1);
    tlb_fill(&t, 0x5000, KIB4, 55, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.valid, 1);
    CU_ASSERT_EQUAL(ev.tag, 3);                  /* the least recently used */
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1000, 0), 1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x5000, 0), 5);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 0x5000, 0)->pfn, 55);
    /* VPN 2 goes to set 0 and evicts nothing. */
    tlb_fill(&t, 0x2000, KIB4, 22, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.valid, 0);
    tlb_fini(&t);
}

/* Fully associative (4 entries, 4 ways): fill VPN 0..3, touch VPN 0, fill VPN 4.
 * LRU evicts VPN 1 (least recently used); FIFO evicts VPN 0 (filled first), even
 * though it was just used. */
static vpn_t fa_victim(TlbPolicy policy)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 4, 4, policy, NULL), 0);
    TlbEntry ev;
    for (vaddr_t v = 0; v < 4; v++)
        tlb_fill(&t, v << KIB4, KIB4, 10 + v, RW, 0, NULL);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x0000, 0), 0);
    tlb_fill(&t, 0x4000, KIB4, 14, RW, 0, &ev);
    CU_ASSERT_EQUAL(ev.valid, 1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x4000, 0), 4);
    CU_ASSERT_EQUAL(hit_tag(&t, ev.tag << KIB4, 0), -1);
    tlb_fini(&t);
    return ev.tag;
}

static void test_lru_fifo(void)
{
    CU_ASSERT_EQUAL(fa_victim(TLB_LRU), 1);
    CU_ASSERT_EQUAL(fa_victim(TLB_FIFO), 0);
}

/* Random: with a full set, the victim way is rng_below(ways) from the shared
 * generator. A model draws from a copy of the same seed and must agree. */
static void test_random(void)
{
    Rng rng, model;
    rng_seed(&rng, 42);
    rng_seed(&model, 42);
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 4, 4, TLB_RANDOM, &rng), 0);
    vpn_t way[4];
    for (vpn_t v = 0; v < 4; v++) {              /* free ways fill in order, no draws */
        tlb_fill(&t, v << KIB4, KIB4, v, RW, 0, NULL);
        way[v] = v;
    }
    CU_ASSERT_EQUAL(rng.state, model.state);
    int agree = 0, seen[4] = { 0 };
    for (vpn_t v = 4; v < 40; v++) {
        unsigned w = (unsigned)rng_below(&model, 4);
        TlbEntry ev;
        tlb_fill(&t, v << KIB4, KIB4, v, RW, 0, &ev);
        agree += ev.valid && ev.tag == way[w] && t.e[w].tag == v;
        way[w] = v;
        seen[w] = 1;
    }
    CU_ASSERT_EQUAL(agree, 36);
    CU_ASSERT_EQUAL(seen[0] + seen[1] + seen[2] + seen[3], 4);   /* not stuck on one way */
    tlb_fini(&t);
}

/* Same VA in two address spaces: two entries; a third ASID misses. */
static void test_asid(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 8, 8, TLB_LRU, NULL), 0);
    tlb_fill(&t, 0x400000, KIB4, 10, RW, 1, NULL);
    tlb_fill(&t, 0x400000, KIB4, 20, RW, 2, NULL);
    TlbEntry *a = tlb_lookup(&t, 0x400123, 1);
    TlbEntry *b = tlb_lookup(&t, 0x400123, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    CU_ASSERT_EQUAL(a->pfn, 10);
    CU_ASSERT_EQUAL(b->pfn, 20);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x400123, 3));
    CU_ASSERT_EQUAL(tlb_reach(&t), 2 * 4096);

    /* Refilling the same page of the same ASID updates in place. */
    tlb_fill(&t, 0x400000, KIB4, 11, RW | PTE_D, 1, NULL);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 0x400000, 1)->pfn, 11);
    CU_ASSERT_EQUAL(tlb_reach(&t), 2 * 4096);

    CU_ASSERT_EQUAL(tlb_flush_asid(&t, 1), 1);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x400123, 1));
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0x400123, 2));
    CU_ASSERT_EQUAL(tlb_flush_asid(&t, 1), 0);
    tlb_fini(&t);
}

/* The global bit: matches any ASID; survives a flush that keeps globals and an ASID
 * flush; goes with a full flush. */
static void test_global(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 8, 2, TLB_LRU, NULL), 0);
    tlb_fill(&t, 0xffff800000001000ull, KIB4, 7, PTE_R | PTE_G, 1, NULL);
    tlb_fill(&t, 0x1000, KIB4, 8, RW, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0xffff800000001000ull, 1));
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0xffff800000001000ull, 9));
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 9));

    CU_ASSERT_EQUAL(tlb_flush_asid(&t, 1), 1);   /* only the non-global one */
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0xffff800000001000ull, 1));
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 1));

    tlb_fill(&t, 0x1000, KIB4, 8, RW, 1, NULL);
    tlb_fill(&t, 0x2000, KIB4, 9, RW, 2, NULL);
    CU_ASSERT_EQUAL(tlb_flush_all(&t, true), 2); /* a CR3 write without PCIDs */
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0xffff800000001000ull, 5));
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 1));
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x2000, 2));
    CU_ASSERT_EQUAL(tlb_reach(&t), 4096);

    CU_ASSERT_EQUAL(tlb_flush_all(&t, false), 1);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0xffff800000001000ull, 5));
    CU_ASSERT_EQUAL(tlb_reach(&t), 0);
    CU_ASSERT_EQUAL(tlb_flush_all(&t, false), 0);
    tlb_fini(&t);
}

/* A 2 MiB entry covers [0x200000, 0x400000) and nothing else. */
static void test_large_page(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 8, 2, TLB_LRU, NULL), 0);
    tlb_fill(&t, 0x200000, MIB2, 0x400, RW, 0, NULL);   /* tag = 0x200000 >> 21 = 1 */
    CU_ASSERT_EQUAL(hit_tag(&t, 0x200000, 0), 1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x2abcde, 0), 1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x3fffff, 0), 1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x1fffff, 0), -1);
    CU_ASSERT_EQUAL(hit_tag(&t, 0x400000, 0), -1);
    TlbEntry *e = tlb_lookup(&t, 0x3fffff, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->shift, MIB2);
    CU_ASSERT_EQUAL(e->pfn, 0x400);
    /* A 4 KiB entry and a 2 MiB entry side by side: each answers for its own range. */
    tlb_fill(&t, 0x5000, KIB4, 0x77, RW, 0, NULL);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 0x5fff, 0)->shift, KIB4);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 0x205fff, 0)->shift, MIB2);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x6000, 0));
    tlb_fini(&t);
}

/* invlpg-style flush: drops the entry covering the VA, whatever its page size. */
static void test_flush_page(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 16, 4, TLB_LRU, NULL), 0);
    tlb_fill(&t, 0x1000, KIB4, 1, RW, 1, NULL);
    tlb_fill(&t, 0x200000, MIB2, 0x200, RW, 1, NULL);
    tlb_fill(&t, 0x40000000, GIB1, 0x40000, RW, 1, NULL);
    tlb_fill(&t, 0x2000, KIB4, 2, RW, 1, NULL);
    /* reach = 4 KiB + 2 MiB + 1 GiB + 4 KiB = 4096 + 2097152 + 1073741824 + 4096 */
    CU_ASSERT_EQUAL(tlb_reach(&t), 1075847168ull);

    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x7fffffff, 2), 0);       /* other ASID */
    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x7fffffff, 1), 1);       /* inside the 1 GiB page */
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x40000000, 1));
    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x3ff000, 1), 1);         /* inside the 2 MiB page */
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x200000, 1));
    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x1fff, 1), 1);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 1));
    CU_ASSERT_PTR_NOT_NULL(tlb_lookup(&t, 0x2000, 1));           /* the neighbour stays */
    CU_ASSERT_EQUAL(tlb_reach(&t), 4096);

    /* One VA covered by a 4 KiB and a 2 MiB entry (and a global one): all go. */
    tlb_fill(&t, 0x201000, KIB4, 3, RW, 1, NULL);
    tlb_fill(&t, 0x200000, MIB2, 0x200, RW, 1, NULL);
    tlb_fill(&t, 0x200000, MIB2, 0x300, RW | PTE_G, 9, NULL);
    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x201234, 1), 3);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x201234, 1));
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x201234, 9));
    tlb_fini(&t);
}

/* A TLB with no entries: fills are dropped, lookups always miss. */
static void test_zero_entries(void)
{
    Tlb t;
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 0, 0, TLB_LRU, NULL), 0);
    TlbEntry ev = { .valid = 1 };
    CU_ASSERT_PTR_NULL(tlb_fill(&t, 0x1000, KIB4, 1, RW | PTE_G, 0, &ev));
    CU_ASSERT_EQUAL(ev.valid, 0);
    CU_ASSERT_PTR_NULL(tlb_lookup(&t, 0x1000, 0));
    CU_ASSERT_EQUAL(tlb_set_of(&t, 0x1000, KIB4), 0);
    CU_ASSERT_EQUAL(tlb_reach(&t), 0);
    CU_ASSERT_EQUAL(tlb_flush_all(&t, false), 0);
    CU_ASSERT_EQUAL(tlb_flush_page(&t, 0x1000, 0), 0);
    CU_ASSERT_EQUAL(tlb_flush_asid(&t, 0), 0);
    tlb_fini(&t);
}

/* The probe finds an entry where the set search would (set = page number % sets,
 * the way it was filled into) and changes nothing: the LRU stamps stay, so the
 * entry a later fill replaces is the same as without the probe. */
static void test_probe(void)
{
    Tlb t;
    Rng rng;
    rng_seed(&rng, 1);
    CU_ASSERT_EQUAL_FATAL(tlb_init(&t, 8, 2, TLB_LRU, &rng), 0);
    tlb_fill(&t, 0x3000, KIB4, 30, RW, 0, NULL);      /* page 3: set 3, way 0 */
    tlb_fill(&t, 0x7000, KIB4, 70, RW, 0, NULL);      /* page 7: set 3, way 1 */
    long i = tlb_find(&t, 0x3abc, 0);
    CU_ASSERT_EQUAL(i, 3 * 2 + 0);
    CU_ASSERT_EQUAL(tlb_find(&t, 0x7000, 0), 3 * 2 + 1);
    CU_ASSERT_EQUAL(tlb_find(&t, 0x7000, 1), -1);     /* another ASID */
    CU_ASSERT_EQUAL(tlb_find(&t, 0xb000, 0), -1);
    const TlbEntry *e = tlb_entry_at(&t, 3, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->pfn, 70);
    CU_ASSERT_PTR_NULL(tlb_entry_at(&t, 4, 0));       /* 8 entries / 2 ways: sets 0..3 */
    CU_ASSERT_PTR_NULL(tlb_entry_at(&t, 0, 2));
    uint64_t stamp = t.e[i].stamp;
    tlb_find(&t, 0x3000, 0);
    CU_ASSERT_EQUAL(t.e[i].stamp, stamp);
    TlbEntry ev;
    tlb_fill(&t, 0xb000, KIB4, 110, RW, 0, &ev);      /* page 11, set 3: LRU is page 3 */
    CU_ASSERT_EQUAL(ev.pfn, 30);
    tlb_fini(&t);
}

void suite_tlb(void);     /* called by runner.c through suites.h */

void suite_tlb(void)
{
    TEST_SUITE("tlb",
        { "policy names", test_policy_names },
        { "init", test_init },
        { "direct-mapped conflict", test_direct_mapped_conflict },
        { "2-way set keeps both", test_two_way },
        { "fully associative LRU and FIFO", test_lru_fifo },
        { "random is seeded", test_random },
        { "ASID tags", test_asid },
        { "global bit", test_global },
        { "2 MiB entry", test_large_page },
        { "flush page of every size", test_flush_page },
        { "zero entries", test_zero_entries },
        { "probe", test_probe });
}
