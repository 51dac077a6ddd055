/*
 * scn_timeline.c: the "timeline" array. Each entry is {"at": <duration>, <verb>: <value>} with
 * exactly one verb; power_cycle may add "off_for". An entry becomes one action, or two when it
 * holds a fault for a while (can_stuck_dominant, can_babble with "for"): the second releases it.
 *
 * Actions are appended in file order and sorted (stable) once the whole timeline is valid, so
 * actions at the same instant keep the order in which the file lists them.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_parts.h"
#include "scn_values.h"

#define DEFAULT_OFF_NS SIM_NS_PER_S /* power_cycle without "off_for" */

static const char *const verb_names[] = {
    [SIM_ACT_CAN_SEND] = "can_send",
    [SIM_ACT_POWER_OFF] = "power_off",
    [SIM_ACT_POWER_ON] = "power_on",
    [SIM_ACT_POWER_CYCLE] = "power_cycle",
    [SIM_ACT_CAN_DROP] = "can_drop",
    [SIM_ACT_CAN_CORRUPT] = "can_corrupt",
    [SIM_ACT_CAN_UNPLUG] = "can_unplug",
    [SIM_ACT_CAN_STUCK] = "can_stuck_dominant",
    [SIM_ACT_CAN_BABBLE] = "can_babble",
    [SIM_ACT_HANG] = "hang",
    [SIM_ACT_COMMAND] = "command",
    [SIM_ACT_TIME_BROADCAST] = "time_broadcast",
    [SIM_ACT_CLOCK_SET] = "set_clock",
    [SIM_ACT_BMS_FAULT] = "bms_fault",
    [SIM_ACT_CT_FAULT] = "ct_fault",
    [SIM_ACT_RELAY_FAULT] = "relay_fault",
    [SIM_ACT_GRID] = "grid_outage",
    [SIM_ACT_PV_SCALE] = "pv_scale",
    [SIM_ACT_LOAD] = "load",
};

const char *sim_scn_action_name(sim_scn_action_kind_t kind) {
    size_t k = (size_t)kind;
    if (k >= sizeof verb_names / sizeof verb_names[0] || verb_names[k] == NULL) {
        return "unknown";
    }
    return verb_names[k];
}

int scn_time_value(scn_ctx_t *c, const cJSON *v, sim_time_ns_t *out) {
    int rc = scn_duration_value(c, v, out);
    if (rc == 0 && *out > c->s->duration_ns) {
        char d[32];
        scn_format_duration(c->s->duration_ns, d, sizeof d);
        return scn_fail_value(c, v, "is after the end of the scenario (duration %s)", d);
    }
    return rc;
}

static int on_at(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    return scn_time_value(c, v, &e->at_ns);
}

/* The verbs whose value names a node. */
static int node_verb(scn_ctx_t *c, const cJSON *v, scn_entry_t *e, sim_scn_action_kind_t kind,
                     bool on) {
    int idx = scn_node_ref(c, v);
    e->act[0].kind = kind;
    e->act[0].node = idx;
    e->act[0].on = on;
    e->act[0].off_ns = kind == SIM_ACT_POWER_CYCLE ? DEFAULT_OFF_NS : 0;
    e->n_act = 1;
    return idx < 0 ? idx : 0;
}

static int on_power_off(scn_ctx_t *c, const cJSON *v, void *t) {
    return node_verb(c, v, t, SIM_ACT_POWER_OFF, false);
}
static int on_power_on(scn_ctx_t *c, const cJSON *v, void *t) {
    return node_verb(c, v, t, SIM_ACT_POWER_ON, true);
}
static int on_power_cycle(scn_ctx_t *c, const cJSON *v, void *t) {
    return node_verb(c, v, t, SIM_ACT_POWER_CYCLE, false);
}
static int on_unplug(scn_ctx_t *c, const cJSON *v, void *t) {
    return node_verb(c, v, t, SIM_ACT_CAN_UNPLUG, true);
}
static int on_plug(scn_ctx_t *c, const cJSON *v, void *t) {
    return node_verb(c, v, t, SIM_ACT_CAN_UNPLUG, false);
}
static int on_hang(scn_ctx_t *c, const cJSON *v, void *t) {
    int idx = scn_node_ref_of(c, v, SCN_FIRMWARE_NODES, "a node that runs firmware");
    return idx < 0 ? idx : node_verb(c, v, t, SIM_ACT_HANG, true);
}

