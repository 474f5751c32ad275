/* Plots of a sweep: one line per series (the values of the other varied keys, and the
 * trace when there are several) of a y column against the numeric varied key.
 *
 * The layout is computed once, for a 1200 x 800 canvas, and drawn through a Canvas: an
 * SVG writer, or a display list piped to vmsim-gui, which draws it with SDL and saves
 * the PNG (so vmsim itself links no graphics library). A .gp file is a gnuplot script
 * with the data inline. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

enum { W = 1200, H = 800, MAX_SERIES = 16 };
enum { PX0 = 120, PX1 = 900, PY0 = 120, PY1 = 680 };     /* the plotting area */

static const char *const palette[] = {
    "1f77b4", "d62728", "2ca02c", "ff7f0e", "9467bd", "8c564b", "e377c2", "17becf",
    "7f7f7f", "bcbd22", "393b79", "ad494a", "637939", "8c6d31", "7b4173", "3182bd",
};

typedef struct Series {
    char label[160];
    size_t *rows;
    size_t n;
} Series;

typedef struct Plot {
    const Table *t;
    long xcol, ycol;
    double yscale;                 /* 100 for rates shown as percent */
    bool logx;
    Series s[MAX_SERIES];
    size_t ns;
    double x0, x1, y0, y1;         /* the axes' ranges */
    double ystep;                  /* between the y ticks */
    char title[400], subtitle[400], xlabel[160], ylabel[160], legend[160];
} Plot;

/* ---- drawing surfaces ------------------------------------------------------------- */

typedef enum { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END } Anchor;

/* A surface the layout draws on; colours are "rrggbb". */
typedef struct Canvas {
    FILE *out;
    void (*line)(struct Canvas *c, double x0, double y0, double x1, double y1, double w, const char *rgb);
    void (*poly)(struct Canvas *c, const double *xy, size_t n, double w, const char *rgb);
    void (*dot)(struct Canvas *c, double x, double y, double r, const char *rgb);
    void (*text)(struct Canvas *c, double x, double y, int size, Anchor a, bool bold, bool vertical,
                 const char *rgb, const char *s);
} Canvas;

static void svg_line(Canvas *c, double x0, double y0, double x1, double y1, double w, const char *rgb)
{
    fprintf(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#%s\" "
            "stroke-width=\"%.1f\"/>\n", x0, y0, x1, y1, rgb, w);
}

