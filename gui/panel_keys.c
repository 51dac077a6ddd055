/*
 * panel_keys.c: keyboard and mouse -> operator inputs and the panel's own UI state.
 *
 * Toggles and steps are computed from the last drawn snapshot (what the operator sees), so
 * "pause" pauses a running run, "grid" cuts a grid that is up, and clicking a closed relay asks
 * for it open. The controls are documented in docs/panel.md and on the help overlay.
 */
#include "panel_int.h"

#include <stdio.h>
#include <string.h>

#include "panel_cmd.h"

/*
 * Until the next snapshot, the panel shows the run as the inputs it has just sent will leave
 * it, so keys of one frame build on each other: a pause and a resume on one frame resume, and
 * two '+' (or two ']') go two steps. The next panel_draw replaces this with the run's word.
 */
static void expect(panel_t *p, const panel_input_t *in) {
    panel_snapshot_t *s = &p->snap;
    switch (in->kind) {
        case PANEL_IN_PAUSE:
            s->paused = in->on;
            break;
        case PANEL_IN_STEP:
        case PANEL_IN_STEP_EVENT:
            s->paused = true;
            break;
        case PANEL_IN_SPEED:
            s->speed_milli = in->speed_milli;
            break;
        case PANEL_IN_GRID:
            s->grid_up = in->on;
            break;
        case PANEL_IN_PV_SCALE:
            s->pv_scale_pct = in->scale_pct;
            break;
        case PANEL_IN_LOAD_SCALE:
            s->load_scale_pct = in->scale_pct;
            break;
        default:
            break;
    }
}

/* Queues an input and, for operator actions, says what was sent. */
static void emit(panel_t *p, const panel_input_t *in) {
    panel_push(p, in);
    expect(p, in);
    if (panel_input_is_operator(in->kind)) {
        char what[PANEL_MESSAGE_MAX - 8], msg[PANEL_MESSAGE_MAX];
        panel_input_describe(in, what, sizeof what);
        snprintf(msg, sizeof msg, "sent: %s", what);
        panel_message(p, msg);
    }
}

static void emit_kind(panel_t *p, panel_input_kind_t kind, bool on) {
    panel_input_t in = panel_input_make(kind);
    in.on = on;
    emit(p, &in);
}

static void emit_speed(panel_t *p, uint32_t speed_milli) {
    panel_input_t in = panel_input_make(PANEL_IN_SPEED);
    in.speed_milli = speed_milli;
    emit(p, &in);
}

/* A node action on the selected node; the flag is computed from that node's state. */
static void node_action(panel_t *p, panel_input_kind_t kind) {
    if (p->selected < 0) {
        panel_message(p, "select a node first: 1-9, Tab or a click on its card");
        return;
    }
    const panel_node_t *n = &p->snap.nodes[p->selected];
    panel_input_t in = panel_input_make(kind);
    in.node = p->selected;
    in.on = kind == PANEL_IN_POWER ? n->state == PANEL_NODE_OFF : !n->can_unplugged;
    emit(p, &in);
}

static void scale_step(panel_t *p, bool pv, int delta_pct) {
    int32_t now = pv ? p->snap.pv_scale_pct : p->snap.load_scale_pct;
    int32_t next = now + delta_pct;
    next = next < 0 ? 0 : (next > PANEL_SCALE_MAX_PCT ? PANEL_SCALE_MAX_PCT : next);
    panel_input_t in = panel_input_make(pv ? PANEL_IN_PV_SCALE : PANEL_IN_LOAD_SCALE);
    in.scale_pct = next;
    emit(p, &in);
}

/* A gateway command to node `node` (-1: every pack); false if its NodeID is unknown. */
static bool send_command(panel_t *p, int node, uint16_t id, const uint8_t *args, uint8_t n) {
    panel_input_t in = panel_input_make(PANEL_IN_COMMAND);
    in.target = PANEL_NODE_ID_ALL;
    if (node >= 0) {
        in.target = p->snap.nodes[node].node_id;
        if (in.target == PANEL_NODE_ID_UNKNOWN) {
            panel_message(p, "this node has no NodeID yet (no ANN seen): cannot address it");
            return false;
        }
    }
    in.can_id = id;
    in.n_args = n;
    if (n > 0) {
        memcpy(in.args, args, n);
    }
    emit(p, &in);
    return true;
}

