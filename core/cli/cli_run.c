/*
 * cli_run.c: `alfasim run SCENARIO.json`: load, run, write the run folder, report the verdict.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_interrupt.h"
#include "cli_opts.h"
#include "cli_panel.h"
#include "cli_pause.h"
#include "sim_run.h"
#include "sim_scenario.h"

static const char run_usage[] =
    "Usage: alfasim run SCENARIO.json [--seed N] [--duration T] [--until T] [--out DIR]\n"
    "                   [--junit FILE]\n"
    "                   [--plugin-path DIR] [--no-pcap] [--quiet] [--isolate]\n"
    "                   [--bridge socketcan:IFACE | --bridge socketcand:HOST:PORT]\n"
    "                   [--realtime[=FACTOR]] [--bridge-wait T]\n"
    "                   [--panel] [--screenshot-at T FILE]... [--panel-script FILE]\n"
    "                   [--panel-size WxH]\n"
    "\n"
    "Runs one scenario in virtual time and writes its run folder (bus.log, bus.pcap,\n"
    "events.jsonl, signals.vcd, report.json).\n"
    "\n"
    "Examples:\n"
    "  alfasim run scenarios/test/two_nodes.json\n"
    "  alfasim run scenarios/test/two_nodes.json --seed 0x5eed --duration 30s --out /tmp/run1\n"
    "  alfasim run scenarios/election_single.json --bridge socketcand:127.0.0.1:29536\n"
    "  alfasim run scenarios/eco_shedding.json --panel\n"
    "  alfasim run scenarios/indicators.json --screenshot-at 10s shot.png\n"
    "\n"
    "Options:\n"
    "  --seed N          seed for every random stream (decimal or 0x hex; default: the "
    "scenario's)\n"
    "  --duration T      virtual time to run, e.g. 90s, 26h, at most 400d (default: the\n"
    "                    scenario's)\n"
    "  --until T         cut the run short at virtual time T: only the assertions decided\n"
    "                    by then are judged; the summary and report.json (verdict \"cut\")\n"
    "                    give no verdict on the scenario (exit 1 if a judged one failed)\n"
    "  --out DIR         run folder (default: out/<scenario name>)\n"
    "  --junit FILE      also write a JUnit XML file\n"
    "  --plugin-path DIR look for firmware plugins in DIR first (repeatable)\n"
    "  --no-pcap         do not write bus.pcap\n"
    "  --quiet           print nothing but errors\n"
    "  --bridge SPEC     connect the bus to real CAN: socketcan:vcan0, or a socketcand server\n"
    "                    socketcand:127.0.0.1:29536 for python-can clients (docs/bridge.md)\n"
    "  --realtime[=F]    pace the run to real time (x F); bridged runs are paced by default;\n"
    "                    a paced run without --panel pauses and resumes on SIGUSR1\n"
    "  --bridge-wait T   socketcand: wait up to T for a client before starting (default 60s)\n"
    "  --isolate         run each node's firmware in its own process: a crash, hang or log\n"
    "                    flood is a node fault (exit 3) and the rest of the run continues\n"
    "  --panel           watch and steer the run in a window, at real time (docs/panel.md)\n"
    "  --screenshot-at T FILE\n"
    "                    write a PNG of the panel at virtual time T (repeatable; needs no\n"
    "                    display; the run's traces are the same with or without it)\n"
    "  --panel-script FILE  keys, text and clicks for the panel at virtual times; the\n"
    "                    operator actions they make are recorded for alfasim replay\n"
    "  --panel-size WxH  panel size in pixels (default 1280x800)\n"
    "\n"
    "Exit codes: 0 passed, 1 an assertion failed, 3 node fault, 64 usage, 65 bad scenario,\n"
    "66 missing input, "
    "69 bridge or panel unavailable, 70 internal error, 74 cannot write output,\n"
    "128+N ended by signal N (SIGINT, SIGTERM, SIGHUP: the partial folder is removed).\n";

typedef struct {
    uint64_t t0_ms; /* wall clock at the start, for the speed shown */
    bool draw;      /* a progress line is wanted (cli_progress_enabled) */
} progress_t;

/* Between slices: a SIGINT/SIGTERM/SIGHUP ends the run here (cli_interrupt.h), else the
 * progress line is redrawn when wanted. */
