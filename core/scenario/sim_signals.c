/*
 * sim_signals.c: the Alfaspark CAN signal table (spec §9.4-§9.12) and its DBC-style decoder.
 *
 * Multi-byte fields are big-endian (spec §9.4), so they are Motorola signals whose start bit is
 * the most significant bit of their first byte (8 * byte + 7). Single bits are numbered 8 * byte
 * + bit, where byte order does not matter. Keep the rows in message order: the scenario format
 * documents the names, and docs/alfaspark.dbc is checked against these rows by a test.
 */
#include "sim_signals.h"

#include <stdio.h>
#include <string.h>

#include "sim_scn_check.h"

enum {
    M_TEL_BATTERY = 0,
    M_TEL_POWER_A,
    M_TEL_POWER_B,
    M_TEL_STATE,
    M_AGG_SUMMARY,
    M_AGG_POWER_A,
    M_AGG_POWER_B,
    M_CMD,
    M_ACK,
    M_ANN,
    M_EVT,
    M_TIME,
    M_COUNT_
};

static const sim_msg_def_t msgs[M_COUNT_] = {
    [M_TEL_BATTERY] = {"TEL_BATTERY", 0x100, 127, true, 0, 8},
    [M_TEL_POWER_A] = {"TEL_POWER_A", 0x100, 127, true, 1, 8},
    [M_TEL_POWER_B] = {"TEL_POWER_B", 0x100, 127, true, 2, 8},
    [M_TEL_STATE] = {"TEL_STATE", 0x100, 127, true, 3, 8},
    [M_AGG_SUMMARY] = {"AGG_SUMMARY", 0x180, 1, false, -1, 3},
    [M_AGG_POWER_A] = {"AGG_POWER_A", 0x181, 1, false, -1, 6},
    [M_AGG_POWER_B] = {"AGG_POWER_B", 0x182, 1, false, -1, 6},
    [M_CMD] = {"CMD", 0x201, 0x7F, false, -1, 2},
    [M_ACK] = {"ACK", 0x280, 127, true, -1, 4},
    [M_ANN] = {"ANN", 0x300, 127, true, -1, 8},
    [M_EVT] = {"EVT", 0x400, 127, true, -1, 2},
    [M_TIME] = {"TIME", 0x7FF, 1, false, -1, 2},
};

#define ONE SIM_VALUE_MICRO
/* name, message, start bit, length, big-endian, signed, factor, offset, unit */
#define U8(m, name, byte, unit)                                                                    \
    { name, m, 8 * (byte) + 7, 8, true, false, ONE, 0, unit }
#define U16(m, name, byte, f, unit)                                                                \
    { name, m, 8 * (byte) + 7, 16, true, false, f, 0, unit }
#define S16(m, name, byte, f, unit)                                                                \
    { name, m, 8 * (byte) + 7, 16, true, true, f, 0, unit }
#define BIT(m, name, byte, bit)                                                                    \
    { name, m, 8 * (byte) + (bit), 1, true, false, ONE, 0, "" }

