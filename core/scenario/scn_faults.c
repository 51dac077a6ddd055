/*
 * scn_faults.c: timeline verbs for the models and the gateway: BMS, CT and relay faults, grid
 * outages, PV and load changes, the gateway's time broadcast and clock.
 *
 * A fault object names its pack ("node") and what breaks; "for" makes it temporary: the entry
 * then becomes two actions, the fault and its clearing (like can_babble). Grid, PV and load
 * verbs without "node" act on every pack, since packs share one grid and one sky.
 */
#include <stdio.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_schema.h"
#include "scn_values.h"

#define PACKS (1u << SIM_NODE_PACK)

static const char *const ct_names[] = {"CT1", "CT2", "CT3", "CT4"};
static const char *const relay_names[] = {"R1", "R2", "R3", "R4"};

/* The index of `v` in names[0..n), or a scn_fail_value code. */
static int pick(scn_ctx_t *c, const cJSON *v, const char *const *names, size_t n,
                const char *expect, int *out) {
    for (size_t i = 0; cJSON_IsString(v) && i < n; i++) {
        if (strcmp(v->valuestring, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return scn_fail_value(c, v, "expected %s", expect);
}

static const cJSON *get(const cJSON *obj, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Common to fault objects: "node" (a pack; required unless all_packs) and "for". */
static int fault_common(scn_ctx_t *c, const cJSON *v, scn_entry_t *e, bool all_packs) {
    sim_scn_action_t *a = &e->act[0];
    const cJSON *node = get(v, "node"), *len = get(v, "for");
    a->node = -1;
    e->n_act = 1;
    if (node != NULL) {
        a->node = scn_node_ref_of(c, node, PACKS, "a pack node");
        if (a->node < 0) {
            return a->node;
        }
    } else if (!all_packs) {
        return scn_fail_missing(c, v, "node", "missing required key (expected a pack node)");
    }
    if (len == NULL) {
        return 0;
    }
    sim_time_ns_t for_ns = 0;
    int rc = cJSON_IsString(len) ? scn_duration_value(c, len, &for_ns)
                                 : scn_fail_value(c, len, "expected a duration such as \"30s\"");
    if (rc == 0 && for_ns == 0) {
        return scn_fail_value(c, len, "expected a duration more than 0 (omit \"for\" to keep it)");
    }
    e->act[1] = *a;
    e->act[1].at_ns = sim_time_add(e->at_ns, for_ns);
    e->n_act = 2;
    return rc;
}

#define K(name, types, req, expect)                                                                \
    { name, types, req, expect, NULL }
#define K_NODE(req) K("node", SCN_T_STRING, req, "a pack node such as \"pack1\"")
#define K_FOR       K("for", SCN_T_STRING, false, "a duration such as \"30s\"")

int scn_on_bms_fault(scn_ctx_t *c, const cJSON *v, void *target) {
    static const scn_key_t keys[] = {
        K_NODE(true), K("fault", SCN_T_STRING, true, "a BMS fault such as \"silent\""),
        K("alarm_bits", SCN_T_STRING | SCN_T_NUMBER, false, "bits such as \"0x0100\""), K_FOR};
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    a->kind = SIM_ACT_BMS_FAULT;
    a->alarm_bits = 0x0100; /* bms_modbus.h's default forced bit */
    int rc = scn_check_keys(c, v, keys, 4);
    rc = rc ? rc : scn_bms_fault_value(c, get(v, "fault"), &a->fault);
    if (rc == 0 && get(v, "alarm_bits") != NULL) {
        rc = a->fault != BMS_FAULT_ALARM
                 ? scn_fail_key(c, get(v, "alarm_bits"), "only valid with \"fault\": \"alarm\"")
                 : scn_u16_value(c, get(v, "alarm_bits"), &a->alarm_bits);
    }
    rc = rc ? rc : fault_common(c, v, e, false);
    e->act[1].fault = BMS_FAULT_NONE;
    return rc;
}

int scn_on_ct_fault(scn_ctx_t *c, const cJSON *v, void *target) {
    static const char *const faults[] = {"none", "dropout", "noise", "stuck"};
    static const scn_key_t keys[] = {
        K_NODE(true),
        K("ct", SCN_T_STRING, true, "a CT channel such as \"CT1\""),
        K("fault", SCN_T_STRING, true, "\"dropout\", \"noise\", \"stuck\" or \"none\""),
        K("noise_sd_counts", SCN_T_NUMBER, false, "a noise in ADC counts"),
        K("stuck_counts", SCN_T_NUMBER, false, "an ADC count from 0 to 4095"),
        K_FOR};
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    a->kind = SIM_ACT_CT_FAULT;
    a->noise_sd_counts = 50;
    a->stuck_counts = 2048;
    uint64_t stuck = a->stuck_counts;
    int rc = scn_check_keys(c, v, keys, 6);
    rc = rc ? rc
            : pick(c, get(v, "ct"), ct_names, 4, "\"CT1\", \"CT2\", \"CT3\" or \"CT4\"", &a->item);
    rc = rc ? rc : pick(c, get(v, "fault"), faults, 4, keys[2].expect, &a->fault);
    const cJSON *noise = get(v, "noise_sd_counts"), *st = get(v, "stuck_counts");
    if (rc == 0 && noise != NULL) {
        rc = a->fault != SIM_CT_FAULT_NOISE
                 ? scn_fail_key(c, noise, "only valid with \"fault\": \"noise\"")
                 : scn_number_in(c, noise, 0, 2048, &a->noise_sd_counts);
    }
    if (rc == 0 && st != NULL) {
        rc = a->fault != SIM_CT_FAULT_STUCK
                 ? scn_fail_key(c, st, "only valid with \"fault\": \"stuck\"")
                 : scn_uint_in(c, st, 0, 4095, &stuck);
    }
    a->stuck_counts = (uint16_t)stuck;
    rc = rc ? rc : fault_common(c, v, e, false);
    e->act[1].fault = SIM_CT_FAULT_NONE;
    return rc;
}

int scn_on_relay_fault(scn_ctx_t *c, const cJSON *v, void *target) {
    static const char *const faults[] = {"none", "welded", "stuck_open"};
    static const scn_key_t keys[] = {
        K_NODE(true), K("relay", SCN_T_STRING, true, "a relay such as \"R1\""),
        K("fault", SCN_T_STRING, true, "\"welded\", \"stuck_open\" or \"none\""), K_FOR};
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    a->kind = SIM_ACT_RELAY_FAULT;
    int rc = scn_check_keys(c, v, keys, 4);
    rc =
        rc ? rc
           : pick(c, get(v, "relay"), relay_names, 4, "\"R1\", \"R2\", \"R3\" or \"R4\"", &a->item);
    rc = rc ? rc : pick(c, get(v, "fault"), faults, 3, keys[2].expect, &a->fault);
    rc = rc ? rc : fault_common(c, v, e, false);
    e->act[1].fault = RELAY_FAULT_NONE;
    return rc;
}

/* grid_outage {"node"?, "for"?} and grid_restore {"node"?}. */
static int grid_verb(scn_ctx_t *c, const cJSON *v, scn_entry_t *e, bool down) {
    static const scn_key_t keys[] = {K_NODE(false), K_FOR};
    e->act[0].kind = SIM_ACT_GRID;
    e->act[0].on = down;
    int rc = scn_check_keys(c, v, keys, down ? 2 : 1);
    rc = rc ? rc : fault_common(c, v, e, true);
    e->act[1].on = false;
    return rc;
}

int scn_on_grid_outage(scn_ctx_t *c, const cJSON *v, void *target) {
    return grid_verb(c, v, target, true);
}

int scn_on_grid_restore(scn_ctx_t *c, const cJSON *v, void *target) {
    return grid_verb(c, v, target, false);
}

int scn_on_pv_scale(scn_ctx_t *c, const cJSON *v, void *target) {
    static const scn_key_t keys[] = {K_NODE(false),
                                     K("scale", SCN_T_NUMBER, true, "a factor from 0 to 10")};
    scn_entry_t *e = target;
    e->act[0].kind = SIM_ACT_PV_SCALE;
    int rc = scn_check_keys(c, v, keys, 2);
    rc = rc ? rc : scn_number_in(c, get(v, "scale"), 0, 10, &e->act[0].scale);
    return rc ? rc : fault_common(c, v, e, true);
}

int scn_on_load(scn_ctx_t *c, const cJSON *v, void *target) {
    static const scn_key_t keys[] = {
        K_NODE(false), K("scale", SCN_T_NUMBER, false, "a factor from 0 to 100"),
        K("profile", SCN_T_ARRAY | SCN_T_STRING, false, "points or a CSV file name")};
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    a->kind = SIM_ACT_LOAD;
    a->scale = 1.0;
    a->item = -1; /* the profile's index in s->profiles until the pointers are fixed */
    int rc = scn_check_keys(c, v, keys, 3);
    const cJSON *scale = get(v, "scale"), *prof = get(v, "profile");
    if (rc == 0 && scale == NULL && prof == NULL) {
        return scn_fail_value(c, v, "expected \"scale\", \"profile\" or both");
    }
    rc = rc || scale == NULL ? rc : scn_number_in(c, scale, 0, 100, &a->scale);
    if (rc == 0 && prof != NULL) {
        rc = cJSON_IsArray(prof) || cJSON_IsString(prof)
                 ? scn_profile_value(c, prof, &a->item)
                 : scn_fail_value(c, prof, "expected points or a CSV file name, got %s",
                                  scn_type_name(prof));
    }
    return rc ? rc : fault_common(c, v, e, true);
}

/* The gateway a gateway verb acts on: the first gateway node. */
static int need_gateway(scn_ctx_t *c, const cJSON *v, sim_scn_action_t *a) {
    a->gateway = scn_first_gateway(c->s);
    if (a->gateway < 0) {
        return scn_fail_key(c, v, "needs a node of type \"gateway\"");
    }
    return 0;
}

int scn_on_time_broadcast(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    e->act[0].kind = SIM_ACT_TIME_BROADCAST;
    e->act[0].node = -1;
    e->act[0].on = cJSON_IsTrue(v);
    e->n_act = 1;
    return need_gateway(c, v, &e->act[0]);
}

/* "2024-06-21T23:58[:SS]" (absolute local time) or "+2h" / "-30m" (a jump). */
int scn_on_set_clock(scn_ctx_t *c, const cJSON *v, void *target) {
    scn_entry_t *e = target;
    sim_scn_action_t *a = &e->act[0];
    const char *s = v->valuestring;
    a->kind = SIM_ACT_CLOCK_SET;
    a->node = -1;
    e->n_act = 1;
    int rc = need_gateway(c, v, a);
    if (rc == 0 && (s[0] == '+' || s[0] == '-')) {
        sim_time_ns_t ns = 0;
        const char *why = "";
        if (scn_parse_duration(s + 1, &ns, &why) != 0 || ns % SIM_NS_PER_S != 0) {
            return scn_fail_value(c, v, "expected a jump in whole seconds such as \"+2h\"");
        }
        a->clock_relative = true;
        a->clock_s = (s[0] == '-' ? -1 : 1) * (ns / SIM_NS_PER_S);
        return 0;
    }
    calendar_civil_t civ;
    calendar_t cal;
    if (rc == 0 && (calendar_parse(s, &civ) != 0 || calendar_init(&cal, &civ, 0) != 0)) {
        return scn_fail_value(c, v,
                              "expected a local date and time \"YYYY-MM-DDTHH:MM[:SS]\" or a jump "
                              "such as \"+2h\"");
    }
    a->clock_s = rc == 0 ? cal.start_local_s : 0;
    return rc;
}
