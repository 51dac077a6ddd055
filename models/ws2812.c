/*
 * ws2812.c: WS2812B chain decoding (contract in ws2812.h).
 */
#include "ws2812.h"

#include <stdlib.h>

#include "sim_types.h"

struct ws2812 {
    unsigned n;
    ws2812_rgb_t px[WS2812_PIXELS_MAX];
    ws2812_stats_t stats;
};

int ws2812_create(unsigned pixels, ws2812_t **out) {
    *out = NULL;
    if (pixels == 0 || pixels > WS2812_PIXELS_MAX) {
        return -SIM_EINVAL;
    }
    ws2812_t *c = calloc(1, sizeof *c);
    if (!c) {
        return -SIM_ENOMEM;
    }
    c->n = pixels;
    *out = c;
    return 0;
}

void ws2812_destroy(ws2812_t *c) {
    free(c);
}

void ws2812_write(ws2812_t *c, const uint8_t *grb, size_t len) {
    size_t whole = len / 3;
    size_t used = whole < c->n ? whole : c->n;
    for (size_t i = 0; i < used; i++) {
        c->px[i] = (ws2812_rgb_t){.r = grb[3 * i + 1], .g = grb[3 * i], .b = grb[3 * i + 2]};
    }
    c->stats.frames++;
    c->stats.bytes_lost += len - 3 * used;
}

unsigned ws2812_count(const ws2812_t *c) {
    return c->n;
}

ws2812_rgb_t ws2812_pixel(const ws2812_t *c, unsigned i) {
    SIM_ASSERT(i < c->n);
    return c->px[i];
}

uint32_t ws2812_pixel_rgb24(const ws2812_t *c, unsigned i) {
    ws2812_rgb_t p = ws2812_pixel(c, i);
    return (uint32_t)p.r << 16 | (uint32_t)p.g << 8 | p.b;
}

unsigned ws2812_lit(const ws2812_t *c) {
    unsigned lit = 0;
    for (unsigned i = 0; i < c->n; i++) {
        lit += (c->px[i].r | c->px[i].g | c->px[i].b) != 0;
    }
    return lit;
}

void ws2812_stats(const ws2812_t *c, ws2812_stats_t *out) {
    *out = c->stats;
}
