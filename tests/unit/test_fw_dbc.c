/*
 * test_fw_dbc.c: the CAN signal table of spec §9 and the files made from it.
 *
 * The table below is the one description of every frame and signal of the Alfaspark protocol.
 * This suite renders it as docs/alfaspark.dbc and docs/can-signals.json and compares both byte
 * for byte with the committed files (SIM_UPDATE_GOLDEN=1 rewrites them; review with git diff).
 * It then runs the firmware core on the fake HAL through a session that makes it send every
 * kind of frame, decodes each frame with the table and checks the decoded values against what
 * the firmware computed. Finally it leaves the frames as a candump log plus the expected
 * physical value of every signal in SIM_BINARY_DIR, for the CTest that decodes the same log
 * with python3-canmatrix through the DBC file (tests/cmake/firmware.cmake).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "fake_hal.h"
#include "fw_state.h"
#include "node.h"
#include "telemetry.h"
#include "test_support.h"

/* ---- the table ------------------------------------------------------------------------------ */

#define PLAIN (-1)
#define MUXER (-2)

typedef struct {
    const char *name;
    int mux;      /* PLAIN, MUXER, or the multiplexer value selecting this signal */
    uint8_t byte; /* first byte; for big-endian fields the most significant one */
    uint8_t bit;  /* first bit inside that byte (sub-byte fields) */
    uint8_t len;  /* bits */
    bool is_signed;
    bool big_endian; /* multi-byte fields are big-endian (spec §9.4) */
    double scale, offset, min, max;
    const char *unit;
    const char *values; /* DBC value table text, or NULL */
} sig_t;

typedef struct {
    const char *name; /* per-node messages get _<NodeID> appended */
    uint32_t id;      /* for per-node messages: the id of NodeID 0 */
    bool per_node;
    uint8_t dlc;
    const char *sender;
    const char *receivers;
    uint32_t cycle_ms; /* 0: on event */
    const char *comment;
    const sig_t *sigs;
    unsigned nsigs;
} msg_t;

#define U8(n, mux, byte, unit, max)                                                                \
    { n, mux, byte, 0, 8, false, false, 1, 0, 0, max, unit, NULL }
#define BIT(n, mux, byte, bit)                                                                     \
    { n, mux, byte, bit, 1, false, false, 1, 0, 0, 1, "", NULL }
#define BE16(n, mux, byte, sgn, scale, min, max, unit)                                             \
    { n, mux, byte, 0, 16, sgn, true, scale, 0, min, max, unit, NULL }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char vals_page[] = "0 \"battery\" 1 \"power A\" 2 \"power B\" 3 \"state\"";
static const char vals_ota[] = "0 \"idle\" 1 \"receiving\" 2 \"verifying\" 3 \"rebooting\"";
static const char vals_soc[] = "255 \"not valid\"";
static const char vals_target[] = "127 \"all\"";
static const char vals_status[] =
    "0 \"OK\" 1 \"bad length\" 2 \"bad value\" 3 \"refused\" 4 \"unknown command\"";
static const char vals_type[] = "1 \"Energy-Pack\" 2 \"Energy-Gateway\"";
static const char vals_sev[] = "0 \"info\" 1 \"warning\" 2 \"fault\"";
static const char vals_evt[] =
    "1 \"BMS timeout\" 2 \"BMS frame error\" 3 \"BMS data stale\" 4 \"BMS alarm\" "
    "5 \"CAN error\" 6 \"NodeID moved\" 7 \"watchdog reset\" 8 \"grid limit\" "
    "9 \"loads limit\" 10 \"time broadcast invalid\"";
static const char vals_fail[] = "1 \"timeout\" 2 \"CRC\" 3 \"header\" 4 \"exception\"";
static const char vals_can[] = "3 \"error-passive\" 4 \"bus-off\"";
static const char vals_relay[] = "0 \"grid\" 1 \"inverter\" 2 \"pool\" 3 \"heater\"";
static const char vals_rstate[] = "0 \"disconnected\" 1 \"connected\" 2 \"release\"";

