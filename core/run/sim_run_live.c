/*
 * sim_run_live.c: the frame loop of a run with a front end (sim_run_ui.h).
 *
 *   ┌─▶ advance ── kernel to the next stop (paced by the bridge's pacer at the chosen speed;
 *   │              a live bridge is pumped at every 1 ms slice end before the stop)
 *   │   boundary ─ snapshot → ui->frame; inputs: run control, operator actions (scheduled at
 *   │              (now, SIM_PRIO_OPERATOR) and run at once); then the bridge's pump at now
 *   └── idle ───── paused or finished (window only): wait a frame, servicing a live bridge
 *
 * The next stop is the earliest of: the run's end, the next instant the front end wants a
 * frame at, and (with a window) one frame's worth of virtual time: 1/60 s times the speed, or
 * at "as fast as possible" whatever the host computes in about one frame, measured as it goes.
 *
 * Run control never touches the world: pause stops advancing, step advances 100 ms (or to the
 * next event batch) and pauses, speed re-initialises the pacer, seek in a replay runs forward
 * unpaced or, backwards, asks the caller to rebuild the world and run it unpaced to the target
 * (runs are cheap; a model cannot run backwards). Quit ends the frames; the rest of the run is
 * then computed unpaced so that the run folder covers the whole duration (sim_run.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_int.h"

#define FRAME_HOST_NS     16666667LL /* 60 frames a second */
#define IDLE_MS           16u
#define STEP_NS           (100 * SIM_NS_PER_MS)
#define SLICE_NS          SIM_NS_PER_MS
#define ASAP_CHUNK_MIN_NS SIM_NS_PER_MS
#define ASAP_CHUNK_MAX_NS (3600 * SIM_NS_PER_S)
#define MESSAGE_FRAMES    180u /* about 3 s with a window */

struct sim_run_live {
    const sim_run_ui_t *ui;
    bool replay;          /* the replay view: seekable, operator actions refused */
    bool paused, quit;    /* run control */
    bool stopped;         /* a bridge stopped the run (sim_bridge.h cfg.stop_on) */
    uint32_t speed_milli; /* PANEL_SPEED_ASAP or a pacer factor */
    sim_pacer_t pacer;
    sim_time_ns_t seek_ns;       /* where a rebuilt world first runs to; -1: nowhere */
    sim_time_ns_t asap_chunk_ns; /* virtual time per frame at "as fast as possible" */
    sim_time_ns_t last_frame_ns; /* virtual time of the last frame, -1 before the first */
    char message[PANEL_TEXT_MAX];
    unsigned message_frames;
    panel_snapshot_t snap;
};

int sim_run_live_create(const sim_run_cfg_t *cfg, struct sim_run_live **out) {
    SIM_ASSERT(cfg->ui != NULL && cfg->ui->frame != NULL && cfg->ui->poll != NULL &&
               cfg->ui->next_due != NULL && (!cfg->ui->window || cfg->ui->idle != NULL));
    struct sim_run_live *l = calloc(1, sizeof *l);
    if (l == NULL) {
        return -SIM_ENOMEM;
    }
    l->ui = cfg->ui;
    l->replay = cfg->replay_events != NULL;
    /* A window shows real time unless told otherwise; headless runs as fast as it can. */
    l->speed_milli = cfg->realtime_milli ? cfg->realtime_milli : cfg->ui->window ? 1000u : 0u;
    sim_pacer_init(&l->pacer, l->speed_milli);
    l->seek_ns = -1;
    l->asap_chunk_ns = 100 * SIM_NS_PER_MS;
    *out = l;
    return 0;
}

void sim_run_live_destroy(struct sim_run_live *l) {
    free(l);
}

static void say(struct sim_run_live *l, const char *msg) {
    snprintf(l->message, sizeof l->message, "%s", msg);
    l->message_frames = MESSAGE_FRAMES;
}

