/*
 * panel_png.h: PNG files for screenshots and golden images, written and read with zlib.
 *
 * The writer emits 8-bit RGB (colour type 2), not interlaced, one IDAT chunk, each row filtered
 * with Sub or Up (whichever gives the smaller sum of absolute residuals, the usual heuristic).
 * The reader accepts what common tools write for screenshots: 8-bit RGB or RGBA (alpha dropped),
 * not interlaced, any of the five row filters, IDAT split over several chunks, ancillary chunks
 * skipped. Every chunk CRC is checked. Anything else is refused with -SIM_EFORMAT rather than
 * guessed at, and sizes are bounded (PANEL_PNG_MAX_SIDE) so a hostile file cannot make it
 * allocate without limit.
 */
#ifndef PANEL_PNG_H
#define PANEL_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "panel_image.h"

#define PANEL_PNG_MAX_SIDE 16384

/**
 * Encodes img into a malloc'ed buffer (*out, *len; the caller frees *out).
 * @retval 0 / -SIM_EINVAL (empty image) / -SIM_ENOMEM
 */
int panel_png_encode(const panel_image_t *img, uint8_t **out, size_t *len);

/**
 * Decodes a PNG held in memory into *img (freed with panel_image_free).
 * @retval 0             *img filled
 * @retval -SIM_EFORMAT  not a PNG, a bad CRC, truncated, or an unsupported kind (see above)
 * @retval -SIM_ENOMEM   out of memory
 */
int panel_png_decode(const uint8_t *buf, size_t len, panel_image_t *img);

/** Writes img to path. 0, -SIM_EINVAL, -SIM_ENOMEM, -SIM_EIO (cannot create or write). */
int panel_png_write(const char *path, const panel_image_t *img);

/** Reads path into *img. 0, -SIM_ENOENT (cannot open), -SIM_EIO, -SIM_EFORMAT, -SIM_ENOMEM. */
int panel_png_read(const char *path, panel_image_t *img);

#endif
