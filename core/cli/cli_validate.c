/*
 * cli_validate.c: `alfasim validate SCENARIO.json...`: load and check scenarios without running
 * them; prints "ok" per file or its error line. Writes nothing.
 */
#include <stdio.h>

#include "cli.h"
#include "cli_opts.h"
#include "sim_scenario.h"

static const char validate_usage[] =
    "Usage: alfasim validate SCENARIO.json... [--plugin-path DIR] [--quiet]\n"
    "\n"
    "Loads and checks scenario files without running them.\n"
    "\n"
    "Example:\n"
    "  alfasim validate scenarios/test/*.json\n"
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
    for (size_t i = 0; i < o.n_inputs; i++) {
        sim_scenario_t *scn = NULL;
        int code = cli_load_scenario(o.inputs[i], &scn, NULL, 0);
        if (code != 0) {
            worst = worst > code ? worst : code;
            continue;
        }
        if (!o.quiet) {
            printf("%s: ok (%zu nodes, %zu actions)\n", o.inputs[i], scn->n_nodes, scn->n_actions);
        }
        sim_scenario_free(scn);
    }
    return worst;
}
