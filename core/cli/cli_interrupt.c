/*
 * cli_interrupt.c: SIGINT, SIGTERM and SIGHUP end a run cleanly (cli_interrupt.h).
 *
 * The handler stores the signal number in a sig_atomic_t and opens the pause gate, both
 * async-signal-safe; everything else (removing folders, printing) happens in
 * cli_interrupt_check, on the main thread between slices. SA_RESTART keeps the blocking calls of
 * the slice in progress (file writes, the isolation channel) from failing with EINTR, so the
 * slice finishes normally before the check sees the signal.
 *
 * `suite` and `check-determinism` run each scenario in a child `alfasim run`. A signal sent to
 * the parent alone (a CI job's timeout, `kill`) is passed on by the handler to every child still
 * running (kill(2) is async-signal-safe), so each child removes its own partial folder and ends;
 * the parent starts no more, waits for them and then ends like a run.
 */
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_interrupt.h"
#include "sim_bridge_pause.h"
#include "sim_types.h"

#define MAX_FOLDERS  4
#define MAX_CHILDREN 256

/* A signal this long after the first is a second request (end at once), a sooner one the same. */
#define AGAIN_AFTER_MS 1000

static volatile sig_atomic_t got_signal;
static volatile int64_t first_signal_ms; /* written by the handler before got_signal */
static char *folders[MAX_FOLDERS];
static size_t n_folders;
/* Read by the handler: a slot is 0 or a live child's pid, written whole (pid_t is an int). */
static volatile pid_t children[MAX_CHILDREN];
static const char *outcome = "the run was not written";
/* The signals that end a run cleanly (installed) and take their default action in a child. */
static const int handled_sigs[] = {SIGINT, SIGTERM, SIGHUP};

static const char *signal_name(int sig);

/* Passes the signal on to every child still running. */
static void pass_on(int sig) {
    for (size_t i = 0; i < MAX_CHILDREN; i++) {
        pid_t pid = children[i];
        if (pid > 0) {
            (void)kill(pid, sig);
        }
    }
}

/* A second signal while the first still waits for a slice end: the run is not getting there (an
 * in-process firmware that never returns from an entry point, say). It ends at once, passing the
 * signal on first; only write() and _exit() here, so the partial folder stays. */
static void end_at_once(int sig) {
    static const char head[] = "alfasim: interrupted again by ";
    static const char tail[] = ": ended at once, the partial run folder is left\n";
    const char *name = signal_name(sig);
    (void)!write(STDERR_FILENO, head, sizeof head - 1);
    (void)!write(STDERR_FILENO, name, strlen(name));
    (void)!write(STDERR_FILENO, tail, sizeof tail - 1);
    _exit(128 + got_signal);
}

/* Host monotonic time in ms (clock_gettime is async-signal-safe); only this file's signal
 * bookkeeping reads it, never the simulation. */
static int64_t now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig) {
    int64_t t_ms = now_ms();
    if (got_signal != 0) {
        /* One interruption often arrives twice within microseconds: `timeout` and CI runners
         * signal the process and then its process group, and Ctrl-C reaches a suite's children
         * from the terminal and again from the suite. Only a signal that comes later is a
         * second request: the run has had time to reach a slice end and did not. */
        if (t_ms - first_signal_ms < AGAIN_AFTER_MS) {
            return;
        }
        pass_on(sig);
        end_at_once(sig);
    }
    first_signal_ms = t_ms;
    got_signal = sig;
    pass_on(sig);
    sim_bridge_pause_set(false); /* a paused run must reach a slice end to see the signal */
}

void cli_interrupt_child_started(pid_t pid) {
    for (size_t i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] == 0) {
            children[i] = pid;
            break;
        }
    }
    /* A signal that came between the fork and the line above was not passed on. */
    int sig = got_signal;
    if (sig != 0) {
        (void)kill(pid, sig);
    }
}

void cli_interrupt_child_ended(pid_t pid) {
    for (size_t i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] == pid) {
            children[i] = 0;
        }
    }
}

void cli_interrupt_in_child(void) {
    for (size_t i = 0; i < sizeof handled_sigs / sizeof handled_sigs[0]; i++) {
        (void)signal(handled_sigs[i], SIG_DFL);
    }
}

void cli_interrupt_set_outcome(const char *text) {
    outcome = text;
}

void cli_interrupt_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof handled_sigs / sizeof handled_sigs[0]; i++) {
        (void)sigaction(handled_sigs[i], &sa, NULL);
    }
}

int cli_interrupt_signal(void) {
    return got_signal;
}

void cli_interrupt_remove_on(const char *path) {
    SIM_ASSERT(n_folders < MAX_FOLDERS);
    folders[n_folders] = strdup(path);
    if (folders[n_folders] != NULL) {
        n_folders++;
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

/*
 * Removes a folder tree this process is writing: depth first, symbolic links removed and never
 * followed. The trace layer's own removal would refuse it, as it refuses to remove a partial
 * folder a live run holds (this one holds it until _exit). True when it is gone.
 */
static bool remove_own_tree(const char *path) {
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

static const char *signal_name(int sig) {
    return sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGHUP  ? "SIGHUP"
                            : "a signal";
}

void cli_interrupt_check(void) {
    int sig = got_signal;
    if (sig == 0) {
        return;
    }
    fflush(stdout);
    fprintf(stderr, "alfasim: interrupted by %s:", signal_name(sig));
    for (size_t i = 0; i < n_folders; i++) {
        struct stat st;
        if (lstat(folders[i], &st) == 0) {
            bool gone = remove_own_tree(folders[i]);
            fprintf(stderr, gone ? " removed %s;" : " could not remove %s;", folders[i]);
        }
    }
    fprintf(stderr, " %s\n", outcome);
    /* _exit: the run is abandoned mid-slice, so nothing of it (plugin destructors, buffered
     * trace writers of a folder just removed) may run at exit. */
    _exit(128 + sig);
}
