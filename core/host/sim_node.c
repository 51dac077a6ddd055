/*
 * sim_node.c: creating and destroying node hosts, the device binding, and read-only accessors.
 *
 * Creation does everything that can fail for reasons the user must fix (a missing or bad plugin,
 * a duplicate name, nodes created after the run started) so that a run fails before it starts,
 * with one message, rather than at the first power-on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_lines.h"
#include "sim_node_int.h"

const char *sim_node_state_name(sim_node_state_t st) {
    switch (st) {
        case SIM_NODE_OFF:
            return "off";
        case SIM_NODE_RUNNING:
            return "running";
        case SIM_NODE_HUNG:
            return "hung";
    }
    return "?";
}

const char *sim_node_reset_reason_name(hal_reset_reason_t r) {
    switch (r) {
        case HAL_RESET_POWER_ON:
            return "power_on";
        case HAL_RESET_SOFTWARE:
            return "software";
        case HAL_RESET_WATCHDOG:
            return "watchdog";
        case HAL_RESET_BROWNOUT:
            return "brownout";
        case HAL_RESET_UNKNOWN:
            return "unknown";
    }
    return "unknown";
}

/* Node names become VCD scopes and JSON values: printable, no whitespace. */
static bool name_ok(const char *name) {
    size_t len = name != NULL ? strlen(name) : 0;
    if (len == 0 || len > SIM_NODE_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7F) { /* ASCII graphic only: no locale involved */
            return false;
        }
    }
    return true;
}

