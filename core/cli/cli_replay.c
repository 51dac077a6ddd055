/*
 * cli_replay.c: `alfasim replay DIR`: runs a recorded run again offline and checks that it gives
 * the same traces. The run folder's report.json names the scenario (whose bytes must not have
 * changed: its SHA-256 is compared), the seed and the duration; its events.jsonl holds what came
 * from outside (frames from a bridge, the operator's actions in the panel), which is injected
 * again at the same virtual instants. With --panel the replay is shown and can be scrubbed.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
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
#include "cli_spawn.h"
#include "sim_run.h"
#include "sim_sha256.h"
#include "sim_trace.h"

static const char replay_usage[] =
    "Usage: alfasim replay DIR [--out DIR2] [--plugin-path DIR] [--no-pcap] [--quiet]\n"
    "                      [--panel] [--realtime[=FACTOR]] [--screenshot-at T FILE]...\n"
    "                      [--panel-size WxH]\n"
    "\n"
    "Runs the run recorded in DIR again, offline, with what came from outside (frames from a\n"
    "bridge, the operator's actions in the panel) injected at the same virtual times, and\n"
    "compares the trace digests. When the digests match, the trace files in DIR are checked\n"
    "against the recorded digest too, so a folder edited after the run does not pass.\n"
    "\n"
    "Examples:\n"
    "  alfasim replay out/bridged_run\n"
    "  alfasim replay out/bridged_run --out out/replayed\n"
    "  alfasim replay out/eco_session --panel\n"
    "\n"
    "Options:\n"
    "  --panel           show the replay in a window: timeline slider, speed (docs/panel.md)\n"
    "  --realtime[=F]    pace the replay to real time (x F); with --panel, its starting\n"
    "                    speed (default: real time)\n"
    "  --screenshot-at T FILE   a PNG of the panel at virtual time T (repeatable, headless)\n"
    "  --panel-size WxH  panel size in pixels (default 1280x800)\n"
    "\n"
    "Exit codes: 0 identical, 1 the replay differs or DIR's traces were changed after the run,\n"
    "65 the scenario changed since the run or report.json has a missing or bad seed or\n"
    "duration, 64 usage, 66 missing input, 69 panel unavailable, 70 internal error,\n"
    "74 cannot write output, 128+N ended by signal N (SIGINT, SIGTERM, SIGHUP).\n";

static int check_scenario(const sim_report_t *rec, const char *path) {
    uint8_t d[SIM_SHA256_LEN];
    if (sim_sha256_file(path, d) != 0) {
        fprintf(stderr, "%s: error: cannot read the recorded run's scenario\n", path);
        return CLI_EXIT_NOINPUT;
    }
    char hex[SIM_SHA256_HEX_LEN];
    sim_sha256_hex(d, hex);
    if (rec->scenario_sha256[0] != '\0' && strcmp(hex, rec->scenario_sha256) != 0) {
        fprintf(stderr,
                "%s: error: the scenario changed since the run (sha256 %.16s, recorded "
                "%.16s)\n",
                path, hex, rec->scenario_sha256);
        return CLI_EXIT_DATAERR;
    }
    return 0;
}

/* Between slices: a SIGINT/SIGTERM/SIGHUP ends the replay here (cli_interrupt.h). */
static void check_interrupt(void *ctx, sim_time_ns_t now_ns, sim_time_ns_t end_ns) {
    (void)ctx;
    (void)now_ns;
    (void)end_ns;
    cli_interrupt_check();
}

/*
 * The replay matched the recorded digest; does the folder still hold what that run wrote? Its
 * plain trace files are hashed the way the run hashed them. A folder kept without its traces, or
 * with them compressed, is not checked. False, with what differs, when the files were changed
 * after the run (the replay in `out` is what they should hold) or cannot be read.
 */
static bool folder_holds_its_run(const char *dir, const char *recorded, const char *out) {
    char on_disk[SIM_TRACE_DIGEST_HEX_LEN];
    const char *unreadable = "its trace files";
    int rc = sim_trace_folder_digest(dir, on_disk, &unreadable);
    if (rc == -SIM_ENOENT) {
        return true;
    }
    if (rc != 0) {
        fprintf(stderr, "%s: error: cannot read %s to check the folder's traces\n", dir,
                unreadable);
        return false;
    }
    if (strcmp(on_disk, recorded) == 0) {
        return true;
    }
    printf("%s: the trace files were changed after the run: their digest is %s, not the "
           "recorded one (the replay gives the recorded one)\n",
           dir, on_disk);
    cli_explain_divergence(dir, "in the folder", out, "replayed");
    return false;
}

