/* kind = ostep: one of OSTEP's paging homework programs (vmsim ostep), run with the
 * student's own seed.
 *
 *   program = paging-policy     or paging-linear-translate, paging-multilevel-translate
 *   flags   = -C 4 -p LRU -n 12 the program's flags, without -s, -c, -h (and -N)
 *   seed    = 21                optional: this -s for every student (OSTEP's own
 *                               problem); else the variant's seed mod 1000000
 *
 * questions.txt holds what the program prints without -c; the key is what it prints
 * with -c, read back line by line (the five line shapes below, each printed by one
 * fprintf of sim/ostep, which tests/data/ostep pins byte for byte against Python).
 * Items:
 *   paging-policy   seq (H/M per access), state (memory after each access, as -c lists
 *                   it), hits, misses, hitrate ("16.67")
 *   linear          N (1-based): the physical address, or invalid
 *   multilevel      N: the physical address, or fault; N.value: the byte, or -
 * The replay files are --scenario's: QUESTION.ini (paging-policy FIFO, LRU, OPT),
 * QUESTION.image and .image.trace (multilevel; linear also .image.ini).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade.h"
#include "../ostep/ostep.h"

#define OSTEP_FLAGS_MAX 32
#define OSTEP_SEED_MOD 1000000u

extern const QuestionKind ostep_kind;

typedef struct OstepSpec {
    char program[40];
    char flags[400];
    long long seed;                /* -1: drawn per student */
} OstepSpec;

/* One variant: the seed, the two outputs, the -c line behind each key item (for the
 * explanations) and the replay files. */
typedef struct OstepData {
    unsigned long long seed;
    char *questions, *answers;
    char **why;                    /* per key part: the -c line(s) that answer it */
    size_t nwhy;
    char *files[4];                /* ini, image, image.ini, image.trace ("" if none) */
} OstepData;

static const char *const file_ext[4] = { "ini", "image", "image.ini", "image.trace" };

static void os_spec_init(void *spec)
{
    OstepSpec *s = spec;
    snprintf(s->program, sizeof s->program, "paging-policy");
    s->seed = -1;
}

static int os_parse(Question *q, const char *k, const char *v, char *err, size_t n)
{
    OstepSpec *s = q->spec;
    if (strcmp(k, "program") == 0) {
        if (strcmp(v, "paging-policy") && strcmp(v, "paging-linear-translate") &&
            strcmp(v, "paging-multilevel-translate"))
            return snprintf(err, n, "program = paging-policy, paging-linear-translate or "
                            "paging-multilevel-translate"), -1;
        snprintf(s->program, sizeof s->program, "%s", v);
        return 0;
    }
    if (strcmp(k, "flags") == 0) {
        if (strlen(v) >= sizeof s->flags)
            return snprintf(err, n, "flags of at most %zu characters", sizeof s->flags - 1), -1;
        snprintf(s->flags, sizeof s->flags, "%s", v);
        return 0;
    }
    if (strcmp(k, "seed") == 0) {
        unsigned x;
        if (!grade_uint(v, 0, 999999999, &x))
            return snprintf(err, n, "seed = a number from 0 to 999999999"), -1;
        s->seed = x;
        return 0;
    }
    snprintf(err, n, "unknown key '%s' for kind = ostep (expected program, flags, seed, "
             "ask, points, credit or visibility)", k);
    return -1;
}

/* Whether word is a long option that abbreviates one of names (optparse takes any
 * unambiguous prefix). */
static bool long_is(const char *word, const char *const *names)
{
    size_t len = strcspn(word + 2, "=");
    for (; *names; names++)
        if (len >= 1 && strncmp(word + 2, *names, len) == 0)
            return true;
    return false;
}

/* flags split on blanks into argv (pointers into buf), then -s SEED [-c]. */
static int split_flags(const char *flags, char *buf, size_t bufn, char **argv, char *seed,
                       bool solve)
{
    int argc = 0;
    snprintf(buf, bufn, "%s", flags);
    for (char *save, *w = strtok_r(buf, " \t", &save); w && argc < OSTEP_FLAGS_MAX - 3;
         w = strtok_r(NULL, " \t", &save))
        argv[argc++] = w;
    argv[argc++] = "-s";
    argv[argc++] = seed;
    if (solve)
        argv[argc++] = "-c";
    argv[argc] = NULL;
    return argc;
}

