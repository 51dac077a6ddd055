/*
 * sim_assert.h: the assertion engine, which judges a scenario's assertions in virtual time.
 *
 * The engine reads the assertions the loader checked (sim_scn_check.h) and decides each one
 * exactly once, at a virtual instant, as passed or failed. It observes the simulated world in
 * three ways, all pushed or pulled by the run layer, so the engine knows nothing of nodes,
 * models or plugins:
 *
 *   frames  sim_assert_on_frame(): every good frame on the bus with its sending node. The engine
 *           decodes the election flags (ANN byte 3 bit 0, TEL page 0 status bit 3), NodeIDs,
 *           frame counts and signal values (sim_signals.h) itself.
 *   feeds   sim_assert_on_led(), sim_assert_on_display(), sim_assert_on_pixels(): indicator
 *           changes. The engine keeps their state and tells blinking from steady with the status
 *           LED model's detector (status_leds.h): a display "edge" is its text going blank or
 *           not blank.
 *   probe   cfg.probe(): asked for everything else (relays, plant quantities, NVS write counts,
 *           node state and resets, CAN controller state) when a judgement needs it.
 * Every frame and feed counts as a change. The run layer also calls sim_assert_changed() when
 * something the probe reports may have changed (a relay contact moved, a physics step, a node
 * powered off). Changes are coalesced: one evaluation per instant, at SIM_PRIO_OBSERVE, after
 * everything else at that instant. A sampling event every cfg.sample_ns re-evaluates the open
 * assertions as a safety net for a change nobody reported.
 *
 * Timing. All engine events run at SIM_PRIO_OBSERVE. A window [from, to] is closed at both ends:
 * the event that opens it evaluates at `from`, the one that closes it evaluates again at `to`
 * before deciding, so a change at exactly the window's end is seen. Freshness of the election
 * flags: a node's flag counts while its last flag-carrying frame is at most 5 s old (TEL page 0
 * comes every 2 s), or 125 s for a node that never sent TEL (an announcer, ANN every 60 s); the
 * engine schedules an evaluation when a flag goes stale.
 *
 *   at T               decided at T
 *   always/never       failed at the first instant the condition is false (true); passed at `to`
 *   eventually         passed when the condition holds (for hold_ns, inside [from, to]); failed
 *                      at `to`
 *   within W after X   each trigger X opens [x, x + W]; failed when one closes unsatisfied, or at
 *                      `to` when the trigger never came; passed when the last window closed
 *                      satisfied (a trigger while a window is open is covered by that window)
 * An assertion still open when the run ends (sim_assert_finish) fails: the run was too short.
 *
 * A failure message is one line: scenario, assertion, virtual time, expected vs actual, seed and
 * the command that reproduces it. Not thread-safe; one engine per kernel.
 */
#ifndef SIM_ASSERT_H
#define SIM_ASSERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_can.h"
#include "sim_kernel.h"
#include "sim_report.h"
#include "sim_scenario.h"

#define SIM_ASSERT_TEXT      160u /* expected / actual text */
#define SIM_ASSERT_MESSAGE   768u /* one-line failure message */
#define SIM_ASSERT_PIXELS    64u  /* WS2812 pixels per node */
#define SIM_ASSERT_SAMPLE_NS SIM_NS_PER_S

typedef struct sim_assert sim_assert_t;

/**
 * Fills *out with the present value of a PROBE subject (sim_subject_source() == SIM_SUBJ_PROBE)
 * of the type sim_subject_type() gives. It runs inside a kernel event at SIM_PRIO_OBSERVE and
 * must not change the simulation.
 * @retval 0            *out set (SIM_VAL_NONE is allowed: "not available now", compares false)
 * @retval -SIM_ENOTSUP the run layer cannot observe this subject; the assertion fails saying so
 */
typedef int (*sim_probe_fn)(void *ctx, const sim_subject_t *subj, sim_value_t *out);

typedef enum { SIM_ASSERT_OPEN = 0, SIM_ASSERT_PASSED, SIM_ASSERT_FAILED } sim_assert_status_t;

