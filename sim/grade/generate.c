/* vmsim generate: per-student variants of an exercise, with blank answers and keys.
 *
 *   DIR/ID/questions.txt   what the student reads
 *   DIR/ID/answers.txt     the blank template, every item
 *   DIR/ID/key.txt         the key (answers grammar plus @ annotations)
 *   DIR/ID/QUESTION.ini    the variant as a scenario, for vmsim step / vmsim gui
 *
 * Every file is written whole or not at all (a temporary name, then rename).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "gradecli.h"

static const char generate_usage[] =
    "usage: vmsim generate EXERCISE.ini (--student ID | --roster FILE) [options]\n"
    "\n"
    "Writes each student's variant of the exercise: DIR/ID/questions.txt, answers.txt\n"
    "(a blank template), key.txt and one scenario per question (QUESTION.ini, for\n"
    "vmsim step and vmsim gui). Prints 'ID SEED DIR' per student.\n"
    "\n"
    "  --student ID               one student (may be repeated)\n"
    "  --roster FILE              students, one id per line ('#' comments)\n"
    "  --out DIR                  where to write (default out)\n"
    "  --set 'SECTION.KEY=VALUE'  override a key in every question's scenario, e.g.\n"
    "                             --set 'process big.oom_score_adj=500'\n"
    "Documentation: docs/grading.md.\n";

int grade_mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char save = *p;
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = save;
            if (!save)
                return 0;
        }
    }
}

/* A file beside questions.txt: a question's scenario, image, trace... */
typedef struct GradeFile {
    char name[GRADE_NAME_MAX + 16];   /* QUESTION.EXT */
    char *text;
    size_t len;
} GradeFile;

/* A student's files, in memory until every variant is made. */
typedef struct StudentFiles {
    char *text[3];                 /* questions.txt, answers.txt, key.txt */
    size_t len[3];
    GradeFile *files;
    size_t nfiles;
} StudentFiles;

/* Adds a file named QUESTION.EXT (text is taken over; NULL: out of memory). */
static int student_file(StudentFiles *sf, const Question *q, const char *ext, char *text,
                        size_t len)
{
    GradeFile *nf = text ? realloc(sf->files, (sf->nfiles + 1) * sizeof *nf) : NULL;
    if (!nf) {
        free(text);
        return -1;
    }
    sf->files = nf;
    GradeFile *f = &nf[sf->nfiles++];
    snprintf(f->name, sizeof f->name, "%s.%s", q->name, ext);
    f->text = text;
    f->len = len;
    return 0;
}

/* The question's scenario (QUESTION.ini) and the kind's other files. */
static int question_files(const Exercise *ex, const Question *q, const Variant *v,
                          StudentFiles *sf)
{
    if (q->kind->scenario) {
        char *text = NULL;
        size_t len = 0;
        FILE *s = open_memstream(&text, &len);
        if (!s)
            return -1;
        fprintf(s, "; %s's variant of question %s of %s (vmsim generate).\n", v->id, q->name,
                ex->path);
        for (size_t k = 0; k < ex->nsets; k++)
            fprintf(s, "; made with --set '%s': give it to vmsim step too\n", ex->sets[k]);
        q->kind->scenario(q, v, s);
        fclose(s);
        if (student_file(sf, q, "ini", text, len))
            return -1;
    }
    char exts[64];
    snprintf(exts, sizeof exts, "%s", q->kind->files ? q->kind->files : "");
    for (char *save, *e = strtok_r(exts, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
        char *text = q->kind->file_text(q, v, e);
        if (text && !*text) {      /* "": this variant has no such file */
            free(text);
            continue;
        }
        if (student_file(sf, q, e, text, text ? strlen(text) : 0))
            return -1;
    }
    return 0;
}

static void describe_question(FILE *out, const Question *q, const Variant *v)
{
    fprintf(out, "\n== Question %s ==\n\n", q->name);
    q->kind->describe(q, v, out);
    fprintf(out, "\nAnswer in answers.txt:\n");
    for (size_t i = 0; i < q->nask; i++) {
        bool per_pos = false, named = false, any = false;
        for (size_t k = 0; k < v->key.nparts; k++) {
            const KeyPart *kp = &v->key.parts[k];
            named |= strcmp(kp->name, q->ask[i]) == 0;
            per_pos |= strcmp(kp->name, q->ask[i]) == 0 && kp->seq;
            any |= question_asks(q, kp) == (int)i;
        }
        if (!any)
            continue;                   /* its items are asked by another word */
        if (named)
            fprintf(out, "  %s.%s: ", q->name, q->ask[i]);
        else
            fprintf(out, "  %s: ", q->ask[i]);
        fprintf(out, "%s; %g point%s%s\n", q->kind->part_words(q->ask[i]), q->points[i],
                q->points[i] == 1 ? "" : "s", per_pos || !named ? " each" : "");
    }
    if (q->kind->scenario)
        fprintf(out, "Open your variant in vmsim: vmsim step %s.ini (or vmsim gui %s.ini).\n",
                q->name, q->name);
}

static int student_make(const Exercise *ex, const char *id, StudentFiles *sf, char *err, size_t n)
{
    FILE *f[3];
    for (int i = 0; i < 3; i++)
        f[i] = open_memstream(&sf->text[i], &sf->len[i]);
    fprintf(f[0], "%s\nStudent: %s\n", ex->title[0] ? ex->title : ex->path, id);
    fprintf(f[1], "# Answers: QUESTION.PART = ANSWER (see questions.txt)\nstudent = %s\n", id);
    key_header(f[2], ex, id);
    int r = 0;
    for (size_t qi = 0; qi < ex->nq && r == 0; qi++) {
        const Question *q = &ex->q[qi];
        Variant v;
        if (variant_make(ex, q, id, &v, err, n)) {
            r = -1;
            break;
        }
        describe_question(f[0], q, &v);
        template_write(f[1], q, &v);
        key_write(f[2], ex, q, &v);
        if (question_files(ex, q, &v, sf)) {
            snprintf(err, n, "out of memory");
            r = -1;
        }
        variant_free(q, &v);
    }
    for (int i = 0; i < 3; i++)
        fclose(f[i]);
    return r ? r : grade_sets_used(ex, err, n);
}

static void student_free(const Exercise *ex, StudentFiles *sf)
{
    (void)ex;
    for (int i = 0; i < 3; i++)
        free(sf->text[i]);
    for (size_t i = 0; i < sf->nfiles; i++)
        free(sf->files[i].text);
    free(sf->files);
}

static int student_write(const Exercise *ex, const StudentFiles *sf, const char *dir)
{
    static const char *const names[3] = { "questions.txt", "answers.txt", "key.txt" };
    char path[1024];
    (void)ex;
    if (grade_mkdirs(dir))
        return -1;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%.900s/%s", dir, names[i]);
        if (app_write_text(path, sf->text[i], sf->len[i], NULL, 0))
            return -1;
    }
    for (size_t i = 0; i < sf->nfiles; i++) {
        snprintf(path, sizeof path, "%.900s/%s", dir, sf->files[i].name);
        if (app_write_text(path, sf->files[i].text, sf->files[i].len, NULL, 0))
            return -1;
    }
    return 0;
}

