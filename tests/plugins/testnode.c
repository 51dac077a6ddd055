/*
 * testnode.c: a small test firmware for the node host's tests (not the Alfaspark firmware).
 *
 * Written only against hal.h, with its state in globals on purpose: a node host that shared one
 * copy between nodes, or kept RAM across a power cycle, shows up in its counters.
 *
 *   boot       boots = NVS "test"/"boots" + 1, written back; console banner with the reset
 *              reason; CAN at 500 kbit/s; watchdog 1 s; timer 0 every 100 ms.
 *   timer 0    heartbeat 0x700 + node: [beats lo, beats hi, boots, rx lo]; toggles the green
 *              LED; feeds the watchdog unless told to starve.
 *   0x123      query (data[0] == node or 0xFF): reply 0x600 + node with
 *              [beats lo, beats hi, rx lo, rx hi, boots, queries, node].
 *   0x124      (data[0] == node or 0xFF) stop feeding the watchdog.
 *   0x125      command (data[0] == node or 0xFF), data[1] selects it; results on 0x680 + node,
 *              first byte = command | 0x80:
 *                1 bit-bang from CLK = DIO = low: CLK and DIO up, 5 us, DIO down, 10 us, CLK
 *                  down and DIO released (up), read DIO, 150 us (capped at 100), DIO down;
 *                  reply [0x81, the DIO level read back]
 *                2 ADC burst: rate data[2] kHz, data[3] samples per channel, mask data[4]; reply
 *                  [0x82, rc] at once, [0xC2, spc, first lo, first hi, last lo, last hi] when done
 *                3 UART: open at 9600, write data[2..dlc-1]; reply [0x83, rc]
 *                4 WS2812: write data[2..7] (two pixels); reply [0x84, rc]
 *                5 restart (hal_restart)
 *                6 NVS: write "test"/"same" = data[2], data[3] times; reply [0x86, rc]
 *                7 timer 1 one-shot data[2] ms; on expiry reply [0x87, now_ms lo, now_ms hi]
 *                8 console line "testnode <node> level <data[2]>" at level data[2] (any value,
 *                  valid or not); no reply
 *   UART rx    each received chunk: reply 0x680 + node [0x90, len, first byte]
 *
 * "node" is mac[5] & 0x7F. Counters are 16-bit in frames (low byte first).
 */
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define TIMER_BEAT     0u
#define TIMER_SHOT     1u
#define BEAT_PERIOD_US 100000u
#define WDT_TIMEOUT_MS 1000u

static uint8_t node;
static uint8_t boots;
static uint16_t beats;
static uint16_t rx_count;
static uint8_t queries;
static bool starve;
static bool led;

static const char *reason_name(hal_reset_reason_t r) {
    switch (r) {
        case HAL_RESET_POWER_ON:
            return "power_on";
        case HAL_RESET_SOFTWARE:
            return "software";
        case HAL_RESET_WATCHDOG:
            return "watchdog";
        case HAL_RESET_BROWNOUT:
            return "brownout";
        case HAL_RESET_UNKNOWN:
            return "unknown";
    }
    return "?";
}

static void send(uint32_t id, const uint8_t *data, uint8_t dlc) {
    hal_can_frame_t f = {.id = id, .dlc = dlc};
    for (uint8_t i = 0; i < dlc; i++) {
        f.data[i] = data[i];
    }
    (void)hal_can_send(&f);
}

static void reply(const uint8_t *data, uint8_t dlc) {
    send(0x680u + node, data, dlc);
}

void fw_init(void) {
    uint8_t mac[6];
    hal_efuse_mac(mac);
    node = mac[5] & 0x7Fu;
    uint8_t stored = 0;
    size_t len = sizeof stored;
    if (hal_nvs_get("test", "boots", &stored, &len) != HAL_OK || len != 1) {
        stored = 0;
    }
    boots = (uint8_t)(stored + 1u);
    (void)hal_nvs_set("test", "boots", &boots, 1);
    hal_log(HAL_LOG_INFO, "testnode %u boot %u reason %s", (unsigned)node, (unsigned)boots,
            reason_name(hal_reset_reason()));
    (void)hal_can_start(500000);
    (void)hal_wdt_start(WDT_TIMEOUT_MS);
    (void)hal_timer_start(TIMER_BEAT, BEAT_PERIOD_US, true);
}

static void heartbeat(void) {
    beats++;
    uint8_t d[4] = {(uint8_t)beats, (uint8_t)(beats >> 8), boots, (uint8_t)rx_count};
    send(0x700u + node, d, sizeof d);
    led = !led;
    hal_gpio_write(HAL_SIG_LED_GREEN, led);
    if (!starve) {
        hal_wdt_feed();
    }
}

