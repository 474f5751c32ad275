/* Text: a monospace font found through fontconfig, opened with SDL_ttf in three
 * sizes, and drawn from a glyph atlas (one texture per font per renderer), so a frame
 * full of numbers costs texture copies, not font rendering. */
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

/* Glyphs beyond printable ASCII that the window uses. */
static const Uint32 extra[] = {
    0x2192, 0x2190, 0x2191, 0x2193, 0x00D7, 0x2014, 0x2026, 0x25B6, 0x25C0, 0x25A0,
    0x25CF, 0x00B7, 0x2713, 0x2717, 0x25B2, 0x25BC, 0x2502, 0x2500, 0x2264, 0x2265,
    0x2212, 0x21B5, 0x25A1, 0x2196,
};
enum { NASCII = 95, NGLYPHS = NASCII + (int)(sizeof extra / sizeof extra[0]), ATLAS_COLS = 32 };

/* The atlas cell of code point cp, or -1. */
static int glyph_index(Uint32 cp)
{
    if (cp >= 32 && cp < 127)
        return (int)cp - 32;
    for (int i = 0; i < (int)(sizeof extra / sizeof extra[0]); i++)
        if (extra[i] == cp)
            return NASCII + i;
    return -1;
}

static Uint32 glyph_cp(int i)
{
    return i < NASCII ? (Uint32)(i + 32) : extra[i - NASCII];
}

/* Decodes one UTF-8 character at *s and advances past it (bad bytes read as '?'). */
static Uint32 utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    Uint32 c = p[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        (*s)++;
        return '?';
    }
    c = n == 0 ? c : c & (0x3Fu >> n);
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += i;
            return '?';
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    *s += n + 1;
    return c;
}

size_t text_len(const char *s)
{
    size_t n = 0;
    while (*s) {
        utf8_next(&s);
        n++;
    }
    return n;
}

int text_width(const Fonts *f, FontId font, const char *s)
{
    return (int)text_len(s) * f->cw[font];
}

/* fontconfig's best match for name, if it is a monospace font. */
static bool match_mono(FcConfig *cfg, const char *name, char *path, size_t len)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)name);
    if (!pat)
        return false;
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = FcFontMatch(cfg, pat, &res);
    FcPatternDestroy(pat);
    bool ok = false;
    FcChar8 *file;
    int spacing;
    if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetInteger(m, FC_SPACING, 0, &spacing) == FcResultMatch && spacing >= FC_MONO &&
        access((const char *)file, R_OK) == 0 && strlen((const char *)file) < len) {
        snprintf(path, len, "%s", (const char *)file);
        ok = true;
    }
    if (m)
        FcPatternDestroy(m);
    return ok;
}

int fonts_find(char *path, size_t len, char *err, size_t errlen)
{
    const char *env = getenv("VMSIM_FONT");
    if (env && *env) {
        if (access(env, R_OK) != 0 || strlen(env) >= len) {
            snprintf(err, errlen, "VMSIM_FONT=%s: no such font file", env);
            return -1;
        }
        snprintf(path, len, "%s", env);
        return 0;
    }
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    bool ok = cfg && (match_mono(cfg, "DejaVu Sans Mono", path, len) ||
                      match_mono(cfg, "monospace", path, len));
    if (cfg)
        FcConfigDestroy(cfg);
    FcFini();
    if (!ok)
        snprintf(err, errlen, "no monospace font found through fontconfig "
                 "(install fonts-dejavu-core, or set VMSIM_FONT to a .ttf file)");
    return ok ? 0 : -1;
}

int fonts_base_px(int w, int h)
{
    int px = h / 54 < w / 90 ? h / 54 : w / 90;
    return px < 10 ? 10 : px > 72 ? 72 : px;
}

int fonts_open(Fonts *f, const char *path, int base_px, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    int px[FONT_COUNT] = { base_px * 82 / 100, base_px, base_px * 135 / 100 };
    for (int i = 0; i < FONT_COUNT; i++) {
        f->px[i] = px[i] < 8 ? 8 : px[i];
        f->ttf[i] = TTF_OpenFont(path, f->px[i]);
        int adv = 0;
        if (!f->ttf[i] || TTF_GlyphMetrics32(f->ttf[i], 'M', NULL, NULL, NULL, NULL, &adv) != 0) {
            snprintf(err, errlen, "%s: cannot open the font: %s", path, TTF_GetError());
            fonts_close(f);
            return -1;
        }
        f->cw[i] = adv;
        f->lh[i] = TTF_FontHeight(f->ttf[i]);
    }
    return 0;
}

void fonts_close(Fonts *f)
{
    for (int i = 0; i < FONT_COUNT; i++)
        if (f->ttf[i])
            TTF_CloseFont(f->ttf[i]);
    memset(f->ttf, 0, sizeof f->ttf);
}

/* Renders every glyph white into one surface of cw x *ch cells; *ch is the tallest
 * glyph (an underscore may reach below the line height), tops aligned. */
