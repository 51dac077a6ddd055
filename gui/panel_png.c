/*
 * panel_png.c: the PNG writer, and file reading and writing around the codec.
 *
 * File layout (PNG specification, ISO/IEC 15948):
 *
 *   89 50 4E 47 0D 0A 1A 0A                     signature
 *   [len][IHDR][w h depth=8 type=2 0 0 0][crc]  header: 8-bit RGB, not interlaced
 *   [len][IDAT][zlib(filtered rows)][crc]       each row: filter byte, then w * 3 bytes
 *   [len][IEND][][crc]
 *
 * Lengths and the header fields are big-endian; each CRC covers the chunk type and data.
 */
#include "panel_png.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim_types.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends one chunk at *pos (the buffer is large enough by construction). */
static void put_chunk(uint8_t *buf, size_t *pos, const char type[4], const uint8_t *data,
                      uint32_t len) {
    uint8_t *p = buf + *pos;
    put_be32(p, len);
    memcpy(p + 4, type, 4);
    if (len) {
        memcpy(p + 8, data, len);
    }
    uLong crc = crc32(0L, p + 4, 4u + len);
    put_be32(p + 8 + len, (uint32_t)crc);
    *pos += 12u + len;
}

static unsigned residual_cost(const uint8_t *row, size_t n) {
    unsigned cost = 0;
    for (size_t i = 0; i < n; i++) {
        cost += row[i] < 128 ? row[i] : 256u - row[i]; /* |signed residual| */
    }
    return cost;
}

/* Filters one row with Sub (1) or Up (2), whichever leaves smaller residuals; out[0] = type. */
static void filter_row(const uint8_t *cur, const uint8_t *prev, size_t n, uint8_t *out,
                       uint8_t *scratch) {
    for (size_t i = 0; i < n; i++) {
        out[1 + i] = (uint8_t)(cur[i] - (i >= 3 ? cur[i - 3] : 0));
        scratch[i] = (uint8_t)(cur[i] - (prev ? prev[i] : 0));
    }
    out[0] = 1;
    if (prev && residual_cost(scratch, n) < residual_cost(out + 1, n)) {
        memcpy(out + 1, scratch, n);
        out[0] = 2;
    }
}

static int deflate_rows(const panel_image_t *img, uint8_t **z, uLongf *zlen) {
    const size_t stride = (size_t)img->w * 3u, raw_len = (stride + 1u) * (size_t)img->h;
    uint8_t *raw = malloc(raw_len), *scratch = malloc(stride);
    uLongf bound = compressBound((uLong)raw_len);
    *z = malloc(bound);
    if (!raw || !scratch || !*z) {
        free(raw);
        free(scratch);
        free(*z);
        *z = NULL;
        return -SIM_ENOMEM;
    }
    for (int y = 0; y < img->h; y++) {
        const uint8_t *cur = img->rgb + (size_t)y * stride;
        filter_row(cur, y ? cur - stride : NULL, stride, raw + (size_t)y * (stride + 1u), scratch);
    }
    *zlen = bound;
    int zrc = compress2(*z, zlen, raw, (uLong)raw_len, 6);
    free(raw);
    free(scratch);
    if (zrc != Z_OK) {
        free(*z);
        *z = NULL;
        return zrc == Z_MEM_ERROR ? -SIM_ENOMEM : -SIM_EINVAL;
    }
    return 0;
}

int panel_png_encode(const panel_image_t *img, uint8_t **out, size_t *len) {
    *out = NULL;
    *len = 0;
    if (!img->rgb || img->w < 1 || img->h < 1 || img->w > PANEL_PNG_MAX_SIDE ||
        img->h > PANEL_PNG_MAX_SIDE) {
        return -SIM_EINVAL;
    }
    uint8_t *z = NULL;
    uLongf zlen = 0;
    int rc = deflate_rows(img, &z, &zlen);
    if (rc != 0) {
        return rc;
    }
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, (uint32_t)img->w);
    put_be32(ihdr + 4, (uint32_t)img->h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* colour type: RGB */
    uint8_t *buf = malloc(sizeof png_signature + 3u * 12u + sizeof ihdr + zlen);
    if (!buf) {
        free(z);
        return -SIM_ENOMEM;
    }
    size_t pos = sizeof png_signature;
    memcpy(buf, png_signature, pos);
    put_chunk(buf, &pos, "IHDR", ihdr, sizeof ihdr);
    put_chunk(buf, &pos, "IDAT", z, (uint32_t)zlen);
    put_chunk(buf, &pos, "IEND", NULL, 0);
    free(z);
    *out = buf;
    *len = pos;
    return 0;
}

int panel_png_write(const char *path, const panel_image_t *img) {
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = panel_png_encode(img, &buf, &len);
    if (rc != 0) {
        return rc;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        free(buf);
        return -SIM_EIO;
    }
    size_t put = fwrite(buf, 1, len, fp);
    int closed = fclose(fp);
    free(buf);
    if (put != len || closed != 0) {
        remove(path); /* never leave a truncated screenshot behind */
        return -SIM_EIO;
    }
    return 0;
}

int panel_png_read(const char *path, panel_image_t *img) {
    memset(img, 0, sizeof *img);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        return -SIM_ENOENT;
    }
    /* Bounded: the largest image we accept, uncompressed, plus room for chunk overhead. */
    const size_t cap = (size_t)64 << 20;
    size_t len = 0, size = 1 << 16;
    uint8_t *buf = malloc(size);
    int rc = buf ? 0 : -SIM_ENOMEM;
    while (rc == 0) {
        size_t got = fread(buf + len, 1, size - len, fp);
        len += got;
        if (got == 0) {
            rc = ferror(fp) ? -SIM_EIO : 0;
            break;
        }
        if (len == size) {
            uint8_t *bigger = size < cap ? realloc(buf, size * 2) : NULL;
            rc = bigger ? 0 : (size < cap ? -SIM_ENOMEM : -SIM_EFORMAT);
            buf = bigger ? bigger : buf;
            size *= 2;
        }
    }
    fclose(fp);
    if (rc == 0) {
        rc = panel_png_decode(buf, len, img);
    }
    free(buf);
    return rc;
}
