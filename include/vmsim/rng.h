/* vmsim: the one seeded random-number generator (SplitMix64). The Sim owns one;
 * every random choice (TLB random replacement, random page replacement) draws from
 * it, so a seed gives the same run on every machine. */
#ifndef VMSIM_RNG_H
#define VMSIM_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t state;
} Rng;

static inline void rng_seed(Rng *r, uint64_t seed) { r->state = seed; }

/* Next 64 random bits (Steele, Lea and Flood's SplitMix64). */
static inline uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0 (modulo bias is below 2^-40 for the n vmsim uses). */
static inline uint64_t rng_below(Rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

#endif
