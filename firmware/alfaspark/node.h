/*
 * node.h: the node-level glue between the modules and the HAL: what the control tick and the
 * command handlers share. It gathers arbitration inputs and telemetry snapshots from fw_state,
 * sends this node's frames (TEL, ANN, ACK, aggregates, events), routes received CAN frames by
 * exact identifier ranges, and refreshes the indicators.
 *
 * A pack processes only 0x100..0x17E (peer TEL, for the aggregates), 0x201..0x27F (commands),
 * 0x300..0x37E (ANN) and 0x7FF (time); every other identifier, and every extended or remote
 * frame, is ignored. There is deliberately no `(id & 0x200)` style test (spec §9.4, §14 item 11).
 */
#ifndef FW_NODE_H
#define FW_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "arbitrate.h"
#include "hal.h"
#include "telemetry.h"

/** Arbitration inputs as of now. */
void fw_node_arb_input(fw_arb_input_t *in);

/** This node's telemetry snapshot as of the last tick. */
void fw_node_snapshot(fw_tel_snapshot_t *s);

void fw_node_send_tel_pages(void);
void fw_node_send_ann(void);
void fw_node_send_ack(uint8_t cmd_low, uint8_t seq, uint8_t status);
void fw_node_send_aggregates(void);

/** Sends the pending ANN reply if one is due (at most one per second). */
void fw_node_service_ann_reply(uint64_t now_ms);

/** Sends the oldest waiting event if one is due (at most one per second). */
void fw_node_service_events(uint64_t now_ms);

/** Routes a received frame. */
void fw_node_on_can_rx(const hal_can_frame_t *f);

/** Indicators: SOC bar, display, LEDs; `subtick` advances the animations. */
void fw_node_indicators(bool subtick);

#endif
