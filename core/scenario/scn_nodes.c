/*
 * scn_nodes.c: the "nodes" array: 1 to 127 nodes with unique names and MAC addresses, and node
 * references by name. Each node object is checked by scn_node.c.
 *
 * A node without "mac" gets 24:6F:28:00:00:<index+1> (Espressif's OUI, as a real pack would
 * report), so small scenarios stay short; uniqueness is checked after those defaults, so an
 * explicit MAC cannot silently collide with a default one. The Orange Pi gateway has no MAC on
 * the bus and takes no part in the check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_parts.h"

#define MAX_LISTED_NODES 8 /* an unknown node name lists the nodes up to this many */

/* Names and MACs must be unique; the later of two equal ones is reported. */
static int check_unique(scn_ctx_t *c, size_t i) {
    const sim_scn_node_t *nodes = c->s->nodes;
    for (size_t j = 0; j < i; j++) {
        bool no_mac = nodes[i].type == SIM_NODE_GATEWAY || nodes[j].type == SIM_NODE_GATEWAY;
        if (strcmp(nodes[i].name, nodes[j].name) == 0) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->node_obj[i], "name");
            return scn_fail_value(c, v, "duplicate node name \"%s\" (already /nodes/%zu)",
                                  nodes[i].name, j);
        }
        if (!no_mac && memcmp(nodes[i].mac, nodes[j].mac, sizeof nodes[i].mac) == 0) {
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
        int rc = scn_check_node(c, e, i);
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

int scn_node_ref_of(scn_ctx_t *c, const cJSON *v, unsigned mask, const char *what) {
    if (!cJSON_IsString(v)) {
        return scn_fail_value(c, v, "expected %s, got %s", what, scn_type_name(v));
    }
    int idx = scn_node_ref(c, v);
    if (idx >= 0 && (mask & (1u << c->s->nodes[idx].type)) == 0) {
        return scn_fail_value(c, v, "\"%s\" is a %s node; expected %s", v->valuestring,
                              sim_scn_node_type_name(c->s->nodes[idx].type), what);
    }
    return idx;
}

int scn_first_gateway(const sim_scenario_t *s) {
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (s->nodes[i].type == SIM_NODE_GATEWAY) {
            return (int)i;
        }
    }
    return -1;
}