/* Refuses the flags vmsim sets itself or that change what the program prints. */
static int os_check_flags(const OstepSpec *s, char *err, size_t n)
{
    static const char *const longs[] = { "seed", "solve", "compute", "help", "notrace",
                                         "scenario", NULL };
    char buf[sizeof s->flags], *argv[OSTEP_FLAGS_MAX + 1], seed[] = "0";
    int argc = split_flags(s->flags, buf, sizeof buf, argv, seed, false) - 2;
    if (argc >= OSTEP_FLAGS_MAX - 3)
        return snprintf(err, n, "flags: at most %d words", OSTEP_FLAGS_MAX - 4), -1;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        bool bad = w[0] == '-' && w[1] == '-' ? long_is(w, longs)
                   : w[0] == '-' && w[1] && strchr("schN", w[1]);
        if (bad)
            return snprintf(err, n, "flags: '%s' is vmsim's to set (the seed is drawn per "
                            "student or given by seed =; -c makes the key)", w), -1;
    }
    return 0;
}

/* Runs the program for seed; its output into *text. 0, or -1 with err (its last line). */
static int os_run(const OstepSpec *s, unsigned long long seed, bool solve, const char *scenario,
                  char **text, char *err, size_t n)
{
    char buf[sizeof s->flags], *argv[OSTEP_FLAGS_MAX + 1], num[24], cmd[600];
    snprintf(num, sizeof num, "%llu", seed);
    int argc = split_flags(s->flags, buf, sizeof buf, argv, num, solve);
    snprintf(cmd, sizeof cmd, "vmsim ostep %s%s%s -s %s", s->program, *s->flags ? " " : "",
             s->flags, num);
    int rc = ostep_capture(s->program, argc, argv, scenario, cmd, text);
    if (rc == 0 && *text)
        return 0;
    /* What it said last (Python's "Error in argument", "Policy LFU is not ..."). */
    const char *last = *text ? *text + strlen(*text) : "";
    while (last > *text && last[-1] == '\n')
        last--;
    const char *end = last;
    while (last > *text && last[-1] != '\n')
        last--;
    snprintf(err, n, "`%s%s` %s%.*s", cmd, solve ? " -c" : "",
             !*text ? "ran out of memory" : end > last ? "says: " : "fails (see above)",
             (int)(end - last), last);
    free(*text);
    *text = NULL;
    return -1;
}

/* The parts the program answers. */
static const char *os_program_parts(const OstepSpec *s)
{
    return s->program[7] == 'p' ? " seq state hits misses hitrate "
           : s->program[7] == 'l' ? " pa " : " pa value ";
}

/* Keeps the asks the program answers when ask is the kind's default (one list for all
 * three programs); refuses an ask given that the program does not answer. */
static int os_check_ask(Question *q, char *err, size_t n)
{
    const char *parts = os_program_parts(q->spec);
    char all[128] = "";
    for (size_t i = 0; i < q->nask; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? " " : "", q->ask[i]);
    bool dflt = strcmp(all, ostep_kind.default_ask) == 0;
    size_t k = 0;
    for (size_t i = 0; i < q->nask; i++) {
        char word[24];
        snprintf(word, sizeof word, " %s ", q->ask[i]);
        if (!strstr(parts, word)) {
            if (!dflt)
                return snprintf(err, n, "ask = %s: %s answers only%s", q->ask[i],
                                ((OstepSpec *)q->spec)->program, parts), -1;
            continue;
        }
        memmove(q->ask[k], q->ask[i], sizeof q->ask[k]);
        q->points[k++] = q->points[i];
    }
    q->nask = k;
    return 0;
}

static int os_check(Question *q, char *err, size_t n)
{
    const OstepSpec *s = q->spec;
    char *text;
    if (os_check_flags(s, err, n) || os_check_ask(q, err, n) ||
        os_run(s, 0, true, NULL, &text, err, n))
        return -1;
    free(text);
    return 0;
}

static int os_vary(const Question *q, Variant *v, Rng *rng, char *err, size_t n)
{
    const OstepSpec *s = q->spec;
    OstepData *d = calloc(1, sizeof *d);
    (void)rng;                     /* the program draws from its own seed */
    if (!d)
        return snprintf(err, n, "out of memory"), -1;
    v->data = d;
    d->seed = s->seed >= 0 ? (unsigned long long)s->seed : v->seed % OSTEP_SEED_MOD;
    return os_run(s, d->seed, false, NULL, &d->questions, err, n);
}

