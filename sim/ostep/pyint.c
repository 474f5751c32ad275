/* Python's int(): parsing with int(s, base)'s grammar (Objects/longobject.c,
 * long_from_string), str() of an int of any size, and repr() of a str, as far as the
 * OSTEP programs show them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ostep.h"

/* sys.int_info.default_max_str_digits (Python 3.11): longer decimal strings are
 * refused both ways. */
#define PY_MAX_STR_DIGITS 4300

/* The whitespace int() strips around ASCII text (Py_ISSPACE: the C set; \x1c-\x1f,
 * which str.isspace() counts, make int() fail). */
static bool py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The code points whose decimal value is 0 in Unicode 14.0 (Python 3.11's
 * unicodedata), past ASCII: each starts a run of ten, 0 to 9. All 650 decimal
 * digits int() takes are in these runs. */
static const uint32_t uni_zeros[] = {
    0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80,
    0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0,
    0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0,
    0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50,
    0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec,
    0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

/* str.isspace() past ASCII (Unicode 14.0). */
static bool uni_space(uint32_t c)
{
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* One UTF-8 sequence at s: its code point and length, or length 1 and 0xfffd for a
 * byte that starts none (Python's argv holds those as lone surrogates). */
static uint32_t utf8_next(const unsigned char *s, int *len)
{
    int n = s[0] >= 0xf5 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 1;
    uint32_t c = n == 1 ? 0xfffd : s[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *len = 1;
            return 0xfffd;
        }
        c = c << 6 | (s[i] & 0x3f);
    }
    *len = n;
    return c;
}

/* int()'s first step (_PyUnicode_TransformDecimalAndSpaceToASCII): non-ASCII
 * whitespace becomes ' ', a decimal digit of any script its ASCII digit, anything
 * else past ASCII '?', which no grammar takes. A new string (caller frees). */
static char *ascii_digits(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; out && *p;) {
        if (*p < 0x80) {
            *o++ = (char)*p++;
            continue;
        }
        int len;
        uint32_t c = utf8_next(p, &len);
        p += len;
        char ch = uni_space(c) ? ' ' : '?';
        for (size_t i = 0; i < sizeof uni_zeros / sizeof uni_zeros[0]; i++)
            if (c >= uni_zeros[i] && c < uni_zeros[i] + 10)
                ch = (char)('0' + (c - uni_zeros[i]));
        *o++ = ch;
    }
    if (out)
        *o = '\0';
    return out;
}

static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* v = v * base + d, growing v (room was allocated by the caller). */
static void mul_add(PyInt *v, uint32_t base, uint32_t d)
{
    uint64_t carry = d;
    for (size_t i = 0; i < v->n; i++) {
        uint64_t t = (uint64_t)v->w[i] * base + carry;
        v->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        v->w[v->n++] = (uint32_t)carry;
}

/* The digits of s[0..len) after the sign and prefix: single underscores between
 * digits (and one right after a prefix). Returns the digit count, or -1. */
static long check_digits(const char *s, size_t len, int base, bool after_prefix)
{
    long digits = 0;
    bool last_us = !after_prefix;  /* an underscore first is allowed only after 0x */
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '_') {
            if (last_us && (i > 0 || !after_prefix))
                return -1;
            last_us = true;
            continue;
        }
        if (digit_value((unsigned char)s[i]) >= base)
            return -1;
        last_us = false;
        digits++;
    }
    return (last_us || digits == 0) ? -1 : digits;
}

/* pyint_parse over text ascii_digits() has made ASCII. */
static bool parse_ascii(const char *s, int base, PyInt *v)
{
    const char *e = s + strlen(s);
    while (s < e && py_space((unsigned char)*s))
        s++;
    while (e > s && py_space((unsigned char)e[-1]))
        e--;
    bool neg = false;
    if (s < e && (*s == '+' || *s == '-'))
        neg = *s++ == '-';
    bool prefix = false;
    if (e - s >= 2 && s[0] == '0') {
        char c = (char)(s[1] | 0x20);
        prefix = (base == 16 && c == 'x') || (base == 8 && c == 'o') || (base == 2 && c == 'b');
        if (prefix)
            s += 2;
    }
    long digits = check_digits(s, (size_t)(e - s), base, prefix);
    if (digits < 0 || (base == 10 && digits > PY_MAX_STR_DIGITS))
        return false;
    v->w = calloc((size_t)digits / 8 + 2, sizeof *v->w);  /* 4 bits a digit at most */
    if (!v->w)
        return false;
    for (; s < e; s++)
        if (*s != '_')
            mul_add(v, (uint32_t)base, (uint32_t)digit_value((unsigned char)*s));
    v->neg = neg && v->n > 0;
    return true;
}

