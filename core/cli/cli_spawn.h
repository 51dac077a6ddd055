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

/** Waits for any child; returns its pid and stores its exit code (70 when a signal killed it)
 *  and the signal that killed it (0 when it exited). */
pid_t cli_wait_any(int *exit_code, int *signo);

/** Reads <dir>/report.json into r (allocating strings). 0 or -1. */
int cli_report_read(const char *dir, sim_report_t *r);

/**
 * Reads <dir>/report.json for a replay, which runs what the report says: the seed and the
 * duration must be there and exact (cli_report_check_replay). 0 with *r filled (the caller frees
 * it with sim_report_clear); 66 when there is no readable report.json; 65 when it is not a JSON
 * object (cut short, damaged) or a field is missing or bad. Each prints one line naming the file
 * on stderr.
 */
int cli_report_read_replay(const char *dir, sim_report_t *r);

/**
 * The fields of a parsed report.json (a cJSON object) that a replay runs: seed_hex (0x hex up to
 * 2^64-1) when present, seed (a whole number from 0 below 2^64), sim_duration_ns (a whole number
 * more than 0, at most the scenario loader's limit), when present, cut_from_ns (a whole number
 * after sim_duration_ns, within the same limit), scenario.path (a non-empty string),
 * scenario.sha256 (64 lowercase hex digits, or null or absent) and digest (64 lowercase hex
 * digits). NULL when they are fine, else the name of the first bad field, with what is wrong in
 * `why`.
 */
struct cJSON;
const char *cli_report_check_replay(const struct cJSON *root, char *why, size_t len);

/** Prints the first line where two run folders' traces differ (bus.log, events.jsonl, VCD),
 *  each side's line under its label ("run 1", "recorded", ...). */
void cli_explain_divergence(const char *dir1, const char *label1, const char *dir2,
                            const char *label2);

/** Removes a directory tree (for temporary run folders). */
void cli_remove_tree(const char *path);

#endif