/* A key part whose right answer is value, answered by the -c line why. Sequences hold
 * value normalised as a student's would be; a scalar holds it as written ("0x982",
 * "fault", shown so in key.txt) and accepts its normalised form ("2434", "M"). */
static KeyPart *os_item(Variant *v, const char *name, const char *ask, bool seq, bool group,
                        const char *value, const char *why)
{
    OstepData *d = v->data;
    KeyPart *kp = key_part(&v->key, name);
    if (!kp) {
        kp = key_add(&v->key, name, seq, group);
        snprintf(kp->ask, sizeof kp->ask, "%s", ask);
        char **nw = realloc(d->why, (d->nwhy + 1) * sizeof *nw);
        if (nw) {
            d->why = nw;
            d->why[d->nwhy++] = NULL;
        }
    }
    if (seq) {
        answer_tokens(value, group, &kp->right);
    } else {
        tokens_push(&kp->right, value);
        answer_tokens(value, false, &kp->alt[kp->nalt++]);
    }
    size_t idx = (size_t)(kp - v->key.parts);
    if (idx < d->nwhy && !d->why[idx]) {
        d->why[idx] = strdup(why);
    } else if (idx < d->nwhy && kp->seq) {         /* one line per position */
        size_t len = strlen(d->why[idx]) + strlen(why) + 2;
        char *s = realloc(d->why[idx], len);
        if (s)
            strcat(strcat(s, "\n"), why), d->why[idx] = s;
    }
    return kp;
}

/* Accepts also each of the words (whole answers) for kp. */
static void os_accept(KeyPart *kp, const char *const *words)
{
    for (; *words && kp->nalt < GRADE_ALTS_MAX; words++)
        answer_tokens(*words, false, &kp->alt[kp->nalt++]);
}

/* "Access: 2  MISS LRU ->       [2, 5] <- MRU Replaced:- [Hits:0 Misses:2]" and
 * "FINALSTATS hits 1   misses 5   hitrate 16.67". */
static void os_policy_line(Variant *v, const char *line)
{
    char state[400] = "", num[3][32];
    if (strncmp(line, "Access: ", 8) == 0 && strstr(line, "] <- ")) {
        const char *open = strchr(line, '['), *close = strchr(line, ']');
        snprintf(state, sizeof state, "%.*s", (int)(close - open - 1), open + 1);
        for (char *c = state; (c = strchr(c, ',')); )
            *c = ' ';
        os_item(v, "seq", "seq", true, false, strstr(line, " HIT ") ? "H" : "M", line);
        os_item(v, "state", "state", true, true, state, line);
    } else if (sscanf(line, "FINALSTATS hits %31s misses %31s hitrate %31s", num[0], num[1],
                      num[2]) == 3) {
        os_item(v, "hits", "hits", false, false, num[0], line);
        os_item(v, "misses", "misses", false, false, num[1], line);
        os_item(v, "hitrate", "hitrate", false, false, num[2], line);
    }
}

/* "  VA 0x00001cc4 (decimal:     7364) --> 0000ccc4 (decimal    52420) [VPN 1]" or
 * "  VA 0x000029b3 (decimal:    10675) -->  Invalid (VPN 2 not valid)". */
static void os_linear_line(Variant *v, const char *line, size_t *naddr)
{
    static const char *const invalid[] = { "fault", "segfault", "segmentation violation", NULL };
    const char *arrow = strstr(line, "--> ");
    unsigned long long pa;
    char name[16], value[32];
    if (strncmp(line, "  VA ", 5) != 0 || !arrow)
        return;
    snprintf(name, sizeof name, "%zu", ++*naddr);
    if (sscanf(arrow + 4, "%llx (decimal", &pa) == 1) {
        snprintf(value, sizeof value, "0x%llx", pa);
        os_item(v, name, "pa", false, false, value, line);
    } else {
        os_accept(os_item(v, name, "pa", false, false, "invalid", line), invalid);
    }
}

/* "Virtual Address 0x6b22:" then "      --> Translates to Physical Address 0x8e2 -->
 * Value: 0x1a" or "      --> Fault (page table entry not valid)". */
