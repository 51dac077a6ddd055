/*
 * sim_node_gpio.c: GPIO levels, bit-bang delays, and where edges go.
 *
 * Each edge goes to the device binding at once, stamped with the edge cursor (models such as the
 * TM1637 decoder want the exact spacing), and to the VCD. The VCD is one file for the whole run,
 * so its changes must be written in time order; an edge stamped after "now" (later in a
 * bit-banged burst) is therefore queued and written by a kernel event at its own time. The queue
 * is a FIFO because a node's cursor never goes backwards (sim_node.h, "Time").
 *
 *   fw: write CLK=1, delay 5, write DIO=0, delay 10, write CLK=0        (entry point at t)
 *   edges:  t ─ CLK↑        t+5us ─ DIO↓        t+15us ─ CLK↓
 *   VCD:    written now      queued, event at t+5us   queued (same event chain)
 */
#include <stdio.h>

#include "sim_node_int.h"

static const char *const sig_names[HAL_SIG_COUNT] = {
    [HAL_SIG_RELAY_GRID] = "relay_grid", [HAL_SIG_RELAY_INVERTER] = "relay_inverter",
    [HAL_SIG_RELAY_POOL] = "relay_pool", [HAL_SIG_RELAY_HEATER] = "relay_heater",
    [HAL_SIG_LED_GREEN] = "led_green",   [HAL_SIG_LED_YELLOW] = "led_yellow",
    [HAL_SIG_LED_RED] = "led_red",       [HAL_SIG_TM1637_CLK] = "tm1637_clk",
    [HAL_SIG_TM1637_DIO] = "tm1637_dio",
};

int sim_node__vcd_declare(sim_node_t *n, char *err, size_t errlen) {
    if (n->trace == NULL) {
        return 0;
    }
    int rc = 0;
    for (unsigned s = 0; s < HAL_SIG_COUNT && rc == 0; s++) {
        rc = sim_trace_vcd_declare(n->trace, n->name, sig_names[s], 1, 0, &n->vcd_sig[s]);
    }
    if (rc == 0) {
        rc = sim_trace_vcd_declare(n->trace, n->name, "state", 2, SIM_NODE_OFF, &n->vcd_state);
    }
    if (rc == -SIM_EBUSY) {
        snprintf(err, errlen,
                 "node '%s': cannot declare its VCD signals, the trace has already started "
                 "(create every node before running)",
                 n->name);
    } else if (rc == -SIM_EEXIST) {
        snprintf(err, errlen, "node '%s': a node of that name is already in the trace", n->name);
    } else if (rc != 0) {
        snprintf(err, errlen, "node '%s': cannot declare its VCD signals: %s", n->name,
                 sim_strerror(rc));
    }
    n->vcd = rc == 0;
    return rc;
}

void sim_node__vcd_state(sim_node_t *n) {
    if (n->vcd) {
        sim_trace_vcd_set(n->trace, n->vcd_state, sim_kernel_now(n->k), (uint64_t)n->state);
    }
}

/* Writes every queued edge that is due, and re-arms the event for the next one. */
static void edge_fire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_node_t *n = ctx;
    n->edge_ev = 0;
    if (!sim_node__arg_current(n, arg)) {
        return;
    }
    sim_time_ns_t now = sim_kernel_now(k);
    while (n->edge_count > 0 && n->edges[n->edge_head].t_ns <= now) {
        const node_edge_t *e = &n->edges[n->edge_head];
        sim_trace_vcd_set(n->trace, n->vcd_sig[e->sig], e->t_ns, e->level ? 1u : 0u);
        n->edge_head = (n->edge_head + 1u) % SIM_NODE_EDGE_QUEUE;
        n->edge_count--;
    }
    if (n->edge_count > 0) {
        n->edge_ev = sim_kernel_schedule(k, n->edges[n->edge_head].t_ns, SIM_PRIO_DEFAULT,
                                         edge_fire, n, arg);
    }
}

