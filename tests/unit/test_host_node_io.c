/*
 * test_host_node_io.c: the node host's device-facing operations, driven through testnode's
 * 0x125 commands: bit-banged GPIO with hal_delay_us edge times and an open-drain read, ADC
 * bursts through the binding, WS2812, NVS write counting, one-shot timers and hal_now_ms, the
 * CAN bit-rate check, outputs at power-off, and the RS-485 UART.
 */
#include "sim_uart.h"
#include "test_host_bench.h"

#define US(x) ((sim_time_ns_t)(x)*SIM_NS_PER_US)

typedef struct {
    hal_signal_t sig;
    bool level;
    sim_time_ns_t t_ns;
} edge_t;

typedef struct {
    edge_t edges[256];
    unsigned n_edges;
    bool pull_dio_low;
    /* ADC */
    unsigned adc_calls;
    sim_time_ns_t adc_start_ns;
    uint16_t adc_first; /* 0: the regular pattern */
    /* WS2812 */
    uint8_t grb[192];
    size_t grb_len;
    unsigned ws_calls;
} devices_t;

static void dev_edge(void *ctx, sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t) {
    (void)n;
    devices_t *d = ctx;
    if (d->n_edges < 256) {
        d->edges[d->n_edges++] = (edge_t){sig, level, t};
    }
}

static bool dev_input(void *ctx, sim_node_t *n, hal_signal_t sig, sim_time_ns_t t) {
    (void)n, (void)t;
    const devices_t *d = ctx;
    return !(sig == HAL_SIG_TM1637_DIO && d->pull_dio_low);
}

/* Sample i of channel c reads 100 + 1000 c + i. */
static void dev_adc(void *ctx, sim_node_t *n, const hal_adc_burst_cfg_t *cfg, sim_time_ns_t t0,
                    uint16_t *samples) {
    (void)n;
    devices_t *d = ctx;
    d->adc_calls++;
    d->adc_start_ns = t0;
    size_t k = 0;
    for (unsigned c = 0; c < HAL_ADC_CHANNELS; c++) {
        if (cfg->channel_mask & (1u << c)) {
            for (unsigned i = 0; i < cfg->samples_per_channel; i++) {
                samples[k++] = (uint16_t)(100u + 1000u * c + i);
            }
        }
    }
    if (d->adc_first != 0) {
        samples[0] = d->adc_first;
    }
}

static void dev_ws2812(void *ctx, sim_node_t *n, const uint8_t *grb, size_t len, sim_time_ns_t t) {
    (void)n, (void)t;
    devices_t *d = ctx;
    memcpy(d->grb, grb, len);
    d->grb_len = len;
    d->ws_calls++;
}

static sim_node_t *bound_node(bench_t *b, uint8_t k, devices_t *d) {
    sim_node_t *n = bench_node(b, k);
    memset(d, 0, sizeof *d);
    sim_node_bind(n, &(sim_node_binding_t){.ctx = d,
                                           .gpio_edge = dev_edge,
                                           .gpio_input = dev_input,
                                           .adc_burst = dev_adc,
                                           .ws2812 = dev_ws2812});
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(b, 50); /* between heartbeats */
    return n;
}

static void command(bench_t *b, uint8_t node, const uint8_t *args, uint8_t nargs) {
    uint8_t d[8] = {node};
    memcpy(&d[1], args, nargs);
    bench_send(b, 0x125, d, (uint8_t)(nargs + 1u));
}

/* ---- GPIO ----------------------------------------------------------------------------------- */

static void expect_edge(const edge_t *e, hal_signal_t sig, bool level, sim_time_ns_t t) {
    ASSERT_EQ_I64(e->sig, sig);
    ASSERT_EQ_I64(e->level, level);
    ASSERT_EQ_I64(e->t_ns, t);
}

