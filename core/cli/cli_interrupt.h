/*
 * cli_interrupt.h: ending a run on SIGINT, SIGTERM or SIGHUP without leaving a half-written
 * folder behind (docs/traces.md, docs/usage.md).
 *
 * The handler only records which signal came (and opens the pause gate, so that a paused run
 * reaches its next slice); the run's progress hook, called by the run loop between slices
 * outside any handler, sees it there, removes the folders registered for removal (the run's
 * `<out>.partial`, a replay's temporary folder), says so on stderr and ends the process with
 * 128 + the signal number, the status a shell gives a process killed by that signal. Firmware
 * child processes (--isolate) end with their parent. Runs shown in the panel do not install it:
 * their window has its own way to stop, and the run loop does not call the hook.
 */
#ifndef SIM_CLI_INTERRUPT_H
#define SIM_CLI_INTERRUPT_H

/** Installs the handler for SIGINT, SIGTERM and SIGHUP. */
void cli_interrupt_install(void);

/** The signal that arrived since cli_interrupt_install, or 0. */
int cli_interrupt_signal(void);

/**
 * Adds a folder to remove when a signal ends the process (at most 4; a copy is kept). A path
 * that is not there then is skipped.
 */
void cli_interrupt_remove_on(const char *path);

/**
 * Outside any signal handler: when a signal arrived, removes the registered folders, prints
 * "alfasim: interrupted by SIGTERM: ..." on stderr and ends the process with 128 + the signal
 * number. Returns when none arrived.
 */
void cli_interrupt_check(void);

#endif
