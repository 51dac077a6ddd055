/*
 * panel_help.c: the help overlay (F1, h or ?): every control, in two columns. docs/panel.md
 * carries the same table; keep them in step.
 */
#include "panel_int.h"

static const char *const help_rows[][2] = {
    {"Space", "pause / resume"},
    {"s", "step: advance 100 ms of virtual time"},
    {"n", "run to the next event, then pause"},
    {"+ / -  (Up / Down)", "faster / slower (x0.1 .. x1000)"},
    {"0  /  r", "as fast as possible  /  real time x1"},
    {"1..9, Tab, click a card", "select a node (Esc or a: all packs)"},
    {"click a relay", "override it to the other state (SET_RELAY)"},
    {"right-click a relay", "hand it back to automatic control"},
    {"F2 F3 F4 F5 F6", "toggle Self, Eco, TOU, Backup, Grid limit"},
    {"Return  or  :", "command prompt (eco-limit 1500, relay 3 off, ...)"},
    {"P / O / H / U", "power-cycle / power off-on / hang / unplug CAN"},
    {"G", "cut or restore the grid"},
    {"[ ]   , .", "PV scale -/+ 10 %   home load scale -/+ 10 %"},
    {"Left / Right", "replay: seek -/+ 1 s (Shift 10 s, Ctrl 60 s)"},
    {"Home / End, timeline", "replay: jump to start / end, click or drag"},
    {"F12", "screenshot (PNG named after the virtual time)"},
    {"F1, h, ?", "this help"},
    {"q  /  window close", "quit"},
};

void panel_draw_help(panel_t *p) {
    const int rows = (int)(sizeof help_rows / sizeof help_rows[0]);
    const int px = 14, pitch = 22;
    panel_gfx_unclip(&p->cv);
    panel_gfx_shade(&p->cv, (panel_rect_t){0, 0, p->cv.w, p->cv.h}, 200, PANEL_RGB_BG);
    int w = p->cv.w - 80 > 760 ? 760 : p->cv.w - 80;
    int h = rows * pitch + 60;
    h = h > p->cv.h - 20 ? p->cv.h - 20 : h;
    panel_rect_t box = {(p->cv.w - w) / 2, (p->cv.h - h) / 2, w, h};
    panel_gfx_fill(&p->cv, box, PANEL_RGB_CARD);
    panel_gfx_frame(&p->cv, box, 2, PANEL_RGB_SELECT);
    panel_rect_t prev = panel_gfx_clip(&p->cv, box);
    panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, px + 2, box.x + 20, box.y + 12, PANEL_RGB_TEXT,
               "alfasim panel controls  (any click or F1 closes)");
    for (int i = 0; i < rows; i++) {
        int y = box.y + 44 + i * pitch;
        panel_text(&p->cv, p->fonts, PANEL_FACE_BOLD, px, box.x + 20, y, PANEL_RGB_SELECT,
                   help_rows[i][0]);
        panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, px, box.x + 250, y, PANEL_RGB_TEXT,
                   help_rows[i][1]);
    }
    p->cv.clip = prev;
}