static void bitbang_once(bench_t *b, devices_t *d, uint8_t node, uint8_t want_level) {
    d->n_edges = 0;
    command(b, node, (const uint8_t[]){1}, 1);
    bench_run_ms(b, 2);
    CU_ASSERT_EQUAL_FATAL(d->n_edges, 6);
    const bench_frame_t *cmd = bench_last(b, 0x125);
    sim_time_ns_t t0 = d->edges[0].t_ns;
    CU_ASSERT(t0 > cmd->t_start_ns && t0 <= cmd->t_end_ns);
    expect_edge(&d->edges[0], HAL_SIG_TM1637_CLK, true, t0);
    expect_edge(&d->edges[1], HAL_SIG_TM1637_DIO, true, t0);
    expect_edge(&d->edges[2], HAL_SIG_TM1637_DIO, false, t0 + US(5));
    expect_edge(&d->edges[3], HAL_SIG_TM1637_CLK, false, t0 + US(15));
    expect_edge(&d->edges[4], HAL_SIG_TM1637_DIO, true, t0 + US(15));
    expect_edge(&d->edges[5], HAL_SIG_TM1637_DIO, false, t0 + US(115)); /* 150 us capped */
    const bench_frame_t *r = bench_last(b, 0x680u + node);
    ASSERT_EQ_U64(r->f.data[0], 0x81);
    ASSERT_EQ_U64(r->f.data[1], want_level);
    /* Delays moved the edge cursor only: the reply was queued at the instant of the command,
     * and left when the bus was free again, after the command's last EOF bit and intermission
     * (4 bits at 500 kbit/s). */
    ASSERT_EQ_I64(r->t_start_ns, t0 + US(8));
}

static void test_delay_us_spaces_edges_without_moving_time(void) {
    bench_t b;
    bench_open(&b, 0);
    devices_t d;
    sim_node_t *n = bound_node(&b, 1, &d);
    bitbang_once(&b, &d, 1, 1);
    d.pull_dio_low = true; /* the chip acknowledges: the released line reads low */
    bitbang_once(&b, &d, 1, 0);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.delay_clamped, 2);
    ASSERT_EQ_U64(st.gpio_edges, 12);
    bench_close(&b);
}

static void test_power_off_drives_outputs_inactive(void) {
    bench_t b;
    bench_open(&b, 0);
    devices_t d;
    sim_node_t *n = bound_node(&b, 1, &d);
    bench_run_ms(&b, 100); /* t = 150 ms: one heartbeat, LED on */
    d.n_edges = 0;
    CU_ASSERT_TRUE(sim_node_gpio(n, HAL_SIG_LED_GREEN));
    sim_node_power_off(n);
    CU_ASSERT_EQUAL_FATAL(d.n_edges, 1);
    expect_edge(&d.edges[0], HAL_SIG_LED_GREEN, false, 150 * SIM_NS_PER_MS);
    bench_close(&b);
}

/* ---- ADC ------------------------------------------------------------------------------------ */

static void test_adc_burst_through_binding(void) {
    bench_t b;
    bench_open(&b, 0);
    devices_t d;
    bound_node(&b, 1, &d);
    /* 10 kHz, 100 samples, channels 1 and 3: 10 ms. */
    command(&b, 1, (const uint8_t[]){2, 10, 100, 0x05}, 4);
    bench_run_ms(&b, 1);
    const bench_frame_t *r = bench_last(&b, 0x681);
    ASSERT_EQ_U64(r->f.data[0], 0x82);
    ASSERT_EQ_U64(r->f.data[1], 0);
    /* The burst started where the reply was queued: when the command arrived, 4 bits (the last
     * EOF bit and the intermission) before the reply could start. */
    sim_time_ns_t t0 = r->t_start_ns - US(8);
    command(&b, 1, (const uint8_t[]){2, 10, 100, 0x05}, 4);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], (uint8_t)HAL_ERR_BUSY);
    ASSERT_EQ_U64(d.adc_calls, 0); /* filled at completion, not before */
    bench_run_ms(&b, 10);
    ASSERT_EQ_U64(d.adc_calls, 1);
    ASSERT_EQ_I64(d.adc_start_ns, t0);
    const bench_frame_t *done = bench_last(&b, 0x681);
    ASSERT_EQ_U64(done->f.data[0], 0xC2);
    ASSERT_EQ_U64(done->f.data[1], 100);
    ASSERT_EQ_U64(u16le(&done->f.data[2]), 100);  /* channel 1, sample 0 */
    ASSERT_EQ_U64(u16le(&done->f.data[4]), 2199); /* channel 3, sample 99 */
    ASSERT_EQ_I64(done->t_start_ns, t0 + 10 * SIM_NS_PER_MS);
    /* Model values beyond 12 bits are clamped. */
    d.adc_first = 60000;
    command(&b, 1, (const uint8_t[]){2, 1, 4, 0x01}, 4);
    bench_run_ms(&b, 10);
    ASSERT_EQ_U64(u16le(&bench_last(&b, 0x681)->f.data[2]), 4095);
    /* Out-of-range configurations. */
    command(&b, 1, (const uint8_t[]){2, 0, 4, 0x01}, 4);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], (uint8_t)HAL_ERR_INVALID);
    command(&b, 1, (const uint8_t[]){2, 1, 4, 0x10}, 4);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], (uint8_t)HAL_ERR_INVALID);
    bench_close(&b);
}

