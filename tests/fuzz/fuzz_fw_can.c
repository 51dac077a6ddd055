/*
 * fuzz_fw_can.c: the firmware's CAN receive path and command dispatch (firmware/alfaspark/
 * node.c, commands.h) on arbitrary identifiers and payloads, with timer ticks in between.
 *
 * The core boots on the fake HAL with a healthy BMS and CT load, then runs a script of steps
 * taken from the input (fuzz_stream_t). The low three bits of a step byte choose:
 *   0..3  a received frame: identifier 0..0x7FF (two bytes), or with step bit 3 an offset into
 *         the command range 0x201..0x27F (one byte); with bit 4 the EXT/RTR flags from the
 *         input; DLC 0..8 and any data; bit 5 addresses the frame to every node (byte 0 = 0x7F)
 *   4     the fake clock runs 0..5.1 s (control ticks, sub-ticks, ADC bursts, BMS polls)
 *   5     the CAN controller changes state (any state, any TEC)
 *   6     a time broadcast on 0x7FF with fields reduced to valid ranges (TOU, grid-limit resets)
 *   7     an ANN from another node with an 8-byte payload from the input (election, collisions)
 *
 * Invariants, beyond those of fuzz_fw_common.h (well-formed ACKs, relays written only by the
 * arbitration pass of the control tick):
 *   - a frame is answered by exactly one ACK if and only if it is a command for this node (data
 *     frame, standard id 0x201..0x27F, DLC >= 2, target 0x7F or the own NodeID) and the
 *     controller took the ACK; the ACK echoes the low id byte and the sequence number;
 *   - the status follows spec §9.10: 4 for an id outside the table, 1 for a wrong argument
 *     length (table written here from the spec), else 0, 2 or 3;
 *   - a command that does not answer 0 changes no setting and writes nothing to NVS;
 *   - the NodeID stays in 0..126.
 */
#include <string.h>

#include "commands.h"
#include "fuzz_fw_common.h"
#include "fuzz_target.h"
#include "fw_state.h"

#define MAX_STEPS 256u

/* Argument lengths of 0x201..0x20F, spec §9.10. */
static const uint8_t args_len[15] = {1, 1, 1, 1, 1, 2, 0, 2, 1, 4, 2, 1, 2, 0, 2};

static bool same_settings(const fw_settings_t *a, const fw_settings_t *b) {
    return a->mode_mask == b->mode_mask && a->eco_limit_w == b->eco_limit_w &&
           a->grid_limit_kwh == b->grid_limit_kwh && memcmp(a->tou, b->tou, 4) == 0 &&
           a->sc_low_pct == b->sc_low_pct && a->sc_high_pct == b->sc_high_pct;
}

static int expected_status(const hal_can_frame_t *f) {
    if (f->id < FW_CMD_SET_SELF_CONSUMPTION || f->id > FW_CMD_FACTORY_RESET) {
        return FW_CMD_UNKNOWN;
    }
    return f->dlc - 2 == args_len[f->id - FW_CMD_SET_SELF_CONSUMPTION] ? -1 : FW_CMD_BAD_LENGTH;
}

/* The ACKs among the frames sent since the last check, with the last one in *ack. */
static unsigned count_acks(const hal_can_frame_t **ack) {
    unsigned n = 0;
    for (size_t i = 0; i < fake_hal_can_tx_count(); i++) {
        const hal_can_frame_t *f = &fake_hal_can_tx(i)->f;
        if ((f->id & ~0x7Fu) == FW_CAN_ACK_BASE) {
            *ack = f;
            n++;
        }
    }
    return n;
}

static void check_answer(const hal_can_frame_t *f, bool is_cmd, bool dropped,
                         const fw_settings_t *set_was, uint32_t nvs_was) {
    const hal_can_frame_t *ack = NULL;
    unsigned acks = count_acks(&ack);
    FUZZ_CHECK(acks == (is_cmd && !dropped ? 1u : 0u), "%u ACKs for frame %03X dlc %u (cmd %d)",
               acks, (unsigned)f->id, (unsigned)f->dlc, is_cmd);
    if (acks == 0u) {
        return;
    }
    FUZZ_CHECK(ack->data[0] == (f->id & 0xFFu) && ack->data[1] == f->data[1],
               "ACK %02X %02X for command %03X seq %02X", (unsigned)ack->data[0],
               (unsigned)ack->data[1], (unsigned)f->id, (unsigned)f->data[1]);
    int want = expected_status(f);
    uint8_t st = ack->data[2];
    FUZZ_CHECK(want < 0 ? (st == FW_CMD_OK || st == FW_CMD_BAD_VALUE || st == FW_CMD_REFUSED)
                        : st == want,
               "command %03X dlc %u: status %u, expected %d", (unsigned)f->id, (unsigned)f->dlc,
               (unsigned)st, want);
    if (st != FW_CMD_OK) {
        FUZZ_CHECK(same_settings(set_was, &fw_state.set), "status %u changed a setting",
                   (unsigned)st);
        FUZZ_CHECK(fake_hal_nvs_total_writes() == nvs_was, "status %u wrote NVS", (unsigned)st);
    }
}