static const sig_t tel_sigs[] = {
    {"Page", MUXER, 0, 0, 8, false, false, 1, 0, 0, 3, "", vals_page},
    {"SOC", 0, 1, 0, 8, false, false, 1, 0, 0, 255, "%", vals_soc},
    BE16("V_pack", 0, 2, false, 0.1, 0, 6553.5, "V"),
    BE16("I_batt", 0, 4, true, 0.01, -327.68, 327.67, "A"),
    BIT("St_Charging", 0, 6, 0),
    BIT("St_BmsInvalid", 0, 6, 1),
    BIT("St_BmsAlarm", 0, 6, 2),
    BIT("St_Master", 0, 6, 3),
    BIT("St_TimeValid", 0, 6, 4),
    U8("BmsAlarmBits", 0, 7, "", 255),
    BE16("P_grid", 1, 1, true, 1, -32768, 32767, "W"),
    BE16("P_home", 1, 3, true, 1, -32768, 32767, "W"),
    BE16("P_batt", 1, 5, true, 1, -32768, 32767, "W"),
    BE16("P_solar", 2, 1, true, 1, -32768, 32767, "W"),
    BE16("P_pool", 2, 3, true, 1, -32768, 32767, "W"),
    BE16("P_heater", 2, 5, true, 1, -32768, 32767, "W"),
    BIT("Relay_Grid", 3, 1, 0),
    BIT("Relay_Inverter", 3, 1, 1),
    BIT("Relay_Pool", 3, 1, 2),
    BIT("Relay_Heater", 3, 1, 3),
    BIT("Mode_SelfConsumption", 3, 2, 0),
    BIT("Mode_Eco", 3, 2, 1),
    BIT("Mode_TOU", 3, 2, 2),
    BIT("Mode_Backup", 3, 2, 3),
    BIT("Mode_GridLimit", 3, 2, 4),
    BIT("Warn_LoadsLimit", 3, 3, 0),
    BIT("Warn_GridLimit", 3, 3, 1),
    BE16("E_grid", 3, 4, false, 0.01, 0, 655.35, "kWh"),
    U8("GridLimit", 3, 6, "kWh", 255),
    {"OtaState", 3, 7, 0, 8, false, false, 1, 0, 0, 3, "", vals_ota},
};

static const sig_t agg0_sigs[] = {
    U8("OnlinePacks", PLAIN, 0, "", 255),
    {"AvgSOC", PLAIN, 1, 0, 8, false, false, 1, 0, 0, 255, "%", vals_soc},
    U8("MasterNodeID", PLAIN, 2, "", 126),
};
static const sig_t agg1_sigs[] = {
    BE16("SumP_grid", PLAIN, 0, true, 10, -327680, 327670, "W"),
    BE16("SumP_home", PLAIN, 2, true, 10, -327680, 327670, "W"),
    BE16("SumP_batt", PLAIN, 4, true, 10, -327680, 327670, "W"),
};
static const sig_t agg2_sigs[] = {
    BE16("SumP_solar", PLAIN, 0, true, 10, -327680, 327670, "W"),
    BE16("SumP_pool", PLAIN, 2, true, 10, -327680, 327670, "W"),
    BE16("SumP_heater", PLAIN, 4, true, 10, -327680, 327670, "W"),
};

#define CMD_HEAD                                                                                   \
    {"Target", PLAIN, 0, 0, 8, false, false, 1, 0, 0, 127, "", vals_target},                       \
        U8("Seq", PLAIN, 1, "", 255)
static const sig_t cmd_plain[] = {CMD_HEAD};
static const sig_t cmd_on[] = {CMD_HEAD, U8("On", PLAIN, 2, "", 1)};
static const sig_t cmd_eco_limit[] = {CMD_HEAD,
                                      BE16("EcoLimit", PLAIN, 2, false, 1, 0, 65535, "W")};
static const sig_t cmd_ota[] = {CMD_HEAD, U8("ImageMajor", PLAIN, 2, "", 255),
                                U8("ImageMinor", PLAIN, 3, "", 255)};
static const sig_t cmd_grid_kwh[] = {CMD_HEAD, U8("GridLimit", PLAIN, 2, "kWh", 30)};
static const sig_t cmd_tou[] = {
    CMD_HEAD, U8("StartHour", PLAIN, 2, "h", 23), U8("StartMinute", PLAIN, 3, "min", 59),
    U8("EndHour", PLAIN, 4, "h", 23), U8("EndMinute", PLAIN, 5, "min", 59)};
static const sig_t cmd_relay[] = {
    CMD_HEAD,
    {"RelayIndex", PLAIN, 2, 0, 8, false, false, 1, 0, 0, 3, "", vals_relay},
    {"RelayState", PLAIN, 3, 0, 8, false, false, 1, 0, 0, 2, "", vals_rstate},
};
static const sig_t cmd_mask[] = {CMD_HEAD, U8("ModeMask", PLAIN, 2, "", 31)};
static const sig_t cmd_sc[] = {CMD_HEAD, U8("LowPct", PLAIN, 2, "%", 100),
                               U8("HighPct", PLAIN, 3, "%", 100)};
