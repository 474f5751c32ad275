/* Python's random module generator: MT19937 as in CPython's Modules/_randommodule.c
 * (Matsumoto and Nishimura's reference code), seeded by init_by_array with the 32-bit
 * words of |n| as random_seed() does for an int. Only `ostep` uses it: the simulator's
 * own randomness is its SplitMix64 generator. */
#include "ostep.h"

#define MT_M 397
#define MATRIX_A 0x9908b0dfU
#define UPPER_MASK 0x80000000U
#define LOWER_MASK 0x7fffffffU

static void init_genrand(PyRand *r, uint32_t s)
{
    r->mt[0] = s;
    for (int i = 1; i < PYRAND_N; i++)
        r->mt[i] = 1812433253U * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = PYRAND_N;
}

void pyrand_seed_words(PyRand *r, const uint32_t *words, size_t nwords)
{
    static const uint32_t zero = 0;
    if (nwords == 0) {
        words = &zero;
        nwords = 1;
    }
    init_genrand(r, 19650218U);
    size_t i = 1, j = 0;
    uint32_t *mt = r->mt;
    for (size_t k = PYRAND_N > nwords ? PYRAND_N : nwords; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + words[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= PYRAND_N) {
            mt[0] = mt[PYRAND_N - 1];
            i = 1;
        }
        if (j >= nwords)
            j = 0;
    }
    for (size_t k = PYRAND_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= PYRAND_N) {
            mt[0] = mt[PYRAND_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000U;  /* MSB is 1, assuring a non-zero initial array */
}

/* Refills the 624 words (the reference code's generation step). */
static void generate(PyRand *r)
{
    static const uint32_t mag01[2] = { 0, MATRIX_A };
    uint32_t *mt = r->mt, y;
    int kk;
    for (kk = 0; kk < PYRAND_N - MT_M; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 1];
    }
    for (; kk < PYRAND_N - 1; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (MT_M - PYRAND_N)] ^ (y >> 1) ^ mag01[y & 1];
    }
    y = (mt[PYRAND_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[PYRAND_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
    r->mti = 0;
}

uint32_t pyrand_next(PyRand *r)
{
    if (r->mti >= PYRAND_N)
        generate(r);
    uint32_t y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

double pyrand_random(PyRand *r)
{
    uint32_t a = pyrand_next(r) >> 5, b = pyrand_next(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}
