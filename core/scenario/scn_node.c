/*
 * scn_node.c: one node object of "nodes".
 *
 * "type" picks the node's key table, so it is read first: a plain firmware node (no type), a
 * "pack" (firmware, board, plant, BMS), the Orange Pi "gateway" (no firmware, no MAC on the bus)
 * or an "energy_gateway" (announces with a NodeID of its own). Type-dependent defaults (a pack's
 * plant from the environment and its board) are set between the key check and the values, so
 * the node's own values land on top of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_board.h"
#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_values.h"

static const uint8_t default_oui[3] = {0x24, 0x6F, 0x28};

static int on_node_name(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    if (!scn_name_ok(v->valuestring, SIM_SCN_NAME_MAX - 1)) {
        return scn_fail_value(c, v,
                              "expected a node name of 1 to %d letters, digits, '_', '.' or '-'",
                              SIM_SCN_NAME_MAX - 1);
    }
    snprintf(n->name, sizeof n->name, "%s", v->valuestring);
    return 0;
}

static int on_node_mac(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    if (scn_parse_mac(v->valuestring, n->mac) != 0) {
        return scn_fail_value(c, v, "expected a MAC address like \"24:6F:28:00:00:01\"");
    }
    return 0;
}

static int on_node_plugin(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    c->node_plugin[n - c->s->nodes] = v;
    return scn_plugin_value_ok(c, v);
}

static int on_node_power_on(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    int rc = scn_duration_value(c, v, &n->power_on_ns);
    if (rc == 0 && n->power_on_ns > c->s->duration_ns) {
        char d[32];
        scn_format_duration(c->s->duration_ns, d, sizeof d);
        return scn_fail_value(c, v, "is after the end of the scenario (duration %s)", d);
    }
    return rc;
}

static int on_node_powered(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    (void)c;
    n->powered_at_start = cJSON_IsTrue(v);
    return 0;
}

static int on_node_board(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    int rc = scn_board_ref(c, v, &n->board);
    if (rc == 0 && n->pack != NULL) {
        scn_pack_apply_board(n->pack, &c->s->boards[n->board]);
    }
    return rc;
}

static const scn_field_t gateway_fields[] = {
    SCN_BOOL("time_broadcast", sim_scn_gateway_t, time_broadcast),
    SCN_DUR("time_period", sim_scn_gateway_t, time_period_ns, 1, 86400),
    SCN_BOOL("align_to_minute", sim_scn_gateway_t, align_to_minute),
};

static const scn_field_t egw_fields[] = {
    SCN_UINT("node_id", sim_scn_egw_t, node_id, 0, 126),
    SCN_DUR("announce_period", sim_scn_egw_t, announce_period_ns, 1, 3600),
    SCN_UINT("fw_major", sim_scn_egw_t, fw_major, 0, 255),
    SCN_UINT("fw_minor", sim_scn_egw_t, fw_minor, 0, 255),
};

static int on_gateway_field(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    return scn_store_field(c, v, gateway_fields, 3, &n->gateway);
}

static int on_egw_field(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scn_node_t *n = target;
    return scn_store_field(c, v, egw_fields, 4, &n->egw);
}

/* The type was read before the key table was chosen (node_type_of). */
static int on_node_type(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)c;
    (void)v;
    (void)target;
    return 0;
}

#define K_NAME                                                                                     \
    { "name", SCN_T_STRING, true, "a node name such as \"pack1\"", on_node_name }
#define K_TYPE                                                                                     \
    { "type", SCN_T_STRING, false, "\"pack\", \"gateway\" or \"energy_gateway\"", on_node_type }
#define K_MAC                                                                                      \
    { "mac", SCN_T_STRING, false, "a MAC address like \"24:6F:28:00:00:01\"", on_node_mac }
#define K_PLUGIN                                                                                   \
    { "plugin", SCN_T_STRING, false, "a plugin name such as \"testnode\"", on_node_plugin }
#define K_POWER_ON                                                                                 \
    { "power_on", SCN_T_STRING, false, "a duration such as \"10ms\"", on_node_power_on }
#define K_POWERED                                                                                  \
    { "powered", SCN_T_BOOL, false, "true or false", on_node_powered }
#define K_BOARD                                                                                    \
    {                                                                                              \
        "board", SCN_T_STRING | SCN_T_OBJECT, false, "a board name such as \"alfaspark_b\"",       \
            on_node_board                                                                          \
    }
#define K_NVS                                                                                      \
    { "nvs", SCN_T_ARRAY, false, "an array of NVS entries", scn_on_node_nvs }
#define K_GW(key, types, expect)                                                                   \
    { key, types, false, expect, on_gateway_field }
#define K_EGW(key, types, req, expect)                                                             \
    { key, types, req, expect, on_egw_field }

static const scn_key_t firmware_keys[] = {K_NAME,     K_TYPE,    K_MAC,   K_PLUGIN,
                                          K_POWER_ON, K_POWERED, K_BOARD, K_NVS};
