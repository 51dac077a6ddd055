/*
 * The panel's geometry: the card grid for 1..16 nodes at several window sizes, the parts inside
 * a card, seven-segment geometry, and hit-testing (what a click lands on).
 */
#include "panel_layout.h"
#include "test_support.h"

static int inside(const panel_rect_t *in, const panel_rect_t *out) {
    return in->x >= out->x && in->y >= out->y && in->x + in->w <= out->x + out->w &&
           in->y + in->h <= out->y + out->h && in->w > 0 && in->h > 0;
}

static int overlap(const panel_rect_t *a, const panel_rect_t *b) {
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check_grid(int w, int h, unsigned n) {
    static panel_layout_t l;
    panel_layout_compute(&l, w, h, n, NULL);
    ASSERT_EQ_I64(l.n_cards, n);
    CU_ASSERT_TRUE(l.cols * l.rows >= n);
    CU_ASSERT_TRUE((l.rows - 1) * l.cols < n); /* no empty row */
    for (unsigned i = 0; i < n; i++) {
        const panel_card_layout_t *c = &l.cards[i];
        ASSERT_EQ_I64(c->card.w, l.cards[0].card.w);
        ASSERT_EQ_I64(c->card.h, l.cards[0].card.h);
        if (c->scale_x8 > PANEL_SCALE_MIN_X8) { /* at the minimum scale cards may overflow */
            if (!inside(&c->card, &l.card_area)) {
                fprintf(stderr, "\n  %dx%d n=%u card %u outside the card area\n", w, h, n, i);
            }
            CU_ASSERT_TRUE(inside(&c->card, &l.card_area));
        }
        for (unsigned j = 0; j < i; j++) {
            CU_ASSERT_FALSE(overlap(&c->card, &l.cards[j].card));
        }
    }
}

static void test_grid_all_counts(void) {
    const int sizes[][2] = {{1280, 800}, {640, 400}, {1920, 1080}, {800, 1200}, {2560, 1440}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (unsigned n = 1; n <= PANEL_NODES_MAX; n++) {
            check_grid(sizes[s][0], sizes[s][1], n);
        }
    }
}

static void test_grid_choices(void) {
    static panel_layout_t l;
    panel_layout_compute(&l, 1280, 800, 4, NULL);
    ASSERT_EQ_I64(l.cols, 2); /* 2 x 2 gives larger cards than 4 x 1 */
    ASSERT_EQ_I64(l.rows, 2);
    ASSERT_EQ_I64(l.cards[0].scale_x8, 11);
    panel_layout_compute(&l, 1280, 800, 3, NULL);
    ASSERT_EQ_I64(l.cols, 2);
    panel_layout_compute(&l, 4000, 3000, 1, NULL);
    ASSERT_EQ_I64(l.cards[0].scale_x8, PANEL_SCALE_MAX_X8);
    panel_layout_compute(&l, 1280, 800, 16, NULL);
    CU_ASSERT_TRUE(l.cards[0].scale_x8 >= 5);
    CU_ASSERT_TRUE(l.cards[0].font_px >= 8);
    panel_layout_compute(&l, 1280, 800, 40, NULL);
    ASSERT_EQ_I64(l.n_cards, PANEL_NODES_MAX);
    panel_layout_compute(&l, 100, 50, 2, NULL); /* clamped to the minimum window */
    ASSERT_EQ_I64(l.width, PANEL_MIN_W);
    ASSERT_EQ_I64(l.height, PANEL_MIN_H);
    panel_layout_compute(&l, 1280, 800, 0, NULL);
    ASSERT_EQ_I64(l.n_cards, 0);
}

static void test_card_parts(void) {
    static panel_layout_t l;
    const uint8_t digits[3] = {3, 6, 0};
    panel_layout_compute(&l, 1280, 800, 3, digits);
    for (unsigned i = 0; i < 3; i++) {
        const panel_card_layout_t *c = &l.cards[i];
        const panel_rect_t *parts[] = {&c->header, &c->display, &c->can, &c->soc, &c->numbers};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            CU_ASSERT_TRUE(inside(parts[k], &c->card));
        }
        for (unsigned k = 0; k < PANEL_LEDS; k++) {
            CU_ASSERT_TRUE(inside(&c->led[k], &c->card));
            CU_ASSERT_FALSE(overlap(&c->led[k], &c->display));
        }
        for (unsigned k = 0; k < PANEL_WS2812_PIXELS; k++) {
            CU_ASSERT_TRUE(inside(&c->pixel[k], &c->card));
            CU_ASSERT_TRUE(k == 0 || c->pixel[k].x > c->pixel[k - 1].x + c->pixel[k - 1].w - 1);
        }
        for (unsigned k = 0; k < PANEL_RELAYS; k++) {
            CU_ASSERT_TRUE(inside(&c->relay[k], &c->card));
            CU_ASSERT_TRUE(k == 0 || !overlap(&c->relay[k], &c->relay[k - 1]));
        }
        for (unsigned k = 0; k < c->digits; k++) {
            CU_ASSERT_TRUE(inside(&c->digit[k], &c->display));
            CU_ASSERT_TRUE(k == 0 || !overlap(&c->digit[k], &c->digit[k - 1]));
        }
    }
    ASSERT_EQ_I64(l.cards[0].digits, 3);
    ASSERT_EQ_I64(l.cards[1].digits, 6);
    ASSERT_EQ_I64(l.cards[2].digits, 3); /* 0 means the board's 3 */
    ASSERT_EQ_I64(l.cards[1].digit[5].w > 0, 1);
    ASSERT_EQ_I64(l.cards[0].digit[3].w, 0);
}

