/*
 * panel_layout.c: the geometry of the panel (see panel_layout.h for the picture).
 *
 * Everything inside a card is placed in design units and multiplied by the card's scale, in
 * eighths, with integer rounding, so a layout is exact and the same on every host.
 */
#include "panel_layout.h"

#include <string.h>

static int sc(int v, int s8) {
    return (v * s8 + 4) / 8;
}

static panel_rect_t rect_at(const panel_rect_t *card, int s8, int x, int y, int w, int h) {
    panel_rect_t r = {card->x + sc(x, s8), card->y + sc(y, s8), sc(w, s8), sc(h, s8)};
    return r;
}

panel_rect_t panel_layout_segment(panel_rect_t cell, unsigned seg) {
    enum { SEG_A = 0, SEG_B, SEG_C, SEG_D, SEG_E, SEG_F, SEG_G, SEG_DP };
    const int t = cell.w / 5 < 2 ? 2 : cell.w / 5; /* stroke */
    const int g = 1;                               /* gap between segments */
    const int w = cell.w - t - g;                  /* the last column is the point's */
    const int x = cell.x, y = cell.y, h = cell.h;
    const int mid = y + h / 2 - t / 2; /* top of segment g */
    const int hx = x + t + g, hw = w - 2 * (t + g);
    const int top_y = y + t + g, top_h = mid - g - top_y;
    const int bot_y = mid + t + g, bot_h = y + h - t - g - bot_y;
    switch (seg) {
        case SEG_A:
            return (panel_rect_t){hx, y, hw, t};
        case SEG_B:
            return (panel_rect_t){x + w - t, top_y, t, top_h};
        case SEG_C:
            return (panel_rect_t){x + w - t, bot_y, t, bot_h};
        case SEG_D:
            return (panel_rect_t){hx, y + h - t, hw, t};
        case SEG_E:
            return (panel_rect_t){x, bot_y, t, bot_h};
        case SEG_F:
            return (panel_rect_t){x, top_y, t, top_h};
        case SEG_G:
            return (panel_rect_t){hx, mid, hw, t};
        case SEG_DP:
        default:
            return (panel_rect_t){x + w + g, y + h - t, t, t};
    }
}

bool panel_rect_contains(const panel_rect_t *r, int x, int y) {
    return x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h;
}

/* The TM1637 window holds `digits` cells, as tall as the window allows and at most 2/3 as wide
 * as tall (a real digit's proportions), centred with a small gap between them. */
static void layout_digits(panel_card_layout_t *c, unsigned digits) {
    const int pad = sc(4, c->scale_x8), gap = sc(5, c->scale_x8);
    const int inner_w = c->display.w - 2 * pad - (int)(digits - 1) * gap;
    const int cell_h = c->display.h - 2 * pad;
    int cell_w = inner_w / (int)digits;
    cell_w = cell_w > cell_h * 2 / 3 ? cell_h * 2 / 3 : cell_w;
    const int used = (int)digits * cell_w + (int)(digits - 1) * gap;
    const int x0 = c->display.x + (c->display.w - used) / 2;
    c->digits = digits;
    for (unsigned i = 0; i < PANEL_TM1637_REGS; i++) {
        panel_rect_t r = {0, 0, 0, 0};
        if (i < digits) {
            r.x = x0 + (int)i * (cell_w + gap);
            r.y = c->display.y + pad;
            r.w = cell_w;
            r.h = cell_h;
        }
        c->digit[i] = r;
    }
}

static void layout_card(panel_card_layout_t *c, int x, int y, int s8, unsigned digits) {
    memset(c, 0, sizeof *c);
    c->scale_x8 = s8;
    c->card = (panel_rect_t){x, y, sc(PANEL_CARD_W, s8), sc(PANEL_CARD_H, s8)};
    c->header = rect_at(&c->card, s8, 8, 5, 304, 22);
    for (int i = 0; i < PANEL_LEDS; i++) {
        c->led[i] = rect_at(&c->card, s8, 10 + i * 26, 42, 20, 20);
    }
    c->display = rect_at(&c->card, s8, 90, 30, 114, 50);
    layout_digits(c, digits);
    c->can = rect_at(&c->card, s8, 212, 32, 102, 44);
    for (int i = 0; i < PANEL_WS2812_PIXELS; i++) {
        c->pixel[i] = rect_at(&c->card, s8, 10 + i * 20, 85, 16, 16);
    }
    c->soc = rect_at(&c->card, s8, 212, 82, 102, 22);
    for (int i = 0; i < PANEL_RELAYS; i++) {
        c->relay[i] = rect_at(&c->card, s8, 10 + i * 76, 110, 71, 26);
    }
    c->numbers = rect_at(&c->card, s8, 10, 142, 304, 58);
    c->font_px = sc(12, s8) < 8 ? 8 : sc(12, s8);
    c->title_px = sc(14, s8) < 9 ? 9 : sc(14, s8);
    c->line_px = sc(19, s8);
}

