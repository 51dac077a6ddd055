/*
 * sim_node_proxy.c: the host operations table an isolated firmware calls, in the child.
 *
 * Each operation gives the firmware the answer the host would give, computed from the mirror
 * with the same rules as the host's operations (sim_node_ops.c, _gpio.c, _io.c, _dev.c), records
 * itself with that answer, and updates the mirror with its own effect (a queued frame takes a TX
 * slot, an open UART is open, a level is driven, an NVS write is written). The host performs the
 * recorded operation and compares; when a rule here drifts from the host's, the node faults with
 * "protocol" instead of running on with a firmware that saw the wrong thing.
 *
 * Pure reads (time, identity, NVS reads, CAN state, GPIO levels without a device model) are not
 * recorded: the host's versions have no side effects. Operations whose answer only the world
 * knows within the same instant are sync: the child waits for the host to perform them.
 */
#include <string.h>

#include "sim_node_child.h"
#include "sim_nvs.h"

#define WS2812_BYTES_MAX (3u * 64u)

static child_t *child_of(void *ctx) {
    return ctx;
}

/* Records an operation with integer arguments only. */
static void put(child_t *c, unsigned code, int32_t expect, uint32_t a, uint32_t b, uint32_t cc) {
    sim_iso_op_t op = {.op = (uint16_t)code, .expect = expect, .a = a, .b = b, .c = cc};
    sim_node__child_put_op(c, &op, NULL, NULL, NULL);
}

/* Records an operation with one byte string of `len` bytes (cut to `cap`), or NULL. */
static void put_blob(child_t *c, unsigned code, int32_t expect, uint32_t a, const void *p,
                     size_t len, size_t cap) {
    sim_iso_op_t op = {.op = (uint16_t)code, .expect = expect, .a = a};
    op.nulls = p == NULL ? 1u : 0u;
    op.blob[0] = (uint16_t)(p == NULL ? 0 : len < cap ? len : cap);
    sim_node__child_put_op(c, &op, p, NULL, NULL);
}

/* ---- time, timers, watchdog, identity, restart, log ----------------------------------------- */

static uint64_t p_now_us(void *ctx) {
    return child_of(ctx)->m.now_us;
}

static int p_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    int rc = id < HAL_TIMER_COUNT && period_us != 0 ? HAL_OK : HAL_ERR_INVALID;
    put(child_of(ctx), SIM_ISO_OP_TIMER_START, rc, id, period_us, periodic);
    return rc;
}

static int p_timer_stop(void *ctx, unsigned id) {
    int rc = id < HAL_TIMER_COUNT ? HAL_OK : HAL_ERR_INVALID;
    put(child_of(ctx), SIM_ISO_OP_TIMER_STOP, rc, id, 0, 0);
    return rc;
}

static int p_wdt_start(void *ctx, uint32_t timeout_ms) {
    int rc = timeout_ms != 0 ? HAL_OK : HAL_ERR_INVALID;
    put(child_of(ctx), SIM_ISO_OP_WDT_START, rc, timeout_ms, 0, 0);
    return rc;
}

static void p_wdt_feed(void *ctx) {
    put(child_of(ctx), SIM_ISO_OP_WDT_FEED, 0, 0, 0, 0);
}

static void p_efuse_mac(void *ctx, uint8_t mac[6]) {
    if (mac != NULL) { /* as in process (sim_node_ops.c) */
        memcpy(mac, child_of(ctx)->mac, 6);
    }
}

static int p_reset_reason(void *ctx) {
    return child_of(ctx)->reason;
}

static void p_restart(void *ctx) {
    child_t *c = child_of(ctx);
    put(c, SIM_ISO_OP_RESTART, 0, 0, 0, 0);
    c->restart = true;
}

static void p_log(void *ctx, int level, const char *line) {
    size_t len = 0;
    while (line != NULL && len < SIM_ISO_TEXT_MAX && line[len] != '\0') {
        len++;
    }
    put_blob(child_of(ctx), SIM_ISO_OP_LOG, 0, (uint32_t)level, line, len, SIM_ISO_TEXT_MAX);
}

/* ---- GPIO ------------------------------------------------------------------------------------ */

static void p_gpio_write(void *ctx, unsigned sig, bool active) {
    child_t *c = child_of(ctx);
    put(c, SIM_ISO_OP_GPIO_WRITE, 0, sig, active, 0);
    if (sig < HAL_SIG_COUNT) {
        uint16_t bit = (uint16_t)(1u << sig);
        c->m.levels = (uint16_t)(active ? c->m.levels | bit : c->m.levels & ~bit);
    }
}

static bool p_gpio_read(void *ctx, unsigned sig) {
    child_t *c = child_of(ctx);
    if (sig >= HAL_SIG_COUNT) {
        return false;
    }
    if (c->m.flags & SIM_ISO_M_GPIO_INPUT) {
        sim_iso_op_t op = {.op = SIM_ISO_OP_GPIO_READ, .a = sig};
        return sim_node__child_sync(c, &op) != 0;
    }
    return (c->m.levels >> sig) & 1u;
}

