/*
 * panel_font.h: text on the panel's canvas, from Debian's DejaVu fonts through SDL2_ttf.
 *
 * Three faces (sans, sans bold, mono) at any pixel size. Each printable ASCII glyph is rasterised
 * once per (face, size) into an 8-bit coverage bitmap and then blended by panel_gfx_mask, so a
 * frame's text costs a few table look-ups per character instead of a FreeType call. At most
 * PANEL_FONT_SIZES (face, size) pairs stay cached; the least recently used is dropped (a window
 * being resized walks through many sizes). Characters outside 0x20..0x7E draw as '?'.
 *
 * Not thread-safe; one panel_fonts_t belongs to one panel.
 */
#ifndef PANEL_FONT_H
#define PANEL_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "panel_gfx.h"

typedef enum {
    PANEL_FACE_SANS = 0,
    PANEL_FACE_BOLD,
    PANEL_FACE_MONO,
    PANEL_FACE_COUNT
} panel_face_t;

#define PANEL_FONT_SIZES 12

/* Debian fonts-dejavu-core. */
#define PANEL_FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define PANEL_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define PANEL_FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

typedef struct panel_fonts panel_fonts_t;

/**
 * Opens the three faces (paths[i] NULL: the default above) and checks each loads.
 * @retval 0             *out set
 * @retval -SIM_ENOENT   a font file is missing or unreadable (message in err)
 * @retval -SIM_EIO      SDL2_ttf failed to initialise (message in err)
 * @retval -SIM_ENOMEM   out of memory
 */
int panel_fonts_open(const char *const paths[PANEL_FACE_COUNT], panel_fonts_t **out, char *err,
                     size_t errlen);
void panel_fonts_close(panel_fonts_t *f);

/** Width in pixels of s drawn in face at px (0 if the size cannot be loaded). */
int panel_text_width(panel_fonts_t *f, panel_face_t face, int px, const char *s);
/** Height of a line of text in face at px. */
int panel_text_height(panel_fonts_t *f, panel_face_t face, int px);
/** Draws s with its top-left at (x, y); returns the x after the last character. */
int panel_text(panel_canvas_t *cv, panel_fonts_t *f, panel_face_t face, int px, int x, int y,
               uint32_t rgb, const char *s);

#endif
