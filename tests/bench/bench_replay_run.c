/*
 * bench_replay_run.c: driving copies of the firmware from their records (bench_rec.h), with a
 * host table that answers every operation from the record: the firmware alone, as
 * bench_replay.c times it.
 */
#include "bench_replay_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "bench_rec.h"

typedef struct {
    const uint8_t *p, *end;
    uint64_t digest;
    uint64_t now_us; /* the time cell: the current entry point's recorded time */
    bool bad;
    char why[96];
} replay_t;

static void diverge(replay_t *r, const char *what) {
    if (!r->bad) {
        r->bad = true;
        snprintf(r->why, sizeof r->why, "%s, %ld bytes before the end", what,
                 (long)(r->end - r->p));
    }
    r->p = r->end;
}

static void take(replay_t *r, void *dst, size_t n) {
    if ((size_t)(r->end - r->p) < n) {
        diverge(r, "the record ends early");
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p, n);
    r->p += n;
}

static void expect(replay_t *r, bench_rec_op_t op) {
    if (r->p >= r->end || *r->p != REC_OP_BASE + (int)op) {
        diverge(r, "the firmware made another host call than recorded");
        return;
    }
    r->p++;
}

static int32_t ret(replay_t *r, bench_rec_op_t op) {
    int32_t v = 0;
    expect(r, op);
    take(r, &v, sizeof v);
    return v;
}

/* ---- the replay host: every answer comes from the record ---------------------------------- */

static uint64_t x_now_us(void *ctx) {
    uint64_t v = 0;
    expect(ctx, OP_NOW_US);
    take(ctx, &v, sizeof v);
    return v;
}

static int x_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    replay_t *r = ctx;
    r->digest = bench_rec_timer_start(r->digest, id, period_us, periodic);
    return ret(r, OP_TIMER_START);
}

static int x_timer_stop(void *ctx, unsigned id) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, id);
    return ret(r, OP_TIMER_STOP);
}

static void x_gpio_write(void *ctx, unsigned sig, bool active) {
    replay_t *r = ctx;
    r->digest = bench_rec_gpio(r->digest, sig, active);
    expect(r, OP_GPIO_WRITE);
}

static bool x_gpio_read(void *ctx, unsigned sig) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, sig);
    uint8_t v = 0;
    expect(r, OP_GPIO_READ);
    take(r, &v, 1);
    return v != 0;
}

static void x_delay_us(void *ctx, uint32_t us) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, us);
    expect(r, OP_DELAY_US);
}

static int x_adc_burst_start(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    replay_t *r = ctx;
    r->digest = bench_rec_adc_cfg(r->digest, cfg->sample_rate_hz, cfg->samples_per_channel,
                                  cfg->channel_mask);
    return ret(r, OP_ADC_BURST_START);
}

static int x_uart_open(void *ctx, uint32_t baud) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, baud);
    return ret(r, OP_UART_OPEN);
}

static int x_uart_write(void *ctx, const uint8_t *data, size_t len) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix_bytes(r->digest, data, len);
    return ret(r, OP_UART_WRITE);
}

static int x_can_start(void *ctx, uint32_t bitrate_bps) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, bitrate_bps);
    return ret(r, OP_CAN_START);
}

static int x_can_stop(void *ctx) {
    return ret(ctx, OP_CAN_STOP);
}

static int x_can_send(void *ctx, const hal_can_frame_t *f) {
    replay_t *r = ctx;
    r->digest = bench_rec_frame(r->digest, f->id, f->dlc, f->flags, f->data);
    return ret(r, OP_CAN_SEND);
}

static int x_can_get_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    replay_t *r = ctx;
    int32_t st = ret(r, OP_CAN_GET_STATE);
    uint16_t t = 0, c = 0;
    take(r, &t, sizeof t);
    take(r, &c, sizeof c);
    if (tec != NULL) {
        *tec = t;
    }
    if (rec != NULL) {
        *rec = c;
    }
    return st;
}

static int x_can_recover(void *ctx) {
    return ret(ctx, OP_CAN_RECOVER);
}