/* The column count that gives the largest card scale; ties keep fewer columns. */
static void choose_grid(const panel_rect_t *area, unsigned n, unsigned *cols_out, int *s8_out) {
    unsigned best_cols = 1;
    int best_s8 = -1;
    for (unsigned cols = 1; cols <= n; cols++) {
        unsigned rows = (n + cols - 1) / cols;
        int cell_w = (area->w - PANEL_GAP * (int)(cols + 1)) / (int)cols;
        int cell_h = (area->h - PANEL_GAP * (int)(rows + 1)) / (int)rows;
        int s8w = cell_w * 8 / PANEL_CARD_W, s8h = cell_h * 8 / PANEL_CARD_H;
        int s8 = s8w < s8h ? s8w : s8h;
        if (s8 > best_s8) {
            best_s8 = s8;
            best_cols = cols;
        }
    }
    if (best_s8 < PANEL_SCALE_MIN_X8) {
        best_s8 = PANEL_SCALE_MIN_X8;
    }
    if (best_s8 > PANEL_SCALE_MAX_X8) {
        best_s8 = PANEL_SCALE_MAX_X8;
    }
    *cols_out = best_cols;
    *s8_out = best_s8;
}

static void layout_cards(panel_layout_t *l, const uint8_t *digits) {
    if (l->n_cards == 0) {
        return;
    }
    int s8;
    choose_grid(&l->card_area, l->n_cards, &l->cols, &s8);
    l->rows = (l->n_cards + l->cols - 1) / l->cols;
    const int cw = sc(PANEL_CARD_W, s8), ch = sc(PANEL_CARD_H, s8);
    const int total_w = (int)l->cols * cw + (int)(l->cols - 1) * PANEL_GAP;
    const int total_h = (int)l->rows * ch + (int)(l->rows - 1) * PANEL_GAP;
    int x0 = l->card_area.x + (l->card_area.w - total_w) / 2;
    int y0 = l->card_area.y + (l->card_area.h - total_h) / 2;
    x0 = x0 < PANEL_GAP ? PANEL_GAP : x0;
    y0 = y0 < PANEL_GAP ? PANEL_GAP : y0;
    for (unsigned i = 0; i < l->n_cards; i++) {
        unsigned d = digits ? digits[i] : 0;
        d = (d == 0 || d > PANEL_TM1637_REGS) ? 3 : d;
        int x = x0 + (int)(i % l->cols) * (cw + PANEL_GAP);
        int y = y0 + (int)(i / l->cols) * (ch + PANEL_GAP);
        layout_card(&l->cards[i], x, y, s8, d);
    }
}

static void layout_strip(panel_layout_t *l) {
    const int top = l->height - PANEL_TIMELINE_H - PANEL_STRIP_H;
    l->strip = (panel_rect_t){0, top, l->width, PANEL_STRIP_H};
    l->strip_px = 13;
    l->mono_px = 12;
    l->line_px = 18;
    const int n = PANEL_BTN_COUNT, avail = l->width - 2 * PANEL_GAP;
    int bw = (avail - (n - 1) * 4) / n;
    bw = bw > 84 ? 84 : bw;
    for (int i = 0; i < n; i++) {
        l->buttons[i] = (panel_rect_t){PANEL_GAP + i * (bw + 4), top + 6, bw, 24};
    }
    const int body_y = top + 38, body_h = 6 * l->line_px;
    l->info = (panel_rect_t){PANEL_GAP, body_y, 300, body_h};
    l->bus = (panel_rect_t){PANEL_GAP + 308, body_y, 200, body_h};
    const int fx = l->bus.x + l->bus.w + 8;
    const int fw = l->width - PANEL_GAP - fx;
    l->frames = (panel_rect_t){fx, body_y, fw >= 160 ? fw : 0, body_h};
    l->message = (panel_rect_t){PANEL_GAP, body_y + body_h + 4, l->width - 2 * PANEL_GAP, 18};
    l->timeline = (panel_rect_t){PANEL_GAP, l->height - PANEL_TIMELINE_H, l->width - 2 * PANEL_GAP,
                                 PANEL_TIMELINE_H};
}

void panel_layout_compute(panel_layout_t *l, int width, int height, unsigned n_cards,
                          const uint8_t *digits) {
    memset(l, 0, sizeof *l);
    l->width = width < PANEL_MIN_W ? PANEL_MIN_W : width;
    l->height = height < PANEL_MIN_H ? PANEL_MIN_H : height;
    l->n_cards = n_cards > PANEL_NODES_MAX ? PANEL_NODES_MAX : n_cards;
    l->card_area = (panel_rect_t){0, 0, l->width, l->height - PANEL_STRIP_H - PANEL_TIMELINE_H};
    layout_strip(l);
    layout_cards(l, digits);
}

panel_hit_t panel_layout_hit(const panel_layout_t *l, int x, int y) {
    panel_hit_t hit;
    memset(&hit, 0, sizeof hit);
    for (unsigned i = 0; i < l->n_cards; i++) {
        const panel_card_layout_t *c = &l->cards[i];
        if (!panel_rect_contains(&c->card, x, y)) {
            continue;
        }
        hit.kind = PANEL_HIT_CARD;
        hit.card = i;
        for (unsigned r = 0; r < PANEL_RELAYS; r++) {
            if (panel_rect_contains(&c->relay[r], x, y)) {
                hit.kind = PANEL_HIT_RELAY;
                hit.relay = r;
            }
        }
        return hit;
    }
    for (int b = 0; b < PANEL_BTN_COUNT; b++) {
        if (panel_rect_contains(&l->buttons[b], x, y)) {
            hit.kind = PANEL_HIT_BUTTON;
            hit.button = (panel_button_t)b;
            return hit;
        }
    }
    if (panel_rect_contains(&l->timeline, x, y)) {
        hit.kind = PANEL_HIT_TIMELINE;
        int dx = x - l->timeline.x;
        hit.permille = l->timeline.w > 1 ? dx * 1000 / (l->timeline.w - 1) : 0;
        hit.permille = hit.permille > 1000 ? 1000 : hit.permille;
    }
    return hit;
}
