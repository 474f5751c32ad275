/* --vary KEY=SPEC: SPEC is A..B (every integer), A..B:STEP, or a comma list whose
 * items are values or ranges ("1..4,8,16", "fifo,lru"). Cells are numbered with the
 * trace slowest and the last key fastest, the order the rows come in. */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

static int add_value(Vary *v, const char *s, size_t len)
{
    if ((v->n & (v->n + 1)) == 0 || v->n == 0) {    /* grow at 1, 2, 4, 8... */
        char **nv = realloc(v->vals, (v->n * 2 + 2) * sizeof *nv);
        if (!nv)
            return -1;
        v->vals = nv;
    }
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = '\0';
    v->vals[v->n++] = c;
    return 0;
}

/* A whole decimal number without sign: the ends and step of a range. */
static bool parse_uint(const char *s, size_t len, unsigned long long *out)
{
    if (len == 0 || len > 19)
        return false;
    unsigned long long x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (unsigned long long)(s[i] - '0');
    }
    *out = x;
    return true;
}

/* One item of a SPEC: "A..B", "A..B:STEP" or a plain value. */
static int parse_item(Vary *v, const char *s, size_t len, char *err, size_t errlen)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    if (len == 0) {
        snprintf(err, errlen, "an empty value (expected A..B, A..B:STEP or a comma list)");
        return -1;
    }
    if (!dots)
        return add_value(v, s, len) ? (snprintf(err, errlen, "out of memory"), -1) : 0;
    const char *b = dots + 2, *colon = memchr(b, ':', len - (size_t)(b - s));
    size_t blen = (size_t)((colon ? colon : s + len) - b);
    unsigned long long lo, hi, step = 1;
    if (!parse_uint(s, (size_t)(dots - s), &lo) || !parse_uint(b, blen, &hi) ||
        (colon && !parse_uint(colon + 1, (size_t)(s + len - colon - 1), &step))) {
        snprintf(err, errlen, "'%.*s': expected A..B or A..B:STEP with whole numbers", (int)len, s);
        return -1;
    }
    if (step == 0 || lo > hi) {
        snprintf(err, errlen, "'%.*s': %s", (int)len, s,
                 step == 0 ? "the step must be at least 1" : "the range is empty (A is above B)");
        return -1;
    }
    if ((hi - lo) / step >= SWEEP_MAX_CELLS) {
        snprintf(err, errlen, "'%.*s': more than %d values", (int)len, s, SWEEP_MAX_CELLS);
        return -1;
    }
    for (unsigned long long x = lo; x <= hi; x += step) {
        char num[24];
        int n = snprintf(num, sizeof num, "%llu", x);
        if (add_value(v, num, (size_t)n) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (hi - x < step)
            break;
    }
    return 0;
}

int vary_parse(Vary *v, const char *arg, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    const char *eq = strchr(arg, '='), *dot = strchr(arg, '.');
    if (!eq || !dot || dot > eq || eq - arg >= (long)sizeof v->key || dot == arg || dot + 1 == eq) {
        snprintf(err, errlen, "--vary %s: expected SECTION.KEY=SPEC (e.g. memory.frames=1..64)", arg);
        return -1;
    }
    memcpy(v->key, arg, (size_t)(eq - arg));
    v->key[eq - arg] = '\0';
    char why[300];
    for (const char *p = eq + 1;; ) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (parse_item(v, p, len, why, sizeof why) != 0) {
            snprintf(err, errlen, "--vary %s: %s", arg, why);
            vary_fini(v);
            return -1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

void vary_fini(Vary *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->vals[i]);
    free(v->vals);
    v->vals = NULL;
    v->n = 0;
}

size_t cell_value(const Sweep *sw, size_t cell, size_t k)
{
    for (size_t j = sw->nvary; j-- > k + 1; )
        cell /= sw->vary[j].n;
    return cell % sw->vary[k].n;
}

size_t cell_trace(const Sweep *sw, size_t cell)
{
    for (size_t j = 0; j < sw->nvary; j++)
        cell /= sw->vary[j].n;
    return cell;
}

void cell_options(const Sweep *sw, size_t cell, Options *o, char buf[][160])
{
    *o = sw->base;
    o->trace = sw->traces[cell_trace(sw, cell)];
    o->log = LOG_NONE;
    for (size_t k = 0; k < sw->nvary && o->nsets < MAX_SETS; k++) {
        snprintf(buf[k], 160, "%s=%s", sw->vary[k].key, sw->vary[k].vals[cell_value(sw, cell, k)]);
        o->sets[o->nsets++] = buf[k];
    }
}
