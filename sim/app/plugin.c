/* The plugin adapter: a PolicyOps over a vmsim_policy_ops, every victim() answer
 * checked. A plugin's state is its own and cannot be copied, so a copy of the Sim
 * (the stepper's snapshots) gets a new instance fed the calls logged since the start. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "vmsim/policy_plugin.h"

typedef enum { CALL_INSERT, CALL_TOUCH, CALL_REMOVE, CALL_CLEANED, CALL_TICK, CALL_VICTIM,
               CALL_NEXT } CallKind;

/* One logged call (replayable plugins). */
typedef struct Call {
    uint8_t kind, write;
    uint32_t frame, pid;
    uint64_t t, vpn;               /* now (CALL_NEXT: the next use) */
} Call;

typedef struct Adapter {
    void *st;                      /* the plugin's */
    uint32_t n;
    uint64_t seed, now;
    const Rng *rng;                /* its Sim's (see plugin_attach) */
    uint8_t *resident;
    uint64_t *next;                /* next use per frame, for init.next_use */
    PolicyFilter filter;           /* during victim(): the Sim's eligibility test */
    void *ctx;
    vmsim_policy_init init;
    Call *log;
    size_t nlog, cap;
    bool replaying;
} Adapter;

static struct {
    char path[1024], name[1040], label[1200];
    char *params;
    const vmsim_policy_ops *ops;
    bool replayable;
    PolicyOps wrap;
    PolicyKind kind;
    const Rng *last_rng;           /* the generator the latest adapter was given */
    ptrdiff_t rng_offset;          /* where a Sim keeps it: see plugin_attach */
    bool attached;
    void (*on_bad)(const char *msg);
} plug;

/* Each Sim hands its policy its own generator (create, and clone when the Sim is
 * copied), so the generator's address tells an adapter its Sim, the stepper's copies
 * included, once one Sim has shown where it keeps it. */
void plugin_attach(const Sim *sim)
{
    plug.attached = false;
    if (!sim || !plug.ops || policy_kind(sim_policy(sim)) != plug.kind || !plug.last_rng)
        return;
    plug.rng_offset = (const char *)plug.last_rng - (const char *)sim;
    plug.attached = true;
}
void plugin_on_bad(void (*fn)(const char *msg)) { plug.on_bad = fn; }

static int svc_eligible(const void *engine, uint32_t f)
{
    const Adapter *a = engine;
    return f < a->n && a->resident[f] && (!a->filter || a->filter(a->ctx, f));
}

static uint64_t svc_next_use(const void *engine, uint32_t f)
{
    const Adapter *a = engine;
    return f < a->n ? a->next[f] : UINT64_MAX;
}

static void log_call(Adapter *a, Call c)
{
    if (!plug.replayable || a->replaying)
        return;
    if (a->nlog == a->cap) {
        Call *nv = realloc(a->log, (a->cap = a->cap ? a->cap * 2 : 1024) * sizeof *nv);
        if (!nv)
            abort();               /* the log is the only way back: no silent gap */
        a->log = nv;
    }
    a->log[a->nlog++] = c;
}

static void adapter_destroy(void *st)
{
    Adapter *a = st;
    if (!a)
        return;
    if (a->st)
        plug.ops->destroy(a->st);
    free(a->resident);
    free(a->next);
    free(a->log);
    free(a);
}

static Adapter *adapter_new(size_t nframes, uint64_t seed)
{
    Adapter *a = calloc(1, sizeof *a);
    if (!a || nframes > UINT32_MAX)
        return free(a), NULL;
    a->n = (uint32_t)nframes;
    a->seed = seed;
    a->resident = calloc(nframes + 1, 1);
    a->next = malloc((nframes + 1) * sizeof *a->next);
    if (!a->resident || !a->next) {
        adapter_destroy(a);
        return NULL;
    }
    for (size_t i = 0; i < nframes; i++)
        a->next[i] = UINT64_MAX;
    a->init = (vmsim_policy_init){ .nframes = a->n, .seed = seed, .params = plug.params,
                                   .engine = a, .eligible = svc_eligible, .next_use = svc_next_use };
    if (!(a->st = plug.ops->create(&a->init))) {
        adapter_destroy(a);
        return NULL;
    }
    return a;
}

static void *adapter_create(size_t nframes, Rng *rng, const PolicyParams *params)
{
    (void)params;
    Adapter *a = adapter_new(nframes, rng_next(rng));
    if (a)
        a->rng = plug.last_rng = rng;
    return a;
}

