/*
 * panel.c: the panel's lifecycle, its frame, its input queue and its screenshots.
 *
 * The canvas is the frame: panel_draw renders into it and then (with a window) copies it out, so
 * a screenshot is the canvas written as PNG, identical with and without a display.
 */
#include "panel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel_png.h"
#include "sim_types.h"

void panel_opts_default(panel_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->width = 1280;
    o->height = 800;
}

int panel_canvas_resize(panel_t *p, int w, int h) {
    w = w < PANEL_MIN_W ? PANEL_MIN_W : (w > PANEL_PNG_MAX_SIDE ? PANEL_PNG_MAX_SIDE : w);
    h = h < PANEL_MIN_H ? PANEL_MIN_H : (h > PANEL_PNG_MAX_SIDE ? PANEL_PNG_MAX_SIDE : h);
    if (p->cv.px && p->cv.w == w && p->cv.h == h) {
        return 0;
    }
    uint32_t *px = calloc((size_t)w * (size_t)h, sizeof *px);
    if (!px) {
        return -SIM_ENOMEM;
    }
    free(p->cv.px);
    p->cv.px = px;
    p->cv.w = w;
    p->cv.h = h;
    p->cache_valid = false;
    panel_gfx_unclip(&p->cv);
    return 0;
}

static int open_parts(panel_t *p, const panel_opts_t *o, char *err, size_t errlen) {
    const char *fonts[PANEL_FACE_COUNT] = {o->font_sans, o->font_bold, o->font_mono};
    int rc = panel_fonts_open(fonts, &p->fonts, err, errlen);
    if (rc != 0) {
        return rc;
    }
    int w = o->width > 0 ? o->width : 1280, h = o->height > 0 ? o->height : 800;
    if (panel_canvas_resize(p, w, h) != 0) {
        return -SIM_ENOMEM;
    }
    if (!o->headless) {
        rc = panel_sdl_open(p, p->title, p->cv.w, p->cv.h, err, errlen);
    }
    return rc;
}

int panel_open(const panel_opts_t *opts, panel_t **out, char *err, size_t errlen) {
    panel_opts_t o;
    if (opts) {
        o = *opts;
    } else {
        panel_opts_default(&o);
    }
    *out = NULL;
    panel_t *p = calloc(1, sizeof *p);
    if (!p) {
        return -SIM_ENOMEM;
    }
    snprintf(p->title, sizeof p->title, "%s", o.title ? o.title : "alfasim");
    snprintf(p->shot_dir, sizeof p->shot_dir, "%s", o.screenshot_dir ? o.screenshot_dir : ".");
    p->selected = -1;
    panel_blink_reset(&p->blink);
    int rc = open_parts(p, &o, err, errlen);
    if (rc != 0) {
        panel_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

void panel_close(panel_t *p) {
    if (!p) {
        return;
    }
    panel_sdl_close(p);
    panel_fonts_close(p->fonts);
    free(p->cv.px);
    free(p);
}

void panel_draw(panel_t *p, const panel_snapshot_t *snap) {
    bool retitle = !p->drawn || strcmp(p->snap.title, snap->title) != 0;
    if (snap->status[0] && strcmp(p->snap.status, snap->status) != 0) {
        /* The run layer's newer word (an input refused, say) answers the panel's own echo of
         * that input ("sent: ..."), so it must not stay hidden behind it. */
        p->message_frames = 0;
    }
    p->snap = *snap;
    if (p->snap.n_nodes > PANEL_NODES_MAX) {
        p->snap.n_nodes = PANEL_NODES_MAX;
    }
    if (p->selected >= (int)p->snap.n_nodes) {
        p->selected = -1;
    }
    p->drawn = true;
    panel_blink_update(&p->blink, &p->snap);
    panel_render(p);
    if (p->message_frames > 0) {
        p->message_frames--;
    }
    if (p->sdl) {
        if (retitle && p->snap.title[0]) {
            char title[2 * PANEL_TEXT_MAX + 4];
            snprintf(title, sizeof title, "%s - %s", p->title, p->snap.title);
            panel_sdl_title(p, title);
        }
        panel_sdl_present(p, false);
    }
}

void panel_push(panel_t *p, const panel_input_t *in) {
    if (p->q_len == PANEL_QUEUE_MAX) {
        p->dropped++; /* bounded: a stuck run layer must not make the panel grow */
        return;
    }
    p->queue[(p->q_head + p->q_len) % PANEL_QUEUE_MAX] = *in;
    p->q_len++;
}

int panel_poll(panel_t *p, panel_input_t *in) {
    if (p->sdl) {
        panel_sdl_pump(p);
    }
    if (p->q_len == 0) {
        *in = panel_input_make(PANEL_IN_NONE);
        return 0;
    }
    *in = p->queue[p->q_head];
    p->q_head = (p->q_head + 1) % PANEL_QUEUE_MAX;
    p->q_len--;
    return 1;
}

void panel_feed(panel_t *p, const panel_event_t *ev) {
    panel_handle(p, ev);
}

void panel_message(panel_t *p, const char *text) {
    snprintf(p->message, sizeof p->message, "%s", text);
    p->message_frames = PANEL_MESSAGE_SHOW;
}

int panel_capture(const panel_t *p, panel_image_t *out) {
    memset(out, 0, sizeof *out);
    if (!p->drawn) {
        return -SIM_EINVAL;
    }
    int rc = panel_image_alloc(out, p->cv.w, p->cv.h);
    if (rc != 0) {
        return rc;
    }
    const size_t n = (size_t)p->cv.w * (size_t)p->cv.h;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = p->cv.px[i];
        out->rgb[i * 3u] = (uint8_t)(v >> 16);
        out->rgb[i * 3u + 1u] = (uint8_t)(v >> 8);
        out->rgb[i * 3u + 2u] = (uint8_t)v;
    }
    return 0;
}

int panel_screenshot(panel_t *p, const char *path) {
    panel_image_t img;
    int rc = panel_capture(p, &img);
    if (rc == 0) {
        rc = panel_png_write(path, &img);
        panel_image_free(&img);
    }
    return rc;
}

void panel_screenshot_key(panel_t *p) {
    /* Named by virtual time, so a session's screenshots sort and never depend on the host; a
     * second shot at the same instant (paused) gets a suffix instead of overwriting the first. */
    char path[700], msg[PANEL_MESSAGE_MAX], suffix[16] = "";
    long long ms = p->snap.t_ns > 0 ? (long long)(p->snap.t_ns / 1000000) : 0;
    p->shots = (p->shots > 0 && ms == p->last_shot_ms) ? p->shots + 1 : 1;
    p->last_shot_ms = ms;
    if (p->shots > 1) {
        snprintf(suffix, sizeof suffix, "-%u", p->shots);
    }
    snprintf(path, sizeof path, "%s/panel-%09lld.%03lld%s.png", p->shot_dir, ms / 1000, ms % 1000,
             suffix);
    int rc = panel_screenshot(p, path);
    size_t len = strlen(path);
    const char *tail = len > 80 ? path + len - 80 : path; /* the file name is the useful end */
    if (rc == 0) {
        snprintf(msg, sizeof msg, "screenshot: %.80s", tail);
    } else {
        snprintf(msg, sizeof msg, "screenshot failed: %.80s: %.20s", tail, sim_strerror(rc));
    }
    panel_message(p, msg);
}

int panel_selected(const panel_t *p) {
    return p->selected;
}

uint64_t panel_dropped_inputs(const panel_t *p) {
    return p->dropped;
}
