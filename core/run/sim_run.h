/*
 * sim_run.h: one simulation run of a loaded scenario, from empty kernel to committed run folder.
 *
 * sim_run_scenario() builds the world the scenario describes (kernel with the seed, the CAN bus,
 * one node host per node with its own plugin copy, an external sender for injected frames, trace
 * writers), schedules the power-on of every node and the timeline, runs virtual time to the
 * duration, and writes the run folder: bus.log, bus.pcap, events.jsonl, signals.vcd and
 * report.json, all inside "<out>.partial" until everything succeeded, then renamed to <out>.
 * On any failure nothing is left behind.
 *
 * The only host facts it touches are the wall-clock duration, the optional progress callback and,
 * for a bridged, paced or interactive run, the host clock that paces it; none of them reaches
 * the traces: frames from a bridge and the operator's actions in the panel are recorded at the
 * virtual time they enter the simulation, so a replay (cfg.replay_events) gives the same traces
 * without the outside world.
 *
 * With cfg.ui (sim_run_ui.h) the run is shown and steered by a front end. It still runs to the
 * whole duration: when the operator quits early the rest runs unpaced, so the run folder is
 * complete and its replay, which runs the recorded duration, gives the same digest.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_report.h"
#include "sim_run_ui.h"
#include "sim_scenario.h"

typedef struct {
    const sim_scenario_t *scn;
    uint64_t seed;             /* the seed in effect (scenario's or the command line's) */
    sim_time_ns_t duration_ns; /* the duration in effect */
    /**
     * A run cut short (`alfasim run --until`): the duration the run was cut from, greater than
     * duration_ns. The report then says verdict CUT (ERROR still wins), carries cut_from_ns and
     * marks every assertion whose window reaches past the cut as open (sim_report.h). 0, or not
     * greater than duration_ns: a complete run (a changed duration, --duration, is not a cut).
     */
    sim_time_ns_t cut_from_ns;
    const char *out_dir; /* the run folder to create */
    bool pcap;           /* also write bus.pcap */
    const char *repro;   /* one-line command that reproduces the run (copied to the report) */
    /**
     * Called about every simulated second when set, and every 100 ms (now_ns 0) while a bridged
     * run waits for its socketcand client; host-side display and interrupt checks only.
     */
    void (*progress)(void *ctx, sim_time_ns_t now_ns, sim_time_ns_t end_ns);
    void *progress_ctx;
    /** Host wall clock in ms for the report's wall_ms (NULL: 0). Never reaches the traces. */
    uint64_t (*wall_ms)(void);
    /* ---- live runs (a bridge to real CAN, real-time pacing) and their replay ---- */
    const char *bridge;      /* "socketcan:IFACE" or "socketcand:HOST:PORT", or NULL */
    uint32_t realtime_milli; /* pacing factor in thousandths (1000 = real time); 0 = unpaced,
                                except that a bridged run defaults to real time */
    uint32_t bridge_wait_ms; /* socketcand: wait this long for a client before starting */
    /**
     * Replay: the events.jsonl of a recorded run whose bridge frames and operator actions are
     * injected again.
     */
    const char *replay_events;
    /**
     * A front end (the panel) that shows the run and steers it, or NULL. The caller keeps it
     * alive during the call. With replay_events set it shows a replay: its timeline can be
     * scrubbed and operator actions are refused.
     */
    const sim_run_ui_t *ui;
    /** Run each node's firmware in a child process: a crash is a node fault, not our crash. */
    bool isolate;
} sim_run_cfg_t;

/**
 * Runs the scenario and fills *report (the caller frees it with sim_report_clear).
 * @retval 0            the run completed; report->verdict says pass, fail, error (a node
 *                      fault) or, for a run cut short (cfg.cut_from_ns), cut
 * @retval -SIM_EIO     the run folder could not be written (message in err)
 * @retval -SIM_EFORMAT a node's plugin could not be loaded, or a replayed record (bridge frame,
 *                      operator action) is malformed
 * @retval -SIM_ENOTSUP the requested bridge is unavailable (exit 69; message in err)
 * @retval other <0     internal error (message in err)
 */
int sim_run_scenario(const sim_run_cfg_t *cfg, sim_report_t *report, char *err, size_t errlen);

#endif