static void adapter_insert(void *st, pfn_t f, bool write, uint64_t now)
{
    Adapter *a = st;
    uint64_t vpn = UINT64_MAX;
    uint32_t pid = UINT32_MAX;
    const Sim *sim = plug.attached ? (const Sim *)((const char *)a->rng - plug.rng_offset) : NULL;
    if (sim && f < sim_frames(sim)->nframes) {
        const Frame *fr = &sim_frames(sim)->frames[f];
        vpn = fr->va >> sim_machine(sim)->geo.page_shift;
        pid = (uint32_t)fr->pid;
    }
    a->resident[f] = 1;
    a->now = now;
    log_call(a, (Call){ CALL_INSERT, write, f, pid, now, vpn });
    plug.ops->insert(a->st, f, vpn, pid, write, now);
}

static void adapter_touch(void *st, pfn_t f, bool write, uint64_t now)
{
    Adapter *a = st;
    a->now = now;
    log_call(a, (Call){ CALL_TOUCH, write, f, 0, now, 0 });
    plug.ops->touch(a->st, f, write, now);
}

static void adapter_remove(void *st, pfn_t f)
{
    Adapter *a = st;
    if (f >= a->n || !a->resident[f])
        return;                    /* an empty frame is ignored, as policy.h promises */
    a->resident[f] = 0;
    log_call(a, (Call){ CALL_REMOVE, 0, f, 0, 0, 0 });
    plug.ops->remove(a->st, f);
}

static void adapter_cleaned(void *st, pfn_t f)
{
    Adapter *a = st;
    log_call(a, (Call){ CALL_CLEANED, 0, f, 0, 0, 0 });
    if (plug.ops->cleaned)
        plug.ops->cleaned(a->st, f);
}

static void adapter_tick(void *st, uint64_t now)
{
    Adapter *a = st;
    log_call(a, (Call){ CALL_TICK, 0, 0, 0, now, 0 });
    if (plug.ops->tick)
        plug.ops->tick(a->st, now);
}

static void adapter_set_next_use(void *st, pfn_t f, uint64_t next)
{
    Adapter *a = st;
    log_call(a, (Call){ CALL_NEXT, 0, f, 0, next, 0 });
    if (f < a->n)
        a->next[f] = next;
}

static void bad_default(const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "vmsim: %s\n", msg);
    exit(1);
}

/* The plugin's answer f to a victim() call checked: a resident, eligible frame. */
static void check_victim(const Adapter *a, uint32_t f, uint64_t now)
{
    const char *why = f >= a->n ? "which is not a frame of this machine"
                    : !a->resident[f] ? "which is not resident"
                    : !svc_eligible(a, f) ? "which is not eligible (see init->eligible)" : NULL;
    if (!why)
        return;
    char msg[1400];
    snprintf(msg, sizeof msg, "plugin %s: at reference %llu victim() returned frame %u, %s",
             plug.path, (unsigned long long)now, (unsigned)f, why);
    (plug.on_bad ? plug.on_bad : bad_default)(msg);
}

/* The reference being served is the one after the last told (a fault comes before the
 * page's insert). */
static pfn_t adapter_victim(void *st, PolicyFilter filter, void *ctx)
{
    Adapter *a = st;
    a->filter = filter;
    a->ctx = ctx;
    uint32_t f = plug.ops->victim(a->st, a->now + 1);
    log_call(a, (Call){ CALL_VICTIM, 0, f, 0, a->now + 1, 0 });
    check_victim(a, f, a->now + 1);
    a->filter = NULL;
    return f;
}

/* Feeds c to a's plugin as the live run did. */
static void replay_one(Adapter *a, const Call *c)
{
    switch (c->kind) {
    case CALL_INSERT:
        a->resident[c->frame] = 1, a->now = c->t;
        plug.ops->insert(a->st, c->frame, c->vpn, c->pid, c->write, c->t);
        break;
    case CALL_TOUCH: a->now = c->t; plug.ops->touch(a->st, c->frame, c->write, c->t); break;
    case CALL_REMOVE: a->resident[c->frame] = 0; plug.ops->remove(a->st, c->frame); break;
    case CALL_CLEANED: if (plug.ops->cleaned) plug.ops->cleaned(a->st, c->frame); break;
    case CALL_TICK: if (plug.ops->tick) plug.ops->tick(a->st, c->t); break;
    case CALL_VICTIM: plug.ops->victim(a->st, c->t); break;
    case CALL_NEXT: a->next[c->frame] = c->t; break;
    }
}

/* A new instance brought to st's state by replaying every call since the start. */
static void *adapter_clone(const void *st, Rng *rng)
{
    const Adapter *a = st;
    if (!plug.replayable)
        return NULL;               /* only the stepper and the window copy Sims */
    Adapter *c = adapter_new(a->n, a->seed);
    if (!c)
        return NULL;
    c->rng = rng;
    c->replaying = true;
    for (size_t i = 0; i < a->nlog; i++)
        replay_one(c, &a->log[i]);
    c->replaying = false;
    c->log = malloc((a->cap ? a->cap : 1) * sizeof *c->log);
    if (!c->log) {
        adapter_destroy(c);
        return NULL;
    }
    if (a->nlog)
        memcpy(c->log, a->log, a->nlog * sizeof *c->log);
    c->nlog = a->nlog;
    c->cap = a->cap ? a->cap : 1;
    return c;
}

