/*
 * panel_card.c: one node's card: header, status LEDs, TM1637, CAN, SOC bar, relays, numbers.
 * A gateway's card keeps the header and the CAN block; panel_card_gw.c draws the rest.
 *
 * Everything shown is taken from the snapshot as the hardware showed it; the only thing the
 * panel adds is the blink marking (panel_blink.h): a ring around a blinking LED, a dot in the
 * display's corner when the display blinks, and half intensity when frames are too far apart
 * in virtual time to show the blink's phase.
 */
#include "panel_int.h"

#include <stdio.h>
#include <string.h>

#include "panel_fmt.h"

static const uint32_t led_rgb[PANEL_LEDS] = {0x2EE66Bu, 0xFFD23Fu, 0xFF4040u};

void panel_card_text_in(panel_t *p, panel_face_t face, int px, panel_rect_t r, uint32_t rgb,
                        const char *s) {
    int y = r.y + (r.h - panel_text_height(p->fonts, face, px)) / 2;
    panel_text(&p->cv, p->fonts, face, px, r.x, y, rgb, s);
}

static void text_right(panel_t *p, panel_face_t face, int px, panel_rect_t r, uint32_t rgb,
                       const char *s) {
    int x = r.x + r.w - panel_text_width(p->fonts, face, px, s);
    int y = r.y + (r.h - panel_text_height(p->fonts, face, px)) / 2;
    panel_text(&p->cv, p->fonts, face, px, x, y, rgb, s);
}

static void draw_header(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    static const char *const states[] = {"OFF", "RUN", "HUNG"};
    static const uint32_t state_rgb[] = {PANEL_RGB_DIM, PANEL_RGB_GOOD, PANEL_RGB_BAD};
    char id[32];
    panel_rect_t r = c->header;
    int x = panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, c->title_px, r.x,
                       r.y + (r.h - panel_text_height(p->fonts, PANEL_FACE_BOLD, c->title_px)) / 2,
                       PANEL_RGB_TEXT, n->name);
    const char *type = n->device_type == PANEL_DEVICE_PACK      ? "pack"
                       : n->device_type == PANEL_DEVICE_GATEWAY ? "gateway"
                       : n->device_type == PANEL_DEVICE_PI      ? "Orange Pi"
                                                                : "type ?";
    unsigned st = n->state < 3 ? n->state : 0;
    /* What the name, the NodeID, the type and the badge may use: up to the state, with a gap. */
    int right = c->header.x + c->header.w - c->font_px / 2 -
                panel_text_width(p->fonts, PANEL_FACE_BOLD, c->font_px, states[st]);
    const char *badge_text = n->is_master ? "MASTER" : "";
    int badge_w =
        n->is_master ? panel_text_width(p->fonts, PANEL_FACE_BOLD, c->font_px, badge_text) + 8 : 0;
    if (n->device_type == PANEL_DEVICE_PI) {
        snprintf(id, sizeof id, "  %s", type); /* no NodeID: the Pi never announces */
    } else if (n->node_id == PANEL_NODE_ID_UNKNOWN) {
        snprintf(id, sizeof id, "  #?  %s", type);
    } else {
        snprintf(id, sizeof id, "  #%u  %s", (unsigned)n->node_id, type);
    }
    int id_w = panel_text_width(p->fonts, PANEL_FACE_SANS, c->font_px, id);
    if (n->is_master && x + id_w + c->font_px / 2 + badge_w > right) {
        /* A narrow card keeps the badge: the type word goes first, then the badge shrinks. */
        char *type_at = strstr(id + 2, "  ");
        if (type_at != NULL) {
            *type_at = '\0';
        }
        id_w = panel_text_width(p->fonts, PANEL_FACE_SANS, c->font_px, id);
        if (x + id_w + c->font_px / 2 + badge_w > right) {
            badge_text = "M";
            badge_w = panel_text_width(p->fonts, PANEL_FACE_BOLD, c->font_px, badge_text) + 8;
        }
    }
    r.x = x;
    panel_card_text_in(p, PANEL_FACE_SANS, c->font_px, r, PANEL_RGB_DIM, id);
    r.x += id_w + c->font_px / 2;
    if (n->is_master) {
        panel_rect_t badge = {r.x, r.y + 2, badge_w, r.h - 4};
        panel_gfx_fill(&p->cv, badge, PANEL_RGB_WARN);
        badge.x += 4;
        panel_card_text_in(p, PANEL_FACE_BOLD, c->font_px, badge, 0x000000u, badge_text);
    }
    text_right(p, PANEL_FACE_BOLD, c->font_px, c->header, state_rgb[st], states[st]);
}

