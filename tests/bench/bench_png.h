/*
 * bench_png.h: a minimal PNG writer for the harness's plots: 8-bit RGB, no interlace, one IDAT.
 * With zlib available (BENCH_HAVE_ZLIB) the image data is compressed; without it, it is stored in
 * uncompressed deflate blocks, which every PNG reader accepts, only larger.
 */
#ifndef BENCH_PNG_H
#define BENCH_PNG_H

#include <stdint.h>

/** Writes w x h pixels (rgb: 3 bytes each, rows top to bottom). 0, or -1 on any failure. */
int bench_png_write(const char *path, const uint8_t *rgb, uint32_t w, uint32_t h);

#endif
