/*
 * bus.log: one candump -l line per frame or error frame, plus the same packet in bus.pcap, and
 * the bus observer that feeds both (and events.jsonl for controller state changes).
 *
 *   (0000000001.000250) can0 351#3002E803DC05E001     standard data frame
 *   (0000000001.000480) can0 18FF50E5#0102            extended data frame
 *   (0000000001.000700) can0 123#R3                   remote frame, DLC 3 (plain "R" for DLC 0)
 *   (0000000001.000900) can0 200000A0#0000000000000000  error frame (CAN_ERR_FLAG | class)
 *
 * The timestamp is virtual time truncated to microseconds, the resolution candump prints. A frame
 * is stamped at t_end (after the intermission), which is when a Linux receiver timestamps it; an
 * error frame at the time the bus reports it.
 *
 * Error classes and data bytes follow linux/can/error.h, so candump, python-can and Wireshark
 * decode them as they would from a real controller. The constants are written out here because
 * the trace must build on hosts without Linux headers.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"

/* linux/can.h */
#define CAN_EFF_FLAG 0x80000000u
#define CAN_RTR_FLAG 0x40000000u
#define CAN_ERR_FLAG 0x20000000u
#define CAN_ERR_MASK 0x1FFFFFFFu
/* linux/can/error.h: error classes (can_id) */
#define CAN_ERR_CRTL      0x00000004u
#define CAN_ERR_PROT      0x00000008u
#define CAN_ERR_ACK       0x00000020u
#define CAN_ERR_BUSOFF    0x00000040u
#define CAN_ERR_BUSERROR  0x00000080u
#define CAN_ERR_RESTARTED 0x00000100u
/* data[1]: controller problems */
#define CAN_ERR_CRTL_RX_WARNING 0x04u
#define CAN_ERR_CRTL_TX_WARNING 0x08u
#define CAN_ERR_CRTL_RX_PASSIVE 0x10u
#define CAN_ERR_CRTL_TX_PASSIVE 0x20u
#define CAN_ERR_CRTL_ACTIVE     0x40u
/* data[2]: protocol violation type */
#define CAN_ERR_PROT_BIT   0x01u
#define CAN_ERR_PROT_FORM  0x02u
#define CAN_ERR_PROT_STUFF 0x04u
#define CAN_ERR_PROT_TX    0x80u
/* data[3]: protocol violation location */
#define CAN_ERR_PROT_LOC_CRC_SEQ 0x08u
#define CAN_ERR_PROT_LOC_DATA    0x0Au

static const char HEX[] = "0123456789ABCDEF";

/* Interface names are single tokens: the log grammar splits on spaces. */
static void assert_iface(const char *iface) {
    SIM_ASSERT(iface != NULL && iface[0] != '\0' && strlen(iface) <= SIM_TRACE_IFACE_MAX);
    for (const char *p = iface; *p != '\0'; p++) {
        SIM_ASSERT(*p > ' ' && *p < 0x7f && *p != '(' && *p != '#');
    }
}

/* "(SSSSSSSSSS.UUUUUU) iface " into buf; returns the length. */
static size_t put_prefix(char *buf, size_t cap, sim_time_ns_t t_ns, const char *iface) {
    SIM_ASSERT(t_ns >= 0);
    unsigned long long s = (unsigned long long)(t_ns / SIM_NS_PER_S);
    unsigned long long us = (unsigned long long)(t_ns % SIM_NS_PER_S / SIM_NS_PER_US);
    int n = snprintf(buf, cap, "(%010llu.%06llu) %s ", s, us, iface);
    SIM_ASSERT(n > 0 && (size_t)n < cap);
    return (size_t)n;
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
    assert_iface(iface);
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0, rtr = (f->flags & SIM_CAN_FLAG_RTR) != 0;
    SIM_ASSERT(f->id <= (ext ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK));
    char line[96];
    size_t n = put_prefix(line, sizeof line, t_ns, iface);
    n += (size_t)snprintf(line + n, sizeof line - n, ext ? "%08" PRIX32 "#" : "%03" PRIX32 "#",
                          f->id);
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
    assert_iface(iface);
    char line[96];
    size_t n = put_prefix(line, sizeof line, t_ns, iface);
    n += (size_t)snprintf(line + n, sizeof line - n, "%08" PRIX32 "#", CAN_ERR_FLAG | err_class);
    n += put_hex(line + n, data, 8);
    line[n++] = '\n';
    sim_trace__write(t, &t->buslog, line, n);
    if (t->pcap != NULL && !t->closed) {
        sim_trace__pcap_write(t->pcap, t_ns, CAN_ERR_FLAG | err_class, 8, data);
    }
}

