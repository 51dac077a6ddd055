/*
 * bench_plot.c: the scaling plot, drawn into an RGB canvas and written as PNG.
 *
 *   x  nodes, log2 axis (1, 2, 4 ... 128)
 *   y  run-loop CPU seconds per simulated hour, log10 axis
 *   measured points joined by a line; dashed: linear growth from the smallest run (what a
 *   simulator whose cost per node is constant draws); dotted: quadratic growth from there.
 *
 * Text uses a built-in 5x7 font (upper case, digits, a little punctuation), drawn at 2x.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "bench_png.h"

#define W        880
#define H        560
#define LEFT     110
#define RIGHT    40
#define TOP      60
#define BOTTOM   80
#define SCALE    2
#define SERIES_N 16

typedef struct {
    uint8_t px[H][W][3];
} canvas_t;

typedef struct {
    uint8_t r, g, b;
} rgb_t;

static const rgb_t BLACK = {0, 0, 0}, GREY = {150, 150, 150}, LIGHT = {225, 225, 225},
                   BLUE = {31, 90, 180}, ORANGE = {220, 110, 20};

/* 5x7 glyphs, one byte per row, bit 4 = leftmost column. */
typedef struct {
    char c;
    uint8_t rows[7];
} glyph_t;

static const glyph_t FONT[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
};

static void put(canvas_t *c, int x, int y, rgb_t col) {
    if (x >= 0 && x < W && y >= 0 && y < H) {
        c->px[y][x][0] = col.r;
        c->px[y][x][1] = col.g;
        c->px[y][x][2] = col.b;
    }
}

static void rect(canvas_t *c, int x0, int y0, int x1, int y1, rgb_t col) {
    for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
            put(c, x, y, col);
        }
    }
}

/* A 2-pixel line; pattern: draw while (step / dash) is even (dash 0: solid). */
static void line(canvas_t *c, double x0, double y0, double x1, double y1, rgb_t col, int dash) {
    double dx = x1 - x0, dy = y1 - y0;
    int steps = (int)(fabs(dx) > fabs(dy) ? fabs(dx) : fabs(dy)) + 1;
    for (int i = 0; i <= steps; i++) {
        if (dash > 0 && (i / dash) % 2 == 1) {
            continue;
        }
        int x = (int)lround(x0 + dx * i / steps), y = (int)lround(y0 + dy * i / steps);
        rect(c, x, y, x + 1, y + 1, col);
    }
}

static const glyph_t *glyph(char ch) {
    char u = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    for (size_t i = 0; i < sizeof FONT / sizeof FONT[0]; i++) {
        if (FONT[i].c == u) {
            return &FONT[i];
        }
    }
    return NULL; /* space and anything unknown draw nothing */
}

static int text_width(const char *s) {
    return (int)strlen(s) * 6 * SCALE;
}

static void text(canvas_t *c, int x, int y, const char *s, rgb_t col) {
    for (; *s != '\0'; s++, x += 6 * SCALE) {
        const glyph_t *g = glyph(*s);
        for (int row = 0; g != NULL && row < 7; row++) {
            for (int bit = 0; bit < 5; bit++) {
                if (g->rows[row] & (0x10U >> bit)) {
                    rect(c, x + bit * SCALE, y + row * SCALE, x + bit * SCALE + SCALE - 1,
                         y + row * SCALE + SCALE - 1, col);
                }
            }
        }
    }
}

typedef struct {
    double nodes[SERIES_N];
    double cost[SERIES_N]; /* CPU s per simulated hour */
    size_t n;
    double x_lo, x_hi, y_lo, y_hi; /* axis ranges in log2 nodes and log10 cost */
} series_t;

/* The scale_* workloads, sorted by node count. */
static void collect(series_t *s, const bench_result_t *rs, size_t n) {
    s->n = 0;
    for (size_t i = 0; i < n && s->n < SERIES_N; i++) {
        const bench_result_t *r = &rs[i];
        if (r->kind != BENCH_WORKLOAD || strncmp(r->name, "scale_", 6) != 0 || r->failed ||
            r->nodes == 0 || r->sim_s <= 0 || r->run_cpu_s <= 0) {
            continue;
        }
        size_t j = s->n++;
        for (; j > 0 && s->nodes[j - 1] > r->nodes; j--) {
            s->nodes[j] = s->nodes[j - 1];
            s->cost[j] = s->cost[j - 1];
        }
        s->nodes[j] = r->nodes;
        s->cost[j] = r->run_cpu_s / r->sim_s * 3600.0;
    }
}