static void os_multilevel_line(Variant *v, const char *line, size_t *naddr, char *va)
{
    static const char *const fault[] = { "invalid", "segfault", "segmentation violation", NULL };
    unsigned pa, byte;
    char name[16], sub[24], value[32], why[300];
    if (strncmp(line, "Virtual Address 0x", 18) == 0) {
        snprintf(va, 64, "%.40s", line);
        ++*naddr;
        return;
    }
    snprintf(name, sizeof name, "%zu", *naddr);
    snprintf(sub, sizeof sub, "%zu.value", *naddr);
    snprintf(why, sizeof why, "%s%s", va, line + 5);
    if (sscanf(line, "      --> Translates to Physical Address 0x%x --> Value: 0x%x", &pa,
               &byte) == 2) {
        snprintf(value, sizeof value, "0x%x", pa);
        os_item(v, name, "pa", false, false, value, why);
        snprintf(value, sizeof value, "0x%x", byte);
        os_item(v, sub, "value", false, false, value, why);
    } else if (strncmp(line, "      --> Fault", 15) == 0) {
        os_accept(os_item(v, name, "pa", false, false, "fault", why), fault);
        os_item(v, sub, "value", false, false, "-", why);
    }
}

/* The key: the program's -c output, line by line. */
static int os_key(const Question *q, Variant *v, char *err, size_t n)
{
    const OstepSpec *s = q->spec;
    OstepData *d = v->data;
    if (os_run(s, d->seed, true, NULL, &d->answers, err, n))
        return -1;
    size_t naddr = 0;
    char va[64] = "";
    for (char *save, *line = strtok_r(d->answers, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (s->program[7] == 'p')
            os_policy_line(v, line);
        else if (s->program[7] == 'l')
            os_linear_line(v, line, &naddr);
        else
            os_multilevel_line(v, line, &naddr, va);
    }
    free(d->answers);
    d->answers = NULL;
    if (!v->key.nparts)
        return snprintf(err, n, "`vmsim ostep %s %s -c` answered nothing to ask", s->program,
                        s->flags), -1;
    return 0;
}

static const char *os_part_words(const char *part)
{
    static const struct { const char *part, *words; } w[] = {
        { "seq", "hit (H) or miss (M) for each access" },
        { "state", "the memory after each access, as -c lists it, '|' between accesses" },
        { "hits", "the number of hits" },
        { "misses", "the number of misses" },
        { "hitrate", "the hit rate in percent, two decimals (as FINALSTATS prints it)" },
        { "pa", "each address's physical address (0x hex or decimal), or invalid / fault" },
        { "value", "the byte each address fetches (- where it faults)" },
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strcmp(w[i].part, part) == 0)
            return w[i].words;
    return part;
}

/* Which replay files a variant has: paging-policy's scenario only for FIFO, LRU, OPT. */
static bool os_replays(const OstepSpec *s, const OstepData *d)
{
    if (s->program[7] != 'p')
        return true;
    const char *arg = d->questions ? strstr(d->questions, "ARG policy ") : NULL;
    return arg && (strncmp(arg + 11, "FIFO\n", 5) == 0 || strncmp(arg + 11, "LRU\n", 4) == 0 ||
                   strncmp(arg + 11, "OPT\n", 4) == 0);
}

static char *os_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    FILE *m = f ? open_memstream(&text, &len) : NULL;
    for (int c; m && (c = getc(f)) != EOF; )
        putc(c, m);
    if (m)
        fclose(m);
    if (f)
        fclose(f);
    return text;
}

/* Runs the program with --scenario in a folder of its own and reads the files back
 * (d->files; "" for a file the program did not write). Its refusals (a linear table of
 * pages under 16 bytes, say) are not shown: the variant then has no replay. */
static void os_make_files(const Question *q, OstepData *d)
{
    const OstepSpec *s = q->spec;
    char dir[] = "/tmp/vmsim-ostep-XXXXXX", path[600], *text = NULL, err[GRADE_ERR];
    for (int i = 0; i < 4; i++)
        d->files[i] = NULL;
    if (os_replays(s, d) && mkdtemp(dir)) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, q->name, s->program[7] == 'p' ? "ini" : "image");
        fflush(stderr);
        int saved = dup(2), null = open("/dev/null", O_WRONLY);
        if (saved >= 0 && null >= 0)
            dup2(null, 2);
        os_run(s, d->seed, true, path, &text, err, sizeof err);
        fflush(stderr);
        if (saved >= 0)
            dup2(saved, 2), close(saved);
        if (null >= 0)
            close(null);
        free(text);
        for (int i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s.%s", dir, q->name, file_ext[i]);
            d->files[i] = os_slurp(path);
            unlink(path);
        }
        rmdir(dir);
    }
    for (int i = 0; i < 4; i++)
        if (!d->files[i])
            d->files[i] = strdup("");
}

