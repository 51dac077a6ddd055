/*
 * sim_run_ui.h: an interactive front end on a run (the SDL panel), as the run layer drives it.
 *
 * A run whose cfg.ui is set executes frame by frame (sim_run_live.c) instead of in plain 1 s
 * slices. At each frame the run layer fills a panel_snapshot_t from the world and hands it to
 * ui->frame(), then takes the front end's inputs (ui->poll) until there are none:
 *
 *   run control   pause, step, next event, speed, seek, quit: only when and how fast virtual
 *                 time advances; never recorded.
 *   operator      commands, power, hang, CAN unplug, grid, PV and load scales: kernel events at
 *                 the frame's virtual time, recorded in events.jsonl (sim_run_operator.h), so
 *                 `alfasim replay` repeats the session without any front end.
 *
 * The front end sees snapshots only, never the world; the run layer never sees SDL.
 *
 * Frames. With a window (ui->window) frames follow the host clock, about 60 a second, each
 * advancing virtual time by 1/60 s times the speed under the bridge's pacer; while paused or
 * finished, frames keep coming and ui->idle waits between them. Headless (no window), frames
 * happen only at the instants the front end asks for through ui->next_due (screenshots,
 * scripted inputs), and virtual time runs unpaced unless cfg.realtime_milli is set. Either way
 * every instant next_due names gets a frame at exactly that virtual time, after every event up
 * to and including it.
 *
 * None of this changes results: the kernel computes the same events however the run is sliced,
 * the snapshot reads the world without changing it (its bus observer only counts and copies),
 * and the only inputs that reach the simulation are the recorded operator actions. A run's
 * digest is the same with and without a front end, at any speed.
 *
 * The snapshot and input types are the panel's plain-data headers (integers and fixed strings,
 * no SDL), included by path: the gui/ include directory is exported only by the sim_gui
 * library, which is built only when SDL2 was found, and the run layer must build without it.
 */
#ifndef SIM_RUN_UI_H
#define SIM_RUN_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "../../gui/panel_input.h"
#include "../../gui/panel_snapshot.h"
#include "sim_types.h"

typedef struct {
    void *ctx;
    /** A window: frames paced in host time. false: frames only at next_due instants. */
    bool window;
    /**
     * One frame: draw `snap` (valid during the call only). Screenshots due at snap->t_ns and
     * scripted inputs due by then are the front end's business here, before the inputs are
     * polled.
     */
    void (*frame)(void *ctx, const panel_snapshot_t *snap);
    /** The next input: 1 and *in set, or 0 when there is none. */
    int (*poll)(void *ctx, panel_input_t *in);
    /**
     * The earliest virtual time >= from_ns at which the front end still wants a frame, or
     * SIM_TIME_NEVER. An instant stops being wanted once frame() was called at or after it.
     */
    sim_time_ns_t (*next_due)(void *ctx, sim_time_ns_t from_ns);
    /** Waits about `ms` of host time between frames while nothing advances (window only). */
    void (*idle)(void *ctx, uint32_t ms);
    /**
     * Optional: the frames are over (quit, or the end of a headless run); the front end may
     * close its window. Nothing else of this interface is called after it.
     */
    void (*frames_done)(void *ctx);
} sim_run_ui_t;

#endif
