/*
 * sim_bridge_replay.c: a recorded bridge, played back from a run's events.jsonl without any
 * socket.
 *
 * The live bridge records three kinds of lines (sim_bridge_record.c), always with these fields
 * in this order, which is what this reader expects:
 *
 *   {"t_ns":T,"type":"bridge_open","node":"N","endpoint":"E","queue":Q}
 *   {"t_ns":T,"type":"bridge_rx","node":"N","frame":"123#0102"}
 *   {"t_ns":T,"type":"bridge_stop","node":"N","reason":"R"}
 *
 * Replaying the index-th bridge_open attaches a controller named N with queue Q, re-records the
 * open line, and schedules one kernel event per recorded instant at (T, SIM_PRIO_BRIDGE): it
 * queues that instant's frames in the controller and records them again, or records the stop and
 * stops the kernel. A live pump at T ran after every event up to T and before anything else,
 * which is exactly where that event runs, so the bus, and the trace, go the same way.
 * Scheduling every instant up front gives two bridges injecting at the same instant the order of
 * their creation, which is the order a run loop pumps them in.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_bridge_int.h"

typedef struct {
    sim_time_ns_t t_ns;
    char type[16];
    char node[SIM_BRIDGE_NAME_MAX + 1];
    const char *rest; /* after the node's closing quote */
} line_head_t;

/* Reads "KEY":"VALUE" at *p into val (cap bytes); advances *p. */
static bool take_str(const char **p, const char *key, char *val, size_t cap) {
    size_t kl = strlen(key);
    if (strncmp(*p, key, kl) != 0) {
        return false;
    }
    const char *v = *p + kl;
    const char *end = strchr(v, '"');
    if (end == NULL || (size_t)(end - v) >= cap || memchr(v, '\\', (size_t)(end - v)) != NULL) {
        return false;
    }
    memcpy(val, v, (size_t)(end - v));
    val[end - v] = '\0';
    *p = end + 1;
    return true;
}

/* {"t_ns":T,"type":"bridge_…","node":"N" — false for any other line. */
static bool parse_head(const char *line, line_head_t *h) {
    const char *p = line;
    if (strncmp(p, "{\"t_ns\":", 8) != 0) {
        return false;
    }
    char *end;
    long long t = strtoll(p + 8, &end, 10);
    /* No run reaches half the time range (a scenario lasts at most 400 days); a later time is
     * not a record, and replaying it would push the bus's frame timing past SIM_TIME_NEVER. */
    if (end == p + 8 || t < 0 || t > SIM_TIME_NEVER / 2) {
        return false;
    }
    p = end;
    if (!take_str(&p, ",\"type\":\"", h->type, sizeof h->type) ||
        strncmp(h->type, "bridge_", 7) != 0 ||
        !take_str(&p, ",\"node\":\"", h->node, sizeof h->node)) {
        return false;
    }
    h->t_ns = t;
    h->rest = p;
    return true;
}

typedef enum { SEEKING, READING, DONE } reader_state_t;

typedef struct {
    sim_bridge_t *b;
    unsigned index, seen;
    reader_state_t state;
    char endpoint[SIM_BRIDGE_ENDPOINT_MAX + 1];
    unsigned long queue;
} reader_t;

static int add_rec(sim_bridge_t *b, const sim_bridge_rec_t *r) {
    if ((b->n_recs & (b->n_recs - 1)) == 0) { /* 0, 1, 2, 4, ...: grow at powers of two */
        size_t cap = b->n_recs == 0 ? 64 : b->n_recs * 2;
        sim_bridge_rec_t *p = realloc(b->recs, cap * sizeof *p);
        if (p == NULL) {
            return -SIM_ENOMEM;
        }
        b->recs = p;
    }
    b->recs[b->n_recs++] = *r;
    return 0;
}

static int read_open(reader_t *rd, const line_head_t *h) {
    if (rd->state == READING && strcmp(h->node, rd->b->name) == 0) {
        rd->state = DONE; /* a later bridge with the same name: ours ends here */
    }
    if (rd->state != SEEKING || rd->seen++ != rd->index) {
        return 0;
    }
    const char *p = h->rest;
    char *end;
    if (!take_str(&p, ",\"endpoint\":\"", rd->endpoint, sizeof rd->endpoint) ||
        strncmp(p, ",\"queue\":", 9) != 0) {
        return -SIM_EFORMAT;
    }
    rd->queue = strtoul(p + 9, &end, 10);
    if (end == p + 9 || rd->queue == 0 || rd->queue > UINT16_MAX || strcmp(end, "}") != 0) {
        return -SIM_EFORMAT;
    }
    strcpy(rd->b->name, h->node);
    rd->state = READING;
    return 0;
}