static void svg_poly(Canvas *c, const double *xy, size_t n, double w, const char *rgb)
{
    fprintf(c->out, "<polyline fill=\"none\" stroke=\"#%s\" stroke-width=\"%.1f\" "
            "stroke-linejoin=\"round\" points=\"", rgb, w);
    for (size_t i = 0; i < n; i++)
        fprintf(c->out, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    fputs("\"/>\n", c->out);
}

static void svg_dot(Canvas *c, double x, double y, double r, const char *rgb)
{
    fprintf(c->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#%s\"/>\n", x, y, r, rgb);
}

static void svg_text(Canvas *c, double x, double y, int size, Anchor a, bool bold, bool vertical,
                     const char *rgb, const char *s)
{
    static const char *const anchors[] = { "start", "middle", "end" };
    fprintf(c->out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"#%s\"%s", x, y,
            size, anchors[a], rgb, bold ? " font-weight=\"bold\"" : "");
    if (vertical)
        fprintf(c->out, " transform=\"rotate(-90 %.1f %.1f)\"", x, y);
    fputc('>', c->out);
    for (; *s; s++) {
        if (*s == '&')
            fputs("&amp;", c->out);
        else if (*s == '<')
            fputs("&lt;", c->out);
        else if (*s == '>')
            fputs("&gt;", c->out);
        else
            fputc(*s, c->out);
    }
    fputs("</text>\n", c->out);
}

/* The display list vmsim-gui reads (sim/ui/plotpng.c): the size "S w h", then one
 * primitive a line,
 *   L x0 y0 x1 y1 width rgb      P width rgb n x y x y ...      C x y r rgb
 *   T x y size anchor(0-2) bold(0/1) vertical(0/1) rgb text... */
static void list_line(Canvas *c, double x0, double y0, double x1, double y1, double w, const char *rgb)
{
    fprintf(c->out, "L %.1f %.1f %.1f %.1f %.1f %s\n", x0, y0, x1, y1, w, rgb);
}

static void list_poly(Canvas *c, const double *xy, size_t n, double w, const char *rgb)
{
    fprintf(c->out, "P %.1f %s %zu", w, rgb, n);
    for (size_t i = 0; i < 2 * n; i++)
        fprintf(c->out, " %.1f", xy[i]);
    fputc('\n', c->out);
}

static void list_dot(Canvas *c, double x, double y, double r, const char *rgb)
{
    fprintf(c->out, "C %.1f %.1f %.1f %s\n", x, y, r, rgb);
}

static void list_text(Canvas *c, double x, double y, int size, Anchor a, bool bold, bool vertical,
                      const char *rgb, const char *s)
{
    fprintf(c->out, "T %.1f %.1f %d %d %d %d %s ", x, y, size, (int)a, bold, vertical, rgb);
    for (; *s; s++)
        fputc(*s == '\n' ? ' ' : *s, c->out);
    fputc('\n', c->out);
}

/* ---- what to plot ----------------------------------------------------------------- */

static bool is_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end && isfinite(*v);
}

/* The x column: the varied key whose values are all numbers, with the most distinct
 * values (memory.frames first on a tie). -1 if none. */
static long pick_x(const Table *t)
{
    long best = -1;
    size_t best_n = 0;
    for (size_t c = 1; c <= t->nkeys; c++) {
        size_t distinct = 0;
        bool numeric = true;
        for (size_t r = 0; r < t->nrows && numeric; r++) {
            double v;
            numeric = is_number(table_at(t, r, c), &v);
            distinct += r == 0 || strcmp(table_at(t, r, c), table_at(t, 0, c)) != 0;
        }
        if (numeric && (distinct > best_n || (distinct == best_n && strcmp(t->head[c], "memory.frames") == 0))) {
            best = (long)c;
            best_n = distinct;
        }
    }
    return best;
}

/* Axis words for a column: what it counts, with its unit. */
static void column_words(const char *name, char *buf, size_t len, double *scale)
{
    static const struct { const char *name, *words; double scale; } known[] = {
        { "memory.frames", "frames of physical memory (memory.frames)", 1 },
        { "tlb.entries", "TLB entries (tlb.entries)", 1 },
        { "tlb.ways", "TLB ways (tlb.ways)", 1 },
        { "stlb.entries", "second-level TLB entries (stlb.entries)", 1 },
        { "page_faults", "page faults", 1 },
        { "evictions", "evictions", 1 },
        { "tlb_hit_rate", "TLB hit rate (% of references)", 100 },
        { "effective_access_time", "effective access time (cycles per reference)", 1 },
        { "cycles", "cycles", 1 },
        { "references", "references", 1 },
    };
    *scale = 1;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0) {
            snprintf(buf, len, "%s", known[i].words);
            *scale = known[i].scale;
            return;
        }
    snprintf(buf, len, "%s", name);
}

/* The y column: asked for, or by the x key (TLB keys: hit rate; else page faults). */
static long pick_y(const Plot *p, const char *y, char *err, size_t errlen)
{
    const char *x = p->t->head[p->xcol];
    const char *want = y ? y : strstr(x, "tlb.") ? "tlb_hit_rate" : "page_faults";
    long c = table_col(p->t, want);
    if (c < 0 || (size_t)c <= p->t->nkeys) {
        snprintf(err, errlen, "no column '%s' to plot%s", want,
                 y ? "" : " (give --plot-y COLUMN, or --counters with it)");
        return -1;
    }
    return c;
}

