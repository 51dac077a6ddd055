/*
 * bms.h: the Modbus RTU master that polls the BMS over RS-485 (spec §6).
 *
 * One poll cycle per control tick: fw_bms_tick() first takes the result of the cycle started at
 * the previous tick (updating validity and staleness), then starts the next cycle. A cycle is
 * one attempt plus up to FW_MB_RETRIES retries, each a request `01 03 00 00 00 02 C4 0B` and a
 * FW_MB_TIMEOUT_MS response timeout on HAL timer FW_TIMER_MODBUS. A retry after a reply that
 * failed its checks first waits for FW_MB_T35_US of silence on the line (Modbus RTU's t3.5; the
 * same timer), since a slave ignores a frame that starts sooner. It never blocks:
 *
 *        tick: send request, arm timeout
 *   IDLE ───────────────────────────────▶ AWAIT ──9 bytes / 5-byte exception / timeout──┐
 *     ▲                                     ▲                                           │
 *     │ good frame, or last retry failed    └────── failed attempt, retries left ───────┤
 *     └─────────────────────────────────────────────────────────────────────────────────┘
 *
 * A frame is good only with length 9, address 0x01, function 0x03, byte count 4 and a matching
 * CRC (sent low byte first). A whole failed cycle posts event 1 (last attempt timed out) or 2.
 * BMS data is valid while the last good frame is less than FW_MB_STALE_CYCLES cycles old; after
 * that many failed cycles in a row it is stale (event 3, the BMS_COMM fault). Before the first
 * good frame the data is not valid, and stale only after FW_MB_STALE_CYCLES cycles.
 */
#ifndef FW_BMS_H
#define FW_BMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_MB_REQ_LEN 8u
#define FW_MB_RSP_LEN 9u
#define FW_MB_EXC_LEN 5u

/** Why an attempt failed (0 = good frame). */
typedef enum {
    FW_MB_OK = 0,
    FW_MB_FAIL_TIMEOUT,
    FW_MB_FAIL_CRC,
    FW_MB_FAIL_HEADER,    /* length, address, function or byte count wrong */
    FW_MB_FAIL_EXCEPTION, /* function | 0x80 reply */
} fw_mb_result_t;

typedef struct {
    /* exchange state machine */
    bool awaiting;     /* an attempt is in flight */
    bool gap_pending;  /* a retry waits for FW_MB_T35_US of silence on the line */
    bool cycle_active; /* a cycle was started and has not finished */
    bool cycle_done;   /* a finished cycle's result waits for the next tick */
    bool cycle_ok;
    bool cycle_started_once; /* a cycle was started since boot (the first tick has none) */
    uint8_t attempt;         /* 0 = first attempt, 1..3 = retries */
    fw_mb_result_t last_fail;
    uint8_t rx[FW_MB_RSP_LEN];
    uint8_t rx_len;
    uint16_t rx_pack_dv; /* values of the cycle's good frame */
    int16_t rx_batt_ca;

    /* last good values and validity */
    bool have_good;
    uint16_t pack_dv; /* 0.1 V */
    int16_t batt_ca;  /* 0.01 A, + = charging */
    uint64_t good_ms;
    uint8_t failed_cycles; /* in a row, saturating */
    bool valid;
    bool stale;
    uint8_t alarm_bits; /* 0 until the BMS alarm register is known (spec §6) */

    /* statistics */
    uint32_t attempts, good_frames, timeouts, crc_errors, header_errors, exceptions, failed_total;
} fw_bms_t;

/** CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001), bitwise. */
uint16_t fw_modbus_crc16(const uint8_t *buf, size_t len);

/** Writes the 8-byte read request (address 1, FC 3, registers 0..1, CRC low byte first). */
void fw_modbus_build_request(uint8_t out[FW_MB_REQ_LEN]);

/**
 * Checks a complete reply and decodes it. len 5 with byte 1 == 0x83 is an exception reply.
 * @return FW_MB_OK and the decoded values, or the failure kind (values untouched).
 */
fw_mb_result_t fw_modbus_parse(const uint8_t *buf, size_t len, uint16_t *pack_dv, int16_t *batt_ca);

/** Control-tick step 1: take the previous cycle's result, update staleness, start the next. */
void fw_bms_tick(fw_bms_t *b, uint64_t now_ms);
/** Received UART bytes (bytes outside an attempt are discarded). */
void fw_bms_on_rx(fw_bms_t *b, const uint8_t *data, size_t len);
/** FW_TIMER_MODBUS expired: the response timeout, or the silence before a retry. */
void fw_bms_on_timeout(fw_bms_t *b);

#endif
