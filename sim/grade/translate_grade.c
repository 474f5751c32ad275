/* Grading a translation answer: right or wrong, and when wrong the likely slip,
 * found by redoing the walk with each slip and comparing with what was given. */
#include "translate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *translate_slip_words(TranslateSlip s)
{
    static const char *const words[SLIP_COUNT] = {
        [SLIP_NONE] = "",
        [SLIP_VALID_BIT] = "kept the valid bit as part of the PFN",
        [SLIP_NO_OFFSET] = "dropped the offset",
        [SLIP_LEVEL_EARLY] = "stopped a level early (a table's frame taken for the page)",
        [SLIP_SWAPPED] = "swapped the indices of two levels",
        [SLIP_VPN_AS_PFN] = "used the VPN for the PFN",
        [SLIP_BASE] = "mixed hex and decimal",
        [SLIP_FAULT_LEVEL] = "reported the fault at the wrong level",
        [SLIP_IGNORED_VALID] = "translated through an entry whose valid bit is clear",
        [SLIP_NO_FAULT] = "said fault, but every entry on the way is valid",
    };
    return (unsigned)s < SLIP_COUNT ? words[s] : "";
}

/* An answer as a number: 0x hex or decimal (the answers grammar). *alt is the same
 * digits read in the other base, when they can be (for the hex/decimal slip). */
typedef struct Number {
    bool ok, has_alt;
    uint64_t value, alt;
} Number;

static Number parse_number(const char *s)
{
    Number n = { 0 };
    char *end;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!isxdigit((unsigned char)*digits))
        return n;
    n.value = strtoull(digits, &end, hex ? 16 : 10);
    n.ok = *end == '\0';
    uint64_t alt = strtoull(digits, &end, hex ? 10 : 16);
    n.has_alt = *end == '\0';
    n.alt = alt;
    return n;
}

/* The answer trimmed and lowercased into buf. */
static void normalise(const char *answer, char *buf, size_t len)
{
    while (isspace((unsigned char)*answer))
        answer++;
    size_t n = 0;
    for (; answer[n] && n + 1 < len; n++)
        buf[n] = (char)tolower((unsigned char)answer[n]);
    while (n && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
}

static void say(char *buf, size_t len, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, len - n, fmt, ap);
    va_end(ap);
}

/* The walk in words: each entry read, what it says, and the result. */
static void walk_words(const TranslateVariant *v, const TranslateAnswer *a, char *buf, size_t len)
{
    const Geometry *g = &v->img.m.geo;
    say(buf, len, "0x%llx:", (unsigned long long)a->va);
    for (unsigned l = 0; l < a->nread; l++) {
        pte_t pte = a->pte[l];
        bool valid = (pte_flags(g, pte) & PTE_V) != 0;
        say(buf, len, " %s[%u] = 0x%0*llx", geo_level_name(g, l), geo_index(g, l, a->va),
            (int)g->pte_size * 2, (unsigned long long)pte);
        if (!valid)
            say(buf, len, " (valid bit clear)");
        else if (l + 1 < g->levels)
            say(buf, len, " (valid, %s in frame %llu = 0x%llx),", geo_level_name(g, l + 1),
                (unsigned long long)pte_pfn(g, pte), (unsigned long long)pte_pfn(g, pte));
        else
            say(buf, len, " (valid, frame %llu = 0x%llx),", (unsigned long long)pte_pfn(g, pte),
                (unsigned long long)pte_pfn(g, pte));
    }
    if (a->status != WALK_OK) {
        say(buf, len, ": fault at %s (%s).", geo_level_name(g, a->level), walk_status_name(a->status));
        return;
    }
    uint64_t off = a->va & (geo_page_size(g) - 1);
    say(buf, len, " offset 0x%llx: %llu << %u | 0x%llx = 0x%llx.", (unsigned long long)off,
        (unsigned long long)(a->pa >> g->page_shift), g->page_shift, (unsigned long long)off,
        (unsigned long long)a->pa);
}

/* The physical address the walk reaches with va's indices at levels i and j
 * exchanged (equal widths), or PADDR_NONE. */
