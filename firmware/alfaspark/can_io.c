/*
 * can_io.c: CAN start, transmit accounting, error states and recovery. See can_io.h.
 */
#include "can_io.h"

#include <string.h>

#include "events.h"
#include "fw_config.h"

/* Event 5 once the controller is usable again after error-passive or bus-off. */
static void report_recovered(fw_can_t *c) {
    if (c->worst_state >= (uint8_t)HAL_CAN_ERROR_PASSIVE) {
        uint16_t tec = 0;
        (void)hal_can_get_state(&tec, NULL);
        uint8_t args[2] = {c->worst_state, (uint8_t)(tec > 255u ? 255u : tec)};
        fw_event_post(FW_EVT_CAN_ERROR, args, 2);
    }
    c->worst_state = (uint8_t)HAL_CAN_ERROR_ACTIVE;
}

static void try_start(fw_can_t *c, uint64_t now_ms) {
    c->retry_ms = now_ms;
    int rc = hal_can_start(FW_CAN_BITRATE);
    c->started = rc == HAL_OK;
    if (!c->started) {
        c->start_failures++;
        hal_log(HAL_LOG_ERROR, "CAN start failed (%d); retrying every %u s", rc,
                (unsigned)(FW_CAN_RETRY_MS / 1000u));
        return;
    }
    c->announce_due = c->start_failures > 0u;
    report_recovered(c);
}

void fw_can_init(fw_can_t *c, uint64_t now_ms) {
    memset(c, 0, sizeof *c);
    c->worst_state = HAL_CAN_ERROR_ACTIVE;
    try_start(c, now_ms);
}

bool fw_can_send(fw_can_t *c, const hal_can_frame_t *f) {
    if (c->started && hal_can_send(f) == HAL_OK) {
        c->tx_ok++;
        return true;
    }
    c->tx_dropped++;
    return false;
}

static void request_recovery(fw_can_t *c, uint64_t now_ms) {
    c->retry_ms = now_ms;
    c->recoveries++;
    FW_MUT_CAN_RECOVER();
}

void fw_can_on_state(fw_can_t *c, hal_can_state_t st, uint64_t now_ms) {
    switch (st) {
        case HAL_CAN_BUS_OFF:
            c->bus_off = true;
            c->worst_state = (uint8_t)HAL_CAN_BUS_OFF;
            request_recovery(c, now_ms);
            break;
        case HAL_CAN_ERROR_PASSIVE:
            if (c->worst_state < (uint8_t)HAL_CAN_ERROR_PASSIVE) {
                c->worst_state = (uint8_t)HAL_CAN_ERROR_PASSIVE;
            }
            break;
        case HAL_CAN_ERROR_ACTIVE:
            c->bus_off = false;
            c->started = true;
            report_recovered(c);
            break;
        case HAL_CAN_STOPPED:
            /* Some controllers (TWAI) stop once a bus-off recovery completes: start again. */
            c->started = false;
            if (c->bus_off) {
                c->bus_off = false;
                try_start(c, now_ms);
            }
            break;
        case HAL_CAN_ERROR_WARNING:
        case HAL_CAN_RECOVERING:
            break;
    }
}

void fw_can_service(fw_can_t *c, uint64_t now_ms) {
    if (now_ms - c->retry_ms < FW_CAN_RETRY_MS) {
        return;
    }
    if (c->bus_off) {
        request_recovery(c, now_ms);
    } else if (!c->started) {
        try_start(c, now_ms);
    }
}
