/*
 * panel_image.h: an RGB image in memory and the tolerant comparison golden tests use.
 *
 * Screenshots and golden images are plain 8-bit RGB, row-major, three bytes a pixel, no padding.
 * Two images "match within a tolerance" when they have the same size and at most max_pixels
 * pixels differ by more than channel_tol in some channel: fonts rasterised by another FreeType
 * may move a few edge pixels, a wrong display or a wrong colour moves hundreds.
 */
#ifndef PANEL_IMAGE_H
#define PANEL_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int w, h;
    uint8_t *rgb; /* w * h * 3 bytes, owned (panel_image_free) */
} panel_image_t;

typedef struct {
    bool size_mismatch;
    uint64_t differing;   /* pixels with some channel differing by more than the tolerance */
    unsigned max_delta;   /* largest channel difference seen */
    int first_x, first_y; /* first differing pixel in row-major order (-1 if none) */
} panel_image_diff_t;

/** Allocates a black w x h image. 0, -SIM_EINVAL (w or h < 1 or too large), -SIM_ENOMEM. */
int panel_image_alloc(panel_image_t *img, int w, int h);
/** Frees the pixels and zeroes *img; safe on a zeroed image. */
void panel_image_free(panel_image_t *img);

/** 0xRRGGBB of pixel (x, y), which must lie inside the image. */
uint32_t panel_image_pixel(const panel_image_t *img, int x, int y);

/** Compares a with b; fills *out. */
void panel_image_compare(const panel_image_t *a, const panel_image_t *b, unsigned channel_tol,
                         panel_image_diff_t *out);

/**
 * True when a and b have the same size and at most max_pixels pixels differ beyond channel_tol.
 */
bool panel_image_matches(const panel_image_t *a, const panel_image_t *b, unsigned channel_tol,
                         uint64_t max_pixels, panel_image_diff_t *out);

/**
 * Writes a PNG for reviewing a failed comparison: `actual` darkened, with the pixels that differ
 * from `expected` beyond channel_tol in magenta. Sizes must match.
 * @retval 0 written; -SIM_EINVAL sizes differ; others as panel_png_write
 */
int panel_image_write_diff(const char *path, const panel_image_t *expected,
                           const panel_image_t *actual, unsigned channel_tol);

#endif
