/*
 * sa_observe.c: what the engine observes itself: the election flags, NodeIDs, frame counts and
 * signal values carried by CAN frames, and the indicators the run layer feeds (status LEDs,
 * TM1637 text, WS2812 pixels).
 *
 * The elected master is read from the bus, as the gateway and the app read it: a node claims
 * mastership with bit 0 of ANN byte 3 and bit 3 of TEL page 0's status byte, and the claim
 * counts while it is fresh (sa_int.h). When a claim goes stale without a frame, an event at that
 * instant makes the engine re-evaluate, so "master" changes exactly when the claim expires.
 * Blinking is told by status_leds.h's detector, fed with LED edges and, for the display, with
 * its text going blank or not blank.
 */
#include <stdio.h>
#include <string.h>

#include "sa_int.h"
#include "sim_signals.h"

#define TEL_BASE          0x100u
#define ANN_BASE          0x300u
#define TEL_STATUS_MASTER 0x08u /* TEL page 0, byte 6, bit 3 */

bool sa_claim_fresh(const sim_assert_t *e, const sa_node_t *n) {
    sim_time_ns_t age = sim_kernel_now(e->k) - n->claim_ns;
    return n->claim && n->claim_ns >= 0 && age <= (n->sent_tel ? SA_FRESH_TEL_NS : SA_FRESH_ANN_NS);
}

static void on_stale(sim_kernel_t *k, void *ctx, uint64_t arg) {
    sim_assert_t *e = ctx;
    (void)k;
    e->nodes[arg].stale_ev = 0;
    sim_assert_changed(e);
}

/* A flag-carrying frame from node i: remember the claim and when it will go stale. */
static void claim(sim_assert_t *e, size_t i, bool master, bool from_tel, sim_time_ns_t t) {
    sa_node_t *n = &e->nodes[i];
    n->claim = master;
    n->claim_ns = t;
    n->sent_tel = n->sent_tel || from_tel;
    if (n->stale_ev != 0) {
        (void)sim_kernel_cancel(e->k, n->stale_ev);
        n->stale_ev = 0;
    }
    if (master && !e->finished) {
        sim_time_ns_t fresh = n->sent_tel ? SA_FRESH_TEL_NS : SA_FRESH_ANN_NS;
        n->stale_ev =
            sim_kernel_schedule(e->k, sim_time_add(t, fresh + 1), SIM_PRIO_OBSERVE, on_stale, e, i);
    }
}

/* Election flags and NodeIDs of the sender's per-node frames. */
static void node_frame(sim_assert_t *e, int sender, const sim_can_frame_t *f, sim_time_ns_t t) {
    size_t nm = 0;
    const sim_msg_def_t *msgs = sim_msg_defs(&nm);
    for (size_t m = 0; m < nm; m++) {
        int id = -1;
        if (msgs[m].per_node && sim_msg_matches(&msgs[m], f, &id)) {
            e->nodes[sender].node_id = id;
            break;
        }
    }
    bool std = (f->flags & (SIM_CAN_FLAG_IDE | SIM_CAN_FLAG_RTR)) == 0;
    if (std && f->id >= ANN_BASE && f->id < ANN_BASE + 127u && f->dlc >= 4) {
        claim(e, (size_t)sender, (f->data[3] & 1u) != 0, false, t);
    } else if (std && f->id >= TEL_BASE && f->id < TEL_BASE + 127u && f->dlc >= 7 &&
               f->data[0] == 0) {
        claim(e, (size_t)sender, (f->data[6] & TEL_STATUS_MASTER) != 0, true, t);
    }
}

static bool frame_matches(const sim_subject_t *s, int sender, const sim_can_frame_t *f,
                          sim_time_ns_t t) {
    bool ext = (f->flags & SIM_CAN_FLAG_IDE) != 0;
    if (t < s->since_ns || ext != s->ext || (s->node >= 0 && sender != s->node) ||
        (f->id & s->match_mask) != (s->match_id & s->match_mask) || f->dlc < s->item) {
        return false;
    }
    for (int i = 0; i < s->item; i++) {
        if ((f->data[i] & s->data_mask[i]) != s->data[i]) {
            return false;
        }
    }
    return true;
}

