/*
 * sim_can.h: the virtual CAN bus, classic CAN modelled at frame level with ISO 11898-1 semantics.
 *
 * One sim_can_bus_t is one wire. Controllers (one per node, plus bridges) attach to it. A
 * controller owns a bounded FIFO TX queue, acceptance filters, an error state and the TEC/REC
 * counters. Everything happens in virtual time on the bus's kernel; nothing here reads a clock.
 *
 * Bus cycle
 *   When the bus is idle and any controller has a frame waiting, arbitration runs at the current
 *   instant at SIM_PRIO_ARBITRATE, after every other event of that instant, so every frame
 *   submitted at the same virtual time competes. Each eligible controller offers the head of its
 *   queue; the lowest identifier wins (standard before extended with the same base id, data
 *   before remote, per ISO 11898-1 arbitration bits); losers keep their frame and retry at the
 *   next idle. The winner occupies the bus for sim_can_frame_bits() bit times, which include the
 *   stuff bits of the actual bit pattern, the CRC delimiter, ACK, EOF and the 3-bit intermission.
 *   As ISO 11898-1 has it, the frame is valid for receivers at the end of the last but one EOF
 *   bit: then every other started, plugged, non-bus-off controller whose filters accept it
 *   receives it (on_rx), and the observers see it. The sender gets on_tx_done one bit later, at
 *   the end of EOF. The wire is busy through the intermission: the next arbitration is after
 *   it, 4 bits after on_rx.
 *
 * Errors and fault confinement (ISO 11898-1 §12)
 *   - No other active node to acknowledge: ACK error at the ACK slot. The sender sends an error
 *     frame, TEC += 8 and retransmits. An error-passive sender whose only error is this missing
 *     ACK does not increment TEC, so a lone node climbs to error-passive (TEC 128) and stays
 *     there; it never goes bus-off.
 *   - Two controllers winning arbitration with the same identifier and different data: at the
 *     first bit where they differ (DLC or data field) the one sending recessive reads dominant,
 *     a bit error. Error-active, its error flag destroys the frame: both transmitters TEC += 8,
 *     receivers REC += 1, both retry. Error-passive, its flag is recessive: it alone counts the
 *     error (TEC += 8) and retries, and the other one's frame completes for everyone else.
 *     Same identifier and same data: indistinguishable on the wire, both succeed in one frame.
 *   - Receivers: REC += 1 per detected error, REC -= 1 per good frame (from >127 back to 127);
 *     the +8 rules for dominant bits after an error flag apply on a wire held dominant.
 *   - TEC >= 128 or REC >= 128: error-passive (passive error flags, and 8 bits of suspend
 *     transmission after each own transmission). TEC > 255: bus-off. Bus-off recovery needs 128
 *     occurrences of 11 consecutive recessive bits: automatically when the controller was
 *     configured with auto_recover, else after sim_can_ctrl_recover().
 *   - Error frames occupy the bus: the error flags (6 bits, superposed up to 12 when nodes
 *     detect the error at different bits), the delimiter (8) and the intermission (3), starting
 *     at the bit after the one where the error was detected (sim_can_arbitrate.c).
 *   - TEC and REC change when the error flag starts, and with them the state: warning, passive
 *     and bus-off (with its queue flush) take effect then, and the observers see the error frame
 *     at that instant. The wire stays busy to the end of the error frame, whose 11 recessive
 *     bits are the first of the 128 recovery sequences of a node that went bus-off at its
 *     start.
 *
 * Fault hooks (the scenario engine exposes these): drop or corrupt frames by identifier/mask or
 * with a seeded probability, unplug a controller, hold the bus dominant, make a controller babble.
 *
 * Observers see every frame and error frame on the wire in bus order, with start and end times;
 * the trace writers, statistics, bridges and assertions are observers.
 */
#ifndef SIM_CAN_H
#define SIM_CAN_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_kernel.h"

/* Frame flags (Zephyr's can_frame flags). */
#define SIM_CAN_FLAG_IDE 0x01u /* 29-bit extended identifier */
#define SIM_CAN_FLAG_RTR 0x02u /* remote transmission request */

#define SIM_CAN_STD_ID_MASK 0x7FFu
#define SIM_CAN_EXT_ID_MASK 0x1FFFFFFFu

typedef struct {
    uint32_t id;     /* 11-bit, or 29-bit with SIM_CAN_FLAG_IDE */
    uint8_t dlc;     /* 0..8; for RTR the requested length */
    uint8_t flags;   /* SIM_CAN_FLAG_* */
    uint8_t data[8]; /* data[dlc..7] are zero */
} sim_can_frame_t;

