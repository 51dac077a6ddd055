/*
 * The panel's PNG writer and reader, and the tolerant image comparison behind golden tests.
 *
 * The reader is checked against streams built here by hand (all five row filters, RGBA, IDAT
 * split across chunks) so it is not only tested against its own writer, and against every kind
 * of damage a file can carry (signature, CRC, truncation, unsupported kinds, wrong sizes).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "panel_image.h"
#include "panel_png.h"
#include "sim_types.h"
#include "test_support.h"

/* A deterministic test pattern with flat areas, gradients and noise. */
static void pattern(panel_image_t *img, int w, int h) {
    CU_ASSERT_EQUAL_FATAL(panel_image_alloc(img, w, h), 0);
    uint32_t x32 = 12345u;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            x32 = x32 * 1664525u + 1013904223u;
            uint8_t *p = img->rgb + ((size_t)y * (size_t)w + (size_t)x) * 3u;
            p[0] = (uint8_t)(x * 255 / (w > 1 ? w - 1 : 1));
            p[1] = (uint8_t)(y < h / 2 ? 40 : (x32 >> 24));
            p[2] = (uint8_t)((x / 4 + y / 4) % 2 ? 200 : 10);
        }
    }
}

static void test_roundtrip_memory(void) {
    panel_image_t a, b;
    pattern(&a, 37, 23);
    uint8_t *buf = NULL;
    size_t len = 0;
    ASSERT_EQ_I64(panel_png_encode(&a, &buf, &len), 0);
    CU_ASSERT_TRUE(len > 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0);
    ASSERT_EQ_I64(panel_png_decode(buf, len, &b), 0);
    ASSERT_EQ_I64(b.w, 37);
    ASSERT_EQ_I64(b.h, 23);
    CU_ASSERT_TRUE(memcmp(a.rgb, b.rgb, 37u * 23u * 3u) == 0);
    free(buf);
    panel_image_free(&a);
    panel_image_free(&b);
}

static void test_encode_rejects_empty(void) {
    panel_image_t empty;
    memset(&empty, 0, sizeof empty);
    uint8_t *buf = (uint8_t *)&empty;
    size_t len = 7;
    ASSERT_EQ_I64(panel_png_encode(&empty, &buf, &len), -SIM_EINVAL);
    CU_ASSERT_PTR_NULL(buf);
    ASSERT_EQ_I64(len, 0);
}

/* ---- hand-built streams ---------------------------------------------------------------- */

typedef struct {
    uint8_t data[1 << 16];
    size_t len;
} stream_t;

static void be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void chunk(stream_t *s, const char *type, const uint8_t *data, uint32_t len) {
    uint8_t *p = s->data + s->len;
    be32(p, len);
    memcpy(p + 4, type, 4);
    if (len) {
        memcpy(p + 8, data, len);
    }
    be32(p + 8 + len, (uint32_t)crc32(0L, p + 4, 4u + len));
    s->len += 12u + len;
}

static void begin(stream_t *s, uint32_t w, uint32_t h, uint8_t depth, uint8_t type) {
    memcpy(s->data, "\x89PNG\r\n\x1a\n", 8);
    s->len = 8;
    uint8_t ihdr[13] = {0};
    be32(ihdr, w);
    be32(ihdr + 4, h);
    ihdr[8] = depth;
    ihdr[9] = type;
    chunk(s, "IHDR", ihdr, 13);
}

static int pred(int type, int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    switch (type) {
        case 1:
            return a;
        case 2:
            return b;
        case 3:
            return (a + b) / 2;
        case 4:
            return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        default:
            return 0;
    }
}

/* 5 RGBA rows of 4 pixels, row y filtered with type y (None, Sub, Up, Average, Paeth). */
static void build_filtered_rgba(stream_t *s, uint8_t px[5][16], int split_idat) {
    uint8_t raw[5 * 17], z[512];
    for (int y = 0; y < 5; y++) {
        raw[y * 17] = (uint8_t)y;
        for (int i = 0; i < 16; i++) {
            px[y][i] = (uint8_t)(y * 50 + i * 13 + (i % 4 == 3 ? 100 : 0));
            int a = i >= 4 ? px[y][i - 4] : 0, b = y ? px[y - 1][i] : 0;
            int c = (y && i >= 4) ? px[y - 1][i - 4] : 0;
            raw[y * 17 + 1 + i] = (uint8_t)(px[y][i] - pred(y, a, b, c));
        }
    }
    uLongf zlen = sizeof z;
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zlen, raw, sizeof raw, 9), Z_OK);
    begin(s, 4, 5, 8, 6);
    chunk(s, "tEXt", (const uint8_t *)"Comment\0hand made", 17); /* ancillary: skipped */
    if (split_idat) {
        chunk(s, "IDAT", z, 3);
        chunk(s, "IDAT", z + 3, (uint32_t)zlen - 3);
    } else {
        chunk(s, "IDAT", z, (uint32_t)zlen);
    }
    chunk(s, "IEND", NULL, 0);
}

static void check_filtered(int split) {
    static stream_t s;
    uint8_t px[5][16];
    panel_image_t img;
    build_filtered_rgba(&s, px, split);
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), 0);
    ASSERT_EQ_I64(img.w, 4);
    ASSERT_EQ_I64(img.h, 5);
    for (int y = 0; y < 5 && img.rgb; y++) {
        for (int x = 0; x < 4; x++) {
            uint32_t want =
                (uint32_t)px[y][x * 4] << 16 | (uint32_t)px[y][x * 4 + 1] << 8 | px[y][x * 4 + 2];
            ASSERT_EQ_U64(panel_image_pixel(&img, x, y), want);
        }
    }
    panel_image_free(&img);
}

