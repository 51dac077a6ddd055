/*
 * What the panel draws, checked on headless frames: pixels sampled where the layout puts each
 * part (segments, pixels, LEDs, relays) and golden images of whole frames. The window path (on
 * SDL's dummy driver) must give the very same pixels as the headless one.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdlib.h>
#include <string.h>

#include "demo_world.h"
#include "gui_golden.h"
#include "panel.h"
#include "panel_int.h" /* panel_card_count */
#include "panel_layout.h"
#include "panel_png.h"
#include "test_support.h"

/* Palette values the tests expect (the panel's, see gui/panel_int.h). */
#define SEG_ON       0xFF3B30u
#define SEG_OFF      0x2A1416u
#define PIX_OFF      0x2A2D33u
#define RGB_BAD      0xE5484Du
#define RELAY_CLOSED 0x1F7A40u
#define RELAY_OPEN   0x2B3038u
#define RGB_WARN     0xF2B233u

static const uint8_t seg_1 = 0x06, seg_4 = 0x66;

/* One pack, display " 14" at full brightness, SOC 14 %, at t. */
static void one_pack(panel_snapshot_t *s, int64_t t_ns) {
    memset(s, 0, sizeof *s);
    snprintf(s->title, sizeof s->title, "tm1637 blink");
    s->t_ns = t_ns;
    s->end_ns = 60000000000LL;
    s->speed_milli = 1000;
    s->grid_up = true;
    s->pv_scale_pct = s->load_scale_pct = 100;
    s->n_nodes = s->n_nodes_total = 1;
    panel_node_t *n = &s->nodes[0];
    snprintf(n->name, sizeof n->name, "pack1");
    n->node_id = 21;
    n->device_type = PANEL_DEVICE_PACK;
    n->state = PANEL_NODE_RUNNING;
    n->can_state = PANEL_CAN_ERROR_ACTIVE;
    n->tm1637_on = true;
    n->tm1637_brightness = 7;
    n->tm1637_regs[1] = seg_1;
    n->tm1637_regs[2] = seg_4;
    n->soc_pct = 14;
    n->pack_mv = 49100;
    n->led_lit[PANEL_LED_GREEN] = true;
}

static void check_digit(const panel_image_t *img, panel_rect_t cell, uint8_t segs, uint32_t on) {
    for (unsigned s = 0; s < 8; s++) {
        uint32_t want = (segs >> s) & 1u ? on : SEG_OFF;
        uint32_t got = gui_centre(img, panel_layout_segment(cell, s));
        if (got != want) {
            fprintf(stderr, "\n  segment %u: %06X, want %06X\n", s, got, want);
        }
        ASSERT_EQ_U64(got, want);
    }
}

static void test_tm1637_14_blinks(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t on, off;
    panel_layout_t l;
    const uint8_t digits[1] = {3};
    panel_layout_compute(&l, 960, 600, 1, digits);
    one_pack(&s, 10000000000LL);
    gui_draw_capture(p, &s, &on);
    check_digit(&on, l.cards[0].digit[0], 0x00, SEG_ON);
    check_digit(&on, l.cards[0].digit[1], seg_1, SEG_ON);
    check_digit(&on, l.cards[0].digit[2], seg_4, SEG_ON);
    gui_golden("tm1637_14_on.png", &on);
    /* 500 ms later the firmware's blink has blanked the registers. */
    one_pack(&s, 10500000000LL);
    s.nodes[0].tm1637_regs[1] = s.nodes[0].tm1637_regs[2] = 0;
    gui_draw_capture(p, &s, &off);
    for (unsigned d = 0; d < 3; d++) {
        check_digit(&off, l.cards[0].digit[d], 0x00, SEG_ON);
    }
    gui_golden("tm1637_14_off.png", &off);
    /* The golden tolerance cannot hide the digits: the two frames are far apart. */
    panel_image_diff_t diff;
    CU_ASSERT_FALSE(
        panel_image_matches(&on, &off, GUI_GOLDEN_CHANNEL_TOL, gui_golden_max_pixels(&on), &diff));
    panel_image_free(&on);
    panel_image_free(&off);
    panel_close(p);
}

