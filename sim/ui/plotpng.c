/* vmsim-gui plot FILE.png: draws the display list `vmsim sweep --plot FILE.png` pipes
 * in (sim/sweep/plot.c writes it) with SDL's software renderer, three times the size,
 * and averages each 3 x 3 block into one pixel (antialiasing), then saves the PNG. No
 * display is needed. Text is DejaVu Sans, found beside the monospace font fontconfig
 * gives (that font itself if there is no sans beside it). */
#include <SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

enum { SS = 3, MAX_LINE = 1 << 16, MAX_FONTS = 16 };

typedef struct PlotFont {
    int size;
    bool bold;
    TTF_Font *f;
} PlotFont;

typedef struct Pen {
    SDL_Renderer *r;
    char regular[1024], bold[1024];
    PlotFont fonts[MAX_FONTS];
    int nfonts;
} Pen;

static SDL_Color rgb(const char *hex)
{
    unsigned long v = strtoul(hex, NULL, 16);
    return (SDL_Color){ (Uint8)(v >> 16), (Uint8)(v >> 8), (Uint8)v, 255 };
}

/* The sans font beside the monospace one ("DejaVuSansMono" -> "DejaVuSans"). */
static void sans_beside(const char *mono, const char *suffix, char *out, size_t len)
{
    const char *m = strstr(mono, "SansMono");
    snprintf(out, len, "%s", mono);
    if (!m)
        return;
    char try[1024];
    snprintf(try, sizeof try, "%.*sSans%s.ttf", (int)(m - mono), mono, suffix);
    if (access(try, R_OK) == 0)
        snprintf(out, len, "%s", try);
}

static TTF_Font *pen_font(Pen *p, int size, bool bold)
{
    for (int i = 0; i < p->nfonts; i++)
        if (p->fonts[i].size == size && p->fonts[i].bold == bold)
            return p->fonts[i].f;
    if (p->nfonts == MAX_FONTS)
        return p->fonts[0].f;
    TTF_Font *f = TTF_OpenFont(bold ? p->bold : p->regular, size * SS);
    if (f && bold && strcmp(p->bold, p->regular) == 0)
        TTF_SetFontStyle(f, TTF_STYLE_BOLD);
    if (f)
        p->fonts[p->nfonts++] = (PlotFont){ size, bold, f };
    return f;
}

static void fill_tri(SDL_Renderer *r, SDL_Color c, float ax, float ay, float bx, float by, float cx, float cy)
{
    SDL_Vertex v[3] = { { { ax, ay }, c, { 0, 0 } }, { { bx, by }, c, { 0, 0 } }, { { cx, cy }, c, { 0, 0 } } };
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}

static void disc(SDL_Renderer *r, double x, double y, double rad, SDL_Color c)
{
    enum { N = 32 };
    x *= SS, y *= SS, rad *= SS;
    for (int i = 0; i < N; i++) {
        double a0 = 2 * 3.14159265358979 * i / N, a1 = 2 * 3.14159265358979 * (i + 1) / N;
        fill_tri(r, c, (float)x, (float)y, (float)(x + rad * cos(a0)), (float)(y + rad * sin(a0)),
                 (float)(x + rad * cos(a1)), (float)(y + rad * sin(a1)));
    }
}

/* A segment w wide: a quad of two triangles. */
static void segment(SDL_Renderer *r, double x0, double y0, double x1, double y1, double w, SDL_Color c)
{
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len == 0)
        return;
    double nx = -dy / len * w / 2 * SS, ny = dx / len * w / 2 * SS;
    x0 *= SS, y0 *= SS, x1 *= SS, y1 *= SS;
    fill_tri(r, c, (float)(x0 + nx), (float)(y0 + ny), (float)(x1 + nx), (float)(y1 + ny), (float)(x1 - nx), (float)(y1 - ny));
    fill_tri(r, c, (float)(x0 + nx), (float)(y0 + ny), (float)(x1 - nx), (float)(y1 - ny), (float)(x0 - nx), (float)(y0 - ny));
}

/* Text with its baseline at (x, y), anchored start, middle or end, maybe turned a
 * quarter counter-clockwise about that point. */
static void text(Pen *p, double x, double y, int size, int anchor, bool bold, bool vertical,
                 SDL_Color c, const char *s)
{
    TTF_Font *f = pen_font(p, size, bold);
    SDL_Surface *sf = f && *s ? TTF_RenderUTF8_Blended(f, s, c) : NULL;
    SDL_Texture *t = sf ? SDL_CreateTextureFromSurface(p->r, sf) : NULL;
    if (t) {
        SDL_Rect d = { (int)(x * SS) - (anchor == 1 ? sf->w / 2 : anchor == 2 ? sf->w : 0),
                       (int)(y * SS) - TTF_FontAscent(f), sf->w, sf->h };
        SDL_Point at = { (int)(x * SS) - d.x, (int)(y * SS) - d.y };
        SDL_RenderCopyEx(p->r, t, NULL, &d, vertical ? -90 : 0, &at, SDL_FLIP_NONE);
        SDL_DestroyTexture(t);
    }
    SDL_FreeSurface(sf);
}

