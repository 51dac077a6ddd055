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
 * The loader does not hash the file: sha256 is left empty ("") for the caller (the run layer),
 * which keeps sim_scenario free of the trace library. Nothing here is global; loads are
 * independent and re-entrant.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_can.h"
#include "sim_types.h"

#define SIM_SCN_NAME_MAX  32
#define SIM_SCN_MAX_NODES 127
/* Limits on input size, so a hostile file cannot make the loader work without bound. */
#define SIM_SCN_MAX_FILE_BYTES  (16u * 1024u * 1024u)
#define SIM_SCN_MAX_TIMELINE    100000u /* timeline entries */
#define SIM_SCN_MAX_DURATION_NS (400LL * 86400LL * SIM_NS_PER_S)

/** A loader diagnostic. line/col are 1-based; 0 when unknown (e.g. a missing file). */
typedef struct {
    char file[512];
    unsigned line, col;
    char message[256];
    int exit_code; /* 65 bad data, 66 missing/unreadable input or plugin, 70 out of memory */
} sim_diag_t;

/** Formats "file:line:col: error: message" (or "file: error: message") into buf. */
void sim_diag_format(const sim_diag_t *d, char *buf, size_t len);

typedef struct {
    char name[SIM_SCN_NAME_MAX]; /* unique; [A-Za-z0-9_.-] */
    uint8_t mac[6];              /* "24:6F:28:12:34:56" */
    char *plugin;                /* resolved plugin path (node override or scenario default) */
    sim_time_ns_t power_on_ns;   /* when it powers on; default 0 */
    bool powered_at_start;       /* false: stays off until a power_on action; default true */
} sim_scn_node_t;

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
} sim_scn_action_kind_t;

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
} sim_scn_action_t;

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
