/*
 * scn_nodes.c: the "nodes" array: 1 to 127 nodes with unique names and MAC addresses.
 *
 * A node without "mac" gets 24:6F:28:00:00:<index+1> (Espressif's OUI, as a real pack would
 * report), so small scenarios stay short; uniqueness is checked after those defaults, so an
 * explicit MAC cannot silently collide with a default one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_parts.h"
#include "scn_values.h"

#define MAX_LISTED_NODES 8 /* an unknown node name lists the nodes up to this many */

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

static const scn_key_t node_keys[] = {
    {"name", SCN_T_STRING, true, "a node name such as \"pack1\"", on_node_name},
    {"mac", SCN_T_STRING, false, "a MAC address like \"24:6F:28:00:00:01\"", on_node_mac},
    {"plugin", SCN_T_STRING, false, "a plugin name such as \"testnode\"", on_node_plugin},
    {"power_on", SCN_T_STRING, false, "a duration such as \"10ms\"", on_node_power_on},
    {"powered", SCN_T_BOOL, false, "true or false", on_node_powered},
};

static int check_node(scn_ctx_t *c, const cJSON *obj, size_t i) {
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
    int rc = scn_check_object(c, obj, node_keys, sizeof node_keys / sizeof node_keys[0], n);
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

/* Names and MACs must be unique; the later of two equal ones is reported. */
static int check_unique(scn_ctx_t *c, size_t i) {
    const sim_scn_node_t *nodes = c->s->nodes;
    for (size_t j = 0; j < i; j++) {
        if (strcmp(nodes[i].name, nodes[j].name) == 0) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->node_obj[i], "name");
            return scn_fail_value(c, v, "duplicate node name \"%s\" (already /nodes/%zu)",
                                  nodes[i].name, j);
        }
        if (memcmp(nodes[i].mac, nodes[j].mac, sizeof nodes[i].mac) == 0) {
            const uint8_t *m = nodes[i].mac;
            char mac[18];
            snprintf(mac, sizeof mac, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4],
                     m[5]);
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->node_obj[i], "mac");
            if (v == NULL) {
                return scn_fail_missing(c, c->node_obj[i], "mac",
                                        "default MAC %s is already used by /nodes/%zu; give "
                                        "\"mac\" explicitly",
                                        mac, j);
            }
            return scn_fail_value(c, v, "duplicate MAC %s (already /nodes/%zu)", mac, j);
        }
    }
    return 0;
}

int scn_on_nodes(scn_ctx_t *c, const cJSON *v, void *target) {
    sim_scenario_t *s = target;
    int count = cJSON_GetArraySize(v);
    if (count == 0) {
        return scn_fail_value(c, v, "expected 1 to %d nodes, got none", SIM_SCN_MAX_NODES);
    }
    if (count > SIM_SCN_MAX_NODES) {
        return scn_fail_value(c, cJSON_GetArrayItem(v, SIM_SCN_MAX_NODES),
                              "too many nodes (%d; at most %d)", count, SIM_SCN_MAX_NODES);
    }
    s->nodes = calloc((size_t)count, sizeof *s->nodes);
    if (s->nodes == NULL) {
        return scn_fail_nomem(c);
    }
    s->n_nodes = (size_t)count;
    size_t i = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next, i++) {
        int rc = check_node(c, e, i);
        if (rc != 0) {
            return rc;
        }
    }
    for (i = 1; i < s->n_nodes; i++) {
        int rc = check_unique(c, i);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* "pack1, pack2" when the scenario has few nodes (listing them beats guessing), else "". */
static void few_names(const sim_scenario_t *s, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; s->n_nodes <= MAX_LISTED_NODES && i < s->n_nodes; i++) {
        int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", s->nodes[i].name);
        if (w < 0 || (size_t)w >= cap - used) {
            return;
        }
        used += (size_t)w;
    }
}

int scn_node_ref(scn_ctx_t *c, const cJSON *v) {
    const char *names[SIM_SCN_MAX_NODES];
    for (size_t i = 0; i < c->s->n_nodes; i++) {
        if (strcmp(c->s->nodes[i].name, v->valuestring) == 0) {
            return (int)i;
        }
        names[i] = c->s->nodes[i].name;
    }
    char q[64], list[8 * SIM_SCN_NAME_MAX];
    scn_quote_item(v, q, sizeof q);
    few_names(c->s, list, sizeof list);
    if (list[0] != '\0') {
        return scn_fail_value(c, v, "unknown node %s (nodes: %s)", q, list);
    }
    const char *near = scn_suggest(v->valuestring, names, c->s->n_nodes);
    if (near != NULL) {
        return scn_fail_value(c, v, "unknown node %s; did you mean \"%s\"?", q, near);
    }
    return scn_fail_value(c, v, "unknown node %s (not in /nodes)", q);
}

int sim_scenario_node_index(const sim_scenario_t *s, const char *name) {
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (strcmp(s->nodes[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}
