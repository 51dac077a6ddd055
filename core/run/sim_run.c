/*
 * sim_run.c: one run of a scenario (see sim_run.h).
 *
 *   build ── kernel(seed) → bus → trace → nodes (plugin copies validated) → external sender
 *            → bridge → recorded operator actions (replay) → timeline
 *   run   ── timeline + power-ons scheduled; kernel runs to the duration in 1 s slices, or frame
 *            by frame with a front end (sim_run_live.c), which may ask for a rebuild (a replay
 *            scrubbed backwards): then the world is torn down and built again
 *   close ── statistics into the report (a run cut short marks its open assertions and says
 *            verdict cut); trace files closed and committed; report.json written into the
 *            committed folder (or the folder removed if that fails)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "sim_run_int.h"
#include "sim_sha256.h"

/*
 * The TWAI transmit queue the firmware's port configures (twai_general_config_t.tx_queue_len).
 * A control tick queues up to seven frames at once (four TEL pages and three aggregate pages), so
 * the ESP-IDF default of 5 would drop pages every tick; 16 is what ESP32 CAN firmware commonly
 * uses.
 */
#define SIM_RUN_TWAI_TX_QUEUE 16

/* How often a run waiting for its socketcand client looks for an interrupt. */
#define CLIENT_WAIT_STEP_MS 100u

#ifndef SIM_VERSION
#define SIM_VERSION "0.1.0"
#endif

/* Hashes the scenario file for the report (the loader does not). */
static void hash_file(const char *path, char out[65]) {
    uint8_t d[SIM_SHA256_LEN];
    if (sim_sha256_file(path, d) != 0) {
        out[0] = '\0';
        return;
    }
    sim_sha256_hex(d, out);
}

static const sim_scn_board_t *board_of(const sim_scenario_t *s, const sim_scn_node_t *sn) {
    return sn->board >= 0 && (size_t)sn->board < s->n_boards ? &s->boards[sn->board] : NULL;
}

/* Preloads the NVS image the scenario gives a node (written before its first power-on). */
static int preload_nvs(sim_node_t *n, const sim_scn_node_t *sn) {
    for (size_t i = 0; i < sn->n_nvs; i++) {
        const sim_scn_nvs_entry_t *e = &sn->nvs[i];
        int rc = sim_nvs_set(sim_node_nvs(n), e->ns, e->key, e->value, e->len);
        if (rc != 0) {
            return rc;
        }
    }
    sim_nvs_reset_counters(sim_node_nvs(n)); /* the preload is not the firmware's wear */
    return 0;
}

static int build_node(sim_world_t *w, size_t i) {
    const sim_scenario_t *s = w->scn;
    const sim_scn_node_t *sn = &s->nodes[i];
    if (sn->type == SIM_NODE_GATEWAY || sn->type == SIM_NODE_ENERGY_GATEWAY) {
        return sim_run_gw_create(w->k, w->bus, sn, &s->env.calendar, &w->gws[i]);
    }
    sim_node_cfg_t nc = {
        .name = sn->name,
        .plugin_path = sn->plugin,
        .bus = w->bus,
        .trace = w->trace,
        .plugins = w->plugins,
        .can_tx_queue_len = SIM_RUN_TWAI_TX_QUEUE,
        .isolate = w->cfg->isolate,
    };
    memcpy(nc.mac, sn->mac, 6);
    int rc = 0;
    if (sn->type == SIM_NODE_PACK) {
        sim_run_pack_cfg_t pc = {.k = w->k,
                                 .scn_node = sn,
                                 .index = (int)i,
                                 .trace = w->trace,
                                 .asserts = w->asserts,
                                 .board = board_of(s, sn)};
        rc = sim_run_pack_create(&pc, &w->packs[i], w->err, w->errlen);
        nc.rs485 = rc == 0 ? sim_run_pack_line(w->packs[i]) : NULL;
    }
    if (rc == 0) {
        rc = sim_node_create(w->k, &nc, &w->nodes[i], w->err, w->errlen);
    }
    if (rc == 0) {
        rc = preload_nvs(w->nodes[i], sn);
    }
    if (rc == 0 && w->packs[i] != NULL) {
        rc = sim_run_pack_attach(w->packs[i], w->nodes[i]);
    }
    return rc;
}

