/*
 * sim_run_oprec.c: the "operator" line of events.jsonl, written and read back (see
 * sim_run_operator.h for the format).
 *
 * The reader accepts exactly what the writer produces: the fixed prefix {"t_ns":T,"type":
 * "operator", then an optional node, the kind, and that kind's fields in their order, nothing
 * else. A replay that guessed at a damaged record would not be the recorded session, so any
 * deviation is a format error with the line number (the caller adds it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_operator.h"

#define MAX_FIELDS 8
#define VAL_MAX    64

static const struct {
    panel_input_kind_t kind;
    const char *name;
    bool node; /* names a node */
} kinds[] = {
    {PANEL_IN_COMMAND, "command", false},      {PANEL_IN_POWER_CYCLE, "power_cycle", true},
    {PANEL_IN_POWER, "power", true},           {PANEL_IN_HANG, "hang", true},
    {PANEL_IN_CAN_UNPLUG, "can_unplug", true}, {PANEL_IN_GRID, "grid", false},
    {PANEL_IN_PV_SCALE, "pv_scale", false},    {PANEL_IN_LOAD_SCALE, "load_scale", false},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static int kind_index(panel_input_kind_t kind) {
    for (size_t i = 0; i < N_KINDS; i++) {
        if (kinds[i].kind == kind) {
            return (int)i;
        }
    }
    return -1;
}

const char *sim_run_operator_kind_name(panel_input_kind_t kind) {
    int i = kind_index(kind);
    return i >= 0 ? kinds[i].name : NULL;
}

static int check_node_action(const sim_scenario_t *scn, const panel_input_t *in, char *why,
                             size_t whylen) {
    if (in->node < 0 || (size_t)in->node >= scn->n_nodes) {
        snprintf(why, whylen, "no node #%d in this scenario", in->node + 1);
        return -SIM_EINVAL;
    }
    const sim_scn_node_t *n = &scn->nodes[in->node];
    if (in->kind == PANEL_IN_HANG && n->type != SIM_NODE_FIRMWARE && n->type != SIM_NODE_PACK) {
        snprintf(why, whylen, "%s runs no firmware that could hang", n->name);
        return -SIM_EINVAL;
    }
    return 0;
}

int sim_run_operator_check(const sim_scenario_t *scn, const panel_input_t *in, char *why,
                           size_t whylen) {
    int i = kind_index(in->kind);
    if (i < 0) {
        snprintf(why, whylen, "not an operator action");
        return -SIM_EINVAL;
    }
    if (kinds[i].node) {
        return check_node_action(scn, in, why, whylen);
    }
    if (in->kind == PANEL_IN_COMMAND &&
        (in->can_id < 0x201 || in->can_id > 0x27F || in->n_args > PANEL_ARGS_MAX ||
         in->target > PANEL_NODE_ID_ALL)) {
        snprintf(why, whylen, "not a gateway command (identifier 0x201..0x27F, 0..%d arguments)",
                 PANEL_ARGS_MAX);
        return -SIM_EINVAL;
    }
    if ((in->kind == PANEL_IN_PV_SCALE || in->kind == PANEL_IN_LOAD_SCALE) &&
        (in->scale_pct < 0 || in->scale_pct > PANEL_SCALE_MAX_PCT)) {
        snprintf(why, whylen, "scale %d %% is outside 0..%d %%", (int)in->scale_pct,
                 PANEL_SCALE_MAX_PCT);
        return -SIM_EINVAL;
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------------------------------
 */

void sim_run_operator_record(sim_trace_t *t, sim_time_ns_t t_ns, const sim_scenario_t *scn,
                             const panel_input_t *in) {
    int i = kind_index(in->kind);
    SIM_ASSERT(i >= 0);
    const char *node = kinds[i].node ? scn->nodes[in->node].name : NULL;
    sim_trace_ev_t *e = sim_trace_ev_begin(t, t_ns, "operator", node);
    sim_trace_ev_str(e, "kind", kinds[i].name);
    switch (in->kind) {
        case PANEL_IN_COMMAND: {
            char id[8], args[2 * PANEL_ARGS_MAX + 1] = "";
            snprintf(id, sizeof id, "0x%03X", (unsigned)in->can_id);
            for (unsigned a = 0; a < in->n_args; a++) {
                snprintf(args + 2 * a, 3, "%02X", (unsigned)in->args[a]);
            }
            sim_trace_ev_str(e, "id", id);
            sim_trace_ev_uint(e, "target", in->target);
            sim_trace_ev_str(e, "args", args);
            break;
        }
        case PANEL_IN_POWER:
        case PANEL_IN_CAN_UNPLUG:
        case PANEL_IN_GRID:
            sim_trace_ev_bool(e, "on", in->on);
            break;
        case PANEL_IN_PV_SCALE:
        case PANEL_IN_LOAD_SCALE:
            sim_trace_ev_int(e, "pct", in->scale_pct);
            break;
        default:
            break;
    }
    sim_trace_ev_end(e);
}

/* ---- reading ----------------------------------------------------------------------------------
 */

typedef struct {
    char key[16];
    char val[VAL_MAX]; /* a string's contents, or the literal of a number or boolean */
    bool is_str;
} field_t;

/* One "key":value pair at *p; strings without escapes, integers, true/false. */
static bool take_field(const char **p, field_t *f) {
    const char *s = *p;
    const char *end = s[0] == '"' ? strchr(s + 1, '"') : NULL;
    if (end == NULL || (size_t)(end - s - 1) >= sizeof f->key || end[1] != ':') {
        return false;
    }
    memcpy(f->key, s + 1, (size_t)(end - s - 1));
    f->key[end - s - 1] = '\0';
    s = end + 2;
    f->is_str = s[0] == '"';
    if (f->is_str) {
        end = strchr(s + 1, '"');
        s++;
    } else {
        end = s + strcspn(s, ",}");
    }
    size_t n = end != NULL ? (size_t)(end - s) : VAL_MAX;
    if (n >= VAL_MAX || (n == 0 && !f->is_str) || memchr(s, '\\', n) != NULL) {
        return false;
    }
    memcpy(f->val, s, n);
    f->val[n] = '\0';
    *p = end + (f->is_str ? 1 : 0);
    return true;
}

/* The pairs after the fixed prefix, up to the closing brace that ends the line. */
static int take_fields(const char *p, field_t *f, size_t cap) {
    size_t n = 0;
    while (*p == ',') {
        p++;
        if (n == cap || !take_field(&p, &f[n])) {
            return -1;
        }
        n++;
    }
    return strcmp(p, "}") == 0 ? (int)n : -1;
}

static bool to_int(const field_t *f, long long lo, long long hi, long long *out) {
    char *end;
    if (f->is_str || !(f->val[0] == '-' || (f->val[0] >= '0' && f->val[0] <= '9'))) {
        return false;
    }
    long long v = strtoll(f->val, &end, 10);
    *out = v;
    return *end == '\0' && v >= lo && v <= hi;
}

static bool to_bool(const field_t *f, bool *out) {
    *out = strcmp(f->val, "true") == 0;
    return !f->is_str && (*out || strcmp(f->val, "false") == 0);
}

static bool parse_hex_args(const char *hex, panel_input_t *in) {
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > PANEL_ARGS_MAX || strspn(hex, "0123456789ABCDEF") != n) {
        return false;
    }
    in->n_args = (uint8_t)(n / 2);
    for (size_t i = 0; i < in->n_args; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        in->args[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
    return true;
}

/* "id":"0x206","target":127,"args":"0DAC" */
static bool take_command(const field_t *f, int n, panel_input_t *in) {
    if (n != 3 || strcmp(f[0].key, "id") != 0 || strcmp(f[1].key, "target") != 0 ||
        strcmp(f[2].key, "args") != 0 || !f[0].is_str || !f[2].is_str ||
        strncmp(f[0].val, "0x", 2) != 0 || strlen(f[0].val) > 6) {
        return false;
    }
    char *end;
    unsigned long id = strtoul(f[0].val + 2, &end, 16);
    long long target = 0;
    if (end == f[0].val + 2 || *end != '\0' || !to_int(&f[1], 0, PANEL_NODE_ID_ALL, &target) ||
        !parse_hex_args(f[2].val, in)) {
        return false;
    }
    in->can_id = (uint16_t)id;
    in->target = (uint8_t)target;
    return true;
}

/* The fields of one kind, in the writer's order. */
static bool take_kind_fields(const field_t *f, int n, panel_input_t *in) {
    long long v = 0;
    switch (in->kind) {
        case PANEL_IN_COMMAND:
            return take_command(f, n, in);
        case PANEL_IN_POWER:
        case PANEL_IN_CAN_UNPLUG:
        case PANEL_IN_GRID:
            return n == 1 && strcmp(f[0].key, "on") == 0 && to_bool(&f[0], &in->on);
        case PANEL_IN_PV_SCALE:
        case PANEL_IN_LOAD_SCALE:
            if (n != 1 || strcmp(f[0].key, "pct") != 0 || !to_int(&f[0], 0, 100000, &v)) {
                return false;
            }
            in->scale_pct = (int32_t)v;
            return true;
        default:
            return n == 0;
    }
}

/* node (when the kind names one), kind, then the kind's fields. */
static bool take_body(const field_t *f, int n, const sim_scenario_t *scn, panel_input_t *in) {
    int at = 0;
    in->node = -1;
    if (n > 0 && strcmp(f[0].key, "node") == 0 && f[0].is_str) {
        in->node = sim_scenario_node_index(scn, f[0].val);
        if (in->node < 0) {
            return false;
        }
        at = 1;
    }
    if (at >= n || strcmp(f[at].key, "kind") != 0 || !f[at].is_str) {
        return false;
    }
    int k = -1;
    for (size_t i = 0; i < N_KINDS; i++) {
        k = strcmp(kinds[i].name, f[at].val) == 0 ? (int)i : k;
    }
    if (k < 0 || kinds[k].node != (in->node >= 0)) {
        return false;
    }
    in->kind = kinds[k].kind;
    return take_kind_fields(&f[at + 1], n - at - 1, in);
}

int sim_run_operator_parse(const char *line, const sim_scenario_t *scn, sim_time_ns_t *t_ns,
                           panel_input_t *out) {
    static const char head[] = "{\"t_ns\":", type[] = ",\"type\":\"operator\"";
    if (strncmp(line, head, sizeof head - 1) != 0) {
        return 0;
    }
    const char *p = line + sizeof head - 1;
    char *end;
    long long t = strtoll(p, &end, 10);
    if (end == p || strncmp(end, type, sizeof type - 1) != 0) {
        return 0;
    }
    field_t f[MAX_FIELDS];
    int n = take_fields(end + sizeof type - 1, f, MAX_FIELDS);
    *out = (panel_input_t){.kind = PANEL_IN_NONE, .node = -1};
    char why[128];
    if (t < 0 || *p == '-' || n < 0 || !take_body(f, n, scn, out) ||
        sim_run_operator_check(scn, out, why, sizeof why) != 0) {
        return -SIM_EFORMAT;
    }
    *t_ns = t;
    return 1;
}
