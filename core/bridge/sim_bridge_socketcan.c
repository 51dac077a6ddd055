/*
 * sim_bridge_socketcan.c: the SocketCAN transport, a raw AF_CAN socket bound to one interface
 * (vcan0, or can0 on a USB adapter).
 *
 * open() checks what a user gets wrong most, in the order the fixes have to be made, and says
 * how to fix each (exit status 69 in the command line):
 *   1. the kernel has AF_CAN at all (many CI and container kernels do not: EAFNOSUPPORT);
 *   2. the interface exists, is a CAN interface (ARPHRD_CAN) and is up;
 *   3. a real controller (one with bit timing, which vcan lacks) runs at the simulated bus's bit
 *      rate, read with libsocketcan (when the build found it).
 * Then: CAN_RAW_RECV_OWN_MSGS off (the kernel default, set anyway: our writes must never come
 * back as host input; CAN_RAW_LOOPBACK stays on so candump and a second bridge on this host see
 * them), CAN_RAW_FD_FRAMES on so that FD frames are received and refused with a count instead of
 * vanishing silently, a large receive buffer for bursts, non-blocking.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(SIM_HAVE_LIBSOCKETCAN)
#include <libsocketcan.h>
#endif

#include "sim_bridge_linux.h"

#define RCVBUF_BYTES (4 * 1024 * 1024)

typedef struct {
    char iface[IFNAMSIZ];
    uint32_t bitrate_bps;
    int fd;
} socketcan_t;

static int no_af_can(const socketcan_t *s, int e, char *err, size_t errlen) {
    if (e == EAFNOSUPPORT || e == EPROTONOSUPPORT) {
        snprintf(err, errlen,
                 "socketcan:%s: this kernel has no SocketCAN (socket(AF_CAN): %s); load it with "
                 "'sudo modprobe can_raw', or bridge through socketcand instead: "
                 "--bridge socketcand:127.0.0.1:29536",
                 s->iface, strerror(e));
        return -SIM_ENOTSUP;
    }
    snprintf(err, errlen, "socketcan:%s: socket(AF_CAN): %s", s->iface, strerror(e));
    return -SIM_EIO;
}

static int check_iface(const socketcan_t *s, int fd, char *err, size_t errlen) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, s->iface, strlen(s->iface));
    if (if_nametoindex(s->iface) == 0) {
        snprintf(err, errlen,
                 "socketcan:%s: no such interface; for a virtual bus: sudo modprobe vcan && sudo "
                 "ip link add dev %s type vcan && sudo ip link set up %s",
                 s->iface, s->iface, s->iface);
        return -SIM_ENOENT;
    }
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family != ARPHRD_CAN) {
        snprintf(err, errlen, "socketcan:%s: not a CAN interface", s->iface);
        return -SIM_EINVAL;
    }
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
        snprintf(err, errlen, "socketcan:%s: cannot read the interface flags: %s", s->iface,
                 strerror(errno));
        return -SIM_EIO;
    }
    if ((ifr.ifr_flags & IFF_UP) == 0) {
        snprintf(err, errlen,
                 "socketcan:%s: the interface is down; bring it up with: sudo ip link "
                 "set up %s",
                 s->iface, s->iface);
        return -SIM_ENETDOWN;
    }
    return 0;
}

#if defined(SIM_HAVE_LIBSOCKETCAN)
/* vcan and vxcan are virtual devices without bit timing (libsocketcan would only complain). */
static bool is_virtual(const char *iface) {
    char link[256], target[512];
    snprintf(link, sizeof link, "/sys/class/net/%s", iface);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) {
        return false;
    }
    target[n] = '\0';
    return strstr(target, "/virtual/") != NULL;
}
#endif

