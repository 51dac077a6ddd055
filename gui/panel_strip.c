/*
 * panel_strip.c: the bus and system strip under the cards: toolbar, run state and time, bus
 * statistics, the latest decoded frames, the message or prompt line, and the timeline.
 */
#include "panel_int.h"

#include <stdio.h>

#include "panel_fmt.h"

static void line(panel_t *p, const panel_rect_t *r, int row, panel_face_t face, uint32_t rgb,
                 const char *s) {
    panel_rect_t prev = panel_gfx_clip(&p->cv, *r);
    panel_text(&p->cv, p->fonts, face, p->layout.strip_px, r->x, r->y + row * p->layout.line_px,
               rgb, s);
    p->cv.clip = prev;
}

static void draw_buttons(panel_t *p) {
    const panel_snapshot_t *s = &p->snap;
    const char *labels[PANEL_BTN_COUNT] = {
        s->paused ? "Run" : "Pause",
        "Step",
        "Next",
        "Slower",
        "Faster",
        s->speed_milli == PANEL_SPEED_ASAP ? "x1" : "Max",
        "Cycle",
        "Hang",
        "CAN",
        "Grid",
        "Shot",
        "Help",
    };
    const bool needs_node[PANEL_BTN_COUNT] = {
        [PANEL_BTN_CYCLE] = true, [PANEL_BTN_HANG] = true, [PANEL_BTN_UNPLUG] = true};
    for (int b = 0; b < PANEL_BTN_COUNT; b++) {
        panel_rect_t r = p->layout.buttons[b];
        bool dim = needs_node[b] && p->selected < 0;
        panel_gfx_fill(&p->cv, r, PANEL_RGB_BUTTON);
        panel_gfx_frame(&p->cv, r, 1, PANEL_RGB_EDGE);
        int tw = panel_text_width(p->fonts, PANEL_FACE_SANS, p->layout.strip_px, labels[b]);
        int th = panel_text_height(p->fonts, PANEL_FACE_SANS, p->layout.strip_px);
        panel_rect_t prev = panel_gfx_clip(&p->cv, r);
        panel_text(&p->cv, p->fonts, PANEL_FACE_SANS, p->layout.strip_px, r.x + (r.w - tw) / 2,
                   r.y + (r.h - th) / 2, dim ? PANEL_RGB_DIM : PANEL_RGB_TEXT, labels[b]);
        p->cv.clip = prev;
    }
}

static void run_state(const panel_snapshot_t *s, char *buf, size_t len, uint32_t *rgb) {
    char speed[16];
    panel_speed_format(s->speed_milli, speed, sizeof speed);
    const char *view = s->view == PANEL_VIEW_REPLAY ? "REPLAY " : "";
    if (s->finished) {
        snprintf(buf, len, "%sFINISHED", view);
        *rgb = PANEL_RGB_DIM;
    } else if (s->paused) {
        snprintf(buf, len, "%sPAUSED  (speed %s)", view, speed);
        *rgb = PANEL_RGB_WARN;
    } else {
        snprintf(buf, len, "%sRUNNING  %s", view, speed);
        *rgb = PANEL_RGB_GOOD;
    }
}

static void draw_info(panel_t *p) {
    const panel_snapshot_t *s = &p->snap;
    const panel_rect_t *r = &p->layout.info;
    char a[32], b[32], buf[PANEL_TEXT_MAX + 32];
    uint32_t rgb;
    line(p, r, 0, PANEL_FACE_BOLD, PANEL_RGB_TEXT, s->title[0] ? s->title : "alfasim");
    panel_fmt_time(a, sizeof a, s->t_ns);
    panel_fmt_time(b, sizeof b, s->end_ns);
    snprintf(buf, sizeof buf, s->end_ns > 0 ? "t %s  of %s" : "t %s", a, b);
    line(p, r, 1, PANEL_FACE_SANS, PANEL_RGB_TEXT, buf);
    if (s->date_valid) {
        snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u local", (unsigned)s->year,
                 (unsigned)s->month, (unsigned)s->day, (unsigned)s->hour, (unsigned)s->minute,
                 (unsigned)s->second);
    } else {
        snprintf(buf, sizeof buf, "date and time unknown");
    }
    line(p, r, 2, PANEL_FACE_SANS, PANEL_RGB_TEXT, buf);
    run_state(s, buf, sizeof buf, &rgb);
    line(p, r, 3, PANEL_FACE_BOLD, rgb, buf);
    snprintf(buf, sizeof buf, "grid %s   PV %ld %%   load %ld %%", s->grid_up ? "UP" : "DOWN",
             (long)s->pv_scale_pct, (long)s->load_scale_pct);
    line(p, r, 4, PANEL_FACE_SANS, s->grid_up ? PANEL_RGB_TEXT : PANEL_RGB_BAD, buf);
    if (p->selected < 0) {
        snprintf(buf, sizeof buf, "target: all packs");
    } else {
        snprintf(buf, sizeof buf, "target: %s", s->nodes[p->selected].name);
    }
    line(p, r, 5, PANEL_FACE_SANS, PANEL_RGB_SELECT, buf);
}

