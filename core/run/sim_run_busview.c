/*
 * sim_run_busview.c: what the panel shows of the bus, gathered by a passive bus observer.
 *
 * The observer only reads frames and writes into this structure; it never sends, schedules or
 * traces, so a run with it computes exactly what a run without it does. It keeps:
 *
 *   rate    frames and busy wire time in ten 100 ms buckets of virtual time, so "frames per
 *           second" and "bus load" are over the last virtual second at any instant (error
 *           frames count as 17 bit times: flag, delimiter, intermission);
 *   recent  the last PANEL_FRAME_LINES frames, decoded by the protocol definition
 *           (sim_signals.h) only when a snapshot asks for them;
 *   facts   per node, what its own frames say: device type and master flag (ANN), SOC with its
 *           validity and master flag (TEL page 0), modes and warnings (TEL page 3).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_run_int.h"
#include "sim_signals.h"

#define BUCKETS         10
#define BUCKET_NS       (100 * SIM_NS_PER_MS)
#define ERROR_FRAME_BIT 17

typedef struct {
    uint8_t device_type; /* PANEL_DEVICE_*, 0 until an ANN */
    bool master;
    int16_t soc_pct; /* PANEL_SOC_INVALID until a valid TEL page 0 */
    uint8_t mode_mask, warn_mask;
} node_facts_t;

/* Signals the node facts come from, found by name in the protocol definition. */
enum { S_DEVICE, S_ANN_MASTER, S_SOC, S_BMS_INVALID, S_TEL_MASTER, S_MODE0, S_WARN0 = S_MODE0 + 5 };
#define N_SIG (S_WARN0 + 2)
static const char *const sig_names[N_SIG] = {
    "ANN.DeviceType",     "ANN.IsMaster",        "TEL.SOC",
    "TEL.St_BmsInvalid",  "TEL.St_Master",       "TEL.Mode_SelfConsumption",
    "TEL.Mode_Eco",       "TEL.Mode_TOU",        "TEL.Mode_Backup",
    "TEL.Mode_GridLimit", "TEL.Warn_LoadsLimit", "TEL.Warn_GridLimit"};

typedef struct {
    sim_can_frame_t f;
    int sender;
    sim_time_ns_t t_ns;
} recent_t;

struct sim_run_busview {
    const sim_world_t *w;
    sim_time_ns_t bit_ns;
    node_facts_t *facts; /* per scenario node */
    int sig[N_SIG];      /* signal table indices */
    struct {
        int64_t slot; /* t / BUCKET_NS of the frames counted, -1 when empty */
        uint32_t frames;
        int64_t busy_ns;
    } bucket[BUCKETS];
    recent_t recent[PANEL_FRAME_LINES];
    unsigned n_recent, next; /* ring: next is where the newest goes */
};

static void count(struct sim_run_busview *v, sim_time_ns_t t, int64_t busy_ns, bool frame) {
    int64_t slot = t / BUCKET_NS;
    unsigned b = (unsigned)(slot % BUCKETS);
    if (v->bucket[b].slot != slot) {
        v->bucket[b].slot = slot;
        v->bucket[b].frames = 0;
        v->bucket[b].busy_ns = 0;
    }
    v->bucket[b].frames += frame;
    v->bucket[b].busy_ns += busy_ns;
}

/* The raw value of signal s in f, or -1 when f does not carry it. */
static int64_t raw(const struct sim_run_busview *v, int s, const sim_can_frame_t *f) {
    size_t n_msgs, n_sigs;
    const sim_msg_def_t *msgs = sim_msg_defs(&n_msgs);
    const sim_signal_def_t *d = &sim_signal_defs(&n_sigs)[v->sig[s]];
    int node_id;
    if (!sim_msg_matches(&msgs[d->msg], f, &node_id) || !sim_signal_in_frame(d, f)) {
        return -1;
    }
    return sim_signal_raw(d, f);
}