static void progress(void *ctx, sim_time_ns_t now_ns, sim_time_ns_t end_ns) {
    const progress_t *p = ctx;
    if (p->draw && cli_interrupt_signal() != 0) {
        fputs("\r\033[K", stderr); /* the message goes on a clean line */
    }
    cli_interrupt_check();
    if (!p->draw) {
        return;
    }
    uint64_t wall = cli_wall_ms() - p->t0_ms;
    double sim_s = (double)now_ns / 1e9;
    double factor = wall ? sim_s * 1000.0 / (double)wall : 0.0;
    fprintf(stderr, "\rsim %.1f/%.1f s  x%.0f real-time ", sim_s, (double)end_ns / 1e9, factor);
}

/* A cut run has no verdict; its status says whether an assertion decided by the cut failed. */
static int exit_for_verdict(const sim_report_t *r) {
    switch (r->verdict) {
        case SIM_VERDICT_PASS:
            return CLI_EXIT_OK;
        case SIM_VERDICT_FAIL:
            return CLI_EXIT_FAIL;
        case SIM_VERDICT_ERROR:
            return CLI_EXIT_SOFTWARE;
        case SIM_VERDICT_CUT:
            return sim_report_failures(r) > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    return CLI_EXIT_SOFTWARE;
}

/* The failed assertions; the open ones of a cut run (sim_report.h) did not fail. */
static void print_failures(const sim_report_t *r) {
    for (size_t i = 0; i < r->n_asserts; i++) {
        const sim_report_assert_t *a = &r->asserts[i];
        if (!a->passed && !sim_report_open(r, i)) {
            printf("  FAILED %s at t=%.3fs: expected %s, got %s\n", a->name, (double)a->t_ns / 1e9,
                   a->expected ? a->expected : "?", a->actual ? a->actual : "?");
        }
    }
}

static void print_summary(const sim_report_t *r, const char *out_dir) {
    printf("%s: %s  seed=0x%" PRIx64 "  sim=%.3fs  frames=%" PRIu64 "  digest=%.16s  -> %s\n",
           r->scenario_name, sim_verdict_name(r->verdict), r->seed,
           (double)r->sim_duration_ns / 1e9, r->can_frames, r->digest, out_dir);
    print_failures(r);
    if (r->verdict != SIM_VERDICT_PASS && r->repro != NULL) {
        printf("  reproduce: %s\n", r->repro);
    }
}

/*
 * A run cut short by --until (verdict cut): the run layer judged the assertions decided by the
 * cut and marked open the ones whose window reaches past it, so the summary names no verdict
 * for the scenario. 0, or 1 when an assertion decided by the cut failed.
 */
static int report_cut(const cli_opts_t *o, const sim_report_t *r, const char *out_dir) {
    size_t open = 0, failed = sim_report_failures(r);
    for (size_t i = 0; i < r->n_asserts; i++) {
        open += sim_report_open(r, i);
    }
    if (!o->quiet) {
        printf("%s: cut at %.3fs of %.3fs, no verdict  seed=0x%" PRIx64 "  frames=%" PRIu64
               "  digest=%.16s  -> %s\n",
               r->scenario_name, (double)r->sim_duration_ns / 1e9, (double)r->cut_from_ns / 1e9,
               r->seed, r->can_frames, r->digest, out_dir);
        printf("  assertions: %zu decided by the cut (%zu failed), %zu open at the cut\n",
               r->n_asserts - open, failed, open);
        print_failures(r);
        if (failed > 0 && r->repro != NULL) {
            printf("  reproduce: %s\n", r->repro);
        }
    }
    return exit_for_verdict(r);
}

static int run_error_code(int rc) {
    return rc == -SIM_EIO                              ? CLI_EXIT_IOERR
           : rc == -SIM_EFORMAT || rc == -SIM_EVERSION ? CLI_EXIT_DATAERR
           : rc == -SIM_ENOENT                         ? CLI_EXIT_NOINPUT
           : rc == -SIM_ENOTSUP                        ? CLI_EXIT_UNAVAILABLE
                                                       : CLI_EXIT_SOFTWARE;
}

/* The verdict of a completed run: summary, JUnit file, exit code. */
static int report_run(const cli_opts_t *o, const sim_scenario_t *scn, sim_report_t *report,
                      const char *out_dir) {
    if (report->verdict == SIM_VERDICT_CUT) {
        return report_cut(o, report, out_dir);
    }
    int code = report->node_faults > 0 ? CLI_EXIT_NODE_FAULT : exit_for_verdict(report);
    if (report->node_faults > 0) {
        fprintf(stderr, "%s: error: %s\n", scn->path, report->error_message);
    }
    if (!o->quiet) {
        print_summary(report, out_dir);
    }
    if (o->junit != NULL) {
        cli_fill_host_facts(report);
        const sim_report_t *runs[1] = {report};
        if (sim_report_write_junit(runs, 1, o->junit) != 0) {
            fprintf(stderr, "%s: error: cannot write the JUnit file\n", o->junit);
            code = CLI_EXIT_IOERR;
        }
    }
    return code;
}

int cli_run(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "run", run_usage, argc, argv, CLI_OPT_RUN);
    if (rc >= 0) {
        return rc;
    }
    cli_pause_install(&o); /* SIGUSR1 pauses and resumes a paced run (docs/usage.md) */
    if (o.n_inputs != 1) {
        return cli_usage_error("run", "expected exactly one scenario file");
    }
    sim_scenario_t *scn = NULL;
    rc = cli_load_scenario(o.inputs[0], &scn, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    char out_dir[1024], repro[2048];
    cli_opts_out_dir(&o, scn, out_dir, sizeof out_dir);
    cli_opts_repro(&o, scn, repro, sizeof repro);
    sim_time_ns_t full = o.duration_ns ? o.duration_ns : scn->duration_ns;
    sim_time_ns_t duration = o.until_ns > 0 && o.until_ns < full ? o.until_ns : full;
    if (duration < full && o.junit != NULL) {
        sim_scenario_free(scn);
        return cli_usage_error("run", "--until before the end gives no verdict for --junit");
    }
    if (o.junit != NULL && (rc = cli_output_writable(o.junit, "the JUnit file")) != 0) {
        sim_scenario_free(scn);
        return rc;
    }
    sim_run_ui_t ui;
    cli_panel_t *panel = NULL;
    if ((rc = cli_panel_start("run", &o, duration, &ui, &panel)) >= 0) {
        sim_scenario_free(scn);
        return rc;
    }
    if (panel == NULL) {
        char partial[1100];
        snprintf(partial, sizeof partial, "%s.partial", out_dir);
        cli_interrupt_remove_on(partial);
        cli_interrupt_install();
    }
    progress_t prog = {.t0_ms = cli_wall_ms(),
                       .draw = !o.quiet && !o.panel && cli_progress_enabled()};
    sim_run_cfg_t cfg = {
        .scn = scn,
        .seed = o.seed_set ? o.seed : scn->seed,
        .duration_ns = duration,
        .cut_from_ns = duration < full ? full : 0, /* --until before the end */
        .out_dir = out_dir,
        .pcap = !o.no_pcap,
        .repro = repro,
        .progress = progress,
        .progress_ctx = &prog,
        .wall_ms = cli_wall_ms,
        .bridge = o.bridge,
        .realtime_milli = o.realtime_milli,
        .bridge_wait_ms = o.bridge_wait_ms,
        .isolate = o.isolate,
        .ui = panel != NULL ? &ui : NULL,
    };
    sim_report_t report;
    memset(&report, 0, sizeof report);
    char err[1024] = "";
    if (o.out == NULL) {
        /* The default folder's parent, as suite makes its own: a fresh checkout has no out/. A
         * given --out keeps needing its parent, so a mistyped path is still an error. */
        (void)mkdir("out", 0777);
    }
    rc = sim_run_scenario(&cfg, &report, err, sizeof err);
    if (prog.draw) {
        fputs("\r\033[K", stderr);
    }
    int code = rc != 0 ? run_error_code(rc) : report_run(&o, scn, &report, out_dir);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err[0] ? err : "alfasim: error: run failed");
    }
    code = cli_panel_finish(panel, code);
    if (cli_interrupt_signal() != 0) {
        code = 128 + cli_interrupt_signal(); /* it came after the last slice: the run is whole */
    }
    sim_report_clear(&report);
    sim_scenario_free(scn);
    cli_opts_free(&o);
    return code;
}
