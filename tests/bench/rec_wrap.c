/*
 * rec_wrap.c: the recording half of fw_alfaspark_rec.so (baseline 2). It exports the plugin
 * entry point and hands the host a descriptor whose operations record each entry-point call
 * before calling the real one (rec_inner.c), and it passes the firmware a host table whose
 * operations call the real host and record what came back (format: bench_rec.h). The table
 * keeps the host's time cell: the firmware reads the time there, and the replay rebuilds it from
 * the time stamp recorded with each entry point, so time reads are recorded as operations only
 * when a host has no cell.
 *
 * Each plugin copy (one per node and boot) appends to <$ALFASIM_BENCH_RECORD>/<MAC>.rec and
 * closes its record when the copy is unloaded. Without the variable the plugin records nothing
 * and behaves as fw_alfaspark.so. The recording never changes what the firmware sees: the
 * operations it adds (the MAC for the file name, the time stamp of each entry point) have no
 * effect on the host.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "bench_rec.h"

#define EXPORT __attribute__((visibility("default")))

const alfasim_plugin_t *bench_rec_inner_entry(void);

static const alfasim_host_ops_t *real; /* the host's table */
static const alfasim_fw_ops_t *inner;  /* the firmware's own entry points */
static alfasim_host_ops_t rec_host;    /* what the firmware gets instead */
static FILE *out;
static uint64_t digest;

static void put(const void *p, size_t len) {
    if (out != NULL) {
        fwrite(p, 1, len, out);
    }
}

static void put_tag(int tag) {
    uint8_t t = (uint8_t)tag;
    put(&t, 1);
}

static void put_op(bench_rec_op_t op) {
    put_tag(REC_OP_BASE + (int)op);
}

static void put_i32(int32_t v) {
    put(&v, sizeof v);
}

/* An entry point: its tag and the node's time. */
static void put_entry(int tag) {
    uint64_t t = real->now_us(real->ctx);
    put_tag(tag);
    put(&t, sizeof t);
}

static int ret(bench_rec_op_t op, int rc) {
    put_op(op);
    put_i32(rc);
    return rc;
}

static void out_word(uint64_t v) {
    digest = bench_rec_mix(digest, v);
}

/* ---- the host table the firmware sees ----------------------------------------------------- */

static uint64_t r_now_us(void *ctx) {
    uint64_t v = real->now_us(ctx);
    put_op(OP_NOW_US);
    put(&v, sizeof v);
    return v;
}

static int r_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    digest = bench_rec_timer_start(digest, id, period_us, periodic);
    return ret(OP_TIMER_START, real->timer_start(ctx, id, period_us, periodic));
}

static int r_timer_stop(void *ctx, unsigned id) {
    out_word(id);
    return ret(OP_TIMER_STOP, real->timer_stop(ctx, id));
}

static void r_gpio_write(void *ctx, unsigned sig, bool active) {
    digest = bench_rec_gpio(digest, sig, active);
    real->gpio_write(ctx, sig, active);
    put_op(OP_GPIO_WRITE);
}

static bool r_gpio_read(void *ctx, unsigned sig) {
    out_word(sig);
    uint8_t v = real->gpio_read(ctx, sig) ? 1 : 0;
    put_op(OP_GPIO_READ);
    put(&v, 1);
    return v != 0;
}

static void r_delay_us(void *ctx, uint32_t us) {
    out_word(us);
    real->delay_us(ctx, us);
    put_op(OP_DELAY_US);
}

static int r_adc_burst_start(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    digest =
        bench_rec_adc_cfg(digest, cfg->sample_rate_hz, cfg->samples_per_channel, cfg->channel_mask);
    return ret(OP_ADC_BURST_START, real->adc_burst_start(ctx, cfg));
}

static int r_uart_open(void *ctx, uint32_t baud) {
    out_word(baud);
    return ret(OP_UART_OPEN, real->uart_open(ctx, baud));
}

