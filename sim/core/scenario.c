/* vmsim: the scenario loader. Scenario and machine-config files are read with inih; the
 * reader callback counts lines so that every handler call knows its FILE:LINE. Here are
 * includes, errors and where each key was set, --set assignments, validation and
 * building the Sim; the sections' keys and what they accept are in scenario_keys.c.
 */
#include "scenario_int.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PROCESSES 1024       /* [process] sections: bounds the time a file can take */

/* ---- errors and origins --------------------------------------------------- */

static void note_origin_as(LoadCtx *c, const char *name);

/* Remembers where section.key was set, and section.* as the section's latest key (for
 * messages about a value that was never set but clashes with ones that were). */
static void note_origin(LoadCtx *c, const char *section, const char *key)
{
    char name[72];
    snprintf(name, sizeof name, "%.24s.%.40s", section, key);
    note_origin_as(c, name);
    snprintf(name, sizeof name, "%.24s.*", section);
    note_origin_as(c, name);
}

static void note_origin_as(LoadCtx *c, const char *name)
{
    Scenario *sc = c->sc;
    size_t i = 0;
    while (i < sc->norigins && strcmp(sc->origins[i].key, name) != 0)
        i++;
    if (i == sc->norigins) {
        KeyOrigin *no = realloc(sc->origins, (sc->norigins + 1) * sizeof *no);
        if (!no)
            return;
        sc->origins = no;
        sc->norigins++;
        snprintf(sc->origins[i].key, sizeof sc->origins[i].key, "%s", name);
    }
    if (c->line)
        snprintf(sc->origins[i].where, sizeof sc->origins[i].where, "%s:%lu", c->path, c->line);
    else                                   /* --set has no lines */
        snprintf(sc->origins[i].where, sizeof sc->origins[i].where, "%s", c->path);
}

/* ---- sections and the inih callbacks -------------------------------------- */

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= PROC_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return false;
    return true;
}

