/*
 * fake_hal.h: a fake implementation of every hal_* function of firmware/hal/hal.h, for unit
 * tests of the firmware core without the simulator (like Zephyr's emulators and libcanard's
 * mock_now).
 *
 * Time is a fake monotonic clock in microseconds that only fake_hal_run_*() moves. Running the
 * clock fires everything due, in (time, sequence) order: HAL timers (fw_on_timer), completed ADC
 * bursts (fw_on_adc_burst) and bytes from the fake BMS (fw_on_uart_rx). The sequence number is
 * taken when a timer is armed or an event is scheduled, so same-time events keep their order.
 *
 * Peripherals and what the test controls or inspects:
 *   GPIO    current level and write count per signal; an edge log with edge times in ns, where
 *           hal_delay_us() advances the edge clock (not the fake time), as the simulator does
 *   CAN     transmitted frames with their time (the most recent ones in long runs);
 *           injected receive frames; start/send results; state changes to fw_on_can_state
 *   UART    transmitted bytes; injected receive bytes; an automatic BMS that answers each valid
 *           read request after FAKE_BMS_DELAY_US with the configured voltage and current, or a
 *           configured fault (silence, bad CRC, bad header, exception, CRC high byte first)
 *   ADC     bursts filled per channel by a sine of a given RMS current (nominal 50 A gain)
 *           around a bias, or by a test-provided generator
 *   WS2812  last byte stream and write count
 *   NVS     in-memory namespaces/keys with per-key write counters (kept across fake reboots)
 *   other   watchdog start/feeds, MAC, reset reason, restart request, captured log lines
 *
 * fake_hal_reset() forgets everything (NVS included); fake_hal_reboot() models a power cycle:
 * timers, captures and pending events go, the clock, NVS, MAC and the BMS/ADC set-up stay.
 */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define FAKE_BMS_DELAY_US 20000u /* request sent -> reply delivered */

/* ---- lifecycle and time --------------------------------------------------------------------- */
void fake_hal_reset(void);
void fake_hal_reboot(void);
uint64_t fake_hal_time_us(void);
void fake_hal_run_us(uint64_t us);
void fake_hal_run_ms(uint64_t ms);
/** Runs until the absolute fake time t_ms. */
void fake_hal_run_until_ms(uint64_t t_ms);
bool fake_hal_timer_armed(unsigned id);
uint32_t fake_hal_timer_period_us(unsigned id);
bool fake_hal_timer_periodic(unsigned id);

/* ---- GPIO ----------------------------------------------------------------------------------- */
typedef struct {
    uint8_t sig;
    bool level;
    uint64_t t_ns;
} fake_gpio_edge_t;

bool fake_hal_gpio(hal_signal_t sig);
/** Whether the signal was ever written. */
bool fake_hal_gpio_written(hal_signal_t sig);
uint32_t fake_hal_gpio_writes(hal_signal_t sig);
size_t fake_hal_gpio_log_count(void);
const fake_gpio_edge_t *fake_hal_gpio_log(size_t i);
void fake_hal_gpio_log_clear(void);

/* ---- CAN ------------------------------------------------------------------------------------ */
typedef struct {
    hal_can_frame_t f;
    uint64_t t_us;
} fake_can_tx_t;

size_t fake_hal_can_tx_count(void);
const fake_can_tx_t *fake_hal_can_tx(size_t i);
/** Number of transmitted frames with this id. */
size_t fake_hal_can_count_id(uint32_t id);
/** The last transmitted frame with this id, or NULL. */
const hal_can_frame_t *fake_hal_can_last(uint32_t id);
/** The last transmitted TEL page `page` of node `node`, or NULL. */
const hal_can_frame_t *fake_hal_can_last_tel(uint8_t node, uint8_t page);
void fake_hal_can_clear(void);
/** Delivers a received frame to fw_on_can_rx at the current fake time. */
void fake_hal_can_rx(uint32_t id, uint8_t dlc, const uint8_t *data);
/** An ANN from `node` (0x300 + node): DeviceType `type`, firmware 2.5.0, MAC tail `tail`. */
void fake_hal_can_ann(uint8_t node, uint8_t type, uint32_t tail);
/** A TEL page from `node` (0x100 + node): byte 0 `page`, bytes 1..7 from `b7`. */
void fake_hal_can_tel(uint8_t node, uint8_t page, const uint8_t *b7);
void fake_hal_can_set_start_rc(int rc);
void fake_hal_can_set_send_rc(int rc);
/** Sets the controller state (and TEC) and reports it through fw_on_can_state. */
void fake_hal_can_set_state(hal_can_state_t st, uint16_t tec);
uint32_t fake_hal_can_start_calls(void);
uint32_t fake_hal_can_recover_calls(void);
uint32_t fake_hal_can_bitrate(void);

