/*
 * sim_isolate.c: the child process and its channel, seen from the host: fork, send, receive
 * with a watchdog, kill, and why the child died.
 *
 * The channel is a region of shared memory mapped before the fork (sim_isolate_chan.h): two byte
 * rings with futex wake-ups, so a round trip is two wake-ups and no data copied through the
 * kernel. Records are framed here exactly as on a stream: a header, then the payload. The host
 * assembles what it receives in a buffer of its own, so a record that wrapped around the ring is
 * contiguous when it is used, and nothing the child does to the region afterwards can change a
 * record the host is reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_isolate.h"

#define RBUF_CAP (2u * SIM_ISO_UP_MAX)

struct sim_isolate {
    sim_iso_host_end_t end;
    uint32_t dying;
    size_t r_off, r_len;
    uint8_t rbuf[RBUF_CAP];
};

/* ---- the child's side of the fork ----------------------------------------------------------- */

/* Everything the child inherits but must not keep: every descriptor but the standard ones (trace
 * files, other nodes' bridges), the host's signal handlers and mask. */
static void child_prepare(void) {
    close_range(3, ~0u, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    /* Ctrl-C reaches the whole process group: the host decides what happens, the child waits
     * to be killed. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
}

int sim_isolate_spawn(sim_isolate_main_fn main, void *arg, uint32_t timeout_ms, sim_isolate_t **out,
                      char *err, size_t errlen) {
    SIM_ASSERT(main != NULL && out != NULL);
    *out = NULL;
    sim_isolate_t *iso = calloc(1, sizeof *iso);
    sim_iso_shm_t *shm = iso != NULL ? sim_iso_shm_create() : NULL;
    if (shm == NULL) {
        snprintf(err, errlen, "cannot create the firmware channel: %s", strerror(errno));
        free(iso);
        return -SIM_ENOMEM;
    }
    /* Buffered output written before the fork would otherwise be written twice if the firmware
     * calls exit() in the child. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the firmware process: %s", strerror(errno));
        sim_iso_shm_destroy(shm);
        free(iso);
        return -SIM_ENOMEM;
    }
    if (pid == 0) {
        free(iso); /* the host's handle means nothing here */
        child_prepare();
        main(arg, sim_iso_chan_attach(shm));
        _exit(0);
    }
    sim_iso_shm_seal(shm);
    iso->end.shm = shm;
    iso->end.pid = pid;
    iso->end.timeout_ms = timeout_ms != 0 ? timeout_ms : SIM_ISOLATE_TIMEOUT_MS_DEFAULT;
    *out = iso;
    return 0;
}

int sim_isolate_send(sim_isolate_t *iso, uint16_t type, const void *head, size_t head_len,
                     const void *tail, size_t tail_len) {
    size_t len = head_len + tail_len;
    SIM_ASSERT(len <= SIM_ISO_DOWN_MAX);
    sim_iso_hdr_t h = {.len = (uint32_t)len, .type = type, .magic = SIM_ISO_MAGIC};
    const void *parts[3] = {&h, head, tail};
    size_t lens[3] = {sizeof h, head_len, tail_len};
    return sim_iso_host_write(&iso->end, parts, lens, 3);
}

/* Reads what is available (waiting for at least one byte) after compacting the buffer. */
static int fill(sim_isolate_t *iso) {
    if (iso->r_off > 0) {
        memmove(iso->rbuf, iso->rbuf + iso->r_off, iso->r_len - iso->r_off);
        iso->r_len -= iso->r_off;
        iso->r_off = 0;
    }
    long n = sim_iso_host_read(&iso->end, iso->rbuf + iso->r_len, RBUF_CAP - iso->r_len);
    if (n < 0) {
        return (int)n;
    }
    iso->r_len += (size_t)n;
    return 0;
}

int sim_isolate_recv(sim_isolate_t *iso, sim_iso_hdr_t *hdr, const uint8_t **payload) {
    while (iso->r_len - iso->r_off < sizeof *hdr) {
        int rc = fill(iso);
        if (rc != 0) {
            return rc;
        }
    }
    memcpy(hdr, iso->rbuf + iso->r_off, sizeof *hdr);
    if (hdr->magic != SIM_ISO_MAGIC || hdr->len > SIM_ISO_UP_MAX) {
        return -SIM_EFORMAT;
    }
    while (iso->r_len - iso->r_off < sizeof *hdr + hdr->len) {
        int rc = fill(iso);
        if (rc != 0) {
            return rc;
        }
    }
    *payload = iso->rbuf + iso->r_off + sizeof *hdr;
    iso->r_off += sizeof *hdr + hdr->len;
    return 0;
}

void sim_isolate_kill(sim_isolate_t *iso) {
    if (!iso->end.dead) {
        kill(iso->end.pid, SIGKILL);
        (void)sim_iso_host_reap(&iso->end, true);
    }
}

void sim_isolate_set_linger(sim_isolate_t *iso, bool on) {
    sim_iso_host_linger(&iso->end, on);
}

void sim_isolate_note_dying(sim_isolate_t *iso, uint32_t cause) {
    iso->dying = cause;
}

/* Signal names from our own table: strsignal() depends on the locale. */
static const char *signal_name(int sig) {
    switch (sig) {
        case SIGSEGV:
            return "SIGSEGV";
        case SIGBUS:
            return "SIGBUS";
        case SIGABRT:
            return "SIGABRT";
        case SIGFPE:
            return "SIGFPE";
        case SIGILL:
            return "SIGILL";
        case SIGKILL:
            return "SIGKILL";
        case SIGTRAP:
            return "SIGTRAP";
        default:
            return NULL;
    }
}

static const char *signal_cause(const sim_isolate_t *iso, int sig, char *detail, size_t len) {
    const char *name = signal_name(sig);
    if (name != NULL) {
        snprintf(detail, len, "%s", name);
    } else {
        snprintf(detail, len, "signal %d", sig);
    }
    if (sig == SIGSEGV || sig == SIGBUS) {
        return iso->dying == SIM_ISO_DIED_STACK ? "stack_overflow" : "segfault";
    }
    return sig == SIGABRT ? "abort" : "signal";
}

const char *sim_isolate_cause(sim_isolate_t *iso, char *detail, size_t len) {
    sim_isolate_kill(iso);
    int status = iso->end.status;
    if (status == -1) {
        snprintf(detail, len, "exit status unknown");
        return "exit";
    }
    if (WIFSIGNALED(status)) {
        return signal_cause(iso, WTERMSIG(status), detail, len);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    snprintf(detail, len, "status %d", code);
    return "exit";
}

void sim_isolate_destroy(sim_isolate_t *iso) {
    if (iso == NULL) {
        return;
    }
    sim_isolate_kill(iso);
    sim_iso_shm_destroy(iso->end.shm);
    free(iso);
}
