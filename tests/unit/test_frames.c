/* Tests for the frame pool and simulated physical memory (sim/core/hw/frames.c) and for
 * swap slots (sim/core/hw/swap.c). */
#include "testutil.h"
#include "vmsim/frames.h"
#include "vmsim/swap.h"

/* Frames are handed out lowest first; a freed frame is reused; the pool runs out. */
static void test_alloc_order(void)
{
    FramePool fp;
    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 4, 12, false), 0);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 4);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 0);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 1);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 2);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 3);
    CU_ASSERT_EQUAL(frames_alloc(&fp), PFN_NONE);             /* not 0: 0 is a frame */
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), PFN_NONE);       /* tables share RAM */
    CU_ASSERT_EQUAL(fp.in_use[FRAME_DATA], 4);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 0);
    CU_ASSERT_EQUAL(frames_get(&fp, 2)->kind, FRAME_DATA);

    frames_free(&fp, 2);
    CU_ASSERT_EQUAL(frames_get(&fp, 2)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_get(&fp, 2)->pid, -1);
    CU_ASSERT_EQUAL(frames_get(&fp, 2)->swap_slot, -1);
    CU_ASSERT_EQUAL(frames_get(&fp, 2)->pte_pa, PADDR_NONE);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 1);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_DATA], 3);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 2);                    /* the freed one again */
    CU_ASSERT_EQUAL(frames_alloc(&fp), PFN_NONE);

    frames_free(&fp, 0);
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 0);              /* frame 0 as a table */
    CU_ASSERT_EQUAL(frames_get(&fp, 0)->kind, FRAME_TABLE);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_TABLE], 1);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_DATA], 3);
    frames_free(&fp, 0);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_TABLE], 0);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 1);
    CU_ASSERT_TRUE(frames_is_ram(&fp, 3));
    CU_ASSERT_FALSE(frames_valid(&fp, 4));
    frames_fini(&fp);
}

/* Separate page tables: numbered from nframes up, never short of frames, never
 * counted against RAM. */
static void test_separate_tables(void)
{
    FramePool fp;
    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 2, 12, true), 0);
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 2);
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 3);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 0);                    /* data still from RAM */
    pfn_t last = PFN_NONE;
    for (int i = 0; i < 100; i++)                             /* grows past its capacity */
        last = frames_alloc_table(&fp);
    CU_ASSERT_EQUAL(last, 103);                               /* 4 + 100 - 1 */
    CU_ASSERT_EQUAL(fp.total, 104);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_TABLE], 0);               /* RAM frames only */
    CU_ASSERT_EQUAL(fp.in_use[FRAME_DATA], 1);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 1);
    CU_ASSERT_FALSE(frames_is_ram(&fp, 2));
    CU_ASSERT_TRUE(frames_valid(&fp, 103));
    CU_ASSERT_EQUAL(frames_get(&fp, 50)->kind, FRAME_TABLE);

    /* Table contents live in simulated memory; a freed and reused table reads zero. */
    paddr_t pa = (paddr_t)50 << 12;
    CU_ASSERT_EQUAL(mem_write(&fp, pa + 8, 8, 0x1234567), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, pa + 8, 8), 0x1234567);
    frames_free(&fp, 50);
    CU_ASSERT_EQUAL(frames_get(&fp, 50)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 50);
    CU_ASSERT_EQUAL(mem_read(&fp, pa + 8, 8), 0);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 1);
    CU_ASSERT_EQUAL(frames_alloc(&fp), PFN_NONE);             /* RAM is full ... */
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 104);            /* ... tables are not */
    frames_fini(&fp);
}

/* Physical memory: zeros until written, little-endian, bounded by the frames. */
/* A table of several pages (a wide root) takes an aligned run: in RAM the first run
 * of n free frames from a multiple of n; in the separate region one from a multiple
 * of n at or above RAM's end, the frames skipped on the way left free for others. */
