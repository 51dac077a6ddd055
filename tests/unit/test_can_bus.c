/*
 * The virtual CAN bus on a real kernel: arbitration order and timing, ACK/bit/CRC errors and
 * their error frames, fault confinement up to bus-off and recovery, queues, filters, faults,
 * statistics and observers. Times are exact: every expectation is a count of bit times
 * (2000 ns at 500 kbit/s) derived from sim_can_frame_bits, whose values test_can_frame.c pins.
 */
#include <stdlib.h>

#include "sim_can.h"
#include "test_support.h"

#define BIT_NS  2000
#define MAX_REC 256
#define MAX_OBS 4096

/* Error frame lengths as documented in sim_can_arbitrate.c, in bits after the stuffed part. */
#define ACK_ERR_EXTRA 6 /* S + 2 + 6 + 11 = bits + 6 */
#define CRC_ERR_EXTRA 7 /* S + 2 + 7 + 11 = bits + 7 */
#define RECOVERY_BITS (128 * 11)

typedef struct {
    sim_kernel_t *k;
    sim_can_ctrl_t *c;
    int rx_n;
    sim_can_frame_t rx[MAX_REC];
    sim_time_ns_t rx_t[MAX_REC];
    int done_n;
    int done_status[MAX_REC];
    sim_can_frame_t done[MAX_REC];
    sim_time_ns_t done_t[MAX_REC];
    int state_n;
    sim_can_state_t states[MAX_REC];
    sim_time_ns_t state_t[MAX_REC];
    /* Optional actions from inside callbacks. */
    sim_can_ctrl_t *detach_on_rx[2];
    bool resend_on_active;
    sim_can_frame_t resend;
} node_t;

typedef struct {
    sim_can_frame_t f;
    const sim_can_ctrl_t *sender;
    sim_time_ns_t t0, t1;
} obs_frame_t;

typedef struct {
    sim_can_err_kind_t kind;
    sim_can_err_field_t field;
    sim_can_frame_t f;
    const sim_can_ctrl_t *sender;
    sim_time_ns_t t;
} obs_error_t;

typedef struct {
    int frames_n;
    obs_frame_t fr[MAX_OBS];
    int errors_n;
    obs_error_t er[MAX_OBS];
    int states_n;
    /* Clears the corrupt fault once this controller's TEC reaches clear_at_tec. */
    sim_can_bus_t *bus;
    const sim_can_ctrl_t *watch;
    uint16_t clear_at_tec;
} observer_t;

typedef struct {
    sim_kernel_t *k;
    sim_can_bus_t *bus;
    observer_t *obs;
    node_t n[6];
    int nodes;
} bench_t;

static sim_time_ns_t bits_ns(uint64_t bits) {
    return (sim_time_ns_t)bits * BIT_NS;
}

static void on_rx(void *ctx, const sim_can_frame_t *f) {
    node_t *n = ctx;
    if (n->rx_n < MAX_REC) {
        n->rx[n->rx_n] = *f;
        n->rx_t[n->rx_n] = sim_kernel_now(n->k);
    }
    n->rx_n++;
    for (int i = 0; i < 2; i++) {
        if (n->detach_on_rx[i] != NULL) {
            sim_can_ctrl_detach(n->detach_on_rx[i]);
            n->detach_on_rx[i] = NULL;
        }
    }
}

static void on_tx_done(void *ctx, const sim_can_frame_t *f, int status) {
    node_t *n = ctx;
    if (n->done_n < MAX_REC) {
        n->done[n->done_n] = *f;
        n->done_status[n->done_n] = status;
        n->done_t[n->done_n] = sim_kernel_now(n->k);
    }
    n->done_n++;
}

static void on_state(void *ctx, sim_can_state_t st) {
    node_t *n = ctx;
    if (n->state_n < MAX_REC) {
        n->states[n->state_n] = st;
        n->state_t[n->state_n] = sim_kernel_now(n->k);
    }
    n->state_n++;
    if (st == SIM_CAN_ERROR_ACTIVE && n->resend_on_active && n->c != NULL) {
        CU_ASSERT_EQUAL(sim_can_ctrl_send(n->c, &n->resend), 0);
    }
}

static void obs_frame(void *ctx, const sim_can_frame_t *f, const sim_can_ctrl_t *sender,
                      sim_time_ns_t t0, sim_time_ns_t t1) {
    observer_t *o = ctx;
    if (o->frames_n < MAX_OBS) {
        o->fr[o->frames_n] = (obs_frame_t){*f, sender, t0, t1};
    }
    o->frames_n++;
}

static void obs_error(void *ctx, sim_can_err_kind_t kind, sim_can_err_field_t field,
                      const sim_can_frame_t *f, const sim_can_ctrl_t *sender, sim_time_ns_t t) {
    observer_t *o = ctx;
    if (o->errors_n < MAX_OBS) {
        o->er[o->errors_n] = (obs_error_t){kind, field, *f, sender, t};
    }
    o->errors_n++;
    if (o->watch != NULL && sim_can_ctrl_tec(o->watch) >= o->clear_at_tec) {
        CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(o->bus, 0, 0, 0, 0), 0);
        o->watch = NULL;
    }
}

static void obs_state(void *ctx, const sim_can_ctrl_t *c, sim_can_state_t st, sim_time_ns_t t) {
    (void)c;
    (void)st;
    (void)t;
    observer_t *o = ctx;
    o->states_n++;
}

static void bench_init(bench_t *b, uint64_t seed) {
    memset(b, 0, sizeof *b);
    CU_ASSERT_EQUAL(sim_kernel_create(seed, &b->k), 0);
    CU_ASSERT_EQUAL(sim_can_bus_create(b->k, &(sim_can_bus_cfg_t){"can0", 0}, &b->bus), 0);
    b->obs = calloc(1, sizeof *b->obs);
    b->obs->bus = b->bus;
    sim_can_observer_t o = {obs_frame, obs_error, obs_state};
    CU_ASSERT_EQUAL(sim_can_bus_observe(b->bus, &o, b->obs), 0);
}

static node_t *bench_node(bench_t *b, const char *name, const sim_can_ctrl_cfg_t *cfg_in) {
    node_t *n = &b->n[b->nodes++];
    n->k = b->k;
    sim_can_ctrl_cfg_t cfg = cfg_in ? *cfg_in : (sim_can_ctrl_cfg_t){0};
    cfg.name = name;
    sim_can_ctrl_cb_t cb = {on_rx, on_tx_done, on_state};
    CU_ASSERT_EQUAL(sim_can_ctrl_attach(b->bus, &cfg, &cb, n, &n->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_start(n->c), 0);
    return n;
}

static void bench_free(bench_t *b) {
    for (int i = 0; i < b->nodes; i++) {
        if (b->n[i].c != NULL) {
            sim_can_ctrl_detach(b->n[i].c);
        }
    }
    sim_can_bus_destroy(b->bus);
    sim_kernel_destroy(b->k);
    free(b->obs);
}

static sim_can_frame_t std_frame(uint32_t id, uint8_t dlc, const uint8_t *data) {
    sim_can_frame_t f = {.id = id, .dlc = dlc};
    if (data != NULL) {
        memcpy(f.data, data, dlc);
    }
    return f;
}

static sim_can_frame_t fr2(uint32_t id) {
    return std_frame(id, 2, (const uint8_t[]){1, 2});
}

static void run_to(bench_t *b, sim_time_ns_t t) {
    CU_ASSERT_EQUAL(sim_kernel_run_until(b->k, t), 0);
}

/* ---- arbitration ------------------------------------------------------------------------- */

static void test_lowest_id_first_back_to_back(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    node_t *c = bench_node(&b, "c", NULL);
    sim_can_frame_t fa = fr2(0x300), fb = fr2(0x100), fc = fr2(0x200);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(c->c, &fc), 0);
    run_to(&b, SIM_NS_PER_MS);

    sim_time_ns_t t1 = bits_ns(sim_can_frame_bits(&fb));
    sim_time_ns_t t2 = t1 + bits_ns(sim_can_frame_bits(&fc));
    sim_time_ns_t t3 = t2 + bits_ns(sim_can_frame_bits(&fa));
    /* A frame is valid for its receivers at the end of the last but one EOF bit (4 bits before
     * the end of the intermission) and for its transmitter at the end of EOF (3 bits before);
     * the next frame starts after the intermission. The observers see it with the receivers. */
    const sim_time_ns_t rx_lead = bits_ns(4), tx_lead = bits_ns(3);
    ASSERT_EQ_I64(b.obs->frames_n, 3);
    ASSERT_EQ_U64(b.obs->fr[0].f.id, 0x100);
    ASSERT_EQ_I64(b.obs->fr[0].t0, 0);
    ASSERT_EQ_I64(b.obs->fr[0].t1, t1 - rx_lead);
    CU_ASSERT_PTR_EQUAL(b.obs->fr[0].sender, bb->c);
    ASSERT_EQ_U64(b.obs->fr[1].f.id, 0x200);
    ASSERT_EQ_I64(b.obs->fr[1].t0, t1);
    ASSERT_EQ_I64(b.obs->fr[1].t1, t2 - rx_lead);
    ASSERT_EQ_U64(b.obs->fr[2].f.id, 0x300);
    ASSERT_EQ_I64(b.obs->fr[2].t0, t2);
    ASSERT_EQ_I64(b.obs->fr[2].t1, t3 - rx_lead);

    /* tx_done at the end of each frame's EOF; receivers one bit earlier. */
    ASSERT_EQ_I64(bb->done_n, 1);
    ASSERT_EQ_I64(bb->done_t[0], t1 - tx_lead);
    ASSERT_EQ_I64(bb->done_status[0], 0);
    ASSERT_EQ_I64(a->done_t[0], t3 - tx_lead);
    ASSERT_EQ_I64(a->rx_n, 2);
    ASSERT_EQ_I64(a->rx_t[0], t1 - rx_lead);
    ASSERT_EQ_U64(a->rx[1].id, 0x200);
    ASSERT_EQ_I64(bb->rx_n, 2);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(a->c, &st);
    ASSERT_EQ_U64(st.arbitration_lost, 2);
    ASSERT_EQ_U64(st.tx_ok, 1);
    ASSERT_EQ_U64(st.rx_ok, 2);
    sim_can_ctrl_stats(c->c, &st);
    ASSERT_EQ_U64(st.arbitration_lost, 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 0);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 0);
    bench_free(&b);
}

