/*
 * crash_common.h: the shared body of the crash fixture plugins (tests/plugins/crash_*.c), which
 * test crash isolation (core/host/sim_isolate.h). Each fixture is a healthy firmware until its
 * fifth heartbeat, then fails in its own way from that timer callback (crash_now).
 *
 *   boot       CAN at 500 kbit/s, timer 0 every 100 ms, one console line
 *   timer 0    heartbeat 0x700 + node [beats]; at beat CRASH_AFTER_BEATS, crash_now()
 *
 * "node" is mac[5] & 0x7F. Written only against hal.h, like any firmware. A fixture that defines
 * CRASH_AT_BOOT before including this file also has it called at the end of fw_init, and one that
 * defines CRASH_ON_CAN_STATE has it called with every CAN state change.
 */
#ifndef CRASH_COMMON_H
#define CRASH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define CRASH_AFTER_BEATS 5u

/* Each fixture's way of failing; called from the heartbeat timer. */
static void crash_now(void);

static uint8_t crash_node;
static unsigned crash_beats;

void fw_init(void) {
    uint8_t mac[6];
    hal_efuse_mac(mac);
    crash_node = mac[5] & 0x7Fu;
    hal_log(HAL_LOG_INFO, "crash fixture %u up", (unsigned)crash_node);
    (void)hal_can_start(500000);
    (void)hal_timer_start(0, 100000, true);
#ifdef CRASH_AT_BOOT
    CRASH_AT_BOOT(); /* a fixture that fails in fw_init too */
#endif
}

void fw_on_timer(unsigned id) {
    (void)id;
    crash_beats++;
    hal_can_frame_t f = {.id = 0x700u + crash_node, .dlc = 1, .data = {(uint8_t)crash_beats}};
    (void)hal_can_send(&f);
    if (crash_beats == CRASH_AFTER_BEATS) {
        crash_now();
    }
}

void fw_on_uart_rx(const uint8_t *data, size_t len) {
    (void)data, (void)len;
}

void fw_on_can_rx(const hal_can_frame_t *f) {
    (void)f;
}

void fw_on_can_state(hal_can_state_t state) {
#ifdef CRASH_ON_CAN_STATE
    CRASH_ON_CAN_STATE(state);
#else
    (void)state;
#endif
}

void fw_on_adc_burst(const uint16_t *samples, uint16_t samples_per_channel, uint8_t channel_mask) {
    (void)samples, (void)samples_per_channel, (void)channel_mask;
}

#endif
