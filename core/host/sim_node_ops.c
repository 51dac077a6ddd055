/*
 * sim_node_ops.c: the host operations that need no device: time, timers, NVS, the task
 * watchdog, identity, restart and the console log.
 *
 * Timers are kernel events at SIM_PRIO_FIRMWARE. A periodic timer re-arms from its previous
 * deadline, not from the time its callback ran, so 10 000 periods of 100 ms end at exactly
 * 1000 s (esp_timer does the same: its period does not drift with callback latency). The next
 * expiry is scheduled before the firmware is called, so the callback may stop or re-arm it.
 *
 * The watchdog is lazy: feeding only records the time; the expiry event, when it runs, checks the
 * last feed and re-schedules itself if the firmware fed in the meantime. One event per timeout
 * instead of a cancel and a schedule per feed.
 */
#include <string.h>

#include "sim_node_int.h"

static sim_node_t *node_of(void *ctx) {
    SIM_ASSERT(ctx != NULL);
    return ctx;
}

/* ---- time and timers ------------------------------------------------------------------------ */

uint64_t sim_node__now_us(const sim_node_t *n) {
    return sim_node__us_since_boot(n, sim_kernel_now(n->k));
}

static uint64_t op_now_us(void *ctx) {
    return sim_node__now_us(node_of(ctx));
}

static void timer_fire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_node_t *n = node_of(ctx);
    unsigned id = (unsigned)(arg & 0xFFu);
    SIM_ASSERT(id < HAL_TIMER_COUNT);
    node_timer_t *t = &n->timer[id];
    t->ev = 0;
    if (!sim_node__deliverable(n, arg)) {
        return;
    }
    if (t->periodic) {
        t->deadline_ns = sim_time_add(t->deadline_ns, t->period_ns);
        t->ev = sim_kernel_schedule(k, t->deadline_ns, SIM_PRIO_FIRMWARE, timer_fire, n, arg);
    }
    n->stats.timer_fires++;
    sim_node__fw_timer(n, id);
}

static int op_timer_stop(void *ctx, unsigned id) {
    sim_node_t *n = node_of(ctx);
    if (id >= HAL_TIMER_COUNT) {
        return HAL_ERR_INVALID;
    }
    if (n->timer[id].ev != 0) {
        sim_kernel_cancel(n->k, n->timer[id].ev);
        n->timer[id].ev = 0;
    }
    return HAL_OK;
}

static int op_timer_start(void *ctx, unsigned id, uint32_t period_us, bool periodic) {
    sim_node_t *n = node_of(ctx);
    if (id >= HAL_TIMER_COUNT || period_us == 0) {
        return HAL_ERR_INVALID;
    }
    (void)op_timer_stop(ctx, id);
    node_timer_t *t = &n->timer[id];
    t->period_ns = (sim_time_ns_t)period_us * SIM_NS_PER_US;
    t->periodic = periodic;
    t->deadline_ns = sim_time_add(sim_kernel_now(n->k), t->period_ns);
    t->ev = sim_kernel_schedule(n->k, t->deadline_ns, SIM_PRIO_FIRMWARE, timer_fire, n,
                                sim_node__arg(n, id));
    return HAL_OK;
}

void sim_node__timers_cancel(sim_node_t *n, bool with_wdt) {
    for (unsigned id = 0; id < HAL_TIMER_COUNT; id++) {
        (void)op_timer_stop(n, id);
    }
    if (n->restart_ev != 0) {
        sim_kernel_cancel(n->k, n->restart_ev);
        n->restart_ev = 0;
    }
    if (with_wdt && n->wdt_ev != 0) {
        sim_kernel_cancel(n->k, n->wdt_ev);
        n->wdt_ev = 0;
    }
}

/* ---- watchdog -------------------------------------------------------------------------------- */

static void wdt_expire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_node_t *n = node_of(ctx);
    n->wdt_ev = 0;
    if (!sim_node__arg_current(n, arg) || !n->wdt_armed || n->state == SIM_NODE_OFF) {
        return;
    }
    sim_time_ns_t deadline = sim_time_add(n->wdt_fed_ns, n->wdt_timeout_ns);
    if (deadline > sim_kernel_now(k)) {
        n->wdt_ev = sim_kernel_schedule(k, deadline, NODE_PRIO_WDT, wdt_expire, n, arg);
        return;
    }
    sim_node__reset(n, HAL_RESET_WATCHDOG);
}

static int op_wdt_start(void *ctx, uint32_t timeout_ms) {
    sim_node_t *n = node_of(ctx);
    if (timeout_ms == 0) {
        return HAL_ERR_INVALID;
    }
    if (n->wdt_ev != 0) {
        sim_kernel_cancel(n->k, n->wdt_ev);
    }
    n->wdt_armed = true;
    n->wdt_timeout_ns = (sim_time_ns_t)timeout_ms * SIM_NS_PER_MS;
    n->wdt_fed_ns = sim_kernel_now(n->k);
    n->wdt_ev = sim_kernel_schedule(n->k, sim_time_add(n->wdt_fed_ns, n->wdt_timeout_ns),
                                    NODE_PRIO_WDT, wdt_expire, n, sim_node__arg(n, NODE_ARG_WDT));
    return HAL_OK;
}

