/*
 * The trace as a CAN bus observer: frames go to bus.log/bus.pcap, bus errors become the error
 * frames a Linux controller would report, and controller state changes become "can_state" lines
 * in events.jsonl plus the matching error frame:
 *
 *   error_active ─▶ error_warning   CRTL, data[1] TX_WARNING and/or RX_WARNING
 *                ─▶ error_passive   CRTL, data[1] TX_PASSIVE and/or RX_PASSIVE
 *                ─▶ bus_off         BUSOFF
 *   bus_off      ─▶ error_active    RESTARTED
 *   warning/passive ─▶ error_active CRTL, data[1] ACTIVE
 *   stopped ─▶ error_active, any ─▶ stopped: no error frame (no error condition)
 *
 * Every one of these state frames carries TEC and REC in data[6] and data[7] and says so with
 * the CAN_ERR_CNT class bit (0x200), as Linux drivers do when they report the counters; the
 * restart reports the cleared counters. Bus errors carry no counters. To tell a recovery from a
 * first start the observer remembers each controller's last state (keyed by identity only).
 */
#include <stdlib.h>
#include <string.h>

#include "sim_trace_int.h"

static void obs_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                      sim_time_ns_t t_start, sim_time_ns_t t_rx) {
    trace_bus_t *b = ctx;
    (void)sender;
    (void)t_start;
    sim_trace_can_frame(b->t, t_rx, b->iface, f);
}

/* data[3]: where the error was detected, as linux/can/error.h numbers the fields. */
static uint8_t err_location(sim_can_err_field_t field) {
    switch (field) {
        case SIM_CAN_FIELD_UNSPEC:
            break;
        case SIM_CAN_FIELD_SOF:
            return SIM_TRACE_ERR_LOC_SOF;
        case SIM_CAN_FIELD_ID28_21:
            return SIM_TRACE_ERR_LOC_ID28_21;
        case SIM_CAN_FIELD_ID20_18:
            return SIM_TRACE_ERR_LOC_ID20_18;
        case SIM_CAN_FIELD_SRTR:
            return SIM_TRACE_ERR_LOC_SRTR;
        case SIM_CAN_FIELD_IDE:
            return SIM_TRACE_ERR_LOC_IDE;
        case SIM_CAN_FIELD_ID17_13:
            return SIM_TRACE_ERR_LOC_ID17_13;
        case SIM_CAN_FIELD_ID12_05:
            return SIM_TRACE_ERR_LOC_ID12_05;
        case SIM_CAN_FIELD_ID04_00:
            return SIM_TRACE_ERR_LOC_ID04_00;
        case SIM_CAN_FIELD_RTR:
            return SIM_TRACE_ERR_LOC_RTR;
        case SIM_CAN_FIELD_RES1:
            return SIM_TRACE_ERR_LOC_RES1;
        case SIM_CAN_FIELD_RES0:
            return SIM_TRACE_ERR_LOC_RES0;
        case SIM_CAN_FIELD_DLC:
            return SIM_TRACE_ERR_LOC_DLC;
        case SIM_CAN_FIELD_DATA:
            return SIM_TRACE_ERR_LOC_DATA;
        case SIM_CAN_FIELD_CRC_SEQ:
            return SIM_TRACE_ERR_LOC_CRC_SEQ;
        case SIM_CAN_FIELD_ACK_SLOT:
            return SIM_TRACE_ERR_LOC_ACK;
    }
    return SIM_TRACE_ERR_LOC_UNSPEC;
}

/*
 * A bus error as a Linux controller reports it: every one is a protocol violation with its
 * location in data[3] (flexcan and sja1000 report the ACK slot for a missing ACK, flexcan with
 * the ACK class as well), and data[2] its type where error.h has one. SIM_TRACE_ERR_BUSERROR is
 * set on every one of them: drivers do, and python-can recognises an error frame only by that
 * bit.
 */
static void obs_error(void *ctx, sim_can_err_kind_t kind, sim_can_err_field_t field,
                      const sim_can_frame_t *f, const sim_can_ctrl_t *sender, sim_time_ns_t t) {
    trace_bus_t *b = ctx;
    uint8_t data[8] = {0};
    uint32_t cls = SIM_TRACE_ERR_BUSERROR | SIM_TRACE_ERR_PROT;
    (void)f;
    data[3] = err_location(field);
    switch (kind) {
        case SIM_CAN_ERR_ACK:
            cls |= SIM_TRACE_ERR_ACK;
            break;
        case SIM_CAN_ERR_BIT:
            /* The transmitter reads back a different bit. */
            data[2] = SIM_TRACE_ERR_PROT_BIT | (sender != NULL ? SIM_TRACE_ERR_PROT_TX : 0u);
            break;
        case SIM_CAN_ERR_STUFF:
            data[2] = SIM_TRACE_ERR_PROT_STUFF;
            break;
        case SIM_CAN_ERR_FORM:
            data[2] = SIM_TRACE_ERR_PROT_FORM;
            break;
        case SIM_CAN_ERR_CRC:
            /* error.h has no CRC type: a CRC error is an unspecified violation in the CRC. */
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

/* The error frame a Linux driver sends for a state change, without the CAN_ERR_CNT bit the
 * caller adds, or false when it sends none. */
static bool state_error_class(sim_can_state_t prev, sim_can_state_t st, uint16_t tec, uint16_t rec,
                              uint32_t *cls, uint8_t data[8]) {
    memset(data, 0, 8);
    data[6] = (uint8_t)(tec > 255 ? 255 : tec); /* drivers report the counters here */
    data[7] = (uint8_t)(rec > 255 ? 255 : rec);
    switch (st) {
        case SIM_CAN_BUS_OFF:
            *cls = SIM_TRACE_ERR_BUSOFF;
            return true;
        case SIM_CAN_ERROR_PASSIVE:
            *cls = SIM_TRACE_ERR_CRTL;
            data[1] = crtl_bits(tec, rec, 128, SIM_TRACE_ERR_CRTL_TX_PASSIVE,
                                SIM_TRACE_ERR_CRTL_RX_PASSIVE);
            return true;
        case SIM_CAN_ERROR_WARNING:
            *cls = SIM_TRACE_ERR_CRTL;
            data[1] = crtl_bits(tec, rec, 96, SIM_TRACE_ERR_CRTL_TX_WARNING,
                                SIM_TRACE_ERR_CRTL_RX_WARNING);
            return true;
        case SIM_CAN_ERROR_ACTIVE:
            if (prev == SIM_CAN_BUS_OFF) {
                *cls = SIM_TRACE_ERR_RESTARTED;
                return true;
            }
            if (prev == SIM_CAN_ERROR_WARNING || prev == SIM_CAN_ERROR_PASSIVE) {
                *cls = SIM_TRACE_ERR_CRTL;
                data[1] = SIM_TRACE_ERR_CRTL_ACTIVE;
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
    if (state_error_class(prev, st, tec, rec, &cls, data)) {
        sim_trace_can_error(b->t, t, b->iface, cls | SIM_TRACE_ERR_CNT, data);
    }
}

int sim_trace_attach_bus(sim_trace_t *t, sim_can_bus_t *bus) {
    SIM_ASSERT(t != NULL && bus != NULL);
    if (t->n_buses == SIM_TRACE_MAX_BUSES) {
        return -SIM_EAGAIN;
    }
    const char *name = sim_can_bus_name(bus);
    if (!sim_trace__iface_ok(name)) {
        return -SIM_EINVAL; /* it would break the log grammar */
    }
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
