/*
 * scn_compare.c: the comparison of a condition and the values it compares with.
 *
 * Numbers are read from the file's text into millionths, never through a double, so
 * {"ge": 20.5} is exactly 20500000 and a verdict cannot depend on rounding. Text values that
 * name states are checked against the states the subject can have ("blink", "running",
 * "bus-off"), and the elected master against the scenario's nodes, so a misspelt expectation is
 * a load error instead of an assertion that can never pass.
 */
#include <stdio.h>
#include <string.h>

#include "scn_asserts.h"
#include "scn_parts.h"
#include "scn_text.h"
#include "scn_values.h"

/* The comparison operators, in sim_cmp_op_t order, then "tolerance". */
static const char *const ops[] = {"eq", "ne", "lt", "le", "gt", "ge", "in", "tolerance"};
#define N_OPS (sizeof ops / sizeof ops[0] - 1)

size_t scn_compare_keys(const char *const **keys) {
    *keys = ops;
    return sizeof ops / sizeof ops[0];
}

int scn_parse_fixed(const char *text, int64_t *micro, const char **why) {
    const char *p = text;
    bool neg = *p == '-';
    p += neg;
    int64_t v = 0, scale = SIM_VALUE_MICRO;
    const char *digits = p;
    /* The value in millionths must fit an int64_t: at most 9223372036854.775807 either way. */
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX / SIM_VALUE_MICRO - (*p - '0')) / 10) {
            *why = "is out of range (-9223372036854.775807 to 9223372036854.775807)";
            return -SIM_EFORMAT;
        }
        v = v * 10 + (*p - '0');
    }
    if (p == digits) {
        *why = "is not a number";
        return -SIM_EFORMAT;
    }
    v *= SIM_VALUE_MICRO;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (scale == 1) {
                *why = "has more than 6 decimals";
                return -SIM_EFORMAT;
            }
            scale /= 10;
            if (v > INT64_MAX - (*p - '0') * scale) {
                *why = "is out of range (-9223372036854.775807 to 9223372036854.775807)";
                return -SIM_EFORMAT;
            }
            v += (*p - '0') * scale;
        }
    }
    if (*p == 'e' || *p == 'E') {
        *why = "has an exponent (write it out)";
        return -SIM_EFORMAT;
    }
    *micro = neg ? -v : v;
    return 0;
}

static int number_value(scn_ctx_t *c, const cJSON *v, int64_t *micro) {
    const char *why = "";
    if (!cJSON_IsNumber(v)) {
        return scn_fail_value(c, v, "expected a number, got %s", scn_type_name(v));
    }
    const char *raw = scn_doc_value_text(c->doc, v);
    if (scn_parse_fixed(raw, micro, &why) != 0) {
        size_t n = scn_text_scalar_end(raw, strlen(raw), 0);
        char q[80];
        scn_text_quote(q, sizeof q, raw, n);
        return scn_fail_value(c, v, "number %s %s", q, why);
    }
    return 0;
}

int scn_colour_value(scn_ctx_t *c, const cJSON *v, uint32_t *rgb) {
    static const struct {
        const char *name;
        uint32_t rgb;
    } names[] = {{"off", 0},          {"black", 0},       {"red", 0xFF0000},
                 {"green", 0x00FF00}, {"blue", 0x0000FF}, {"white", 0xFFFFFF}};
    const char *s = cJSON_GetStringValue(v);
    for (size_t i = 0; s != NULL && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *rgb = names[i].rgb;
            return 0;
        }
    }
    uint64_t x = 0;
    char hex[16];
    if (s != NULL && s[0] == '#' && strlen(s) == 7) {
        snprintf(hex, sizeof hex, "0x%s", s + 1);
        if (scn_parse_hex(hex, &x) == 0) {
            *rgb = (uint32_t)x;
            return 0;
        }
    }
    return scn_fail_value(c, v,
                          "expected a colour \"#RRGGBB\" or one of \"off\", \"red\", \"green\", "
                          "\"blue\", \"white\"");
}

/* "", or node names joined by ',' (each a node of the scenario). */
static int master_text(scn_ctx_t *c, const cJSON *v) {
    char buf[SIM_VALUE_TEXT];
    snprintf(buf, sizeof buf, "%s", v->valuestring);
    for (char *p = buf, *end; *p != '\0'; p = end + (*end != '\0')) {
        end = p + strcspn(p, ",");
        char saved = *end;
        *end = '\0';
        bool known = sim_scenario_node_index(c->s, p) >= 0;
        *end = saved;
        if (!known) {
            return scn_fail_value(c, v,
                                  "expected node names joined by ',' (\"\" for no master); "
                                  "\"%.*s\" is not a node",
                                  (int)(end - p), p);
        }
    }
    return 0;
}