static const sig_t cmd_reset[] = {CMD_HEAD, U8("Magic1", PLAIN, 2, "", 255),
                                  U8("Magic2", PLAIN, 3, "", 255)};

static const sig_t ack_sigs[] = {
    U8("Command", PLAIN, 0, "", 255),
    U8("Seq", PLAIN, 1, "", 255),
    {"Status", PLAIN, 2, 0, 8, false, false, 1, 0, 0, 4, "", vals_status},
    U8("ModeMask", PLAIN, 3, "", 31),
};
static const sig_t ann_sigs[] = {
    {"DeviceType", PLAIN, 0, 0, 8, false, false, 1, 0, 1, 2, "", vals_type},
    U8("FwMajor", PLAIN, 1, "", 255),
    U8("FwMinor", PLAIN, 2, "", 255),
    BIT("IsMaster", PLAIN, 3, 0),
    {"MacTail", PLAIN, 4, 0, 32, false, true, 1, 0, 0, 4294967295.0, "", NULL},
};
static const sig_t evt_sigs[] = {
    {"Code", MUXER, 0, 0, 8, false, false, 1, 0, 1, 10, "", vals_evt},
    {"Severity", PLAIN, 1, 0, 8, false, false, 1, 0, 0, 2, "", vals_sev},
    {"TimeoutFailKind", 1, 2, 0, 8, false, false, 1, 0, 1, 4, "", vals_fail},
    {"FrameFailKind", 2, 2, 0, 8, false, false, 1, 0, 1, 4, "", vals_fail},
    U8("AlarmBits", 4, 2, "", 255),
    {"CanState", 5, 2, 0, 8, false, false, 1, 0, 3, 4, "", vals_can},
    U8("CanTec", 5, 3, "", 255),
    U8("OldNodeID", 6, 2, "", 126),
    U8("NewNodeID", 6, 3, "", 126),
    U8("GridLimitKwh", 8, 2, "kWh", 30),
    BE16("EcoLimitW", 9, 2, false, 1, 0, 65535, "W"),
    U8("TimeDlc", 10, 2, "", 8),
    U8("TimeHour", 10, 3, "h", 255),
};
static const sig_t time_sigs[] = {
    U8("Hour", PLAIN, 0, "h", 23),
    U8("Day", PLAIN, 1, "", 31),
    U8("Minute", PLAIN, 2, "min", 59),
    U8("Month", PLAIN, 3, "", 12),
    {"Year", PLAIN, 4, 0, 8, false, false, 1, 2000, 2000, 2255, "", NULL},
};

#define MSG(name, id, pn, dlc, snd, rcv, cyc, cm, s)                                               \
    { name, id, pn, dlc, snd, rcv, cyc, cm, s, COUNT(s) }
#define CMD(name, id, dlc, s, cm) MSG(name, id, false, dlc, "Pi", "Pack", 0, cm, s)