static bool live_bridge(const sim_world_t *w) {
    return w->bridge != NULL && w->cfg->replay_events == NULL;
}

/* A kernel call's result as the run sees it (execute() in sim_run.c does the same). */
static int after_run(sim_world_t *w, int rc) {
    if (rc == -SIM_ECANCELED && w->bridge != NULL && sim_bridge_stopped(w->bridge)) {
        w->live->stopped = true;
        return 0;
    }
    if (rc != 0) {
        return w->err_rc != 0 ? w->err_rc : w->err[0] ? -SIM_EIO : rc;
    }
    return sim_run__trace_check(w);
}

/* ---- advancing ------------------------------------------------------------------------------ */

/*
 * Runs the kernel to t, paced or not. A live bridge is pumped at every slice end before t, not
 * at t: the pump at t comes after the frame's operator actions (sim_run_operator.h).
 */
static int advance(sim_world_t *w, sim_time_ns_t t, bool paced) {
    struct sim_run_live *l = w->live;
    sim_pacer_t *p = paced && l->speed_milli != PANEL_SPEED_ASAP ? &l->pacer : NULL;
    sim_time_ns_t now = sim_kernel_now(w->k);
    int rc = 0;
    if (!live_bridge(w)) {
        /* One slice: the pacer waits until t is due, then the kernel runs up to it. */
        return after_run(w, sim_bridge_run_until(w->k, NULL, p, t, t > now ? t - now : 0));
    }
    if (t - now > SLICE_NS) {
        rc = sim_bridge_run_until(w->k, w->bridge, p, t - SLICE_NS, SLICE_NS);
    }
    if (rc == 0) {
        rc = sim_bridge_run_until(w->k, NULL, p, t, SLICE_NS);
    }
    return after_run(w, rc);
}

static sim_time_ns_t frame_chunk_ns(const struct sim_run_live *l) {
    if (l->speed_milli == PANEL_SPEED_ASAP) {
        return l->asap_chunk_ns;
    }
    int64_t ns = (int64_t)l->speed_milli * FRAME_HOST_NS / 1000;
    return ns > 0 ? ns : 1;
}

/* The next instant the front end wants a frame at, not counting the frame just drawn. */
static sim_time_ns_t next_due(const sim_world_t *w) {
    const struct sim_run_live *l = w->live;
    sim_time_ns_t now = sim_kernel_now(w->k);
    return l->ui->next_due(l->ui->ctx, l->last_frame_ns == now ? now + 1 : now);
}

/* Keeps "as fast as possible" near one frame of host time per frame. */
static void adapt_chunk(struct sim_run_live *l, uint64_t host_ns) {
    if (host_ns < (uint64_t)FRAME_HOST_NS / 2 && l->asap_chunk_ns < ASAP_CHUNK_MAX_NS) {
        l->asap_chunk_ns *= 2;
    } else if (host_ns > (uint64_t)FRAME_HOST_NS * 3 / 2 && l->asap_chunk_ns > ASAP_CHUNK_MIN_NS) {
        l->asap_chunk_ns /= 2;
    }
}

/* ---- the frame ------------------------------------------------------------------------------ */

static void status_text(const sim_world_t *w, bool finished, char *out, size_t len) {
    struct sim_run_live *l = w->live;
    size_t failed = sim_assert_failures(w->asserts);
    out[0] = '\0';
    if (l->message_frames > 0) {
        l->message_frames--;
        snprintf(out, len, "%s", l->message);
    } else if (finished && l->replay) {
        snprintf(out, len, "end of the recording: Home or the timeline to go back, q to quit");
    } else if (finished) {
        snprintf(out, len, "run finished: q writes the run folder and quits");
    } else if (failed > 0) {
        snprintf(out, len, "%zu assertion%s failed so far", failed, failed == 1 ? "" : "s");
    }
}

