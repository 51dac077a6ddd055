/*
 * cli_panel.h: the SDL panel as `alfasim run` and `alfasim replay` open it (--panel,
 * --screenshot-at, --panel-script, --panel-size), behind the run layer's front-end interface
 * (core/run/sim_run_ui.h).
 *
 *   --panel           a window, paced at real time (the panel changes the speed); without a
 *                     display it falls back to headless when screenshots or a script were asked
 *                     for, and fails otherwise
 *   --screenshot-at   PNG files of the panel at virtual times, with or without a window
 *   --panel-script    scripted keys, text and clicks at virtual times (cli_panel_script.h)
 *
 * Without --panel the panel draws into memory only (no video driver at all), so screenshots
 * and scripted sessions work in CI. A build without SDL2 has no panel: opening one fails with
 * -SIM_ENOTSUP and a message saying so (exit 69).
 */
#ifndef SIM_CLI_PANEL_H
#define SIM_CLI_PANEL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_opts.h"
#include "sim_run_ui.h"

typedef struct cli_panel cli_panel_t;

/** True when the options ask for the panel in any form. */
bool cli_panel_wanted(const cli_opts_t *o);

/**
 * Opens the panel the options describe and fills *ui for sim_run_cfg_t.ui.
 * @retval 0             *out and *ui set
 * @retval -SIM_ENOTSUP  this build has no panel, or no window could be opened (exit 69)
 * @retval -SIM_ENOENT   the panel script cannot be read (exit 66)
 * @retval -SIM_EFORMAT  the panel script is malformed, or has an entry after end_ns (exit 65)
 * @retval -SIM_ENOMEM
 * The message is in err.
 */
int cli_panel_open(const cli_opts_t *o, sim_time_ns_t end_ns, sim_run_ui_t *ui, cli_panel_t **out,
                   char *err, size_t errlen);

/**
 * For subcommand `cmd`: opens the panel when the options ask for it, after checking that every
 * screenshot and script entry falls within the run. Returns -1 to go on (*panel and *ui set, or
 * *panel NULL when no panel was asked for), else the exit code to return (the message is printed).
 */
int cli_panel_start(const char *cmd, const cli_opts_t *o, sim_time_ns_t duration_ns,
                    sim_run_ui_t *ui, cli_panel_t **panel);

/** Closes the panel; a screenshot that was not written turns exit 0 into 74. Returns the code. */
int cli_panel_finish(cli_panel_t *panel, int code);

/**
 * Closes the panel (NULL is allowed) and says, on stderr, which screenshots failed or were never
 * taken. Returns how many.
 */
unsigned cli_panel_close(cli_panel_t *p);

#endif