/* ---- the bus observer ------------------------------------------------------------------- */

static void obs_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                      sim_time_ns_t t_start, sim_time_ns_t t_end) {
    trace_bus_t *b = ctx;
    (void)sender;
    (void)t_start;
    sim_trace_can_frame(b->t, t_end, b->iface, f);
}

/*
 * A bus error as a Linux controller reports it. CAN_ERR_BUSERROR is set on every one of them:
 * drivers do, and python-can recognises an error frame only by that bit.
 */
static void obs_error(void *ctx, sim_can_err_kind_t kind, const sim_can_frame_t *f,
                      const sim_can_ctrl_t *sender, sim_time_ns_t t) {
    trace_bus_t *b = ctx;
    uint8_t data[8] = {0};
    uint32_t cls = CAN_ERR_BUSERROR;
    (void)f;
    switch (kind) {
        case SIM_CAN_ERR_ACK:
            cls |= CAN_ERR_ACK;
            break;
        case SIM_CAN_ERR_BIT:
            /* The transmitter reads back a different bit; the bus models this in the data. */
            cls |= CAN_ERR_PROT;
            data[2] = CAN_ERR_PROT_BIT | (sender != NULL ? CAN_ERR_PROT_TX : 0u);
            data[3] = CAN_ERR_PROT_LOC_DATA;
            break;
        case SIM_CAN_ERR_STUFF:
            cls |= CAN_ERR_PROT;
            data[2] = CAN_ERR_PROT_STUFF;
            break;
        case SIM_CAN_ERR_FORM:
            cls |= CAN_ERR_PROT;
            data[2] = CAN_ERR_PROT_FORM;
            break;
        case SIM_CAN_ERR_CRC:
            /* error.h has no CRC type: a CRC error is an unspecified violation in the CRC. */
            cls |= CAN_ERR_PROT;
            data[3] = CAN_ERR_PROT_LOC_CRC_SEQ;
            break;
        default:
            cls |= CAN_ERR_PROT;
            break;
    }
    sim_trace_can_error(b->t, t, b->iface, cls, data);
}

static const char *state_name(sim_can_state_t st) {
    switch (st) {
        case SIM_CAN_STOPPED:
            return "stopped";
        case SIM_CAN_ERROR_ACTIVE:
            return "error_active";
        case SIM_CAN_ERROR_WARNING:
            return "error_warning";
        case SIM_CAN_ERROR_PASSIVE:
            return "error_passive";
        case SIM_CAN_BUS_OFF:
            return "bus_off";
    }
    return "unknown";
}

/* Swaps in the new state and returns the previous one; controllers start stopped. */
static sim_can_state_t remember_state(trace_bus_t *b, const sim_can_ctrl_t *c, sim_can_state_t st) {
    for (size_t i = 0; i < b->n_ctrls; i++) {
        if (b->ctrls[i].ctrl == c) {
            sim_can_state_t prev = b->ctrls[i].state;
            b->ctrls[i].state = st;
            return prev;
        }
    }
    if (b->n_ctrls == b->cap_ctrls) {
        size_t cap = b->cap_ctrls ? 2 * b->cap_ctrls : 8;
        trace_ctrl_state_t *n = realloc(b->ctrls, cap * sizeof *n);
        if (n == NULL) {
            return SIM_CAN_STOPPED; /* forget it: only the recovery class could be wrong */
        }
        b->ctrls = n;
        b->cap_ctrls = cap;
    }
    b->ctrls[b->n_ctrls++] = (trace_ctrl_state_t){.ctrl = c, .state = st};
    return SIM_CAN_STOPPED;
}

