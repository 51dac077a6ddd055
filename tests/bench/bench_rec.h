/*
 * bench_rec.h: the record of a firmware's life at the plugin boundary, for baseline 2
 * (firmware alone). Shared by the recording plugin (rec_wrap.c) and the replayer
 * (bench_replay.c); both run on the same host, so values are stored in host byte order.
 *
 * A record is a byte stream, one item after another, each a tag byte and a fixed or
 * length-prefixed payload:
 *
 *   entry points (the host calling in), each with t_us = the node's hal_now_us() at the call:
 *     'I' init                 t_us
 *     'T' on_timer             t_us, u32 id
 *     'U' on_uart_rx           t_us, u32 len, len bytes
 *     'C' on_can_rx            t_us, hal_can_frame_t
 *     'S' on_can_state         t_us, i32 state
 *     'A' on_adc_burst         t_us, u16 samples_per_channel, u8 mask, u32 n, n x u16
 *   what the firmware got back from the host, in call order, tagged with the operation:
 *     REC_OP_BASE + op, then  u64 (now_us), u8 (gpio_read), i32 (int results),
 *                             i32 + u16 + u16 (can_get_state), 6 bytes (efuse_mac),
 *                             i32 + u32 len + len bytes (nvs_get), nothing (void operations)
 *   'Z' end of a plugin copy   u64 digest of everything the firmware passed out to the host
 *
 * The digest covers the arguments of every host operation (frames sent, levels written, bytes
 * written, timers armed, NVS writes, log lines), so a replay that took another path is caught
 * even where the host's answers would not show it.
 */
#ifndef BENCH_REC_H
#define BENCH_REC_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_REC_ENV "ALFASIM_BENCH_RECORD" /* directory the recording plugin writes into */

enum {
    REC_INIT = 'I',
    REC_TIMER = 'T',
    REC_UART = 'U',
    REC_CAN = 'C',
    REC_STATE = 'S',
    REC_ADC = 'A',
    REC_END = 'Z',
    REC_OP_BASE = 0x80,
};

/* Host operations, in alfasim_host_ops_t order. */
typedef enum {
    OP_NOW_US,
    OP_TIMER_START,
    OP_TIMER_STOP,
    OP_GPIO_WRITE,
    OP_GPIO_READ,
    OP_DELAY_US,
    OP_ADC_BURST_START,
    OP_UART_OPEN,
    OP_UART_WRITE,
    OP_CAN_START,
    OP_CAN_STOP,
    OP_CAN_SEND,
    OP_CAN_GET_STATE,
    OP_CAN_RECOVER,
    OP_WS2812_WRITE,
    OP_NVS_GET,
    OP_NVS_SET,
    OP_NVS_ERASE_KEY,
    OP_NVS_ERASE_ALL,
    OP_WDT_START,
    OP_WDT_FEED,
    OP_EFUSE_MAC,
    OP_RESET_REASON,
    OP_RESTART,
    OP_LOG,
    OP_COUNT
} bench_rec_op_t;

/** The digest of outputs: one multiply per word (see bench_mix in bench.h). */
static inline uint64_t bench_rec_mix(uint64_t h, uint64_t v) {
    return (((h << 5) | (h >> 59)) ^ v) * UINT64_C(0x9e3779b97f4a7c15);
}

static inline uint64_t bench_rec_mix_bytes(uint64_t h, const void *p, uint64_t len) {
    const uint8_t *b = p;
    h = bench_rec_mix(h, len);
    for (uint64_t i = 0; i < len; i++) {
        h = bench_rec_mix(h, b[i]);
    }
    return h;
}

/*
 * What each operation contributes to the digest, shared by the recorder and the replayer so
 * that both compute it the same way.
 */
static inline uint64_t bench_rec_text(uint64_t h, const char *s) {
    uint64_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return bench_rec_mix_bytes(h, s, n);
}

static inline uint64_t bench_rec_timer_start(uint64_t h, unsigned id, uint32_t period_us,
                                             bool periodic) {
    return bench_rec_mix(h, ((uint64_t)id << 40) ^ ((uint64_t)periodic << 32) ^ period_us);
}

static inline uint64_t bench_rec_gpio(uint64_t h, unsigned sig, bool active) {
    return bench_rec_mix(h, ((uint64_t)sig << 1) | (active ? 1U : 0U));
}

static inline uint64_t bench_rec_adc_cfg(uint64_t h, uint32_t rate_hz, uint16_t spc, uint8_t mask) {
    return bench_rec_mix(h, ((uint64_t)rate_hz << 24) ^ ((uint64_t)spc << 8) ^ mask);
}

static inline uint64_t bench_rec_frame(uint64_t h, uint32_t id, uint8_t dlc, uint8_t flags,
                                       const uint8_t *data) {
    h = bench_rec_mix(h, ((uint64_t)id << 16) ^ ((uint64_t)dlc << 8) ^ flags);
    return bench_rec_mix_bytes(h, data, dlc <= 8 ? dlc : 8);
}

static inline uint64_t bench_rec_nvs_key(uint64_t h, const char *ns, const char *key) {
    return bench_rec_text(bench_rec_text(h, ns), key);
}

#endif
