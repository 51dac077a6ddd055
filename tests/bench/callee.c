/*
 * callee.c: the firmware of baseline 3 (a direct call against a call through the plugin
 * boundary). Written only against hal.h, like real firmware, and built twice from this one
 * source: as the plugin fw_benchcallee.so with the simulator port, and into the harness
 * (callee_direct.c) with every hal_* and fw_* name renamed, so the same code is reached by a
 * direct call and calls its HAL directly.
 *
 *   fw_on_timer(id)   the measured entry point: one HAL call (hal_now_us) and a little
 *                     arithmetic, about the smallest thing a real entry point does
 *   fw_on_can_rx(f)   reports the accumulator in one frame (id 0x7A0), so the harness can check
 *                     that both builds computed the same thing
 */
#ifdef BENCH_CALLEE_DIRECT
#define hal_now_us      bench_callee_now_us
#define hal_can_send    bench_callee_can_send
#define fw_init         bench_callee_init
#define fw_on_timer     bench_callee_on_timer
#define fw_on_uart_rx   bench_callee_on_uart_rx
#define fw_on_can_rx    bench_callee_on_can_rx
#define fw_on_can_state bench_callee_on_can_state
#define fw_on_adc_burst bench_callee_on_adc_burst
#endif

#include <stddef.h>
#include <stdint.h>

#include "hal.h"

static uint64_t acc;

void fw_init(void) {
    acc = 0;
}

void fw_on_timer(unsigned id) {
    acc = acc * 31u + (hal_now_us() ^ id);
}

void fw_on_uart_rx(const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
}

void fw_on_can_rx(const hal_can_frame_t *f) {
    (void)f;
    hal_can_frame_t out = {.id = 0x7A0, .dlc = 8};
    for (unsigned i = 0; i < 8; i++) {
        out.data[i] = (uint8_t)(acc >> (8 * i));
    }
    (void)hal_can_send(&out);
}

void fw_on_can_state(hal_can_state_t state) {
    (void)state;
}

void fw_on_adc_burst(const uint16_t *samples, uint16_t samples_per_channel, uint8_t channel_mask) {
    (void)samples;
    (void)samples_per_channel;
    (void)channel_mask;
}
