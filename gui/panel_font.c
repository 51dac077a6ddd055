/*
 * panel_font.c: glyph coverage bitmaps from SDL2_ttf, cached per (face, size).
 */
#include "panel_font.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_types.h"

#define GLYPH_FIRST 0x20
#define GLYPH_COUNT (0x7F - GLYPH_FIRST)

typedef struct {
    uint8_t *alpha; /* w * h coverage, NULL for blank glyphs */
    int w, h;
    int advance;
    int xoff; /* where the bitmap starts relative to the pen (negative left bearing) */
    bool ready;
} glyph_t;

typedef struct {
    TTF_Font *font; /* NULL: free slot */
    panel_face_t face;
    int px;
    int height;
    uint64_t used; /* last use, for least-recently-used eviction */
    glyph_t glyphs[GLYPH_COUNT];
} size_entry_t;

struct panel_fonts {
    char path[PANEL_FACE_COUNT][512];
    size_entry_t sizes[PANEL_FONT_SIZES];
    uint64_t clock;
};

static const char *const default_paths[PANEL_FACE_COUNT] = {PANEL_FONT_SANS, PANEL_FONT_BOLD,
                                                            PANEL_FONT_MONO};

static void entry_clear(size_entry_t *e) {
    for (int i = 0; i < GLYPH_COUNT; i++) {
        free(e->glyphs[i].alpha);
    }
    if (e->font) {
        TTF_CloseFont(e->font);
    }
    memset(e, 0, sizeof *e);
}

int panel_fonts_open(const char *const paths[PANEL_FACE_COUNT], panel_fonts_t **out, char *err,
                     size_t errlen) {
    *out = NULL;
    if (TTF_Init() != 0) {
        snprintf(err, errlen, "SDL2_ttf: %s", TTF_GetError());
        return -SIM_EIO;
    }
    panel_fonts_t *f = calloc(1, sizeof *f);
    if (!f) {
        TTF_Quit();
        return -SIM_ENOMEM;
    }
    for (int i = 0; i < PANEL_FACE_COUNT; i++) {
        const char *p = (paths && paths[i]) ? paths[i] : default_paths[i];
        snprintf(f->path[i], sizeof f->path[i], "%s", p);
        TTF_Font *probe = TTF_OpenFont(f->path[i], 12);
        if (!probe) {
            snprintf(err, errlen, "cannot load font %s (Debian package fonts-dejavu-core): %s",
                     f->path[i], TTF_GetError());
            free(f);
            TTF_Quit();
            return -SIM_ENOENT;
        }
        TTF_CloseFont(probe);
    }
    *out = f;
    return 0;
}

void panel_fonts_close(panel_fonts_t *f) {
    if (!f) {
        return;
    }
    for (int i = 0; i < PANEL_FONT_SIZES; i++) {
        entry_clear(&f->sizes[i]);
    }
    free(f);
    TTF_Quit();
}

/* The cache slot for (face, px), opening the font on a miss; NULL if it cannot be opened. */
static size_entry_t *entry_get(panel_fonts_t *f, panel_face_t face, int px) {
    size_entry_t *victim = &f->sizes[0];
    f->clock++;
    for (int i = 0; i < PANEL_FONT_SIZES; i++) {
        size_entry_t *e = &f->sizes[i];
        if (e->font && e->face == face && e->px == px) {
            e->used = f->clock;
            return e;
        }
        if (!e->font || (victim->font && e->used < victim->used)) {
            victim = e;
        }
    }
    entry_clear(victim);
    victim->font = TTF_OpenFont(f->path[face], px);
    if (!victim->font) {
        return NULL;
    }
    TTF_SetFontHinting(victim->font, TTF_HINTING_NORMAL);
    victim->face = face;
    victim->px = px;
    victim->height = TTF_FontHeight(victim->font);
    victim->used = f->clock;
    return victim;
}

/* Rasterises one glyph into its coverage bitmap (white glyph: alpha is the coverage). */
static void glyph_load(size_entry_t *e, glyph_t *g, Uint32 ch) {
    int minx = 0, maxx = 0, miny = 0, maxy = 0, adv = 0;
    g->ready = true;
    if (TTF_GlyphMetrics32(e->font, ch, &minx, &maxx, &miny, &maxy, &adv) == 0) {
        g->advance = adv;
    }
    g->xoff = minx < 0 ? minx : 0;
    SDL_Color white = {255, 255, 255, 255};
    SDL_Surface *s = TTF_RenderGlyph32_Blended(e->font, ch, white);
    if (!s) {
        return; /* blank (space): advance only */
    }
    g->alpha = malloc((size_t)s->w * (size_t)s->h);
    if (g->alpha) {
        g->w = s->w;
        g->h = s->h;
        for (int y = 0; y < s->h; y++) {
            const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
            for (int x = 0; x < s->w; x++) {
                g->alpha[y * s->w + x] = (uint8_t)(row[x] >> 24);
            }
        }
    }
    SDL_FreeSurface(s);
}

static glyph_t *glyph_get(size_entry_t *e, char c) {
    unsigned ch = (unsigned char)c;
    if (ch < GLYPH_FIRST || ch >= GLYPH_FIRST + GLYPH_COUNT) {
        ch = '?';
    }
    glyph_t *g = &e->glyphs[ch - GLYPH_FIRST];
    if (!g->ready) {
        glyph_load(e, g, ch);
    }
    return g;
}

int panel_text_width(panel_fonts_t *f, panel_face_t face, int px, const char *s) {
    size_entry_t *e = entry_get(f, face, px);
    int w = 0;
    for (; e && *s; s++) {
        w += glyph_get(e, *s)->advance;
    }
    return w;
}

int panel_text_height(panel_fonts_t *f, panel_face_t face, int px) {
    size_entry_t *e = entry_get(f, face, px);
    return e ? e->height : px;
}

int panel_text(panel_canvas_t *cv, panel_fonts_t *f, panel_face_t face, int px, int x, int y,
               uint32_t rgb, const char *s) {
    size_entry_t *e = entry_get(f, face, px);
    for (; e && *s; s++) {
        glyph_t *g = glyph_get(e, *s);
        if (g->alpha) {
            panel_gfx_mask(cv, x + g->xoff, y, g->alpha, g->w, g->h, rgb);
        }
        x += g->advance;
    }
    return x;
}
