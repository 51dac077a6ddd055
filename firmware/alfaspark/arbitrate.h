/*
 * arbitrate.h: the one relay arbitration pass per control tick (spec §7.6, D1, D2). It is the
 * only code that writes relays.
 *
 * Relay by relay, the first rule that applies wins:
 *
 *   R1 grid      1 GRID_LIMIT_EXHAUSTED -> DISCONNECTED  2 Backup -> CONNECTED
 *                3 Self-Consumption -> hysteresis state  4 manual override  5 CONNECTED
 *   R2 inverter  1 TOU on with a window: clock valid -> window state, else keep R2's state
 *                2 Eco last-stage shed -> DISCONNECTED   3 manual override  4 CONNECTED
 *   R3 pool,     1 Eco shed -> DISCONNECTED              2 manual override  3 CONNECTED
 *   R4 heater
 *
 * Relays are logical: true = CONNECTED. hal_gpio_write(HAL_SIG_RELAY_*, connected) drives them;
 * the port maps that to the board's polarity. The core writes no relay before the first tick
 * (which runs at start-up); afterwards a relay is written only when its state changes.
 */
#ifndef FW_ARBITRATE_H
#define FW_ARBITRATE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    FW_RELAY_GRID = 0, /* R1 */
    FW_RELAY_INVERTER, /* R2 */
    FW_RELAY_POOL,     /* R3 */
    FW_RELAY_HEATER,   /* R4 */
    FW_RELAY_COUNT
} fw_relay_t;

/** Manual override per relay (SET_RELAY state byte + 1; RAM only). */
typedef enum {
    FW_OVR_NONE = 0,
    FW_OVR_DISCONNECTED,
    FW_OVR_CONNECTED,
} fw_override_t;

/** What the rules look at, gathered once per pass. */
typedef struct {
    uint8_t mode_mask;
    bool grid_latched;
    bool sc_connected; /* Self-Consumption hysteresis state */
    bool tou_window;   /* TOU has a window (start != end) */
    bool clock_valid;
    bool tou_inside; /* local time is inside the window */
    bool eco_shed[FW_RELAY_COUNT];
} fw_arb_input_t;

typedef struct {
    uint8_t override[FW_RELAY_COUNT]; /* fw_override_t */
    bool state[FW_RELAY_COUNT];       /* as driven; CONNECTED before the first pass */
    bool driven;                      /* the first pass has written every relay */
    uint32_t writes;
} fw_relays_t;

/** Resets to boot state: no overrides, every relay CONNECTED, nothing driven yet. */
void fw_relays_init(fw_relays_t *r);

/** The rule table: the state each relay should have now. */
void fw_arbitrate_compute(const fw_arb_input_t *in, const fw_relays_t *r, bool out[FW_RELAY_COUNT]);

/** True when a rule above the manual override currently decides `relay` (SET_RELAY status 3). */
bool fw_arbitrate_masked(const fw_arb_input_t *in, unsigned relay);

/** Computes and drives the relays (all on the first pass, then only changes). */
void fw_arbitrate_apply(const fw_arb_input_t *in, fw_relays_t *r);

/** Relay mask for TEL page 3: bit k = relay k CONNECTED. */
uint8_t fw_relays_mask(const fw_relays_t *r);

#endif
