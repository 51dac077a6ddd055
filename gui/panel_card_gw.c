/*
 * panel_card_gw.c: the body of a gateway's card (the Orange Pi, or an Energy-Gateway).
 *
 * A gateway has no plant: no battery, relays, loads, status LEDs, WS2812 bar or TM1637, so its
 * card shows none of them (drawn empty they would read as a flat pack). What the panel knows of a
 * gateway is what the snapshot carries for every node: its state, its NodeID and master flag when
 * it announces, and its CAN controller, drawn by panel_card.c as on any card. This file fills the
 * rest of the card with what the gateway is on the bus: its role, and the frames it sends and
 * listens for (models/gateway.h for the Orange Pi, spec §9.7 for the Energy-Gateway), the
 * Energy-Gateway's ANN identifier computed from its NodeID.
 *
 * Everything is placed inside the rectangles the layout gives every card (the TM1637 row for the
 * role, the bar, relay and numbers rows for the frame table), so a gateway's card scales and
 * clips exactly like a pack's.
 */
#include "panel_int.h"

#include <stdio.h>

#define ANN_BASE_ID 0x300u /* ANN is 0x300 + NodeID */

bool panel_card_is_gateway(const panel_node_t *n) {
    return n->device_type == PANEL_DEVICE_PI || n->device_type == PANEL_DEVICE_GATEWAY;
}

/* One row of the frame table: direction (may be ""), identifier, what the frame is. */
typedef struct {
    const char *dir;
    const char *id;
    const char *what;
} gw_row_t;

#define GW_ROWS 3

typedef struct {
    const char *role[2]; /* what it is; how it stands in the election */
    gw_row_t rows[GW_ROWS];
    unsigned n_rows;
    const char *note; /* one line under the table */
    char ann_id[16];  /* the Energy-Gateway's ANN identifier, from its NodeID */
} gw_content_t;

static void gw_content(const panel_node_t *n, gw_content_t *g) {
    if (n->device_type == PANEL_DEVICE_PI) {
        *g = (gw_content_t){.role = {"App gateway", "never announces, not elected"},
                            .rows = {{"sends", "0x7FF", "time broadcast"},
                                     {"", "0x201..0x27F", "app commands"},
                                     {"hears", "0x280+N", "ACKs from node N"}},
                            .n_rows = 3,
                            .note = "command target: a NodeID, or 127 = all"};
        return;
    }
    *g = (gw_content_t){.role = {"Energy-Gateway", "announces, always master"},
                        .n_rows = 1,
                        .note = "packs elect it over any pack"};
    if (n->node_id == PANEL_NODE_ID_UNKNOWN) {
        snprintf(g->ann_id, sizeof g->ann_id, "0x300+N");
    } else {
        snprintf(g->ann_id, sizeof g->ann_id, "0x%03X", ANN_BASE_ID + n->node_id);
    }
    g->rows[0] = (gw_row_t){"sends", g->ann_id, "ANN, DeviceType 2"};
}

/* The role, in the band of the LEDs and the display, split in two lines like the CAN block. */
static void draw_role(panel_t *p, const panel_card_layout_t *c, const char *const role[2]) {
    panel_rect_t r = {c->led[0].x, c->can.y, c->display.x + c->display.w - c->led[0].x,
                      c->can.h / 2};
    panel_rect_t prev = panel_gfx_clip(&p->cv, r);
    panel_card_text_in(p, PANEL_FACE_BOLD, c->font_px, r, PANEL_RGB_TEXT, role[0]);
    p->cv.clip = prev;
    r.y += r.h;
    prev = panel_gfx_clip(&p->cv, r);
    panel_card_text_in(p, PANEL_FACE_SANS, c->font_px, r, PANEL_RGB_DIM, role[1]);
    p->cv.clip = prev;
}

/* The frame table from the bar's row down: columns as wide as their widest entry, so they line
 * up at every scale; the last column is clipped to the card. Then the note, and at the bottom
 * why the pack's parts are absent.
 */
static void draw_frames(panel_t *p, const panel_card_layout_t *c, const gw_content_t *g) {
    const gw_row_t *rows = g->rows;
    const unsigned n_rows = g->n_rows;
    const int px = c->font_px, gap = c->font_px;
    int x_id = 0, x_what = 0;
    for (unsigned i = 0; i < n_rows; i++) {
        int w = panel_text_width(p->fonts, PANEL_FACE_BOLD, px, rows[i].dir);
        x_id = w > x_id ? w : x_id;
        w = panel_text_width(p->fonts, PANEL_FACE_MONO, px, rows[i].id);
        x_what = w > x_what ? w : x_what;
    }
    int x = c->numbers.x;
    x_id += x + gap;
    x_what += x_id + gap;
    int y = c->pixel[0].y;
    for (unsigned i = 0; i < n_rows; i++, y += c->line_px) {
        panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, px, x, y, PANEL_RGB_DIM, rows[i].dir);
        panel_text(&p->cv, p->fonts, PANEL_FACE_MONO, px, x_id, y, PANEL_RGB_SELECT, rows[i].id);
        panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, px, x_what, y, PANEL_RGB_TEXT, rows[i].what);
    }
    panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, px, x, y, PANEL_RGB_TEXT, g->note);
    y = c->numbers.y + c->numbers.h - c->line_px;
    panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, px, x, y, PANEL_RGB_DIM,
               "no plant: no SOC, relays or loads");
}

void panel_draw_gateway_body(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    gw_content_t g;
    gw_content(n, &g);
    draw_role(p, c, g.role);
    draw_frames(p, c, &g);
}