static void ranges(series_t *s) {
    s->x_lo = floor(log2(s->nodes[0]));
    s->x_hi = ceil(log2(s->nodes[s->n - 1]));
    s->x_hi = s->x_hi > s->x_lo ? s->x_hi : s->x_lo + 1.0;
    double lo = s->cost[0], hi = s->cost[0];
    for (size_t i = 0; i < s->n; i++) {
        lo = s->cost[i] < lo ? s->cost[i] : lo;
        hi = s->cost[i] > hi ? s->cost[i] : hi;
    }
    /* Room for the linear reference at the right end. */
    double linear_end = s->cost[0] * pow(2.0, s->x_hi) / s->nodes[0];
    hi = linear_end > hi ? linear_end : hi;
    s->y_lo = floor(log10(lo));
    s->y_hi = ceil(log10(hi));
    s->y_hi = s->y_hi > s->y_lo ? s->y_hi : s->y_lo + 1.0;
}

static double px_x(const series_t *s, double nodes) {
    return LEFT + (log2(nodes) - s->x_lo) / (s->x_hi - s->x_lo) * (W - LEFT - RIGHT);
}

static double px_y(const series_t *s, double cost) {
    return H - BOTTOM - (log10(cost) - s->y_lo) / (s->y_hi - s->y_lo) * (H - TOP - BOTTOM);
}

static void axes(canvas_t *c, const series_t *s) {
    char label[32];
    for (double e = s->x_lo; e <= s->x_hi; e += 1.0) {
        int x = (int)lround(px_x(s, pow(2.0, e)));
        line(c, x, TOP, x, H - BOTTOM, LIGHT, 0);
        snprintf(label, sizeof label, "%.0f", pow(2.0, e));
        text(c, x - text_width(label) / 2, H - BOTTOM + 12, label, BLACK);
    }
    for (double e = s->y_lo; e <= s->y_hi; e += 1.0) {
        int y = (int)lround(px_y(s, pow(10.0, e)));
        line(c, LEFT, y, W - RIGHT, y, LIGHT, 0);
        snprintf(label, sizeof label, "%.*f", e < 0 ? (int)-e : 0, pow(10.0, e));
        text(c, LEFT - 10 - text_width(label), y - 7, label, BLACK);
    }
    line(c, LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, BLACK, 0);
    line(c, LEFT, TOP, LEFT, H - BOTTOM, BLACK, 0);
    const char *xl = "NODES";
    text(c, LEFT + (W - LEFT - RIGHT - text_width(xl)) / 2, H - BOTTOM + 42, xl, BLACK);
    text(c, 20, 16, "RUN-LOOP CPU S PER SIMULATED HOUR VS NODES (LOG-LOG)", BLACK);
}

static void legend(canvas_t *c) {
    int x = LEFT + 20, y = TOP + 12;
    line(c, x, y + 6, x + 40, y + 6, BLUE, 0);
    rect(c, x + 17, y + 3, x + 23, y + 9, BLUE);
    text(c, x + 52, y, "MEASURED", BLACK);
    line(c, x, y + 30, x + 40, y + 30, GREY, 6);
    text(c, x + 52, y + 24, "LINEAR IN NODES", BLACK);
    line(c, x, y + 54, x + 40, y + 54, ORANGE, 2);
    text(c, x + 52, y + 48, "QUADRATIC IN NODES", BLACK);
}

static void draw(canvas_t *c, const series_t *s) {
    rect(c, 0, 0, W - 1, H - 1, (rgb_t){255, 255, 255});
    axes(c, s);
    double n0 = s->nodes[0], c0 = s->cost[0], x_end = pow(2.0, s->x_hi);
    line(c, px_x(s, n0), px_y(s, c0), px_x(s, x_end), px_y(s, c0 * x_end / n0), GREY, 6);
    double q_end = n0 * sqrt(pow(10.0, s->y_hi) / c0); /* where the quadratic leaves the plot */
    q_end = q_end < x_end ? q_end : x_end;
    line(c, px_x(s, n0), px_y(s, c0), px_x(s, q_end), px_y(s, c0 * (q_end / n0) * (q_end / n0)),
         ORANGE, 2);
    for (size_t i = 0; i < s->n; i++) {
        double x = px_x(s, s->nodes[i]), y = px_y(s, s->cost[i]);
        if (i > 0) {
            line(c, px_x(s, s->nodes[i - 1]), px_y(s, s->cost[i - 1]), x, y, BLUE, 0);
        }
        rect(c, (int)x - 4, (int)y - 4, (int)x + 4, (int)y + 4, BLUE);
    }
    legend(c);
}

int bench_plot_scaling(const char *path, const bench_result_t *rs, size_t n) {
    series_t s;
    collect(&s, rs, n);
    if (s.n < 2) {
        return 1;
    }
    ranges(&s);
    canvas_t *c = malloc(sizeof *c);
    if (c == NULL) {
        return -1;
    }
    draw(c, &s);
    int rc = bench_png_write(path, &c->px[0][0][0], W, H);
    free(c);
    return rc;
}
