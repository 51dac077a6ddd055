/*
 * cli.h: shared pieces of the alfasim command line (core/cli/).
 *
 * Exit codes follow sysexits.h where one exists (docs/usage.md):
 *   0 all assertions held; 1 an assertion failed; 3 a firmware node fault; 64 usage error;
 *   65 bad scenario data; 66 missing input; 69 unavailable; 70 internal error; 74 I/O error.
 * Results go to stdout, messages to stderr. Progress lines appear only when stderr is a terminal.
 */
#ifndef SIM_CLI_H
#define SIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_scenario.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_NODE_FAULT = 3,
    CLI_EXIT_USAGE = 64,
    CLI_EXIT_DATAERR = 65,
    CLI_EXIT_NOINPUT = 66,
    CLI_EXIT_UNAVAILABLE = 69,
    CLI_EXIT_SOFTWARE = 70,
    CLI_EXIT_IOERR = 74,
};

/** Subcommands: argv[0] is the subcommand name. Each returns an exit code. */
int cli_run(int argc, char **argv);
int cli_suite(int argc, char **argv);
int cli_check_determinism(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_tracediff(int argc, char **argv);
int cli_bench(int argc, char **argv);

/** "alfasim: error: <msg>" on stderr, then a hint line if given. Returns `code`. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Absolute path of the running alfasim binary (for re-executing it in worker processes). */
const char *cli_self_path(void);

/**
 * Plugin search directories, NULL-terminated: each --plugin-path given (in order), then
 * $ALFASIM_PLUGIN_PATH (colon-separated), then <dir of the binary>/plugins.
 */
const char *const *cli_plugin_dirs(void);
void cli_add_plugin_dir(const char *dir);

/**
 * Loads a scenario. On failure the one-line diagnostic goes to errbuf when given, else to stderr,
 * and the exit code (65, 66 or 70) is returned; 0 on success with *out set.
 */
int cli_load_scenario(const char *path, sim_scenario_t **out, char *errbuf, size_t errlen);

/** Parses a seed: decimal or 0x-prefixed hex, up to 2^64-1. */
bool cli_parse_u64(const char *text, uint64_t *out);

/** True when progress lines may be drawn (stderr is a TTY, TERM is not dumb). */
bool cli_progress_enabled(void);

/** Monotonic host time in ms, for wall-clock statistics and progress only (never in traces). */
uint64_t cli_wall_ms(void);

/** Creates the missing folders above `path` (not `path` itself). 0, or -1 with errno. */
int cli_mkdir_parents(const char *path);

/**
 * Before a run or suite: can the output file at `path` (`what`: "the JUnit file", "the
 * screenshot") be written? Creates its missing folders, then creates and removes `path`.tmp.
 * 0, or CLI_EXIT_IOERR after a one-line error naming the path, `what` and the reason.
 */
int cli_output_writable(const char *path, const char *what);

/** The most bytes of one trace line that cli_put_line shows (an events.jsonl line fits whole). */
#define CLI_LINE_SHOWN 4096

/**
 * Prints one line of a trace file (`len` bytes, its newline, if any, included) to stdout so that
 * what differs is visible: control bytes other than a tab, such as a NUL or the CR of a CRLF
 * line, are shown as \xNN, a line longer than CLI_LINE_SHOWN bytes is cut there with its length
 * given, and the output always ends with one newline.
 */
void cli_put_line(const char *line, size_t len);

#endif
