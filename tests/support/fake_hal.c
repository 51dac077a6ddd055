/*
 * fake_hal.c: the fake HAL for firmware unit tests. See fake_hal.h.
 */
#include "fake_hal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_CAN_TX   8192u
#define MAX_GPIO_LOG 16384u
#define MAX_LOG      512u
#define MAX_PENDING  32u
#define MAX_NVS      32u
#define UART_TX_CAP  4096u
#define ADC_CAP      (4u * 4096u)

typedef enum { EV_UART_RX = 1, EV_ADC_DONE } ev_kind_t;

typedef struct {
    bool used;
    uint64_t due_us;
    uint64_t seq;
    ev_kind_t kind;
    uint8_t bytes[16];
    uint8_t len;
} pending_t;

typedef struct {
    bool armed;
    bool periodic;
    uint32_t period_us;
    uint64_t due_us;
    uint64_t seq;
} fake_timer_t;

typedef struct {
    bool used;
    bool present;
    char ns[16];
    char key[16];
    uint8_t data[64];
    size_t len;
    uint32_t writes;
} nvs_entry_t;

typedef struct {
    uint64_t now_us;
    uint64_t seq;
    fake_timer_t timers[HAL_TIMER_COUNT];
    pending_t pending[MAX_PENDING];

    bool gpio[HAL_SIG_COUNT];
    bool gpio_written[HAL_SIG_COUNT];
    uint32_t gpio_writes[HAL_SIG_COUNT];
    fake_gpio_edge_t gpio_log[MAX_GPIO_LOG];
    size_t gpio_log_n;
    uint64_t edge_ns;

    fake_can_tx_t can_tx[MAX_CAN_TX];
    size_t can_tx_n;
    size_t can_tx_dropped; /* oldest entries dropped from the log in long runs */
    int can_start_rc, can_send_rc;
    bool can_started;
    uint32_t can_bitrate, can_start_calls, can_recover_calls;
    hal_can_state_t can_state;
    uint16_t can_tec;

    uint8_t uart_tx[UART_TX_CAP];
    size_t uart_tx_n;
    uint32_t uart_baud;
    fake_bms_mode_t bms_mode;
    uint16_t bms_dv;
    int16_t bms_ca;
    unsigned bms_fail_n;
    fake_bms_mode_t bms_fail_mode;
    uint32_t bms_requests;

    double adc_rms_a[4], adc_bias[4];
    fake_adc_fn adc_fn;
    void *adc_ctx;
    bool adc_busy;
    hal_adc_burst_cfg_t adc_cfg;
    uint32_t adc_bursts;
    uint64_t adc_start_us;
    uint16_t adc_buf[ADC_CAP];

    uint8_t ws[3u * 64u];
    size_t ws_len;
    uint32_t ws_writes;

    nvs_entry_t nvs[MAX_NVS];
    uint32_t nvs_total_writes;

    uint32_t wdt_timeout_ms, wdt_feeds;
    uint64_t wdt_last_feed_us;
    uint8_t mac[6];
    hal_reset_reason_t reset_reason;
    bool restart;
    char log[MAX_LOG][201];
    size_t log_n;
} fake_t;

static fake_t fk;

static const uint8_t default_mac[6] = {0x24, 0x6F, 0x28, 0x10, 0x20, 0x30};

/* ---- lifecycle ------------------------------------------------------------------------------ */

void fake_hal_reset(void) {
    memset(&fk, 0, sizeof fk);
    memcpy(fk.mac, default_mac, 6);
    fk.reset_reason = HAL_RESET_POWER_ON;
    fk.can_state = HAL_CAN_STOPPED;
    for (unsigned i = 0; i < 4u; i++) {
        fk.adc_bias[i] = 2048.0;
    }
}

void fake_hal_reboot(void) {
    fake_t keep = fk;
    fake_hal_reset();
    fk.now_us = keep.now_us;
    fk.seq = keep.seq;
    memcpy(fk.nvs, keep.nvs, sizeof fk.nvs);
    fk.nvs_total_writes = keep.nvs_total_writes;
    memcpy(fk.mac, keep.mac, 6);
    fk.bms_mode = keep.bms_mode;
    fk.bms_dv = keep.bms_dv;
    fk.bms_ca = keep.bms_ca;
    memcpy(fk.adc_rms_a, keep.adc_rms_a, sizeof fk.adc_rms_a);
    memcpy(fk.adc_bias, keep.adc_bias, sizeof fk.adc_bias);
    fk.adc_fn = keep.adc_fn;
    fk.adc_ctx = keep.adc_ctx;
}

