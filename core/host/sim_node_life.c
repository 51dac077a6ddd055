/*
 * sim_node_life.c: a node's life: boot, power off, hang, watchdog and software resets, and the
 * bracket around every call into the firmware.
 *
 * A boot is always a fresh copy of the plugin (fresh .data/.bss), whatever the reason, because
 * that is what a reset does to the ESP32's RAM; only the NVS image and the CAN controller object
 * (stopped) survive. ops->init runs synchronously inside the boot, which is safe because a boot
 * is never started from inside a firmware call (resets are kernel events).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_node_int.h"

/* Generations live in the upper 56 bits of an event argument. */
#define GEN_MASK 0x00FFFFFFFFFFFFFFull

uint64_t sim_node__arg(const sim_node_t *n, unsigned payload) {
    SIM_ASSERT(payload <= 0xFFu);
    return ((n->gen & GEN_MASK) << 8) | payload;
}

bool sim_node__arg_current(const sim_node_t *n, uint64_t arg) {
    return (arg >> 8) == (n->gen & GEN_MASK);
}

bool sim_node__deliverable(const sim_node_t *n, uint64_t arg) {
    return n->state == SIM_NODE_RUNNING && sim_node__fw_loaded(n) && !n->restart_pending &&
           !n->muted && sim_node__arg_current(n, arg);
}

/* Entry points take no virtual time, so a firmware that answers every entry point with work
 * for another one at the same instant (restarting its CAN controller from each state change that
 * restart reports) would run forever without time moving on, writing a trace line each time.
 * No node needs more than a few dozen entry points at one instant; past the limit the node
 * faults, muted from this entry point on, exactly as for a fault found inside it. */
static void count_entry(sim_node_t *n, sim_time_ns_t now) {
    if (n->entries_ns != now) {
        n->entries_ns = now;
        n->entries_at_instant = 0;
    }
    if (++n->entries_at_instant > SIM_NODE_ENTRIES_PER_INSTANT) {
        sim_node__fault(n, "livelock",
                        "more than %u entry points at one instant: the firmware never lets time "
                        "move on",
                        (unsigned)SIM_NODE_ENTRIES_PER_INSTANT);
    }
}

void sim_node__enter(sim_node_t *n) {
    /* A firmware call inside a firmware call would mean a host operation called back into the
     * firmware: the one thing the host must never do. */
    SIM_ASSERT(!n->in_fw);
    n->in_fw = true;
    n->entry_ops = 0;
    sim_time_ns_t now = sim_kernel_now(n->k);
    n->now_us_cell = sim_node__us_since_boot(n, now); /* virtual time stands still until leave */
    if (n->edge_ns < now) {
        n->edge_ns = now;
    }
    count_entry(n, now);
}

void sim_node__leave(sim_node_t *n) {
    SIM_ASSERT(n->in_fw);
    n->in_fw = false;
}

void sim_node__ev_level(sim_trace_ev_t *e, int level) {
    static const char *const names[] = {[HAL_LOG_ERROR] = "error",
                                        [HAL_LOG_WARN] = "warn",
                                        [HAL_LOG_INFO] = "info",
                                        [HAL_LOG_DEBUG] = "debug"};
    if (level >= 0 && (size_t)level < sizeof names / sizeof names[0]) {
        sim_trace_ev_str(e, "level", names[level]);
        return;
    }
    /* Only a firmware can pass a level outside hal_log_level_t, and that is its bug: the line
     * says so, with the value passed, instead of passing for one of the four. */
    sim_trace_ev_str(e, "level", "invalid");
    sim_trace_ev_int(e, "level_value", level);
}

