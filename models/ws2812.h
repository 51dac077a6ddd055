/*
 * ws2812.h: a chain of WS2812B RGB LEDs fed a G,R,B byte stream.
 *
 * Each pixel latches the first 24 bits it receives (green, red, blue, MSB first within each
 * byte, as the RMT sends them) and passes the rest down the chain; after the reset gap the new
 * colours show. So a frame shorter than the chain leaves the far pixels unchanged, and bytes
 * beyond the chain are lost (counted), as are the 1 or 2 bytes of an incomplete last pixel.
 * The backend face gives each pixel's colour in RGB order.
 */
#ifndef WS2812_H
#define WS2812_H

#include <stddef.h>
#include <stdint.h>

#define WS2812_PIXELS_MAX 64

typedef struct {
    uint8_t r, g, b;
} ws2812_rgb_t;

typedef struct ws2812 ws2812_t;

typedef struct {
    uint64_t frames;     /* writes */
    uint64_t bytes_lost; /* beyond the chain, or an incomplete last pixel */
} ws2812_stats_t;

/** A chain of `pixels` (1..64; the SOC bar has 10), all off. 0, -SIM_EINVAL, -SIM_ENOMEM. */
int ws2812_create(unsigned pixels, ws2812_t **out);
void ws2812_destroy(ws2812_t *c);

/* ---- device face ------------------------------------------------------------------------- */

/** One frame of G,R,B bytes. */
void ws2812_write(ws2812_t *c, const uint8_t *grb, size_t len);

/* ---- backend face ------------------------------------------------------------------------ */

unsigned ws2812_count(const ws2812_t *c);
ws2812_rgb_t ws2812_pixel(const ws2812_t *c, unsigned i); /* i < count */
/** 0xRRGGBB, for traces. */
uint32_t ws2812_pixel_rgb24(const ws2812_t *c, unsigned i);
/** Pixels that are not black. */
unsigned ws2812_lit(const ws2812_t *c);
void ws2812_stats(const ws2812_t *c, ws2812_stats_t *out);

#endif
