/*
 * fuzz_scand.c: the socketcand protocol parser (core/bridge/sim_bridge_scand.h) on any byte
 * stream a client could send.
 *
 * Input: two bytes choose a split point, the rest is the client's stream. The stream is parsed
 * three times, whole, in two segments cut at the split point, and one byte per call, and the
 * three sequences of callbacks must be identical: the header promises the parse does not depend
 * on how TCP segments the stream. They must also equal the callbacks of reference_parse(), the
 * header's rules written a second way. Every command body is then taken apart as the server does
 * (verb, then "send" arguments, also classified by reference_send()), with these invariants:
 *   - a body holds at most SIM_SCAND_CMD_MAX bytes and never '<' or '>';
 *   - the verb and the detail text are NUL-terminated within their buffers, on one line;
 *   - a parsed "send" frame has DLC 0..8, zero bytes past its DLC, and an identifier that fits
 *     its format (11 bits, or 29 with IDE); printed back in the client's own notation it parses
 *     to the same frame, and formatted as a server "frame" line it fits SIM_SCAND_FRAME_MAX.
 */
#include <string.h>

#include "fuzz_target.h"
#include "sim_bridge_scand.h"

/* The callbacks of one parse as text: "C:<body>\n" per command, "J:\n" per report of junk. */
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

static bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next whitespace-separated word of *s as a hex number of 1..max digits. */
static bool ref_hex_word(const char **s, size_t max, uint32_t *v) {
    while (is_ws(**s)) {
        (*s)++;
    }
    size_t n = 0;
    *v = 0;
    for (; (*s)[0] != '\0' && !is_ws((*s)[0]); (*s)++, n++) {
        char c = (*s)[0];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0 || n >= max) {
            return false;
        }
        *v = *v << 4 | (uint32_t)d;
    }
    return n > 0;
}

/* "send" arguments by the header's rules: ID (3 digits at most and <= 0x7FF: standard) LEN, then
 * exactly LEN bytes; LEN above 8 is FD for a CAN FD length, else a bad DLC. */
static sim_bridge_in_kind_t reference_send(const char *s, sim_can_frame_t *f) {
    static const uint32_t fd_lengths[] = {12, 16, 20, 24, 32, 48, 64};
    const char *id_start = s;
    uint32_t id, len, byte;
    memset(f, 0, sizeof *f);
    if (!ref_hex_word(&s, 8, &id) || id > SIM_CAN_EXT_ID_MASK) {
        return SIM_BRIDGE_IN_MALFORMED;
    }
    while (is_ws(*id_start)) {
        id_start++;
    }
    f->id = id;
    f->flags = (s - id_start > 3 || id > SIM_CAN_STD_ID_MASK) ? SIM_CAN_FLAG_IDE : 0u;
    if (!ref_hex_word(&s, 2, &len)) {
        return SIM_BRIDGE_IN_MALFORMED;
    }
    for (size_t i = 0; len > 8u && i < sizeof fd_lengths / sizeof fd_lengths[0]; i++) {
        if (len == fd_lengths[i]) {
            return SIM_BRIDGE_IN_FD;
        }
    }
    if (len > 8u) {
        return SIM_BRIDGE_IN_BAD_DLC;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (!ref_hex_word(&s, 2, &byte)) {
            return SIM_BRIDGE_IN_MALFORMED;
        }
        f->data[i] = (uint8_t)byte;
    }
    f->dlc = (uint8_t)len;
    while (is_ws(*s)) {
        s++;
    }
    return *s == '\0' ? SIM_BRIDGE_IN_FRAME : SIM_BRIDGE_IN_MALFORMED;
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
    sim_can_frame_t want;
    sim_bridge_in_kind_t want_k = reference_send(args, &want);
    FUZZ_CHECK(k == want_k, "send \"%s\" classified %d, the header's rules say %d", args, (int)k,
               (int)want_k);
    if (k != SIM_BRIDGE_IN_FRAME) {
        return;
    }
    FUZZ_CHECK(f.id == want.id && f.flags == want.flags && f.dlc == want.dlc &&
                   memcmp(f.data, want.data, sizeof f.data) == 0,
               "send \"%s\" parsed to another frame than the header's rules give", args);
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
    log_put(ctx, 'J', "");
}

/*
 * The header's rules restated over the whole stream, as a search for delimiters rather than a
 * byte-at-a-time machine: "<body>" is a command, or junk when the body is longer than
 * SIM_SCAND_CMD_MAX or holds a byte that is not text (printable ASCII or whitespace: a NUL would
 * cut it short into another command); a '<' before the closing '>' is junk
 * and starts over; an unterminated command at the end says nothing yet; a run of bytes outside
 * commands that are not whitespace is junk once, until the next command starts.
 */
static void reference_parse(const char *d, size_t n, cb_log_t *log) {
    bool in_junk = false;
    char body[SIM_SCAND_CMD_MAX + 1];
    for (size_t i = 0; i < n;) {
        if (d[i] != '<') {
            bool space = d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n';
            if (!space && !in_junk) {
                log_put(log, 'J', "");
            }
            in_junk = in_junk || !space;
            i++;
            continue;
        }
        in_junk = false;
        size_t j = i + 1;
        while (j < n && d[j] != '<' && d[j] != '>') {
            j++;
        }
        if (j >= n) {
            return;
        }
        bool text = true;
        for (size_t k = i + 1; k < j; k++) {
            text = text &&
                   ((d[k] >= ' ' && d[k] <= '~') || d[k] == '\t' || d[k] == '\r' || d[k] == '\n');
        }
        if (d[j] == '<' || j - i - 1 > SIM_SCAND_CMD_MAX || !text) {
            log_put(log, 'J', "");
        } else {
            memcpy(body, d + i + 1, j - i - 1);
            body[j - i - 1] = '\0';
            log_put(log, 'C', body);
        }
        i = d[j] == '<' ? j : j + 1;
    }
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
    cb_log_t whole = {0}, two = {0}, bytes = {0}, ref = {0};
    parse(text, n, n, 1, &whole);
    parse(text, n, split, n, &two);
    parse(text, n, 0, 1, &bytes);
    FUZZ_CHECK(whole.len == two.len &&
                   (whole.len == 0 || memcmp(whole.buf, two.buf, whole.len) == 0),
               "cutting the stream at %zu changes the parse", split);
    FUZZ_CHECK(whole.len == bytes.len &&
                   (whole.len == 0 || memcmp(whole.buf, bytes.buf, whole.len) == 0),
               "feeding one byte at a time changes the parse");
    reference_parse(text, n, &ref);
    FUZZ_CHECK(whole.len == ref.len &&
                   (whole.len == 0 || memcmp(whole.buf, ref.buf, whole.len) == 0),
               "the parse differs from the header's rules: got\n%.*s\nexpected\n%.*s",
               (int)whole.len, whole.buf ? whole.buf : "", (int)ref.len, ref.buf ? ref.buf : "");
    free(ref.buf);
    free(whole.buf);
    free(two.buf);
    free(bytes.buf);
    return 0;
}
