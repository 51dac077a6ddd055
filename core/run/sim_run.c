/*
 * sim_run.c: one run of a scenario (see sim_run.h).
 *
 *   build ── kernel(seed) → bus → trace → nodes (plugin copies validated) → external sender
 *   run   ── timeline + power-ons scheduled; kernel runs to the duration in 1 s slices
 *   close ── statistics into the report; trace files closed and committed; report.json written
 *            into the committed folder (or the folder removed if that fails)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "sim_run_int.h"
#include "sim_sha256.h"

#ifndef SIM_VERSION
#define SIM_VERSION "0.1.0"
#endif

/* Hashes the scenario file for the report (the loader does not). */
static void hash_file(const char *path, char out[65]) {
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return;
    }
    sim_sha256_t c;
    sim_sha256_init(&c);
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        sim_sha256_update(&c, buf, n);
    }
    fclose(f);
    uint8_t d[SIM_SHA256_LEN];
    sim_sha256_final(&c, d);
    sim_sha256_hex(d, out);
}

static int build_nodes(sim_world_t *w) {
    const sim_scenario_t *s = w->scn;
    w->nodes = calloc(s->n_nodes ? s->n_nodes : 1, sizeof *w->nodes);
    if (w->nodes == NULL) {
        return -SIM_ENOMEM;
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        sim_node_cfg_t nc = {
            .name = s->nodes[i].name,
            .plugin_path = s->nodes[i].plugin,
            .bus = w->bus,
            .trace = w->trace,
            .plugins = w->plugins,
        };
        memcpy(nc.mac, s->nodes[i].mac, 6);
        int rc = sim_node_create(w->k, &nc, &w->nodes[i], w->err, w->errlen);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static bool needs_external_sender(const sim_scenario_t *s) {
    for (size_t i = 0; i < s->n_actions; i++) {
        if (s->actions[i].kind == SIM_ACT_CAN_SEND) {
            return true;
        }
    }
    return false;
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
    if ((rc = build_nodes(w)) != 0) {
        return rc;
    }
    /* Frames injected by the timeline come from an external device on the bus (the gateway's
     * place). It only exists when the scenario injects frames: an extra controller acknowledges
     * frames, so a lone node stays lone otherwise. */
    if (needs_external_sender(w->scn)) {
        sim_can_ctrl_cfg_t ec = {.name = "ext", .tx_queue_len = 64};
        if ((rc = sim_can_ctrl_attach(w->bus, &ec, NULL, NULL, &w->ext)) != 0 ||
            (rc = sim_can_ctrl_start(w->ext)) != 0) {
            return rc;
        }
    }
    return sim_run_schedule(w);
}

static int execute(sim_world_t *w) {
    const sim_run_cfg_t *cfg = w->cfg;
    sim_time_ns_t end = cfg->duration_ns;
    sim_time_ns_t t = 0;
    while (t < end) {
        t = sim_time_add(t, SIM_NS_PER_S) < end ? t + SIM_NS_PER_S : end;
        if (sim_kernel_run_until(w->k, t) != 0) {
            return w->err[0] ? -SIM_EIO : -SIM_ECANCELED;
        }
        if (cfg->progress != NULL) {
            cfg->progress(cfg->progress_ctx, t, end);
        }
    }
    return 0;
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
        sim_node_stats(w->nodes[i], &ns);
        sim_can_ctrl_stats(sim_node_can(w->nodes[i]), &cs);
        rn->name = strdup(sim_node_name(w->nodes[i]));
        rn->tx_ok = cs.tx_ok;
        rn->rx_ok = cs.rx_ok;
        rn->tx_queue_full = cs.tx_queue_full;
        rn->tx_errors = cs.tx_errors;
        rn->bus_off_count = cs.bus_off_count;
        rn->resets = ns.watchdog_resets + ns.software_resets;
        rn->watchdog_resets = ns.watchdog_resets;
        r->n_nodes++;
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
    return fill_nodes(w, r);
}

/* Finishes the traces, adds report.json, then commits the folder in one rename: a reader sees
 * the whole run folder or none of it. */
static int commit(sim_world_t *w, sim_report_t *r) {
    if (sim_trace_finish(w->trace) != 0) {
        snprintf(w->err, w->errlen, "%s: error: cannot write the run folder", w->cfg->out_dir);
        return -SIM_EIO;
    }
    snprintf(r->digest, sizeof r->digest, "%s", sim_trace_digest(w->trace));
    if (sim_report_write_json(r, sim_trace_dir(w->trace)) != 0 ||
        sim_trace_close(w->trace, true) != 0) {
        snprintf(w->err, w->errlen, "%s: error: cannot write the run folder", w->cfg->out_dir);
        return -SIM_EIO;
    }
    return 0;
}

static void teardown(sim_world_t *w) {
    if (w->nodes != NULL) {
        for (size_t i = 0; i < w->scn->n_nodes; i++) {
            sim_node_destroy(w->nodes[i]);
        }
        free(w->nodes);
    }
    if (w->ext != NULL) {
        sim_can_ctrl_detach(w->ext);
    }
    sim_plugin_cache_destroy(w->plugins);
    if (w->bus != NULL) {
        sim_can_bus_destroy(w->bus);
    }
    sim_trace_free(w->trace); /* closes without commit if the run failed */
    if (w->k != NULL) {
        sim_kernel_destroy(w->k);
    }
}

int sim_run_scenario(const sim_run_cfg_t *cfg, sim_report_t *report, char *err, size_t errlen) {
    sim_world_t w;
    memset(&w, 0, sizeof w);
    w.cfg = cfg;
    w.scn = cfg->scn;
    w.err = err;
    w.errlen = errlen;
    err[0] = '\0';
    uint64_t t0 = cfg->wall_ms ? cfg->wall_ms() : 0;
    int rc = build(&w);
    if (rc == 0) {
        rc = execute(&w);
    }
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
    return rc;
}
