/*
 * panel_blink.h: telling blinking from steady, from the levels the panel sees frame by frame.
 *
 * The snapshot carries levels only (an LED is lit or not, the display shows something or not).
 * At x1 the frames sample a 1 Hz blink 60 times a second and simply drawing the level shows it
 * blinking. At x100 a frame covers seconds of virtual time, the samples alias, and the level
 * alone would flicker at random; so the panel also needs to know that a signal is blinking.
 *
 * Rule: a signal is blinking while its last two observed level changes both lie within the
 * window W = max(PANEL_BLINK_WINDOW_NS, 6 x frame step) before now, where the frame step is the
 * virtual time between the last two distinct frames. A blinking signal is drawn as such (a ring;
 * half intensity when the frame step exceeds PANEL_BLINK_FAST_NS and the real phase cannot be
 * shown). Time going backwards (a replay scrubbed back) or a different node list starts afresh.
 */
#ifndef PANEL_BLINK_H
#define PANEL_BLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "panel_snapshot.h"

#define PANEL_BLINK_WINDOW_NS 2500000000LL /* covers the slowest pattern, 1 s on / 1 s off */
#define PANEL_BLINK_FAST_NS   200000000LL  /* frames further apart than this alias the blink */

/** Signals per node: the three LEDs, then the TM1637 display as a whole. */
enum { PANEL_SIG_DISPLAY = PANEL_LEDS, PANEL_SIGNALS };

typedef struct {
    bool level;
    int64_t last_change_ns, prev_change_ns; /* INT64_MIN: none */
} panel_blink_sig_t;

typedef struct {
    bool started;
    uint8_t n_nodes;
    int64_t last_t_ns;
    int64_t frame_step_ns;
    panel_blink_sig_t sig[PANEL_NODES_MAX][PANEL_SIGNALS];
    /** Registers of the last frame in which the display showed something, per node. */
    uint8_t lit_regs[PANEL_NODES_MAX][PANEL_TM1637_REGS];
} panel_blink_t;

void panel_blink_reset(panel_blink_t *b);
/** Feeds one frame. */
void panel_blink_update(panel_blink_t *b, const panel_snapshot_t *s);
/** True if signal `sig` of node `node` is blinking as of the last frame. */
bool panel_blink_active(const panel_blink_t *b, unsigned node, unsigned sig);
/** True when frames are too far apart in virtual time to show a blink's phase. */
bool panel_blink_aliased(const panel_blink_t *b);
/** Whether node n's display shows anything (on, and some segment lit in its digits). */
bool panel_display_lit(const panel_node_t *n);

#endif
