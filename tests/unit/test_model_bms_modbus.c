/*
 * BMS Modbus RTU slave on a real RS-485 line: the spec request and its reply, exceptions,
 * silence on bad frames, response timing, and the fault modes.
 */
#include <stdlib.h>

#include "battery.h"
#include "bms_modbus.h"
#include "sim_kernel.h"
#include "sim_uart.h"
#include "test_support.h"

typedef struct {
    sim_kernel_t *k;
    sim_uart_line_t *line;
    sim_uart_port_t *master;
    battery_t *batt;
    bms_modbus_t *bms;
    bool master_tx; /* the master's own bytes are on the line */
    uint8_t rx[64];
    size_t rx_len;
    sim_time_ns_t first_rx_ns;
    bool resend; /* send SPEC_REQ again resend_after_ns after a 9-byte reply */
    sim_time_ns_t resend_after_ns;
} fixture_t;

static const uint8_t SPEC_REQ[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B};

static void resend_event(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    fixture_t *f = ctx;
    f->master_tx = true;
    ASSERT_EQ_I64(sim_uart_port_write(f->master, SPEC_REQ, sizeof SPEC_REQ), 0);
}

static void master_rx(void *ctx, uint8_t byte, bool garbled) {
    fixture_t *f = ctx;
    if (f->master_tx || garbled || f->rx_len >= sizeof f->rx) {
        return;
    }
    if (f->rx_len == 0) {
        f->first_rx_ns = sim_kernel_now(f->k);
    }
    f->rx[f->rx_len++] = byte;
    if (f->resend && f->rx_len == 9) {
        f->resend = false;
        (void)sim_kernel_schedule_in(f->k, f->resend_after_ns, SIM_PRIO_DEFAULT, resend_event, f,
                                     0);
    }
}

static void master_idle(void *ctx) {
    ((fixture_t *)ctx)->master_tx = false;
}

static void setup(fixture_t *f, bms_fault_t fault) {
    memset(f, 0, sizeof *f);
    ASSERT_EQ_I64(sim_kernel_create(1, &f->k), 0);
    sim_uart_line_cfg_t lc = {.name = "rs485", .baud = 9600};
    ASSERT_EQ_I64(sim_uart_line_create(f->k, &lc, &f->line), 0);
    sim_uart_port_cfg_t pc = {.name = "master", .auto_de = true};
    sim_uart_port_cb_t cb = {.on_rx = master_rx, .on_tx_idle = master_idle};
    ASSERT_EQ_I64(sim_uart_port_attach(f->line, &pc, &cb, f, &f->master), 0);
    battery_cfg_t bc;
    battery_cfg_default(&bc);
    bc.soc_initial = 0.62;
    ASSERT_EQ_I64(battery_create(&bc, &f->batt), 0);
    (void)battery_step(f->batt, -12.34, 1.0); /* a discharge current to report */
    bms_modbus_cfg_t mc;
    bms_modbus_cfg_default(&mc);
    ASSERT_EQ_I64(bms_modbus_create(f->k, &mc, f->batt, f->line, &f->bms), 0);
    bms_modbus_set_fault(f->bms, fault);
}

static void teardown(fixture_t *f) {
    bms_modbus_destroy(f->bms);
    sim_uart_port_detach(f->master);
    sim_uart_line_destroy(f->line);
    battery_destroy(f->batt);
    sim_kernel_destroy(f->k);
}

/* Sends a request at the current time and runs the line for `run_ms`. */
static void exchange(fixture_t *f, const uint8_t *req, size_t len, int64_t run_ms) {
    f->rx_len = 0;
    f->master_tx = true;
    ASSERT_EQ_I64(sim_uart_port_write(f->master, req, len), 0);
    ASSERT_EQ_I64(sim_kernel_run_until(f->k, sim_kernel_now(f->k) + run_ms * SIM_NS_PER_MS), 0);
}

static bool crc_ok(const uint8_t *p, size_t n) {
    return n >= 3 && bms_modbus_crc16(p, n - 2) == (uint16_t)(p[n - 2] | p[n - 1] << 8);
}

static void crc_matches_reference_vectors(void) {
    ASSERT_EQ_U64(bms_modbus_crc16((const uint8_t *)"123456789", 9), 0x4B37);
    ASSERT_EQ_U64(bms_modbus_crc16(SPEC_REQ, 6), 0x0BC4);
    const uint8_t r10[6] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x0A};
    ASSERT_EQ_U64(bms_modbus_crc16(r10, 6), 0xCDC5);
}

