/*
 * sim_bridge_scand_proto.c: formatting and parsing of the socketcand text protocol subset (see
 * sim_bridge_scand.h). Pure functions: no sockets, no state beyond the parser struct.
 */
#include <stdio.h>
#include <string.h>

#include "sim_bridge_scand.h"

static const char HEX[] = "0123456789ABCDEF";

size_t sim_scand_format_frame(char *buf, const sim_can_frame_t *f, sim_time_ns_t t_ns) {
    SIM_ASSERT(f->dlc <= 8 && t_ns >= 0);
    char data[17];
    unsigned n = (f->flags & SIM_CAN_FLAG_RTR) != 0 ? 0u : f->dlc;
    for (unsigned i = 0; i < n; i++) {
        data[2 * i] = HEX[f->data[i] >> 4];
        data[2 * i + 1] = HEX[f->data[i] & 0x0Fu];
    }
    data[2 * n] = '\0';
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0;
    int len = snprintf(buf, SIM_SCAND_FRAME_MAX,
                       ext ? " < frame %08X %lld.%06lld %s >" : " < frame %03X %lld.%06lld %s >",
                       (unsigned)f->id, (long long)(t_ns / SIM_NS_PER_S),
                       (long long)(t_ns % SIM_NS_PER_S / SIM_NS_PER_US), data);
    SIM_ASSERT(len > 0 && len < SIM_SCAND_FRAME_MAX);
    return (size_t)len;
}

void sim_scand_parser_init(sim_scand_parser_t *p) {
    memset(p, 0, sizeof *p);
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Printable ASCII or whitespace: what the protocol's commands are made of. */
static bool is_text(char c) {
    return (c >= ' ' && c <= '~') || is_space(c);
}

/* One byte between '<' and '>'. */
static void feed_cmd(sim_scand_parser_t *p, char c, const sim_scand_handler_t *h) {
    if (c == '>') {
        p->in_cmd = false;
        if (p->too_long) {
            h->junk(h->ctx, "a command longer than the protocol allows");
            return;
        }
        if (p->binary) {
            /* A NUL would cut the command short ("send 123 1 1\0 9" read as "send 123 1 1"):
             * a command with bytes that are not text is refused whole. */
            char what[64];
            snprintf(what, sizeof what, "a command holding a byte that is not text (0x%02X)",
                     (unsigned)p->bad_byte);
            h->junk(h->ctx, what);
            return;
        }
        p->body[p->len] = '\0';
        h->command(h->ctx, p->body);
        return;
    }
    if (c == '<') {
        h->junk(h->ctx, "a command without its closing '>'");
        p->len = 0;
        p->too_long = p->binary = false;
        return;
    }
    if (!is_text(c) && !p->binary) {
        p->binary = true;
        p->bad_byte = (unsigned char)c;
    }
    if (p->len < SIM_SCAND_CMD_MAX) {
        p->body[p->len++] = c;
    } else {
        p->too_long = true;
    }
}

void sim_scand_feed(sim_scand_parser_t *p, const char *data, size_t n,
                    const sim_scand_handler_t *h) {
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (p->in_cmd) {
            feed_cmd(p, c, h);
        } else if (c == '<') {
            p->in_cmd = true;
            p->junk = false;
            p->len = 0;
            p->too_long = p->binary = false;
        } else if (!is_space(c) && !p->junk) {
            p->junk = true;
            h->junk(h->ctx, "bytes outside '< >'");
        }
    }
}

/* Copies the next word of s into w (cap bytes); returns what follows it, and its length. */
static const char *next_word(const char *s, char *w, size_t cap, size_t *wlen) {
    while (is_space(*s)) {
        s++;
    }
    size_t n = 0, last = cap - 1; /* w[last] is the room for the NUL */
    while (*s != '\0' && !is_space(*s)) {
        if (n < last) {
            w[n] = *s;
        }
        n++;
        s++;
    }
    w[n < last ? n : last] = '\0';
    *wlen = n;
    return s;
}

const char *sim_scand_verb(const char *body, char *word, size_t cap) {
    size_t n;
    return next_word(body, word, cap, &n);
}

/* 1..max hex digits, either case. */
static bool parse_hex(const char *w, size_t len, size_t max, uint32_t *out) {
    if (len == 0 || len > max) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        const char *d = strchr(HEX, w[i] >= 'a' && w[i] <= 'f' ? w[i] - 'a' + 'A' : w[i]);
        if (d == NULL || w[i] == '\0') {
            return false;
        }
        v = v << 4 | (uint32_t)(d - HEX);
    }
    *out = v;
    return true;
}

static sim_bridge_in_kind_t refuse_len(uint32_t len, char *detail, size_t dlen) {
    static const uint32_t fd_lengths[] = {12, 16, 20, 24, 32, 48, 64};
    snprintf(detail, dlen, "send with LEN %u", (unsigned)len);
    for (size_t i = 0; i < sizeof fd_lengths / sizeof fd_lengths[0]; i++) {
        if (len == fd_lengths[i]) {
            return SIM_BRIDGE_IN_FD;
        }
    }
    return SIM_BRIDGE_IN_BAD_DLC;
}

/* The refusal, naming the word at fault (w, cut to its buffer; wlen 0: there was none). */
static sim_bridge_in_kind_t malformed(char *detail, size_t dlen, const char *what, const char *w,
                                      size_t wlen) {
    if (wlen == 0) {
        snprintf(detail, dlen, "send: %s (nothing there)", what);
    } else {
        snprintf(detail, dlen, "send: %s ('%s%s')", what, w, wlen > strlen(w) ? "..." : "");
    }
    return SIM_BRIDGE_IN_MALFORMED;
}

sim_bridge_in_kind_t sim_scand_parse_send(const char *args, sim_can_frame_t *out, char *detail,
                                          size_t detail_len) {
    char w[16];
    size_t wl;
    uint32_t id, len, byte;
    args = next_word(args, w, sizeof w, &wl);
    if (!parse_hex(w, wl, 8, &id)) {
        return malformed(detail, detail_len, "the identifier is not 1 to 8 hex digits", w, wl);
    }
    sim_can_frame_t f = {.id = id};
    if (wl > 3 || id > SIM_CAN_STD_ID_MASK) {
        f.flags = SIM_CAN_FLAG_IDE;
        if (id > SIM_CAN_EXT_ID_MASK) {
            return malformed(detail, detail_len, "the identifier is wider than 29 bits", w, wl);
        }
    }
    args = next_word(args, w, sizeof w, &wl);
    if (!parse_hex(w, wl, 2, &len)) {
        return malformed(detail, detail_len, "LEN is not a hex number", w, wl);
    }
    if (len > 8) {
        return refuse_len(len, detail, detail_len);
    }
    for (uint32_t i = 0; i < len; i++) {
        args = next_word(args, w, sizeof w, &wl);
        if (!parse_hex(w, wl, 2, &byte)) {
            return malformed(detail, detail_len, "fewer data bytes than LEN, or not hex", w, wl);
        }
        f.data[i] = (uint8_t)byte;
    }
    next_word(args, w, sizeof w, &wl);
    if (wl != 0) {
        return malformed(detail, detail_len, "more data bytes than LEN", w, wl);
    }
    f.dlc = (uint8_t)len;
    *out = f;
    snprintf(detail, detail_len, "ok");
    return SIM_BRIDGE_IN_FRAME;
}
