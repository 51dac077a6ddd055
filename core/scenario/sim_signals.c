/*
 * sim_signals.c: the Alfaspark CAN signal table and its DBC-style decoder (sim_signals.h).
 *
 * The rows are docs/can-signals.json's, in its order (test_scenario_signals.c compares them
 * field by field, and with the DBC's SG_ lines). Multi-byte fields are big-endian (spec §9.4),
 * so they are Motorola signals starting at their most significant bit; bytes and bits are
 * written as Intel signals, where the order makes no difference.
 */
#include "sim_signals.h"

#include <stdio.h>
#include <string.h>

#include "sim_scn_check.h"

/* name, first identifier, identifiers, per node, multiplexed, nominal DLC */
static const sim_msg_def_t msgs[] = {
    {"TEL", 0x100, 127, true, true, 8},
    {"AGG_P0", 0x180, 1, false, false, 3},
    {"AGG_P1", 0x181, 1, false, false, 6},
    {"AGG_P2", 0x182, 1, false, false, 6},
    {"CMD_SET_SELF_CONSUMPTION", 0x201, 1, false, false, 3},
    {"CMD_SET_ECO", 0x202, 1, false, false, 3},
    {"CMD_SET_TOU", 0x203, 1, false, false, 3},
    {"CMD_SET_BACKUP", 0x204, 1, false, false, 3},
    {"CMD_SET_GRID_LIMIT_MODE", 0x205, 1, false, false, 3},
    {"CMD_SET_ECO_LIMIT", 0x206, 1, false, false, 4},
    {"CMD_RESET_GRID_ENERGY", 0x207, 1, false, false, 2},
    {"CMD_OTA_TRIGGER", 0x208, 1, false, false, 4},
    {"CMD_SET_GRID_LIMIT_KWH", 0x209, 1, false, false, 3},
    {"CMD_SET_TOU_WINDOW", 0x20A, 1, false, false, 6},
    {"CMD_SET_RELAY", 0x20B, 1, false, false, 4},
    {"CMD_SET_MODE_MASK", 0x20C, 1, false, false, 3},
    {"CMD_SET_SC_THRESHOLDS", 0x20D, 1, false, false, 4},
    {"CMD_REQUEST_STATUS", 0x20E, 1, false, false, 2},
    {"CMD_FACTORY_RESET", 0x20F, 1, false, false, 4},
    {"ACK", 0x280, 127, true, false, 4},
    {"ANN", 0x300, 127, true, false, 8},
    {"EVT", 0x400, 127, true, true, 8},
    {"TIME", 0x7FF, 1, false, false, 5},
};
#define N_MSGS (sizeof msgs / sizeof msgs[0])

#define ONE SIM_VALUE_MICRO