static SDL_Surface *atlas_surface(TTF_Font *font, int cw, int *ch)
{
    SDL_Surface *g[NGLYPHS];
    SDL_Color white = { 255, 255, 255, 255 };
    for (int i = 0; i < NGLYPHS; i++) {
        Uint32 cp = glyph_cp(i);
        g[i] = cp != ' ' && TTF_GlyphIsProvided32(font, cp) ? TTF_RenderGlyph32_Blended(font, cp, white) : NULL;
        if (g[i] && g[i]->h > *ch)
            *ch = g[i]->h;
    }
    int rows = (NGLYPHS + ATLAS_COLS - 1) / ATLAS_COLS;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, ATLAS_COLS * cw, rows * *ch, 32,
                                                    SDL_PIXELFORMAT_ARGB8888);
    if (s)
        SDL_FillRect(s, NULL, 0);
    for (int i = 0; i < NGLYPHS; i++) {
        if (!g[i])
            continue;
        SDL_SetSurfaceBlendMode(g[i], SDL_BLENDMODE_NONE);
        SDL_Rect src = { 0, 0, g[i]->w < cw ? g[i]->w : cw, g[i]->h };
        SDL_Rect dst = { (i % ATLAS_COLS) * cw, (i / ATLAS_COLS) * *ch, src.w, src.h };
        if (s)
            SDL_BlitSurface(g[i], &src, s, &dst);
        SDL_FreeSurface(g[i]);
    }
    return s;
}

int painter_init(Painter *p, SDL_Renderer *r, const Fonts *f, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->fonts = f;
    for (int i = 0; i < FONT_COUNT; i++) {
        Atlas *a = &p->atlas[i];
        a->cw = f->cw[i];
        a->lh = f->lh[i];
        a->cols = ATLAS_COLS;
        SDL_Surface *s = atlas_surface(f->ttf[i], a->cw, &a->lh);
        a->tex = s ? SDL_CreateTextureFromSurface(r, s) : NULL;
        SDL_FreeSurface(s);
        if (!a->tex) {
            snprintf(err, errlen, "cannot make the glyph texture: %s", SDL_GetError());
            painter_fini(p);
            return -1;
        }
        SDL_SetTextureBlendMode(a->tex, SDL_BLENDMODE_BLEND);
    }
    return 0;
}

void painter_fini(Painter *p)
{
    for (int i = 0; i < FONT_COUNT; i++) {
        if (p->atlas[i].tex)
            SDL_DestroyTexture(p->atlas[i].tex);
        p->atlas[i].tex = NULL;
    }
}

static void textout_add(const Painter *p, const char *s, SDL_Rect box, int width, bool cut);

static void put_glyph(const Painter *p, const Atlas *a, int idx, int x, int y)
{
    SDL_Rect src = { (idx % a->cols) * a->cw, (idx / a->cols) * a->lh, a->cw, a->lh };
    SDL_Rect dst = { x, y, a->cw, a->lh };
    SDL_RenderCopy(p->r, a->tex, &src, &dst);
}

int text_draw(const Painter *p, FontId f, int x, int y, SDL_Color c, const char *s, int max_w)
{
    const Atlas *a = &p->atlas[f];
    if (!a->tex || !s)
        return 0;
    SDL_SetTextureColorMod(a->tex, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(a->tex, c.a);
    int fit = max_w > 0 ? max_w / a->cw : INT32_MAX;
    int total = (int)text_len(s), n = 0, x0 = x;
    const char *whole = s;
    while (*s && n < fit) {
        Uint32 cp = utf8_next(&s);
        if (total > fit && n == fit - 1)
            cp = 0x2026;                     /* cut short: end in an ellipsis */
        int idx = glyph_index(cp);
        if (idx < 0)
            idx = glyph_index('?');
        if (cp != ' ')
            put_glyph(p, a, idx, x, y);
        x += a->cw;
        n++;
    }
    textout_add(p, whole, (SDL_Rect){ x0, y, x - x0, p->fonts->lh[f] }, total * a->cw, n < total);
    return x - x0;
}

/* ---- the text map (--text-out) ------------------------------------------------ */

void painter_panel(const Painter *p, const char *panel, const SDL_Rect *area)
{
    if (!p->out)
        return;
    p->out->panel = panel;
    p->out->area = area ? *area : (SDL_Rect){ 0, 0, 0, 0 };
}

static bool box_inside(const SDL_Rect *b, const SDL_Rect *area)
{
    return area->w == 0 || (b->x >= area->x && b->y >= area->y &&
                            b->x + b->w <= area->x + area->w && b->y + b->h <= area->y + area->h);
}

static void textout_add(const Painter *p, const char *s, SDL_Rect box, int width, bool cut)
{
    TextOut *t = p->out;
    if (!t || !*s)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        TextRec *r = realloc(t->rec, cap * sizeof *r);
        if (!r)
            return;
        t->rec = r;
        t->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return;
    t->rec[t->n++] = (TextRec){ copy, t->panel ? t->panel : "window", box, width, cut,
                                !box_inside(&box, &t->area) };
}

void textout_clear(TextOut *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rec[i].text);
    t->n = 0;
}

void textout_free(TextOut *t)
{
    textout_clear(t);
    free(t->rec);
    memset(t, 0, sizeof *t);
}

/* s as a JSON string: quotes, backslashes and control characters escaped. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The records in ctx as a JSON array, one object a line (app_write_file's fn). */
static int textout_write(FILE *f, void *ctx)
{
    const TextOut *t = ctx;
    fputs("[\n", f);
    for (size_t i = 0; i < t->n; i++) {
        const TextRec *r = &t->rec[i];
        fputs("  {\"text\": ", f);
        json_string(f, r->text);
        fprintf(f, ", \"panel\": \"%s\", \"box\": [%d, %d, %d, %d], \"width\": %d, "
                "\"cut\": %s, \"outside\": %s}%s\n", r->panel, r->box.x, r->box.y, r->box.w,
                r->box.h, r->width, r->cut ? "true" : "false", r->outside ? "true" : "false",
                i + 1 < t->n ? "," : "");
    }
    fputs("]\n", f);
    return 0;
}

int textout_save(const TextOut *t, const char *path, char *err, size_t errlen)
{
    return app_write_file(path, textout_write, (void *)t, err, errlen);
}