static void test_tm1637_brightness_and_off(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t img;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, 1, NULL);
    panel_rect_t b_seg = panel_layout_segment(l.cards[0].digit[1], 1);
    one_pack(&s, 0);
    s.nodes[0].tm1637_brightness = 0;
    gui_draw_capture(p, &s, &img);
    uint32_t dim = gui_centre(&img, b_seg);
    panel_image_free(&img);
    CU_ASSERT_TRUE((dim >> 16) < (SEG_ON >> 16) && (dim >> 16) > (SEG_OFF >> 16));
    s.nodes[0].tm1637_brightness = 7;
    s.nodes[0].tm1637_regs[0] = 0x80; /* the point of the first digit */
    gui_draw_capture(p, &s, &img);
    ASSERT_EQ_U64(gui_centre(&img, b_seg), SEG_ON);
    ASSERT_EQ_U64(gui_centre(&img, panel_layout_segment(l.cards[0].digit[0], 7)), SEG_ON);
    panel_image_free(&img);
    s.nodes[0].tm1637_on = false; /* registers kept, display switched off */
    gui_draw_capture(p, &s, &img);
    for (unsigned d = 0; d < 3; d++) {
        check_digit(&img, l.cards[0].digit[d], 0x00, SEG_ON);
    }
    panel_image_free(&img);
    panel_close(p);
}

static void soc_pack(panel_snapshot_t *s, int soc, uint32_t colour) {
    one_pack(s, 5000000000LL);
    panel_node_t *n = &s->nodes[0];
    n->soc_pct = (int16_t)soc;
    int lit = (soc * PANEL_WS2812_PIXELS + 99) / 100;
    for (int i = 0; i < lit; i++) {
        n->ws2812_rgb[i] = colour;
    }
}

static void test_soc_bar_red_at_18(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t img;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, 1, NULL);
    const panel_card_layout_t *c = &l.cards[0];
    soc_pack(&s, 18, 0xFF0000u);
    gui_draw_capture(p, &s, &img);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[0]), 0xFF0000u);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[1]), 0xFF0000u);
    for (unsigned i = 2; i < PANEL_WS2812_PIXELS; i++) {
        ASSERT_EQ_U64(gui_centre(&img, c->pixel[i]), PIX_OFF);
    }
    CU_ASSERT_TRUE(gui_count(&img, c->soc, RGB_BAD) > 20); /* "SOC 18 %" in red */
    gui_golden("soc_18_red.png", &img);
    panel_image_free(&img);
    soc_pack(&s, 54, 0x00FF00u);
    s.nodes[0].ws2812_rgb[3] = 0x0000FFu; /* the charging sweep's blue pixel */
    gui_draw_capture(p, &s, &img);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[0]), 0x00FF00u);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[3]), 0x0000FFu);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[5]), 0x00FF00u);
    ASSERT_EQ_U64(gui_centre(&img, c->pixel[6]), PIX_OFF);
    ASSERT_EQ_I64(gui_count(&img, c->soc, RGB_BAD), 0);
    panel_image_free(&img);
    panel_close(p);
}

static void test_leds_and_relays(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t img;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, 1, NULL);
    const panel_card_layout_t *c = &l.cards[0];
    one_pack(&s, 0);
    s.nodes[0].led_lit[PANEL_LED_RED] = true;
    s.nodes[0].relay_coil[0] = s.nodes[0].relay_closed[0] = true;
    s.nodes[0].relay_coil[2] = true; /* commanded closed, contact still open */
    gui_draw_capture(p, &s, &img);
    ASSERT_EQ_U64(gui_centre(&img, c->led[PANEL_LED_GREEN]), 0x2EE66Bu);
    ASSERT_EQ_U64(gui_centre(&img, c->led[PANEL_LED_RED]), 0xFF4040u);
    ASSERT_EQ_U64(gui_centre(&img, c->led[PANEL_LED_YELLOW]), 0x332A0Cu); /* off: 1/5 */
    ASSERT_EQ_U64(panel_image_pixel(&img, c->relay[0].x + 3, c->relay[0].y + 3), RELAY_CLOSED);
    ASSERT_EQ_U64(panel_image_pixel(&img, c->relay[1].x + 3, c->relay[1].y + 3), RELAY_OPEN);
    ASSERT_EQ_U64(panel_image_pixel(&img, c->relay[2].x, c->relay[2].y + c->relay[2].h / 2),
                  RGB_WARN);
    ASSERT_EQ_U64(panel_image_pixel(&img, c->relay[1].x, c->relay[1].y + c->relay[1].h / 2),
                  0x3A404Au);
    panel_image_free(&img);
    panel_close(p);
}