static const msg_t msgs[] = {
    MSG("TEL", 0x100, true, 8, "Pack", "Pi,Pack", 2000,
        "Pack telemetry, multiplexed by Page; every page every 2 s", tel_sigs),
    MSG("AGG_P0", 0x180, false, 3, "Pack", "Pi", 2000,
        "Master aggregate page 0: packs online, average SOC, master", agg0_sigs),
    MSG("AGG_P1", 0x181, false, 6, "Pack", "Pi", 2000,
        "Master aggregate page 1: sums in 10 W units", agg1_sigs),
    MSG("AGG_P2", 0x182, false, 6, "Pack", "Pi", 2000,
        "Master aggregate page 2: sums in 10 W units", agg2_sigs),
    CMD("CMD_SET_SELF_CONSUMPTION", 0x201, 3, cmd_on, "Self-Consumption on/off"),
    CMD("CMD_SET_ECO", 0x202, 3, cmd_on, "Eco on/off (refused while the limit is 0)"),
    CMD("CMD_SET_TOU", 0x203, 3, cmd_on, "Time-of-Use on/off"),
    CMD("CMD_SET_BACKUP", 0x204, 3, cmd_on, "Backup on/off"),
    CMD("CMD_SET_GRID_LIMIT_MODE", 0x205, 3, cmd_on, "Grid Importation Limit on/off"),
    CMD("CMD_SET_ECO_LIMIT", 0x206, 4, cmd_eco_limit, "Eco limit in W"),
    CMD("CMD_RESET_GRID_ENERGY", 0x207, 2, cmd_plain, "Zero E_grid and release the latch"),
    CMD("CMD_OTA_TRIGGER", 0x208, 4, cmd_ota, "OTA trigger (refused in this version)"),
    CMD("CMD_SET_GRID_LIMIT_KWH", 0x209, 3, cmd_grid_kwh, "Daily grid limit 2-30 kWh"),
    CMD("CMD_SET_TOU_WINDOW", 0x20A, 6, cmd_tou, "TOU window, 24-hour local time"),
    CMD("CMD_SET_RELAY", 0x20B, 4, cmd_relay, "Manual relay override"),
    CMD("CMD_SET_MODE_MASK", 0x20C, 3, cmd_mask, "All mode flags at once"),
    CMD("CMD_SET_SC_THRESHOLDS", 0x20D, 4, cmd_sc, "Self-Consumption thresholds"),
    CMD("CMD_REQUEST_STATUS", 0x20E, 2, cmd_plain, "ACK, then all TEL pages and an ANN"),
    CMD("CMD_FACTORY_RESET", 0x20F, 4, cmd_reset, "Factory reset, magic A5 5A"),
    MSG("ACK", 0x280, true, 4, "Pack", "Pi", 0, "Command ACK/NACK", ack_sigs),
    MSG("ANN", 0x300, true, 8, "Pack", "Pi,Pack", 60000, "Election announcement", ann_sigs),
    MSG("EVT", 0x400, true, 8, "Pack", "Pi", 0, "Event log, multiplexed by Code", evt_sigs),
    MSG("TIME", 0x7FF, false, 5, "Pi", "Pack", 60000, "Local time broadcast", time_sigs),
};

#define NODES 127u

/* ---- rendering ------------------------------------------------------------------------------ */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void bprintf(buf_t *b, const char *fmt, ...) HAL_PRINTF(2, 3);

static void bprintf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (b->p && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1u) * 2u;
        b->p = realloc(b->p, b->cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b->p);
    }
}

static unsigned msg_count(const msg_t *m) {
    return m->per_node ? NODES : 1u;
}

static void msg_name(const msg_t *m, unsigned n, char *out, size_t cap) {
    if (m->per_node) {
        snprintf(out, cap, "%s_%u", m->name, n);
    } else {
        snprintf(out, cap, "%s", m->name);
    }
}

/* DBC start bit: Intel = the LSB; Motorola = the MSB (bit 7 of the first byte when aligned). */
static unsigned dbc_start(const sig_t *s) {
    return s->big_endian ? s->byte * 8u + 7u : s->byte * 8u + s->bit;
}

static void render_sig(buf_t *b, const sig_t *s, const char *rcv) {
    char mux[16] = "";
    if (s->mux == MUXER) {
        snprintf(mux, sizeof mux, " M");
    } else if (s->mux >= 0) {
        snprintf(mux, sizeof mux, " m%d", s->mux);
    }
    bprintf(b, " SG_ %s%s : %u|%u@%c%c (%.10g,%.10g) [%.10g|%.10g] \"%s\" %s\n", s->name, mux,
            dbc_start(s), s->len, s->big_endian ? '0' : '1', s->is_signed ? '-' : '+', s->scale,
            s->offset, s->min, s->max, s->unit, rcv);
}

static void render_dbc(buf_t *b) {
    bprintf(b, "VERSION \"Alfaspark CAN protocol 2.5 (generated by tests/unit/test_fw_dbc.c)\"\n\n"
               "NS_ :\n\tCM_\n\tBA_DEF_\n\tBA_\n\tVAL_\n\tBA_DEF_DEF_\n\nBS_:\n\nBU_: Pack Pi\n\n");
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        const msg_t *m = &msgs[i];
        for (unsigned n = 0; n < msg_count(m); n++) {
            char name[48];
            msg_name(m, n, name, sizeof name);
            bprintf(b, "BO_ %u %s: %u %s\n", m->id + n, name, m->dlc, m->sender);
            for (unsigned k = 0; k < m->nsigs; k++) {
                render_sig(b, &m->sigs[k], m->receivers);
            }
            bprintf(b, "\n");
        }
    }
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        for (unsigned n = 0; n < msg_count(&msgs[i]); n++) {
            bprintf(b, "CM_ BO_ %u \"%s\";\n", msgs[i].id + n, msgs[i].comment);
        }
    }
    bprintf(b, "BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 3600000;\n"
               "BA_DEF_DEF_ \"GenMsgCycleTime\" 0;\n");
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        for (unsigned n = 0; msgs[i].cycle_ms && n < msg_count(&msgs[i]); n++) {
            bprintf(b, "BA_ \"GenMsgCycleTime\" BO_ %u %u;\n", msgs[i].id + n, msgs[i].cycle_ms);
        }
    }
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        for (unsigned n = 0; n < msg_count(&msgs[i]); n++) {
            for (unsigned k = 0; k < msgs[i].nsigs; k++) {
                const sig_t *s = &msgs[i].sigs[k];
                if (s->values != NULL) {
                    bprintf(b, "VAL_ %u %s %s ;\n", msgs[i].id + n, s->name, s->values);
                }
            }
        }
    }
}

