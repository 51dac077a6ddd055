/*
 * cli_spawn.h: worker processes. `suite` and `check-determinism` re-execute this binary's `run`
 * command in child processes, so every run has its own address space (plugins, globals, crashes)
 * and runs in parallel on -j workers.
 */
#ifndef SIM_CLI_SPAWN_H
#define SIM_CLI_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "cli_opts.h"

/**
 * Starts `alfasim run <scenario> --out <out_dir> --quiet` plus the seed/duration/plugin-path
 * options of `o` that were given. Returns the child's pid, or -1 (errno set).
 */
pid_t cli_spawn_run(const cli_opts_t *o, const char *scenario, const char *out_dir);

/** Waits for any child; returns its pid and stores its exit code (70 for a signal). */
pid_t cli_wait_any(int *exit_code);

/** Reads <dir>/report.json into r (allocating strings). 0 or -1. */
int cli_report_read(const char *dir, sim_report_t *r);

/** Prints the first line where two run folders' traces differ (bus.log, events.jsonl, VCD). */
void cli_explain_divergence(const char *dir1, const char *dir2);

/** Removes a directory tree (for temporary run folders). */
void cli_remove_tree(const char *path);

#endif
