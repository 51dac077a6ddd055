/*
 * scn_subjects.c: what an assertion observes: the subject table (names, value types, sources,
 * which node types have it, which parameter picks the item) and the reading of a subject from an
 * assertion or trigger object.
 *
 *   {"subject": "relay", "node": "pack1", "relay": "R1", ...}
 *   {"subject": "can_frames", "id": "0x300", "mask": "0x780", "node": "pack2", "since": "10s"}
 *   {"subject": "signal", "signal": "TEL.SOC", "node": "pack1", ...}
 *
 * A parameter that the subject does not use is an error at its key, so a typo such as "relay"
 * on a "led" subject cannot silently observe something else.
 */
#include <stdio.h>
#include <string.h>

#include "scn_asserts.h"
#include "scn_fields.h"
#include "scn_parts.h"
#include "scn_values.h"
#include "sim_signals.h"

#define PACKS      (1u << SIM_NODE_PACK)
#define FIRMWARE   SCN_FIRMWARE_NODES
#define ANNOUNCERS (SCN_FIRMWARE_NODES | (1u << SIM_NODE_ENERGY_GATEWAY))

typedef struct {
    const char *name;
    sim_subject_kind_t kind;
    int quantity;   /* SIM_SUBJ_QUANTITY: which, else -1 */
    unsigned nodes; /* node types that have it; 0: no "node" */
    bool node_required;
    const char *param; /* the key that picks the item, or NULL */
    bool param_required;
} subject_row_t;

#define Q(name, q, nodes)                                                                          \
    { name, SIM_SUBJ_QUANTITY, q, nodes, true, NULL, false }

