/*
 * test_uart.c: UART/RS-485 line timing, DE gating, collisions, capacity and port lifetime.
 * Every test runs a real kernel; receivers log (byte, garbled, time) so a test can pin the exact
 * instant each character arrives.
 */
#include <stdlib.h>

#include "sim_uart.h"
#include "test_support.h"

#define CHAR_9600_8N1_NS 1041667 /* 10 bits / 9600 baud, rounded to nearest */

typedef struct {
    sim_kernel_t *k;
    sim_uart_port_t *port; /* the port this log belongs to (for callbacks that act on it) */
    uint8_t byte[64];
    bool garbled[64];
    sim_time_ns_t at_ns[64];
    size_t n;
    size_t idle_calls;
    sim_time_ns_t idle_at_ns;
    bool de_at_idle;
    bool detach_on_rx; /* detach this port from inside its first on_rx */
} rx_log_t;

static void log_rx(void *ctx, uint8_t byte, bool garbled) {
    rx_log_t *l = ctx;
    CU_ASSERT_FATAL(l->n < 64);
    l->byte[l->n] = byte;
    l->garbled[l->n] = garbled;
    l->at_ns[l->n] = sim_kernel_now(l->k);
    l->n++;
    if (l->detach_on_rx) {
        l->detach_on_rx = false;
        sim_uart_port_detach(l->port);
        l->port = NULL;
    }
}

static void log_idle(void *ctx) {
    rx_log_t *l = ctx;
    l->idle_calls++;
    l->idle_at_ns = sim_kernel_now(l->k);
    l->de_at_idle = l->port != NULL && sim_uart_port_de(l->port);
}

static const sim_uart_port_cb_t log_cb = {.on_rx = log_rx, .on_tx_idle = log_idle};

typedef struct {
    sim_kernel_t *k;
    sim_uart_line_t *line;
} bench_t;

static bench_t open_line(uint32_t baud) {
    bench_t b = {0};
    CU_ASSERT_FATAL(sim_kernel_create(5, &b.k) == 0);
    sim_uart_line_cfg_t cfg = {.name = "pack1.rs485", .baud = baud};
    CU_ASSERT_FATAL(sim_uart_line_create(b.k, &cfg, &b.line) == 0);
    return b;
}

static sim_uart_port_t *attach(bench_t *b, const char *name, bool auto_de, uint16_t cap,
                               rx_log_t *log) {
    sim_uart_port_cfg_t cfg = {.name = name, .auto_de = auto_de, .tx_capacity = cap};
    sim_uart_port_t *p = NULL;
    log->k = b->k;
    CU_ASSERT_FATAL(sim_uart_port_attach(b->line, &cfg, &log_cb, log, &p) == 0);
    log->port = p;
    return p;
}

static void close_line(bench_t *b) {
    sim_uart_line_destroy(b->line);
    sim_kernel_destroy(b->k);
}

/* ---- timing --------------------------------------------------------------------------------- */

static sim_time_ns_t char_ns_for(uint32_t baud, uint8_t data, uint8_t parity, uint8_t stop) {
    sim_kernel_t *k = NULL;
    sim_uart_line_t *line = NULL;
    CU_ASSERT_FATAL(sim_kernel_create(1, &k) == 0);
    sim_uart_line_cfg_t cfg = {
        .name = "x", .baud = baud, .data_bits = data, .parity = parity, .stop_bits = stop};
    sim_time_ns_t ns = -1;
    if (sim_uart_line_create(k, &cfg, &line) == 0) {
        ns = sim_uart_line_char_ns(line);
        sim_uart_line_destroy(line);
    }
    sim_kernel_destroy(k);
    return ns;
}

static void test_char_time(void) {
    ASSERT_EQ_I64(char_ns_for(9600, 0, 0, 0), CHAR_9600_8N1_NS);
    ASSERT_EQ_I64(char_ns_for(9600, 8, 0, 1), CHAR_9600_8N1_NS);
    ASSERT_EQ_I64(char_ns_for(9600, 8, 2, 1), 1145833); /* 11 bits: 1145833.3 */
    ASSERT_EQ_I64(char_ns_for(9600, 7, 1, 2), 1145833); /* 1 + 7 + 1 + 2 bits */
    ASSERT_EQ_I64(char_ns_for(115200, 8, 0, 1), 86806); /* 86805.6 rounds up */
    ASSERT_EQ_I64(char_ns_for(19200, 5, 0, 1), 364583); /* 7 bits: 364583.3 */
    /* Invalid formats are refused. */
    ASSERT_EQ_I64(char_ns_for(0, 8, 0, 1), -1);
    ASSERT_EQ_I64(char_ns_for(9600, 4, 0, 1), -1);
    ASSERT_EQ_I64(char_ns_for(9600, 9, 0, 1), -1);
    ASSERT_EQ_I64(char_ns_for(9600, 8, 3, 1), -1);
    ASSERT_EQ_I64(char_ns_for(9600, 8, 0, 3), -1);
}

