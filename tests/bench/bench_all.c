/*
 * bench_all.c: the list of benchmark groups behind `alfasim bench`, in the order they run and
 * print: the reference workloads first, then the baselines, then memory.
 */
#include "bench_all.h"

#include "bench.h"
#include "bench_call.h"
#include "bench_hold.h"
#include "bench_nodes.h"
#include "bench_replay.h"
#include "bench_scenario.h"

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "."
#endif

int bench_run_all(int argc, char **argv, const char *self_path, const char *const *plugin_dirs) {
    static const bench_group_t *const all[] = {&bench_scenario_group, &bench_hold_group,
                                               &bench_replay_group, &bench_call_group,
                                               &bench_nodes_group};
    bench_group_t groups[sizeof all / sizeof all[0]];
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        groups[i] = *all[i];
    }
    bench_env_t env = {.groups = groups,
                       .n_groups = sizeof groups / sizeof groups[0],
                       .self_path = self_path,
                       .plugin_dirs = plugin_dirs,
                       .src_dir = BENCH_SOURCE_DIR};
    return bench_main(argc, argv, &env);
}
