/*
 * sim_run_operator.h: the operator's actions from the panel, as recorded, replayable kernel
 * events.
 *
 * An operator action (panel_input_t of the operator family) is turned into the scenario action
 * that does the same thing (sim_scn_action_t) and run through the timeline's own path
 * (sim_run_apply_action), so a click and the same line in a scenario's timeline have the same
 * effect and leave the same "action" line. Before it, one "operator" line records the input
 * itself, with every field, in a form read back exactly:
 *
 *   {"t_ns":T,"type":"operator","kind":"command","id":"0x206","target":127,"args":"0DAC"}
 *   {"t_ns":T,"type":"operator","node":"pack2","kind":"power_cycle"}
 *   {"t_ns":T,"type":"operator","node":"pack2","kind":"power","on":false}
 *   {"t_ns":T,"type":"operator","node":"pack2","kind":"hang"}
 *   {"t_ns":T,"type":"operator","node":"pack2","kind":"can_unplug","on":true}
 *   {"t_ns":T,"type":"operator","kind":"grid","on":false}          on = mains present
 *   {"t_ns":T,"type":"operator","kind":"pv_scale","pct":40}
 *   {"t_ns":T,"type":"operator","kind":"load_scale","pct":150}
 *
 * Where an action enters. A live run takes inputs between kernel calls: after
 * sim_kernel_run_until(T) every event up to T has run, and before the bridge's pump at T. The
 * action is then scheduled at (T, SIM_PRIO_OPERATOR) and run at once with run_until(T), with
 * whatever it starts at T. A replay schedules the recorded actions up front at the same
 * (T, SIM_PRIO_OPERATOR): every other event of T runs first, then the action and what it starts
 * at T, then the bridge's injections of T at SIM_PRIO_BRIDGE, the order the live run had. Two
 * actions of one instant keep their order (the kernel's sequence numbers).
 *
 * Power cycles keep the node off for 1 s, the timeline's default. Commands go through the
 * scenario's Orange Pi gateway when it has one (as the app does), else through the run layer's
 * external sender, which then joins the bus at that instant (in the replay too).
 */
#ifndef SIM_RUN_OPERATOR_H
#define SIM_RUN_OPERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "sim_run_ui.h"
#include "sim_scenario.h"
#include "sim_trace.h"

/*
 * After every event of its instant except the bridge's injections (SIM_PRIO_BRIDGE =
 * INT32_MAX), which a live run pumps after the frame's inputs. No other module may use it.
 */
#define SIM_PRIO_OPERATOR (INT32_MAX - 1)

/** How long a power cycle keeps the node off. */
#define SIM_RUN_OPERATOR_CYCLE_OFF_NS SIM_NS_PER_S

/** Operator actions one run accepts; later ones are refused. */
#define SIM_RUN_OPERATOR_MAX 100000u

/** The record's "kind" ("command", "power_cycle", ...), or NULL for a run-control input. */
const char *sim_run_operator_kind_name(panel_input_kind_t kind);

/**
 * Checks an operator input against the scenario (node index, a firmware node for hang, command
 * identifier 0x201..0x27F, arguments, target, scales 0..PANEL_SCALE_MAX_PCT).
 * 0, or -SIM_EINVAL with a one-line reason in why.
 */
int sim_run_operator_check(const sim_scenario_t *scn, const panel_input_t *in, char *why,
                           size_t whylen);

/** The scenario action that does what `in` asks (in must pass the check). */
void sim_run_operator_action(const sim_scenario_t *scn, const panel_input_t *in,
                             sim_scn_action_t *out);

/** Writes the "operator" line of `in` at t_ns (node named after the scenario's node). */
void sim_run_operator_record(sim_trace_t *t, sim_time_ns_t t_ns, const sim_scenario_t *scn,
                             const panel_input_t *in);

/**
 * Parses one events.jsonl line.
 * @retval 1            an operator line: *t_ns and *out set (and checked)
 * @retval 0            some other line
 * @retval -SIM_EFORMAT an operator line that is malformed or does not fit the scenario
 */
int sim_run_operator_parse(const char *line, const sim_scenario_t *scn, sim_time_ns_t *t_ns,
                           panel_input_t *out);

#endif
