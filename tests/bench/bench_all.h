/*
 * bench_all.h: every benchmark of the harness, as `alfasim bench` runs them.
 */
#ifndef BENCH_ALL_H
#define BENCH_ALL_H

/**
 * `alfasim bench ...`: argv[0] is "bench". self_path is the alfasim binary, plugin_dirs its
 * plugin search path (NULL-terminated). Returns the exit code (bench_main).
 */
int bench_run_all(int argc, char **argv, const char *self_path, const char *const *plugin_dirs);

#endif