static void test_adc_without_device_is_unsupported(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_node_t *n = bench_node(&b, 1);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 50);
    command(&b, 1, (const uint8_t[]){2, 10, 100, 0x01}, 4);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], (uint8_t)HAL_ERR_UNSUPPORTED);
    command(&b, 1, (const uint8_t[]){4, 1, 2, 3, 4, 5, 6}, 7); /* WS2812 needs no device */
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], 0);
    bench_close(&b);
}

/* ---- WS2812, NVS, one-shot timer ------------------------------------------------------------ */

static void test_ws2812_bytes_reach_binding(void) {
    bench_t b;
    bench_open(&b, 0);
    devices_t d;
    sim_node_t *n = bound_node(&b, 1, &d);
    command(&b, 1, (const uint8_t[]){4, 10, 20, 30, 40, 50, 60}, 7);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], 0);
    ASSERT_EQ_U64(d.ws_calls, 1);
    ASSERT_EQ_U64(d.grb_len, 6);
    CU_ASSERT_EQUAL(memcmp(d.grb, (const uint8_t[]){10, 20, 30, 40, 50, 60}, 6), 0);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.ws2812_writes, 1);
    bench_close(&b);
}

static void test_identical_nvs_writes_are_counted(void) {
    bench_t b;
    bench_open(&b, 0);
    devices_t d;
    sim_node_t *n = bound_node(&b, 1, &d);
    command(&b, 1, (const uint8_t[]){6, 0x55, 5}, 3);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], 0);
    ASSERT_EQ_U64(sim_nvs_key_writes(sim_node_nvs(n), "test", "same"), 5);
    sim_nvs_stats_t ns;
    sim_nvs_stats(sim_node_nvs(n), &ns);
    ASSERT_EQ_U64(ns.writes, 6); /* + the boot counter */
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.nvs_writes, 6);
    bench_close(&b);
}

static void test_one_shot_timer_and_uptime(void) {
    bench_t b;
    bench_open(&b, 0);
    bench_run_ms(&b, 3);
    devices_t d;
    bound_node(&b, 1, &d); /* booted at 3 ms; now 53 ms */
    command(&b, 1, (const uint8_t[]){7, 20}, 2);
    bench_run_ms(&b, 1);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], 0);
    /* The command arrived 4 bits (8 us) before its reply could start. */
    sim_time_ns_t t_cmd = bench_last(&b, 0x681)->t_start_ns - US(8);
    bench_run_ms(&b, 300);
    ASSERT_EQ_U64(bench_count(&b, 0x681), 2); /* one shot only */
    const bench_frame_t *r = bench_last(&b, 0x681);
    ASSERT_EQ_U64(r->f.data[0], 0x87);
    ASSERT_EQ_I64(r->t_start_ns, t_cmd + 20 * SIM_NS_PER_MS);
    ASSERT_EQ_U64(u16le(&r->f.data[1]),
                  (uint64_t)(r->t_start_ns - 3 * SIM_NS_PER_MS) / (uint64_t)SIM_NS_PER_MS);
    bench_close(&b);
}

/* ---- CAN bit rate -----------------------------------------------------------------------------
 */

static void test_can_start_at_wrong_bitrate_is_refused(void) {
    bench_t b;
    bench_open(&b, 250000); /* testnode starts at 500 kbit/s */
    sim_node_t *n = bench_node(&b, 1);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 350);
    ASSERT_EQ_I64(sim_can_ctrl_state(sim_node_can(n)), SIM_CAN_STOPPED);
    ASSERT_EQ_U64(bench_count(&b, 0x701), 0);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.can_tx_refused, 3); /* heartbeats refused: controller not started */
    bench_close(&b);
}

/* ---- RS-485 UART ---------------------------------------------------------------------------- */

typedef struct {
    uint8_t bytes[16];
    sim_time_ns_t t_ns[16];
    unsigned n;
    sim_kernel_t *k;
} peer_t;

static void peer_rx(void *ctx, uint8_t byte, bool garbled) {
    peer_t *p = ctx;
    CU_ASSERT_FALSE(garbled);
    if (p->n < 16) {
        p->t_ns[p->n] = sim_kernel_now(p->k);
        p->bytes[p->n++] = byte;
    }
}

