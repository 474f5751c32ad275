/* Stack distances over one simulated run (Mattson et al., 1970), for LRU and OPT.
 *
 * LRU: a reference's
 * distance is 1 + the number of distinct pages referenced since the last reference to
 * the same page; with n frames LRU faults exactly on the references whose distance is
 * above n, and on first references. The distance is counted with a Fenwick tree over
 * time: each page keeps a mark at the time of its last reference, so the distance is
 * 1 + the marks after that time. Time is renumbered when the tree fills, so memory
 * grows with the pages touched, not with the trace.
 *
 * OPT: the pass keeps the references (4 bytes each, as opt's own run does) and, once
 * the trace has ended, replays them over Mattson's priority stack (opt_pass). */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

#define STACK_MAX_FRAMES (1u << 22)   /* beyond: separate runs (the histogram's size) */

typedef struct Slot {
    uint64_t key;                  /* vpn + 1; 0: empty */
    uint32_t last;                 /* time of the last reference (1-based) */
} Slot;

typedef struct Stack {
    Slot *slots;
    size_t cap, pages;             /* slots (a power of two), pages held */
    uint32_t *tree;                /* Fenwick tree over times 1..span */
    uint32_t span, now;            /* times the tree holds; the next time */
    uint64_t *hist;                /* hist[d]: references at distance d, d <= maxd */
    uint64_t maxd, beyond, cold;   /* distances above maxd; first references */
    bool opt;                      /* OPT: keep the sequence of page ids instead */
    uint32_t *seq;                 /* OPT: each reference's page id (ids in Slot.last) */
    size_t nseq, seqcap;
} Stack;

static uint32_t fen_sum(const Stack *s, uint32_t i)
{
    uint32_t sum = 0;
    for (; i; i &= i - 1)
        sum += s->tree[i];
    return sum;
}

static void fen_add(Stack *s, uint32_t i, int32_t d)
{
    for (; i <= s->span; i += i & -i)
        s->tree[i] += (uint32_t)d;
}

static Slot *slot_find(Stack *s, uint64_t key)
{
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & (s->cap - 1);
    while (s->slots[i].key && s->slots[i].key != key)
        i = (i + 1) & (s->cap - 1);
    return &s->slots[i];
}

static int slots_grow(Stack *s)
{
    Slot *old = s->slots;
    size_t n = s->cap;
    s->cap = n ? n * 2 : 1024;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->slots)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (old[i].key)
            *slot_find(s, old[i].key) = old[i];
    free(old);
    return 0;
}

static int by_last(const void *a, const void *b)
{
    uint32_t x = (*(Slot *const *)a)->last, y = (*(Slot *const *)b)->last;
    return x < y ? -1 : x > y;
}

/* Renumbers the marks 1..pages in time order and rebuilds the tree, with room for at
 * least as many references again. */
static int stack_compact(Stack *s)
{
    Slot **live = malloc((s->pages ? s->pages : 1) * sizeof *live);
    size_t n = 0;
    if (!live)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].key)
            live[n++] = &s->slots[i];
    qsort(live, n, sizeof *live, by_last);
    for (size_t i = 0; i < n; i++)
        live[i]->last = (uint32_t)(i + 1);
    free(live);
    uint32_t span = (uint32_t)(n * 4 > (1u << 16) ? n * 4 : 1u << 16);   /* fits a cache */
    if (span != s->span || !s->tree) {
        free(s->tree);
        s->tree = malloc(((size_t)span + 1) * sizeof *s->tree);
        if (!s->tree)
            return -1;
        s->span = span;
    }
    memset(s->tree, 0, ((size_t)span + 1) * sizeof *s->tree);
    for (uint32_t i = 1; i <= n; i++)            /* a mark at each of 1..n */
        s->tree[i] = 1;
    for (uint32_t i = 1; i <= span; i++) {       /* each node adds itself to its parent */
        uint32_t up = i + (i & -i);
        if (up <= span && up > i)
            s->tree[up] += s->tree[i];
    }
    s->now = (uint32_t)n + 1;
    return 0;
}

