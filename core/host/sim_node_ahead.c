/*
 * sim_node_ahead.c: batches sent ahead: several isolated nodes' firmware running side by side at
 * one instant, while the host still replays their operations one node after the other, in
 * kernel order.
 *
 * Why. Nodes that share a bus tend to have work at the same instants: every pack's sub-tick
 * fires together, a frame ends at every receiver at once, each pack's BMS answers on the same
 * schedule. Sent one at a time, each batch costs the host a full round trip. When the host sends
 * one node its batch, it also sends, right away, the batch of every other node whose next firmware
 * event is certain to come at this same instant and whose batch nothing before that event can
 * change. The children then run together; when the kernel reaches each of those events, the host
 * finds the reply (mostly) waiting and replays it exactly where it would have anyway. The trace
 * is the same byte for byte, because only the children's run moves earlier, never an operation's
 * effect.
 *
 * Why it is safe (conservative lookahead at zero distance). A batch is the node's items and its
 * mirror (sim_isolate_proto.h): time, its own levels, its CAN controller's state, counters and
 * free TX slots, its UART port, its ADC busy flag, its identity and NVS image. All of it is the
 * node's own state. Between the event that is running now (a firmware event at time t) and the
 * node's event at t, that state can change only through:
 *   - the node's own operations: none, its event is its next firmware call (checked below: one
 *     due timer and no inbox, or an inbox and no due timer; no restart pending, no ADC burst
 *     ending now, no GPIO edge of its own still to play out at t);
 *   - the wire: a frame end or a UART character end at t, or a controller's recovery. Those are
 *     SIM_PRIO_WIRE events, which run before every firmware event of their instant; a new one at
 *     t would need a frame or character of zero length (sends made at t end later), or a
 *     recovery, which only the node itself starts;
 *   - the timeline and the operator: scenario actions run before firmware events of their
 *     instant, operator and bridge inputs after all of them.
 * Other nodes' operations reach it only through those. So at the node's event its batch is what
 * it was when sent ahead. The event still builds it and compares every byte (and the NVS
 * version): a difference can only come from the node's state being changed from outside the
 * kernel in the middle of an instant, and the node then faults with "protocol", never silently.
 *
 * The roster. Nodes with a ready child are listed per thread (one simulation runs its nodes on
 * one thread; several simulations on several threads each have their own list), and only nodes
 * of the sender's kernel are candidates. The roster also decides whether the children linger
 * between batches (sim_isolate_set_linger): a lingering child keeps yielding its processor for a
 * moment before it sleeps, which saves the wake-up when its next batch comes soon, as on four
 * packs. With many children per processor the lingering ones mostly yield to each other: s127
 * (127 packs) ran 30 s of simulated time in 19 s of wall time with lingering children and in 13 s
 * without. Children linger while there are at most LINGER_PER_CPU of them per online processor.
 */
#include <string.h>
#include <unistd.h>

#include "sim_node_int.h"

#define LINGER_PER_CPU 2

static _Thread_local sim_node_t *roster;
/* Kept as nodes join and leave: counting the list at every join made starting n isolated nodes
 * cost O(n^2), and so did telling every listed node the policy again. */
static _Thread_local size_t roster_count;
static _Thread_local bool roster_linger; /* what every listed node has been told */
static _Thread_local long online_cpus;   /* read at the first join of the thread; 0 before */

/* Speed only: the host's processor count never reaches a simulated result. */
static bool linger_wanted(size_t count) {
    if (online_cpus == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        online_cpus = cpus > 0 ? cpus : 1;
    }
    return count <= LINGER_PER_CPU * (size_t)online_cpus;
}

/* Every listed node lingers exactly when the roster is small enough. The list is walked only
 * when the answer changes, so a node that joins without changing it is told alone. */
static void linger_policy(sim_node_t *joined) {
    bool on = linger_wanted(roster_count);
    if (on != roster_linger) {
        for (sim_node_t *n = roster; n != NULL; n = n->iso_next) {
            sim_isolate_set_linger(n->iso, on);
        }
        roster_linger = on;
    } else if (joined != NULL) {
        sim_isolate_set_linger(joined->iso, on);
    }
}

void sim_node__ahead_join(sim_node_t *n) {
    n->iso_next = roster;
    roster = n;
    roster_count++;
    n->iso_ahead_len = 0;
    linger_policy(n);
}

void sim_node__ahead_leave(sim_node_t *n) {
    for (sim_node_t **p = &roster; *p != NULL; p = &(*p)->iso_next) {
        if (*p == n) {
            *p = n->iso_next;
            SIM_ASSERT(roster_count > 0);
            roster_count--;
            break;
        }
    }
    n->iso_next = NULL;
    n->iso_ahead_len = 0;
    linger_policy(NULL);
}

static sim_time_ns_t adc_end_ns(const sim_node_t *n) {
    sim_time_ns_t rate = (sim_time_ns_t)n->adc_cfg.sample_rate_hz;
    sim_time_ns_t dur_ns =
        ((sim_time_ns_t)n->adc_cfg.samples_per_channel * SIM_NS_PER_S + rate - 1) / rate;
    return sim_time_add(n->adc_start_ns, dur_ns);
}

/* Nothing of the node's own may run at `now` before its next firmware event. */
static bool quiet_until_event(const sim_node_t *n, sim_time_ns_t now) {
    if (n->iso == NULL || n->iso_ahead_len != 0 || n->in_fw || n->fault != NULL ||
        !sim_node__deliverable(n, sim_node__arg(n, 0))) {
        return false;
    }
    if (n->edge_count > 0 && n->edges[n->edge_head].t_ns <= now) {
        return false;
    }
    return !(n->adc_busy && adc_end_ns(n) <= now);
}

/* The node's next firmware event if it is certain: its items (returns their count), or 0. */
static unsigned next_event_items(const sim_node_t *n, sim_time_ns_t now, sim_iso_item_t *items) {
    if (!quiet_until_event(n, now)) {
        return 0;
    }
    unsigned due = 0, id = 0;
    for (unsigned i = 0; i < HAL_TIMER_COUNT; i++) {
        if (n->timer[i].ev != 0 && n->timer[i].deadline_ns == now) {
            due++;
            id = i;
        }
    }
    bool inbox = n->inbox_ev != 0 && n->inbox_count > 0;
    /* Two events of the node at this instant: their order is the kernel's, which it keeps. */
    if (due + (inbox ? 1u : 0u) != 1u) {
        return 0;
    }
    if (inbox) {
        return sim_node__inbox_items(n, items);
    }
    if (!(n->fw_caps & FW_CAP_TIMER)) {
        return 0;
    }
    memset(&items[0], 0, sizeof items[0]);
    items[0].kind = SIM_ISO_IT_TIMER;
    items[0].timer_id = (uint16_t)id;
    return 1;
}

void sim_node__iso_send_ahead(sim_node_t *self) {
    sim_time_ns_t now = sim_kernel_now(self->k);
    for (sim_node_t *n = roster; n != NULL; n = n->iso_next) {
        if (n == self || n->k != self->k) {
            continue;
        }
        sim_iso_item_t items[SIM_ISO_ITEMS_MAX];
        unsigned count = next_event_items(n, now, items);
        if (count > 0) {
            /* A failure is the node's own event's to report, at its place in the trace. */
            (void)sim_node__iso_post_ahead(n, items, count);
        }
    }
}