static void test_all_filters_rgba(void) {
    check_filtered(0);
}

static void test_idat_split(void) {
    check_filtered(1);
}

static void test_rejects_damage(void) {
    static stream_t s;
    uint8_t px[5][16];
    panel_image_t img;
    build_filtered_rgba(&s, px, 0);
    /* Every truncation fails cleanly. */
    for (size_t cut = 0; cut < s.len; cut += 7) {
        ASSERT_EQ_I64(panel_png_decode(s.data, cut, &img), -SIM_EFORMAT);
        CU_ASSERT_PTR_NULL(img.rgb);
    }
    /* A flipped bit anywhere after the signature is caught by a CRC (or the signature check). */
    for (size_t pos = 0; pos < s.len; pos += 5) {
        s.data[pos] ^= 0x10;
        CU_ASSERT_NOT_EQUAL(panel_png_decode(s.data, s.len, &img), 0);
        s.data[pos] ^= 0x10;
    }
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), 0);
    panel_image_free(&img);
}

static void test_rejects_unsupported(void) {
    static stream_t s;
    panel_image_t img;
    const uint8_t z_empty_row[] = {0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01};
    begin(&s, 1, 1, 8, 3); /* palette */
    chunk(&s, "IDAT", z_empty_row, sizeof z_empty_row);
    chunk(&s, "IEND", NULL, 0);
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), -SIM_EFORMAT);
    begin(&s, 1, 1, 16, 2); /* 16-bit */
    chunk(&s, "IEND", NULL, 0);
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), -SIM_EFORMAT);
    begin(&s, PANEL_PNG_MAX_SIDE + 1, 1, 8, 2); /* too large */
    chunk(&s, "IEND", NULL, 0);
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), -SIM_EFORMAT);
    /* Valid CRCs but the pixels inflate to fewer bytes than 1 x 1 RGB needs. */
    begin(&s, 1, 1, 8, 2);
    chunk(&s, "IDAT", z_empty_row, sizeof z_empty_row);
    chunk(&s, "IEND", NULL, 0);
    ASSERT_EQ_I64(panel_png_decode(s.data, s.len, &img), -SIM_EFORMAT);
}

static void test_files(void) {
    const char *path = SIM_BINARY_DIR "/test-tmp/test_gui_png.png";
    panel_image_t a, b;
    pattern(&a, 64, 48);
    ASSERT_EQ_I64(panel_png_write(path, &a), 0);
    ASSERT_EQ_I64(panel_png_read(path, &b), 0);
    CU_ASSERT_TRUE(b.rgb && memcmp(a.rgb, b.rgb, 64u * 48u * 3u) == 0);
    panel_image_free(&b);
    ASSERT_EQ_I64(panel_png_read(SIM_BINARY_DIR "/test-tmp/no-such.png", &b), -SIM_ENOENT);
    ASSERT_EQ_I64(panel_png_write(SIM_BINARY_DIR "/no-such-dir/x.png", &a), -SIM_EIO);
    remove(path);
    panel_image_free(&a);
}

static void test_compare(void) {
    panel_image_t a, b, c;
    panel_image_diff_t d;
    pattern(&a, 20, 10);
    pattern(&b, 20, 10);
    CU_ASSERT_TRUE(panel_image_matches(&a, &b, 0, 0, &d));
    ASSERT_EQ_U64(d.differing, 0);
    ASSERT_EQ_I64(d.first_x, -1);
    b.rgb[(3 * 20 + 5) * 3 + 1] = (uint8_t)(b.rgb[(3 * 20 + 5) * 3 + 1] ^ 0x80); /* delta 128 */
    b.rgb[(7 * 20 + 2) * 3] = (uint8_t)(b.rgb[(7 * 20 + 2) * 3] + 30);
    panel_image_compare(&a, &b, 16, &d);
    ASSERT_EQ_U64(d.differing, 2);
    ASSERT_EQ_I64(d.first_x, 5);
    ASSERT_EQ_I64(d.first_y, 3);
    ASSERT_EQ_U64(d.max_delta, 128);
    CU_ASSERT_TRUE(panel_image_matches(&a, &b, 16, 2, &d));
    CU_ASSERT_FALSE(panel_image_matches(&a, &b, 16, 1, &d));
    CU_ASSERT_TRUE(panel_image_matches(&a, &b, 128, 0, &d)); /* tolerance is inclusive */
    pattern(&c, 20, 11);
    CU_ASSERT_FALSE(panel_image_matches(&a, &c, 255, 1000, &d));
    CU_ASSERT_TRUE(d.size_mismatch);
    ASSERT_EQ_I64(panel_image_write_diff(SIM_BINARY_DIR "/test-tmp/x.png", &a, &c, 0), -SIM_EINVAL);
    const char *diff = SIM_BINARY_DIR "/test-tmp/test_gui_png_diff.png";
    ASSERT_EQ_I64(panel_image_write_diff(diff, &a, &b, 16), 0);
    panel_image_free(&c);
    ASSERT_EQ_I64(panel_png_read(diff, &c), 0);
    ASSERT_EQ_U64(panel_image_pixel(&c, 5, 3), 0xFF00FFu);
    CU_ASSERT_NOT_EQUAL(panel_image_pixel(&c, 0, 0), 0xFF00FFu);
    remove(diff);
    panel_image_free(&a);
    panel_image_free(&b);
    panel_image_free(&c);
}

void test_register(void) {
    TEST_SUITE("gui_png", TEST(test_roundtrip_memory), TEST(test_encode_rejects_empty),
               TEST(test_all_filters_rgba), TEST(test_idat_split), TEST(test_rejects_damage),
               TEST(test_rejects_unsupported), TEST(test_files), TEST(test_compare));
}
