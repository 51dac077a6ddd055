/*
 * scn_commands.c: the dispatch-table commands as timeline verbs (spec/firmware.md §9.10), sent
 * by the gateway as the Orange Pi would: [target, seq, args...] on the command's identifier.
 *
 *   {"at": "5s", "set_eco": {"on": true}}
 *   {"at": "6s", "set_relay": {"relay": "R3", "state": "disconnected", "target": "pack2"}}
 *
 * Arguments are typed and checked against their wire type only (a u8 is 0..255), not against
 * the firmware's rules, so a scenario can send what the firmware must refuse (kWh 31, a mask
 * with Self and Backup both set) and assert the NACK. "target" is a node (the command goes to
 * the NodeID it uses at that moment) or a NodeID 0..127; without it the command is broadcast
 * (127). "via" names the gateway node that sends it; by default the first gateway of the
 * scenario, or, with none, the run layer's external sender.
 */
#include <stdio.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_schema.h"
#include "scn_values.h"

typedef enum { A_ON, A_U8, A_U16, A_HHMM, A_RELAY, A_STATE, A_MASK } arg_kind_t;

typedef struct {
    const char *key;
    arg_kind_t kind;
    uint8_t byte; /* offset into the argument bytes */
    bool required;
} arg_t;

typedef struct {
    const char *verb;
    uint16_t id;
    uint8_t n_bytes; /* argument bytes sent */
    arg_t args[2];
    uint8_t fixed[2]; /* FACTORY_RESET's magic, sent unless "magic" is given */
} command_t;

#define ON_ARG                                                                                     \
    {                                                                                              \
        { "on", A_ON, 0, true }                                                                    \
    }

static const command_t commands[] = {
    {"set_self_consumption", 0x201, 1, ON_ARG, {0}},
    {"set_eco", 0x202, 1, ON_ARG, {0}},
    {"set_tou", 0x203, 1, ON_ARG, {0}},
    {"set_backup", 0x204, 1, ON_ARG, {0}},
    {"set_grid_limit_mode", 0x205, 1, ON_ARG, {0}},
    {"set_eco_limit", 0x206, 2, {{"limit_w", A_U16, 0, true}}, {0}},
    {"reset_grid_energy", 0x207, 0, {{0}}, {0}},
    {"ota_trigger", 0x208, 2, {{"major", A_U8, 0, true}, {"minor", A_U8, 1, true}}, {0}},
    {"set_grid_limit_kwh", 0x209, 1, {{"kwh", A_U8, 0, true}}, {0}},
    {"set_tou_window", 0x20A, 4, {{"start", A_HHMM, 0, true}, {"end", A_HHMM, 2, true}}, {0}},
    {"set_relay", 0x20B, 2, {{"relay", A_RELAY, 0, true}, {"state", A_STATE, 1, true}}, {0}},
    {"set_mode_mask", 0x20C, 1, {{"mask", A_MASK, 0, true}}, {0}},
    {"set_sc_thresholds",
     0x20D,
     2,
     {{"low_percent", A_U8, 0, true}, {"high_percent", A_U8, 1, true}},
     {0}},
    {"request_status", 0x20E, 0, {{0}}, {0}},
    {"factory_reset", 0x20F, 2, {{"magic", A_U16, 0, false}}, {0xA5, 0x5A}},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const char *sim_scn_command_name(uint16_t cmd_id) {
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (commands[i].id == cmd_id) {
            return commands[i].verb;
        }
    }
    return "command";
}

static int arg_value(scn_ctx_t *c, const cJSON *v, arg_kind_t kind, uint8_t *out) {
    static const char *const relays[] = {"R1", "R2", "R3", "R4"};
    static const char *const states[] = {"disconnected", "connected", "auto"};
    uint64_t x = 0;
    uint16_t u16 = 0, min = 0;
    int rc = 0;
    switch (kind) {
        case A_ON:
            if (!cJSON_IsBool(v)) {
                return scn_fail_value(c, v, "expected true or false, got %s", scn_type_name(v));
            }
            out[0] = cJSON_IsTrue(v) ? 1u : 0u;
            return 0;
        case A_U8:
            rc = scn_uint_in(c, v, 0, 255, &x);
            out[0] = (uint8_t)x;
            return rc;
        case A_U16:
        case A_MASK:
            rc = scn_u16_value(c, v, &u16);
            if (rc == 0 && kind == A_MASK && u16 > 0xFF) {
                return scn_fail_value(c, v, "expected a mode mask from 0 to 255 (0xFF)");
            }
            out[0] = (uint8_t)(kind == A_MASK ? u16 : u16 >> 8); /* big-endian (spec §9.4) */
            out[1] = (uint8_t)(u16 & 0xFFu);
            return rc;
        case A_HHMM:
            rc = scn_hhmm_value(c, v, &min);
            out[0] = (uint8_t)(min / 60);
            out[1] = (uint8_t)(min % 60);
            return rc;
        case A_RELAY:
        case A_STATE: {
            const char *const *names = kind == A_RELAY ? relays : states;
            for (uint8_t i = 0; i < (kind == A_RELAY ? 4 : 3); i++) {
                if (cJSON_IsString(v) && strcmp(v->valuestring, names[i]) == 0) {
                    out[0] = i;
                    return 0;
                }
            }
            return scn_fail_value(c, v,
                                  kind == A_RELAY
                                      ? "expected a relay: \"R1\", \"R2\", \"R3\" or \"R4\""
                                      : "expected \"connected\", \"disconnected\" or "
                                        "\"auto\"");
        }
    }
    return 0;
}

