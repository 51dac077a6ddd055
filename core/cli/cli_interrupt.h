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
 *
 * `suite` and `check-determinism` install it too: the signal is passed on to the child runs they
 * started (cli_spawn.h registers them), which clean up after themselves; the parent stops
 * starting runs, waits for the running ones and then calls cli_interrupt_check.
 *
 * A second signal at least a second after the first ends the process at once, from the handler,
 * leaving the partial folder: the run is stuck before its next slice end. A sooner one is the
 * same interruption delivered twice (to the process and to its process group) and is ignored.
 */
#ifndef SIM_CLI_INTERRUPT_H
#define SIM_CLI_INTERRUPT_H

#include <sys/types.h>

/** Installs the handler for SIGINT, SIGTERM and SIGHUP. */
void cli_interrupt_install(void);

/** A child process that a signal must be passed on to (at most 256 at a time); one started
 *  after the signal came gets it at once. */
void cli_interrupt_child_started(pid_t pid);
/** The child was reaped: its pid may be reused and must not be signalled any more. */
void cli_interrupt_child_ended(pid_t pid);
/** In a forked child before exec: the signals take their default action again. */
void cli_interrupt_in_child(void);
/** What cli_interrupt_check says after the folders ("the run was not written" by default). */
void cli_interrupt_set_outcome(const char *text);

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
