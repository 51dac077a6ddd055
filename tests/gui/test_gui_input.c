/*
 * Keyboard and mouse on the panel, fed through panel_feed (the path SDL events take): each
 * control yields the input the run layer needs, computed from what the operator sees.
 */
#include <stdio.h>
#include <string.h>

#include "demo_world.h"
#include "gui_golden.h"
#include "panel.h"
#include "panel_layout.h"
#include "test_support.h"

static demo_world_t world;
static panel_snapshot_t snap;

static panel_t *open_demo(int64_t t_ns) {
    panel_t *p = gui_open_headless(1280, 800);
    demo_world_init(&world, 3, 600000000000LL);
    demo_world_snapshot(&world, t_ns, &snap);
    snap.speed_milli = 1000;
    panel_draw(p, &snap);
    return p;
}

static void text(panel_t *p, const char *t) {
    panel_event_t ev = {.kind = PANEL_EV_TEXT};
    snprintf(ev.text, sizeof ev.text, "%s", t);
    panel_feed(p, &ev);
}

static void key(panel_t *p, int k, unsigned mods) {
    panel_event_t ev = {.kind = PANEL_EV_KEY, .key = k, .mods = mods};
    panel_feed(p, &ev);
}

static void click(panel_t *p, panel_rect_t r, int button) {
    panel_event_t ev = {
        .kind = PANEL_EV_BUTTON_DOWN, .x = r.x + r.w / 2, .y = r.y + r.h / 2, .button = button};
    panel_feed(p, &ev);
    ev.kind = PANEL_EV_BUTTON_UP;
    panel_feed(p, &ev);
}

/* The one pending input (fails if there is none or more than one). */
static panel_input_t one(panel_t *p) {
    panel_input_t in, extra;
    ASSERT_EQ_I64(panel_poll(p, &in), 1);
    ASSERT_EQ_I64(panel_poll(p, &extra), 0);
    return in;
}

static void none(panel_t *p) {
    panel_input_t in;
    ASSERT_EQ_I64(panel_poll(p, &in), 0);
    ASSERT_EQ_I64(in.kind, PANEL_IN_NONE);
}

static void test_run_control_keys(void) {
    panel_t *p = open_demo(1000000000LL);
    text(p, " ");
    panel_input_t in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_PAUSE);
    CU_ASSERT_TRUE(in.on); /* the run is not paused: pause it */
    snap.paused = true;
    panel_draw(p, &snap);
    text(p, " ");
    CU_ASSERT_FALSE(one(p).on);
    text(p, "+");
    ASSERT_EQ_U64(one(p).speed_milli, 2000);
    text(p, "-"); /* on the same frame: from the x2 just asked for */
    ASSERT_EQ_U64(one(p).speed_milli, 1000);
    key(p, PANEL_KEY_UP, 0);
    ASSERT_EQ_U64(one(p).speed_milli, 2000);
    text(p, "0");
    ASSERT_EQ_U64(one(p).speed_milli, PANEL_SPEED_ASAP);
    text(p, "r");
    ASSERT_EQ_U64(one(p).speed_milli, 1000);
    text(p, "s");
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_STEP);
    text(p, "n");
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_STEP_EVENT);
    text(p, "q");
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_QUIT);
    panel_event_t close = {.kind = PANEL_EV_CLOSE};
    panel_feed(p, &close);
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_QUIT);
    none(p);
    panel_close(p);
}

static void test_node_actions_need_selection(void) {
    panel_t *p = open_demo(1000000000LL);
    text(p, "P");
    none(p); /* nothing selected: a message, no action */
    text(p, "2");
    ASSERT_EQ_I64(panel_selected(p), 1);
    text(p, "P");
    panel_input_t in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_POWER_CYCLE);
    ASSERT_EQ_I64(in.node, 1);
    text(p, "U");
    in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_CAN_UNPLUG);
    CU_ASSERT_TRUE(in.on); /* plugged now: unplug */
    text(p, "O");
    in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_POWER);
    CU_ASSERT_FALSE(in.on); /* running now: power off */
    text(p, "H");
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_HANG);
    text(p, "9"); /* no ninth node: selection unchanged */
    ASSERT_EQ_I64(panel_selected(p), 1);
    key(p, PANEL_KEY_TAB, 0);
    ASSERT_EQ_I64(panel_selected(p), 2);
    key(p, PANEL_KEY_TAB, 0);
    ASSERT_EQ_I64(panel_selected(p), -1);
    key(p, PANEL_KEY_TAB, PANEL_MOD_SHIFT);
    ASSERT_EQ_I64(panel_selected(p), 2);
    key(p, PANEL_KEY_ESCAPE, 0);
    ASSERT_EQ_I64(panel_selected(p), -1);
    none(p);
    panel_close(p);
}

