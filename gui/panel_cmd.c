/*
 * panel_cmd.c: the command prompt's language (see panel_cmd.h), one table row per command.
 */
#include "panel_cmd.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim_types.h"

#define MAX_WORDS 5

typedef struct {
    char buf[PANEL_TEXT_MAX];
    const char *w[MAX_WORDS];
    int n;
    const panel_snapshot_t *snap;
    int selected;
    char *err;
    size_t errlen;
} ctx_t;

typedef int (*cmd_fn)(const ctx_t *c, panel_cmd_result_t *out);

static int fail(const ctx_t *c, const char *usage) {
    snprintf(c->err, c->errlen, "usage: %s", usage);
    return -SIM_EINVAL;
}

static bool parse_uint(const char *s, uint32_t max, uint32_t *out) {
    int base = 10;
    if (s[0] == '0' && s[1] == 'x' && s[2] != '\0') {
        base = 16;
        s += 2;
    }
    uint64_t v = 0;
    for (; *s; s++) {
        int d = isdigit((unsigned char)*s) ? *s - '0'
                                           : (isxdigit((unsigned char)*s) ? *s - 'a' + 10 : 99);
        if (d >= base || v > max) {
            return false;
        }
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = (uint32_t)v;
    return v <= max;
}

static bool parse_onoff(const char *s, bool *on) {
    *on = strcmp(s, "on") == 0 || strcmp(s, "up") == 0;
    return *on || strcmp(s, "off") == 0 || strcmp(s, "down") == 0;
}

/* "12.5" with up to `decimals` decimals into value x 10^decimals; false if malformed. */
static bool parse_fixed(const char **s, int decimals, uint64_t limit, uint64_t *out) {
    uint64_t v = 0;
    int digits = 0, frac = -1;
    for (; isdigit((unsigned char)**s) || (**s == '.' && frac < 0); (*s)++) {
        if (**s == '.') {
            frac = 0;
            continue;
        }
        if (frac >= decimals || v > limit) {
            return false;
        }
        v = v * 10u + (uint64_t)(**s - '0');
        digits++;
        frac += frac >= 0 ? 1 : 0;
    }
    for (int f = frac < 0 ? 0 : frac; f < decimals; f++) {
        v *= 10u;
    }
    *out = v;
    return digits > 0 && v <= limit;
}

/* The command target: the selected node's NodeID, or every pack. */
static int target_of(const ctx_t *c, uint8_t *target) {
    *target = PANEL_NODE_ID_ALL;
    if (c->selected < 0) {
        return 0;
    }
    const panel_node_t *n = &c->snap->nodes[c->selected];
    if (n->node_id == PANEL_NODE_ID_UNKNOWN) {
        snprintf(c->err, c->errlen, "%s has no NodeID yet; target all, or wait for its ANN",
                 n->name);
        return -SIM_EINVAL;
    }
    *target = n->node_id;
    return 0;
}

static int command(const ctx_t *c, panel_cmd_result_t *out, uint16_t id, const uint8_t *args,
                   uint8_t n_args) {
    panel_input_t in = panel_input_make(PANEL_IN_COMMAND);
    int rc = target_of(c, &in.target);
    if (rc != 0) {
        return rc;
    }
    in.can_id = id;
    in.n_args = n_args;
    if (n_args > 0) {
        memcpy(in.args, args, n_args);
    }
    out->has_input = true;
    out->input = in;
    return 0;
}

static int cmd_mode_flag(const ctx_t *c, panel_cmd_result_t *out) {
    static const struct {
        const char *name;
        uint16_t id;
    } flags[] = {{"self", PANEL_CMD_SET_SELF},
                 {"eco", PANEL_CMD_SET_ECO},
                 {"tou", PANEL_CMD_SET_TOU},
                 {"backup", PANEL_CMD_SET_BACKUP},
                 {"gridlimit", PANEL_CMD_SET_GRID_LIMIT_MODE}};
    bool on;
    if (c->n != 2 || !parse_onoff(c->w[1], &on)) {
        return fail(c, "self|eco|tou|backup|gridlimit on|off");
    }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(c->w[0], flags[i].name) == 0) {
            uint8_t arg = on ? 1u : 0u;
            return command(c, out, flags[i].id, &arg, 1);
        }
    }
    return fail(c, "self|eco|tou|backup|gridlimit on|off");
}