/* A pack, the Orange Pi and an Energy-Gateway (NodeID 10, master, CAN in error-warning). */
static void pack_and_gateways(panel_snapshot_t *s) {
    one_pack(s, 5000000000LL);
    s->n_nodes = s->n_nodes_total = 3;
    panel_node_t *pi = &s->nodes[1], *egw = &s->nodes[2];
    snprintf(pi->name, sizeof pi->name, "gw");
    pi->node_id = PANEL_NODE_ID_UNKNOWN;
    pi->device_type = PANEL_DEVICE_PI;
    pi->state = PANEL_NODE_RUNNING;
    pi->can_state = PANEL_CAN_ERROR_ACTIVE;
    pi->soc_pct = PANEL_SOC_INVALID;
    snprintf(egw->name, sizeof egw->name, "egw");
    egw->node_id = 10;
    egw->device_type = PANEL_DEVICE_GATEWAY;
    egw->is_master = true;
    egw->state = PANEL_NODE_RUNNING;
    egw->can_state = PANEL_CAN_ERROR_WARNING;
    egw->can_tec = 100;
    egw->soc_pct = PANEL_SOC_INVALID;
}

/* What the run layer fills for the two gateways: the Orange Pi's model counters (2 of its 12
 * ACKs answer nothing it sent) and the Energy-Gateway's controller counters. */
static void gateway_counts(panel_snapshot_t *s) {
    panel_node_t *pi = &s->nodes[1], *egw = &s->nodes[2];
    pi->gw.valid = true;
    pi->gw.time_sent = 1440;
    pi->gw.cmd_sent = 3;
    pi->gw.acks = 12;
    pi->gw.acks_unmatched = 2;
    egw->can_counts_valid = true;
    egw->can_tx_frames = 15;
    egw->can_rx_frames = 12345;
}

/* Pixels of the pack-only parts of card c: the TM1637 window, unlit WS2812 pixels, open relays
 * and unlit yellow LEDs, each in the colour only that part uses. */
static unsigned pack_part_pixels(const panel_image_t *img, const panel_card_layout_t *c) {
    unsigned n = gui_count(img, c->display, 0x0B0B0Cu);
    for (unsigned i = 0; i < PANEL_WS2812_PIXELS; i++) {
        n += gui_count(img, c->pixel[i], PIX_OFF);
    }
    for (unsigned i = 0; i < PANEL_RELAYS; i++) {
        n += gui_count(img, c->relay[i], RELAY_OPEN);
    }
    return n + gui_count(img, c->led[PANEL_LED_YELLOW], 0x332A0Cu);
}

/* The frame table of a gateway card: from the bar's row to the bottom of the numbers. */
static panel_rect_t gw_frames(const panel_card_layout_t *c) {
    return (panel_rect_t){c->numbers.x, c->pixel[0].y, c->numbers.w,
                          c->numbers.y + c->numbers.h - c->pixel[0].y};
}

/* Pixels of r clearly more blue than red: the frame identifiers' colour (0x3FA9F5), even where
 * the glyphs' edges blend it with the card; the card's greys and white have blue close to red. */
static unsigned bluish(const panel_image_t *img, panel_rect_t r) {
    unsigned n = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            uint32_t rgb = panel_image_pixel(img, x, y);
            n += (int)(rgb & 0xFFu) - (int)(rgb >> 16) > 0x50;
        }
    }
    return n;
}

/* Pixels of r clearly more red than blue and bright: the warnings' amber (0xF2B233), even where
 * the glyphs' edges blend it with the card; the card's greys and white, the identifiers' blue
 * and the green of "CAN active" are not. */
static unsigned amberish(const panel_image_t *img, panel_rect_t r) {
    unsigned n = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            uint32_t rgb = panel_image_pixel(img, x, y);
            n += (rgb >> 16) > 0x80 && (int)(rgb >> 16) - (int)(rgb & 0xFFu) > 0x60;
        }
    }
    return n;
}

/* Pixels of r that differ between a and b. */
static unsigned differing_in(const panel_image_t *a, const panel_image_t *b, panel_rect_t r) {
    unsigned n = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            n += panel_image_pixel(a, x, y) != panel_image_pixel(b, x, y);
        }
    }
    return n;
}

