/*
 * panel_cmd.h: the panel's command prompt (Return or ':' opens it), for the actions that take a
 * value: limits, windows, thresholds, scales, speeds, seek times.
 *
 * One line, words separated by spaces, case-insensitive. Gateway commands go to the panel's
 * target (the selected node's NodeID, or every pack); node actions need a selected node.
 *
 *   self|eco|tou|backup|gridlimit on|off    mode commands (SET_SELF_CONSUMPTION .. GRID_LIMIT)
 *   mode MASK                               SET_MODE_MASK (0..255, decimal or 0x..)
 *   eco-limit W                             SET_ECO_LIMIT (0..65535 W)
 *   grid-limit KWH                          SET_GRID_LIMIT_KWH (0..255; the firmware checks 2..30)
 *   tou-window HH:MM HH:MM                  SET_TOU_WINDOW (start, end)
 *   thresholds LOW HIGH                     SET_SC_THRESHOLDS (%)
 *   relay 1..4 on|off|auto                  SET_RELAY (override, or back to automatic)
 *   reset-energy | status                   RESET_GRID_ENERGY | REQUEST_STATUS
 *   target all|N|NAME                       select every pack, node N (1-based) or by name
 *   cycle | hang | unplug | plug | power on|off     node actions on the selected node
 *   grid up|down | pv PCT | load PCT        world actions (PCT 0..PANEL_SCALE_MAX_PCT)
 *   speed 0.1..1000|max | pause | resume | step | next | seek TIME | quit
 *
 * Values are checked as the app would check them (ranges of the wire fields); what the firmware
 * then accepts or refuses (a NACK) is the simulation's business. TIME is a number with an
 * optional unit (ms, s, m, h; default s), e.g. "90", "12.5s", "3m".
 */
#ifndef PANEL_CMD_H
#define PANEL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "panel_input.h"
#include "panel_snapshot.h"

typedef struct {
    bool has_input;
    panel_input_t input;
    bool select; /* "target": change the selection to node (-1 = all) */
    int node;
} panel_cmd_result_t;

/**
 * Parses one prompt line against the current snapshot and selection (-1 = all).
 * @retval 0            *out filled (an input, a selection change, or both empty for a blank line)
 * @retval -SIM_EINVAL  unknown command or bad value: err holds a one-line reason with the usage
 */
int panel_cmd_parse(const char *line, const panel_snapshot_t *snap, int selected,
                    panel_cmd_result_t *out, char *err, size_t errlen);

#endif