/* Groups the rows into series by everything but x. */
static int pick_series(Plot *p, char *err, size_t errlen)
{
    const Table *t = p->t;
    bool traces = false;
    for (size_t r = 1; r < t->nrows; r++)
        traces |= strcmp(table_at(t, r, 0), table_at(t, 0, 0)) != 0;
    for (size_t r = 0; r < t->nrows; r++) {
        char label[160] = "";
        size_t n = 0;
        for (size_t c = traces ? 0 : 1; c <= t->nkeys; c++) {
            if ((long)c == p->xcol)
                continue;
            const char *v = table_at(t, r, c), *slash = c == 0 ? strrchr(v, '/') : NULL;
            double num;
            bool bare = c == 0 || !is_number(v, &num);   /* "fifo"; "tlb.ways=2" */
            n += (size_t)snprintf(label + n, n < sizeof label ? sizeof label - n : 0, "%s%s%s%s",
                                  n ? ", " : "", bare ? "" : t->head[c], bare ? "" : "=",
                                  slash ? slash + 1 : v);
            if (n >= sizeof label)
                n = sizeof label - 1;
        }
        size_t s = 0;
        while (s < p->ns && strcmp(p->s[s].label, label) != 0)
            s++;
        if (s == MAX_SERIES) {
            snprintf(err, errlen, "more than %d lines to draw: vary fewer keys", MAX_SERIES);
            return -1;
        }
        if (s == p->ns) {
            snprintf(p->s[p->ns].label, sizeof p->s[0].label, "%s", label);
            if (!(p->s[p->ns++].rows = calloc(t->nrows, sizeof(size_t))))
                return snprintf(err, errlen, "out of memory"), -1;
        }
        p->s[s].rows[p->s[s].n++] = r;
    }
    size_t n = 0;
    for (size_t c = traces ? 0 : 1; c <= t->nkeys; c++)
        if ((long)c != p->xcol)
            n += (size_t)snprintf(p->legend + n, n < sizeof p->legend ? sizeof p->legend - n : 0,
                                  "%s%s", n ? ", " : "", t->head[c]);
    return 0;
}

static double xval(const Plot *p, size_t r)
{
    return strtod(table_at(p->t, r, (size_t)p->xcol), NULL);
}

static double yval(const Plot *p, size_t r)
{
    return strtod(table_at(p->t, r, (size_t)p->ycol), NULL) * p->yscale;
}