static paddr_t swapped_walk(const TranslateVariant *v, vaddr_t va, unsigned i, unsigned j)
{
    const Geometry *g = &v->img.m.geo;
    uint64_t mask = (1ull << g->level_bits[i]) - 1;
    vaddr_t sw = va & ~((mask << geo_level_shift(g, i)) | (mask << geo_level_shift(g, j)));
    sw |= (vaddr_t)geo_index(g, i, va) << geo_level_shift(g, j);
    sw |= (vaddr_t)geo_index(g, j, va) << geo_level_shift(g, i);
    pfn_t table = v->img.root;
    for (unsigned l = 0; l < g->levels; l++) {
        paddr_t at = (table << g->page_shift) + (paddr_t)geo_index(g, l, sw) * g->pte_size;
        pte_t pte = image_read_mem(&v->img, at, g->pte_size);
        if (!(pte_flags(g, pte) & PTE_V))
            return PADDR_NONE;
        table = pte_pfn(g, pte);
    }
    return (table << g->page_shift) | (sw & (geo_page_size(g) - 1));
}

static bool swapped_gives(const TranslateVariant *v, const TranslateAnswer *a, uint64_t given)
{
    const Geometry *g = &v->img.m.geo;
    for (unsigned i = 0; i < g->levels; i++)
        for (unsigned j = i + 1; j < g->levels; j++)
            if (g->level_bits[i] == g->level_bits[j] && swapped_walk(v, a->va, i, j) == given)
                return true;
    return false;
}

/* Which slip turns the right translation a into given, if one does. */
static TranslateSlip pa_slip(const TranslateVariant *v, const TranslateAnswer *a, Number given)
{
    const Geometry *g = &v->img.m.geo;
    uint64_t x = given.value, off = a->va & (geo_page_size(g) - 1);
    pte_t leaf = a->pte[a->level];
    pfn_t pfn = a->pa >> g->page_shift;
    if (given.has_alt && given.alt == a->pa)
        return SLIP_BASE;
    if (x == (((leaf >> g->fmt.pfn_shift) << g->page_shift) | off) || x == (leaf | off) || x == leaf + off)
        return SLIP_VALID_BIT;
    if (x == pfn << g->page_shift || x == pfn)
        return SLIP_NO_OFFSET;
    if (a->level > 0 && x == ((pte_pfn(g, a->pte[a->level - 1]) << g->page_shift) | off))
        return SLIP_LEVEL_EARLY;
    if (swapped_gives(v, a, x))
        return SLIP_SWAPPED;
    if (x == geo_va_mask(g, a->va))
        return SLIP_VPN_AS_PFN;
    return SLIP_NONE;
}

/* The address the walk would give if the valid bits were ignored. */
static paddr_t through_invalid(const TranslateVariant *v, const TranslateAnswer *a)
{
    const Geometry *g = &v->img.m.geo;
    pfn_t table = v->img.root;
    for (unsigned l = 0; l < g->levels; l++) {
        paddr_t at = (table << g->page_shift) + (paddr_t)geo_index(g, l, a->va) * g->pte_size;
        table = pte_pfn(g, image_read_mem(&v->img, at, g->pte_size));
    }
    return (table << g->page_shift) | (a->va & (geo_page_size(g) - 1));
}

/* The level a word names: the level's name (PD), its entry (pde), RISC-V's vpnN. */
static int level_named(const TranslateVariant *v, const char *word)
{
    const Geometry *g = &v->img.m.geo;
    for (unsigned l = 0; l < g->levels; l++) {
        char item[16], name[16];
        translate_index_item(g, l, item, sizeof item);
        normalise(geo_level_name(g, l), name, sizeof name);
        if (strcmp(word, name) == 0 || strcmp(word, item) == 0)
            return (int)l;
    }
    return -1;
}

static void grade_fault(const TranslateVariant *v, const TranslateAnswer *a, const char *given,
                        TranslateMark *m)
{
    const char *word = given + 5;
    while (*word == ' ')
        word++;
    if (strncmp(given, "fault", 5) == 0) {
        int l = level_named(v, word);
        m->right = !(v->ask & TRANSLATE_ASK_FAULT) || l == (int)a->level;   /* level asked? */
        m->slip = !m->right && l >= 0 ? SLIP_FAULT_LEVEL : SLIP_NONE;
        return;
    }
    Number n = parse_number(given);
    if (n.ok && n.value == through_invalid(v, a))
        m->slip = SLIP_IGNORED_VALID;
}

