/*
 * test_assert_observe.c: what the engine observes itself, fed through a real kernel: the
 * elected master and its freshness (a TEL claim lasts 5 s, an ANN-only claim 125 s, and the
 * change is judged at the exact nanosecond the claim expires), NodeIDs, frame counts with
 * identifier masks, data patterns, sender and "since", decoded signals, status LEDs and the
 * display told blinking from steady, and WS2812 pixels.
 */
#include "test_assert_fixture.h"

typedef struct {
    fx_t *f;
    int kind; /* 0 frame, 1 led, 2 display, 3 pixels */
    int node;
    sim_can_frame_t frame;
    unsigned led;
    bool lit;
    const char *text;
    uint32_t px[10];
} feed_t;

#define MAX_FEEDS 160
static feed_t feeds[MAX_FEEDS];
static size_t n_feeds;

static void on_feed(sim_kernel_t *k, void *ctx, uint64_t arg) {
    feed_t *d = ctx;
    sim_time_ns_t now = sim_kernel_now(k);
    (void)arg;
    if (d->kind == 0) {
        sim_assert_on_frame(d->f->e, d->node, &d->frame, now);
    } else if (d->kind == 1) {
        sim_assert_on_led(d->f->e, d->node, d->led, d->lit, now);
    } else if (d->kind == 2) {
        sim_assert_on_display(d->f->e, d->node, d->text, now);
    } else {
        sim_assert_on_pixels(d->f->e, d->node, d->px, 10, now);
    }
}

static feed_t *feed_at(fx_t *f, sim_time_ns_t t, int kind, int node) {
    CU_ASSERT_FATAL(n_feeds < MAX_FEEDS);
    feed_t *d = &feeds[n_feeds++];
    memset(d, 0, sizeof *d);
    d->f = f;
    d->kind = kind;
    d->node = node;
    CU_ASSERT_FATAL(sim_kernel_schedule(f->k, t, SIM_PRIO_WIRE, on_feed, d, 0) != 0);
    return d;
}

/* ANN 0x300+N: [type, 2, 5, flags, MAC tail]. */
static void ann_at(fx_t *f, sim_time_ns_t t, int node, unsigned id, bool master) {
    feed_t *d = feed_at(f, t, 0, node);
    d->frame = (sim_can_frame_t){
        .id = 0x300u + id, .dlc = 8, .data = {1, 2, 5, master, 0x28, 0, 0, (uint8_t)(node + 1)}};
}

/* TEL page 0 0x100+N: [0, SOC, V_pack (0x0208 = 52.0 V), I_batt (-1.5 A), status, alarms]. */
static void tel0_at(fx_t *f, sim_time_ns_t t, int node, unsigned id, uint8_t soc, bool master) {
    feed_t *d = feed_at(f, t, 0, node);
    d->frame = (sim_can_frame_t){.id = 0x100u + id,
                                 .dlc = 8,
                                 .data = {0, soc, 0x02, 0x08, 0xFF, 0x6A, master ? 0x08 : 0, 0}};
}

/* Assertions at one instant, in the fixture's single-quote style. */
#define AT(name, at, body) "{'name': '" name "', 'kind': 'at', 'at': '" at "', " body "}"
#define MASTER(v)          "'subject': 'master', 'eq': '" v "'"

/* clang-format off */
static const char master_asserts[] =
    AT("one", "1s", MASTER("pack1")) ","
    AT("two", "2s", MASTER("pack1,pack2")) ","
    AT("still two", "5500ms", MASTER("pack1,pack2")) ","
    AT("pack1 stale", "5500000001ns", MASTER("pack2")) ","
    "{'name': 'takeover', 'kind': 'within', 'after': '5s', 'within': '1s', " MASTER("pack2") "},"
    AT("none", "8s", MASTER("")) ","
    AT("flag", "1s", "'subject': 'master_flag', 'node': 'pack1', 'eq': true") ","
    AT("no flag", "1s", "'subject': 'master_flag', 'node': 'pack2', 'eq': false") ","
    AT("id1", "1s", "'subject': 'node_id', 'node': 'pack1', 'eq': 17") ","
    AT("id2", "2s", "'subject': 'node_id', 'node': 'pack2', 'eq': 5");
