/*
 * port_sim.c: the simulator port of the HAL. It is compiled into every firmware plugin and is
 * the only code in the plugin that knows about the host: each hal_* function forwards to the
 * host operations table received at init, and the descriptor exposes the firmware's fw_* entry
 * points. Its globals live in the plugin copy, so each node has its own.
 */
#include <stdarg.h>
#include <stdio.h>

#include "alfasim_plugin.h"

#ifndef ALFASIM_PLUGIN_NAME
#define ALFASIM_PLUGIN_NAME "firmware"
#endif
#ifndef ALFASIM_FW_VERSION
#define ALFASIM_FW_VERSION "0"
#endif

#define EXPORT __attribute__((visibility("default")))

static const alfasim_host_ops_t *host;
static const uint64_t *now_us_cell; /* the host's time cell, or NULL (alfasim_plugin.h) */

uint64_t hal_now_us(void) {
    return now_us_cell != NULL ? *now_us_cell : host->now_us(host->ctx);
}

uint64_t hal_now_ms(void) {
    return hal_now_us() / 1000u;
}

int hal_timer_start(unsigned id, uint32_t period_us, bool periodic) {
    return host->timer_start(host->ctx, id, period_us, periodic);
}

int hal_timer_stop(unsigned id) {
    return host->timer_stop(host->ctx, id);
}

void hal_gpio_write(hal_signal_t sig, bool active) {
    host->gpio_write(host->ctx, (unsigned)sig, active);
}

bool hal_gpio_read(hal_signal_t sig) {
    return host->gpio_read(host->ctx, (unsigned)sig);
}

void hal_delay_us(uint32_t us) {
    host->delay_us(host->ctx, us);
}

int hal_adc_burst_start(const hal_adc_burst_cfg_t *cfg) {
    return host->adc_burst_start(host->ctx, cfg);
}

int hal_uart_open(uint32_t baud) {
    return host->uart_open(host->ctx, baud);
}

int hal_uart_write(const uint8_t *data, size_t len) {
    return host->uart_write(host->ctx, data, len);
}

int hal_can_start(uint32_t bitrate_bps) {
    return host->can_start(host->ctx, bitrate_bps);
}

int hal_can_stop(void) {
    return host->can_stop(host->ctx);
}

int hal_can_send(const hal_can_frame_t *f) {
    return host->can_send(host->ctx, f);
}

hal_can_state_t hal_can_get_state(uint16_t *tec, uint16_t *rec) {
    return (hal_can_state_t)host->can_get_state(host->ctx, tec, rec);
}

int hal_can_recover(void) {
    return host->can_recover(host->ctx);
}

int hal_ws2812_write(const uint8_t *grb, size_t len) {
    return host->ws2812_write(host->ctx, grb, len);
}

int hal_nvs_get(const char *ns, const char *key, void *buf, size_t *len) {
    return host->nvs_get(host->ctx, ns, key, buf, len);
}

int hal_nvs_set(const char *ns, const char *key, const void *buf, size_t len) {
    return host->nvs_set(host->ctx, ns, key, buf, len);
}

int hal_nvs_erase_key(const char *ns, const char *key) {
    return host->nvs_erase_key(host->ctx, ns, key);
}

int hal_nvs_erase_all(const char *ns) {
    return host->nvs_erase_all(host->ctx, ns);
}

int hal_wdt_start(uint32_t timeout_ms) {
    return host->wdt_start(host->ctx, timeout_ms);
}

void hal_wdt_feed(void) {
    host->wdt_feed(host->ctx);
}

void hal_efuse_mac(uint8_t mac[6]) {
    host->efuse_mac(host->ctx, mac);
}

hal_reset_reason_t hal_reset_reason(void) {
    return (hal_reset_reason_t)host->reset_reason(host->ctx);
}

void hal_restart(void) {
    host->restart(host->ctx);
}

void hal_log(hal_log_level_t level, const char *fmt, ...) {
    char line[201];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    host->log(host->ctx, (int)level, line);
}

/* ---- descriptor ---------------------------------------------------------------------------- */

static int port_init(const alfasim_host_ops_t *h) {
    /* The host table must be at least as new as the one this plugin was built against. */
    if (h == NULL || h->abi_version < ALFASIM_PLUGIN_ABI_VERSION ||
        h->size < sizeof(alfasim_host_ops_t)) {
        return -1;
    }
    host = h;
    now_us_cell = h->now_us_cell;
    fw_init();
    return 0;
}

static void port_on_can_state(int state) {
    fw_on_can_state((hal_can_state_t)state);
}

static const alfasim_fw_ops_t ops = {
    .init = port_init,
    .on_timer = fw_on_timer,
    .on_uart_rx = fw_on_uart_rx,
    .on_can_rx = fw_on_can_rx,
    .on_can_state = port_on_can_state,
    .on_adc_burst = fw_on_adc_burst,
};

static const alfasim_plugin_t descriptor = {
    .abi_version = ALFASIM_PLUGIN_ABI_VERSION,
    .ops_size = sizeof(alfasim_fw_ops_t),
    .name = ALFASIM_PLUGIN_NAME,
    .fw_version = ALFASIM_FW_VERSION,
    .ops = &ops,
};

EXPORT const alfasim_plugin_t *alfasim_plugin_entry(void);

EXPORT const alfasim_plugin_t *alfasim_plugin_entry(void) {
    return &descriptor;
}
