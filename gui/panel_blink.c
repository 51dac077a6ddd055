/*
 * panel_blink.c: blink detection over frames (the rule is in panel_blink.h).
 */
#include "panel_blink.h"

#include <string.h>

static const int64_t none_ns = INT64_MIN;

void panel_blink_reset(panel_blink_t *b) {
    memset(b, 0, sizeof *b);
    for (unsigned n = 0; n < PANEL_NODES_MAX; n++) {
        for (unsigned s = 0; s < PANEL_SIGNALS; s++) {
            b->sig[n][s].last_change_ns = none_ns;
            b->sig[n][s].prev_change_ns = none_ns;
        }
    }
}

bool panel_display_lit(const panel_node_t *n) {
    unsigned digits = n->tm1637_digits == 0 ? 3u : n->tm1637_digits;
    digits = digits > PANEL_TM1637_REGS ? PANEL_TM1637_REGS : digits;
    if (!n->tm1637_on) {
        return false;
    }
    for (unsigned i = 0; i < digits; i++) {
        if (n->tm1637_regs[i] != 0) {
            return true;
        }
    }
    return false;
}

static void feed(panel_blink_sig_t *s, bool level, int64_t t_ns) {
    if (level != s->level) {
        s->prev_change_ns = s->last_change_ns;
        s->last_change_ns = t_ns;
        s->level = level;
    }
}

void panel_blink_update(panel_blink_t *b, const panel_snapshot_t *s) {
    if (b->started && (s->t_ns < b->last_t_ns || s->n_nodes != b->n_nodes)) {
        panel_blink_reset(b);
    }
    if (b->started && s->t_ns > b->last_t_ns) {
        b->frame_step_ns = s->t_ns - b->last_t_ns;
    }
    const bool first = !b->started;
    b->started = true;
    b->n_nodes = s->n_nodes;
    b->last_t_ns = s->t_ns;
    for (unsigned n = 0; n < s->n_nodes && n < PANEL_NODES_MAX; n++) {
        const panel_node_t *node = &s->nodes[n];
        bool lit = panel_display_lit(node);
        for (unsigned l = 0; l < PANEL_LEDS; l++) {
            if (first) {
                b->sig[n][l].level = node->led_lit[l]; /* the first frame sets, not changes */
            }
            feed(&b->sig[n][l], node->led_lit[l], s->t_ns);
        }
        if (first) {
            b->sig[n][PANEL_SIG_DISPLAY].level = lit;
        }
        feed(&b->sig[n][PANEL_SIG_DISPLAY], lit, s->t_ns);
        if (lit) {
            memcpy(b->lit_regs[n], node->tm1637_regs, PANEL_TM1637_REGS);
        }
    }
}

bool panel_blink_active(const panel_blink_t *b, unsigned node, unsigned sig) {
    if (node >= PANEL_NODES_MAX || sig >= PANEL_SIGNALS || !b->started) {
        return false;
    }
    const panel_blink_sig_t *s = &b->sig[node][sig];
    if (s->prev_change_ns == none_ns) {
        return false;
    }
    int64_t window = PANEL_BLINK_WINDOW_NS;
    if (b->frame_step_ns > window / 6) {
        window = b->frame_step_ns * 6;
    }
    return b->last_t_ns - s->prev_change_ns <= window;
}

bool panel_blink_aliased(const panel_blink_t *b) {
    return b->frame_step_ns > PANEL_BLINK_FAST_NS;
}
