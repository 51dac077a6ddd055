/*
 * scn_syntax.c: turns "cJSON failed at byte N" into a sentence.
 *
 * cJSON reports only where it stopped. To say what was expected there, we re-scan the text from
 * the start with a small JSON state machine (a stack of open containers plus what may come
 * next) until the reported offset, then describe the expectation and what was found instead.
 * Strings are special: cJSON reports a bad string at its first content byte, so when the offset
 * falls inside a string we inspect it and point at the culprit (the opening quote of an
 * unterminated string, the backslash of a bad escape).
 *
 * The scan accepts exactly what cJSON 1.7 accepts (literals, numbers as strtod reads them,
 * escapes with paired surrogates, 1000 levels of nesting), so scanning the whole text also
 * answers whether it is valid JSON at all: when it is, cJSON failed for lack of memory.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_doc.h"
#include "scn_text.h"

typedef enum { X_VALUE, X_VALUE_OR_CLOSE, X_KEY, X_KEY_OR_CLOSE, X_COLON, X_COMMA, X_END } want_t;

typedef struct {
    const char *t;
    size_t len, off, i;
    want_t want;
    char *stack; /* '{' or '[' per open container */
    size_t depth, stack_cap;
    bool after_comma;
    bool done; /* the explanation is written */
    size_t *where;
    char *msg;
    size_t cap;
} scan_t;

static void describe(const scan_t *s, size_t p, char *buf, size_t cap) {
    if (p >= s->len) {
        snprintf(buf, cap, "end of input");
        return;
    }
    unsigned char c = (unsigned char)s->t[p];
    size_t e = scn_text_scalar_end(s->t, s->len, p);
    if (e > p + 1) {
        int n = e - p > 24 ? 24 : (int)(e - p);
        snprintf(buf, cap, "'%.*s%s'", n, s->t + p, e - p > 24 ? "..." : "");
    } else if (c == '\'') {
        snprintf(buf, cap, "\"'\" (JSON strings use double quotes)");
    } else if (c >= 0x20u && c < 0x7Fu) {
        snprintf(buf, cap, "'%c'", c);
    } else {
        snprintf(buf, cap, "byte 0x%02X", c);
    }
}