uint64_t fake_hal_time_us(void) {
    return fk.now_us;
}

static void schedule(ev_kind_t kind, uint64_t due_us, const uint8_t *bytes, uint8_t len) {
    for (unsigned i = 0; i < MAX_PENDING; i++) {
        if (!fk.pending[i].used) {
            pending_t *p = &fk.pending[i];
            memset(p, 0, sizeof *p);
            p->used = true;
            p->due_us = due_us;
            p->seq = ++fk.seq;
            p->kind = kind;
            if (len > 0u) {
                memcpy(p->bytes, bytes, len);
            }
            p->len = len;
            return;
        }
    }
    fprintf(stderr, "fake_hal: pending event table full\n");
}

static void fire_adc(void);

/* The earliest due item at or before limit: a timer (returns 0..15) or a pending event (100+i). */
static int next_due(uint64_t limit_us, uint64_t *due) {
    int best = -1;
    uint64_t bd = 0, bs = 0;
    for (unsigned i = 0; i < HAL_TIMER_COUNT; i++) {
        const fake_timer_t *t = &fk.timers[i];
        if (t->armed && t->due_us <= limit_us &&
            (best < 0 || t->due_us < bd || (t->due_us == bd && t->seq < bs))) {
            best = (int)i;
            bd = t->due_us;
            bs = t->seq;
        }
    }
    for (unsigned i = 0; i < MAX_PENDING; i++) {
        const pending_t *p = &fk.pending[i];
        if (p->used && p->due_us <= limit_us &&
            (best < 0 || p->due_us < bd || (p->due_us == bd && p->seq < bs))) {
            best = 100 + (int)i;
            bd = p->due_us;
            bs = p->seq;
        }
    }
    *due = bd;
    return best;
}

static void fire(int which) {
    if (which < 100) {
        fake_timer_t *t = &fk.timers[which];
        if (t->periodic) {
            t->due_us += t->period_us;
            t->seq = ++fk.seq;
        } else {
            t->armed = false;
        }
        fw_on_timer((unsigned)which);
        return;
    }
    pending_t p = fk.pending[which - 100];
    fk.pending[which - 100].used = false;
    if (p.kind == EV_UART_RX) {
        fw_on_uart_rx(p.bytes, p.len);
    } else {
        fire_adc();
    }
}

void fake_hal_run_us(uint64_t us) {
    uint64_t target = fk.now_us + us;
    for (;;) {
        uint64_t due;
        int which = next_due(target, &due);
        if (which < 0) {
            break;
        }
        fk.now_us = due;
        fire(which);
    }
    fk.now_us = target;
}

void fake_hal_run_ms(uint64_t ms) {
    fake_hal_run_us(ms * 1000u);
}

void fake_hal_run_until_ms(uint64_t t_ms) {
    if (t_ms * 1000u > fk.now_us) {
        fake_hal_run_us(t_ms * 1000u - fk.now_us);
    }
}

bool fake_hal_timer_armed(unsigned id) {
    return id < HAL_TIMER_COUNT && fk.timers[id].armed;
}

uint32_t fake_hal_timer_period_us(unsigned id) {
    return id < HAL_TIMER_COUNT ? fk.timers[id].period_us : 0u;
}

bool fake_hal_timer_periodic(unsigned id) {
    return id < HAL_TIMER_COUNT && fk.timers[id].periodic;
}

/* ---- HAL: time and timers ------------------------------------------------------------------- */

uint64_t hal_now_ms(void) {
    return fk.now_us / 1000u;
}

uint64_t hal_now_us(void) {
    return fk.now_us;
}

int hal_timer_start(unsigned id, uint32_t period_us, bool periodic) {
    if (id >= HAL_TIMER_COUNT || period_us == 0u) {
        return HAL_ERR_INVALID;
    }
    fake_timer_t *t = &fk.timers[id];
    t->armed = true;
    t->periodic = periodic;
    t->period_us = period_us;
    t->due_us = fk.now_us + period_us;
    t->seq = ++fk.seq;
    return HAL_OK;
}

int hal_timer_stop(unsigned id) {
    if (id < HAL_TIMER_COUNT) {
        fk.timers[id].armed = false;
    }
    return HAL_OK;
}