static void draw(sim_world_t *w) {
    struct sim_run_live *l = w->live;
    panel_snapshot_t *s = &l->snap;
    memset(s, 0, sizeof *s);
    sim_run_panel_fill(w, s);
    s->view = l->replay ? PANEL_VIEW_REPLAY : PANEL_VIEW_RUN;
    s->end_ns = w->cfg->duration_ns;
    s->finished = s->t_ns >= s->end_ns;
    s->paused = l->paused;
    s->speed_milli = l->speed_milli;
    status_text(w, s->finished, s->status, sizeof s->status);
    l->ui->frame(l->ui->ctx, s);
    l->last_frame_ns = s->t_ns;
}

/* ---- inputs --------------------------------------------------------------------------------- */

static int operator_input(sim_world_t *w, const panel_input_t *in) {
    struct sim_run_live *l = w->live;
    char why[PANEL_TEXT_MAX];
    if (l->replay) {
        say(l, "a replay repeats the recorded session: operator actions are not taken");
        return 0;
    }
    if (sim_kernel_now(w->k) >= w->cfg->duration_ns) {
        say(l, "the run is finished: operator actions are not taken");
        return 0;
    }
    if (sim_run_operator_submit(w, in, why, sizeof why) != 0) {
        say(l, why);
        return 0;
    }
    return after_run(w, sim_kernel_run_until(w->k, sim_kernel_now(w->k)));
}

/* Step and next event: run unpaced to t (at most the end), then pause. */
static int step_to(sim_world_t *w, sim_time_ns_t t) {
    sim_time_ns_t end = w->cfg->duration_ns;
    w->live->paused = true;
    return advance(w, t < end ? t : end, false);
}

static int seek(sim_world_t *w, sim_time_ns_t t) {
    struct sim_run_live *l = w->live;
    sim_time_ns_t now = sim_kernel_now(w->k), end = w->cfg->duration_ns;
    t = t < 0 ? 0 : (t > end ? end : t);
    if (!l->replay) {
        say(l, "seeking works in a replay: alfasim replay DIR --panel");
        return 0;
    }
    if (t < now) {
        l->seek_ns = t;
        return SIM_RUN_LIVE_RESTART;
    }
    sim_pacer_init(&l->pacer, l->speed_milli); /* re-anchor at the new instant */
    return advance(w, t, false);
}

static int control_input(sim_world_t *w, const panel_input_t *in) {
    struct sim_run_live *l = w->live;
    bool headless = !l->ui->window;
    if (headless && (in->kind == PANEL_IN_PAUSE || in->kind == PANEL_IN_STEP ||
                     in->kind == PANEL_IN_STEP_EVENT)) {
        say(l, "headless: the run does not pause (frames come only at the instants asked for)");
        return 0;
    }
    switch (in->kind) {
        case PANEL_IN_QUIT:
            l->quit = true;
            return 0;
        case PANEL_IN_PAUSE:
            if (l->paused && !in->on) {
                sim_pacer_rebase(&l->pacer, sim_bridge_host_now_ns(), sim_kernel_now(w->k));
            }
            l->paused = in->on;
            return 0;
        case PANEL_IN_STEP:
            return step_to(w, sim_time_add(sim_kernel_now(w->k), STEP_NS));
        case PANEL_IN_STEP_EVENT:
            return step_to(w, sim_kernel_next_time(w->k));
        case PANEL_IN_SPEED:
            l->speed_milli =
                in->speed_milli <= SIM_PACER_FACTOR_MAX_MILLI ? in->speed_milli : l->speed_milli;
            sim_pacer_init(&l->pacer, l->speed_milli);
            return 0;
        case PANEL_IN_SEEK:
            return seek(w, in->t_ns);
        default:
            return 0;
    }
}

static int inputs(sim_world_t *w) {
    struct sim_run_live *l = w->live;
    panel_input_t in;
    int rc = 0;
    while (rc == 0 && !l->stopped && l->ui->poll(l->ui->ctx, &in) > 0) {
        rc = sim_run_operator_kind_name(in.kind) != NULL ? operator_input(w, &in)
                                                         : control_input(w, &in);
    }
    return rc;
}

