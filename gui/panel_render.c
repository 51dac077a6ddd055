/*
 * panel_render.c: one frame, composed from the last snapshot: background, cards, strip, and
 * the help overlay on top.
 *
 * The layout is recomputed every frame (a few hundred integer operations) so resizes and node
 * count changes need no bookkeeping. Drawing is incremental: the canvas persists between frames,
 * and a card is redrawn only when something it shows changed (panel_card_key_t); the background
 * only when the geometry changed or the help overlay covered everything. The strip, which shows
 * the time, is redrawn every frame. The result is pixel for pixel what a full redraw gives.
 */
#include "panel_int.h"

#include <string.h>

static void card_key(const panel_t *p, unsigned i, panel_card_key_t *k) {
    memset(k, 0, sizeof *k);
    k->node = p->snap.nodes[i];
    k->card = p->layout.cards[i].card;
    k->scale_x8 = p->layout.cards[i].scale_x8;
    k->selected = p->selected == (int)i;
    for (unsigned s = 0; s < PANEL_SIGNALS; s++) {
        k->blink[s] = panel_blink_active(&p->blink, i, s);
    }
    k->aliased = panel_blink_aliased(&p->blink);
    memcpy(k->lit_regs, p->blink.lit_regs[i], sizeof k->lit_regs);
}

static void draw_background(panel_t *p) {
    panel_gfx_fill(&p->cv, (panel_rect_t){0, 0, p->cv.w, p->cv.h}, PANEL_RGB_BG);
    if (p->snap.n_nodes == 0) {
        const char *msg = "no nodes in this run";
        int w = panel_text_width(p->fonts, PANEL_FACE_SANS, 16, msg);
        panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, 16, (p->cv.w - w) / 2,
                   p->layout.card_area.h / 2, PANEL_RGB_DIM, msg);
    }
}

void panel_render(panel_t *p) {
    uint8_t digits[PANEL_NODES_MAX];
    for (unsigned i = 0; i < PANEL_NODES_MAX; i++) {
        digits[i] = p->snap.nodes[i].tm1637_digits;
    }
    panel_layout_compute(&p->layout, p->cv.w, p->cv.h, p->snap.n_nodes, digits);
    panel_gfx_unclip(&p->cv);
    bool full = !p->cache_valid || p->drawn_w != p->cv.w || p->drawn_h != p->cv.h ||
                p->drawn_n != p->layout.n_cards;
    p->n_dirty = 0;
    if (full) {
        draw_background(p);
        p->dirty[p->n_dirty++] = (panel_rect_t){0, 0, p->cv.w, p->cv.h};
    }
    for (unsigned i = 0; i < p->layout.n_cards; i++) {
        panel_card_key_t k;
        card_key(p, i, &k);
        if (full || memcmp(&k, &p->drawn_cards[i], sizeof k) != 0) {
            panel_draw_card(p, i);
            p->drawn_cards[i] = k;
            if (!full) {
                p->dirty[p->n_dirty++] = k.card;
            }
        }
    }
    panel_draw_strip(p);
    if (!full) {
        p->dirty[p->n_dirty++] = p->layout.strip;
        p->dirty[p->n_dirty++] = (panel_rect_t){0, p->layout.timeline.y, p->cv.w, PANEL_TIMELINE_H};
    }
    if (p->help) {
        panel_draw_help(p);
        p->n_dirty = 1;
        p->dirty[0] = (panel_rect_t){0, 0, p->cv.w, p->cv.h};
    }
    /* The overlay shades the cards: after it, everything is drawn afresh. */
    p->cache_valid = !p->help;
    p->drawn_w = p->cv.w;
    p->drawn_h = p->cv.h;
    p->drawn_n = p->layout.n_cards;
}
