/*
 * fuzz_fw_modbus.c: the firmware's Modbus RTU master (firmware/alfaspark/bms.h) on any reply
 * bytes, at any time.
 *
 * The core boots on the fake HAL with its automatic BMS switched off: this target is the BMS.
 * The first tick has sent a read request, so an exchange is pending from the start. The input is
 * a script of steps (fuzz_stream_t), each one of:
 *   0  raw bytes on the UART, 0..23 of them, taken from the input
 *   1  the fake clock runs 1..1024 ms (response timeouts, retries, control ticks, new cycles)
 *   2  a correct 9-byte reply with voltage and current from the input, then one byte of it
 *      XORed with a mask from the input (mask 0 keeps it good), sent in two chunks
 *   3  a 5-byte exception reply built the same way
 * Steps 2 and 3 let short inputs reach the accepting paths a random byte rarely hits.
 *
 * Invariants, beyond those of fuzz_fw_common.h:
 *   - fw_modbus_parse() agrees with a reference classifier written from spec §6 on every chunk;
 *   - the master follows the header's state machine byte for byte: while an attempt is pending,
 *     bytes accumulate until 9 (or 5 of an exception reply); that frame then counts exactly one
 *     good frame, CRC error, header error or exception, a good one hands over its values, a bad
 *     one leads to a retry (one more request on the wire once the line has been silent for
 *     FW_MB_T35_US) or ends the cycle after the third; bytes outside an attempt change nothing;
 *   - the UART carries nothing but whole read requests `01 03 00 00 00 02 C4 0B`.
 */
#include <string.h>

#include "bms.h"
#include "fuzz_fw_common.h"
#include "fuzz_target.h"
#include "fw_state.h"

#define MAX_STEPS 256u

static const uint8_t request[FW_MB_REQ_LEN] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B};

/* Spec §6, independently of modbus.c (the CRC is the fake HAL's reference routine). */
static fw_mb_result_t ref_parse(const uint8_t *b, size_t n) {
    if (n == 5u && b[1] == 0x83u) {
        return FW_MB_FAIL_EXCEPTION;
    }
    if (n != 9u || b[0] != 0x01u || b[1] != 0x03u || b[2] != 0x04u) {
        return FW_MB_FAIL_HEADER;
    }
    return (b[7] | b[8] << 8) == fake_hal_crc16(b, 7) ? FW_MB_OK : FW_MB_FAIL_CRC;
}

static void check_parse(const uint8_t *b, size_t n) {
    uint16_t dv = 0xBEEF;
    int16_t ca = 0x1234;
    fw_mb_result_t r = fw_modbus_parse(b, n, &dv, &ca);
    FUZZ_CHECK(r == ref_parse(b, n), "fw_modbus_parse of %zu bytes: %d, reference %d", n, (int)r,
               (int)ref_parse(b, n));
    if (r == FW_MB_OK) {
        FUZZ_CHECK(dv == (uint16_t)(b[3] << 8 | b[4]) && ca == (int16_t)(b[5] << 8 | b[6]),
                   "decoded %u / %d", (unsigned)dv, (int)ca);
    } else {
        FUZZ_CHECK(dv == 0xBEEF && ca == 0x1234, "a failed parse wrote its outputs");
    }
}

static void check_requests(void) {
    size_t n = fake_hal_uart_tx_len();
    const uint8_t *tx = fake_hal_uart_tx();
    FUZZ_CHECK(n % FW_MB_REQ_LEN == 0u, "%zu bytes sent on the UART", n);
    for (size_t i = 0; i < n; i += FW_MB_REQ_LEN) {
        FUZZ_CHECK(memcmp(tx + i, request, FW_MB_REQ_LEN) == 0, "not a read request at byte %zu",
                   i);
    }
}

static uint32_t failures(const fw_bms_t *b, fw_mb_result_t r) {
    switch (r) {
        case FW_MB_OK:
            return b->good_frames;
        case FW_MB_FAIL_CRC:
            return b->crc_errors;
        case FW_MB_FAIL_HEADER:
            return b->header_errors;
        case FW_MB_FAIL_EXCEPTION:
            return b->exceptions;
        case FW_MB_FAIL_TIMEOUT:
            return b->timeouts;
    }
    return 0;
}