static void copy_str(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* Loads and unloads one copy: the plugin is usable, and its name and version are kept. */
static int validate_plugin(sim_node_t *n, const sim_node_cfg_t *cfg, char *err, size_t errlen) {
    int rc = cfg->plugins != NULL
                 ? sim_plugin_cache_get(cfg->plugins, cfg->plugin_path, &n->image, err, errlen)
                 : sim_plugin_image_read(cfg->plugin_path, &n->image, err, errlen);
    if (rc != 0) {
        return rc;
    }
    sim_plugin_t *copy = NULL;
    rc = sim_plugin_load(n->image, &copy, err, errlen);
    if (rc != 0) {
        return rc;
    }
    const alfasim_plugin_t *d = sim_plugin_descriptor(copy);
    copy_str(n->fw_name, sizeof n->fw_name, d->name);
    copy_str(n->fw_version, sizeof n->fw_version, d->fw_version);
    const alfasim_fw_ops_t *o = d->ops;
    n->fw_caps = (uint8_t)((o->on_timer != NULL ? FW_CAP_TIMER : 0u) |
                           (o->on_uart_rx != NULL ? FW_CAP_UART_RX : 0u) |
                           (o->on_can_rx != NULL ? FW_CAP_CAN_RX : 0u) |
                           (o->on_can_state != NULL ? FW_CAP_CAN_STATE : 0u) |
                           (o->on_adc_burst != NULL ? FW_CAP_ADC : 0u));
    sim_plugin_unload(copy);
    return 0;
}

/* n->ops holds the operations; the firmware gets n->host, the guard in front of them. */
static void fill_host_ops(sim_node_t *n) {
    memset(&n->ops, 0, sizeof n->ops);
    n->ops.abi_version = ALFASIM_PLUGIN_ABI_VERSION;
    n->ops.size = (uint32_t)sizeof n->ops;
    n->ops.ctx = n;
    sim_node__ops_core(&n->ops);
    sim_node__ops_gpio(&n->ops);
    sim_node__ops_io(&n->ops);
    sim_node__ops_dev(&n->ops);
    n->host = n->ops;
    sim_node__guard_fill(&n->host);
    n->host.now_us_cell = &n->now_us_cell;
}

static int setup(sim_node_t *n, const sim_node_cfg_t *cfg, char *err, size_t errlen) {
    int rc = validate_plugin(n, cfg, err, errlen);
    if (rc != 0) {
        return rc;
    }
    if (sim_nvs_create(&n->nvs) != 0) {
        snprintf(err, errlen, "node '%s': out of memory", n->name);
        return -SIM_ENOMEM;
    }
    if (n->bus != NULL) {
        rc = sim_node__can_attach(n, cfg->can_tx_queue_len);
        if (rc != 0) {
            snprintf(err, errlen, "node '%s': cannot attach to the CAN bus: %s", n->name,
                     sim_strerror(rc));
            return rc;
        }
    }
    return sim_node__vcd_declare(n, err, errlen);
}

int sim_node_create(sim_kernel_t *k, const sim_node_cfg_t *cfg, sim_node_t **out, char *err,
                    size_t errlen) {
    SIM_ASSERT(k != NULL && cfg != NULL && out != NULL);
    *out = NULL;
    if (!name_ok(cfg->name)) {
        snprintf(err, errlen, "node name '%s' is invalid (1..%u printable characters, no spaces)",
                 cfg->name != NULL ? cfg->name : "", SIM_NODE_NAME_MAX);
        return -SIM_EINVAL;
    }
    if (cfg->plugin_path == NULL || cfg->plugin_path[0] == '\0') {
        snprintf(err, errlen, "node '%s': no firmware plugin given", cfg->name);
        return -SIM_EINVAL;
    }
    sim_node_t *n = sim_calloc_lines(sizeof(sim_node_t));
    if (n == NULL) {
        snprintf(err, errlen, "node '%s': out of memory", cfg->name);
        return -SIM_ENOMEM;
    }
    n->k = k;
    copy_str(n->name, sizeof n->name, cfg->name);
    memcpy(n->mac, cfg->mac, sizeof n->mac);
    n->trace = cfg->trace;
    n->bus = cfg->bus;
    n->line = cfg->rs485;
    n->state = SIM_NODE_OFF;
    n->reason = HAL_RESET_POWER_ON;
    n->isolate = cfg->isolate;
    n->isolate_timeout_ms = cfg->isolate_timeout_ms;
    n->log_bytes_per_s =
        cfg->log_bytes_per_s != 0 ? cfg->log_bytes_per_s : SIM_NODE_LOG_BYTES_PER_S;
    fill_host_ops(n);
    int rc = setup(n, cfg, err, errlen);
    if (rc != 0) {
        sim_node_destroy(n);
        return rc;
    }
    *out = n;
    return 0;
}

void sim_node_destroy(sim_node_t *n) {
    if (n == NULL) {
        return;
    }
    SIM_ASSERT(!n->in_fw);
    /* Quiet: at the end of a run the trace and the models may already be gone. */
    if (n->state != SIM_NODE_OFF) {
        n->state = SIM_NODE_OFF;
        sim_node__teardown(n, true);
    }
    if (n->wdt_ev != 0) {
        sim_kernel_cancel(n->k, n->wdt_ev);
    }
    if (n->can != NULL) {
        sim_can_ctrl_detach(n->can);
    }
    sim_nvs_destroy(n->nvs);
    sim_plugin_image_release(n->image);
    free(n->adc_buf);
    free(n);
}

void sim_node_bind(sim_node_t *n, const sim_node_binding_t *b) {
    if (b != NULL) {
        n->bind = *b;
    } else {
        memset(&n->bind, 0, sizeof n->bind);
    }
}

const char *sim_node_name(const sim_node_t *n) {
    return n->name;
}

const uint8_t *sim_node_mac(const sim_node_t *n) {
    return n->mac;
}

sim_node_state_t sim_node_state(const sim_node_t *n) {
    return n->state;
}

hal_reset_reason_t sim_node_reset_reason(const sim_node_t *n) {
    return n->reason;
}

sim_time_ns_t sim_node_boot_time(const sim_node_t *n) {
    return n->boot_ns;
}

sim_can_ctrl_t *sim_node_can(const sim_node_t *n) {
    return n->can;
}

sim_uart_port_t *sim_node_uart(const sim_node_t *n) {
    return n->uart;
}

sim_nvs_t *sim_node_nvs(const sim_node_t *n) {
    return n->nvs;
}

bool sim_node_gpio(const sim_node_t *n, hal_signal_t sig) {
    return (unsigned)sig < HAL_SIG_COUNT && n->level[sig];
}

const char *sim_node_fw_name(const sim_node_t *n) {
    return n->fw_name;
}

const char *sim_node_fw_version(const sim_node_t *n) {
    return n->fw_version;
}

const char *sim_node_error(const sim_node_t *n) {
    return n->error;
}

bool sim_node_isolated(const sim_node_t *n) {
    return n->isolate;
}

const char *sim_node_faulted(const sim_node_t *n) {
    return n->fault;
}

const char *sim_node_fault_detail(const sim_node_t *n) {
    return n->fault_detail;
}

void sim_node_stats(const sim_node_t *n, sim_node_stats_t *out) {
    *out = n->stats;
    out->can_rx = n->can_rx;
    out->uart_rx = n->uart_rx;
}
