/*
 * bench_png.c: PNG = signature, IHDR, IDAT (a zlib stream of the filtered rows), IEND; each chunk
 * is length, type, data, CRC-32 of type and data. Rows use filter 0 (none): plots are mostly
 * flat colour, which deflate handles well without a predictor.
 */
#include "bench_png.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_HAVE_ZLIB
#include <zlib.h>
#endif

#define STORED_BLOCK_MAX 65535U

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) {
            c = (c & 1U) ? 0xedb88320U ^ (c >> 1) : c >> 1;
        }
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc = crc_table[(crc ^ p[i]) & 0xffU] ^ (crc >> 8);
    }
    return crc;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len) {
    uint8_t head[8];
    put_be32(head, len);
    memcpy(head + 4, type, 4);
    uint32_t crc = crc_update(0xffffffffU, head + 4, 4);
    crc = crc_update(crc, data, len) ^ 0xffffffffU;
    uint8_t tail[4];
    put_be32(tail, crc);
    if (fwrite(head, 1, 8, f) != 8 || (len > 0 && fwrite(data, 1, len, f) != len) ||
        fwrite(tail, 1, 4, f) != 4) {
        return -1;
    }
    return 0;
}

#ifndef BENCH_HAVE_ZLIB
/* A zlib stream of stored deflate blocks; *out is malloc'ed. */
static int zlib_stored(const uint8_t *raw, size_t len, uint8_t **out, size_t *out_len) {
    size_t blocks = len / STORED_BLOCK_MAX + 1U;
    uint8_t *z = malloc(2U + blocks * 5U + len + 4U);
    if (z == NULL) {
        return -1;
    }
    size_t o = 0;
    z[o++] = 0x78; /* deflate, 32 KiB window */
    z[o++] = 0x01; /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
    uint32_t a = 1, b = 0;
    size_t at = 0;
    do {
        size_t n = len - at < STORED_BLOCK_MAX ? len - at : STORED_BLOCK_MAX;
        z[o++] = at + n == len ? 1U : 0U; /* BFINAL, BTYPE 00 */
        z[o++] = (uint8_t)n;
        z[o++] = (uint8_t)(n >> 8);
        z[o++] = (uint8_t)~n;
        z[o++] = (uint8_t)(~n >> 8);
        for (size_t i = 0; i < n; i++) {
            a = (a + raw[at + i]) % 65521U;
            b = (b + a) % 65521U;
        }
        memcpy(z + o, raw + at, n);
        o += n;
        at += n;
    } while (at < len);
    put_be32(z + o, (b << 16) | a);
    *out = z;
    *out_len = o + 4U;
    return 0;
}
#endif

static int deflate_rows(const uint8_t *raw, size_t len, uint8_t **out, size_t *out_len) {
#ifdef BENCH_HAVE_ZLIB
    uLongf n = compressBound((uLong)len);
    uint8_t *z = malloc(n);
    if (z == NULL || compress2(z, &n, raw, (uLong)len, 9) != Z_OK) {
        free(z);
        return -1;
    }
    *out = z;
    *out_len = n;
    return 0;
#else
    return zlib_stored(raw, len, out, out_len);
#endif
}

/* The rows with their filter byte (0) in front. */
static uint8_t *filter_rows(const uint8_t *rgb, uint32_t w, uint32_t h, size_t *len) {
    size_t row = (size_t)w * 3U;
    uint8_t *raw = malloc((row + 1U) * h);
    if (raw == NULL) {
        return NULL;
    }
    for (uint32_t y = 0; y < h; y++) {
        raw[y * (row + 1U)] = 0;
        memcpy(raw + y * (row + 1U) + 1U, rgb + y * row, row);
    }
    *len = (row + 1U) * h;
    return raw;
}

int bench_png_write(const char *path, const uint8_t *rgb, uint32_t w, uint32_t h) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    crc_init();
    size_t raw_len = 0, z_len = 0;
    uint8_t *raw = filter_rows(rgb, w, h, &raw_len);
    uint8_t *z = NULL;
    if (raw == NULL || deflate_rows(raw, raw_len, &z, &z_len) != 0 || z_len > UINT32_MAX) {
        free(raw);
        free(z);
        return -1;
    }
    uint8_t ihdr[13];
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8;  /* bits per channel */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* filter method 0 */
    ihdr[12] = 0; /* no interlace */
    FILE *f = fopen(path, "wb");
    int rc = f == NULL ? -1 : 0;
    if (rc == 0 &&
        (fwrite(sig, 1, 8, f) != 8 || write_chunk(f, "IHDR", ihdr, 13) != 0 ||
         write_chunk(f, "IDAT", z, (uint32_t)z_len) != 0 || write_chunk(f, "IEND", NULL, 0) != 0)) {
        rc = -1;
    }
    if (f != NULL && fclose(f) != 0) {
        rc = -1;
    }
    free(raw);
    free(z);
    return rc;
}