static int on_drop(scn_ctx_t *c, const cJSON *v, void *t) {
    ((scn_entry_t *)t)->act[0].kind = SIM_ACT_CAN_DROP;
    return scn_on_can_match(c, v, t);
}
static int on_corrupt(scn_ctx_t *c, const cJSON *v, void *t) {
    ((scn_entry_t *)t)->act[0].kind = SIM_ACT_CAN_CORRUPT;
    return scn_on_can_match(c, v, t);
}

static int on_stuck(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    sim_time_ns_t hold_ns = 0;
    int rc = scn_duration_value(c, v, &hold_ns);
    if (rc == 0 && hold_ns == 0) {
        return scn_fail_value(c, v, "expected a duration more than 0");
    }
    e->act[0].kind = SIM_ACT_CAN_STUCK;
    e->act[0].node = -1;
    e->act[0].on = true;
    e->act[1] = e->act[0];
    e->act[1].on = false;
    e->act[1].at_ns = sim_time_add(e->at_ns, hold_ns);
    e->n_act = 2;
    return rc;
}

static int on_off_for(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    if (e->n_act != 1 || e->act[0].kind != SIM_ACT_POWER_CYCLE) {
        return scn_fail_key(c, v, "only valid with \"power_cycle\"");
    }
    int rc = scn_duration_value(c, v, &e->act[0].off_ns);
    if (rc == 0 && e->act[0].off_ns == 0) {
        return scn_fail_value(c, v, "expected a duration more than 0");
    }
    return rc;
}

#define NODE_EXPECT "a node name such as \"pack1\""
#define CMD(verb)                                                                                  \
    { verb, SCN_T_OBJECT, false, "an object of arguments such as {\"on\": true}", scn_on_command }
#define FAULT(verb, example, fn)                                                                   \
    { verb, SCN_T_OBJECT, false, "an object such as " example, fn }

/* "at" first (verbs use the time), verbs in between, "off_for" last (it amends power_cycle). */
static const scn_key_t entry_keys[] = {
    {"at", SCN_T_STRING, true, "a time such as \"2s\"", on_at},
    {"can_send", SCN_T_OBJECT, false, "a frame such as {\"id\": \"0x123\", \"data\": \"0102\"}",
     scn_on_can_send},
    {"power_off", SCN_T_STRING, false, NODE_EXPECT, on_power_off},
    {"power_on", SCN_T_STRING, false, NODE_EXPECT, on_power_on},
    {"power_cycle", SCN_T_STRING, false, NODE_EXPECT, on_power_cycle},
    {"can_drop", SCN_T_OBJECT, false,
     "an object such as {\"id\": \"0x100\", \"probability\": \"1/4\"}", on_drop},
    {"can_corrupt", SCN_T_OBJECT, false,
     "an object such as {\"id\": \"0x100\", \"probability\": \"1/4\"}", on_corrupt},
    {"can_unplug", SCN_T_STRING, false, NODE_EXPECT, on_unplug},
    {"can_plug", SCN_T_STRING, false, NODE_EXPECT, on_plug},
    {"can_stuck_dominant", SCN_T_STRING, false, "a duration such as \"50ms\"", on_stuck},
    {"can_babble", SCN_T_OBJECT, false,
     "an object such as {\"node\": \"pack2\", \"id\": \"0x000\"}", scn_on_can_babble},
    {"hang", SCN_T_STRING, false, NODE_EXPECT, on_hang},
    CMD("set_self_consumption"),
    CMD("set_eco"),
    CMD("set_tou"),
    CMD("set_backup"),
    CMD("set_grid_limit_mode"),
    CMD("set_eco_limit"),
    CMD("reset_grid_energy"),
    CMD("ota_trigger"),
    CMD("set_grid_limit_kwh"),
    CMD("set_tou_window"),
    CMD("set_relay"),
    CMD("set_mode_mask"),
    CMD("set_sc_thresholds"),
    CMD("request_status"),
    CMD("factory_reset"),
    {"command", SCN_T_OBJECT, false, "an object such as {\"id\": \"0x230\", \"args\": \"01\"}",
     scn_on_raw_command},
    {"time_broadcast", SCN_T_BOOL, false, "true or false", scn_on_time_broadcast},
    {"set_clock", SCN_T_STRING, false, "a local time such as \"2024-06-21T23:58\" or \"+2h\"",
     scn_on_set_clock},
    FAULT("bms_fault", "{\"node\": \"pack1\", \"fault\": \"silent\"}", scn_on_bms_fault),
    FAULT("ct_fault", "{\"node\": \"pack1\", \"ct\": \"CT1\", \"fault\": \"dropout\"}",
          scn_on_ct_fault),
    FAULT("relay_fault", "{\"node\": \"pack1\", \"relay\": \"R1\", \"fault\": \"welded\"}",
          scn_on_relay_fault),
    FAULT("grid_outage", "{\"for\": \"30m\"}", scn_on_grid_outage),
    FAULT("grid_restore", "{} or {\"node\": \"pack1\"}", scn_on_grid_restore),
    FAULT("pv_scale", "{\"scale\": 0.3}", scn_on_pv_scale),
    FAULT("load", "{\"scale\": 1.5}", scn_on_load),
    {"off_for", SCN_T_STRING, false, "a duration such as \"500ms\"", on_off_for},
};
#define N_ENTRY_KEYS (sizeof entry_keys / sizeof entry_keys[0])

