/* Grading one submission: each asked part against the key, under the question's
 * credit mode.
 *
 *   per-item        each right position earns its points
 *   prefix          only the positions before the first wrong one
 *   follow-through  each position judged from the student's own earlier answers (the
 *                   kind's rule; per-item where it has none)
 *   exact           the whole part or nothing
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade.h"

static void add_msg(char ***list, size_t *n, const char *msg)
{
    char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return;
    *list = nl;
    if ((nl[*n] = strdup(msg)))
        (*n)++;
}

static bool tokens_equal(const Tokens *a, const Tokens *b)
{
    if (a->n != b->n)
        return false;
    for (size_t k = 0; k < a->n; k++)
        if (strcmp(a->v[k], b->v[k]) != 0)
            return false;
    return true;
}

/* Positions judged right (one per key position). */
static void judge(const Question *q, const Variant *v, const KeyPart *kp, const Tokens *given,
                  const Tokens *all, bool *right)
{
    size_t n = kp->right.n;
    for (size_t a = 0; a < kp->nalt; a++)
        if (tokens_equal(&kp->alt[a], given)) {
            for (size_t k = 0; k < n; k++)
                right[k] = true;
            return;
        }
    if (q->credit == CREDIT_FOLLOW && q->kind->follow && q->kind->follow(q, v, kp, all, right))
        return;
    for (size_t k = 0; k < n; k++)
        right[k] = k < given->n && strcmp(given->v[k], kp->right.v[k]) == 0;
}

static double part_score(CreditMode credit, double per, const bool *right, size_t n, size_t given_n)
{
    size_t good = 0, prefix = 0;
    for (size_t k = 0; k < n; k++)
        good += right[k];
    while (prefix < n && right[prefix])
        prefix++;
    switch (credit) {
    case CREDIT_PREFIX: return per * (double)prefix;
    case CREDIT_EXACT: return good == n && given_n == n ? per * (double)n : 0;
    default: return per * (double)good;
    }
}

static void shorten(const Tokens *t, bool group, char *out, size_t n)
{
    Buf b = { 0 };
    tokens_join(t, group ? " | " : " ", &b);
    snprintf(out, n, "%s", buf_str(&b));
    buf_free(&b);
}

/* A part graded by the kind from the answer as written (QuestionKind.grade_raw):
 * all or nothing. */
static void grade_raw_part(const Question *q, const Variant *v, const KeyPart *kp,
                           const Tokens *given, const char *raw, ExplainMode em, PartResult *pr)
{
    Buf why = { 0 };
    bool right = tokens_equal(&kp->right, given);    /* a saved key's answer (--keys) */
    for (size_t a = 0; a < kp->nalt; a++)
        right |= tokens_equal(&kp->alt[a], given);
    if (!right)
        right = q->kind->grade_raw(q, v, kp, raw ? raw : "", &why);
    pr->score = right ? pr->max : 0;
    pr->first_wrong = right ? -1 : 0;
    if (!right && em != EXPLAIN_NONE)
        buf_printf(&pr->explain, "%s.%s: %s\n", q->name, kp->name, buf_str(&why));
    buf_free(&why);
    snprintf(pr->given, sizeof pr->given, "%s", raw ? raw : "");
}

/* Grades key part idx of v, asked by q->ask[i]; appends its PartResult to r. raw is
 * the student's answer as written (NULL if none). */
