/* vmsim: translation questions (`kind = translate`) over a memory image.
 *
 * A variant is a memory image drawn from a seed: the root table and every page in
 * frames chosen at random, `mapped` pages mapped, `addresses` to translate (half in
 * mapped pages, half anywhere, in random order: OSTEP's paging-multilevel-translate
 * draws them so, with a coin per address).
 * Its key comes from the real walk (mmu_walk) over the image. Items, in the answers
 * grammar (QUESTION.PART = VALUE):
 *
 *   Q.N = 0xPA | fault LEVEL      LEVEL as vmsim names it: PML4 PDPT PD PT; L2 L1 L0;
 *                                 PD PT on ostep (OSTEP's pde / pte accepted)
 *   Q.N.value = 0xVV              the byte at the physical address (- for a fault);
 *                                 asked only with the ostep dump, which shows the bytes
 *   Q.N.pde = 24, Q.N.pte = 8     the index at each level: "pml4e pdpte pde pte" on
 *                                 x86-64, "vpn2 vpn1 vpn0" on Sv39 (the spec's VPN[i])
 *
 * A wrong answer is graded with the likely slip named (TranslateSlip). This file
 * needs only the core: the grading framework calls it through the functions below
 * (a QuestionKind's parse: translate_spec_key; vary and key: translate_generate with
 * the variant's seed; describe: translate_questions; inputs: translate_inputs; the
 * student's own variant: translate_image_text and translate_trace_text, opened with
 * `vmsim step --image Q.image --trace Q.trace`; explain and score: translate_grade on
 * the answer as written, so that "0x1108" and "1108" stay apart).
 */
#ifndef VMSIM_TRANSLATE_H
#define VMSIM_TRANSLATE_H

#include "vmsim/image.h"
#include "vmsim/mmu.h"

#define TRANSLATE_MAX_ADDRS 64

/* What `ask` may name. */
enum {
    TRANSLATE_ASK_PA = 1u << 0,      /* Q.N: the physical address (or the fault) */
    TRANSLATE_ASK_FAULT = 1u << 1,   /* Q.N names the faulting level (else "fault" is enough) */
    TRANSLATE_ASK_VALUE = 1u << 2,   /* Q.N.value */
    TRANSLATE_ASK_PARTS = 1u << 3    /* Q.N.pde, Q.N.pte, ...: the indices */
};

typedef struct TranslateSpec {
    char machine[IMAGE_MACHINE_MAX]; /* an architecture or a config file (default ostep) */
    char exercise[512];              /* the exercise file: a config path is relative to it */
    unsigned mapped;                 /* pages mapped (default 16) */
    unsigned addresses;              /* addresses asked (default 10) */
    ImageDumpStyle dump;             /* default: ostep on ostep, entries elsewhere */
    bool dump_set;
    unsigned ask;                    /* TRANSLATE_ASK_* (default pa fault value parts) */
} TranslateSpec;

/* The key for one address: the walk the hardware makes. */
typedef struct TranslateAnswer {
    vaddr_t va;
    WalkStatus status;               /* WALK_OK, or why it stopped */
    unsigned level;                  /* the level the walk ended at (leaf or fault) */
    unsigned nread;                  /* entries read */
    pte_t pte[GEO_MAX_LEVELS];       /* entries read, root first */
    paddr_t pa;                      /* WALK_OK */
    uint8_t value;                   /* the byte at pa (WALK_OK) */
} TranslateAnswer;

typedef struct TranslateVariant {
    Image img;
    unsigned ask;
    ImageDumpStyle dump;
    size_t naddrs;
    TranslateAnswer ans[TRANSLATE_MAX_ADDRS];
} TranslateVariant;

/* The likely slips behind a wrong answer, as grading names them. */
typedef enum {
    SLIP_NONE,
    SLIP_VALID_BIT,       /* kept the valid bit as part of the PFN */
    SLIP_NO_OFFSET,       /* dropped the offset */
    SLIP_LEVEL_EARLY,     /* stopped a level early: took a table's frame for the page */
    SLIP_SWAPPED,         /* swapped the indices of two levels */
    SLIP_VPN_AS_PFN,      /* used the VPN for the PFN */
    SLIP_BASE,            /* mixed hex and decimal */
    SLIP_FAULT_LEVEL,     /* reported the fault at the wrong level */
    SLIP_IGNORED_VALID,   /* translated through an entry whose valid bit is clear */
    SLIP_NO_FAULT,        /* said fault where the walk succeeds */
    SLIP_COUNT
} TranslateSlip;

/* A graded item. */
typedef struct TranslateMark {
    bool right;
    TranslateSlip slip;
    char right_answer[64];           /* the key's value, as key.txt writes it */
    char explain[768];               /* the walk in words, the slip first when named */
} TranslateMark;

/* Defaults: ostep, 16 mapped, 10 addresses, the machine's dump, every part asked. */
void translate_spec_init(TranslateSpec *s);

/* One key of a [question] section (machine, mapped, addresses, dump, ask). Returns 0
 * when used, 1 when key is not one of these (the framework's common keys), -1 with
 * err (no FILE:LINE: the caller knows the line) for a bad value. */
int translate_spec_key(TranslateSpec *s, const char *key, const char *value, char *err,
                       size_t n);

/* Draws the variant of seed (the framework's FNV-1a seed) and computes its key. The
 * same spec and seed give the same variant on every machine. 0, or -1 with err. */
int translate_generate(const TranslateSpec *s, uint64_t seed, TranslateVariant *v,
                       char *err, size_t n);
void translate_variant_free(TranslateVariant *v);

/* What the student reads for question qname: what to answer, the dump in the
 * variant's style, and the addresses. Caller frees; NULL when out of memory. */
char *translate_questions(const TranslateVariant *v, const char *qname);

/* The key in the answers grammar ("qname.N = ...", one line per item asked), and the
 * blank template (the same items, no values). Caller frees; NULL when out of memory. */
char *translate_key(const TranslateVariant *v, const char *qname);
char *translate_template(const TranslateVariant *v, const char *qname);

/* The variant as files a student may open: the .image text and its addresses as a
 * vmsim trace (`vmsim step --image Q.image --trace Q.trace`). Caller frees. */
char *translate_image_text(const TranslateVariant *v);
char *translate_trace_text(const TranslateVariant *v);

/* The inputs as key annotations ("@qname.machine = ostep", "@qname.root = 26",
 * "@qname.addresses = 0x573d ..."), one per line. Caller frees. */
char *translate_inputs(const TranslateVariant *v, const char *qname);

/* Grades the answer to part ("3", "3.value", "3.pde": the item without "qname.").
 * Returns 0 with m filled, or -1 when part is not an item of the variant. */
int translate_grade(const TranslateVariant *v, const char *part, const char *answer,
                    TranslateMark *m);

/* The item naming level l's index ("pde", "pte"; "vpn2" on RISC-V) into buf. */
void translate_index_item(const Geometry *g, unsigned l, char *buf, size_t len);

/* The key's value of item sub (NULL: the address itself, "value", or an index item)
 * of address i (0-based), as key.txt writes it. 0, or -1 for an unknown item. */
int translate_answer_text(const TranslateVariant *v, size_t i, const char *sub, char *buf,
                          size_t len);

/* The slip's name in words ("kept the valid bit as part of the PFN"). */
const char *translate_slip_words(TranslateSlip s);

#endif