static void p_delay_us(void *ctx, uint32_t us) {
    put(child_of(ctx), SIM_ISO_OP_DELAY_US, 0, us, 0, 0);
}

/* ---- ADC, WS2812 ----------------------------------------------------------------------------- */

static int adc_rc(const child_t *c, const hal_adc_burst_cfg_t *cfg) {
    if (!(c->m.flags & SIM_ISO_M_ADC)) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (cfg == NULL || cfg->sample_rate_hz < 1000 || cfg->samples_per_channel == 0 ||
        cfg->samples_per_channel > 4096 || cfg->channel_mask == 0 ||
        (cfg->channel_mask >> HAL_ADC_CHANNELS) != 0) {
        return HAL_ERR_INVALID;
    }
    return (c->m.flags & SIM_ISO_M_ADC_BUSY) ? HAL_ERR_BUSY : HAL_OK;
}

static int p_adc_burst_start(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    child_t *c = child_of(ctx);
    int rc = adc_rc(c, cfg);
    put_blob(c, SIM_ISO_OP_ADC_START, rc, 0, cfg, sizeof *cfg, sizeof *cfg);
    if (rc == HAL_OK) {
        c->m.flags |= SIM_ISO_M_ADC_BUSY;
    }
    return rc;
}

static int p_ws2812_write(void *ctx, const uint8_t *grb, size_t len) {
    int rc = (grb == NULL && len > 0) || len > WS2812_BYTES_MAX || len % 3u != 0 ? HAL_ERR_INVALID
                                                                                 : HAL_OK;
    put_blob(child_of(ctx), SIM_ISO_OP_WS2812, rc, (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len),
             grb, len, WS2812_BYTES_MAX + 3u);
    return rc;
}

/* ---- UART ------------------------------------------------------------------------------------ */

static int uart_open_rc(const child_t *c, uint32_t baud) {
    if (!(c->m.flags & SIM_ISO_M_UART)) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (baud == 0) {
        return HAL_ERR_INVALID;
    }
    int64_t want_ns = 10 * SIM_NS_PER_S / (int64_t)baud, line_ns = c->m.uart_char_ns;
    int64_t diff = want_ns > line_ns ? want_ns - line_ns : line_ns - want_ns;
    return diff * 100 > line_ns ? HAL_ERR_INVALID : HAL_OK;
}

static int p_uart_open(void *ctx, uint32_t baud) {
    child_t *c = child_of(ctx);
    int rc = uart_open_rc(c, baud);
    put(c, SIM_ISO_OP_UART_OPEN, rc, baud, 0, 0);
    if (rc == HAL_OK) {
        c->m.flags |= SIM_ISO_M_UART_OPEN;
    }
    return rc;
}

static int uart_write_rc(const child_t *c, const uint8_t *data, size_t len) {
    if (!(c->m.flags & SIM_ISO_M_UART)) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (!(c->m.flags & SIM_ISO_M_UART_OPEN)) {
        return HAL_ERR_NOT_STARTED;
    }
    if (data == NULL && len > 0) {
        return HAL_ERR_INVALID;
    }
    return len > c->m.uart_tx_free ? HAL_ERR_QUEUE_FULL : HAL_OK;
}

static int p_uart_write(void *ctx, const uint8_t *data, size_t len) {
    child_t *c = child_of(ctx);
    int rc = uart_write_rc(c, data, len);
    put_blob(c, SIM_ISO_OP_UART_WRITE, rc, (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len), data,
             len, SIM_ISO_BLOB_MAX);
    if (rc == HAL_OK) {
        c->m.uart_tx_free = (uint16_t)(c->m.uart_tx_free - len);
    }
    return rc;
}

/* ---- CAN ------------------------------------------------------------------------------------- */

static int can_send_rc(const child_t *c, const hal_can_frame_t *f) {
    if (!(c->m.flags & SIM_ISO_M_CAN)) {
        return HAL_ERR_UNSUPPORTED;
    }
    uint32_t id_max = (f != NULL && (f->flags & HAL_CAN_FLAG_EXT)) ? 0x1FFFFFFFu : 0x7FFu;
    if (f == NULL || f->dlc > 8 || f->id > id_max) {
        return HAL_ERR_INVALID;
    }
    if (c->m.can_state == HAL_CAN_STOPPED) {
        return HAL_ERR_NOT_STARTED;
    }
    if (c->m.can_state == HAL_CAN_BUS_OFF || c->m.can_state == HAL_CAN_RECOVERING) {
        return HAL_ERR_BUS_OFF;
    }
    return c->m.can_tx_free == 0 ? HAL_ERR_QUEUE_FULL : HAL_OK;
}

static int p_can_send(void *ctx, const hal_can_frame_t *f) {
    child_t *c = child_of(ctx);
    int rc = can_send_rc(c, f);
    put_blob(c, SIM_ISO_OP_CAN_SEND, rc, 0, f, sizeof *f, sizeof *f);
    if (rc == HAL_OK) {
        c->m.can_tx_free--;
    }
    return rc;
}

