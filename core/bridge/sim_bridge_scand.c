/*
 * sim_bridge_scand.c: the socketcand transport, a TCP server speaking the protocol subset of
 * sim_bridge_scand.h to one client at a time.
 *
 * Client life cycle (link state in brackets):
 *
 *   no client [NO_PEER] ──accept──▶ "< hi >" sent [WAIT] ──"< open X >"──▶ "< ok >" [WAIT]
 *      ▲                                                                        │
 *      └──────── disconnect / error ◀── frames both ways [UP] ◀── "< ok >" ◀─"< rawmode >"
 *
 * python-can 4.1 reads each handshake reply with one recv(256) and compares the whole result,
 * so each reply is its own write on a TCP_NODELAY socket, and no frame is sent before the second
 * "< ok >" (the bridge also holds frames for a grace period after that). Frames to the client go
 * through an output buffer flushed without blocking; when it is full, send() says -SIM_EAGAIN
 * and the bridge keeps the frame. A second client is accepted and closed at once, with a notice:
 * one gateway at a time is what the bridge models. A client still in the handshake does not keep
 * its place, though: a newer connection replaces it. Losing the client is not losing the link: the
 * server goes back to listening.
 */
#define _DEFAULT_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim_bridge_scand.h"

#define OUT_CAP  (64 * 1024)
#define READ_CAP 4096

typedef enum { ST_NONE, ST_HI, ST_OPEN, ST_RAW } client_state_t;

typedef struct {
    struct in_addr addr;
    uint16_t port_cfg, port;
    int lfd, cfd;
    client_state_t state;
    sim_scand_parser_t parser;
    const sim_bridge_sink_t *sink; /* set during poll_io */
    char out[OUT_CAP];
    size_t out_off, out_len; /* pending bytes are out[out_off .. out_off + out_len) */
} scand_t;

static void note(scand_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(scand_t *s, const char *fmt, ...) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->sink->note(s->sink->ctx, msg);
}

static void drop_client(scand_t *s, const char *why) {
    if (s->cfd >= 0) {
        close(s->cfd);
        s->cfd = -1;
        if (s->sink != NULL) {
            note(s, "socketcand client gone (%s); waiting for the next one", why);
        }
    }
    s->state = ST_NONE;
    s->out_off = s->out_len = 0;
}

/* A handshake reply, as its own write. */
static void reply(scand_t *s, const char *text) {
    size_t n = strlen(text);
    if (send(s->cfd, text, n, MSG_NOSIGNAL) != (ssize_t)n) {
        drop_client(s, "the handshake reply could not be sent");
    }
}

static void flush_out(scand_t *s) {
    while (s->cfd >= 0 && s->out_len > 0) {
        ssize_t n = send(s->cfd, s->out + s->out_off, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                drop_client(s, strerror(errno));
            }
            return;
        }
        s->out_off += (size_t)n;
        s->out_len -= (size_t)n;
    }
    if (s->out_len == 0) {
        s->out_off = 0;
    }
}

static void on_command(void *ctx, const char *body) {
    scand_t *s = ctx;
    if (s->cfd < 0) {
        return; /* the rest of a read after the client was dropped */
    }
    char verb[16], detail[96];
    const char *args = sim_scand_verb(body, verb, sizeof verb);
    if (strcmp(verb, "open") == 0 && s->state == ST_HI) {
        s->state = ST_OPEN;
        reply(s, "< ok >");
    } else if (strcmp(verb, "rawmode") == 0 && s->state == ST_OPEN) {
        s->state = ST_RAW;
        reply(s, "< ok >");
    } else if (strcmp(verb, "send") == 0 && s->state == ST_RAW) {
        sim_can_frame_t f;
        sim_bridge_in_kind_t kind = sim_scand_parse_send(args, &f, detail, sizeof detail);
        s->sink->frame(s->sink->ctx, kind, kind == SIM_BRIDGE_IN_FRAME ? &f : NULL, detail);
    } else {
        snprintf(detail, sizeof detail, "unexpected command '%.40s' in this state", verb);
        s->sink->frame(s->sink->ctx, SIM_BRIDGE_IN_MALFORMED, NULL, detail);
    }
}

static void on_junk(void *ctx, const char *what) {
    scand_t *s = ctx;
    s->sink->frame(s->sink->ctx, SIM_BRIDGE_IN_MALFORMED, NULL, what);
}

static void read_client(scand_t *s) {
    sim_scand_handler_t h = {.command = on_command, .junk = on_junk, .ctx = s};
    while (s->cfd >= 0) {
        char buf[READ_CAP];
        ssize_t n = recv(s->cfd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) {
            drop_client(s, "it closed the connection");
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                drop_client(s, strerror(errno));
            }
            return;
        }
        sim_scand_feed(&s->parser, buf, (size_t)n, &h);
    }
}

static void take_client(scand_t *s, int fd, const struct sockaddr_in *peer) {
    char who[INET_ADDRSTRLEN + 8];
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    inet_ntop(AF_INET, &peer->sin_addr, who, INET_ADDRSTRLEN);
    snprintf(who + strlen(who), 8, ":%u", (unsigned)ntohs(peer->sin_port));
    if (s->cfd >= 0) {
        /* A client that closed and connected again at once (a gateway restarting) is not a
         * second client: its close came first, so reading what it left behind drops it. */
        read_client(s);
    }
    if (s->cfd >= 0 && s->state != ST_RAW) {
        /* One that never finished the handshake (a port probe, a client stuck before rawmode)
         * would hold the only place for good and lock the real gateway out: it yields. */
        drop_client(s, "a newer client connected before it finished the handshake");
    }
    if (s->cfd >= 0) {
        close(fd);
        note(s, "socketcand: refused a second client (%s): one client at a time", who);
        return;
    }
    s->cfd = fd;
    s->state = ST_HI;
    sim_scand_parser_init(&s->parser);
    note(s, "socketcand client %s connected", who);
    reply(s, "< hi >");
}

