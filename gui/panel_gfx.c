/*
 * panel_gfx.c: rectangles, discs and coverage masks on the panel's pixel buffer.
 *
 * Shapes are drawn as horizontal spans clipped once per span, which keeps the inner loops plain
 * stores the compiler vectorises; that is most of why a whole frame costs well under a
 * millisecond (docs/panel.md has the measurement).
 */
#include "panel_gfx.h"

#include <string.h>

static int imax(int a, int b) {
    return a > b ? a : b;
}

static int imin(int a, int b) {
    return a < b ? a : b;
}

void panel_gfx_unclip(panel_canvas_t *cv) {
    cv->clip = (panel_rect_t){0, 0, cv->w, cv->h};
}

panel_rect_t panel_gfx_clip(panel_canvas_t *cv, panel_rect_t r) {
    panel_rect_t prev = cv->clip;
    int x0 = imax(r.x, prev.x), y0 = imax(r.y, prev.y);
    int x1 = imin(r.x + r.w, prev.x + prev.w), y1 = imin(r.y + r.h, prev.y + prev.h);
    cv->clip = (panel_rect_t){x0, y0, imax(x1 - x0, 0), imax(y1 - y0, 0)};
    return prev;
}

/* One horizontal span [x0, x1) on row y, clipped. */
static void span(panel_canvas_t *cv, int y, int x0, int x1, uint32_t rgb) {
    const panel_rect_t *c = &cv->clip;
    if (y < c->y || y >= c->y + c->h) {
        return;
    }
    x0 = imax(x0, c->x);
    x1 = imin(x1, c->x + c->w);
    uint32_t *row = cv->px + (long)y * cv->w;
    for (int x = x0; x < x1; x++) {
        row[x] = rgb;
    }
}

void panel_gfx_fill(panel_canvas_t *cv, panel_rect_t r, uint32_t rgb) {
    const panel_rect_t *c = &cv->clip;
    int x0 = imax(r.x, c->x), x1 = imin(r.x + r.w, c->x + c->w);
    int y0 = imax(r.y, c->y), y1 = imin(r.y + r.h, c->y + c->h);
    if (x0 >= x1 || y0 >= y1) {
        return;
    }
    /* One row by hand, the others copied from it: memcpy is the fastest store loop the C
     * library has, and large fills (background, cards) are most of a frame's work. */
    uint32_t *first = cv->px + (long)y0 * cv->w + x0;
    for (int x = 0; x < x1 - x0; x++) {
        first[x] = rgb;
    }
    for (int y = y0 + 1; y < y1; y++) {
        memcpy(cv->px + (long)y * cv->w + x0, first, (size_t)(x1 - x0) * sizeof *first);
    }
}

void panel_gfx_frame(panel_canvas_t *cv, panel_rect_t r, int thick, uint32_t rgb) {
    thick = imin(thick, imin(r.w, r.h) / 2 + 1);
    panel_gfx_fill(cv, (panel_rect_t){r.x, r.y, r.w, thick}, rgb);
    panel_gfx_fill(cv, (panel_rect_t){r.x, r.y + r.h - thick, r.w, thick}, rgb);
    panel_gfx_fill(cv, (panel_rect_t){r.x, r.y, thick, r.h}, rgb);
    panel_gfx_fill(cv, (panel_rect_t){r.x + r.w - thick, r.y, thick, r.h}, rgb);
}

uint32_t panel_rgb_mix(uint32_t a, uint32_t b, int alpha) {
    /* Red and blue share one multiply, green another: (b * alpha + a * (256 - alpha)) / 256
     * per channel, the products of each channel staying within their 16-bit lanes. */
    const uint32_t wa = (uint32_t)(256 - alpha), wb = (uint32_t)alpha;
    uint32_t rb = ((a & 0xFF00FFu) * wa + (b & 0xFF00FFu) * wb) >> 8;
    uint32_t g = ((a & 0x00FF00u) * wa + (b & 0x00FF00u) * wb) >> 8;
    return (rb & 0xFF00FFu) | (g & 0x00FF00u);
}

uint32_t panel_rgb_scale(uint32_t rgb, int num, int den) {
    uint32_t out = 0;
    for (int shift = 0; shift <= 16; shift += 8) {
        int c = (int)((rgb >> shift) & 0xFFu) * num / den;
        out |= (uint32_t)imin(imax(c, 0), 255) << shift;
    }
    return out;
}

void panel_gfx_shade(panel_canvas_t *cv, panel_rect_t r, int alpha, uint32_t rgb) {
    const panel_rect_t *c = &cv->clip;
    int x0 = imax(r.x, c->x), x1 = imin(r.x + r.w, c->x + c->w);
    int y0 = imax(r.y, c->y), y1 = imin(r.y + r.h, c->y + c->h);
    for (int y = y0; y < y1; y++) {
        uint32_t *row = cv->px + (long)y * cv->w;
        for (int x = x0; x < x1; x++) {
            row[x] = panel_rgb_mix(row[x], rgb, alpha);
        }
    }
}

/* Half-width of a disc of radius r at row offset dy, by integer square root. */
static int disc_half(int r, int dy) {
    int rem = r * r - dy * dy, h = 0;
    while ((h + 1) * (h + 1) <= rem) {
        h++;
    }
    return h;
}

void panel_gfx_disc(panel_canvas_t *cv, int cx, int cy, int r, uint32_t rgb) {
    for (int dy = -r; dy <= r; dy++) {
        int h = disc_half(r, dy);
        span(cv, cy + dy, cx - h, cx + h + 1, rgb);
    }
}

void panel_gfx_ring(panel_canvas_t *cv, int cx, int cy, int r, int thick, uint32_t rgb) {
    int ri = r - thick;
    for (int dy = -r; dy <= r; dy++) {
        int ho = disc_half(r, dy);
        if (ri < 0 || dy < -ri || dy > ri) {
            span(cv, cy + dy, cx - ho, cx + ho + 1, rgb);
            continue;
        }
        int hi = disc_half(ri, dy);
        span(cv, cy + dy, cx - ho, cx - hi, rgb);
        span(cv, cy + dy, cx + hi + 1, cx + ho + 1, rgb);
    }
}

void panel_gfx_mask(panel_canvas_t *cv, int x, int y, const uint8_t *alpha, int w, int h,
                    uint32_t rgb) {
    const panel_rect_t *c = &cv->clip;
    int x0 = imax(x, c->x), x1 = imin(x + w, c->x + c->w);
    int y0 = imax(y, c->y), y1 = imin(y + h, c->y + c->h);
    for (int py = y0; py < y1; py++) {
        uint32_t *row = cv->px + (long)py * cv->w;
        const uint8_t *src = alpha + (long)(py - y) * w;
        for (int px = x0; px < x1; px++) {
            int a = src[px - x];
            if (a == 0) {
                continue;
            }
            /* 0..255 coverage to 0..256 so full coverage is exactly the text colour */
            row[px] = a == 255 ? rgb : panel_rgb_mix(row[px], rgb, a + (a >> 7));
        }
    }
}