static int x_ws2812_write(void *ctx, const uint8_t *grb, size_t len) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix_bytes(r->digest, grb, len);
    return ret(r, OP_WS2812_WRITE);
}

static int x_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(bench_rec_nvs_key(r->digest, ns, key), *len);
    int32_t rc = ret(r, OP_NVS_GET);
    uint32_t n = 0;
    take(r, &n, sizeof n);
    if (rc == HAL_OK) {
        if (n > *len) {
            diverge(r, "a recorded NVS value does not fit the buffer");
            return HAL_ERR_NO_SPACE;
        }
        take(r, buf, n);
    }
    *len = n;
    return rc;
}

static int x_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix_bytes(bench_rec_nvs_key(r->digest, ns, key), buf, len);
    return ret(r, OP_NVS_SET);
}

static int x_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    replay_t *r = ctx;
    r->digest = bench_rec_nvs_key(r->digest, ns, key);
    return ret(r, OP_NVS_ERASE_KEY);
}

static int x_nvs_erase_all(void *ctx, const char *ns) {
    replay_t *r = ctx;
    r->digest = bench_rec_text(r->digest, ns);
    return ret(r, OP_NVS_ERASE_ALL);
}

static int x_wdt_start(void *ctx, uint32_t timeout_ms) {
    replay_t *r = ctx;
    r->digest = bench_rec_mix(r->digest, timeout_ms);
    return ret(r, OP_WDT_START);
}

static void x_wdt_feed(void *ctx) {
    expect(ctx, OP_WDT_FEED);
}

static void x_efuse_mac(void *ctx, uint8_t mac[6]) {
    expect(ctx, OP_EFUSE_MAC);
    take(ctx, mac, 6);
}

static int x_reset_reason(void *ctx) {
    return ret(ctx, OP_RESET_REASON);
}

static void x_restart(void *ctx) {
    expect(ctx, OP_RESTART);
}

static void x_log(void *ctx, int level, const char *line) {
    replay_t *r = ctx;
    r->digest = bench_rec_text(bench_rec_mix(r->digest, (uint64_t)level), line);
    expect(r, OP_LOG);
}

static void replay_host(alfasim_host_ops_t *h, replay_t *r) {
    *h = (alfasim_host_ops_t){.abi_version = ALFASIM_PLUGIN_ABI_VERSION,
                              .size = sizeof *h,
                              .ctx = r,
                              .now_us = x_now_us,
                              .now_us_cell = &r->now_us,
                              .timer_start = x_timer_start,
                              .timer_stop = x_timer_stop,
                              .gpio_write = x_gpio_write,
                              .gpio_read = x_gpio_read,
                              .delay_us = x_delay_us,
                              .adc_burst_start = x_adc_burst_start,
                              .uart_open = x_uart_open,
                              .uart_write = x_uart_write,
                              .can_start = x_can_start,
                              .can_stop = x_can_stop,
                              .can_send = x_can_send,
                              .can_get_state = x_can_get_state,
                              .can_recover = x_can_recover,
                              .ws2812_write = x_ws2812_write,
                              .nvs_get = x_nvs_get,
                              .nvs_set = x_nvs_set,
                              .nvs_erase_key = x_nvs_erase_key,
                              .nvs_erase_all = x_nvs_erase_all,
                              .wdt_start = x_wdt_start,
                              .wdt_feed = x_wdt_feed,
                              .efuse_mac = x_efuse_mac,
                              .reset_reason = x_reset_reason,
                              .restart = x_restart,
                              .log = x_log};
}

/* ---- replaying one node's record ---------------------------------------------------------- */

#define SAMPLES_MAX (4096U * 8U) /* samples_per_channel <= 4096, at most 8 channels */

typedef struct {
    sim_plugin_image_t *img;
    sim_plugin_t *copy; /* the copy being driven */
    const alfasim_fw_ops_t *ops;
    alfasim_host_ops_t host;
    uint16_t *samples;
    double t_start_s; /* CPU time at the first timed entry; < 0 before */
    double paused_s;  /* CPU time spent loading copies after that */
    uint64_t entries;
} driver_t;