void sim_node__host_log(sim_node_t *n, hal_log_level_t level, const char *fmt, ...) {
    if (n->trace == NULL) {
        return;
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_trace_ev_t *e = sim_trace_ev_begin(n->trace, sim_kernel_now(n->k), "log", n->name);
    sim_node__ev_level(e, (int)level);
    sim_trace_ev_str(e, "src", "host");
    sim_trace_ev_str(e, "msg", msg);
    sim_trace_ev_end(e);
}

/* A lifecycle line in events.jsonl, or NULL without a trace. */
static sim_trace_ev_t *life_event(sim_node_t *n, const char *type) {
    if (n->trace == NULL) {
        return NULL;
    }
    return sim_trace_ev_begin(n->trace, sim_kernel_now(n->k), type, n->name);
}

static void trace_simple(sim_node_t *n, const char *type) {
    sim_trace_ev_t *e = life_event(n, type);
    if (e != NULL) {
        sim_trace_ev_end(e);
    }
}

static void trace_boot(sim_node_t *n) {
    sim_trace_ev_t *e = life_event(n, "boot");
    if (e != NULL) {
        sim_trace_ev_str(e, "reason", sim_node_reset_reason_name(n->reason));
        sim_trace_ev_uint(e, "boot", n->stats.boots);
        sim_trace_ev_str(e, "fw", n->fw_name);
        sim_trace_ev_str(e, "fw_version", n->fw_version);
        sim_trace_ev_end(e);
    }
}

void sim_node__teardown(sim_node_t *n, bool quiet) {
    SIM_ASSERT(!n->in_fw);
    sim_node__timers_cancel(n, true);
    sim_node__io_stop(n);
    sim_node__gpio_reset(n, quiet);
    n->gen++;
    sim_node__fw_unload(n);
    n->restart_pending = false;
    n->wdt_armed = false;
    n->uart_open = false;
    n->can_recovering = false;
}

static int load_copy(sim_node_t *n) {
    /* A boot mounts the NVS (nvs_flash_init), repairing what a power cut left; the firmware
     * (and an isolated child's copy of the image) sees the repaired image. */
    if (sim_nvs_mount(n->nvs) != 0) {
        snprintf(n->error, sizeof n->error, "node '%s': power cut while mounting NVS", n->name);
        return -SIM_EIO;
    }
    int rc = sim_node__fw_load(n);
    if (rc == 0) {
        rc = sim_node__io_start(n);
        if (rc != 0) {
            snprintf(n->error, sizeof n->error, "node '%s': cannot attach its UART: %s", n->name,
                     sim_strerror(rc));
            sim_node__fw_unload(n);
        }
    }
    return rc;
}

/* Loads a copy and runs ops->init. On failure the node is OFF with the reason in n->error. */
static int boot(sim_node_t *n, hal_reset_reason_t reason) {
    int rc = load_copy(n);
    if (rc == SIM_NODE__DOWN) {
        n->state = SIM_NODE_OFF; /* the child died loading the plugin: the fault is traced */
        sim_node__vcd_state(n);
        return 0;
    }
    if (rc != 0) {
        n->state = SIM_NODE_OFF;
        sim_node__host_log(n, HAL_LOG_ERROR, "%s", n->error);
        sim_node__vcd_state(n);
        return rc;
    }
    n->gen++;
    n->state = SIM_NODE_RUNNING;
    n->reason = reason;
    n->boot_ns = sim_kernel_now(n->k);
    n->edge_ns = n->boot_ns;
    n->stats.boots++;
    trace_boot(n);
    sim_node__vcd_state(n);
    rc = sim_node__fw_init(n);
    if (rc == SIM_NODE__DOWN) {
        return 0; /* the node is down already, and stays down */
    }
    if (rc != 0) {
        snprintf(n->error, sizeof n->error,
                 "node '%s': firmware %s refused the host operations (ABI %u)", n->name, n->fw_name,
                 (unsigned)ALFASIM_PLUGIN_ABI_VERSION);
        sim_node__host_log(n, HAL_LOG_ERROR, "%s", n->error);
        n->state = SIM_NODE_OFF;
        sim_node__teardown(n, false);
        sim_node__vcd_state(n);
        return -SIM_EVERSION;
    }
    return 0;
}

int sim_node_power_on(sim_node_t *n) {
    SIM_ASSERT(n != NULL && !n->in_fw);
    if (n->state != SIM_NODE_OFF || n->fault != NULL) {
        return -SIM_EBUSY;
    }
    n->error[0] = '\0';
    trace_simple(n, "power_on");
    int rc = boot(n, HAL_RESET_POWER_ON);
    if (rc == 0) {
        n->stats.power_ons++;
    }
    return rc;
}

void sim_node_power_off(sim_node_t *n) {
    SIM_ASSERT(n != NULL && !n->in_fw);
    if (n->state == SIM_NODE_OFF) {
        return;
    }
    /* OFF first: the CAN controller reports STOPPED synchronously while it is stopped below,
     * and nothing may be queued for the firmware any more. */
    n->state = SIM_NODE_OFF;
    sim_node__teardown(n, false);
    trace_simple(n, "power_off");
    sim_node__vcd_state(n);
}

void sim_node_hang(sim_node_t *n) {
    SIM_ASSERT(n != NULL && !n->in_fw);
    if (n->state != SIM_NODE_RUNNING) {
        return;
    }
    n->state = SIM_NODE_HUNG;
    n->stats.hangs++;
    /* The CPU stops: its timers, pending deliveries and a requested restart go with it. The
     * watchdog keeps counting: that is what it is for. */
    sim_node__timers_cancel(n, false);
    n->restart_pending = false;
    sim_node__inbox_drop(n);
    trace_simple(n, "hang");
    sim_node__vcd_state(n);
}

/* A boot takes no virtual time, so a firmware that asks for a restart before time moves on
 * (hal_restart from fw_init, or from the CAN state change its own hal_can_start reports) boots
 * again at the same instant, forever: a run that never ends, with a trace that grows until the
 * disk is full. A chip would boot-loop with time passing; here the loop is caught by counting the
 * resets of one instant. A few are legitimate (a first boot that writes its settings and
 * restarts to apply them), a loop is not. */
static bool reset_loops(sim_node_t *n) {
    sim_time_ns_t now = sim_kernel_now(n->k);
    if (n->resets_at_instant == 0 || n->reset_ns != now) {
        n->reset_ns = now;
        n->resets_at_instant = 0;
    }
    return ++n->resets_at_instant > SIM_NODE_RESETS_PER_INSTANT;
}

void sim_node__reset(sim_node_t *n, hal_reset_reason_t reason) {
    SIM_ASSERT(!n->in_fw && n->state != SIM_NODE_OFF);
    if (reason == HAL_RESET_WATCHDOG) {
        n->stats.watchdog_resets++;
        sim_trace_ev_t *e = life_event(n, "watchdog_reset");
        if (e != NULL) {
            sim_trace_ev_uint(e, "timeout_ms", (uint64_t)(n->wdt_timeout_ns / SIM_NS_PER_MS));
            sim_trace_ev_end(e);
        }
    } else {
        n->stats.software_resets++;
    }
    n->state = SIM_NODE_OFF;
    sim_node__teardown(n, false);
    if (reset_loops(n)) {
        sim_node__fault(
            n, "reset_loop",
            "more than %u resets at one instant: the firmware restarts before time moves on",
            (unsigned)SIM_NODE_RESETS_PER_INSTANT);
        sim_node__vcd_state(n);
        return;
    }
    (void)boot(n, reason);
}