static int cmd_mode(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t v;
    if (c->n != 2 || !parse_uint(c->w[1], 255, &v)) {
        return fail(c, "mode MASK (0..255; bit0 self, 1 eco, 2 tou, 3 backup, 4 gridlimit)");
    }
    uint8_t arg = (uint8_t)v;
    return command(c, out, PANEL_CMD_SET_MODE_MASK, &arg, 1);
}

static int cmd_eco_limit(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t v;
    if (c->n != 2 || !parse_uint(c->w[1], 65535, &v)) {
        return fail(c, "eco-limit W (0..65535)");
    }
    uint8_t args[2] = {(uint8_t)(v >> 8), (uint8_t)v}; /* big-endian on the wire */
    return command(c, out, PANEL_CMD_SET_ECO_LIMIT, args, 2);
}

static int cmd_grid_limit(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t v;
    if (c->n != 2 || !parse_uint(c->w[1], 255, &v)) {
        return fail(c, "grid-limit KWH (0..255)");
    }
    uint8_t arg = (uint8_t)v;
    return command(c, out, PANEL_CMD_SET_GRID_LIMIT_KWH, &arg, 1);
}

static bool parse_hhmm(const char *s, uint8_t *h, uint8_t *m) {
    const char *colon = strchr(s, ':');
    char hh[4] = "", mm[4] = "";
    if (!colon || colon - s < 1 || colon - s > 2 || strlen(colon + 1) != 2) {
        return false;
    }
    memcpy(hh, s, (size_t)(colon - s));
    memcpy(mm, colon + 1, 2);
    uint32_t hv, mv;
    if (!parse_uint(hh, 23, &hv) || !parse_uint(mm, 59, &mv)) {
        return false;
    }
    *h = (uint8_t)hv;
    *m = (uint8_t)mv;
    return true;
}

static int cmd_tou_window(const ctx_t *c, panel_cmd_result_t *out) {
    uint8_t a[4];
    if (c->n != 3 || !parse_hhmm(c->w[1], &a[0], &a[1]) || !parse_hhmm(c->w[2], &a[2], &a[3])) {
        return fail(c, "tou-window HH:MM HH:MM (start end; equal = no window)");
    }
    return command(c, out, PANEL_CMD_SET_TOU_WINDOW, a, 4);
}

static int cmd_thresholds(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t lo, hi;
    if (c->n != 3 || !parse_uint(c->w[1], 255, &lo) || !parse_uint(c->w[2], 255, &hi)) {
        return fail(c, "thresholds LOW HIGH (%)");
    }
    uint8_t a[2] = {(uint8_t)lo, (uint8_t)hi};
    return command(c, out, PANEL_CMD_SET_SC_THRESHOLDS, a, 2);
}

static int cmd_relay(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t r;
    uint8_t a[2];
    if (c->n != 3 || !parse_uint(c->w[1], 4, &r) || r < 1) {
        return fail(c, "relay 1..4 on|off|auto");
    }
    a[0] = (uint8_t)(r - 1);
    if (strcmp(c->w[2], "on") == 0) {
        a[1] = PANEL_RELAY_CLOSE;
    } else if (strcmp(c->w[2], "off") == 0) {
        a[1] = PANEL_RELAY_OPEN;
    } else if (strcmp(c->w[2], "auto") == 0) {
        a[1] = PANEL_RELAY_AUTO;
    } else {
        return fail(c, "relay 1..4 on|off|auto");
    }
    return command(c, out, PANEL_CMD_SET_RELAY, a, 2);
}

static int cmd_plain(const ctx_t *c, panel_cmd_result_t *out) {
    if (c->n != 1) {
        return fail(c, "reset-energy | status");
    }
    uint16_t id =
        strcmp(c->w[0], "status") == 0 ? PANEL_CMD_REQUEST_STATUS : PANEL_CMD_RESET_GRID_ENERGY;
    return command(c, out, id, NULL, 0);
}