static void render_json(buf_t *b) {
    bprintf(b, "{\n  \"protocol\": \"Alfaspark CAN 2.5\",\n  \"bitrate\": 500000,\n"
               "  \"byte_order_note\": \"multi-byte fields big-endian\",\n  \"messages\": [\n");
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        const msg_t *m = &msgs[i];
        bprintf(
            b,
            "    {\"name\": \"%s\", \"id\": %u, \"id_last\": %u, \"per_node\": %s, \"dlc\": %u, "
            "\"sender\": \"%s\", \"receivers\": \"%s\", \"cycle_ms\": %u, \"comment\": \"%s\",\n"
            "     \"signals\": [\n",
            m->name, m->id, m->id + msg_count(m) - 1u, m->per_node ? "true" : "false", m->dlc,
            m->sender, m->receivers, m->cycle_ms, m->comment);
        for (unsigned k = 0; k < m->nsigs; k++) {
            const sig_t *s = &m->sigs[k];
            bprintf(
                b,
                "       {\"name\": \"%s\", \"multiplexer\": %s, \"mux\": %d, \"start_bit\": %u, "
                "\"length\": %u, \"byte_order\": \"%s\", \"signed\": %s, \"scale\": %.10g, "
                "\"offset\": %.10g, \"min\": %.10g, \"max\": %.10g, \"unit\": \"%s\"}%s\n",
                s->name, s->mux == MUXER ? "true" : "false", s->mux >= 0 ? s->mux : -1,
                dbc_start(s), s->len, s->big_endian ? "big_endian" : "little_endian",
                s->is_signed ? "true" : "false", s->scale, s->offset, s->min, s->max, s->unit,
                k + 1u < m->nsigs ? "," : "");
        }
        bprintf(b, "     ]}%s\n", i + 1u < COUNT(msgs) ? "," : "");
    }
    bprintf(b, "  ]\n}\n");
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1u);
    size_t got = fread(p, 1, (size_t)n, f);
    fclose(f);
    p[got] = '\0';
    *len = got;
    return p;
}

static void compare_golden(const buf_t *b, const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SIM_SOURCE_DIR, rel);
    const char *upd = getenv("SIM_UPDATE_GOLDEN");
    if (upd != NULL && strcmp(upd, "1") == 0) {
        FILE *f = fopen(path, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fwrite(b->p, 1, b->len, f);
        fclose(f);
        return;
    }
    size_t len = 0;
    char *cur = read_file(path, &len);
    if (cur == NULL || len != b->len || memcmp(cur, b->p, len) != 0) {
        fprintf(stderr, "\n  %s differs from the signal table; SIM_UPDATE_GOLDEN=1 rewrites it\n",
                rel);
        CU_FAIL("golden file out of date");
    }
    free(cur);
}

static void test_dbc_file_matches_table(void) {
    buf_t b = {0};
    render_dbc(&b);
    compare_golden(&b, "docs/alfaspark.dbc");
    free(b.p);
}

static void test_json_matches_table(void) {
    buf_t b = {0};
    render_json(&b);
    compare_golden(&b, "docs/can-signals.json");
    free(b.p);
}

/* ---- decoding with the table ---------------------------------------------------------------- */

static const msg_t *find_msg(uint32_t id) {
    for (unsigned i = 0; i < COUNT(msgs); i++) {
        if (id >= msgs[i].id && id < msgs[i].id + msg_count(&msgs[i])) {
            return &msgs[i];
        }
    }
    return NULL;
}