/* Data before remote before extended with the same base id; the base id decides first. */
static void test_arbitration_bits_order_formats(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *n[5];
    sim_can_frame_t f[5] = {
        {.id = 0x101, .dlc = 1},                                         /* standard, next id */
        {.id = (0x100u << 18) | 5, .dlc = 1, .flags = SIM_CAN_FLAG_IDE}, /* extended, base 0x100 */
        {.id = 0x100, .dlc = 1, .flags = SIM_CAN_FLAG_RTR},              /* standard remote */
        {.id = (0x100u << 18) | 4, .dlc = 1, .flags = SIM_CAN_FLAG_IDE}, /* lower extended */
        {.id = 0x100, .dlc = 1},                                         /* standard data */
    };
    const char *names[5] = {"n0", "n1", "n2", "n3", "n4"};
    for (int i = 0; i < 5; i++) {
        n[i] = bench_node(&b, names[i], NULL);
        CU_ASSERT_EQUAL(sim_can_ctrl_send(n[i]->c, &f[i]), 0);
    }
    run_to(&b, SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 5);
    const int order[5] = {4, 2, 3, 1, 0};
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ_U64(b.obs->fr[i].f.id, f[order[i]].id);
        ASSERT_EQ_U64(b.obs->fr[i].f.flags, f[order[i]].flags);
        CU_ASSERT_PTR_EQUAL(b.obs->fr[i].sender, n[order[i]]->c);
    }
    bench_free(&b);
}

/* Same identifier and data from two nodes: one frame on the wire, both transmitters done. */
static void test_same_id_same_data_one_frame(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    sim_can_frame_t f = std_frame(0x100, 1, (const uint8_t[]){0xAA});
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &f), 0);
    run_to(&b, SIM_NS_PER_MS);
    sim_time_ns_t t1 = bits_ns(sim_can_frame_bits(&f));
    ASSERT_EQ_I64(b.obs->frames_n, 1);
    ASSERT_EQ_I64(b.obs->errors_n, 0);
    CU_ASSERT_PTR_EQUAL(b.obs->fr[0].sender, a->c); /* attach order breaks the tie */
    ASSERT_EQ_I64(a->done_n, 1);
    ASSERT_EQ_I64(a->done_status[0], 0);
    ASSERT_EQ_I64(a->done_t[0], t1 - bits_ns(3)); /* both at the end of EOF */
    ASSERT_EQ_I64(bb->done_n, 1);
    ASSERT_EQ_I64(bb->done_t[0], t1 - bits_ns(3));
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(a->rx_n, 0);
    ASSERT_EQ_I64(bb->rx_n, 0);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.frames, 1);
    ASSERT_EQ_U64(st.busy_bit_times, sim_can_frame_bits(&f));
    bench_free(&b);
}

/*
 * Same identifier, data 0x01 and 0x02: on the wire (0 dominant, 1 recessive, s a stuff bit)
 *
 *   bit  0     1..11        12 13 14  15..18  19..   26 27 28 29
 *        SOF   00100000000  RTR IDE r0 DLC     data
 *        0     001s00000s0  0  0  s0  0001    00000 s  0  0  1    a: 0x01 = 0000000 1
 *                                                             1       b: 0x02 = 000000 1 0
 *
 * (the stuff bits fall after raw bits 8, 13 and 23), so they part at bit 28, where b sends
 * recessive and reads dominant: a bit error. b flags at 29..34. a reads its recessive bit 29
 * as dominant and flags at 30..35. The receiver sees dominant from bit 27 (a run of k = 2 up to
 * bit 28, continued by b's flag), a stuff error at its sixth bit, 32, and flags at 33..38:
 * the flags reach 12 - k = 10 bits past bit 28, then 8 delimiter and 3 intermission bits.
 */
#define COLLIDE_BIT 28u

static void collision_frames(sim_can_frame_t *fa, sim_can_frame_t *fb) {
    *fa = std_frame(0x100, 1, (const uint8_t[]){0x01});
    *fb = std_frame(0x100, 1, (const uint8_t[]){0x02});
}

static void test_same_id_different_data_bit_error(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    sim_can_frame_t fa, fb;
    collision_frames(&fa, &fb);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    const sim_time_ns_t err_end = bits_ns(COLLIDE_BIT + 1 + 10 + 11);
    /* The error counts, and the observers see it, when the first error flag starts. */
    run_to(&b, bits_ns(COLLIDE_BIT + 1) - 1);
    ASSERT_EQ_I64(b.obs->errors_n, 0);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c) + sim_can_ctrl_tec(bb->c) + sim_can_ctrl_rec(r->c), 0);
    run_to(&b, bits_ns(COLLIDE_BIT + 1));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_BIT);
    CU_ASSERT_EQUAL(b.obs->er[0].field, SIM_CAN_FIELD_DATA);
    ASSERT_EQ_I64(b.obs->er[0].t, bits_ns(COLLIDE_BIT + 1));
    CU_ASSERT_PTR_EQUAL(b.obs->er[0].sender, bb->c); /* the one that read dominant */
    ASSERT_EQ_U64(b.obs->er[0].f.data[0], 0x02);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 8);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 8);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 0);
    ASSERT_EQ_I64(a->done_n + bb->done_n + r->rx_n, 0);

    /* They collide again right away. b is stopped during that attempt: the collision still
     * happens (fixed at SOF) but b is no longer counted; then a's frame goes through. */
    run_to(&b, err_end + bits_ns(COLLIDE_BIT + 1) - 1);
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(bb->c), 0);
    ASSERT_EQ_I64(bb->done_n, 1);
    ASSERT_EQ_I64(bb->done_status[0], -SIM_ECANCELED);
    run_to(&b, err_end + bits_ns(COLLIDE_BIT + 1));
    ASSERT_EQ_I64(b.obs->errors_n, 2);
    ASSERT_EQ_I64(b.obs->er[1].t, err_end + bits_ns(COLLIDE_BIT + 1));
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 16);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 8);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 2);
    run_to(&b, SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 1);
    ASSERT_EQ_I64(b.obs->fr[0].t0, 2 * err_end);
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_U64(r->rx[0].data[0], 0x01);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 15);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 1);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.error_frames, 2);
    bench_free(&b);
}

/* Makes n error-passive with TEC 135: its frames of `id` are corrupted 17 times (TEC 136), then
 * the 18th goes through. Another started node must be there to receive them. */
static void make_passive(bench_t *b, node_t *n, uint32_t id) {
    b->obs->watch = n->c;
    b->obs->clear_at_tec = 136;
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(b->bus, id, 0x7FF, 1, 1), 0);
    sim_can_frame_t f = fr2(id);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(n->c, &f), 0);
    run_to(b, sim_kernel_now(b->k) + 10 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_can_ctrl_tec(n->c), 135);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(n->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(n->c), 0);
}

/* Frames with one identifier that first differ in the DLC: the bit error is in the DLC field,
 * at its third bit (DLC 1 = 0001 against 2 = 0010), and the observers are told so. */