void fw_on_timer(unsigned id) {
    if (id == TIMER_BEAT) {
        heartbeat();
    } else if (id == TIMER_SHOT) {
        uint64_t ms = hal_now_ms();
        uint8_t d[3] = {0x87, (uint8_t)ms, (uint8_t)(ms >> 8)};
        reply(d, sizeof d);
    }
}

static void bitbang(void) {
    hal_gpio_write(HAL_SIG_TM1637_CLK, true);
    hal_gpio_write(HAL_SIG_TM1637_DIO, true);
    hal_delay_us(5);
    hal_gpio_write(HAL_SIG_TM1637_DIO, false);
    hal_delay_us(10);
    hal_gpio_write(HAL_SIG_TM1637_CLK, false);
    hal_gpio_write(HAL_SIG_TM1637_DIO, true); /* released: the device may pull it low */
    uint8_t level = hal_gpio_read(HAL_SIG_TM1637_DIO) ? 1u : 0u;
    hal_delay_us(150);
    hal_gpio_write(HAL_SIG_TM1637_DIO, false); /* back to idle: both lines low */
    uint8_t d[2] = {0x81, level};
    reply(d, sizeof d);
}

static void command(const hal_can_frame_t *f) {
    uint8_t d[2] = {(uint8_t)(f->data[1] | 0x80u), 0};
    int rc = HAL_OK;
    switch (f->data[1]) {
        case 1:
            bitbang();
            return;
        case 2: {
            hal_adc_burst_cfg_t cfg = {.sample_rate_hz = 1000u * f->data[2],
                                       .samples_per_channel = f->data[3],
                                       .channel_mask = f->data[4]};
            rc = hal_adc_burst_start(&cfg);
            break;
        }
        case 3:
            rc = hal_uart_open(9600);
            if (rc == HAL_OK && f->dlc > 2) {
                rc = hal_uart_write(&f->data[2], (size_t)(f->dlc - 2u));
            }
            break;
        case 4:
            rc = hal_ws2812_write(&f->data[2], 6);
            break;
        case 5:
            hal_restart();
            return;
        case 6:
            for (uint8_t i = 0; i < f->data[3]; i++) {
                rc = hal_nvs_set("test", "same", &f->data[2], 1);
            }
            break;
        case 7:
            rc = hal_timer_start(TIMER_SHOT, 1000u * f->data[2], false);
            break;
        case 8:
            hal_log((hal_log_level_t)f->data[2], "testnode %u level %u", (unsigned)node,
                    (unsigned)f->data[2]);
            return;
        default:
            return;
    }
    d[1] = (uint8_t)(int8_t)rc;
    reply(d, sizeof d);
}

static bool for_me(const hal_can_frame_t *f) {
    return f->dlc >= 1 && (f->data[0] == 0xFFu || f->data[0] == node);
}

void fw_on_can_rx(const hal_can_frame_t *f) {
    rx_count++;
    if (f->id == 0x123u && for_me(f)) {
        queries++;
        uint8_t d[7] = {(uint8_t)beats,
                        (uint8_t)(beats >> 8),
                        (uint8_t)rx_count,
                        (uint8_t)(rx_count >> 8),
                        boots,
                        queries,
                        node};
        send(0x600u + node, d, sizeof d);
    } else if (f->id == 0x124u && for_me(f)) {
        starve = true;
    } else if (f->id == 0x125u && f->dlc >= 2 && for_me(f)) {
        command(f);
    }
}

void fw_on_can_state(hal_can_state_t state) {
    (void)state;
}

void fw_on_uart_rx(const uint8_t *data, size_t len) {
    uint8_t d[3] = {0x90, (uint8_t)len, len > 0 ? data[0] : 0};
    reply(d, sizeof d);
}

void fw_on_adc_burst(const uint16_t *samples, uint16_t samples_per_channel, uint8_t channel_mask) {
    unsigned channels = 0;
    for (unsigned b = 0; b < HAL_ADC_CHANNELS; b++) {
        channels += (channel_mask >> b) & 1u;
    }
    uint16_t first = samples[0];
    uint16_t last = samples[channels * samples_per_channel - 1u];
    uint8_t d[6] = {0xC2,           (uint8_t)samples_per_channel,
                    (uint8_t)first, (uint8_t)(first >> 8),
                    (uint8_t)last,  (uint8_t)(last >> 8)};
    reply(d, sizeof d);
}