/* How the pending attempt must have ended on frame `buf` of n bytes. */
static void check_attempt_end(const fw_bms_t *was, const fw_bms_t *b, const uint8_t *buf, size_t n,
                              size_t sent_before) {
    fw_mb_result_t r = ref_parse(buf, n);
    FUZZ_CHECK(failures(b, r) == failures(was, r) + 1u, "frame of %zu bytes (%d) not counted", n,
               (int)r);
    uint32_t total = b->good_frames + b->crc_errors + b->header_errors + b->exceptions;
    uint32_t total_was = was->good_frames + was->crc_errors + was->header_errors + was->exceptions;
    FUZZ_CHECK(total == total_was + 1u, "one frame counted %u times", total - total_was);
    size_t sent = fake_hal_uart_tx_len() - sent_before;
    if (r == FW_MB_OK) {
        FUZZ_CHECK(!b->awaiting && b->cycle_done && b->cycle_ok && sent == 0u, "good frame");
        FUZZ_CHECK(b->rx_pack_dv == (uint16_t)(buf[3] << 8 | buf[4]) &&
                       b->rx_batt_ca == (int16_t)(buf[5] << 8 | buf[6]),
                   "good frame values");
    } else if (was->attempt < FW_MB_RETRIES) {
        FUZZ_CHECK(!b->awaiting && b->gap_pending && b->attempt == was->attempt + 1u &&
                       sent == 0u && fake_hal_timer_armed(FW_TIMER_MODBUS),
                   "no retry waiting for silence after a failed attempt %u",
                   (unsigned)was->attempt);
    } else {
        FUZZ_CHECK(!b->awaiting && b->cycle_done && !b->cycle_ok && sent == 0u &&
                       b->failed_total == was->failed_total + 1u,
                   "the cycle did not end after the last retry");
    }
}

static bool same_exchange(const fw_bms_t *a, const fw_bms_t *b) {
    return a->awaiting == b->awaiting && a->cycle_done == b->cycle_done && a->rx_len == b->rx_len &&
           a->attempt == b->attempt && a->attempts == b->attempts &&
           a->good_frames == b->good_frames && a->timeouts == b->timeouts &&
           a->crc_errors == b->crc_errors && a->header_errors == b->header_errors &&
           a->exceptions == b->exceptions && a->failed_total == b->failed_total;
}

/* Delivers bytes and checks the master against the reference state machine. */
static void uart_rx(const uint8_t *data, size_t n) {
    check_parse(data, n);
    fw_bms_t was = fw_state.bms;
    size_t sent_before = fake_hal_uart_tx_len();
    fake_hal_uart_rx(data, n);
    const fw_bms_t *b = &fw_state.bms;
    FUZZ_CHECK(b->rx_len <= FW_MB_RSP_LEN && b->attempt <= FW_MB_RETRIES, "rx_len %u attempt %u",
               (unsigned)b->rx_len, (unsigned)b->attempt);
    if (!was.awaiting) {
        FUZZ_CHECK(same_exchange(&was, b), "bytes outside an attempt were used");
        return;
    }
    uint8_t buf[FW_MB_RSP_LEN];
    size_t len = was.rx_len;
    memcpy(buf, was.rx, len);
    for (size_t i = 0; i < n; i++) {
        buf[len++] = data[i];
        if ((len == 5u && buf[1] == 0x83u) || len == FW_MB_RSP_LEN) {
            check_attempt_end(&was, b, buf, len, sent_before);
            return;
        }
    }
    FUZZ_CHECK(b->awaiting && b->rx_len == len && memcmp(b->rx, buf, len) == 0,
               "a partial frame of %zu bytes was not kept", len);
}

/* Steps 2 and 3: a well-formed reply, optionally damaged in one byte, in two chunks. */
static void send_built(fuzz_stream_t *in, bool exception) {
    uint8_t r[FW_MB_RSP_LEN] = {0x01, 0x03, 0x04};
    size_t n = FW_MB_RSP_LEN;
    if (exception) {
        r[1] = 0x83;
        r[2] = fuzz_u8(in);
        n = 5;
    } else {
        uint16_t dv = fuzz_u16(in), ca = fuzz_u16(in);
        r[3] = (uint8_t)(dv >> 8);
        r[4] = (uint8_t)dv;
        r[5] = (uint8_t)(ca >> 8);
        r[6] = (uint8_t)ca;
    }
    uint16_t crc = fake_hal_crc16(r, n - 2u);
    r[n - 2u] = (uint8_t)crc;
    r[n - 1u] = (uint8_t)(crc >> 8);
    uint8_t at = fuzz_u8(in), mask = fuzz_u8(in);
    r[at % n] ^= mask;
    size_t cut = fuzz_u8(in) % (n + 1u);
    uart_rx(r, cut);
    uart_rx(r + cut, n - cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_stream_t in = {data, size, 0};
    fuzz_fw_boot(FAKE_BMS_OFF);
    FUZZ_CHECK(fw_state.bms.awaiting, "no exchange pending after boot");
    for (unsigned step = 0; step < MAX_STEPS && fuzz_left(&in) > 0u; step++) {
        uint8_t op = fuzz_u8(&in);
        if (op % 4u == 0u) {
            uint8_t bytes[23];
            size_t n = fuzz_u8(&in) % (sizeof bytes + 1u);
            for (size_t i = 0; i < n; i++) {
                bytes[i] = fuzz_u8(&in);
            }
            uart_rx(bytes, n);
        } else if (op % 4u == 1u) {
            fuzz_fw_run_ms(1u + (uint32_t)fuzz_u8(&in) * 4u);
        } else {
            send_built(&in, op % 4u == 3u);
        }
        fuzz_fw_check(op % 4u == 1u);
        check_requests();
    }
    return 0;
}
