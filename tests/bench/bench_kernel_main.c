/*
 * bench_kernel_main.c: bench_kernel, the kernel benchmarks alone (baseline 1) as their own
 * program. It links only the kernel, so it builds and runs while the rest of the tree is in
 * flux, and it is small enough to run under callgrind for instruction counts:
 *
 *   valgrind --tool=callgrind ./bench_kernel --quick --filter hold_1024
 */
#include "bench.h"
#include "bench_hold.h"

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "."
#endif

int main(int argc, char **argv) {
    bench_env_t env = {.groups = &bench_hold_group,
                       .n_groups = 1,
                       .self_path = NULL,
                       .plugin_dirs = NULL,
                       .src_dir = BENCH_SOURCE_DIR};
    return bench_main(argc, argv, &env);
}
