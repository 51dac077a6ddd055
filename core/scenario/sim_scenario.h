/*
 * sim_scenario.h: a scenario file, loaded and checked.
 *
 * A scenario is a JSON document (read with cJSON) naming the firmware plugin, the nodes, the CAN
 * bus, the seed, the duration and a timeline of actions. The loader rejects, with a GNU-style
 * diagnostic "file:line:col: error: message" pointing at the offending text:
 *   - syntax errors (cJSON gives a byte offset; the loader turns it into line:col, tabs every 8),
 *   - duplicate keys (cJSON silently keeps the first), trailing garbage,
 *   - unknown keys, wrong types, out-of-range values, unknown node names.
 * The loader builds a position index of every key and value, so semantic errors point at the
 * value itself. docs/scenario-format.md documents the format; it grows additively (new optional
 * keys, new action kinds), so older scenarios keep loading.
 *
 * Durations are strings with a unit: "250us", "500ms", "90s", "5m", "26h", "7d" (integers, or
 * decimals such as "1.5s"). CAN identifiers and data are hex strings: "0x123", "0102A0FF".
 *
 * The loader stops at the first error. Within one object it reports unknown keys first (in file
 * order), then missing required keys, then bad values in the order of the object's key table, so
 * a value that depends on another ("at" needs "duration", actions need "nodes") is checked after
 * it. Plugins are resolved last: data errors (exit 65) win over a missing plugin (exit 66).
 *
 * The full format adds, all optional and additive: node types (a "pack" with its plant, BMS and
 * NVS preload; the Orange Pi "gateway"; an "energy_gateway" that announces), board descriptions
 * (sim_scn_board.h), the environment (sim_scn_env.h), gateway commands and model faults on the
 * timeline, and assertions (sim_scn_check.h). A node without "type" is the plain firmware node
 * of the first format, so every older scenario loads unchanged.
 *
 * The loader does not hash the file: sha256 is left empty ("") for the caller (the run layer),
 * which keeps sim_scenario free of the trace library. Nothing here is global; loads are
 * independent and re-entrant.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bms_modbus.h"
#include "pack_plant.h"
#include "relay.h"
#include "sim_can.h"
#include "sim_scn_board.h"
#include "sim_scn_check.h"
#include "sim_scn_env.h"
#include "sim_types.h"

#define SIM_SCN_NAME_MAX  32
#define SIM_SCN_MAX_NODES 127
/* Limits on input size, so a hostile file cannot make the loader work without bound. */
#define SIM_SCN_MAX_FILE_BYTES  (16u * 1024u * 1024u)
#define SIM_SCN_MAX_TIMELINE    100000u /* timeline entries */
#define SIM_SCN_MAX_DURATION_NS (400LL * 86400LL * SIM_NS_PER_S)
#define SIM_SCN_MAX_ASSERTS     1000u /* assertions */

/** A loader diagnostic. line/col are 1-based; 0 when unknown (e.g. a missing file). */
typedef struct {
    char file[512];
    unsigned line, col;
    char message[256];
    int exit_code; /* 65 bad data, 66 missing/unreadable input or plugin, 70 out of memory */
} sim_diag_t;

/** Formats "file:line:col: error: message" (or "file: error: message") into buf. */
void sim_diag_format(const sim_diag_t *d, char *buf, size_t len);

typedef enum {
    SIM_NODE_FIRMWARE = 0,   /* a firmware plugin and nothing behind its pins (first format) */
    SIM_NODE_PACK,           /* an Energy-Pack: firmware plugin + plant + BMS on a board */
    SIM_NODE_GATEWAY,        /* the Orange Pi (models/gateway.h): time broadcast and commands */
    SIM_NODE_ENERGY_GATEWAY, /* an Energy-Gateway: announces on 0x300+N as DeviceType 2 */
} sim_scn_node_type_t;

/** "firmware", "pack", "gateway", "energy_gateway". */
const char *sim_scn_node_type_name(sim_scn_node_type_t t);

/** One NVS entry written into a node's image before its first power-on. */
typedef struct {
    char ns[16], key[16]; /* namespace (default "alfaspark") and key, 1..15 characters */
    uint8_t value[64];    /* u8/u16/u32 little-endian, as the ESP32 stores them, or a blob */
    size_t len;
} sim_scn_nvs_entry_t;

/**
 * A pack's world, complete: pack_plant_cfg_default(), then the environment, the board (CT full
 * scale), then the node's "plant" object. Pointers inside `plant` (name, home.points) point into
 * the scenario and stay valid until sim_scenario_free; on_step is NULL for the run layer to set.
 */
typedef struct {
    pack_plant_cfg_t plant;
    bms_modbus_cfg_t bms;  /* "bms"; name is the node's name */
    bms_fault_t bms_fault; /* "bms": {"fault": ...} in force from power-on; default none */
} sim_scn_pack_t;

/** The Orange Pi gateway (gateway_cfg_t without the pointers the run layer owns). */
typedef struct {
    bool time_broadcast;          /* default true */
    sim_time_ns_t time_period_ns; /* default 60 s */
    bool align_to_minute;         /* default true */
} sim_scn_gateway_t;

