/*
 * bus.log: one candump -l line per frame or error frame, plus the same packet in bus.pcap, and
 * the bus observer that feeds both (and events.jsonl for controller state changes).
 *
 *   (0000000001.000250) can0 351#3002E803DC05E001     standard data frame
 *   (0000000001.000480) can0 18FF50E5#0102            extended data frame
 *   (0000000001.000700) can0 123#R3                   remote frame, DLC 3 (plain "R" for DLC 0)
 *   (0000000001.000900) can0 200000A8#0000001900000000  error frame (CAN_ERR_FLAG | class)
 *
 * The timestamp is virtual time truncated to microseconds, the resolution candump prints. The
 * bus observer stamps a frame when its receivers take it (the end of its last but one EOF bit),
 * which is when a receiving Linux node timestamps it; an error frame when its flag starts.
 *
 * Error frames carry the classes and data bytes of linux/can/error.h (SIM_TRACE_ERR_* in
 * sim_trace.h), so candump, python-can and Wireshark decode them as from a real controller.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"

/* linux/can.h: flag bits of can_id (the error-class bits are in sim_trace.h). */
#define CAN_EFF_FLAG 0x80000000u
#define CAN_RTR_FLAG 0x40000000u
#define CAN_ERR_FLAG 0x20000000u
#define CAN_ERR_MASK 0x1FFFFFFFu

static const char HEX[] = "0123456789ABCDEF";

bool sim_trace__iface_ok(const char *iface) {
    if (iface == NULL || iface[0] == '\0' || strlen(iface) > SIM_TRACE_IFACE_MAX) {
        return false;
    }
    for (const char *p = iface; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '(' || *p == '#') {
            return false;
        }
    }
    return true;
}

/* n as exactly `width` decimal digits, zero-padded (n < 10^width). */
static void put_dec(char *buf, unsigned long long n, unsigned width) {
    for (unsigned i = width; i-- > 0;) {
        buf[i] = (char)('0' + n % 10u);
        n /= 10u;
    }
}

/* "(SSSSSSSSSS.UUUUUU) iface " into buf; returns the length. Formatted by hand: this runs for
 * every frame of a run, and snprintf cost more than the rest of the line. */
static size_t put_prefix(char *buf, size_t cap, sim_time_ns_t t_ns, const char *iface) {
    SIM_ASSERT(t_ns >= 0);
    unsigned long long s = (unsigned long long)(t_ns / SIM_NS_PER_S);
    unsigned long long us = (unsigned long long)(t_ns % SIM_NS_PER_S / SIM_NS_PER_US);
    size_t len = strlen(iface);
    if (s >= 10000000000ULL) { /* past 317 years: wider than the field, as %010llu prints it */
        int n = snprintf(buf, cap, "(%010llu.%06llu) %s ", s, us, iface);
        SIM_ASSERT(n > 0 && (size_t)n < cap);
        return (size_t)n;
    }
    SIM_ASSERT(len + 21 < cap);
    buf[0] = '(';
    put_dec(buf + 1, s, 10);
    buf[11] = '.';
    put_dec(buf + 12, us, 6);
    buf[18] = ')';
    buf[19] = ' ';
    memcpy(buf + 20, iface, len);
    buf[20 + len] = ' ';
    return 21 + len;
}

/* The identifier in upper-case hex, `digits` wide, then '#'. */
static size_t put_id(char *buf, uint32_t id, unsigned digits) {
    for (unsigned i = digits; i-- > 0;) {
        buf[i] = HEX[id & 0x0Fu];
        id >>= 4;
    }
    buf[digits] = '#';
    return digits + 1u;
}

static size_t put_hex(char *buf, const uint8_t *data, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        buf[2 * i] = HEX[data[i] >> 4];
        buf[2 * i + 1] = HEX[data[i] & 0x0Fu];
    }
    return 2u * n;
}

void sim_trace_can_frame(sim_trace_t *t, sim_time_ns_t t_ns, const char *iface,
                         const sim_can_frame_t *f) {
    SIM_ASSERT(t != NULL && f != NULL && f->dlc <= 8);
    SIM_ASSERT(sim_trace__iface_ok(iface));
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0, rtr = (f->flags & SIM_CAN_FLAG_RTR) != 0;
    SIM_ASSERT(f->id <= (ext ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK));
    char line[96];
    size_t n = put_prefix(line, sizeof line, t_ns, iface);
    n += put_id(line + n, f->id, ext ? 8u : 3u);
    uint8_t payload[8] = {0};
    if (rtr) {
        line[n++] = 'R';
        if (f->dlc > 0) {
            line[n++] = (char)('0' + f->dlc);
        }
    } else {
        memcpy(payload, f->data, f->dlc);
        n += put_hex(line + n, payload, f->dlc);
    }
    line[n++] = '\n';
    sim_trace__write(t, &t->buslog, line, n);
    if (t->pcap != NULL && !t->closed) {
        uint32_t id = f->id | (ext ? CAN_EFF_FLAG : 0u) | (rtr ? CAN_RTR_FLAG : 0u);
        sim_trace__pcap_write(t->pcap, t_ns, id, f->dlc, payload);
    }
}

void sim_trace_can_error(sim_trace_t *t, sim_time_ns_t t_ns, const char *iface, uint32_t err_class,
                         const uint8_t data[8]) {
    SIM_ASSERT(t != NULL && data != NULL && (err_class & ~CAN_ERR_MASK) == 0);
    SIM_ASSERT(sim_trace__iface_ok(iface));
    char line[96];
    size_t n = put_prefix(line, sizeof line, t_ns, iface);
    n += put_id(line + n, CAN_ERR_FLAG | err_class, 8u);
    n += put_hex(line + n, data, 8);
    line[n++] = '\n';
    sim_trace__write(t, &t->buslog, line, n);
    if (t->pcap != NULL && !t->closed) {
        sim_trace__pcap_write(t->pcap, t_ns, CAN_ERR_FLAG | err_class, 8, data);
    }
}
