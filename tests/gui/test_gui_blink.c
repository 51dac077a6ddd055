/*
 * Blink detection from levels seen frame by frame (panel_blink.h): steady vs blinking at x1 and
 * at speeds where frames alias the blink, the window, resets on scrubbing back.
 */
#include <string.h>

#include "panel_blink.h"
#include "test_support.h"

#define MS 1000000LL

static panel_snapshot_t s;

/* One frame at t with the master pattern (green 1 s / 1 s) on node 0 and the display of node 0
 * blinking 500/500 ms, node 1 steady. */
static void frame(panel_blink_t *b, int64_t t_ns, bool green_blinks) {
    memset(&s, 0, sizeof s);
    s.t_ns = t_ns;
    s.n_nodes = 2;
    s.nodes[0].led_lit[PANEL_LED_GREEN] = green_blinks ? (t_ns / (1000 * MS)) % 2 == 0 : true;
    s.nodes[0].tm1637_on = true;
    s.nodes[0].tm1637_regs[2] = (t_ns / (500 * MS)) % 2 == 0 ? 0x66 : 0x00;
    s.nodes[1].led_lit[PANEL_LED_GREEN] = true;
    s.nodes[1].tm1637_on = true;
    s.nodes[1].tm1637_regs[1] = 0x06;
    panel_blink_update(b, &s);
}

static void test_realtime_frames(void) {
    panel_blink_t b;
    panel_blink_reset(&b);
    for (int64_t t = 0; t < 1500 * MS; t += 16 * MS) {
        frame(&b, t, true);
    }
    /* After 1.5 s: the green LED changed once (at 1 s): not yet a blink; the display twice. */
    CU_ASSERT_FALSE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    CU_ASSERT_TRUE(panel_blink_active(&b, 0, PANEL_SIG_DISPLAY));
    for (int64_t t = 1500 * MS; t < 4000 * MS; t += 16 * MS) {
        frame(&b, t, true);
    }
    CU_ASSERT_TRUE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    CU_ASSERT_FALSE(panel_blink_active(&b, 1, PANEL_LED_GREEN));
    CU_ASSERT_FALSE(panel_blink_active(&b, 1, PANEL_SIG_DISPLAY));
    CU_ASSERT_FALSE(panel_blink_aliased(&b));
    /* Node 0 becomes steady: within the window it still counts as blinking, then not. */
    int64_t t = 4000 * MS;
    for (; t < 5000 * MS; t += 16 * MS) {
        frame(&b, t, false);
    }
    CU_ASSERT_TRUE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    for (; t < 8000 * MS; t += 16 * MS) {
        frame(&b, t, false);
    }
    CU_ASSERT_FALSE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
}

static void test_aliased_frames(void) {
    panel_blink_t b;
    panel_blink_reset(&b);
    /* x100: 1.67 s of virtual time per frame; odd/even seconds still alternate the green. */
    for (int64_t t = 0; t < 30000 * MS; t += 1667 * MS) {
        frame(&b, t, true);
    }
    CU_ASSERT_TRUE(panel_blink_aliased(&b));
    CU_ASSERT_TRUE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    CU_ASSERT_FALSE(panel_blink_active(&b, 1, PANEL_LED_GREEN));
    /* The display content of the lit phase is kept for drawing. */
    ASSERT_EQ_U64(b.lit_regs[0][2], 0x66);
}

static void test_reset_on_seek_back(void) {
    panel_blink_t b;
    panel_blink_reset(&b);
    for (int64_t t = 0; t < 4000 * MS; t += 16 * MS) {
        frame(&b, t, true);
    }
    CU_ASSERT_TRUE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    frame(&b, 100 * MS, true); /* a replay scrubbed back */
    CU_ASSERT_FALSE(panel_blink_active(&b, 0, PANEL_LED_GREEN));
    CU_ASSERT_FALSE(panel_blink_active(&b, 0, PANEL_SIG_DISPLAY));
    CU_ASSERT_FALSE(panel_blink_active(&b, 99, 0)); /* out of range: never */
}

static void test_display_lit(void) {
    panel_node_t n;
    memset(&n, 0, sizeof n);
    n.tm1637_regs[3] = 0x3F; /* beyond the 3 digits the board shows */
    n.tm1637_on = true;
    CU_ASSERT_FALSE(panel_display_lit(&n));
    n.tm1637_digits = 4;
    CU_ASSERT_TRUE(panel_display_lit(&n));
    n.tm1637_on = false;
    CU_ASSERT_FALSE(panel_display_lit(&n));
}

void test_register(void) {
    TEST_SUITE("gui_blink", TEST(test_realtime_frames), TEST(test_aliased_frames),
               TEST(test_reset_on_seek_back), TEST(test_display_lit));
}