/* Reads the roster: one id per line, '#' comments. Ids go to ids (lowercased). */
static int roster_load(const char *path, GradeIds *ids)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vmsim: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[256];
    unsigned long no = 0;
    int r = 0;
    while (r == 0 && fgets(line, sizeof line, f)) {
        no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = '\0';
        if (!*s)
            continue;
        if (grade_ids_add(ids, s)) {
            fprintf(stderr, "%s:%lu: expected a student id (letters, digits, '_', '-', '.', '@'), "
                    "got '%s'\n", path, no, s);
            r = -1;
        }
    }
    fclose(f);
    return r;
}

int grade_ids_add(GradeIds *ids, const char *id)
{
    char low[GRADE_NAME_MAX];
    if (!grade_id(id, low))
        return -1;
    for (size_t i = 0; i < ids->n; i++)
        if (strcmp(ids->v[i], low) == 0)
            return 0;                       /* listed twice: once is enough */
    char (*nv)[GRADE_NAME_MAX] = realloc(ids->v, (ids->n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    ids->v = nv;
    memcpy(ids->v[ids->n++], low, GRADE_NAME_MAX);
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    const char *exfile = NULL, *out = "out";
    GradeIds ids = { 0 };
    Exercise ex;
    GradeArgs ga = { .usage = generate_usage };
    int r = EXIT_USAGE;
    for (int i = 2; i < argc; i++) {
        const char *v;
        int k = grade_arg(&ga, argc, argv, &i);
        if (k == 1)
            continue;
        if (k < 0)
            goto done;
        if ((k = opt_value(argc, argv, &i, "--student", &v)) != 0) {
            if (k < 0 || grade_ids_add(&ids, v)) {
                fprintf(stderr, "vmsim: --student needs a student id (letters, digits, '_', '-', '.', '@')\n");
                goto done;
            }
        } else if ((k = opt_value(argc, argv, &i, "--roster", &v)) != 0) {
            if (k < 0 || roster_load(v, &ids))
                goto done;
        } else if ((k = opt_value(argc, argv, &i, "--out", &out)) != 0) {
            if (k < 0)
                goto done;
        } else if (argv[i][0] == '-' || exfile) {
            fprintf(stderr, "vmsim generate: unexpected '%s' (see vmsim generate --help)\n", argv[i]);
            goto done;
        } else {
            exfile = argv[i];
        }
    }
    if (ga.help) {
        r = EXIT_OK;
        goto done;
    }
    if (!exfile || !ids.n) {
        fputs(generate_usage, stderr);
        goto done;
    }
    if (grade_load(&ga, exfile, &ex))
        goto done;
    r = generate_all(&ex, &ids, out);
    exercise_free(&ex);
done:
    free(ids.v);
    return r;
}

int generate_all(const Exercise *ex, const GradeIds *ids, const char *out)
{
    char err[GRADE_ERR], dir[1024];
    for (size_t i = 0; i < ids->n; i++) {
        StudentFiles sf = { 0 };
        if (student_make(ex, ids->v[i], &sf, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            student_free(ex, &sf);
            return EXIT_USAGE;
        }
        snprintf(dir, sizeof dir, "%s/%s", out, ids->v[i]);
        int w = student_write(ex, &sf, dir);
        student_free(ex, &sf);
        if (w) {
            fprintf(stderr, "vmsim: cannot write %s: %s\n", dir, strerror(errno));
            return EXIT_FAILED;
        }
        printf("%s 0x%016" PRIx64 " %s\n", ids->v[i], grade_seed(ex, ids->v[i], NULL), dir);
    }
    return EXIT_OK;
}