static void draw_leds(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n,
                      unsigned node) {
    for (unsigned l = 0; l < PANEL_LEDS; l++) {
        const panel_rect_t *r = &c->led[l];
        int rad = r->w / 2, cx = r->x + rad, cy = r->y + rad;
        bool blink = panel_blink_active(&p->blink, node, l);
        uint32_t rgb = n->led_lit[l] ? led_rgb[l] : panel_rgb_scale(led_rgb[l], 1, 5);
        if (blink && panel_blink_aliased(&p->blink)) {
            rgb = panel_rgb_scale(led_rgb[l], 11, 20); /* phase unknown: half lit */
        }
        panel_gfx_disc(&p->cv, cx, cy, rad - 3, rgb);
        if (blink) {
            panel_gfx_ring(&p->cv, cx, cy, rad, 2, led_rgb[l]);
        }
    }
}

static void draw_display(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n,
                         unsigned node) {
    panel_gfx_fill(&p->cv, c->display, 0x0B0B0Cu);
    panel_gfx_frame(&p->cv, c->display, 1, PANEL_RGB_EDGE);
    bool blink = panel_blink_active(&p->blink, node, PANEL_SIG_DISPLAY);
    bool aliased = blink && panel_blink_aliased(&p->blink);
    unsigned b = n->tm1637_brightness > 7 ? 7u : n->tm1637_brightness;
    /* Brightness 0..7 maps to 40..100 % so the dimmest setting stays visible. */
    uint32_t on = panel_rgb_scale(PANEL_RGB_SEG_ON, 40 + (int)b * 60 / 7, 100);
    const uint8_t *regs = n->tm1637_regs;
    if (aliased) {
        regs = p->blink.lit_regs[node]; /* the lit phase, at half intensity */
        on = panel_rgb_scale(on, 1, 2);
    } else if (!n->tm1637_on) {
        on = PANEL_RGB_SEG_OFF;
    }
    for (unsigned d = 0; d < c->digits; d++) {
        panel_draw_digit(&p->cv, c->digit[d], regs[d], on, PANEL_RGB_SEG_OFF);
    }
    if (blink) {
        int s = c->digit[0].y - c->display.y - 2;
        s = s < 3 ? 3 : s;
        panel_rect_t dot = {c->display.x + c->display.w - s - 2, c->display.y + 2, s, s};
        panel_gfx_fill(&p->cv, dot, PANEL_RGB_WARN);
    }
}

const char *panel_card_fitting(panel_t *p, panel_face_t face, int px, int w,
                               const char *const forms[2]) {
    return panel_text_width(p->fonts, face, px, forms[0]) <= w ? forms[0] : forms[1];
}