static int r_uart_write(void *ctx, const uint8_t *data, size_t len) {
    digest = bench_rec_mix_bytes(digest, data, len);
    return ret(OP_UART_WRITE, real->uart_write(ctx, data, len));
}

static int r_can_start(void *ctx, uint32_t bitrate_bps) {
    out_word(bitrate_bps);
    return ret(OP_CAN_START, real->can_start(ctx, bitrate_bps));
}

static int r_can_stop(void *ctx) {
    return ret(OP_CAN_STOP, real->can_stop(ctx));
}

static int r_can_send(void *ctx, const hal_can_frame_t *f) {
    digest = bench_rec_frame(digest, f->id, f->dlc, f->flags, f->data);
    return ret(OP_CAN_SEND, real->can_send(ctx, f));
}

static int r_can_get_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    uint16_t t = 0, r = 0;
    int32_t st = real->can_get_state(ctx, &t, &r);
    put_op(OP_CAN_GET_STATE);
    put_i32(st);
    put(&t, sizeof t);
    put(&r, sizeof r);
    if (tec != NULL) {
        *tec = t;
    }
    if (rec != NULL) {
        *rec = r;
    }
    return st;
}

static int r_can_recover(void *ctx) {
    return ret(OP_CAN_RECOVER, real->can_recover(ctx));
}

static int r_ws2812_write(void *ctx, const uint8_t *grb, size_t len) {
    digest = bench_rec_mix_bytes(digest, grb, len);
    return ret(OP_WS2812_WRITE, real->ws2812_write(ctx, grb, len));
}

static int r_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    digest = bench_rec_mix(bench_rec_nvs_key(digest, ns, key), *len);
    int32_t rc = real->nvs_get(ctx, ns, key, buf, len);
    uint32_t n = (uint32_t)*len;
    put_op(OP_NVS_GET);
    put_i32(rc);
    put(&n, sizeof n);
    put(buf, rc == HAL_OK ? n : 0);
    return rc;
}

static int r_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    digest = bench_rec_mix_bytes(bench_rec_nvs_key(digest, ns, key), buf, len);
    return ret(OP_NVS_SET, real->nvs_set(ctx, ns, key, buf, len));
}

static int r_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    digest = bench_rec_nvs_key(digest, ns, key);
    return ret(OP_NVS_ERASE_KEY, real->nvs_erase_key(ctx, ns, key));
}

static int r_nvs_erase_all(void *ctx, const char *ns) {
    digest = bench_rec_text(digest, ns);
    return ret(OP_NVS_ERASE_ALL, real->nvs_erase_all(ctx, ns));
}

static int r_wdt_start(void *ctx, uint32_t timeout_ms) {
    out_word(timeout_ms);
    return ret(OP_WDT_START, real->wdt_start(ctx, timeout_ms));
}

static void r_wdt_feed(void *ctx) {
    real->wdt_feed(ctx);
    put_op(OP_WDT_FEED);
}

static void r_efuse_mac(void *ctx, uint8_t mac[6]) {
    real->efuse_mac(ctx, mac);
    put_op(OP_EFUSE_MAC);
    put(mac, 6);
}

static int r_reset_reason(void *ctx) {
    return ret(OP_RESET_REASON, real->reset_reason(ctx));
}

static void r_restart(void *ctx) {
    real->restart(ctx);
    put_op(OP_RESTART);
}

static void r_log(void *ctx, int level, const char *line) {
    digest = bench_rec_text(bench_rec_mix(digest, (uint64_t)level), line);
    real->log(ctx, level, line);
    put_op(OP_LOG);
}

/* ---- the entry points the host sees ------------------------------------------------------- */

