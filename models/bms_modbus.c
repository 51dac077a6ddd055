/*
 * bms_modbus.c: Modbus RTU slave in front of the battery model (contract in bms_modbus.h).
 *
 * Receiving is driven by character arrivals: every byte (re)arms an end-of-frame event t3.5
 * later, so the frame is judged only once the line has been silent long enough, as a real RTU
 * slave does. Replies are built when they are sent, not when the request ends, so the values
 * are those of the moment the BMS answers.
 */
#include "bms_modbus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bms_modbus {
    sim_kernel_t *k;
    bms_modbus_cfg_t cfg;
    const battery_t *batt;
    sim_uart_port_t *port;
    sim_time_ns_t t35_ns, t15_ns, char_ns;
    bms_fault_t fault;
    bms_modbus_stats_t stats;

    uint8_t rx[BMS_MODBUS_FRAME_MAX];
    size_t rx_len;
    bool rx_bad; /* garbled byte, overflow or t1.5 gap in this frame */
    sim_time_ns_t rx_last_ns;
    sim_event_id_t eof_ev; /* end-of-frame (t3.5) event */

    uint8_t req[BMS_MODBUS_FRAME_MAX]; /* request held until the reply is sent */
    size_t req_len;
    sim_event_id_t reply_ev;
    bool transmitting;            /* own reply on the line: do not listen to it */
    sim_time_ns_t quiet_until_ns; /* after a reply, deaf until t3.5 of silence (see on_rx) */
};

uint16_t bms_modbus_crc16(const uint8_t *data, size_t len) {
    uint16_t crc = 0xFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
        }
    }
    return crc;
}

void bms_modbus_cfg_default(bms_modbus_cfg_t *cfg) {
    *cfg = (bms_modbus_cfg_t){
        .name = "bms",
        .address = 1,
        .response_delay_ns = 3 * SIM_NS_PER_MS,
        .late_reply_ns = 150 * SIM_NS_PER_MS,
        .forced_alarm_bits = 0x0100u,
        .check_t15 = false,
    };
}

/* ---- register map ------------------------------------------------------------------------ */

static uint16_t scaled_u16(double v, double scale) {
    double r = floor(v * scale + 0.5);
    return r <= 0.0 ? 0u : (r >= 65535.0 ? 65535u : (uint16_t)r);
}

static uint16_t scaled_s16(double v, double scale) {
    double r = floor(v * scale + 0.5);
    int32_t s = r <= -32768.0 ? -32768 : (r >= 32767.0 ? 32767 : (int32_t)r);
    return (uint16_t)(s & 0xFFFF);
}

int bms_modbus_read_register(const bms_modbus_t *m, uint16_t reg, uint16_t *out) {
    const battery_t *b = m->batt;
    uint16_t alarms = battery_alarms(b);
    if (m->fault == BMS_FAULT_ALARM) {
        alarms |= m->cfg.forced_alarm_bits;
    }
    switch (reg) {
        case 0:
            *out = scaled_u16(battery_voltage_v(b), 10.0);
            break;
        case 1:
            *out = scaled_s16(battery_current_a(b), 100.0);
            break;
        case 2:
            *out = alarms;
            break;
        case 3:
            *out = scaled_u16(battery_soc(b), 1000.0);
            break;
        case 4:
            *out = scaled_u16(battery_cell_v_max(b), 1000.0);
            break;
        case 5:
            *out = scaled_u16(battery_cell_v_min(b), 1000.0);
            break;
        case 6:
            *out = (uint16_t)((battery_charge_enabled(b) ? 1u : 0u) |
                              (battery_discharge_enabled(b) ? 2u : 0u));
            break;
        case 7:
            *out = scaled_u16(battery_max_charge_a(b), 10.0);
            break;
        case 8:
            *out = scaled_u16(battery_max_discharge_a(b), 10.0);
            break;
        default:
            return -SIM_ERANGE;
    }
    return 0;
}

/* ---- frame decisions --------------------------------------------------------------------- */

static size_t put_crc(uint8_t *frame, size_t len) {
    uint16_t crc = bms_modbus_crc16(frame, len);
    frame[len] = (uint8_t)(crc & 0xFFu); /* low byte first: only the CRC is little-endian */
    frame[len + 1] = (uint8_t)(crc >> 8);
    return len + 2;
}

