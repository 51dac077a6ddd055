/*
 * bench_scenario.c: the reference workloads (see bench_scenario.h for how they are timed).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "bench_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_trace.h"

typedef struct {
    double cpu_first_s, cpu_last_s;
    sim_time_ns_t t_first_ns, t_last_ns;
    bool seen;
} progress_t;

/* Two CPU-clock reads per run, not one per simulated second: the clock is a system call. */
static void on_progress(void *ctx, sim_time_ns_t now_ns, sim_time_ns_t end_ns) {
    progress_t *p = ctx;
    if (!p->seen) {
        p->seen = true;
        p->cpu_first_s = bench_cpu_s();
        p->t_first_ns = now_ns;
    }
    if (now_ns >= end_ns) {
        p->cpu_last_s = bench_cpu_s();
        p->t_last_ns = now_ns;
    }
}

/* Points every firmware node at another plugin file. */
static int replace_plugin(sim_scenario_t *scn, const char *plugin) {
    for (size_t i = 0; i < scn->n_nodes; i++) {
        if (scn->nodes[i].plugin == NULL) {
            continue; /* gateways run no firmware */
        }
        char *copy = strdup(plugin);
        if (copy == NULL) {
            return -1;
        }
        free(scn->nodes[i].plugin);
        scn->nodes[i].plugin = copy;
    }
    return 0;
}

static int load(const bench_opts_t *o, const char *file, const char *plugin, sim_scenario_t **scn,
                bench_result_t *r) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/bench/scenarios/%s", o->src_dir, file);
    sim_diag_t diag;
    if (sim_scenario_load(path, o->plugin_dirs, scn, &diag) != 0) {
        char line[1024];
        sim_diag_format(&diag, line, sizeof line);
        bench_fail(r, "%s", line);
        return -1;
    }
    if (plugin != NULL && replace_plugin(*scn, plugin) != 0) {
        sim_scenario_free(*scn);
        bench_fail(r, "out of memory");
        return -1;
    }
    return 0;
}