/* Pixels that differ between a and b outside the tables of the gateway cards 1 and 2. */
static unsigned differing_beyond_tables(const panel_image_t *a, const panel_image_t *b,
                                        const panel_layout_t *l) {
    panel_rect_t all = {0, 0, a->w, a->h};
    return differing_in(a, b, all) - differing_in(a, b, gw_frames(&l->cards[1])) -
           differing_in(a, b, gw_frames(&l->cards[2]));
}

/* A gateway has no plant: its card keeps the header and the CAN block and shows its role and
 * frames, with what it counted of them, instead of an empty display, bar, relays and numbers. */
static void test_gateway_cards(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t img, other;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, 3, NULL);
    pack_and_gateways(&s);
    gateway_counts(&s);
    gui_draw_capture(p, &s, &img);
    CU_ASSERT_TRUE(pack_part_pixels(&img, &l.cards[0]) > 1000); /* the pack keeps its parts */
    for (unsigned i = 1; i < 3; i++) {
        ASSERT_EQ_U64(pack_part_pixels(&img, &l.cards[i]), 0);
        CU_ASSERT_TRUE(bluish(&img, gw_frames(&l.cards[i])) > 60); /* the identifiers */
    }
    CU_ASSERT_TRUE(gui_count(&img, l.cards[1].can, 0x3CCB5Au) > 50);    /* "CAN active" */
    CU_ASSERT_TRUE(gui_count(&img, l.cards[2].can, RGB_WARN) > 50);     /* "CAN warning" */
    ASSERT_EQ_I64(gui_count(&img, l.cards[1].header, RGB_WARN), 0);     /* never master */
    CU_ASSERT_TRUE(gui_count(&img, l.cards[2].header, RGB_WARN) > 200); /* MASTER badge */
    CU_ASSERT_TRUE(amberish(&img, gw_frames(&l.cards[1])) > 20);        /* "(2 unm.)" */
    ASSERT_EQ_I64(amberish(&img, gw_frames(&l.cards[2])), 0);           /* nothing to warn of */
    gui_golden("gateway_cards.png", &img);
    /* The Energy-Gateway's ANN identifier follows its NodeID (0x30A, then 0x30B); the Orange
     * Pi's table, which names no NodeID, stays as it was. */
    s.nodes[2].node_id = 11;
    gui_draw_capture(p, &s, &other);
    CU_ASSERT_TRUE(differing_in(&img, &other, gw_frames(&l.cards[2])) > 10);
    ASSERT_EQ_U64(differing_in(&img, &other, l.cards[1].card), 0);
    panel_image_free(&img);
    panel_image_free(&other);
    panel_close(p);
}

/* Draws s with the two gateways' counts as given, or without any when `counted` is false. */
static void draw_counts(panel_t *p, panel_snapshot_t *s, bool counted, uint64_t n, uint64_t warn,
                        panel_image_t *img) {
    panel_node_t *pi = &s->nodes[1], *egw = &s->nodes[2];
    pi->gw.valid = egw->can_counts_valid = counted;
    pi->gw.time_sent = pi->gw.cmd_sent = pi->gw.acks = n;
    pi->gw.time_failed = pi->gw.cmd_failed = pi->gw.acks_unmatched = warn;
    egw->can_tx_frames = egw->can_rx_frames = n;
    gui_draw_capture(p, s, img);
}

/* The counts are drawn in the frame tables and nowhere else; a count the snapshot does not carry
 * is not drawn at all, while a count of 0 is drawn as 0; a warning only when there is one. */