static void test_bit_error_in_the_dlc(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    bench_node(&b, "r", NULL);
    sim_can_frame_t fa = std_frame(0x100, 1, (const uint8_t[]){0x01});
    sim_can_frame_t fb = std_frame(0x100, 2, (const uint8_t[]){0x01, 0x00});
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    run_to(&b, bits_ns(20));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_BIT);
    CU_ASSERT_EQUAL(b.obs->er[0].field, SIM_CAN_FIELD_DLC);
    CU_ASSERT_PTR_EQUAL(b.obs->er[0].sender, bb->c); /* it sent the recessive DLC bit */
    /* SOF, 11 identifier bits 0x100 (one stuff bit after the five zeros that follow its 1),
     * RTR, IDE, r0, then DLC bits 0, 0 and the third: raw bit 17, stuffed bit 19 (the zeros
     * from identifier bit 3 to DLC bit 1 need two more stuff bits). */
    ASSERT_EQ_I64(b.obs->er[0].t, bits_ns(20));
    bench_free(&b);

    /* The same in extended frames: the DLC follows 18 more identifier bits, RTR, r1 and r0. */
    bench_init(&b, 1);
    a = bench_node(&b, "a", NULL);
    bb = bench_node(&b, "b", NULL);
    bench_node(&b, "r", NULL);
    fa.flags = fb.flags = SIM_CAN_FLAG_IDE;
    fa.id = fb.id = 0x18FF50E5;
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    run_to(&b, bits_ns(80));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_BIT);
    CU_ASSERT_EQUAL(b.obs->er[0].field, SIM_CAN_FIELD_DLC);
    bench_free(&b);
}

/* Only error-active flags are dominant, so only they lengthen the error frame of a collision
 * (the frames of test_same_id_different_data_bit_error). Alone, both active: b's flag 29..34
 * and a's 30..35, 7 bits past bit 28. With a error-passive and nobody else: b's flag alone. */
static void test_bit_error_flags_superpose(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    sim_can_frame_t fa, fb;
    collision_frames(&fa, &fb);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    const uint32_t alone = COLLIDE_BIT + 1 + 7 + 11;
    run_to(&b, bits_ns(2 * alone));
    ASSERT_EQ_I64(b.obs->errors_n, 2);
    ASSERT_EQ_I64(b.obs->er[1].t, bits_ns(alone + COLLIDE_BIT + 1));
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 16);
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(a->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(bb->c), 0);
    bench_free(&b);

    bench_init(&b, 1);
    a = bench_node(&b, "a", NULL);
    bb = bench_node(&b, "b", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    make_passive(&b, a, 0x200);
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(r->c), 0);
    const sim_time_ns_t t0 = sim_kernel_now(b.k);
    const int errors = b.obs->errors_n, frames = b.obs->frames_n;
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    /* b is error-active and not suspended: its retry starts as the error frame ends, with a
     * (suspended for 8 bits) acknowledging it. */
    const uint32_t passive_w = COLLIDE_BIT + 1 + 6 + 11;
    run_to(&b, t0 + bits_ns(passive_w + sim_can_frame_bits(&fb)));
    ASSERT_EQ_I64(b.obs->errors_n, errors + 1);
    ASSERT_EQ_I64(b.obs->er[errors].t, t0 + bits_ns(COLLIDE_BIT + 1));
    ASSERT_EQ_I64(b.obs->frames_n, frames + 1);
    ASSERT_EQ_I64(b.obs->fr[frames].t0, t0 + bits_ns(passive_w));
    ASSERT_EQ_U64(b.obs->fr[frames].f.data[0], 0x02);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 143);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 7);
    bench_free(&b);
}

/* An error-passive transmitter that reads dominant where it sent recessive flags passively: the
 * wire does not change, the other transmitter's frame goes through and is received, and the
 * passive one counts its error (TEC += 8) and sends after its suspend transmission. */
static void test_passive_loser_leaves_the_frame(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    make_passive(&b, bb, 0x200);
    const sim_time_ns_t t0 = sim_kernel_now(b.k);
    const int errors = b.obs->errors_n, frames = b.obs->frames_n, rx = r->rx_n;
    const uint16_t rec = sim_can_ctrl_rec(r->c);
    sim_can_frame_t fa, fb;
    collision_frames(&fa, &fb);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    const sim_time_ns_t t1 = t0 + bits_ns(sim_can_frame_bits(&fa));
    /* b's error counts when its passive flag starts, the bit after the one it read dominant. */
    run_to(&b, t0 + bits_ns(COLLIDE_BIT + 1) - 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 135);
    run_to(&b, t0 + bits_ns(COLLIDE_BIT + 1));
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 143);
    run_to(&b, t1);
    ASSERT_EQ_I64(b.obs->errors_n, errors);
    ASSERT_EQ_I64(b.obs->frames_n, frames + 1);
    CU_ASSERT_PTR_EQUAL(b.obs->fr[frames].sender, a->c);
    ASSERT_EQ_I64(b.obs->fr[frames].t0, t0);
    ASSERT_EQ_I64(r->rx_n, rx + 1);
    ASSERT_EQ_U64(r->rx[rx].data[0], 0x01);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), rec - 1);
    ASSERT_EQ_I64(a->done_n, 1);
    ASSERT_EQ_I64(bb->rx_n, 0); /* it was in its error frame */
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 0);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 143);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(bb->c, &st);
    ASSERT_EQ_U64(st.tx_errors, 18);
    ASSERT_EQ_U64(st.arbitration_lost, 0);

    const sim_time_ns_t t2 = t1 + bits_ns(8 + sim_can_frame_bits(&fb));
    run_to(&b, t2);
    ASSERT_EQ_I64(b.obs->frames_n, frames + 2);
    ASSERT_EQ_I64(b.obs->fr[frames + 1].t0, t1 + bits_ns(8));
    ASSERT_EQ_I64(bb->done_n, 2);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 142);
    ASSERT_EQ_I64(r->rx_n, rx + 2);
    bench_free(&b);
}

/* ---- ACK errors and fault confinement ---------------------------------------------------- */

/* Alone on the bus: TEC +8 per attempt up to 128, then error-passive for good, never bus-off.
 * Attempts are bits + 6 long, and 8 bits of suspend transmission apart once passive. */
static void test_lone_node_stops_at_error_passive(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    sim_can_frame_t f = std_frame(0x123, 3, (const uint8_t[]){0x11, 0x22, 0x33});
    const uint32_t attempt = sim_can_frame_bits(&f) + ACK_ERR_EXTRA;
    ASSERT_EQ_U64(attempt, 78);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    for (int i = 1; i <= 16; i++) {
        run_to(&b, bits_ns((uint64_t)i * attempt));
        ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 8 * i);
        ASSERT_EQ_I64(b.obs->errors_n, i);
    }
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_ACK);
    CU_ASSERT_EQUAL(b.obs->er[0].field, SIM_CAN_FIELD_ACK_SLOT);
    ASSERT_EQ_I64(b.obs->er[0].t, bits_ns(attempt - 17)); /* after the ACK slot */
    ASSERT_EQ_I64(b.obs->er[1].t, bits_ns(2 * attempt - 17));
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(a->state_n, 3); /* active at start, warning at 96, passive at 128 */
    CU_ASSERT_EQUAL(a->states[1], SIM_CAN_ERROR_WARNING);
    /* TEC and state change when the error flag starts (ISO 11898-1), not at the end of the
     * error frame: the 12th attempt's flag starts 17 bits before its end. */
    ASSERT_EQ_I64(a->state_t[1], bits_ns(12 * attempt - 17));

    const sim_time_ns_t t16 = bits_ns(16 * (uint64_t)attempt);
    run_to(&b, t16 + bits_ns(1000 * (uint64_t)(attempt + 8)));
    ASSERT_EQ_I64(b.obs->errors_n, 1016);
    ASSERT_EQ_I64(b.obs->er[16].t, t16 + bits_ns(8 + attempt - 17));
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 128);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 1);
    ASSERT_EQ_I64(a->done_n, 0);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(a->c, &st);
    ASSERT_EQ_U64(st.bus_off_count, 0);
    ASSERT_EQ_U64(st.tx_errors, 1016);
    run_to(&b, t16 + bits_ns(1000 * (uint64_t)(attempt + 8) + 8) - 1);
    ASSERT_EQ_I64(b.obs->errors_n, 1016); /* the next attempt waits out the suspend */
    bench_free(&b);
}

/* A listen-only controller neither acknowledges nor transmits. */
static void test_listen_only_does_not_ack(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *l = bench_node(&b, "listener", &(sim_can_ctrl_cfg_t){.listen_only = true});
    sim_can_frame_t f = fr2(0x123);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(l->c, &f), -SIM_ENOTSUP);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    run_to(&b, bits_ns(sim_can_frame_bits(&f) + ACK_ERR_EXTRA));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_ACK);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 8);
    ASSERT_EQ_I64(sim_can_ctrl_rec(l->c), 0);
    ASSERT_EQ_I64(l->rx_n, 0);
    bench_free(&b);
}

typedef struct {
    bench_t b;
    node_t *a, *r;
    sim_can_frame_t f;
    uint32_t attempt;    /* bits per corrupted attempt */
    sim_time_ns_t t_off; /* when a entered bus-off: its last error flag starts */
    sim_time_ns_t t_end; /* the end of that error frame */
} busoff_t;

#define CRC_ERR_TAIL 18 /* a CRC error frame from its first flag bit: 7 + 8 + 3 */

/* a's frames are corrupted (1/1) until it is bus-off: 16 attempts while active, 16 passive
 * ones with 8 bits of suspend after each, the 32nd takes TEC to 256. */