/* OPT: names the page with a small id and appends it to the sequence. */
static int opt_ref(Stack *s, uint64_t vpn)
{
    if ((s->pages + 1) * 2 > s->cap && slots_grow(s) != 0)
        return -1;
    if (s->nseq == s->seqcap) {
        uint32_t *n = realloc(s->seq, (s->seqcap = s->seqcap ? s->seqcap * 2 : 1 << 16) * sizeof *n);
        if (!n || s->nseq >= UINT32_MAX - 1)
            return -1;
        s->seq = n;
    }
    Slot *p = slot_find(s, vpn + 1);
    if (!p->key) {
        p->key = vpn + 1;
        p->last = (uint32_t)s->pages++;
    }
    s->seq[s->nseq++] = p->last;
    return 0;
}

static int stack_ref(Stack *s, uint64_t vpn)
{
    if (s->opt)
        return opt_ref(s, vpn);
    if (s->now > s->span && stack_compact(s) != 0)
        return -1;
    if ((s->pages + 1) * 2 > s->cap && slots_grow(s) != 0)
        return -1;
    Slot *p = slot_find(s, vpn + 1);
    if (!p->key) {
        p->key = vpn + 1;
        s->pages++;
        s->cold++;
    } else {
        /* every mark is before now: those after p's are the pages since */
        uint64_t d = 1 + (s->pages - fen_sum(s, p->last));
        if (d <= s->maxd)
            s->hist[d]++;
        else
            s->beyond++;
        fen_add(s, p->last, -1);
    }
    p->last = s->now;
    fen_add(s, s->now++, 1);
    return 0;
}

/* The next use of each reference's page (UINT32_MAX: never), from the end back. */
static uint32_t *next_uses(const Stack *s)
{
    uint32_t *next = malloc((s->nseq ? s->nseq : 1) * sizeof *next);
    uint32_t *seen = malloc((s->pages ? s->pages : 1) * sizeof *seen);
    if (next && seen) {
        memset(seen, 0xff, (s->pages ? s->pages : 1) * sizeof *seen);
        for (size_t t = s->nseq; t-- > 0; ) {
            next[t] = seen[s->seq[t]];
            seen[s->seq[t]] = (uint32_t)t;
        }
    }
    free(seen);
    if (!seen) {
        free(next);
        return NULL;
    }
    return next;
}

/* Mattson's priority stack for OPT: the top n pages are what OPT holds with n frames.
 * A reference to the page at depth p moves it to the top; at each depth i < p the page
 * OPT with i frames would evict (the one used again last) is carried down, the other
 * stays; the carried page lands at depth p. Only the top maxd depths are kept: a page
 * below them misses at every frame count asked for. */
static int opt_pass(Stack *s)
{
    uint32_t *next = next_uses(s), *prio = calloc(s->pages + 1, sizeof *prio);
    uint32_t *pos = calloc(s->pages + 1, sizeof *pos), *st = calloc(s->maxd + 2, sizeof *st);
    uint64_t depth = 0;
    int ok = next && prio && pos && st;
    for (size_t t = 0; ok && t < s->nseq; t++) {
        uint32_t x = s->seq[t], p = pos[x];
        if (p)
            s->hist[p]++;
        else if (s->beyond++, depth < s->maxd)
            p = (uint32_t)++depth;
        else
            p = (uint32_t)s->maxd + 1;        /* the page carried past maxd drops out */
        prio[x] = next[t];
        uint32_t carry = p > 1 ? st[1] : x;
        st[1] = x;
        pos[x] = 1;
        for (uint32_t i = 2; i < p; i++)
            if (prio[carry] < prio[st[i]]) {  /* used sooner: stays at depth i */
                uint32_t y = st[i];
                st[i] = carry;
                pos[carry] = i;
                carry = y;
            }
        if (p > 1 && p <= s->maxd) {
            st[p] = carry;
            pos[carry] = p;
        } else if (p > 1) {
            pos[carry] = 0;
        }
    }
    free(next);
    free(prio);
    free(pos);
    free(st);
    return ok ? 0 : -1;
}

static void stack_fini(Stack *s)
{
    free(s->seq);
    free(s->slots);
    free(s->tree);
    free(s->hist);
}