/** One assertion's outcome; texts are NUL-terminated, deterministic (no host facts). */
typedef struct {
    const char *name; /* the assertion's name (points into the scenario) */
    sim_assert_status_t status;
    sim_time_ns_t t_ns;               /* when it was decided (valid unless OPEN) */
    char expected[SIM_ASSERT_TEXT];   /* "master == \"pack2\" within 130s after 100s" */
    char actual[SIM_ASSERT_TEXT];     /* "\"pack3\"" */
    char message[SIM_ASSERT_MESSAGE]; /* FAILED: the one-line failure message, else "" */
} sim_assert_result_t;

typedef struct {
    const sim_scenario_t *scn; /* assertions and node names; must outlive the engine */
    sim_probe_fn probe;        /* may be NULL when no assertion needs one */
    void *probe_ctx;
    uint64_t seed;           /* the seed in effect, for messages */
    const char *repro;       /* one-line reproduce command, for messages; copied; may be NULL */
    sim_time_ns_t end_ns;    /* the run's end (duration in effect): "to" defaults to it */
    sim_time_ns_t sample_ns; /* safety-net sampling period; 0: SIM_ASSERT_SAMPLE_NS */
    /** Called once per assertion when it is decided (e.g. for events.jsonl); may be NULL. */
    void (*on_result)(void *ctx, const sim_assert_result_t *r);
    void *result_ctx;
} sim_assert_cfg_t;

/**
 * Creates an engine for cfg->scn's assertions (none is fine) and schedules its window events.
 * Call it before running the kernel past time 0.
 * @retval 0, -SIM_EINVAL (no scenario, sample_ns < 0, a PROBE subject without a probe),
 *         -SIM_ENOMEM
 */
int sim_assert_create(sim_kernel_t *k, const sim_assert_cfg_t *cfg, sim_assert_t **out);
/** Cancels its pending events and frees it. NULL is ignored. */
void sim_assert_destroy(sim_assert_t *e);

/* ---- observations -------------------------------------------------------------------------- */

/** Something the probe reports may have changed now: evaluate at this instant (coalesced). */
void sim_assert_changed(sim_assert_t *e);
/** A good frame completed at t_ns (<= now), sent by node `sender` (index, or -1 for none). */
void sim_assert_on_frame(sim_assert_t *e, int sender, const sim_can_frame_t *f, sim_time_ns_t t_ns);
/** Status LED `led` (0 green, 1 yellow, 2 red) of `node` lit or not from t_ns on. */
void sim_assert_on_led(sim_assert_t *e, int node, unsigned led, bool lit, sim_time_ns_t t_ns);
/** The TM1637 of `node` shows `text` (copied, at most 31 characters) from t_ns on. */
void sim_assert_on_display(sim_assert_t *e, int node, const char *text, sim_time_ns_t t_ns);
/** The WS2812 chain of `node` shows these colours (0xRRGGBB, at most 64) from t_ns on. */
void sim_assert_on_pixels(sim_assert_t *e, int node, const uint32_t *rgb, size_t n,
                          sim_time_ns_t t_ns);

/* ---- results ------------------------------------------------------------------------------- */

/**
 * Ends judging at the kernel's present time: every assertion still open fails ("the run ended
 * before ..."). Idempotent.
 */
void sim_assert_finish(sim_assert_t *e);
size_t sim_assert_count(const sim_assert_t *e);
const sim_assert_result_t *sim_assert_result(const sim_assert_t *e, size_t i);
/** Decided assertions that failed so far. */
size_t sim_assert_failures(const sim_assert_t *e);
/**
 * Appends every result to r->asserts (name, passed, t_ns, expected, actual; strings copied) and
 * sets r->verdict to FAIL when one failed (a PASS verdict is left alone otherwise).
 * @retval 0
 * @retval -SIM_ENOMEM  the entries copied so far stay in r (sim_report_clear frees them)
 */
int sim_assert_report(const sim_assert_t *e, sim_report_t *r);

/** The NodeID `node` last sent with (ANN, TEL, ACK, EVT), or -1 if it has sent none. */
int sim_assert_node_id(const sim_assert_t *e, int node);

#endif
