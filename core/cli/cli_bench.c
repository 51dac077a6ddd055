/*
 * cli_bench.c: `alfasim bench`: the benchmark harness of tests/bench/ (reference workloads,
 * baselines, memory), linked into the binary so that it measures exactly what `alfasim run`
 * runs. Everything, the option parsing included, lives in the harness; this is the entry.
 */
#include "bench_all.h"
#include "cli.h"

int cli_bench(int argc, char **argv) {
    return bench_run_all(argc, argv, cli_self_path(), cli_plugin_dirs());
}
