/* Python's optparse (Lib/optparse.py, 3.11) for the options the OSTEP programs add:
 * OptionParser._process_args, long-option abbreviations (_match_abbrev), clustered
 * short options, the int type's conversion (_parse_num), the error and usage lines,
 * and the IndentedHelpFormatter layout of -h with textwrap's line filling. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ostep.h"

/* ---- errors ---------------------------------------------------------------------- */

/* parser.error(): the usage line, a blank line, "PROG: error: MSG"; exit status 2. */
static int pyopt_error(const PyOptParser *p, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "Usage: %s [options]\n\n%s: error: ", p->prog, p->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

/* ---- help ------------------------------------------------------------------------- */

/* HelpFormatter's width: int($COLUMNS), else 80 (never the terminal's: optparse reads
 * only the variable, which shells seldom export); minus 2. Widths past a million wrap
 * as a million does (no help line is that long, and below -1e6 every width gives
 * textwrap's minimum). */
static long help_width(void)
{
    const char *env = getenv("COLUMNS");
    PyInt v;
    if (!env || !pyint_parse(env, 10, &v))
        return 80 - 2;
    int64_t cols = pyint_clamp(&v);
    pyint_free(&v);
    cols = cols > 1000000 ? 1000000 : cols < -1000000 ? -1000000 : cols;
    return (long)cols - 2;
}

/* "-s SEED, --seed=SEED", "-c, --solve", "-v" into buf. */
static void option_strings(const PyOptSpec *o, char *buf, size_t len)
{
    char meta[64] = "";
    size_t i;
    for (i = 0; o->kind != PYOPT_FLAG && o->dest[i] && i + 1 < sizeof meta; i++)
        meta[i] = (char)(o->dest[i] >= 'a' && o->dest[i] <= 'z' ? o->dest[i] - 32 : o->dest[i]);
    meta[i] = '\0';
    int n = 0;
    if (o->shrt)
        n = snprintf(buf, len, o->kind == PYOPT_FLAG ? "-%c" : "-%c %s", o->shrt, meta);
    if (o->lng)
        snprintf(buf + n, len - (size_t)n, o->kind == PYOPT_FLAG ? "%s--%s" : "%s--%s=%s",
                 o->shrt ? ", " : "", o->lng, meta);
}

/* \w without digits: textwrap's "letter". */
static bool wrap_letter(char c)
{
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'z') || c == '_';
}

/* textwrap's chunks: runs of spaces, and words, split after a hyphen that follows two
 * letters and precedes a letter ("comma-" "separated"). Returns the chunk count. */
static size_t wrap_chunks(const char *s, const char **start, size_t *len, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        const char *b = s;
        if (*s == ' ') {
            while (*s == ' ')
                s++;
        } else {
            while (*s && *s != ' ') {
                bool split = *s == '-' && s - b >= 2 && wrap_letter(s[-1]) && wrap_letter(s[-2])
                             && wrap_letter(s[1]);
                s++;
                if (split)
                    break;
            }
        }
        start[n] = b;
        len[n++] = (size_t)(s - b);
    }
    return n;
}

/* How much of a chunk too long for any line goes on this one (_handle_long_word with
 * break_long_words and break_on_hyphens): up to the space left, or just past the last
 * hyphen before it when something other than hyphens precedes that hyphen. */
static size_t long_word_cut(const char *c, size_t clen, long width, size_t cur)
{
    size_t space = width < 1 ? 1 : (size_t)width - cur;
    if (clen <= space)
        return space;
    for (size_t h = space; h-- > 1;)
        if (c[h] == '-') {
            for (size_t k = 0; k < h; k++)
                if (c[k] != '-')
                    return h + 1;
            break;
        }
    return space;
}

/* textwrap.wrap(text, width) printed with the first line after `first` spaces and the
 * others after `rest` spaces (TextWrapper._wrap_chunks). */
