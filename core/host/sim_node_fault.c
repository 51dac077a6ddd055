/*
 * sim_node_fault.c: node faults, and the log budget that is one of their causes.
 *
 * A fault ends the node's run: a "node_fault" line in events.jsonl at the instant it is found,
 * then the node goes down as if its power had been cut (outputs inactive, CAN controller stopped,
 * so the rest of the bus sees a dead board), and it stays down: power_on refuses a faulted node
 * for the rest of the run. The firmware is stopped at the operation that revealed the fault:
 * in process the guard table mutes every later operation until the entry point returns (the copy
 * cannot be unloaded while it is running), isolated the child is killed on the spot. Either way
 * nothing the firmware does after that point reaches the world, so both modes write the same
 * trace.
 *
 * A power cut armed in the NVS model (sim_nvs_cut_power_at) takes the same path without being a
 * fault: a "brownout" line, the firmware muted from the interrupted flash operation on, the node
 * down after the entry point, and free to be powered on again (its boot mounts the NVS, which
 * repairs what the cut left).
 *
 * The log budget counts the bytes of log lines (length + 1, as a newline) per second of virtual
 * time; a firmware that writes more is looping on its log, and in a run of hours would fill the
 * disk long before anyone looked. It applies in both modes.
 */
#include <stdarg.h>
#include <stdio.h>

#include "sim_node_int.h"

void sim_node__fault(sim_node_t *n, const char *reason, const char *fmt, ...) {
    if (n->fault != NULL) {
        return;
    }
    n->fault = reason;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->fault_detail, sizeof n->fault_detail, fmt, ap);
    va_end(ap);
    n->muted = true;
    n->stats.faults++;
    if (n->iso != NULL) {
        sim_isolate_kill(n->iso); /* stop it now; freed when the node is torn down */
    }
    if (n->trace != NULL) {
        sim_trace_ev_t *e =
            sim_trace_ev_begin(n->trace, sim_kernel_now(n->k), "node_fault", n->name);
        sim_trace_ev_str(e, "reason", reason);
        sim_trace_ev_str(e, "detail", n->fault_detail);
        sim_trace_ev_end(e);
    }
}

void sim_node__power_cut(sim_node_t *n) {
    if (n->muted) {
        return;
    }
    n->muted = true;
    n->power_cut = true;
    n->stats.brownouts++;
    if (n->trace != NULL) {
        sim_trace_ev_t *e = sim_trace_ev_begin(n->trace, sim_kernel_now(n->k), "brownout", n->name);
        sim_trace_ev_str(e, "cause", "nvs_power_cut");
        sim_trace_ev_uint(e, "flash_op", sim_nvs_flash_ops(n->nvs));
        sim_trace_ev_end(e);
    }
}

void sim_node__fault_settle(sim_node_t *n) {
    if (!n->muted || n->in_fw || n->state == SIM_NODE_OFF) {
        return;
    }
    n->state = SIM_NODE_OFF;
    sim_node__teardown(n, false);
    sim_node__vcd_state(n);
    if (n->fault == NULL) {
        n->muted = n->power_cut = false; /* a power cut is not a fault: the node may come back */
    }
}

bool sim_node__log_budget(sim_node_t *n, size_t len) {
    int64_t second = sim_kernel_now(n->k) / SIM_NS_PER_S;
    if (second != n->log_window_s) {
        n->log_window_s = second;
        n->log_window_bytes = 0;
    }
    uint64_t bytes = (uint64_t)n->log_window_bytes + len + 1u;
    if (bytes > n->log_bytes_per_s) {
        sim_node__fault(n, "log_flood", "more than %u log bytes in one second",
                        (unsigned)n->log_bytes_per_s);
        return false;
    }
    n->log_window_bytes = (uint32_t)bytes;
    return true;
}