static void learn(struct sim_run_busview *v, node_facts_t *n, const sim_can_frame_t *f) {
    int64_t x;
    if ((x = raw(v, S_DEVICE, f)) >= 0) {
        n->device_type = (uint8_t)x;
        n->master = raw(v, S_ANN_MASTER, f) == 1;
    }
    if ((x = raw(v, S_SOC, f)) >= 0) {
        n->soc_pct = raw(v, S_BMS_INVALID, f) == 0 && x <= 100 ? (int16_t)x : PANEL_SOC_INVALID;
        n->master = raw(v, S_TEL_MASTER, f) == 1;
    }
    if (raw(v, S_MODE0, f) >= 0) {
        n->mode_mask = n->warn_mask = 0;
        for (int i = 0; i < 5; i++) {
            n->mode_mask |= (uint8_t)((raw(v, S_MODE0 + i, f) == 1) << i);
        }
        for (int i = 0; i < 2; i++) {
            n->warn_mask |= (uint8_t)((raw(v, S_WARN0 + i, f) == 1) << i);
        }
    }
}

/* The frame's wire time is its whole length, through the intermission after t_rx. */
static void on_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                     sim_time_ns_t t_start, sim_time_ns_t t_rx) {
    (void)t_start;
    struct sim_run_busview *v = ctx;
    int node = sim_run_node_of_ctrl(v->w, sender);
    count(v, t_rx, (int64_t)sim_can_frame_bits(f) * v->bit_ns, true);
    if (node >= 0) {
        learn(v, &v->facts[node], f);
    }
    v->recent[v->next] = (recent_t){.f = *f, .sender = node, .t_ns = t_rx};
    v->next = (v->next + 1) % PANEL_FRAME_LINES;
    v->n_recent += v->n_recent < PANEL_FRAME_LINES;
}

static void on_error(void *ctx, sim_can_err_kind_t kind, sim_can_err_field_t field,
                     const sim_can_frame_t *f, const sim_can_ctrl_t *sender, sim_time_ns_t t) {
    (void)kind;
    (void)field;
    (void)f;
    (void)sender;
    struct sim_run_busview *v = ctx;
    count(v, t, ERROR_FRAME_BIT * v->bit_ns, false);
}

int sim_run_busview_create(sim_world_t *w) {
    struct sim_run_busview *v = calloc(1, sizeof *v);
    size_t n = w->scn->n_nodes ? w->scn->n_nodes : 1;
    if (v == NULL || (v->facts = calloc(n, sizeof *v->facts)) == NULL) {
        free(v);
        return -SIM_ENOMEM;
    }
    v->w = w;
    v->bit_ns = sim_can_bus_bit_ns(w->bus);
    for (size_t i = 0; i < n; i++) {
        v->facts[i].soc_pct = PANEL_SOC_INVALID;
    }
    for (int i = 0; i < BUCKETS; i++) {
        v->bucket[i].slot = -1;
    }
    for (int i = 0; i < N_SIG; i++) {
        v->sig[i] = sim_signal_find(sig_names[i]);
        SIM_ASSERT(v->sig[i] >= 0); /* the protocol definition names them all */
    }
    w->busview = v;
    static const sim_can_observer_t obs = {.on_frame = on_frame, .on_error = on_error};
    return sim_can_bus_observe(w->bus, &obs, v);
}

void sim_run_busview_destroy(struct sim_run_busview *v) {
    if (v != NULL) {
        free(v->facts);
        free(v);
    }
}

/* ---- the snapshot ------------------------------------------------------------------------- */

/* A physical value in millionths, as short as it is exact: "51.2", "-3.45", "1500". */
static int print_micro(char *buf, size_t len, int64_t micro) {
    const char *sign = micro < 0 ? "-" : "";
    uint64_t m = micro < 0 ? (uint64_t)(-(micro + 1)) + 1u : (uint64_t)micro;
    uint64_t whole = m / 1000000u, frac = m % 1000000u;
    if (frac == 0) {
        return snprintf(buf, len, "%s%" PRIu64, sign, whole);
    }
    int digits = 6;
    while (frac % 10u == 0) {
        frac /= 10u;
        digits--;
    }
    return snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64, sign, whole, digits, frac);
}

