/*
 * cli_panel.c: the panel behind the run layer's front-end interface (see cli_panel.h).
 *
 * At each frame: draw the snapshot, write the screenshots due at its instant, then feed the
 * script's entries due by then to the panel as window events, one character at a time as the
 * run layer polls, so the panel's input queue never overflows however much is scripted for one
 * instant. The run layer stops for a frame at every such instant (next_due), so nothing is early
 * or late. Waiting between frames of a paused window is the only host-time matter here, and it
 * never reaches the run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_panel.h"
#include "cli_panel_script.h"

bool cli_panel_wanted(const cli_opts_t *o) {
    return o->panel || o->n_shots > 0 || o->panel_script != NULL;
}

int cli_panel_start(const char *cmd, const cli_opts_t *o, sim_time_ns_t duration_ns,
                    sim_run_ui_t *ui, cli_panel_t **panel) {
    *panel = NULL;
    if (!cli_panel_wanted(o)) {
        return -1;
    }
    for (size_t i = 0; i < o->n_shots; i++) {
        if (o->shots[i].t_ns > duration_ns) {
            return cli_usage_error(cmd, "--screenshot-at %gs is after the run's end (%gs)",
                                   (double)o->shots[i].t_ns / 1e9, (double)duration_ns / 1e9);
        }
        int rc = cli_output_writable(o->shots[i].path, "the screenshot");
        if (rc != 0) {
            return rc;
        }
    }
    char err[1024];
    int rc = cli_panel_open(o, duration_ns, ui, panel, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        return rc == -SIM_ENOENT                           ? CLI_EXIT_NOINPUT
               : rc == -SIM_EFORMAT || rc == -SIM_EVERSION ? CLI_EXIT_DATAERR
               : rc == -SIM_ENOTSUP                        ? CLI_EXIT_UNAVAILABLE
                                                           : CLI_EXIT_SOFTWARE;
    }
    return -1;
}

int cli_panel_finish(cli_panel_t *panel, int code) {
    unsigned bad = cli_panel_close(panel);
    return bad > 0 && code == CLI_EXIT_OK ? CLI_EXIT_IOERR : code;
}

#ifdef SIM_HAVE_GUI

#include "panel.h"

typedef struct {
    sim_time_ns_t t_ns;
    const char *path;
    bool taken;
    int rc;
} shot_t;

struct cli_panel {
    panel_t *panel;
    bool window;
    shot_t shots[CLI_SHOTS_MAX]; /* in time order */
    size_t n_shots;
    cli_script_t script;
    size_t next_entry;      /* the first script entry not fed yet */
    size_t text_at;         /* characters of that entry's text already fed */
    sim_time_ns_t frame_ns; /* virtual time of the last frame drawn; -1 before the first */
};

/* ---- script entries as panel events -----------------------------------------------------------
 */

static int key_code(int index) {
    static const int codes[] = {
        PANEL_KEY_RETURN, PANEL_KEY_ESCAPE, PANEL_KEY_TAB,  PANEL_KEY_BACKSPACE, PANEL_KEY_LEFT,
        PANEL_KEY_RIGHT,  PANEL_KEY_UP,     PANEL_KEY_DOWN, PANEL_KEY_HOME,      PANEL_KEY_END};
    return index < 12 ? PANEL_KEY_F1 + index : codes[index - 12];
}

static void feed_key(panel_t *panel, int key, unsigned mods) {
    panel_event_t ev = {.kind = PANEL_EV_KEY, .key = key, .mods = mods};
    panel_feed(panel, &ev);
}

/* Text in pieces that fit an event, as a keyboard delivers a long paste. */
static void feed_text(panel_t *panel, const char *text) {
    panel_event_t ev = {.kind = PANEL_EV_TEXT};
    for (size_t n = strlen(text), at = 0; at < n; at += sizeof ev.text - 1) {
        snprintf(ev.text, sizeof ev.text, "%s", text + at);
        panel_feed(panel, &ev);
    }
}

/* One character of a text entry, as typed: a character makes at most one input. */
static void feed_char(panel_t *panel, char c) {
    panel_event_t ev = {.kind = PANEL_EV_TEXT, .text = {c}};
    panel_feed(panel, &ev);
}