static int text_value(scn_ctx_t *c, const cJSON *v, const sim_subject_t *s, char *out) {
    static const char *const led_states[] = {"off", "on", "blink", NULL};
    static const char *const node_states[] = {"off", "running", "hung", NULL};
    static const char *const can_states[] = {"stopped",       "error-active", "error-warning",
                                             "error-passive", "bus-off",      NULL};
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= SIM_VALUE_TEXT) {
        return scn_fail_value(c, v, "expected a string of at most %u characters",
                              SIM_VALUE_TEXT - 1);
    }
    const char *const *allowed = s->kind == SIM_SUBJ_LED          ? led_states
                                 : s->kind == SIM_SUBJ_NODE_STATE ? node_states
                                 : s->kind == SIM_SUBJ_CAN_STATE  ? can_states
                                                                  : NULL;
    /* events.jsonl spells controller states with '_' ("error_active"): accept that spelling
     * too, so a state copied from a trace works in an assertion. */
    char text[SIM_VALUE_TEXT];
    memcpy(text, v->valuestring, strlen(v->valuestring) + 1);
    for (char *p = text; s->kind == SIM_SUBJ_CAN_STATE && *p != '\0'; p++) {
        *p = *p == '_' ? '-' : *p;
    }
    bool ok = allowed == NULL;
    for (size_t i = 0; allowed != NULL && allowed[i] != NULL; i++) {
        ok = ok || strcmp(text, allowed[i]) == 0;
    }
    if (!ok) {
        return scn_fail_value(c, v, "\"%s\" is not a state of subject \"%s\"", v->valuestring,
                              scn_subject_label(s));
    }
    if (s->kind == SIM_SUBJ_MASTER) {
        int rc = master_text(c, v);
        if (rc != 0) {
            return rc;
        }
    }
    memcpy(out, text, strlen(text) + 1);
    return 0;
}

static int value_of(scn_ctx_t *c, const cJSON *v, const sim_subject_t *s, sim_value_t *out) {
    out->type = sim_subject_type(s->kind);
    switch (out->type) {
        case SIM_VAL_BOOL:
            if (!cJSON_IsBool(v)) {
                return scn_fail_value(c, v, "expected true or false, got %s", scn_type_name(v));
            }
            out->b = cJSON_IsTrue(v);
            return 0;
        case SIM_VAL_NUM:
            return number_value(c, v, &out->num_micro);
        case SIM_VAL_TEXT:
            return text_value(c, v, s, out->text);
        case SIM_VAL_COLOUR:
            return scn_colour_value(c, v, &out->rgb);
        case SIM_VAL_NONE:
            break;
    }
    return 0;
}

static int range_value(scn_ctx_t *c, const cJSON *v, sim_cond_t *cond) {
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
        return scn_fail_value(c, v, "expected [low, high]");
    }
    int rc = value_of(c, v->child, &cond->subj, &cond->value);
    rc = rc ? rc : value_of(c, v->child->next, &cond->subj, &cond->value_hi);
    if (rc == 0 && cond->value.num_micro > cond->value_hi.num_micro) {
        return scn_fail_value(c, v, "the low end is above the high end");
    }
    return rc;
}

/* The one comparison key of obj, or a scn_fail_* code. */
static int find_op(scn_ctx_t *c, const cJSON *obj, const cJSON **found, size_t *op) {
    *found = NULL;
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        for (size_t i = 0; i < N_OPS; i++) {
            if (strcmp(m->string, ops[i]) != 0) {
                continue;
            }
            if (*found != NULL) {
                return scn_fail_key(c, m, "second comparison (already \"%s\"); give one",
                                    (*found)->string);
            }
            *found = m;
            *op = i;
        }
    }
    if (*found == NULL) {
        return scn_fail_value(c, obj,
                              "no comparison (expected one of: eq, ne, lt, le, gt, ge, in)");
    }
    return 0;
}