typedef enum {
    SIM_CAN_STOPPED = 0,
    SIM_CAN_ERROR_ACTIVE,
    SIM_CAN_ERROR_WARNING, /* TEC or REC >= 96, still error-active on the wire */
    SIM_CAN_ERROR_PASSIVE,
    SIM_CAN_BUS_OFF,
} sim_can_state_t;

const char *sim_can_state_name(sim_can_state_t st);

/**
 * Number of bit times a data or remote frame occupies on the wire, from SOF through the 3-bit
 * intermission, including the stuff bits of its real bit pattern (stuffing covers SOF .. CRC).
 * A standard frame with 8 data bytes is 98 stuffable bits (SOF, 11-bit id, RTR, IDE, r0, DLC,
 * 64 data bits, 15-bit CRC) + 10 (CRC delimiter, ACK slot, ACK delimiter, 7-bit EOF) + 3 = 111
 * bits plus its stuff bits. Tests pin exact values against an independent computation.
 */
uint32_t sim_can_frame_bits(const sim_can_frame_t *f);

/** Number of stuff bits alone (for statistics and tests). */
uint32_t sim_can_frame_stuff_bits(const sim_can_frame_t *f);

/** CRC-15/CAN of the frame's SOF..data bit sequence (for tests). */
uint16_t sim_can_frame_crc15(const sim_can_frame_t *f);

typedef struct sim_can_bus sim_can_bus_t;
typedef struct sim_can_ctrl sim_can_ctrl_t;

typedef struct {
    const char *name;     /* interface name in traces, e.g. "can0"; copied */
    uint32_t bitrate_bps; /* 500000 by default when 0 */
} sim_can_bus_cfg_t;

/** 0, -SIM_EINVAL (bit rate above 1 Mbit/s or name too long), -SIM_ENOMEM. */
int sim_can_bus_create(sim_kernel_t *k, const sim_can_bus_cfg_t *cfg, sim_can_bus_t **out);
/** Destroys the bus; every controller must have been detached. */
void sim_can_bus_destroy(sim_can_bus_t *bus);
const char *sim_can_bus_name(const sim_can_bus_t *bus);
uint32_t sim_can_bus_bitrate(const sim_can_bus_t *bus);
/** Duration of one bit in ns (2000 at 500 kbit/s). */
sim_time_ns_t sim_can_bus_bit_ns(const sim_can_bus_t *bus);

/* ---- controllers ------------------------------------------------------------------------ */

typedef struct {
    /** A frame accepted by this controller's filters, at the end of its last but one EOF bit. */
    void (*on_rx)(void *ctx, const sim_can_frame_t *f);
    /** The head frame of the TX queue finished: status 0 sent (at the end of its EOF), or
     * -SIM_ECANCELED (stop/bus-off). */
    void (*on_tx_done)(void *ctx, const sim_can_frame_t *f, int status);
    /** The controller's state changed (error-active/warning/passive/bus-off/stopped). */
    void (*on_state)(void *ctx, sim_can_state_t st);
} sim_can_ctrl_cb_t;

typedef struct {
    const char *name;      /* node name for traces and statistics; copied */
    uint16_t tx_queue_len; /* FIFO capacity in frames; 0 means 5 (the ESP32 TWAI default) */
    bool auto_recover;     /* recover from bus-off on its own (else sim_can_ctrl_recover) */
    bool listen_only;      /* never transmits, never acknowledges (bridges in listen mode) */
} sim_can_ctrl_cfg_t;

/** Attaches a stopped controller. Callbacks may be NULL. 0 or -SIM_ENOMEM. */
int sim_can_ctrl_attach(sim_can_bus_t *bus, const sim_can_ctrl_cfg_t *cfg,
                        const sim_can_ctrl_cb_t *cb, void *cb_ctx, sim_can_ctrl_t **out);
/** Detaches and frees the controller; a frame of it on the wire is finished without callbacks. */
void sim_can_ctrl_detach(sim_can_ctrl_t *c);

/** Starts the controller: error-active with TEC = REC = 0. -SIM_EBUSY when already started. */
int sim_can_ctrl_start(sim_can_ctrl_t *c);
/**
 * Stops it: state STOPPED, TX queue flushed (on_tx_done with -SIM_ECANCELED for each). A frame
 * of it already on the wire still completes for the receivers, with no callback to this
 * controller. 0, also when it was stopped already.
 */
