/*
 * sim_bridge_linux.c: struct can_frame / canfd_frame records on a datagram socket (see
 * sim_bridge_linux.h). The layout is the kernel's ABI (linux/can.h), so the same code serves a
 * raw AF_CAN socket and a socketpair carrying the same records.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <linux/can.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sim_bridge_linux.h"

/* Records read per call: bounds one round of I/O, the rest waits for the next round. */
#define READ_BURST 4096

sim_bridge_in_kind_t sim_bridge__linux_decode(const void *rec, size_t len, sim_can_frame_t *out,
                                              char *detail, size_t detail_len) {
    if (len == CANFD_MTU) {
        struct canfd_frame fd;
        memcpy(&fd, rec, sizeof fd);
        snprintf(detail, detail_len, "id %X, %u bytes", (unsigned)(fd.can_id & CAN_EFF_MASK),
                 (unsigned)fd.len);
        return SIM_BRIDGE_IN_FD;
    }
    if (len != CAN_MTU) {
        snprintf(detail, detail_len, "a record of %zu bytes (a CAN frame has %zu)", len,
                 (size_t)CAN_MTU);
        return SIM_BRIDGE_IN_MALFORMED;
    }
    struct can_frame cf;
    memcpy(&cf, rec, sizeof cf);
    if ((cf.can_id & CAN_ERR_FLAG) != 0) {
        snprintf(detail, detail_len, "class %08X", (unsigned)(cf.can_id & CAN_ERR_MASK));
        return SIM_BRIDGE_IN_ERROR_FRAME;
    }
    bool ext = (cf.can_id & CAN_EFF_FLAG) != 0;
    uint32_t id = cf.can_id & CAN_EFF_MASK;
    snprintf(detail, detail_len, "id %X, length %u", (unsigned)id, (unsigned)cf.len);
    if (cf.len > CAN_MAX_DLEN) {
        return SIM_BRIDGE_IN_BAD_DLC;
    }
    if (!ext && id > CAN_SFF_MASK) {
        snprintf(detail, detail_len, "standard identifier %X wider than 11 bits", (unsigned)id);
        return SIM_BRIDGE_IN_MALFORMED;
    }
    sim_can_frame_t f = {.id = id, .dlc = cf.len};
    f.flags = (uint8_t)((ext ? SIM_CAN_FLAG_IDE : 0u) |
                        ((cf.can_id & CAN_RTR_FLAG) != 0 ? SIM_CAN_FLAG_RTR : 0u));
    if ((f.flags & SIM_CAN_FLAG_RTR) == 0) {
        memcpy(f.data, cf.data, cf.len);
    }
    *out = f;
    return SIM_BRIDGE_IN_FRAME;
}

static int read_failed(const sim_bridge_sink_t *sink, int err) {
    char msg[160];
    if (err == 0 || err == ECONNRESET) {
        snprintf(msg, sizeof msg, "the host end of the link was closed");
    } else {
        snprintf(msg, sizeof msg, "reading the host link failed: %s", strerror(err));
    }
    sink->note(sink->ctx, msg);
    return -SIM_EIO;
}

int sim_bridge__linux_read(int fd, bool own_echo_flag, const sim_bridge_sink_t *sink) {
    for (int i = 0; i < READ_BURST; i++) {
        /* Room beyond the largest record, and MSG_TRUNC, so an oversized datagram shows as
         * such (with its real length where the socket family reports it). */
        unsigned char buf[CANFD_MTU + 8];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return 0;
            }
            return read_failed(sink, errno);
        }
        if (n == 0) {
            return read_failed(sink, 0);
        }
        if (own_echo_flag && (mh.msg_flags & MSG_CONFIRM) != 0) {
            sink->frame(sink->ctx, SIM_BRIDGE_IN_ECHO, NULL, "own frame");
            continue;
        }
        char detail[96];
        sim_can_frame_t f;
        size_t len = (size_t)n;
        if ((mh.msg_flags & MSG_TRUNC) != 0 && len <= sizeof buf) {
            len = sizeof buf + 1;
        }
        sim_bridge_in_kind_t kind = sim_bridge__linux_decode(buf, len, &f, detail, sizeof detail);
        sink->frame(sink->ctx, kind, kind == SIM_BRIDGE_IN_FRAME ? &f : NULL, detail);
    }
    return 0;
}

int sim_bridge__linux_write(int fd, const sim_can_frame_t *f) {
    struct can_frame cf;
    memset(&cf, 0, sizeof cf);
    cf.can_id = f->id;
    if ((f->flags & SIM_CAN_FLAG_IDE) != 0) {
        cf.can_id |= CAN_EFF_FLAG;
    }
    if ((f->flags & SIM_CAN_FLAG_RTR) != 0) {
        cf.can_id |= CAN_RTR_FLAG;
    }
    cf.len = f->dlc;
    if ((f->flags & SIM_CAN_FLAG_RTR) == 0) {
        memcpy(cf.data, f->data, f->dlc);
    }
    ssize_t n = send(fd, &cf, sizeof cf, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == (ssize_t)sizeof cf) {
        return 0;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR)) {
        return -SIM_EAGAIN;
    }
    return -SIM_EIO;
}
