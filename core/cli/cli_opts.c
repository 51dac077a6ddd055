/*
 * cli_opts.c: option parsing for the subcommands (see cli_opts.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"
#include "sim_bridge.h"

typedef struct {
    const char *name;
    unsigned flag;
    bool takes_value;
    bool optional_value; /* only as --opt=value; bare --opt is allowed */
} opt_def_t;

static const opt_def_t defs[] = {
    {"--seed", CLI_OPT_SEED, true, false},
    {"--duration", CLI_OPT_DURATION, true, false},
    {"--until", CLI_OPT_UNTIL, true, false},
    {"--out", CLI_OPT_OUT, true, false},
    {"--junit", CLI_OPT_JUNIT, true, false},
    {"-j", CLI_OPT_JOBS, true, false},
    {"--jobs", CLI_OPT_JOBS, true, false},
    {"--shard", CLI_OPT_SHARD, true, false},
    {"--quiet", CLI_OPT_QUIET, false, false},
    {"-q", CLI_OPT_QUIET, false, false},
    {"--no-pcap", CLI_OPT_PCAP, false, false},
    {"--plugin-path", CLI_OPT_PLUGIN_PATH, true, false},
    {"--bridge", CLI_OPT_BRIDGE, true, false},
    {"--bridge-wait", CLI_OPT_BRIDGE, true, false},
    {"--realtime", CLI_OPT_REALTIME, true, true},
    {"--isolate", CLI_OPT_ISOLATE, false, false},
    {"--panel", CLI_OPT_PANEL, false, false},
    {"--screenshot-at", CLI_OPT_PANEL, true, false}, /* and a second value: FILE */
    {"--panel-size", CLI_OPT_PANEL, true, false},
    {"--panel-script", CLI_OPT_PANEL_SCRIPT, true, false},
};

/*
 * K/N of --shard: two decimal numbers of up to 9 digits, 1 <= K <= N, and nothing else. No sign,
 * space or base prefix: sscanf's %u once took "1/-1" as shard 1 of 4294967295, which ran one
 * scenario of the suite and passed with the rest left out.
 */
static bool parse_shard(const char *val, unsigned *k, unsigned *n) {
    unsigned v[2] = {0, 0};
    size_t part = 0, digits = 0;
    for (const char *p = val;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 9) {
                return false;
            }
            v[part] = v[part] * 10u + (unsigned)(*p - '0');
        } else if (digits > 0 && part == 0 && *p == '/') {
            part = 1;
            digits = 0;
        } else if (digits > 0 && part == 1 && *p == '\0') {
            break;
        } else {
            return false;
        }
    }
    *k = v[0];
    *n = v[1];
    return *k >= 1 && *k <= *n;
}

/*
 * A time on the command line (--duration, --until) is held to the scenario loader's limit on a
 * run's length, so that no run the command line starts comes near SIM_TIME_NEVER
 * (docs/robustness.md). -1 when `val` is a time more than 0 and within the limit, else 64.
 */
static int parse_run_time(const char *cmd, const char *opt, const char *val, const char *example,
                          sim_time_ns_t *out_ns) {
    if (sim_parse_duration(val, out_ns) != 0 || *out_ns <= 0) {
        return cli_usage_error(cmd, "%s: '%s' is not a time like %s", opt, val, example);
    }
    if (*out_ns > SIM_SCN_MAX_DURATION_NS) {
        return cli_usage_error(cmd, "%s: '%s' is longer than a run may be (%lld days)", opt, val,
                               (long long)(SIM_SCN_MAX_DURATION_NS / (86400LL * SIM_NS_PER_S)));
    }
    return -1;
}