static bool name_matches(const char *name, const char *word) {
    for (; *name && *word; name++, word++) {
        if (tolower((unsigned char)*name) != *word) {
            return false;
        }
    }
    return *name == '\0' && *word == '\0';
}

static int cmd_target(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t n;
    if (c->n != 2) {
        return fail(c, "target all|N|NAME");
    }
    out->select = true;
    out->node = -1;
    if (strcmp(c->w[1], "all") == 0) {
        return 0;
    }
    if (parse_uint(c->w[1], PANEL_NODES_MAX, &n) && n >= 1 && n <= c->snap->n_nodes) {
        out->node = (int)n - 1;
        return 0;
    }
    for (unsigned i = 0; i < c->snap->n_nodes; i++) {
        if (name_matches(c->snap->nodes[i].name, c->w[1])) {
            out->node = (int)i;
            return 0;
        }
    }
    out->select = false;
    snprintf(c->err, c->errlen, "no node '%s' on the panel", c->w[1]);
    return -SIM_EINVAL;
}

static int node_action(const ctx_t *c, panel_cmd_result_t *out, panel_input_kind_t kind, bool on) {
    if (c->selected < 0) {
        snprintf(c->err, c->errlen, "%s needs a node: select one first (1-9, Tab, click, target)",
                 c->w[0]);
        return -SIM_EINVAL;
    }
    out->has_input = true;
    out->input = panel_input_make(kind);
    out->input.node = c->selected;
    out->input.on = on;
    return 0;
}

static int cmd_node(const ctx_t *c, panel_cmd_result_t *out) {
    bool on = false;
    if (strcmp(c->w[0], "power") == 0) {
        if (c->n != 2 || !parse_onoff(c->w[1], &on)) {
            return fail(c, "power on|off");
        }
        return node_action(c, out, PANEL_IN_POWER, on);
    }
    if (c->n != 1) {
        return fail(c, "cycle | hang | unplug | plug");
    }
    if (strcmp(c->w[0], "cycle") == 0) {
        return node_action(c, out, PANEL_IN_POWER_CYCLE, false);
    }
    if (strcmp(c->w[0], "hang") == 0) {
        return node_action(c, out, PANEL_IN_HANG, false);
    }
    return node_action(c, out, PANEL_IN_CAN_UNPLUG, strcmp(c->w[0], "unplug") == 0);
}

static int cmd_world(const ctx_t *c, panel_cmd_result_t *out) {
    uint32_t pct;
    bool up;
    if (strcmp(c->w[0], "grid") == 0) {
        if (c->n != 2 || !parse_onoff(c->w[1], &up)) {
            return fail(c, "grid up|down");
        }
        out->input = panel_input_make(PANEL_IN_GRID);
        out->input.on = up;
    } else {
        if (c->n != 2 || !parse_uint(c->w[1], PANEL_SCALE_MAX_PCT, &pct)) {
            return fail(c, "pv PCT | load PCT (0..500)");
        }
        bool pv = strcmp(c->w[0], "pv") == 0;
        out->input = panel_input_make(pv ? PANEL_IN_PV_SCALE : PANEL_IN_LOAD_SCALE);
        out->input.scale_pct = (int32_t)pct;
    }
    out->has_input = true;
    return 0;
}

static int cmd_speed(const ctx_t *c, panel_cmd_result_t *out) {
    uint64_t milli = 0;
    const char *s = c->n == 2 ? c->w[1] : "";
    out->input = panel_input_make(PANEL_IN_SPEED);
    if (strcmp(s, "max") == 0) {
        out->input.speed_milli = PANEL_SPEED_ASAP;
    } else if (parse_fixed(&s, 3, 1000000, &milli) && *s == '\0' && milli >= 100) {
        out->input.speed_milli = (uint32_t)milli;
    } else {
        return fail(c, "speed 0.1..1000|max");
    }
    out->has_input = true;
    return 0;
}

