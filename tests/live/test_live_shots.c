/*
 * test_live_shots.c: headless screenshots of real runs through the command line, checked two
 * ways: pixels sampled where the panel's layout puts each part (the TM1637 of a pack at 14 %
 * showing " 14" and then nothing across two instants 500 ms apart, the red SOC bar at 18 %),
 * and whole images against golden PNGs within a tolerance.
 *
 * Golden images live in tests/live/golden/. A comparison passes when at most 0.02 % of the
 * pixels differ by more than 48 in some channel (fonts rasterised by another FreeType move a
 * few edge pixels; a wrong digit or colour moves hundreds). On failure the actual image and a
 * diff (differences in magenta) are written to <build>/test-tmp/. SIM_UPDATE_GOLDEN=1 rewrites
 * the goldens: review them with git diff and an image viewer.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel_image.h"
#include "panel_layout.h"
#include "panel_png.h"
#include "test_support.h"

#define TMP         SIM_BINARY_DIR "/test-tmp"
#define GOLDEN      SIM_SOURCE_DIR "/tests/live/golden"
#define INDICATORS  SIM_SOURCE_DIR "/tests/live/panel_indicators.json"
#define CHANNEL_TOL 48u

static int alfasim(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY %s/alfasim %s >/dev/null",
             SIM_BINARY_DIR, args);
    int rc = system(cmd);
    return rc == -1 ? -1 : (rc >> 8) & 0xFF;
}

static void compare_golden(const char *name) {
    char actual[512], golden[512];
    snprintf(actual, sizeof actual, "%s/%s", TMP, name);
    snprintf(golden, sizeof golden, "%s/%s", GOLDEN, name);
    panel_image_t a, g;
    CU_ASSERT_EQUAL_FATAL(panel_png_read(actual, &a), 0);
    const char *update = getenv("SIM_UPDATE_GOLDEN");
    if (update != NULL && strcmp(update, "1") == 0) {
        CU_ASSERT_EQUAL(panel_png_write(golden, &a), 0);
        panel_image_free(&a);
        return;
    }
    int rc = panel_png_read(golden, &g);
    if (rc != 0) {
        fprintf(stderr, "\n  %s: no golden image (SIM_UPDATE_GOLDEN=1 writes it)\n", golden);
        CU_FAIL("golden missing");
        panel_image_free(&a);
        return;
    }
    panel_image_diff_t d;
    uint64_t max_pixels = (uint64_t)a.w * (uint64_t)a.h / 5000u;
    bool ok = panel_image_matches(&g, &a, CHANNEL_TOL, max_pixels, &d);
    if (!ok) {
        char diff[600];
        snprintf(diff, sizeof diff, "%s/%s.diff.png", TMP, name);
        (void)panel_image_write_diff(diff, &g, &a, CHANNEL_TOL);
        fprintf(stderr, "\n  %s: %llu pixels differ (max delta %u, first at %d,%d); see %s\n", name,
                (unsigned long long)d.differing, d.max_delta, d.first_x, d.first_y, diff);
    }
    CU_ASSERT_TRUE(ok);
    panel_image_free(&a);
    panel_image_free(&g);
}

/* ---- sampling ------------------------------------------------------------------------------- */

static uint32_t centre(const panel_image_t *img, panel_rect_t r) {
    return panel_image_pixel(img, r.x + r.w / 2, r.y + r.h / 2);
}

static bool red_lit(uint32_t rgb) {
    unsigned r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, b = rgb & 0xFF;
    return r > 160 && g < 110 && b < 110;
}

/* The segments of TM1637 digit `digit` of card `card` that are lit, as a..g bits. */
static unsigned lit_segments(const panel_image_t *img, const panel_layout_t *l, unsigned card,
                             unsigned digit) {
    unsigned mask = 0;
    for (unsigned seg = 0; seg < 7; seg++) {
        panel_rect_t r = panel_layout_segment(l->cards[card].digit[digit], seg);
        mask |= red_lit(centre(img, r)) ? 1u << seg : 0u;
    }
    return mask;
}