/* The frame count of a cell (its memory.frames value). */
static uint64_t cell_frames(const Sweep *sw, size_t cell)
{
    uint64_t f = 0;
    for (size_t k = 0; k < sw->nvary; k++)
        if (strcmp(sw->vary[k].key, "memory.frames") == 0)
            parse_size(sw->vary[k].vals[cell_value(sw, cell, k)], &f);
    return f;
}

/* Steps s to the end, feeding each reference's page to k. Returns 1 done, 0 a step
 * that a stack pass cannot stand for, -1 bad input (err set) or no memory. */
static int feed(Session *s, const Options *o, Stack *k, Progress *pg, char *err, size_t errlen)
{
    StepInfo st;
    StepStatus r;
    unsigned shift = sim_machine(s->sim)->geo.page_shift;
    if (sim_nprocs(s->sim) != 1)
        return 0;
    while (!o->max_steps || sim_stats(s->sim)->steps < o->max_steps) {
        if ((r = sim_step(s->sim, &st)) != STEP_OK) {
            if (r == STEP_ERROR)
                snprintf(err, errlen, "%s", sim_error(s->sim));
            return r == STEP_END ? 1 : r == STEP_ERROR ? -1 : 0;
        }
        if (st.kind != STEP_ACCESS || (st.fault != FAULT_NONE && st.fault != FAULT_MINOR &&
                                       st.fault != FAULT_MAJOR))
            return 0;
        if (pg && (st.step & PROGRESS_EVERY) == 0)
            pg->tick(pg, s);
        if (stack_ref(k, st.va >> shift) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 1;
}

/* Each cell's counters from the distances: faults with n frames are the first
 * references and those at distance above n; memory fills and stays full, so all but
 * the first n faults evict. */
static void stack_results(const Sweep *sw, const Unit *u, const Stack *k, uint64_t refs,
                          CellResult *res)
{
    for (size_t i = 0; i < u->n; i++) {
        uint64_t n = cell_frames(sw, u->cells[i]), faults = k->cold + k->beyond;
        for (uint64_t d = n + 1; d <= k->maxd; d++)
            faults += k->hist[d];
        CellResult *r = &res[u->cells[i] - sw->first];
        memset(r, 0, sizeof *r);
        r->tlb = true;                     /* the pass gives no TLB counter to blank */
        r->st.references = refs;
        r->st.page_faults = faults;
        r->st.evictions = faults > n ? faults - n : 0;
    }
}

int stack_run(const Sweep *sw, const Unit *u, CellResult *res, Progress *pg)
{
    size_t top = u->cells[0];
    for (size_t i = 1; i < u->n; i++)      /* run at the most frames: the fewest faults */
        if (cell_frames(sw, u->cells[i]) > cell_frames(sw, top))
            top = u->cells[i];
    Options o;
    char buf[SWEEP_MAX_VARY][160], err[sizeof res->msg];
    Stack k = { .maxd = cell_frames(sw, top), .now = 1 };
    Session s;
    if (k.maxd > STACK_MAX_FRAMES)
        return 0;
    k.hist = calloc(k.maxd + 1, sizeof *k.hist);
    cell_options(sw, top, &o, buf);
    int r = !k.hist ? (snprintf(err, sizeof err, "out of memory"), -1)
          : session_open(&s, &o, err, sizeof err) != 0 ? -1 : 1;
    if (r == 1) {
        k.opt = sim_machine(s.sim)->memory.policy == POLICY_OPT;
        r = feed(&s, &o, &k, pg, err, sizeof err);
    }
    if (r == 1 && k.opt && opt_pass(&k) != 0)
        r = (snprintf(err, sizeof err, "out of memory"), -1);
    if (r == 1)
        stack_results(sw, u, &k, sim_stats(s.sim)->references, res);
    for (size_t i = 0; r < 0 && i < u->n; i++) {
        res[u->cells[i] - sw->first].status = EXIT_USAGE;
        snprintf(res[u->cells[i] - sw->first].msg, sizeof res->msg, "%s", err);
    }
    if (k.hist)
        session_close(&s);
    stack_fini(&k);
    return r;
}