static size_t exception(bms_modbus_t *m, uint8_t fc, uint8_t code, uint8_t *resp) {
    m->stats.exceptions++;
    resp[0] = m->cfg.address;
    resp[1] = (uint8_t)(fc | 0x80u);
    resp[2] = code;
    return put_crc(resp, 3);
}

static size_t read_holding(bms_modbus_t *m, const uint8_t *req, uint8_t *resp) {
    uint16_t start = (uint16_t)(req[2] << 8 | req[3]);
    uint16_t qty = (uint16_t)(req[4] << 8 | req[5]);
    if (qty == 0 || qty > 125) {
        return exception(m, 0x03, 0x03, resp);
    }
    if ((uint32_t)start + qty > BMS_MODBUS_REG_COUNT) {
        return exception(m, 0x03, 0x02, resp);
    }
    m->stats.replies++;
    resp[0] = m->cfg.address;
    resp[1] = 0x03;
    resp[2] = (uint8_t)(2u * qty);
    for (uint16_t i = 0; i < qty; i++) {
        uint16_t v = 0;
        (void)bms_modbus_read_register(m, (uint16_t)(start + i), &v);
        resp[3 + 2 * i] = (uint8_t)(v >> 8);
        resp[4 + 2 * i] = (uint8_t)(v & 0xFFu);
    }
    return put_crc(resp, 3u + 2u * qty);
}

/* Applies the reply-shaping faults to a finished frame. */
static void shape_reply(const bms_modbus_t *m, uint8_t *resp, size_t len) {
    if (m->fault == BMS_FAULT_WRONG_ADDRESS) {
        resp[0] = (uint8_t)(m->cfg.address + 1u);
        (void)put_crc(resp, len - 2);
    } else if (m->fault == BMS_FAULT_CORRUPT_CRC) {
        resp[len - 2] ^= 0xFFu;
    }
}

size_t bms_modbus_process(bms_modbus_t *m, const uint8_t *req, size_t len, uint8_t *resp) {
    if (len < 4 || len > BMS_MODBUS_FRAME_MAX) {
        m->stats.malformed++;
        return 0;
    }
    uint16_t crc = (uint16_t)(req[len - 2] | req[len - 1] << 8);
    if (crc != bms_modbus_crc16(req, len - 2)) {
        m->stats.crc_errors++;
        return 0;
    }
    if (req[0] != m->cfg.address) {
        m->stats.other_address++; /* including broadcast (0): never answered for a read */
        return 0;
    }
    size_t n;
    if (req[1] != 0x03) {
        m->stats.requests++;
        n = exception(m, req[1], 0x01, resp);
    } else if (len != 8) {
        m->stats.malformed++; /* an FC 3 request is exactly 8 bytes */
        return 0;
    } else {
        m->stats.requests++;
        n = read_holding(m, req, resp);
    }
    shape_reply(m, resp, n);
    return n;
}

/* ---- line side --------------------------------------------------------------------------- */

static void send_reply(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    bms_modbus_t *m = ctx;
    uint8_t resp[BMS_MODBUS_FRAME_MAX];
    m->reply_ev = 0;
    size_t n = bms_modbus_process(m, m->req, m->req_len, resp);
    if (n > 0 && sim_uart_port_write(m->port, resp, n) == 0) {
        m->transmitting = true;
    }
}

/* A request was accepted for an answer: hold it and answer after the configured delay. */
static void schedule_reply(bms_modbus_t *m) {
    if (m->fault == BMS_FAULT_SILENT) {
        m->stats.fault_dropped++;
        return;
    }
    sim_time_ns_t delay =
        m->fault == BMS_FAULT_LATE_REPLY ? m->cfg.late_reply_ns : m->cfg.response_delay_ns;
    memcpy(m->req, m->rx, m->rx_len);
    m->req_len = m->rx_len;
    m->reply_ev = sim_kernel_schedule_in(m->k, delay, SIM_PRIO_DEFAULT, send_reply, m, 0);
}

/* Cheap pre-check so only frames that will be answered occupy the reply slot. */
static bool addressed_and_valid(const bms_modbus_t *m, const uint8_t *f, size_t len) {
    if (len < 4 || f[0] != m->cfg.address) {
        return false;
    }
    return (uint16_t)(f[len - 2] | f[len - 1] << 8) == bms_modbus_crc16(f, len - 2);
}

