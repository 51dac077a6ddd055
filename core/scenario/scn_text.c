/*
 * scn_text.c: the lexical rules of cJSON 1.7, re-stated for the position index and the
 * syntax-error explainer (see scn_text.h), and the line:col arithmetic of diagnostics.
 */
#include "scn_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX_SRC_BYTES 48

size_t scn_text_skip_ws(const char *text, size_t len, size_t i) {
    /* cJSON compares unsigned bytes with 32, so NUL and every control byte are whitespace. */
    while (i < len && (unsigned char)text[i] <= 32u) {
        i++;
    }
    return i;
}

size_t scn_text_string_end(const char *text, size_t len, size_t i) {
    for (i++; i < len; i++) {
        if (text[i] == '\\') {
            i++;
        } else if (text[i] == '"') {
            return i + 1;
        }
    }
    return SIZE_MAX;
}

bool scn_text_is_scalar_byte(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
           c == '-' || c == '.';
}

size_t scn_text_scalar_end(const char *text, size_t len, size_t i) {
    while (i < len && scn_text_is_scalar_byte(text[i])) {
        i++;
    }
    return i;
}

/* Per thread, so that loads on two threads count apart; never part of any output. */
static _Thread_local size_t scanned_bytes;

size_t scn_text_linecol_scanned_bytes(void) {
    return scanned_bytes;
}

void scn_text_advance(scn_linecol_t *lc, const char *text, size_t from, size_t to) {
    unsigned l = lc->line, c = lc->col;
    for (size_t i = from; i < to; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n') {
            l++;
            c = 1;
        } else if (b == '\t') {
            c = ((c - 1u) / 8u + 1u) * 8u + 1u;
        } else if ((b & 0xC0u) != 0x80u) {
            /* UTF-8 continuation bytes add no column: one character, one column. */
            c++;
        }
    }
    scanned_bytes += to > from ? to - from : 0;
    lc->line = l;
    lc->col = c;
}

void scn_text_linecol(const char *text, size_t len, size_t off, unsigned *line, unsigned *col) {
    scn_linecol_t lc = SCN_LINECOL_START;
    scn_text_advance(&lc, text, 0, off > len ? len : off);
    *line = lc.line;
    *col = lc.col;
}

/* Appends the escaped form of byte b; returns its length (0 when it does not fit). */
static size_t quote_byte(char *dst, size_t room, unsigned char b) {
    char tmp[8];
    int n;
    if (b == '"' || b == '\\') {
        n = snprintf(tmp, sizeof tmp, "\\%c", b);
    } else if (b == '\n') {
        n = snprintf(tmp, sizeof tmp, "\\n");
    } else if (b == '\t') {
        n = snprintf(tmp, sizeof tmp, "\\t");
    } else if (b < 0x20u || b == 0x7Fu) {
        n = snprintf(tmp, sizeof tmp, "\\u%04x", b);
    } else {
        n = snprintf(tmp, sizeof tmp, "%c", b);
    }
    if (n < 0 || (size_t)n >= room) {
        return 0;
    }
    memcpy(dst, tmp, (size_t)n);
    return (size_t)n;
}

void scn_text_quote(char *dst, size_t cap, const char *src, size_t n) {
    /* Room for the closing quote, "..." and the NUL is kept back at every step. */
    const size_t reserve = 5;
    size_t o = 0;
    if (cap < reserve + 2) {
        if (cap > 0) {
            dst[0] = '\0';
        }
        return;
    }
    dst[o++] = '"';
    size_t i = 0;
    for (; i < n && i < QUOTE_MAX_SRC_BYTES; i++) {
        size_t w = quote_byte(dst + o, cap - o - reserve, (unsigned char)src[i]);
        if (w == 0) {
            break;
        }
        o += w;
    }
    if (i < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

size_t scn_text_utf8_invalid(const char *text, size_t len) {
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char b = t[i];
        if (b < 0x80u) {
            i++;
            continue;
        }
        /* The lead byte fixes the length and the range of the second byte (RFC 3629, section
         * 4): E0 and F0 exclude overlong forms, ED the surrogates, F4 everything past U+10FFFF. */
        size_t n;
        unsigned char lo = 0x80u, hi = 0xBFu;
        if (b >= 0xC2u && b <= 0xDFu) {
            n = 2;
        } else if (b >= 0xE0u && b <= 0xEFu) {
            n = 3;
            lo = b == 0xE0u ? 0xA0u : 0x80u;
            hi = b == 0xEDu ? 0x9Fu : 0xBFu;
        } else if (b >= 0xF0u && b <= 0xF4u) {
            n = 4;
            lo = b == 0xF0u ? 0x90u : 0x80u;
            hi = b == 0xF4u ? 0x8Fu : 0xBFu;
        } else {
            return i;
        }
        if (i + 1 >= len || t[i + 1] < lo || t[i + 1] > hi) {
            return i;
        }
        for (size_t k = 2; k < n; k++) {
            if (i + k >= len || (t[i + k] & 0xC0u) != 0x80u) {
                return i;
            }
        }
        i += n;
    }
    return SIZE_MAX;
}
