/* vmsim generate / grade: exercises handed out per student and graded with partial credit.
 *
 * An exercise file (INI) holds [exercise] (title, salt) and one [question NAME] per
 * question. Each question has a kind (faults, tlb, oom, ...): a row of grade_kinds[]
 * that reads the kind's keys, draws a student's variant, computes the key with vmsim's
 * engine, writes the question's text and scenario, and explains a wrong step. The
 * rest (seeds, the answers grammar, credit modes, output formats) is shared: a new
 * kind is one file and one table line (kinds.c).
 *
 * Items are QUESTION.PART (lowercase). A part is a scalar ("faults = 13") or a
 * sequence ("seq = M M H"), graded per position; "state" sequences are groups of
 * tokens separated by '|'.
 */
#ifndef VMSIM_GRADE_H
#define VMSIM_GRADE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmsim/rng.h"

#define GRADE_NAME_MAX 48      /* question and part names, student ids */
#define GRADE_PARTS_MAX 8      /* parts one question may ask (a key may have more items) */
#define GRADE_ERR 512

/* A growable string (for explanations and outputs). */
typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;

/* Appends printf-style text; on host memory exhaustion the text is dropped. */
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);
const char *buf_str(const Buf *b);    /* "" when empty */

/* A list of normalised answer tokens (one per position of a sequence). */
typedef struct Tokens {
    char **v;
    size_t n;
} Tokens;

void tokens_push(Tokens *t, const char *s);     /* copies s */
void tokens_free(Tokens *t);
/* The tokens joined by sep (" " for sequences, " | " for state groups). */
void tokens_join(const Tokens *t, const char *sep, Buf *out);

/* Splits an answer value into normalised tokens: H/HIT -> H, M/MISS/F/FAULT -> M,
 * -/none -> -, 0x hex and decimal numbers -> decimal, else lowercase. group true: the
 * value is '|'-separated groups, each normalised as a whole ("7 0 -"). A run of H and
 * M letters ("MMHM") is split into letters. */
void answer_tokens(const char *value, bool group, Tokens *out);

typedef enum { CREDIT_PER_ITEM, CREDIT_PREFIX, CREDIT_FOLLOW, CREDIT_EXACT } CreditMode;

/* One part of a key: its name, shape and the right tokens. */
#define GRADE_ALTS_MAX 4

typedef struct KeyPart {
    char name[16];             /* the item after "QUESTION." ("seq"; "3.pde") */
    char ask[16];              /* the ask word that asks for it (by default, name) */
    bool seq;                  /* points per position */
    bool group;                /* positions are '|'-separated groups (state) */
    Tokens right;
    Tokens alt[GRADE_ALTS_MAX];   /* whole answers accepted too (@Q.PART.accept in a key) */
    size_t nalt;
} KeyPart;

/* The key's items, in the order key.txt and the grading list them. A kind adds a few
 * (faults, tlb) or one per address and part (translate: 64 addresses x 6 items). */
typedef struct Key {
    KeyPart *parts;
    size_t nparts, cap;
    KeyPart spill;             /* where key_add puts a part memory refused ... */
    bool oom;                  /* ... and says so: variant_make fails then */
} Key;

void key_free(Key *k);
KeyPart *key_add(Key *k, const char *name, bool seq, bool group);   /* an empty part */
KeyPart *key_part(Key *k, const char *name);          /* NULL if absent */

struct Question;
struct Variant;