static void open_record(void) {
    const char *dir = getenv(BENCH_REC_ENV);
    if (dir == NULL || dir[0] == '\0') {
        return;
    }
    uint8_t mac[6];
    real->efuse_mac(real->ctx, mac);
    char path[4096];
    snprintf(path, sizeof path, "%s/%02x%02x%02x%02x%02x%02x.rec", dir, mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
    out = fopen(path, "ab");
    if (out != NULL) {
        setvbuf(out, NULL, _IOFBF, 1U << 20);
    }
}

static int w_init(const alfasim_host_ops_t *host) {
    real = host;
    rec_host = *host;
    rec_host.now_us = r_now_us;
    rec_host.timer_start = r_timer_start;
    rec_host.timer_stop = r_timer_stop;
    rec_host.gpio_write = r_gpio_write;
    rec_host.gpio_read = r_gpio_read;
    rec_host.delay_us = r_delay_us;
    rec_host.adc_burst_start = r_adc_burst_start;
    rec_host.uart_open = r_uart_open;
    rec_host.uart_write = r_uart_write;
    rec_host.can_start = r_can_start;
    rec_host.can_stop = r_can_stop;
    rec_host.can_send = r_can_send;
    rec_host.can_get_state = r_can_get_state;
    rec_host.can_recover = r_can_recover;
    rec_host.ws2812_write = r_ws2812_write;
    rec_host.nvs_get = r_nvs_get;
    rec_host.nvs_set = r_nvs_set;
    rec_host.nvs_erase_key = r_nvs_erase_key;
    rec_host.nvs_erase_all = r_nvs_erase_all;
    rec_host.wdt_start = r_wdt_start;
    rec_host.wdt_feed = r_wdt_feed;
    rec_host.efuse_mac = r_efuse_mac;
    rec_host.reset_reason = r_reset_reason;
    rec_host.restart = r_restart;
    rec_host.log = r_log;
    open_record();
    put_entry(REC_INIT);
    return inner->init(&rec_host);
}

static void w_on_timer(unsigned id) {
    uint32_t v = id;
    put_entry(REC_TIMER);
    put(&v, sizeof v);
    inner->on_timer(id);
}

static void w_on_uart_rx(const uint8_t *data, size_t len) {
    uint32_t n = (uint32_t)len;
    put_entry(REC_UART);
    put(&n, sizeof n);
    put(data, len);
    inner->on_uart_rx(data, len);
}

static void w_on_can_rx(const hal_can_frame_t *f) {
    put_entry(REC_CAN);
    put(f, sizeof *f);
    inner->on_can_rx(f);
}

static void w_on_can_state(int state) {
    put_entry(REC_STATE);
    put_i32(state);
    inner->on_can_state(state);
}

static void w_on_adc_burst(const uint16_t *samples, uint16_t spc, uint8_t mask) {
    uint32_t n = 0;
    for (unsigned ch = 0; ch < 8; ch++) {
        n += (mask >> ch) & 1U;
    }
    n *= spc;
    put_entry(REC_ADC);
    put(&spc, sizeof spc);
    put(&mask, sizeof mask);
    put(&n, sizeof n);
    put(samples, (size_t)n * sizeof *samples);
    inner->on_adc_burst(samples, spc, mask);
}

/* The copy is being unloaded: close its record with the digest of what it passed out. */
__attribute__((destructor)) static void close_record(void) {
    if (out == NULL) {
        return;
    }
    put_tag(REC_END);
    put(&digest, sizeof digest);
    fclose(out);
    out = NULL;
}

static const alfasim_fw_ops_t wrapped = {
    .init = w_init,
    .on_timer = w_on_timer,
    .on_uart_rx = w_on_uart_rx,
    .on_can_rx = w_on_can_rx,
    .on_can_state = w_on_can_state,
    .on_adc_burst = w_on_adc_burst,
};

static alfasim_plugin_t descriptor;

EXPORT const alfasim_plugin_t *alfasim_plugin_entry(void);

EXPORT const alfasim_plugin_t *alfasim_plugin_entry(void) {
    const alfasim_plugin_t *in = bench_rec_inner_entry();
    inner = in->ops;
    descriptor = *in;
    descriptor.ops = &wrapped;
    return &descriptor;
}