static void accept_all(scand_t *s) {
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept(s->lfd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) {
            return; /* EAGAIN, or a connection that died before we took it */
        }
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
            fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
            close(fd);
            continue;
        }
        take_client(s, fd, &peer);
    }
}

static int sd_poll_io(void *ctx, const sim_bridge_sink_t *sink) {
    scand_t *s = ctx;
    if (s->lfd < 0) {
        return 0;
    }
    s->sink = sink;
    accept_all(s);
    read_client(s);
    flush_out(s);
    s->sink = NULL;
    return 0;
}

static int sd_send(void *ctx, const sim_can_frame_t *f, sim_time_ns_t t_ns) {
    scand_t *s = ctx;
    if (s->cfd < 0 || s->state != ST_RAW) {
        return s->lfd < 0 ? -SIM_EIO : -SIM_ENETDOWN;
    }
    if (s->out_off + s->out_len + SIM_SCAND_FRAME_MAX > OUT_CAP) {
        flush_out(s);
        if (s->out_len > 0 && s->out_off > 0) {
            memmove(s->out, s->out + s->out_off, s->out_len);
            s->out_off = 0;
        }
        if (s->cfd < 0) {
            return -SIM_ENETDOWN;
        }
        if (s->out_len + SIM_SCAND_FRAME_MAX > OUT_CAP) {
            return -SIM_EAGAIN;
        }
    }
    s->out_len += sim_scand_format_frame(s->out + s->out_off + s->out_len, f, t_ns);
    flush_out(s);
    return 0;
}

static int sd_fds(void *ctx, struct pollfd *fds, int max) {
    scand_t *s = ctx;
    int n = 0;
    if (s->lfd >= 0 && n < max) {
        fds[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
    }
    if (s->cfd >= 0 && n < max) {
        short ev = (short)(POLLIN | (s->out_len > 0 ? POLLOUT : 0));
        fds[n++] = (struct pollfd){.fd = s->cfd, .events = ev};
    }
    return n;
}

static sim_bridge_link_t sd_link(const void *ctx) {
    const scand_t *s = ctx;
    if (s->lfd < 0) {
        return SIM_BRIDGE_LINK_DOWN;
    }
    if (s->cfd < 0) {
        return SIM_BRIDGE_LINK_NO_PEER;
    }
    return s->state == ST_RAW ? SIM_BRIDGE_LINK_UP : SIM_BRIDGE_LINK_WAIT;
}

static int listen_on(scand_t *s, char *err, size_t errlen) {
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(s->port_cfg), .sin_addr = s->addr};
    int one = 1;
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &s->addr, host, sizeof host);
    (void)setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 4) != 0) {
        int e = errno;
        snprintf(err, errlen, "socketcand:%s:%u: cannot listen: %s", host, (unsigned)s->port_cfg,
                 strerror(e));
        return e == EADDRINUSE ? -SIM_EBUSY : e == EADDRNOTAVAIL ? -SIM_EINVAL : -SIM_EIO;
    }
    socklen_t alen = sizeof a;
    getsockname(s->lfd, (struct sockaddr *)&a, &alen);
    s->port = ntohs(a.sin_port);
    return 0;
}

static int sd_open(void *ctx, char *err, size_t errlen) {
    scand_t *s = ctx;
    SIM_ASSERT(s->lfd < 0);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->lfd < 0) {
        snprintf(err, errlen, "socketcand: socket: %s", strerror(errno));
        return -SIM_EIO;
    }
    int rc = listen_on(s, err, errlen);
    if (rc != 0) {
        close(s->lfd);
        s->lfd = -1;
    }
    return rc;
}

static void sd_close(void *ctx) {
    scand_t *s = ctx;
    drop_client(s, "closed");
    if (s->lfd >= 0) {
        close(s->lfd);
        s->lfd = -1;
    }
    s->port = 0;
}

static void sd_free(void *ctx) {
    sd_close(ctx);
    free(ctx);
}

static const sim_bridge_io_ops_t SCAND_OPS = {
    .kind = "socketcand",
    .open = sd_open,
    .fds = sd_fds,
    .poll_io = sd_poll_io,
    .send = sd_send,
    .link = sd_link,
    .close = sd_close,
    .free = sd_free,
};

int sim_bridge_io_socketcand(const char *host, uint16_t port, sim_bridge_io_t *out) {
    struct in_addr addr;
    if (host == NULL || strcmp(host, "localhost") == 0) {
        host = "127.0.0.1";
    }
    if (inet_pton(AF_INET, host, &addr) != 1) {
        return -SIM_EINVAL;
    }
    scand_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return -SIM_ENOMEM;
    }
    s->addr = addr;
    s->port_cfg = port;
    s->lfd = s->cfd = -1;
    out->ops = &SCAND_OPS;
    out->ctx = s;
    return 0;
}

uint16_t sim_bridge_io_socketcand_port(const sim_bridge_io_t *io) {
    if (io->ops != &SCAND_OPS) {
        return 0;
    }
    const scand_t *s = io->ctx;
    return s->port;
}
