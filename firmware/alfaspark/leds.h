/*
 * leds.h: the three status LEDs (spec §8.3, D11), every pattern from the 100 ms sub-tick count.
 *
 *   green   on steadily; blinks 1 s on / 1 s off while this node is the elected master
 *   yellow  blinks 500 ms on / 500 ms off on a warning (LOADS_LIMIT or the grid-limit latch)
 *   red     on steadily on a fault (BMS stale, BMS alarm, CAN bus-off); otherwise blinks
 *           200 ms on / 200 ms off while TOU or Grid Limit is on and no valid time broadcast
 *           arrived for more than 24 h (since boot if none did); off otherwise
 *
 * LEDs are written only when their state changes.
 */
#ifndef FW_LEDS_H
#define FW_LEDS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { FW_LED_GREEN = 0, FW_LED_YELLOW, FW_LED_RED, FW_LED_COUNT } fw_led_t;

typedef struct {
    bool master;
    bool warning;
    bool fault;
    bool time_missing; /* TOU or Grid Limit on, and no valid time for more than 24 h */
} fw_led_input_t;

typedef struct {
    bool state[FW_LED_COUNT];
    bool written;
} fw_leds_t;

/** The LED states at sub-tick number `subtick`. */
void fw_leds_compute(const fw_led_input_t *in, uint32_t subtick, bool out[FW_LED_COUNT]);

/** Drives the LEDs that changed (all of them the first time). */
void fw_leds_apply(fw_leds_t *l, const bool want[FW_LED_COUNT]);

#endif