/* A fresh copy, as a boot gets one; the loading time is kept out of the measurement. */
static void boot(driver_t *d, replay_t *r) {
    double a = bench_cpu_s();
    sim_plugin_unload(d->copy);
    d->copy = NULL;
    char err[512];
    if (sim_plugin_load(d->img, &d->copy, err, sizeof err) != 0) {
        diverge(r, "a plugin copy could not be loaded");
        return;
    }
    d->ops = sim_plugin_descriptor(d->copy)->ops;
    if (d->t_start_s >= 0) {
        d->paused_s += bench_cpu_s() - a;
    }
    if (d->ops->init(&d->host) != 0) {
        diverge(r, "the firmware refused the replay host table");
    }
}

/* Calls one recorded entry point (its tag and time already read). */
static void call(driver_t *d, replay_t *r, int tag) {
    uint32_t u = 0;
    if (tag == REC_INIT) {
        boot(d, r);
        return;
    }
    if (d->ops == NULL) {
        diverge(r, "an entry point before init");
        return;
    }
    if (tag == REC_TIMER) {
        take(r, &u, sizeof u);
        d->ops->on_timer(u);
    } else if (tag == REC_UART) {
        take(r, &u, sizeof u);
        const uint8_t *data = r->p;
        if ((size_t)(r->end - r->p) < u) {
            diverge(r, "the record ends early");
            return;
        }
        r->p += u;
        d->ops->on_uart_rx(data, u);
    } else if (tag == REC_CAN) {
        hal_can_frame_t f;
        take(r, &f, sizeof f);
        d->ops->on_can_rx(&f);
    } else if (tag == REC_STATE) {
        int32_t st = 0;
        take(r, &st, sizeof st);
        d->ops->on_can_state(st);
    } else if (tag == REC_ADC) {
        uint16_t spc = 0;
        uint8_t mask = 0;
        take(r, &spc, sizeof spc);
        take(r, &mask, sizeof mask);
        take(r, &u, sizeof u);
        if (u > SAMPLES_MAX) {
            diverge(r, "an ADC burst larger than the HAL allows");
            return;
        }
        take(r, d->samples, (size_t)u * sizeof *d->samples); /* aligned for the firmware */
        d->ops->on_adc_burst(d->samples, spc, mask);
    } else {
        diverge(r, "an unknown item in the record");
    }
}

/* ---- reading a record item by item --------------------------------------------------------- */

/* Takes the copy ends ('Z', no time) in front of the next entry point, checking each copy's
 * digest; returns that entry point's time, or UINT64_MAX at the end of the record (or when it
 * diverged). */
static uint64_t next_time(replay_t *r) {
    while (r->p < r->end && !r->bad && *r->p == REC_END) {
        r->p++;
        uint64_t want = 0;
        take(r, &want, sizeof want);
        if (want != r->digest) {
            diverge(r, "the firmware passed other values out than recorded");
        }
        r->digest = 0; /* the next copy's record starts afresh */
    }
    if (r->p >= r->end || r->bad) {
        return UINT64_MAX;
    }
    uint64_t t_us = 0;
    if ((size_t)(r->end - r->p) < 1U + sizeof t_us) {
        diverge(r, "the record ends early");
        return UINT64_MAX;
    }
    memcpy(&t_us, r->p + 1, sizeof t_us);
    return t_us;
}

/* Calls the entry point next_time found. */
static void run_next(driver_t *d, replay_t *r) {
    int tag = *r->p++;
    take(r, &r->now_us, sizeof r->now_us); /* the host writes its cell before each entry point */
    call(d, r, tag);
    d->entries++;
}

/* One node's replay: its record, its copy. */
typedef struct {
    replay_t r;
    driver_t d;
} node_t;

static bool node_init(node_t *n, sim_plugin_image_t *img, const bench_record_t *rec) {
    *n = (node_t){.r = {.p = rec->data, .end = rec->data + rec->len},
                  .d = {.img = img, .t_start_s = -1.0}};
    replay_host(&n->d.host, &n->r);
    n->d.samples = malloc(SAMPLES_MAX * sizeof *n->d.samples);
    return n->d.samples != NULL;
}