static void wrap_print(FILE *out, const char *text, long width, int first, int rest)
{
    const char *cs[64];
    size_t cl[64];
    size_t n = wrap_chunks(text, cs, cl, 64), i = 0, off = 0;  /* off: used of chunk i */
    bool firstline = true;
    while (i < n) {
        if (!firstline && cs[i][0] == ' ')
            i++;  /* drop_whitespace at a line's start */
        if (i >= n)
            break;
        char line[256];
        size_t cur = 0;
        while (i < n && (long)(cur + cl[i] - off) <= width) {
            memcpy(line + cur, cs[i] + off, cl[i] - off);
            cur += cl[i] - off;
            i++;
            off = 0;
        }
        if (i < n && (long)(cl[i] - off) > width) {
            size_t end = long_word_cut(cs[i] + off, cl[i] - off, width, cur);
            memcpy(line + cur, cs[i] + off, end);
            cur += end;
            off += end;
        }
        while (cur > 0 && line[cur - 1] == ' ')
            cur--;  /* drop_whitespace at a line's end: the trailing space chunk */
        if (cur > 0)
            fprintf(out, "%*s%.*s\n", firstline ? first : rest, "", (int)cur, line);
        firstline = false;
    }
}

/* OptionParser.print_help() with the IndentedHelpFormatter's layout. */
static void pyopt_help(const PyOptParser *p, FILE *out)
{
    static const PyOptSpec help = { 'h', "help", PYOPT_FLAG, "help",
                                    "show this help message and exit", NULL };
    long width = help_width();
    long max_pos = width - 20 > 4 ? width - 20 : 4;
    if (max_pos > 24)
        max_pos = 24;
    char strs[16][96];
    long max_len = 0;
    size_t n = p->nspecs + 1 < 16 ? p->nspecs + 1 : 16;
    for (size_t i = 0; i < n; i++) {
        option_strings(i == 0 ? &help : &p->specs[i - 1], strs[i], sizeof strs[i]);
        long l = (long)strlen(strs[i]) + 2;
        if (l > max_len)
            max_len = l;
    }
    long pos = max_len + 2 < max_pos ? max_len + 2 : max_pos;
    long hwidth = width - pos > 11 ? width - pos : 11;
    fprintf(out, "Usage: %s [options]\n\nOptions:\n", p->prog);
    for (size_t i = 0; i < n; i++) {
        const PyOptSpec *o = i == 0 ? &help : &p->specs[i - 1];
        long opt_width = pos - 2 - 2;
        int first = 0;
        if ((long)strlen(strs[i]) > opt_width) {
            fprintf(out, "  %s\n", strs[i]);
            first = (int)pos;
        } else {
            fprintf(out, "  %-*s  ", (int)opt_width, strs[i]);
        }
        wrap_print(out, o->help, hwidth, first, (int)pos);
    }
}

/* ---- parsing ------------------------------------------------------------------------ */

/* Stores value for option i (named opt as typed, for messages). Returns -1 or 2. */
static int store(PyOptParser *p, size_t i, const char *opt, const char *value)
{
    PyOptValue *v = &p->values[i];
    if (p->specs[i].kind == PYOPT_FLAG) {
        v->flag = true;
        return -1;
    }
    if (p->specs[i].kind == PYOPT_INT) {
        PyInt num;
        if (!pyint_parse_optparse(value, &num)) {
            fprintf(stderr, "Usage: %s [options]\n\n%s: error: option %s: invalid integer value: ",
                    p->prog, p->prog, opt);
            py_repr_str(stderr, value);
            fputc('\n', stderr);
            return 2;
        }
        pyint_free(&v->num);
        v->num = num;
    }
    v->str = value;
    return -1;
}

/* _match_abbrev: the long option named exactly or by a unique prefix. Returns its
 * index, p->nspecs for --help, or -2 after an error message. */
