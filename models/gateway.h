/*
 * gateway.h: the Orange Pi gateway on the CAN bus, as the packs see it (spec/firmware.md §12).
 *
 * The gateway owns one CAN controller and transmits only what the spec allows it to:
 *   - the time broadcast 0x7FF [hour, day, minute, month, year - 2000] in local time from the
 *     scenario's calendar, every time_period_ns (60 s); aligned by default to whole local
 *     minutes, so the packs' software clocks (seconds = 0 at each broadcast) are exact;
 *   - dispatch-table commands 0x201..0x27F with payload [target, seq, args...] (spec §9.10), one
 *     sequence number per command, as the Pi assigns them.
 * It never announces and never takes part in the election.
 *
 * It listens for ACKs on 0x280+N ([cmd_id & 0xFF, seq, status, mode_mask], DLC 4) and records
 * each in a bounded log (GATEWAY_ACK_LOG entries; older ones are overwritten and counted), noting
 * whether it matches a command it sent (same command byte and sequence number, and the ACKing
 * node was that command's target or the command was a broadcast). Other received frames are
 * counted and passed to the optional on_rx hook (e.g. for a scenario watching telemetry).
 */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "sim_can.h"
#include "sim_kernel.h"

#define GATEWAY_TIME_ID     0x7FFu
#define GATEWAY_CMD_FIRST   0x201u
#define GATEWAY_CMD_LAST    0x27Fu
#define GATEWAY_ACK_BASE    0x280u
#define GATEWAY_BROADCAST   0x7Fu
#define GATEWAY_ACK_LOG     64u
#define GATEWAY_PENDING_MAX 32u

typedef struct {
    const char *name;             /* controller name; copied by the bus; default "gateway" */
    const calendar_t *calendar;   /* local time; must outlive the gateway */
    bool time_broadcast;          /* default true */
    sim_time_ns_t time_period_ns; /* default 60 s */
    bool align_to_minute;         /* first broadcast at the next whole minute; default true */
    uint16_t tx_queue_len;        /* 0: the controller default */
    /** Every received frame that is not an ACK; may be NULL. */
    void (*on_rx)(void *ctx, const sim_can_frame_t *f, sim_time_ns_t t_ns);
    void *ctx;
} gateway_cfg_t;

typedef struct {
    sim_time_ns_t t_ns;
    uint8_t node;    /* N of 0x280 + N */
    uint16_t cmd_id; /* 0x200 | byte 0 */
    uint8_t seq;
    uint8_t status; /* 0 OK, 1 bad length, 2 bad value, 3 refused, 4 unknown */
    uint8_t mode_mask;
    bool matched; /* answers a command this gateway sent */
} gateway_ack_t;

typedef struct {
    uint64_t time_sent, time_send_errors;
    uint64_t cmd_sent, cmd_send_errors;
    uint64_t acks, acks_unmatched, acks_malformed, ack_log_overwritten;
    uint64_t rx_other;
} gateway_stats_t;

typedef struct gateway gateway_t;

void gateway_cfg_default(gateway_cfg_t *cfg, const calendar_t *cal);

/**
 * Attaches and starts the controller on `bus` and, when enabled, schedules the time broadcast.
 * @retval 0, -SIM_EINVAL (no calendar, period <= 0), -SIM_ENOMEM, or the attach/start error
 */
int gateway_create(sim_kernel_t *k, sim_can_bus_t *bus, const gateway_cfg_t *cfg, gateway_t **out);
void gateway_destroy(gateway_t *gw);
sim_can_ctrl_t *gateway_ctrl(gateway_t *gw);

/* ---- time broadcast ---------------------------------------------------------------------- */

/** The 5 payload bytes for a local time: hour, day, minute, month, year - 2000. */
void gateway_time_encode(const calendar_civil_t *c, uint8_t out[5]);
/** Scenario control: stop or resume the broadcast (resuming aligns like at creation). */
void gateway_set_time_broadcast(gateway_t *gw, bool on);
/** Sends one broadcast now, outside the schedule. 0 or the controller's send error. */
int gateway_send_time_now(gateway_t *gw);

/* ---- commands ---------------------------------------------------------------------------- */

/**
 * Sends command cmd_id (0x201..0x27F) to `target` (0..126, or 127 = all) with up to 6 argument
 * bytes; *seq_out (may be NULL) gets the sequence number used.
 * @retval 0, -SIM_EINVAL (id, target or length), or the controller's send error
 */
int gateway_send_command(gateway_t *gw, uint16_t cmd_id, uint8_t target, const uint8_t *args,
                         size_t nargs, uint8_t *seq_out);
/** Sends an arbitrary frame (fault injection: short or malformed commands). */
int gateway_send_frame(gateway_t *gw, const sim_can_frame_t *f);

/** The most recent ACK from `node` for (cmd_id, seq); 0 or -SIM_ENOENT. */
int gateway_find_ack(const gateway_t *gw, uint8_t node, uint16_t cmd_id, uint8_t seq,
                     gateway_ack_t *out);
/** ACKs in the log (at most GATEWAY_ACK_LOG), oldest first by index. */
size_t gateway_ack_count(const gateway_t *gw);
const gateway_ack_t *gateway_ack_at(const gateway_t *gw, size_t i);

void gateway_stats(const gateway_t *gw, gateway_stats_t *out);

#endif
