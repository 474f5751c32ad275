/* Next-use positions for OPT: 4 bytes per reference, computed in place by one
 * backward pass over dense page ids. */
#include "vmsim/future.h"

#include <stdlib.h>
#include <string.h>

void future_init(Future *f)
{
    memset(f, 0, sizeof *f);
}

void future_fini(Future *f)
{
    free(f->seq);
    free(f->map);
    memset(f, 0, sizeof *f);
}

static int map_grow(Future *f)
{
    size_t cap = f->map_cap ? f->map_cap * 2 : 1024;
    FutureSlot *m = malloc(cap * sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < cap; i++)
        m[i].pid = -1;
    for (size_t i = 0; i < f->map_cap; i++) {
        FutureSlot *o = &f->map[i];
        if (o->pid < 0)
            continue;
        size_t j = future_slot_of(o->vpn, o->pid, cap);
        while (m[j].pid >= 0)
            j = (j + 1) & (cap - 1);
        m[j] = *o;
    }
    free(f->map);
    f->map = m;
    f->map_cap = cap;
    return 0;
}

/* The dense id of (pid, vpn), adding it if new; UINT32_MAX when out of memory. */
static uint32_t page_id(Future *f, int pid, vpn_t vpn)
{
    if (2 * (f->pages + 1) > f->map_cap && map_grow(f) != 0)
        return UINT32_MAX;
    size_t j = future_slot_of(vpn, pid, f->map_cap);
    while (f->map[j].pid >= 0) {
        if (f->map[j].pid == pid && f->map[j].vpn == vpn)
            return f->map[j].id;
        j = (j + 1) & (f->map_cap - 1);
    }
    f->map[j] = (FutureSlot){ .vpn = vpn, .pid = pid, .id = (uint32_t)f->pages++ };
    return f->map[j].id;
}

int future_add_slow(Future *f, int pid, vpn_t vpn)
{
    if (f->n >= UINT32_MAX - 1)
        return -1;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4096;
        if (cap > UINT32_MAX - 1)
            cap = UINT32_MAX - 1;          /* so future_add's inline path stops there too */
        uint32_t *s = realloc(f->seq, cap * sizeof *s);
        if (!s)
            return -1;
        f->seq = s;
        f->cap = cap;
    }
    uint32_t id = page_id(f, pid, vpn);
    if (id == UINT32_MAX)
        return -1;
    f->seq[f->n++] = id;
    return 0;
}

int future_finish(Future *f)
{
    free(f->map);
    f->map = NULL;
    uint32_t *last = malloc((f->pages ? f->pages : 1) * sizeof *last);
    if (!last)
        return -1;
    memset(last, 0xff, f->pages * sizeof *last);
    for (size_t i = f->n; i-- > 0;) {
        uint32_t id = f->seq[i];
        f->seq[i] = last[id];
        last[id] = (uint32_t)i;
    }
    free(last);
    f->finished = true;
    return 0;
}