static void test_uart_on_rs485_line(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_uart_line_t *line = NULL;
    sim_uart_line_cfg_t lc = {.name = "rs485", .baud = 9600};
    CU_ASSERT_EQUAL_FATAL(sim_uart_line_create(b.k, &lc, &line), 0);
    peer_t peer = {.k = b.k};
    sim_uart_port_t *bms = NULL;
    sim_uart_port_cfg_t pc = {.name = "bms", .auto_de = true};
    sim_uart_port_cb_t cb = {.on_rx = peer_rx};
    CU_ASSERT_EQUAL_FATAL(sim_uart_port_attach(line, &pc, &cb, &peer, &bms), 0);
    sim_node_t *n = bench_node_cfg(&b, 1, b.bus, line, NULL);
    ASSERT_EQ_I64(sim_node_power_on(n), 0);
    bench_run_ms(&b, 50);
    /* Before the firmware opens its UART, bytes are lost. */
    CU_ASSERT_EQUAL(sim_uart_port_write(bms, (const uint8_t[]){0x01}, 1), 0);
    bench_run_ms(&b, 5);
    sim_node_stats_t st;
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.uart_rx_dropped, 1);
    command(&b, 1, (const uint8_t[]){3, 0x11, 0x22, 0x33}, 4);
    bench_run_ms(&b, 10);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], 0);
    CU_ASSERT_EQUAL_FATAL(peer.n, 3);
    CU_ASSERT_EQUAL(memcmp(peer.bytes, (const uint8_t[]){0x11, 0x22, 0x33}, 3), 0);
    ASSERT_EQ_I64(peer.t_ns[2] - peer.t_ns[1], sim_uart_line_char_ns(line));
    CU_ASSERT_EQUAL(sim_uart_port_write(bms, (const uint8_t[]){0xA5, 0x5A}, 2), 0);
    bench_run_ms(&b, 10);
    ASSERT_EQ_U64(bench_count(&b, 0x681), 3); /* command reply + one per received byte */
    const bench_frame_t *r = bench_last(&b, 0x681);
    ASSERT_EQ_U64(r->f.data[0], 0x90);
    ASSERT_EQ_U64(r->f.data[2], 0x5A);
    sim_node_stats(n, &st);
    ASSERT_EQ_U64(st.uart_rx, 2);
    sim_node_power_off(n);
    CU_ASSERT_PTR_NULL(sim_node_uart(n)); /* the transceiver left the line with the power */
    bench_close_nodes(&b);
    sim_uart_port_detach(bms);
    sim_uart_line_destroy(line);
    bench_close(&b);
}

static void test_uart_refuses_other_baud_and_missing_line(void) {
    bench_t b;
    bench_open(&b, 0);
    sim_uart_line_t *line = NULL;
    sim_uart_line_cfg_t lc = {.name = "rs485", .baud = 19200};
    CU_ASSERT_EQUAL_FATAL(sim_uart_line_create(b.k, &lc, &line), 0);
    sim_node_t *a = bench_node_cfg(&b, 1, b.bus, line, NULL);
    sim_node_t *c = bench_node(&b, 2); /* no line */
    ASSERT_EQ_I64(sim_node_power_on(a), 0);
    ASSERT_EQ_I64(sim_node_power_on(c), 0);
    bench_run_ms(&b, 50);
    command(&b, 0xFF, (const uint8_t[]){3, 0x11}, 2);
    bench_run_ms(&b, 5);
    ASSERT_EQ_U64(bench_last(&b, 0x681)->f.data[1], (uint8_t)HAL_ERR_INVALID);
    ASSERT_EQ_U64(bench_last(&b, 0x682)->f.data[1], (uint8_t)HAL_ERR_UNSUPPORTED);
    bench_close_nodes(&b);
    sim_uart_line_destroy(line);
    bench_close(&b);
}

void test_register(void) {
    TEST_SUITE("host_node_io", TEST(test_delay_us_spaces_edges_without_moving_time),
               TEST(test_power_off_drives_outputs_inactive), TEST(test_adc_burst_through_binding),
               TEST(test_adc_without_device_is_unsupported), TEST(test_ws2812_bytes_reach_binding),
               TEST(test_identical_nvs_writes_are_counted), TEST(test_one_shot_timer_and_uptime),
               TEST(test_can_start_at_wrong_bitrate_is_refused), TEST(test_uart_on_rs485_line),
               TEST(test_uart_refuses_other_baud_and_missing_line));
}
