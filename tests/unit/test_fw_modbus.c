/*
 * test_fw_modbus.c: the BMS Modbus RTU master (spec §6): CRC with the spec's test vector, frame
 * checks, the non-blocking state machine with its 100 ms timeout and 1 + 3 attempts, validity and
 * staleness, and the events it posts.
 */
#include "bms.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "telemetry.h"
#include "test_support.h"

#define NODE 99u

static void make_reply(uint8_t *r, uint8_t addr, uint8_t fc, uint8_t count, uint16_t v, int16_t i) {
    r[0] = addr;
    r[1] = fc;
    r[2] = count;
    r[3] = (uint8_t)(v >> 8);
    r[4] = (uint8_t)v;
    r[5] = (uint8_t)((uint16_t)i >> 8);
    r[6] = (uint8_t)(uint16_t)i;
    uint16_t c = fake_hal_crc16(r, 7);
    r[7] = (uint8_t)(c & 0xFF);
    r[8] = (uint8_t)(c >> 8);
}

static void test_crc_vectors(void) {
    static const uint8_t req[6] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02};
    ASSERT_EQ_U64(fw_modbus_crc16(req, 6), 0x0BC4); /* sent as C4 0B */
    ASSERT_EQ_U64(fw_modbus_crc16((const uint8_t *)"123456789", 9), 0x4B37);
    uint8_t out[8];
    fw_modbus_build_request(out);
    static const uint8_t want[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B};
    CU_ASSERT_EQUAL(memcmp(out, want, 8), 0);
}

/* Every CRC-16/MODBUS frame of the shared protocol notes (protocols.md §1 and TinyBMS in §7),
 * byte for byte: the CRC over all bytes but the last two equals those two, low byte first. */
static const struct {
    uint8_t len;
    uint8_t b[11];
} modbus_vectors[] = {
    {8, {0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}},                    /* 10 registers */
    {8, {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87}},                    /* slave 17 */
    {9, {0x01, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02, 0x2A, 0x32}},              /* regs 1, 2 */
    {5, {0x01, 0x83, 0x02, 0xC0, 0xF1}},                                      /* exception 02 */
    {8, {0x01, 0x03, 0x00, 0x00, 0x00, 0x03, 0x05, 0xCB}},                    /* mbpoll request */
    {11, {0x01, 0x03, 0x06, 0x03, 0xE8, 0x03, 0xE9, 0x03, 0xEA, 0x11, 0x9E}}, /* its reply */
    {7, {0xAA, 0x09, 0x02, 0x24, 0x00, 0x85, 0x44}},                          /* TinyBMS reg 36 */
    {8, {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B}},                    /* our request */
};

static void test_protocol_vectors(void) {
    for (unsigned k = 0; k < sizeof modbus_vectors / sizeof modbus_vectors[0]; k++) {
        const uint8_t *b = modbus_vectors[k].b;
        uint8_t n = modbus_vectors[k].len;
        ASSERT_EQ_U64(fw_modbus_crc16(b, (size_t)n - 2u), (uint16_t)(b[n - 2] | (b[n - 1] << 8)));
    }
    /* The 2-register reply is a good BMS frame: 0.1 V and +0.02 A. */
    uint16_t v = 7;
    int16_t i = 7;
    ASSERT_EQ_I64(fw_modbus_parse(modbus_vectors[2].b, 9, &v, &i), FW_MB_OK);
    ASSERT_EQ_U64(v, 1);
    ASSERT_EQ_I64(i, 2);
    /* The 3-register reply has a valid CRC but is not the frame we asked for. */
    ASSERT_EQ_I64(fw_modbus_parse(modbus_vectors[5].b, 11, &v, &i), FW_MB_FAIL_HEADER);
    ASSERT_EQ_I64(fw_modbus_parse(modbus_vectors[3].b, 5, &v, &i), FW_MB_FAIL_EXCEPTION);
    ASSERT_EQ_U64(v, 1);
}

static void test_parse_good_and_signed_current(void) {
    uint8_t r[9];
    uint16_t v = 0;
    int16_t i = 0;
    make_reply(r, 1, 3, 4, 523, -100);
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_OK);
    ASSERT_EQ_U64(v, 523);  /* 52.3 V */
    ASSERT_EQ_I64(i, -100); /* -1.00 A: discharging, signed, not offset-coded */
    make_reply(r, 1, 3, 4, 600, 32767);
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_OK);
    ASSERT_EQ_I64(i, 32767);
}

