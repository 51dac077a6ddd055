/*
 * sim_signals.h: the Alfaspark CAN protocol as a signal table, and its decoder.
 *
 * This is the one place in the simulator that knows where each field of each frame sits
 * (spec/firmware.md §9.4, §9.5, §9.10, §9.11, §9.12). It mirrors docs/can-signals.json, the
 * machine-readable protocol description from which docs/alfaspark.dbc is written, row for row:
 * the same message and signal names, identifiers, multiplexing, start bits, lengths, byte
 * orders, signedness, scales and offsets; a test compares the two, so they cannot drift apart.
 * Start bits follow the DBC convention: Intel (little-endian) signals give their least
 * significant bit, Motorola (big-endian) signals their most significant bit, bit k of byte b
 * being number 8 * b + k.
 *
 * Per-node messages (TEL, ACK, ANN, EVT) occupy a range of identifiers: base + NodeID. TEL and
 * EVT are multiplexed by byte 0 (the TEL page, the event code); a multiplexed signal is carried
 * only by frames whose byte 0 equals its `mux`.
 *
 * It lives with the scenario loader because scenarios name signals ("TEL.SOC") and a wrong name
 * must be a load error with its file:line:col; the assertion engine decodes with it. Physical
 * values are fixed point in millionths (SIM_VALUE_MICRO), exact for every scale in the table.
 * The table is constant data; every function here is pure and re-entrant.
 */
#ifndef SIM_SIGNALS_H
#define SIM_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_can.h"

typedef struct {
    const char *name;  /* "TEL", "AGG_P1", "CMD_SET_ECO", ... */
    uint32_t base_id;  /* first identifier */
    uint32_t id_count; /* identifiers base_id .. base_id + id_count - 1 */
    bool per_node;     /* id - base_id is the sender's NodeID */
    bool multiplexed;  /* byte 0 selects which signals a frame carries */
    uint8_t dlc;       /* the nominal length; shorter frames carry only the signals that fit */
} sim_msg_def_t;

typedef struct {
    const char *name;     /* "SOC"; the scenario writes "<message>.<signal>" */
    uint16_t msg;         /* index into the message table */
    int16_t mux;          /* byte 0 value that carries it, or -1 (every frame of the message) */
    uint8_t start_bit;    /* DBC convention (see above) */
    uint8_t length;       /* bits, 1..32 */
    bool big_endian;      /* Motorola (@0) */
    bool is_signed;       /* two's complement (-) */
    int64_t factor_micro; /* physical millionths per raw unit */
    int64_t offset_micro; /* physical millionths added */
    bool multiplexer;     /* the multiplexer signal itself (TEL.Page, EVT.Code) */
    const char *unit;     /* "%", "V", "" ... */
} sim_signal_def_t;

/** The message table, and its length. */
const sim_msg_def_t *sim_msg_defs(size_t *n);
/** The signal table, and its length. */
const sim_signal_def_t *sim_signal_defs(size_t *n);

/** Index of the signal "<message>.<signal>" (case-sensitive), or -1. */
int sim_signal_find(const char *qualified_name);

/** Writes "<message>.<signal>" of signal index i. */
void sim_signal_qualified_name(int i, char *buf, size_t cap);

/**
 * Whether frame f is an instance of message m (standard data frame, identifier in m's range);
 * *node_id gets the sender's NodeID for per-node messages (else -1).
 */
bool sim_msg_matches(const sim_msg_def_t *m, const sim_can_frame_t *f, int *node_id);

/**
 * Whether f, an instance of s's message, carries signal s: its multiplexer value matches and
 * every bit of it lies within f's DLC.
 */
bool sim_signal_in_frame(const sim_signal_def_t *s, const sim_can_frame_t *f);

/** The raw bits of signal s in f (sign-extended when signed). */
int64_t sim_signal_raw(const sim_signal_def_t *s, const sim_can_frame_t *f);

/** The physical value of signal s in f, in millionths: raw * factor + offset. */
int64_t sim_signal_decode_micro(const sim_signal_def_t *s, const sim_can_frame_t *f);

#endif