SCN_PRINTF(3, 4) static void say(scan_t *s, size_t where, const char *fmt, ...) {
    char body[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(s->msg, s->cap, "invalid JSON: %s", body);
    *s->where = where;
    s->done = true;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The value of the \uXXXX escape at p ("\\u" included), or -1 if it is not one. */
static long u_escape(const scan_t *s, size_t p) {
    if (p + 6 > s->len || s->t[p] != '\\' || s->t[p + 1] != 'u') {
        return -1;
    }
    long v = 0;
    for (size_t k = 2; k < 6; k++) {
        int d = hex_digit(s->t[p + k]);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* Checks one escape at p; returns the bytes it spans, or 0 when it is invalid. */
static size_t escape_len(const scan_t *s, size_t p) {
    if (p + 1 >= s->len) {
        return 0;
    }
    if (strchr("\"\\/bfnrt", s->t[p + 1]) != NULL && s->t[p + 1] != '\0') {
        return 2;
    }
    long u = u_escape(s, p);
    if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) {
        return 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        /* A high surrogate must be followed by a low one (cJSON rejects it otherwise). */
        long lo = u_escape(s, p + 6);
        return lo >= 0xDC00 && lo <= 0xDFFF ? 12 : 0;
    }
    return 6;
}

static void explain_string(scan_t *s, size_t q) {
    for (size_t p = q + 1; p < s->len; p++) {
        if (s->t[p] == '"') {
            say(s, q, "%s", "invalid string");
            return;
        }
        if (s->t[p] == '\\') {
            size_t n = escape_len(s, p);
            long u = n == 0 ? u_escape(s, p) : -1;
            if (u >= 0xD800 && u <= 0xDFFF) {
                /* Well-formed escape, but half of a UTF-16 pair: say so, not "invalid escape". */
                say(s, p,
                    "unpaired UTF-16 surrogate \\u%04lX in a string (a \\uD800-\\uDBFF escape "
                    "must be followed by a \\uDC00-\\uDFFF one)",
                    u);
                return;
            }
            if (n == 0) {
                char found[40];
                describe(s, p + 1, found, sizeof found);
                say(s, p, "invalid escape sequence in a string (backslash before %s)", found);
                return;
            }
            p += n - 1;
        }
    }
    say(s, q, "%s", "unterminated string");
}

static bool push(scan_t *s, char c) {
    if (s->depth == s->stack_cap) {
        size_t cap = s->stack_cap ? 2 * s->stack_cap : 64;
        char *n = realloc(s->stack, cap);
        if (n == NULL) {
            return false;
        }
        s->stack = n;
        s->stack_cap = cap;
    }
    s->stack[s->depth++] = c;
    s->want = c == '{' ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE;
    return true;
}

static void after_value(scan_t *s) {
    s->want = s->depth == 0 ? X_END : X_COMMA;
    s->after_comma = false;
}

/* Steps over one token in a value position; false when the scan must stop here. */
/* cJSON's escapes: \" \\ \/ \b \f \n \r \t and \uXXXX with surrogates paired. */
static bool escapes_ok(const scan_t *s, size_t q, size_t end) {
    for (size_t p = q + 1; p < end; p++) {
        if (s->t[p] == '\\') {
            size_t n = escape_len(s, p);
            if (n == 0) {
                return false;
            }
            p += n - 1;
        }
    }
    return true;
}

/*
 * A literal is exactly true, false or null. A number is what cJSON reads: it starts with '-' or
 * a digit, and strtod() consumes the whole run of "0123456789+-eE." (at most 63 bytes, cJSON's
 * buffer); whatever strtod leaves over makes cJSON fail right after it.
 */
static bool scalar_ok(const char *t, size_t i, size_t e) {
    size_t n = e - i;
    if ((n == 4 && (memcmp(t + i, "true", 4) == 0 || memcmp(t + i, "null", 4) == 0)) ||
        (n == 5 && memcmp(t + i, "false", 5) == 0)) {
        return true;
    }
    if (n > 63 || !(t[i] == '-' || (t[i] >= '0' && t[i] <= '9'))) {
        return false;
    }
    char num[64];
    for (size_t k = 0; k < n; k++) {
        if (strchr("0123456789+-eE.", t[i + k]) == NULL) {
            return false;
        }
        num[k] = t[i + k];
    }
    num[n] = '\0';
    char *end = NULL;
    (void)strtod(num, &end);
    return end == num + n;
}

/* Steps over a string (value or key); false, with the explanation written, if it is bad. */
static bool step_string(scan_t *s) {
    size_t e = scn_text_string_end(s->t, s->len, s->i);
    if (e == SIZE_MAX || e > s->off || !escapes_ok(s, s->i, e)) {
        explain_string(s, s->i);
        return false;
    }
    s->i = e;
    return true;
}

/* Steps over one token in a value position; false when the scan must stop here. */
static bool step_value(scan_t *s, char c) {
    if (c == '{' || c == '[') {
        if (s->depth >= CJSON_NESTING_LIMIT) {
            return false; /* explained by the caller */
        }
        s->i++;
        return push(s, c);
    }
    if (s->want == X_VALUE_OR_CLOSE && c == ']') {
        s->i++;
        s->depth--;
        after_value(s);
        return true;
    }
    if (c == '"') {
        if (!step_string(s)) {
            return false;
        }
        after_value(s);
        return true;
    }
    size_t e = scn_text_scalar_end(s->t, s->len, s->i);
    if (e == s->i || e > s->off || !scalar_ok(s->t, s->i, e)) {
        return false; /* not a value, or the bad token itself: explained by the caller */
    }
    s->i = e;
    after_value(s);
    return true;
}

static bool step_other(scan_t *s, char c) {
    if (s->want == X_KEY || s->want == X_KEY_OR_CLOSE) {
        if (c == '}' && s->want == X_KEY_OR_CLOSE) {
            s->i++;
            s->depth--;
            after_value(s);
            return true;
        }
        if (c != '"' || !step_string(s)) {
            return false;
        }
        s->want = X_COLON;
        return true;
    }
    if (s->want == X_COLON && c == ':') {
        s->i++;
        s->want = X_VALUE;
        return true;
    }
    if (s->want == X_COMMA && c == ',') {
        s->i++;
        s->want = s->stack[s->depth - 1] == '{' ? X_KEY : X_VALUE;
        s->after_comma = true;
        return true;
    }
    if (s->want == X_COMMA && c == (s->stack[s->depth - 1] == '{' ? '}' : ']')) {
        s->i++;
        s->depth--;
        after_value(s);
        return true;
    }
    return false;
}

static void explain_value(scan_t *s, char c, const char *found) {
    if ((c == '{' || c == '[') && s->depth >= CJSON_NESTING_LIMIT) {
        say(s, s->i, "nesting deeper than %d levels", CJSON_NESTING_LIMIT);
    } else if (s->after_comma && (c == ']' || c == '}')) {
        say(s, s->i, "expected a value after ',' but found %s (no trailing commas in JSON)", found);
    } else if (s->i >= s->len && s->depth == 0) {
        say(s, s->i, "%s", "the document is empty (expected a JSON object)");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        say(s, s->i, "invalid number %s", found);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        say(s, s->i, "expected a value but found %s (strings need double quotes)", found);
    } else {
        say(s, s->i, "expected a value but found %s", found);
    }
}

static void explain_here(scan_t *s) {
    char found[48];
    describe(s, s->i, found, sizeof found);
    char c = s->i < s->len ? s->t[s->i] : '\0';
    bool obj = s->depth > 0 && s->stack[s->depth - 1] == '{';
    switch (s->want) {
        case X_VALUE:
        case X_VALUE_OR_CLOSE:
            explain_value(s, c, found);
            break;
        case X_KEY:
        case X_KEY_OR_CLOSE:
            say(s, s->i,
                s->after_comma && c == '}'
                    ? "expected a key after ',' but found %s (no trailing commas in JSON)"
                    : "expected a key in double quotes but found %s",
                found);
            break;
        case X_COLON:
            say(s, s->i, "expected ':' after the key but found %s", found);
            break;
        case X_COMMA:
            say(s, s->i,
                obj ? "expected ',' or '}' but found %s" : "expected ',' or ']' but found %s",
                found);
            break;
        case X_END:
            say(s, s->i, "unexpected %s after the end of the JSON document", found);
            break;
    }
}

bool scn_syntax_explain(const char *text, size_t len, size_t off, size_t *where, char *msg,
                        size_t cap) {
    scan_t s = {.t = text, .len = len, .off = off, .where = where, .msg = msg, .cap = cap};
    s.i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    s.want = X_VALUE;
    for (;;) {
        s.i = scn_text_skip_ws(text, len, s.i);
        if (s.i >= off || s.i >= len) {
            break;
        }
        char c = text[s.i];
        bool value = s.want == X_VALUE || s.want == X_VALUE_OR_CLOSE;
        if (!(value ? step_value(&s, c) : step_other(&s, c))) {
            break;
        }
    }
    /* The whole text scanned as one complete value: cJSON failed for another reason (memory). */
    bool valid = !s.done && s.want == X_END && s.i >= len;
    if (!s.done && !valid) {
        explain_here(&s);
    }
    free(s.stack);
    return !valid;
}
