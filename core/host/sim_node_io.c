/*
 * sim_node_io.c: the peripherals with a wire behind them, the CAN controller and the RS-485
 * UART, and the inbox that carries what they receive to the firmware.
 *
 * The inbox. The bus and the line call us from their own events, and the CAN controller also
 * reports state changes synchronously while the firmware is inside hal_can_start/stop. None of
 * that may call the firmware directly (it is not re-entrant, and it should observe wires after
 * they settle), so frames, state changes and bytes are queued here, bounded like the TWAI and
 * UART driver queues, and one kernel event at SIM_PRIO_FIRMWARE delivers them in arrival order,
 * each as its own entry point.
 */
#include <stdio.h>
#include <string.h>

#include "sim_node_int.h"

/* ---- inbox ----------------------------------------------------------------------------------- */

static void inbox_fire(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    sim_node_t *n = ctx;
    n->inbox_ev = 0;
    sim_node__fw_inbox(n, arg);
}

static void count_dropped(sim_node_t *n, const node_inbox_item_t *it) {
    if (it->kind == INBOX_CAN_RX) {
        n->stats.can_rx_dropped++;
    } else if (it->kind == INBOX_UART_RX) {
        n->stats.uart_rx_dropped++;
    }
}

static void inbox_push(sim_node_t *n, const node_inbox_item_t *it) {
    if (n->state != SIM_NODE_RUNNING || n->inbox_count == SIM_NODE_INBOX_LEN) {
        count_dropped(n, it);
        return;
    }
    n->inbox[(n->inbox_head + n->inbox_count) % SIM_NODE_INBOX_LEN] = *it;
    n->inbox_count++;
    if (n->inbox_ev == 0) {
        /* Joined: the receivers of one frame get their deliveries from one kernel event, in the
         * order and at the places their own events would have. */
        n->inbox_ev = sim_kernel_schedule_joined(n->k, SIM_PRIO_FIRMWARE, inbox_fire, n,
                                                 sim_node__arg(n, NODE_ARG_INBOX));
    }
}

void sim_node__inbox_drop(sim_node_t *n) {
    if (n->inbox_ev == SIM_EVENT_JOINED) {
        (void)sim_kernel_cancel_joined(n->k, inbox_fire, n);
    } else if (n->inbox_ev != 0) {
        sim_kernel_cancel(n->k, n->inbox_ev);
    }
    n->inbox_ev = 0;
    for (; n->inbox_count > 0; n->inbox_count--) {
        count_dropped(n, &n->inbox[n->inbox_head]);
        n->inbox_head = (n->inbox_head + 1u) % SIM_NODE_INBOX_LEN;
    }
    n->inbox_head = 0;
}

/* ---- CAN ------------------------------------------------------------------------------------- */

static hal_can_state_t hal_state(const sim_node_t *n, sim_can_state_t st) {
    switch (st) {
        case SIM_CAN_ERROR_ACTIVE:
            return HAL_CAN_ERROR_ACTIVE;
        case SIM_CAN_ERROR_WARNING:
            return HAL_CAN_ERROR_WARNING;
        case SIM_CAN_ERROR_PASSIVE:
            return HAL_CAN_ERROR_PASSIVE;
        case SIM_CAN_BUS_OFF:
            return n->can_recovering ? HAL_CAN_RECOVERING : HAL_CAN_BUS_OFF;
        case SIM_CAN_STOPPED:
            return HAL_CAN_STOPPED;
    }
    return HAL_CAN_STOPPED;
}

static void can_on_rx(void *ctx, const sim_can_frame_t *f) {
    sim_node_t *n = ctx;
    node_inbox_item_t it = {.kind = INBOX_CAN_RX};
    it.frame.id = f->id;
    it.frame.dlc = f->dlc;
    it.frame.flags = (uint8_t)(((f->flags & SIM_CAN_FLAG_IDE) ? HAL_CAN_FLAG_EXT : 0u) |
                               ((f->flags & SIM_CAN_FLAG_RTR) ? HAL_CAN_FLAG_RTR : 0u));
    memcpy(it.frame.data, f->data, sizeof it.frame.data);
    inbox_push(n, &it);
}

