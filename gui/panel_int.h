/*
 * panel_int.h: the panel's private state, shared by its files.
 *
 *   panel.c        lifecycle, frame, queue, screenshots
 *   panel_sdl.c    window: SDL events -> panel_event_t, presenting the canvas (the only file
 *                  besides panel_font.c that calls SDL)
 *   panel_keys.c   events -> inputs and UI state (selection, help, prompt)
 *   panel_cmd.c    the command prompt's language
 *   panel_render.c frame composition; panel_card.c (panel_card_gw.c for gateways), panel_seg.c,
 *                  panel_strip.c, panel_help.c draw the parts
 */
#ifndef PANEL_INT_H
#define PANEL_INT_H

#include "panel.h"
#include "panel_blink.h"
#include "panel_font.h"
#include "panel_gfx.h"
#include "panel_layout.h"

#define PANEL_PROMPT_MAX   80
#define PANEL_MESSAGE_MAX  128
#define PANEL_MESSAGE_SHOW 240 /* frames a message stays (4 s at 60 fps) */

typedef struct panel_sdl panel_sdl_t;

/**
 * Everything a card's pixels depend on. A card whose key equals the one it was last drawn with
 * is left as it is in the canvas: most frames change the time and a card or two, not sixteen.
 */
typedef struct {
    panel_node_t node;
    panel_rect_t card;
    int scale_x8;
    bool selected;
    bool blink[PANEL_SIGNALS];
    bool aliased;
    uint8_t lit_regs[PANEL_TM1637_REGS];
} panel_card_key_t;

struct panel {
    char title[PANEL_TEXT_MAX];
    char shot_dir[512];
    panel_sdl_t *sdl; /* NULL when headless */
    panel_fonts_t *fonts;
    panel_canvas_t cv;
    panel_layout_t layout;

    panel_snapshot_t snap; /* the last drawn snapshot */
    bool drawn;
    panel_blink_t blink;

    bool cache_valid; /* the canvas holds the background and the cards of drawn_cards */
    int drawn_w, drawn_h;
    unsigned drawn_n;
    panel_card_key_t drawn_cards[PANEL_NODES_MAX];
    /** What the last render changed, for presenting only that (cards, strip, timeline). */
    panel_rect_t dirty[PANEL_NODES_MAX + 2];
    unsigned n_dirty;

    panel_input_t queue[PANEL_QUEUE_MAX];
    unsigned q_head, q_len;
    uint64_t dropped;

    int selected; /* node index, or -1 = all */
    bool help;
    bool prompt_open;
    char prompt[PANEL_PROMPT_MAX];
    char message[PANEL_MESSAGE_MAX];
    unsigned message_frames;
    bool dragging;  /* timeline */
    unsigned shots; /* screenshots taken at last_shot_ms */
    long long last_shot_ms;
};

/* panel.c */
void panel_push(panel_t *p, const panel_input_t *in);
void panel_message(panel_t *p, const char *text);
/** (Re)allocates the canvas for w x h; 0 or -SIM_ENOMEM (the old canvas is kept). */
int panel_canvas_resize(panel_t *p, int w, int h);
/** Writes a screenshot named after the virtual time into the screenshot folder. */
void panel_screenshot_key(panel_t *p);

/* panel_sdl.c */
int panel_sdl_open(panel_t *p, const char *title, int w, int h, char *err, size_t errlen);
void panel_sdl_close(panel_t *p);
/** Translates pending SDL events into panel_feed calls. */
void panel_sdl_pump(panel_t *p);
/** Shows the dirty parts of the canvas (all of it when `all`). */
void panel_sdl_present(panel_t *p, bool all);
void panel_sdl_title(panel_t *p, const char *title);

/* panel_keys.c */
void panel_handle(panel_t *p, const panel_event_t *ev);

/* panel_render.c and the parts */
void panel_render(panel_t *p);
void panel_draw_card(panel_t *p, unsigned i);
/** Text vertically centred in r, from its left edge, not clipped (panel_card.c). */
void panel_card_text_in(panel_t *p, panel_face_t face, int px, panel_rect_t r, uint32_t rgb,
                        const char *s);
/** forms[0] if it fits in w pixels, else the short forms[1], which may still be clipped
 * (panel_card.c). */
const char *panel_card_fitting(panel_t *p, panel_face_t face, int px, int w,
                               const char *const forms[2]);
/** True for the Orange Pi and an Energy-Gateway: nodes without a plant (panel_card_gw.c). */
bool panel_card_is_gateway(const panel_node_t *n);
/**
 * A count in at most four characters, the same in every locale: exact up to 9999, then
 * truncated with a unit, "12k", "999k", "1.2M", "34G" ... "18E" (panel_card_gw.c). Writes at
 * most len bytes, NUL included.
 */
void panel_card_count(char *buf, size_t len, uint64_t n);
/** A gateway card's body, under its header and beside its CAN block (panel_card_gw.c). */
void panel_draw_gateway_body(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n);
void panel_draw_digit(panel_canvas_t *cv, panel_rect_t cell, uint8_t segments, uint32_t on_rgb,
                      uint32_t off_rgb);
void panel_draw_strip(panel_t *p);
void panel_draw_help(panel_t *p);

/* Palette. */
#define PANEL_RGB_BG      0x15181Du
#define PANEL_RGB_CARD    0x22262Du
#define PANEL_RGB_EDGE    0x3A404Au
#define PANEL_RGB_TEXT    0xE6E8EBu
#define PANEL_RGB_DIM     0x8C939Eu
#define PANEL_RGB_SELECT  0x3FA9F5u
#define PANEL_RGB_GOOD    0x3CCB5Au
#define PANEL_RGB_WARN    0xF2B233u
#define PANEL_RGB_BAD     0xE5484Du
#define PANEL_RGB_BUTTON  0x30353Du
#define PANEL_RGB_SEG_OFF 0x2A1416u
#define PANEL_RGB_SEG_ON  0xFF3B30u

#endif