static void test_gateway_counts_drawn(void) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t none, zero, some;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, 3, NULL);
    pack_and_gateways(&s);
    draw_counts(p, &s, false, 0, 0, &none);
    draw_counts(p, &s, true, 0, 0, &zero);
    draw_counts(p, &s, true, 345, 6, &some);
    const panel_rect_t pi = gw_frames(&l.cards[1]), egw = gw_frames(&l.cards[2]);
    CU_ASSERT_TRUE(differing_in(&none, &zero, pi) > 30);  /* three 0s */
    CU_ASSERT_TRUE(differing_in(&none, &zero, egw) > 30); /* 0 ANN, and the "hears" row */
    CU_ASSERT_TRUE(differing_in(&zero, &some, pi) > 100);
    ASSERT_EQ_U64(differing_beyond_tables(&none, &some, &l), 0);
    ASSERT_EQ_I64(amberish(&zero, pi), 0);
    CU_ASSERT_TRUE(amberish(&some, pi) > 60); /* "(6 failed)" twice, "(6 unmatched)" */
    ASSERT_EQ_I64(amberish(&some, egw), 0);   /* an Energy-Gateway's counts have no warning */
    ASSERT_EQ_U64(bluish(&some, pi), bluish(&zero, pi)); /* the identifiers are left whole */
    ASSERT_EQ_U64(bluish(&some, egw), bluish(&zero, egw));
    /* Without counts the Energy-Gateway has no "hears" row, whose identifier is blue too. */
    ASSERT_EQ_U64(bluish(&none, pi), bluish(&zero, pi));
    CU_ASSERT_TRUE(bluish(&none, egw) < bluish(&zero, egw));
    panel_image_free(&none);
    panel_image_free(&zero);
    panel_image_free(&some);
    panel_close(p);
}

static void test_gateway_count_text(void) {
    static const struct {
        uint64_t n;
        const char *text;
    } cases[] = {{0, "0"},          {7, "7"},          {9999, "9999"},       {10000, "10k"},
                 {12999, "12k"},    {34000, "34k"},    {999999, "999k"},     {1000000, "1.0M"},
                 {1299999, "1.2M"}, {34567890, "34M"}, {1000000000, "1.0G"}, {UINT64_MAX, "18E"}};
    char buf[16];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        panel_card_count(buf, sizeof buf, cases[i].n);
        ASSERT_EQ_STR(buf, cases[i].text);
    }
    char small[3];
    panel_card_count(small, sizeof small, 12345); /* truncated, never overflowed */
    ASSERT_EQ_STR(small, "12");
}

/* At card scale s8 (960 x 600 with n cards), counts of any size: 2^64 - 1 is drawn as the
 * 18 * 10^18 it is truncated to, inside the tables only, leaving the identifiers whole and the
 * warnings visible. *big gets that image for a golden. */
static void check_big_counts(int n_cards, int s8, panel_image_t *big) {
    panel_t *p = gui_open_headless(960, 600);
    panel_snapshot_t s;
    panel_image_t none, zero, same;
    panel_layout_t l;
    panel_layout_compute(&l, 960, 600, (unsigned)n_cards, NULL);
    ASSERT_EQ_I64(l.cards[1].scale_x8, s8);
    pack_and_gateways(&s);
    for (int i = 3; i < n_cards; i++) {
        s.nodes[i] = s.nodes[0]; /* more packs, to make the cards small */
    }
    s.n_nodes = s.n_nodes_total = (uint8_t)n_cards;
    const uint64_t e18 = 18000000000000000000u;
    draw_counts(p, &s, false, 0, 0, &none);
    draw_counts(p, &s, true, 0, 0, &zero);
    draw_counts(p, &s, true, UINT64_MAX, UINT64_MAX, big);
    draw_counts(p, &s, true, e18, e18, &same);
    ASSERT_EQ_U64(differing_in(big, &same, (panel_rect_t){0, 0, big->w, big->h}), 0);
    ASSERT_EQ_U64(differing_beyond_tables(&none, big, &l), 0);
    CU_ASSERT_TRUE(amberish(big, gw_frames(&l.cards[1])) > 30); /* three warnings */
    for (unsigned i = 1; i < 3; i++) {
        panel_rect_t t = gw_frames(&l.cards[i]);
        CU_ASSERT_TRUE(differing_in(&zero, big, t) > 30);
        ASSERT_EQ_U64(bluish(big, t), bluish(&zero, t));
    }
    panel_image_free(&none);
    panel_image_free(&zero);
    panel_image_free(&same);
    panel_close(p);
}

static void test_gateway_counts_abbreviated(void) {
    panel_image_t big;
    check_big_counts(3, 7, &big);
    gui_golden("gateway_cards_big_counts.png", &big);
    panel_image_free(&big);
    check_big_counts(PANEL_NODES_MAX, PANEL_SCALE_MIN_X8, &big); /* the smallest cards */
    gui_golden("gateway_cards_smallest.png", &big);
    panel_image_free(&big);
}

