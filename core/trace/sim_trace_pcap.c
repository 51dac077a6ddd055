/*
 * bus.pcap: the bus.log frames as LINKTYPE_CAN_SOCKETCAN (227) packets, written with libpcap.
 *
 * Each packet is what a Linux capture of a classic CAN frame holds: the 8-byte SocketCAN
 * pseudo-header (can_id big-endian with the EFF/RTR/ERR flag bits, payload length, fd_flags 0,
 * two reserved bytes) followed by all 8 data bytes (CAN_MTU = 16), unused bytes zero. Timestamps
 * are virtual time at nanosecond precision; with PCAP_TSTAMP_PRECISION_NANO libpcap reads
 * pcap_pkthdr.ts.tv_usec as nanoseconds.
 *
 * <pcap/pcap.h> needs the BSD u_int/u_char types, which glibc hides under strict C11; this
 * translation unit alone asks for them. Built without SIM_HAVE_PCAP, opening reports
 * -SIM_ENOTSUP and the caller writes no pcap.
 */
#define _DEFAULT_SOURCE

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"

#ifdef SIM_HAVE_PCAP

#include <pcap/pcap.h>

/* DLT_CAN_SOCKETCAN is 227 in every libpcap that has it; older headers may lack the name. */
#ifndef DLT_CAN_SOCKETCAN
#define DLT_CAN_SOCKETCAN 227
#endif

#define PCAP_CAN_MTU 16

typedef struct {
    pcap_t *dead;
    pcap_dumper_t *dump;
} trace_pcap_t;

int sim_trace__pcap_open(const char *path, void **out) {
    *out = NULL;
    trace_pcap_t *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return -SIM_ENOMEM;
    }
    p->dead =
        pcap_open_dead_with_tstamp_precision(DLT_CAN_SOCKETCAN, 65535, PCAP_TSTAMP_PRECISION_NANO);
    if (p->dead != NULL) {
        p->dump = pcap_dump_open(p->dead, path);
    }
    if (p->dump == NULL) {
        if (p->dead != NULL) {
            pcap_close(p->dead);
        }
        free(p);
        return -SIM_EIO;
    }
    *out = p;
    return 0;
}

void sim_trace__pcap_write(void *vp, sim_time_ns_t t_ns, uint32_t can_id, uint8_t len,
                           const uint8_t data[8]) {
    trace_pcap_t *p = vp;
    uint8_t pkt[PCAP_CAN_MTU];
    pkt[0] = (uint8_t)(can_id >> 24); /* network byte order, unlike struct can_frame */
    pkt[1] = (uint8_t)(can_id >> 16);
    pkt[2] = (uint8_t)(can_id >> 8);
    pkt[3] = (uint8_t)can_id;
    pkt[4] = len;
    pkt[5] = 0; /* fd_flags: classic CAN */
    pkt[6] = 0;
    pkt[7] = 0;
    memcpy(pkt + 8, data, 8);
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(t_ns / SIM_NS_PER_S);
    h.ts.tv_usec = (suseconds_t)(t_ns % SIM_NS_PER_S); /* nanoseconds: see the file comment */
    h.caplen = PCAP_CAN_MTU;
    h.len = PCAP_CAN_MTU;
    pcap_dump((u_char *)p->dump, &h, pkt);
}

int sim_trace__pcap_close(void *vp) {
    trace_pcap_t *p = vp;
    int rc = pcap_dump_flush(p->dump) == 0 ? 0 : -SIM_EIO;
    FILE *f = pcap_dump_file(p->dump);
    if (f != NULL && ferror(f)) {
        rc = -SIM_EIO;
    }
    pcap_dump_close(p->dump);
    pcap_close(p->dead);
    free(p);
    return rc;
}

#else /* !SIM_HAVE_PCAP */

int sim_trace__pcap_open(const char *path, void **out) {
    (void)path;
    *out = NULL;
    return -SIM_ENOTSUP;
}

void sim_trace__pcap_write(void *vp, sim_time_ns_t t_ns, uint32_t can_id, uint8_t len,
                           const uint8_t data[8]) {
    /* Unreachable: no writer is ever opened in this build. */
    (void)t_ns;
    (void)can_id;
    (void)len;
    (void)data;
    SIM_ASSERT(vp == NULL);
}

int sim_trace__pcap_close(void *vp) {
    SIM_ASSERT(vp == NULL);
    return 0;
}

#endif
