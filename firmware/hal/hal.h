/*
 * hal.h: the one header the Alfaspark firmware core sees.
 *
 * The core is portable C11 that touches hardware only through the functions below, shaped after
 * the ESP32 peripherals it really uses (esp_timer, gpio, adc continuous, uart, TWAI, RMT, nvs,
 * task_wdt, efuse). Each port implements them: ports/sim forwards them to the simulator host
 * across the plugin boundary; an ESP-IDF port maps them onto the vendor SDK.
 *
 * Execution model (spec/firmware.md §1.3). The port calls the core's entry points (fw_*, at the
 * end of this header) one at a time from a single execution context, never concurrently and never
 * from interrupt context. The core never blocks and never busy-waits: every wait is a timer or a
 * receive event. All hal_* functions are non-blocking and may be called from any entry point.
 *
 * Logical signals. The core addresses relays, LEDs and the TM1637 lines logically (hal_signal_t).
 * Pin numbers and relay output polarity are board configuration on the port side: for a relay,
 * active == CONNECTED; for an LED, active == lit; for the TM1637 lines, active == line high
 * (released to the pull-up). RS-485 DE is not a core signal: the port drives it around each UART
 * transmission.
 *
 * Return values: HAL_OK (0) or a negative hal_err_t.
 */
#ifndef ALFASPARK_HAL_H
#define ALFASPARK_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bumped when a function is added to this header (append-only). */
#define HAL_API_VERSION 1

typedef enum {
    HAL_OK = 0,
    HAL_ERR_INVALID = -1,     /* bad argument */
    HAL_ERR_QUEUE_FULL = -2,  /* transmit queue full; nothing queued */
    HAL_ERR_NOT_STARTED = -3, /* peripheral not started */
    HAL_ERR_BUS_OFF = -4,     /* CAN controller bus-off */
    HAL_ERR_NOT_FOUND = -5,   /* NVS key absent */
    HAL_ERR_NO_SPACE = -6,    /* NVS full, or buffer too small (len says what is needed) */
    HAL_ERR_BUSY = -7,        /* a previous operation is still in progress */
    HAL_ERR_UNSUPPORTED = -8, /* this port has no such peripheral */
} hal_err_t;

/* ---- time and timers (esp_timer) ------------------------------------------------------------ */

/** Monotonic milliseconds since this node powered on. */
uint64_t hal_now_ms(void);
/** Monotonic microseconds since this node powered on. */
uint64_t hal_now_us(void);

/** Timer slots the core may use: 0 .. HAL_TIMER_COUNT-1, chosen by the core. */
#define HAL_TIMER_COUNT 16

/**
 * (Re)arms timer `id`: first expiry period_us from now, then every period_us if periodic.
 * Expiry calls fw_on_timer(id). Re-arming a running timer restarts it.
 * @retval HAL_OK, HAL_ERR_INVALID (id out of range or period_us == 0)
 */
int hal_timer_start(unsigned id, uint32_t period_us, bool periodic);
/** Stops timer `id`; a stopped timer never fires. HAL_OK even if it was not running. */
int hal_timer_stop(unsigned id);

/* ---- GPIO ----------------------------------------------------------------------------------- */

typedef enum {
    HAL_SIG_RELAY_GRID = 0, /* R1, grid disconnect */
    HAL_SIG_RELAY_INVERTER, /* R2, inverter output disconnect */
    HAL_SIG_RELAY_POOL,     /* R3, pool pump */
    HAL_SIG_RELAY_HEATER,   /* R4, water heater */
    HAL_SIG_LED_GREEN,
    HAL_SIG_LED_YELLOW,
    HAL_SIG_LED_RED,
    HAL_SIG_TM1637_CLK,
    HAL_SIG_TM1637_DIO,
    HAL_SIG_COUNT
} hal_signal_t;

/** Drives a signal (see "Logical signals" above). Unknown signals are ignored. */
void hal_gpio_write(hal_signal_t sig, bool active);
/** Reads a signal's line level (TM1637 DIO for the ACK bit; outputs read back what was driven). */
bool hal_gpio_read(hal_signal_t sig);
/**
 * Spaces bit-banged edges: the next GPIO edge is at least `us` after the previous one. Bounded
 * (at most 100 us per call); it never waits on a device. The simulator advances the node's edge
 * timestamps, not virtual time.
 */
void hal_delay_us(uint32_t us);

/* ---- ADC continuous sampling of the CT channels (adc continuous / DMA) ----------------------- */

#define HAL_ADC_CHANNELS 4 /* CT1 grid, CT2 inverter output (home), CT3 pool, CT4 heater */

typedef struct {
    uint32_t sample_rate_hz;      /* per channel; >= 1000 */
    uint16_t samples_per_channel; /* length of the burst, per channel; 1..4096 */
    uint8_t channel_mask;         /* bit k = CT channel k+1 */
} hal_adc_burst_cfg_t;

/**
 * Starts one continuous-sampling burst on the channels in the mask, all channels sampled at each
 * sample instant. When it completes (samples_per_channel / sample_rate_hz later) the port calls
 * fw_on_adc_burst() with raw 12-bit counts.
 * @retval HAL_OK, HAL_ERR_INVALID, HAL_ERR_BUSY (a burst is in progress)
 */
int hal_adc_burst_start(const hal_adc_burst_cfg_t *cfg);

/* ---- UART on RS-485 (uart driver, half duplex, DE driven by the port) ------------------------ */