static void spec_request_gets_pack_values(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_NONE);
    exchange(&f, SPEC_REQ, sizeof SPEC_REQ, 200);
    ASSERT_EQ_U64(f.rx_len, 9);
    ASSERT_EQ_U64(f.rx[0], 0x01);
    ASSERT_EQ_U64(f.rx[1], 0x03);
    ASSERT_EQ_U64(f.rx[2], 0x04);
    CU_ASSERT_TRUE(crc_ok(f.rx, 9));
    uint16_t v_raw = (uint16_t)(f.rx[3] << 8 | f.rx[4]);
    int16_t i_raw = (int16_t)(uint16_t)(f.rx[5] << 8 | f.rx[6]);
    ASSERT_NEAR(v_raw * 0.1, battery_voltage_v(f.batt), 0.05);
    ASSERT_EQ_I64(i_raw, -1234);
    CU_ASSERT_TRUE(v_raw > 500 && v_raw < 560); /* a 16S LFP pack at 62 % */
    /* Request 8 chars (8.33 ms), t3.5 (3.65 ms), 3 ms delay, one reply char (1.04 ms). */
    sim_time_ns_t expect = 8333333 + 3645833 + 3 * SIM_NS_PER_MS + 1041667;
    ASSERT_NEAR(f.first_rx_ns, expect, 10 * SIM_NS_PER_US); /* the line rounds char times */
    bms_modbus_stats_t st;
    bms_modbus_stats(f.bms, &st);
    ASSERT_EQ_U64(st.requests, 1);
    ASSERT_EQ_U64(st.replies, 1);
    teardown(&f);
}

static void alarm_register_and_bad_range(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_NONE);
    const uint8_t all[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x09, 0x85, 0xCC};
    exchange(&f, all, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 5 + 18);
    CU_ASSERT_TRUE(crc_ok(f.rx, f.rx_len));
    ASSERT_EQ_U64(f.rx[7] << 8 | f.rx[8], 0);    /* no alarm */
    ASSERT_EQ_U64(f.rx[9] << 8 | f.rx[10], 620); /* SOC x0.1 % (after 1 s at 12 A) */
    ASSERT_EQ_U64(f.rx[15] << 8 | f.rx[16], 3);  /* charge and discharge allowed */
    /* Registers 8..12 run past the map: exception 02 (protocols.md vector 01 83 02 C0 F1). */
    uint8_t bad[8] = {0x01, 0x03, 0x00, 0x08, 0x00, 0x05, 0, 0};
    uint16_t c = bms_modbus_crc16(bad, 6);
    bad[6] = (uint8_t)(c & 0xFF);
    bad[7] = (uint8_t)(c >> 8);
    exchange(&f, bad, 8, 200);
    const uint8_t exc[5] = {0x01, 0x83, 0x02, 0xC0, 0xF1};
    ASSERT_EQ_U64(f.rx_len, 5);
    CU_ASSERT_EQUAL(memcmp(f.rx, exc, 5), 0);
    teardown(&f);
}

static void bad_function_gets_exception_01(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_NONE);
    uint8_t req[8] = {0x01, 0x04, 0x00, 0x00, 0x00, 0x02, 0, 0};
    uint16_t c = bms_modbus_crc16(req, 6);
    req[6] = (uint8_t)(c & 0xFF);
    req[7] = (uint8_t)(c >> 8);
    exchange(&f, req, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 5);
    ASSERT_EQ_U64(f.rx[1], 0x84);
    ASSERT_EQ_U64(f.rx[2], 0x01);
    CU_ASSERT_TRUE(crc_ok(f.rx, 5));
    teardown(&f);
}

static void silent_on_crc_error_and_other_address(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_NONE);
    uint8_t req[8];
    memcpy(req, SPEC_REQ, 8);
    req[7] ^= 0x01;
    exchange(&f, req, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 0);
    uint8_t other[8] = {0x02, 0x03, 0x00, 0x00, 0x00, 0x02, 0, 0};
    uint16_t c = bms_modbus_crc16(other, 6);
    other[6] = (uint8_t)(c & 0xFF);
    other[7] = (uint8_t)(c >> 8);
    exchange(&f, other, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 0);
    bms_modbus_stats_t st;
    bms_modbus_stats(f.bms, &st);
    ASSERT_EQ_U64(st.crc_errors, 1);
    ASSERT_EQ_U64(st.other_address, 1);
    ASSERT_EQ_U64(st.replies + st.exceptions, 0);
    /* Still answering afterwards. */
    exchange(&f, SPEC_REQ, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 9);
    teardown(&f);
}