static char *os_file_text(const Question *q, const Variant *v, const char *ext)
{
    OstepData *d = v->data;
    if (!d->files[0])
        os_make_files(q, d);
    for (int i = 0; i < 4; i++)
        if (strcmp(ext, file_ext[i]) == 0)
            return d->files[i] ? strdup(d->files[i]) : NULL;
    return NULL;
}

static void os_describe(const Question *q, const Variant *v, FILE *out)
{
    const OstepSpec *s = q->spec;
    const OstepData *d = v->data;
    fprintf(out, "OSTEP's %s.py, seed %llu: `vmsim ostep %s%s%s -s %llu` prints\n"
                 "(python3 %s.py with the same flags prints the same):\n\n%s",
            s->program, d->seed, s->program, *s->flags ? " " : "", s->flags, d->seed, s->program,
            d->questions);
    if (!d->files[0])
        os_make_files(q, v->data);
    if (!os_replays(s, d))
        fprintf(out, "(Policy not in vmsim: no replay.)\n");
    else if (!*d->files[1] && !*d->files[0])
        fprintf(out, "(vmsim has no image of this table: no replay.)\n");
    else if (s->program[7] == 'p')
        fprintf(out, "Open your variant in vmsim: vmsim step %s.ini (or vmsim gui %s.ini).\n",
                q->name, q->name);
    else
        fprintf(out, "Open your variant in vmsim: vmsim step --image %s.image --trace "
                     "%s.image.trace\n", q->name, q->name);
}

static void os_inputs(const Question *q, const Variant *v, FILE *out)
{
    const OstepSpec *s = q->spec;
    const OstepData *d = v->data;
    fprintf(out, "@%s.command = vmsim ostep %s%s%s -s %llu -c\n", q->name, s->program,
            *s->flags ? " " : "", s->flags, d->seed);
}

/* The -c line that answers the position. */
static void os_explain(const Question *q, const Variant *v, const KeyPart *part,
                       const Tokens *given, size_t pos, Buf *out)
{
    const OstepData *d = v->data;
    size_t idx = (size_t)(part - v->key.parts);
    const char *why = idx < d->nwhy && d->why[idx] ? d->why[idx] : "";
    for (size_t k = 0; part->seq && k < pos && strchr(why, '\n'); k++)
        why = strchr(why, '\n') + 1;
    buf_printf(out, "%s.%s%s%.0zu: you answered %s; the answer is %s.\n  -c says: %.*s\n",
               q->name, part->name, part->seq ? ", access " : "", part->seq ? pos + 1 : 0,
               pos < given->n ? given->v[pos] : "nothing",
               pos < part->right.n ? part->right.v[pos] : "(nothing more)",
               (int)strcspn(why, "\n"), why);
}

static void os_free(void *data)
{
    OstepData *d = data;
    if (!d)
        return;
    free(d->questions);
    free(d->answers);
    for (size_t i = 0; i < d->nwhy; i++)
        free(d->why[i]);
    free(d->why);
    for (int i = 0; i < 4; i++)
        free(d->files[i]);
    free(d);
}

const QuestionKind ostep_kind = {
    .name = "ostep",
    .parts = "seq state hits misses hitrate pa value",
    .default_ask = "seq hits misses hitrate pa value",
    .spec_size = sizeof(OstepSpec),
    .spec_init = os_spec_init,
    .parse = os_parse,
    .check = os_check,
    .vary = os_vary,
    .key = os_key,
    .part_words = os_part_words,
    .describe = os_describe,
    .scenario = NULL,
    .inputs = os_inputs,
    .explain = os_explain,
    .follow = NULL,
    .free_data = os_free,
    .grade_raw = NULL,
    .files = "ini image image.ini image.trace",
    .file_text = os_file_text,
};
