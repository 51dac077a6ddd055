/*
 * sa_answer.c: the present value of the subjects the engine observes itself (FRAMES, FEEDS).
 *
 * Values exist only once observed: a signal never decoded, a node that never fed its display,
 * a pixel beyond the chain the node last sent, all read "unavailable" (SIM_VAL_NONE), which no
 * comparison accepts.
 */
#include <stdio.h>
#include <string.h>

#include "sa_int.h"

static void num(sim_value_t *v, int64_t units) {
    v->type = SIM_VAL_NUM;
    v->num_micro = units * SIM_VALUE_MICRO;
}

static void text(sim_value_t *v, const char *s) {
    v->type = SIM_VAL_TEXT;
    snprintf(v->text, sizeof v->text, "%s", s);
}

/* Names of the nodes with a fresh claim, in node order, joined by ','. */
static void master(const sim_assert_t *e, sim_value_t *v) {
    size_t used = 0;
    v->type = SIM_VAL_TEXT;
    v->text[0] = '\0';
    for (size_t i = 0; i < e->n_nodes; i++) {
        if (!sa_claim_fresh(e, &e->nodes[i])) {
            continue;
        }
        int w = snprintf(v->text + used, sizeof v->text - used, "%s%s", used ? "," : "",
                         e->cfg.scn->nodes[i].name);
        used = w > 0 && (size_t)w < sizeof v->text - used ? used + (size_t)w : sizeof v->text - 1;
    }
}

static void led(const sim_assert_t *e, const sim_subject_t *s, sim_value_t *v) {
    static const char *const modes[] = {[LED_OFF] = "off", [LED_ON] = "on", [LED_BLINK] = "blink"};
    const sa_node_t *n = &e->nodes[s->node];
    led_state_t st = {LED_OFF, 0, 0};
    if (n->leds != NULL) {
        status_leds_state(n->leds, (unsigned)s->item, sim_kernel_now(e->k), &st);
    }
    if (s->kind == SIM_SUBJ_LED) {
        text(v, modes[st.mode]);
    } else {
        v->type = SIM_VAL_NUM;
        v->num_micro = st.mode == LED_BLINK ? st.period_ns : 0; /* ms in millionths = ns */
    }
}

static void display(const sim_assert_t *e, const sim_subject_t *s, sim_value_t *v) {
    const sa_node_t *n = &e->nodes[s->node];
    if (!n->display_seen) {
        return;
    }
    if (s->kind == SIM_SUBJ_DISPLAY_BLINK) {
        led_state_t st = {LED_OFF, 0, 0};
        if (n->leds != NULL) {
            status_leds_state(n->leds, SA_LED_DISPLAY, sim_kernel_now(e->k), &st);
        }
        v->type = SIM_VAL_BOOL;
        v->b = st.mode == LED_BLINK;
        return;
    }
    text(v, s->kind == SIM_SUBJ_DISPLAY ? n->display : n->shown);
}

static void pixels(const sim_assert_t *e, const sim_subject_t *s, sim_value_t *v) {
    const sa_node_t *n = &e->nodes[s->node];
    unsigned count = 0;
    if (s->kind == SIM_SUBJ_PIXEL) {
        if ((unsigned)s->item < n->n_pixels) {
            v->type = SIM_VAL_COLOUR;
            v->rgb = n->pixels[s->item];
        }
        return;
    }
    for (unsigned i = 0; i < n->n_pixels; i++) {
        bool lit = (n->pixels[i] & 0xFFFFFFu) != 0;
        count += s->kind == SIM_SUBJ_PIXELS_LIT ? lit : (n->pixels[i] & 0xFFFFFFu) == s->rgb;
    }
    if (n->n_pixels > 0) {
        num(v, count);
    }
}

int sa_observe_value(sim_assert_t *e, const sa_check_t *ch, int which, sim_value_t *out) {
    const sim_subject_t *s = which == 0 ? &ch->spec->cond.subj : &ch->spec->trigger.subj;
    const sa_slot_t *slot = &ch->slot[which];
    switch (s->kind) {
        case SIM_SUBJ_MASTER:
            master(e, out);
            break;
        case SIM_SUBJ_MASTER_FLAG:
            out->type = SIM_VAL_BOOL;
            out->b = sa_claim_fresh(e, &e->nodes[s->node]);
            break;
        case SIM_SUBJ_NODE_ID:
            if (e->nodes[s->node].node_id >= 0) {
                num(out, e->nodes[s->node].node_id);
            }
            break;
        case SIM_SUBJ_CAN_FRAMES:
            num(out, slot->count);
            break;
        case SIM_SUBJ_SIGNAL:
            if (slot->has_value) {
                out->type = SIM_VAL_NUM;
                out->num_micro = slot->value_micro;
            }
            break;
        case SIM_SUBJ_LED:
        case SIM_SUBJ_LED_PERIOD_MS:
            led(e, s, out);
            break;
        case SIM_SUBJ_DISPLAY:
        case SIM_SUBJ_DISPLAY_SHOWN:
        case SIM_SUBJ_DISPLAY_BLINK:
            display(e, s, out);
            break;
        case SIM_SUBJ_PIXEL:
        case SIM_SUBJ_PIXELS_LIT:
        case SIM_SUBJ_PIXELS_OF:
            pixels(e, s, out);
            break;
        default:
            SIM_ASSERT(!"a probe subject asked of the engine");
    }
    return 0;
}