static double decode_sig(const sig_t *s, const uint8_t *d) {
    uint64_t raw = 0;
    if (s->big_endian) {
        for (unsigned i = 0; i < s->len / 8u; i++) {
            raw = (raw << 8) | d[s->byte + i];
        }
    } else {
        uint64_t le = 0;
        for (unsigned i = 0; i < 8u; i++) {
            le |= (uint64_t)d[i] << (8u * i);
        }
        raw = (le >> (s->byte * 8u + s->bit)) & ((1ull << s->len) - 1u);
    }
    double v = (double)raw;
    if (s->is_signed && (raw >> (s->len - 1u)) & 1u) {
        v = (double)((int64_t)raw - (int64_t)(1ull << s->len));
    }
    return v * s->scale + s->offset;
}

static bool sig_active(const msg_t *m, const sig_t *s, const uint8_t *d) {
    if (s->mux < 0) {
        return true;
    }
    for (unsigned k = 0; k < m->nsigs; k++) {
        if (m->sigs[k].mux == MUXER) {
            return (int)decode_sig(&m->sigs[k], d) == s->mux;
        }
    }
    return false;
}

/* The physical value of signal `name` in frame f (NAN-free: fails the test when absent). */
static double sigval(const hal_can_frame_t *f, const char *name) {
    const msg_t *m = find_msg(f->id);
    if (m == NULL) {
        CU_FAIL("frame not in the table");
        return -1e9;
    }
    for (unsigned k = 0; k < m->nsigs; k++) {
        if (strcmp(m->sigs[k].name, name) == 0 && sig_active(m, &m->sigs[k], f->data)) {
            return decode_sig(&m->sigs[k], f->data);
        }
    }
    fprintf(stderr, "\n  signal %s not in frame 0x%03X\n", name, (unsigned)f->id);
    CU_FAIL("signal missing");
    return -1e9;
}

/* ---- a session that makes the firmware send every kind of frame ----------------------------- */

#define NODE 99u
#define ALL  127u

static hal_can_frame_t sent[4096];
static uint64_t sent_us[4096];
static size_t n_sent;

static void keep(const hal_can_frame_t *f, uint64_t t_us) {
    if (n_sent < COUNT(sent)) {
        sent[n_sent] = *f;
        sent_us[n_sent] = t_us;
        n_sent++;
    }
}

static void keep_new_tx(size_t *cursor) {
    for (size_t i = *cursor; i < fake_hal_can_tx_count(); i++) {
        keep(&fake_hal_can_tx(i)->f, fake_hal_can_tx(i)->t_us);
    }
    *cursor = fake_hal_can_tx_count();
}

/* A frame the Pi or a peer sends: delivered to the firmware and, when `log`, kept too. */
static void deliver(uint32_t id, uint8_t dlc, const uint8_t *d, size_t *cursor, bool log) {
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.dlc = dlc;
    memcpy(f.data, d, dlc);
    keep_new_tx(cursor);
    if (log) {
        keep(&f, fake_hal_time_us());
    }
    fw_on_can_rx(&f);
    keep_new_tx(cursor);
}

static void inject(uint32_t id, uint8_t dlc, const uint8_t *d, size_t *cursor) {
    deliver(id, dlc, d, cursor, true);
}

static void run(uint64_t ms, size_t *cursor) {
    fake_hal_run_ms(ms);
    keep_new_tx(cursor);
}

