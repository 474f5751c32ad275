/* Results written out: text, CSV (summary.csv, items.csv), Gradescope's results.json,
 * PrairieLearn's results; and the files generate writes (key.txt, answers.txt). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "grade.h"

#ifndef VMSIM_VERSION
#define VMSIM_VERSION "0.1"
#endif

static const char *const credit_names[] = { "per-item", "prefix", "follow-through", "exact" };

/* Scores are kept to 4 decimals, so a total equals the sum of its printed parts. */
static double round4(double x) { return round(x * 10000.0) / 10000.0; }

static double total(const Result *r)
{
    double s = 0;
    for (size_t i = 0; i < r->nparts; i++)
        s += round4(r->parts[i].score);
    return round4(s);
}

/* ---- text ------------------------------------------------------------------- */

void output_text(FILE *out, const Exercise *ex, const Result *r)
{
    fprintf(out, "%s: %g / %g  (%s", r->id, total(r), round4(r->max), r->path);
    if (r->seed)                /* grade-sim's results have none */
        fprintf(out, ", seed 0x%016" PRIx64, r->seed);
    fprintf(out, ")%s\n", r->gradable ? "" : "  not gradable");
    for (size_t i = 0; i < r->nparts; i++) {
        const PartResult *p = &r->parts[i];
        fprintf(out, "  %-20s %6g / %-6g", p->item, round4(p->score), round4(p->max));
        if (p->first_wrong >= 0 && p->seq)
            fprintf(out, "  first wrong at position %ld", p->first_wrong + 1);
        else if (p->first_wrong >= 0)
            fprintf(out, "  wrong");
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->nerrors; i++)
        fprintf(out, "  %s\n", r->errors[i]);
    for (size_t i = 0; i < r->nparts; i++)
        if (r->parts[i].explain.len)
            fprintf(out, "\n%s", buf_str(&r->parts[i].explain));
    (void)ex;
}

/* ---- Gradescope and PrairieLearn ---------------------------------------------- */

static void errors_text(const Result *r, Buf *b)
{
    for (size_t i = 0; i < r->nerrors; i++)
        buf_printf(b, "%s\n", r->errors[i]);
}

/* A test's words: its explanation, or right / wrong when there is none. */
static const char *part_message(const PartResult *p)
{
    if (p->first_wrong < 0)
        return "right";
    return p->explain.len ? buf_str(&p->explain) : "wrong";
}

