/*
 * can_io.h: the core's use of the CAN controller: start at 500 kbit/s, non-blocking transmit
 * with a drop counter, controller state tracking, and recovery (spec §1.3, §9.1, §11.1).
 *
 * A frame the controller cannot queue (queue full, stopped, bus-off) is dropped and counted:
 * telemetry is regenerated on the next tick anyway. If the controller fails to start, the core
 * keeps running without CAN and retries every FW_CAN_RETRY_MS; bus-off is handled the same way
 * (recovery requested at once, then every FW_CAN_RETRY_MS). Error-passive and bus-off are
 * reported as event 5 once the controller is error-active again: [5, 2, worst state, TEC lo].
 * A controller that starts only on a retry sets announce_due: the boot ANN never went out.
 */
#ifndef FW_CAN_IO_H
#define FW_CAN_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

typedef struct {
    bool started;
    bool bus_off;
    uint8_t worst_state; /* hal_can_state_t worst seen since the last error-active */
    uint64_t retry_ms;   /* when the last start / recovery attempt was made */
    bool announce_due;   /* started late: the boot ANN was lost, announce again */
    uint32_t tx_ok, tx_dropped, start_failures, recoveries;
} fw_can_t;

/** Starts the controller; on failure logs and arranges the retry. */
void fw_can_init(fw_can_t *c, uint64_t now_ms);

/** Queues a frame; returns true when queued, false when dropped (counted). */
bool fw_can_send(fw_can_t *c, const hal_can_frame_t *f);

/** The controller reported a state change. */
void fw_can_on_state(fw_can_t *c, hal_can_state_t st, uint64_t now_ms);

/** Retries a failed start or a bus-off recovery every FW_CAN_RETRY_MS (called each tick). */
void fw_can_service(fw_can_t *c, uint64_t now_ms);

#endif
