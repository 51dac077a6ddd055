/*
 * sim_bridge_seqpacket.c: a transport over one end of socketpair(AF_UNIX, SOCK_SEQPACKET),
 * carrying struct can_frame / canfd_frame records exactly as an AF_CAN raw socket does.
 *
 * It exists so the bridge can be driven end to end on kernels without AF_CAN (tests, CI
 * containers): the other end of the pair plays the host's CAN socket. A sequenced-packet socket
 * keeps record boundaries, as a CAN socket does, so a short or long record is seen as one.
 * The descriptor is given, not opened: open() only makes it non-blocking, and fails once close()
 * gave it up (a lost peer cannot come back).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim_bridge_linux.h"

typedef struct {
    int fd;
    bool open;
} seqpacket_t;

static int sp_open(void *ctx, char *err, size_t errlen) {
    seqpacket_t *s = ctx;
    if (s->fd < 0) {
        snprintf(err, errlen, "seqpacket: the socket was closed");
        return -SIM_EIO;
    }
    int fl = fcntl(s->fd, F_GETFL);
    if (fl < 0 || fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "seqpacket: not a usable descriptor");
        return -SIM_EIO;
    }
    s->open = true;
    return 0;
}

static int sp_fds(void *ctx, struct pollfd *fds, int max) {
    seqpacket_t *s = ctx;
    if (!s->open || max < 1) {
        return 0;
    }
    fds[0] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    return 1;
}

static int sp_poll_io(void *ctx, const sim_bridge_sink_t *sink) {
    seqpacket_t *s = ctx;
    return s->open ? sim_bridge__linux_read(s->fd, false, sink) : 0;
}

static int sp_send(void *ctx, const sim_can_frame_t *f, sim_time_ns_t t_ns) {
    (void)t_ns;
    seqpacket_t *s = ctx;
    return s->open ? sim_bridge__linux_write(s->fd, f) : -SIM_EIO;
}

static sim_bridge_link_t sp_link(const void *ctx) {
    const seqpacket_t *s = ctx;
    return s->open ? SIM_BRIDGE_LINK_UP : SIM_BRIDGE_LINK_DOWN;
}

static void sp_close(void *ctx) {
    seqpacket_t *s = ctx;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->open = false;
}

static void sp_free(void *ctx) {
    sp_close(ctx);
    free(ctx);
}

static const sim_bridge_io_ops_t SEQPACKET_OPS = {
    .kind = "seqpacket",
    .open = sp_open,
    .fds = sp_fds,
    .poll_io = sp_poll_io,
    .send = sp_send,
    .link = sp_link,
    .close = sp_close,
    .free = sp_free,
};

int sim_bridge_io_seqpacket(int fd, sim_bridge_io_t *out) {
    seqpacket_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        close(fd);
        return -SIM_ENOMEM;
    }
    s->fd = fd;
    out->ops = &SEQPACKET_OPS;
    out->ctx = s;
    return 0;
}
