/*
 * panel_render.c: one frame, composed from the last snapshot: background, cards, strip, and
 * the help overlay on top. The layout is recomputed every frame: it is a few hundred integer
 * operations, and it follows window resizes and node-count changes without any bookkeeping.
 */
#include "panel_int.h"

void panel_render(panel_t *p) {
    uint8_t digits[PANEL_NODES_MAX];
    for (unsigned i = 0; i < PANEL_NODES_MAX; i++) {
        digits[i] = p->snap.nodes[i].tm1637_digits;
    }
    panel_layout_compute(&p->layout, p->cv.w, p->cv.h, p->snap.n_nodes, digits);
    panel_gfx_unclip(&p->cv);
    panel_gfx_fill(&p->cv, (panel_rect_t){0, 0, p->cv.w, p->cv.h}, PANEL_RGB_BG);
    if (p->snap.n_nodes == 0) {
        const char *msg = "no nodes in this run";
        int w = panel_text_width(p->fonts, PANEL_FACE_SANS, 16, msg);
        panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, 16, (p->cv.w - w) / 2,
                   p->layout.card_area.h / 2, PANEL_RGB_DIM, msg);
    }
    for (unsigned i = 0; i < p->layout.n_cards; i++) {
        panel_draw_card(p, i);
    }
    panel_draw_strip(p);
    if (p->help) {
        panel_draw_help(p);
    }
}