/** Opens the RS-485 UART at `baud`, 8N1. */
int hal_uart_open(uint32_t baud);
/**
 * Queues bytes for transmission; returns at once. The port asserts DE before the first start bit
 * and releases it after the last stop bit. Received bytes arrive through fw_on_uart_rx().
 * @retval HAL_OK, HAL_ERR_NOT_STARTED, HAL_ERR_QUEUE_FULL (more than 256 bytes pending)
 */
int hal_uart_write(const uint8_t *data, size_t len);

/* ---- CAN controller (TWAI) ------------------------------------------------------------------ */

#define HAL_CAN_FLAG_EXT 0x01u /* 29-bit identifier */
#define HAL_CAN_FLAG_RTR 0x02u /* remote frame */

typedef struct {
    uint32_t id;
    uint8_t dlc; /* 0..8 */
    uint8_t flags;
    uint8_t data[8];
} hal_can_frame_t;

typedef enum {
    HAL_CAN_STOPPED = 0,
    HAL_CAN_ERROR_ACTIVE,
    HAL_CAN_ERROR_WARNING,
    HAL_CAN_ERROR_PASSIVE,
    HAL_CAN_BUS_OFF,
    HAL_CAN_RECOVERING,
} hal_can_state_t;

/** Installs and starts the controller at `bitrate_bps` (classic frames). */
int hal_can_start(uint32_t bitrate_bps);
int hal_can_stop(void);
/**
 * Queues a frame; returns at once. Received frames arrive through fw_on_can_rx(); state changes
 * through fw_on_can_state().
 * @retval HAL_OK, HAL_ERR_INVALID, HAL_ERR_NOT_STARTED, HAL_ERR_BUS_OFF, HAL_ERR_QUEUE_FULL
 */
int hal_can_send(const hal_can_frame_t *f);
/** Current state; TEC and REC through the pointers when not NULL. */
hal_can_state_t hal_can_get_state(uint16_t *tec, uint16_t *rec);
/** Starts bus-off recovery (128 x 11 recessive bits); HAL_ERR_INVALID if not bus-off. */
int hal_can_recover(void);

/* ---- WS2812 byte stream (RMT) ---------------------------------------------------------------- */

/** Sends G,R,B bytes, 3 per pixel, to the LED chain. At most 3 * 64 bytes. */
int hal_ws2812_write(const uint8_t *grb, size_t len);

/* ---- NVS key-value store (nvs_flash) --------------------------------------------------------- */

/**
 * Reads a value. On entry *len is the buffer size; on HAL_OK it is the value's size.
 * @retval HAL_OK, HAL_ERR_NOT_FOUND, HAL_ERR_NO_SPACE (buffer too small; *len = needed)
 */
int hal_nvs_get(const char *ns, const char *key, void *buf, size_t *len);
/** Writes and commits a value (<= 64 bytes; keys <= 15 characters, as on ESP32). */
int hal_nvs_set(const char *ns, const char *key, const void *buf, size_t len);
/** Erases a key; HAL_OK or HAL_ERR_NOT_FOUND. */
int hal_nvs_erase_key(const char *ns, const char *key);
/** Erases every key of a namespace. */
int hal_nvs_erase_all(const char *ns);

/* ---- task watchdog, identity, reset ---------------------------------------------------------- */

/** Arms the watchdog: the node is reset when it is not fed for timeout_ms. */
int hal_wdt_start(uint32_t timeout_ms);
void hal_wdt_feed(void);

/** The 6-byte factory MAC (eFuse), in transmission order. */
void hal_efuse_mac(uint8_t mac[6]);

typedef enum {
    HAL_RESET_POWER_ON = 0,
    HAL_RESET_SOFTWARE,
    HAL_RESET_WATCHDOG,
    HAL_RESET_BROWNOUT,
    HAL_RESET_UNKNOWN,
} hal_reset_reason_t;

/** Why this boot happened. */
hal_reset_reason_t hal_reset_reason(void);
/** Requests a software reset (esp_restart); it takes effect after the current entry point. */
void hal_restart(void);

/* ---- console log ---------------------------------------------------------------------------- */

typedef enum { HAL_LOG_ERROR = 0, HAL_LOG_WARN, HAL_LOG_INFO, HAL_LOG_DEBUG } hal_log_level_t;

#if defined(__GNUC__)
#define HAL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HAL_PRINTF(a, b)
#endif

/** One console line (no trailing newline needed); at most 200 characters are kept. */
void hal_log(hal_log_level_t level, const char *fmt, ...) HAL_PRINTF(2, 3);

/* ==== entry points the firmware core implements; the port calls them ======================== */

/** Once at power-on/reset, before any other entry point. */
void fw_init(void);
/** Timer `id` expired. */
void fw_on_timer(unsigned id);
/** Bytes received on the RS-485 UART. */
void fw_on_uart_rx(const uint8_t *data, size_t len);
/** A CAN frame passed the controller's acceptance. */
void fw_on_can_rx(const hal_can_frame_t *f);
/** The CAN controller changed state. */
void fw_on_can_state(hal_can_state_t state);
/**
 * An ADC burst completed: samples are channel-major, `samples_per_channel` counts for each
 * channel set in `channel_mask`, in ascending channel order; raw 12-bit values (0..4095).
 */
void fw_on_adc_burst(const uint16_t *samples, uint16_t samples_per_channel, uint8_t channel_mask);

#endif
