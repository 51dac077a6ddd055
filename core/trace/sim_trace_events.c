/*
 * events.jsonl: one JSON object per line, {"t_ns":N,"type":"…","node":"…", then the fields in the
 * order they were added, "}\n".
 *
 * A line is built in a fixed buffer inside the trace (one line is open at a time, so there is
 * nothing to allocate per event). Lines are bounded: a field that would not fit is dropped
 * together with every field after it, and the line ends with "truncated":true, so the line is
 * still valid JSON and says it lost something; the fields it keeps are an exact prefix. Room for
 * that ending is reserved from the start, so adding it always succeeds.
 *
 *   {"t_ns":1500000000,"type":"relay","node":"pack1","relay":"grid","closed":true}
 */
#include <inttypes.h>
#include <string.h>

#include "sim_trace_int.h"
#include "sim_trace_text.h"

/* Always kept free for the ending: ,"truncated":true}\n and the NUL. */
#define TAIL_RESERVE (sizeof ",\"truncated\":true}\n")
/* Longest type or node name kept in the head; longer ones are cut and the line truncated. */
#define HEAD_STR_MAX 256

static size_t usable(void) {
    return SIM_TRACE_EV_LINE_MAX - TAIL_RESERVE;
}

/* Appends a string value (escaped, quoted), cutting it at max escaped bytes. False when cut. */
static bool put_str_cut(sim_trace_ev_t *e, const char *s, size_t max) {
    size_t len = 0;
    char tmp[HEAD_STR_MAX + 1];
    bool whole = sim_text_json_escape(tmp, max + 1 < sizeof tmp ? max + 1 : sizeof tmp, &len, s);
    e->buf[e->len++] = '"';
    memcpy(e->buf + e->len, tmp, len);
    e->len += len;
    e->buf[e->len++] = '"';
    return whole;
}

sim_trace_ev_t *sim_trace_ev_begin(sim_trace_t *t, sim_time_ns_t t_ns, const char *type,
                                   const char *node) {
    SIM_ASSERT(t != NULL && type != NULL);
    sim_trace_ev_t *e = &t->ev;
    SIM_ASSERT(!e->open); /* one line at a time: ev_end the previous one first */
    e->open = true;
    e->truncated = false;
    int n = snprintf(e->buf, sizeof e->buf, "{\"t_ns\":%" PRId64 ",\"type\":", t_ns);
    SIM_ASSERT(n > 0);
    e->len = (size_t)n;
    /* The head is at most ~30 + 2 * (HEAD_STR_MAX + 10) bytes: it always fits. */
    bool whole = put_str_cut(e, type, HEAD_STR_MAX);
    if (node != NULL) {
        memcpy(e->buf + e->len, ",\"node\":", 8);
        e->len += 8;
        whole = put_str_cut(e, node, HEAD_STR_MAX) && whole;
    }
    e->truncated = !whole;
    return e;
}

/*
 * Appends ,"key":<value text>. value is already JSON (a number, literal or escaped string);
 * quote_value wraps it in quotes. Drops the field (and the rest of the line) when it does not fit.
 */
static void put_field(sim_trace_ev_t *e, const char *key, const char *value, bool escape_value) {
    SIM_ASSERT(e != NULL && e->open && key != NULL && value != NULL);
    if (e->truncated) {
        return;
    }
    size_t len = e->len;
    size_t cap = usable() + 1; /* sim_text_json_escape counts the NUL in cap */
    bool ok = len + 2 < cap;
    if (ok) {
        e->buf[len++] = ',';
        e->buf[len++] = '"';
        ok = sim_text_json_escape(e->buf, cap, &len, key) && len + 3 < cap;
    }
    if (ok) {
        e->buf[len++] = '"';
        e->buf[len++] = ':';
        if (escape_value) {
            e->buf[len++] = '"';
            ok = sim_text_json_escape(e->buf, cap, &len, value) && len + 1 < cap;
            if (ok) {
                e->buf[len++] = '"';
            }
        } else {
            size_t vl = strlen(value);
            ok = len + vl < cap;
            if (ok) {
                memcpy(e->buf + len, value, vl);
                len += vl;
            }
        }
    }
    if (ok) {
        e->len = len;
    } else {
        e->truncated = true; /* e->len still ends after the last whole field */
    }
}

void sim_trace_ev_str(sim_trace_ev_t *e, const char *key, const char *val) {
    put_field(e, key, val != NULL ? val : "", true);
}

void sim_trace_ev_int(sim_trace_ev_t *e, const char *key, int64_t val) {
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, val);
    put_field(e, key, num, false);
}

void sim_trace_ev_uint(sim_trace_ev_t *e, const char *key, uint64_t val) {
    char num[24];
    snprintf(num, sizeof num, "%" PRIu64, val);
    put_field(e, key, num, false);
}

void sim_trace_ev_bool(sim_trace_ev_t *e, const char *key, bool val) {
    put_field(e, key, val ? "true" : "false", false);
}

void sim_trace_ev_fixed(sim_trace_ev_t *e, const char *key, int64_t val, unsigned decimals) {
    char num[48];
    size_t n = sim_text_fixed(num, sizeof num, val, decimals);
    SIM_ASSERT(n > 0);
    put_field(e, key, num, false);
}

void sim_trace_ev_raw(sim_trace_ev_t *e, const char *key, const char *json) {
    SIM_ASSERT(json != NULL && json[0] != '\0' && strchr(json, '\n') == NULL);
    put_field(e, key, json, false);
}

void sim_trace_ev_end(sim_trace_ev_t *e) {
    SIM_ASSERT(e != NULL && e->open);
    static const char trunc[] = ",\"truncated\":true";
    if (e->truncated) {
        memcpy(e->buf + e->len, trunc, sizeof trunc - 1);
        e->len += sizeof trunc - 1;
    }
    e->buf[e->len++] = '}';
    e->buf[e->len++] = '\n';
    SIM_ASSERT(e->len < sizeof e->buf);
    e->open = false;
    sim_trace__write(e->t, &e->t->events, e->buf, e->len);
}