static int cmd_seek(const ctx_t *c, panel_cmd_result_t *out) {
    static const struct {
        const char *unit;
        int64_t ns_per_milli; /* the value parses with 3 decimals */
    } units[] = {{"", 1000000}, {"s", 1000000}, {"ms", 1000}, {"m", 60000000}, {"h", 3600000000}};
    uint64_t v = 0;
    const char *s = c->n == 2 ? c->w[1] : "";
    if (!parse_fixed(&s, 3, (uint64_t)400 * 86400 * 1000, &v)) {
        return fail(c, "seek TIME (e.g. 90, 12.5s, 3m)");
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].unit) == 0) {
            out->input = panel_input_make(PANEL_IN_SEEK);
            out->input.t_ns = (int64_t)v * units[i].ns_per_milli;
            out->has_input = true;
            return 0;
        }
    }
    return fail(c, "seek TIME (e.g. 90, 12.5s, 3m)");
}

static int cmd_run(const ctx_t *c, panel_cmd_result_t *out) {
    static const struct {
        const char *name;
        panel_input_kind_t kind;
        bool on;
    } runs[] = {{"pause", PANEL_IN_PAUSE, true},
                {"resume", PANEL_IN_PAUSE, false},
                {"step", PANEL_IN_STEP, false},
                {"next", PANEL_IN_STEP_EVENT, false},
                {"quit", PANEL_IN_QUIT, false}};
    for (size_t i = 0; c->n == 1 && i < sizeof runs / sizeof runs[0]; i++) {
        if (strcmp(c->w[0], runs[i].name) == 0) {
            out->input = panel_input_make(runs[i].kind);
            out->input.on = runs[i].on;
            out->has_input = true;
            return 0;
        }
    }
    return fail(c, "pause | resume | step | next | quit");
}

static const struct {
    const char *name;
    cmd_fn fn;
} commands[] = {
    {"self", cmd_mode_flag},
    {"eco", cmd_mode_flag},
    {"tou", cmd_mode_flag},
    {"backup", cmd_mode_flag},
    {"gridlimit", cmd_mode_flag},
    {"mode", cmd_mode},
    {"eco-limit", cmd_eco_limit},
    {"grid-limit", cmd_grid_limit},
    {"tou-window", cmd_tou_window},
    {"thresholds", cmd_thresholds},
    {"relay", cmd_relay},
    {"reset-energy", cmd_plain},
    {"status", cmd_plain},
    {"target", cmd_target},
    {"cycle", cmd_node},
    {"hang", cmd_node},
    {"unplug", cmd_node},
    {"plug", cmd_node},
    {"power", cmd_node},
    {"grid", cmd_world},
    {"pv", cmd_world},
    {"load", cmd_world},
    {"speed", cmd_speed},
    {"seek", cmd_seek},
    {"pause", cmd_run},
    {"resume", cmd_run},
    {"step", cmd_run},
    {"next", cmd_run},
    {"quit", cmd_run},
};

/* Lower-cases the line into c->buf and splits it into words; false if there are too many. */
static bool split_words(ctx_t *c, const char *line) {
    size_t n = 0;
    for (; line[n] && n < sizeof c->buf - 1; n++) {
        char ch = (char)tolower((unsigned char)line[n]);
        c->buf[n] = (ch == '\t') ? ' ' : ch;
    }
    c->buf[n] = '\0';
    c->n = 0;
    for (char *s = c->buf; *s;) {
        while (*s == ' ') {
            *s++ = '\0';
        }
        if (*s == '\0') {
            break;
        }
        if (c->n == MAX_WORDS) {
            return false;
        }
        c->w[c->n++] = s;
        while (*s && *s != ' ') {
            s++;
        }
    }
    return true;
}

int panel_cmd_parse(const char *line, const panel_snapshot_t *snap, int selected,
                    panel_cmd_result_t *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->input = panel_input_make(PANEL_IN_NONE);
    ctx_t c = {.snap = snap, .selected = selected, .err = err, .errlen = errlen};
    if (selected >= (int)snap->n_nodes) {
        c.selected = -1;
    }
    if (!split_words(&c, line)) {
        snprintf(err, errlen, "too many words (at most %d)", MAX_WORDS);
        return -SIM_EINVAL;
    }
    if (c.n == 0) {
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(c.w[0], commands[i].name) == 0) {
            return commands[i].fn(&c, out);
        }
    }
    snprintf(err, errlen, "unknown command '%s' (F1 lists them)", c.w[0]);
    return -SIM_EINVAL;
}
