/*
 * sim_bridge_io.h: the transports through which a bridge exchanges classic CAN frames with the
 * host, one endpoint each.
 *
 * A transport is an {ops, ctx} pair (libcanard's vtable style). It owns its sockets, all of them
 * non-blocking, and never waits: the bridge asks it for the descriptors to poll() (fds), then
 * calls poll_io, which accepts peers, reads everything available, hands each host frame (or each
 * rejected piece of input) to the sink, and flushes buffered output. send() hands over one frame
 * bound for the host, or says why it cannot take it now. Nothing here reads a clock; timestamps
 * of outgoing frames are virtual times given by the caller.
 *
 *   kind         endpoint                 host side
 *   socketcan    a CAN interface (vcan0)  raw AF_CAN socket; libsocketcan checks the interface
 *   socketcand   HOST:PORT (TCP server)   the socketcand text protocol subset of python-can 4.1
 *   seqpacket    one socketpair() end     struct can_frame (16 B) / canfd_frame (72 B) records
 *
 * Classification of host input, shared by every transport (the bridge counts each kind):
 *   FRAME        a classic data or remote frame, valid for the bus (f is set)
 *   MALFORMED    input that is not a frame (wrong record size, unparseable text, bad identifier)
 *   FD           a CAN FD frame: the simulated bus is classic CAN
 *   BAD_DLC      a classic frame claiming more than 8 data bytes
 *   ERROR_FRAME  an error report of the host controller (not traffic)
 *   ECHO         the host handed back a frame this transport wrote (loopback confirmation)
 *
 * Lifetime: a constructor allocates the transport closed; open() may be called again after
 * close() (the bridge re-opens a lost link); free() closes and releases it. Single-threaded.
 */
#ifndef SIM_BRIDGE_IO_H
#define SIM_BRIDGE_IO_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_can.h"
#include "sim_types.h"

typedef enum {
    SIM_BRIDGE_IN_FRAME = 0,
    SIM_BRIDGE_IN_MALFORMED,
    SIM_BRIDGE_IN_FD,
    SIM_BRIDGE_IN_BAD_DLC,
    SIM_BRIDGE_IN_ERROR_FRAME,
    SIM_BRIDGE_IN_ECHO,
} sim_bridge_in_kind_t;

/** Where a transport delivers host input and host-side notices (peer connected, ...). */
typedef struct {
    /** One piece of host input; f is set for SIM_BRIDGE_IN_FRAME, else NULL. detail: why. */
    void (*frame)(void *ctx, sim_bridge_in_kind_t kind, const sim_can_frame_t *f,
                  const char *detail);
    /** A host-side event worth one message line (never reaches a trace). */
    void (*note)(void *ctx, const char *msg);
    void *ctx;
} sim_bridge_sink_t;

/** Whether frames can flow to the host right now. */
typedef enum {
    SIM_BRIDGE_LINK_UP = 0,  /* frames flow */
    SIM_BRIDGE_LINK_WAIT,    /* a peer is completing its handshake: hold frames */
    SIM_BRIDGE_LINK_NO_PEER, /* nobody listens (socketcand without a client): frames are lost */
    SIM_BRIDGE_LINK_DOWN,    /* closed or lost */
} sim_bridge_link_t;

#define SIM_BRIDGE_IO_MAX_FDS 4

typedef struct {
    const char *kind; /* "socketcan", "socketcand", "seqpacket" */
    /**
     * Opens the endpoint. 0, or a negative code with a one-line message in err:
     * -SIM_ENOTSUP (no AF_CAN in this kernel), -SIM_ENOENT (no such interface), -SIM_ENETDOWN
     * (interface down), -SIM_ERANGE (bit rate mismatch), -SIM_EINVAL (not a CAN interface, bad
     * address), -SIM_EBUSY (address in use), -SIM_EIO (other socket errors).
     */
    int (*open)(void *ctx, char *err, size_t errlen);
    /** Fills up to max pollfds (events set; POLLOUT when output is buffered). Returns the count. */
    int (*fds)(void *ctx, struct pollfd *fds, int max);
    /**
     * Does all pending non-blocking I/O: accept, read (input to sink), flush output.
     * 0, or -SIM_EIO when the link is lost (a message went to sink->note; the bridge closes it).
     */
    int (*poll_io)(void *ctx, const sim_bridge_sink_t *sink);
    /**
     * Hands one classic frame to the host, stamped with its virtual end time.
     * @retval 0              taken (written, or buffered for the next poll_io)
     * @retval -SIM_EAGAIN    the socket buffer is full: retry later, the frame is not taken
     * @retval -SIM_ENETDOWN  no peer (socketcand without a client): the frame cannot go anywhere
     * @retval -SIM_EIO       the link is lost
     */
    int (*send)(void *ctx, const sim_can_frame_t *f, sim_time_ns_t t_ns);
    sim_bridge_link_t (*link)(const void *ctx);
    /** Closes the sockets; open() may follow. */
    void (*close)(void *ctx);
    /** Closes and frees ctx. */
    void (*free)(void *ctx);
} sim_bridge_io_ops_t;

typedef struct {
    const sim_bridge_io_ops_t *ops;
    void *ctx;
} sim_bridge_io_t;

/**
 * A transport over one end of socketpair(AF_UNIX, SOCK_SEQPACKET): each record is a Linux
 * struct can_frame (16 bytes) or canfd_frame (72 bytes), exactly as an AF_CAN raw socket carries
 * them, so tests drive the bridge the way SocketCAN would on kernels without AF_CAN. Takes
 * ownership of fd (closed by close/free; open() fails with -SIM_EIO after close).
 * 0 or -SIM_ENOMEM (fd is then closed).
 */
int sim_bridge_io_seqpacket(int fd, sim_bridge_io_t *out);

/**
 * A raw AF_CAN socket on interface iface. open() checks, in order: AF_CAN exists in the kernel
 * (-SIM_ENOTSUP, "load can and can_raw"), the interface exists (-SIM_ENOENT), is a CAN interface
 * (-SIM_EINVAL), is up (-SIM_ENETDOWN) and, for a real controller (one with bit timing, unlike
 * vcan), runs at bus_bitrate_bps (-SIM_ERANGE, with the ip commands that fix it). Own frames are
 * not received back (CAN_RAW_RECV_OWN_MSGS off); FD frames are received only to be rejected.
 * 0, -SIM_EINVAL (iface empty or longer than 15 characters) or -SIM_ENOMEM.
 */
int sim_bridge_io_socketcan(const char *iface, uint32_t bus_bitrate_bps, sim_bridge_io_t *out);

/**
 * A socketcand server listening on host:port (an IPv4 address or "localhost"; port 0 picks a free
 * port, see sim_bridge_io_socketcand_port). One client at a time: a second connection is
 * accepted and closed at once, with a notice. See sim_bridge_scand.h for the protocol subset.
 * 0, -SIM_EINVAL (host not an IPv4 address) or -SIM_ENOMEM.
 */
int sim_bridge_io_socketcand(const char *host, uint16_t port, sim_bridge_io_t *out);

/** The port a socketcand transport listens on (after open), 0 otherwise or for other kinds. */
uint16_t sim_bridge_io_socketcand_port(const sim_bridge_io_t *io);

/** Frees a transport that no bridge took (closes it). NULL ops is allowed. */
void sim_bridge_io_free(sim_bridge_io_t *io);

#endif
