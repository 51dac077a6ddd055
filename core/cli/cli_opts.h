/*
 * cli_opts.h: option parsing shared by the subcommands. Each subcommand says which options it
 * takes; "--opt value" and "--opt=value" are both accepted; anything else is a usage error (64).
 */
#ifndef SIM_CLI_OPTS_H
#define SIM_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_report.h"
#include "sim_scenario.h"

enum {
    CLI_OPT_SEED = 1u << 0,
    CLI_OPT_DURATION = 1u << 1,
    CLI_OPT_OUT = 1u << 2,
    CLI_OPT_JUNIT = 1u << 3,
    CLI_OPT_JOBS = 1u << 4,
    CLI_OPT_SHARD = 1u << 5,
    CLI_OPT_QUIET = 1u << 6,
    CLI_OPT_PCAP = 1u << 7,
    CLI_OPT_PLUGIN_PATH = 1u << 8,
    CLI_OPT_BRIDGE = 1u << 9,        /* --bridge SPEC, --bridge-wait T */
    CLI_OPT_REALTIME = 1u << 10,     /* --realtime[=FACTOR] */
    CLI_OPT_PANEL = 1u << 11,        /* --panel, --screenshot-at T FILE, --panel-size WxH */
    CLI_OPT_PANEL_SCRIPT = 1u << 12, /* --panel-script FILE */
    CLI_OPT_ISOLATE = 1u << 13,      /* --isolate */
    CLI_OPT_UNTIL = 1u << 14,        /* --until T: cut the run short (no verdict) */
    CLI_OPT_RUN = CLI_OPT_SEED | CLI_OPT_DURATION | CLI_OPT_OUT | CLI_OPT_JUNIT | CLI_OPT_QUIET |
                  CLI_OPT_PCAP | CLI_OPT_PLUGIN_PATH | CLI_OPT_BRIDGE | CLI_OPT_REALTIME |
                  CLI_OPT_PANEL | CLI_OPT_PANEL_SCRIPT | CLI_OPT_ISOLATE | CLI_OPT_UNTIL,
    CLI_OPT_REPLAY = CLI_OPT_OUT | CLI_OPT_QUIET | CLI_OPT_PCAP | CLI_OPT_PLUGIN_PATH |
                     CLI_OPT_PANEL | CLI_OPT_REALTIME,
    CLI_OPT_SUITE = CLI_OPT_SEED | CLI_OPT_DURATION | CLI_OPT_OUT | CLI_OPT_JUNIT | CLI_OPT_JOBS |
                    CLI_OPT_SHARD | CLI_OPT_QUIET | CLI_OPT_PLUGIN_PATH | CLI_OPT_ISOLATE,
    CLI_OPT_CHECK =
        CLI_OPT_SEED | CLI_OPT_DURATION | CLI_OPT_QUIET | CLI_OPT_PLUGIN_PATH | CLI_OPT_ISOLATE,
    CLI_OPT_VALIDATE = CLI_OPT_PLUGIN_PATH | CLI_OPT_QUIET,
};

#define CLI_SHOTS_MAX 64

typedef struct {
    const char *inputs[256];
    size_t n_inputs;
    bool seed_set;
    uint64_t seed;
    sim_time_ns_t duration_ns; /* 0: the scenario's */
    sim_time_ns_t until_ns;    /* --until: stop there if before the end; 0: run to the end */
    const char *out;
    const char *junit;
    bool quiet, no_pcap;
    unsigned jobs;               /* suite workers, default 1 */
    unsigned shard_k, shard_n;   /* --shard K/N, 1-based; n 0 = no sharding */
    const char *plugin_paths[8]; /* --plugin-path, forwarded to workers */
    size_t n_plugin_paths;
    const char *bridge;      /* --bridge SPEC */
    uint32_t bridge_wait_ms; /* --bridge-wait T (default 60 s) */
    uint32_t realtime_milli; /* --realtime[=F]: 1000 = real time; 0 = not given */
    bool isolate;            /* --isolate: firmware in child processes */
    /* ---- the panel (cli_panel.h) ---- */
    bool panel; /* --panel: a window */
    struct {
        sim_time_ns_t t_ns;
        const char *path;
    } shots[CLI_SHOTS_MAX]; /* --screenshot-at T FILE, in the order given */
    size_t n_shots;
    const char *panel_script; /* --panel-script FILE */
    int panel_w, panel_h;     /* --panel-size WxH; 0: the panel's default */
} cli_opts_t;

/**
 * Parses argv (argv[0] is the subcommand). Returns -1 to go on, or an exit code to return at once:
 * 0 after printing `usage` for --help, 64 after a usage error.
 */
int cli_opts_parse(cli_opts_t *o, const char *cmd, const char *usage, int argc, char **argv,
                   unsigned allowed);
void cli_opts_free(cli_opts_t *o);

/** The run folder: --out, or out/<scenario name>. */
void cli_opts_out_dir(const cli_opts_t *o, const sim_scenario_t *scn, char *buf, size_t len);

/** The one-line reproduction command of a run. */
void cli_opts_repro(const cli_opts_t *o, const sim_scenario_t *scn, char *buf, size_t len);

/** Fills the wall-clock facts JUnit wants (timestamp, hostname); never part of a digest. */
void cli_fill_host_facts(sim_report_t *r);

#endif