static void session(void) {
    size_t cur = 0;
    n_sent = 0;
    fake_hal_reset();
    fake_hal_set_reset_reason(HAL_RESET_WATCHDOG); /* event 7 */
    fake_hal_bms(FAKE_BMS_OK, 544, -250);
    fake_hal_ct_power_w(0, 10000.0);
    fake_hal_ct_power_w(1, 2000.0);
    fake_hal_ct_power_w(2, 300.0);
    fake_hal_ct_power_w(3, 400.0);
    fw_init();
    keep_new_tx(&cur);
    const uint8_t peer_ann[8] = {1, 2, 5, 0, 0xDE, 0xAD, 0xBE, 0xEF};
    inject(0x300 + 20, 8, peer_ann, &cur);
    const uint8_t peer_p1[8] = {1, 0x03, 0xE8, 0x07, 0xD0, 0xFE, 0x0C, 0};
    inject(0x100 + 20, 8, peer_p1, &cur);
    const uint8_t time[5] = {9, 14, 30, 6, 25};
    inject(0x7FF, 5, time, &cur);
    const uint8_t c1[3] = {ALL, 1, 2};
    inject(0x209, 3, c1, &cur); /* grid limit 2 kWh */
    const uint8_t c2[3] = {ALL, 2, 1};
    inject(0x205, 3, c2, &cur);
    const uint8_t c3[4] = {ALL, 3, 0x05, 0xDC}; /* Eco limit 1500 W, under P_home */
    inject(0x206, 4, c3, &cur);
    inject(0x202, 3, (const uint8_t[]){ALL, 4, 1}, &cur);
    inject(0x20A, 6, (const uint8_t[]){ALL, 5, 8, 0, 17, 30}, &cur);
    inject(0x203, 3, (const uint8_t[]){ALL, 6, 1}, &cur);
    inject(0x20B, 4, (const uint8_t[]){ALL, 7, 1, 2}, &cur);
    inject(0x20D, 4, (const uint8_t[]){ALL, 8, 15, 55}, &cur);
    inject(0x208, 4, (const uint8_t[]){ALL, 9, 2, 6}, &cur);  /* refused */
    inject(0x20C, 3, (const uint8_t[]){ALL, 10, 0x17}, &cur); /* SC, Eco, TOU, Grid Limit */
    inject(0x204, 3, (const uint8_t[]){NODE, 11, 0}, &cur);
    inject(0x201, 3, (const uint8_t[]){ALL, 12, 0}, &cur);
    inject(0x7FF, 5, (const uint8_t[]){30, 1, 0, 6, 25}, &cur); /* hour 30: event 10 */
    run(30000, &cur);
    inject(0x20E, 2, (const uint8_t[]){ALL, 13}, &cur);
    run(740000, &cur); /* grid limit trips: event 8; Eco sheds and warns: event 9 */
    inject(0x207, 2, (const uint8_t[]){ALL, 14}, &cur);
    fake_hal_can_set_state(HAL_CAN_BUS_OFF, 256);
    fake_hal_can_set_state(HAL_CAN_ERROR_ACTIVE, 4); /* event 5 */
    fake_hal_bms(FAKE_BMS_SILENT, 0, 0);             /* events 1 and 3 */
    run(12000, &cur);
    fake_hal_bms(FAKE_BMS_BAD_CRC, 544, 0); /* event 2 */
    run(4000, &cur);
    fw_state.bms.alarm_bits = 0x05; /* stands in for the alarm register once it is mapped */
    run(2000, &cur);                /* event 4 */
    fw_state.bms.alarm_bits = 0;
    inject(0x300 + NODE, 8, (const uint8_t[]){1, 2, 5, 0, 0xFF, 0xFF, 0xFF, 0xFF}, &cur);
    run(10000, &cur); /* event 6 and TEL under the new NodeID */
    inject(0x20F, 4, (const uint8_t[]){ALL, 15, 0xA5, 0x5A}, &cur);
    deliver(0x210, 2, (const uint8_t[]){ALL, 16}, &cur, false); /* unknown: status 4 */
    inject(0x207, 2, (const uint8_t[]){ALL, 17}, &cur);
    run(2000, &cur);
}

static void test_every_frame_decodes(void) {
    session();
    CU_ASSERT_TRUE(n_sent > 100u);
    bool seen_evt[11] = {false};
    unsigned kinds = 0;
    for (size_t i = 0; i < n_sent; i++) {
        const msg_t *m = find_msg(sent[i].id);
        if (m == NULL) {
            fprintf(stderr, "\n  frame 0x%03X not in the table\n", (unsigned)sent[i].id);
            CU_FAIL("frame not in the table");
            continue;
        }
        ASSERT_EQ_U64(sent[i].dlc, m->dlc);
        if (m->sigs == evt_sigs) {
            unsigned code = (unsigned)sigval(&sent[i], "Code");
            CU_ASSERT_TRUE(code >= 1u && code <= 10u);
            kinds += seen_evt[code] ? 0u : 1u;
            seen_evt[code] = true;
        }
    }
    ASSERT_EQ_U64(kinds, 10); /* every event code went out at least once */
}

