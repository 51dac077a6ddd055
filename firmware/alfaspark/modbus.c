/*
 * modbus.c: CRC-16/MODBUS, the read request, reply checks and the non-blocking master state
 * machine for the BMS (spec §6). See bms.h.
 */
#include <string.h>

#include "bms.h"
#include "events.h"
#include "fw_config.h"
#include "hal.h"

uint16_t fw_modbus_crc16(const uint8_t *buf, size_t len) {
    uint16_t crc = 0xFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (unsigned bit = 0; bit < 8u; bit++) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
        }
    }
    return crc;
}

void fw_modbus_build_request(uint8_t out[FW_MB_REQ_LEN]) {
    out[0] = FW_MB_ADDR;
    out[1] = FW_MB_FC_READ;
    out[2] = (uint8_t)(FW_MB_REG_START >> 8);
    out[3] = (uint8_t)(FW_MB_REG_START & 0xFFu);
    out[4] = (uint8_t)(FW_MB_REG_COUNT >> 8);
    out[5] = (uint8_t)(FW_MB_REG_COUNT & 0xFFu);
    uint16_t crc = fw_modbus_crc16(out, 6);
    out[6] = (uint8_t)(crc & 0xFFu); /* low byte first (spec §14 item 5) */
    out[7] = (uint8_t)(crc >> 8);
}

fw_mb_result_t fw_modbus_parse(const uint8_t *buf, size_t len, uint16_t *pack_dv,
                               int16_t *batt_ca) {
    if (len == FW_MB_EXC_LEN && buf[1] == (FW_MB_FC_READ | 0x80u)) {
        return FW_MB_FAIL_EXCEPTION;
    }
    if (len != FW_MB_RSP_LEN || buf[0] != FW_MB_ADDR || buf[1] != FW_MB_FC_READ ||
        buf[2] != 2u * FW_MB_REG_COUNT) {
        return FW_MB_FAIL_HEADER;
    }
    uint16_t rx_crc = (uint16_t)(buf[7] | (buf[8] << 8));
    if (FW_MUT_CRC_CHECKED && rx_crc != fw_modbus_crc16(buf, 7)) {
        return FW_MB_FAIL_CRC;
    }
    *pack_dv = (uint16_t)((buf[3] << 8) | buf[4]);
    *batt_ca = (int16_t)(uint16_t)((buf[5] << 8) | buf[6]);
    return FW_MB_OK;
}

static void start_attempt(fw_bms_t *b) {
    uint8_t req[FW_MB_REQ_LEN];
    fw_modbus_build_request(req);
    b->rx_len = 0; /* discard anything received before the request */
    b->awaiting = true;
    b->attempts++;
    /* A refused write simply times out: the retry logic then treats it like a lost reply. */
    (void)hal_uart_write(req, sizeof req);
    (void)hal_timer_start(FW_TIMER_MODBUS, FW_MB_TIMEOUT_MS * 1000u, false);
}

/* Arms FW_TIMER_MODBUS for the inter-frame silence; every byte heard meanwhile restarts it. */
static void wait_silence(fw_bms_t *b) {
    b->gap_pending = true;
    (void)hal_timer_start(FW_TIMER_MODBUS, FW_MB_T35_US, false);
}

static void count_failure(fw_bms_t *b, fw_mb_result_t r) {
    switch (r) {
        case FW_MB_FAIL_TIMEOUT:
            b->timeouts++;
            break;
        case FW_MB_FAIL_CRC:
            b->crc_errors++;
            break;
        case FW_MB_FAIL_HEADER:
            b->header_errors++;
            break;
        case FW_MB_FAIL_EXCEPTION:
            b->exceptions++;
            break;
        case FW_MB_OK:
            break;
    }
}

