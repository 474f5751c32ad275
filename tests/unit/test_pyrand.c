/* Tests for `vmsim ostep`'s copy of Python's random generator and int parsing
 * (sim/ostep/pyrand.c, pyint.c), against sequences python3 printed:
 * tests/data/ostep/pyrand.tsv (random.seed(n), getrandbits(32), random()).
 * sim/ostep is part of the vmsim program, not of the core library the unit tests link,
 * so its two self-contained files are compiled in here. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "../../sim/ostep/pyint.c"
#include "../../sim/ostep/pyrand.c"

/* Seeds r from a decimal string as random.seed(int(s)) does. */
static void seed_from(PyRand *r, const char *s)
{
    PyInt v;
    CU_ASSERT_FATAL(pyint_parse(s, 10, &v));
    pyrand_seed_int(r, &v);
    pyint_free(&v);
}

/* Every row of pyrand.tsv: the first three 32-bit outputs and five random()s. */
static void test_python_sequences(void)
{
    FILE *f = fopen(TEST_DATA "/ostep/pyrand.tsv", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024];
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char seed[128], hex[5][40];
        unsigned long u[3];
        CU_ASSERT_FATAL(sscanf(line, "%127s %lu %lu %lu %39s %39s %39s %39s %39s", seed, &u[0],
                               &u[1], &u[2], hex[0], hex[1], hex[2], hex[3], hex[4]) == 9);
        PyRand r;
        seed_from(&r, seed);
        for (int i = 0; i < 3; i++)
            CU_ASSERT_EQUAL(pyrand_next(&r), (uint32_t)u[i]);
        seed_from(&r, seed);
        for (int i = 0; i < 4; i++)
            CU_ASSERT_EQUAL(pyrand_random(&r), strtod(hex[i], NULL));
        for (int i = 0; i < 700; i++)
            pyrand_random(&r);
        CU_ASSERT_EQUAL(pyrand_random(&r), strtod(hex[4], NULL));
        rows++;
    }
    fclose(f);
    CU_ASSERT(rows >= 10);
}

/* The reference implementation's own check (mt19937ar.c, init_by_array with
 * {0x123, 0x234, 0x345, 0x456}): its first outputs are 1067595299 955945823 477289528. */
static void test_reference_vector(void)
{
    static const uint32_t key[] = { 0x123, 0x234, 0x345, 0x456 };
    PyRand r;
    pyrand_seed_words(&r, key, 4);
    CU_ASSERT_EQUAL(pyrand_next(&r), 1067595299U);
    CU_ASSERT_EQUAL(pyrand_next(&r), 955945823U);
    CU_ASSERT_EQUAL(pyrand_next(&r), 477289528U);
}

/* int() and optparse's int type: what is accepted and the value it gives. */
static void test_int_grammar(void)
{
    static const struct { const char *s; int base; const char *want; } ok[] = {
        { "007", 10, "7" },   { " 12 ", 10, "12" }, { "1_000", 10, "1000" }, { "-0", 10, "0" },
        { "+5", 10, "5" },    { "0x_1f", 16, "31" }, { "0o17", 8, "15" },    { "0_7", 8, "7" },
        { "0b1", 16, "177" }, { "123456789012345678901234567890", 10, "123456789012345678901234567890" },
    };
    static const struct { const char *s; int base; } bad[] = {
        { "", 10 }, { "_1", 10 }, { "1_", 10 }, { "1__0", 10 }, { "0x", 16 }, { "- 5", 10 },
        { "08", 8 }, { "0x10", 10 }, { "1.5", 10 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        PyInt v;
        CU_ASSERT_FATAL(pyint_parse(ok[i].s, ok[i].base, &v));
        char *s = pyint_str(&v);
        CU_ASSERT_STRING_EQUAL(s, ok[i].want);
        free(s);
        pyint_free(&v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PyInt v;
        CU_ASSERT_FALSE(pyint_parse(bad[i].s, bad[i].base, &v));
        pyint_free(&v);
    }
    PyInt v;
    CU_ASSERT(pyint_parse_optparse("0x1F", &v) && v.n == 1 && v.w[0] == 31);
    pyint_free(&v);
    CU_ASSERT(pyint_parse_optparse("0b", &v) && v.n == 0);
    pyint_free(&v);
    CU_ASSERT(pyint_parse_optparse("010", &v) && v.n == 1 && v.w[0] == 8);
    pyint_free(&v);
    CU_ASSERT_FALSE(pyint_parse_optparse("09", &v));
    pyint_free(&v);
}

void suite_pyrand(void);     /* called by runner.c through suites.h */

void suite_pyrand(void)
{
    TEST_SUITE("pyrand",
               { "python_sequences", test_python_sequences },
               { "reference_vector", test_reference_vector },
               { "int_grammar", test_int_grammar });
}