int sim_can_ctrl_stop(sim_can_ctrl_t *c);

/**
 * Queues a frame for transmission.
 * @retval 0                 queued
 * @retval -SIM_EINVAL       dlc > 8, or identifier wider than its format
 * @retval -SIM_ENETDOWN     controller stopped
 * @retval -SIM_ENETUNREACH  controller bus-off (or recovering)
 * @retval -SIM_EAGAIN       TX queue full (counted in stats.tx_queue_full)
 * @retval -SIM_ENOTSUP      listen-only controller (it never transmits)
 */
int sim_can_ctrl_send(sim_can_ctrl_t *c, const sim_can_frame_t *f);

/** Requests bus-off recovery (controllers without auto_recover). -SIM_EINVAL if not bus-off. */
int sim_can_ctrl_recover(sim_can_ctrl_t *c);

/**
 * Adds an acceptance filter: a frame is accepted when (frame.id & mask) == (id & mask) and its
 * IDE flag equals `flags & SIM_CAN_FLAG_IDE`. With no filters every frame is accepted.
 * At most 8 filters. 0, -SIM_EAGAIN when full.
 */
int sim_can_ctrl_add_filter(sim_can_ctrl_t *c, uint32_t id, uint32_t mask, uint8_t flags);
void sim_can_ctrl_clear_filters(sim_can_ctrl_t *c);

sim_can_state_t sim_can_ctrl_state(const sim_can_ctrl_t *c);
uint16_t sim_can_ctrl_tec(const sim_can_ctrl_t *c);
uint16_t sim_can_ctrl_rec(const sim_can_ctrl_t *c);
const char *sim_can_ctrl_name(const sim_can_ctrl_t *c);
/** Frames waiting in the TX queue (including one being transmitted). */
uint16_t sim_can_ctrl_tx_pending(const sim_can_ctrl_t *c);

typedef struct {
    uint64_t tx_ok, rx_ok;
    uint64_t tx_queue_full; /* sends refused because the queue was full */
    uint64_t arbitration_lost;
    uint64_t tx_errors; /* error frames while this controller transmitted */
    uint64_t rx_errors; /* errors detected as a receiver */
    uint64_t bus_off_count;
    uint64_t rx_filtered; /* frames seen but rejected by the filters */
} sim_can_ctrl_stats_t;
void sim_can_ctrl_stats(const sim_can_ctrl_t *c, sim_can_ctrl_stats_t *out);

/* ---- observers --------------------------------------------------------------------------- */

typedef enum {
    SIM_CAN_ERR_ACK = 1, /* nobody acknowledged */
    SIM_CAN_ERR_BIT,     /* a transmitter read back a different bit */
    SIM_CAN_ERR_STUFF,
    SIM_CAN_ERR_CRC, /* receivers saw a bad CRC (a corrupt fault) */
    SIM_CAN_ERR_FORM,
} sim_can_err_kind_t;

const char *sim_can_err_kind_name(sim_can_err_kind_t kind);

/* Where in the frame an error was detected: the fields of ISO 11898-1 as linux/can/error.h
 * names them for data[3] (identifier bits numbered as in an extended frame, so a standard
 * identifier is ID28_21 and ID20_18). */
typedef enum {
    SIM_CAN_FIELD_UNSPEC = 0,
    SIM_CAN_FIELD_SOF,
    SIM_CAN_FIELD_ID28_21,
    SIM_CAN_FIELD_ID20_18,
    SIM_CAN_FIELD_SRTR, /* an extended frame's SRR, a standard frame's RTR */
    SIM_CAN_FIELD_IDE,
    SIM_CAN_FIELD_ID17_13,
    SIM_CAN_FIELD_ID12_05,
    SIM_CAN_FIELD_ID04_00,
    SIM_CAN_FIELD_RTR, /* an extended frame's RTR */
    SIM_CAN_FIELD_RES1,
    SIM_CAN_FIELD_RES0,
    SIM_CAN_FIELD_DLC,
    SIM_CAN_FIELD_DATA,
    SIM_CAN_FIELD_CRC_SEQ,
    SIM_CAN_FIELD_ACK_SLOT,
} sim_can_err_field_t;