/* A frame (with its inputs) when wanted, then the bridge's pump at this instant. */
static int boundary(sim_world_t *w, bool frame) {
    int rc = 0;
    if (frame) {
        draw(w);
        rc = inputs(w);
    }
    if (rc == 0 && !w->live->stopped && live_bridge(w) &&
        sim_bridge_pump(w->bridge) == -SIM_ECANCELED) {
        w->live->stopped = true;
    }
    return rc;
}

/* ---- the loop ------------------------------------------------------------------------------- */

static int tick_window(sim_world_t *w, sim_time_ns_t end) {
    struct sim_run_live *l = w->live;
    sim_time_ns_t now = sim_kernel_now(w->k);
    if (!l->paused && now < end) {
        sim_time_ns_t t = sim_time_add(now, frame_chunk_ns(l)), due = next_due(w);
        t = t < due ? t : due;
        uint64_t h0 = sim_bridge_host_now_ns();
        int rc = advance(w, t < end ? t : end, true);
        if (rc != 0) {
            return rc;
        }
        if (l->speed_milli == PANEL_SPEED_ASAP) {
            adapt_chunk(l, sim_bridge_host_now_ns() - h0);
        }
    }
    int rc = boundary(w, true);
    if (rc == 0 && !l->quit && (l->paused || sim_kernel_now(w->k) >= end)) {
        if (live_bridge(w)) {
            rc = sim_bridge_service(w->bridge, (int)IDLE_MS);
        } else {
            l->ui->idle(l->ui->ctx, IDLE_MS);
        }
    }
    return rc;
}

/* Headless: frames only at the instants the front end names; done at the end. */
static int tick_headless(sim_world_t *w, sim_time_ns_t end) {
    struct sim_run_live *l = w->live;
    sim_time_ns_t now = sim_kernel_now(w->k), due = next_due(w);
    if (due <= now) {
        return boundary(w, true);
    }
    if (now >= end) {
        l->quit = true;
        return 0;
    }
    int rc = advance(w, due < end ? due : end, true);
    return rc == 0 ? boundary(w, sim_kernel_now(w->k) == due) : rc;
}

/* Where a (re)built world starts: time 0, or the target of a seek back. */
static int start(sim_world_t *w, sim_time_ns_t end) {
    struct sim_run_live *l = w->live;
    sim_time_ns_t t = l->seek_ns > 0 ? (l->seek_ns < end ? l->seek_ns : end) : 0;
    l->seek_ns = -1;
    l->last_frame_ns = -1;
    l->stopped = false;
    l->quit = false;
    int rc = advance(w, t, false);
    sim_pacer_init(&l->pacer, l->speed_milli);
    return rc;
}

/* After quit: the rest of the run, unpaced and without frames. */
static int finish(sim_world_t *w, sim_time_ns_t end) {
    if (w->live->stopped) {
        return 0;
    }
    int rc = advance(w, end, false);
    if (rc == 0 && !w->live->stopped && live_bridge(w)) {
        (void)sim_bridge_pump(w->bridge);
        (void)sim_bridge_drain(w->bridge, 2000); /* frames still bound for the host */
    }
    return rc;
}

int sim_run_live_execute(sim_world_t *w) {
    struct sim_run_live *l = w->live;
    sim_time_ns_t end = w->cfg->duration_ns;
    int rc = start(w, end);
    while (rc == 0 && !l->quit && !l->stopped) {
        rc = l->ui->window ? tick_window(w, end) : tick_headless(w, end);
    }
    if (rc == SIM_RUN_LIVE_RESTART) {
        return rc;
    }
    if (l->ui->frames_done != NULL) {
        l->ui->frames_done(l->ui->ctx);
    }
    return rc == 0 ? finish(w, end) : rc;
}
