/*
 * sim_node_dev.c: the peripherals with a device model behind them, through the node's binding:
 * ADC bursts (the CT sensors) and the WS2812 byte stream.
 *
 * An ADC burst is filled when it completes, not when it starts: by then the plant models have
 * run up to the end of the sampling window, so the samples can reflect everything that happened
 * during it (sim_node.h gives the sample instants).
 */
#include <stdlib.h>
#include <string.h>

#include "sim_node_int.h"

#define ADC_SAMPLES_MAX  (HAL_ADC_CHANNELS * 4096u)
#define WS2812_BYTES_MAX (3u * 64u)

/* ---- ADC ------------------------------------------------------------------------------------- */

static unsigned popcount4(uint8_t mask) {
    unsigned c = 0;
    for (unsigned b = 0; b < HAL_ADC_CHANNELS; b++) {
        c += (mask >> b) & 1u;
    }
    return c;
}

static void adc_done(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_node_t *n = ctx;
    n->adc_ev = 0;
    if (!sim_node__arg_current(n, arg)) {
        return;
    }
    n->adc_busy = false;
    const hal_adc_burst_cfg_t *cfg = &n->adc_cfg;
    size_t count = (size_t)popcount4(cfg->channel_mask) * cfg->samples_per_channel;
    memset(n->adc_buf, 0, count * sizeof n->adc_buf[0]);
    if (n->bind.adc_burst != NULL) {
        n->bind.adc_burst(n->bind.ctx, n, cfg, n->adc_start_ns, n->adc_buf);
    }
    for (size_t i = 0; i < count; i++) {
        n->adc_buf[i] = n->adc_buf[i] > 4095u ? 4095u : n->adc_buf[i];
    }
    n->stats.adc_bursts++;
    if (sim_node__deliverable(n, arg)) {
        sim_node__fw_adc(n, n->adc_buf, cfg->samples_per_channel, cfg->channel_mask);
    }
}

static int op_adc_burst_start(void *ctx, const hal_adc_burst_cfg_t *cfg) {
    sim_node_t *n = ctx;
    if (n->bind.adc_burst == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (cfg == NULL || cfg->sample_rate_hz < 1000 || cfg->samples_per_channel == 0 ||
        cfg->samples_per_channel > 4096 || cfg->channel_mask == 0 ||
        (cfg->channel_mask >> HAL_ADC_CHANNELS) != 0) {
        return HAL_ERR_INVALID;
    }
    if (n->adc_busy) {
        return HAL_ERR_BUSY;
    }
    if (n->adc_buf == NULL) {
        n->adc_buf = malloc(ADC_SAMPLES_MAX * sizeof n->adc_buf[0]);
        if (n->adc_buf == NULL) {
            sim_node__host_log(n, HAL_LOG_ERROR, "adc_burst_start: out of memory");
            return HAL_ERR_BUSY;
        }
    }
    /* Rounded up: the burst is complete once its last sample has been taken. */
    sim_time_ns_t dur_ns = ((sim_time_ns_t)cfg->samples_per_channel * SIM_NS_PER_S +
                            (sim_time_ns_t)cfg->sample_rate_hz - 1) /
                           (sim_time_ns_t)cfg->sample_rate_hz;
    n->adc_cfg = *cfg;
    n->adc_busy = true;
    n->adc_start_ns = sim_kernel_now(n->k);
    n->adc_ev = sim_kernel_schedule_in(n->k, dur_ns, SIM_PRIO_FIRMWARE, adc_done, n,
                                       sim_node__arg(n, NODE_ARG_ADC));
    return HAL_OK;
}

/* ---- WS2812 ---------------------------------------------------------------------------------- */

static int op_ws2812_write(void *ctx, const uint8_t *grb, size_t len) {
    sim_node_t *n = ctx;
    if ((grb == NULL && len > 0) || len > WS2812_BYTES_MAX || len % 3u != 0) {
        return HAL_ERR_INVALID;
    }
    n->stats.ws2812_writes++;
    if (n->bind.ws2812 != NULL) {
        n->bind.ws2812(n->bind.ctx, n, grb, len, sim_kernel_now(n->k));
    }
    return HAL_OK;
}

void sim_node__adc_cancel(sim_node_t *n) {
    if (n->adc_ev != 0) {
        sim_kernel_cancel(n->k, n->adc_ev);
        n->adc_ev = 0;
    }
    n->adc_busy = false;
}

void sim_node__ops_dev(alfasim_host_ops_t *ops) {
    ops->adc_burst_start = op_adc_burst_start;
    ops->ws2812_write = op_ws2812_write;
}
