/* The answers grammar, shared by students' files and keys:
 *
 *   student = jdoe
 *   lru4.seq = M M M M H        QUESTION.PART = VALUE (names case-insensitive)
 *   lru4.faults,13              item,value (CSV) is accepted too
 *   # a comment                 blank lines and comments are skipped
 *   @seed = ...                 annotations: keys only; students' files skip them
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)need;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return;
        b->s = ns;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

void buf_free(Buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

const char *buf_str(const Buf *b) { return b->s ? b->s : ""; }

void tokens_push(Tokens *t, const char *s)
{
    char **nv = realloc(t->v, (t->n + 1) * sizeof *nv);
    char *d = strdup(s);
    if (!nv || !d) {
        free(d);
        if (nv)
            t->v = nv;
        return;
    }
    t->v = nv;
    t->v[t->n++] = d;
}

void tokens_free(Tokens *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

void tokens_join(const Tokens *t, const char *sep, Buf *out)
{
    for (size_t i = 0; i < t->n; i++)
        buf_printf(out, "%s%s", i ? sep : "", t->v[i]);
}

/* One word, normalised (see answer_tokens). */
static void norm_word(const char *w, size_t len, char *out, size_t outlen)
{
    char low[64];
    if (len >= sizeof low)
        len = sizeof low - 1;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)tolower((unsigned char)w[i]);
    low[len] = '\0';
    static const struct { const char *in, *out; } words[] = {
        { "h", "H" }, { "hit", "H" }, { "m", "M" }, { "miss", "M" }, { "f", "M" },
        { "fault", "M" }, { "-", "-" }, { "none", "-" },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(low, words[i].in) == 0) {
            snprintf(out, outlen, "%s", words[i].out);
            return;
        }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(low, &end, low[0] == '0' && low[1] == 'x' ? 16 : 10);
    if (low[0] && isdigit((unsigned char)low[0]) && !*end && !errno) {
        snprintf(out, outlen, "%llu", v);
        return;
    }
    snprintf(out, outlen, "%s", low);
}

/* Whether w is a run of two or more H/M letters ("MMHM"). */
static bool hm_run(const char *w, size_t len)
{
    if (len < 2)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("HhMm", w[i]))
            return false;
    return true;
}

/* The words of s[0..len) normalised and joined by single spaces into out. */
static void norm_words(const char *s, size_t len, bool split_runs, Tokens *out, Buf *group)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (isspace((unsigned char)s[i]) || s[i] == ','))
            i++;
        size_t j = i;
        while (j < len && !isspace((unsigned char)s[j]) && s[j] != ',')
            j++;
        if (j == i)
            break;
        char w[64];
        if (split_runs && hm_run(s + i, j - i)) {
            for (size_t k = i; k < j; k++) {
                norm_word(s + k, 1, w, sizeof w);
                tokens_push(out, w);
            }
        } else {
            norm_word(s + i, j - i, w, sizeof w);
            if (group)
                buf_printf(group, "%s%s", group->len ? " " : "", w);
            else
                tokens_push(out, w);
        }
        i = j;
    }
}

void answer_tokens(const char *value, bool group, Tokens *out)
{
    if (!group) {
        norm_words(value, strlen(value), true, out, NULL);
        return;
    }
    const char *p = value;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        Buf g = { 0 };
        norm_words(p, len, false, out, &g);
        if (g.len || bar)
            tokens_push(out, buf_str(&g));
        buf_free(&g);
        if (!bar)
            break;
        p = bar + 1;
    }
}

/* ---- answers files ---------------------------------------------------------- */

static void add_error(Answers *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_error(Answers *a, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char **ne = realloc(a->errors, (a->nerrors + 1) * sizeof *ne);
    if (!ne)
        return;
    a->errors = ne;
    if ((a->errors[a->nerrors] = strdup(msg)))
        a->nerrors++;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* An item name: QUESTION.PART with letters, digits, '_', '-' and dots. */
static bool item_name(const char *s)
{
    if (!*s || strlen(s) >= 2 * GRADE_NAME_MAX || !strchr(s, '.'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
            return false;
    return true;
}

/* One line: 1 read, 0 blank or comment, -1 malformed. */
static int answers_line(Answers *a, char *line, unsigned long no)
{
    char *hash = strchr(line, '#');      /* a comment, on its own line or after a value */
    if (hash)
        *hash = '\0';
    char *s = trim(line);
    if (!*s || *s == ';' || *s == '@')
        return 0;
    char *sep = strchr(s, '=');
    if (!sep)
        sep = strchr(s, ',');
    if (!sep)
        return -1;
    *sep = '\0';
    char *name = trim(s), *value = trim(sep + 1);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (strcmp(name, "student") == 0) {
        if (!grade_id(value, a->id))
            return -1;
        a->id_line = no;
        return 1;
    }
    if (!item_name(name))
        return -1;
    if (!*value)
        return 1;            /* a blank of the template: read, unanswered */
    AnswerItem *ni = realloc(a->items, (a->nitems + 1) * sizeof *ni);
    if (!ni)
        return -1;
    a->items = ni;
    AnswerItem *it = &a->items[a->nitems];
    snprintf(it->item, sizeof it->item, "%s", name);
    it->raw = strdup(value);
    it->line = no;
    if (!it->raw)
        return -1;
    a->nitems++;
    return 1;
}

/* The id a submission stands for without a `student =` line: the file's name without
 * its extension, or its folder's name when the file is answers.txt. */
static void id_from_path(const char *path, char *out)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *base = strrchr(tmp, '/');
    if (base && strcmp(base + 1, "answers.txt") == 0) {
        *base = '\0';
        base = strrchr(tmp, '/');
    }
    base = base ? base + 1 : tmp;
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    if (!grade_id(base, out))
        snprintf(out, GRADE_NAME_MAX, "unknown");
}

int answers_load(Answers *a, const char *path, char *err, size_t n)
{
    memset(a, 0, sizeof *a);
    snprintf(a->path, sizeof a->path, "%s", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned long no = 0;
    while (getline(&line, &cap, f) >= 0) {
        no++;
        char shown[80];
        snprintf(shown, sizeof shown, "%s", trim(line));
        int r = answers_line(a, line, no);
        if (r < 0)
            add_error(a, "%s:%lu: expected ITEM = ANSWER, got '%s'", path, no, shown);
        else
            a->valid += (size_t)r;
    }
    free(line);
    fclose(f);
    if (!a->id[0])
        id_from_path(path, a->id);
    return 0;
}

void answers_free(Answers *a)
{
    for (size_t i = 0; i < a->nerrors; i++)
        free(a->errors[i]);
    free(a->errors);
    for (size_t i = 0; i < a->nitems; i++)
        free(a->items[i].raw);
    free(a->items);
    memset(a, 0, sizeof *a);
}

const AnswerItem *answers_find(const Answers *a, const char *item)
{
    const AnswerItem *found = NULL;
    for (size_t i = 0; i < a->nitems; i++)
        if (strcmp(a->items[i].item, item) == 0)
            found = &a->items[i];     /* the last one counts, as in the INI files */
    return found;
}

bool answers_force_id(Answers *a, const char *id)
{
    char low[GRADE_NAME_MAX];
    if (!grade_id(id, low))
        return false;
    if (a->id_line && strcmp(low, a->id) != 0)
        add_error(a, "%s:%lu: student = %s, but this submission is graded as %s", a->path,
                  a->id_line, a->id, low);
    memcpy(a->id, low, sizeof low);
    return true;
}