static int p_can_start(void *ctx, uint32_t bitrate_bps) {
    sim_iso_op_t op = {.op = SIM_ISO_OP_CAN_START, .a = bitrate_bps};
    return sim_node__child_sync(child_of(ctx), &op);
}

static int p_can_stop(void *ctx) {
    sim_iso_op_t op = {.op = SIM_ISO_OP_CAN_STOP};
    return sim_node__child_sync(child_of(ctx), &op);
}

static int p_can_recover(void *ctx) {
    sim_iso_op_t op = {.op = SIM_ISO_OP_CAN_RECOVER};
    return sim_node__child_sync(child_of(ctx), &op);
}

static int p_can_get_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    const child_t *c = child_of(ctx);
    if (tec != NULL) {
        *tec = c->m.can_tec;
    }
    if (rec != NULL) {
        *rec = c->m.can_rec;
    }
    return c->m.can_state;
}

/* ---- NVS: the child's own copy of the image answers, and records each change --------------- */

static size_t name_len(const char *s) {
    size_t n = 0;
    while (s != NULL && n < SIM_ISO_NAME_MAX && s[n] != '\0') {
        n++;
    }
    return n;
}

/* Records an NVS operation: names cut at SIM_ISO_NAME_MAX (still too long, so still refused). */
static void put_nvs(child_t *c, unsigned code, int32_t expect, const char *ns, const char *key,
                    const void *value, size_t len) {
    sim_iso_op_t op = {.op = (uint16_t)code, .expect = expect};
    op.a = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    op.nulls =
        (uint8_t)((ns == NULL ? 1u : 0u) | (key == NULL ? 2u : 0u) | (value == NULL ? 4u : 0u));
    op.blob[0] = (uint16_t)name_len(ns);
    op.blob[1] = (uint16_t)name_len(key);
    op.blob[2] = (uint16_t)(value == NULL ? 0 : len < SIM_NVS_VALUE_MAX ? len : SIM_NVS_VALUE_MAX);
    sim_node__child_put_op(c, &op, ns, key, value);
}

static int p_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    return sim_node__nvs_to_hal(sim_nvs_get(child_of(ctx)->nvs, ns, key, buf, len));
}

static int p_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    child_t *c = child_of(ctx);
    int rc = sim_node__nvs_to_hal(sim_nvs_set(c->nvs, ns, key, buf, len));
    put_nvs(c, SIM_ISO_OP_NVS_SET, rc, ns, key, buf, len);
    return rc;
}

static int p_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    child_t *c = child_of(ctx);
    int rc = sim_node__nvs_to_hal(sim_nvs_erase_key(c->nvs, ns, key));
    put_nvs(c, SIM_ISO_OP_NVS_ERASE_KEY, rc, ns, key, NULL, 0);
    return rc;
}

static int p_nvs_erase_all(void *ctx, const char *ns) {
    child_t *c = child_of(ctx);
    int rc = HAL_ERR_INVALID; /* sim_node_ops.c: NULL is not "all namespaces" for the firmware */
    if (ns != NULL) {
        int n = sim_nvs_erase_all(c->nvs, ns);
        rc = n >= 0 ? HAL_OK : sim_node__nvs_to_hal(n);
    }
    put_nvs(c, SIM_ISO_OP_NVS_ERASE_ALL, rc, ns, NULL, NULL, 0);
    return rc;
}

void sim_node__proxy_fill(child_t *c) {
    alfasim_host_ops_t *h = &c->proxy;
    memset(h, 0, sizeof *h);
    h->abi_version = ALFASIM_PLUGIN_ABI_VERSION;
    h->size = (uint32_t)sizeof *h;
    h->ctx = c;
    h->now_us = p_now_us;
    h->now_us_cell = &c->m.now_us; /* what p_now_us answers, as a cell */
    h->timer_start = p_timer_start;
    h->timer_stop = p_timer_stop;
    h->gpio_write = p_gpio_write;
    h->gpio_read = p_gpio_read;
    h->delay_us = p_delay_us;
    h->adc_burst_start = p_adc_burst_start;
    h->uart_open = p_uart_open;
    h->uart_write = p_uart_write;
    h->can_start = p_can_start;
    h->can_stop = p_can_stop;
    h->can_send = p_can_send;
    h->can_get_state = p_can_get_state;
    h->can_recover = p_can_recover;
    h->ws2812_write = p_ws2812_write;
    h->nvs_get = p_nvs_get;
    h->nvs_set = p_nvs_set;
    h->nvs_erase_key = p_nvs_erase_key;
    h->nvs_erase_all = p_nvs_erase_all;
    h->wdt_start = p_wdt_start;
    h->wdt_feed = p_wdt_feed;
    h->efuse_mac = p_efuse_mac;
    h->reset_reason = p_reset_reason;
    h->restart = p_restart;
    h->log = p_log;
}