/* F2..F6: flip one mode, as seen on the target (or on the first node when targeting all). */
static void mode_toggle(panel_t *p, unsigned which) {
    static const uint16_t ids[] = {PANEL_CMD_SET_SELF, PANEL_CMD_SET_ECO, PANEL_CMD_SET_TOU,
                                   PANEL_CMD_SET_BACKUP, PANEL_CMD_SET_GRID_LIMIT_MODE};
    if (p->snap.n_nodes == 0 || which >= sizeof ids / sizeof ids[0]) {
        return;
    }
    const panel_node_t *ref = &p->snap.nodes[p->selected < 0 ? 0 : p->selected];
    uint8_t on = (ref->mode_mask & (1u << which)) ? 0u : 1u;
    send_command(p, p->selected, ids[which], &on, 1);
}

static void seek_to(panel_t *p, int64_t t_ns) {
    if (p->snap.view != PANEL_VIEW_REPLAY) {
        panel_message(p, "seeking works in a replay: alfasim replay DIR --panel");
        return;
    }
    t_ns = t_ns < 0 ? 0 : t_ns;
    t_ns = (p->snap.end_ns > 0 && t_ns > p->snap.end_ns) ? p->snap.end_ns : t_ns;
    if (p->q_len > 0) {
        /* Dragging the slider makes many seeks per frame: only the latest one matters. */
        panel_input_t *last = &p->queue[(p->q_head + p->q_len - 1) % PANEL_QUEUE_MAX];
        if (last->kind == PANEL_IN_SEEK) {
            last->t_ns = t_ns;
            return;
        }
    }
    panel_input_t in = panel_input_make(PANEL_IN_SEEK);
    in.t_ns = t_ns;
    emit(p, &in);
}

/* Virtual time under x on the timeline, clamped to the run. */
static int64_t timeline_t_ns(const panel_t *p, int x) {
    const panel_rect_t *r = &p->layout.timeline;
    int dx = x - r->x;
    dx = dx < 0 ? 0 : (dx > r->w - 1 ? r->w - 1 : dx);
    if (r->w < 2 || p->snap.end_ns <= 0) {
        return 0;
    }
    const int64_t span = r->w - 1; /* exact at both ends, no overflow for long runs */
    return p->snap.end_ns / span * dx + p->snap.end_ns % span * dx / span;
}

static void select_node(panel_t *p, int node) {
    if (node < (int)p->snap.n_nodes) {
        p->selected = node;
    }
}

static void submit_prompt(panel_t *p) {
    panel_cmd_result_t r;
    char err[PANEL_MESSAGE_MAX];
    p->prompt_open = false;
    if (panel_cmd_parse(p->prompt, &p->snap, p->selected, &r, err, sizeof err) != 0) {
        panel_message(p, err);
        return;
    }
    if (r.select) {
        select_node(p, r.node);
        panel_message(p, r.node < 0 ? "target: all packs" : "target selected");
    }
    if (r.has_input) {
        emit(p, &r.input);
    }
}

static bool char_run_control(panel_t *p, char c) {
    switch (c) {
        case ' ':
            emit_kind(p, PANEL_IN_PAUSE, !p->snap.paused);
            return true;
        case 's':
            emit_kind(p, PANEL_IN_STEP, false);
            return true;
        case 'n':
            emit_kind(p, PANEL_IN_STEP_EVENT, false);
            return true;
        case '+':
        case '=':
            emit_speed(p, panel_speed_step(p->snap.speed_milli, +1));
            return true;
        case '-':
        case '_':
            emit_speed(p, panel_speed_step(p->snap.speed_milli, -1));
            return true;
        case '0':
            emit_speed(p, PANEL_SPEED_ASAP);
            return true;
        case 'r':
            emit_speed(p, 1000);
            return true;
        case 'q':
            emit_kind(p, PANEL_IN_QUIT, false);
            return true;
        default:
            return false;
    }
}