/* A [process NAME] header creates the process even if no key follows. */
static int begin_process(LoadCtx *c, const char *name)
{
    Scenario *sc = c->sc;
    if (!valid_name(name))
        return scenario_fail(c, "expected [process NAME] with NAME of letters, digits, '_', '.' or '-' "
                             "(at most %d), got '%s'", PROC_NAME_MAX - 1, name);
    if (sc->nprocs >= MAX_PROCESSES)
        return scenario_fail(c, "too many processes (at most %d [process] sections)", MAX_PROCESSES);
    for (size_t i = 0; i < sc->nprocs; i++)
        if (strcmp(sc->procs[i].name, name) == 0)
            return scenario_fail(c, "process '%s' is defined twice (first at %s)", name, sc->procs[i].origin);
    ProcSpec *np = realloc(sc->procs, (sc->nprocs + 1) * sizeof *np);
    if (!np)
        return scenario_fail(c, "out of memory");
    sc->procs = np;
    ProcSpec *p = &sc->procs[sc->nprocs++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->stack_max = 8ull << 20;
    snprintf(p->origin, sizeof p->origin, "%s:%lu", c->path, c->line);
    c->proc = p;
    return 0;
}

static int begin_section(LoadCtx *c, const char *name)
{
    c->proc = NULL;
    if (strncmp(name, "process", 7) == 0 && (name[7] == ' ' || name[7] == '\0')) {
        const char *n = name + 7;
        while (*n == ' ')
            n++;
        return begin_process(c, n);
    }
    if (!scenario_key_fn(name))
        return scenario_fail(c, "unknown section [%s] (expected machine, tlb, itlb, stlb, memory, swap, "
                             "timing, oom, scenario, trace or process NAME)", name);
    return 0;
}

/* The name of the section a line opens, as inih reads it: the line is parsed on its
 * own, followed by a key whose handler call carries the section. Returns 1 with name
 * set for a header, 0 for a blank or comment line, -1 for a line inih rejects. Only
 * lines that made no handler call in the stream come here: not keys, not continuations,
 * so on their own they read as they did there. */
typedef struct Probe {
    char name[128];
} Probe;

static int probe_handler(void *user, const char *section, const char *name, const char *value)
{
    (void)name, (void)value;
    snprintf(((Probe *)user)->name, sizeof ((Probe *)user)->name, "%s", section);
    return 1;
}

static int line_section(const char *line, bool first, char *name, size_t len)
{
    char text[600];                        /* a line (at most 512) and the probe */
    Probe pr = { "" };
    /* A BOM is stripped only at the start of a file: keep its place for line 1. */
    snprintf(text, sizeof text, "%s%s\n\001=\n", first ? "" : "\n", line);
    if (ini_parse_string(text, probe_handler, &pr) != 0)
        return -1;
    snprintf(name, len, "%s", pr.name);
    return pr.name[0] != '\0';
}

/* What inih made of the line handed to it last, told by the handler calls it made
 * (keys and continuations) or, when it made none, by line_section. */
static void after_line(LoadCtx *c)
{
    if (!c->line || c->failed || c->called)
        return;
    c->called = true;                      /* told once */
    char name[128];
    const char *start = c->raw;
    while (isspace((unsigned char)*start))
        start++;
    switch (line_section(c->raw, c->line == 1, name, sizeof name)) {
    case 1:
        c->keyed = false;                  /* inih forgets the previous key at a header */
        begin_section(c, name);
        break;
    case -1:
        scenario_fail(c, *start == '[' ? "expected ']' to close the section name"
                                       : "expected [section] or key = value");
        break;
    default:
        break;
    }
}

/* Hands inih one line at a time, counting them, so that each handler call knows its
 * FILE:LINE. A NUL byte or an over-long line is an error; reading stops at the first. */
static char *reader(char *str, int num, void *stream)
{
    LoadCtx *c = stream;
    after_line(c);
    if (c->failed)
        return NULL;
    int ch = 0, n = 0;
    bool nul = false, long_line = false;
    while ((ch = getc(c->f)) != EOF && ch != '\n') {
        nul = ch == '\0';
        long_line = n >= num - 2;
        if (nul || long_line)
            break;                         /* an error: no need to read on */
        str[n++] = (char)ch;
    }
    if (ch == EOF && n == 0 && !nul && !long_line)
        return NULL;
    c->line++;
    c->called = false;
    str[n] = '\0';
    if (nul)
        scenario_fail(c, "unexpected NUL byte (is this a text file?)");
    else if (long_line)
        scenario_fail(c, "line is too long (at most %d characters)", num - 2);
    if (c->failed)
        return NULL;
    snprintf(c->raw, sizeof c->raw, "%s", str);
    if (ch == '\n' && n < num - 1) {
        str[n++] = '\n';
        str[n] = '\0';
    }
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    LoadCtx *c = user;
    c->called = true;
    bool cont = c->keyed && isspace((unsigned char)c->raw[0]);
    c->keyed = true;
    c->continued = cont;
    if (c->failed)
        return 1;
    if (!section[0]) {
        scenario_fail(c, "expected a [section] before '%s = ...'", name);
        return 1;
    }
    if (continuation(c) && strcmp(name, "description") != 0 && strcmp(name, "lines") != 0) {
        scenario_fail(c, "expected 'key = value'; only description and lines continue on indented lines");
        return 1;
    }
    if (c->proc) {
        scenario_process_key(c, name, value);
        return 1;
    }
    KeyFn fn = scenario_key_fn(section);
    if (fn && fn(c, name, value) == 0)
        note_origin(c, section, name);
    return 1;
}

static int load_stream(Scenario *sc, FILE *f, const char *path, int depth, char *err, size_t errlen)
{
    LoadCtx c = { .sc = sc, .path = path, .err = err, .errlen = errlen, .depth = depth, .f = f,
                  .load_file = scenario_load_file };
    int r = ini_parse_stream(reader, &c, handler, &c);
    after_line(&c);                        /* the last line, when inih asked for no more */
    if (c.failed)
        return -1;
    if (r != 0) {
        c.line = r > 0 ? (unsigned long)r : c.line;
        scenario_fail(&c, "expected [section] or key = value");
        return -1;
    }
    return 0;
}

int scenario_load_file(Scenario *sc, const char *path, int depth, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file (scenarios and configs are files)", path);
        fclose(f);
        return -1;
    }
    int r = load_stream(sc, f, path, depth, err, errlen);
    fclose(f);
    return r;
}

int scenario_load_text(Scenario *sc, const char *name, const char *text, char *err, size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", name, strerror(errno));
        return -1;
    }
    if (!sc->path)
        sc->path = strdup(name);
    int r = load_stream(sc, f, name, 0, err, errlen);
    fclose(f);
    return r;
}

