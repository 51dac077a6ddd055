/*
 * sim_bridge_linux.h: Linux CAN frame records (struct can_frame, struct canfd_frame) on a
 * non-blocking datagram socket, shared by the SocketCAN and socketpair transports.
 *
 * Reading classifies every record for the bridge (sim_bridge_io.h): 16 bytes is a classic frame
 * (or an error report, or a bad DLC), 72 bytes a CAN FD frame, anything else malformed. Writing
 * sends one 16-byte struct can_frame. Errors map to the transport codes: a full socket buffer
 * (EAGAIN, ENOBUFS) is -SIM_EAGAIN, anything that means the link is gone is -SIM_EIO.
 */
#ifndef SIM_BRIDGE_LINUX_H
#define SIM_BRIDGE_LINUX_H

#include <stddef.h>

#include "sim_bridge_io.h"

/**
 * Classifies one received record of len bytes; for SIM_BRIDGE_IN_FRAME fills *out. detail
 * (at least 64 bytes) says what was wrong otherwise.
 */
sim_bridge_in_kind_t sim_bridge__linux_decode(const void *rec, size_t len, sim_can_frame_t *out,
                                              char *detail, size_t detail_len);

/**
 * Reads every pending record of fd (at most a few thousand per call) into sink. With
 * own_echo_flag, records the kernel marks MSG_CONFIRM (this socket's own writes) are echoes.
 * 0, or -SIM_EIO when the socket failed or the peer closed it (a notice went to sink->note).
 */
int sim_bridge__linux_read(int fd, bool own_echo_flag, const sim_bridge_sink_t *sink);

/** Writes f as a struct can_frame. 0, -SIM_EAGAIN (buffer full) or -SIM_EIO (link gone). */
int sim_bridge__linux_write(int fd, const sim_can_frame_t *f);

#endif
