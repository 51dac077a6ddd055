/*
 * panel_seg.c: one seven-segment digit drawn from a TM1637 segment register.
 *
 *      aaaa
 *     f    b        bit 0..6 = a..g, bit 7 = the point (dp) at the bottom right
 *     f    b        lit segments in on_rgb, unlit ones faintly in off_rgb, as a real
 *      gggg         display looks with its segments visible but dark
 *     e    c
 *     e    c
 *      dddd  .
 *
 * Geometry: panel_layout_segment (shared with the tests). The register is drawn as it is, segment
 * by segment: a pattern the firmware got wrong shows as the wrong shape, not as a corrected
 * character.
 */
#include "panel_int.h"

static uint32_t seg_rgb(uint8_t segments, unsigned seg, uint32_t on_rgb, uint32_t off_rgb) {
    return (segments >> seg) & 1u ? on_rgb : off_rgb;
}

void panel_draw_digit(panel_canvas_t *cv, panel_rect_t cell, uint8_t segments, uint32_t on_rgb,
                      uint32_t off_rgb) {
    for (unsigned s = 0; s < 8; s++) {
        panel_gfx_fill(cv, panel_layout_segment(cell, s), seg_rgb(segments, s, on_rgb, off_rgb));
    }
}