/* Unloads the copy; false with the reason in err when the replay diverged. */
static bool node_fini(node_t *n, const bench_record_t *rec, char *err, size_t errlen) {
    if (!n->r.bad && n->r.p != n->r.end) {
        diverge(&n->r, "the replay stopped before the end of the record");
    }
    sim_plugin_unload(n->d.copy);
    free(n->d.samples);
    if (n->r.bad) {
        snprintf(err, errlen, "%s: replay diverged: %s", rec->name, n->r.why);
    }
    return !n->r.bad;
}

double bench_replay_one(sim_plugin_image_t *img, const bench_record_t *rec, char *err,
                        size_t errlen, uint64_t *entries) {
    node_t n;
    if (!node_init(&n, img, rec)) {
        snprintf(err, errlen, "out of memory");
        return -1.0;
    }
    uint64_t t_us;
    while ((t_us = next_time(&n.r)) != UINT64_MAX) {
        if (n.d.t_start_s < 0 && t_us >= BENCH_REPLAY_T0_US) {
            n.d.t_start_s = bench_cpu_s();
        }
        run_next(&n.d, &n.r);
    }
    double end_s = bench_cpu_s();
    *entries += n.d.entries;
    if (!node_fini(&n, rec, err, errlen)) {
        return -1.0;
    }
    return n.d.t_start_s < 0 ? 0.0 : end_s - n.d.t_start_s - n.d.paused_s;
}

/* The slice of simulated time every node is driven through before the next one takes its turn.
 * A frame lasts longer (about 100 us at the least on a 1 Mbit/s bus), so each node takes at most
 * a frame or two per turn, as in the simulation, where every receiver of a frame has its turn
 * before the next frame ends; and a millisecond's 126 idle turns cost little against the work. */
#define SLICE_US 1000U
_Static_assert(BENCH_REPLAY_T0_US % SLICE_US == 0, "the timed part starts at a slice");

double bench_replay_interleaved(sim_plugin_image_t *img, const bench_record_t *recs, size_t n,
                                char *err, size_t errlen, uint64_t *entries) {
    node_t *nodes = calloc(n, sizeof *nodes);
    /* Each node's next time apart, in one dense array: a turn with nothing due is one compare. */
    uint64_t *next_us = calloc(n, sizeof *next_us);
    size_t ready = 0;
    while (nodes != NULL && next_us != NULL && ready < n &&
           node_init(&nodes[ready], img, &recs[ready])) {
        ready++;
    }
    if (ready < n) {
        for (size_t i = 0; i < ready; i++) {
            (void)node_fini(&nodes[i], &recs[i], err, errlen);
        }
        free(nodes);
        free(next_us);
        snprintf(err, errlen, "out of memory");
        return -1.0;
    }
    size_t busy = 0;
    for (size_t i = 0; i < n; i++) {
        next_us[i] = next_time(&nodes[i].r);
        busy += next_us[i] != UINT64_MAX;
    }
    double t_start_s = -1.0;
    for (uint64_t slice_end = SLICE_US; busy > 0; slice_end += SLICE_US) {
        if (t_start_s < 0 && slice_end > BENCH_REPLAY_T0_US) {
            t_start_s = bench_cpu_s();
            for (size_t i = 0; i < n; i++) {
                nodes[i].d.t_start_s = t_start_s; /* loading copies from here on is paused */
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (next_us[i] >= slice_end) {
                continue;
            }
            do {
                run_next(&nodes[i].d, &nodes[i].r);
            } while ((next_us[i] = next_time(&nodes[i].r)) < slice_end);
            busy -= next_us[i] == UINT64_MAX;
        }
    }
    double end_s = bench_cpu_s(), paused_s = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        *entries += nodes[i].d.entries;
        paused_s += nodes[i].d.paused_s;
        ok = node_fini(&nodes[i], &recs[i], err, errlen) && ok;
    }
    free(nodes);
    free(next_us);
    if (!ok) {
        return -1.0;
    }
    return t_start_s < 0 ? 0.0 : end_s - t_start_s - paused_s;
}