static void draw_bus(panel_t *p) {
    const panel_bus_t *bus = &p->snap.bus;
    const panel_rect_t *r = &p->layout.bus;
    char buf[64], pct[16];
    snprintf(buf, sizeof buf, "%s  %lu kbit/s", bus->name[0] ? bus->name : "bus",
             (unsigned long)(bus->bitrate_bps / 1000u));
    line(p, r, 0, PANEL_FACE_BOLD, PANEL_RGB_TEXT, buf);
    snprintf(buf, sizeof buf, "frames/s %lu", (unsigned long)bus->frames_per_s);
    line(p, r, 1, PANEL_FACE_SANS, PANEL_RGB_TEXT, buf);
    panel_fmt_ppm_pct(pct, sizeof pct, bus->load_ppm);
    snprintf(buf, sizeof buf, "load %s", pct);
    line(p, r, 2, PANEL_FACE_SANS, bus->load_ppm > 700000u ? PANEL_RGB_WARN : PANEL_RGB_TEXT, buf);
    snprintf(buf, sizeof buf, "error frames %llu", (unsigned long long)bus->error_frames);
    line(p, r, 3, PANEL_FACE_SANS, bus->error_frames ? PANEL_RGB_BAD : PANEL_RGB_TEXT, buf);
    snprintf(buf, sizeof buf, "frames %llu", (unsigned long long)bus->frames_total);
    line(p, r, 4, PANEL_FACE_SANS, PANEL_RGB_TEXT, buf);
    if (p->snap.n_nodes_total > p->snap.n_nodes) {
        unsigned more = (unsigned)(p->snap.n_nodes_total - p->snap.n_nodes);
        snprintf(buf, sizeof buf, "+%u more nodes not shown", more);
        if (panel_text_width(p->fonts, PANEL_FACE_BOLD, p->layout.strip_px, buf) > r->w) {
            snprintf(buf, sizeof buf, "+%u not shown", more); /* 127 nodes: "+111 ..." */
        }
        line(p, r, 5, PANEL_FACE_BOLD, PANEL_RGB_WARN, buf);
    }
}

static void draw_frames(panel_t *p) {
    const panel_rect_t *r = &p->layout.frames;
    const panel_bus_t *bus = &p->snap.bus;
    if (r->w == 0) {
        return;
    }
    line(p, r, 0, PANEL_FACE_SANS, PANEL_RGB_DIM, "latest frames");
    const int pitch = (r->h - p->layout.line_px) / 6;
    unsigned n = bus->n_lines > PANEL_FRAME_LINES ? PANEL_FRAME_LINES : bus->n_lines;
    unsigned first = n > 6 ? n - 6 : 0; /* the newest six, oldest on top */
    panel_rect_t prev = panel_gfx_clip(&p->cv, *r);
    for (unsigned i = first; i < n; i++) {
        int y = r->y + p->layout.line_px + (int)(i - first) * pitch;
        panel_text(&p->cv, p->fonts, PANEL_FACE_MONO, p->layout.mono_px, r->x, y,
                   i + 1 == n ? PANEL_RGB_TEXT : 0xB8BEC7u, bus->lines[i]);
    }
    p->cv.clip = prev;
}

static void draw_message(panel_t *p) {
    const panel_rect_t *r = &p->layout.message;
    char buf[PANEL_PROMPT_MAX + 8];
    if (p->prompt_open) {
        snprintf(buf, sizeof buf, "> %s_", p->prompt);
        line(p, r, 0, PANEL_FACE_MONO, PANEL_RGB_SELECT, buf);
    } else if (p->message_frames > 0) {
        line(p, r, 0, PANEL_FACE_SANS, PANEL_RGB_TEXT, p->message);
    } else if (p->snap.status[0]) {
        line(p, r, 0, PANEL_FACE_BOLD, PANEL_RGB_WARN, p->snap.status);
    } else {
        line(p, r, 0, PANEL_FACE_SANS, PANEL_RGB_DIM,
             "F1 help  |  Space pause  |  +/- speed  |  click a relay to override it  |  "
             "Return: command prompt");
    }
}

static void draw_timeline(panel_t *p) {
    const panel_snapshot_t *s = &p->snap;
    panel_rect_t r = p->layout.timeline;
    panel_rect_t bar = {r.x, r.y + r.h / 2 - 4, r.w, 8};
    panel_gfx_fill(&p->cv, bar, 0x2B3038u);
    if (s->end_ns <= 0) {
        return;
    }
    int64_t t = s->t_ns < 0 ? 0 : (s->t_ns > s->end_ns ? s->end_ns : s->t_ns);
    int x = (int)((t / 1000) * (bar.w - 1) / (s->end_ns / 1000 > 0 ? s->end_ns / 1000 : 1));
    panel_gfx_fill(&p->cv, (panel_rect_t){bar.x, bar.y, x + 1, bar.h}, PANEL_RGB_SELECT);
    if (s->view == PANEL_VIEW_REPLAY) {
        panel_gfx_disc(&p->cv, bar.x + x, bar.y + bar.h / 2, 7, PANEL_RGB_TEXT);
    }
}

void panel_draw_strip(panel_t *p) {
    panel_gfx_fill(&p->cv, p->layout.strip, 0x1B1F25u);
    panel_gfx_fill(&p->cv, (panel_rect_t){0, p->layout.strip.y, p->layout.width, 1},
                   PANEL_RGB_EDGE);
    draw_buttons(p);
    draw_info(p);
    draw_bus(p);
    draw_frames(p);
    draw_message(p);
    panel_gfx_fill(&p->cv,
                   (panel_rect_t){0, p->layout.timeline.y, p->layout.width, PANEL_TIMELINE_H},
                   0x1B1F25u);
    draw_timeline(p);
}