/* clang-format on */

static void test_master_and_ids(void) {
    fx_t f;
    n_feeds = 0;
    fx_begin(&f, master_asserts);
    tel0_at(&f, MS(500), 0, 17, 42, true);
    ann_at(&f, MS(1500), 1, 5, true);
    ann_at(&f, S(8), 1, 5, false);
    fx_run(&f);
    for (size_t i = 0; i < sim_assert_count(f.e); i++) {
        const sim_assert_result_t *r = fx_result(&f, i);
        if (r->status != SIM_ASSERT_PASSED) {
            fprintf(stderr, "\n  %s: %s\n", r->name, r->message);
        }
        ASSERT_EQ_I64(r->status, SIM_ASSERT_PASSED);
    }
    ASSERT_EQ_I64(fx_result(&f, 4)->t_ns, MS(5500) + 1); /* judged when the claim expired */
    ASSERT_EQ_I64(sim_assert_node_id(f.e, 0), 17);
    ASSERT_EQ_I64(sim_assert_node_id(f.e, 1), 5);
    fx_end(&f);
}

#define ANNS              "'subject': 'can_frames', 'id': '0x300', 'mask': '0x780'"
#define SIGNAL(sig, node) "'subject': 'signal', 'signal': '" sig "', 'node': '" node "'"

/* clang-format off */
static const char frame_asserts[] =
    AT("anns", "9s", ANNS ", 'eq': 3") ","
    AT("anns since", "9s", ANNS ", 'since': '2s', 'eq': 2") ","
    AT("from pack2", "9s", ANNS ", 'node': 'pack2', 'eq': 2") ","
    AT("pattern", "9s", ANNS ", 'data': '01????01', 'eq': 1") ","
    AT("exact id", "9s", "'subject': 'can_frames', 'id': '0x111', 'eq': 1") ","
    AT("soc", "1s", SIGNAL("TEL.SOC", "pack1") ", 'eq': 42") ","
    AT("v", "1s", SIGNAL("TEL.V_pack", "pack1") ", 'eq': 52") ","
    AT("i", "1s", SIGNAL("TEL.I_batt", "pack1") ", 'eq': -1.5") ","
    AT("flag bit", "1s", SIGNAL("TEL.St_Master", "pack1") ", 'eq': 1") ","
    AT("not from pack2", "9s", SIGNAL("TEL.SOC", "pack2") ", 'eq': 42");
/* clang-format on */

static void test_frames_and_signals(void) {
    fx_t f;
    n_feeds = 0;
    fx_begin(&f, frame_asserts);
    tel0_at(&f, MS(500), 0, 17, 42, true);
    ann_at(&f, S(1), 0, 17, true); /* data 01 02 05 01 28 00 00 01 */
    ann_at(&f, S(3), 1, 5, false); /* data 01 02 05 00 28 00 00 02 */
    ann_at(&f, S(4), 1, 5, false);
    fx_run(&f);
    size_t n = sim_assert_count(f.e);
    for (size_t i = 0; i + 1 < n; i++) {
        const sim_assert_result_t *r = fx_result(&f, i);
        if (r->status != SIM_ASSERT_PASSED) {
            fprintf(stderr, "\n  %s: %s\n", r->name, r->message);
        }
        ASSERT_EQ_I64(r->status, SIM_ASSERT_PASSED);
    }
    /* pack2 never sent TEL: its SOC was never seen */
    ASSERT_EQ_I64(fx_result(&f, n - 1)->status, SIM_ASSERT_FAILED);
    ASSERT_EQ_STR(fx_result(&f, n - 1)->actual, "unavailable");
    ASSERT_EQ_STR(fx_result(&f, n - 1)->expected, "signal(TEL.SOC from pack2) == 42 at 9s");
    ASSERT_EQ_STR(fx_result(&f, 3)->expected,
                  "can_frames(id 0x300/0x780, data 01????01) == 1 at 9s");
    fx_end(&f);
}

