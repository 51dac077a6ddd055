/*
 * scn_pointer.c: JSON pointers (RFC 6901) of indexed items, for diagnostics.
 *
 * The position index stores each item's parent and index, so a pointer is built by climbing to
 * the root and writing the segments on the way back down; no search of the tree is needed.
 */
#include <stdio.h>
#include <string.h>

#include "scn_doc.h"

typedef struct {
    char *buf;
    size_t cap, len; /* len < cap always; buf[len] == '\0' */
} out_t;

static void put(out_t *o, const char *s, size_t n) {
    size_t room = o->cap - 1 - o->len;
    if (n > room) {
        n = room;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_key(out_t *o, const char *key) {
    for (const char *k = key; *k != '\0'; k++) {
        unsigned char b = (unsigned char)*k;
        char esc[8];
        if (b == '~') {
            put(o, "~0", 2);
        } else if (b == '/') {
            put(o, "~1", 2);
        } else if (b < 0x20u || b == 0x7Fu) {
            /* Control bytes would break the one-line diagnostic. */
            int n = snprintf(esc, sizeof esc, "\\u%04x", b);
            put(o, esc, (size_t)n);
        } else {
            put(o, k, 1);
        }
    }
}

static void put_segments(const scn_doc_t *doc, const cJSON *item, out_t *o) {
    const scn_pos_t *p = scn_doc_pos(doc, item);
    if (p->parent == NULL) {
        return;
    }
    put_segments(doc, p->parent, o);
    put(o, "/", 1);
    if (cJSON_IsArray(p->parent)) {
        char num[16];
        int n = snprintf(num, sizeof num, "%u", (unsigned)p->index);
        put(o, num, (size_t)n);
    } else {
        put_key(o, item->string);
    }
}

void scn_doc_pointer(const scn_doc_t *doc, const cJSON *item, char *buf, size_t cap) {
    if (cap == 0) {
        return;
    }
    out_t o = {.buf = buf, .cap = cap, .len = 0};
    buf[0] = '\0';
    put_segments(doc, item, &o);
}
