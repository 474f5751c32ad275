/* The translation panel: the virtual address as a strip of bits split into the
 * per-level index fields and the offset, and below each field the page-table entry
 * that index selects, from the root register to the frame. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "vmsim/describe.h"
#include "vmsim/swap.h"

/* The entries shown: the walk's own, or after a TLB hit those in memory (peeked). */
typedef struct Chain {
    unsigned n;
    bool peeked;
    paddr_t pte_pa[GEO_MAX_LEVELS];
    pte_t pte[GEO_MAX_LEVELS];
    pfn_t root;
} Chain;

static void chain_of(const Ui *ui, const Scene *sc, Chain *c);
static unsigned leaf_level(const Geometry *g, const Chain *c);

static const char *op_words(AccessOp op)
{
    return op == OP_WRITE ? "write" : op == OP_EXEC ? "execute" : op == OP_MODIFY ? "modify" : "read";
}

static SDL_Color field_color(const Geometry *g, unsigned i)
{
    return i < g->levels ? theme.level[i % GEO_MAX_LEVELS] : theme.offset;
}

/* The field whose entry the animation is reading, or -1. */
static int reading_level(const Ui *ui, const Scene *sc)
{
    if (sc->cur < 0 || (size_t)sc->cur >= ui->m.nev)
        return -1;
    const SimEvent *e = &ui->m.ev[sc->cur].ev;
    return e->kind == EV_WALK ? (int)e->level : -1;
}

static void draw_va_label(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Layout *L = &ui->L;
    const Sim *sim = model_sim(&ui->m);
    const SDL_Rect *r = &L->va_label;
    int lh = p->fonts->lh[FONT_NORMAL];
    char a[96], b[96];
    const Process *pr = sim_proc_by_pid(sim, sc->pid);
    if (sc->access) {
        snprintf(a, sizeof a, "%s %s", pr ? pr->name : "?", op_words(sc->op));
        snprintf(b, sizeof b, "0x%" PRIx64, sc->va);
    } else if (sc->syscall_ev >= 0) {
        snprintf(a, sizeof a, "%s", pr ? pr->name : "?");
        snprintf(b, sizeof b, "%.90s", ui->m.ev[sc->syscall_ev].detail);
    } else if (sc->switched || sc->skipped) {
        snprintf(a, sizeof a, "%s %s", sc->switched ? "switch to" : "skip", pr ? pr->name : "?");
        snprintf(b, sizeof b, "%s", sc->switched ? "(no address)" : "(process is dead)");
    } else {
        snprintf(a, sizeof a, "step %llu", (unsigned long long)model_now(&ui->m));
        snprintf(b, sizeof b, "%s", ui->m.has_trace ? "press \u2192 to step" : "no trace to run");
    }
    text_draw(p, FONT_NORMAL, r->x, r->y, theme.text, a, r->w);
    text_draw(p, FONT_NORMAL, r->x, r->y + lh, theme.accent, b, r->w);
}

/* The bits of va, each in its field's colour; ones brighter than zeros. */
static void draw_bits(const Painter *p, const Ui *ui, const Scene *sc, const Geometry *g, unsigned leaf)
{
    const Layout *L = &ui->L;
    vaddr_t va = geo_va_mask(g, sc->access ? sc->va : 0);
    unsigned nb = g->va_bits;
    unsigned field = 0, left = g->levels ? g->level_bits[0] : g->page_shift;
    for (unsigned i = 0; i < nb; i++) {
        while (left == 0 && field + 1 < L->nfields) {
            field++;
            left = field < g->levels ? g->level_bits[field] : g->page_shift;
        }
        left--;
        unsigned bit = nb - 1 - i;
        bool one = sc->access && ((va >> bit) & 1);
        SDL_Rect c = { L->bits.x + (int)i * L->bit_w, L->bits.y, L->bit_w - 1, L->bits.h };
        SDL_Color fc = field > leaf && field < g->levels ? theme.offset : field_color(g, field);
        SDL_Color base = mix(fc, theme.panel, one ? 0.1f : 0.6f);
        fill(p, &c, base);
        if (sc->access && L->bit_w >= p->fonts->cw[FONT_SMALL])
            text_center(p, L->bit_w >= p->fonts->cw[FONT_NORMAL] ? FONT_NORMAL : FONT_SMALL, &c,
                        one ? theme.text : theme.dim, one ? "1" : "0");
    }
}

/* Under the bits: each field's name and the index it holds; below a large page's
 * leaf (at level `leaf`), the fields are part of its offset. */