/* ---- HAL: GPIO ------------------------------------------------------------------------------ */

void hal_gpio_write(hal_signal_t sig, bool active) {
    if ((unsigned)sig >= HAL_SIG_COUNT) {
        return;
    }
    fk.gpio[sig] = active;
    fk.gpio_written[sig] = true;
    fk.gpio_writes[sig]++;
    if (fk.edge_ns < fk.now_us * 1000u) {
        fk.edge_ns = fk.now_us * 1000u;
    }
    if (fk.gpio_log_n == MAX_GPIO_LOG) {
        memmove(fk.gpio_log, &fk.gpio_log[MAX_GPIO_LOG / 2u],
                (MAX_GPIO_LOG / 2u) * sizeof fk.gpio_log[0]);
        fk.gpio_log_n = MAX_GPIO_LOG / 2u;
    }
    {
        fake_gpio_edge_t *e = &fk.gpio_log[fk.gpio_log_n++];
        e->sig = (uint8_t)sig;
        e->level = active;
        e->t_ns = fk.edge_ns;
    }
}

bool hal_gpio_read(hal_signal_t sig) {
    return (unsigned)sig < HAL_SIG_COUNT && fk.gpio[sig];
}

void hal_delay_us(uint32_t us) {
    if (fk.edge_ns < fk.now_us * 1000u) {
        fk.edge_ns = fk.now_us * 1000u;
    }
    fk.edge_ns += (uint64_t)(us > 100u ? 100u : us) * 1000u;
}

bool fake_hal_gpio(hal_signal_t sig) {
    return hal_gpio_read(sig);
}

bool fake_hal_gpio_written(hal_signal_t sig) {
    return (unsigned)sig < HAL_SIG_COUNT && fk.gpio_written[sig];
}

uint32_t fake_hal_gpio_writes(hal_signal_t sig) {
    return (unsigned)sig < HAL_SIG_COUNT ? fk.gpio_writes[sig] : 0u;
}

size_t fake_hal_gpio_log_count(void) {
    return fk.gpio_log_n;
}

const fake_gpio_edge_t *fake_hal_gpio_log(size_t i) {
    return i < fk.gpio_log_n ? &fk.gpio_log[i] : NULL;
}

void fake_hal_gpio_log_clear(void) {
    fk.gpio_log_n = 0;
}

/* ---- HAL: ADC ------------------------------------------------------------------------------- */

#define NOMINAL_GAIN_A_PER_COUNT (50.0 * 1.4142135623730951 / 2000.0)

static uint16_t sine_sample(unsigned ch, uint32_t i, uint32_t rate_hz) {
    double amp = fk.adc_rms_a[ch] * 1.4142135623730951 / NOMINAL_GAIN_A_PER_COUNT;
    double phase = 0.37 * (double)(ch + 1u); /* arbitrary, different per channel */
    double t = (double)i / (double)rate_hz;
    double v = fk.adc_bias[ch] + amp * sin(2.0 * 3.14159265358979323846 * 50.0 * t + phase);
    long r = lround(v);
    return (uint16_t)(r < 0 ? 0 : (r > 4095 ? 4095 : r));
}

static void fire_adc(void) {
    fk.adc_busy = false;
    uint32_t n = fk.adc_cfg.samples_per_channel;
    unsigned block = 0;
    for (unsigned ch = 0; ch < 4u; ch++) {
        if ((fk.adc_cfg.channel_mask & (1u << ch)) == 0u) {
            continue;
        }
        for (uint32_t i = 0; i < n; i++) {
            fk.adc_buf[block * n + i] =
                fk.adc_fn ? fk.adc_fn(ch, i, fk.adc_cfg.sample_rate_hz, fk.adc_ctx)
                          : sine_sample(ch, i, fk.adc_cfg.sample_rate_hz);
        }
        block++;
    }
    fw_on_adc_burst(fk.adc_buf, (uint16_t)n, fk.adc_cfg.channel_mask);
}

int hal_adc_burst_start(const hal_adc_burst_cfg_t *cfg) {
    if (cfg == NULL || cfg->sample_rate_hz < 1000u || cfg->samples_per_channel == 0u ||
        cfg->samples_per_channel > 4096u || (cfg->channel_mask & 0x0Fu) == 0u) {
        return HAL_ERR_INVALID;
    }
    if (fk.adc_busy) {
        return HAL_ERR_BUSY;
    }
    fk.adc_busy = true;
    fk.adc_cfg = *cfg;
    fk.adc_bursts++;
    fk.adc_start_us = fk.now_us;
    uint64_t dur_us = (uint64_t)cfg->samples_per_channel * 1000000u / cfg->sample_rate_hz;
    schedule(EV_ADC_DONE, fk.now_us + dur_us, NULL, 0);
    return HAL_OK;
}

