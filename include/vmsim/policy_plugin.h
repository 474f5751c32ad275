/* vmsim: a replacement policy as a plugin (ABI version 1).
 *
 * A plugin is a shared object exporting one function, vmsim_policy_v1, that returns a
 * table of the functions below. vmsim loads it only when the command line says so:
 *
 *     cc -shared -fPIC -O2 -o mylru.so mylru.c
 *     vmsim run --trace refs.pages --set memory.policy=plugin:./mylru.so
 *     vmsim grade-policy tests.ini mylru.so
 *
 * (a scenario or config file cannot name a plugin: opening a file never runs code).
 * Frames are numbered 0..nframes-1. `now` counts references from 1. insert is a page's
 * first reference (loading it; no touch follows for that reference), touch every later
 * one, remove a frame emptied by other means (an eviction vmsim made on your answer, a
 * process exiting, a page freed), tick a timer interrupt. When memory is full vmsim
 * calls victim and checks the answer: a frame that is not resident, or not eligible
 * (init->eligible), stops the run. Later ABI versions only append members.
 */
#ifndef VMSIM_POLICY_PLUGIN_H
#define VMSIM_POLICY_PLUGIN_H

#include <stdint.h>

#define VMSIM_POLICY_ABI 1

typedef struct {
    uint32_t nframes; uint64_t seed; const char *params;
    const void *engine;                                    /* for the two services below */
    int (*eligible)(const void *engine, uint32_t frame);   /* may this frame be evicted now */
    uint64_t (*next_use)(const void *engine, uint32_t frame); /* next reference number, UINT64_MAX = never (for OPT) */
} vmsim_policy_init;

typedef struct {
    uint32_t abi;                 /* VMSIM_POLICY_ABI */
    const char *name;
    void *(*create)(const vmsim_policy_init *init);
    void (*destroy)(void *st);
    void (*insert)(void *st, uint32_t frame, uint64_t vpn, uint32_t pid, int write, uint64_t now);
    void (*touch)(void *st, uint32_t frame, int write, uint64_t now);  /* every later reference */
    void (*remove)(void *st, uint32_t frame);
    uint32_t (*victim)(void *st, uint64_t now);   /* a resident, eligible frame */
    void (*tick)(void *st, uint64_t now);         /* may be NULL */
    void (*cleaned)(void *st, uint32_t frame);    /* may be NULL: a write-back made it clean */
} vmsim_policy_ops;

const vmsim_policy_ops *vmsim_policy_v1(void);    /* the one exported symbol */

#endif