/* Appends to out (len bytes, *used of them taken), truncating; never overflows. */
__attribute__((format(printf, 4, 5))) static void append(char *out, size_t len, size_t *used,
                                                         const char *fmt, ...) {
    if (*used + 1 >= len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, len - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? *used : (*used + (size_t)n >= len ? len - 1 : *used + (size_t)n);
}

/* " NAME=value" for every signal f carries (" p3" for the page), as many as fit. */
static void decode_signals(const sim_can_frame_t *f, size_t msg, char *out, size_t len,
                           size_t *used) {
    size_t n_sigs;
    const sim_signal_def_t *sigs = sim_signal_defs(&n_sigs);
    for (size_t i = 0; i < n_sigs; i++) {
        if (sigs[i].msg != msg || !sim_signal_in_frame(&sigs[i], f)) {
            continue;
        }
        char val[32];
        print_micro(val, sizeof val, sim_signal_decode_micro(&sigs[i], f));
        if (sigs[i].multiplexer) {
            append(out, len, used, " p%s", val);
        } else {
            append(out, len, used, " %s=%s", sigs[i].name, val);
        }
    }
}

/* "12.345 pack1 TEL#20 p0 SOC=55 V_pack=51.2 ..." or, for a frame outside the protocol,
 * "12.345 ext 123#0102". */
static void describe(const struct sim_run_busview *v, const recent_t *r, char *out, size_t len) {
    const char *who = r->sender >= 0 ? v->w->scn->nodes[r->sender].name : "ext";
    size_t used = 0;
    out[0] = '\0';
    append(out, len, &used, "%lld.%03lld %s ", (long long)(r->t_ns / SIM_NS_PER_S),
           (long long)(r->t_ns % SIM_NS_PER_S / SIM_NS_PER_MS), who);
    size_t n_msgs;
    const sim_msg_def_t *msgs = sim_msg_defs(&n_msgs);
    for (size_t m = 0; m < n_msgs; m++) {
        int id;
        if (sim_msg_matches(&msgs[m], &r->f, &id)) {
            append(out, len, &used, "%s", msgs[m].name);
            if (id >= 0) {
                append(out, len, &used, "#%d", id);
            }
            decode_signals(&r->f, m, out, len, &used);
            return;
        }
    }
    append(out, len, &used, "%03" PRIX32 "#", r->f.id);
    for (unsigned i = 0; i < r->f.dlc; i++) {
        append(out, len, &used, "%02X", r->f.data[i]);
    }
}

static void fill_rate(const struct sim_run_busview *v, sim_time_ns_t now_ns, panel_bus_t *b) {
    int64_t slot = now_ns / BUCKET_NS, first = slot - (BUCKETS - 1);
    int64_t from_ns = first > 0 ? first * BUCKET_NS : 0;
    int64_t busy_ns = 0;
    uint32_t frames = 0;
    for (int i = 0; i < BUCKETS; i++) {
        if (v->bucket[i].slot >= first && v->bucket[i].slot <= slot) {
            frames += v->bucket[i].frames;
            busy_ns += v->bucket[i].busy_ns;
        }
    }
    int64_t span_ns = now_ns - from_ns;
    b->frames_per_s = frames;
    b->load_ppm =
        span_ns > 0 ? (uint32_t)(busy_ns >= span_ns ? 1000000 : busy_ns * 1000000 / span_ns) : 0;
}

void sim_run_busview_fill(const struct sim_run_busview *v, sim_time_ns_t now_ns,
                          panel_snapshot_t *s) {
    panel_bus_t *b = &s->bus;
    const sim_world_t *w = v->w;
    snprintf(b->name, sizeof b->name, "%s", sim_can_bus_name(w->bus));
    b->bitrate_bps = sim_can_bus_bitrate(w->bus);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(w->bus, &st);
    b->frames_total = st.frames;
    b->error_frames = st.error_frames;
    fill_rate(v, now_ns, b);
    b->n_lines = 0;
    for (unsigned i = 0; i < v->n_recent; i++) {
        unsigned at = (v->next + PANEL_FRAME_LINES - v->n_recent + i) % PANEL_FRAME_LINES;
        char line[PANEL_LINE_MAX];
        describe(v, &v->recent[at], line, sizeof line);
        panel_snapshot_push_line(b, line);
    }
    for (unsigned i = 0; i < s->n_nodes; i++) {
        const node_facts_t *f = &v->facts[i];
        if (f->device_type != PANEL_DEVICE_UNKNOWN) {
            s->nodes[i].device_type = f->device_type; /* the scenario's mark stays otherwise */
        }
        s->nodes[i].is_master = f->master;
        s->nodes[i].soc_pct = f->soc_pct;
        s->nodes[i].mode_mask = f->mode_mask;
        s->nodes[i].warn_mask = f->warn_mask;
    }
}
