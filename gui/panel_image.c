/*
 * panel_image.c: RGB images and the tolerant comparison behind the golden-image tests.
 */
#include "panel_image.h"

#include <stdlib.h>
#include <string.h>

#include "panel_png.h"
#include "sim_types.h"

int panel_image_alloc(panel_image_t *img, int w, int h) {
    memset(img, 0, sizeof *img);
    if (w < 1 || h < 1 || w > PANEL_PNG_MAX_SIDE || h > PANEL_PNG_MAX_SIDE) {
        return -SIM_EINVAL;
    }
    img->rgb = calloc((size_t)w * (size_t)h, 3);
    if (!img->rgb) {
        return -SIM_ENOMEM;
    }
    img->w = w;
    img->h = h;
    return 0;
}

void panel_image_free(panel_image_t *img) {
    free(img->rgb);
    memset(img, 0, sizeof *img);
}

uint32_t panel_image_pixel(const panel_image_t *img, int x, int y) {
    SIM_ASSERT(x >= 0 && y >= 0 && x < img->w && y < img->h);
    const uint8_t *p = img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3u;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static unsigned pixel_delta(const uint8_t *a, const uint8_t *b) {
    unsigned m = 0;
    for (int c = 0; c < 3; c++) {
        unsigned d = (unsigned)abs((int)a[c] - (int)b[c]);
        m = d > m ? d : m;
    }
    return m;
}

void panel_image_compare(const panel_image_t *a, const panel_image_t *b, unsigned channel_tol,
                         panel_image_diff_t *out) {
    memset(out, 0, sizeof *out);
    out->first_x = out->first_y = -1;
    if (a->w != b->w || a->h != b->h || !a->rgb || !b->rgb) {
        out->size_mismatch = true;
        return;
    }
    for (int y = 0; y < a->h; y++) {
        for (int x = 0; x < a->w; x++) {
            size_t off = ((size_t)y * (size_t)a->w + (size_t)x) * 3u;
            unsigned d = pixel_delta(a->rgb + off, b->rgb + off);
            out->max_delta = d > out->max_delta ? d : out->max_delta;
            if (d > channel_tol) {
                if (out->differing == 0) {
                    out->first_x = x;
                    out->first_y = y;
                }
                out->differing++;
            }
        }
    }
}

bool panel_image_matches(const panel_image_t *a, const panel_image_t *b, unsigned channel_tol,
                         uint64_t max_pixels, panel_image_diff_t *out) {
    panel_image_compare(a, b, channel_tol, out);
    return !out->size_mismatch && out->differing <= max_pixels;
}

int panel_image_write_diff(const char *path, const panel_image_t *expected,
                           const panel_image_t *actual, unsigned channel_tol) {
    if (expected->w != actual->w || expected->h != actual->h) {
        return -SIM_EINVAL;
    }
    panel_image_t d;
    int rc = panel_image_alloc(&d, actual->w, actual->h);
    if (rc != 0) {
        return rc;
    }
    const size_t n = (size_t)actual->w * (size_t)actual->h;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = expected->rgb + i * 3u, *a = actual->rgb + i * 3u;
        uint8_t *o = d.rgb + i * 3u;
        if (pixel_delta(e, a) > channel_tol) {
            o[0] = 255;
            o[1] = 0;
            o[2] = 255;
        } else {
            o[0] = (uint8_t)(a[0] / 3);
            o[1] = (uint8_t)(a[1] / 3);
            o[2] = (uint8_t)(a[2] / 3);
        }
    }
    rc = panel_png_write(path, &d);
    panel_image_free(&d);
    return rc;
}