static void test_world_actions(void) {
    panel_t *p = open_demo(1000000000LL);
    text(p, "G");
    panel_input_t in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_GRID);
    CU_ASSERT_FALSE(in.on); /* the grid is up: cut it */
    text(p, "]");
    in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_PV_SCALE);
    ASSERT_EQ_I64(in.scale_pct, 110);
    text(p, ",");
    in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_LOAD_SCALE);
    ASSERT_EQ_I64(in.scale_pct, 90);
    snap.pv_scale_pct = 5;
    panel_draw(p, &snap);
    text(p, "[");
    ASSERT_EQ_I64(one(p).scale_pct, 0); /* clamped at 0 */
    panel_close(p);
}

/* Keys of one frame build on each other (a script feeds many before the next snapshot): a pause
 * and a resume resume, a step leaves the run paused, two ']' go two steps. */
static void test_keys_of_one_frame(void) {
    panel_t *p = open_demo(1000000000LL);
    panel_input_t in;
    text(p, "  ");
    ASSERT_EQ_I64(panel_poll(p, &in), 1);
    CU_ASSERT_TRUE(in.on);
    CU_ASSERT_FALSE(one(p).on);
    text(p, "s ");
    ASSERT_EQ_I64(panel_poll(p, &in), 1);
    ASSERT_EQ_I64(in.kind, PANEL_IN_STEP);
    CU_ASSERT_FALSE(one(p).on); /* the step paused the run: Space resumes it */
    text(p, "]]");
    ASSERT_EQ_I64(panel_poll(p, &in), 1);
    ASSERT_EQ_I64(in.scale_pct, 110);
    ASSERT_EQ_I64(one(p).scale_pct, 120);
    text(p, "GG");
    ASSERT_EQ_I64(panel_poll(p, &in), 1);
    CU_ASSERT_FALSE(in.on);
    CU_ASSERT_TRUE(one(p).on); /* cut, then restored */
    panel_draw(p, &snap);      /* the run's word replaces what the keys asked for */
    text(p, "]");
    ASSERT_EQ_I64(one(p).scale_pct, 110);
    panel_close(p);
}

static void test_relay_clicks(void) {
    panel_t *p = open_demo(1000000000LL);
    panel_layout_t l;
    panel_layout_compute(&l, 1280, 800, 3, NULL);
    const panel_node_t *n = &snap.nodes[2];
    click(p, l.cards[2].relay[0], PANEL_BUTTON_LEFT);
    panel_input_t in = one(p);
    ASSERT_EQ_I64(in.kind, PANEL_IN_COMMAND);
    ASSERT_EQ_U64(in.can_id, PANEL_CMD_SET_RELAY);
    ASSERT_EQ_U64(in.target, n->node_id);
    ASSERT_EQ_U64(in.n_args, 2);
    ASSERT_EQ_U64(in.args[0], 0);
    ASSERT_EQ_U64(in.args[1], n->relay_closed[0] ? PANEL_RELAY_OPEN : PANEL_RELAY_CLOSE);
    click(p, l.cards[2].relay[3], PANEL_BUTTON_RIGHT);
    in = one(p);
    ASSERT_EQ_U64(in.args[0], 3);
    ASSERT_EQ_U64(in.args[1], PANEL_RELAY_AUTO);
    snap.nodes[0].node_id = PANEL_NODE_ID_UNKNOWN; /* no ANN yet: it cannot be addressed */
    panel_draw(p, &snap);
    click(p, l.cards[0].relay[1], PANEL_BUTTON_LEFT);
    none(p);
    click(p, l.cards[1].header, PANEL_BUTTON_LEFT); /* a card selects, again deselects */
    ASSERT_EQ_I64(panel_selected(p), 1);
    click(p, l.cards[1].header, PANEL_BUTTON_LEFT);
    ASSERT_EQ_I64(panel_selected(p), -1);
    /* A gateway has no relays: where a pack's are, a click selects its card and sends nothing,
     * even to an Energy-Gateway that has a NodeID. */
    snap.nodes[2].device_type = PANEL_DEVICE_GATEWAY;
    snap.nodes[1].device_type = PANEL_DEVICE_PI;
    panel_draw(p, &snap);
    click(p, l.cards[2].relay[0], PANEL_BUTTON_LEFT);
    none(p);
    ASSERT_EQ_I64(panel_selected(p), 2);
    click(p, l.cards[1].relay[3], PANEL_BUTTON_RIGHT);
    none(p);
    ASSERT_EQ_I64(panel_selected(p), 1);
    panel_close(p);
}

