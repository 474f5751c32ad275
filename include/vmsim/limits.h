/* vmsim: the bounds that several places check, written once. Messages that state a
 * bound print it from here: with %llu, or inside a string literal with VMSIM_STR,
 * which is why the bounds are plain decimal numbers (the assertions below tie each to
 * the power of two it is). */
#ifndef VMSIM_LIMITS_H
#define VMSIM_LIMITS_H

#include <stdint.h>

#define VMSIM_STR_(x) #x
#define VMSIM_STR(x)  VMSIM_STR_(x)    /* a bound as a string literal: "67108864" */

/* Physical frames of a machine ([memory] frames): 2^26, 256 GiB of 4 KiB pages. The
 * machine's check, the scenario key and the OSTEP verb's --scenario use it. */
#define VMSIM_FRAMES_MAX 67108864

/* Entries of one TLB level ([tlb] [itlb] [stlb] entries, and so ways): 2^20. */
#define VMSIM_TLB_ENTRIES_MAX 1048576

/* Counts and costs a scenario file may give: references between ticks, the working-set
 * window, swap slots, cycle costs, vm.user_reserve_kbytes: 2^40. */
#define VMSIM_COUNT_MAX 1099511627776ull

/* Bytes of one access in a trace line (R 0x1000 SIZE): 2^31. */
#define VMSIM_ACCESS_SIZE_MAX 2147483648

/* Process ids ([process] pid): Linux's PID_MAX_LIMIT on 64-bit machines, 4 * 1024 *
 * 1024 (include/linux/threads.h). */
#define VMSIM_PID_MAX 4194304

/* The stepper's history (vmsim/history.h): a snapshot every VMSIM_HISTORY_EVERY steps
 * at first; at VMSIM_HISTORY_SNAPSHOTS, every other one goes and the interval doubles. */
#define VMSIM_HISTORY_EVERY 10000
#define VMSIM_HISTORY_SNAPSHOTS 64

/* The graders (sim/grade): frames of a test, and a sandboxed child's memory in MiB. */
#define VMSIM_GRADE_FRAMES_MAX 1048576
#define VMSIM_SANDBOX_MB_MIN 16
#define VMSIM_SANDBOX_MB_MAX 1048576

_Static_assert(VMSIM_FRAMES_MAX == 1ull << 26, "frames: 2^26");
_Static_assert(VMSIM_TLB_ENTRIES_MAX == 1ull << 20, "TLB entries: 2^20");
_Static_assert(VMSIM_COUNT_MAX == 1ull << 40, "counts: 2^40");
_Static_assert(VMSIM_ACCESS_SIZE_MAX == 1ull << 31, "access size: 2^31");
_Static_assert(VMSIM_PID_MAX == 4 * 1024 * 1024, "PID_MAX_LIMIT");
_Static_assert(VMSIM_GRADE_FRAMES_MAX == 1ull << 20, "grade frames: 2^20");
_Static_assert(VMSIM_SANDBOX_MB_MAX == 1ull << 20, "sandbox memory: 2^20 MiB");

#endif