static void fault_modes_shape_the_reply(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_SILENT);
    exchange(&f, SPEC_REQ, 8, 300);
    ASSERT_EQ_U64(f.rx_len, 0);

    bms_modbus_set_fault(f.bms, BMS_FAULT_CORRUPT_CRC);
    exchange(&f, SPEC_REQ, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 9);
    CU_ASSERT_FALSE(crc_ok(f.rx, 9));

    bms_modbus_set_fault(f.bms, BMS_FAULT_WRONG_ADDRESS);
    exchange(&f, SPEC_REQ, 8, 200);
    ASSERT_EQ_U64(f.rx_len, 9);
    ASSERT_EQ_U64(f.rx[0], 0x02);
    CU_ASSERT_TRUE(crc_ok(f.rx, 9));

    bms_modbus_set_fault(f.bms, BMS_FAULT_LATE_REPLY);
    sim_time_ns_t t0 = sim_kernel_now(f.k);
    exchange(&f, SPEC_REQ, 8, 300);
    ASSERT_EQ_U64(f.rx_len, 9);
    CU_ASSERT_TRUE(f.first_rx_ns - t0 > 100 * SIM_NS_PER_MS); /* after the master's timeout */

    bms_modbus_set_fault(f.bms, BMS_FAULT_ALARM);
    uint16_t alarm = 0;
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 2, &alarm), 0);
    ASSERT_EQ_U64(alarm, 0x0100);
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 9, &alarm), -SIM_ERANGE);
    teardown(&f);
}

/* The register values follow the battery: a BMS charge cut shows in the alarm and status words. */
static void registers_follow_protection(void) {
    fixture_t f;
    setup(&f, BMS_FAULT_NONE);
    ASSERT_EQ_I64(battery_set_soc(f.batt, 0.97), 0);
    while (battery_charge_enabled(f.batt)) {
        (void)battery_step(f.batt, 90.0, 1.0);
    }
    uint16_t v = 0;
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 2, &v), 0);
    CU_ASSERT_TRUE(v & BATTERY_ALARM_CELL_OV);
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 6, &v), 0);
    ASSERT_EQ_U64(v, 2); /* discharge only */
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 7, &v), 0);
    ASSERT_EQ_U64(v, 0);
    ASSERT_EQ_I64(bms_modbus_read_register(f.bms, 4, &v), 0);
    CU_ASSERT_TRUE(v >= 3600);
    teardown(&f);
}

/* After its reply the slave hears a new frame only once the line was silent for t3.5 (3.65 ms
 * at 9600 8N1): a request that starts sooner is dropped, and counted. */
static void deaf_for_t35_after_its_reply(void) {
    static const struct {
        sim_time_ns_t after_ns;
        uint64_t replies, early_bytes;
    } cases[] = {
        {0, 1, 8},                    /* right after the reply: all 8 bytes dropped */
        {3 * SIM_NS_PER_MS, 1, 8},    /* 3 ms: still too soon */
        {3646 * SIM_NS_PER_US, 2, 0}, /* t3.5 of silence: heard */
        {10 * SIM_NS_PER_MS, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_t f;
        setup(&f, BMS_FAULT_NONE);
        f.resend = true;
        f.resend_after_ns = cases[i].after_ns;
        exchange(&f, SPEC_REQ, sizeof SPEC_REQ, 200);
        bms_modbus_stats_t st;
        bms_modbus_stats(f.bms, &st);
        ASSERT_EQ_U64(st.replies, cases[i].replies);
        ASSERT_EQ_U64(st.early_bytes, cases[i].early_bytes);
        teardown(&f);
    }
}

void test_register(void) {
    TEST_SUITE("model_bms_modbus", TEST(crc_matches_reference_vectors),
               TEST(spec_request_gets_pack_values), TEST(alarm_register_and_bad_range),
               TEST(bad_function_gets_exception_01), TEST(silent_on_crc_error_and_other_address),
               TEST(fault_modes_shape_the_reply), TEST(registers_follow_protection),
               TEST(deaf_for_t35_after_its_reply));
}
