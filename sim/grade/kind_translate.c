/* kind = translate: addresses through a memory image of the student's own (the logic,
 * the key and the slips are in translate.c and translate_grade.c; this file wires
 * them into the framework).
 *
 *   machine, mapped, addresses, dump     translate.h's TranslateSpec
 *   ask = pa fault value parts           what is asked of each address
 *
 * The key has one item per address and part: "3" (ask word pa, or fault when pa is not
 * asked), "3.value" (value), "3.pde", "3.pte" (parts). Points are per item. Items are
 * graded from the answer as written (grade_raw), so a hex/decimal slip stays visible.
 */
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "translate.h"

static void tr_spec_init(void *spec)
{
    translate_spec_init(spec);
}

static int tr_parse(Question *q, const char *k, const char *v, char *err, size_t n)
{
    int r = translate_spec_key(q->spec, k, v, err, n);
    if (r <= 0)
        return r;
    snprintf(err, n, "unknown key '%s' for kind = translate (expected machine, mapped, "
             "addresses, dump, ask, points, credit or visibility)", k);
    return -1;
}

/* The ask words into the spec's bits; the exercise's path (a machine config is read
 * relative to it) from the section's FILE:LINE. */
static int tr_check(Question *q, char *err, size_t n)
{
    static const struct { const char *word; unsigned bit; } words[] = {
        { "pa", TRANSLATE_ASK_PA }, { "fault", TRANSLATE_ASK_FAULT },
        { "value", TRANSLATE_ASK_VALUE }, { "parts", TRANSLATE_ASK_PARTS },
    };
    TranslateSpec *s = q->spec;
    s->ask = 0;
    for (size_t i = 0; i < q->nask; i++)
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
            if (strcmp(q->ask[i], words[w].word) == 0)
                s->ask |= words[w].bit;
    if ((s->ask & TRANSLATE_ASK_VALUE) && s->dump_set && s->dump != IMAGE_DUMP_OSTEP)
        return snprintf(err, n, "ask = value needs dump = ostep (the dump that shows the "
                        "bytes)"), -1;
    const char *colon = strrchr(q->where, ':');
    snprintf(s->exercise, sizeof s->exercise, "%.*s",
             (int)(colon ? colon - q->where : (long)strlen(q->where)), q->where);
    return 0;
}

static int tr_vary(const Question *q, Variant *v, Rng *rng, char *err, size_t n)
{
    (void)rng;                     /* translate draws from the variant's seed itself */
    TranslateVariant *tv = malloc(sizeof *tv);
    if (!tv)
        return snprintf(err, n, "out of memory"), -1;
    if (translate_generate(q->spec, v->seed, tv, err, n)) {
        free(tv);
        return -1;
    }
    v->data = tv;
    return 0;
}

/* One key item: name N[.sub], asked by ask word `word`. */
static void tr_item(Variant *v, size_t i, const char *sub, const char *word)
{
    char name[16], val[64] = "";
    snprintf(name, sizeof name, "%zu%s%s", i + 1, sub ? "." : "", sub ? sub : "");
    translate_answer_text(v->data, i, sub, val, sizeof val);
    KeyPart *kp = key_add(&v->key, name, false, false);
    snprintf(kp->ask, sizeof kp->ask, "%s", word);
    tokens_push(&kp->right, val);  /* as written: "0x41d", "fault PT" */
}

static int tr_key(const Question *q, Variant *v, char *err, size_t n)
{
    const TranslateVariant *tv = v->data;
    const Geometry *g = &tv->img.m.geo;
    (void)q, (void)err, (void)n;
    for (size_t i = 0; i < tv->naddrs; i++) {
        if (tv->ask & (TRANSLATE_ASK_PA | TRANSLATE_ASK_FAULT))
            tr_item(v, i, NULL, (tv->ask & TRANSLATE_ASK_PA) ? "pa" : "fault");
        if (tv->ask & TRANSLATE_ASK_VALUE)
            tr_item(v, i, "value", "value");
        for (unsigned l = 0; (tv->ask & TRANSLATE_ASK_PARTS) && l < g->levels; l++) {
            char sub[16];
            translate_index_item(g, l, sub, sizeof sub);
            tr_item(v, i, sub, "parts");
        }
    }
    return 0;
}

static const char *tr_part_words(const char *part)
{
    if (strcmp(part, "pa") == 0)
        return "each address's translation (its physical address, or where it faults)";
    if (strcmp(part, "fault") == 0)
        return "where each address faults";
    if (strcmp(part, "value") == 0)
        return "the byte at each physical address";
    return "each address's index at each level";
}

static void tr_describe(const Question *q, const Variant *v, FILE *out)
{
    char *text = translate_questions(v->data, q->name);
    fputs(text ? text : "(out of memory)\n", out);
    free(text);
    fprintf(out, "\nOpen your variant in vmsim: vmsim step --image %s.image --trace %s.trace\n",
            q->name, q->name);
}

static void tr_inputs(const Question *q, const Variant *v, FILE *out)
{
    char *text = translate_inputs(v->data, q->name);
    fputs(text ? text : "", out);
    free(text);
}

static bool tr_grade_raw(const Question *q, const Variant *v, const KeyPart *part,
                         const char *raw, Buf *why)
{
    TranslateMark m;
    (void)q;
    if (translate_grade(v->data, part->name, raw, &m) != 0)
        return false;
    if (!m.right)
        buf_printf(why, "%s", m.explain);
    return m.right;
}

static char *tr_file_text(const Question *q, const Variant *v, const char *ext)
{
    (void)q;
    return strcmp(ext, "image") == 0 ? translate_image_text(v->data) : translate_trace_text(v->data);
}

static void tr_free(void *data)
{
    translate_variant_free(data);
    free(data);
}

const QuestionKind translate_kind = {
    .name = "translate",
    .parts = "pa fault value parts",
    .spec_size = sizeof(TranslateSpec),
    .spec_init = tr_spec_init,
    .default_ask = "pa fault value parts",
    .parse = tr_parse,
    .check = tr_check,
    .vary = tr_vary,
    .key = tr_key,
    .part_words = tr_part_words,
    .describe = tr_describe,
    .scenario = NULL,
    .inputs = tr_inputs,
    .explain = NULL,
    .follow = NULL,
    .free_data = tr_free,
    .grade_raw = tr_grade_raw,
    .files = "image trace",
    .file_text = tr_file_text,
};