static void test_mode_keys_and_prompt(void) {
    panel_t *p = open_demo(1000000000LL);
    text(p, "2");
    CU_ASSERT_TRUE(snap.nodes[1].mode_mask & PANEL_MODE_ECO);
    key(p, PANEL_KEY_F1 + 2, 0); /* F3: Eco, on for this pack: turn it off */
    panel_input_t in = one(p);
    ASSERT_EQ_U64(in.can_id, PANEL_CMD_SET_ECO);
    ASSERT_EQ_U64(in.target, snap.nodes[1].node_id);
    ASSERT_EQ_U64(in.args[0], 0);
    key(p, PANEL_KEY_F1 + 4, 0); /* F5: Backup, off: turn it on */
    in = one(p);
    ASSERT_EQ_U64(in.can_id, PANEL_CMD_SET_BACKUP);
    ASSERT_EQ_U64(in.args[0], 1);
    key(p, PANEL_KEY_RETURN, 0);
    text(p, "eco-limit 15000");
    key(p, PANEL_KEY_BACKSPACE, 0);
    key(p, PANEL_KEY_RETURN, 0);
    in = one(p);
    ASSERT_EQ_U64(in.can_id, PANEL_CMD_SET_ECO_LIMIT);
    ASSERT_EQ_U64(in.args[0], 0x05);
    ASSERT_EQ_U64(in.args[1], 0xDC);
    text(p, ":");
    text(p, "bogus words");
    key(p, PANEL_KEY_RETURN, 0);
    none(p);
    text(p, ":");
    text(p, "G"); /* typed into the prompt, not a grid cut */
    key(p, PANEL_KEY_ESCAPE, 0);
    none(p);
    key(p, PANEL_KEY_RETURN, 0);
    text(p, "target all");
    key(p, PANEL_KEY_RETURN, 0);
    ASSERT_EQ_I64(panel_selected(p), -1);
    none(p);
    panel_close(p);
}

static void test_replay_seek(void) {
    panel_t *p = open_demo(100000000000LL);
    key(p, PANEL_KEY_LEFT, 0);
    none(p); /* a live run cannot seek */
    snap.view = PANEL_VIEW_REPLAY;
    panel_draw(p, &snap);
    key(p, PANEL_KEY_LEFT, 0);
    ASSERT_EQ_I64(one(p).t_ns, 99000000000LL);
    key(p, PANEL_KEY_RIGHT, PANEL_MOD_SHIFT);
    ASSERT_EQ_I64(one(p).t_ns, 110000000000LL);
    key(p, PANEL_KEY_LEFT, PANEL_MOD_CTRL);
    ASSERT_EQ_I64(one(p).t_ns, 40000000000LL);
    key(p, PANEL_KEY_HOME, 0);
    ASSERT_EQ_I64(one(p).t_ns, 0);
    key(p, PANEL_KEY_END, 0);
    ASSERT_EQ_I64(one(p).t_ns, 600000000000LL);
    panel_layout_t l;
    panel_layout_compute(&l, 1280, 800, 3, NULL);
    panel_rect_t t = l.timeline;
    panel_event_t ev = {.kind = PANEL_EV_BUTTON_DOWN, .x = t.x, .y = t.y + 5, .button = 1};
    panel_feed(p, &ev);
    ev.kind = PANEL_EV_MOTION;
    ev.x = t.x + (t.w - 1) / 2;
    panel_feed(p, &ev);
    ev.x = t.x + t.w + 50; /* dragged past the end: clamped */
    panel_feed(p, &ev);
    ev.kind = PANEL_EV_BUTTON_UP;
    panel_feed(p, &ev);
    ev.kind = PANEL_EV_MOTION; /* released: no more seeking */
    ev.x = t.x;
    panel_feed(p, &ev);
    ASSERT_EQ_I64(one(p).t_ns, 600000000000LL); /* the drag's seeks coalesce into the last */
    panel_close(p);
}