/* The CAN block: its state, and the error counters, in a shorter form on a narrow card. */
static void draw_can(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    static const char *const names[] = {"stopped", "active", "warning", "passive", "BUS-OFF"};
    static const uint32_t rgb[] = {PANEL_RGB_DIM, PANEL_RGB_GOOD, PANEL_RGB_WARN, PANEL_RGB_WARN,
                                   PANEL_RGB_BAD};
    unsigned st = n->can_state <= PANEL_CAN_BUS_OFF ? n->can_state : PANEL_CAN_STOPPED;
    char line[2][48];
    panel_rect_t r = c->can;
    r.h /= 2;
    if (n->can_unplugged) {
        const char *const forms[2] = {"CAN unplugged", "unplugged"};
        panel_card_text_in(p, PANEL_FACE_BOLD, c->font_px, r, PANEL_RGB_BAD,
                           panel_card_fitting(p, PANEL_FACE_BOLD, c->font_px, r.w, forms));
    } else {
        snprintf(line[0], sizeof line[0], "CAN %s", names[st]);
        const char *const forms[2] = {line[0], names[st]};
        panel_card_text_in(p, PANEL_FACE_BOLD, c->font_px, r, rgb[st],
                           panel_card_fitting(p, PANEL_FACE_BOLD, c->font_px, r.w, forms));
    }
    r.y += r.h;
    snprintf(line[0], sizeof line[0], "TEC %u  REC %u", (unsigned)n->can_tec, (unsigned)n->can_rec);
    snprintf(line[1], sizeof line[1], "T %u R %u", (unsigned)n->can_tec, (unsigned)n->can_rec);
    const char *const forms[2] = {line[0], line[1]};
    panel_card_text_in(p, PANEL_FACE_SANS, c->font_px, r, PANEL_RGB_DIM,
                       panel_card_fitting(p, PANEL_FACE_SANS, c->font_px, r.w, forms));
}

static void draw_bar(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    for (unsigned i = 0; i < PANEL_WS2812_PIXELS; i++) {
        uint32_t rgb = n->ws2812_rgb[i] & 0xFFFFFFu;
        panel_gfx_fill(&p->cv, c->pixel[i], rgb ? rgb : 0x2A2D33u);
        if (!rgb) {
            panel_gfx_frame(&p->cv, c->pixel[i], 1, PANEL_RGB_EDGE);
        }
    }
    char soc[24];
    if (n->soc_pct < 0) {
        snprintf(soc, sizeof soc, "SOC --");
    } else {
        snprintf(soc, sizeof soc, "SOC %d %%", (int)n->soc_pct);
    }
    uint32_t rgb = (n->soc_pct >= 0 && n->soc_pct <= 20) ? PANEL_RGB_BAD : PANEL_RGB_TEXT;
    panel_card_text_in(p, PANEL_FACE_BOLD, c->title_px, c->soc, rgb, soc);
}

static void draw_relays(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    static const char *const names[PANEL_RELAYS] = {"R1 grid", "R2 inv", "R3 pool", "R4 heat"};
    static const char *const short_names[PANEL_RELAYS] = {"R1", "R2", "R3", "R4"};
    for (unsigned i = 0; i < PANEL_RELAYS; i++) {
        panel_rect_t r = c->relay[i];
        bool closed = n->relay_closed[i], coil = n->relay_coil[i];
        panel_gfx_fill(&p->cv, r, closed ? 0x1F7A40u : 0x2B3038u);
        /* Amber edge: the contact is not where the coil says (moving, welded, stuck). */
        panel_gfx_frame(&p->cv, r, coil == closed ? 1 : 2,
                        coil == closed ? PANEL_RGB_EDGE : PANEL_RGB_WARN);
        int rad = r.h / 5 < 2 ? 2 : r.h / 5;
        int cx = r.x + r.w - rad - 5, cy = r.y + r.h / 2;
        if (coil) {
            panel_gfx_disc(&p->cv, cx, cy, rad, PANEL_RGB_TEXT);
        } else {
            panel_gfx_ring(&p->cv, cx, cy, rad, 1, PANEL_RGB_DIM);
        }
        panel_rect_t label = {r.x + 5, r.y, cx - rad - 3 - (r.x + 5), r.h};
        const char *name = names[i];
        if (panel_text_width(p->fonts, PANEL_FACE_SANS, c->font_px, name) > label.w) {
            name = short_names[i]; /* small cards: the number alone */
        }
        panel_rect_t prev = panel_gfx_clip(&p->cv, label);
        panel_card_text_in(p, PANEL_FACE_SANS, c->font_px, label,
                           closed ? PANEL_RGB_TEXT : PANEL_RGB_DIM, name);
        p->cv.clip = prev;
    }
}