void fake_hal_adc_sine(unsigned ch, double rms_a, double bias_counts) {
    if (ch < 4u) {
        fk.adc_rms_a[ch] = rms_a;
        fk.adc_bias[ch] = bias_counts;
    }
    fk.adc_fn = NULL;
}

void fake_hal_ct_power_w(unsigned ch, double power_w) {
    fake_hal_adc_sine(ch, power_w / 220.0, 2048.0);
}

void fake_hal_adc_generator(fake_adc_fn fn, void *ctx) {
    fk.adc_fn = fn;
    fk.adc_ctx = ctx;
}

uint32_t fake_hal_adc_bursts(void) {
    return fk.adc_bursts;
}

const hal_adc_burst_cfg_t *fake_hal_adc_last_cfg(void) {
    return &fk.adc_cfg;
}

uint64_t fake_hal_adc_last_start_us(void) {
    return fk.adc_start_us;
}

/* ---- HAL: UART and the fake BMS ------------------------------------------------------------- */

uint16_t fake_hal_crc16(const uint8_t *buf, size_t len) {
    /* Table-free reference with the polynomial written out, independent of the firmware. */
    uint32_t crc = 0xFFFF;
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xA001u : crc >> 1;
        }
    }
    return (uint16_t)crc;
}

static uint8_t build_reply(fake_bms_mode_t mode, uint8_t *r) {
    if (mode == FAKE_BMS_EXCEPTION) {
        r[0] = 0x01;
        r[1] = 0x83;
        r[2] = 0x02;
        uint16_t c = fake_hal_crc16(r, 3);
        r[3] = (uint8_t)(c & 0xFFu);
        r[4] = (uint8_t)(c >> 8);
        return 5;
    }
    r[0] = mode == FAKE_BMS_BAD_ADDR ? 0x02 : 0x01;
    r[1] = 0x03;
    r[2] = mode == FAKE_BMS_BAD_COUNT ? 0x03 : 0x04;
    r[3] = (uint8_t)(fk.bms_dv >> 8);
    r[4] = (uint8_t)(fk.bms_dv & 0xFFu);
    r[5] = (uint8_t)((uint16_t)fk.bms_ca >> 8);
    r[6] = (uint8_t)((uint16_t)fk.bms_ca & 0xFFu);
    uint16_t c = fake_hal_crc16(r, 7);
    if (mode == FAKE_BMS_BAD_CRC) {
        c ^= 0x0101u;
    }
    bool hi_first = mode == FAKE_BMS_CRC_HI_FIRST;
    r[7] = (uint8_t)(hi_first ? c >> 8 : c & 0xFFu);
    r[8] = (uint8_t)(hi_first ? c & 0xFFu : c >> 8);
    return 9;
}

static void bms_answer(const uint8_t *data, size_t len) {
    static const uint8_t req[8] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B};
    if (fk.bms_mode == FAKE_BMS_OFF || len != 8u || memcmp(data, req, 8) != 0) {
        return;
    }
    fk.bms_requests++;
    fake_bms_mode_t mode = fk.bms_mode;
    if (fk.bms_fail_n > 0u) {
        fk.bms_fail_n--;
        mode = fk.bms_fail_mode;
    }
    if (mode == FAKE_BMS_SILENT) {
        return;
    }
    uint8_t r[9];
    uint8_t n = build_reply(mode, r);
    schedule(EV_UART_RX, fk.now_us + FAKE_BMS_DELAY_US, r, n);
}

int hal_uart_open(uint32_t baud) {
    fk.uart_baud = baud;
    return HAL_OK;
}

int hal_uart_write(const uint8_t *data, size_t len) {
    if (fk.uart_baud == 0u) {
        return HAL_ERR_NOT_STARTED;
    }
    if (fk.uart_tx_n + len <= UART_TX_CAP) {
        memcpy(&fk.uart_tx[fk.uart_tx_n], data, len);
        fk.uart_tx_n += len;
    }
    bms_answer(data, len);
    return HAL_OK;
}