static void test_parse_rejects(void) {
    uint8_t r[9];
    uint16_t v = 7;
    int16_t i = 7;
    make_reply(r, 1, 3, 4, 523, 10);
    uint8_t t = r[7]; /* CRC high byte first: wrong order */
    r[7] = r[8];
    r[8] = t;
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_FAIL_CRC);
    make_reply(r, 1, 3, 4, 523, 10);
    r[4] ^= 0x01;
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_FAIL_CRC);
    make_reply(r, 2, 3, 4, 523, 10); /* wrong slave, valid CRC */
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_FAIL_HEADER);
    make_reply(r, 1, 4, 4, 523, 10); /* wrong function */
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_FAIL_HEADER);
    make_reply(r, 1, 3, 6, 523, 10); /* wrong byte count */
    ASSERT_EQ_I64(fw_modbus_parse(r, 9, &v, &i), FW_MB_FAIL_HEADER);
    make_reply(r, 1, 3, 4, 523, 10);
    ASSERT_EQ_I64(fw_modbus_parse(r, 8, &v, &i), FW_MB_FAIL_HEADER); /* short */
    static const uint8_t exc[5] = {0x01, 0x83, 0x02, 0xC0, 0xF1};
    ASSERT_EQ_I64(fw_modbus_parse(exc, 5, &v, &i), FW_MB_FAIL_EXCEPTION);
    ASSERT_EQ_U64(v, 7); /* nothing decoded from a rejected frame */
    ASSERT_EQ_I64(i, 7);
}

static void boot(fake_bms_mode_t mode) {
    fake_hal_reset();
    fake_hal_bms(mode, 544, 250);
    fw_init();
}

static void test_one_poll_per_tick(void) {
    boot(FAKE_BMS_OK);
    ASSERT_EQ_U64(fake_hal_uart_baud(), 9600);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 1); /* the first tick polls at once */
    fake_hal_run_until_ms(1999);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 1); /* no re-send after a success */
    fake_hal_run_until_ms(2000);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 2);
    fake_hal_run_until_ms(20000);
    ASSERT_EQ_U64(fake_hal_bms_requests(), 11);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    ASSERT_EQ_U64(fw_state.bms.pack_dv, 544);
    ASSERT_EQ_I64(fw_state.bms.batt_ca, 250);
}

static void test_timeout_and_three_retries(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(1999);
    fake_hal_bms_fail_next(3, FAKE_BMS_SILENT);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(2000);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_until_ms(2099);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_until_ms(2100);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 2); /* 100 ms timeout -> retry 1 */
    fake_hal_run_until_ms(2300);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 4); /* retries 2 and 3 */
    fake_hal_run_until_ms(3999);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 4); /* never a 5th attempt */
    fake_hal_run_until_ms(4000);
    CU_ASSERT_TRUE(fw_state.bms.valid); /* the 3rd retry succeeded */
    ASSERT_EQ_U64(fw_state.bms.failed_cycles, 0);
    ASSERT_EQ_U64(fw_state.bms.timeouts, 3);
}

static void test_whole_cycle_failure_events(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(1999);
    fake_hal_bms_fail_next(4, FAKE_BMS_SILENT);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(3000);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 4); /* 1 + 3 attempts, then give up */
    const hal_can_frame_t *ev = fake_hal_can_last(0x400 + NODE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    ASSERT_EQ_U64(ev->data[0], 1); /* BMS timeout */
    ASSERT_EQ_U64(ev->data[1], 1); /* warning */
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(4, FAKE_BMS_BAD_CRC);
    fake_hal_run_until_ms(5000);
    ev = fake_hal_can_last(0x400 + NODE);
    ASSERT_EQ_U64(ev->data[0], 2); /* CRC or frame error */
    ASSERT_EQ_U64(fw_state.bms.crc_errors, 4);
    CU_ASSERT_TRUE(fw_state.bms.valid); /* two failed cycles: not stale yet */
}