static void drive_to_bus_off(busoff_t *s, bool auto_recover) {
    bench_init(&s->b, 1);
    s->a = bench_node(&s->b, "a", &(sim_can_ctrl_cfg_t){.auto_recover = auto_recover});
    s->r = bench_node(&s->b, "r", NULL);
    s->f = std_frame(0x123, 3, (const uint8_t[]){0x11, 0x22, 0x33});
    s->attempt = sim_can_frame_bits(&s->f) + CRC_ERR_EXTRA;
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(s->b.bus, 0x123, 0x7FF, 1, 1), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->a->c, &s->f), 0);
    s->t_end = bits_ns(32 * (uint64_t)s->attempt + 16 * 8);
    s->t_off = s->t_end - bits_ns(CRC_ERR_TAIL);
    run_to(&s->b, s->t_off - 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(s->a->c), 248);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s->a->c), SIM_CAN_ERROR_PASSIVE);
    run_to(&s->b, s->t_off);
    CU_ASSERT_TRUE(sim_can_ctrl_tec(s->a->c) > 255);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s->a->c), SIM_CAN_BUS_OFF);
    ASSERT_EQ_I64(s->b.obs->errors_n, 32);
    CU_ASSERT_EQUAL(s->b.obs->er[0].kind, SIM_CAN_ERR_CRC);
    CU_ASSERT_EQUAL(s->b.obs->er[0].field, SIM_CAN_FIELD_CRC_SEQ);
    ASSERT_EQ_U64(sim_can_bus_corrupted_frames(s->b.bus), 32);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s->r->c), 32);
    ASSERT_EQ_I64(s->r->rx_n, 0);
    /* The queue was flushed on entering bus-off. */
    ASSERT_EQ_I64(s->a->done_n, 1);
    ASSERT_EQ_I64(s->a->done_status[0], -SIM_ECANCELED);
    ASSERT_EQ_I64(s->a->done_t[0], s->t_off);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(s->a->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->a->c, &s->f), -SIM_ENETUNREACH);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(s->a->c, &st);
    ASSERT_EQ_U64(st.bus_off_count, 1);
    sim_can_ctrl_stats(s->r->c, &st);
    ASSERT_EQ_U64(st.rx_errors, 32);
}

static void test_corrupt_to_bus_off_auto_recover(void) {
    busoff_t s;
    drive_to_bus_off(&s, true);
    /* The error frame's 11 recessive bits (delimiter and intermission) are the first of the 128
     * sequences. */
    const sim_time_ns_t t_back = s.t_end + bits_ns(RECOVERY_BITS - 11);
    run_to(&s.b, t_back - 1);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_BUS_OFF);
    run_to(&s.b, t_back);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_ERROR_ACTIVE);
    ASSERT_EQ_I64(sim_can_ctrl_tec(s.a->c), 0);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.a->c), 0);
    CU_ASSERT_EQUAL(s.a->states[s.a->state_n - 2], SIM_CAN_BUS_OFF);
    ASSERT_EQ_I64(s.a->state_t[s.a->state_n - 2], s.t_off);
    CU_ASSERT_EQUAL(s.a->states[s.a->state_n - 1], SIM_CAN_ERROR_ACTIVE);
    ASSERT_EQ_I64(s.a->state_t[s.a->state_n - 1], t_back);

    /* Back on the bus: with the fault cleared its next frame is sent, and r's REC drops. */
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(s.b.bus, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s.a->c, &s.f), 0);
    run_to(&s.b, t_back + bits_ns(sim_can_frame_bits(&s.f)));
    ASSERT_EQ_I64(s.r->rx_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.r->c), 31);
    bench_free(&s.b);
}

static void test_bus_off_recovers_only_on_request(void) {
    busoff_t s;
    drive_to_bus_off(&s, false);
    CU_ASSERT_EQUAL(sim_can_ctrl_recover(s.r->c), -SIM_EINVAL);
    const sim_time_ns_t t_req = s.t_off + bits_ns(5000);
    run_to(&s.b, t_req);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_BUS_OFF);
    CU_ASSERT_EQUAL(sim_can_ctrl_recover(s.a->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_recover(s.a->c), 0); /* a repeated request changes nothing */
    run_to(&s.b, t_req + bits_ns(RECOVERY_BITS) - 1);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_BUS_OFF);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s.a->c, &s.f), -SIM_ENETUNREACH);
    run_to(&s.b, t_req + bits_ns(RECOVERY_BITS));
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_ERROR_ACTIVE);
    ASSERT_EQ_I64(sim_can_ctrl_tec(s.a->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_recover(s.a->c), -SIM_EINVAL);
    bench_free(&s.b);
}

/* Recovery on a busy bus: every frame's 11-bit recessive tail is one sequence, so with r
 * sending back to back a bus-off node needs 128 frames (plus the idle gap it saw first). */
static void test_recovery_counts_frame_tails(void) {
    busoff_t s;
    drive_to_bus_off(&s, true);
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(s.b.bus, 0, 0, 0, 0), 0);
    bench_node(&s.b, "ack", NULL); /* a is bus-off: someone else must acknowledge r */
    /* r starts a stream of 0x7FF frames 5 bits after the bus-off's error frame, whose tail was
     * the first sequence. */
    sim_can_frame_t g = std_frame(0x7FF, 0, NULL);
    const uint32_t gb = sim_can_frame_bits(&g);
    run_to(&s.b, s.t_end + bits_ns(5));
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(sim_can_ctrl_send(s.r->c, &g), 0);
    }
    /* Keep the queue topped up from tx_done via a kernel loop of single steps. */
    sim_time_ns_t t = s.t_end + bits_ns(5);
    int sent = 5;
    while (sim_can_ctrl_state(s.a->c) == SIM_CAN_BUS_OFF && sent < 400) {
        t += bits_ns(gb);
        run_to(&s.b, t);
        CU_ASSERT_EQUAL(sim_can_ctrl_send(s.r->c, &g), 0);
        sent++;
    }
    /* The 127th frame tail completes the count at that frame's end. */
    ASSERT_EQ_I64(s.a->state_t[s.a->state_n - 1], s.t_end + bits_ns(5 + 127 * (uint64_t)gb));
    bench_free(&s.b);
}

/* Colliding frames (same id, different data) cost both transmitters 8 per attempt while both are
 * error-active: 16 attempts take both to TEC 128, error-passive. After the 8 bits of suspend
 * transmission they collide again, and b, recessive at bit 28, now flags passively: a's frame
 * goes through (TEC 127), b's error makes TEC 136, and b sends after its own suspend. Nobody is
 * driven bus-off. */
static void test_collisions_until_error_passive(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    sim_can_frame_t fa, fb;
    collision_frames(&fa, &fb);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    const uint32_t attempt = COLLIDE_BIT + 1 + 10 + 11;
    const sim_time_ns_t t16 = bits_ns(16 * attempt);
    run_to(&b, t16);
    ASSERT_EQ_I64(b.obs->errors_n, 16);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 128);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 128);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 16);

    const sim_time_ns_t t17 = t16 + bits_ns(8 + sim_can_frame_bits(&fa));
    run_to(&b, t17);
    ASSERT_EQ_I64(b.obs->errors_n, 16);
    ASSERT_EQ_I64(b.obs->frames_n, 1);
    ASSERT_EQ_I64(b.obs->fr[0].t0, t16 + bits_ns(8));
    ASSERT_EQ_U64(b.obs->fr[0].f.data[0], 0x01);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 127);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_WARNING);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 136);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 15);

    run_to(&b, t17 + bits_ns(8 + sim_can_frame_bits(&fb)));
    ASSERT_EQ_I64(b.obs->frames_n, 2);
    ASSERT_EQ_I64(b.obs->fr[1].t0, t17 + bits_ns(8));
    ASSERT_EQ_U64(b.obs->fr[1].f.data[0], 0x02);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 135);
    ASSERT_EQ_I64(r->rx_n, 2);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(bb->c, &st);
    ASSERT_EQ_U64(st.bus_off_count, 0);
    ASSERT_EQ_U64(st.tx_errors, 17);
    bench_free(&b);
}

/* The same two alone: once both are error-passive, b drops out at bit 28 and nobody is left to
 * acknowledge a, whose ACK error (passive, nothing else wrong) leaves its TEC at 128, while b's
 * bit errors take it on to bus-off. Then a stays error-passive for good, as a lone node does. */
