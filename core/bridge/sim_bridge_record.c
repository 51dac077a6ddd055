/*
 * sim_bridge_record.c: what a bridge writes about itself: the events.jsonl lines a replay reads
 * back, the candump notation of their frames, and the statistics object for report.json.
 *
 *   {"t_ns":0,"type":"bridge_open","node":"bridge","endpoint":"socketcan:vcan0","queue":64}
 *   {"t_ns":1500000000,"type":"bridge_rx","node":"bridge","frame":"100#01"}
 *   {"t_ns":2000000000,"type":"bridge_stop","node":"bridge","reason":"link_lost"}
 *
 * Frames use the candump frame grammar (can-utils lib.h) without spaces: a standard identifier
 * as 3 uppercase hex digits, an extended one as 8, '#', then the data as uppercase hex pairs, or
 * "R" plus the DLC digit for a remote frame (plain "R" for DLC 0).
 */
#include <stdio.h>
#include <string.h>

#include "sim_bridge_int.h"

static const char HEX[] = "0123456789ABCDEF";

void sim_bridge__frame_text(const sim_can_frame_t *f, char *buf) {
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0;
    int n = snprintf(buf, SIM_BRIDGE_REC_FRAME_MAX, ext ? "%08X#" : "%03X#", (unsigned)f->id);
    SIM_ASSERT(n > 0 && n < SIM_BRIDGE_REC_FRAME_MAX);
    char *p = buf + n;
    if ((f->flags & SIM_CAN_FLAG_RTR) != 0) {
        *p++ = 'R';
        if (f->dlc > 0) {
            *p++ = (char)('0' + f->dlc);
        }
    } else {
        for (unsigned i = 0; i < f->dlc; i++) {
            *p++ = HEX[f->data[i] >> 4];
            *p++ = HEX[f->data[i] & 0x0Fu];
        }
    }
    *p = '\0';
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static int parse_payload(const char *s, size_t len, sim_can_frame_t *f) {
    if (len > 0 && s[0] == 'R') {
        f->flags |= SIM_CAN_FLAG_RTR;
        if (len == 1) {
            return 0;
        }
        if (len != 2 || s[1] < '0' || s[1] > '8') {
            return -SIM_EFORMAT;
        }
        f->dlc = (uint8_t)(s[1] - '0');
        return 0;
    }
    if (len % 2 != 0 || len > 16) {
        return -SIM_EFORMAT;
    }
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) {
            return -SIM_EFORMAT;
        }
        f->data[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    f->dlc = (uint8_t)(len / 2);
    return 0;
}

int sim_bridge__frame_parse(const char *text, size_t len, sim_can_frame_t *out) {
    const char *hash = memchr(text, '#', len);
    size_t id_len = hash != NULL ? (size_t)(hash - text) : 0;
    if (id_len != 3 && id_len != 8) {
        return -SIM_EFORMAT;
    }
    sim_can_frame_t f = {0};
    for (size_t i = 0; i < id_len; i++) {
        int v = hexval(text[i]);
        if (v < 0) {
            return -SIM_EFORMAT;
        }
        f.id = f.id << 4 | (uint32_t)v;
    }
    if (id_len == 8) {
        f.flags = SIM_CAN_FLAG_IDE;
    }
    if (f.id > (id_len == 8 ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK)) {
        return -SIM_EFORMAT;
    }
    int rc = parse_payload(hash + 1, len - id_len - 1, &f);
    if (rc == 0) {
        *out = f;
    }
    return rc;
}

const char *sim_bridge__reason(const char *text) {
    static const char *const reasons[] = {SIM_BRIDGE_REASON_LINK, SIM_BRIDGE_REASON_BAD,
                                          SIM_BRIDGE_REASON_OVERFLOW};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        if (strcmp(text, reasons[i]) == 0) {
            return reasons[i];
        }
    }
    return NULL;
}

void sim_bridge__record_open(sim_bridge_t *b) {
    if (b->trace == NULL) {
        return;
    }
    sim_trace_ev_t *e = sim_trace_ev_begin(b->trace, sim_kernel_now(b->k), "bridge_open", b->name);
    sim_trace_ev_str(e, "endpoint", b->endpoint);
    sim_trace_ev_uint(e, "queue", b->ctrl_queue_len);
    sim_trace_ev_end(e);
}

void sim_bridge__record_rx(sim_bridge_t *b, const sim_can_frame_t *f) {
    if (b->trace == NULL) {
        return;
    }
    char text[SIM_BRIDGE_REC_FRAME_MAX];
    sim_bridge__frame_text(f, text);
    sim_trace_ev_t *e = sim_trace_ev_begin(b->trace, sim_kernel_now(b->k), "bridge_rx", b->name);
    sim_trace_ev_str(e, "frame", text);
    sim_trace_ev_end(e);
}

void sim_bridge__record_stop(sim_bridge_t *b, const char *reason) {
    if (b->trace == NULL) {
        return;
    }
    sim_trace_ev_t *e = sim_trace_ev_begin(b->trace, sim_kernel_now(b->k), "bridge_stop", b->name);
    sim_trace_ev_str(e, "reason", reason);
    sim_trace_ev_end(e);
}

int sim_bridge_stats_json(const sim_bridge_t *b, char *buf, size_t len) {
    sim_bridge_stats_t s;
    sim_bridge_stats(b, &s);
    int n = snprintf(
        buf, len,
        "{\"endpoint\":\"%s\",\"rx_frames\":%llu,\"rx_injected\":%llu,\"rx_overflow\":%llu,"
        "\"rx_malformed\":%llu,\"rx_fd\":%llu,\"rx_bad_dlc\":%llu,\"rx_error_frames\":%llu,"
        "\"rx_echo\":%llu,\"rx_queue_max\":%u,\"tx_frames\":%llu,\"tx_overflow\":%llu,"
        "\"tx_no_peer\":%llu,\"tx_link_down\":%llu,\"tx_busy\":%llu,\"tx_queue_max\":%u,"
        "\"tx_unsent\":%u,"
        "\"link_lost\":%llu,\"link_reopened\":%llu,\"replay_refused\":%llu,\"pauses\":%llu,"
        "\"stopped\":%s}",
        b->endpoint, (unsigned long long)s.rx_frames, (unsigned long long)s.rx_injected,
        (unsigned long long)s.rx_overflow, (unsigned long long)s.rx_malformed,
        (unsigned long long)s.rx_fd, (unsigned long long)s.rx_bad_dlc,
        (unsigned long long)s.rx_error_frames, (unsigned long long)s.rx_echo,
        (unsigned)s.rx_queue_max, (unsigned long long)s.tx_frames,
        (unsigned long long)s.tx_overflow, (unsigned long long)s.tx_no_peer,
        (unsigned long long)s.tx_link_down, (unsigned long long)s.tx_busy, (unsigned)s.tx_queue_max,
        (unsigned)s.tx_unsent, (unsigned long long)s.link_lost, (unsigned long long)s.link_reopened,
        (unsigned long long)s.replay_refused, (unsigned long long)s.pauses,
        b->stopped ? "true" : "false");
    if (n < 0 || (size_t)n >= len) {
        if (len >= 3) {
            strcpy(buf, "{}");
        }
        return -SIM_ERANGE;
    }
    return n;
}