static void test_demo_goldens(void) {
    static demo_world_t w;
    panel_snapshot_t s;
    panel_image_t img;
    panel_t *p = gui_open_headless(1280, 800);
    demo_world_init(&w, 4, 600000000000LL);
    demo_world_snapshot(&w, 12300000000LL, &s);
    gui_draw_capture(p, &s, &img);
    gui_golden("four_packs.png", &img);
    panel_image_free(&img);
    demo_world_init(&w, 20, 600000000000LL);
    demo_world_snapshot(&w, 12300000000LL, &s);
    ASSERT_EQ_I64(s.n_nodes, PANEL_NODES_MAX);
    ASSERT_EQ_I64(s.n_nodes_total, 20);
    gui_draw_capture(p, &s, &img);
    gui_golden("sixteen_of_twenty.png", &img);
    panel_image_free(&img);
    panel_close(p);
}

/* Pixels of colour rgb in the columns [x0, x1) and rows [y0, y1) of an image. */
static unsigned count_rgb(const panel_image_t *img, int x0, int x1, int y0, int y1, uint32_t rgb) {
    unsigned n = 0;
    for (int y = y0; y < y1 && y < img->h; y++) {
        for (int x = x0; x < x1 && x < img->w; x++) {
            const uint8_t *px = img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3u;
            n += (uint32_t)(px[0] << 16 | px[1] << 8 | px[2]) == rgb;
        }
    }
    return n;
}

/* At 127 nodes the "+111 more nodes not shown" line is wider than the bus column: a shorter form
 * fits inside it instead of being cut at the column's edge. */
static void test_many_more_nodes_fit(void) {
    static demo_world_t w;
    panel_snapshot_t s;
    panel_image_t img;
    panel_t *p = gui_open_headless(1280, 800);
    demo_world_init(&w, 20, 600000000000LL);
    demo_world_snapshot(&w, 12300000000LL, &s);
    s.n_nodes_total = 127;
    gui_draw_capture(p, &s, &img);
    const panel_rect_t *r = &p->layout.bus;
    int y0 = r->y + 5 * p->layout.line_px;
    unsigned lit = count_rgb(&img, r->x, r->x + r->w, y0, y0 + p->layout.line_px, PANEL_RGB_WARN);
    CU_ASSERT_TRUE(lit > 20u); /* the line is drawn */
    ASSERT_EQ_U64(
        count_rgb(&img, r->x + r->w - 4, r->x + r->w, y0, y0 + p->layout.line_px, PANEL_RGB_WARN),
        0); /* and ends before the edge */
    panel_image_free(&img);
    panel_close(p);
}

static void test_no_display_refused(void) {
    /* No display and no driver asked for: SDL would fall back to one that shows nothing. */
    const char *saved = getenv("SDL_VIDEODRIVER");
    char keep[64] = "";
    snprintf(keep, sizeof keep, "%s", saved ? saved : "");
    unsetenv("SDL_VIDEODRIVER");
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    panel_opts_t o;
    panel_opts_default(&o);
    panel_t *p = NULL;
    char err[256] = "";
    ASSERT_EQ_I64(panel_open(&o, &p, err, sizeof err), -SIM_EIO);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no display"));
    if (keep[0]) {
        setenv("SDL_VIDEODRIVER", keep, 1);
    }
}