static void test_passive_collision_without_receivers(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *bb = bench_node(&b, "b", NULL);
    sim_can_frame_t fa, fb;
    collision_frames(&fa, &fb);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(bb->c, &fb), 0);
    const uint32_t attempt = COLLIDE_BIT + 1 + 7 + 11;
    const sim_time_ns_t t16 = bits_ns(16 * attempt);
    const uint32_t ack_attempt = sim_can_frame_bits(&fa) + ACK_ERR_EXTRA;
    run_to(&b, t16 + bits_ns(8 + ack_attempt));
    ASSERT_EQ_I64(b.obs->errors_n, 17);
    CU_ASSERT_EQUAL(b.obs->er[16].kind, SIM_CAN_ERR_ACK);
    CU_ASSERT_PTR_EQUAL(b.obs->er[16].sender, a->c);
    ASSERT_EQ_I64(b.obs->er[16].t, t16 + bits_ns(8 + ack_attempt - 17));
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 128);
    ASSERT_EQ_I64(sim_can_ctrl_tec(bb->c), 136);

    run_to(&b, t16 + 100 * SIM_NS_PER_MS);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(bb->c), SIM_CAN_BUS_OFF);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 128);
    ASSERT_EQ_I64(b.obs->frames_n, 0);
    bench_free(&b);
}

/* Receive errors past 127 make a receiver error-passive; a good frame brings REC to 127.
 * t goes bus-off four times on corrupted frames (auto recovery, resending when back): 128
 * receive errors for r. One bus-off cycle: 32 attempts, 16 suspends, 127 x 11 bits after the
 * last error frame, whose tail is the first sequence. */
static void test_rec_rules(void) {
    busoff_t s;
    drive_to_bus_off(&s, true);
    s.a->resend_on_active = true;
    s.a->resend = s.f;
    const uint64_t cycle = 32 * (uint64_t)s.attempt + 16 * 8 + RECOVERY_BITS - 11;
    ASSERT_EQ_I64(s.t_end, bits_ns(cycle - RECOVERY_BITS + 11));
    run_to(&s.b, s.t_off + bits_ns(2 * cycle) - 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.r->c), 95);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.r->c), SIM_CAN_ERROR_ACTIVE);
    run_to(&s.b, s.t_off + bits_ns(3 * cycle));
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.r->c), 128);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.r->c), SIM_CAN_ERROR_PASSIVE);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.a->c), SIM_CAN_BUS_OFF);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(s.a->c, &st);
    ASSERT_EQ_U64(st.bus_off_count, 4);

    /* Without the fault, the resend at recovery is received: REC from 128 to 127, then -1. */
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(s.b.bus, 0, 0, 0, 0), 0);
    const sim_time_ns_t t_back = s.t_end + bits_ns(3 * cycle + RECOVERY_BITS - 11);
    run_to(&s.b, t_back + bits_ns(sim_can_frame_bits(&s.f)));
    ASSERT_EQ_I64(s.r->rx_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.r->c), 127);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(s.r->c), SIM_CAN_ERROR_WARNING);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s.a->c, &s.f), 0);
    run_to(&s.b, t_back + SIM_NS_PER_MS);
    ASSERT_EQ_I64(sim_can_ctrl_rec(s.r->c), 126);
    ASSERT_EQ_I64(s.r->rx_n, 2);
    bench_free(&s.b);
}

/* An error-passive transmitter waits 8 bits after its frame, so another node's pending frame
 * (with a higher identifier) gets the bus in between. */
static void test_error_passive_suspend_transmission(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *p = bench_node(&b, "p", NULL);
    node_t *q = bench_node(&b, "q", NULL);
    /* Make p error-passive with TEC 136: 17 corrupted attempts, then the fault is cleared. */
    b.obs->watch = p->c;
    b.obs->clear_at_tec = 136;
    CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(b.bus, 0x100, 0x7FF, 1, 1), 0);
    sim_can_frame_t f1 = fr2(0x100), f2 = fr2(0x101), fq = fr2(0x200);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &f1), 0);
    run_to(&b, 10 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->errors_n, 17);
    ASSERT_EQ_I64(b.obs->frames_n, 1); /* the 18th attempt went through */
    ASSERT_EQ_I64(sim_can_ctrl_tec(p->c), 135);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(p->c), SIM_CAN_ERROR_PASSIVE);

    const sim_time_ns_t t0 = 10 * SIM_NS_PER_MS;
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &f1), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &f2), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(q->c, &fq), 0);
    run_to(&b, 20 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 4);
    sim_time_ns_t t1 = t0 + bits_ns(sim_can_frame_bits(&f1));
    sim_time_ns_t t2 = t1 + bits_ns(sim_can_frame_bits(&fq));
    ASSERT_EQ_U64(b.obs->fr[1].f.id, 0x100);
    ASSERT_EQ_U64(b.obs->fr[2].f.id, 0x200);
    ASSERT_EQ_I64(b.obs->fr[2].t0, t1);
    ASSERT_EQ_U64(b.obs->fr[3].f.id, 0x101);
    ASSERT_EQ_I64(b.obs->fr[3].t0, t2);
    ASSERT_EQ_I64(sim_can_ctrl_tec(p->c), 133);

    /* Alone with its suspend: p's next frame starts 8 bits after the previous one ended. */
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(q->c), 0);
    node_t *r = bench_node(&b, "r", NULL);
    (void)r;
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &f1), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &f2), 0);
    run_to(&b, 30 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 6);
    sim_time_ns_t t4 = 20 * SIM_NS_PER_MS;
    ASSERT_EQ_I64(b.obs->fr[4].t0, t4);
    /* fr[4].t1 is its receivers' instant, 4 bits before the end of its intermission. */
    ASSERT_EQ_I64(b.obs->fr[5].t0, b.obs->fr[4].t1 + bits_ns(4 + 8));
    bench_free(&b);
}

/* ---- queue and API errors ---------------------------------------------------------------- */

static void test_queue_full_and_api_errors(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *s = bench_node(&b, "small", &(sim_can_ctrl_cfg_t){.tx_queue_len = 2});
    bench_node(&b, "r", NULL);
    sim_can_frame_t f = fr2(0x123);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    }
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), -SIM_EAGAIN);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), -SIM_EAGAIN);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 5);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(a->c, &st);
    ASSERT_EQ_U64(st.tx_queue_full, 2);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->c, &f), -SIM_EAGAIN);

    /* Once a frame is sent there is room again; FIFO order is kept. */
    run_to(&b, bits_ns(sim_can_frame_bits(&f)));
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 4);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);

    sim_can_frame_t bad = {.id = 0x123, .dlc = 9};
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &bad), -SIM_EINVAL);
    bad = (sim_can_frame_t){.id = 0x800, .dlc = 0};
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &bad), -SIM_EINVAL);
    bad = (sim_can_frame_t){.id = 0x20000000, .dlc = 0, .flags = SIM_CAN_FLAG_IDE};
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &bad), -SIM_EINVAL);
    CU_ASSERT_EQUAL(sim_can_ctrl_start(a->c), -SIM_EBUSY);

    CU_ASSERT_EQUAL(sim_can_ctrl_stop(a->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_STOPPED);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 0);
    ASSERT_EQ_I64(a->done_n, 6); /* 1 sent, 5 flushed */
    ASSERT_EQ_I64(a->done_status[0], 0);
    for (int i = 1; i < 6; i++) {
        ASSERT_EQ_I64(a->done_status[i], -SIM_ECANCELED);
    }
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), -SIM_ENETDOWN);
    ASSERT_EQ_STR(sim_can_ctrl_name(a->c), "a");
    bench_free(&b);
}

/* ---- filters ----------------------------------------------------------------------------- */

static void test_acceptance_filters(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    CU_ASSERT_EQUAL(sim_can_ctrl_add_filter(r->c, 0x100, 0x7F0, 0), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_add_filter(r->c, 0x18FF0000, 0x1FFF0000, SIM_CAN_FLAG_IDE), 0);
    sim_can_frame_t fs[5] = {
        fr2(0x105),                                              /* accepted */
        fr2(0x205),                                              /* rejected: id */
        {.id = 0x105, .dlc = 0, .flags = SIM_CAN_FLAG_IDE},      /* rejected: IDE */
        {.id = 0x18FF50E5, .dlc = 1, .flags = SIM_CAN_FLAG_IDE}, /* accepted */
        {.id = 0x10F, .dlc = 0, .flags = SIM_CAN_FLAG_RTR},      /* accepted */
    };
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fs[i]), 0);
    }
    run_to(&b, SIM_NS_PER_MS);
    ASSERT_EQ_I64(r->rx_n, 3);
    ASSERT_EQ_U64(r->rx[0].id, 0x105);
    ASSERT_EQ_U64(r->rx[1].id, 0x18FF50E5); /* one controller's queue is FIFO */
    ASSERT_EQ_U64(r->rx[2].id, 0x10F);
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(r->c, &st);
    ASSERT_EQ_U64(st.rx_ok, 3);
    ASSERT_EQ_U64(st.rx_filtered, 2);
    /* A receiver acknowledges frames its filters reject: every send succeeded. */
    ASSERT_EQ_I64(a->done_n, 5);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 0);
    ASSERT_EQ_I64(b.obs->errors_n, 0);

    for (int i = 2; i < 8; i++) {
        CU_ASSERT_EQUAL(sim_can_ctrl_add_filter(r->c, (uint32_t)i, 0x7FF, 0), 0);
    }
    CU_ASSERT_EQUAL(sim_can_ctrl_add_filter(r->c, 9, 0x7FF, 0), -SIM_EAGAIN);
    sim_can_ctrl_clear_filters(r->c);
    sim_can_frame_t any = fr2(0x555);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &any), 0);
    run_to(&b, 2 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(r->rx_n, 4);
    bench_free(&b);
}

