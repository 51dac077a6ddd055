/*
 * Locale-free JSON/XML text encoding and number formatting for the trace writers (see
 * sim_trace_text.h for the rules). The UTF-8 decoder follows the well-formed byte sequences of
 * Unicode 15 table 3-7, so overlong forms and surrogates are rejected like any other garbage.
 */
#include "sim_trace_text.h"

#include <locale.h>
#include <string.h>

#include "sim_types.h"

static bool is_cont(unsigned char b) {
    return (b & 0xC0u) == 0x80u;
}

size_t sim_text_utf8_next(const char *s, uint32_t *cp) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned char b0 = u[0];
    if (b0 < 0x80u) {
        *cp = b0;
        return 1;
    }
    /* The NUL terminator is not a continuation byte, so reading u[1..3] never passes it. */
    if (b0 >= 0xC2u && b0 <= 0xDFu && is_cont(u[1])) {
        *cp = (uint32_t)(b0 & 0x1Fu) << 6 | (u[1] & 0x3Fu);
        return 2;
    }
    if (b0 >= 0xE0u && b0 <= 0xEFu) {
        unsigned char lo = b0 == 0xE0u ? 0xA0u : 0x80u; /* no overlong forms */
        unsigned char hi = b0 == 0xEDu ? 0x9Fu : 0xBFu; /* no surrogates */
        if (u[1] >= lo && u[1] <= hi && is_cont(u[2])) {
            *cp = (uint32_t)(b0 & 0x0Fu) << 12 | (uint32_t)(u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
            return 3;
        }
    }
    if (b0 >= 0xF0u && b0 <= 0xF4u) {
        unsigned char lo = b0 == 0xF0u ? 0x90u : 0x80u; /* no overlong forms */
        unsigned char hi = b0 == 0xF4u ? 0x8Fu : 0xBFu; /* nothing above U+10FFFF */
        if (u[1] >= lo && u[1] <= hi && is_cont(u[2]) && is_cont(u[3])) {
            *cp = (uint32_t)(b0 & 0x07u) << 18 | (uint32_t)(u[1] & 0x3Fu) << 12 |
                  (uint32_t)(u[2] & 0x3Fu) << 6 | (u[3] & 0x3Fu);
            return 4;
        }
    }
    *cp = SIM_TEXT_REPLACEMENT;
    return 1;
}

/* The JSON form of one character starting at s: at most 6 bytes ("\u00XX"), not terminated. */
static size_t json_char(const char *s, size_t *used, char out[6]) {
    static const char hex[] = "0123456789abcdef";
    uint32_t cp;
    size_t n = sim_text_utf8_next(s, &cp);
    *used = n;
    if (cp == '"' || cp == '\\') {
        out[0] = '\\';
        out[1] = (char)cp;
        return 2;
    }
    if (cp < 0x20u) {
        memcpy(out, "\\u00", 4);
        out[4] = hex[cp >> 4];
        out[5] = hex[cp & 0xFu];
        return 6;
    }
    if (cp == SIM_TEXT_REPLACEMENT && n == 1) {
        /* Written as an escape, so the output stays plain ASCII where the input was garbage. */
        memcpy(out, "\\ufffd", 6);
        return 6;
    }
    memcpy(out, s, n);
    return n;
}

bool sim_text_json_escape(char *out, size_t cap, size_t *len, const char *s) {
    SIM_ASSERT(out != NULL && len != NULL && *len < cap && s != NULL);
    while (*s != '\0') {
        char enc[6];
        size_t used;
        size_t n = json_char(s, &used, enc);
        if (*len + n + 1 > cap) {
            out[*len] = '\0';
            return false;
        }
        memcpy(out + *len, enc, n);
        *len += n;
        s += used;
    }
    out[*len] = '\0';
    return true;
}

void sim_text_json_fput(FILE *f, const char *s) {
    fputc('"', f);
    while (s != NULL && *s != '\0') {
        char enc[6];
        size_t used;
        size_t n = json_char(s, &used, enc);
        fwrite(enc, 1, n, f);
        s += used;
    }
    fputc('"', f);
}

void sim_text_xml_fput(FILE *f, const char *s, bool attr) {
    while (s != NULL && *s != '\0') {
        uint32_t cp;
        size_t n = sim_text_utf8_next(s, &cp);
        switch (cp) {
            case '&':
                fputs("&amp;", f);
                break;
            case '<':
                fputs("&lt;", f);
                break;
            case '>':
                fputs("&gt;", f);
                break;
            case '"':
                fputs("&quot;", f);
                break;
            case '\'':
                fputs("&apos;", f);
                break;
            case '\t':
                fputs(attr ? "&#9;" : "\t", f);
                break;
            case '\n':
                fputs(attr ? "&#10;" : "\n", f);
                break;
            case '\r':
                fputs("&#13;", f);
                break;
            default:
                if (cp < 0x20u || (cp == SIM_TEXT_REPLACEMENT && n == 1)) {
                    /* XML 1.0 §2.2: C0 controls are not characters, not even as &#x..;. */
                    fputs("\xEF\xBF\xBD", f);
                } else {
                    fwrite(s, 1, n, f);
                }
                break;
        }
        s += n;
    }
}

size_t sim_text_fixed(char *out, size_t cap, int64_t val, unsigned decimals) {
    SIM_ASSERT(out != NULL && cap > 0 && decimals <= 19);
    /* Negating in unsigned arithmetic keeps INT64_MIN exact. */
    uint64_t mag = val < 0 ? (uint64_t)0 - (uint64_t)val : (uint64_t)val;
    char digits[24];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + mag % 10u);
        mag /= 10u;
    } while (mag > 0);
    while (nd < decimals + 1u) {
        digits[nd++] = '0';
    }
    size_t need = (val < 0 ? 1u : 0u) + nd + (decimals > 0 ? 1u : 0u);
    if (need + 1 > cap) {
        out[0] = '\0';
        return 0;
    }
    size_t len = 0;
    if (val < 0) {
        out[len++] = '-';
    }
    while (nd > 0) {
        if (nd == decimals) {
            out[len++] = '.';
        }
        out[len++] = digits[--nd];
    }
    out[len] = '\0';
    return len;
}

size_t sim_text_real(char *out, size_t cap, double v) {
    SIM_ASSERT(out != NULL && cap >= 32);
    int n = snprintf(out, cap, "%.9g", v);
    SIM_ASSERT(n > 0 && (size_t)n < cap);
    /* printf honours LC_NUMERIC; a GUI or library may have called setlocale(LC_ALL, ""). */
    const char *dp = localeconv()->decimal_point;
    size_t dpl = dp != NULL ? strlen(dp) : 0;
    if (dpl == 0 || (dpl == 1 && dp[0] == '.')) {
        return (size_t)n;
    }
    char *at = strstr(out, dp);
    if (at != NULL) {
        *at = '.';
        memmove(at + 1, at + dpl, strlen(at + dpl) + 1);
    }
    return strlen(out);
}
