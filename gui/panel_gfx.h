/*
 * panel_gfx.h: the panel's drawing primitives on a plain pixel buffer.
 *
 * The panel draws on the CPU into a canvas of 0x00RRGGBB pixels that it owns, and only at the end
 * hands the finished frame to SDL (window) or to the PNG writer (screenshot). So a window and a
 * headless screenshot hold the same pixels, the drawing code needs no video driver, and every
 * primitive is integer arithmetic that gives the same result on every host. Every primitive
 * clips to the canvas's clip rectangle, which callers narrow (a card) and restore.
 *
 * Colours are 0xRRGGBB. Alpha is 0..256 where it appears (256 = opaque).
 */
#ifndef PANEL_GFX_H
#define PANEL_GFX_H

#include <stdint.h>

#include "panel_layout.h"

typedef struct {
    uint32_t *px; /* w * h pixels, row-major, 0x00RRGGBB */
    int w, h;
    panel_rect_t clip; /* drawing is limited to this (inside the canvas) */
} panel_canvas_t;

/** Resets the clip rectangle to the whole canvas. */
void panel_gfx_unclip(panel_canvas_t *cv);
/** Narrows the clip to r intersected with the current clip; returns the previous clip. */
panel_rect_t panel_gfx_clip(panel_canvas_t *cv, panel_rect_t r);

void panel_gfx_fill(panel_canvas_t *cv, panel_rect_t r, uint32_t rgb);
/** Rectangle outline `thick` pixels wide, inside r. */
void panel_gfx_frame(panel_canvas_t *cv, panel_rect_t r, int thick, uint32_t rgb);
/** Moves every pixel of r towards rgb by alpha/256 (translucent overlays). */
void panel_gfx_shade(panel_canvas_t *cv, panel_rect_t r, int alpha, uint32_t rgb);
/** Filled disc of radius r centred at (cx, cy). */
void panel_gfx_disc(panel_canvas_t *cv, int cx, int cy, int r, uint32_t rgb);
/** Ring between radii r - thick and r. */
void panel_gfx_ring(panel_canvas_t *cv, int cx, int cy, int r, int thick, uint32_t rgb);
/** Blends one coverage bitmap (alpha 0..255 per pixel, `w` x `h`) in colour rgb at (x, y). */
void panel_gfx_mask(panel_canvas_t *cv, int x, int y, const uint8_t *alpha, int w, int h,
                    uint32_t rgb);

/** rgb scaled channel-wise by num/den (brightness), den > 0. */
uint32_t panel_rgb_scale(uint32_t rgb, int num, int den);
/** (a * (256 - alpha) + b * alpha) / 256 channel-wise, rounded down; alpha 0..256. */
uint32_t panel_rgb_mix(uint32_t a, uint32_t b, int alpha);

#endif
