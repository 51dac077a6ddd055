/*
 * sim_node_fw.c: calling the firmware's entry points, wherever the firmware runs.
 *
 * In process, an entry point is a call into the node's copy. Isolated, it is an item of a batch
 * the child runs while the host performs the operations it records (sim_node_iso.c). Both paths
 * keep everything observable in the same order: the same enter/leave bracket around each entry
 * point, the same statistics, the same checks before each delivery. That is what makes isolated
 * traces identical to in-process ones.
 *
 * After every entry point a fault found inside it is settled (the node torn down), never during
 * it: in process we are still inside the copy's code, isolated we are still reading its records.
 */
#include "sim_node_int.h"

int sim_node__fw_load(sim_node_t *n) {
    if (n->isolate) {
        return sim_node__iso_load(n);
    }
    int rc = sim_plugin_load(n->image, &n->copy, n->error, sizeof n->error);
    if (rc == 0) {
        n->fw = sim_plugin_descriptor(n->copy)->ops;
        n->fw_can_rx = n->fw->on_can_rx;
    }
    return rc;
}

void sim_node__fw_unload(sim_node_t *n) {
    n->fw = NULL;
    n->fw_can_rx = NULL;
    sim_plugin_unload(n->copy);
    n->copy = NULL;
    sim_node__iso_unload(n);
}

bool sim_node__fw_loaded(const sim_node_t *n) {
    return n->fw != NULL || n->iso != NULL;
}

/* One item in the child: 0, or -1 when the node faulted (the caller still leaves and settles). */
static int iso_run_one(sim_node_t *n, const sim_iso_item_t *it, const uint16_t *samples,
                       size_t n_samples, int *init_rc) {
    if (sim_node__iso_send(n, it, 1, samples, n_samples) != 0 || sim_node__iso_item(n, 0) != 0) {
        return -1;
    }
    return sim_node__iso_end(n, 1, init_rc);
}

int sim_node__fw_init(sim_node_t *n) {
    int rc = 0;
    sim_node__enter(n);
    if (n->iso != NULL) {
        sim_iso_item_t it = {.kind = SIM_ISO_IT_INIT};
        (void)iso_run_one(n, &it, NULL, 0, &rc);
    } else {
        rc = n->fw->init(&n->host);
    }
    sim_node__leave(n);
    if (n->muted) {
        sim_node__fault_settle(n); /* faulted, or lost power, during init */
        return SIM_NODE__DOWN;
    }
    return rc;
}

void sim_node__fw_timer(sim_node_t *n, unsigned id) {
    if (!(n->fw_caps & FW_CAP_TIMER)) {
        return;
    }
    sim_node__enter(n);
    if (n->iso != NULL) {
        sim_iso_item_t it = {.kind = SIM_ISO_IT_TIMER, .timer_id = (uint16_t)id};
        (void)iso_run_one(n, &it, NULL, 0, NULL);
    } else {
        n->fw->on_timer(id);
    }
    sim_node__leave(n);
    sim_node__fault_settle(n);
}

static unsigned channels(uint8_t mask) {
    unsigned c = 0;
    for (unsigned b = 0; b < HAL_ADC_CHANNELS; b++) {
        c += (mask >> b) & 1u;
    }
    return c;
}

void sim_node__fw_adc(sim_node_t *n, const uint16_t *samples, uint16_t spc, uint8_t mask) {
    if (!(n->fw_caps & FW_CAP_ADC)) {
        return;
    }
    sim_node__enter(n);
    if (n->iso != NULL) {
        sim_iso_item_t it = {.kind = SIM_ISO_IT_ADC, .adc_mask = mask, .adc_spc = spc};
        (void)iso_run_one(n, &it, samples, (size_t)channels(mask) * spc, NULL);
    } else {
        n->fw->on_adc_burst(samples, spc, mask);
    }
    sim_node__leave(n);
    sim_node__fault_settle(n);
}

/* ---- the inbox ------------------------------------------------------------------------------ */

static uint8_t item_cap(const node_inbox_item_t *it) {
    switch (it->kind) {
        case INBOX_CAN_RX:
            return FW_CAP_CAN_RX;
        case INBOX_CAN_STATE:
            return FW_CAP_CAN_STATE;
        default:
            return FW_CAP_UART_RX;
    }
}

/* Pops the head item and counts it as the in-process delivery does (only when the firmware has
 * the entry point). */
static node_inbox_item_t pop(sim_node_t *n) {
    node_inbox_item_t it = n->inbox[n->inbox_head];
    n->inbox_head = (n->inbox_head + 1u) % SIM_NODE_INBOX_LEN;
    n->inbox_count--;
    if (n->fw_caps & item_cap(&it)) {
        n->can_rx += it.kind == INBOX_CAN_RX;
        n->uart_rx += it.kind == INBOX_UART_RX;
    }
    return it;
}

static void deliver_here(sim_node_t *n, const node_inbox_item_t *it) {
    const alfasim_fw_ops_t *fw = n->fw;
    if (!(n->fw_caps & item_cap(it))) {
        return;
    }
    if (it->kind == INBOX_CAN_RX) {
        n->fw_can_rx(&it->frame);
    } else if (it->kind == INBOX_CAN_STATE) {
        fw->on_can_state(it->state);
    } else {
        fw->on_uart_rx(&it->byte, 1);
    }
}

static sim_iso_item_t to_iso(const node_inbox_item_t *it) {
    sim_iso_item_t x = {.byte = it->byte, .can_state = it->state, .frame = it->frame};
    x.kind = it->kind == INBOX_CAN_RX      ? SIM_ISO_IT_CAN_RX
             : it->kind == INBOX_CAN_STATE ? SIM_ISO_IT_CAN_STATE
                                           : SIM_ISO_IT_UART_RX;
    return x;
}

unsigned sim_node__inbox_items(const sim_node_t *n, sim_iso_item_t *items) {
    unsigned count = n->inbox_count;
    for (unsigned i = 0; i < count; i++) {
        items[i] = to_iso(&n->inbox[(n->inbox_head + i) % SIM_NODE_INBOX_LEN]);
    }
    return count;
}

/* Isolated: everything queued now goes in one batch; items queued while it runs (a state
 * change reported by hal_can_start, say) go in the next round, exactly where the in-process loop
 * would deliver them. Returns false when the node faulted. */
static bool iso_round(sim_node_t *n, uint64_t arg) {
    sim_iso_item_t items[SIM_NODE_INBOX_LEN];
    unsigned count = sim_node__inbox_items(n, items);
    if (sim_node__iso_send(n, items, count, NULL, 0) != 0) {
        return false;
    }
    unsigned done = 0;
    while (done < count && sim_node__deliverable(n, arg)) {
        (void)pop(n);
        sim_node__enter(n);
        int rc = sim_node__iso_item(n, done);
        sim_node__leave(n);
        if (rc != 0) {
            return false;
        }
        done++;
    }
    return sim_node__iso_end(n, done, NULL) == 0;
}

void sim_node__fw_inbox(sim_node_t *n, uint64_t arg) {
    _Static_assert(SIM_NODE_INBOX_LEN <= SIM_ISO_ITEMS_MAX, "an inbox fits one batch");
    while (n->inbox_count > 0 && sim_node__deliverable(n, arg)) {
        if (n->iso != NULL) {
            if (!iso_round(n, arg)) {
                break;
            }
            continue;
        }
        node_inbox_item_t it = pop(n);
        sim_node__enter(n);
        deliver_here(n, &it);
        sim_node__leave(n);
        sim_node__fault_settle(n);
    }
    sim_node__fault_settle(n);
}
