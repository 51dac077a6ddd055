/*
 * sim_isolate.c: the child process and its channel, seen from the host: fork, send, receive
 * with a watchdog, kill, and why the child died.
 *
 * The channel is a stream socket pair (not pipes): one descriptor per end for both directions,
 * sends that can say MSG_NOSIGNAL (a dead child must not SIGPIPE the host), and end-of-stream as
 * soon as the child's last descriptor closes, which is how a crash is noticed without polling the
 * process. The watchdog is the socket's own receive and send timeouts (SO_RCVTIMEO/SO_SNDTIMEO):
 * a blocking recv() that returns EAGAIN has waited timeout_ms of wall time for the child. That
 * keeps a round trip at one send and one recv on each side, and no clock read in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <unistd.h>

#include "sim_isolate.h"

#define RBUF_CAP (2u * SIM_ISO_UP_MAX)

struct sim_isolate {
    pid_t pid;
    int fd;
    uint32_t timeout_ms;
    bool reaped;
    int status;
    uint32_t dying;
    size_t r_off, r_len;
    uint8_t rbuf[RBUF_CAP];
    uint8_t sbuf[sizeof(sim_iso_hdr_t) + SIM_ISO_DOWN_MAX];
};

/* ---- the child's side of the fork ----------------------------------------------------------- */

/* Everything the child inherits but must not keep: other nodes' channels, trace files, the
 * host's signal handlers and mask. The channel becomes descriptor 3. */
static int child_prepare(int fd) {
    if (fd != SIM_ISOLATE_CHILD_FD) {
        if (dup2(fd, SIM_ISOLATE_CHILD_FD) < 0) {
            return -1;
        }
        close(fd);
    }
    close_range(SIM_ISOLATE_CHILD_FD + 1, ~0u, 0);
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
    return 0;
}

static void set_timeouts(int fd, uint32_t timeout_ms) {
    struct timeval tv = {.tv_sec = (time_t)(timeout_ms / 1000u),
                         .tv_usec = (suseconds_t)(timeout_ms % 1000u) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int sim_isolate_spawn(sim_isolate_main_fn main, void *arg, uint32_t timeout_ms, sim_isolate_t **out,
                      char *err, size_t errlen) {
    SIM_ASSERT(main != NULL && out != NULL);
    *out = NULL;
    sim_isolate_t *iso = calloc(1, sizeof *iso);
    int sv[2];
    if (iso == NULL || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
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
        close(sv[0]);
        close(sv[1]);
        free(iso);
        return -SIM_ENOMEM;
    }
    if (pid == 0) {
        free(iso); /* the host's handle means nothing here */
        close(sv[0]);
        if (child_prepare(sv[1]) != 0) {
            _exit(SIM_ISOLATE_SETUP_FAILED);
        }
        main(arg, SIM_ISOLATE_CHILD_FD);
        _exit(0);
    }
    close(sv[1]);
    iso->pid = pid;
    iso->fd = sv[0];
    iso->timeout_ms = timeout_ms != 0 ? timeout_ms : SIM_ISOLATE_TIMEOUT_MS_DEFAULT;
    set_timeouts(iso->fd, iso->timeout_ms);
    *out = iso;
    return 0;
}

/* The record is assembled in one buffer so it leaves in one send() (one system call for the
 * whole batch in the common case). */
int sim_isolate_send(sim_isolate_t *iso, uint16_t type, const void *head, size_t head_len,
                     const void *tail, size_t tail_len) {
    size_t len = head_len + tail_len;
    SIM_ASSERT(len <= SIM_ISO_DOWN_MAX);
    sim_iso_hdr_t h = {.len = (uint32_t)len, .type = type, .magic = SIM_ISO_MAGIC};
    memcpy(iso->sbuf, &h, sizeof h);
    if (head_len > 0) {
        memcpy(iso->sbuf + sizeof h, head, head_len);
    }
    if (tail_len > 0) {
        memcpy(iso->sbuf + sizeof h + head_len, tail, tail_len);
    }
    size_t total = sizeof h + len, done = 0;
    while (done < total) {
        ssize_t n = send(iso->fd, iso->sbuf + done, total - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -SIM_ECANCELED : -SIM_EIO;
        }
    }
    return 0;
}

/* Reads what is available (waiting for at least one byte) after compacting the buffer. */
static int fill(sim_isolate_t *iso) {
    if (iso->r_off > 0) {
        memmove(iso->rbuf, iso->rbuf + iso->r_off, iso->r_len - iso->r_off);
        iso->r_len -= iso->r_off;
        iso->r_off = 0;
    }
    for (;;) {
        ssize_t n = recv(iso->fd, iso->rbuf + iso->r_len, RBUF_CAP - iso->r_len, 0);
        if (n > 0) {
            iso->r_len += (size_t)n;
            return 0;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        /* EAGAIN on a blocking socket: SO_RCVTIMEO expired, the child said nothing. */
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -SIM_ECANCELED : -SIM_EIO;
    }
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
    if (iso->reaped) {
        return;
    }
    kill(iso->pid, SIGKILL);
    int status = 0;
    pid_t rc;
    do {
        rc = waitpid(iso->pid, &status, 0);
    } while (rc < 0 && errno == EINTR);
    iso->status = rc == iso->pid ? status : -1;
    iso->reaped = true;
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
    if (iso->status == -1) {
        snprintf(detail, len, "exit status unknown");
        return "exit";
    }
    if (WIFSIGNALED(iso->status)) {
        return signal_cause(iso, WTERMSIG(iso->status), detail, len);
    }
    int code = WIFEXITED(iso->status) ? WEXITSTATUS(iso->status) : -1;
    snprintf(detail, len, "status %d", code);
    return "exit";
}

void sim_isolate_destroy(sim_isolate_t *iso) {
    if (iso == NULL) {
        return;
    }
    sim_isolate_kill(iso);
    close(iso->fd);
    free(iso);
}
