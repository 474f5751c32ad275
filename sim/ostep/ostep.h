/* vmsim ostep: OSTEP's three paging homework programs (remzi-arpacidusseau/ostep-homework,
 * vm-paging, vm-smalltables, vm-beyondphys-policy) reproduced byte for byte, with the
 * pieces of Python they rely on: the Mersenne Twister behind `random`, int() and
 * optparse. Nothing here is used by the simulator itself. */
#ifndef VMSIM_OSTEP_H
#define VMSIM_OSTEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- Python's random: MT19937 (Modules/_randommodule.c) ---------------------- */

#define PYRAND_N 624

typedef struct PyRand {
    uint32_t mt[PYRAND_N];
    int mti;
} PyRand;

/* Seeds as random.seed(n) does for an int n: init_by_array over |n|'s 32-bit words,
 * least significant first (nwords 0 is taken as the single word 0). */
void pyrand_seed_words(PyRand *r, const uint32_t *words, size_t nwords);

/* The next 32-bit output (genrand_uint32; also random.getrandbits(32)). */
uint32_t pyrand_next(PyRand *r);

/* random.random(): 53 random bits in [0, 1), (a*2^26 + b) / 2^53. */
double pyrand_random(PyRand *r);

/* ---- Python ints -------------------------------------------------------------- */

/* An int of any size: sign and magnitude in 32-bit words, least significant first. */
typedef struct PyInt {
    bool neg;
    size_t n;          /* words used; 0 is the value 0 */
    uint32_t *w;
} PyInt;

/* Parses s as int(s, base) does (base 2, 8, 10 or 16; the base's 0b/0o/0x prefix
 * allowed, surrounding whitespace, a sign, single underscores between digits, and the
 * 4300-digit limit of decimal strings). Returns false when Python raises ValueError.
 * The caller frees v->w (pyint_free). */
bool pyint_parse(const char *s, int base, PyInt *v);

/* optparse's type="int": 0x hex, 0b binary, leading 0 octal, else decimal. */
bool pyint_parse_optparse(const char *s, PyInt *v);

void pyint_free(PyInt *v);

/* str(v) into a new string (caller frees), or NULL where Python refuses: more than
 * 4300 decimal digits. */
char *pyint_str(const PyInt *v);

/* v as an int64_t; false when it does not fit. */
bool pyint_to_i64(const PyInt *v, int64_t *out);

/* v clamped to [INT64_MIN, INT64_MAX]: loop counts and limits where any value past
 * the range behaves as the range's end. */
int64_t pyint_clamp(const PyInt *v);

/* The words seeding random.seed(v): |v|, least significant first. */
void pyrand_seed_int(PyRand *r, const PyInt *v);

/* int(s) of a decimal string into an int64_t, as `int(s)`; 0 on success, -1 if
 * Python would raise ValueError, 1 if the value fits Python but not 64 bits. */
int pyint_parse_i64(const char *s, int64_t *out);

/* float(int(s)) for a decimal string; false if int(s) raises. *overflow is set when
 * float() would raise OverflowError (the value rounds past the largest double). */
bool pyint_parse_double(const char *s, double *out, bool *overflow);

/* s repr()ed as Python shows a str: quotes chosen as Python chooses, escapes. */
void py_repr_str(FILE *out, const char *s);

/* ---- optparse ------------------------------------------------------------------ */

typedef enum { PYOPT_STRING, PYOPT_INT, PYOPT_FLAG } PyOptKind;

/* One add_option() call, in the program's order. */
typedef struct PyOptSpec {
    char shrt;                 /* 'c' for -c, 0 for none */
    const char *lng;           /* "seed" for --seed, NULL for none */
    PyOptKind kind;
    const char *dest;          /* the metavar is dest in capitals */
    const char *help;
    const char *def;           /* default: a string, an int as typed, NULL for False */
} PyOptSpec;

/* The value an option ended with: the string given (or the default), the int parsed
 * from it, and for flags whether it was given. */
typedef struct PyOptValue {
    const char *str;
    PyInt num;
    bool flag;
} PyOptValue;

typedef struct PyOptParser {
    const char *prog;          /* "paging-policy.py", as Python's usage names it */
    const PyOptSpec *specs;
    size_t nspecs;
    PyOptValue *values;        /* nspecs of them */
} PyOptParser;

/* Parses argv as OptionParser.parse_args() does. Returns -1 when the caller should go
 * on, else the exit status: 0 after -h (help on stdout), 2 after an error (usage and
 * "PROG: error: ..." on stderr). Positional arguments are accepted and ignored. */
int pyopt_parse(PyOptParser *p, int argc, char **argv);

/* Frees what pyopt_parse allocated. */
void pyopt_free(PyOptParser *p);

/* ---- the programs ---------------------------------------------------------------- */

/* Where a program prints and what --scenario asks it to write. */
typedef struct OstepOut {
    FILE *out;                 /* the program's stdout (a buffer while --scenario) */
    const char *scenario;      /* --scenario FILE, or NULL */
    const char *command;       /* the command line, for the file's first comment */
} OstepOut;

/* A Python traceback in our words: one line on stderr; the caller exits 1. */
int ostep_die(const char *prog, const char *fmt, ...);

/* malloc of n + 1 elements of size bytes (n below 0 taken as 0), NULL where the size
 * overflows size_t or memory runs out: what Python reports as MemoryError. A count
 * such as -n 10**30 clamps to INT64_MAX, whose byte count a plain multiply would wrap. */
void *ostep_array(int64_t n, size_t size);

int ostep_linear(int argc, char **argv, const OstepOut *o);
int ostep_multilevel(int argc, char **argv, const OstepOut *o);
int ostep_policy(int argc, char **argv, const OstepOut *o);

/* Runs program (a name of `vmsim ostep`, no ".py") with the program's own flags argv,
 * its stdout into *text (NUL-terminated, caller frees; NULL when memory ran out), as
 * `vmsim ostep` would print it. scenario (or NULL) is --scenario's FILE, command the
 * command line its files name. Returns the program's exit status, or -1 for an unknown
 * program. For vmsim generate's kind = ostep questions. */
int ostep_capture(const char *program, int argc, char **argv, const char *scenario,
                  const char *command, char **text);

/* Writes text to path through a temporary file renamed into place, so a failed
 * write leaves nothing behind. Returns 0 or -1 with a message on stderr. */
int ostep_write_file(const char *path, const char *text, size_t len);

#endif