/**
 * An Energy-Gateway (spec §9.7): the run layer sends its ANN [2, fw_major, fw_minor, 0x01
 * (is-master), MAC bytes 2..5] on 0x300 + node_id at power-on and every announce_period_ns.
 */
typedef struct {
    uint8_t node_id;                  /* 0..126, required */
    sim_time_ns_t announce_period_ns; /* default 60 s */
    uint8_t fw_major, fw_minor;       /* default 2.5 */
} sim_scn_egw_t;

typedef struct {
    char name[SIM_SCN_NAME_MAX]; /* unique; [A-Za-z0-9_.-] */
    uint8_t mac[6];              /* "24:6F:28:12:34:56" */
    char *plugin;                /* resolved plugin path (node override or scenario default); NULL
                                    for the gateway types, which run no firmware */
    sim_time_ns_t power_on_ns;   /* when it powers on; default 0 */
    bool powered_at_start;       /* false: stays off until a power_on action; default true */
    /* ---- full format (additive) ---- */
    sim_scn_node_type_t type;  /* "type"; default SIM_NODE_FIRMWARE */
    int board;                 /* index into sim_scenario_t.boards, or -1 (none) */
    sim_scn_pack_t *pack;      /* SIM_NODE_PACK only, else NULL; owned */
    sim_scn_gateway_t gateway; /* SIM_NODE_GATEWAY */
    sim_scn_egw_t egw;         /* SIM_NODE_ENERGY_GATEWAY */
    sim_scn_nvs_entry_t *nvs;  /* "nvs" preload (firmware and pack nodes); owned */
    size_t n_nvs;
} sim_scn_node_t;

/** The NodeID a fresh node derives from its MAC (spec §9.6): XOR of the six bytes mod 127. */
uint8_t sim_scn_default_node_id(const uint8_t mac[6]);

typedef enum {
    SIM_ACT_CAN_SEND = 1, /* inject a frame as an external device (the gateway) would */
    SIM_ACT_POWER_OFF,
    SIM_ACT_POWER_ON,
    SIM_ACT_POWER_CYCLE, /* off, then on again after `off_ns` */
    SIM_ACT_CAN_DROP,    /* bus fault: drop matching frames with a probability */
    SIM_ACT_CAN_CORRUPT, /* bus fault: corrupt matching frames with a probability */
    SIM_ACT_CAN_UNPLUG,  /* node's controller unplugged (true) or plugged back (false) */
    SIM_ACT_CAN_STUCK,   /* bus held dominant (true) or released (false) */
    SIM_ACT_CAN_BABBLE,  /* node babbles `frame` (true) or stops (false) */
    SIM_ACT_HANG,        /* firmware stops (no callbacks run, watchdog not fed) */
    /* ---- full format (additive) ---- */
    SIM_ACT_COMMAND,        /* a dispatch-table command (cmd_id, args) sent by the gateway */
    SIM_ACT_TIME_BROADCAST, /* the gateway's time broadcast on (true) or off */
    SIM_ACT_CLOCK_SET,      /* the gateway's clock jumps: to clock_local_s, or by it if relative */
    SIM_ACT_BMS_FAULT,      /* the node's BMS: fault (bms_fault_t), alarm_bits for ALARM */
    SIM_ACT_CT_FAULT,       /* the node's CT `item`: fault (sim_ct_fault_t) */
    SIM_ACT_RELAY_FAULT,    /* the node's relay `item`: fault (relay_fault_t) */
    SIM_ACT_GRID,           /* grid outage at the node (-1: every pack) on = down, off = back */
    SIM_ACT_PV_SCALE,       /* the node's (-1: every pack's) PV output times `scale` */
    SIM_ACT_LOAD,           /* the node's (-1: every pack's) home load: `scale`, `profile` */
} sim_scn_action_kind_t;

/**
 * CT channel faults (the run layer applies them to the ADC samples it hands the firmware):
 * DROPOUT reads a disconnected CT (every sample at the bias, no signal), NOISE adds Gaussian
 * noise of noise_sd_counts from the node's "ct.<node>.fault" stream, STUCK repeats stuck_counts.
 */
typedef enum {
    SIM_CT_FAULT_NONE = 0,
    SIM_CT_FAULT_DROPOUT,
    SIM_CT_FAULT_NOISE,
    SIM_CT_FAULT_STUCK,
} sim_ct_fault_t;

