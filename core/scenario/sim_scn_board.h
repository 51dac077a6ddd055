/*
 * sim_scn_board.h: a board description, the pin map of one controller board as a scenario loads
 * it (scenarios/boards/<name>.json, docs/scenario-format.md "Boards").
 *
 * The firmware addresses its outputs logically (hal.h: relay R1 is HAL_SIG_RELAY_GRID, active ==
 * CONNECTED); which ESP32 pin carries a signal, and whether the pin is driven high or low for
 * "active", is board configuration. A board says, for every model behind a node's pins: the
 * relays R1..R4 (GPIO and polarity), the status LEDs (GPIO and polarity), the TM1637 CLK/DIO
 * pins and digit count, the WS2812 data pin and pixel count, the four CT channels (GPIO, ADC1
 * channel, full-scale current), the RS-485 UART with its DE pin, and the CAN TX/RX pins.
 *
 * The loader checks the pins as ESP32 hardware would constrain them: GPIO numbers that exist
 * (0-19, 21-23, 25-27, 32-39), never the flash pins 6-11, outputs never on the input-only pins
 * 34-39, an ADC channel that really belongs to its GPIO (ADC1 only: ADC2 is unusable with
 * Wi-Fi), and no pin used twice. Values are plain data owned by the scenario.
 */
#ifndef SIM_SCN_BOARD_H
#define SIM_SCN_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_SCN_BOARD_RELAYS 4 /* R1 grid, R2 inverter output, R3 pool, R4 heater (hal.h order) */
#define SIM_SCN_BOARD_LEDS   3 /* green, yellow, red (status_leds.h order) */
#define SIM_SCN_BOARD_CTS    4 /* CT1 grid, CT2 home, CT3 pool, CT4 heater (hal.h order) */

/** An output pin and the level that means "active" (relay connected, LED lit). */
typedef struct {
    uint8_t gpio;
    bool active_low; /* "active": "low" */
} sim_scn_pin_t;

typedef struct {
    uint8_t gpio;
    uint8_t adc_channel; /* ADC1 channel of that GPIO (GPIO36 = 0 ... GPIO35 = 7) */
    double full_scale_a; /* RMS current at the ADC's nominal full scale; ct_sensor_cfg_t */
} sim_scn_ct_pin_t;

typedef struct {
    char name[64];     /* "name", default: the file's basename without .json */
    char *description; /* optional, owned */
    sim_scn_pin_t relays[SIM_SCN_BOARD_RELAYS];
    sim_scn_pin_t leds[SIM_SCN_BOARD_LEDS];
    uint8_t tm1637_clk_gpio, tm1637_dio_gpio;
    uint8_t tm1637_digits; /* 1..6 */
    uint8_t ws2812_gpio;
    uint8_t ws2812_pixels; /* 1..64 */
    sim_scn_ct_pin_t ct[SIM_SCN_BOARD_CTS];
    uint8_t rs485_uart; /* 0..2 */
    uint8_t rs485_rx_gpio, rs485_tx_gpio, rs485_de_gpio;
    uint8_t can_tx_gpio, can_rx_gpio;
    char *path; /* the file it came from (resolved), or NULL for a board given inline; owned */
} sim_scn_board_t;

#endif
