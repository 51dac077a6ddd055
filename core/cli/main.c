/*
 * main.c: the alfasim command line. A thin dispatcher: each subcommand lives in its own file
 * (cli_run.c, cli_suite.c, cli_check.c, cli_validate.c, ...).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "alfasim_plugin.h"
#include "cli.h"

#ifndef SIM_VERSION
#define SIM_VERSION "0.0.0"
#endif

static const char usage[] =
    "Usage: alfasim <command> [options]\n"
    "\n"
    "Deterministic hardware-in-the-loop simulation of Alfaspark energy packs on a CAN bus.\n"
    "\n"
    "Examples:\n"
    "  alfasim run scenarios/test/two_nodes.json --out out/two_nodes\n"
    "  alfasim suite scenarios/ -j 2 --junit out/junit.xml\n"
    "  alfasim check-determinism scenarios/test/two_nodes.json --seed 7\n"
    "\n"
    "Commands:\n"
    "  run                 run one scenario and write its trace folder\n"
    "  suite               run many scenarios in worker processes, with a summary\n"
    "  check-determinism   run a scenario twice in separate processes and compare digests\n"
    "  validate            load and check a scenario without running it\n"
    "  replay              run a recorded run folder again offline and compare digests\n"
    "  trace-diff          compare two run folders and show the first divergent line\n"
    "  bench               run the benchmarks and their baselines (docs/performance.md)\n"
    "\n"
    "Options:\n"
    "  -h, --help          this help; 'alfasim <command> --help' for a command\n"
    "  --version           version, plugin ABI\n"
    "\n"
    "Exit codes: 0 passed, 1 an assertion failed, 3 node fault, 64 usage, 65 bad scenario,\n"
    "66 missing input, 69 bridge or panel unavailable, 70 internal error, 74 cannot write\n"
    "output, 128 + N interrupted by signal N.\n";

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} command_t;

static const command_t commands[] = {
    {"run", cli_run},
    {"suite", cli_suite},
    {"check-determinism", cli_check_determinism},
    {"validate", cli_validate},
    {"trace-diff", cli_tracediff},
    {"replay", cli_replay},
    {"bench", cli_bench},
};

/* Levenshtein distance, for "did you mean" on a mistyped command. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31) {
        return 99;
    }
    size_t row[32];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static int unknown_command(const char *name) {
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t d = edit_distance(name, commands[i].name);
        if (d < best_d) {
            best_d = d;
            best = commands[i].name;
        }
    }
    if (best != NULL) {
        return cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", name, best);
    }
    return cli_usage_error(NULL, "unknown command '%s'", name);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG like a full disk, and the run
     * ends with its one-line error and no folder; the signal's default would kill it instead,
     * leaving a partial folder behind. */
    signal(SIGXFSZ, SIG_IGN);
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("alfasim %s (plugin ABI %d)\n", SIM_VERSION, ALFASIM_PLUGIN_ABI_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0) {
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    if (cmd[0] == '-') {
        return cli_usage_error(NULL, "unknown option '%s'", cmd);
    }
    return unknown_command(cmd);
}