static void feed_entry(panel_t *panel, const cli_script_entry_t *e) {
    panel_event_t ev = {.x = e->x, .y = e->y, .button = e->button};
    switch (e->verb) {
        case CLI_SCRIPT_KEY:
            feed_key(panel, key_code(e->key),
                     (e->shift ? PANEL_MOD_SHIFT : 0u) | (e->ctrl ? PANEL_MOD_CTRL : 0u));
            break;
        case CLI_SCRIPT_CLICK:
            ev.kind = PANEL_EV_BUTTON_DOWN;
            panel_feed(panel, &ev);
            ev.kind = PANEL_EV_BUTTON_UP;
            panel_feed(panel, &ev);
            break;
        case CLI_SCRIPT_COMMAND:
            feed_text(panel, ":");
            feed_text(panel, e->text);
            feed_key(panel, PANEL_KEY_RETURN, 0);
            break;
        case CLI_SCRIPT_RESIZE:
            ev.kind = PANEL_EV_RESIZE;
            panel_feed(panel, &ev);
            break;
        case CLI_SCRIPT_TEXT:
            break; /* fed by characters (feed_next) */
    }
}

/* Feeds the next piece of the script due at the last frame: false when nothing is due. Every
 * piece makes at most a few inputs (a command's line is one), so feeding only into an empty
 * queue never drops one. */
static bool feed_next(cli_panel_t *p) {
    if (p->next_entry >= p->script.n || p->script.entries[p->next_entry].t_ns > p->frame_ns) {
        return false;
    }
    const cli_script_entry_t *e = &p->script.entries[p->next_entry];
    if (e->verb == CLI_SCRIPT_TEXT) {
        feed_char(p->panel, e->text[p->text_at++]);
        if (e->text[p->text_at] != '\0') {
            return true;
        }
    } else {
        feed_entry(p->panel, e);
    }
    p->next_entry++;
    p->text_at = 0;
    return true;
}

/* ---- the front-end interface ------------------------------------------------------------------
 */

static void ui_frame(void *ctx, const panel_snapshot_t *snap) {
    cli_panel_t *p = ctx;
    panel_draw(p->panel, snap);
    for (size_t i = 0; i < p->n_shots; i++) {
        shot_t *s = &p->shots[i];
        if (!s->taken && s->t_ns == snap->t_ns) {
            s->taken = true;
            s->rc = panel_screenshot(p->panel, s->path);
        }
    }
    p->frame_ns = snap->t_ns;
}

static int ui_poll(void *ctx, panel_input_t *in) {
    cli_panel_t *p = ctx;
    int n;
    while ((n = panel_poll(p->panel, in)) == 0 && feed_next(p)) {
    }
    return n;
}

static sim_time_ns_t ui_next_due(void *ctx, sim_time_ns_t from_ns) {
    const cli_panel_t *p = ctx;
    sim_time_ns_t due = SIM_TIME_NEVER;
    for (size_t i = 0; i < p->n_shots; i++) {
        if (!p->shots[i].taken && p->shots[i].t_ns >= from_ns && p->shots[i].t_ns < due) {
            due = p->shots[i].t_ns;
        }
    }
    if (p->next_entry < p->script.n) {
        sim_time_ns_t t = p->script.entries[p->next_entry].t_ns;
        t = t < from_ns ? from_ns : t;
        due = t < due ? t : due;
    }
    return due;
}

static void ui_idle(void *ctx, uint32_t ms) {
    (void)ctx;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void ui_frames_done(void *ctx) {
    cli_panel_t *p = ctx;
    if (panel_dropped_inputs(p->panel) > 0) {
        fprintf(stderr, "alfasim: warning: the panel dropped %llu inputs (queue full)\n",
                (unsigned long long)panel_dropped_inputs(p->panel));
    }
    panel_close(p->panel);
    p->panel = NULL;
}

/* ---- opening and closing ----------------------------------------------------------------------
 */

static bool display_present(void) {
    const char *names[] = {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v != NULL && v[0] != '\0') {
            return true;
        }
    }
    return false;
}

static void copy_shots(cli_panel_t *p, const cli_opts_t *o) {
    for (size_t i = 0; i < o->n_shots; i++) { /* insertion sort: stable, at most 64 */
        size_t j = p->n_shots++;
        for (; j > 0 && p->shots[j - 1].t_ns > o->shots[i].t_ns; j--) {
            p->shots[j] = p->shots[j - 1];
        }
        p->shots[j] = (shot_t){.t_ns = o->shots[i].t_ns, .path = o->shots[i].path};
    }
}