static void test_tel_decodes_to_firmware_values(void) {
    fake_hal_reset();
    fake_hal_bms(FAKE_BMS_OK, 544, -250);
    fake_hal_ct_power_w(0, 1000.0);
    fake_hal_ct_power_w(1, 2345.0);
    fake_hal_ct_power_w(2, 300.0);
    fake_hal_ct_power_w(3, 400.0);
    fw_init();
    fake_hal_cmd(0x209, ALL, 1, (const uint8_t[]){7}, 1);
    fake_hal_cmd(0x205, ALL, 2, (const uint8_t[]){1}, 1);
    fake_hal_cmd(0x20B, ALL, 3, (const uint8_t[]){2, 0}, 2);
    fake_hal_time_broadcast(10, 0, 5);
    fake_hal_run_ms(60000);
    fw_tel_snapshot_t s;
    fw_node_snapshot(&s);
    const hal_can_frame_t *p[4];
    for (int k = 0; k < 4; k++) {
        p[k] = fake_hal_can_last_tel(NODE, (uint8_t)k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p[k]);
    }
    ASSERT_NEAR(sigval(p[0], "SOC"), 50, 0);
    ASSERT_NEAR(sigval(p[0], "V_pack"), 54.4, 1e-9);
    ASSERT_NEAR(sigval(p[0], "I_batt"), -2.5, 1e-9);
    ASSERT_NEAR(sigval(p[0], "St_Master"), 1, 0);
    ASSERT_NEAR(sigval(p[0], "St_TimeValid"), 1, 0);
    ASSERT_NEAR(sigval(p[0], "St_BmsInvalid"), 0, 0);
    ASSERT_NEAR(sigval(p[1], "P_grid"), fw_state.grid_w, 0);
    ASSERT_NEAR(sigval(p[1], "P_home"), fw_state.home_w, 0);
    ASSERT_NEAR(sigval(p[1], "P_home"), 2345, 25);
    ASSERT_NEAR(sigval(p[1], "P_batt"), -136, 0); /* 54.4 V x -2.5 A */
    ASSERT_NEAR(sigval(p[2], "P_solar"), fw_state.solar_w, 0);
    ASSERT_NEAR(sigval(p[2], "P_pool"), fw_state.pool_w, 0);
    ASSERT_NEAR(sigval(p[2], "P_heater"), fw_state.heater_w, 0);
    ASSERT_NEAR(sigval(p[3], "Relay_Grid"), 1, 0);
    ASSERT_NEAR(sigval(p[3], "Relay_Pool"), 0, 0); /* the manual override */
    ASSERT_NEAR(sigval(p[3], "Mode_GridLimit"), 1, 0);
    ASSERT_NEAR(sigval(p[3], "Mode_Eco"), 0, 0);
    ASSERT_NEAR(sigval(p[3], "E_grid"), s.energy_centi_kwh / 100.0, 1e-9);
    ASSERT_NEAR(sigval(p[3], "E_grid"), 1000.0 * 60.0 / 3.6e6, 0.011); /* 60 s at 1 kW */
    ASSERT_NEAR(sigval(p[3], "GridLimit"), 7, 0);
    const hal_can_frame_t *ann = fake_hal_can_last(0x300 + NODE);
    ASSERT_NEAR(sigval(ann, "DeviceType"), 1, 0);
    ASSERT_NEAR(sigval(ann, "FwMinor"), 5, 0);
    ASSERT_NEAR(sigval(ann, "MacTail"), (double)0x28102030u, 0);
    const hal_can_frame_t *a1 = fake_hal_can_last(0x181);
    ASSERT_NEAR(sigval(a1, "SumP_home"), 10.0 * ((fw_state.home_w + 5) / 10), 0);
}

/* ---- the log for the canmatrix check -------------------------------------------------------- */

static void test_write_log_for_canmatrix(void) {
    session();
    char path[512];
    snprintf(path, sizeof path, "%s/fw_frames.log", SIM_BINARY_DIR);
    FILE *log = fopen(path, "w");
    snprintf(path, sizeof path, "%s/fw_frames_expect.txt", SIM_BINARY_DIR);
    FILE *exp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
    for (size_t i = 0; i < n_sent; i++) {
        const hal_can_frame_t *f = &sent[i];
        fprintf(log, "(%010llu.%06llu) vcan0 %03X#", (unsigned long long)(sent_us[i] / 1000000u),
                (unsigned long long)(sent_us[i] % 1000000u), (unsigned)f->id);
        for (unsigned k = 0; k < f->dlc; k++) {
            fprintf(log, "%02X", f->data[k]);
        }
        fprintf(log, "\n");
        const msg_t *m = find_msg(f->id);
        if (m == NULL) {
            CU_FAIL("frame not in the table");
            continue;
        }
        for (unsigned k = 0; k < m->nsigs; k++) {
            if (sig_active(m, &m->sigs[k], f->data)) {
                fprintf(exp, "%zu %s %.10g\n", i, m->sigs[k].name,
                        decode_sig(&m->sigs[k], f->data));
            }
        }
    }
    fclose(log);
    fclose(exp);
}

void test_register(void) {
    TEST_SUITE("fw_dbc", TEST(test_dbc_file_matches_table), TEST(test_json_matches_table),
               TEST(test_every_frame_decodes), TEST(test_tel_decodes_to_firmware_values),
               TEST(test_write_log_for_canmatrix));
}
