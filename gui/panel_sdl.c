/*
 * panel_sdl.c: the window: SDL events in, finished frames out.
 *
 * Keys that type text (letters, digits, '+', '?', ...) arrive as SDL_TEXTINPUT, which already
 * honours the keyboard layout and shift; only keys that type nothing (F-keys, arrows, Return,
 * Escape, ...) are taken from SDL_KEYDOWN. So '+' works on every layout and a key is never
 * handled twice.
 */
#include "panel_int.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_types.h"

struct panel_sdl {
    SDL_Window *win;
};

int panel_sdl_open(panel_t *p, const char *title, int w, int h, char *err, size_t errlen) {
    /* The window surface through the video driver's own framebuffer (X11: shared memory), not
     * through an OpenGL texture: on machines without a GPU the GL path runs on llvmpipe and
     * costs more than drawing the whole panel. SDL_FRAMEBUFFER_ACCELERATION in the environment
     * still wins over this default. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen,
                 "cannot open the panel window: %s (no display? screenshots work headless, or "
                 "set SDL_VIDEODRIVER=dummy)",
                 SDL_GetError());
        return -SIM_EIO;
    }
    /* With no display SDL quietly falls back to a driver that shows nothing. A window nobody
     * can see is a confusing way to fail: refuse, unless such a driver was asked for. */
    const char *driver = SDL_GetCurrentVideoDriver(), *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        !(asked && asked[0])) {
        snprintf(err, errlen,
                 "cannot open the panel window: no display (DISPLAY or WAYLAND_DISPLAY unset); "
                 "run under xvfb-run, use --screenshot-at, or set SDL_VIDEODRIVER=dummy");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return -SIM_EIO;
    }
    p->sdl = calloc(1, sizeof *p->sdl);
    if (!p->sdl) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return -SIM_ENOMEM;
    }
    p->sdl->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                                   SDL_WINDOW_RESIZABLE);
    if (!p->sdl->win) {
        snprintf(err, errlen, "cannot open the panel window: %s", SDL_GetError());
        panel_sdl_close(p);
        return -SIM_EIO;
    }
    SDL_SetWindowMinimumSize(p->sdl->win, PANEL_MIN_W, PANEL_MIN_H);
    SDL_StartTextInput();
    return 0;
}

void panel_sdl_close(panel_t *p) {
    if (!p->sdl) {
        return;
    }
    if (p->sdl->win) {
        SDL_StopTextInput();
        SDL_DestroyWindow(p->sdl->win);
    }
    free(p->sdl);
    p->sdl = NULL;
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0) {
        SDL_Quit(); /* nothing else of SDL in use: also release its D-Bus connection */
    }
}

void panel_sdl_title(panel_t *p, const char *title) {
    SDL_SetWindowTitle(p->sdl->win, title);
}

void panel_sdl_present(panel_t *p, bool all) {
    SDL_Surface *dst = SDL_GetWindowSurface(p->sdl->win);
    SDL_Surface *src = SDL_CreateRGBSurfaceWithFormatFrom(p->cv.px, p->cv.w, p->cv.h, 32,
                                                          p->cv.w * 4, SDL_PIXELFORMAT_XRGB8888);
    if (dst && src) {
        SDL_Rect rects[PANEL_NODES_MAX + 2];
        int n = 0;
        if (all || p->n_dirty == 0 || dst->w != p->cv.w || dst->h != p->cv.h) {
            rects[n++] = (SDL_Rect){0, 0, p->cv.w, p->cv.h};
        } else {
            for (unsigned i = 0; i < p->n_dirty; i++) {
                const panel_rect_t *d = &p->dirty[i];
                rects[n++] = (SDL_Rect){d->x, d->y, d->w, d->h};
            }
        }
        for (int i = 0; i < n; i++) {
            SDL_Rect r = rects[i]; /* SDL_BlitSurface clips its rectangles in place */
            SDL_BlitSurface(src, &r, dst, &r);
        }
        SDL_UpdateWindowSurfaceRects(p->sdl->win, rects, n);
    }
    SDL_FreeSurface(src);
}

static int map_key(SDL_Keycode k) {
    if (k >= SDLK_F1 && k <= SDLK_F12) {
        return PANEL_KEY_F1 + (int)(k - SDLK_F1);
    }
    switch (k) {
        case SDLK_BACKSPACE:
            return PANEL_KEY_BACKSPACE;
        case SDLK_TAB:
            return PANEL_KEY_TAB;
        case SDLK_RETURN:
        case SDLK_KP_ENTER:
            return PANEL_KEY_RETURN;
        case SDLK_ESCAPE:
            return PANEL_KEY_ESCAPE;
        case SDLK_LEFT:
            return PANEL_KEY_LEFT;
        case SDLK_RIGHT:
            return PANEL_KEY_RIGHT;
        case SDLK_UP:
            return PANEL_KEY_UP;
        case SDLK_DOWN:
            return PANEL_KEY_DOWN;
        case SDLK_HOME:
            return PANEL_KEY_HOME;
        case SDLK_END:
            return PANEL_KEY_END;
        default:
            return 0; /* typed keys come as text */
    }
}

/* One SDL event as a panel event; false when it is not one the panel uses. */
static bool translate(const SDL_Event *e, panel_event_t *ev) {
    memset(ev, 0, sizeof *ev);
    switch (e->type) {
        case SDL_QUIT:
            ev->kind = PANEL_EV_CLOSE;
            return true;
        case SDL_WINDOWEVENT:
            ev->kind = PANEL_EV_RESIZE;
            ev->x = e->window.data1;
            ev->y = e->window.data2;
            return e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED;
        case SDL_KEYDOWN:
            ev->kind = PANEL_EV_KEY;
            ev->key = map_key(e->key.keysym.sym);
            ev->mods = ((e->key.keysym.mod & KMOD_SHIFT) ? PANEL_MOD_SHIFT : 0u) |
                       ((e->key.keysym.mod & KMOD_CTRL) ? PANEL_MOD_CTRL : 0u);
            return ev->key != 0;
        case SDL_TEXTINPUT:
            ev->kind = PANEL_EV_TEXT;
            snprintf(ev->text, sizeof ev->text, "%s", e->text.text);
            return true;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            ev->kind = e->type == SDL_MOUSEBUTTONDOWN ? PANEL_EV_BUTTON_DOWN : PANEL_EV_BUTTON_UP;
            ev->x = e->button.x;
            ev->y = e->button.y;
            ev->button = e->button.button;
            return true;
        case SDL_MOUSEMOTION:
            ev->kind = PANEL_EV_MOTION;
            ev->x = e->motion.x;
            ev->y = e->motion.y;
            return true;
        default:
            return false;
    }
}

void panel_sdl_pump(panel_t *p) {
    SDL_Event e;
    bool exposed = false;
    while (SDL_PollEvent(&e)) {
        panel_event_t ev;
        if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_EXPOSED) {
            exposed = true;
        }
        if (translate(&e, &ev)) {
            panel_handle(p, &ev);
        }
    }
    if (exposed && p->drawn) {
        panel_sdl_present(p, true); /* uncovered while paused: show the last frame again */
    }
}
