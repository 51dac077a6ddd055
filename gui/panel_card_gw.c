/*
 * panel_card_gw.c: the body of a gateway's card (the Orange Pi, or an Energy-Gateway).
 *
 * A gateway has no plant: no battery, relays, loads, status LEDs, WS2812 bar or TM1637, so its
 * card shows none of them (drawn empty they would read as a flat pack). What the panel knows of a
 * gateway is what the snapshot carries: its state, its NodeID and master flag, its CAN controller
 * (drawn by panel_card.c as on any card) and, when the run layer filled them, counters. This file
 * fills the rest of the card with what the gateway is on the bus and what it did there: its role,
 * and a table of the frames it sends and hears (models/gateway.h for the Orange Pi, spec §9.7 for
 * the Energy-Gateway, whose ANN identifier is computed from its NodeID), each row with its count:
 *
 *   sends  0x7FF         time broadcast      1440
 *          0x201..0x27F  app commands           3 (1 failed)
 *   hears  0x280+N       ACKs from node N      12 (2 unmatched)
 *
 * The Orange Pi's counts are its model's own; an Energy-Gateway's are its controller's (every
 * frame it sends is an ANN). A count the snapshot does not carry is not drawn, and neither is a
 * row that would show nothing but such a count.
 *
 * Everything is placed inside the rectangles the layout gives every card (the TM1637 row for the
 * role, the bar, relay and numbers rows for the frame table), so a gateway's card scales and
 * clips exactly like a pack's. The counts win over the descriptions when a card is small: a count
 * takes at most four characters (panel_card_count), its warning shortens ("unmatched" to "unm."),
 * and a description falls back to one word, or to nothing, rather than run under the numbers.
 */
#include "panel_int.h"

#include <inttypes.h>
#include <stdio.h>

#define ANN_BASE_ID 0x300u /* ANN is 0x300 + NodeID */

bool panel_card_is_gateway(const panel_node_t *n) {
    return n->device_type == PANEL_DEVICE_PI || n->device_type == PANEL_DEVICE_GATEWAY;
}

void panel_card_count(char *buf, size_t len, uint64_t n) {
    static const char units[] = "kMGTPE";
    if (n < 10000u) {
        snprintf(buf, len, "%" PRIu64, n);
        return;
    }
    /* Truncated, never rounded up: a shown count is never more than what happened. */
    uint64_t scale = 1000u;
    unsigned u = 0;
    while (n / scale >= 1000u) {
        scale *= 1000u;
        u++;
    }
    uint64_t whole = n / scale;
    if (whole < 10u) {
        snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole, n / (scale / 10u) % 10u, units[u]);
    } else {
        snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
    }
}

/* One row of the frame table: direction (a word and a short form; "" for "as above"), identifier,
 * what the frame is (a few words and one), and its count when known, with a warning count (and
 * its word, long and short) drawn after it when not 0. */
typedef struct {
    const char *dir[2];
    const char *id;
    const char *what[2];
    bool counted;
    uint64_t count;
    uint64_t warn;
    const char *warn_word[2];
} gw_row_t;

#define GW_ROWS 3

typedef struct {
    const char *role;     /* what it is */
    const char *stand[2]; /* how it stands in the election, and a short form */
    gw_row_t rows[GW_ROWS];
    unsigned n_rows;
    const char *note[2]; /* one line under the table, and a short form */
    char ann_id[16];     /* the Energy-Gateway's ANN identifier, from its NodeID */
} gw_content_t;

static void pi_content(const panel_node_t *n, gw_content_t *g) {
    const bool k = n->gw.valid;
    *g = (gw_content_t){
        .role = "App gateway",
        .stand = {"never announces, not elected", "not elected"},
        .rows = {{{"sends", "tx"},
                  "0x7FF",
                  {"time broadcast", "time"},
                  k,
                  n->gw.time_sent,
                  n->gw.time_failed,
                  {"failed", "fail."}},
                 {{"", ""},
                  "0x201..0x27F",
                  {"app commands", "commands"},
                  k,
                  n->gw.cmd_sent,
                  n->gw.cmd_failed,
                  {"failed", "fail."}},
                 {{"hears", "rx"},
                  "0x280+N",
                  {"ACKs from node N", "ACKs"},
                  k,
                  n->gw.acks,
                  n->gw.acks_unmatched,
                  {"unmatched", "unm."}}},
        .n_rows = 3,
        .note = {"command target: a NodeID, or 127 = all", "target: NodeID, 127 = all"}};
}

/* An Energy-Gateway sends nothing but its ANN, so its controller's count is its ANN count. What
 * it hears is counted only by its controller: that row exists only with the count. */