static void op_wdt_feed(void *ctx) {
    sim_node_t *n = node_of(ctx);
    n->wdt_fed_ns = sim_kernel_now(n->k);
}

/* ---- identity, reset, log -------------------------------------------------------------------- */

static void op_efuse_mac(void *ctx, uint8_t mac[6]) {
    if (mac != NULL) { /* the HAL has no error to return; NULL gets nothing, and no crash */
        memcpy(mac, node_of(ctx)->mac, 6);
    }
}

static int op_reset_reason(void *ctx) {
    return (int)node_of(ctx)->reason;
}

static void restart_fire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_node_t *n = node_of(ctx);
    n->restart_ev = 0;
    if (sim_node__arg_current(n, arg) && n->state == SIM_NODE_RUNNING && n->restart_pending) {
        sim_node__reset(n, HAL_RESET_SOFTWARE);
    }
}

/* esp_restart() does not return on the chip; here the entry point finishes, no other entry
 * point runs (deliveries check restart_pending), and the reset is the next event at this
 * instant. */
static void op_restart(void *ctx) {
    sim_node_t *n = node_of(ctx);
    if (n->restart_pending) {
        return;
    }
    n->restart_pending = true;
    n->restart_ev = sim_kernel_schedule(n->k, sim_kernel_now(n->k), SIM_PRIO_FIRMWARE, restart_fire,
                                        n, sim_node__arg(n, NODE_ARG_RESTART));
}

static void op_log(void *ctx, int level, const char *line) {
    sim_node_t *n = node_of(ctx);
    char kept[201]; /* hal.h: at most 200 characters are kept */
    size_t len = 0;
    while (line != NULL && len < sizeof kept - 1 && line[len] != '\0') {
        kept[len] = line[len];
        len++;
    }
    kept[len] = '\0';
    if (!sim_node__log_budget(n, len)) {
        return;
    }
    n->stats.log_lines++;
    if (n->trace != NULL) {
        sim_trace_ev_t *e = sim_trace_ev_begin(n->trace, sim_kernel_now(n->k), "log", n->name);
        sim_node__ev_level(e, level);
        sim_trace_ev_str(e, "msg", kept);
        sim_trace_ev_end(e);
    }
    if (n->bind.console != NULL) {
        hal_log_level_t lv = level >= HAL_LOG_ERROR && level <= HAL_LOG_DEBUG
                                 ? (hal_log_level_t)level
                                 : HAL_LOG_DEBUG;
        n->bind.console(n->bind.ctx, n, lv, kept);
    }
}

/* ---- NVS ------------------------------------------------------------------------------------- */

int sim_node__nvs_to_hal(int rc) {
    switch (rc) {
        case 0:
            return HAL_OK;
        case -SIM_ENOENT:
            return HAL_ERR_NOT_FOUND;
        case -SIM_ERANGE:
        case -SIM_ENOMEM:
            return HAL_ERR_NO_SPACE;
        default:
            return HAL_ERR_INVALID;
    }
}

/* A flash operation failed because the power was cut there: the board browns out. */
static int nvs_checked(sim_node_t *n, int rc) {
    if (rc == -SIM_EIO && !sim_nvs_powered(n->nvs)) {
        sim_node__power_cut(n);
    }
    return rc;
}

static int op_nvs_get(void *ctx, const char *ns, const char *key, void *buf, size_t *len) {
    return sim_node__nvs_to_hal(sim_nvs_get(node_of(ctx)->nvs, ns, key, buf, len));
}

static int op_nvs_set(void *ctx, const char *ns, const char *key, const void *buf, size_t len) {
    sim_node_t *n = node_of(ctx);
    int rc = nvs_checked(n, sim_nvs_set(n->nvs, ns, key, buf, len));
    if (rc == 0) {
        n->stats.nvs_writes++;
    }
    return sim_node__nvs_to_hal(rc);
}

static int op_nvs_erase_key(void *ctx, const char *ns, const char *key) {
    sim_node_t *n = node_of(ctx);
    return sim_node__nvs_to_hal(nvs_checked(n, sim_nvs_erase_key(n->nvs, ns, key)));
}

static int op_nvs_erase_all(void *ctx, const char *ns) {
    if (ns == NULL) {
        return HAL_ERR_INVALID; /* hal.h erases one namespace; NULL is not "all" there */
    }
    sim_node_t *n = node_of(ctx);
    int rc = nvs_checked(n, sim_nvs_erase_all(n->nvs, ns));
    return rc >= 0 ? HAL_OK : sim_node__nvs_to_hal(rc);
}

void sim_node__ops_core(alfasim_host_ops_t *ops) {
    ops->now_us = op_now_us;
    ops->timer_start = op_timer_start;
    ops->timer_stop = op_timer_stop;
    ops->nvs_get = op_nvs_get;
    ops->nvs_set = op_nvs_set;
    ops->nvs_erase_key = op_nvs_erase_key;
    ops->nvs_erase_all = op_nvs_erase_all;
    ops->wdt_start = op_wdt_start;
    ops->wdt_feed = op_wdt_feed;
    ops->efuse_mac = op_efuse_mac;
    ops->reset_reason = op_reset_reason;
    ops->restart = op_restart;
    ops->log = op_log;
}