/* Which required entry of ops is NULL, or NULL. */
static const char *missing_entry(const vmsim_policy_ops *o)
{
    return !o->create ? "create" : !o->destroy ? "destroy" : !o->insert ? "insert"
         : !o->touch ? "touch" : !o->remove ? "remove" : !o->victim ? "victim" : NULL;
}

/* Opens path and reads its table into plug.ops. 0, or -1 with err. */
static int open_plugin(const char *path, char *err, size_t n)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, n, "plugin %s: cannot load it: %s", path, dlerror());
        return -1;
    }
    const vmsim_policy_ops *(*entry)(void);
    *(void **)&entry = dlsym(h, "vmsim_policy_v1");
    const vmsim_policy_ops *o = entry ? entry() : NULL;
    const char *gap = o ? missing_entry(o) : NULL;
    if (!o || o->abi != VMSIM_POLICY_ABI || gap) {
        snprintf(err, n, "plugin %s: %s", path,
                 !entry ? "exports no vmsim_policy_v1 (see vmsim help plugin-header)"
                 : !o ? "vmsim_policy_v1() returned NULL"
                 : o->abi != VMSIM_POLICY_ABI ? "its abi is not VMSIM_POLICY_ABI (1)"
                 : "its ops leave a required entry NULL");
        if (gap && o->abi == VMSIM_POLICY_ABI)
            snprintf(err + strlen(err), n - strlen(err), " (%s)", gap);
        dlclose(h);
        return -1;
    }
    plug.ops = o;                  /* the handle stays open: the code runs until exit */
    return 0;
}

int plugin_load(const char *path, const char *params, bool replayable, PolicyKind *kind,
                char *err, size_t n)
{
    if (plug.ops) {
        snprintf(err, n, "plugin %s: one plugin at a time (%s is loaded)", path, plug.path);
        return -1;
    }
    /* dlopen searches the library path for a name without '/': ./ keeps it a file. */
    snprintf(plug.path, sizeof plug.path, "%s%s", strchr(path, '/') ? "" : "./", path);
    if (open_plugin(plug.path, err, n) != 0)
        return -1;
    snprintf(plug.path, sizeof plug.path, "%s", path);
    plug.params = strdup(params ? params : "");
    plug.replayable = replayable;
    snprintf(plug.name, sizeof plug.name, "plugin:%s", path);
    snprintf(plug.label, sizeof plug.label, "%s (plugin %s)",
             plug.ops->name && plug.ops->name[0] ? plug.ops->name : "a policy", path);
    plug.wrap = (PolicyOps){
        .name = plug.name, .label = plug.label, .create = adapter_create,
        .destroy = adapter_destroy, .clone = adapter_clone, .insert = adapter_insert,
        .touch = adapter_touch, .remove = adapter_remove, .cleaned = adapter_cleaned,
        .tick = adapter_tick, .victim = adapter_victim, .set_next_use = adapter_set_next_use,
    };
    if (!plug.params || !policy_register(&plug.wrap, kind)) {
        snprintf(err, n, "plugin %s: cannot add it to the policy table", path);
        return -1;
    }
    plug.kind = *kind;
    return 0;
}

/* The value of sets[i] if it assigns memory.KEY (spaces around the parts allowed). */
static const char *memory_value(const char *set, const char *key)
{
    const char *p = set + strspn(set, " \t");
    size_t k = strlen(key);
    if (strncmp(p, "memory", 6) != 0)
        return NULL;
    p += 6;
    p += strspn(p, " \t");
    if (*p++ != '.')
        return NULL;
    p += strspn(p, " \t");
    if (strncmp(p, key, k) != 0)
        return NULL;
    p += k;
    p += strspn(p, " \t");
    return *p == '=' ? p + 1 + strspn(p + 1, " \t") : NULL;
}

int plugin_from_sets(const char **sets, int *nsets, const char *verb)
{
    const char *path = NULL, *params = NULL, *v;
    int k = 0;
    for (int i = 0; i < *nsets; i++) {
        if ((v = memory_value(sets[i], "policy_params")))
            params = v;
        else {
            if ((v = memory_value(sets[i], "policy")) && strncmp(v, "plugin:", 7) == 0)
                path = v + 7;
            sets[k++] = sets[i];
        }
    }
    *nsets = k;
    if (!path)
        return 0;
    char err[1600];
    PolicyKind kind;
    bool stepper = strcmp(verb, "step") == 0 || strcmp(verb, "gui") == 0;
    if (plugin_load(path, params, stepper, &kind, err, sizeof err) != 0) {
        fprintf(stderr, "vmsim %s: --set memory.policy=plugin:%s: %s\n", verb, path, err);
        return -1;
    }
    return 0;
}