static void test_nine_bytes_arrive_one_by_one(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    attach(&b, "bms", true, 0, &rx_log);
    sim_kernel_run_until(b.k, 5 * SIM_NS_PER_MS); /* start somewhere other than 0 */
    const uint8_t frame[9] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xc4, 0x0b, 0xff};
    ASSERT_EQ_I64(sim_uart_port_write(tx, frame, sizeof frame), 0);
    ASSERT_EQ_U64(sim_uart_port_tx_pending(tx), 9);

    /* Just before the first stop bit ends nothing has arrived; then one byte per char time. */
    sim_kernel_run_until(b.k, 5 * SIM_NS_PER_MS + CHAR_9600_8N1_NS - 1);
    ASSERT_EQ_U64(rx_log.n, 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 9);
    for (size_t i = 0; i < rx_log.n; i++) {
        ASSERT_EQ_U64(rx_log.byte[i], frame[i]);
        CU_ASSERT(!rx_log.garbled[i]);
        ASSERT_EQ_I64(rx_log.at_ns[i],
                      5 * SIM_NS_PER_MS + (sim_time_ns_t)(i + 1) * CHAR_9600_8N1_NS);
    }
    /* The sender never hears itself, and is told it is idle when the last stop bit has left. */
    ASSERT_EQ_U64(tx_log.n, 0);
    ASSERT_EQ_U64(tx_log.idle_calls, 1);
    ASSERT_EQ_I64(tx_log.idle_at_ns, 5 * SIM_NS_PER_MS + 9 * CHAR_9600_8N1_NS);
    ASSERT_EQ_U64(sim_uart_port_tx_pending(tx), 0);

    sim_uart_port_stats_t st;
    sim_uart_port_stats(tx, &st);
    ASSERT_EQ_U64(st.tx_bytes, 9);
    ASSERT_EQ_U64(st.tx_lost, 0);
    sim_uart_port_stats(rx_log.port, &st);
    ASSERT_EQ_U64(st.rx_bytes, 9);
    ASSERT_EQ_U64(st.rx_garbled, 0);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

