/*
 * alfasim_plugin.h: the binary interface between the alfasim host and a firmware plugin.
 *
 * A plugin is a shared object that exports exactly one symbol, alfasim_plugin_entry, returning a
 * static descriptor. The host loads a separate copy of the object per node (so firmware globals
 * are private to that node), checks the descriptor's ABI version, then calls ops->init with its
 * host operations table. The plugin links nothing from the host: every HAL call goes through that
 * table (port_sim.c forwards the hal_* functions of firmware/hal/hal.h to it).
 *
 * Versioning is append-only (like sqlite3_vfs.iVersion): new operations are added at the end of
 * a struct and ALFASIM_PLUGIN_ABI_VERSION is bumped. The host accepts a plugin whose abi_version
 * is between 1 and its own; a plugin accepts a host table whose abi_version is at least its own.
 * Any mismatch is one clear error line from the loader, and the object is unloaded.
 *
 *   host                                   plugin copy for node N
 *   ────                                   ──────────────────────
 *   dlopen(copy) ─ dlsym(entry) ─────────▶ alfasim_plugin_entry() → &descriptor
 *   ops->init(&host_ops) ────────────────▶ keeps host_ops; fw_init()
 *   kernel event (timer, rx, adc) ───────▶ ops->on_timer(id) … → fw_on_timer(id)
 *   host_ops.can_send(ctx, f) ◀────────── hal_can_send(f)
 */
#ifndef ALFASIM_PLUGIN_H
#define ALFASIM_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define ALFASIM_PLUGIN_ABI_VERSION  2
#define ALFASIM_PLUGIN_ENTRY_SYMBOL "alfasim_plugin_entry"

/** What the host provides; `ctx` is passed back as the first argument of every operation. */
typedef struct alfasim_host_ops {
    uint32_t abi_version; /* ALFASIM_PLUGIN_ABI_VERSION of the host */
    uint32_t size;        /* sizeof(alfasim_host_ops_t) of the host */
    void *ctx;

    uint64_t (*now_us)(void *ctx);
    int (*timer_start)(void *ctx, unsigned id, uint32_t period_us, bool periodic);
    int (*timer_stop)(void *ctx, unsigned id);

    void (*gpio_write)(void *ctx, unsigned sig, bool active);
    bool (*gpio_read)(void *ctx, unsigned sig);
    void (*delay_us)(void *ctx, uint32_t us);

    int (*adc_burst_start)(void *ctx, const hal_adc_burst_cfg_t *cfg);

    int (*uart_open)(void *ctx, uint32_t baud);
    int (*uart_write)(void *ctx, const uint8_t *data, size_t len);

    int (*can_start)(void *ctx, uint32_t bitrate_bps);
    int (*can_stop)(void *ctx);
    int (*can_send)(void *ctx, const hal_can_frame_t *f);
    int (*can_get_state)(void *ctx, uint16_t *tec, uint16_t *rec);
    int (*can_recover)(void *ctx);

    int (*ws2812_write)(void *ctx, const uint8_t *grb, size_t len);

    int (*nvs_get)(void *ctx, const char *ns, const char *key, void *buf, size_t *len);
    int (*nvs_set)(void *ctx, const char *ns, const char *key, const void *buf, size_t len);
    int (*nvs_erase_key)(void *ctx, const char *ns, const char *key);
    int (*nvs_erase_all)(void *ctx, const char *ns);

    int (*wdt_start)(void *ctx, uint32_t timeout_ms);
    void (*wdt_feed)(void *ctx);
    void (*efuse_mac)(void *ctx, uint8_t mac[6]);
    int (*reset_reason)(void *ctx);
    void (*restart)(void *ctx);
    void (*log)(void *ctx, int level, const char *line);

    /* Version 2. Where the host keeps what now_us would answer: it writes the cell before each
     * entry point, and the value holds until the entry point returns (virtual time does not move
     * inside one). The port reads it instead of calling now_us, because the firmware reads the
     * time for every frame it hears; NULL means "call now_us". */
    const uint64_t *now_us_cell;
} alfasim_host_ops_t;

/** What the plugin provides: the firmware entry points, behind the port glue. */
typedef struct alfasim_fw_ops {
    /** Keeps `host` (valid until the copy is unloaded) and calls fw_init(). 0, or -1 if the
     *  host table is too old for this plugin. */
    int (*init)(const alfasim_host_ops_t *host);
    void (*on_timer)(unsigned id);
    void (*on_uart_rx)(const uint8_t *data, size_t len);
    void (*on_can_rx)(const hal_can_frame_t *f);
    void (*on_can_state)(int state);
    void (*on_adc_burst)(const uint16_t *samples, uint16_t samples_per_channel,
                         uint8_t channel_mask);
} alfasim_fw_ops_t;

typedef struct alfasim_plugin {
    uint32_t abi_version;   /* ALFASIM_PLUGIN_ABI_VERSION the plugin was built with */
    uint32_t ops_size;      /* sizeof(alfasim_fw_ops_t) of the plugin */
    const char *name;       /* e.g. "fw_alfaspark" */
    const char *fw_version; /* firmware version string, e.g. "2.5" */
    const alfasim_fw_ops_t *ops;
} alfasim_plugin_t;

typedef const alfasim_plugin_t *(*alfasim_plugin_entry_fn)(void);

#endif