static void grade_part(const Question *q, size_t i, size_t idx, const Variant *v,
                       const Tokens *all, const char *raw, ExplainMode em, Result *r)
{
    const KeyPart *kp = &v->key.parts[idx];
    PartResult *nr = realloc(r->parts, (r->nparts + 1) * sizeof *nr);
    if (!nr)
        return;
    r->parts = nr;
    PartResult *pr = &r->parts[r->nparts++];
    memset(pr, 0, sizeof *pr);
    snprintf(pr->item, sizeof pr->item, "%s.%s", q->name, kp->name);
    snprintf(pr->visibility, sizeof pr->visibility, "%s", q->visibility);
    pr->seq = kp->seq;
    size_t n = kp->right.n;
    double per = kp->seq ? q->points[i] : q->points[i] / (double)(n ? n : 1);
    pr->max = per * (double)n;
    shorten(&kp->right, kp->group, pr->right, sizeof pr->right);
    if (q->kind->grade_raw) {
        grade_raw_part(q, v, kp, &all[idx], raw, em, pr);
        return;
    }
    bool *right = calloc(n ? n : 1, sizeof *right);
    if (!right)
        return;
    judge(q, v, kp, &all[idx], all, right);
    bool alt = false;
    for (size_t a = 0; a < kp->nalt; a++)
        alt |= tokens_equal(&kp->alt[a], &all[idx]);
    pr->score = alt ? pr->max : part_score(q->credit, per, right, n, all[idx].n);
    pr->first_wrong = -1;
    /* Positions past the key's count only under exact. */
    for (size_t k = 0; !alt && (k < n || (q->credit == CREDIT_EXACT && k < all[idx].n)); k++) {
        if (k < n && right[k])
            continue;
        if (pr->first_wrong < 0)
            pr->first_wrong = (long)k;
        if (em == EXPLAIN_NONE || (em == EXPLAIN_FIRST && pr->first_wrong != (long)k))
            break;
        if (pr->explain.len)
            buf_printf(&pr->explain, "\n");
        q->kind->explain(q, v, kp, &all[idx], k, &pr->explain);
    }
    shorten(&all[idx], kp->group, pr->given, sizeof pr->given);
    free(right);
}

static void unknown_item(const Exercise *ex, const Answers *a, const AnswerItem *it, Result *r)
{
    char msg[800];
    snprintf(msg, sizeof msg, "%s:%lu: unknown item '%s' (not a part asked by %s)", a->path,
             it->line, it->item, ex->path);
    add_msg(&r->errors, &r->nerrors, msg);
}

/* Items of a that name no question: format errors. */
static void check_items(const Exercise *ex, const Answers *a, Result *r)
{
    for (size_t i = 0; i < a->nitems; i++) {
        const AnswerItem *it = &a->items[i];
        char qname[2 * GRADE_NAME_MAX];
        snprintf(qname, sizeof qname, "%s", it->item);
        *strchr(qname, '.') = '\0';
        if (!exercise_question(ex, qname))
            unknown_item(ex, a, it, r);
    }
}

/* Items of a for question q that name no part of v's key that q asks: format errors. */
static void check_question_items(const Exercise *ex, const Question *q, const Variant *v,
                                 const Answers *a, Result *r)
{
    size_t len = strlen(q->name);
    for (size_t i = 0; i < a->nitems; i++) {
        const AnswerItem *it = &a->items[i];
        if (strncmp(it->item, q->name, len) != 0 || it->item[len] != '.')
            continue;
        const KeyPart *kp = key_part((Key *)&v->key, it->item + len + 1);
        if (!kp || question_asks(q, kp) < 0)
            unknown_item(ex, a, it, r);
    }
}

/* The student's tokens for every part of v's key (empty where not answered), and the
 * answers as written (raw[k], NULL where not answered). */
static Tokens *given_tokens(const Question *q, const Variant *v, const Answers *a,
                            const char ***raw)
{
    size_t n = v->key.nparts ? v->key.nparts : 1;
    Tokens *all = calloc(n, sizeof *all);
    *raw = calloc(n, sizeof **raw);
    if (!*raw) {
        free(all);
        return NULL;
    }
    for (size_t k = 0; all && k < v->key.nparts; k++) {
        char item[2 * GRADE_NAME_MAX + 16];
        snprintf(item, sizeof item, "%s.%s", q->name, v->key.parts[k].name);
        const AnswerItem *it = answers_find(a, item);
        if (it) {
            answer_tokens(it->raw, v->key.parts[k].group, &all[k]);
            (*raw)[k] = it->raw;
        }
    }
    return all;
}

/* How the student replays their variant of q: the scenario beside their answers, else
 * generated again. */
static void replay_command(const Exercise *ex, const Answers *a, const Question *q, Variant *v)
{
    char path[600];
    const char *slash = strrchr(a->path, '/');
    int dir = slash ? (int)(slash - a->path) : 0;
    snprintf(path, sizeof path, "%.*s%s%s.ini", dir, a->path, slash ? "/" : "", q->name);
    if (access(path, R_OK) == 0)
        snprintf(v->replay, sizeof v->replay, "vmsim step %.580s", path);
    else
        snprintf(v->replay, sizeof v->replay, "vmsim generate %s --student %s --out out; "
                 "vmsim step out/%s/%s.ini", ex->path, v->id, v->id, q->name);
}