static bool char_operator(panel_t *p, char c) {
    switch (c) {
        case 'P':
            node_action(p, PANEL_IN_POWER_CYCLE);
            return true;
        case 'O':
            node_action(p, PANEL_IN_POWER);
            return true;
        case 'H':
            node_action(p, PANEL_IN_HANG);
            return true;
        case 'U':
            node_action(p, PANEL_IN_CAN_UNPLUG);
            return true;
        case 'G':
            emit_kind(p, PANEL_IN_GRID, !p->snap.grid_up);
            return true;
        case '[':
        case ']':
            scale_step(p, true, c == ']' ? 10 : -10);
            return true;
        case ',':
        case '.':
            scale_step(p, false, c == '.' ? 10 : -10);
            return true;
        default:
            return false;
    }
}

static void on_char(panel_t *p, char c) {
    if (char_run_control(p, c) || char_operator(p, c)) {
        return;
    }
    if (c >= '1' && c <= '9') {
        select_node(p, c - '1');
    } else if (c == 'a' || c == '`') {
        p->selected = -1;
    } else if (c == 'h' || c == '?') {
        p->help = !p->help;
    } else if (c == ':') {
        p->prompt_open = true;
        p->prompt[0] = '\0';
    }
}

static void on_text(panel_t *p, const char *text) {
    for (; *text; text++) {
        char c = *text;
        if (p->prompt_open) {
            size_t n = strlen(p->prompt);
            if (c >= 0x20 && c < 0x7F && n + 1 < sizeof p->prompt) {
                p->prompt[n] = c;
                p->prompt[n + 1] = '\0';
            }
        } else {
            on_char(p, c);
        }
    }
}

static void on_prompt_key(panel_t *p, const panel_event_t *ev) {
    size_t n = strlen(p->prompt);
    if (ev->key == PANEL_KEY_RETURN) {
        submit_prompt(p);
    } else if (ev->key == PANEL_KEY_ESCAPE) {
        p->prompt_open = false;
    } else if (ev->key == PANEL_KEY_BACKSPACE && n > 0) {
        p->prompt[n - 1] = '\0';
    }
}

static void cycle_selection(panel_t *p, int dir) {
    int n = (int)p->snap.n_nodes + 1; /* -1 (all), 0 .. n_nodes - 1 */
    p->selected = ((p->selected + 1 + dir) % n + n) % n - 1;
}

static void on_key(panel_t *p, const panel_event_t *ev) {
    const int64_t step_ns = (ev->mods & PANEL_MOD_CTRL)    ? 60000000000LL
                            : (ev->mods & PANEL_MOD_SHIFT) ? 10000000000LL
                                                           : 1000000000LL;
    if (p->prompt_open) {
        on_prompt_key(p, ev);
        return;
    }
    if (ev->key >= PANEL_KEY_F1 + 1 && ev->key <= PANEL_KEY_F1 + 5) {
        mode_toggle(p, (unsigned)(ev->key - PANEL_KEY_F1 - 1));
        return;
    }
    switch (ev->key) {
        case PANEL_KEY_F1:
            p->help = !p->help;
            break;
        case PANEL_KEY_F12:
            panel_screenshot_key(p);
            break;
        case PANEL_KEY_RETURN:
            p->prompt_open = true;
            p->prompt[0] = '\0';
            break;
        case PANEL_KEY_ESCAPE:
            if (p->help) {
                p->help = false;
            } else {
                p->selected = -1;
            }
            break;
        case PANEL_KEY_TAB:
            cycle_selection(p, (ev->mods & PANEL_MOD_SHIFT) ? -1 : 1);
            break;
        case PANEL_KEY_UP:
        case PANEL_KEY_DOWN:
            emit_speed(p, panel_speed_step(p->snap.speed_milli, ev->key == PANEL_KEY_UP ? 1 : -1));
            break;
        case PANEL_KEY_LEFT:
        case PANEL_KEY_RIGHT:
            seek_to(p, p->snap.t_ns + (ev->key == PANEL_KEY_RIGHT ? step_ns : -step_ns));
            break;
        case PANEL_KEY_HOME:
        case PANEL_KEY_END:
            seek_to(p, ev->key == PANEL_KEY_HOME ? 0 : p->snap.end_ns);
            break;
        default:
            break;
    }
}