/* Any red text in the card's SOC area. */
static bool soc_in_red(const panel_image_t *img, const panel_layout_t *l, unsigned card) {
    panel_rect_t r = l->cards[card].soc;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            if (red_lit(panel_image_pixel(img, x, y))) {
                return true;
            }
        }
    }
    return false;
}

#define SEG_1 0x06u /* b c */
#define SEG_4 0x66u /* b c f g */

static void test_display_blinks_and_bar_red(void) {
    ASSERT_EQ_I64(alfasim("run " INDICATORS " --quiet --out " TMP "/live_ind --panel-size 800x480"
                          " --screenshot-at 10.2s " TMP "/indicators_10200ms.png"
                          " --screenshot-at 10.7s " TMP "/indicators_10700ms.png"),
                  0);
    panel_image_t on, off;
    CU_ASSERT_EQUAL_FATAL(panel_png_read(TMP "/indicators_10200ms.png", &on), 0);
    CU_ASSERT_EQUAL_FATAL(panel_png_read(TMP "/indicators_10700ms.png", &off), 0);
    panel_layout_t l;
    panel_layout_compute(&l, 800, 480, 2, NULL);
    /* "low" (card 0) at 14 %: " 14" in the lit half of its blink, nothing in the dark half. */
    ASSERT_EQ_U64(lit_segments(&on, &l, 0, 0), 0);
    ASSERT_EQ_U64(lit_segments(&on, &l, 0, 1), SEG_1);
    ASSERT_EQ_U64(lit_segments(&on, &l, 0, 2), SEG_4);
    ASSERT_EQ_U64(lit_segments(&off, &l, 0, 1), 0);
    ASSERT_EQ_U64(lit_segments(&off, &l, 0, 2), 0);
    /* "eighteen" (card 1) at 18 %: two red pixels, the rest dark; SOC text in red; steady. */
    for (unsigned i = 0; i < PANEL_WS2812_PIXELS; i++) {
        CU_ASSERT_EQUAL(red_lit(centre(&on, l.cards[1].pixel[i])), i < 2);
        CU_ASSERT_EQUAL(red_lit(centre(&off, l.cards[1].pixel[i])), i < 2);
    }
    CU_ASSERT_TRUE(soc_in_red(&on, &l, 1));
    ASSERT_EQ_U64(lit_segments(&off, &l, 1, 2), lit_segments(&on, &l, 1, 2));
    CU_ASSERT_TRUE(lit_segments(&off, &l, 1, 2) != 0);
    panel_image_free(&on);
    panel_image_free(&off);
    compare_golden("indicators_10200ms.png");
    compare_golden("indicators_10700ms.png");
}

/* The three-pack Eco scenario as the panel shows it at 90 s (heater and pump shed on pack1). */
static void test_eco_three_packs(void) {
    ASSERT_EQ_I64(alfasim("run " SIM_SOURCE_DIR "/scenarios/eco_three_packs.json --quiet"
                          " --out " TMP "/live_eco3 --screenshot-at 90s " TMP
                          "/eco_three_packs_90s.png"),
                  0);
    compare_golden("eco_three_packs_90s.png");
}

/* A replay shows its slider and REPLAY state; the run it shows is the recorded one. */
static void test_replay_view(void) {
    ASSERT_EQ_I64(alfasim("run " INDICATORS " --quiet --out " TMP "/live_ind_rec"), 0);
    ASSERT_EQ_I64(alfasim("replay " TMP "/live_ind_rec --quiet --panel-size 800x480"
                          " --screenshot-at 10.2s " TMP "/indicators_replay_10200ms.png"),
                  0);
    compare_golden("indicators_replay_10200ms.png");
}

void test_register(void) {
    TEST_SUITE("live_shots", TEST(test_display_blinks_and_bar_red), TEST(test_eco_three_packs),
               TEST(test_replay_view));
}