typedef struct {
    sim_time_ns_t at_ns;
    sim_scn_action_kind_t kind;
    int node;                      /* index into nodes, or -1 (bus-wide / external sender) */
    sim_can_frame_t frame;         /* CAN_SEND, CAN_BABBLE */
    uint32_t match_id, match_mask; /* DROP/CORRUPT; mask 0 matches every frame */
    uint32_t num, den;             /* DROP/CORRUPT probability num/den; den 0 clears the fault */
    bool on;                       /* UNPLUG, STUCK, BABBLE */
    sim_time_ns_t off_ns;          /* POWER_CYCLE: how long the node stays off (default 1s) */
    unsigned line;                 /* source line of the action, for messages */
    /* ---- full format (additive) ---- */
    uint16_t cmd_id; /* COMMAND: 0x201..0x20F (any 0x201..0x27F with "command_id") */
    uint8_t args[6]; /* COMMAND: argument bytes after target and sequence number */
    uint8_t n_args;
    uint8_t target_id;   /* COMMAND: byte 0; 127 = broadcast (the default) */
    int target_node;     /* COMMAND: the node named by "target" (send to its current NodeID,
                            which the run layer learns from its frames), or -1 */
    int gateway;         /* COMMAND, TIME_BROADCAST, CLOCK_SET: the gateway node, or -1 for the
                            run layer's external sender (commands only) */
    int64_t clock_s;     /* CLOCK_SET: local seconds since 1970, or a signed jump when relative */
    bool clock_relative; /* CLOCK_SET */
    int fault;           /* BMS_FAULT: bms_fault_t; CT_FAULT: sim_ct_fault_t; RELAY_FAULT:
                            relay_fault_t */
    int item;            /* CT_FAULT: CT 0..3; RELAY_FAULT: relay 0..3 */
    uint16_t alarm_bits; /* BMS_FAULT with ALARM: register 2 bits to force */
    double noise_sd_counts;           /* CT_FAULT NOISE */
    uint16_t stuck_counts;            /* CT_FAULT STUCK */
    double scale;                     /* PV_SCALE, LOAD; 1 = as configured */
    const sim_scn_profile_t *profile; /* LOAD: a new daily profile, or NULL (scale only) */
} sim_scn_action_t;

/** The verb of a dispatch-table command ("set_eco" for 0x202), or "command" for another id. */
const char *sim_scn_command_name(uint16_t cmd_id);

/** The timeline verb of an action kind ("can_send", "can_stuck_dominant", ...); never NULL. */
const char *sim_scn_action_name(sim_scn_action_kind_t kind);

typedef struct {
    char *path;                /* as given */
    char *dir;                 /* directory of the file, for relative references */
    char name[64];             /* "name", default: the file's basename without .json */
    char *description;         /* optional */
    uint64_t seed;             /* "seed", default 1 */
    sim_time_ns_t duration_ns; /* "duration", required */
    char sha256[65]; /* of the file's bytes: left "" by the loader, filled by the caller */

    char bus_name[16];        /* "bus": {"name": "can0", ...} */
    uint32_t bus_bitrate_bps; /* default 500000 */

    sim_scn_node_t *nodes;
    size_t n_nodes;
    sim_scn_action_t *actions; /* sorted by at_ns, stable (file order within the same time) */
    size_t n_actions;
    /* ---- full format (additive) ---- */
    sim_scn_board_t *boards; /* every board the nodes use, each loaded once */
    size_t n_boards;
    sim_scn_env_t env;         /* "environment" (defaults when absent) */
    sim_scn_assert_t *asserts; /* "assertions", in file order */
    size_t n_asserts;
    sim_scn_profile_t *profiles; /* profiles given in timeline actions (LOAD), owned */
    size_t n_profiles;
} sim_scenario_t;

/**
 * Loads and checks a scenario file (at most SIM_SCN_MAX_FILE_BYTES). `plugin_dirs` is a
 * NULL-terminated list of directories in which a bare plugin name ("alfaspark" → fw_alfaspark.so)
 * is looked up; a name containing '/' is a path relative to the scenario file. A plugin that cannot
 * be found is reported with exit code 66 and points at the "plugin" value.
 * @retval 0              *out set (free it with sim_scenario_free)
 * @retval -SIM_EFORMAT   bad data: *diag filled, exit_code 65, *out NULL
 * @retval -SIM_ENOENT    file or plugin missing or unreadable: *diag filled, exit_code 66
 * @retval -SIM_ENOMEM    out of memory: *diag filled, exit_code 70
 */
int sim_scenario_load(const char *path, const char *const *plugin_dirs, sim_scenario_t **out,
                      sim_diag_t *diag);

/** Same, from a buffer (for fuzzing and tests); `path` only names it in diagnostics. */
int sim_scenario_load_buffer(const char *path, const char *text, size_t len,
                             const char *const *plugin_dirs, sim_scenario_t **out,
                             sim_diag_t *diag);

/** Frees a loaded scenario and everything it owns; NULL is a no-op. */
void sim_scenario_free(sim_scenario_t *s);

/** Index of the node called `name`, or -1. */
int sim_scenario_node_index(const sim_scenario_t *s, const char *name);

/**
 * Parses a duration string ("90s", "1.5ms", "0s"): digits, optionally '.' and more digits, then
 * one of ns, us, ms, s, m, h, d, with nothing in between. Exact integer arithmetic; a value that
 * is not a whole number of nanoseconds or exceeds INT64_MAX ns is rejected.
 * @retval 0 *out set; @retval -SIM_EFORMAT malformed, too large or finer than 1 ns
 */
int sim_parse_duration(const char *text, sim_time_ns_t *out);

#endif