static void draw_fields(const Painter *p, const Ui *ui, const Scene *sc, const Geometry *g, unsigned leaf)
{
    const Layout *L = &ui->L;
    int reading = reading_level(ui, sc);
    for (unsigned i = 0; i < L->nfields; i++) {
        SDL_Rect r = L->field[i];
        r.w -= 1;
        bool folded = i > leaf && i < g->levels;
        fill(p, &r, folded ? theme.offset : field_color(g, i));
        char s[64];
        if (folded) {
            snprintf(s, sizeof s, "offset (large page)");
        } else if (i < g->levels) {
            if (sc->access)
                snprintf(s, sizeof s, "%s index %u", geo_level_name(g, i), geo_index(g, i, sc->va));
            else
                snprintf(s, sizeof s, "%s index (%u bits)", geo_level_name(g, i), g->level_bits[i]);
        } else if (sc->access) {
            snprintf(s, sizeof s, "offset 0x%" PRIx64, sc->va & (geo_page_size(g) - 1));
        } else {
            snprintf(s, sizeof s, "offset (%u bits)", g->page_shift);
        }
        if (text_width(p->fonts, FONT_SMALL, s) > r.w && i < g->levels)
            snprintf(s, sizeof s, "%u", sc->access ? geo_index(g, i, sc->va) : g->level_bits[i]);
        text_center(p, FONT_SMALL, &r, theme.text, s);
        if ((int)i == reading) {
            SDL_Rect o = { r.x, L->bits.y, r.w, r.y + r.h - L->bits.y };
            outline(p, &o, theme.accent, 2);
        }
    }
}

void draw_address(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Sim *sim = model_sim(&ui->m);
    const Geometry *g = &sim_machine(sim)->geo;
    char head[192];
    int n = snprintf(head, sizeof head, "Translation: %s, %u-bit addresses = ", arch_name(g->arch), g->va_bits);
    for (unsigned l = 0; l < g->levels && n > 0 && (size_t)n < sizeof head; l++)
        n += snprintf(head + n, sizeof head - (size_t)n, "%u+", g->level_bits[l]);
    if (n > 0 && (size_t)n < sizeof head)
        snprintf(head + n, sizeof head - (size_t)n, "%u (offset), %u-byte entries", g->page_shift, g->pte_size);
    panel(p, &ui->L.addr, head);
    draw_va_label(p, ui, sc);
    Chain c;
    chain_of(ui, sc, &c);
    unsigned leaf = c.n ? leaf_level(g, &c) : g->levels;
    draw_bits(p, ui, sc, g, leaf);
    draw_fields(p, ui, sc, g, leaf);
}

/* ---- the walk ------------------------------------------------------------- */

static void chain_of(const Ui *ui, const Scene *sc, Chain *c)
{
    const Sim *sim = model_sim(&ui->m);
    const Process *pr = sim_proc_by_pid(sim, sc->pid);
    memset(c, 0, sizeof *c);
    c->root = pr ? pr->root : PFN_NONE;
    if (sc->nread) {
        c->n = sc->nread;
        memcpy(c->pte_pa, sc->pte_pa, sizeof c->pte_pa);
        memcpy(c->pte, sc->pte, sizeof c->pte);
        c->root = sc->table_pfn[0];
        return;
    }
    if (sc->access && sc->tlb == TLB_HIT && pr && pr->root != PFN_NONE) {
        Walk w;
        sim_peek(sim, pr, sc->va, &w);
        c->n = w.nread;
        c->peeked = true;
        memcpy(c->pte_pa, w.pte_pa, sizeof c->pte_pa);
        memcpy(c->pte, w.pte, sizeof c->pte);
    }
}

/* The level holding the leaf, if the chain reached one before the last level. */
static unsigned leaf_level(const Geometry *g, const Chain *c)
{
    for (unsigned l = 0; l < c->n; l++)
        if ((pte_flags(g, c->pte[l]) & PTE_V) && pte_is_leaf(g, c->pte[l], l))
            return l;
    return g->levels - 1;
}

/* Draws n lines centred in r (in the small font if one is too wide for the normal);
 * returns the y of the first and sets *font to the font used. */
