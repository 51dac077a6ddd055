/*
 * sim_node_guard.c: the host table an in-process copy gets. Each operation forwards to the real
 * one (n->ops) unless the node is muted: a fault was found inside the current entry point, and
 * the copy cannot be unloaded before it returns, so everything it still does is dropped
 * (sim_node_fault.c). Muted reads answer as a dead peripheral would: errors, low levels, zeros.
 */
#include <string.h>

#include "sim_node_int.h"

static sim_node_t *live(void *ctx) {
    sim_node_t *n = ctx;
    return n->muted ? NULL : n;
}

/*
 * live() for an operation an isolated child records (sim_node_proxy.c): everything but the reads
 * it answers from its mirror. Both modes allow SIM_ISOLATE_OPS_MAX of them per entry point and
 * fault the node with the same "hang" at the next (sim_node_iso.c), so a firmware looping on its
 * HAL inside one entry point (stopping and starting its CAN controller a million times, each a
 * trace line) is stopped in process too, with the trace an isolated run writes.
 */
static sim_node_t *counted(void *ctx) {
    sim_node_t *n = live(ctx);
    if (n != NULL && ++n->entry_ops > SIM_ISOLATE_OPS_MAX) {
        sim_node__fault(n, "hang", "more than %u operations in one entry point",
                        (unsigned)SIM_ISOLATE_OPS_MAX);
        return NULL;
    }
    return n;
}

/* No side effect: answered even when muted. Called directly rather than through n->ops: the
 * firmware reads the time for every frame it hears, and the table is one more cache line per
 * node per frame. */
static uint64_t g_now_us(void *ctx) {
    return sim_node__now_us(ctx);
}

static int g_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.timer_start(n, id, period_us, periodic) : HAL_ERR_INVALID;
}

static int g_timer_stop(void *ctx, unsigned id) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.timer_stop(n, id) : HAL_ERR_INVALID;
}

static void g_gpio_write(void *ctx, unsigned sig, bool active) {
    sim_node_t *n = counted(ctx);
    if (n != NULL) {
        n->ops.gpio_write(n, sig, active);
    }
}

static bool g_gpio_read(void *ctx, unsigned sig) {
    sim_node_t *n = ctx;
    /* A child answers from its mirror unless a device model drives an input. */
    n = n->bind.gpio_input != NULL ? counted(ctx) : live(ctx);
    return n != NULL && n->ops.gpio_read(n, sig);
}

static void g_delay_us(void *ctx, uint32_t us) {
    sim_node_t *n = counted(ctx);
    if (n != NULL) {
        n->ops.delay_us(n, us);
    }
}

static int g_adc_burst_start(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.adc_burst_start(n, cfg) : HAL_ERR_INVALID;
}

static int g_uart_open(void *ctx, uint32_t baud) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.uart_open(n, baud) : HAL_ERR_INVALID;
}

static int g_uart_write(void *ctx, const uint8_t *data, size_t len) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.uart_write(n, data, len) : HAL_ERR_INVALID;
}

static int g_can_start(void *ctx, uint32_t bitrate_bps) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.can_start(n, bitrate_bps) : HAL_ERR_INVALID;
}

static int g_can_stop(void *ctx) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.can_stop(n) : HAL_ERR_INVALID;
}

static int g_can_send(void *ctx, const hal_can_frame_t *f) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.can_send(n, f) : HAL_ERR_INVALID;
}

static int g_can_get_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    sim_node_t *n = live(ctx);
    if (n != NULL) {
        return n->ops.can_get_state(n, tec, rec);
    }
    if (tec != NULL) {
        *tec = 0;
    }
    if (rec != NULL) {
        *rec = 0;
    }
    return HAL_CAN_STOPPED;
}

static int g_can_recover(void *ctx) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.can_recover(n) : HAL_ERR_INVALID;
}

static int g_ws2812_write(void *ctx, const uint8_t *grb, size_t len) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.ws2812_write(n, grb, len) : HAL_ERR_INVALID;
}

static int g_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    sim_node_t *n = live(ctx);
    return n != NULL ? n->ops.nvs_get(n, ns, key, buf, len) : HAL_ERR_INVALID;
}

static int g_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.nvs_set(n, ns, key, buf, len) : HAL_ERR_INVALID;
}

static int g_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.nvs_erase_key(n, ns, key) : HAL_ERR_INVALID;
}

static int g_nvs_erase_all(void *ctx, const char *ns) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.nvs_erase_all(n, ns) : HAL_ERR_INVALID;
}

static int g_wdt_start(void *ctx, uint32_t timeout_ms) {
    sim_node_t *n = counted(ctx);
    return n != NULL ? n->ops.wdt_start(n, timeout_ms) : HAL_ERR_INVALID;
}

static void g_wdt_feed(void *ctx) {
    sim_node_t *n = counted(ctx);
    if (n != NULL) {
        n->ops.wdt_feed(n);
    }
}

static void g_efuse_mac(void *ctx, uint8_t mac[6]) {
    sim_node_t *n = ctx;
    n->ops.efuse_mac(n, mac); /* read-only */
}

static int g_reset_reason(void *ctx) {
    sim_node_t *n = ctx;
    return n->ops.reset_reason(n); /* read-only */
}

static void g_restart(void *ctx) {
    sim_node_t *n = counted(ctx);
    if (n != NULL) {
        n->ops.restart(n);
    }
}

static void g_log(void *ctx, int level, const char *line) {
    sim_node_t *n = counted(ctx);
    if (n != NULL) {
        n->ops.log(n, level, line);
    }
}

void sim_node__guard_fill(alfasim_host_ops_t *h) {
    h->now_us = g_now_us;
    h->timer_start = g_timer_start;
    h->timer_stop = g_timer_stop;
    h->gpio_write = g_gpio_write;
    h->gpio_read = g_gpio_read;
    h->delay_us = g_delay_us;
    h->adc_burst_start = g_adc_burst_start;
    h->uart_open = g_uart_open;
    h->uart_write = g_uart_write;
    h->can_start = g_can_start;
    h->can_stop = g_can_stop;
    h->can_send = g_can_send;
    h->can_get_state = g_can_get_state;
    h->can_recover = g_can_recover;
    h->ws2812_write = g_ws2812_write;
    h->nvs_get = g_nvs_get;
    h->nvs_set = g_nvs_set;
    h->nvs_erase_key = g_nvs_erase_key;
    h->nvs_erase_all = g_nvs_erase_all;
    h->wdt_start = g_wdt_start;
    h->wdt_feed = g_wdt_feed;
    h->efuse_mac = g_efuse_mac;
    h->reset_reason = g_reset_reason;
    h->restart = g_restart;
    h->log = g_log;
}