bool pyint_parse(const char *s, int base, PyInt *v)
{
    memset(v, 0, sizeof *v);
    char *a = ascii_digits(s);
    bool ok = a && parse_ascii(a, base, v);
    free(a);
    return ok;
}

bool pyint_parse_optparse(const char *s, PyInt *v)
{
    if (s[0] == '0' && (s[1] | 0x20) == 'x')
        return pyint_parse(s, 16, v);
    if (s[0] == '0' && (s[1] | 0x20) == 'b')
        return pyint_parse(s[2] ? s + 2 : "0", 2, v);
    if (s[0] == '0')
        return pyint_parse(s, 8, v);
    return pyint_parse(s, 10, v);
}

void pyint_free(PyInt *v)
{
    free(v->w);
    v->w = NULL;
    v->n = 0;
}

char *pyint_str(const PyInt *v)
{
    size_t n = v->n, nchunks = 0;
    uint32_t *w = malloc((n + 1) * sizeof *w);
    uint32_t *chunk = malloc((n * 10 / 9 + 2) * sizeof *chunk);  /* base 1e9 digits */
    char *out = NULL;
    if (!w || !chunk)
        goto done;
    if (n)
        memcpy(w, v->w, n * sizeof *w);
    do {  /* divide by 10^9, keeping remainders: the decimal digits nine at a time */
        uint64_t rem = 0;
        for (size_t i = n; i-- > 0;) {
            uint64_t cur = (rem << 32) | w[i];
            w[i] = (uint32_t)(cur / 1000000000U);
            rem = cur % 1000000000U;
        }
        while (n > 0 && w[n - 1] == 0)
            n--;
        chunk[nchunks++] = (uint32_t)rem;
    } while (n > 0);
    out = malloc(nchunks * 9 + 3);
    if (!out)
        goto done;
    int len = sprintf(out, "%s%u", v->neg ? "-" : "", chunk[nchunks - 1]);
    for (size_t i = nchunks - 1; i-- > 0;)
        len += sprintf(out + len, "%09u", chunk[i]);
    if (len - (v->neg ? 1 : 0) > PY_MAX_STR_DIGITS) {
        free(out);
        out = NULL;
    }
done:
    free(w);
    free(chunk);
    return out;
}

bool pyint_to_i64(const PyInt *v, int64_t *out)
{
    if (v->n > 2)
        return false;
    uint64_t m = v->n == 0 ? 0 : v->w[0] | (v->n == 2 ? (uint64_t)v->w[1] << 32 : 0);
    if (m > (uint64_t)INT64_MAX + (v->neg ? 1 : 0))
        return false;
    *out = v->neg ? (int64_t)(0 - m) : (int64_t)m;
    return true;
}

int64_t pyint_clamp(const PyInt *v)
{
    int64_t x;
    if (pyint_to_i64(v, &x))
        return x;
    return v->neg ? INT64_MIN : INT64_MAX;
}

void pyrand_seed_int(PyRand *r, const PyInt *v)
{
    pyrand_seed_words(r, v->w, v->n);
}

int pyint_parse_i64(const char *s, int64_t *out)
{
    PyInt v;
    if (!pyint_parse(s, 10, &v))
        return -1;
    int rc = pyint_to_i64(&v, out) ? 0 : 1;
    pyint_free(&v);
    return rc;
}

bool pyint_parse_double(const char *s, double *out, bool *overflow)
{
    PyInt v;
    if (!pyint_parse(s, 10, &v))
        return false;
    pyint_free(&v);
    /* The same digits without whitespace and underscores, read by strtod, which rounds
     * correctly as float(int) does and overflows where it does. */
    char *a = ascii_digits(s), *clean = a ? malloc(strlen(a) + 1) : NULL, *c = clean;
    if (!clean) {
        free(a);
        return false;
    }
    for (const char *p = a; *p; p++)
        if (*p == '-' || (*p >= '0' && *p <= '9'))
            *c++ = *p;
    *c = '\0';
    errno = 0;
    *out = strtod(clean, NULL);
    *overflow = errno == ERANGE && (*out > 1.0 || *out < -1.0);
    free(clean);
    free(a);
    return true;
}

void py_repr_str(FILE *out, const char *s)
{
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    fputc(q, out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == q || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\r')
            fputs("\\r", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc(q, out);
}
