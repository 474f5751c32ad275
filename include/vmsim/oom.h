/* vmsim: the OOM killer's arithmetic, as Linux's mm/oom_kill.c and fs/proc/base.c do it.
 *
 *   badness   = rss + swap entries + page-table pages
 *             + oom_score_adj * (totalpages / 1000)        (integer division first)
 *     rss: get_mm_rss(), hugetlbfs pages left out; page-table pages:
 *     mm_pgtables_bytes() / PAGE_SIZE, the PTE/PMD/PUD tables and never the root
 *   unkillable: oom_score_adj == -1000 (OOM_SCORE_ADJ_MIN)
 *   the victim: the largest badness; on equal scores the process examined later (in
 *   task-list order, that is creation order) wins
 *   /proc/PID/oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3, 0 if unkillable
 *
 * totalpages is RAM frames plus swap slots.
 */
#ifndef VMSIM_OOM_H
#define VMSIM_OOM_H

#include "vmsim/types.h"

#define OOM_UNKILLABLE INT64_MIN
#define OOM_SCORE_ADJ_MIN (-1000)

/* The badness of a process with these counts, or OOM_UNKILLABLE. */
int64_t oom_badness(uint64_t rss, uint64_t swapents, uint64_t pt_pages, int oom_score_adj,
                    uint64_t totalpages);

/* /proc/PID/oom_score for a badness. */
unsigned oom_score(int64_t badness, uint64_t totalpages);

/* The victim among n badness values in examination order: the largest, the later one
 * on ties; -1 if every one is OOM_UNKILLABLE. */
int oom_select(const int64_t *badness, size_t n);

#endif