static void vcd_edge(sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t_ns) {
    if (!n->vcd) {
        return;
    }
    if (n->edge_count == 0 && t_ns <= sim_kernel_now(n->k)) {
        sim_trace_vcd_set(n->trace, n->vcd_sig[sig], t_ns, level ? 1u : 0u);
        return;
    }
    if (n->edge_count == SIM_NODE_EDGE_QUEUE) {
        n->stats.vcd_edges_dropped++;
        return;
    }
    unsigned tail = (n->edge_head + n->edge_count) % SIM_NODE_EDGE_QUEUE;
    n->edges[tail] = (node_edge_t){.t_ns = t_ns, .sig = (uint8_t)sig, .level = level};
    n->edge_count++;
    if (n->edge_ev == 0) {
        n->edge_ev = sim_kernel_schedule(n->k, n->edges[n->edge_head].t_ns, SIM_PRIO_DEFAULT,
                                         edge_fire, n, sim_node__arg(n, NODE_ARG_EDGE));
    }
}

static void set_level(sim_node_t *n, hal_signal_t sig, bool level, sim_time_ns_t t_ns, bool quiet) {
    n->level[sig] = level;
    n->stats.gpio_edges++;
    if (quiet) {
        return;
    }
    if (n->bind.gpio_edge != NULL) {
        n->bind.gpio_edge(n->bind.ctx, n, sig, level, t_ns);
    }
    vcd_edge(n, sig, level, t_ns);
}

static void op_gpio_write(void *ctx, unsigned sig, bool active) {
    sim_node_t *n = ctx;
    if (sig >= HAL_SIG_COUNT || n->level[sig] == active) {
        return; /* hal.h: unknown signals are ignored; an unchanged level is no edge */
    }
    set_level(n, (hal_signal_t)sig, active, n->edge_ns, false);
}

static bool op_gpio_read(void *ctx, unsigned sig) {
    sim_node_t *n = ctx;
    if (sig >= HAL_SIG_COUNT) {
        return false;
    }
    bool level = n->level[sig];
    if (n->bind.gpio_input != NULL) {
        level = level && n->bind.gpio_input(n->bind.ctx, n, (hal_signal_t)sig, n->edge_ns);
    }
    return level;
}

static void op_delay_us(void *ctx, uint32_t us) {
    sim_node_t *n = ctx;
    if (us > SIM_NODE_DELAY_US_MAX) {
        n->stats.delay_clamped++;
        us = SIM_NODE_DELAY_US_MAX;
    }
    n->edge_ns = sim_time_add(n->edge_ns, (sim_time_ns_t)us * SIM_NS_PER_US);
}

void sim_node__gpio_reset(sim_node_t *n, bool quiet) {
    if (n->edge_ev != 0) {
        sim_kernel_cancel(n->k, n->edge_ev);
        n->edge_ev = 0;
    }
    /* Edges already due are history and get written; later ones never happen, since the chip
     * stopped driving the pins now. */
    sim_time_ns_t now = sim_kernel_now(n->k);
    for (; n->edge_count > 0; n->edge_count--) {
        const node_edge_t *e = &n->edges[n->edge_head];
        if (!quiet && n->vcd && e->t_ns <= now) {
            sim_trace_vcd_set(n->trace, n->vcd_sig[e->sig], e->t_ns, e->level ? 1u : 0u);
        }
        n->edge_head = (n->edge_head + 1u) % SIM_NODE_EDGE_QUEUE;
    }
    n->edge_head = 0;
    n->edge_ns = now;
    for (unsigned s = 0; s < HAL_SIG_COUNT; s++) {
        if (n->level[s]) {
            set_level(n, (hal_signal_t)s, false, now, quiet);
        } else if (n->vcd && !quiet) {
            /* The VCD may still show a level whose queued edge was just dropped; the writer
             * skips unchanged values, so this costs nothing when it does not. */
            sim_trace_vcd_set(n->trace, n->vcd_sig[s], now, 0);
        }
    }
}

void sim_node__ops_gpio(alfasim_host_ops_t *ops) {
    ops->gpio_write = op_gpio_write;
    ops->gpio_read = op_gpio_read;
    ops->delay_us = op_delay_us;
}