#define LED(node, led) "'subject': 'led', 'node': '" node "', 'led': '" led "'"
#define PACK1(subject) "'subject': '" subject "', 'node': 'pack1'"

/* clang-format off */
static const char feed_asserts[] =
    AT("yellow blinks", "5s", LED("pack1", "yellow") ", 'eq': 'blink'") ","
    AT("at 1 Hz", "5s", "'subject': 'led_period_ms', 'node': 'pack1', 'led': 'yellow', 'eq': 1000") ","
    AT("red steady", "5s", LED("pack1", "red") ", 'eq': 'on'") ","
    AT("green off", "5s", LED("pack1", "green") ", 'eq': 'off'") ","
    AT("yellow stopped", "13s", LED("pack1", "yellow") ", 'eq': 'off'") ","
    AT("display blinks", "5s", PACK1("display_blink") ", 'eq': true") ","
    AT("shown", "5750ms", PACK1("display_shown") ", 'eq': ' 12'") ","
    AT("blank phase", "5750ms", PACK1("display") ", 'eq': '   '") ","
    AT("steady again", "15s", PACK1("display_blink") ", 'eq': false") ","
    AT("bar red", "1s", PACK1("pixel") ", 'pixel': 0, 'eq': 'red'") ","
    AT("bar length", "1s", PACK1("pixels_lit") ", 'eq': 2") ","
    AT("sweep", "2s", PACK1("pixels_of") ", 'colour': 'blue', 'eq': 1") ","
    AT("beyond", "2s", "'subject': 'pixel', 'node': 'pack2', 'pixel': 0, 'eq': 'off'");
/* clang-format on */

static void test_feeds(void) {
    fx_t f;
    n_feeds = 0;
    fx_begin(&f, feed_asserts);
    for (int i = 0; i < 20; i++) { /* yellow 500 ms on, 500 ms off, for 10 s */
        feed_at(&f, MS(500) * i, 1, 0)->led = 1;
        feeds[n_feeds - 1].lit = (i % 2) == 0;
        feed_t *d = feed_at(&f, MS(500) * i, 2, 0);
        d->text = (i % 2) == 0 ? " 12" : "   ";
    }
    feed_at(&f, S(10), 2, 0)->text = " 12";
    feed_t *red = feed_at(&f, S(1), 1, 0);
    red->led = 2;
    red->lit = true;
    feed_t *bar = feed_at(&f, MS(900), 3, 0);
    bar->px[0] = bar->px[1] = 0xFF0000;
    feed_t *sweep = feed_at(&f, MS(1900), 3, 0);
    sweep->px[0] = 0xFF0000;
    sweep->px[1] = 0x0000FF;
    fx_run(&f);
    size_t n = sim_assert_count(f.e);
    for (size_t i = 0; i + 1 < n; i++) {
        const sim_assert_result_t *r = fx_result(&f, i);
        if (r->status != SIM_ASSERT_PASSED) {
            fprintf(stderr, "\n  %s: %s\n", r->name, r->message);
        }
        ASSERT_EQ_I64(r->status, SIM_ASSERT_PASSED);
    }
    /* pack2 never sent a frame to its chain: no pixel to compare, not even "off" */
    ASSERT_EQ_I64(fx_result(&f, n - 1)->status, SIM_ASSERT_FAILED);
    fx_end(&f);
}

void test_register(void) {
    TEST_SUITE("assert_observe", TEST(test_master_and_ids), TEST(test_frames_and_signals),
               TEST(test_feeds));
}