static void end_of_frame(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    (void)arg;
    bms_modbus_t *m = ctx;
    uint8_t scratch[BMS_MODBUS_FRAME_MAX];
    m->eof_ev = 0;
    if (m->rx_bad) {
        m->stats.malformed++;
    } else if (m->reply_ev != 0 || m->transmitting) {
        m->stats.busy_ignored++;
    } else if (addressed_and_valid(m, m->rx, m->rx_len)) {
        schedule_reply(m);
    } else {
        (void)bms_modbus_process(m, m->rx, m->rx_len, scratch); /* counts why it is silent */
    }
    m->rx_len = 0;
    m->rx_bad = false;
}

static void on_rx(void *ctx, uint8_t byte, bool garbled) {
    bms_modbus_t *m = ctx;
    if (m->transmitting) {
        return;
    }
    sim_time_ns_t now = sim_kernel_now(m->k);
    /* After its own reply an RTU slave waits for t3.5 of silence before it listens again (the
     * serial-line spec's initial state): a character that starts sooner is dropped and restarts
     * the wait, so a frame sent right after the reply is never heard. */
    if (now - m->char_ns < m->quiet_until_ns) {
        m->quiet_until_ns = now + m->t35_ns;
        m->stats.early_bytes++;
        return;
    }
    if (m->rx_len > 0 && m->cfg.check_t15 && now - m->rx_last_ns > m->t15_ns) {
        m->rx_bad = true;
    }
    if (garbled || m->rx_len >= BMS_MODBUS_FRAME_MAX) {
        m->rx_bad = true;
    } else {
        m->rx[m->rx_len++] = byte;
    }
    m->rx_last_ns = now;
    if (m->eof_ev != 0) {
        (void)sim_kernel_cancel(m->k, m->eof_ev);
    }
    m->eof_ev = sim_kernel_schedule_in(m->k, m->t35_ns, SIM_PRIO_WIRE, end_of_frame, m, 0);
}

static void on_tx_idle(void *ctx) {
    bms_modbus_t *m = ctx;
    m->transmitting = false;
    m->quiet_until_ns = sim_kernel_now(m->k) + m->t35_ns;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static void set_timing(bms_modbus_t *m, const sim_uart_line_t *line) {
    sim_time_ns_t ch = sim_uart_line_char_ns(line);
    m->char_ns = ch;
    /* Above 19200 baud the serial-line spec fixes t1.5 = 750 us and t3.5 = 1.75 ms; a character
     * at 19200 8N1 is 520833 ns, so compare against that instead of asking for the baud rate. */
    if (ch < 520000) {
        m->t15_ns = 750 * SIM_NS_PER_US;
        m->t35_ns = 1750 * SIM_NS_PER_US;
    } else {
        m->t15_ns = ch * 3 / 2;
        m->t35_ns = ch * 7 / 2;
    }
}

int bms_modbus_create(sim_kernel_t *k, const bms_modbus_cfg_t *cfg, const battery_t *batt,
                      sim_uart_line_t *line, bms_modbus_t **out) {
    *out = NULL;
    if (cfg->address == 0 || cfg->address > 247 || !batt || !line) {
        return -SIM_EINVAL;
    }
    bms_modbus_t *m = calloc(1, sizeof *m);
    if (!m) {
        return -SIM_ENOMEM;
    }
    m->k = k;
    m->cfg = *cfg;
    m->cfg.name = NULL; /* copied by the port; not kept here */
    m->batt = batt;
    set_timing(m, line);
    sim_uart_port_cfg_t pc = {.name = cfg->name ? cfg->name : "bms", .auto_de = true};
    sim_uart_port_cb_t cb = {.on_rx = on_rx, .on_tx_idle = on_tx_idle};
    int rc = sim_uart_port_attach(line, &pc, &cb, m, &m->port);
    if (rc != 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void bms_modbus_destroy(bms_modbus_t *m) {
    if (!m) {
        return;
    }
    if (m->eof_ev != 0) {
        (void)sim_kernel_cancel(m->k, m->eof_ev);
    }
    if (m->reply_ev != 0) {
        (void)sim_kernel_cancel(m->k, m->reply_ev);
    }
    sim_uart_port_detach(m->port);
    free(m);
}

void bms_modbus_set_alarm_bits(bms_modbus_t *m, uint16_t bits) {
    m->cfg.forced_alarm_bits = bits;
}

void bms_modbus_set_fault(bms_modbus_t *m, bms_fault_t fault) {
    m->fault = fault;
}

bms_fault_t bms_modbus_fault(const bms_modbus_t *m) {
    return m->fault;
}

void bms_modbus_stats(const bms_modbus_t *m, bms_modbus_stats_t *out) {
    *out = m->stats;
}