static void finish_cycle(fw_bms_t *b, bool ok) {
    b->cycle_active = false;
    b->cycle_done = true;
    b->cycle_ok = ok;
    if (!ok) {
        b->failed_total++;
        uint8_t arg = (uint8_t)b->last_fail;
        fw_event_post(b->last_fail == FW_MB_FAIL_TIMEOUT ? FW_EVT_BMS_TIMEOUT : FW_EVT_BMS_FRAME,
                      &arg, 1);
    }
}

/* One attempt ended with `r`: accept, retry, or give up for this cycle. */
static void end_attempt(fw_bms_t *b, fw_mb_result_t r) {
    b->awaiting = false;
    (void)hal_timer_stop(FW_TIMER_MODBUS);
    if (r == FW_MB_OK) {
        b->good_frames++;
        finish_cycle(b, true);
        return;
    }
    count_failure(b, r);
    b->last_fail = r;
    if (b->attempt < FW_MB_RETRIES && FW_MUT_MB_RETRY) {
        b->attempt++;
        /* A slave listens for a new frame only after t3.5 of silence on the line. A reply (or part
         * of one) has just been on it, so the retry waits out that silence; after a timeout on a
         * line that stayed quiet it goes at once. */
        if (b->rx_len > 0 && FW_MUT_MB_GAP) {
            wait_silence(b);
        } else {
            start_attempt(b);
        }
        return;
    }
    finish_cycle(b, false);
}

void fw_bms_on_rx(fw_bms_t *b, const uint8_t *data, size_t len) {
    if (b->gap_pending && len > 0) {
        wait_silence(b); /* the line is not silent yet */
        return;
    }
    for (size_t i = 0; i < len && b->awaiting; i++) {
        b->rx[b->rx_len++] = data[i];
        bool exception = b->rx_len == FW_MB_EXC_LEN && b->rx[1] == (FW_MB_FC_READ | 0x80u);
        if (exception || b->rx_len == FW_MB_RSP_LEN) {
            fw_mb_result_t r = fw_modbus_parse(b->rx, b->rx_len, &b->rx_pack_dv, &b->rx_batt_ca);
            end_attempt(b, r);
            /* The rest of this chunk arrived before any retry was sent: discard it. It is part
             * of the line's noise that a waiting retry's silence already counts from. */
            return;
        }
    }
}

void fw_bms_on_timeout(fw_bms_t *b) {
    if (b->awaiting) {
        end_attempt(b, FW_MB_FAIL_TIMEOUT);
    } else if (b->gap_pending) {
        b->gap_pending = false;
        start_attempt(b);
    }
}

/* Applies the result of the previous cycle; a cycle that did not finish counts as failed. */
static void take_result(fw_bms_t *b, uint64_t now_ms) {
    if (!b->cycle_started_once) {
        return;
    }
    bool ok = false;
    if (b->cycle_done) {
        ok = b->cycle_ok;
    } else if (b->cycle_active) {
        b->awaiting = false;
        b->gap_pending = false;
        (void)hal_timer_stop(FW_TIMER_MODBUS);
        b->cycle_active = false;
        b->last_fail = FW_MB_FAIL_TIMEOUT;
        b->failed_total++;
    }
    b->cycle_done = false;
    if (ok) {
        b->have_good = true;
        b->pack_dv = b->rx_pack_dv;
        b->batt_ca = b->rx_batt_ca;
        b->good_ms = now_ms;
        b->failed_cycles = 0;
    } else if (b->failed_cycles < UINT8_MAX) {
        b->failed_cycles++;
    }
}

void fw_bms_tick(fw_bms_t *b, uint64_t now_ms) {
    take_result(b, now_ms);
    bool was_stale = b->stale;
    b->stale = b->failed_cycles >= FW_MB_STALE_CYCLES;
    b->valid = b->have_good && !b->stale;
    if (b->stale && !was_stale) {
        fw_event_post(FW_EVT_BMS_STALE, NULL, 0);
    }
    b->cycle_started_once = true;
    b->cycle_active = true;
    b->attempt = 0;
    b->last_fail = FW_MB_OK;
    start_attempt(b);
}