static void test_table_runs(void)
{
    FramePool fp;
    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 16, 12, false), 0);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 0);
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), 4);      /* 0-3 holds frame 0 */
    for (pfn_t i = 4; i < 8; i++)
        CU_ASSERT_EQUAL(frames_get(&fp, i)->kind, FRAME_TABLE);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_TABLE], 4);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_FREE], 11);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 1);                    /* below the run, free */
    frames_free(&fp, 5);
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), 8);      /* 4-7 not wholly free */
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 8), PFN_NONE);   /* 0-7, 8-15 taken */
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 1), 5);      /* one page: any frame */
    frames_fini(&fp);

    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 6, 12, true), 0);
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), 8);      /* 6 and 7 skipped */
    CU_ASSERT_EQUAL(fp.total, 12);
    CU_ASSERT_EQUAL(frames_get(&fp, 11)->kind, FRAME_TABLE);
    CU_ASSERT_EQUAL(frames_get(&fp, 7)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(fp.in_use[FRAME_TABLE], 0);               /* RAM frames only */
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 7);              /* the skipped ones */
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 6);
    for (pfn_t i = 8; i < 12; i++)
        frames_free(&fp, i);
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), 8);      /* reused, not grown */
    CU_ASSERT_EQUAL(fp.total, 12);
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 12);             /* 12 in use, 13 not made */
    CU_ASSERT_EQUAL(frames_alloc_table(&fp), 13);
    frames_free(&fp, 13);
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), 16);     /* not 12-15: 12 is in use */
    CU_ASSERT_EQUAL(fp.total, 20);
    CU_ASSERT_EQUAL(frames_get(&fp, 12)->kind, FRAME_TABLE);
    fp.limit = 22;                                            /* entries name 0-21 */
    CU_ASSERT_EQUAL(frames_alloc_table_run(&fp, 4), PFN_NONE);   /* 20-23 would pass it */
    frames_fini(&fp);
}

static void test_memory(void)
{
    FramePool fp;
    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 4, 12, false), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, 0, 8), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x3ff8, 8), 0);
    CU_ASSERT_PTR_NULL(frames_get(&fp, 1)->bytes);            /* nothing stored yet */

    /* 0x0102030405060708 little-endian at 0x1000: bytes 08 07 06 05 04 03 02 01. */
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1000, 8, 0x0102030405060708ull), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 1), 0x08);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1007, 1), 0x01);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 2), 0x0708);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 4), 0x05060708);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1004, 4), 0x01020304);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1001, 2), 0x0607);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 8), 0x0102030405060708ull);

    /* Narrow writes store only their own bytes. */
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1002, 2, 0xbeef), 0);    /* ef at 0x1002, be at 0x1003 */
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 8), 0x01020304beef0708ull);
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1004, 4, 0xffffffffcafef00dull), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 8), 0xcafef00dbeef0708ull);
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1007, 1, 0x1ff), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1007, 1), 0xff);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1008, 8), 0);             /* the next word */
    CU_ASSERT_EQUAL(mem_read(&fp, 0x0ff8, 8), 0);             /* the frame before */

    /* Outside memory or across a frame boundary: refused, reads zero. */
    CU_ASSERT_EQUAL(mem_write(&fp, 0x4000, 1, 1), -1);        /* frame 4 does not exist */
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1ffe, 4, 1), -1);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1ffe, 4), 0);
    CU_ASSERT_EQUAL(mem_read(&fp, PADDR_NONE, 1), 0);

    /* mem_load copies bytes in order; frames_free wipes them. */
    static const uint8_t img[5] = { 0xde, 0xad, 0xbe, 0xef, 0x42 };
    CU_ASSERT_EQUAL(mem_load(&fp, 0x2ffe, img, sizeof img), 0);   /* spans frames 2, 3 */
    CU_ASSERT_EQUAL(mem_read(&fp, 0x2ffe, 2), 0xadde);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x3000, 2), 0xefbe);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x3002, 1), 0x42);
    CU_ASSERT_EQUAL(mem_load(&fp, 0x3ffe, img, sizeof img), -1);  /* runs off the end */
    CU_ASSERT_EQUAL(frames_alloc(&fp), 0);
    CU_ASSERT_EQUAL(frames_alloc(&fp), 1);
    frames_free(&fp, 1);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x1000, 8), 0);
    CU_ASSERT_PTR_NULL(frames_get(&fp, 1)->bytes);
    frames_fini(&fp);
}