int scn_cond_compare(scn_ctx_t *c, const cJSON *obj, sim_cond_t *cond) {
    const cJSON *m = NULL, *tol = cJSON_GetObjectItemCaseSensitive(obj, "tolerance");
    size_t op = 0;
    int rc = find_op(c, obj, &m, &op);
    if (rc != 0) {
        return rc;
    }
    cond->op = (sim_cmp_op_t)op;
    bool numeric = sim_subject_type(cond->subj.kind) == SIM_VAL_NUM;
    if (!numeric && cond->op != SIM_CMP_EQ && cond->op != SIM_CMP_NE) {
        return scn_fail_key(c, m, "subject \"%s\" is not a number: only eq and ne compare it",
                            scn_subject_label(&cond->subj));
    }
    rc = cond->op == SIM_CMP_IN ? range_value(c, m, cond)
                                : value_of(c, m, &cond->subj, &cond->value);
    if (rc == 0 && tol != NULL) {
        if (!numeric || (cond->op != SIM_CMP_EQ && cond->op != SIM_CMP_NE)) {
            return scn_fail_key(c, tol, "only valid with eq or ne on a number");
        }
        rc = number_value(c, tol, &cond->tol_micro);
        if (rc == 0 && cond->tol_micro < 0) {
            return scn_fail_value(c, tol, "expected a tolerance of 0 or more");
        }
    }
    return rc;
}

/* id/mask as in the timeline's match object. */
static int read_id(scn_ctx_t *c, const cJSON *v, uint32_t *out) {
    uint64_t x = 0;
    int rc = cJSON_IsString(v)   ? scn_parse_hex(v->valuestring, &x)
             : cJSON_IsNumber(v) ? scn_parse_uint_text(scn_doc_value_text(c->doc, v), &x)
                                 : -SIM_EFORMAT;
    if (rc != 0 || x > SIM_CAN_EXT_ID_MASK) {
        return scn_fail_value(c, v, "expected an identifier such as \"0x300\" (at most 29 bits)");
    }
    *out = (uint32_t)x;
    return 0;
}

/* "01??FF": hex bytes, "??" for a byte that may be anything. */
static int data_pattern(scn_ctx_t *c, const cJSON *v, sim_subject_t *s) {
    const char *p = cJSON_GetStringValue(v);
    size_t n = p != NULL ? strlen(p) : 1;
    if (p == NULL || n % 2 != 0 || n > 16) {
        return scn_fail_value(c, v, "expected up to 8 hex bytes, \"??\" for any: \"01??FF\"");
    }
    for (size_t i = 0; i < n / 2; i++) {
        char pair[5] = {'0', 'x', p[2 * i], p[2 * i + 1], '\0'};
        uint64_t b = 0;
        if (pair[2] == '?' && pair[3] == '?') {
            continue;
        }
        if (scn_parse_hex(pair, &b) != 0) {
            return scn_fail_value(c, v, "expected up to 8 hex bytes, \"??\" for any: \"01??FF\"");
        }
        s->data[i] = (uint8_t)b;
        s->data_mask[i] = 0xFF;
    }
    s->item = (int)(n / 2); /* frames shorter than the pattern do not match */
    return 0;
}

int scn_frame_match(scn_ctx_t *c, const cJSON *obj, sim_subject_t *s) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    const cJSON *mask = cJSON_GetObjectItemCaseSensitive(obj, "mask");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(obj, "ext");
    const cJSON *since = cJSON_GetObjectItemCaseSensitive(obj, "since");
    int rc = id != NULL ? read_id(c, id, &s->match_id) : 0;
    rc = rc || mask == NULL ? rc : read_id(c, mask, &s->match_mask);
    if (mask == NULL) {
        s->match_mask = id != NULL ? SIM_CAN_EXT_ID_MASK : 0;
    }
    rc = rc || data == NULL ? rc : data_pattern(c, data, s);
    if (rc == 0 && ext != NULL) {
        if (!cJSON_IsBool(ext)) {
            return scn_fail_value(c, ext, "expected true or false, got %s", scn_type_name(ext));
        }
        s->ext = cJSON_IsTrue(ext);
    }
    if (rc == 0 && !s->ext && id != NULL && s->match_id > SIM_CAN_STD_ID_MASK) {
        return scn_fail_value(c, id, "0x%X is not an 11-bit identifier (add \"ext\": true)",
                              (unsigned)s->match_id);
    }
    if (rc == 0 && since != NULL) {
        rc = cJSON_IsString(since)
                 ? scn_time_value(c, since, &s->since_ns)
                 : scn_fail_value(c, since, "expected a time such as \"10s\", got %s",
                                  scn_type_name(since));
    }
    return rc;
}