static const sim_signal_def_t sigs[] = {
    U8(M_TEL_BATTERY, "SOC", 1, "%"),
    U16(M_TEL_BATTERY, "V_PACK", 2, ONE / 10, "V"),
    S16(M_TEL_BATTERY, "I_BATT", 4, ONE / 100, "A"),
    U8(M_TEL_BATTERY, "STATUS", 6, ""),
    BIT(M_TEL_BATTERY, "CHARGING", 6, 0),
    BIT(M_TEL_BATTERY, "BMS_STALE", 6, 1),
    BIT(M_TEL_BATTERY, "BMS_ALARM", 6, 2),
    BIT(M_TEL_BATTERY, "IS_MASTER", 6, 3),
    BIT(M_TEL_BATTERY, "TIME_VALID", 6, 4),
    U8(M_TEL_BATTERY, "BMS_ALARMS", 7, ""),
    S16(M_TEL_POWER_A, "P_GRID", 1, ONE, "W"),
    S16(M_TEL_POWER_A, "P_HOME", 3, ONE, "W"),
    S16(M_TEL_POWER_A, "P_BATT", 5, ONE, "W"),
    S16(M_TEL_POWER_B, "P_SOLAR", 1, ONE, "W"),
    S16(M_TEL_POWER_B, "P_POOL", 3, ONE, "W"),
    S16(M_TEL_POWER_B, "P_HEATER", 5, ONE, "W"),
    U8(M_TEL_STATE, "RELAY_MASK", 1, ""),
    BIT(M_TEL_STATE, "RELAY_GRID", 1, 0),
    BIT(M_TEL_STATE, "RELAY_INVERTER", 1, 1),
    BIT(M_TEL_STATE, "RELAY_POOL", 1, 2),
    BIT(M_TEL_STATE, "RELAY_HEATER", 1, 3),
    U8(M_TEL_STATE, "MODE_MASK", 2, ""),
    BIT(M_TEL_STATE, "MODE_SELF", 2, 0),
    BIT(M_TEL_STATE, "MODE_ECO", 2, 1),
    BIT(M_TEL_STATE, "MODE_TOU", 2, 2),
    BIT(M_TEL_STATE, "MODE_BACKUP", 2, 3),
    BIT(M_TEL_STATE, "MODE_GRID_LIMIT", 2, 4),
    U8(M_TEL_STATE, "WARNING_MASK", 3, ""),
    BIT(M_TEL_STATE, "LOADS_LIMIT", 3, 0),
    BIT(M_TEL_STATE, "GRID_LIMIT_EXHAUSTED", 3, 1),
    U16(M_TEL_STATE, "E_GRID", 4, ONE / 100, "kWh"),
    U8(M_TEL_STATE, "GRID_LIMIT", 6, "kWh"),
    U8(M_TEL_STATE, "OTA_STATE", 7, ""),
    U8(M_AGG_SUMMARY, "ONLINE", 0, ""),
    U8(M_AGG_SUMMARY, "AVG_SOC", 1, "%"),
    U8(M_AGG_SUMMARY, "MASTER_ID", 2, ""),
    S16(M_AGG_POWER_A, "SUM_P_GRID", 0, 10 * ONE, "W"),
    S16(M_AGG_POWER_A, "SUM_P_HOME", 2, 10 * ONE, "W"),
    S16(M_AGG_POWER_A, "SUM_P_BATT", 4, 10 * ONE, "W"),
    S16(M_AGG_POWER_B, "SUM_P_SOLAR", 0, 10 * ONE, "W"),
    S16(M_AGG_POWER_B, "SUM_P_POOL", 2, 10 * ONE, "W"),
    S16(M_AGG_POWER_B, "SUM_P_HEATER", 4, 10 * ONE, "W"),
    U8(M_CMD, "TARGET", 0, ""),
    U8(M_CMD, "SEQ", 1, ""),
    U8(M_CMD, "ARG0", 2, ""),
    U8(M_CMD, "ARG1", 3, ""),
    U8(M_ACK, "CMD", 0, ""),
    U8(M_ACK, "SEQ", 1, ""),
    U8(M_ACK, "STATUS", 2, ""),
    U8(M_ACK, "MODE_MASK", 3, ""),
    U8(M_ANN, "DEVICE_TYPE", 0, ""),
    U8(M_ANN, "FW_MAJOR", 1, ""),
    U8(M_ANN, "FW_MINOR", 2, ""),
    BIT(M_ANN, "IS_MASTER", 3, 0),
    {"MAC_TAIL", M_ANN, 8 * 4 + 7, 32, true, false, ONE, 0, ""},
    U8(M_EVT, "CODE", 0, ""),
    U8(M_EVT, "SEVERITY", 1, ""),
    U8(M_EVT, "ARG0", 2, ""),
    U8(M_TIME, "HOUR", 0, "h"),
    U8(M_TIME, "DAY", 1, ""),
    U8(M_TIME, "MINUTE", 2, "min"),
    U8(M_TIME, "MONTH", 3, ""),
    {"YEAR", M_TIME, 8 * 4 + 7, 8, true, false, ONE, 2000 * ONE, ""},
};

const sim_msg_def_t *sim_msg_defs(size_t *n) {
    *n = M_COUNT_;
    return msgs;
}

const sim_signal_def_t *sim_signal_defs(size_t *n) {
    *n = sizeof sigs / sizeof sigs[0];
    return sigs;
}

int sim_signal_find(const char *qualified_name) {
    const char *dot = strchr(qualified_name, '.');
    if (dot == NULL) {
        return -1;
    }
    size_t mlen = (size_t)(dot - qualified_name);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        const char *m = msgs[sigs[i].msg].name;
        if (strlen(m) == mlen && memcmp(m, qualified_name, mlen) == 0 &&
            strcmp(sigs[i].name, dot + 1) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void sim_signal_qualified_name(int i, char *buf, size_t cap) {
    SIM_ASSERT(i >= 0 && (size_t)i < sizeof sigs / sizeof sigs[0]);
    snprintf(buf, cap, "%s.%s", msgs[sigs[i].msg].name, sigs[i].name);
}

bool sim_msg_matches(const sim_msg_def_t *m, const sim_can_frame_t *f, int *node_id) {
    *node_id = -1;
    if ((f->flags & (SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR)) != 0 || f->dlc < m->min_dlc ||
        f->id < m->base_id || f->id - m->base_id >= m->id_count) {
        return false;
    }
    if (m->mux >= 0 && f->data[0] != (uint8_t)m->mux) {
        return false;
    }
    if (m->per_node) {
        *node_id = (int)(f->id - m->base_id);
    }
    return true;
}

/* Bit `pos` of the frame, numbered 8 * byte + bit (bit 0 = least significant). */
static unsigned bit_at(const sim_can_frame_t *f, unsigned pos) {
    return (f->data[pos / 8] >> (pos % 8)) & 1u;
}

bool sim_signal_in_frame(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    unsigned pos = s->start_bit, last = pos / 8;
    for (unsigned i = 1; i < s->length; i++) {
        pos = s->big_endian ? (pos % 8 == 0 ? pos + 15 : pos - 1) : pos + 1;
        last = pos / 8 > last ? pos / 8 : last;
    }
    return last < f->dlc;
}

int64_t sim_signal_raw(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    uint64_t raw = 0;
    unsigned pos = s->start_bit;
    for (unsigned i = 0; i < s->length; i++) {
        if (s->big_endian) {
            /* Motorola: from the MSB down through the byte, then on to the next byte's bit 7. */
            raw = raw << 1 | bit_at(f, pos);
            pos = pos % 8 == 0 ? pos + 15 : pos - 1;
        } else {
            raw |= (uint64_t)bit_at(f, pos + i) << i;
        }
    }
    if (s->is_signed && s->length < 64 && (raw >> (s->length - 1)) != 0) {
        raw |= ~0ull << s->length; /* sign-extend */
    }
    return (int64_t)raw;
}

int64_t sim_signal_decode_micro(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    return sim_signal_raw(s, f) * s->factor_micro + s->offset_micro;
}
