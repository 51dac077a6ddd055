/*
 * status_leds.h: the status LEDs (green, yellow, red) as a person would describe them.
 *
 * The device face takes each LED's GPIO level changes (true = lit) with their times. From the
 * edges the backend face tells steady off, steady on, or blinking with its period and duty cycle:
 * the period is the time between the last two rising edges, the on-time the last high pulse. An
 * LED is blinking while its last two periods agree within blink_tolerance_ns and the time since
 * its last edge is below stale_periods times the period; otherwise it is steady at its present
 * level. So a 1 Hz warning, a 2 s master blink and a 400 ms fault blink are told apart, and an
 * LED that stops toggling reads steady after a couple of periods.
 */
#ifndef STATUS_LEDS_H
#define STATUS_LEDS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_types.h"

#define STATUS_LEDS_MAX 8

enum { STATUS_LED_GREEN = 0, STATUS_LED_YELLOW, STATUS_LED_RED };

typedef enum { LED_OFF = 0, LED_ON, LED_BLINK } led_mode_t;

typedef struct {
    led_mode_t mode;
    sim_time_ns_t period_ns; /* LED_BLINK only */
    uint32_t duty_permille;  /* LED_BLINK only: on-time / period */
} led_state_t;

typedef struct {
    unsigned count;                   /* default 3 */
    sim_time_ns_t blink_tolerance_ns; /* default 20 ms */
    unsigned stale_periods;           /* default 2 */
} status_leds_cfg_t;

typedef struct status_leds status_leds_t;

void status_leds_cfg_default(status_leds_cfg_t *cfg);
/** 0, -SIM_EINVAL (count 0 or > 8, stale_periods 0), -SIM_ENOMEM. All LEDs start off. */
int status_leds_create(const status_leds_cfg_t *cfg, status_leds_t **out);
void status_leds_destroy(status_leds_t *l);

/** Device face: LED `led` goes to `lit` at t_ns (non-decreasing per LED). Same level: ignored. */
void status_leds_set(status_leds_t *l, unsigned led, bool lit, sim_time_ns_t t_ns);

/** Backend face: the LED's level and its mode as seen at now_ns. */
bool status_leds_level(const status_leds_t *l, unsigned led);
void status_leds_state(const status_leds_t *l, unsigned led, sim_time_ns_t now_ns,
                       led_state_t *out);
/** Rising edges so far. */
uint64_t status_leds_blinks(const status_leds_t *l, unsigned led);

#endif
