/*
 * WS2812 chain: G,R,B byte order, short and long frames, lit count.
 */
#include "sim_types.h"
#include "test_support.h"
#include "ws2812.h"

static void grb_bytes_become_rgb_colours(void) {
    ws2812_t *c = NULL;
    ASSERT_EQ_I64(ws2812_create(10, &c), 0);
    /* The firmware's SOC bar at 25 %: 3 green pixels (G,R,B = FF,00,00), one blue sweep pixel. */
    uint8_t frame[30] = {0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0};
    frame[27] = 0x00;
    frame[28] = 0xFF; /* pixel 9: red */
    ws2812_write(c, frame, sizeof frame);
    ws2812_rgb_t p0 = ws2812_pixel(c, 0);
    ASSERT_EQ_U64(p0.r, 0);
    ASSERT_EQ_U64(p0.g, 255);
    ASSERT_EQ_U64(p0.b, 0);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 1), 0x0000FF);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 2), 0x00FF00);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 9), 0xFF0000);
    ASSERT_EQ_U64(ws2812_lit(c), 4);
    ASSERT_EQ_U64(ws2812_count(c), 10);
    ws2812_destroy(c);
}

static void short_and_long_frames(void) {
    ws2812_t *c = NULL;
    ASSERT_EQ_I64(ws2812_create(3, &c), 0);
    uint8_t all[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    ws2812_write(c, all, 9);
    /* Two bytes: no pixel latches 24 bits; everything keeps its colour. */
    const uint8_t two[2] = {0xAA, 0xBB};
    ws2812_write(c, two, 2);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 0), 0x020103);
    /* One pixel and a half: only pixel 0 changes. */
    const uint8_t more[5] = {0x10, 0x20, 0x30, 0x40, 0x50};
    ws2812_write(c, more, 5);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 0), 0x201030);
    ASSERT_EQ_U64(ws2812_pixel_rgb24(c, 1), 0x050406);
    /* Beyond the chain: lost. */
    uint8_t big[15] = {0};
    ws2812_write(c, big, 15);
    ASSERT_EQ_U64(ws2812_lit(c), 0);
    ws2812_stats_t st;
    ws2812_stats(c, &st);
    ASSERT_EQ_U64(st.frames, 4);
    ASSERT_EQ_U64(st.bytes_lost, 2 + 2 + 6);
    ws2812_destroy(c);
    ASSERT_EQ_I64(ws2812_create(0, &c), -SIM_EINVAL);
    ASSERT_EQ_I64(ws2812_create(65, &c), -SIM_EINVAL);
}

void test_register(void) {
    TEST_SUITE("model_ws2812", TEST(grb_bytes_become_rgb_colours), TEST(short_and_long_frames));
}