void fake_hal_bms(fake_bms_mode_t mode, uint16_t pack_dv, int16_t batt_ca) {
    fk.bms_mode = mode;
    fk.bms_dv = pack_dv;
    fk.bms_ca = batt_ca;
}

void fake_hal_bms_fail_next(unsigned n, fake_bms_mode_t mode) {
    fk.bms_fail_n = n;
    fk.bms_fail_mode = mode;
}

uint32_t fake_hal_bms_requests(void) {
    return fk.bms_requests;
}

size_t fake_hal_uart_tx_len(void) {
    return fk.uart_tx_n;
}

const uint8_t *fake_hal_uart_tx(void) {
    return fk.uart_tx;
}

void fake_hal_uart_tx_clear(void) {
    fk.uart_tx_n = 0;
}

uint32_t fake_hal_uart_baud(void) {
    return fk.uart_baud;
}

void fake_hal_uart_rx(const uint8_t *data, size_t len) {
    fw_on_uart_rx(data, len);
}

/* ---- HAL: CAN ------------------------------------------------------------------------------- */

int hal_can_start(uint32_t bitrate_bps) {
    fk.can_start_calls++;
    fk.can_bitrate = bitrate_bps;
    if (fk.can_start_rc != HAL_OK) {
        return fk.can_start_rc;
    }
    fk.can_started = true;
    fk.can_state = HAL_CAN_ERROR_ACTIVE;
    return HAL_OK;
}

int hal_can_stop(void) {
    fk.can_started = false;
    fk.can_state = HAL_CAN_STOPPED;
    return HAL_OK;
}

int hal_can_send(const hal_can_frame_t *f) {
    if (f == NULL || f->dlc > 8u) {
        return HAL_ERR_INVALID;
    }
    if (!fk.can_started) {
        return HAL_ERR_NOT_STARTED;
    }
    if (fk.can_state == HAL_CAN_BUS_OFF) {
        return HAL_ERR_BUS_OFF;
    }
    if (fk.can_send_rc != HAL_OK) {
        return fk.can_send_rc;
    }
    if (fk.can_tx_n == MAX_CAN_TX) {
        /* Long runs: keep the most recent half so "last frame" queries stay right. */
        memmove(fk.can_tx, &fk.can_tx[MAX_CAN_TX / 2u], (MAX_CAN_TX / 2u) * sizeof fk.can_tx[0]);
        fk.can_tx_n = MAX_CAN_TX / 2u;
        fk.can_tx_dropped += MAX_CAN_TX / 2u;
    }
    {
        fk.can_tx[fk.can_tx_n].f = *f;
        fk.can_tx[fk.can_tx_n].t_us = fk.now_us;
        fk.can_tx_n++;
    }
    return HAL_OK;
}

hal_can_state_t hal_can_get_state(uint16_t *tec, uint16_t *rec) {
    if (tec != NULL) {
        *tec = fk.can_tec;
    }
    if (rec != NULL) {
        *rec = 0;
    }
    return fk.can_state;
}

int hal_can_recover(void) {
    fk.can_recover_calls++;
    return fk.can_state == HAL_CAN_BUS_OFF ? HAL_OK : HAL_ERR_INVALID;
}

size_t fake_hal_can_tx_count(void) {
    return fk.can_tx_n;
}

const fake_can_tx_t *fake_hal_can_tx(size_t i) {
    return i < fk.can_tx_n ? &fk.can_tx[i] : NULL;
}

size_t fake_hal_can_count_id(uint32_t id) {
    size_t n = 0;
    for (size_t i = 0; i < fk.can_tx_n; i++) {
        n += fk.can_tx[i].f.id == id ? 1u : 0u;
    }
    return n;
}

const hal_can_frame_t *fake_hal_can_last(uint32_t id) {
    for (size_t i = fk.can_tx_n; i-- > 0;) {
        if (fk.can_tx[i].f.id == id) {
            return &fk.can_tx[i].f;
        }
    }
    return NULL;
}

const hal_can_frame_t *fake_hal_can_last_tel(uint8_t node, uint8_t page) {
    for (size_t i = fk.can_tx_n; i-- > 0;) {
        const hal_can_frame_t *f = &fk.can_tx[i].f;
        if (f->id == 0x100u + node && f->dlc >= 1u && f->data[0] == page) {
            return f;
        }
    }
    return NULL;
}

void fake_hal_can_clear(void) {
    fk.can_tx_n = 0;
}