static void test_auto_de_asserts_and_releases(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    attach(&b, "bms", false, 0, &rx_log);
    CU_ASSERT(!sim_uart_port_de(tx));
    const uint8_t two[2] = {0x55, 0xaa};
    sim_uart_port_write(tx, two, 2);
    CU_ASSERT(sim_uart_port_de(tx));
    sim_kernel_run_until(b.k, 2 * CHAR_9600_8N1_NS - 1);
    CU_ASSERT(sim_uart_port_de(tx)); /* still held during the last character */
    sim_kernel_run_until(b.k, 2 * CHAR_9600_8N1_NS);
    CU_ASSERT(!sim_uart_port_de(tx));
    ASSERT_EQ_U64(tx_log.idle_calls, 1);
    CU_ASSERT(!tx_log.de_at_idle); /* released before on_tx_idle runs */
    ASSERT_EQ_U64(rx_log.n, 2);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

/* ---- DE gating and collisions -----------------------------------------------------------------
 */

static void test_bytes_with_de_low_are_lost(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "manual", false, 0, &tx_log);
    attach(&b, "rx", false, 0, &rx_log);
    const uint8_t three[3] = {1, 2, 3};
    ASSERT_EQ_I64(sim_uart_port_write(tx, three, 3), 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 0);
    ASSERT_EQ_U64(tx_log.idle_calls, 1); /* the UART still shifted them out */
    ASSERT_EQ_I64(tx_log.idle_at_ns, 3 * CHAR_9600_8N1_NS);
    sim_uart_port_stats_t st;
    sim_uart_port_stats(tx, &st);
    ASSERT_EQ_U64(st.tx_lost, 3);
    ASSERT_EQ_U64(st.tx_bytes, 0);

    /* With DE raised by hand the same bytes go through. */
    sim_uart_port_set_de(tx, true);
    ASSERT_EQ_I64(sim_uart_port_write(tx, three, 3), 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 3);
    CU_ASSERT(sim_uart_port_de(tx)); /* a manual port keeps its DE */
    sim_uart_port_stats(tx, &st);
    ASSERT_EQ_U64(st.tx_bytes, 3);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

/* Drops DE half-way through the second character. */
static void drop_de(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    sim_uart_port_set_de(ctx, false);
}

static void test_de_dropped_mid_character_garbles_it(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "manual", false, 0, &tx_log);
    attach(&b, "rx", false, 0, &rx_log);
    sim_uart_port_set_de(tx, true);
    const uint8_t three[3] = {0x10, 0x20, 0x30};
    sim_uart_port_write(tx, three, 3);
    sim_kernel_schedule(b.k, CHAR_9600_8N1_NS + CHAR_9600_8N1_NS / 2, 0, drop_de, tx, 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 2); /* the third character was never driven */
    ASSERT_EQ_U64(rx_log.byte[0], 0x10);
    CU_ASSERT(!rx_log.garbled[0]);
    CU_ASSERT(rx_log.garbled[1]);
    ASSERT_EQ_I64(rx_log.at_ns[1], 2 * CHAR_9600_8N1_NS);
    sim_uart_port_stats_t st;
    sim_uart_port_stats(tx, &st);
    ASSERT_EQ_U64(st.tx_bytes, 1);
    ASSERT_EQ_U64(st.tx_lost, 2);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

static void write_one(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    uint8_t byte = (uint8_t)arg;
    CU_ASSERT(sim_uart_port_write(ctx, &byte, 1) == 0);
}

static void test_two_drivers_garble_the_line(void) {
    bench_t b = open_line(9600);
    rx_log_t la = {0}, lb = {0}, lc = {0};
    sim_uart_port_t *a = attach(&b, "a", true, 0, &la);
    sim_uart_port_t *pb = attach(&b, "b", true, 0, &lb);
    attach(&b, "c", false, 0, &lc);
    /* b starts half a character after a: both characters are garbled for everyone. */
    sim_kernel_schedule(b.k, 0, 0, write_one, a, 0x41);
    sim_kernel_schedule(b.k, CHAR_9600_8N1_NS / 2, 0, write_one, pb, 0x42);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(lc.n, 2);
    CU_ASSERT(lc.garbled[0] && lc.garbled[1]);
    ASSERT_EQ_I64(lc.at_ns[0], CHAR_9600_8N1_NS);
    ASSERT_EQ_I64(lc.at_ns[1], CHAR_9600_8N1_NS + CHAR_9600_8N1_NS / 2);
    /* Each driver hears the other's (garbled) character, never its own. */
    ASSERT_EQ_U64(la.n, 1);
    ASSERT_EQ_U64(lb.n, 1);
    CU_ASSERT(la.garbled[0] && lb.garbled[0]);
    sim_uart_port_stats_t st;
    sim_uart_port_stats(lc.port, &st);
    ASSERT_EQ_U64(st.rx_garbled, 2);
    ASSERT_EQ_U64(st.rx_bytes, 0);
    sim_uart_port_stats(a, &st);
    ASSERT_EQ_U64(st.tx_bytes, 1); /* it was put on the line; the line garbled it */

    /* Back to back (b starts exactly when a's stop bit ends) is no collision. */
    sim_time_ns_t t0 = sim_kernel_now(b.k) + 10 * CHAR_9600_8N1_NS;
    sim_kernel_schedule(b.k, t0, SIM_PRIO_FIRMWARE, write_one, a, 0x61);
    sim_kernel_schedule(b.k, t0 + CHAR_9600_8N1_NS, SIM_PRIO_SCENARIO, write_one, pb, 0x62);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(lc.n, 4);
    ASSERT_EQ_U64(lc.byte[2], 0x61);
    ASSERT_EQ_U64(lc.byte[3], 0x62);
    CU_ASSERT(!lc.garbled[2] && !lc.garbled[3]);
    sim_uart_port_detach(a);
    sim_uart_port_detach(pb);
    sim_uart_port_detach(lc.port);
    close_line(&b);
}

/* The garbage a collision produces is reproducible: same seed, same bytes. */
static void collide_once(uint8_t out[2]) {
    bench_t b = open_line(19200);
    rx_log_t la = {0}, lb = {0}, lc = {0};
    sim_uart_port_t *a = attach(&b, "a", true, 0, &la);
    sim_uart_port_t *pb = attach(&b, "b", true, 0, &lb);
    attach(&b, "c", false, 0, &lc);
    sim_kernel_schedule(b.k, 100, 0, write_one, a, 0x00);
    sim_kernel_schedule(b.k, 200, 0, write_one, pb, 0xff);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    CU_ASSERT_FATAL(lc.n == 2);
    out[0] = lc.byte[0];
    out[1] = lc.byte[1];
    sim_uart_port_detach(a);
    sim_uart_port_detach(pb);
    sim_uart_port_detach(lc.port);
    close_line(&b);
}

static void test_collision_garbage_is_deterministic(void) {
    uint8_t first[2], second[2];
    collide_once(first);
    collide_once(second);
    ASSERT_EQ_U64(first[0], second[0]);
    ASSERT_EQ_U64(first[1], second[1]);
}

/* ---- capacity, attach and detach --------------------------------------------------------------
 */

static void test_capacity(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 4, &tx_log);
    attach(&b, "rx", false, 0, &rx_log);
    const uint8_t five[5] = {1, 2, 3, 4, 5};
    ASSERT_EQ_I64(sim_uart_port_write(tx, five, 5), -SIM_EAGAIN); /* nothing queued */
    ASSERT_EQ_U64(sim_uart_port_tx_pending(tx), 0);
    ASSERT_EQ_I64(sim_uart_port_write(tx, five, 4), 0);
    ASSERT_EQ_U64(sim_uart_port_tx_pending(tx), 4);
    ASSERT_EQ_I64(sim_uart_port_write(tx, five, 1), -SIM_EAGAIN);
    ASSERT_EQ_I64(sim_uart_port_write(tx, NULL, 1), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_uart_port_write(tx, NULL, 0), 0);
    sim_kernel_run_until(b.k, CHAR_9600_8N1_NS); /* one character left */
    ASSERT_EQ_U64(sim_uart_port_tx_pending(tx), 3);
    ASSERT_EQ_I64(sim_uart_port_write(tx, five + 4, 1), 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 5);
    for (size_t i = 0; i < 5; i++) {
        ASSERT_EQ_U64(rx_log.byte[i], five[i]);
    }
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

static void test_late_attach_misses_character_in_flight(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, early = {0}, late = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    attach(&b, "early", false, 0, &early);
    const uint8_t two[2] = {7, 8};
    sim_uart_port_write(tx, two, 2);
    sim_kernel_run_until(b.k, CHAR_9600_8N1_NS / 2);
    attach(&b, "late", false, 0, &late);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(early.n, 2);
    ASSERT_EQ_U64(late.n, 1); /* only the character that started after it attached */
    ASSERT_EQ_U64(late.byte[0], 8);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(early.port);
    sim_uart_port_detach(late.port);
    close_line(&b);
}

static void test_detach_with_bytes_queued(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    attach(&b, "rx", false, 0, &rx_log);
    const uint8_t four[4] = {0xde, 0xad, 0xbe, 0xef};
    sim_uart_port_write(tx, four, 4);
    sim_kernel_run_until(b.k, CHAR_9600_8N1_NS + 10); /* second character in flight */
    sim_uart_port_detach(tx);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    /* The character in flight finishes; the two queued behind it are discarded. */
    ASSERT_EQ_U64(rx_log.n, 2);
    ASSERT_EQ_U64(rx_log.byte[1], 0xad);
    ASSERT_EQ_I64(rx_log.at_ns[1], 2 * CHAR_9600_8N1_NS);
    ASSERT_EQ_U64(tx_log.idle_calls, 0); /* no callbacks after detach */
    sim_kernel_stats_t ks;
    sim_kernel_stats(b.k, &ks);
    ASSERT_EQ_U64(ks.pending, 0);
    sim_uart_port_detach(rx_log.port);
    close_line(&b);
}

static void test_destroy_line_with_character_in_flight(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, rx_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    attach(&b, "rx", false, 0, &rx_log);
    const uint8_t one = 0x5a;
    sim_uart_port_write(tx, &one, 1);
    sim_uart_port_detach(tx);
    sim_uart_port_detach(rx_log.port);
    sim_uart_line_destroy(b.line); /* cancels the pending character end */
    sim_kernel_stats_t ks;
    sim_kernel_stats(b.k, &ks);
    ASSERT_EQ_U64(ks.pending, 0);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    ASSERT_EQ_U64(rx_log.n, 0);
    sim_kernel_destroy(b.k);
}

/* Receivers that detach themselves, or the sender, from inside on_rx. */
typedef struct {
    rx_log_t log;
    sim_uart_port_t *victim;
} detacher_t;

static void detach_victim_on_rx(void *ctx, uint8_t byte, bool garbled) {
    detacher_t *d = ctx;
    log_rx(&d->log, byte, garbled);
    if (d->victim != NULL) {
        sim_uart_port_detach(d->victim);
        d->victim = NULL;
    }
}

static void test_detach_from_inside_callbacks(void) {
    bench_t b = open_line(9600);
    rx_log_t tx_log = {0}, self_log = {0}, tail_log = {0};
    sim_uart_port_t *tx = attach(&b, "fw", true, 0, &tx_log);
    detacher_t d = {.log = {.k = b.k}, .victim = tx};
    sim_uart_port_cfg_t cfg = {.name = "killer"};
    sim_uart_port_t *killer = NULL;
    const sim_uart_port_cb_t cb = {.on_rx = detach_victim_on_rx};
    CU_ASSERT_FATAL(sim_uart_port_attach(b.line, &cfg, &cb, &d, &killer) == 0);
    attach(&b, "self", false, 0, &self_log);
    self_log.detach_on_rx = true;
    attach(&b, "tail", false, 0, &tail_log);
    const uint8_t three[3] = {1, 2, 3};
    sim_uart_port_write(tx, three, 3);
    sim_kernel_run_until(b.k, SIM_TIME_NEVER);
    /* The first character reached everyone; then its sender and "self" were gone. */
    ASSERT_EQ_U64(d.log.n, 1);
    ASSERT_EQ_U64(self_log.n, 1);
    ASSERT_EQ_U64(tail_log.n, 1);
    ASSERT_EQ_U64(tx_log.idle_calls, 0);
    sim_uart_port_detach(killer);
    sim_uart_port_detach(tail_log.port);
    close_line(&b);
}

static void test_bad_arguments(void) {
    sim_kernel_t *k = NULL;
    CU_ASSERT_FATAL(sim_kernel_create(1, &k) == 0);
    sim_uart_line_t *line = NULL;
    sim_uart_line_cfg_t cfg = {.name = "l", .baud = 9600};
    ASSERT_EQ_I64(sim_uart_line_create(k, NULL, &line), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_uart_line_create(NULL, &cfg, &line), -SIM_EINVAL);
    CU_ASSERT_FATAL(sim_uart_line_create(k, &cfg, &line) == 0);
    sim_uart_port_t *p = NULL;
    sim_uart_port_cfg_t pcfg = {.name = "p"};
    ASSERT_EQ_I64(sim_uart_port_attach(line, NULL, NULL, NULL, &p), -SIM_EINVAL);
    ASSERT_EQ_I64(sim_uart_port_attach(line, &pcfg, NULL, NULL, NULL), -SIM_EINVAL);
    /* No callbacks at all is allowed: a port that only transmits. */
    CU_ASSERT_FATAL(sim_uart_port_attach(line, &pcfg, NULL, NULL, &p) == 0);
    ASSERT_EQ_U64(sim_uart_port_tx_pending(p), 0);
    sim_uart_port_detach(p);
    sim_uart_line_destroy(line);
    sim_kernel_destroy(k);
}

void test_register(void) {
    TEST_SUITE(
        "uart", TEST(test_char_time), TEST(test_nine_bytes_arrive_one_by_one),
        TEST(test_auto_de_asserts_and_releases), TEST(test_bytes_with_de_low_are_lost),
        TEST(test_de_dropped_mid_character_garbles_it), TEST(test_two_drivers_garble_the_line),
        TEST(test_collision_garbage_is_deterministic), TEST(test_capacity),
        TEST(test_late_attach_misses_character_in_flight), TEST(test_detach_with_bytes_queued),
        TEST(test_destroy_line_with_character_in_flight), TEST(test_detach_from_inside_callbacks),
        TEST(test_bad_arguments));
}