static void on_button(panel_t *p, panel_button_t b) {
    static const char chars[PANEL_BTN_COUNT] = {
        [PANEL_BTN_PAUSE] = ' ',  [PANEL_BTN_STEP] = 's',   [PANEL_BTN_NEXT] = 'n',
        [PANEL_BTN_SLOWER] = '-', [PANEL_BTN_FASTER] = '+', [PANEL_BTN_CYCLE] = 'P',
        [PANEL_BTN_HANG] = 'H',   [PANEL_BTN_UNPLUG] = 'U', [PANEL_BTN_GRID] = 'G',
        [PANEL_BTN_HELP] = '?',
    };
    if (b == PANEL_BTN_MAX) {
        emit_speed(p, p->snap.speed_milli == PANEL_SPEED_ASAP ? 1000u : PANEL_SPEED_ASAP);
    } else if (b == PANEL_BTN_SHOT) {
        panel_screenshot_key(p);
    } else if (b < PANEL_BTN_COUNT && chars[b]) {
        on_char(p, chars[b]);
    }
}

static void on_click(panel_t *p, const panel_event_t *ev) {
    if (p->help) {
        p->help = false; /* any click closes the overlay */
        return;
    }
    panel_hit_t hit = panel_layout_hit(&p->layout, ev->x, ev->y);
    if (hit.kind == PANEL_HIT_RELAY && panel_card_is_gateway(&p->snap.nodes[hit.card])) {
        hit.kind = PANEL_HIT_CARD; /* a gateway has no relays: the click is on its card */
    }
    if (hit.kind == PANEL_HIT_RELAY) {
        const panel_node_t *n = &p->snap.nodes[hit.card];
        uint8_t args[2] = {(uint8_t)hit.relay, PANEL_RELAY_AUTO};
        if (ev->button != PANEL_BUTTON_RIGHT) {
            args[1] = n->relay_closed[hit.relay] ? PANEL_RELAY_OPEN : PANEL_RELAY_CLOSE;
        }
        send_command(p, (int)hit.card, PANEL_CMD_SET_RELAY, args, 2);
    } else if (hit.kind == PANEL_HIT_CARD) {
        p->selected = p->selected == (int)hit.card ? -1 : (int)hit.card;
    } else if (hit.kind == PANEL_HIT_BUTTON) {
        on_button(p, hit.button);
    } else if (hit.kind == PANEL_HIT_TIMELINE) {
        p->dragging = p->snap.view == PANEL_VIEW_REPLAY;
        seek_to(p, timeline_t_ns(p, ev->x));
    }
}

void panel_handle(panel_t *p, const panel_event_t *ev) {
    switch (ev->kind) {
        case PANEL_EV_CLOSE:
            emit_kind(p, PANEL_IN_QUIT, false);
            break;
        case PANEL_EV_RESIZE:
            if (panel_canvas_resize(p, ev->x, ev->y) == 0 && p->drawn) {
                panel_render(p); /* show the new layout at once, even while paused */
                if (p->sdl) {
                    panel_sdl_present(p, true);
                }
            }
            break;
        case PANEL_EV_KEY:
            on_key(p, ev);
            break;
        case PANEL_EV_TEXT:
            on_text(p, ev->text);
            break;
        case PANEL_EV_BUTTON_DOWN:
            on_click(p, ev);
            break;
        case PANEL_EV_BUTTON_UP:
            p->dragging = false;
            break;
        case PANEL_EV_MOTION:
            if (p->dragging) {
                seek_to(p, timeline_t_ns(p, ev->x));
            }
            break;
        default:
            break;
    }
}
