/*
 * gui_golden.h: helpers shared by the panel's rendering tests: a headless panel, pixel sampling
 * at layout positions, and golden-image comparison.
 *
 * Golden images live in tests/gui/golden/. A comparison passes when at most
 * GUI_GOLDEN_MAX_PER_10000 / 100 % of the pixels differ by more than GUI_GOLDEN_CHANNEL_TOL in a
 * channel; on failure the actual image and a diff image (differences in magenta) are written to
 * <build>/test-tmp/. SIM_UPDATE_GOLDEN=1 rewrites the goldens instead (review with git diff).
 */
#ifndef GUI_GOLDEN_H
#define GUI_GOLDEN_H

#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "panel_layout.h"
#include "panel_png.h"
#include "sim_types.h"
#include "test_support.h"

#define GUI_GOLDEN_CHANNEL_TOL 48
#define GUI_GOLDEN_MAX_PER_10000                                                                   \
    2 /* 0.02 % of the pixels: text from another FreeType moves a                                  \
       * few edge pixels, a wrong digit moves a thousand */

static inline uint64_t gui_golden_max_pixels(const panel_image_t *img) {
    return (uint64_t)img->w * (uint64_t)img->h * GUI_GOLDEN_MAX_PER_10000 / 10000u;
}

static inline panel_t *gui_open_headless(int w, int h) {
    panel_opts_t o;
    panel_opts_default(&o);
    o.headless = true;
    o.width = w;
    o.height = h;
    o.screenshot_dir = SIM_BINARY_DIR "/test-tmp";
    panel_t *p = NULL;
    char err[256] = "";
    int rc = panel_open(&o, &p, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  panel_open: %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return p;
}

/* Draws snap and captures the frame into *img. */
static inline void gui_draw_capture(panel_t *p, const panel_snapshot_t *snap, panel_image_t *img) {
    panel_draw(p, snap);
    CU_ASSERT_EQUAL_FATAL(panel_capture(p, img), 0);
}

static inline uint32_t gui_centre(const panel_image_t *img, panel_rect_t r) {
    return panel_image_pixel(img, r.x + r.w / 2, r.y + r.h / 2);
}

/* Pixels of r exactly equal to rgb. */
static inline unsigned gui_count(const panel_image_t *img, panel_rect_t r, uint32_t rgb) {
    unsigned n = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            n += panel_image_pixel(img, x, y) == rgb;
        }
    }
    return n;
}

static inline void gui_golden(const char *name, const panel_image_t *img) {
    char path[512], out[512];
    snprintf(path, sizeof path, "%s/tests/gui/golden/%s", SIM_SOURCE_DIR, name);
    const char *update = getenv("SIM_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        ASSERT_EQ_I64(panel_png_write(path, img), 0);
        return;
    }
    panel_image_t want;
    if (panel_png_read(path, &want) != 0) {
        fprintf(stderr, "\n  missing golden %s (SIM_UPDATE_GOLDEN=1 creates it)\n", path);
        CU_FAIL("golden image missing");
        return;
    }
    panel_image_diff_t d;
    bool ok =
        panel_image_matches(&want, img, GUI_GOLDEN_CHANNEL_TOL, gui_golden_max_pixels(img), &d);
    if (!ok) {
        snprintf(out, sizeof out, "%s/test-tmp/%s.actual.png", SIM_BINARY_DIR, name);
        panel_png_write(out, img);
        fprintf(stderr, "\n  %s: %llu pixels differ (first at %d,%d; max delta %u)%s; see %s\n",
                name, (unsigned long long)d.differing, d.first_x, d.first_y, d.max_delta,
                d.size_mismatch ? ", size differs" : "", out);
        snprintf(out, sizeof out, "%s/test-tmp/%s.diff.png", SIM_BINARY_DIR, name);
        panel_image_write_diff(out, &want, img, GUI_GOLDEN_CHANNEL_TOL);
    }
    CU_ASSERT_TRUE(ok);
    panel_image_free(&want);
}

#endif