static void receive(const hal_can_frame_t *f) {
    bool is_cmd = (f->flags & (HAL_CAN_FLAG_EXT | HAL_CAN_FLAG_RTR)) == 0u &&
                  f->id >= FW_CAN_CMD_FIRST && f->id <= FW_CAN_CMD_LAST && f->dlc >= 2u &&
                  (f->data[0] == FW_NODE_BROADCAST || f->data[0] == fw_state.el.self_id);
    fw_settings_t set_was = fw_state.set;
    uint32_t nvs_was = fake_hal_nvs_total_writes();
    uint32_t dropped_was = fw_state.can.tx_dropped;
    fuzz_fw_check(true); /* what earlier steps sent is not this frame's answer */
    fw_on_can_rx(f);
    /* REQUEST_STATUS sends pages after the ACK: only the first send can be the ACK's. */
    bool dropped = fw_state.can.tx_dropped != dropped_was &&
                   fake_hal_can_count_id(FW_CAN_ACK_BASE + fw_state.el.self_id) == 0u;
    check_answer(f, is_cmd, dropped, &set_was, nvs_was);
    fuzz_fw_check(false);
}

static void frame_step(fuzz_stream_t *in, uint8_t op) {
    hal_can_frame_t f;
    memset(&f, 0, sizeof f);
    if (op & 0x08u) {
        f.id = FW_CAN_CMD_FIRST + fuzz_u8(in) % (FW_CAN_CMD_LAST - FW_CAN_CMD_FIRST + 1u);
    } else {
        f.id = fuzz_u16(in) & 0x7FFu;
    }
    if (op & 0x10u) {
        f.flags = fuzz_u8(in) & (HAL_CAN_FLAG_EXT | HAL_CAN_FLAG_RTR);
    }
    f.dlc = fuzz_u8(in) % 9u;
    for (unsigned i = 0; i < f.dlc; i++) {
        f.data[i] = fuzz_u8(in);
    }
    if ((op & 0x20u) && f.dlc > 0u) {
        f.data[0] = FW_NODE_BROADCAST;
    }
    receive(&f);
}

static void time_step(fuzz_stream_t *in) {
    hal_can_frame_t f = {.id = FW_CAN_TIME_ID, .dlc = 5};
    f.data[0] = fuzz_u8(in) % 24u;                 /* hour */
    f.data[1] = (uint8_t)(1u + fuzz_u8(in) % 31u); /* day */
    f.data[2] = fuzz_u8(in) % 60u;                 /* minute */
    f.data[3] = (uint8_t)(1u + fuzz_u8(in) % 12u); /* month */
    f.data[4] = fuzz_u8(in);                       /* year - 2000 */
    receive(&f);
}

static void ann_step(fuzz_stream_t *in) {
    hal_can_frame_t f = {.id = FW_CAN_ANN_BASE + fuzz_u8(in) % FW_NODE_BROADCAST, .dlc = 8};
    for (unsigned i = 0; i < 8u; i++) {
        f.data[i] = fuzz_u8(in);
    }
    f.data[0] = (uint8_t)(1u + (f.data[0] & 1u)); /* DeviceType: pack or gateway */
    receive(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_stream_t in = {data, size, 0};
    fuzz_fw_boot(FAKE_BMS_OK);
    for (unsigned step = 0; step < MAX_STEPS && fuzz_left(&in) > 0u; step++) {
        uint8_t op = fuzz_u8(&in);
        switch (op & 0x07u) {
            case 4:
                fuzz_fw_run_ms((uint32_t)fuzz_u8(&in) * 20u);
                break;
            case 5: {
                hal_can_state_t st = (hal_can_state_t)(fuzz_u8(&in) % 6u);
                fake_hal_can_set_state(st, fuzz_u8(&in));
                fuzz_fw_check(false);
                break;
            }
            case 6:
                time_step(&in);
                break;
            case 7:
                ann_step(&in);
                break;
            default:
                frame_step(&in, op);
                break;
        }
        FUZZ_CHECK(fw_state.el.self_id < FW_NODE_BROADCAST, "NodeID %u",
                   (unsigned)fw_state.el.self_id);
    }
    return 0;
}