/* A question kind: the functions that make one kind of question. */
typedef struct QuestionKind {
    const char *name;
    const char *parts;          /* the parts `ask` may name, space-separated */
    const char *default_ask;
    size_t spec_size;           /* the kind's settings (Question.spec), allocated zeroed */
    void (*spec_init)(void *spec);   /* their defaults */
    /* One key of the question's section (common keys are read before). 0, or -1 with err. */
    int (*parse)(struct Question *q, const char *key, const char *value, char *err, size_t n);
    /* After the section: checks and defaults. 0, or -1 with err (no FILE:LINE). May
     * be NULL. */
    int (*check)(struct Question *q, char *err, size_t n);
    /* Draws the variant's inputs from rng into v->data. 0 or -1 with err. */
    int (*vary)(const struct Question *q, struct Variant *v, Rng *rng, char *err, size_t n);
    /* Computes v->key (every part the kind knows) with vmsim's engine. 0 or -1 with err. */
    int (*key)(const struct Question *q, struct Variant *v, char *err, size_t n);
    /* What part asks for, in words (for questions.txt). */
    const char *(*part_words)(const char *part);
    /* The question as the student reads it. */
    void (*describe)(const struct Question *q, const struct Variant *v, FILE *out);
    /* The variant as a vmsim scenario file, or NULL when the kind has none. */
    void (*scenario)(const struct Question *q, const struct Variant *v, FILE *out);
    /* The inputs as key annotations ("@lru4.string = ..."), one per line. */
    void (*inputs)(const struct Question *q, const struct Variant *v, FILE *out);
    /* Why position pos (0-based; the part's only value for a scalar) of part is right.
     * May be NULL when grade_raw is given. */
    void (*explain)(const struct Question *q, const struct Variant *v, const KeyPart *part,
                    const Tokens *given, size_t pos, Buf *out);
    /* Follow-through credit for part: right[i] (one per key position) set for each
     * position judged from the student's own earlier answers; given[] holds the
     * student's tokens for each part of v->key, in its order. False when the kind has
     * no such rule for part (per-item credit is used). May be NULL. */
    bool (*follow)(const struct Question *q, const struct Variant *v, const KeyPart *part,
                   const Tokens *given, bool *right);
    void (*free_data)(void *data);
    /* Optional: grades part from the answer as written (raw, "" when not answered),
     * where the token normaliser would lose what matters (0x1108 against 1108): true
     * when right, else why (its first wrong step) appended to why. Replaces the
     * per-position comparison and explain for this kind. */
    bool (*grade_raw)(const struct Question *q, const struct Variant *v, const KeyPart *part,
                      const char *raw, Buf *why);
    /* Optional: more files beside questions.txt, named QUESTION.EXT for each EXT of
     * files ("image trace"); file_text gives one's text (caller frees; NULL: no memory;
     * "": this variant has no such file). */
    const char *files;
    char *(*file_text)(const struct Question *q, const struct Variant *v, const char *ext);
} QuestionKind;

extern const QuestionKind *const grade_kinds[];
extern const size_t grade_nkinds;
const QuestionKind *grade_kind(const char *name);   /* NULL if unknown */

/* ---- reference strings (refs.c), for kinds that give one ---- */

#define GRADE_REFS_MAX 512
#define GRADE_POOL_MAX 256

/* One reference: a page number (textbook machine: address page << 12), written or not. */
typedef struct GradeRef {
    uint32_t page;
    bool write;
} GradeRef;

/* The keys refs (random string length), pages (the pool), writes (percent chance of a
 * write) and string (a fixed string, w marking writes). */
typedef struct RefSpec {
    unsigned nrefs, write_pct;
    uint32_t pool[GRADE_POOL_MAX];
    size_t npool;
    GradeRef fixed[GRADE_REFS_MAX];
    size_t nfixed;
} RefSpec;

void refspec_default(RefSpec *s);            /* 12 references over pages 0-7 */
/* One key: 0 read, 1 not one of these keys, -1 bad (err says what was expected). */
int refspec_key(RefSpec *s, const char *k, const char *v, char *err, size_t n);
/* The variant's string into out (GRADE_REFS_MAX): the fixed one, or drawn. Its length. */
size_t refspec_draw(const RefSpec *s, Rng *rng, GradeRef *out);
void refs_words(const GradeRef *r, size_t n, Buf *out);   /* "7 0 1w 2" */
void refs_trace(const GradeRef *r, size_t n, Buf *out);   /* a [trace] section */
/* Parses a decimal in [lo, hi]. */
bool grade_uint(const char *v, unsigned lo, unsigned hi, unsigned *out);