/* An input the run layer refuses: its status replaces the panel's "sent: ..." echo at once. */
static void test_refusal_replaces_echo(void) {
    const char *refused = "a replay repeats the recorded session: operator actions are not taken";
    panel_t *echoed = open_demo(1000000000LL), *quiet = open_demo(1000000000LL);
    panel_image_t with_echo, plain, next;
    text(echoed, "G");
    CU_ASSERT_EQUAL(one(echoed).kind, PANEL_IN_GRID);
    gui_draw_capture(echoed, &snap, &with_echo);
    snprintf(snap.status, sizeof snap.status, "%s", refused);
    gui_draw_capture(quiet, &snap, &plain);
    panel_image_diff_t d;
    CU_ASSERT_FALSE(panel_image_matches(&with_echo, &plain, 48, 0, &d));
    panel_image_free(&with_echo);
    gui_draw_capture(echoed, &snap, &with_echo);
    CU_ASSERT_TRUE(panel_image_matches(&with_echo, &plain, 0, 0, &d));
    text(echoed, "]"); /* a new echo shows again while the status stays the same */
    CU_ASSERT_EQUAL(one(echoed).kind, PANEL_IN_PV_SCALE);
    gui_draw_capture(echoed, &snap, &next);
    CU_ASSERT_FALSE(panel_image_matches(&next, &plain, 48, 0, &d));
    snap.status[0] = '\0';
    panel_image_free(&with_echo);
    panel_image_free(&plain);
    panel_image_free(&next);
    panel_close(echoed);
    panel_close(quiet);
}

static void test_buttons_help_and_queue(void) {
    panel_t *p = open_demo(12300000000LL);
    panel_layout_t l;
    panel_image_t before, help, after;
    panel_layout_compute(&l, 1280, 800, 3, NULL);
    click(p, l.buttons[PANEL_BTN_PAUSE], PANEL_BUTTON_LEFT);
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_PAUSE);
    click(p, l.buttons[PANEL_BTN_MAX], PANEL_BUTTON_LEFT);
    ASSERT_EQ_U64(one(p).speed_milli, PANEL_SPEED_ASAP);
    click(p, l.buttons[PANEL_BTN_GRID], PANEL_BUTTON_LEFT);
    ASSERT_EQ_I64(one(p).kind, PANEL_IN_GRID);
    const char *shot = SIM_BINARY_DIR "/test-tmp/panel-000000012.300.png";
    remove(shot);
    click(p, l.buttons[PANEL_BTN_SHOT], PANEL_BUTTON_LEFT);
    panel_image_t img;
    ASSERT_EQ_I64(panel_png_read(shot, &img), 0); /* named after the virtual time */
    panel_image_free(&img);
    remove(shot);
    gui_draw_capture(p, &snap, &before);
    text(p, "?");
    gui_draw_capture(p, &snap, &help);
    click(p, l.cards[0].relay[0], PANEL_BUTTON_LEFT); /* closes the help, sends nothing */
    none(p);
    gui_draw_capture(p, &snap, &after);
    panel_image_diff_t d;
    CU_ASSERT_FALSE(panel_image_matches(&before, &help, 48, 10000, &d));
    CU_ASSERT_TRUE(panel_image_matches(&before, &after, 0, 0, &d));
    for (int i = 0; i < PANEL_QUEUE_MAX + 6; i++) {
        text(p, "n");
    }
    panel_input_t in;
    int got = 0;
    while (panel_poll(p, &in) > 0) {
        got++;
    }
    ASSERT_EQ_I64(got, PANEL_QUEUE_MAX);
    ASSERT_EQ_U64(panel_dropped_inputs(p), 6);
    panel_image_free(&before);
    panel_image_free(&help);
    panel_image_free(&after);
    panel_close(p);
}

void test_register(void) {
    TEST_SUITE("gui_input", TEST(test_run_control_keys), TEST(test_keys_of_one_frame),
               TEST(test_node_actions_need_selection), TEST(test_world_actions),
               TEST(test_relay_clicks), TEST(test_mode_keys_and_prompt), TEST(test_replay_seek),
               TEST(test_refusal_replaces_echo), TEST(test_buttons_help_and_queue));
}
