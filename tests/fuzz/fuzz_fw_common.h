/*
 * fuzz_fw_common.h: what the firmware fuzz targets share: booting the Alfaspark core on the fake
 * HAL (tests/support/fake_hal.h) and the invariants checked after every entry point.
 *
 * The core and the fake HAL are single instances (the core's fw_state, the fake's one device),
 * so each input starts from fuzz_fw_boot(): a fake HAL reset and fw_init(), which clears fw_state
 * completely. Inputs are therefore independent of one another.
 *
 * fuzz_fw_check() verifies, over everything that happened since the previous check:
 *   - every frame the core sent is a classic standard data frame with DLC <= 8, in one of the
 *     identifier ranges the core owns (TEL, aggregate, ACK, ANN, event, spec §9);
 *   - every ACK is well-formed: 0x280 + own NodeID, DLC 4, status 0..4, byte 3 the mode mask;
 *   - the mode mask only holds known modes, never Self-Consumption together with Backup;
 *   - relays are written by the arbitration pass only: never during a receive callback, a relay
 *     is written only when its state changes, the core's write counter matches the pins, and
 *     each pin reads what the core believes it drove.
 * Then it forgets the frames and GPIO edges it has checked.
 */
#ifndef FUZZ_FW_COMMON_H
#define FUZZ_FW_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_hal.h"

/** Boots a fresh node: fake HAL reset, the BMS answering in `bms`, some CT load, fw_init(). */
void fuzz_fw_boot(fake_bms_mode_t bms);

/**
 * Checks the invariants above. `relays_may_change` is true only after running the fake clock
 * (timers, among them the control tick); after a receive callback it is false.
 */
void fuzz_fw_check(bool relays_may_change);

/** Runs the fake clock `ms` milliseconds in steps of at most 2 s, checking after each step. */
void fuzz_fw_run_ms(uint32_t ms);

#endif