static int read_event(reader_t *rd, const line_head_t *h) {
    sim_bridge_rec_t r = {.t_ns = h->t_ns};
    char val[SIM_BRIDGE_REC_FRAME_MAX];
    const char *p = h->rest;
    if (strcmp(h->type, "bridge_rx") == 0) {
        if (!take_str(&p, ",\"frame\":\"", val, sizeof val) || strcmp(p, "}") != 0 ||
            sim_bridge__frame_parse(val, strlen(val), &r.f) != 0) {
            return -SIM_EFORMAT;
        }
    } else if (strcmp(h->type, "bridge_stop") == 0) {
        char reason[32];
        if (!take_str(&p, ",\"reason\":\"", reason, sizeof reason) || strcmp(p, "}") != 0 ||
            (r.reason = sim_bridge__reason(reason)) == NULL) {
            return -SIM_EFORMAT;
        }
        r.stop = true;
    } else {
        return -SIM_EFORMAT;
    }
    return add_rec(rd->b, &r);
}

/* Routes one line; a bridge line that does not parse is -SIM_EFORMAT. */
static int read_line(reader_t *rd, const char *line) {
    line_head_t h;
    if (!parse_head(line, &h)) {
        return strstr(line, "\"type\":\"bridge_") != NULL ? -SIM_EFORMAT : 0;
    }
    if (strcmp(h.type, "bridge_open") == 0) {
        return read_open(rd, &h);
    }
    if (rd->state != READING || strcmp(h.node, rd->b->name) != 0) {
        return 0;
    }
    return read_event(rd, &h);
}

static int read_file(reader_t *rd, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot read the recorded events", path);
        return -SIM_ENOENT;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        rc = read_line(rd, line);
    }
    free(line);
    fclose(f);
    if (rc == -SIM_EFORMAT) {
        snprintf(err, errlen, "%s:%lu: error: malformed bridge record", path, lineno);
    } else if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, sim_strerror(rc));
    } else if (rd->state == SEEKING) {
        /* Not an error for a replay: the recorded run simply had no such bridge. */
        if (errlen > 0) {
            err[0] = '\0';
        }
        rc = -SIM_ENOENT;
    }
    return rc;
}

/* One recorded instant: its frames go into the controller, or the run stops. */
static void on_replay(sim_kernel_t *k, void *ctx, uint64_t first) {
    sim_bridge_t *b = ctx;
    sim_time_ns_t t = b->recs[first].t_ns;
    for (size_t i = (size_t)first; i < b->n_recs && b->recs[i].t_ns == t; i++) {
        const sim_bridge_rec_t *r = &b->recs[i];
        if (r->stop) {
            b->stopped = true;
            sim_bridge__record_stop(b, r->reason);
            sim_kernel_stop(k);
            return;
        }
        if (sim_can_ctrl_send(b->ctrl, &r->f) != 0) {
            b->st.replay_refused++;
            sim_bridge__warn_once(b, WARN_REFUSED,
                                  "the replay diverged: the controller refused a recorded frame "
                                  "at t=%lld ns",
                                  (long long)t);
            continue;
        }
        b->st.rx_injected++;
        sim_bridge__record_rx(b, &r->f);
    }
}

static int schedule_all(sim_bridge_t *b) {
    for (size_t i = 0; i < b->n_recs; i++) {
        if (i > 0 && b->recs[i].t_ns == b->recs[i - 1].t_ns) {
            continue;
        }
        if (b->recs[i].t_ns < sim_kernel_now(b->k) ||
            (i > 0 && b->recs[i].t_ns < b->recs[i - 1].t_ns)) {
            return -SIM_EFORMAT;
        }
        if (sim_kernel_schedule(b->k, b->recs[i].t_ns, SIM_PRIO_BRIDGE, on_replay, b, i) == 0) {
            return -SIM_ENOMEM;
        }
    }
    return 0;
}

int sim_bridge_replay_open(const char *events_path, unsigned index, sim_kernel_t *k,
                           sim_can_bus_t *bus, sim_trace_t *trace, sim_bridge_t **out, char *err,
                           size_t errlen) {
    SIM_ASSERT(events_path != NULL && k != NULL && bus != NULL && out != NULL);
    *out = NULL;
    sim_bridge_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        snprintf(err, errlen, "bridge replay: out of memory");
        return -SIM_ENOMEM;
    }
    b->k = k;
    b->bus = bus;
    b->trace = trace;
    b->replay = true;
    b->clock.now_ns = sim_bridge__host_now_ns;
    reader_t rd = {.b = b, .index = index};
    int rc = read_file(&rd, events_path, err, errlen);
    if (rc == 0) {
        strcpy(b->endpoint, rd.endpoint);
        b->ctrl_queue_len = (uint16_t)rd.queue;
        if ((rc = sim_bridge__attach(b)) != 0) {
            snprintf(err, errlen, "bridge replay: cannot join the bus: %s", sim_strerror(rc));
        } else if ((rc = schedule_all(b)) != 0) {
            snprintf(err, errlen, "%s: %s", events_path,
                     rc == -SIM_EFORMAT ? "bridge records out of time order" : sim_strerror(rc));
        }
    }
    if (rc != 0) {
        sim_bridge_destroy(b);
        return rc;
    }
    sim_bridge__record_open(b);
    *out = b;
    return 0;
}