/* A round step near range / n: 1, 2 or 5 times a power of ten. */
static double nice_step(double range, int n)
{
    double raw = range / n, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void ranges(Plot *p)
{
    p->x0 = p->y0 = INFINITY;
    p->x1 = p->y1 = -INFINITY;
    for (size_t r = 0; r < p->t->nrows; r++) {
        p->x0 = fmin(p->x0, xval(p, r));
        p->x1 = fmax(p->x1, xval(p, r));
        p->y0 = fmin(p->y0, yval(p, r));
        p->y1 = fmax(p->y1, yval(p, r));
    }
    p->logx = p->x0 >= 1 && p->x1 / p->x0 >= 256;
    if (p->x1 <= p->x0)
        p->x1 = p->x0 + 1;
    /* Percentages: from a round number below the lowest (hit rates crowd near 100). */
    if (p->yscale == 100 && p->y1 > 50) {
        p->ystep = p->y0 >= 90 ? 2 : p->y0 >= 50 ? 5 : 10;
        p->y0 = floor(p->y0 / p->ystep) * p->ystep;
        p->y1 = 100;
    } else {
        p->y0 = 0;
        p->ystep = nice_step(p->y1 > 0 ? p->y1 : 1, 6);
        p->y1 = ceil((p->y1 > 0 ? p->y1 : 1) * 1.02 / p->ystep) * p->ystep;
    }
}

static double px(const Plot *p, double x)
{
    double f = p->logx ? log2(x / p->x0) / log2(p->x1 / p->x0) : (x - p->x0) / (p->x1 - p->x0);
    return PX0 + f * (PX1 - PX0);
}

static double py(const Plot *p, double y)
{
    return PY1 - (y - p->y0) / (p->y1 - p->y0) * (PY1 - PY0);
}

/* A tick label on an axis up to top: 2500, or 15k and 20k, or 1.5M (one suffix an
 * axis, chosen by its top). */
static void tick_words(char *buf, size_t len, double v, double top)
{
    if (top >= 1e6 && v != 0)
        snprintf(buf, len, "%gM", v / 1e6);
    else if (top >= 1e4 && v != 0)
        snprintf(buf, len, "%gk", v / 1e3);
    else
        snprintf(buf, len, "%g", v);
}

/* ---- the layout ------------------------------------------------------------------- */

static const char INK[] = "222222", GREY[] = "666666", GRID[] = "e3e3e3";

static void draw_y_axis(Canvas *c, const Plot *p)
{
    double step = p->ystep;
    char buf[32];
    for (double v = p->y0; v <= p->y1 + step / 1000; v += step) {
        double y = py(p, v);
        c->line(c, PX0, y, PX1, y, 1, GRID);
        c->line(c, PX0 - 6, y, PX0, y, 1.5, INK);
        tick_words(buf, sizeof buf, v, p->y1);
        c->text(c, PX0 - 12, y + 6, 17, ANCHOR_END, false, false, INK, buf);
    }
    c->text(c, 34, (PY0 + PY1) / 2.0, 19, ANCHOR_MIDDLE, false, true, INK, p->ylabel);
}

static void draw_x_axis(Canvas *c, const Plot *p)
{
    char buf[32];
    double step = p->logx ? 2 : nice_step(p->x1 - p->x0, 8);
    if (p->logx && log2(p->x1 / p->x0) > 13)
        step = 4;
    double first = p->logx ? pow(2, ceil(log2(p->x0))) : ceil(p->x0 / step) * step;
    for (double v = first; v <= p->x1 * (1 + 1e-9); v = p->logx ? v * step : v + step) {
        double x = px(p, v);
        c->line(c, x, PY0, x, PY1, 1, GRID);
        c->line(c, x, PY1, x, PY1 + 6, 1.5, INK);
        tick_words(buf, sizeof buf, v, p->x1);
        c->text(c, x, PY1 + 28, 17, ANCHOR_MIDDLE, false, false, INK, buf);
    }
    char label[200];
    snprintf(label, sizeof label, "%s%s", p->xlabel, p->logx ? ", log scale" : "");
    c->text(c, (PX0 + PX1) / 2.0, PY1 + 66, 19, ANCHOR_MIDDLE, false, false, INK, label);
    c->line(c, PX0, PY1, PX1, PY1, 2, INK);
    c->line(c, PX0, PY0, PX0, PY1, 2, INK);
}

/* Line widths: with a few lines, earlier ones are wider, so a line drawn over another
 * (equal counts) leaves it showing at both sides. */
static double series_width(const Plot *p, size_t s)
{
    return p->ns <= 4 ? 3 + 1.5 * (double)(p->ns - 1 - s) : 2.5;
}

static void draw_series(Canvas *c, const Plot *p)
{
    for (size_t s = 0; s < p->ns; s++) {
        const Series *se = &p->s[s];
        double *xy = malloc(2 * se->n * sizeof *xy);
        if (!xy)
            return;
        for (size_t i = 0; i < se->n; i++) {
            xy[2 * i] = px(p, xval(p, se->rows[i]));
            xy[2 * i + 1] = py(p, yval(p, se->rows[i]));
        }
        double w = series_width(p, s);
        c->poly(c, xy, se->n, w, palette[s]);
        for (size_t i = 0; se->n <= 40 && i < se->n; i++)
            c->dot(c, xy[2 * i], xy[2 * i + 1], w / 2 + 3, palette[s]);
        free(xy);
    }
}

static void draw_legend(Canvas *c, const Plot *p)
{
    double x = PX1 + 30, y = PY0 + 10;
    if (p->ns < 2 && !p->s[0].label[0])
        return;
    c->text(c, x, y, 17, ANCHOR_START, true, false, INK, p->legend);
    for (size_t s = 0; s < p->ns; s++) {
        y += 34;
        c->line(c, x, y - 6, x + 40, y - 6, series_width(p, s), palette[s]);
        c->dot(c, x + 20, y - 6, series_width(p, s) / 2 + 3, palette[s]);
        c->text(c, x + 52, y, 17, ANCHOR_START, false, false, INK, p->s[s].label);
    }
}

static void draw_plot(Canvas *c, const Plot *p)
{
    c->text(c, W / 2.0, 48, 28, ANCHOR_MIDDLE, true, false, INK, p->title);
    c->text(c, W / 2.0, 84, 17, ANCHOR_MIDDLE, false, false, GREY, p->subtitle);
    draw_y_axis(c, p);
    draw_x_axis(c, p);
    draw_series(c, p);
    draw_legend(c, p);
}

/* The title and the subtitle (the traces, as the rows name them). */
static void plot_words(Plot *p, const char *title)
{
    char xw[160], yw[160];
    double scale;
    column_words(p->t->head[p->xcol], p->xlabel, sizeof p->xlabel, &scale);
    column_words(p->t->head[p->ycol], p->ylabel, sizeof p->ylabel, &p->yscale);
    snprintf(yw, sizeof yw, "%s", p->ylabel);
    char *paren = strstr(yw, " (");
    if (paren)
        *paren = '\0';
    snprintf(xw, sizeof xw, "%s", strstr(p->t->head[p->xcol], "frames") ? "frames"
             : strstr(p->t->head[p->xcol], "entries") ? "TLB entries" : p->t->head[p->xcol]);
    yw[0] = (char)(yw[0] >= 'a' && yw[0] <= 'z' ? yw[0] - 32 : yw[0]);
    snprintf(p->title, sizeof p->title, "%s", title ? title : "");
    if (!title)
        snprintf(p->title, sizeof p->title, "%s against %s", yw, xw);
    size_t n = (size_t)snprintf(p->subtitle, sizeof p->subtitle, "trace: %s", table_at(p->t, 0, 0));
    for (size_t r = 1; r < p->t->nrows && n < sizeof p->subtitle; r++)
        if (strcmp(table_at(p->t, r, 0), table_at(p->t, r - 1, 0)) != 0)
            n += (size_t)snprintf(p->subtitle + n, sizeof p->subtitle - n, ", %s", table_at(p->t, r, 0));
}

static int plot_prepare(Plot *p, const Table *t, const char *y, const char *title, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    if (t->nrows == 0 || (p->xcol = pick_x(t)) < 0) {
        snprintf(err, errlen, "a plot needs a varied key with numbers (e.g. --vary memory.frames=1..64)");
        return -1;
    }
    if ((p->ycol = pick_y(p, y, err, errlen)) < 0)
        return -1;
    plot_words(p, title);
    if (pick_series(p, err, errlen) != 0)
        return -1;
    ranges(p);
    return 0;
}

static void plot_fini(Plot *p)
{
    for (size_t s = 0; s < p->ns; s++)
        free(p->s[s].rows);
}

/* ---- writing ---------------------------------------------------------------------- */

/* Writes the plot in ctx (app_write_file's fn). */
static int svg_write(FILE *out, void *ctx)
{
    const Plot *p = ctx;
    Canvas c = { out, svg_line, svg_poly, svg_dot, svg_text };
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n", W, H, W, H);
    draw_plot(&c, p);
    fputs("</svg>\n", out);
    return 0;
}

/* gnuplot quotes: backslashes and double quotes escaped. */
static void gp_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Writes the plot in ctx as a gnuplot script (app_write_file's fn). */
static int gp_write(FILE *out, void *ctx)
{
    const Plot *p = ctx;
    fputs("# Made by vmsim sweep. Show it: gnuplot -p FILE.gp\n"
          "# Or draw a PNG: gnuplot -e 'set terminal pngcairo size 1200,800 font \",14\"; "
          "set output \"FILE.png\"' FILE.gp\n", out);
    fputs("set title ", out);
    gp_string(out, p->title);
    fputs(" font \",18\"\nset xlabel ", out);
    gp_string(out, p->xlabel);
    fputs("\nset ylabel ", out);
    gp_string(out, p->ylabel);
    fprintf(out, "\nset grid\nset key outside right top title ");
    gp_string(out, p->legend);
    fprintf(out, "\nset yrange [%g:%g]\n%s", p->y0, p->y1, p->logx ? "set logscale x 2\n" : "");
    fputs("set label 1 ", out);
    gp_string(out, p->subtitle);
    fputs(" at graph 0.5, graph 1.03 center\n", out);
    for (size_t s = 0; s < p->ns; s++) {
        fprintf(out, "$s%zu << EOD\n", s);
        for (size_t i = 0; i < p->s[s].n; i++)
            fprintf(out, "%s %.10g\n", table_at(p->t, p->s[s].rows[i], (size_t)p->xcol), yval(p, p->s[s].rows[i]));
        fputs("EOD\n", out);
    }
    fputs("plot", out);
    for (size_t s = 0; s < p->ns; s++) {
        fprintf(out, "%s$s%zu with linespoints lw 2 pt 7 lc rgb \"#%s\" title ", s ? ", \\\n     " : " ",
                s, palette[s]);
        gp_string(out, p->s[s].label[0] ? p->s[s].label : p->ylabel);
    }
    fputc('\n', out);
    return 0;
}

/* Pipes the display list to `vmsim-gui plot PATH`, which draws and saves the PNG. */
static int png_write(const char *path, const Plot *p, char *err, size_t errlen)
{
    char gui[PATH_MAX];
    int fd[2];
    if (datadir_gui_path(gui, sizeof gui) != 0 || pipe(fd) != 0) {
        snprintf(err, errlen, "%s: cannot start vmsim-gui to draw it", path);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[0], STDIN_FILENO);
        close(fd[0]);
        close(fd[1]);
        execl(gui, gui, "plot", path, (char *)NULL);
        fprintf(stderr, "vmsim: cannot start %s: %s\n", gui, strerror(errno));
        _exit(EXIT_USAGE);
    }
    close(fd[0]);
    FILE *out = pid > 0 ? fdopen(fd[1], "w") : NULL;
    void (*was)(int) = signal(SIGPIPE, SIG_IGN);   /* vmsim-gui may stop early: it says why */
    if (out) {
        Canvas c = { out, list_line, list_poly, list_dot, list_text };
        fprintf(out, "S %d %d\n", W, H);
        draw_plot(&c, p);
        fclose(out);
    } else
        close(fd[1]);
    signal(SIGPIPE, was);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s: vmsim-gui could not draw the PNG", path);
        return -1;
    }
    return 0;
}

static bool ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n > m && strcmp(s + n - m, end) == 0;
}

bool plot_format_known(const char *path)
{
    return ends_with(path, ".svg") || ends_with(path, ".png") || ends_with(path, ".gp");
}

int plot_write(const Table *t, const char *path, const char *y, const char *title,
               char *err, size_t errlen)
{
    Plot p;
    int r = plot_prepare(&p, t, y, title, err, errlen);
    if (r == 0)
        r = ends_with(path, ".svg") ? app_write_file(path, svg_write, &p, err, errlen)
          : ends_with(path, ".gp")  ? app_write_file(path, gp_write, &p, err, errlen)
                                    : png_write(path, &p, err, errlen);
    plot_fini(&p);
    return r;
}