/* ---- faults ------------------------------------------------------------------------------ */

static void test_drop_fault(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    CU_ASSERT_EQUAL(sim_can_bus_fault_drop(b.bus, 0x100, 0x7FF, 2, 1), -SIM_EINVAL);
    CU_ASSERT_EQUAL(sim_can_bus_fault_drop(b.bus, 0x100, 0x7FF, 1, 1), 0);
    sim_can_frame_t f1 = fr2(0x100), f2 = fr2(0x200);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f1), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f2), 0);
    run_to(&b, SIM_NS_PER_MS);
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_U64(r->rx[0].id, 0x200);
    ASSERT_EQ_I64(a->done_n, 2);
    ASSERT_EQ_I64(a->done_status[0], 0);
    ASSERT_EQ_U64(a->done[0].id, 0x100);
    ASSERT_EQ_I64(a->done_t[0], bits_ns(sim_can_frame_bits(&f1) - 3)); /* at the end of EOF */
    ASSERT_EQ_I64(b.obs->frames_n, 1); /* observers do not see it either */
    ASSERT_EQ_I64(b.obs->fr[0].t0, bits_ns(sim_can_frame_bits(&f1)));
    ASSERT_EQ_U64(sim_can_bus_dropped_frames(b.bus), 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 0);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.frames, 1);
    ASSERT_EQ_U64(st.busy_bit_times, sim_can_frame_bits(&f1) + sim_can_frame_bits(&f2));
    /* den 0 clears the fault. */
    CU_ASSERT_EQUAL(sim_can_bus_fault_drop(b.bus, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f1), 0);
    run_to(&b, 2 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(r->rx_n, 2);
    bench_free(&b);
}

typedef struct {
    sim_can_ctrl_t *c;
    sim_can_frame_t f;
    int left;
} pacer_t;

static void pace(sim_kernel_t *k, void *ctx, uint64_t arg) {
    pacer_t *p = ctx;
    CU_ASSERT_EQUAL(sim_can_ctrl_send(p->c, &p->f), 0);
    if (--p->left > 0) {
        sim_kernel_schedule_in(k, (sim_time_ns_t)arg, SIM_PRIO_FIRMWARE, pace, p, arg);
    }
}

/* Which of 48 frames of 0x100 a 1/2 drop fault lets through, as a bit mask. */
static uint64_t drop_pattern(uint64_t seed, bool other_traffic, bool other_fault) {
    bench_t b;
    bench_init(&b, seed);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *o = bench_node(&b, "o", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    CU_ASSERT_EQUAL(sim_can_bus_fault_drop(b.bus, 0x100, 0x7FF, 1, 2), 0);
    if (other_fault) {
        CU_ASSERT_EQUAL(sim_can_bus_fault_corrupt(b.bus, 0x200, 0x7FF, 1, 3), 0);
    }
    pacer_t pa = {a->c, std_frame(0x100, 1, (const uint8_t[]){0}), 48};
    pacer_t po = {o->c, fr2(0x200), 48};
    sim_kernel_schedule(b.k, 0, SIM_PRIO_FIRMWARE, pace, &pa, SIM_NS_PER_MS);
    if (other_traffic) {
        sim_kernel_schedule(b.k, 0, SIM_PRIO_FIRMWARE, pace, &po, SIM_NS_PER_MS);
    }
    run_to(&b, 60 * SIM_NS_PER_MS);
    /* Frame k of 0x100 is sent in millisecond slot k (it wins arbitration against 0x200), so
     * its reception time names it. */
    uint64_t mask = 0;
    for (int i = 0; i < r->rx_n && i < MAX_REC; i++) {
        if (r->rx[i].id == 0x100) {
            mask |= 1ull << (r->rx_t[i] / SIM_NS_PER_MS);
        }
    }
    ASSERT_EQ_I64(a->done_n, 48);
    bench_free(&b);
    return mask;
}

/* Faults draw only for matching frames, from their own streams: other traffic and another
 * fault leave the drop pattern alone; the seed changes it. */
static void test_fault_randomness_is_isolated(void) {
    uint64_t base = drop_pattern(7, false, false);
    ASSERT_EQ_U64(drop_pattern(7, false, false), base);
    ASSERT_EQ_U64(drop_pattern(7, true, false), base);
    ASSERT_EQ_U64(drop_pattern(7, true, true), base);
    CU_ASSERT_TRUE(base != 0 && base != ((1ull << 48) - 1));
    CU_ASSERT_NOT_EQUAL(drop_pattern(8, false, false), base);
}

static void test_unplug(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    node_t *u = bench_node(&b, "u", NULL);
    sim_can_ctrl_set_unplugged(u->c, true);
    sim_can_frame_t fa = fr2(0x100), fu = fr2(0x050);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(u->c, &fu), 0);
    const uint32_t attempt = sim_can_frame_bits(&fu) + ACK_ERR_EXTRA;
    run_to(&b, bits_ns(3 * (uint64_t)attempt) - 1);
    /* The bus never heard u: a's frame went first although u's identifier is lower. */
    ASSERT_EQ_I64(b.obs->frames_n, 1);
    ASSERT_EQ_I64(b.obs->fr[0].t0, 0);
    ASSERT_EQ_I64(b.obs->errors_n, 0);
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(u->rx_n, 0);
    /* u alone on its side: ACK errors, the third one's flag started 17 bits before 3 attempts. */
    ASSERT_EQ_I64(sim_can_ctrl_tec(u->c), 24);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.error_frames, 0);
    ASSERT_EQ_U64(st.busy_bit_times, sim_can_frame_bits(&fa));

    /* Plugged back in during its third attempt: that one still fails on u's own wire, then the
     * frame goes out on the bus and everyone hears it. */
    sim_can_ctrl_set_unplugged(u->c, false);
    run_to(&b, SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 2);
    ASSERT_EQ_I64(b.obs->fr[1].t0, bits_ns(3 * (uint64_t)attempt));
    ASSERT_EQ_I64(r->rx_n, 2);
    ASSERT_EQ_I64(a->rx_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(u->c), 23);

    /* With the only other node unplugged nobody acknowledges a. */
    sim_can_ctrl_set_unplugged(r->c, true);
    sim_can_ctrl_set_unplugged(u->c, true);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    run_to(&b, SIM_NS_PER_MS + bits_ns(sim_can_frame_bits(&fa) + ACK_ERR_EXTRA));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_ACK);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 8);
    ASSERT_EQ_I64(r->rx_n, 2);
    bench_free(&b);
}

static void test_babble(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *q = bench_node(&b, "q", NULL);
    sim_can_frame_t noise = std_frame(0x010, 0, NULL);
    const uint32_t nb = sim_can_frame_bits(&noise);
    sim_can_frame_t fq = fr2(0x100), fa = fr2(0x200);
    sim_can_ctrl_set_babble(a->c, &noise, true);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(q->c, &fq), 0);
    const sim_time_ns_t t_off = bits_ns(100 * (uint64_t)nb);
    run_to(&b, t_off - bits_ns(4) - 1);
    /* Babble frames back to back (the 100th on the wire, 4 bits before its receivers get it),
     * nothing else got through. */
    ASSERT_EQ_I64(b.obs->frames_n, 99);
    for (int i = 0; i < 99; i++) {
        ASSERT_EQ_U64(b.obs->fr[i].f.id, 0x010);
        ASSERT_EQ_I64(b.obs->fr[i].t0, bits_ns((uint64_t)i * nb));
    }
    ASSERT_EQ_I64(q->rx_n, 99);
    ASSERT_EQ_I64(q->done_n, 0);
    ASSERT_EQ_I64(a->done_n, 0); /* babble frames are not queue frames */
    sim_can_ctrl_stats_t st;
    sim_can_ctrl_stats(q->c, &st);
    ASSERT_EQ_U64(st.arbitration_lost, 100);
    sim_can_ctrl_stats(a->c, &st);
    ASSERT_EQ_U64(st.tx_ok, 99);

    sim_can_ctrl_set_babble(a->c, NULL, false);
    run_to(&b, t_off + SIM_NS_PER_MS);
    ASSERT_EQ_I64(b.obs->frames_n, 102);
    ASSERT_EQ_U64(b.obs->fr[100].f.id, 0x100);
    ASSERT_EQ_I64(b.obs->fr[100].t0, t_off);
    ASSERT_EQ_U64(b.obs->fr[101].f.id, 0x200);
    ASSERT_EQ_I64(a->done_n, 1);
    ASSERT_EQ_U64(a->done[0].id, 0x200);
    bench_free(&b);
}

