/*
 * cli_validate.c: `alfasim validate PATH...`: load and check scenarios without running them;
 * prints "ok" per file or its error line, and goes on to the next. Folders are searched as
 * `suite` searches them (cli_collect.h), so a CI job can check every scenario `suite` would run.
 * Writes nothing.
 */
#include <stdio.h>

#include "cli.h"
#include "cli_collect.h"
#include "cli_opts.h"
#include "sim_scenario.h"

static const char validate_usage[] =
    "Usage: alfasim validate PATH... [--plugin-path DIR] [--quiet]\n"
    "\n"
    "Loads and checks scenario files without running them. PATH is a scenario file or a\n"
    "folder, searched for *.json as suite searches it.\n"
    "\n"
    "Examples:\n"
    "  alfasim validate scenarios/test/*.json\n"
    "  alfasim validate scenarios/\n"
    "\n"
    "Exit codes: 0 all valid, 65 a scenario is malformed, 66 missing input.\n";

int cli_validate(int argc, char **argv) {
    cli_opts_t o;
    int rc = cli_opts_parse(&o, "validate", validate_usage, argc, argv, CLI_OPT_VALIDATE);
    if (rc >= 0) {
        return rc;
    }
    if (o.n_inputs == 0) {
        return cli_usage_error("validate", "expected at least one scenario file");
    }
    int worst = 0;
    size_t n_found = 0;
    for (size_t i = 0; i < o.n_inputs; i++) {
        /* One input at a time: a missing one is reported and the others are still checked. */
        cli_paths_t found = {NULL, 0, 0};
        int code = cli_collect_scenarios("validate", &o.inputs[i], 1, &found);
        worst = worst > code ? worst : code;
        n_found += found.n;
        for (size_t k = 0; code == 0 && k < found.n; k++) {
            sim_scenario_t *scn = NULL;
            int lc = cli_load_scenario(found.paths[k], &scn, NULL, 0);
            if (lc != 0) {
                worst = worst > lc ? worst : lc;
                continue;
            }
            if (!o.quiet) {
                printf("%s: ok (%zu nodes, %zu actions)\n", found.paths[k], scn->n_nodes,
                       scn->n_actions);
            }
            sim_scenario_free(scn);
        }
        cli_paths_free(&found);
    }
    if (worst == 0 && n_found == 0) {
        /* A mistyped or empty folder would otherwise pass in CI with nothing checked. */
        fprintf(stderr, "%s: error: no scenario files (*.json) found\n", o.inputs[0]);
        worst = CLI_EXIT_NOINPUT;
    }
    return worst;
}