/* One "label value" pair of the numbers block. */
static void number(panel_t *p, const panel_card_layout_t *c, int col, int row, const char *label,
                   const char *value) {
    int colw = c->numbers.w / 3;
    int x = c->numbers.x + col * colw, y = c->numbers.y + row * c->line_px;
    x = panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, c->font_px, x, y, PANEL_RGB_DIM, label);
    panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, c->font_px, x, y, PANEL_RGB_TEXT, value);
}

static void draw_modes(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    static const char *const names[] = {"SC ", "ECO ", "TOU ", "BKP ", "GL "};
    char modes[32] = "";
    size_t len = 0;
    for (unsigned b = 0; b < 5; b++) {
        if (n->mode_mask & (1u << b)) {
            len += (size_t)snprintf(modes + len, sizeof modes - len, "%s", names[b]);
        }
    }
    int x = c->numbers.x + 2 * (c->numbers.w / 3), y = c->numbers.y + 2 * c->line_px;
    x = panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, c->font_px, x, y, PANEL_RGB_SELECT,
                   len ? modes : "no mode ");
    if (n->warn_mask) {
        panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, c->font_px, x, y, PANEL_RGB_WARN,
                   (n->warn_mask & PANEL_WARN_LOADS_LIMIT) ? "LIMIT!" : "GRID LIM");
    }
}

static void draw_numbers(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    char v[24];
    panel_fmt_volts(v, sizeof v, n->pack_mv);
    number(p, c, 0, 0, "", v);
    panel_fmt_amps(v, sizeof v, n->batt_ma);
    number(p, c, 1, 0, "", v);
    panel_fmt_watts(v, sizeof v, n->batt_w, 1);
    number(p, c, 2, 0, "bat ", v);
    panel_fmt_watts(v, sizeof v, n->grid_w, 1);
    number(p, c, 0, 1, "grid ", v);
    panel_fmt_watts(v, sizeof v, n->home_w, 0);
    number(p, c, 1, 1, "home ", v);
    panel_fmt_watts(v, sizeof v, n->solar_w, 0);
    number(p, c, 2, 1, "solar ", v);
    panel_fmt_watts(v, sizeof v, n->pool_w, 0);
    number(p, c, 0, 2, "pool ", v);
    panel_fmt_watts(v, sizeof v, n->heater_w, 0);
    number(p, c, 1, 2, "heater ", v);
    draw_modes(p, c, n);
}

void panel_draw_card(panel_t *p, unsigned i) {
    const panel_card_layout_t *c = &p->layout.cards[i];
    const panel_node_t *n = &p->snap.nodes[i];
    panel_rect_t prev = panel_gfx_clip(&p->cv, c->card);
    panel_gfx_fill(&p->cv, c->card, PANEL_RGB_CARD);
    draw_header(p, c, n);
    draw_can(p, c, n);
    if (panel_card_is_gateway(n)) {
        panel_draw_gateway_body(p, c, n); /* no plant: none of the pack's parts */
    } else {
        draw_leds(p, c, n, i);
        draw_display(p, c, n, i);
        draw_bar(p, c, n);
        draw_relays(p, c, n);
        draw_numbers(p, c, n);
    }
    if (n->state == PANEL_NODE_OFF) {
        panel_rect_t body = {c->card.x, c->header.y + c->header.h, c->card.w,
                             c->card.h - (c->header.y + c->header.h - c->card.y)};
        panel_gfx_shade(&p->cv, body, 150, PANEL_RGB_CARD); /* unpowered: greyed out */
    }
    bool selected = p->selected == (int)i;
    uint32_t edge = selected ? PANEL_RGB_SELECT
                             : (n->state == PANEL_NODE_HUNG ? PANEL_RGB_BAD : PANEL_RGB_EDGE);
    panel_gfx_frame(&p->cv, c->card, selected || n->state == PANEL_NODE_HUNG ? 3 : 1, edge);
    p->cv.clip = prev;
}