static int apply_panel(cli_opts_t *o, const char *cmd, const opt_def_t *d, const char *val,
                       const char *val2) {
    if (strcmp(d->name, "--panel") == 0) {
        o->panel = true;
    } else if (strcmp(d->name, "--panel-size") == 0) {
        char extra;
        if (sscanf(val, "%dx%d%c", &o->panel_w, &o->panel_h, &extra) != 2 || o->panel_w < 640 ||
            o->panel_h < 400 || o->panel_w > 7680 || o->panel_h > 4320) {
            return cli_usage_error(cmd, "--panel-size: '%s' is not WxH from 640x400 to 7680x4320",
                                   val);
        }
    } else {
        if (o->n_shots == CLI_SHOTS_MAX) {
            return cli_usage_error(cmd, "--screenshot-at: at most %d screenshots", CLI_SHOTS_MAX);
        }
        sim_time_ns_t t = 0;
        if (sim_parse_duration(val, &t) != 0 || t < 0) {
            return cli_usage_error(cmd, "--screenshot-at: '%s' is not a time like 5s or 1500ms",
                                   val);
        }
        o->shots[o->n_shots].t_ns = t;
        o->shots[o->n_shots++].path = val2;
    }
    return -1;
}

static int apply(cli_opts_t *o, const char *cmd, const opt_def_t *d, const char *val,
                 const char *val2) {
    switch (d->flag) {
        case CLI_OPT_PANEL:
            return apply_panel(o, cmd, d, val, val2);
        case CLI_OPT_PANEL_SCRIPT:
            o->panel_script = val;
            return -1;
        case CLI_OPT_SEED:
            if (!cli_parse_u64(val, &o->seed)) {
                return cli_usage_error(cmd, "--seed: '%s' is not a number (decimal or 0x hex)",
                                       val);
            }
            o->seed_set = true;
            return -1;
        case CLI_OPT_DURATION:
            return parse_run_time(cmd, "--duration", val, "90s or 26h", &o->duration_ns);
        case CLI_OPT_UNTIL:
            return parse_run_time(cmd, "--until", val, "30s or 2h", &o->until_ns);
        case CLI_OPT_OUT:
            o->out = val;
            return -1;
        case CLI_OPT_JUNIT:
            o->junit = val;
            return -1;
        case CLI_OPT_JOBS: {
            uint64_t j = 0;
            if (!cli_parse_u64(val, &j) || j == 0 || j > 256) {
                return cli_usage_error(cmd, "-j: '%s' is not a worker count 1..256", val);
            }
            o->jobs = (unsigned)j;
            return -1;
        }
        case CLI_OPT_SHARD:
            if (!parse_shard(val, &o->shard_k, &o->shard_n)) {
                return cli_usage_error(cmd, "--shard: '%s' is not K/N with 1 <= K <= N", val);
            }
            return -1;
        case CLI_OPT_QUIET:
            o->quiet = true;
            return -1;
        case CLI_OPT_PCAP:
            o->no_pcap = true;
            return -1;
        case CLI_OPT_BRIDGE:
            if (strcmp(d->name, "--bridge-wait") == 0) {
                sim_time_ns_t t = 0;
                if (sim_parse_duration(val, &t) != 0 || t < 0 || t > 3600 * SIM_NS_PER_S) {
                    return cli_usage_error(cmd, "--bridge-wait: '%s' is not a duration up to 1h",
                                           val);
                }
                o->bridge_wait_ms = (uint32_t)(t / SIM_NS_PER_MS);
            } else {
                sim_bridge_spec_t spec;
                char err[160];
                if (sim_bridge_parse_spec(val, &spec, err, sizeof err) != 0) {
                    return cli_usage_error(cmd, "%s", err); /* err names --bridge */
                }
                o->bridge = val;
            }
            return -1;
        case CLI_OPT_REALTIME:
            if (val == NULL) {
                o->realtime_milli = 1000;
            } else if (sim_pacer_parse_factor(val, &o->realtime_milli) != 0) {
                return cli_usage_error(cmd, "--realtime: '%s' is not a factor from 0.001 to 1000",
                                       val);
            }
            return -1;
        case CLI_OPT_ISOLATE:
            o->isolate = true;
            return -1;
        case CLI_OPT_PLUGIN_PATH:
            if (o->n_plugin_paths >= sizeof o->plugin_paths / sizeof o->plugin_paths[0]) {
                return cli_usage_error(cmd, "--plugin-path: too many directories");
            }
            o->plugin_paths[o->n_plugin_paths++] = val;
            cli_add_plugin_dir(val);
            return -1;
        default:
            return cli_usage_error(cmd, "internal: unhandled option %s", d->name);
    }
}

