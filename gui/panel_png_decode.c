/*
 * panel_png_decode.c: the PNG reader (the subset described in panel_png.h).
 *
 * Chunks are walked with every length checked against what is left, and every CRC checked. The
 * IDAT payloads are joined, inflated into exactly h * (1 + w * bpp) bytes (more or less is a
 * malformed file), then unfiltered row by row.
 */
#include "panel_png.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim_types.h"

typedef struct {
    uint32_t w, h;
    unsigned bpp; /* bytes per pixel: 3 (RGB) or 4 (RGBA) */
    uint8_t *idat;
    size_t idat_len;
    bool have_ihdr, have_iend;
} png_state_t;

static uint32_t get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int parse_ihdr(png_state_t *st, const uint8_t *d, uint32_t len) {
    if (len != 13 || st->have_ihdr) {
        return -SIM_EFORMAT;
    }
    st->w = get_be32(d);
    st->h = get_be32(d + 4);
    if (st->w < 1 || st->h < 1 || st->w > PANEL_PNG_MAX_SIDE || st->h > PANEL_PNG_MAX_SIDE) {
        return -SIM_EFORMAT;
    }
    if (d[8] != 8 || (d[9] != 2 && d[9] != 6) || d[10] != 0 || d[11] != 0 || d[12] != 0) {
        return -SIM_EFORMAT; /* only 8-bit RGB / RGBA, deflate, adaptive filters, no interlace */
    }
    st->bpp = d[9] == 2 ? 3u : 4u;
    st->have_ihdr = true;
    return 0;
}

static int append_idat(png_state_t *st, const uint8_t *d, uint32_t len) {
    if (!st->have_ihdr) {
        return -SIM_EFORMAT;
    }
    uint8_t *grown = realloc(st->idat, st->idat_len + len + 1u);
    if (!grown) {
        return -SIM_ENOMEM;
    }
    memcpy(grown + st->idat_len, d, len);
    st->idat = grown;
    st->idat_len += len;
    return 0;
}

static int walk_chunks(png_state_t *st, const uint8_t *buf, size_t len) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (len < sizeof sig || memcmp(buf, sig, sizeof sig) != 0) {
        return -SIM_EFORMAT;
    }
    size_t pos = sizeof sig;
    while (!st->have_iend) {
        if (len - pos < 12) {
            return -SIM_EFORMAT; /* truncated */
        }
        uint32_t clen = get_be32(buf + pos);
        const uint8_t *type = buf + pos + 4, *data = buf + pos + 8;
        if (clen > len - pos - 12) {
            return -SIM_EFORMAT;
        }
        if ((uint32_t)crc32(0L, type, 4u + clen) != get_be32(data + clen)) {
            return -SIM_EFORMAT;
        }
        int rc = 0;
        if (memcmp(type, "IHDR", 4) == 0) {
            rc = parse_ihdr(st, data, clen);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            rc = append_idat(st, data, clen);
        } else if (memcmp(type, "IEND", 4) == 0) {
            st->have_iend = true;
        } else if (!(type[0] & 0x20)) {
            rc = -SIM_EFORMAT; /* an unknown critical chunk (PLTE for palettes, ...) */
        }
        if (rc != 0) {
            return rc;
        }
        pos += 12u + clen;
    }
    return st->have_ihdr && st->idat_len > 0 ? 0 : -SIM_EFORMAT;
}

static uint8_t paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc) {
        return (uint8_t)a;
    }
    return (uint8_t)(pb <= pc ? b : c);
}

/* Undoes one row's filter in place; prev is the previous unfiltered row or NULL. */
static int unfilter_row(uint8_t type, uint8_t *row, const uint8_t *prev, size_t n, unsigned bpp) {
    for (size_t i = 0; i < n; i++) {
        int a = i >= bpp ? row[i - bpp] : 0, b = prev ? prev[i] : 0;
        int c = (prev && i >= bpp) ? prev[i - bpp] : 0;
        switch (type) {
            case 0:
                break;
            case 1:
                row[i] = (uint8_t)(row[i] + a);
                break;
            case 2:
                row[i] = (uint8_t)(row[i] + b);
                break;
            case 3:
                row[i] = (uint8_t)(row[i] + (a + b) / 2);
                break;
            case 4:
                row[i] = (uint8_t)(row[i] + paeth(a, b, c));
                break;
            default:
                return -SIM_EFORMAT;
        }
    }
    return 0;
}

static int inflate_pixels(const png_state_t *st, panel_image_t *img) {
    const size_t stride = (size_t)st->w * st->bpp, raw_len = (stride + 1u) * st->h;
    uint8_t *raw = malloc(raw_len + 1u);
    if (!raw) {
        return -SIM_ENOMEM;
    }
    uLongf got = (uLongf)raw_len + 1u; /* one spare byte: a longer stream is malformed too */
    int zrc = uncompress(raw, &got, st->idat, (uLong)st->idat_len);
    int rc =
        (zrc == Z_OK && got == raw_len) ? 0 : (zrc == Z_MEM_ERROR ? -SIM_ENOMEM : -SIM_EFORMAT);
    if (rc == 0) {
        rc = panel_image_alloc(img, (int)st->w, (int)st->h);
    }
    for (uint32_t y = 0; rc == 0 && y < st->h; y++) {
        uint8_t *row = raw + y * (stride + 1u);
        rc = unfilter_row(row[0], row + 1, y ? row - stride : NULL, stride, st->bpp);
        for (uint32_t x = 0; rc == 0 && x < st->w; x++) {
            memcpy(img->rgb + ((size_t)y * st->w + x) * 3u, row + 1 + (size_t)x * st->bpp, 3);
        }
    }
    free(raw);
    if (rc != 0) {
        panel_image_free(img);
    }
    return rc;
}

int panel_png_decode(const uint8_t *buf, size_t len, panel_image_t *img) {
    memset(img, 0, sizeof *img);
    png_state_t st;
    memset(&st, 0, sizeof st);
    int rc = walk_chunks(&st, buf, len);
    if (rc == 0) {
        rc = inflate_pixels(&st, img);
    }
    free(st.idat);
    return rc;
}
