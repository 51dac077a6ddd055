/*
 * panel.h: the SDL2 panel, as the run layer drives it.
 *
 * The panel shows a run the way the real boards look (one card per node, the bus and the system
 * underneath) and reports what the operator asks for. It never touches the simulation: each frame
 * the run layer hands it a snapshot (panel_snapshot.h) and then drains its inputs
 * (panel_input.h), which it turns into pacing changes or into timestamped, traced kernel events.
 * Pacing (sleeping to hold a speed) is the run layer's job; the panel only reports the speed asked
 * for. A typical loop:
 *
 *     panel_open(&opts, &p, err, sizeof err);
 *     while (running) {
 *         fill(&snap);                       run layer: kernel, nodes, bus -> snapshot
 *         panel_draw(p, &snap);
 *         while (panel_poll(p, &in) > 0) {
 *             handle(&in);                   operator inputs -> kernel events + trace
 *         }
 *         advance_and_pace();                run layer: to the next frame's virtual time
 *     }
 *     panel_close(p);
 *
 * Headless (opts.headless): no window and no video driver at all; frames are drawn into memory
 * and panel_screenshot() writes them as PNG, so screenshots work in CI. With a window, the same
 * pixels are drawn (on the CPU) and copied to it, so a screenshot equals what is on screen; under
 * SDL_VIDEODRIVER=dummy or offscreen the window exists without a display.
 *
 * Operator inputs come from SDL (keyboard, mouse, window) during panel_poll, or from
 * panel_feed() (scripted sessions and tests); both go through the same handler. The controls
 * are listed in docs/panel.md and on the panel's help overlay (F1).
 *
 * One panel per process (SDL has one video subsystem); all calls from one thread.
 */
#ifndef PANEL_H
#define PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "panel_image.h"
#include "panel_input.h"
#include "panel_snapshot.h"

typedef struct {
    const char *title;          /* window title; NULL: "alfasim" */
    int width, height;          /* initial size (the window is resizable); 0: 1280 x 800 */
    bool headless;              /* draw into memory only: no window, no video driver */
    const char *font_sans;      /* NULL: DejaVuSans.ttf from fonts-dejavu-core */
    const char *font_bold;      /* NULL: DejaVuSans-Bold.ttf */
    const char *font_mono;      /* NULL: DejaVuSansMono.ttf */
    const char *screenshot_dir; /* where the screenshot key writes; NULL: "." */
} panel_opts_t;

/** Inputs the panel holds until polled; beyond that they are dropped and counted. */
#define PANEL_QUEUE_MAX 64

typedef struct panel panel_t;

/** Events as panel_feed() takes them (the SDL events are translated into these). */
typedef enum {
    PANEL_EV_KEY = 1,     /* key: PANEL_KEY_* (keys that type no text) */
    PANEL_EV_TEXT,        /* text: typed characters (commands, or the prompt when open) */
    PANEL_EV_BUTTON_DOWN, /* x, y, button */
    PANEL_EV_BUTTON_UP,   /* x, y, button */
    PANEL_EV_MOTION,      /* x, y */
    PANEL_EV_RESIZE,      /* x = new width, y = new height */
    PANEL_EV_CLOSE,       /* the window's close button */
} panel_event_kind_t;

enum {
    PANEL_KEY_BACKSPACE = 8,
    PANEL_KEY_TAB = 9,
    PANEL_KEY_RETURN = 13,
    PANEL_KEY_ESCAPE = 27,
    PANEL_KEY_F1 = 0x101, /* PANEL_KEY_F1 + k - 1 for Fk, k = 1..12 */
    PANEL_KEY_F12 = 0x10C,
    PANEL_KEY_LEFT = 0x120,
    PANEL_KEY_RIGHT,
    PANEL_KEY_UP,
    PANEL_KEY_DOWN,
    PANEL_KEY_HOME,
    PANEL_KEY_END,
};

enum { PANEL_MOD_SHIFT = 1u, PANEL_MOD_CTRL = 2u };
enum { PANEL_BUTTON_LEFT = 1, PANEL_BUTTON_MIDDLE = 2, PANEL_BUTTON_RIGHT = 3 };

typedef struct {
    panel_event_kind_t kind;
    int key;
    unsigned mods; /* PANEL_MOD_* */
    char text[32]; /* NUL-terminated UTF-8 */
    int x, y;
    int button;
} panel_event_t;

/** Fills *o with the defaults (window 1280 x 800, default fonts). */
void panel_opts_default(panel_opts_t *o);

/**
 * Opens the panel.
 * @retval 0            *out set
 * @retval -SIM_EIO     no window could be created (no display; message says to use headless
 *                      or SDL_VIDEODRIVER=dummy), or SDL2_ttf failed
 * @retval -SIM_ENOENT  a font is missing (message names the file and the Debian package)
 * @retval -SIM_ENOMEM  out of memory
 */
int panel_open(const panel_opts_t *opts, panel_t **out, char *err, size_t errlen);

/** Draws one frame of snap (copied) and shows it in the window, if any. */
void panel_draw(panel_t *p, const panel_snapshot_t *snap);

/**
 * Takes the next operator input: 1 and *in filled, or 0 when there is none. Reads the window's
 * pending events first. Inputs that depend on state (a toggle, the next speed) are computed from
 * the last drawn snapshot.
 */
int panel_poll(panel_t *p, panel_input_t *in);

/** Handles one event as if it came from the window (scripted sessions, tests). */
void panel_feed(panel_t *p, const panel_event_t *ev);

/**
 * Writes the last drawn frame as PNG.
 * @retval 0 / -SIM_EINVAL (nothing drawn yet) / -SIM_EIO / -SIM_ENOMEM
 */
int panel_screenshot(panel_t *p, const char *path);

/** Copies the last drawn frame into *out (freed with panel_image_free). 0 or as above. */
int panel_capture(const panel_t *p, panel_image_t *out);

/** The selected node (target of node actions and commands), or -1 for all. */
int panel_selected(const panel_t *p);

/** Inputs lost because the queue was full (PANEL_QUEUE_MAX pending). */
uint64_t panel_dropped_inputs(const panel_t *p);

/** Closes the window and frees everything; NULL is a no-op. */
void panel_close(panel_t *p);

#endif