/* The bit for the counter that crossed the threshold; the TX one when the counters disagree. */
static uint8_t crtl_bits(uint16_t tec, uint16_t rec, uint16_t limit, uint8_t tx, uint8_t rx) {
    uint8_t bits = (uint8_t)((tec >= limit ? tx : 0u) | (rec >= limit ? rx : 0u));
    if (bits == 0) {
        bits = tec >= rec ? tx : rx;
    }
    return bits;
}

/* The error frame a Linux driver sends for a state change, or false when it sends none. */
static bool state_error_frame(sim_can_state_t prev, sim_can_state_t st, uint16_t tec, uint16_t rec,
                              uint32_t *cls, uint8_t data[8]) {
    memset(data, 0, 8);
    data[6] = (uint8_t)(tec > 255 ? 255 : tec); /* drivers report the counters here */
    data[7] = (uint8_t)(rec > 255 ? 255 : rec);
    switch (st) {
        case SIM_CAN_BUS_OFF:
            *cls = CAN_ERR_BUSOFF;
            return true;
        case SIM_CAN_ERROR_PASSIVE:
            *cls = CAN_ERR_CRTL;
            data[1] = crtl_bits(tec, rec, 128, CAN_ERR_CRTL_TX_PASSIVE, CAN_ERR_CRTL_RX_PASSIVE);
            return true;
        case SIM_CAN_ERROR_WARNING:
            *cls = CAN_ERR_CRTL;
            data[1] = crtl_bits(tec, rec, 96, CAN_ERR_CRTL_TX_WARNING, CAN_ERR_CRTL_RX_WARNING);
            return true;
        case SIM_CAN_ERROR_ACTIVE:
            if (prev == SIM_CAN_BUS_OFF) {
                *cls = CAN_ERR_RESTARTED;
                return true;
            }
            if (prev == SIM_CAN_ERROR_WARNING || prev == SIM_CAN_ERROR_PASSIVE) {
                *cls = CAN_ERR_CRTL;
                data[1] = CAN_ERR_CRTL_ACTIVE;
                return true;
            }
            return false; /* a start: no error condition to report */
        case SIM_CAN_STOPPED:
            return false;
    }
    return false;
}

static void obs_state(void *ctx, const sim_can_ctrl_t *c, sim_can_state_t st, sim_time_ns_t t) {
    trace_bus_t *b = ctx;
    uint16_t tec = sim_can_ctrl_tec(c), rec = sim_can_ctrl_rec(c);
    sim_can_state_t prev = remember_state(b, c, st);
    sim_trace_ev_t *e = sim_trace_ev_begin(b->t, t, "can_state", sim_can_ctrl_name(c));
    sim_trace_ev_str(e, "bus", b->iface);
    sim_trace_ev_str(e, "state", state_name(st));
    sim_trace_ev_str(e, "prev", state_name(prev));
    sim_trace_ev_uint(e, "tec", tec);
    sim_trace_ev_uint(e, "rec", rec);
    sim_trace_ev_end(e);
    uint32_t cls;
    uint8_t data[8];
    if (state_error_frame(prev, st, tec, rec, &cls, data)) {
        sim_trace_can_error(b->t, t, b->iface, cls, data);
    }
}

int sim_trace_attach_bus(sim_trace_t *t, sim_can_bus_t *bus) {
    SIM_ASSERT(t != NULL && bus != NULL);
    if (t->n_buses == SIM_TRACE_MAX_BUSES) {
        return -SIM_EAGAIN;
    }
    const char *name = sim_can_bus_name(bus);
    assert_iface(name);
    trace_bus_t *b = &t->buses[t->n_buses];
    memset(b, 0, sizeof *b);
    b->t = t;
    memcpy(b->iface, name, strlen(name) + 1);
    static const sim_can_observer_t obs = {
        .on_frame = obs_frame, .on_error = obs_error, .on_state = obs_state};
    int rc = sim_can_bus_observe(bus, &obs, b);
    if (rc == 0) {
        t->n_buses++;
    }
    return rc;
}
