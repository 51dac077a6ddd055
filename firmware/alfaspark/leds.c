/*
 * leds.c: status LED patterns (spec §8.3). See leds.h.
 */
#include "leds.h"

#include "hal.h"

/* On during the first half of each period of `period_subticks` sub-ticks. */
static bool phase_on(uint32_t subtick, uint32_t period_subticks) {
    return (subtick % period_subticks) < period_subticks / 2u;
}

void fw_leds_compute(const fw_led_input_t *in, uint32_t subtick, bool out[FW_LED_COUNT]) {
    out[FW_LED_GREEN] = in->master ? phase_on(subtick, 20u) : true;
    out[FW_LED_YELLOW] = in->warning && phase_on(subtick, 10u);
    if (in->fault) {
        out[FW_LED_RED] = true;
    } else {
        out[FW_LED_RED] = in->time_missing && phase_on(subtick, 4u);
    }
}

void fw_leds_apply(fw_leds_t *l, const bool want[FW_LED_COUNT]) {
    static const hal_signal_t sig[FW_LED_COUNT] = {HAL_SIG_LED_GREEN, HAL_SIG_LED_YELLOW,
                                                   HAL_SIG_LED_RED};
    for (unsigned i = 0; i < FW_LED_COUNT; i++) {
        if (!l->written || l->state[i] != want[i]) {
            hal_gpio_write(sig[i], want[i]);
        }
        l->state[i] = want[i];
    }
    l->written = true;
}