static void test_exception_ends_attempt_early(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(1, FAKE_BMS_EXCEPTION);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(4000);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_until_ms(4019);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_until_ms(4020); /* the 5-byte exception arrives at +20 ms: the attempt ends */
    ASSERT_EQ_U64(fw_state.bms.exceptions, 1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_us(FW_MB_T35_US - 1); /* the retry waits for t3.5 of silence */
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_us(1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 2);
    ASSERT_EQ_U64(fw_state.bms.exceptions, 1);
    fake_hal_run_until_ms(6000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
}

static void test_header_checked_not_only_crc(void) {
    boot(FAKE_BMS_BAD_ADDR);
    fake_hal_run_until_ms(8000);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    CU_ASSERT_TRUE(fw_state.bms.header_errors >= 4u);
    ASSERT_EQ_U64(fw_state.bms.good_frames, 0);
    boot(FAKE_BMS_BAD_COUNT);
    fake_hal_run_until_ms(2000);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    boot(FAKE_BMS_CRC_HI_FIRST);
    fake_hal_run_until_ms(2000);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    ASSERT_EQ_U64(fw_state.bms.crc_errors, 4);
}

static void test_stale_after_three_failed_cycles(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(1999);
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0); /* cycles from t=2000 on fail */
    fake_hal_run_until_ms(2000);
    CU_ASSERT_TRUE(fw_state.bms.valid); /* the cycle of t=0 was good */
    fake_hal_run_until_ms(4000);
    CU_ASSERT_TRUE(fw_state.bms.valid); /* 1 failed cycle: last good values still valid */
    fake_hal_run_until_ms(6000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    const hal_can_frame_t *p0 = fake_hal_can_last_tel(NODE, 0);
    ASSERT_EQ_U64(p0->data[1], 50);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    fake_hal_run_until_ms(8000); /* 3 failed cycles: stale */
    CU_ASSERT_FALSE(fw_state.bms.valid);
    CU_ASSERT_TRUE(fw_state.bms.stale);
    p0 = fake_hal_can_last_tel(NODE, 0);
    ASSERT_EQ_U64(p0->data[1], FW_SOC_INVALID);
    CU_ASSERT_TRUE(p0->data[6] & FW_TEL_ST_BMS_INVALID);
    ASSERT_EQ_U64((p0->data[2] << 8) | p0->data[3], 544); /* last good V kept */
    ASSERT_EQ_U64((p0->data[4] << 8) | p0->data[5], 250);
    fake_hal_run_until_ms(8100);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_LED_RED));
    fake_hal_run_until_ms(12000);
    size_t stale_events = 0;
    for (size_t k = 0; k < fake_hal_can_tx_count(); k++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(k)->f;
        stale_events += (f->id == 0x400 + NODE && f->data[0] == 3 && f->data[1] == 2) ? 1u : 0u;
    }
    ASSERT_EQ_U64(stale_events, 1); /* once per transition */
    /* recovery */
    fake_hal_run_until_ms(13999);
    fake_hal_bms(FAKE_BMS_OK, 560, -50);
    fake_hal_run_until_ms(16000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    CU_ASSERT_FALSE(fw_state.bms.stale);
    fake_hal_run_until_ms(16100);
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
}

static void test_not_valid_before_first_frame(void) {
    boot(FAKE_BMS_SILENT);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    fake_hal_run_until_ms(4100);
    CU_ASSERT_FALSE(fw_state.bms.valid);
    CU_ASSERT_FALSE(fw_state.bms.stale); /* fault only once 3 cycles have passed */
    CU_ASSERT_FALSE(fake_hal_gpio(HAL_SIG_LED_RED));
    CU_ASSERT_TRUE(fake_hal_can_last_tel(NODE, 0)->data[6] & FW_TEL_ST_BMS_INVALID);
    fake_hal_run_until_ms(6100);
    CU_ASSERT_TRUE(fw_state.bms.stale);
    CU_ASSERT_TRUE(fake_hal_gpio(HAL_SIG_LED_RED));
}

static void test_bytes_outside_attempt_discarded(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(500); /* the first cycle finished long ago */
    uint8_t r[9];
    make_reply(r, 1, 3, 4, 400, 0);
    fake_hal_uart_rx(r, 9); /* unsolicited: must not be taken */
    fake_hal_run_until_ms(2000);
    ASSERT_EQ_U64(fw_state.bms.pack_dv, 544);
    /* A late reply after a timeout, followed by the good reply of the retry in one chunk. */
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(1, FAKE_BMS_SILENT);
    fake_hal_run_until_ms(4050);
    fake_hal_uart_rx(r, 5); /* partial garbage inside the attempt */
    fake_hal_run_until_ms(8000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    ASSERT_EQ_U64(fw_state.bms.pack_dv, 544);
}

/* Spec §6: the receive buffer is emptied before every request, retries included. The start of a
 * frame heard during the first attempt must not be glued to the retry's reply (which would fail
 * its CRC and cost a second retry). */
static void test_retry_starts_with_an_empty_buffer(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(1, FAKE_BMS_SILENT);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(4050);
    uint8_t r[9];
    make_reply(r, 1, 3, 4, 400, 0);
    fake_hal_uart_rx(r, 5); /* 5 bytes, not an exception: the attempt goes on to its timeout */
    fake_hal_run_until_ms(5999);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 2); /* the attempt and one retry */
    ASSERT_EQ_U64(fw_state.bms.timeouts, 1);
    ASSERT_EQ_U64(fw_state.bms.crc_errors, 0);
    ASSERT_EQ_U64(fw_state.bms.header_errors, 0);
    ASSERT_EQ_U64(fw_state.bms.good_frames, 3);
    fake_hal_run_until_ms(6000);
    CU_ASSERT_TRUE(fw_state.bms.valid);
    ASSERT_EQ_U64(fw_state.bms.pack_dv, 544);
}

/* Bytes heard while a retry waits for silence restart the wait: the slave is still talking. */
static void test_retry_waits_for_a_silent_line(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(1, FAKE_BMS_BAD_CRC);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(4020); /* the bad reply arrives at +20 ms and ends the attempt */
    ASSERT_EQ_U64(fw_state.bms.crc_errors, 1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    CU_ASSERT_TRUE(fw_state.bms.gap_pending);
    static const uint8_t noise[2] = {0x55, 0xAA};
    fake_hal_uart_rx(noise, sizeof noise); /* arrives at once: the wait starts again */
    fake_hal_run_us(FW_MB_T35_US - 1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 1);
    fake_hal_run_us(1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 2);
    fake_hal_run_until_ms(5999);
    ASSERT_EQ_U64(fw_state.bms.good_frames, 3); /* the retry was answered */
    ASSERT_EQ_U64(fw_state.bms.header_errors, 0);
}

/* A timeout on a line that stayed quiet is retried at once: there is no reply to wait out. */
static void test_timeout_on_a_quiet_line_retries_at_once(void) {
    boot(FAKE_BMS_OK);
    fake_hal_run_until_ms(3999);
    fake_hal_bms_fail_next(1, FAKE_BMS_SILENT);
    uint32_t base = fake_hal_bms_requests();
    fake_hal_run_until_ms(4000 + FW_MB_TIMEOUT_MS);
    ASSERT_EQ_U64(fw_state.bms.timeouts, 1);
    ASSERT_EQ_U64(fake_hal_bms_requests() - base, 2);
}

static void test_request_bytes_on_the_wire(void) {
    boot(FAKE_BMS_OK);
    ASSERT_EQ_U64(fake_hal_uart_tx_len(), 8);
    static const uint8_t want[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B};
    CU_ASSERT_EQUAL(memcmp(fake_hal_uart_tx(), want, 8), 0);
}

void test_register(void) {
    TEST_SUITE(
        "fw_modbus", TEST(test_crc_vectors), TEST(test_protocol_vectors),
        TEST(test_parse_good_and_signed_current), TEST(test_parse_rejects),
        TEST(test_one_poll_per_tick), TEST(test_timeout_and_three_retries),
        TEST(test_whole_cycle_failure_events), TEST(test_exception_ends_attempt_early),
        TEST(test_header_checked_not_only_crc), TEST(test_stale_after_three_failed_cycles),
        TEST(test_not_valid_before_first_frame), TEST(test_bytes_outside_attempt_discarded),
        TEST(test_retry_starts_with_an_empty_buffer), TEST(test_retry_waits_for_a_silent_line),
        TEST(test_timeout_on_a_quiet_line_retries_at_once), TEST(test_request_bytes_on_the_wire));
}
