/*
 * commands.h: the static command dispatch table on CAN 0x201..0x27F (spec §9.10).
 *
 * Payload: byte 0 target NodeID (0x7F = all), byte 1 sequence number, bytes 2.. arguments. A
 * frame with DLC < 2, or for another target, is ignored without an ACK. Every handled command is
 * answered on 0x280+N with [cmd_id & 0xFF, seq, status, mode mask after the command]. IDs in
 * 0x201..0x27F that are not in the table answer FW_CMD_UNKNOWN. Each handler gets the arguments
 * only (`args`, `len` = DLC - 2), validates length and ranges before changing anything, and
 * returns a status; the table is const, so it lives in flash.
 *
 *   0x201 SET_SELF_CONSUMPTION on      0x209 SET_GRID_LIMIT_KWH kWh (2..30)
 *   0x202 SET_ECO on (3 if limit 0)    0x20A SET_TOU_WINDOW sh sm eh em
 *   0x203 SET_TOU on                   0x20B SET_RELAY index state (0 off, 1 on, 2 release)
 *   0x204 SET_BACKUP on                0x20C SET_MODE_MASK mask
 *   0x205 SET_GRID_LIMIT_MODE on       0x20D SET_SC_THRESHOLDS low high
 *   0x206 SET_ECO_LIMIT W u16          0x20E REQUEST_STATUS (ACK, 4 TEL pages, ANN)
 *   0x207 RESET_GRID_ENERGY            0x20F FACTORY_RESET 0xA5 0x5A
 *   0x208 OTA_TRIGGER major minor (always 3: no transfer protocol yet)
 */
#ifndef FW_COMMANDS_H
#define FW_COMMANDS_H

#include <stdint.h>

#include "hal.h"

enum {
    FW_CMD_OK = 0,
    FW_CMD_BAD_LENGTH = 1,
    FW_CMD_BAD_VALUE = 2,
    FW_CMD_REFUSED = 3, /* overridden or refused */
    FW_CMD_UNKNOWN = 4,
};

enum {
    FW_CMD_SET_SELF_CONSUMPTION = 0x201,
    FW_CMD_SET_ECO = 0x202,
    FW_CMD_SET_TOU = 0x203,
    FW_CMD_SET_BACKUP = 0x204,
    FW_CMD_SET_GRID_LIMIT_MODE = 0x205,
    FW_CMD_SET_ECO_LIMIT = 0x206,
    FW_CMD_RESET_GRID_ENERGY = 0x207,
    FW_CMD_OTA_TRIGGER = 0x208,
    FW_CMD_SET_GRID_LIMIT_KWH = 0x209,
    FW_CMD_SET_TOU_WINDOW = 0x20A,
    FW_CMD_SET_RELAY = 0x20B,
    FW_CMD_SET_MODE_MASK = 0x20C,
    FW_CMD_SET_SC_THRESHOLDS = 0x20D,
    FW_CMD_REQUEST_STATUS = 0x20E,
    FW_CMD_FACTORY_RESET = 0x20F,
};

/** A command frame (id already known to be in 0x201..0x27F): target check, dispatch, ACK. */
void fw_commands_on_frame(const hal_can_frame_t *f);

#endif