/* Small pages (OSTEP's 32 bytes): the page offset is 5 bits. */
static void test_small_pages(void)
{
    FramePool fp;
    CU_ASSERT_EQUAL_FATAL(frames_init(&fp, 128, 5, false), 0);
    CU_ASSERT_EQUAL(mem_write(&fp, 0x6bc, 1, 0x08), 0);      /* frame 0x35, offset 0x1c */
    CU_ASSERT_PTR_NOT_NULL(frames_get(&fp, 0x35)->bytes);
    CU_ASSERT_EQUAL(mem_read(&fp, 0x6bc, 1), 0x08);
    CU_ASSERT_EQUAL(mem_write(&fp, 0x6bc, 8, 0), -1);        /* 0x1c + 8 > 32 */
    CU_ASSERT_EQUAL(mem_write(&fp, 0x1000, 1, 0), -1);       /* 128 * 32 = 0x1000 */
    frames_fini(&fp);
}

/* Swap: slots from 0 up, a hard limit, per-owner release. */
/* Slots are counted: a fork shares them, the last holder frees them. */
static void test_swap(void)
{
    Swap s;
    swap_init(&s, 3);
    CU_ASSERT_EQUAL(swap_alloc(&s), 0);
    CU_ASSERT_EQUAL(swap_alloc(&s), 1);
    CU_ASSERT_EQUAL(swap_alloc(&s), 2);
    CU_ASSERT_EQUAL(swap_alloc(&s), -1);                      /* full */
    CU_ASSERT_EQUAL(s.used, 3);

    swap_ref(&s, 1);                                         /* a second holder */
    CU_ASSERT_EQUAL(swap_refs(&s, 1), 2);
    swap_put(&s, 1);
    CU_ASSERT_EQUAL(s.used, 3);                              /* still held once */
    swap_put(&s, 1);
    CU_ASSERT_EQUAL(s.used, 2);
    CU_ASSERT_EQUAL(swap_refs(&s, 1), 0);
    swap_put(&s, 1);                                         /* free already: ignored */
    swap_put(&s, -1);
    swap_put(&s, 99);
    swap_ref(&s, 1);                                         /* a free slot gains nothing */
    CU_ASSERT_EQUAL(swap_refs(&s, 1), 0);
    CU_ASSERT_EQUAL(s.used, 2);

    CU_ASSERT_EQUAL(swap_alloc(&s), 1);                      /* the freed slot comes back */
    CU_ASSERT_EQUAL(s.created, 3);                           /* no new slot was made */
    swap_put(&s, 0);
    swap_put(&s, 2);
    CU_ASSERT_EQUAL(swap_alloc(&s), 2);                      /* most recently freed first */
    swap_fini(&s);
}

static void test_swap_unlimited(void)
{
    Swap s;
    swap_init(&s, UINT64_MAX);
    int64_t last = -1;
    int in_order = 1;
    for (int i = 0; i < 200; i++) {                          /* grows past 64 slots */
        last = swap_alloc(&s);
        in_order &= last == i;
    }
    CU_ASSERT_TRUE(in_order);
    CU_ASSERT_EQUAL(last, 199);
    for (int i = 1; i < 200; i += 2)
        swap_put(&s, i);
    CU_ASSERT_EQUAL(s.used, 100);
    CU_ASSERT_EQUAL(swap_refs(&s, 198), 1);
    CU_ASSERT_EQUAL(swap_refs(&s, 199), 0);
    swap_fini(&s);

    swap_init(&s, 0);                                        /* no swap at all */
    CU_ASSERT_EQUAL(swap_alloc(&s), -1);
    swap_fini(&s);
}

void suite_frames(void);     /* called by runner.c through suites.h */

void suite_frames(void)
{
    TEST_SUITE("frames",
        { "allocation order and reuse", test_alloc_order },
        { "separate page tables", test_separate_tables },
        { "tables of several pages", test_table_runs },
        { "memory reads and writes", test_memory },
        { "32-byte pages", test_small_pages },
        { "swap slots", test_swap },
        { "unlimited swap", test_swap_unlimited });
}