static int build_nodes(sim_world_t *w) {
    size_t n = w->scn->n_nodes ? w->scn->n_nodes : 1;
    w->nodes = calloc(n, sizeof *w->nodes);
    w->packs = calloc(n, sizeof *w->packs);
    w->gws = calloc(n, sizeof *w->gws);
    w->unplugged = calloc(n, sizeof *w->unplugged);
    w->ctrl_memo = calloc(SIM_RUN_CTRL_MEMO_LEN, sizeof *w->ctrl_memo); /* sim_run_probe.c */
    if (w->nodes == NULL || w->packs == NULL || w->gws == NULL || w->unplugged == NULL ||
        w->ctrl_memo == NULL) {
        return -SIM_ENOMEM;
    }
    for (size_t i = 0; i < w->scn->n_nodes; i++) {
        int rc = build_node(w, i);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static bool needs_external_sender(const sim_scenario_t *s) {
    for (size_t i = 0; i < s->n_actions; i++) {
        const sim_scn_action_t *a = &s->actions[i];
        if (a->kind == SIM_ACT_CAN_SEND || (a->kind == SIM_ACT_COMMAND && a->gateway < 0)) {
            return true;
        }
    }
    return false;
}

/* The wait for a socketcand client, in short steps with a progress call between them: the
 * caller's progress callback is where an interrupt (Ctrl-C) ends the run, and a run that waits
 * for a minute must end on Ctrl-C as promptly as a running one. */
static int wait_for_client(sim_world_t *w) {
    const sim_run_cfg_t *cfg = w->cfg;
    uint32_t left = cfg->bridge_wait_ms;
    for (;;) {
        uint32_t step = left < CLIENT_WAIT_STEP_MS ? left : CLIENT_WAIT_STEP_MS;
        int rc = sim_bridge_wait_ready(w->bridge, step);
        if (rc != -SIM_EAGAIN || step == left) {
            return rc;
        }
        left -= step;
        if (cfg->progress != NULL) {
            cfg->progress(cfg->progress_ctx, 0, cfg->duration_ns);
        }
    }
}

/* A live bridge (--bridge), or the recorded one of a replayed run, sits on the bus like the
 * gateway's USB adapter; it is created where the live run created it, so a replay matches. */
static int open_bridge(sim_world_t *w) {
    const sim_run_cfg_t *cfg = w->cfg;
    if (cfg->replay_events != NULL) {
        int rc = sim_bridge_replay_open(cfg->replay_events, 0, w->k, w->bus, w->trace, &w->bridge,
                                        w->err, w->errlen);
        if (rc == -SIM_ENOENT && w->err[0] == '\0') {
            return 0; /* the recorded run had no bridge */
        }
        return rc == -SIM_ENOENT ? -SIM_ENOENT : rc;
    }
    if (cfg->bridge == NULL) {
        return 0;
    }
    sim_bridge_spec_t spec;
    if (sim_bridge_parse_spec(cfg->bridge, &spec, w->err, w->errlen) != 0 ||
        sim_bridge_open(w->k, w->bus, w->trace, &spec, NULL, &w->bridge, w->err, w->errlen) != 0) {
        return -SIM_ENOTSUP;
    }
    if (spec.kind == SIM_BRIDGE_SOCKETCAND && cfg->bridge_wait_ms > 0 && wait_for_client(w) != 0) {
        snprintf(w->err, w->errlen,
                 "bridge %s: error: no client completed the handshake within %u ms", spec.text,
                 (unsigned)cfg->bridge_wait_ms);
        return -SIM_ENOTSUP;
    }
    return 0;
}

static int build(sim_world_t *w) {
    const sim_run_cfg_t *cfg = w->cfg;
    int rc = sim_kernel_create(cfg->seed, &w->k);
    if (rc != 0) {
        return rc;
    }
    sim_can_bus_cfg_t bc = {.name = w->scn->bus_name, .bitrate_bps = w->scn->bus_bitrate_bps};
    if ((rc = sim_can_bus_create(w->k, &bc, &w->bus)) != 0) {
        return rc;
    }
    sim_trace_cfg_t tc = {.pcap = cfg->pcap};
    if ((rc = sim_trace_open(cfg->out_dir, &tc, &w->trace, w->err, w->errlen)) != 0) {
        return -SIM_EIO;
    }
    if ((rc = sim_trace_attach_bus(w->trace, w->bus)) != 0) {
        return rc;
    }
    if ((rc = sim_plugin_cache_create(&w->plugins)) != 0) {
        return rc;
    }
    /* The engine exists before the packs, which feed it; its bus observer comes after the
     * trace's, so a frame is in bus.log before an assertion can judge it. */
    if ((rc = sim_run_asserts_create(w)) != 0) {
        return rc;
    }
    /* The panel's view of the bus only reads frames; it exists only with a front end. */
    if (cfg->ui != NULL && (rc = sim_run_busview_create(w)) != 0) {
        return rc;
    }
    if ((rc = build_nodes(w)) != 0) {
        return rc;
    }
    /* Frames injected by the timeline come from an external device on the bus (the gateway's
     * place). It only exists when the scenario injects frames: an extra controller acknowledges
     * frames, so a lone node stays lone otherwise. */
    if (needs_external_sender(w->scn) && (rc = sim_run_ext_create(w)) != 0) {
        return rc;
    }
    if ((rc = open_bridge(w)) != 0) {
        return rc;
    }
    /* A replay's operator actions are scheduled after its bridge injections (see
     * sim_run_operator.h for why the order of an instant still comes out as recorded). */
    if (cfg->replay_events != NULL && (rc = sim_run_operator_replay(w, cfg->replay_events)) != 0) {
        return rc;
    }
    return sim_run_schedule(w);
}

int sim_run__trace_check(sim_world_t *w) {
    const char *why = sim_trace_error(w->trace);
    if (why == NULL) {
        return 0;
    }
    snprintf(w->err, w->errlen, "%s: error: cannot write the run folder: %s", w->cfg->out_dir, why);
    return -SIM_EIO;
}

static int execute(sim_world_t *w) {
    const sim_run_cfg_t *cfg = w->cfg;
    if (cfg->ui != NULL) {
        return sim_run_live_execute(w);
    }
    bool live = cfg->replay_events == NULL && w->bridge != NULL;
    uint32_t factor = cfg->realtime_milli ? cfg->realtime_milli : live ? 1000u : 0u;
    sim_pacer_t pacer;
    sim_pacer_init(&pacer, factor);
    sim_time_ns_t end = cfg->duration_ns;
    sim_time_ns_t t = 0;
    while (t < end) {
        t = sim_time_add(t, SIM_NS_PER_S) < end ? t + SIM_NS_PER_S : end;
        int rc;
        if (live || factor != 0) {
            rc = sim_bridge_run_until(w->k, live ? w->bridge : NULL, &pacer, t, 0);
        } else {
            rc = sim_kernel_run_until(w->k, t);
        }
        if (rc == -SIM_ECANCELED && w->bridge != NULL && sim_bridge_stopped(w->bridge)) {
            return 0; /* the bridge recorded a stop (cfg.stop_on): the run ends here */
        }
        if (rc != 0) {
            return w->err_rc != 0 ? w->err_rc : w->err[0] ? -SIM_EIO : rc;
        }
        if ((rc = sim_run__trace_check(w)) != 0) {
            return rc;
        }
        if (cfg->progress != NULL) {
            cfg->progress(cfg->progress_ctx, t, end);
        }
    }
    if (live) {
        (void)sim_bridge_drain(w->bridge, 2000); /* frames still bound for the host */
    }
    return 0;
}

/* A node whose firmware crashed, hung or flooded its log: the run continued without it, and
 * the report says so (verdict error, exit status 3, a JUnit error). */
static void note_fault(sim_world_t *w, size_t i, sim_report_t *r) {
    const char *reason = w->nodes[i] != NULL ? sim_node_faulted(w->nodes[i]) : NULL;
    if (reason == NULL) {
        return;
    }
    r->node_faults++;
    r->verdict = SIM_VERDICT_ERROR;
    if (r->error_message == NULL) {
        char msg[512];
        const char *detail = sim_node_fault_detail(w->nodes[i]);
        snprintf(msg, sizeof msg, "node %s faulted: %s%s%s", w->scn->nodes[i].name, reason,
                 detail != NULL && detail[0] ? ": " : "", detail != NULL ? detail : "");
        r->error_message = strdup(msg);
    }
}

static int fill_nodes(sim_world_t *w, sim_report_t *r) {
    size_t n = w->scn->n_nodes;
    r->nodes = calloc(n ? n : 1, sizeof *r->nodes);
    if (r->nodes == NULL) {
        return -SIM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sim_report_node_t *rn = &r->nodes[i];
        sim_node_stats_t ns;
        sim_can_ctrl_stats_t cs;
        memset(&ns, 0, sizeof ns);
        if (w->nodes[i] != NULL) {
            sim_node_stats(w->nodes[i], &ns);
            sim_can_ctrl_stats(sim_node_can(w->nodes[i]), &cs);
        } else {
            sim_can_ctrl_stats(sim_run_gw_ctrl(w->gws[i]), &cs);
        }
        rn->name = strdup(w->scn->nodes[i].name);
        rn->tx_ok = cs.tx_ok;
        rn->rx_ok = cs.rx_ok;
        rn->tx_queue_full = cs.tx_queue_full;
        rn->tx_errors = cs.tx_errors;
        rn->bus_off_count = cs.bus_off_count;
        rn->resets = ns.watchdog_resets + ns.software_resets;
        rn->watchdog_resets = ns.watchdog_resets;
        note_fault(w, i, r);
        r->n_nodes++;
    }
    return 0;
}

/* The last instant at which the complete run (full_ns long) could still decide assertion `a`. */
static sim_time_ns_t closes_ns(const sim_scn_assert_t *a, sim_time_ns_t full_ns) {
    sim_time_ns_t to = a->to_ns == SIM_TIME_NEVER ? full_ns : a->to_ns;
    switch (a->kind) {
        case SIM_CHECK_AT:
            return a->at_ns;
        case SIM_CHECK_WITHIN:
            return (a->trigger_is_cond ? to : a->after_ns) + a->within_ns + a->hold_ns;
        default:
            return to + a->hold_ns;
    }
}

/*
 * In a run cut at cut_ns, an assertion decided at the cut although its window reaches past it is
 * open: the cut's end of run decided it ("not decided", "the trigger never happened", an
 * `always [x, end]` judged at the cut), not the scenario. One decided before the cut (a
 * violation, a success) or whose window closed by then is judged as in a complete run.
 */
static bool open_at_cut(const sim_scn_assert_t *spec, sim_time_ns_t decided_ns,
                        sim_time_ns_t cut_ns, sim_time_ns_t full_ns) {
    return decided_ns >= cut_ns && closes_ns(spec, full_ns) > cut_ns;
}

/* A run cut short: open assertions are neither passed nor failed, and the verdict is "cut"
 * unless a node fault made it "error". 0 or -SIM_ENOMEM. */
static int mark_cut(const sim_run_cfg_t *cfg, sim_report_t *r) {
    const sim_scenario_t *s = cfg->scn;
    SIM_ASSERT(r->n_asserts == s->n_asserts); /* the engine reports them in scenario order */
    r->cut_from_ns = cfg->cut_from_ns;
    r->asserts_open = calloc(r->n_asserts ? r->n_asserts : 1, sizeof *r->asserts_open);
    if (r->asserts_open == NULL) {
        return -SIM_ENOMEM;
    }
    for (size_t i = 0; i < r->n_asserts; i++) {
        sim_report_assert_t *a = &r->asserts[i];
        SIM_ASSERT(strcmp(a->name, s->asserts[i].name) == 0);
        bool open = open_at_cut(&s->asserts[i], a->t_ns, r->sim_duration_ns, cfg->cut_from_ns);
        r->asserts_open[i] = open;
        a->passed = a->passed && !open;
    }
    if (r->verdict != SIM_VERDICT_ERROR) {
        r->verdict = SIM_VERDICT_CUT;
    }
    return 0;
}

static int fill_report(sim_world_t *w, sim_report_t *r) {
    const sim_run_cfg_t *cfg = w->cfg;
    r->tool_version = strdup(SIM_VERSION);
    r->plugin_abi = ALFASIM_PLUGIN_ABI_VERSION;
    r->scenario_path = strdup(w->scn->path);
    r->scenario_name = strdup(w->scn->name);
    hash_file(w->scn->path, r->scenario_sha256);
    r->seed = cfg->seed;
    r->verdict = SIM_VERDICT_PASS;
    r->sim_duration_ns = sim_kernel_now(w->k);
    r->repro = cfg->repro ? strdup(cfg->repro) : NULL;
    sim_kernel_stats_t ks;
    sim_kernel_stats(w->k, &ks);
    r->events_run = ks.events_run;
    sim_can_bus_stats_t bs;
    sim_can_bus_stats(w->bus, &bs);
    r->can_frames = bs.frames;
    r->can_error_frames = bs.error_frames;
    r->can_load_ppm = sim_can_bus_load_ppm(w->bus);
    int rc = fill_nodes(w, r);
    if (rc == 0 && w->bridge != NULL) {
        char json[1024];
        if (sim_bridge_stats_json(w->bridge, json, sizeof json) > 0) {
            r->bridge_json = strdup(json);
        }
    }
    if (rc == 0) {
        sim_assert_finish(w->asserts);
        rc = sim_assert_report(w->asserts, r);
    }
    if (rc == 0 && cfg->cut_from_ns > cfg->duration_ns) {
        rc = mark_cut(cfg, r);
    }
    return rc;
}

/* Finishes the traces, adds report.json, then commits the folder in one rename: a reader sees
 * the whole run folder or none of it. */
static int commit(sim_world_t *w, sim_report_t *r) {
    if (sim_trace_finish(w->trace) != 0) {
        return sim_run__trace_check(w);
    }
    snprintf(r->digest, sizeof r->digest, "%s", sim_trace_digest(w->trace));
    errno = 0;
    if (sim_report_write_json(r, sim_trace_dir(w->trace)) != 0) {
        snprintf(w->err, w->errlen, "%s: error: cannot write the run folder: report.json: %s",
                 w->cfg->out_dir, errno != 0 ? strerror(errno) : "failed");
        return -SIM_EIO;
    }
    if (sim_trace_close(w->trace, true) != 0) {
        return sim_run__trace_check(w);
    }
    return 0;
}

static void teardown(sim_world_t *w) {
    size_t n = w->nodes != NULL ? w->scn->n_nodes : 0;
    /* Nodes first: each owns the UART port on its pack's line and calls the pack's binding. */
    for (size_t i = 0; i < n; i++) {
        sim_node_destroy(w->nodes[i]);
    }
    for (size_t i = 0; i < n; i++) {
        sim_run_pack_destroy(w->packs[i]);
        sim_run_gw_destroy(w->gws[i]);
    }
    free(w->nodes);
    free(w->packs);
    free(w->gws);
    free(w->unplugged);
    free(w->ctrl_memo);
    free(w->ops);
    sim_assert_destroy(w->asserts);
    sim_bridge_destroy(w->bridge);
    if (w->ext != NULL) {
        sim_can_ctrl_detach(w->ext);
    }
    sim_plugin_cache_destroy(w->plugins);
    if (w->bus != NULL) {
        sim_can_bus_destroy(w->bus);
    }
    sim_run_busview_destroy(w->busview); /* after the bus, which keeps its observer */
    sim_trace_free(w->trace);            /* closes without commit if the run failed */
    if (w->k != NULL) {
        sim_kernel_destroy(w->k);
    }
}

/* Builds the world and runs it; again from scratch when the front end asks for a rebuild. */
static int build_and_run(sim_world_t *w, const sim_run_cfg_t *cfg, struct sim_run_live *live,
                         char *err, size_t errlen) {
    int rc;
    do {
        memset(w, 0, sizeof *w);
        w->cfg = cfg;
        w->scn = cfg->scn;
        w->err = err;
        w->errlen = errlen;
        w->live = live;
        w->pv_scale_pct = w->load_scale_pct = 100;
        err[0] = '\0';
        rc = build(w);
        if (rc == 0) {
            rc = execute(w);
        }
        if (rc == SIM_RUN_LIVE_RESTART) {
            teardown(w);
        }
    } while (rc == SIM_RUN_LIVE_RESTART);
    return rc;
}

int sim_run_scenario(const sim_run_cfg_t *cfg, sim_report_t *report, char *err, size_t errlen) {
    sim_world_t w;
    struct sim_run_live *live = NULL;
    err[0] = '\0';
    uint64_t t0 = cfg->wall_ms ? cfg->wall_ms() : 0;
    int rc = cfg->ui != NULL ? sim_run_live_create(cfg, &live) : 0;
    if (rc != 0) {
        snprintf(err, errlen, "%s: error: run failed: %s", cfg->scn->path, sim_strerror(rc));
        return rc;
    }
    rc = build_and_run(&w, cfg, live, err, errlen);
    if (rc == 0) {
        rc = fill_report(&w, report);
    }
    if (rc == 0) {
        report->wall_ms = cfg->wall_ms ? cfg->wall_ms() - t0 : 0;
        rc = commit(&w, report);
    }
    if (rc != 0 && err[0] == '\0') {
        snprintf(err, errlen, "%s: error: run failed: %s", w.scn->path, sim_strerror(rc));
    }
    teardown(&w);
    sim_run_live_destroy(live);
    return rc;
}