static int replay(const cli_opts_t *o, const sim_report_t *rec, const char *dir, const char *out) {
    sim_scenario_t *scn = NULL;
    int rc = check_scenario(rec, rec->scenario_path);
    if (rc == 0) {
        rc = cli_load_scenario(rec->scenario_path, &scn, NULL, 0);
    }
    if (rc != 0) {
        return rc;
    }
    sim_run_ui_t ui;
    cli_panel_t *panel = NULL;
    if ((rc = cli_panel_start("replay", o, rec->sim_duration_ns, &ui, &panel)) >= 0) {
        sim_scenario_free(scn);
        return rc;
    }
    char events[4200], repro[4300];
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    snprintf(repro, sizeof repro, "alfasim replay %s", dir);
    sim_run_cfg_t cfg = {.scn = scn,
                         .seed = rec->seed,
                         .duration_ns = rec->sim_duration_ns,
                         .cut_from_ns = rec->cut_from_ns, /* a cut run replays as a cut run */
                         .out_dir = out,
                         .pcap = !o->no_pcap,
                         .repro = repro,
                         .realtime_milli = o->realtime_milli,
                         .replay_events = events,
                         .progress = check_interrupt,
                         .ui = panel != NULL ? &ui : NULL};
    sim_report_t now;
    memset(&now, 0, sizeof now);
    char err[1024] = "";
    rc = sim_run_scenario(&cfg, &now, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        rc = rc == -SIM_EFORMAT || rc == -SIM_EVERSION ? CLI_EXIT_DATAERR
             : rc == -SIM_ENOENT                       ? CLI_EXIT_NOINPUT
             : rc == -SIM_EIO ? CLI_EXIT_IOERR /* the replay's folder could not be written */
                              : CLI_EXIT_SOFTWARE;
    } else {
        bool same = strcmp(now.digest, rec->digest) == 0;
        if (!o->quiet || !same) {
            printf("%s: replay %s\n  recorded: %s\n  replayed: %s\n",
                   rec->scenario_name != NULL ? rec->scenario_name : rec->scenario_path,
                   same ? "identical" : "DIFFERS", rec->digest, now.digest);
        }
        if (!same) {
            cli_explain_divergence(dir, "recorded", out, "replayed");
        } else if (!folder_holds_its_run(dir, rec->digest, out)) {
            same = false;
        }
        rc = same ? 0 : CLI_EXIT_FAIL;
    }
    rc = cli_panel_finish(panel, rc);
    sim_report_clear(&now);
    sim_scenario_free(scn);
    return rc;
}

/* True when `out` names the folder `dir` itself (through any path or link): the replay would
 * replace the recorded run it is checking with its own output. */
static bool same_folder(const char *dir, const char *out) {
    struct stat a, b;
    return stat(dir, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int cli_replay(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "replay", replay_usage, argc, argv, CLI_OPT_REPLAY);
    if (rc >= 0) {
        return rc;
    }
    cli_pause_install(&o); /* SIGUSR1 pauses and resumes a paced replay, as a live run */
    if (o.n_inputs != 1) {
        return cli_usage_error("replay", "expected exactly one run folder");
    }
    if (o.out != NULL && same_folder(o.inputs[0], o.out)) {
        return cli_usage_error("replay", "--out: '%s' is the run folder being replayed", o.out);
    }
    sim_report_t rec;
    if ((rc = cli_report_read_replay(o.inputs[0], &rec)) != 0) {
        return rc;
    }
    if (!cli_panel_wanted(&o)) {
        cli_interrupt_install(); /* before the temporary folder exists, so it never outlives us */
    }
    char tmp[4096] = "";
    const char *out = o.out;
    if (out == NULL) {
        const char *t = getenv("TMPDIR");
        const char *parent = t && *t ? t : "/tmp";
        snprintf(tmp, sizeof tmp, "%s/alfasim-replay-XXXXXX", parent);
        if (mkdtemp(tmp) == NULL) {
            fprintf(stderr, "%s: error: cannot create a temporary folder for the replay: %s\n",
                    parent, strerror(errno));
            sim_report_clear(&rec);
            return CLI_EXIT_IOERR;
        }
        cli_interrupt_remove_on(tmp); /* the whole temporary folder */
        strcat(tmp, "/run");
        out = tmp;
    } else {
        char partial[4200];
        snprintf(partial, sizeof partial, "%s.partial", out);
        cli_interrupt_remove_on(partial);
    }
    rc = replay(&o, &rec, o.inputs[0], out);
    if (o.out == NULL) {
        *strrchr(tmp, '/') = '\0';
        cli_remove_tree(tmp);
    }
    sim_report_clear(&rec);
    return cli_interrupt_signal() != 0 ? 128 + cli_interrupt_signal() : rc;
}