/* Held dominant (ISO 11898-1 as sim_can_hold.c follows it): a hold asked for during r's frame
 * starts at its end, where that first dominant bit is an SOF to all. a's frame (0x100, third
 * identifier bit recessive) loses arbitration to the wire, so every node is a receiver: a stuff
 * error at bit 5 (REC 1, one error frame at bit 6), REC += 8 at bit 12 and at bits 19, 27, ...
 * Nobody's TEC moves; everyone is error-passive at bit 131; the listen-only node counts nothing.
 * After the release a's frame starts 11 bits later (error delimiter, intermission). */
static void test_stuck_dominant(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    node_t *l = bench_node(&b, "listener", &(sim_can_ctrl_cfg_t){.listen_only = true});
    sim_can_frame_t fr = fr2(0x300), fa = fr2(0x100);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(r->c, &fr), 0);
    run_to(&b, bits_ns(10));
    sim_can_bus_fault_stuck_dominant(b.bus, true);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &fa), 0);
    const sim_time_ns_t t0 = bits_ns(sim_can_frame_bits(&fr));
    run_to(&b, t0 + bits_ns(6) - 1);
    ASSERT_EQ_I64(a->rx_n, 1); /* r's frame finished first */
    ASSERT_EQ_I64(b.obs->errors_n, 0);
    run_to(&b, t0 + bits_ns(6));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_EQUAL(b.obs->er[0].kind, SIM_CAN_ERR_STUFF);
    CU_ASSERT_EQUAL(b.obs->er[0].field, SIM_CAN_FIELD_ID28_21); /* bit 5: identifier bit 4 */
    ASSERT_EQ_I64(b.obs->er[0].t, t0 + bits_ns(6));
    CU_ASSERT_PTR_NULL(b.obs->er[0].sender);
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 1);
    run_to(&b, t0 + bits_ns(13));
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 9);
    run_to(&b, t0 + bits_ns(20));
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 17);
    run_to(&b, t0 + bits_ns(132) - 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 121);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_WARNING);
    ASSERT_EQ_I64(a->state_t[a->state_n - 1], t0 + bits_ns(100));
    run_to(&b, t0 + bits_ns(132));
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 129);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(a->c), SIM_CAN_ERROR_PASSIVE);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(r->c), SIM_CAN_ERROR_PASSIVE);
    ASSERT_EQ_I64(a->state_t[a->state_n - 1], t0 + bits_ns(132));

    const sim_time_ns_t t_rel = 10 * SIM_NS_PER_MS;
    run_to(&b, t_rel);
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 255);
    ASSERT_EQ_I64(sim_can_ctrl_tec(a->c), 0);
    ASSERT_EQ_I64(sim_can_ctrl_rec(l->c), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(l->c), SIM_CAN_ERROR_ACTIVE);
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(a->c), 1);
    sim_can_ctrl_stats_t cs;
    sim_can_ctrl_stats(r->c, &cs);
    ASSERT_EQ_U64(cs.rx_errors, 1);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.busy_bit_times, (uint64_t)(t_rel / BIT_NS));
    ASSERT_EQ_U64(st.error_frames, 1);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 1000000);

    sim_can_bus_fault_stuck_dominant(b.bus, false);
    const sim_time_ns_t t1 = t_rel + bits_ns(11 + sim_can_frame_bits(&fa));
    run_to(&b, t1);
    ASSERT_EQ_I64(b.obs->frames_n, 2);
    ASSERT_EQ_I64(b.obs->fr[1].t0, t_rel + bits_ns(11));
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 127);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(r->c), SIM_CAN_ERROR_WARNING);
    ASSERT_EQ_I64(sim_can_ctrl_rec(a->c), 255); /* a transmitted; it received nothing yet */
    bench_free(&b);
}

/* A transmitter whose identifier starts with four dominant bits (0x010) sends bit 5 as a
 * recessive stuff bit and reads it dominant: a stuff error in arbitration, which costs no TEC
 * (exception 2), but it stays a transmitter, so from bit 19 its TEC rises by 8 per 8 bits: 248
 * at bit 259, bus-off at bit 267. Recovery waits for the release. */
static void test_stuck_dominant_to_bus_off(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *t = bench_node(&b, "t", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    sim_can_bus_fault_stuck_dominant(b.bus, true);
    sim_can_frame_t f = fr2(0x010);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(t->c, &f), 0);
    run_to(&b, bits_ns(6));
    ASSERT_EQ_I64(b.obs->errors_n, 1);
    CU_ASSERT_PTR_EQUAL(b.obs->er[0].sender, t->c);
    ASSERT_EQ_I64(sim_can_ctrl_tec(t->c), 0);
    ASSERT_EQ_I64(sim_can_ctrl_rec(t->c), 0);
    run_to(&b, bits_ns(20));
    ASSERT_EQ_I64(sim_can_ctrl_tec(t->c), 8);
    run_to(&b, bits_ns(268) - 1);
    ASSERT_EQ_I64(sim_can_ctrl_tec(t->c), 248);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(t->c), SIM_CAN_ERROR_PASSIVE);
    run_to(&b, bits_ns(268));
    CU_ASSERT_EQUAL(sim_can_ctrl_state(t->c), SIM_CAN_BUS_OFF);
    ASSERT_EQ_I64(t->done_n, 1);
    ASSERT_EQ_I64(t->done_status[0], -SIM_ECANCELED);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 255);
    ASSERT_EQ_I64(sim_can_ctrl_tec(r->c), 0);
    sim_can_ctrl_stats_t cs;
    sim_can_ctrl_stats(t->c, &cs);
    ASSERT_EQ_U64(cs.tx_errors, 1);
    ASSERT_EQ_U64(cs.bus_off_count, 1);
    CU_ASSERT_EQUAL(sim_can_ctrl_recover(t->c), 0);

    const sim_time_ns_t t_rel = 10 * SIM_NS_PER_MS;
    run_to(&b, t_rel);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(t->c), SIM_CAN_BUS_OFF); /* no recessive bit yet */
    sim_can_bus_fault_stuck_dominant(b.bus, false);
    run_to(&b, t_rel + bits_ns(RECOVERY_BITS) - 1);
    CU_ASSERT_EQUAL(sim_can_ctrl_state(t->c), SIM_CAN_BUS_OFF);
    run_to(&b, t_rel + bits_ns(RECOVERY_BITS));
    CU_ASSERT_EQUAL(sim_can_ctrl_state(t->c), SIM_CAN_ERROR_ACTIVE);
    run_to(&b, 2 * t_rel);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 500000);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(t->c, &f), 0);
    run_to(&b, 2 * t_rel + bits_ns(sim_can_frame_bits(&f)));
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(sim_can_ctrl_rec(r->c), 127);
    bench_free(&b);
}

/* ---- statistics and observers ------------------------------------------------------------ */

static void test_bus_load_statistics(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    bench_node(&b, "r", NULL);
    /* 0x123 with 3 bytes is 72 bits = 144 us, sent once per millisecond: 14.4 % load. */
    pacer_t p = {a->c, std_frame(0x123, 3, (const uint8_t[]){0x11, 0x22, 0x33}), 10};
    ASSERT_EQ_U64(sim_can_frame_bits(&p.f), 72);
    sim_kernel_schedule(b.k, 0, SIM_PRIO_FIRMWARE, pace, &p, SIM_NS_PER_MS);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 0);
    run_to(&b, 10 * SIM_NS_PER_MS);
    sim_can_bus_stats_t st;
    sim_can_bus_stats(b.bus, &st);
    ASSERT_EQ_U64(st.frames, 10);
    ASSERT_EQ_U64(st.error_frames, 0);
    ASSERT_EQ_U64(st.busy_bit_times, 720);
    ASSERT_EQ_I64(st.since_ns, 0);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 144000);
    run_to(&b, 30 * SIM_NS_PER_MS);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 48000);
    /* A third: 1440 us busy over 3 ms... rounding goes down. */
    run_to(&b, 30 * SIM_NS_PER_MS + 1);
    ASSERT_EQ_U64(sim_can_bus_load_ppm(b.bus), 47999);
    bench_free(&b);
}

/* Random traffic from four nodes: observers see frames in bus order, back to back or later,
 * each lasting exactly its bit count, and a listen-only node receives them in the same order. */