static int box_lines_at(const Painter *p, const SDL_Rect *r, SDL_Color c, SDL_Color head,
                        const char *const *lines, int n, FontId *font)
{
    FontId f = FONT_NORMAL;
    for (int i = 0; i < n; i++)
        if (text_width(p->fonts, FONT_NORMAL, lines[i]) > r->w - 6)
            f = FONT_SMALL;
    int lh = p->fonts->lh[f], y = r->y + (r->h - n * lh) / 2;
    for (int i = 0; i < n; i++)
        text_draw(p, f, r->x + 4, y + i * lh, i == 0 ? head : c, lines[i], r->w - 6);
    *font = f;
    return y;
}

static void box_lines(const Painter *p, const SDL_Rect *r, SDL_Color c, SDL_Color head,
                      const char *const *lines, int n)
{
    FontId f;
    box_lines_at(p, r, c, head, lines, n, &f);
}

/* What was wrong with the entry a walk faulted on, in words: not present, a swap
 * entry and its slot, or (present) the permission the access lacked. */
static void fault_words(const Geometry *g, const Scene *sc, pte_t pte, char *buf, size_t len)
{
    int64_t slot;
    unsigned fl = pte_flags(g, pte);
    if (swap_entry_decode(g, pte, &slot))
        snprintf(buf, len, "swap slot %" PRId64, slot);
    else if (!(fl & PTE_V))
        snprintf(buf, len, "not present");
    else if ((sc->op == OP_WRITE || sc->op == OP_MODIFY) && !(fl & PTE_W))
        snprintf(buf, len, "read-only");
    else
        snprintf(buf, len, "no access");
}

/* The faulting level after the kernel fixed the entry: the value read, struck
 * through, and the value now. */
static void draw_fixed_level(const Painter *p, const Ui *ui, const Scene *sc, const Chain *c, unsigned l,
                             const SDL_Rect *in)
{
    const Geometry *g = &sim_machine(model_sim(&ui->m))->geo;
    char a[96], b[64], d[64], why[48];
    const char *lines[3] = { a, b, d };
    fault_words(g, sc, sc->fault_pte, why, sizeof why);
    snprintf(a, sizeof a, "%s[%u]: %s", geo_level_name(g, l), geo_index(g, l, sc->va), why);
    snprintf(b, sizeof b, "0x%0*" PRIx64, (int)g->pte_size * 2, sc->fault_pte);
    snprintf(d, sizeof d, "now 0x%0*" PRIx64, (int)g->pte_size * 2, c->pte[l]);
    FontId f;
    int y = box_lines_at(p, in, theme.text, theme.text, lines, 3, &f);
    int lh = p->fonts->lh[f], bw = text_width(p->fonts, f, b);
    int x1 = in->x + 4 + (bw < in->w - 6 ? bw : in->w - 6);
    hline(p, in->x + 4, x1, y + lh + lh / 2, theme.text);   /* the old value, struck through */
    hline(p, in->x + 4, x1, y + lh + lh / 2 + 1, theme.text);
}

static void draw_root(const Painter *p, const Ui *ui, const Scene *sc, const Chain *c, const Geometry *g)
{
    const SDL_Rect *r = &ui->L.root_box;
    const Process *pr = sim_proc_by_pid(model_sim(&ui->m), sc->pid);
    char a[64], b[64], d[64];
    snprintf(a, sizeof a, "%s (%.40s)", describe_root_register(g), pr ? pr->name : "none");
    if (c->root != PFN_NONE && (sc->access || sc->switched)) {
        snprintf(b, sizeof b, "= 0x%" PRIx64, (paddr_t)c->root << g->page_shift);
        snprintf(d, sizeof d, "%s in frame %" PRIu64, g->levels ? geo_level_name(g, 0) : "", c->root);
    } else {
        snprintf(b, sizeof b, "%s", pr && pr->root == PFN_NONE ? "(no tables)" : "");
        d[0] = '\0';
    }
    fill(p, r, mix(theme.panel, theme.bg, 0.5f));
    outline(p, r, sc->nread ? theme.accent : theme.border, 1);
    const char *lines[3] = { a, b, d };
    box_lines(p, r, theme.text, theme.dim, lines, 3);
}