static long match_long(const PyOptParser *p, const char *name, size_t len)
{
    const char *hits[17];
    long idx[17];
    size_t nh = 0;
    for (size_t i = 0; i <= p->nspecs; i++) {
        const char *l = i == p->nspecs ? "help" : p->specs[i].lng;
        if (!l || strncmp(l, name, len) != 0)
            continue;
        if (strlen(l) == len)
            return (long)i;
        if (nh < 17) {
            hits[nh] = l;
            idx[nh++] = (long)i;
        }
    }
    if (nh == 1)
        return idx[0];
    if (nh == 0) {
        pyopt_error(p, "no such option: --%.*s", (int)len, name);
        return -2;
    }
    for (size_t a = 1; a < nh; a++)  /* possibilities.sort() */
        for (size_t b = a; b > 0 && strcmp(hits[b - 1], hits[b]) > 0; b--) {
            const char *t = hits[b];
            hits[b] = hits[b - 1];
            hits[b - 1] = t;
        }
    fprintf(stderr, "Usage: %s [options]\n\n%s: error: ambiguous option: --%.*s (", p->prog,
            p->prog, (int)len, name);
    for (size_t a = 0; a < nh; a++)
        fprintf(stderr, "%s--%s", a ? ", " : "", hits[a]);
    fputs("?)\n", stderr);
    return -2;
}

/* _process_long_opt for argv[*k]; advances *k past what it used. */
static int long_opt(PyOptParser *p, int argc, char **argv, int *k)
{
    const char *arg = argv[(*k)++] + 2, *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    long i = match_long(p, arg, len);
    if (i == -2)
        return 2;
    const char *name = i == (long)p->nspecs ? "help" : p->specs[i].lng;
    bool flag = i == (long)p->nspecs || p->specs[i].kind == PYOPT_FLAG;
    char opt[80];
    snprintf(opt, sizeof opt, "--%s", name);
    if (flag && eq)
        return pyopt_error(p, "%s option does not take a value", opt);
    if (i == (long)p->nspecs) {
        pyopt_help(p, stdout);
        return 0;
    }
    const char *value = NULL;
    if (!flag) {
        if (eq)
            value = eq + 1;
        else if (*k < argc)
            value = argv[(*k)++];
        else
            return pyopt_error(p, "%s option requires 1 argument", opt);
    }
    return store(p, (size_t)i, opt, value);
}

/* The length of the UTF-8 character at s (Python iterates characters, not bytes). */
static int utf8_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    int n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    for (int i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

/* _process_short_opts for argv[*k], a cluster like -cv or -s5. */
static int short_opts(PyOptParser *p, int argc, char **argv, int *k)
{
    const char *arg = argv[(*k)++];
    for (const char *c = arg + 1; *c; c += utf8_len(c)) {
        char opt[8];
        snprintf(opt, sizeof opt, "-%.*s", utf8_len(c), c);
        if (*c == 'h') {
            pyopt_help(p, stdout);
            return 0;
        }
        size_t i;
        for (i = 0; i < p->nspecs && p->specs[i].shrt != *c; i++)
            ;
        if (i == p->nspecs)
            return pyopt_error(p, "no such option: %s", opt);
        if (p->specs[i].kind == PYOPT_FLAG) {
            store(p, i, opt, NULL);
            continue;
        }
        const char *value = c[1] ? c + 1 : NULL;
        if (!value && *k < argc)
            value = argv[(*k)++];
        if (!value)
            return pyopt_error(p, "%s option requires 1 argument", opt);
        return store(p, i, opt, value);
    }
    return -1;
}

int pyopt_parse(PyOptParser *p, int argc, char **argv)
{
    p->values = calloc(p->nspecs, sizeof *p->values);
    if (!p->values)
        return ostep_die(p->prog, "out of memory");
    for (size_t i = 0; i < p->nspecs; i++) {
        p->values[i].str = p->specs[i].def;
        if (p->specs[i].kind == PYOPT_INT)
            pyint_parse_optparse(p->specs[i].def, &p->values[i].num);
    }
    for (int k = 0; k < argc;) {
        const char *arg = argv[k];
        int rc = -1;
        if (strcmp(arg, "--") == 0)
            break;
        if (strncmp(arg, "--", 2) == 0)
            rc = long_opt(p, argc, argv, &k);
        else if (arg[0] == '-' && arg[1])
            rc = short_opts(p, argc, argv, &k);
        else
            k++;  /* a positional argument: the programs ignore them */
        if (rc >= 0)
            return rc;
    }
    return -1;
}

void pyopt_free(PyOptParser *p)
{
    for (size_t i = 0; p->values && i < p->nspecs; i++)
        pyint_free(&p->values[i].num);
    free(p->values);
    p->values = NULL;
}