/* A real controller must run at the simulated bus's bit rate; vcan has no bit timing. */
static int check_bitrate(const socketcan_t *s, char *err, size_t errlen) {
#if defined(SIM_HAVE_LIBSOCKETCAN)
    struct can_bittiming bt;
    memset(&bt, 0, sizeof bt);
    if (is_virtual(s->iface) || can_get_bittiming(s->iface, &bt) != 0 || bt.bitrate == 0 ||
        bt.bitrate == s->bitrate_bps) {
        return 0;
    }
    snprintf(err, errlen,
             "socketcan:%s: the controller runs at %u bit/s but the simulated bus at %u bit/s; "
             "set it with: sudo ip link set %s down && sudo ip link set %s type can bitrate %u && "
             "sudo ip link set %s up",
             s->iface, (unsigned)bt.bitrate, (unsigned)s->bitrate_bps, s->iface, s->iface,
             (unsigned)s->bitrate_bps, s->iface);
    return -SIM_ERANGE;
#else
    (void)s;
    (void)err;
    (void)errlen;
    return 0;
#endif
}

static int configure(const socketcan_t *s, int fd, char *err, size_t errlen) {
    int off = 0, on = 1, rcvbuf = RCVBUF_BYTES;
    if (setsockopt(fd, SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS, &off, sizeof off) != 0) {
        snprintf(err, errlen, "socketcan:%s: CAN_RAW_RECV_OWN_MSGS: %s", s->iface, strerror(errno));
        return -SIM_EIO;
    }
    /* Best effort: kernels without CAN FD simply never deliver FD frames. */
    (void)setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof on);
    /* Beyond net.core.rmem_max only with CAP_NET_ADMIN (FORCE); else as much as allowed. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    struct sockaddr_can addr;
    memset(&addr, 0, sizeof addr);
    addr.can_family = AF_CAN;
    addr.can_ifindex = (int)if_nametoindex(s->iface);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        snprintf(err, errlen, "socketcan:%s: bind: %s", s->iface, strerror(errno));
        return -SIM_EIO;
    }
    return 0;
}

static int sc_open(void *ctx, char *err, size_t errlen) {
    socketcan_t *s = ctx;
    SIM_ASSERT(s->fd < 0);
    int fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
    if (fd < 0) {
        return no_af_can(s, errno, err, errlen);
    }
    int rc = check_iface(s, fd, err, errlen);
    if (rc == 0) {
        rc = check_bitrate(s, err, errlen);
    }
    if (rc == 0) {
        rc = configure(s, fd, err, errlen);
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    s->fd = fd;
    return 0;
}

static int sc_fds(void *ctx, struct pollfd *fds, int max) {
    socketcan_t *s = ctx;
    if (s->fd < 0 || max < 1) {
        return 0;
    }
    fds[0] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    return 1;
}

static int sc_poll_io(void *ctx, const sim_bridge_sink_t *sink) {
    socketcan_t *s = ctx;
    return s->fd >= 0 ? sim_bridge__linux_read(s->fd, true, sink) : 0;
}

static int sc_send(void *ctx, const sim_can_frame_t *f, sim_time_ns_t t_ns) {
    (void)t_ns;
    socketcan_t *s = ctx;
    return s->fd >= 0 ? sim_bridge__linux_write(s->fd, f) : -SIM_EIO;
}

static sim_bridge_link_t sc_link(const void *ctx) {
    const socketcan_t *s = ctx;
    return s->fd >= 0 ? SIM_BRIDGE_LINK_UP : SIM_BRIDGE_LINK_DOWN;
}

static void sc_close(void *ctx) {
    socketcan_t *s = ctx;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static void sc_free(void *ctx) {
    sc_close(ctx);
    free(ctx);
}

static const sim_bridge_io_ops_t SOCKETCAN_OPS = {
    .kind = "socketcan",
    .open = sc_open,
    .fds = sc_fds,
    .poll_io = sc_poll_io,
    .send = sc_send,
    .link = sc_link,
    .close = sc_close,
    .free = sc_free,
};

int sim_bridge_io_socketcan(const char *iface, uint32_t bus_bitrate_bps, sim_bridge_io_t *out) {
    size_t n = iface != NULL ? strlen(iface) : 0;
    if (n == 0 || n >= IFNAMSIZ) {
        return -SIM_EINVAL;
    }
    socketcan_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return -SIM_ENOMEM;
    }
    memcpy(s->iface, iface, n + 1);
    s->bitrate_bps = bus_bitrate_bps;
    s->fd = -1;
    out->ops = &SOCKETCAN_OPS;
    out->ctx = s;
    return 0;
}