/* One level's box: its entry's address, value and flags, or why it was not read. */
static void draw_level(const Painter *p, const Ui *ui, const Scene *sc, const Chain *c, unsigned l)
{
    const Geometry *g = &sim_machine(model_sim(&ui->m))->geo;
    const SDL_Rect *r = &ui->L.level_box[l];
    char a[64], b[64], d[64];
    const char *lines[3] = { a, b, d };
    bool faulted = sc->faulted && l == sc->fault_level && !c->peeked;
    SDL_Color bgc = mix(theme.panel, theme.bg, 0.5f);
    if (faulted) {
        float k = pulse(anim_age(&ui->anim, &ui->m, (size_t)sc->fault_ev), FX_FAULT_MS);
        bgc = mix(theme.fault, (SDL_Color){ 255, 220, 220, 255 }, k * 0.6f);
    }
    fill(p, r, bgc);
    SDL_Rect stripe = { r->x, r->y, 4, r->h };
    fill(p, &stripe, field_color(g, l));
    if (sc->access)
        snprintf(a, sizeof a, "%s[%u]", geo_level_name(g, l), geo_index(g, l, sc->va));
    else
        snprintf(a, sizeof a, "%s", geo_level_name(g, l));
    SDL_Rect in = { r->x + 4, r->y, r->w - 4, r->h };
    if (faulted && l < c->n && c->pte[l] != sc->fault_pte) {
        draw_fixed_level(p, ui, sc, c, l, &in);
        outline(p, r, reading_level(ui, sc) == (int)l ? theme.accent : theme.fault,
                reading_level(ui, sc) == (int)l ? 3 : 1);
        return;
    }
    if (l < c->n) {
        char fl[16];
        pte_describe(g, c->pte[l], fl, sizeof fl);
        snprintf(a + strlen(a), sizeof a - strlen(a), " @0x%" PRIx64, c->pte_pa[l]);
        snprintf(b, sizeof b, "0x%0*" PRIx64, (int)g->pte_size * 2, c->pte[l]);
        char why[48] = "";
        if (faulted)
            fault_words(g, sc, c->pte[l], why, sizeof why);
        const char *tail = faulted ? why : c->peeked ? "(in memory)" : "";
        snprintf(d, sizeof d, "%s%s%s", fl, tail[0] ? " " : "", tail);
    } else if (l > leaf_level(g, c) && c->n) {
        snprintf(b, sizeof b, "part of the offset");
        snprintf(d, sizeof d, "(a large page)");
    } else {
        snprintf(b, sizeof b, "%s", sc->tlb == TLB_HIT ? "not read" : "");
        d[0] = '\0';
    }
    box_lines(p, &in, l < c->n ? theme.text : theme.dim, faulted ? theme.text : theme.dim, lines,
              l < c->n || sc->access ? 3 : 1);
    outline(p, r, reading_level(ui, sc) == (int)l ? theme.accent : faulted ? theme.fault : theme.border,
            reading_level(ui, sc) == (int)l ? 3 : 1);
}

static void draw_pa(const Painter *p, const Ui *ui, const Scene *sc, const Geometry *g)
{
    const SDL_Rect *r = &ui->L.pa_box;
    char a[64], b[64], d[64];
    const char *lines[3] = { a, b, d };
    SDL_Color c = theme.text, bgc = mix(theme.panel, theme.bg, 0.5f);
    snprintf(a, sizeof a, "physical address");
    b[0] = d[0] = '\0';
    if (sc->translated) {
        snprintf(b, sizeof b, "0x%" PRIx64, sc->pa);
        snprintf(d, sizeof d, "frame %" PRIu64 " + 0x%" PRIx64, sc->pfn, sc->pa & (geo_page_size(g) - 1));
        bgc = mix(theme.hit, theme.bg, 0.55f);
    } else if (sc->segv || (sc->killed && sc->killed_pid == sc->pid && sc->access)) {
        snprintf(b, sizeof b, "none: %s", sc->segv ? (sc->fault == FAULT_SIGBUS ? "SIGBUS" : sc->fault == FAULT_SIGABRT
                 ? "SIGABRT" : "SIGSEGV") : "OOM-killed");
        snprintf(d, sizeof d, "the process dies");
        bgc = mix(sc->segv ? theme.segv : theme.oom, theme.bg, 0.35f);
    } else if (sc->faulted) {
        snprintf(b, sizeof b, "page fault:");
        snprintf(d, sizeof d, sc->fault == FAULT_UNHANDLED ? "no OS: not repaired" : "the kernel maps it");
    }
    fill(p, r, bgc);
    outline(p, r, sc->translated ? theme.hit : theme.border, 1);
    box_lines(p, r, c, sc->translated || b[0] == 'n' ? theme.text : theme.dim, lines, 3);
}

