/*
 * panel_input.c: the vocabulary of operator inputs: names, descriptions and the speed ladder.
 */
#include "panel_input.h"

#include <stdio.h>
#include <string.h>

/* x0.1 .. x1000 in 1-2-5 steps, then "as fast as possible" beyond the top. */
static const uint32_t speed_ladder_milli[] = {
    100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000,
};
#define LADDER_LEN (sizeof speed_ladder_milli / sizeof speed_ladder_milli[0])

panel_input_t panel_input_make(panel_input_kind_t kind) {
    panel_input_t in;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    in.node = -1;
    return in;
}

bool panel_input_is_operator(panel_input_kind_t kind) {
    return kind >= PANEL_IN_COMMAND && kind <= PANEL_IN_LOAD_SCALE;
}

const char *panel_input_name(panel_input_kind_t kind) {
    static const char *const names[] = {
        "none",  "quit",       "pause",   "step",        "step_event",
        "speed", "seek",       "command", "power_cycle", "power",
        "hang",  "can_unplug", "grid",    "pv_scale",    "load_scale",
    };
    if ((unsigned)kind < sizeof names / sizeof names[0]) {
        return names[kind];
    }
    return "unknown";
}

const char *panel_command_name(uint16_t can_id) {
    switch (can_id) {
        case PANEL_CMD_SET_SELF:
            return "SET_SELF_CONSUMPTION";
        case PANEL_CMD_SET_ECO:
            return "SET_ECO";
        case PANEL_CMD_SET_TOU:
            return "SET_TOU";
        case PANEL_CMD_SET_BACKUP:
            return "SET_BACKUP";
        case PANEL_CMD_SET_GRID_LIMIT_MODE:
            return "SET_GRID_LIMIT_MODE";
        case PANEL_CMD_SET_ECO_LIMIT:
            return "SET_ECO_LIMIT";
        case PANEL_CMD_RESET_GRID_ENERGY:
            return "RESET_GRID_ENERGY";
        case PANEL_CMD_SET_GRID_LIMIT_KWH:
            return "SET_GRID_LIMIT_KWH";
        case PANEL_CMD_SET_TOU_WINDOW:
            return "SET_TOU_WINDOW";
        case PANEL_CMD_SET_RELAY:
            return "SET_RELAY";
        case PANEL_CMD_SET_MODE_MASK:
            return "SET_MODE_MASK";
        case PANEL_CMD_SET_SC_THRESHOLDS:
            return "SET_SC_THRESHOLDS";
        case PANEL_CMD_REQUEST_STATUS:
            return "REQUEST_STATUS";
        default:
            return "CMD";
    }
}

static void describe_command(const panel_input_t *in, char *buf, size_t len) {
    char target[8];
    if (in->target == PANEL_NODE_ID_ALL) {
        snprintf(target, sizeof target, "all");
    } else {
        snprintf(target, sizeof target, "%u", (unsigned)in->target);
    }
    int n = snprintf(buf, len, "command %s (0x%03X) to %s:", panel_command_name(in->can_id),
                     (unsigned)in->can_id, target);
    for (unsigned i = 0; i < in->n_args && i < PANEL_ARGS_MAX && n > 0 && (size_t)n < len; i++) {
        n += snprintf(buf + n, len - (size_t)n, " %02X", (unsigned)in->args[i]);
    }
}

void panel_input_describe(const panel_input_t *in, char *buf, size_t len) {
    if (len == 0) {
        return;
    }
    char speed[16];
    const char *name = panel_input_name(in->kind);
    switch (in->kind) {
        case PANEL_IN_COMMAND:
            describe_command(in, buf, len);
            break;
        case PANEL_IN_SPEED:
            panel_speed_format(in->speed_milli, speed, sizeof speed);
            snprintf(buf, len, "speed %s", speed);
            break;
        case PANEL_IN_SEEK:
            snprintf(buf, len, "seek %lld ns", (long long)in->t_ns);
            break;
        case PANEL_IN_PAUSE:
        case PANEL_IN_GRID:
            snprintf(buf, len, "%s %s", name, in->on ? "on" : "off");
            break;
        case PANEL_IN_POWER:
        case PANEL_IN_CAN_UNPLUG:
            snprintf(buf, len, "%s node %d %s", name, in->node, in->on ? "on" : "off");
            break;
        case PANEL_IN_POWER_CYCLE:
        case PANEL_IN_HANG:
            snprintf(buf, len, "%s node %d", name, in->node);
            break;
        case PANEL_IN_PV_SCALE:
        case PANEL_IN_LOAD_SCALE:
            snprintf(buf, len, "%s %ld %%", name, (long)in->scale_pct);
            break;
        case PANEL_IN_NONE:
        case PANEL_IN_QUIT:
        case PANEL_IN_STEP:
        case PANEL_IN_STEP_EVENT:
        default:
            snprintf(buf, len, "%s", name);
            break;
    }
}

uint32_t panel_speed_step(uint32_t speed_milli, int dir) {
    if (dir > 0) {
        if (speed_milli == PANEL_SPEED_ASAP) {
            return PANEL_SPEED_ASAP;
        }
        for (size_t i = 0; i < LADDER_LEN; i++) {
            if (speed_ladder_milli[i] > speed_milli) {
                return speed_ladder_milli[i];
            }
        }
        return PANEL_SPEED_ASAP; /* past x1000: as fast as possible */
    }
    if (dir < 0) {
        if (speed_milli == PANEL_SPEED_ASAP) {
            return speed_ladder_milli[LADDER_LEN - 1];
        }
        for (size_t i = LADDER_LEN; i-- > 0;) {
            if (speed_ladder_milli[i] < speed_milli) {
                return speed_ladder_milli[i];
            }
        }
        return speed_ladder_milli[0];
    }
    return speed_milli;
}

void panel_speed_format(uint32_t speed_milli, char *buf, size_t len) {
    if (speed_milli == PANEL_SPEED_ASAP) {
        snprintf(buf, len, "max");
        return;
    }
    unsigned whole = speed_milli / 1000u;
    unsigned frac = speed_milli % 1000u;
    if (frac == 0) {
        snprintf(buf, len, "x%u", whole);
    } else if (frac % 100u == 0) {
        snprintf(buf, len, "x%u.%u", whole, frac / 100u);
    } else if (frac % 10u == 0) {
        snprintf(buf, len, "x%u.%02u", whole, frac / 10u);
    } else {
        snprintf(buf, len, "x%u.%03u", whole, frac);
    }
}
