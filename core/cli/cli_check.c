/*
 * cli_check.c: `alfasim check-determinism SCENARIO.json`: runs the scenario twice, each in its own
 * process, into temporary run folders and compares the trace digests. On a mismatch it names the
 * first trace file and line where the two runs diverge.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_interrupt.h"
#include "cli_spawn.h"

static const char check_usage[] =
    "Usage: alfasim check-determinism SCENARIO.json [--seed N] [--duration T]\n"
    "                                 [--plugin-path DIR] [--isolate] [--quiet]\n"
    "\n"
    "Runs the scenario twice in separate processes and compares the trace digests.\n"
    "\n"
    "Examples:\n"
    "  alfasim check-determinism scenarios/test/two_nodes.json\n"
    "  alfasim check-determinism scenarios/test/two_nodes.json --seed 42 --duration 5s\n"
    "\n"
    "Options:\n"
    "  --seed N, --duration T, --plugin-path DIR, --isolate   as for alfasim run\n"
    "  --quiet           print nothing when the runs are identical\n"
    "\n"
    "Exit codes: 0 identical, 1 the runs differ, 64 usage, 65 bad scenario, 66 missing input,\n"
    "70 a run failed, 74 no temporary folder, 128+N ended by signal N (SIGINT, SIGTERM,\n"
    "SIGHUP).\n";

/* One run into `dir`: 0 with *r read from its report, else the exit code (70 with *signo set
 * when a signal killed it). */
static int run_once(const cli_opts_t *o, const char *scenario, const char *dir, sim_report_t *r,
                    int *signo) {
    pid_t pid = cli_spawn_run(o, scenario, dir);
    int code = CLI_EXIT_SOFTWARE;
    pid_t done = pid < 0 ? -1 : cli_wait_any(&code, signo);
    cli_interrupt_check(); /* a signal passed on to the run ends the check here */
    if (done != pid) {
        return CLI_EXIT_SOFTWARE;
    }
    if (code != CLI_EXIT_OK && code != CLI_EXIT_FAIL) {
        return code;
    }
    return cli_report_read(dir, r) == 0 ? 0 : CLI_EXIT_SOFTWARE;
}

int cli_check_determinism(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "check-determinism", check_usage, argc, argv, CLI_OPT_CHECK);
    if (rc >= 0) {
        return rc;
    }
    if (o.n_inputs != 1) {
        return cli_usage_error("check-determinism", "expected exactly one scenario file");
    }
    sim_scenario_t *scn = NULL;
    rc = cli_load_scenario(o.inputs[0], &scn, NULL, 0);
    if (rc != 0) {
        return rc;
    }
    /* Before the temporary folder exists, so that a signal never leaves it behind. */
    cli_interrupt_set_outcome("nothing was compared");
    cli_interrupt_install();
    const char *tmp = getenv("TMPDIR");
    const char *parent = tmp && *tmp ? tmp : "/tmp";
    char root[4096];
    snprintf(root, sizeof root, "%s/alfasim-det-XXXXXX", parent);
    if (mkdtemp(root) == NULL) {
        fprintf(stderr, "%s: error: cannot create a temporary folder: %s\n", parent,
                strerror(errno));
        sim_scenario_free(scn);
        return CLI_EXIT_IOERR;
    }
    cli_interrupt_remove_on(root);
    char d1[4200], d2[4200];
    snprintf(d1, sizeof d1, "%s/run1", root);
    snprintf(d2, sizeof d2, "%s/run2", root);
    sim_report_t r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    int signo = 0;
    rc = run_once(&o, o.inputs[0], d1, &r1, &signo);
    if (rc == 0) {
        rc = run_once(&o, o.inputs[0], d2, &r2, &signo);
    }
    if (rc == 0) {
        bool same = strcmp(r1.digest, r2.digest) == 0 && r1.digest[0] != '\0';
        if (!same || !o.quiet) {
            printf("%s seed=0x%" PRIx64 ": %s\n  run 1: %s\n  run 2: %s\n", scn->name, r1.seed,
                   same ? "deterministic" : "NOT deterministic", r1.digest, r2.digest);
        }
        if (!same) {
            cli_explain_divergence(d1, "run 1", d2, "run 2");
            rc = CLI_EXIT_FAIL;
        }
    } else if (signo != 0) {
        fprintf(stderr, "%s: error: a run crashed: killed by signal %d (%s)\n", o.inputs[0], signo,
                strsignal(signo));
    } else {
        fprintf(stderr, "%s: error: a run failed (exit %d)\n", o.inputs[0], rc);
    }
    cli_remove_tree(root);
    sim_report_clear(&r1);
    sim_report_clear(&r2);
    sim_scenario_free(scn);
    return rc;
}