/* ---- the public face ------------------------------------------------------ */

void scenario_init(Scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    machine_default(&sc->machine);
    sc->trace_format = TRACE_AUTO;
}

void scenario_fini(Scenario *sc)
{
    free(sc->path);
    free(sc->title);
    free(sc->description);
    free(sc->procs);
    free(sc->trace_path);
    free(sc->inline_trace);
    free(sc->inline_name);
    free(sc->origins);
    memset(sc, 0, sizeof *sc);
}

int scenario_load(Scenario *sc, const char *path, char *err, size_t errlen)
{
    if (!sc->path) {
        sc->path = strdup(path);
        if (!sc->path) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return scenario_load_file(sc, path, 0, err, errlen);
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t i = 0;
    while (isspace((unsigned char)s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
}

/* --set 'process NAME.KEY=VALUE': a key of a process the scenario defines. */
static int set_process_key(Scenario *sc, LoadCtx *c, char *name, const char *key, const char *value)
{
    trim(name);
    for (size_t i = 0; i < sc->nprocs; i++)
        if (strcmp(sc->procs[i].name, name) == 0) {
            c->proc = &sc->procs[i];
            return scenario_process_key(c, key, value) ? -1 : 0;
        }
    scenario_fail(c, "no [process %s] in the scenario", name);
    return -1;
}

int scenario_set(Scenario *sc, const char *assignment, const char *source, char *err, size_t errlen)
{
    char buf[512], where[600];
    snprintf(buf, sizeof buf, "%s", assignment);
    snprintf(where, sizeof where, "%s %s", source, assignment);
    LoadCtx c = { .sc = sc, .path = where, .err = err, .errlen = errlen,
                  .load_file = scenario_load_file };
    char *eq = strchr(buf, '=');
    char *dot = strchr(buf, '.');
    if (eq && strncmp(buf, "process ", 8) == 0)     /* process NAME.KEY: NAME may hold dots */
        for (char *d = dot; d && d < eq; d = strchr(d + 1, '.'))
            dot = d;
    if (!eq || !dot || dot > eq) {
        scenario_fail(&c, "expected section.key=value (e.g. memory.frames=64)");
        return -1;
    }
    *eq = *dot = '\0';
    char *section = buf, *key = dot + 1, *value = eq + 1;
    trim(section);
    trim(key);
    trim(value);
    if (strncmp(section, "process ", 8) == 0)
        return set_process_key(sc, &c, section + 8, key, value);
    KeyFn fn = scenario_key_fn(section);
    if (!fn || strcmp(section, "scenario") == 0) {
        scenario_fail(&c, "unknown section '%s' (expected machine, tlb, itlb, stlb, memory, swap, "
                      "timing, oom or trace)", section);
        return -1;
    }
    if (fn(&c, key, value) != 0)
        return -1;
    note_origin(&c, section, key);
    return 0;
}

static const char *find_origin(const Scenario *sc, const char *key, size_t n)
{
    for (size_t i = 0; i < sc->norigins; i++)
        if (strlen(sc->origins[i].key) == n && strncmp(sc->origins[i].key, key, n) == 0)
            return sc->origins[i].where;
    return NULL;
}

/* Where key ("memory.frames") was set, else where its section was last touched. */
static const char *origin_of(const Scenario *sc, const char *key)
{
    const char *where = find_origin(sc, key, strlen(key));
    const char *dot = strchr(key, '.');
    if (!where && dot) {
        char any[72];
        snprintf(any, sizeof any, "%.*s.*", (int)(dot - key) < 24 ? (int)(dot - key) : 24, key);
        where = find_origin(sc, any, strlen(any));
    }
    return where;
}

/* memory.frames left at its default on a machine whose physical addresses (or entries'
 * frame field) name fewer frames: as many as they name (arch = ostep: 128). */
static void default_frames_fit(Scenario *sc)
{
    MachineConfig *m = &sc->machine;
    const Geometry *g = &m->geo;
    if (find_origin(sc, "memory.frames", strlen("memory.frames")) || g->pa_bits <= g->page_shift)
        return;
    if (g->pa_bits < 64 && m->memory.frames > (1ull << (g->pa_bits - g->page_shift)))
        m->memory.frames = 1ull << (g->pa_bits - g->page_shift);
    if (g->fmt.pfn_bits < 64 && m->memory.frames > (1ull << g->fmt.pfn_bits))
        m->memory.frames = 1ull << g->fmt.pfn_bits;
}

int scenario_validate(Scenario *sc, char *err, size_t errlen)
{
    geo_update(&sc->machine.geo);
    default_frames_fit(sc);
    const char *key = "machine";
    const char *bad = machine_validate(&sc->machine, &key);
    if (!bad)
        return 0;
    const char *where = origin_of(sc, key);
    if (!where)
        where = sc->path ? sc->path : "the default machine";
    snprintf(err, errlen, "%s: %s: %s", where, key, bad);
    return -1;
}

TraceReader *scenario_open_trace(const Scenario *sc, const char *override_path,
                                 TraceFormat override_fmt, bool *none, char *err, size_t errlen)
{
    unsigned shift = sc->machine.geo.page_shift;
    *none = false;
    err[0] = '\0';
    if (override_path)
        return trace_open(override_path, override_fmt, shift, err, errlen);
    if (sc->trace_path)
        return trace_open(sc->trace_path, sc->trace_format, shift, err, errlen);
    if (sc->inline_trace) {
        TraceFormat f = sc->trace_format == TRACE_AUTO ? TRACE_VMSIM : sc->trace_format;
        return trace_open_mem(sc->inline_trace, sc->inline_len, sc->inline_name,
                              sc->inline_first, f, shift, err, errlen);
    }
    *none = true;
    return NULL;
}

static int build_process(Sim *sim, const Scenario *sc, const ProcSpec *ps, char *err, size_t errlen)
{
    char why[256];
    uint64_t mask = geo_page_size(&sc->machine.geo) - 1;
    Process *p = sim_add_process(sim, ps->pid, ps->name, why, sizeof why);
    if (!p) {
        snprintf(err, errlen, "%s: %s", ps->origin, why);
        return -1;
    }
    p->oom_score_adj = ps->oom_score_adj;
    vaddr_t data_end = BRK_NONE;
    for (size_t i = 0; i < ps->nvmas; i++) {
        Vma v = ps->vmas[i];
        if (v.kind == VMA_STACK) {
            v.start &= ~mask;              /* a stack's top is its fixed end */
            p->stack_limit = v.end > ps->stack_max ? (v.end - ps->stack_max) & ~mask : 0;
        }
        if (v.start & mask) {
            snprintf(err, errlen, "%s: %s starts at 0x%llx, which is not page aligned (pages are %llu bytes)",
                     ps->origin, vma_kind_name(v.kind), (unsigned long long)v.start,
                     (unsigned long long)(mask + 1));
            return -1;
        }
        uint64_t round = v.huge_shift ? (1ull << v.huge_shift) - 1 : mask;
        v.end = (v.end + round) & ~round;
        if (v.end == 0 || sim_map(sim, p, &v, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: %s", ps->origin, v.end ? why : "region wraps around the address space");
            return -1;
        }
        if ((v.kind == VMA_DATA || v.kind == VMA_BSS) && (data_end == BRK_NONE || v.end > data_end))
            data_end = v.end;
    }
    /* The program break starts at the heap, or (like Linux) just past data and BSS. */
    p->brk_start = ps->has_heap ? ps->heap_start : data_end;
    p->brk = ps->has_heap ? ps->heap_start + ps->heap_size : data_end;
    return 0;
}

Sim *scenario_build(const Scenario *sc, char *err, size_t errlen)
{
    Sim *sim = sim_create(&sc->machine, err, errlen);
    if (!sim)
        return NULL;
    for (size_t i = 0; i < sc->nprocs; i++) {
        if (build_process(sim, sc, &sc->procs[i], err, errlen) != 0) {
            if (sim_halted(sim))
                return sim;                /* out of memory: a run-time outcome */
            sim_destroy(sim);
            return NULL;
        }
    }
    if (sc->nprocs == 0 && sc->trace_format != TRACE_CS1550) {  /* it brings its own */
        Process *p = sim_add_process(sim, 1, "main", err, errlen);
        Vma all = sim_whole_space(&sc->machine.geo);
        if (!p || sim_map(sim, p, &all, err, errlen) != 0) {
            sim_destroy(sim);
            return NULL;
        }
    }
    return sim;
}