static const scn_key_t pack_keys[] = {
    K_NAME,
    K_TYPE,
    K_MAC,
    K_PLUGIN,
    K_POWER_ON,
    K_POWERED,
    K_BOARD,
    K_NVS,
    {"plant", SCN_T_OBJECT, false, "an object such as {\"battery\": {...}}", scn_on_node_plant},
    {"bms", SCN_T_OBJECT, false, "an object such as {\"address\": 1}", scn_on_node_bms},
};
static const scn_key_t gateway_keys[] = {
    K_NAME,
    K_TYPE,
    K_POWER_ON,
    K_POWERED,
    K_GW("time_broadcast", SCN_T_BOOL, "true or false"),
    K_GW("time_period", SCN_T_STRING, "a duration such as \"60s\""),
    K_GW("align_to_minute", SCN_T_BOOL, "true or false"),
};
static const scn_key_t egw_keys[] = {
    K_NAME,
    K_TYPE,
    K_MAC,
    K_EGW("node_id", SCN_T_NUMBER, true, "a NodeID from 0 to 126"),
    K_POWER_ON,
    K_POWERED,
    K_EGW("announce_period", SCN_T_STRING, false, "a duration such as \"60s\""),
    K_EGW("fw_major", SCN_T_NUMBER, false, "a whole number from 0 to 255"),
    K_EGW("fw_minor", SCN_T_NUMBER, false, "a whole number from 0 to 255"),
};

#define N_OF(a) (sizeof a / sizeof a[0])

static const struct {
    const char *name;
    const scn_key_t *keys;
    size_t n;
} node_types[] = {
    [SIM_NODE_FIRMWARE] = {"firmware", firmware_keys, N_OF(firmware_keys)},
    [SIM_NODE_PACK] = {"pack", pack_keys, N_OF(pack_keys)},
    [SIM_NODE_GATEWAY] = {"gateway", gateway_keys, N_OF(gateway_keys)},
    [SIM_NODE_ENERGY_GATEWAY] = {"energy_gateway", egw_keys, N_OF(egw_keys)},
};

const char *sim_scn_node_type_name(sim_scn_node_type_t t) {
    return (size_t)t < N_OF(node_types) ? node_types[t].name : "unknown";
}

uint8_t sim_scn_default_node_id(const uint8_t mac[6]) {
    return (uint8_t)((mac[0] ^ mac[1] ^ mac[2] ^ mac[3] ^ mac[4] ^ mac[5]) % 127u);
}

/* The node's "type" (absent: a plain firmware node). */
static int node_type_of(scn_ctx_t *c, const cJSON *obj, sim_scn_node_type_t *t) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "type");
    *t = SIM_NODE_FIRMWARE;
    if (v == NULL) {
        return 0;
    }
    for (size_t i = 1; cJSON_IsString(v) && i < N_OF(node_types); i++) {
        if (strcmp(v->valuestring, node_types[i].name) == 0) {
            *t = (sim_scn_node_type_t)i;
            return 0;
        }
    }
    return scn_fail_value(c, v,
                          "expected a node type: \"pack\", \"gateway\" or \"energy_gateway\" "
                          "(no type: a plain firmware node)");
}

/* Defaults that depend on the type, before the node's own values. */
static int type_defaults(scn_ctx_t *c, const cJSON *obj, sim_scn_node_t *n) {
    bool has_board = cJSON_GetObjectItemCaseSensitive(obj, "board") != NULL;
    n->board = -1;
    if (n->type == SIM_NODE_GATEWAY) {
        n->gateway = (sim_scn_gateway_t){true, 60 * SIM_NS_PER_S, true};
        memset(n->mac, 0, sizeof n->mac);
    } else if (n->type == SIM_NODE_ENERGY_GATEWAY) {
        n->egw = (sim_scn_egw_t){0, 60 * SIM_NS_PER_S, 2, 5};
    } else if (!has_board) {
        n->board = c->top_board;
    }
    if (n->type != SIM_NODE_PACK) {
        return 0;
    }
    if (!has_board && c->top_board < 0) {
        return scn_fail_missing(c, obj, "board",
                                "a pack needs a board (give \"board\" here or at the top level)");
    }
    int rc = scn_pack_init(c, n);
    if (rc == 0 && n->board >= 0) {
        scn_pack_apply_board(n->pack, &c->s->boards[n->board]);
    }
    return rc;
}

int scn_check_node(scn_ctx_t *c, const cJSON *obj, size_t i) {
    sim_scn_node_t *n = &c->s->nodes[i];
    if (!cJSON_IsObject(obj)) {
        return scn_fail_value(c, obj,
                              "expected a node object such as {\"name\": \"pack1\"}, got %s",
                              scn_type_name(obj));
    }
    c->node_obj[i] = obj;
    memcpy(n->mac, default_oui, sizeof default_oui);
    n->mac[5] = (uint8_t)(i + 1);
    n->powered_at_start = true;
    int rc = node_type_of(c, obj, &n->type);
    const scn_key_t *keys = node_types[n->type].keys;
    size_t nk = node_types[n->type].n;
    rc = rc ? rc : scn_check_keys(c, obj, keys, nk);
    rc = rc ? rc : type_defaults(c, obj, n);
    rc = rc ? rc : scn_check_values(c, obj, keys, nk, n);
    if (rc != 0) {
        return rc;
    }
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(obj, "powered");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(obj, "power_on");
    if (at != NULL && cJSON_IsFalse(pw)) {
        return scn_fail_value(c, at,
                              "conflicts with \"powered\": false (the node waits for a power_on "
                              "action); remove one of them");
    }
    return 0;
}