int bench_scenario_run(const bench_opts_t *o, const char *file, sim_time_ns_t duration_ns,
                       const char *plugin, bench_run_t *out, bench_result_t *r) {
    memset(out, 0, sizeof *out);
    double cpu0 = bench_cpu_s();
    sim_scenario_t *scn = NULL;
    if (load(o, file, plugin, &scn, r) != 0) {
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s.run", o->work_dir, file);
    progress_t p = {0};
    sim_run_cfg_t cfg = {.scn = scn,
                         .seed = scn->seed,
                         .duration_ns = duration_ns > 0 ? duration_ns : scn->duration_ns,
                         .out_dir = dir,
                         .pcap = true,
                         .progress = on_progress,
                         .progress_ctx = &p};
    sim_report_t rep;
    memset(&rep, 0, sizeof rep);
    char err[1024] = "";
    int rc = sim_run_scenario(&cfg, &rep, err, sizeof err);
    if (rc == 0) {
        out->rounds = 1;
        out->load_cpu_s = p.cpu_first_s - cpu0;
        out->run_cpu_s = p.cpu_last_s - p.cpu_first_s;
        out->sim_s = (double)(p.t_last_ns - p.t_first_ns) / 1e9;
        out->events = rep.events_run;
        out->passed = rep.verdict == SIM_VERDICT_PASS;
        snprintf(out->digest, sizeof out->digest, "%s", rep.digest);
    } else {
        bench_fail(r, "%s", err[0] ? err : "the run failed");
    }
    sim_report_clear(&rep);
    sim_scenario_free(scn);
    (void)sim_trace_remove_folder(dir);
    return rc == 0 ? 0 : -1;
}

int bench_scenario_best(const bench_opts_t *o, const char *file, sim_time_ns_t duration_ns,
                        const char *plugin, bench_run_t *out, bench_result_t *r) {
    if (bench_scenario_run(o, file, duration_ns, plugin, out, r) != 0) {
        return -1;
    }
    while (!o->quick && out->rounds < BENCH_BEST_OF && out->run_cpu_s < BENCH_BEST_MAX_S) {
        bench_run_t again;
        if (bench_scenario_run(o, file, duration_ns, plugin, &again, r) != 0) {
            return -1;
        }
        if (strcmp(again.digest, out->digest) != 0) {
            bench_fail(r, "run %u gave digest %.16s, the first %.16s: the workload does not repeat",
                       out->rounds + 1u, again.digest, out->digest);
            return -1;
        }
        out->run_cpu_s = again.run_cpu_s < out->run_cpu_s ? again.run_cpu_s : out->run_cpu_s;
        out->load_cpu_s = again.load_cpu_s < out->load_cpu_s ? again.load_cpu_s : out->load_cpu_s;
        out->rounds++;
    }
    return 0;
}

void bench_scenario(const bench_opts_t *o, const void *param, bench_result_t *r) {
    const bench_scenario_param_t *p = param;
    bench_run_t run;
    if (bench_scenario_best(o, p->file, o->quick ? p->quick_ns : 0, NULL, &run, r) != 0) {
        return;
    }
    r->sim_s = run.sim_s;
    r->run_cpu_s = run.run_cpu_s;
    r->load_cpu_s = run.load_cpu_s;
    r->events = run.events;
    r->nodes = p->packs;
    r->target = p->target_x;
    r->aim = p->aim_x;
    snprintf(r->digest, sizeof r->digest, "%s", run.digest);
    /* A shortened run (--quick) ends before most assertions are due: only a full run is
     * judged. */
    if (!run.passed && !o->quick) {
        bench_fail(r, "the scenario's assertions failed: the workload is not what it claims");
    } else if (run.rounds > 1) {
        snprintf(r->note, sizeof r->note, "times: the least of %u runs, each with this digest",
                 run.rounds);
    }
}

#define QUICK_NS (60 * SIM_NS_PER_S)

static const bench_scenario_param_t s4 = {"s4.json", 4, 20000.0, 100000.0, QUICK_NS};
static const bench_scenario_param_t s127 = {"s127.json", 126, 480.0, 0.0, QUICK_NS};
static const bench_scenario_param_t scale[] = {
    {"scale_1.json", 1, 0, 0, QUICK_NS},   {"scale_2.json", 2, 0, 0, QUICK_NS},
    {"scale_4.json", 4, 0, 0, QUICK_NS},   {"scale_8.json", 8, 0, 0, QUICK_NS},
    {"scale_16.json", 16, 0, 0, QUICK_NS}, {"scale_32.json", 32, 0, 0, QUICK_NS},
    {"scale_64.json", 64, 0, 0, QUICK_NS}, {"scale_127.json", 126, 0, 0, QUICK_NS},
};

static const bench_def_t defs[] = {
    {"s4", BENCH_WORKLOAD, bench_scenario, &s4, false},
    {"s127", BENCH_WORKLOAD, bench_scenario, &s127, true},
    {"scale_1", BENCH_WORKLOAD, bench_scenario, &scale[0], true},
    {"scale_2", BENCH_WORKLOAD, bench_scenario, &scale[1], true},
    {"scale_4", BENCH_WORKLOAD, bench_scenario, &scale[2], true},
    {"scale_8", BENCH_WORKLOAD, bench_scenario, &scale[3], true},
    {"scale_16", BENCH_WORKLOAD, bench_scenario, &scale[4], true},
    {"scale_32", BENCH_WORKLOAD, bench_scenario, &scale[5], true},
    {"scale_64", BENCH_WORKLOAD, bench_scenario, &scale[6], true},
    {"scale_127", BENCH_WORKLOAD, bench_scenario, &scale[7], true},
};

const bench_group_t bench_scenario_group = {defs, sizeof defs / sizeof defs[0]};