/* A question as the exercise file gives it. */
typedef struct Question {
    char name[GRADE_NAME_MAX];
    char where[256];                       /* FILE:LINE of its section header */
    const QuestionKind *kind;
    char ask[GRADE_PARTS_MAX][16];         /* the parts asked, in order */
    size_t nask;
    double points[GRADE_PARTS_MAX];        /* per ask[i]: per position or per part */
    CreditMode credit;
    char visibility[24];                   /* Gradescope's */
    void *spec;                            /* the kind's settings */
} Question;

/* One student's variant of one question. */
typedef struct Variant {
    const struct Exercise *ex;             /* for its --set lines */
    uint64_t seed;
    char id[GRADE_NAME_MAX];
    void *data;                            /* the kind's inputs */
    Key key;
    char replay[600];                      /* "vmsim step DIR/ID/Q.ini", or empty */
} Variant;

typedef struct Exercise {
    char *path;
    char title[200];
    char salt[120];
    Question *q;
    size_t nq;
    char sets[16][256];                    /* --set 'process NAME.KEY=VALUE' ... */
    size_t nsets;
    unsigned *set_used;                    /* [16]: questions each set applied to (counted by
                                              grade_build: a process set applies only
                                              where the scenario has that process) */
} Exercise;

/* Reads an exercise file. 0, or -1 with err = "FILE:LINE: what was expected". */
int exercise_load(Exercise *ex, const char *path, char *err, size_t n);
void exercise_free(Exercise *ex);
const Question *exercise_question(const Exercise *ex, const char *name);

/* FNV-1a-64 of the bytes of s (the seed of a variant is that of "salt/id/question"
 * with the id lowercased: a compatibility promise, see docs/grading.md). */
uint64_t grade_fnv1a(const char *s);
/* The id lowercased into out (at most GRADE_NAME_MAX). False for an empty id or one
 * with characters other than letters, digits, '_', '-', '.' and '@'. */
bool grade_id(const char *id, char *out);
uint64_t grade_seed(const Exercise *ex, const char *id, const char *question);

/* The index in q->ask of the word asking for kp, or -1 when kp is not asked. */
int question_asks(const Question *q, const KeyPart *kp);

/* Draws the variant of q for id and computes its key. 0 or -1 with err. */
int variant_make(const Exercise *ex, const Question *q, const char *id, Variant *v,
                 char *err, size_t n);
void variant_free(const Question *q, Variant *v);

/* Builds the Sim for a kind's scenario text: textbook conventions plus the kind's
 * sections, the exercise's --set lines applied, checked. NULL with err set. The
 * scenario (sc, initialised here) must be finished with scenario_fini after the Sim. */
struct Scenario;
struct Sim;
struct TraceReader;
struct StepInfo;
struct SimEvent;
struct Sim *grade_build(const Variant *v, const char *text, struct Scenario *sc,
                        struct TraceReader **trace, char *err, size_t n);

/* 0, or -1 with err naming a --set that applied to no question (call after making
 * every question of one student). */
int grade_sets_used(const Exercise *ex, char *err, size_t n);

/* What a run reports: each step (after it) and each event, to ctx. */
typedef struct GradeRun {
    void (*step)(void *ctx, const struct Sim *sim, const struct StepInfo *st);
    void (*event)(void *ctx, const struct SimEvent *ev);
    void *ctx;
    bool (*more)(void *ctx);       /* NULL, or false to stop after a step */
    const struct Sim *sim;         /* set by grade_run: the Sim running (for events) */
} GradeRun;

/* Runs text (see grade_build) until its trace ends, or stop references have been made
 * (UINT64_MAX: all). With keep, the Sim is handed over (its trace closed: step it no
 * more), else destroyed. 0, or -1 with err (a bad scenario, a halted run). */
int grade_run(const Variant *v, const char *text, uint64_t stop, GradeRun *cb,
              struct Sim **keep, char *err, size_t n);