/* ---- UART and the fake BMS ------------------------------------------------------------------- */
typedef enum {
    FAKE_BMS_OFF = 0,      /* no automatic answers */
    FAKE_BMS_OK,           /* a good reply */
    FAKE_BMS_SILENT,       /* no reply: the master times out */
    FAKE_BMS_BAD_CRC,      /* reply with a corrupted CRC */
    FAKE_BMS_BAD_ADDR,     /* reply from address 2 (valid CRC) */
    FAKE_BMS_BAD_COUNT,    /* byte count 3 instead of 4 (valid CRC) */
    FAKE_BMS_EXCEPTION,    /* 5-byte exception reply 01 83 02 crc */
    FAKE_BMS_CRC_HI_FIRST, /* correct CRC sent high byte first */
} fake_bms_mode_t;

/** Automatic BMS: answers each read request (see fake_bms_mode_t). */
void fake_hal_bms(fake_bms_mode_t mode, uint16_t pack_dv, int16_t batt_ca);
/** The next n requests get `mode` instead; later ones the configured mode again. */
void fake_hal_bms_fail_next(unsigned n, fake_bms_mode_t mode);
uint32_t fake_hal_bms_requests(void);
/** Reference CRC-16/MODBUS (independent of the firmware's). */
uint16_t fake_hal_crc16(const uint8_t *buf, size_t len);
size_t fake_hal_uart_tx_len(void);
const uint8_t *fake_hal_uart_tx(void);
void fake_hal_uart_tx_clear(void);
uint32_t fake_hal_uart_baud(void);
/** Delivers bytes to fw_on_uart_rx now. */
void fake_hal_uart_rx(const uint8_t *data, size_t len);

/* ---- ADC ------------------------------------------------------------------------------------ */
/** Sample generator: raw count of channel ch (0..3) at sample index i of a burst. */
typedef uint16_t (*fake_adc_fn)(unsigned ch, uint32_t i, uint32_t rate_hz, void *ctx);

/** Channel ch reads a 50 Hz sine of rms_a amperes (nominal gain) around bias_counts. */
void fake_hal_adc_sine(unsigned ch, double rms_a, double bias_counts);
/** Convenience: a sine whose RMS current gives power_w at 220 V, bias 2048. */
void fake_hal_ct_power_w(unsigned ch, double power_w);
void fake_hal_adc_generator(fake_adc_fn fn, void *ctx);
uint32_t fake_hal_adc_bursts(void);
const hal_adc_burst_cfg_t *fake_hal_adc_last_cfg(void);
/** Fake time at which the last burst started, in us. */
uint64_t fake_hal_adc_last_start_us(void);

/* ---- WS2812 --------------------------------------------------------------------------------- */
const uint8_t *fake_hal_ws2812(size_t *len);
uint32_t fake_hal_ws2812_writes(void);

/* ---- NVS ------------------------------------------------------------------------------------ */
/** Writes to key in namespace "alfaspark" since fake_hal_reset(). */
uint32_t fake_hal_nvs_writes(const char *key);
uint32_t fake_hal_nvs_total_writes(void);
bool fake_hal_nvs_has(const char *key);
/** Raw value of key, or -1 when absent. */
int fake_hal_nvs_peek(const char *key, void *buf, size_t cap);
/** Stores a value without counting it as a firmware write. */
void fake_hal_nvs_preset(const char *key, const void *buf, size_t len);

/* ---- watchdog, identity, log ---------------------------------------------------------------- */
uint32_t fake_hal_wdt_timeout_ms(void);
uint32_t fake_hal_wdt_feeds(void);
uint64_t fake_hal_wdt_last_feed_us(void);
void fake_hal_set_mac(const uint8_t mac[6]);
void fake_hal_set_reset_reason(hal_reset_reason_t r);
bool fake_hal_restart_requested(void);
size_t fake_hal_log_count(void);
const char *fake_hal_log_line(size_t i);
bool fake_hal_log_contains(const char *needle);

/* ---- conveniences for the suites ------------------------------------------------------------ */
/**
 * Injects command `id` with [target, seq, args...] and returns the status byte of the ACK the
 * firmware sent in response (from any 0x280..0x2FE frame transmitted during the call), or -1
 * when it sent none.
 */
int fake_hal_cmd(uint32_t id, uint8_t target, uint8_t seq, const uint8_t *args, uint8_t nargs);
/** The ACK frame sent by the last fake_hal_cmd() call, or NULL. */
const hal_can_frame_t *fake_hal_last_ack(void);
/** Injects a 5-byte time broadcast [h, day, min, month, yy]. */
void fake_hal_time_broadcast(uint8_t hour, uint8_t minute, uint8_t day);

#endif