static void slot_frame(sa_slot_t *slot, const sim_subject_t *s, int sender,
                       const sim_can_frame_t *f, sim_time_ns_t t) {
    if (s->kind == SIM_SUBJ_CAN_FRAMES && frame_matches(s, sender, f, t)) {
        slot->count++;
    }
    if (s->kind == SIM_SUBJ_SIGNAL) {
        size_t n = 0;
        const sim_signal_def_t *sig = &sim_signal_defs(&n)[s->item];
        const sim_msg_def_t *m = &sim_msg_defs(&n)[sig->msg];
        int id = -1;
        if ((s->node < 0 || sender == s->node) && sim_msg_matches(m, f, &id) &&
            sim_signal_in_frame(sig, f)) {
            slot->has_value = true;
            slot->value_micro = sim_signal_decode_micro(sig, f);
        }
    }
}

void sim_assert_on_frame(sim_assert_t *e, int sender, const sim_can_frame_t *f,
                         sim_time_ns_t t_ns) {
    SIM_ASSERT(sender >= -1 && (sender < 0 || (size_t)sender < e->n_nodes));
    if (sender >= 0) {
        node_frame(e, sender, f, t_ns);
    }
    for (size_t i = 0; i < e->n_checks; i++) {
        sa_check_t *ch = &e->checks[i];
        slot_frame(&ch->slot[0], &ch->spec->cond.subj, sender, f, t_ns);
        if (ch->spec->trigger_is_cond) {
            slot_frame(&ch->slot[1], &ch->spec->trigger.subj, sender, f, t_ns);
        }
    }
    sim_assert_changed(e);
}

/* The node's blink detectors, created when first fed. */
static status_leds_t *detectors(sim_assert_t *e, int node) {
    SIM_ASSERT(node >= 0 && (size_t)node < e->n_nodes);
    sa_node_t *n = &e->nodes[node];
    if (n->leds == NULL) {
        status_leds_cfg_t cfg;
        status_leds_cfg_default(&cfg);
        cfg.count = SA_LED_DISPLAY + 1;
        int rc = status_leds_create(&cfg, &n->leds);
        SIM_ASSERT(rc == 0 || rc == -SIM_ENOMEM); /* out of memory: the LEDs read "off" */
    }
    return n->leds;
}

void sim_assert_on_led(sim_assert_t *e, int node, unsigned led, bool lit, sim_time_ns_t t_ns) {
    SIM_ASSERT(led < SA_LED_DISPLAY);
    status_leds_t *l = detectors(e, node);
    if (l != NULL) {
        status_leds_set(l, led, lit, t_ns);
    }
    sim_assert_changed(e);
}

void sim_assert_on_display(sim_assert_t *e, int node, const char *text, sim_time_ns_t t_ns) {
    status_leds_t *l = detectors(e, node);
    sa_node_t *n = &e->nodes[node];
    snprintf(n->display, sizeof n->display, "%s", text);
    n->display_seen = true;
    bool visible = strspn(n->display, " ") != strlen(n->display);
    if (visible) {
        memcpy(n->shown, n->display, sizeof n->shown);
    }
    if (l != NULL) {
        status_leds_set(l, SA_LED_DISPLAY, visible, t_ns);
    }
    sim_assert_changed(e);
}

void sim_assert_on_pixels(sim_assert_t *e, int node, const uint32_t *rgb, size_t n,
                          sim_time_ns_t t_ns) {
    SIM_ASSERT(node >= 0 && (size_t)node < e->n_nodes && n <= SIM_ASSERT_PIXELS);
    (void)t_ns;
    sa_node_t *nd = &e->nodes[node];
    memcpy(nd->pixels, rgb, n * sizeof *rgb);
    nd->n_pixels = (unsigned)n;
    sim_assert_changed(e);
}

void sa_observe_free(sim_assert_t *e) {
    for (size_t i = 0; i < e->n_nodes; i++) {
        status_leds_destroy(e->nodes[i].leds);
        e->nodes[i].leds = NULL;
    }
}