void fake_hal_can_rx(uint32_t id, uint8_t dlc, const uint8_t *data) {
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.dlc = dlc;
    if (data != NULL && dlc > 0u) {
        memcpy(f.data, data, dlc > 8u ? 8u : dlc);
    }
    fw_on_can_rx(&f);
}

void fake_hal_can_ann(uint8_t node, uint8_t type, uint32_t tail) {
    uint8_t d[8] = {
        type,         2, 5, 0, (uint8_t)(tail >> 24), (uint8_t)(tail >> 16), (uint8_t)(tail >> 8),
        (uint8_t)tail};
    fake_hal_can_rx(0x300u + node, 8, d);
}

void fake_hal_can_tel(uint8_t node, uint8_t page, const uint8_t *b7) {
    uint8_t d[8] = {page};
    memcpy(&d[1], b7, 7);
    fake_hal_can_rx(0x100u + node, 8, d);
}

void fake_hal_can_set_start_rc(int rc) {
    fk.can_start_rc = rc;
}

void fake_hal_can_set_send_rc(int rc) {
    fk.can_send_rc = rc;
}

void fake_hal_can_set_state(hal_can_state_t st, uint16_t tec) {
    fk.can_state = st;
    fk.can_tec = tec;
    fw_on_can_state(st);
}

uint32_t fake_hal_can_start_calls(void) {
    return fk.can_start_calls;
}

uint32_t fake_hal_can_recover_calls(void) {
    return fk.can_recover_calls;
}

uint32_t fake_hal_can_bitrate(void) {
    return fk.can_bitrate;
}

/* ---- HAL: WS2812 ---------------------------------------------------------------------------- */

int hal_ws2812_write(const uint8_t *grb, size_t len) {
    if (len > sizeof fk.ws || len % 3u != 0u) {
        return HAL_ERR_INVALID;
    }
    memcpy(fk.ws, grb, len);
    fk.ws_len = len;
    fk.ws_writes++;
    return HAL_OK;
}

const uint8_t *fake_hal_ws2812(size_t *len) {
    *len = fk.ws_len;
    return fk.ws;
}

uint32_t fake_hal_ws2812_writes(void) {
    return fk.ws_writes;
}

/* ---- HAL: NVS ------------------------------------------------------------------------------- */

static nvs_entry_t *nvs_find(const char *ns, const char *key, bool create) {
    for (unsigned i = 0; i < MAX_NVS; i++) {
        nvs_entry_t *e = &fk.nvs[i];
        if (e->used && strcmp(e->ns, ns) == 0 && strcmp(e->key, key) == 0) {
            return e;
        }
    }
    if (!create) {
        return NULL;
    }
    for (unsigned i = 0; i < MAX_NVS; i++) {
        nvs_entry_t *e = &fk.nvs[i];
        if (!e->used) {
            memset(e, 0, sizeof *e);
            e->used = true;
            snprintf(e->ns, sizeof e->ns, "%s", ns);
            snprintf(e->key, sizeof e->key, "%s", key);
            return e;
        }
    }
    return NULL;
}

int hal_nvs_get(const char *ns, const char *key, void *buf, size_t *len) {
    nvs_entry_t *e = nvs_find(ns, key, false);
    if (e == NULL || !e->present) {
        return HAL_ERR_NOT_FOUND;
    }
    if (*len < e->len) {
        *len = e->len;
        return HAL_ERR_NO_SPACE;
    }
    memcpy(buf, e->data, e->len);
    *len = e->len;
    return HAL_OK;
}

int hal_nvs_set(const char *ns, const char *key, const void *buf, size_t len) {
    if (len > sizeof fk.nvs[0].data || strlen(key) > 15u) {
        return HAL_ERR_INVALID;
    }
    nvs_entry_t *e = nvs_find(ns, key, true);
    if (e == NULL) {
        return HAL_ERR_NO_SPACE;
    }
    memcpy(e->data, buf, len);
    e->len = len;
    e->present = true;
    e->writes++;
    fk.nvs_total_writes++;
    return HAL_OK;
}

int hal_nvs_erase_key(const char *ns, const char *key) {
    nvs_entry_t *e = nvs_find(ns, key, false);
    if (e == NULL || !e->present) {
        return HAL_ERR_NOT_FOUND;
    }
    e->present = false;
    return HAL_OK;
}