/* Arrows: register -> first table -> ... -> frame, lit up to where the walk is. */
static void draw_arrows(const Painter *p, const Ui *ui, const Scene *sc, const Chain *c, const Geometry *g)
{
    const Layout *L = &ui->L;
    int y = L->root_box.y + L->root_box.h / 2, head = L->u / 3 + 2;
    int x0 = L->root_box.x + L->root_box.w;
    for (unsigned l = 0; l <= g->levels; l++) {
        const SDL_Rect *to = l < g->levels ? &L->level_box[l] : &L->pa_box;
        bool lit = l < c->n || (l == g->levels && sc->translated);
        arrow_right(p, x0 + 2, to->x - 2, y, lit ? theme.accent : theme.border, head);
        if (l < g->levels) {
            const SDL_Rect *f = &L->field[l];
            vline(p, f->x + f->w / 2, f->y + f->h, to->y - 1, lit ? field_color(g, l) : theme.border);
        }
        x0 = to->x + to->w;
    }
    const SDL_Rect *off = &L->field[g->levels];
    vline(p, off->x + off->w / 2, off->y + off->h, L->pa_box.y - 1, theme.border);
}

void draw_walk(const Painter *p, const Ui *ui, const Scene *sc)
{
    const Geometry *g = &sim_machine(model_sim(&ui->m))->geo;
    Chain c;
    chain_of(ui, sc, &c);
    draw_arrows(p, ui, sc, &c, g);
    draw_root(p, ui, sc, &c, g);
    for (unsigned l = 0; l < g->levels; l++)
        draw_level(p, ui, sc, &c, l);
    draw_pa(p, ui, sc, g);
    const SDL_Rect *s = &ui->L.walk_status;
    const char *msg = ui->m.error[0] ? ui->m.error : sc->banner;
    SDL_Color col = ui->m.error[0] ? theme.segv : tone_color(sc->banner_tone);
    int w = text_draw(p, FONT_NORMAL, s->x, s->y + 1, col, msg, s->w);
    if (sc->note[0] && !ui->m.error[0] && w + 4 * p->fonts->cw[FONT_NORMAL] < s->w) {
        w += text_draw(p, FONT_NORMAL, s->x + w, s->y + 1, theme.dim, ";  ", 0);
        text_draw(p, FONT_NORMAL, s->x + w, s->y + 1, sc->evicted ? theme.evict : theme.text, sc->note, s->w - w);
    }
}

/* ---- hover ----------------------------------------------------------------- */

static void flag_words(unsigned fl, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s%s%s%s%s",
             fl & PTE_V ? "present" : "not present", fl & PTE_R ? ", read" : "",
             fl & PTE_W ? ", write" : "", fl & PTE_X ? ", execute" : "", fl & PTE_U ? ", user" : "",
             fl & PTE_A ? ", accessed" : "", fl & PTE_D ? ", dirty" : "", fl & PTE_G ? ", global" : "",
             fl & PTE_H ? ", large page" : "");
}

bool hover_walk(const Ui *ui, const Scene *sc, int x, int y, char *buf, size_t len)
{
    const Geometry *g = &sim_machine(model_sim(&ui->m))->geo;
    Chain c;
    chain_of(ui, sc, &c);
    for (unsigned l = 0; l < g->levels && l < c.n; l++) {
        if (!rect_has(&ui->L.level_box[l], x, y))
            continue;
        char fw[128];
        unsigned fl = pte_flags(g, c.pte[l]);
        flag_words(fl, fw, sizeof fw);
        bool leaf = (fl & PTE_V) && pte_is_leaf(g, c.pte[l], l);
        bool faulted = sc->faulted && l == sc->fault_level && !c.peeked;
        snprintf(buf, len, "%s entry %u at physical 0x%" PRIx64 "\nvalue 0x%0*" PRIx64 "\n%s\n%s %" PRIu64 "%s%s",
                 geo_level_name(g, l), geo_index(g, l, sc->va), c.pte_pa[l], (int)g->pte_size * 2,
                 c.pte[l], fw, !(fl & PTE_V) ? "frame field" : leaf ? "maps frame" : "next table in frame",
                 pte_pfn(g, c.pte[l]), c.peeked ? "\n(read from memory: this step hit the TLB)" : "",
                 faulted && c.pte[l] != sc->fault_pte ? "\nthe walk faulted here on the value struck through" : "");
        return true;
    }
    if (rect_has(&ui->L.root_box, x, y) && c.root != PFN_NONE) {
        snprintf(buf, len, "%s holds the root table's address:\nframe %" PRIu64 " (0x%" PRIx64 ")",
                 describe_root_register(g), c.root, (paddr_t)c.root << g->page_shift);
        return true;
    }
    return false;
}