void output_gradescope(FILE *out, const Result *r)
{
    Buf msg = { 0 };
    errors_text(r, &msg);
    fprintf(out, "{\n  \"score\": %g,\n  \"output\": ", total(r));
    json_str(out, buf_str(&msg));
    if (r->has_leaderboard)
        fprintf(out, ",\n  \"leaderboard\": [{\"name\": \"ratio\", \"value\": %.4f}]", r->leaderboard);
    fprintf(out, ",\n  \"tests\": [");
    for (size_t i = 0; i < r->nparts; i++) {
        const PartResult *p = &r->parts[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_str(out, p->item);
        fprintf(out, ", \"score\": %g, \"max_score\": %g, \"visibility\": ", round4(p->score),
                round4(p->max));
        json_str(out, p->visibility);
        fprintf(out, ", \"output\": ");
        json_str(out, part_message(p));
        fputc('}', out);
    }
    fprintf(out, "\n  ]\n}\n");
    buf_free(&msg);
}

void output_prairielearn(FILE *out, const Result *r)
{
    Buf msg = { 0 };
    errors_text(r, &msg);
    double score = r->max > 0 ? total(r) / round4(r->max) : 0;
    fprintf(out, "{\n  \"succeeded\": true,\n  \"gradable\": %s,\n  \"score\": %.6g,\n  \"message\": ",
            r->gradable ? "true" : "false", r->gradable ? score : 0.0);
    json_str(out, buf_str(&msg));
    fprintf(out, ",\n  \"format_errors\": [");
    for (size_t i = 0; i < r->nerrors; i++) {
        fprintf(out, "%s\n    ", i ? "," : "");
        json_str(out, r->errors[i]);
    }
    fprintf(out, "%s],\n  \"tests\": [", r->nerrors ? "\n  " : "");
    for (size_t i = 0; i < r->nparts; i++) {
        const PartResult *p = &r->parts[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_str(out, p->item);
        fprintf(out, ", \"points\": %g, \"max_points\": %g, \"message\": ", round4(p->score),
                round4(p->max));
        json_str(out, part_message(p));
        fputc('}', out);
    }
    fprintf(out, "\n  ]\n}\n");
    buf_free(&msg);
}

/* ---- CSV -------------------------------------------------------------------- */

void output_csv_header(FILE *out, const Exercise *ex)
{
    fprintf(out, "id,seed,score,max");
    for (size_t i = 0; i < ex->nq; i++)
        fprintf(out, ",%s", ex->q[i].name);
    fprintf(out, ",gradable,format_errors\n");
}

void output_csv_row(FILE *out, const Exercise *ex, const Result *r)
{
    csv_str(out, r->id);
    fprintf(out, ",0x%016" PRIx64 ",%g,%g", r->seed, total(r), round4(r->max));
    for (size_t i = 0; i < ex->nq; i++)
        fprintf(out, ",%g", r->per_question ? round4(r->per_question[i]) : 0.0);
    fprintf(out, ",%s,%zu\n", r->gradable ? "yes" : "no", r->nerrors);
}

/* The most common wrong answer to part `item` among rs (NULL if none). */
static const char *common_wrong(const Result *rs, size_t n, size_t part)
{
    const char *best = NULL;
    size_t best_count = 0;
    for (size_t i = 0; i < n; i++) {
        const PartResult *p = &rs[i].parts[part];
        if (p->first_wrong < 0 || !p->given[0])
            continue;
        size_t count = 0;
        for (size_t k = 0; k < n; k++)
            count += rs[k].parts[part].first_wrong >= 0 && strcmp(rs[k].parts[part].given, p->given) == 0;
        if (count > best_count) {
            best = p->given;
            best_count = count;
        }
    }
    return best;
}

void output_items_csv(FILE *out, const Exercise *ex, const Result *rs, size_t n)
{
    (void)ex;
    fprintf(out, "item,max,mean,share_right,most_common_wrong\n");
    if (!n)
        return;
    for (size_t p = 0; p < rs[0].nparts; p++) {
        double sum = 0, max = 0;
        size_t full = 0, counted = 0;
        for (size_t i = 0; i < n; i++) {
            if (rs[i].nparts != rs[0].nparts)
                continue;
            sum += rs[i].parts[p].score;
            max = rs[i].parts[p].max > max ? rs[i].parts[p].max : max;
            full += rs[i].parts[p].first_wrong < 0;
            counted++;
        }
        const char *w = common_wrong(rs, n, p);
        fprintf(out, "%s,%g,%.4f,%.4f,", rs[0].parts[p].item, round4(max),
                counted ? sum / (double)counted : 0.0, counted ? (double)full / (double)counted : 0.0);
        csv_str(out, w ? w : "");
        fputc('\n', out);
    }
}

/* ---- keys and templates --------------------------------------------------------- */

void key_write(FILE *out, const Exercise *ex, const Question *q, const Variant *v)
{
    fprintf(out, "\n# [question %s] (%s)\n@%s.seed = 0x%016" PRIx64 "\n@%s.credit = %s\n@%s.points =",
            q->name, q->kind->name, q->name, v->seed, q->name, credit_names[q->credit], q->name);
    for (size_t i = 0; i < q->nask; i++)
        fprintf(out, " %s:%g", q->ask[i], q->points[i]);
    fputc('\n', out);
    q->kind->inputs(q, v, out);
    for (size_t k = 0; k < v->key.nparts; k++)
        if (question_asks(q, &v->key.parts[k]) >= 0) {
            Buf b = { 0 };
            tokens_join(&v->key.parts[k].right, v->key.parts[k].group ? " | " : " ", &b);
            fprintf(out, "%s.%s = %s\n", q->name, v->key.parts[k].name, buf_str(&b));
            buf_free(&b);
        }
    (void)ex;
}

void key_header(FILE *out, const Exercise *ex, const char *id)
{
    fprintf(out, "# The key of %s for %s (the answers grammar, @ lines are annotations)\n"
            "student = %s\n@version = vmsim %s\n@exercise = %s\n@seed = 0x%016" PRIx64 "\n",
            ex->title[0] ? ex->title : ex->path, id, id, VMSIM_VERSION, ex->path,
            grade_seed(ex, id, NULL));
}

void template_write(FILE *out, const Question *q, const Variant *v)
{
    for (size_t k = 0; k < v->key.nparts; k++)
        if (question_asks(q, &v->key.parts[k]) >= 0)
            fprintf(out, "%s.%s = \n", q->name, v->key.parts[k].name);
}

const char *grade_version(void) { return VMSIM_VERSION; }