static void egw_content(const panel_node_t *n, gw_content_t *g) {
    const bool k = n->can_counts_valid;
    *g = (gw_content_t){.role = "Energy-Gateway",
                        .stand = {"announces, always master", "always master"},
                        .n_rows = k ? 2 : 1,
                        .note = {"packs elect it over any pack", "elected over packs"}};
    if (n->node_id == PANEL_NODE_ID_UNKNOWN) {
        snprintf(g->ann_id, sizeof g->ann_id, "0x300+N");
    } else {
        snprintf(g->ann_id, sizeof g->ann_id, "0x%03X", ANN_BASE_ID + n->node_id);
    }
    g->rows[0] = (gw_row_t){
        {"sends", "tx"}, g->ann_id, {"ANN, DeviceType 2", "ANN"}, k, n->can_tx_frames, 0, {"", ""}};
    g->rows[1] = (gw_row_t){
        {"hears", "rx"}, "any", {"frames received", "frames"}, k, n->can_rx_frames, 0, {"", ""}};
}

/* The role, in the band of the LEDs and the display, split in two lines like the CAN block. */
static void draw_role(panel_t *p, const panel_card_layout_t *c, const gw_content_t *g) {
    panel_rect_t r = {c->led[0].x, c->can.y, c->display.x + c->display.w - c->led[0].x,
                      c->can.h / 2};
    panel_rect_t prev = panel_gfx_clip(&p->cv, r);
    panel_card_text_in(p, PANEL_FACE_BOLD, c->font_px, r, PANEL_RGB_TEXT, g->role);
    p->cv.clip = prev;
    r.y += r.h;
    prev = panel_gfx_clip(&p->cv, r);
    panel_card_text_in(p, PANEL_FACE_SANS, c->font_px, r, PANEL_RGB_DIM,
                       panel_card_fitting(p, PANEL_FACE_SANS, c->font_px, r.w, g->stand));
    p->cv.clip = prev;
}

/*
 * How much of the table is spelled out, from the most to the least: the first level at which
 * the widest entries of every column fit the table's width is drawn, so the columns line up and
 * a small card loses words in this order (the identifiers and the counts always stay):
 *
 *   level  direction  description     warning
 *     0    sends      time broadcast  (2 unmatched)
 *     1    sends      time            (2 unmatched)
 *     2    sends      time            (2 unm.)
 *     3    tx         time            (2 unm.)
 *     4    tx         -               (2 unm.)
 *     5    tx         -               (2)            the amber colour still says what it is
 */
enum { FORM_NONE = 2 };
static const struct {
    uint8_t dir, what, warn;
} levels[] = {{0, 0, 0}, {0, 1, 0},         {0, 1, 1},
              {1, 1, 1}, {1, FORM_NONE, 1}, {1, FORM_NONE, FORM_NONE}};
#define N_LEVELS (sizeof levels / sizeof levels[0])

#define COUNT_TEXT_MAX 16 /* a count: four characters and the NUL, with room to spare */
#define WARN_TEXT_MAX  40 /* " (18E unmatched)" */

/* A row's count and its warning (" (2 unmatched)", " (2 unm.)", " (2)"; "" when none). */
static void count_texts(const gw_row_t *r, unsigned warn_form, char main[COUNT_TEXT_MAX],
                        char warn[WARN_TEXT_MAX]) {
    main[0] = warn[0] = '\0';
    if (!r->counted) {
        return;
    }
    panel_card_count(main, COUNT_TEXT_MAX, r->count);
    if (r->warn != 0) {
        char w[COUNT_TEXT_MAX];
        panel_card_count(w, sizeof w, r->warn);
        const char *word = warn_form == FORM_NONE ? "" : r->warn_word[warn_form];
        snprintf(warn, WARN_TEXT_MAX, " (%s%s%s)", w, word[0] ? " " : "", word);
    }
}

/* Where the table's columns go, at one level. */
typedef struct {
    unsigned level;
    int x_dir, x_id, x_what;
    int x_count_end; /* counts are right-aligned here, their warnings start here */
    int width;       /* from x_dir to the end of the widest warning */
} gw_cols_t;

enum { COL_DIR, COL_ID, COL_WHAT, COL_COUNT, COL_WARN, N_COLS };
static const panel_face_t col_face[N_COLS] = {PANEL_FACE_BOLD, PANEL_FACE_MONO, PANEL_FACE_SANS,
                                              PANEL_FACE_BOLD, PANEL_FACE_SANS};

/* Row r's text in column col at level lv; main and warn are its count_texts at that level. */
static const char *cell(const gw_row_t *r, int col, unsigned lv, const char *main,
                        const char *warn) {
    switch (col) {
        case COL_DIR:
            return r->dir[levels[lv].dir];
        case COL_ID:
            return r->id;
        case COL_WHAT:
            return levels[lv].what == FORM_NONE ? "" : r->what[levels[lv].what];
        case COL_COUNT:
            return main;
        default:
            return warn;
    }
}

