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

#include <stdbool.h>

/** Installs the SIGUSR1 handler and the stderr messages. Call before the run starts. */
void cli_pause_install(bool quiet);

#endif
