/*
 * panel_layout.h: where everything on the panel goes, for a window size and a node count.
 *
 * A pure function of (width, height, node count, digits per node): no SDL, no fonts, no state,
 * so drawing, mouse hit-testing and the tests all agree on the same rectangles. The window is cut
 * into a card area on top and a fixed-height bus/system strip and timeline at the bottom:
 *
 *   +---------+---------+---------+      cards: a grid of 1..16 equal cards, the column count
 *   | card 0  | card 1  | card 2  |      chosen to give the largest card scale; the card is
 *   +---------+---------+---------+      drawn in design units (PANEL_CARD_W x PANEL_CARD_H)
 *   | card 3  |                         times scale_x8 / 8, clamped to 0.5 .. 3
 *   +---------+
 *   |[Pause][Step][Next][-][+][Max]...| toolbar
 *   | time, speed | bus stats | frames | strip (PANEL_STRIP_H)
 *   | message / prompt line            |
 *   |=====o----------------------------| timeline (PANEL_TIMELINE_H)
 *
 * Inside a card (design units, scale 1):
 *
 *   name  #id  type  M                 RUN      header
 *   (G)(Y)(R)   [ 8 8 8 ]   CAN state TEC REC    LEDs, TM1637, CAN
 *   [][][][][][][][][][]    SOC 54 %             WS2812 bar
 *   [R1 grid][R2 inv][R3 pool][R4 heat]          relays (clickable)
 *   V  I  battery / grid home solar / pool heater modes
 */
#ifndef PANEL_LAYOUT_H
#define PANEL_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "panel_snapshot.h"

#define PANEL_CARD_W       320 /* design units */
#define PANEL_CARD_H       204
#define PANEL_GAP          8
#define PANEL_STRIP_H      170
#define PANEL_TIMELINE_H   22
#define PANEL_MIN_W        640
#define PANEL_MIN_H        400
#define PANEL_SCALE_MIN_X8 4
#define PANEL_SCALE_MAX_X8 24

typedef struct {
    int x, y, w, h;
} panel_rect_t;

/** Toolbar buttons, left to right. */
typedef enum {
    PANEL_BTN_PAUSE = 0,
    PANEL_BTN_STEP,
    PANEL_BTN_NEXT,
    PANEL_BTN_SLOWER,
    PANEL_BTN_FASTER,
    PANEL_BTN_MAX,
    PANEL_BTN_CYCLE,
    PANEL_BTN_HANG,
    PANEL_BTN_UNPLUG,
    PANEL_BTN_GRID,
    PANEL_BTN_SHOT,
    PANEL_BTN_HELP,
    PANEL_BTN_COUNT
} panel_button_t;

typedef struct {
    panel_rect_t card;
    panel_rect_t header;
    panel_rect_t led[PANEL_LEDS]; /* bounding squares of the LED discs */
    panel_rect_t display;         /* the TM1637 window */
    panel_rect_t digit[PANEL_TM1637_REGS];
    unsigned digits;
    panel_rect_t can;
    panel_rect_t pixel[PANEL_WS2812_PIXELS];
    panel_rect_t soc;
    panel_rect_t relay[PANEL_RELAYS];
    panel_rect_t numbers;
    int scale_x8; /* 8 = design size */
    int font_px;  /* body text */
    int title_px; /* node name */
    int line_px;  /* line pitch of the numbers block */
} panel_card_layout_t;

typedef struct {
    int width, height;
    unsigned n_cards, cols, rows;
    panel_card_layout_t cards[PANEL_NODES_MAX];
    panel_rect_t card_area;
    panel_rect_t strip;
    panel_rect_t buttons[PANEL_BTN_COUNT];
    panel_rect_t info;     /* time, speed, grid, target */
    panel_rect_t bus;      /* bus statistics */
    panel_rect_t frames;   /* latest decoded frames (w 0 when the window is too narrow) */
    panel_rect_t message;  /* prompt or status line */
    panel_rect_t timeline; /* progress / scrub bar */
    int strip_px;          /* strip text */
    int mono_px;           /* decoded frames */
    int line_px;           /* strip line pitch */
} panel_layout_t;

typedef enum {
    PANEL_HIT_NONE = 0,
    PANEL_HIT_CARD,     /* card */
    PANEL_HIT_RELAY,    /* card, relay */
    PANEL_HIT_BUTTON,   /* button */
    PANEL_HIT_TIMELINE, /* permille along the bar, 0..1000 */
} panel_hit_kind_t;

typedef struct {
    panel_hit_kind_t kind;
    unsigned card, relay;
    panel_button_t button;
    int permille;
} panel_hit_t;

/**
 * Fills *l for a window of width x height (each clamped up to the PANEL_MIN_* size) and n_cards
 * cards (clamped to PANEL_NODES_MAX). digits[i] is card i's TM1637 digit count (1..6; 0 or a
 * NULL array means 3).
 */
void panel_layout_compute(panel_layout_t *l, int width, int height, unsigned n_cards,
                          const uint8_t *digits);

/** What is under the point (x, y); relays win over their card. */
panel_hit_t panel_layout_hit(const panel_layout_t *l, int x, int y);

/**
 * Segment `seg` (0..6 = a..g, 7 = point) of a seven-segment digit drawn in `cell` (see
 * panel_seg.c for the picture).
 */
panel_rect_t panel_layout_segment(panel_rect_t cell, unsigned seg);

/** True if (x, y) lies in r. */
bool panel_rect_contains(const panel_rect_t *r, int x, int y);

#endif
