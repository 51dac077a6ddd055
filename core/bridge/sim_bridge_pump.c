/*
 * sim_bridge_pump.c: the virtual side of a live bridge: host frames enter the bus here.
 *
 * The run loop calls sim_bridge_pump after sim_kernel_run_until(T) returned, so every event with
 * time <= T has run and nothing else runs before the next kernel call. The frames moved now are
 * queued in the controller at virtual time T, exactly as a kernel event at (T, SIM_PRIO_BRIDGE)
 * would queue them, which is how a replay injects them (sim_bridge_replay.c). Each frame is
 * recorded when, and only when, the controller took it, so the record is what the bus saw.
 *
 * The controller's TX queue is small, as a real adapter's is; frames it cannot take stay in the
 * bridge's rx queue, in order, for the next pump. A controller that is bus-off (recovering) or
 * stopped takes nothing; the frames wait (and the rx queue overflow counter tells if too long).
 */
#include "sim_bridge_int.h"

static void stop_now(sim_bridge_t *b) {
    b->stopped = true;
    sim_bridge__record_stop(b, b->stop_reason);
    sim_bridge__log(b, "stopping the run at t=%lld ns (%s)", (long long)sim_kernel_now(b->k),
                    b->stop_reason);
}

int sim_bridge_pump(sim_bridge_t *b) {
    SIM_ASSERT(b != NULL);
    if (b->stopped) {
        return -SIM_ECANCELED;
    }
    if (b->replay) {
        return 0;
    }
    if (b->stop_reason != NULL) {
        stop_now(b);
        return -SIM_ECANCELED;
    }
    const sim_bridge_item_t *it;
    while ((it = sim_bridge_ring_peek(&b->rx)) != NULL) {
        int rc = sim_can_ctrl_send(b->ctrl, &it->f);
        /* Input was validated on arrival, so a refusal means full, bus-off or stopped: the
         * frame and those behind it wait for a later pump. */
        SIM_ASSERT(rc != -SIM_EINVAL);
        if (rc != 0) {
            break;
        }
        sim_bridge__record_rx(b, &it->f);
        b->st.rx_injected++;
        sim_bridge_ring_pop(&b->rx);
    }
    return 0;
}