static int open_panel(cli_panel_t *p, const cli_opts_t *o, char *err, size_t errlen) {
    panel_opts_t po;
    panel_opts_default(&po);
    po.headless = !p->window;
    if (o->panel_w > 0) {
        po.width = o->panel_w;
        po.height = o->panel_h;
    }
    char why[512] = "";
    int rc = panel_open(&po, &p->panel, why, sizeof why);
    if (rc != 0) {
        snprintf(err, errlen, "alfasim: error: %s", why[0] ? why : sim_strerror(rc));
        return rc == -SIM_ENOMEM ? rc : -SIM_ENOTSUP;
    }
    return 0;
}

static void release(cli_panel_t *p) {
    panel_close(p->panel);
    cli_script_free(&p->script);
    free(p);
}

/* An entry after the run's end would never be played: a session that relies on it must not pass
 * quietly. Entries are in time order, so the last one decides. */
static int script_within(const cli_script_t *s, const char *path, sim_time_ns_t end_ns, char *err,
                         size_t errlen) {
    const cli_script_entry_t *last = s->n > 0 ? &s->entries[s->n - 1] : NULL;
    if (last != NULL && last->t_ns > end_ns) {
        snprintf(err, errlen, "%s:%u: error: the entry at %gs is after the run's end (%gs)", path,
                 last->line, (double)last->t_ns / 1e9, (double)end_ns / 1e9);
        return -SIM_EFORMAT;
    }
    return 0;
}

int cli_panel_open(const cli_opts_t *o, sim_time_ns_t end_ns, sim_run_ui_t *ui, cli_panel_t **out,
                   char *err, size_t errlen) {
    cli_panel_t *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return -SIM_ENOMEM;
    }
    int rc = o->panel_script ? cli_script_load(o->panel_script, &p->script, err, errlen) : 0;
    if (rc == 0 && o->panel_script) {
        rc = script_within(&p->script, o->panel_script, end_ns, err, errlen);
    }
    copy_shots(p, o);
    p->window = o->panel;
    p->frame_ns = -1;
    if (rc == 0 && p->window && !display_present() && (o->n_shots > 0 || o->panel_script)) {
        fprintf(stderr, "alfasim: no display: the panel runs headless (screenshots and the "
                        "script still work; xvfb-run gives a window)\n");
        p->window = false;
    }
    if (rc == 0) {
        rc = open_panel(p, o, err, errlen);
    }
    if (rc != 0) {
        release(p);
        return rc;
    }
    *ui = (sim_run_ui_t){.ctx = p,
                         .window = p->window,
                         .frame = ui_frame,
                         .poll = ui_poll,
                         .next_due = ui_next_due,
                         .idle = ui_idle,
                         .frames_done = ui_frames_done};
    *out = p;
    return 0;
}

unsigned cli_panel_close(cli_panel_t *p) {
    if (p == NULL) {
        return 0;
    }
    unsigned bad = 0;
    for (size_t i = 0; i < p->n_shots; i++) {
        const shot_t *s = &p->shots[i];
        double t_s = (double)s->t_ns / 1e9;
        if (!s->taken) {
            fprintf(stderr, "alfasim: error: no screenshot at %gs (%s): the panel closed first\n",
                    t_s, s->path);
        } else if (s->rc != 0) {
            fprintf(stderr, "%s: error: cannot write the screenshot at %gs: %s\n", s->path, t_s,
                    sim_strerror(s->rc));
        }
        bad += !s->taken || s->rc != 0;
    }
    release(p);
    return bad;
}

#else /* no SDL2 at build time */

int cli_panel_open(const cli_opts_t *o, sim_time_ns_t end_ns, sim_run_ui_t *ui, cli_panel_t **out,
                   char *err, size_t errlen) {
    (void)o;
    (void)end_ns;
    (void)ui;
    *out = NULL;
    snprintf(err, errlen,
             "alfasim: error: this alfasim was built without the panel (it needs the SDL2, "
             "SDL2_ttf and zlib development files at configure time, and SIM_BUILD_GUI on)");
    return -SIM_ENOTSUP;
}

unsigned cli_panel_close(cli_panel_t *p) {
    (void)p;
    return 0;
}

#endif