typedef struct {
    /** A frame completed for its receivers, called at t_rx, the end of its last but one EOF
     * bit (when on_rx runs); t_start at SOF. The wire stays busy 4 more bits (the last EOF bit
     * and the intermission): sim_can_frame_bits(f) bits from t_start in all. */
    void (*on_frame)(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                     sim_time_ns_t t_start, sim_time_ns_t t_rx);
    /** An error frame: which kind, detected in which field, by which transmitter (may be
     * NULL), at time t (the first bit of the first error flag). A bit error is in the DLC or
     * the data field, where frames with one identifier first differ; an ACK error in the ACK
     * slot; a CRC error in the CRC sequence; the stuff error of a wire held dominant in the
     * first identifier bits. */
    void (*on_error)(void *ctx, sim_can_err_kind_t kind, sim_can_err_field_t field,
                     const sim_can_frame_t *f, const sim_can_ctrl_t *sender, sim_time_ns_t t);
    /** A controller changed state (also reported to its own on_state). */
    void (*on_state)(void *ctx, const sim_can_ctrl_t *c, sim_can_state_t st, sim_time_ns_t t);
} sim_can_observer_t;

/** Adds an observer (at most 8). Observers run in registration order. 0 or -SIM_EAGAIN. */
int sim_can_bus_observe(sim_can_bus_t *bus, const sim_can_observer_t *obs, void *ctx);

typedef struct {
    uint64_t frames; /* good frames */
    uint64_t error_frames;
    uint64_t busy_bit_times; /* bits the wire was not idle, frames and error frames */
    sim_time_ns_t since_ns;  /* statistics start (bus creation) */
} sim_can_bus_stats_t;
void sim_can_bus_stats(const sim_can_bus_t *bus, sim_can_bus_stats_t *out);
/** Bus load over [since, now] in parts per million of the time. */
uint32_t sim_can_bus_load_ppm(const sim_can_bus_t *bus);

/* ---- fault hooks ------------------------------------------------------------------------- */

/**
 * Drop: matching frames vanish for every receiver and observer, while the sender sees success
 * (a broken transceiver path); the wire time is still used. Corrupt: receivers see a CRC error, so
 * an error frame follows and the sender retransmits. A frame matches when (id & mask) == (match_id
 * & mask) and it is selected with probability num/den from the bus's own seeded streams
 * ("can.<bus>.faults.drop" and "can.<bus>.faults.corrupt"), drawn only for matching frames. den ==
 * 0 clears. 0, or -SIM_EINVAL when num > den. Both faults act on frames that start after the call.
 */
int sim_can_bus_fault_drop(sim_can_bus_t *bus, uint32_t match_id, uint32_t mask, uint32_t num,
                           uint32_t den);
int sim_can_bus_fault_corrupt(sim_can_bus_t *bus, uint32_t match_id, uint32_t mask, uint32_t num,
                              uint32_t den);
/** Frames the drop fault took, and frames the corrupt fault turned into CRC errors, so far. */
uint64_t sim_can_bus_dropped_frames(const sim_can_bus_t *bus);
uint64_t sim_can_bus_corrupted_frames(const sim_can_bus_t *bus);

/**
 * Holds the wire dominant (true) or releases it: no frame can be sent while it is held. A frame
 * on the wire finishes first. The held wire's first dominant bit is an SOF to every node
 * synchronised to the wire: each detects a stuff error at its sixth bit (one SIM_CAN_ERR_STUFF
 * for the observers, at bit 6), and from then on every receiver's REC (idle nodes included)
 * rises by 8 per 8 dominant bits, to error-passive at bit 131. A node with a frame ready at
 * the SOF loses arbitration to the dominant wire at its first recessive identifier bit and is
 * a receiver too, unless its first four identifier bits are dominant: then its recessive stuff
 * bit is overwritten and, still a transmitter, its TEC rises by 8 per 8 bits, to bus-off at
 * bit 267. After the release nothing starts for 11 bits (error delimiter and intermission).
 */
void sim_can_bus_fault_stuck_dominant(sim_can_bus_t *bus, bool on);
/** Unplugs a controller: it neither sees nor acknowledges traffic; its own sends see no ACK. */
void sim_can_ctrl_set_unplugged(sim_can_ctrl_t *c, bool unplugged);
/**
 * Makes a controller babble: it sends `f` (a well-formed frame, asserted) back to back ahead of
 * its queue until turned off (`f` may then be NULL). Babble frames count as sent (tx_ok) but do
 * not come back through on_tx_done.
 */
void sim_can_ctrl_set_babble(sim_can_ctrl_t *c, const sim_can_frame_t *f, bool on);

#endif