static const subject_row_t rows[] = {
    {"master", SIM_SUBJ_MASTER, -1, 0, false, NULL, false},
    {"master_flag", SIM_SUBJ_MASTER_FLAG, -1, ANNOUNCERS, true, NULL, false},
    {"node_id", SIM_SUBJ_NODE_ID, -1, ANNOUNCERS, true, NULL, false},
    {"can_frames", SIM_SUBJ_CAN_FRAMES, -1, SCN_ANY_NODE, false, NULL, false},
    {"signal", SIM_SUBJ_SIGNAL, -1, SCN_ANY_NODE, false, "signal", true},
    {"led", SIM_SUBJ_LED, -1, FIRMWARE, true, "led", true},
    {"led_period_ms", SIM_SUBJ_LED_PERIOD_MS, -1, FIRMWARE, true, "led", true},
    {"display", SIM_SUBJ_DISPLAY, -1, FIRMWARE, true, NULL, false},
    {"display_shown", SIM_SUBJ_DISPLAY_SHOWN, -1, FIRMWARE, true, NULL, false},
    {"display_blink", SIM_SUBJ_DISPLAY_BLINK, -1, FIRMWARE, true, NULL, false},
    {"pixel", SIM_SUBJ_PIXEL, -1, FIRMWARE, true, "pixel", true},
    {"pixels_lit", SIM_SUBJ_PIXELS_LIT, -1, FIRMWARE, true, NULL, false},
    {"pixels_of", SIM_SUBJ_PIXELS_OF, -1, FIRMWARE, true, "colour", true},
    {"relay", SIM_SUBJ_RELAY, -1, PACKS, true, "relay", true},
    {"relay_coil", SIM_SUBJ_RELAY_COIL, -1, FIRMWARE, true, "relay", true},
    {"relay_operations", SIM_SUBJ_RELAY_OPERATIONS, -1, PACKS, true, "relay", true},
    {"nvs_writes", SIM_SUBJ_NVS_WRITES, -1, FIRMWARE, true, "key", false},
    {"node_state", SIM_SUBJ_NODE_STATE, -1, SCN_ANY_NODE, true, NULL, false},
    {"resets", SIM_SUBJ_RESETS, -1, FIRMWARE, true, "reason", false},
    {"can_state", SIM_SUBJ_CAN_STATE, -1, SCN_ANY_NODE, true, NULL, false},
    Q("soc_percent", SIM_Q_SOC_PERCENT, PACKS),
    Q("v_pack_v", SIM_Q_V_PACK_V, PACKS),
    Q("i_batt_a", SIM_Q_I_BATT_A, PACKS),
    Q("p_pv_w", SIM_Q_P_PV_W, PACKS),
    Q("p_home_w", SIM_Q_P_HOME_W, PACKS),
    Q("p_grid_w", SIM_Q_P_GRID_W, PACKS),
    Q("p_batt_w", SIM_Q_P_BATT_W, PACKS),
    Q("p_pool_w", SIM_Q_P_POOL_W, PACKS),
    Q("p_heater_w", SIM_Q_P_HEATER_W, PACKS),
    Q("p_unserved_w", SIM_Q_P_UNSERVED_W, PACKS),
    Q("p_curtailed_w", SIM_Q_P_CURTAILED_W, PACKS),
    Q("grid_import_wh", SIM_Q_GRID_IMPORT_WH, PACKS),
    Q("heater_temp_c", SIM_Q_HEATER_TEMP_C, PACKS),
    Q("grid_up", SIM_Q_GRID_UP, PACKS),
    Q("pool_starts", SIM_Q_POOL_STARTS, PACKS),
    Q("bms_requests", SIM_Q_BMS_REQUESTS, PACKS),
    Q("bms_replies", SIM_Q_BMS_REPLIES, PACKS),
    Q("bms_early_bytes", SIM_Q_BMS_EARLY_BYTES, PACKS),
    Q("can_tx_errors", SIM_Q_CAN_TX_ERRORS, SCN_ANY_NODE),
    Q("can_bus_off", SIM_Q_CAN_BUS_OFF, SCN_ANY_NODE),
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* The keys of a subject: "subject", "node", then the parameters (frame ones last). */
static const char *const all_keys[] = {"subject", "node", "relay",  "led",    "pixel",
                                       "colour",  "key",  "reason", "signal", "id",
                                       "mask",    "data", "ext",    "since"};
static const char *const *const param_keys = all_keys + 2;
#define N_PARAMS          (sizeof all_keys / sizeof all_keys[0] - 2)
#define FIRST_FRAME_PARAM 7 /* param_keys[7] is "id" */

size_t scn_subject_keys(const char *const **keys) {
    *keys = all_keys;
    return sizeof all_keys / sizeof all_keys[0];
}

static const subject_row_t *row_of_kind(sim_subject_kind_t k, int q) {
    for (size_t i = 0; i < N_ROWS; i++) {
        if (rows[i].kind == k && rows[i].quantity == q) {
            return &rows[i];
        }
    }
    return NULL;
}

sim_value_type_t sim_subject_type(sim_subject_kind_t kind) {
    switch (kind) {
        case SIM_SUBJ_MASTER:
        case SIM_SUBJ_LED:
        case SIM_SUBJ_DISPLAY:
        case SIM_SUBJ_DISPLAY_SHOWN:
        case SIM_SUBJ_NODE_STATE:
        case SIM_SUBJ_CAN_STATE:
            return SIM_VAL_TEXT;
        case SIM_SUBJ_MASTER_FLAG:
        case SIM_SUBJ_DISPLAY_BLINK:
        case SIM_SUBJ_RELAY:
        case SIM_SUBJ_RELAY_COIL:
            return SIM_VAL_BOOL;
        case SIM_SUBJ_PIXEL:
            return SIM_VAL_COLOUR;
        default:
            return SIM_VAL_NUM;
    }
}

sim_subject_source_t sim_subject_source(sim_subject_kind_t kind) {
    if (kind <= SIM_SUBJ_SIGNAL) {
        return SIM_SUBJ_FRAMES;
    }
    return kind <= SIM_SUBJ_PIXELS_OF ? SIM_SUBJ_FEEDS : SIM_SUBJ_PROBE;
}

const char *sim_subject_name(sim_subject_kind_t kind) {
    const subject_row_t *r = row_of_kind(kind, -1);
    return kind == SIM_SUBJ_QUANTITY ? "quantity" : r != NULL ? r->name : "unknown";
}

const char *sim_quantity_name(sim_quantity_t q) {
    const subject_row_t *r = row_of_kind(SIM_SUBJ_QUANTITY, (int)q);
    return r != NULL ? r->name : "unknown";
}

static const char *const reset_names[SIM_RESET_COUNT_] = {"boots", "power_on", "watchdog",
                                                          "software"};

const char *sim_reset_kind_name(sim_reset_kind_t r) {
    return (size_t)r < SIM_RESET_COUNT_ ? reset_names[r] : "unknown";
}

const char *scn_subject_label(const sim_subject_t *s) {
    const subject_row_t *r = row_of_kind(s->kind, s->kind == SIM_SUBJ_QUANTITY ? s->item : -1);
    return r != NULL ? r->name : "unknown";
}

static int find_row(scn_ctx_t *c, const cJSON *v, const subject_row_t **out) {
    const char *names[N_ROWS];
    for (size_t i = 0; i < N_ROWS; i++) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, rows[i].name) == 0) {
            *out = &rows[i];
            return 0;
        }
        names[i] = rows[i].name;
    }
    const char *near = cJSON_IsString(v) ? scn_suggest(v->valuestring, names, N_ROWS) : NULL;
    if (near != NULL) {
        return scn_fail_value(c, v, "unknown subject; did you mean \"%s\"?", near);
    }
    return scn_fail_value(c, v,
                          "expected a subject such as \"master\", \"relay\", \"led\", "
                          "\"display\", \"pixel\", \"signal\", \"can_frames\" or \"soc_percent\" "
                          "(see docs/scenario-format.md)");
}