static void test_observers_see_bus_order(void) {
    bench_t b;
    bench_init(&b, 3);
    node_t *n[4];
    const char *names[4] = {"n0", "n1", "n2", "n3"};
    for (int i = 0; i < 4; i++) {
        n[i] = bench_node(&b, names[i], &(sim_can_ctrl_cfg_t){.tx_queue_len = 16});
    }
    node_t *l = bench_node(&b, "listener", &(sim_can_ctrl_cfg_t){.listen_only = true});
    sim_prng_t prng;
    sim_kernel_prng(b.k, "test.traffic", &prng);
    int queued = 0;
    for (int burst = 0; burst < 4; burst++) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                /* The low bits name the node: no two nodes share an identifier. */
                uint32_t id = ((uint32_t)sim_prng_below(&prng, 0x200) << 2) | (uint32_t)i;
                sim_can_frame_t f = {.id = id, .dlc = (uint8_t)sim_prng_below(&prng, 9)};
                /* dlc <= 8 holds by sim_prng_below's contract, which the compiler cannot see in
                 * another translation unit: the assertion states it. The loop is bounded by a
                 * local, not f.dlc, because f's address went to the controller in an earlier pass,
                 * so the compiler must assume any call might change f.dlc. Without both, gcc -O3
                 * finds a path writing data[8] (-Wstringop-overflow). */
                const size_t dlc = f.dlc;
                SIM_ASSERT(dlc <= sizeof f.data);
                for (size_t d = 0; d < dlc; d++) {
                    f.data[d] = (uint8_t)sim_prng_below(&prng, 256);
                }
                if (sim_can_ctrl_send(n[i]->c, &f) == 0) {
                    queued++;
                }
            }
        }
        run_to(&b, (burst + 1) * 5 * SIM_NS_PER_MS / 2);
    }
    run_to(&b, 100 * SIM_NS_PER_MS);
    ASSERT_EQ_I64(queued, 64);
    ASSERT_EQ_I64(b.obs->frames_n, queued);
    ASSERT_EQ_I64(b.obs->errors_n, 0);
    ASSERT_EQ_I64(l->rx_n, b.obs->frames_n);
    for (int i = 0; i < b.obs->frames_n && i < MAX_REC; i++) {
        const obs_frame_t *fr = &b.obs->fr[i];
        /* Seen at the receivers' instant: 4 bits before the end of the intermission. */
        ASSERT_EQ_I64(fr->t1 - fr->t0, bits_ns(sim_can_frame_bits(&fr->f) - 4));
        if (i > 0) {
            CU_ASSERT_TRUE(fr->t0 >= b.obs->fr[i - 1].t1 + bits_ns(4));
        }
        ASSERT_EQ_U64(l->rx[i].id, fr->f.id);
        ASSERT_EQ_I64(l->rx_t[i], fr->t1);
    }
    bench_free(&b);
}

/* ---- teardown while a frame is on the wire ----------------------------------------------- */

typedef struct {
    bench_t *b;
    int which;
} cut_t;

static void cut(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    cut_t *c = ctx;
    node_t *n = &c->b->n[c->which];
    if (arg == 0) {
        sim_can_ctrl_detach(n->c);
        n->c = NULL;
    } else {
        CU_ASSERT_EQUAL(sim_can_ctrl_stop(n->c), 0);
    }
}

static void test_detach_and_stop_mid_frame(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    node_t *gone = bench_node(&b, "gone", NULL);
    sim_can_frame_t f = fr2(0x100);
    const sim_time_ns_t tf = bits_ns(sim_can_frame_bits(&f));
    /* The sender is detached half way: receivers still get the frame, nobody calls it back. */
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    cut_t ca = {&b, 0}, cg = {&b, 2};
    sim_kernel_schedule(b.k, tf / 2, SIM_PRIO_SCENARIO, cut, &ca, 0);
    sim_kernel_schedule(b.k, tf / 2, SIM_PRIO_SCENARIO, cut, &cg, 0);
    run_to(&b, 3 * tf);
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(b.obs->frames_n, 1);
    CU_ASSERT_PTR_NULL(b.obs->fr[0].sender);
    ASSERT_EQ_I64(a->done_n, 0);
    ASSERT_EQ_I64(gone->rx_n, 0);

    /* A sender stopped half way: its queue is flushed at once, the frame still completes. */
    node_t *s = bench_node(&b, "s", NULL);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(s->c, &f), 0);
    cut_t cs = {&b, 3};
    sim_kernel_schedule(b.k, 3 * tf + tf / 2, SIM_PRIO_SCENARIO, cut, &cs, 1);
    run_to(&b, 6 * tf);
    ASSERT_EQ_I64(s->done_n, 1);
    ASSERT_EQ_I64(s->done_status[0], -SIM_ECANCELED);
    ASSERT_EQ_I64(s->done_t[0], 3 * tf + tf / 2);
    ASSERT_EQ_I64(r->rx_n, 2);
    ASSERT_EQ_I64(sim_can_ctrl_tec(s->c), 0);
    bench_free(&b);
}

static void join(sim_kernel_t *k, void *ctx, uint64_t arg) {
    (void)k;
    node_t *n = ctx;
    if (arg == 0) {
        CU_ASSERT_EQUAL(sim_can_ctrl_start(n->c), 0);
    } else {
        sim_can_ctrl_set_unplugged(n->c, false);
    }
}

/* A controller started or plugged in during a frame has not synchronised to its SOF: it gets
 * that frame's successor, not the frame itself. */
static void test_join_mid_frame(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r = bench_node(&b, "r", NULL);
    node_t *late = bench_node(&b, "late", NULL);
    node_t *plug = bench_node(&b, "plug", NULL);
    CU_ASSERT_EQUAL(sim_can_ctrl_stop(late->c), 0);
    sim_can_ctrl_set_unplugged(plug->c, true);
    sim_can_frame_t f = fr2(0x100);
    const sim_time_ns_t tf = bits_ns(sim_can_frame_bits(&f));
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    sim_kernel_schedule(b.k, tf / 2, SIM_PRIO_SCENARIO, join, late, 0);
    sim_kernel_schedule(b.k, tf / 2, SIM_PRIO_SCENARIO, join, plug, 1);
    run_to(&b, tf);
    ASSERT_EQ_I64(r->rx_n, 1);
    ASSERT_EQ_I64(late->rx_n, 0);
    ASSERT_EQ_I64(plug->rx_n, 0);
    run_to(&b, 2 * tf);
    ASSERT_EQ_I64(r->rx_n, 2);
    ASSERT_EQ_I64(late->rx_n, 1);
    ASSERT_EQ_I64(late->rx_t[0], 2 * tf - bits_ns(4)); /* the end of the last but one EOF bit */
    ASSERT_EQ_I64(plug->rx_n, 1);
    bench_free(&b);
}

/* Callbacks may detach controllers, including ones still due a callback for the same frame. */
static void test_detach_from_callbacks(void) {
    bench_t b;
    bench_init(&b, 1);
    node_t *a = bench_node(&b, "a", NULL);
    node_t *r1 = bench_node(&b, "r1", NULL);
    node_t *r2 = bench_node(&b, "r2", NULL);
    r1->detach_on_rx[0] = r2->c;
    r1->detach_on_rx[1] = r1->c;
    sim_can_frame_t f = fr2(0x100);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    CU_ASSERT_EQUAL(sim_can_ctrl_send(a->c, &f), 0);
    run_to(&b, SIM_NS_PER_MS);
    r1->c = r2->c = NULL;
    ASSERT_EQ_I64(r1->rx_n, 1);
    ASSERT_EQ_I64(r2->rx_n, 0);
    /* a was left alone: its first frame was sent, the second meets nobody. */
    ASSERT_EQ_I64(a->done_n, 1);
    CU_ASSERT_TRUE(sim_can_ctrl_tec(a->c) > 0);
    bench_free(&b);
}

/* A controller restarted after a bus-off via on_state resends on its own: auto recovery loop. */
static void test_restart_resend_from_state_callback(void) {
    busoff_t s;
    drive_to_bus_off(&s, true);
    s.a->resend_on_active = true;
    s.a->resend = s.f;
    run_to(&s.b, s.t_off + bits_ns(RECOVERY_BITS + s.attempt));
    /* The resend started at the recovery instant and the corrupt fault is still on. */
    ASSERT_EQ_I64(s.b.obs->errors_n, 33);
    ASSERT_EQ_I64(sim_can_ctrl_tx_pending(s.a->c), 1);
    bench_free(&s.b);
}

void test_register(void) {
    TEST_SUITE("can_bus", TEST(test_lowest_id_first_back_to_back),
               TEST(test_arbitration_bits_order_formats), TEST(test_same_id_same_data_one_frame),
               TEST(test_same_id_different_data_bit_error), TEST(test_bit_error_in_the_dlc),
               TEST(test_bit_error_flags_superpose), TEST(test_passive_loser_leaves_the_frame),
               TEST(test_lone_node_stops_at_error_passive), TEST(test_listen_only_does_not_ack),
               TEST(test_corrupt_to_bus_off_auto_recover),
               TEST(test_bus_off_recovers_only_on_request), TEST(test_recovery_counts_frame_tails),
               TEST(test_collisions_until_error_passive),
               TEST(test_passive_collision_without_receivers), TEST(test_rec_rules),
               TEST(test_error_passive_suspend_transmission), TEST(test_queue_full_and_api_errors),
               TEST(test_acceptance_filters), TEST(test_drop_fault),
               TEST(test_fault_randomness_is_isolated), TEST(test_unplug), TEST(test_babble),
               TEST(test_stuck_dominant), TEST(test_stuck_dominant_to_bus_off),
               TEST(test_bus_load_statistics), TEST(test_observers_see_bus_order),
               TEST(test_detach_and_stop_mid_frame), TEST(test_join_mid_frame),
               TEST(test_detach_from_callbacks), TEST(test_restart_resend_from_state_callback));
}