int hal_nvs_erase_all(const char *ns) {
    for (unsigned i = 0; i < MAX_NVS; i++) {
        if (fk.nvs[i].used && strcmp(fk.nvs[i].ns, ns) == 0) {
            fk.nvs[i].present = false;
        }
    }
    return HAL_OK;
}

uint32_t fake_hal_nvs_writes(const char *key) {
    nvs_entry_t *e = nvs_find("alfaspark", key, false);
    return e ? e->writes : 0u;
}

uint32_t fake_hal_nvs_total_writes(void) {
    return fk.nvs_total_writes;
}

bool fake_hal_nvs_has(const char *key) {
    nvs_entry_t *e = nvs_find("alfaspark", key, false);
    return e != NULL && e->present;
}

int fake_hal_nvs_peek(const char *key, void *buf, size_t cap) {
    nvs_entry_t *e = nvs_find("alfaspark", key, false);
    if (e == NULL || !e->present || e->len > cap) {
        return -1;
    }
    memcpy(buf, e->data, e->len);
    return (int)e->len;
}

void fake_hal_nvs_preset(const char *key, const void *buf, size_t len) {
    nvs_entry_t *e = nvs_find("alfaspark", key, true);
    if (e != NULL && len <= sizeof e->data) {
        memcpy(e->data, buf, len);
        e->len = len;
        e->present = true;
    }
}

/* ---- HAL: watchdog, identity, reset, log ------------------------------------------------------
 */

int hal_wdt_start(uint32_t timeout_ms) {
    fk.wdt_timeout_ms = timeout_ms;
    return HAL_OK;
}

void hal_wdt_feed(void) {
    fk.wdt_feeds++;
    fk.wdt_last_feed_us = fk.now_us;
}

void hal_efuse_mac(uint8_t mac[6]) {
    memcpy(mac, fk.mac, 6);
}

hal_reset_reason_t hal_reset_reason(void) {
    return fk.reset_reason;
}

void hal_restart(void) {
    fk.restart = true;
}

void hal_log(hal_log_level_t level, const char *fmt, ...) {
    (void)level;
    if (fk.log_n >= MAX_LOG) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fk.log[fk.log_n], sizeof fk.log[0], fmt, ap);
    va_end(ap);
    fk.log_n++;
}

uint32_t fake_hal_wdt_timeout_ms(void) {
    return fk.wdt_timeout_ms;
}

uint32_t fake_hal_wdt_feeds(void) {
    return fk.wdt_feeds;
}

uint64_t fake_hal_wdt_last_feed_us(void) {
    return fk.wdt_last_feed_us;
}

void fake_hal_set_mac(const uint8_t mac[6]) {
    memcpy(fk.mac, mac, 6);
}

void fake_hal_set_reset_reason(hal_reset_reason_t r) {
    fk.reset_reason = r;
}

bool fake_hal_restart_requested(void) {
    return fk.restart;
}

size_t fake_hal_log_count(void) {
    return fk.log_n;
}

const char *fake_hal_log_line(size_t i) {
    return i < fk.log_n ? fk.log[i] : NULL;
}

bool fake_hal_log_contains(const char *needle) {
    for (size_t i = 0; i < fk.log_n; i++) {
        if (strstr(fk.log[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

/* ---- conveniences --------------------------------------------------------------------------- */

static const hal_can_frame_t *last_ack;

int fake_hal_cmd(uint32_t id, uint8_t target, uint8_t seq, const uint8_t *args, uint8_t nargs) {
    uint8_t d[8] = {target, seq};
    if (nargs > 6u) {
        nargs = 6u;
    }
    if (nargs > 0u) {
        memcpy(&d[2], args, nargs);
    }
    size_t before = fk.can_tx_n + fk.can_tx_dropped;
    fake_hal_can_rx(id, (uint8_t)(2u + nargs), d);
    before -= fk.can_tx_dropped;
    last_ack = NULL;
    for (size_t i = before; i < fk.can_tx_n; i++) {
        const hal_can_frame_t *f = &fk.can_tx[i].f;
        if (f->id >= 0x280u && f->id <= 0x2FEu) {
            last_ack = f;
            return f->data[2];
        }
    }
    return -1;
}

const hal_can_frame_t *fake_hal_last_ack(void) {
    return last_ack;
}

void fake_hal_time_broadcast(uint8_t hour, uint8_t minute, uint8_t day) {
    uint8_t d[5] = {hour, day, minute, 6, 25};
    fake_hal_can_rx(0x7FFu, 5, d);
}