static void test_segments(void) {
    const panel_rect_t cell = {100, 50, 30, 40};
    for (unsigned s = 0; s < 8; s++) {
        panel_rect_t r = panel_layout_segment(cell, s);
        CU_ASSERT_TRUE(inside(&r, &cell));
        for (unsigned t = 0; t < s; t++) {
            panel_rect_t q = panel_layout_segment(cell, t);
            if (overlap(&r, &q)) {
                fprintf(stderr, "\n  segments %u and %u overlap\n", s, t);
            }
            CU_ASSERT_FALSE(overlap(&r, &q));
        }
    }
    /* a above g above d; f left of b; e left of c */
    CU_ASSERT_TRUE(panel_layout_segment(cell, 0).y < panel_layout_segment(cell, 6).y);
    CU_ASSERT_TRUE(panel_layout_segment(cell, 6).y < panel_layout_segment(cell, 3).y);
    CU_ASSERT_TRUE(panel_layout_segment(cell, 5).x < panel_layout_segment(cell, 1).x);
    CU_ASSERT_TRUE(panel_layout_segment(cell, 4).x < panel_layout_segment(cell, 2).x);
    CU_ASSERT_TRUE(panel_layout_segment(cell, 1).y < panel_layout_segment(cell, 2).y);
}

static void test_hits(void) {
    static panel_layout_t l;
    panel_layout_compute(&l, 1280, 800, 5, NULL);
    for (unsigned i = 0; i < 5; i++) {
        for (unsigned r = 0; r < PANEL_RELAYS; r++) {
            const panel_rect_t *q = &l.cards[i].relay[r];
            panel_hit_t h = panel_layout_hit(&l, q->x + q->w / 2, q->y + q->h / 2);
            ASSERT_EQ_I64(h.kind, PANEL_HIT_RELAY);
            ASSERT_EQ_I64(h.card, i);
            ASSERT_EQ_I64(h.relay, r);
        }
        const panel_rect_t *hd = &l.cards[i].header;
        panel_hit_t h = panel_layout_hit(&l, hd->x + 3, hd->y + 3);
        ASSERT_EQ_I64(h.kind, PANEL_HIT_CARD);
        ASSERT_EQ_I64(h.card, i);
    }
    for (int b = 0; b < PANEL_BTN_COUNT; b++) {
        const panel_rect_t *q = &l.buttons[b];
        panel_hit_t h = panel_layout_hit(&l, q->x + q->w / 2, q->y + q->h / 2);
        ASSERT_EQ_I64(h.kind, PANEL_HIT_BUTTON);
        ASSERT_EQ_I64(h.button, b);
    }
    const panel_rect_t *t = &l.timeline;
    panel_hit_t h = panel_layout_hit(&l, t->x, t->y + 2);
    ASSERT_EQ_I64(h.kind, PANEL_HIT_TIMELINE);
    ASSERT_EQ_I64(h.permille, 0);
    h = panel_layout_hit(&l, t->x + t->w - 1, t->y + 2);
    ASSERT_EQ_I64(h.permille, 1000);
    h = panel_layout_hit(&l, t->x + (t->w - 1) / 2, t->y + 2);
    ASSERT_NEAR(h.permille, 500, 1);
    h = panel_layout_hit(&l, 1, 1); /* the margin above the first card */
    ASSERT_EQ_I64(h.kind, PANEL_HIT_NONE);
}

void test_register(void) {
    TEST_SUITE("gui_layout", TEST(test_grid_all_counts), TEST(test_grid_choices),
               TEST(test_card_parts), TEST(test_segments), TEST(test_hits));
}
