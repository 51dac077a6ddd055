/*
 * fuzz_scand.c: the socketcand protocol parser (core/bridge/sim_bridge_scand.h) on any byte
 * stream a client could send.
 *
 * Input: two bytes choose a split point, the rest is the client's stream. The stream is parsed
 * three times, whole, in two segments cut at the split point, and one byte per call, and the
 * three sequences of callbacks must be identical: the header promises the parse does not depend
 * on how TCP segments the stream. Every command body is then taken apart as the server does
 * (verb, then "send" arguments), with these invariants:
 *   - a body holds at most SIM_SCAND_CMD_MAX bytes and never '<' or '>';
 *   - the verb and the detail text are NUL-terminated within their buffers, on one line;
 *   - a parsed "send" frame has DLC 0..8, zero bytes past its DLC, and an identifier that fits
 *     its format (11 bits, or 29 with IDE); printed back in the client's own notation it parses
 *     to the same frame, and formatted as a server "frame" line it fits SIM_SCAND_FRAME_MAX.
 */
#include <string.h>

#include "fuzz_target.h"
#include "sim_bridge_scand.h"

/* The callbacks seen during one parse, as text: "C:<body>\n" or "J:<what>\n" each. */
typedef struct {
    char *buf;
    size_t len, cap;
} cb_log_t;

static void log_put(cb_log_t *l, char kind, const char *text) {
    size_t n = strlen(text);
    if (l->len + n + 3 > l->cap) {
        size_t cap = (l->cap + n + 3) * 2;
        char *p = realloc(l->buf, cap);
        FUZZ_CHECK(p != NULL, "out of memory for the callback log");
        l->buf = p;
        l->cap = cap;
    }
    l->buf[l->len++] = kind;
    l->buf[l->len++] = ':';
    memcpy(l->buf + l->len, text, n);
    l->len += n;
    l->buf[l->len++] = '\n';
}

static void check_text(const char *buf, size_t cap, const char *what) {
    const char *end = memchr(buf, '\0', cap);
    FUZZ_CHECK(end != NULL, "%s is not terminated within %zu bytes", what, cap);
    FUZZ_CHECK(strchr(buf, '\n') == NULL, "%s spans lines: \"%s\"", what, buf);
}

/* The frame in the notation python-can writes: "%X %x b0 ..." (8 digits keep an id extended). */
static void check_round_trip(const sim_can_frame_t *f) {
    char text[96], detail[64];
    int n = snprintf(text, sizeof text, (f->flags & SIM_CAN_FLAG_IDE) ? "%08X %x" : "%X %x",
                     (unsigned)f->id, (unsigned)f->dlc);
    for (unsigned i = 0; i < f->dlc; i++) {
        n += snprintf(text + n, sizeof text - (size_t)n, " %x", (unsigned)f->data[i]);
    }
    sim_can_frame_t g;
    memset(&g, 0xAA, sizeof g);
    sim_bridge_in_kind_t k = sim_scand_parse_send(text, &g, detail, sizeof detail);
    FUZZ_CHECK(k == SIM_BRIDGE_IN_FRAME, "\"%s\" does not parse back (%d: %s)", text, (int)k,
               detail);
    FUZZ_CHECK(g.id == f->id && g.dlc == f->dlc && g.flags == f->flags &&
                   memcmp(g.data, f->data, sizeof g.data) == 0,
               "\"%s\" parses back to another frame", text);

    char line[SIM_SCAND_FRAME_MAX];
    sim_time_ns_t t_ns = (sim_time_ns_t)f->id * 1000003LL + f->data[0];
    size_t len = sim_scand_format_frame(line, f, t_ns);
    FUZZ_CHECK(len == strlen(line) && len < sizeof line, "frame line length %zu", len);
    FUZZ_CHECK(strncmp(line, " < frame ", 9) == 0 && strcmp(line + len - 2, " >") == 0,
               "frame line \"%s\"", line);
}

static void check_send(const char *args) {
    sim_can_frame_t f;
    char detail[64];
    memset(&f, 0x55, sizeof f);
    sim_bridge_in_kind_t k = sim_scand_parse_send(args, &f, detail, sizeof detail);
    check_text(detail, sizeof detail, "the send detail");
    FUZZ_CHECK(k == SIM_BRIDGE_IN_FRAME || k == SIM_BRIDGE_IN_MALFORMED || k == SIM_BRIDGE_IN_FD ||
                   k == SIM_BRIDGE_IN_BAD_DLC,
               "send classified as %d", (int)k);
    if (k != SIM_BRIDGE_IN_FRAME) {
        return;
    }
    FUZZ_CHECK(f.dlc <= 8u && (f.flags & ~SIM_CAN_FLAG_IDE) == 0u, "dlc %u flags %u",
               (unsigned)f.dlc, (unsigned)f.flags);
    FUZZ_CHECK(f.id <= ((f.flags & SIM_CAN_FLAG_IDE) ? SIM_CAN_EXT_ID_MASK : SIM_CAN_STD_ID_MASK),
               "id %X does not fit flags %u", (unsigned)f.id, (unsigned)f.flags);
    for (unsigned i = f.dlc; i < 8u; i++) {
        FUZZ_CHECK(f.data[i] == 0u, "data[%u] past dlc %u is %u", i, (unsigned)f.dlc,
                   (unsigned)f.data[i]);
    }
    check_round_trip(&f);
}

static void on_command(void *ctx, const char *body) {
    size_t n = strlen(body);
    FUZZ_CHECK(n <= SIM_SCAND_CMD_MAX, "body of %zu bytes", n);
    FUZZ_CHECK(strpbrk(body, "<>") == NULL, "body \"%s\" holds a delimiter", body);
    log_put(ctx, 'C', body);

    char word[16];
    memset(word, 'x', sizeof word);
    const char *rest = sim_scand_verb(body, word, sizeof word);
    check_text(word, sizeof word, "the verb");
    FUZZ_CHECK(rest >= body && rest <= body + n, "the rest is outside the body");
    if (strcmp(word, "send") == 0) {
        check_send(rest);
    }
}

static void on_junk(void *ctx, const char *what) {
    FUZZ_CHECK(what != NULL && what[0] != '\0', "junk without a description");
    log_put(ctx, 'J', what);
}

/* Parses data in segments: the first `split` bytes, then the rest in steps of `step` (0: one). */
static void parse(const char *data, size_t n, size_t split, size_t step, cb_log_t *log) {
    sim_scand_parser_t p;
    sim_scand_handler_t h = {.command = on_command, .junk = on_junk, .ctx = log};
    sim_scand_parser_init(&p);
    sim_scand_feed(&p, data, split, &h);
    for (size_t i = split; i < n; i += step) {
        sim_scand_feed(&p, data + i, step < n - i ? step : n - i, &h);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    const char *text = (const char *)data + 2;
    size_t n = size - 2, split = (size_t)(data[0] << 8 | data[1]) % (n + 1);
    cb_log_t whole = {0}, two = {0}, bytes = {0};
    parse(text, n, n, 1, &whole);
    parse(text, n, split, n, &two);
    parse(text, n, 0, 1, &bytes);
    FUZZ_CHECK(whole.len == two.len &&
                   (whole.len == 0 || memcmp(whole.buf, two.buf, whole.len) == 0),
               "cutting the stream at %zu changes the parse", split);
    FUZZ_CHECK(whole.len == bytes.len &&
                   (whole.len == 0 || memcmp(whole.buf, bytes.buf, whole.len) == 0),
               "feeding one byte at a time changes the parse");
    free(whole.buf);
    free(two.buf);
    free(bytes.buf);
    return 0;
}
