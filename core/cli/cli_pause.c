/*
 * cli_pause.c: SIGUSR1 toggles the pause of a paced run (cli_pause.h).
 *
 * The handler only flips the gate, which is async-signal-safe; the messages are written by the
 * run loop's notification, outside the handler. SA_RESTART keeps blocking calls elsewhere (the
 * isolation channel, file writes) from failing with EINTR; the run loop's own waits (poll,
 * nanosleep) return early on the signal anyway and look at the gate again.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_pause.h"
#include "sim_bridge_pause.h"

static void on_sigusr1(int sig) {
    (void)sig;
    sim_bridge_pause_toggle();
}

static void tell(void *ctx, bool paused, sim_time_ns_t now_ns) {
    (void)ctx;
    double t_s = (double)now_ns / 1e9;
    if (paused) {
        fprintf(stderr,
                "alfasim: paused at t=%.3f s: virtual time stands still, host frames are "
                "queued; SIGUSR1 again resumes\n",
                t_s);
    } else {
        fprintf(stderr, "alfasim: resumed at t=%.3f s\n", t_s);
    }
}

void cli_pause_install(const cli_opts_t *o) {
    if ((o->bridge == NULL && o->realtime_milli == 0) || o->panel) {
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGUSR1, &sa, NULL);
    sim_bridge_pause_notify(o->quiet ? NULL : tell, NULL);
}