static void can_on_state(void *ctx, sim_can_state_t st) {
    sim_node_t *n = ctx;
    if (st != SIM_CAN_BUS_OFF) {
        n->can_recovering = false;
    }
    node_inbox_item_t it = {.kind = INBOX_CAN_STATE, .state = (int8_t)hal_state(n, st)};
    inbox_push(n, &it);
}

int sim_node__can_attach(sim_node_t *n, uint16_t tx_queue_len) {
    sim_can_ctrl_cfg_t cfg = {.name = n->name, .tx_queue_len = tx_queue_len};
    n->can_tx_cap = tx_queue_len != 0 ? tx_queue_len : 5u; /* sim_can.h: 0 means 5 */
    sim_can_ctrl_cb_t cb = {.on_rx = can_on_rx, .on_state = can_on_state};
    return sim_can_ctrl_attach(n->bus, &cfg, &cb, n, &n->can);
}

static int op_can_start(void *ctx, uint32_t bitrate_bps) {
    sim_node_t *n = ctx;
    if (n->can == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    uint32_t bus_bps = sim_can_bus_bitrate(n->bus);
    if (bitrate_bps != bus_bps) {
        sim_node__host_log(n, HAL_LOG_ERROR,
                           "can_start at %u bit/s refused: the bus '%s' runs at %u bit/s",
                           (unsigned)bitrate_bps, sim_can_bus_name(n->bus), (unsigned)bus_bps);
        return HAL_ERR_INVALID;
    }
    return sim_can_ctrl_start(n->can) == 0 ? HAL_OK : HAL_ERR_BUSY;
}

static int op_can_stop(void *ctx) {
    sim_node_t *n = ctx;
    if (n->can == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (sim_can_ctrl_state(n->can) == SIM_CAN_STOPPED) {
        return HAL_ERR_NOT_STARTED;
    }
    n->can_recovering = false;
    return sim_can_ctrl_stop(n->can) == 0 ? HAL_OK : HAL_ERR_NOT_STARTED;
}

static int can_err_to_hal(int rc) {
    switch (rc) {
        case 0:
            return HAL_OK;
        case -SIM_ENETDOWN:
            return HAL_ERR_NOT_STARTED;
        case -SIM_ENETUNREACH:
            return HAL_ERR_BUS_OFF;
        case -SIM_EAGAIN:
            return HAL_ERR_QUEUE_FULL;
        default:
            return HAL_ERR_INVALID;
    }
}

static int op_can_send(void *ctx, const hal_can_frame_t *f) {
    sim_node_t *n = ctx;
    if (n->can == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (f == NULL || f->dlc > 8) {
        n->stats.can_tx_refused++;
        return HAL_ERR_INVALID;
    }
    sim_can_frame_t sf = {.id = f->id, .dlc = f->dlc};
    sf.flags = (uint8_t)(((f->flags & HAL_CAN_FLAG_EXT) ? SIM_CAN_FLAG_IDE : 0u) |
                         ((f->flags & HAL_CAN_FLAG_RTR) ? SIM_CAN_FLAG_RTR : 0u));
    if (!(f->flags & HAL_CAN_FLAG_RTR)) {
        memcpy(sf.data, f->data, f->dlc); /* sim_can.h: data[dlc..7] are zero */
    }
    int rc = can_err_to_hal(sim_can_ctrl_send(n->can, &sf));
    if (rc != HAL_OK) {
        n->stats.can_tx_refused++;
    }
    return rc;
}

static int op_can_get_state(void *ctx, uint16_t *tec, uint16_t *rec) {
    sim_node_t *n = ctx;
    if (tec != NULL) {
        *tec = n->can != NULL ? sim_can_ctrl_tec(n->can) : 0;
    }
    if (rec != NULL) {
        *rec = n->can != NULL ? sim_can_ctrl_rec(n->can) : 0;
    }
    return n->can != NULL ? (int)hal_state(n, sim_can_ctrl_state(n->can)) : HAL_CAN_STOPPED;
}

static int op_can_recover(void *ctx) {
    sim_node_t *n = ctx;
    if (n->can == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (sim_can_ctrl_recover(n->can) != 0) {
        return HAL_ERR_INVALID;
    }
    n->can_recovering = sim_can_ctrl_state(n->can) == SIM_CAN_BUS_OFF;
    return HAL_OK;
}

/* ---- UART ------------------------------------------------------------------------------------ */

static void uart_on_rx(void *ctx, uint8_t byte, bool garbled) {
    sim_node_t *n = ctx;
    if (!n->uart_open) {
        n->stats.uart_rx_dropped++; /* the driver is not installed: the FIFO overruns */
        return;
    }
    if (garbled) {
        n->stats.uart_rx_garbled++; /* delivered anyway: the UART hands over what it sampled */
    }
    node_inbox_item_t it = {.kind = INBOX_UART_RX, .byte = byte};
    inbox_push(n, &it);
}

int sim_node__io_start(sim_node_t *n) {
    if (n->line == NULL) {
        return 0;
    }
    char name[SIM_NODE_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s.rs485", n->name);
    sim_uart_port_cfg_t cfg = {.name = name, .auto_de = true, .tx_capacity = NODE_UART_TX_CAPACITY};
    sim_uart_port_cb_t cb = {.on_rx = uart_on_rx};
    return sim_uart_port_attach(n->line, &cfg, &cb, n, &n->uart);
}

/* The line fixes the baud rate; an 8N1 character is 10 bit times. A firmware opening the UART
 * at another rate would only ever receive garbage, so that is refused and logged instead. */
static int op_uart_open(void *ctx, uint32_t baud) {
    sim_node_t *n = ctx;
    if (n->uart == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (baud == 0) {
        return HAL_ERR_INVALID;
    }
    sim_time_ns_t want_ns = 10 * SIM_NS_PER_S / (sim_time_ns_t)baud;
    sim_time_ns_t line_ns = sim_uart_line_char_ns(n->line);
    sim_time_ns_t diff = want_ns > line_ns ? want_ns - line_ns : line_ns - want_ns;
    if (diff * 100 > line_ns) {
        sim_node__host_log(n, HAL_LOG_ERROR,
                           "uart_open at %u baud refused: the line's character time is %lld ns",
                           (unsigned)baud, (long long)line_ns);
        return HAL_ERR_INVALID;
    }
    n->uart_open = true;
    return HAL_OK;
}

static int op_uart_write(void *ctx, const uint8_t *data, size_t len) {
    sim_node_t *n = ctx;
    if (n->uart == NULL) {
        return HAL_ERR_UNSUPPORTED;
    }
    if (!n->uart_open) {
        return HAL_ERR_NOT_STARTED;
    }
    if (data == NULL && len > 0) {
        return HAL_ERR_INVALID;
    }
    if (len == 0) {
        return HAL_OK;
    }
    int rc = sim_uart_port_write(n->uart, data, len);
    return rc == 0 ? HAL_OK : rc == -SIM_EAGAIN ? HAL_ERR_QUEUE_FULL : HAL_ERR_INVALID;
}

void sim_node__io_stop(sim_node_t *n) {
    sim_node__adc_cancel(n);
    /* Stopping reports STOPPED through can_on_state; the node is no longer RUNNING, so that
     * report is dropped rather than queued. */
    if (n->can != NULL && sim_can_ctrl_state(n->can) != SIM_CAN_STOPPED) {
        (void)sim_can_ctrl_stop(n->can);
    }
    sim_node__inbox_drop(n);
    if (n->uart != NULL) {
        sim_uart_port_detach(n->uart);
        n->uart = NULL;
    }
}

void sim_node__ops_io(alfasim_host_ops_t *ops) {
    ops->uart_open = op_uart_open;
    ops->uart_write = op_uart_write;
    ops->can_start = op_can_start;
    ops->can_stop = op_can_stop;
    ops->can_send = op_can_send;
    ops->can_get_state = op_can_get_state;
    ops->can_recover = op_can_recover;
}