/* The widest entry of column `col` at level `lv`. */
static int widest(panel_t *p, int px, const gw_content_t *g, int col, unsigned lv) {
    int w = 0;
    for (unsigned i = 0; i < g->n_rows; i++) {
        char main[COUNT_TEXT_MAX], warn[WARN_TEXT_MAX];
        count_texts(&g->rows[i], levels[lv].warn, main, warn);
        int sw =
            panel_text_width(p->fonts, col_face[col], px, cell(&g->rows[i], col, lv, main, warn));
        w = sw > w ? sw : w;
    }
    return w;
}

/* Columns as wide as their widest entry, 3/4 of a font size apart; the counts after the words,
 * right-aligned against the table's right edge (less their warnings) when there is room. */
static void columns_at(panel_t *p, const panel_card_layout_t *c, const gw_content_t *g, unsigned lv,
                       gw_cols_t *k) {
    const int px = c->font_px, gap = c->font_px * 3 / 4;
    k->level = lv;
    k->x_dir = c->numbers.x;
    k->x_id = k->x_dir + widest(p, px, g, COL_DIR, lv) + gap;
    k->x_what = k->x_id + widest(p, px, g, COL_ID, lv) + gap;
    const int what_w = widest(p, px, g, COL_WHAT, lv);
    const int count_w = widest(p, px, g, COL_COUNT, lv);
    const int warn_w = widest(p, px, g, COL_WARN, lv);
    /* Right-aligned bold numbers stand apart from the words before them with half a gap. */
    const int min_end =
        k->x_what + (what_w > 0 && count_w > 0 ? what_w + gap / 2 : what_w) + count_w;
    k->x_count_end = c->numbers.x + c->numbers.w - warn_w;
    k->x_count_end = k->x_count_end < min_end ? min_end : k->x_count_end;
    k->width = min_end + warn_w - k->x_dir;
}

static void place_columns(panel_t *p, const panel_card_layout_t *c, const gw_content_t *g,
                          gw_cols_t *k) {
    for (unsigned lv = 0; lv < N_LEVELS; lv++) {
        columns_at(p, c, g, lv, k);
        if (k->width <= c->numbers.w) {
            return;
        }
    }
}

static void draw_row(panel_t *p, const panel_card_layout_t *c, const gw_cols_t *k,
                     const gw_row_t *r, int y) {
    static const uint32_t rgb[N_COLS] = {PANEL_RGB_DIM, PANEL_RGB_SELECT, PANEL_RGB_TEXT,
                                         PANEL_RGB_TEXT, PANEL_RGB_WARN};
    const int px = c->font_px;
    char main[COUNT_TEXT_MAX], warn[WARN_TEXT_MAX];
    count_texts(r, levels[k->level].warn, main, warn);
    const int x_count = k->x_count_end - panel_text_width(p->fonts, col_face[COL_COUNT], px, main);
    const int x[N_COLS] = {k->x_dir, k->x_id, k->x_what, x_count, k->x_count_end};
    for (int col = 0; col < N_COLS; col++) {
        panel_text(&p->cv, p->fonts, col_face[col], px, x[col], y, rgb[col],
                   cell(r, col, k->level, main, warn));
    }
}

/* The frame table from the bar's row down, clipped to the table's width; then the note, and at
 * the bottom why the pack's parts are absent. */
static void draw_frames(panel_t *p, const panel_card_layout_t *c, const gw_content_t *g) {
    gw_cols_t k;
    place_columns(p, c, g, &k);
    panel_rect_t table = {c->numbers.x, c->pixel[0].y, c->numbers.w,
                          c->numbers.y + c->numbers.h - c->pixel[0].y};
    panel_rect_t prev = panel_gfx_clip(&p->cv, table);
    int y = c->pixel[0].y;
    for (unsigned i = 0; i < g->n_rows; i++, y += c->line_px) {
        draw_row(p, c, &k, &g->rows[i], y);
    }
    panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, c->font_px, k.x_dir, y, PANEL_RGB_TEXT,
               panel_card_fitting(p, PANEL_FACE_SANS, c->font_px, c->numbers.w, g->note));
    y = c->numbers.y + c->numbers.h - c->line_px;
    panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, c->font_px, k.x_dir, y, PANEL_RGB_DIM,
               "no plant: no SOC, relays or loads");
    p->cv.clip = prev;
}

void panel_draw_gateway_body(panel_t *p, const panel_card_layout_t *c, const panel_node_t *n) {
    gw_content_t g;
    if (n->device_type == PANEL_DEVICE_PI) {
        pi_content(n, &g);
    } else {
        egw_content(n, &g);
    }
    draw_role(p, c, &g);
    draw_frames(p, c, &g);
}