static const opt_def_t *find_def(const char *arg, size_t name_len) {
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        if (strlen(defs[i].name) == name_len && strncmp(arg, defs[i].name, name_len) == 0) {
            return &defs[i];
        }
    }
    return NULL;
}

int cli_opts_parse(cli_opts_t *o, const char *cmd, const char *usage, int argc, char **argv,
                   unsigned allowed) {
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->bridge_wait_ms = 60000;
    bool wait_given = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (o->n_inputs >= sizeof o->inputs / sizeof o->inputs[0]) {
                return cli_usage_error(cmd, "too many inputs");
            }
            o->inputs[o->n_inputs++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        /* "-j2": a one-letter option with its value attached, as make takes it. */
        const char *attached = NULL;
        const opt_def_t *d = find_def(arg, name_len);
        if (d == NULL && arg[1] != '-' && name_len > 2) {
            const opt_def_t *s = find_def(arg, 2);
            if (s != NULL && s->takes_value && !s->optional_value) {
                d = s;
                name_len = 2;
                attached = arg + 2;
            }
        }
        if (d == NULL || !(d->flag & allowed)) {
            return cli_usage_error(cmd, "unknown option '%.*s' for '%s'", (int)name_len, arg, cmd);
        }
        const char *val = NULL;
        if (d->optional_value) {
            val = eq != NULL ? eq + 1 : NULL;
        } else if (d->takes_value) {
            if (attached != NULL) {
                val = attached;
            } else if (eq != NULL) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                return cli_usage_error(cmd, "option '%s' needs a value", d->name);
            }
        } else if (eq != NULL) {
            return cli_usage_error(cmd, "option '%s' takes no value", d->name);
        }
        const char *val2 = NULL;
        if (strcmp(d->name, "--screenshot-at") == 0) {
            if (i + 1 >= argc) {
                return cli_usage_error(cmd, "option '%s' needs two values", d->name);
            }
            val2 = argv[++i];
        }
        int rc = apply(o, cmd, d, val, val2);
        if (rc >= 0) {
            return rc;
        }
        wait_given = wait_given || strcmp(d->name, "--bridge-wait") == 0;
    }
    /* A wait for a bridge's client without a bridge would be ignored: the user meant something
     * else, so say so rather than run without the bridge they thought they asked for. */
    if (wait_given && o->bridge == NULL) {
        return cli_usage_error(cmd, "--bridge-wait: only with --bridge socketcand:HOST:PORT");
    }
    return -1;
}

void cli_opts_free(cli_opts_t *o) {
    (void)o;
}

void cli_opts_out_dir(const cli_opts_t *o, const sim_scenario_t *scn, char *buf, size_t len) {
    if (o->out != NULL) {
        snprintf(buf, len, "%s", o->out);
    } else {
        snprintf(buf, len, "out/%s", scn->name);
    }
}

void cli_opts_repro(const cli_opts_t *o, const sim_scenario_t *scn, char *buf, size_t len) {
    uint64_t seed = o->seed_set ? o->seed : scn->seed;
    int n = snprintf(buf, len, "alfasim run %s --seed 0x%" PRIx64, scn->path, seed);
    if (o->duration_ns > 0 && n > 0 && (size_t)n < len) {
        n += snprintf(buf + n, len - (size_t)n, " --duration %" PRId64 "ns", o->duration_ns);
    }
    if (o->until_ns > 0 && n > 0 && (size_t)n < len) {
        snprintf(buf + n, len - (size_t)n, " --until %" PRId64 "ns", o->until_ns);
    }
}

void cli_fill_host_facts(sim_report_t *r) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(r->timestamp, sizeof r->timestamp, "%Y-%m-%dT%H:%M:%S", &tm);
    char host[256];
    if (gethostname(host, sizeof host) != 0) {
        strcpy(host, "localhost");
    }
    host[sizeof host - 1] = '\0';
    free(r->hostname);
    r->hostname = strdup(host);
}