/* One line of the display list. Returns 0, or -1 if it is not one. */
static int draw_item(Pen *p, char *line)
{
    double a, b, c, d, w;
    char col[8];
    int n, size, anchor, bold, vert;
    if (sscanf(line, "L %lf %lf %lf %lf %lf %7s", &a, &b, &c, &d, &w, col) == 6) {
        segment(p->r, a, b, c, d, w, rgb(col));
    } else if (sscanf(line, "C %lf %lf %lf %7s", &a, &b, &c, col) == 4) {
        disc(p->r, a, b, c, rgb(col));
    } else if (sscanf(line, "T %lf %lf %d %d %d %d %7s %n", &a, &b, &size, &anchor, &bold, &vert, col, &n) == 7) {
        text(p, a, b, size, anchor, bold, vert, rgb(col), line + n);
    } else if (sscanf(line, "P %lf %7s %d %n", &w, col, &size, &n) == 3) {
        char *s = line + n, *end;
        double px = 0, py = 0;
        for (int i = 0; i < size; i++) {
            double x = strtod(s, &end), y = strtod(end, &s);
            if (i)
                segment(p->r, px, py, x, y, w, rgb(col));
            disc(p->r, x, y, w / 2, rgb(col));      /* round joins */
            px = x, py = y;
        }
    } else {
        return -1;
    }
    return 0;
}

/* Averages each SS x SS block of big into one pixel of small. */
static void shrink(SDL_Surface *big, SDL_Surface *small)
{
    for (int y = 0; y < small->h; y++)
        for (int x = 0; x < small->w; x++) {
            unsigned sum[4] = { 0 };
            for (int j = 0; j < SS; j++)
                for (int i = 0; i < SS; i++) {
                    Uint32 v = ((Uint32 *)((Uint8 *)big->pixels + (y * SS + j) * big->pitch))[x * SS + i];
                    for (int k = 0; k < 4; k++)
                        sum[k] += (v >> (8 * k)) & 0xff;
                }
            Uint32 out = 0;
            for (int k = 0; k < 4; k++)
                out |= (sum[k] / (SS * SS)) << (8 * k);
            ((Uint32 *)((Uint8 *)small->pixels + y * small->pitch))[x] = out;
        }
}

/* Draws the items of in on p's renderer. Returns 0, or -1 with err naming the line. */
static int draw_items(Pen *p, FILE *in, char *line, char *err, size_t errlen)
{
    for (unsigned long ln = 2; fgets(line, MAX_LINE, in); ln++) {
        line[strcspn(line, "\n")] = '\0';
        if (draw_item(p, line) != 0) {
            snprintf(err, errlen, "plot stdin:%lu: expected L, P, C or T and their numbers", ln);
            return -1;
        }
    }
    return 0;
}

/* Draws w x h at SS times the size into a surface averaged down. NULL with err set. */
static SDL_Surface *plot_draw(Pen *p, FILE *in, int w, int h, char *line, char *err, size_t errlen)
{
    SDL_Surface *big = SDL_CreateRGBSurfaceWithFormat(0, w * SS, h * SS, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Surface *small = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    p->r = big ? SDL_CreateSoftwareRenderer(big) : NULL;
    int bad = 0;
    if (!p->r || !small) {
        snprintf(err, errlen, "cannot draw offscreen: %s", SDL_GetError());
        bad = 1;
    } else {
        SDL_SetRenderDrawColor(p->r, 255, 255, 255, 255);
        SDL_RenderClear(p->r);
        SDL_SetRenderDrawBlendMode(p->r, SDL_BLENDMODE_BLEND);
        bad = draw_items(p, in, line, err, errlen) != 0;
        SDL_RenderFlush(p->r);
        shrink(big, small);
    }
    if (p->r)
        SDL_DestroyRenderer(p->r);
    SDL_FreeSurface(big);
    if (bad) {
        SDL_FreeSurface(small);
        return NULL;
    }
    return small;
}

SDL_Surface *ui_plot_render(FILE *in, char *err, size_t errlen)
{
    static char line[MAX_LINE];
    char mono[1024];
    int w, h;
    if (!fgets(line, sizeof line, in) || sscanf(line, "S %d %d", &w, &h) != 2 || w < 16 || h < 16 ||
        w > 8192 || h > 8192) {
        snprintf(err, errlen, "plot stdin:1: expected 'S WIDTH HEIGHT'");
        return NULL;
    }
    if (fonts_find(mono, sizeof mono, err, errlen) != 0)
        return NULL;
    Pen p = { 0 };
    sans_beside(mono, "", p.regular, sizeof p.regular);
    sans_beside(mono, "-Bold", p.bold, sizeof p.bold);
    SDL_Surface *img = plot_draw(&p, in, w, h, line, err, errlen);
    for (int i = 0; i < p.nfonts; i++)
        TTF_CloseFont(p.fonts[i].f);
    return img;
}

int ui_cmd_plot(int argc, char **argv)
{
    char err[1024];
    if (argc != 3) {
        fputs("usage: vmsim-gui plot FILE.png < DISPLAY-LIST (vmsim sweep --plot FILE.png runs it)\n", stderr);
        return EXIT_USAGE;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, "vmsim: cannot start SDL_ttf: %s\n", TTF_GetError());
        return EXIT_FAILED;
    }
    IMG_Init(IMG_INIT_PNG);
    SDL_Surface *img = ui_plot_render(stdin, err, sizeof err);
    int status = !img ? EXIT_USAGE : ui_save_png(img, argv[2], err, sizeof err) != 0 ? EXIT_FAILED : EXIT_OK;
    if (status != EXIT_OK)
        fprintf(stderr, "vmsim: %s\n", err);
    SDL_FreeSurface(img);
    IMG_Quit();
    TTF_Quit();
    SDL_Quit();
    return status;
}
