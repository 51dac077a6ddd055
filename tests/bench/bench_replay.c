/*
 * bench_replay.c: baseline 2, the firmware alone, and the efficiency
 *
 *   E = T(firmware alone) / T(full simulation)
 *
 * on the scale_4 workload (the first hour of S4: four packs at full fidelity).
 *
 *   1. The workload runs as `alfasim run` runs it: T(full) is its run loop (see bench_scenario.h).
 *   2. It runs again with fw_alfaspark_rec.so, the same firmware and port with a recording
 *      host table in between (rec_wrap.c): every entry-point call with its arguments and every
 *      answer of the host go to one record per node. The run's trace digest must equal the first
 *      run's: recording changed nothing.
 *   3. Each record is replayed into copies of the real fw_alfaspark.so: the entry points are
 *      called in the recorded order with the recorded arguments, and a replay host table answers
 *      every host operation from the record (the time cell holds each entry point's recorded
 *      time, as the host's does). No kernel, no models, no bus, no traces: what is
 *      left is the firmware, its port and the cheapest possible HAL. Every operation must be the
 *      one recorded, and the digest of everything the firmware passed out must match the
 *      recorder's, or the replay failed. T(firmware alone) is its CPU time from each node's
 *      first entry at or after 1 s (the same window as T(full)) to its end, loading excluded.
 *
 * Nodes replay one after another, each over its own record, which favours the replay a little
 * (one node's code and data stay in cache); the simulation interleaves them.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_replay.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfasim_plugin.h"
#include "bench_rec.h"
#include "bench_scenario.h"
#include "sim_plugin.h"

#define WORKLOAD "scale_4.json"
#define QUICK_NS (60 * SIM_NS_PER_S)
#define T0_US    1000000U /* timing starts at the first entry point at or after 1 s */

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
    double t_start_s; /* CPU time at the first entry at or after T0_US; < 0 before */
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

/* Replays one record; returns the CPU seconds of its timed part, or -1 (why in err). */
static double replay_record(sim_plugin_image_t *img, const uint8_t *data, size_t len, char *err,
                            size_t errlen, uint64_t *entries) {
    replay_t r = {.p = data, .end = data + len};
    driver_t d = {.img = img, .t_start_s = -1.0};
    replay_host(&d.host, &r);
    d.samples = malloc(SAMPLES_MAX * sizeof *d.samples);
    if (d.samples == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1.0;
    }
    while (r.p < r.end && !r.bad) {
        int tag = *r.p++;
        if (tag == REC_END) {
            uint64_t want = 0;
            take(&r, &want, sizeof want);
            if (want != r.digest) {
                diverge(&r, "the firmware passed other values out than recorded");
            }
            r.digest = 0; /* the next copy's record starts afresh */
            continue;
        }
        uint64_t t_us = 0;
        take(&r, &t_us, sizeof t_us);
        if (d.t_start_s < 0 && t_us >= T0_US) {
            d.t_start_s = bench_cpu_s();
        }
        r.now_us = t_us; /* as the host writes its cell before each entry point */
        call(&d, &r, tag);
        d.entries++;
    }
    double end_s = bench_cpu_s();
    sim_plugin_unload(d.copy);
    free(d.samples);
    *entries += d.entries;
    if (r.bad) {
        snprintf(err, errlen, "replay diverged: %s", r.why);
        return -1.0;
    }
    return d.t_start_s < 0 ? 0.0 : end_s - d.t_start_s - d.paused_s;
}

/* ---- the benchmark ------------------------------------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1U)) != NULL &&
        fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = size > 0 ? (size_t)size : 0;
    return buf;
}

/* Each record is replayed this many times and its least CPU time kept, as the full run's
 * (bench_scenario_best): a node's hour replays in a few ms, where a single reading is noise. */
#define REPLAY_ROUNDS 5