/* `@Q.PART.accept = VALUE` lines of a saved key: whole answers accepted as well. */
static void key_accepts(const char *path, const Question *q, Variant *v)
{
    FILE *f = fopen(path, "r");
    char line[4096], name[2 * GRADE_NAME_MAX + 32];
    while (f && fgets(line, sizeof line, f)) {
        for (size_t i = 0; i < v->key.nparts; i++) {
            KeyPart *kp = &v->key.parts[i];
            int len = snprintf(name, sizeof name, "@%s.%s.accept = ", q->name, kp->name);
            if (strncmp(line, name, (size_t)len) != 0 || kp->nalt == GRADE_ALTS_MAX)
                continue;
            line[strcspn(line, "\r\n")] = '\0';
            answer_tokens(line + len, kp->group, &kp->alt[kp->nalt++]);
        }
    }
    if (f)
        fclose(f);
}

/* With --keys: the key's answers are those of keys_dir/ID/key.txt. */
static void saved_key(const char *keys_dir, const Question *q, Variant *v, Result *r)
{
    char path[600], err[GRADE_ERR];
    Answers k;
    snprintf(path, sizeof path, "%s/%s/key.txt", keys_dir, v->id);
    if (answers_load(&k, path, err, sizeof err)) {
        add_msg(&r->errors, &r->nerrors, err);
        r->gradable = false;
        return;
    }
    for (size_t i = 0; i < v->key.nparts; i++) {
        KeyPart *kp = &v->key.parts[i];
        char item[2 * GRADE_NAME_MAX + 16];
        snprintf(item, sizeof item, "%s.%s", q->name, kp->name);
        const AnswerItem *it = answers_find(&k, item);
        if (it) {
            tokens_free(&kp->right);
            answer_tokens(it->raw, kp->group, &kp->right);
        }
    }
    answers_free(&k);
    key_accepts(path, q, v);
}

int grade_answers(const Exercise *ex, const Answers *a, const char *keys_dir,
                  ExplainMode em, Result *r, char *err, size_t n)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", a->id);
    snprintf(r->path, sizeof r->path, "%s", a->path);
    r->seed = grade_seed(ex, a->id, NULL);
    r->gradable = a->valid > 0;
    r->per_question = calloc(ex->nq, sizeof *r->per_question);
    for (size_t i = 0; i < a->nerrors; i++)
        add_msg(&r->errors, &r->nerrors, a->errors[i]);
    if (!a->valid) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: no line of the form ITEM = ANSWER", a->path);
        add_msg(&r->errors, &r->nerrors, msg);
    }
    check_items(ex, a, r);
    for (size_t qi = 0; qi < ex->nq; qi++) {
        const Question *q = &ex->q[qi];
        Variant v;
        if (variant_make(ex, q, a->id, &v, err, n))
            return -1;
        if (q->kind->scenario)
            replay_command(ex, a, q, &v);
        if (keys_dir)
            saved_key(keys_dir, q, &v, r);
        check_question_items(ex, q, &v, a, r);
        const char **raw = NULL;
        Tokens *all = given_tokens(q, &v, a, &raw);
        for (size_t k = 0; all && k < v.key.nparts; k++) {
            int i = question_asks(q, &v.key.parts[k]);
            size_t before = r->nparts;
            if (i >= 0)
                grade_part(q, (size_t)i, k, &v, all, raw[k], em, r);
            if (r->nparts == before)
                continue;
            PartResult *pr = &r->parts[r->nparts - 1];
            if (r->per_question)
                r->per_question[qi] += pr->score;
            r->score += pr->score;
            r->max += pr->max;
        }
        for (size_t k = 0; all && k < v.key.nparts; k++)
            tokens_free(&all[k]);
        free(all);
        free(raw);
        variant_free(q, &v);
    }
    return grade_sets_used(ex, err, n);
}

void result_free(Result *r)
{
    for (size_t i = 0; i < r->nparts; i++)
        buf_free(&r->parts[i].explain);
    for (size_t i = 0; i < r->nerrors; i++)
        free(r->errors[i]);
    free(r->parts);
    free(r->errors);
    free(r->per_question);
    memset(r, 0, sizeof *r);
}
