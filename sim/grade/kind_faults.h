/* kind = faults, shared between its two files: the question (kind_faults.c) and the
 * explanations and follow-through credit (faults_explain.c). */
#ifndef VMSIM_KIND_FAULTS_H
#define VMSIM_KIND_FAULTS_H

#include "grade.h"
#include "vmsim/policy.h"

#define FAULTS_REFS_MAX GRADE_REFS_MAX
#define FAULTS_FRAMES_MAX 16

typedef GradeRef FaultsRef;

/* What vmsim's engine did with one string, policy and frame count. */
typedef struct FaultsOutcome {
    unsigned frames;
    bool hit[FAULTS_REFS_MAX];
    uint64_t faults, writebacks;
    uint32_t victims[FAULTS_REFS_MAX];
    size_t victim_at[FAULTS_REFS_MAX];            /* the reference (0-based) of each */
    size_t nvictims;
    int32_t state[FAULTS_REFS_MAX][FAULTS_FRAMES_MAX];  /* page per frame after each, -1 empty */
} FaultsOutcome;

/* A student's variant. */
typedef struct FaultsData {
    PolicyKind policy;
    unsigned frames;
    FaultsRef refs[FAULTS_REFS_MAX];
    size_t n;
    FaultsOutcome out;                            /* the key's run */
} FaultsData;

extern const QuestionKind faults_kind;

/* Runs v's string under policy with frames through vmsim's engine. 0 or -1 with err. */
int faults_outcome(const Variant *v, PolicyKind policy, unsigned frames, FaultsOutcome *o,
                   char *err, size_t n);

/* Runs v's own question up to (not including) reference stop and hands over the Sim
 * (sim_destroy it). 0 or -1 with err. */
struct Sim;
int faults_run_to(const Variant *v, size_t stop, struct Sim **keep, char *err, size_t n);

/* The policy's state before reference i, in its own order, and its victim, in words
 * (to be replaced by the core's describer). */
void grade_explain_step(const Variant *v, size_t i, uint32_t victim, Buf *out);

/* A page as an explanation names it ("7", or "7 of process 1"). */
typedef char GradePageName[64];

/* The resident pages before a reference in the policy's order, and its victim, in
 * words: pages[k] with key[k] (0-based: FIFO the reference that loaded it, LRU its
 * last use, OPT its next use or SIZE_MAX for never). False, saying nothing, for a
 * policy without such an order (other than FIFO, LRU and OPT). */
bool grade_explain_order(PolicyKind policy, GradePageName *pages, const size_t *key,
                         size_t n, const char *victim, Buf *out);

/* The engine's policy state (the hand, each frame's R bit) of sim, before a reference:
 * frame_page[f] is the page in frame f (UINT64_MAX empty). */
void grade_explain_bits(const struct Sim *sim, const uint64_t *frame_page, unsigned nframes,
                        Buf *out);

/* The pages in each frame after reference ref, "7 0 -". */
void faults_state_group(const FaultsOutcome *o, size_t ref, Buf *out);

/* What part asks, in words (questions.txt). */
const char *faults_part_words(const char *part);

/* "LRU (least recently used)" and the like. */
const char *faults_policy_title(PolicyKind p);

void faults_explain(const Question *q, const Variant *v, const KeyPart *part,
                    const Tokens *given, size_t pos, Buf *out);
bool faults_follow(const Question *q, const Variant *v, const KeyPart *part,
                   const Tokens *given, bool *right);

#endif