static void grade_pa(const TranslateVariant *v, const TranslateAnswer *a, const char *given,
                     TranslateMark *m)
{
    if (a->status != WALK_OK) {
        grade_fault(v, a, given, m);
        return;
    }
    if (strncmp(given, "fault", 5) == 0) {
        m->slip = SLIP_NO_FAULT;
        return;
    }
    Number n = parse_number(given);
    m->right = n.ok && n.value == a->pa;
    if (n.ok && !m->right)
        m->slip = pa_slip(v, a, n);
}

static void grade_value(const TranslateAnswer *a, const char *given, TranslateMark *m)
{
    if (a->status != WALK_OK) {
        m->right = strcmp(given, "-") == 0 || strcmp(given, "none") == 0;
        return;
    }
    Number n = parse_number(given);
    m->right = n.ok && n.value == a->value;
    if (!m->right && n.has_alt && n.alt == a->value)
        m->slip = SLIP_BASE;
}

static void grade_index(const TranslateVariant *v, const TranslateAnswer *a, unsigned l,
                        const char *given, TranslateMark *m)
{
    const Geometry *g = &v->img.m.geo;
    Number n = parse_number(given);
    unsigned want = geo_index(g, l, a->va);
    m->right = n.ok && n.value == want;
    if (m->right)
        return;
    if (n.has_alt && n.alt == want)
        m->slip = SLIP_BASE;
    for (unsigned k = 0; k < g->levels && n.ok && !m->slip; k++)
        if (k != l && n.value == geo_index(g, k, a->va) && n.value != want)
            m->slip = SLIP_SWAPPED;
}

/* "3", "3.value", "3.pde" into the address (0-based) and the sub-item (NULL, "value",
 * or a level). -1 if the variant has no such item. */
static int split_part(const TranslateVariant *v, const char *part, size_t *i, const char **sub,
                      int *level)
{
    char *end;
    unsigned long n = strtoul(part, &end, 10);
    if (!isdigit((unsigned char)*part) || n < 1 || n > v->naddrs || (*end && *end != '.'))
        return -1;
    *i = n - 1;
    *sub = *end ? end + 1 : NULL;
    *level = -1;
    if (*sub && strcmp(*sub, "value") != 0) {
        char item[16];
        normalise(*sub, item, sizeof item);
        *level = level_named(v, item);
        if (*level < 0)
            return -1;
    }
    return 0;
}

int translate_grade(const TranslateVariant *v, const char *part, const char *answer,
                    TranslateMark *m)
{
    size_t i;
    const char *sub;
    int level;
    memset(m, 0, sizeof *m);
    if (split_part(v, part, &i, &sub, &level) != 0)
        return -1;
    const TranslateAnswer *a = &v->ans[i];
    char given[128], shown[128];
    normalise(answer, given, sizeof given);
    while (isspace((unsigned char)*answer))
        answer++;
    snprintf(shown, sizeof shown, "%.*s", (int)strlen(given), answer);
    if (!sub)
        grade_pa(v, a, given, m);
    else if (level < 0)
        grade_value(a, given, m);
    else
        grade_index(v, a, (unsigned)level, given, m);
    char item[16];
    if (level >= 0)
        translate_index_item(&v->img.m.geo, (unsigned)level, item, sizeof item);
    translate_answer_text(v, i, level >= 0 ? item : sub, m->right_answer, sizeof m->right_answer);
    if (!m->right && m->slip != SLIP_NONE)
        say(m->explain, sizeof m->explain, "Likely slip: %s (you gave %s; the answer is %s). ",
            translate_slip_words(m->slip), shown[0] ? shown : "nothing", m->right_answer);
    else if (!m->right)
        say(m->explain, sizeof m->explain, "You gave %s; the answer is %s. ",
            shown[0] ? shown : "nothing", m->right_answer);
    if (!m->right)
        walk_words(v, a, m->explain, sizeof m->explain);
    return 0;
}