static bool is_verb(const char *key) {
    return strcmp(key, "at") != 0 && strcmp(key, "off_for") != 0;
}

/* Exactly one verb per entry; the second one is reported. */
static int check_one_verb(scn_ctx_t *c, const cJSON *obj) {
    const cJSON *first = NULL;
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        if (!is_verb(m->string)) {
            continue;
        }
        if (first != NULL) {
            return scn_fail_key(c, m,
                                "second action in one entry (already \"%s\"); use one entry "
                                "per action",
                                first->string);
        }
        first = m;
    }
    if (first == NULL) {
        return scn_fail_value(c, obj,
                              "no action (expected one verb: a command such as \"set_eco\", a "
                              "node or bus verb such as \"power_off\" or \"can_drop\", or a "
                              "fault such as \"bms_fault\")");
    }
    return 0;
}

static int append(scn_ctx_t *c, const scn_entry_t *e) {
    sim_scenario_t *s = c->s;
    if (s->n_actions + e->n_act > c->actions_cap) {
        size_t cap = c->actions_cap ? 2 * c->actions_cap : 16;
        sim_scn_action_t *a = realloc(s->actions, cap * sizeof *a);
        if (a == NULL) {
            return scn_fail_nomem(c);
        }
        s->actions = a;
        c->actions_cap = cap;
    }
    for (size_t i = 0; i < e->n_act; i++) {
        s->actions[s->n_actions++] = e->act[i];
    }
    return 0;
}

static int check_entry(scn_ctx_t *c, const cJSON *obj) {
    if (!cJSON_IsObject(obj)) {
        return scn_fail_value(c, obj,
                              "expected an action such as {\"at\": \"2s\", \"power_off\": "
                              "\"pack1\"}, got %s",
                              scn_type_name(obj));
    }
    int rc = scn_check_keys(c, obj, entry_keys, N_ENTRY_KEYS);
    if (rc == 0) {
        rc = check_one_verb(c, obj);
    }
    scn_entry_t e;
    memset(&e, 0, sizeof e);
    for (size_t i = 0; i < 2; i++) {
        e.act[i].gateway = -1; /* fields of other verbs keep neutral values */
        e.act[i].target_node = -1;
        e.act[i].scale = 1.0;
    }
    if (rc == 0) {
        rc = scn_check_values(c, obj, entry_keys, N_ENTRY_KEYS, &e);
    }
    if (rc != 0) {
        return rc;
    }
    unsigned line, col;
    scn_doc_linecol(c->doc, scn_doc_pos(c->doc, obj)->val_off, &line, &col);
    e.act[0].at_ns = e.at_ns;
    for (size_t i = 0; i < e.n_act; i++) {
        e.act[i].line = line;
    }
    return append(c, &e);
}

int scn_on_timeline(scn_ctx_t *c, const cJSON *v, void *target) {
    (void)target;
    size_t i = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next, i++) {
        if (i == SIM_SCN_MAX_TIMELINE) {
            return scn_fail_value(c, e, "too many timeline entries (at most %u)",
                                  SIM_SCN_MAX_TIMELINE);
        }
        int rc = check_entry(c, e);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

void scn_fix_profiles(sim_scenario_t *s) {
    for (size_t i = 0; i < s->n_actions; i++) {
        sim_scn_action_t *a = &s->actions[i];
        if (a->kind == SIM_ACT_LOAD && a->item >= 0) {
            a->profile = &s->profiles[a->item];
        }
    }
}