static void test_window_equals_headless(void) {
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    static demo_world_t w;
    panel_snapshot_t s;
    panel_image_t a, b;
    demo_world_init(&w, 3, 600000000000LL);
    demo_world_snapshot(&w, 3000000000LL, &s);
    panel_opts_t o;
    panel_opts_default(&o);
    o.width = 800;
    o.height = 500;
    panel_t *win = NULL;
    char err[256] = "";
    int rc = panel_open(&o, &win, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "\n  window on the dummy driver: %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    gui_draw_capture(win, &s, &a);
    panel_input_t in;
    ASSERT_EQ_I64(panel_poll(win, &in), 0); /* pumps SDL: nothing typed */
    panel_t *head = gui_open_headless(800, 500);
    gui_draw_capture(head, &s, &b);
    panel_image_diff_t d;
    CU_ASSERT_TRUE(panel_image_matches(&a, &b, 0, 0, &d));
    panel_image_free(&a);
    panel_image_free(&b);
    panel_event_t ev = {.kind = PANEL_EV_RESIZE, .x = 1000, .y = 700};
    panel_feed(win, &ev);
    gui_draw_capture(win, &s, &a);
    ASSERT_EQ_I64(a.w, 1000);
    ASSERT_EQ_I64(a.h, 700);
    panel_image_free(&a);
    ev.x = 10; /* below the minimum: clamped */
    panel_feed(win, &ev);
    gui_draw_capture(win, &s, &a);
    ASSERT_EQ_I64(a.w, PANEL_MIN_W);
    panel_image_free(&a);
    panel_close(head);
    panel_close(win);
}

/* Forces a full redraw on the next frame: a canvas of another size, then the old size again. */
static void invalidate(panel_t *p, int w, int h) {
    panel_event_t ev = {.kind = PANEL_EV_RESIZE, .x = w + 1, .y = h};
    panel_feed(p, &ev);
    ev.x = w;
    panel_feed(p, &ev);
}

static void test_incremental_equals_full(void) {
    static demo_world_t w;
    panel_snapshot_t s;
    panel_image_t a, b;
    panel_t *inc = gui_open_headless(960, 600), *full = gui_open_headless(960, 600);
    demo_world_init(&w, 5, 600000000000LL);
    const panel_event_t select = {.kind = PANEL_EV_TEXT, .text = "3"};
    unsigned redrawn_differs = 0;
    for (int f = 0; f < 150; f++) {
        int64_t t_ns = (int64_t)f * 16666667LL * (f < 100 ? 1 : 40); /* then x40: aliasing */
        if (f == 30) {
            panel_feed(inc, &select);
            panel_feed(full, &select);
        }
        if (f == 60) {
            panel_input_t cut = panel_input_make(PANEL_IN_GRID);
            demo_world_apply(&w, &cut, t_ns);
        }
        demo_world_snapshot(&w, t_ns, &s);
        gui_draw_capture(inc, &s, &a);
        invalidate(full, 960, 600);
        gui_draw_capture(full, &s, &b);
        panel_image_diff_t d;
        if (!panel_image_matches(&a, &b, 0, 0, &d)) {
            redrawn_differs++;
            fprintf(stderr, "\n  frame %d: %llu pixels differ, first at %d,%d\n", f,
                    (unsigned long long)d.differing, d.first_x, d.first_y);
        }
        panel_image_free(&a);
        panel_image_free(&b);
    }
    ASSERT_EQ_I64(redrawn_differs, 0);
    panel_close(inc);
    panel_close(full);
}

static void test_screenshots_and_errors(void) {
    panel_t *p = gui_open_headless(640, 400);
    panel_snapshot_t s;
    panel_image_t img, back;
    const char *path = SIM_BINARY_DIR "/test-tmp/test_gui_render_shot.png";
    ASSERT_EQ_I64(panel_screenshot(p, path), -SIM_EINVAL); /* nothing drawn yet */
    one_pack(&s, 1000000000LL);
    gui_draw_capture(p, &s, &img);
    ASSERT_EQ_I64(panel_screenshot(p, path), 0);
    ASSERT_EQ_I64(panel_png_read(path, &back), 0);
    panel_image_diff_t d;
    CU_ASSERT_TRUE(panel_image_matches(&img, &back, 0, 0, &d));
    ASSERT_EQ_I64(panel_screenshot(p, SIM_BINARY_DIR "/no-such-dir/x.png"), -SIM_EIO);
    remove(path);
    panel_image_free(&img);
    panel_image_free(&back);
    panel_close(p);
    panel_opts_t o;
    panel_opts_default(&o);
    o.headless = true;
    o.font_mono = "/nonexistent/DejaVuSansMono.ttf";
    char err[256] = "";
    p = (panel_t *)&o;
    ASSERT_EQ_I64(panel_open(&o, &p, err, sizeof err), -SIM_ENOENT);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/DejaVuSansMono.ttf"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "fonts-dejavu-core"));
}

void test_register(void) {
    TEST_SUITE("gui_render", TEST(test_tm1637_14_blinks), TEST(test_tm1637_brightness_and_off),
               TEST(test_soc_bar_red_at_18), TEST(test_leds_and_relays), TEST(test_gateway_cards),
               TEST(test_gateway_counts_drawn), TEST(test_gateway_count_text),
               TEST(test_gateway_counts_abbreviated), TEST(test_demo_goldens),
               TEST(test_many_more_nodes_fit), TEST(test_no_display_refused),
               TEST(test_window_equals_headless), TEST(test_incremental_equals_full),
               TEST(test_screenshots_and_errors));
}
