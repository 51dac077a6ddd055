/*
 * cli_pause.h: pausing a paced run from outside with a signal, for runs without a window
 * (`alfasim run --bridge ...` or `--realtime`, `alfasim replay --realtime`).
 *
 * SIGUSR1 toggles the run's pause gate (core/bridge/sim_bridge_pause.h): virtual time stops at
 * the next 1 ms slice boundary, a bridge keeps reading its host interface and queues the frames,
 * and the next SIGUSR1 lets the run go on from where it stood, paced again from that moment.
 * Each stop and each resume is told on stderr with its virtual time ("alfasim: paused at
 * t=8.001 s ..."), unless quiet. Runs with a window do not install it: the panel has its own
 * pause key, and a window that stopped drawing would look hung.
 */
#ifndef SIM_CLI_PAUSE_H
#define SIM_CLI_PAUSE_H

#include "cli_opts.h"

/**
 * When the options ask for a paced run (--bridge or --realtime) without a window (--panel),
 * installs the SIGUSR1 handler and the stderr messages (none with --quiet); otherwise does
 * nothing. Call right after parsing the options, so that an early signal pauses the run at
 * its first slice instead of ending the process.
 */
void cli_pause_install(const cli_opts_t *o);

#endif