/* name, message, mux, start bit, length, big-endian, signed, factor, offset, multiplexer, unit */
static const sim_signal_def_t sigs[] = {
    {"Page", 0, -1, 0, 8, false, false, ONE, 0, true, ""},
    {"SOC", 0, 0, 8, 8, false, false, ONE, 0, false, "%"},
    {"V_pack", 0, 0, 23, 16, true, false, ONE / 10, 0, false, "V"},
    {"I_batt", 0, 0, 39, 16, true, true, ONE / 100, 0, false, "A"},
    {"St_Charging", 0, 0, 48, 1, false, false, ONE, 0, false, ""},
    {"St_BmsInvalid", 0, 0, 49, 1, false, false, ONE, 0, false, ""},
    {"St_BmsAlarm", 0, 0, 50, 1, false, false, ONE, 0, false, ""},
    {"St_Master", 0, 0, 51, 1, false, false, ONE, 0, false, ""},
    {"St_TimeValid", 0, 0, 52, 1, false, false, ONE, 0, false, ""},
    {"BmsAlarmBits", 0, 0, 56, 8, false, false, ONE, 0, false, ""},
    {"P_grid", 0, 1, 15, 16, true, true, ONE, 0, false, "W"},
    {"P_home", 0, 1, 31, 16, true, true, ONE, 0, false, "W"},
    {"P_batt", 0, 1, 47, 16, true, true, ONE, 0, false, "W"},
    {"P_solar", 0, 2, 15, 16, true, true, ONE, 0, false, "W"},
    {"P_pool", 0, 2, 31, 16, true, true, ONE, 0, false, "W"},
    {"P_heater", 0, 2, 47, 16, true, true, ONE, 0, false, "W"},
    {"Relay_Grid", 0, 3, 8, 1, false, false, ONE, 0, false, ""},
    {"Relay_Inverter", 0, 3, 9, 1, false, false, ONE, 0, false, ""},
    {"Relay_Pool", 0, 3, 10, 1, false, false, ONE, 0, false, ""},
    {"Relay_Heater", 0, 3, 11, 1, false, false, ONE, 0, false, ""},
    {"Mode_SelfConsumption", 0, 3, 16, 1, false, false, ONE, 0, false, ""},
    {"Mode_Eco", 0, 3, 17, 1, false, false, ONE, 0, false, ""},
    {"Mode_TOU", 0, 3, 18, 1, false, false, ONE, 0, false, ""},
    {"Mode_Backup", 0, 3, 19, 1, false, false, ONE, 0, false, ""},
    {"Mode_GridLimit", 0, 3, 20, 1, false, false, ONE, 0, false, ""},
    {"Warn_LoadsLimit", 0, 3, 24, 1, false, false, ONE, 0, false, ""},
    {"Warn_GridLimit", 0, 3, 25, 1, false, false, ONE, 0, false, ""},
    {"E_grid", 0, 3, 39, 16, true, false, ONE / 100, 0, false, "kWh"},
    {"GridLimit", 0, 3, 48, 8, false, false, ONE, 0, false, "kWh"},
    {"OtaState", 0, 3, 56, 8, false, false, ONE, 0, false, ""},
    {"OnlinePacks", 1, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"AvgSOC", 1, -1, 8, 8, false, false, ONE, 0, false, "%"},
    {"MasterNodeID", 1, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"SumP_grid", 2, -1, 7, 16, true, true, 10 * ONE, 0, false, "W"},
    {"SumP_home", 2, -1, 23, 16, true, true, 10 * ONE, 0, false, "W"},
    {"SumP_batt", 2, -1, 39, 16, true, true, 10 * ONE, 0, false, "W"},
    {"SumP_solar", 3, -1, 7, 16, true, true, 10 * ONE, 0, false, "W"},
    {"SumP_pool", 3, -1, 23, 16, true, true, 10 * ONE, 0, false, "W"},
    {"SumP_heater", 3, -1, 39, 16, true, true, 10 * ONE, 0, false, "W"},
    {"Target", 4, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 4, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"On", 4, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 5, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 5, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"On", 5, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 6, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 6, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"On", 6, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 7, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 7, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"On", 7, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 8, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 8, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"On", 8, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 9, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 9, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"EcoLimit", 9, -1, 23, 16, true, false, ONE, 0, false, "W"},
    {"Target", 10, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 10, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"Target", 11, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 11, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"ImageMajor", 11, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"ImageMinor", 11, -1, 24, 8, false, false, ONE, 0, false, ""},
    {"Target", 12, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 12, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"GridLimit", 12, -1, 16, 8, false, false, ONE, 0, false, "kWh"},
    {"Target", 13, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 13, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"StartHour", 13, -1, 16, 8, false, false, ONE, 0, false, "h"},
    {"StartMinute", 13, -1, 24, 8, false, false, ONE, 0, false, "min"},
    {"EndHour", 13, -1, 32, 8, false, false, ONE, 0, false, "h"},
    {"EndMinute", 13, -1, 40, 8, false, false, ONE, 0, false, "min"},
    {"Target", 14, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 14, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"RelayIndex", 14, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"RelayState", 14, -1, 24, 8, false, false, ONE, 0, false, ""},
    {"Target", 15, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 15, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"ModeMask", 15, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Target", 16, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 16, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"LowPct", 16, -1, 16, 8, false, false, ONE, 0, false, "%"},
    {"HighPct", 16, -1, 24, 8, false, false, ONE, 0, false, "%"},
    {"Target", 17, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 17, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"Target", 18, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 18, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"Magic1", 18, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"Magic2", 18, -1, 24, 8, false, false, ONE, 0, false, ""},
    {"Command", 19, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"Seq", 19, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"Status", 19, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"ModeMask", 19, -1, 24, 8, false, false, ONE, 0, false, ""},
    {"DeviceType", 20, -1, 0, 8, false, false, ONE, 0, false, ""},
    {"FwMajor", 20, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"FwMinor", 20, -1, 16, 8, false, false, ONE, 0, false, ""},
    {"IsMaster", 20, -1, 24, 1, false, false, ONE, 0, false, ""},
    {"MacTail", 20, -1, 39, 32, true, false, ONE, 0, false, ""},
    {"Code", 21, -1, 0, 8, false, false, ONE, 0, true, ""},
    {"Severity", 21, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"TimeoutFailKind", 21, 1, 16, 8, false, false, ONE, 0, false, ""},
    {"FrameFailKind", 21, 2, 16, 8, false, false, ONE, 0, false, ""},
    {"AlarmBits", 21, 4, 16, 8, false, false, ONE, 0, false, ""},
    {"CanState", 21, 5, 16, 8, false, false, ONE, 0, false, ""},
    {"CanTec", 21, 5, 24, 8, false, false, ONE, 0, false, ""},
    {"OldNodeID", 21, 6, 16, 8, false, false, ONE, 0, false, ""},
    {"NewNodeID", 21, 6, 24, 8, false, false, ONE, 0, false, ""},
    {"GridLimitKwh", 21, 8, 16, 8, false, false, ONE, 0, false, "kWh"},
    {"EcoLimitW", 21, 9, 23, 16, true, false, ONE, 0, false, "W"},
    {"TimeDlc", 21, 10, 16, 8, false, false, ONE, 0, false, ""},
    {"TimeHour", 21, 10, 24, 8, false, false, ONE, 0, false, "h"},
    {"Hour", 22, -1, 0, 8, false, false, ONE, 0, false, "h"},
    {"Day", 22, -1, 8, 8, false, false, ONE, 0, false, ""},
    {"Minute", 22, -1, 16, 8, false, false, ONE, 0, false, "min"},
    {"Month", 22, -1, 24, 8, false, false, ONE, 0, false, ""},
    {"Year", 22, -1, 32, 8, false, false, ONE, 2000 * ONE, false, ""},
};
#define N_SIGS (sizeof sigs / sizeof sigs[0])

const sim_msg_def_t *sim_msg_defs(size_t *n) {
    *n = N_MSGS;
    return msgs;
}

const sim_signal_def_t *sim_signal_defs(size_t *n) {
    *n = N_SIGS;
    return sigs;
}

int sim_signal_find(const char *qualified_name) {
    const char *dot = strchr(qualified_name, '.');
    if (dot == NULL) {
        return -1;
    }
    size_t mlen = (size_t)(dot - qualified_name);
    for (size_t i = 0; i < N_SIGS; i++) {
        const char *m = msgs[sigs[i].msg].name;
        if (strlen(m) == mlen && memcmp(m, qualified_name, mlen) == 0 &&
            strcmp(sigs[i].name, dot + 1) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void sim_signal_qualified_name(int i, char *buf, size_t cap) {
    SIM_ASSERT(i >= 0 && (size_t)i < N_SIGS);
    snprintf(buf, cap, "%s.%s", msgs[sigs[i].msg].name, sigs[i].name);
}

bool sim_msg_matches(const sim_msg_def_t *m, const sim_can_frame_t *f, int *node_id) {
    *node_id = -1;
    if ((f->flags & (SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR)) != 0 || f->id < m->base_id ||
        f->id - m->base_id >= m->id_count) {
        return false;
    }
    if (m->per_node) {
        *node_id = (int)(f->id - m->base_id);
    }
    return true;
}

/* The next bit position of a signal after `pos`, in its byte order. */
static unsigned next_bit(const sim_signal_def_t *s, unsigned pos) {
    /* Motorola: down through the byte, then on to the next byte's most significant bit. */
    return s->big_endian ? (pos % 8 == 0 ? pos + 15 : pos - 1) : pos + 1;
}

bool sim_signal_in_frame(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    if (s->mux >= 0 && (f->dlc < 1 || f->data[0] != (uint8_t)s->mux)) {
        return false;
    }
    unsigned pos = s->start_bit, last = pos / 8;
    for (unsigned i = 1; i < s->length; i++) {
        pos = next_bit(s, pos);
        last = pos / 8 > last ? pos / 8 : last;
    }
    return last < f->dlc;
}

int64_t sim_signal_raw(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    uint64_t raw = 0;
    unsigned pos = s->start_bit;
    for (unsigned i = 0; i < s->length; i++, pos = next_bit(s, pos)) {
        SIM_ASSERT(pos < 64);
        uint64_t bit = (f->data[pos / 8] >> (pos % 8)) & 1u;
        raw = s->big_endian ? raw << 1 | bit : raw | bit << i;
    }
    if (s->is_signed && (raw >> (s->length - 1)) != 0) {
        raw |= ~0ull << s->length; /* sign-extend */
    }
    return (int64_t)raw;
}

int64_t sim_signal_decode_micro(const sim_signal_def_t *s, const sim_can_frame_t *f) {
    return sim_signal_raw(s, f) * s->factor_micro + s->offset_micro;
}