/* "target": a node (firmware or pack) or a NodeID 0..127. */
static int on_target(scn_ctx_t *c, const cJSON *v, sim_scn_action_t *a) {
    if (cJSON_IsNumber(v)) {
        uint64_t id = 0;
        int rc = scn_uint_in(c, v, 0, 127, &id);
        a->target_id = (uint8_t)id;
        return rc;
    }
    int idx = scn_node_ref_of(c, v, SCN_FIRMWARE_NODES, "a firmware node (a pack)");
    if (idx >= 0) {
        a->target_node = idx;
        a->target_id = sim_scn_default_node_id(c->s->nodes[idx].mac);
    }
    return idx < 0 ? idx : 0;
}

/* "via": a gateway node; default the first gateway, else -1 (the external sender). */
static int on_via(scn_ctx_t *c, const cJSON *via, sim_scn_action_t *a) {
    if (via == NULL) {
        a->gateway = scn_first_gateway(c->s);
        return 0;
    }
    int idx = scn_node_ref_of(c, via, 1u << SIM_NODE_GATEWAY, "a gateway node");
    a->gateway = idx;
    return idx < 0 ? idx : 0;
}

static int command_object(scn_ctx_t *c, const cJSON *v, const command_t *cmd, scn_entry_t *e) {
    sim_scn_action_t *a = &e->act[0];
    scn_key_t keys[4];
    size_t nk = 0;
    static const char *const expect[] = {
        [A_ON] = "true or false",
        [A_U8] = "a whole number from 0 to 255",
        [A_U16] = "0 to 65535, as an integer or hex \"0x0100\"",
        [A_HHMM] = "a time of day \"HH:MM\"",
        [A_RELAY] = "a relay such as \"R1\"",
        [A_STATE] = "\"connected\", \"disconnected\" or \"auto\"",
        [A_MASK] = "a mode mask from 0 to 255",
    };
    for (size_t i = 0; i < 2 && cmd->args[i].key != NULL; i++) {
        keys[nk++] = (scn_key_t){cmd->args[i].key, SCN_T_STRING | SCN_T_NUMBER | SCN_T_BOOL,
                                 cmd->args[i].required, expect[cmd->args[i].kind], NULL};
    }
    keys[nk++] = (scn_key_t){"target", SCN_T_STRING | SCN_T_NUMBER, false, "a node", NULL};
    keys[nk++] = (scn_key_t){"via", SCN_T_STRING, false, "a gateway node", NULL};
    int rc = scn_check_keys(c, v, keys, nk);
    memcpy(a->args, cmd->fixed, sizeof cmd->fixed);
    for (size_t i = 0; rc == 0 && i < 2 && cmd->args[i].key != NULL; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, cmd->args[i].key);
        rc = m == NULL ? 0 : arg_value(c, m, cmd->args[i].kind, &a->args[cmd->args[i].byte]);
    }
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(v, "target");
    rc = rc || target == NULL ? rc : on_target(c, target, a);
    return rc ? rc : on_via(c, cJSON_GetObjectItemCaseSensitive(v, "via"), a);
}

int scn_on_command(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    const command_t *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS && cmd == NULL; i++) {
        cmd = strcmp(commands[i].verb, v->string) == 0 ? &commands[i] : NULL;
    }
    SIM_ASSERT(cmd != NULL);
    sim_scn_action_t *a = &e->act[0];
    a->kind = SIM_ACT_COMMAND;
    a->node = -1;
    a->cmd_id = cmd->id;
    a->n_args = cmd->n_bytes;
    a->target_id = 127;
    a->target_node = -1;
    e->n_act = 1;
    return command_object(c, v, cmd, e);
}

/* {"id": "0x230", "args": "0102", "target": ..., "via": ...}: any command identifier. */
int scn_on_raw_command(scn_ctx_t *c, const cJSON *v, void *target) {
    static const scn_key_t keys[] = {
        {"id", SCN_T_STRING | SCN_T_NUMBER, true, "a command identifier 0x201 to 0x27F", NULL},
        {"args", SCN_T_STRING, false, "0 to 6 hex bytes such as \"0102\"", NULL},
        {"target", SCN_T_STRING | SCN_T_NUMBER, false, "a node", NULL},
        {"via", SCN_T_STRING, false, "a gateway node", NULL},
    };
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    *a = (sim_scn_action_t){
        .kind = SIM_ACT_COMMAND, .node = -1, .target_id = 127, .target_node = -1};
    e->n_act = 1;
    int rc = scn_check_keys(c, v, keys, 4);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(v, "args");
    const cJSON *tgt = cJSON_GetObjectItemCaseSensitive(v, "target");
    uint64_t x = 0;
    if (rc == 0 &&
        ((cJSON_IsString(id) ? scn_parse_hex(id->valuestring, &x)
                             : scn_parse_uint_text(scn_doc_value_text(c->doc, id), &x)) != 0 ||
         x < 0x201 || x > 0x27F)) {
        rc = scn_fail_value(c, id, "expected a command identifier from 0x201 to 0x27F");
    }
    a->cmd_id = (uint16_t)x;
    size_t n = 0;
    if (rc == 0 && args != NULL &&
        (!cJSON_IsString(args) || scn_parse_hex_bytes(args->valuestring, a->args, 6, &n) != 0)) {
        rc = scn_fail_value(c, args, "expected 0 to 6 hex bytes such as \"0102\"");
    }
    a->n_args = (uint8_t)n;
    rc = rc || tgt == NULL ? rc : on_target(c, tgt, a);
    return rc ? rc : on_via(c, cJSON_GetObjectItemCaseSensitive(v, "via"), a);
}
