/*
 * cli_collect.h: the scenario files a command line names, as `suite` and `validate` find them.
 *
 * A file is taken as given. A folder is searched recursively for *.json, in sorted order, folders
 * entered where they sort; folders named "boards" and entries starting with '.' or '_' hold
 * board descriptions and fragments, not scenarios, and are skipped. A folder that cannot be read
 * stops the search with its name rather than leaving its scenarios out, and so does a *.json that
 * is not a regular file (a FIFO would block the command for ever when opened).
 */
#ifndef SIM_CLI_COLLECT_H
#define SIM_CLI_COLLECT_H

#include <stddef.h>

typedef struct {
    char **paths; /* owned copies, in the order found */
    size_t n, cap;
} cli_paths_t;

/**
 * Room for one more element in a growable array holding n of *cap elements of `size` bytes:
 * `items` itself while n < *cap, else the array reallocated to twice the capacity (64 at first)
 * with the new slots zeroed and *cap updated. NULL when out of memory, `items` then unchanged.
 */
void *cli_grow(void *items, size_t *cap, size_t n, size_t size);

/**
 * Appends the scenario files of `inputs` to *out (zeroed, or filled by an earlier call). 0, or
 * after a one-line message on stderr naming the input, CLI_EXIT_NOINPUT (missing or unreadable,
 * not a regular file) or CLI_EXIT_SOFTWARE (out of memory; `cmd` names the command). An input
 * folder without scenarios adds nothing: the caller decides whether that is an error.
 */
int cli_collect_scenarios(const char *cmd, const char *const *inputs, size_t n_inputs,
                          cli_paths_t *out);

void cli_paths_free(cli_paths_t *p);

#endif