/* Replays every record in dir (and removes it); total timed CPU seconds, or -1 with r failed. */
static double replay_all(const char *dir, sim_plugin_image_t *img, bench_result_t *r,
                         uint64_t *entries) {
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        bench_fail(r, "no records in %s", dir);
        return -1.0;
    }
    double total = 0;
    unsigned records = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && total >= 0) {
        size_t nl = strlen(de->d_name), len = 0;
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".rec") != 0) {
            continue;
        }
        char path[4096], err[160] = "";
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path) {
            continue;
        }
        uint8_t *data = read_file(path, &len);
        double s = data ? replay_record(img, data, len, err, sizeof err, entries) : -1.0;
        for (unsigned round = 1; s >= 0 && round < REPLAY_ROUNDS; round++) {
            uint64_t again = 0; /* the calls are counted once */
            double t = replay_record(img, data, len, err, sizeof err, &again);
            s = t < 0 ? -1.0 : (t < s ? t : s);
        }
        free(data);
        remove(path);
        if (s < 0) {
            bench_fail(r, "%s: %s", de->d_name, err[0] ? err : "unreadable");
        }
        total = s < 0 ? -1.0 : total + s;
        records++;
    }
    closedir(dp);
    if (total >= 0 && records == 0) {
        bench_fail(r, "the recording run left no records");
        total = -1.0;
    }
    return total;
}

/* Runs the workload with the recording plugin into dir; false with r failed. */
static bool record(const bench_opts_t *o, sim_time_ns_t dur, const char *dir,
                   const bench_run_t *full, bench_result_t *r) {
    char plugin[4096];
    if (!bench_find_plugin(o, "fw_alfaspark_rec.so", plugin, sizeof plugin)) {
        bench_fail(r, "fw_alfaspark_rec.so is not on the plugin path");
        return false;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        bench_fail(r, "cannot create %s", dir);
        return false;
    }
    setenv(BENCH_REC_ENV, dir, 1);
    bench_run_t rec;
    int rc = bench_scenario_run(o, WORKLOAD, dur, plugin, &rec, r);
    unsetenv(BENCH_REC_ENV);
    if (rc == 0 && strcmp(rec.digest, full->digest) != 0) {
        bench_fail(r, "recording changed the run: digest %.16s, without recording %.16s",
                   rec.digest, full->digest);
        return false;
    }
    return rc == 0;
}

void bench_replay(const bench_opts_t *o, const void *param, bench_result_t *r) {
    (void)param;
    sim_time_ns_t dur = o->quick ? QUICK_NS : 0;
    bench_run_t full;
    char dir[4096], plugin[4096], err[512];
    snprintf(dir, sizeof dir, "%s/records", o->work_dir);
    sim_plugin_image_t *img = NULL;
    if (!bench_find_plugin(o, "fw_alfaspark.so", plugin, sizeof plugin) ||
        sim_plugin_image_read(plugin, &img, err, sizeof err) != 0) {
        bench_fail(r, "fw_alfaspark.so is not on the plugin path");
        return;
    }
    uint64_t entries = 0;
    double fw_s = -1.0;
    if (bench_scenario_best(o, WORKLOAD, dur, NULL, &full, r) == 0 &&
        record(o, dur, dir, &full, r)) {
        fw_s = replay_all(dir, img, r, &entries);
    }
    rmdir(dir);
    sim_plugin_image_release(img);
    if (fw_s < 0) {
        return;
    }
    snprintf(r->digest, sizeof r->digest, "%.64s", full.digest);
    snprintf(r->subject, sizeof r->subject, "full sim");
    snprintf(r->baseline, sizeof r->baseline, "firmware alone");
    r->ops = (uint64_t)full.sim_s;
    r->subject_ns = full.run_cpu_s * 1e9 / full.sim_s;
    r->baseline_ns = fw_s * 1e9 / full.sim_s;
    r->target = 0.5;
    r->aim = 0.75;
    snprintf(r->note, sizeof r->note,
             "E = T(firmware alone) / T(full) on %s, ns per simulated s; %llu entry calls; "
             "least of %u full runs and %d replays",
             WORKLOAD, (unsigned long long)entries, full.rounds, REPLAY_ROUNDS);
}

static const bench_def_t defs[] = {
    {"efficiency_E", BENCH_RATIO, bench_replay, NULL, false},
};

const bench_group_t bench_replay_group = {defs, sizeof defs / sizeof defs[0]};