static int pick_name(scn_ctx_t *c, const cJSON *v, const char *const *names, size_t n,
                     const char *expect, int *out) {
    for (size_t i = 0; cJSON_IsString(v) && i < n; i++) {
        if (strcmp(v->valuestring, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return scn_fail_value(c, v, "expected %s", expect);
}

/* "alfaspark/modeMask" or "modeMask" (namespace "alfaspark"). */
static int nvs_key(scn_ctx_t *c, const cJSON *v, sim_subject_t *s) {
    const char *k = cJSON_GetStringValue(v);
    const char *slash = k != NULL ? strchr(k, '/') : NULL;
    size_t ns_len = slash != NULL ? (size_t)(slash - k) : 9;
    const char *key = slash != NULL ? slash + 1 : k;
    if (k == NULL || ns_len == 0 || ns_len > 15 || strlen(key) == 0 || strlen(key) > 15) {
        return scn_fail_value(c, v,
                              "expected an NVS key such as \"modeMask\" or \"alfaspark/modeMask\"");
    }
    snprintf(s->nvs_ns, sizeof s->nvs_ns, "%.*s", (int)ns_len, slash != NULL ? k : "alfaspark");
    snprintf(s->nvs_key, sizeof s->nvs_key, "%s", key);
    return 0;
}

static int item_param(scn_ctx_t *c, const cJSON *v, const subject_row_t *r, sim_subject_t *s) {
    static const char *const relays[] = {"R1", "R2", "R3", "R4"};
    static const char *const leds[] = {"green", "yellow", "red"};
    uint64_t px = 0;
    if (strcmp(r->param, "relay") == 0) {
        return pick_name(c, v, relays, 4, "\"R1\", \"R2\", \"R3\" or \"R4\"", &s->item);
    }
    if (strcmp(r->param, "led") == 0) {
        return pick_name(c, v, leds, 3, "\"green\", \"yellow\" or \"red\"", &s->item);
    }
    if (strcmp(r->param, "reason") == 0) {
        return pick_name(c, v, reset_names, SIM_RESET_COUNT_,
                         "\"boots\", \"power_on\", \"watchdog\" or \"software\"", &s->item);
    }
    if (strcmp(r->param, "pixel") == 0) {
        int rc = scn_uint_in(c, v, 0, 63, &px);
        s->item = (int)px;
        return rc;
    }
    if (strcmp(r->param, "colour") == 0) {
        return scn_colour_value(c, v, &s->rgb);
    }
    if (strcmp(r->param, "key") == 0) {
        return nvs_key(c, v, s);
    }
    s->item = cJSON_IsString(v) ? sim_signal_find(v->valuestring) : -1;
    return s->item >= 0 ? 0
                        : scn_fail_value(c, v,
                                         "unknown signal (expected \"MESSAGE.SIGNAL\" such as "
                                         "\"TEL.SOC\"; see docs/scenario-format.md)");
}

/* The node parameter: required or forbidden by the row, of a type the row allows. */
static int node_param(scn_ctx_t *c, const cJSON *obj, const cJSON *subj, const subject_row_t *r,
                      sim_subject_t *s) {
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, "node");
    s->node = -1;
    if (node == NULL) {
        return r->node_required
                   ? scn_fail_missing(c, obj, "node", "subject \"%s\" needs a node", r->name)
                   : 0;
    }
    if (r->nodes == 0) {
        return scn_fail_key(c, node, "subject \"%s\" is not about one node", r->name);
    }
    char what[64];
    snprintf(what, sizeof what, "a node that has \"%s\"", r->name);
    s->node = scn_node_ref_of(c, node, r->nodes, what);
    (void)subj;
    return s->node < 0 ? s->node : 0;
}

/* Parameter keys present but not used by this subject are errors at the key. */
static int unused_params(scn_ctx_t *c, const cJSON *obj, const subject_row_t *r) {
    bool frames = r->kind == SIM_SUBJ_CAN_FRAMES;
    for (size_t i = 0; i < N_PARAMS; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, param_keys[i]);
        bool frame_key = i >= FIRST_FRAME_PARAM; /* id, mask, data, ext, since */
        bool used = frames ? frame_key : r->param != NULL && strcmp(r->param, param_keys[i]) == 0;
        if (m != NULL && !used) {
            return scn_fail_key(c, m, "not used by subject \"%s\"", r->name);
        }
    }
    return 0;
}

int scn_subject_object(scn_ctx_t *c, const cJSON *obj, sim_subject_t *s) {
    const cJSON *subj = cJSON_GetObjectItemCaseSensitive(obj, "subject");
    const subject_row_t *r = NULL;
    memset(s, 0, sizeof *s);
    if (subj == NULL) {
        return scn_fail_missing(c, obj, "subject",
                                "missing required key (expected a subject such as \"master\")");
    }
    int rc = find_row(c, subj, &r);
    rc = rc ? rc : unused_params(c, obj, r);
    if (rc != 0) {
        return rc;
    }
    s->kind = r->kind;
    s->item = r->quantity >= 0 ? r->quantity : 0;
    rc = node_param(c, obj, subj, r, s);
    if (rc == 0 && r->param != NULL) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(obj, r->param);
        if (p == NULL && r->param_required) {
            return scn_fail_missing(c, obj, r->param, "subject \"%s\" needs \"%s\"", r->name,
                                    r->param);
        }
        rc = p != NULL ? item_param(c, p, r, s) : 0;
    }
    if (rc == 0 && r->kind == SIM_SUBJ_CAN_FRAMES) {
        rc = scn_frame_match(c, obj, s);
    }
    return rc;
}