/* The textbook machine's sections (configs/textbook.ini's conventions: no TLB, page
 * tables apart from the frames counted, unlimited swap), for kinds' scenarios. */
extern const char grade_textbook_ini[];


/* A student's answers file. */
typedef struct AnswerItem {
    char item[2 * GRADE_NAME_MAX];         /* "question.part" */
    char *raw;                             /* as written (trimmed), owned */
    unsigned long line;
} AnswerItem;

typedef struct Answers {
    char path[512];
    char id[GRADE_NAME_MAX];               /* from `student =`, else the file name */
    unsigned long id_line;                 /* the `student =` line, 0 if none */
    AnswerItem *items;
    size_t nitems;
    char **errors;                         /* "FILE:LINE: expected ..." */
    size_t nerrors;
    size_t valid;                          /* lines read as items */
} Answers;

/* Reads an answers file: never fails on content (malformed lines become errors).
 * -1 with err only when the file cannot be read. */
int answers_load(Answers *a, const char *path, char *err, size_t n);
void answers_free(Answers *a);
const AnswerItem *answers_find(const Answers *a, const char *item);

/* Grades a as student id (an autograder's word for who submitted): a `student =` line
 * naming someone else becomes a format error. False if id is not an id. */
bool answers_force_id(Answers *a, const char *id);

/* A graded part. */
typedef struct PartResult {
    char item[2 * GRADE_NAME_MAX];
    double score, max;
    long first_wrong;                      /* position, -1 if none */
    bool seq;                              /* graded per position */
    char given[256];                       /* the student's answer, normalised */
    char right[256];                       /* the key's, normalised */
    Buf explain;
    char visibility[24];
} PartResult;

typedef struct Result {
    char id[GRADE_NAME_MAX];
    char path[512];
    uint64_t seed;
    double score, max;
    PartResult *parts;
    size_t nparts;
    char **errors;                         /* format errors and ungradable reasons */
    size_t nerrors;
    bool gradable;
    double *per_question;                  /* score of each exercise question */
    bool has_leaderboard;                  /* Gradescope's leaderboard: one entry, */
    double leaderboard;                    /* "ratio" (grade-policy) */
} Result;

typedef enum { EXPLAIN_FIRST, EXPLAIN_ALL, EXPLAIN_NONE } ExplainMode;

/* Grades a, regenerating each variant from the exercise and the answers' id (with
 * keys_dir, the answers are those of keys_dir/ID/key.txt instead). Explanations end
 * with a replay command: the scenario beside the answers file when it is there, else
 * how to generate it. Never fails on a student's content; -1 with err when a variant
 * cannot be made (a bad --set). */
int grade_answers(const Exercise *ex, const Answers *a, const char *keys_dir,
                  ExplainMode em, Result *r, char *err, size_t n);
void result_free(Result *r);

/* Outputs. */
void output_text(FILE *out, const Exercise *ex, const Result *r);
void output_gradescope(FILE *out, const Result *r);
void output_prairielearn(FILE *out, const Result *r);
void output_csv_header(FILE *out, const Exercise *ex);
void output_csv_row(FILE *out, const Exercise *ex, const Result *r);
void output_items_csv(FILE *out, const Exercise *ex, const Result *rs, size_t n);

/* The key of a variant in the answers grammar, with @ annotations (key.txt). */
void key_write(FILE *out, const Exercise *ex, const Question *q, const Variant *v);
/* key.txt's first lines: the student, vmsim's version, the exercise, the seed. */
void key_header(FILE *out, const Exercise *ex, const char *id);
/* The blank template lines of a question (answers.txt). */
void template_write(FILE *out, const Question *q, const Variant *v);

/* vmsim's version, as key.txt records it ("0.1"). */
const char *grade_version(void);

int cmd_generate(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_grade_sim(int argc, char **argv);     /* gradesim.c */
int cmd_grade_policy(int argc, char **argv);  /* gradepolicy.c */

#endif
