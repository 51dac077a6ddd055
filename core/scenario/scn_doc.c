/*
 * scn_doc.c: cJSON parse plus the position index (see scn_doc.h).
 *
 * cJSON keeps no positions, so after it accepted the text we walk the same text again with the
 * lexical rules of scn_text.h, visiting members and elements in the order cJSON linked them. The
 * walk never decides validity; cJSON already did. Should the two ever disagree (a cJSON grammar
 * quirk the walk does not know), the load fails with an internal error instead of pointing
 * diagnostics at the wrong place.
 */
#include "scn_doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_text.h"
#include "sim_types.h"

typedef struct {
    scn_doc_t *doc;
    size_t i;             /* read offset */
    const scn_pos_t *dup; /* the earliest duplicate key found so far */
    const scn_pos_t *dup_first;
    size_t nul_off;        /* the first NUL in a string (escaped or raw), or SIZE_MAX */
    const cJSON *nul_item; /* the value holding it, or the member whose key does */
    bool nul_raw;          /* that NUL is a raw 0x00 byte rather than a \u0000 escape */
} walker_t;

/*
 * cJSON ends a string at an escaped NUL, so "a\u0000b" would quietly become "a": two node names
 * that differ after it would collide, a scenario name would lose its tail. It also copies a raw
 * 0x00 byte into a string (JSON forbids raw control characters there, cJSON does not check), with
 * the same effect. Such a string is refused instead, at the escape or the byte. `start` is the
 * opening quote, `end` just past the closing one.
 */
static void note_nul(walker_t *w, const cJSON *item, size_t start, size_t end) {
    const char *t = w->doc->text;
    for (size_t i = start + 1; i + 1 < end && i < w->nul_off; i++) {
        bool raw = t[i] == '\0';
        if (raw ||
            (t[i] == '\\' && t[i + 1] == 'u' && i + 5 < end && memcmp(&t[i + 2], "0000", 4) == 0)) {
            w->nul_off = i;
            w->nul_item = item;
            w->nul_raw = raw;
            return;
        }
        if (t[i] == '\\') {
            i++; /* the escaped character: an escaped backslash is not the start of an escape */
        }
    }
}

static size_t slot_of(const scn_doc_t *doc, const cJSON *item) {
    /* Fibonacci hashing of the address; only equality matters, never the order. */
    uint64_t h = (uint64_t)(uintptr_t)item * 0x9E3779B97F4A7C15ull;
    size_t mask = doc->cap - 1;
    size_t s = (size_t)(h >> 32) & mask;
    while (doc->slots[s].item != NULL && doc->slots[s].item != item) {
        s = (s + 1) & mask;
    }
    return s;
}

static size_t count_items(const cJSON *item) {
    size_t n = 1;
    for (const cJSON *c = item->child; c != NULL; c = c->next) {
        n += count_items(c);
    }
    return n;
}

const scn_pos_t *scn_doc_pos(const scn_doc_t *doc, const cJSON *item) {
    const scn_pos_t *p = &doc->slots[slot_of(doc, item)];
    SIM_ASSERT(p->item == item);
    return p;
}

const char *scn_doc_value_text(const scn_doc_t *doc, const cJSON *item) {
    return doc->text + scn_doc_pos(doc, item)->val_off;
}

static scn_pos_t *record(walker_t *w, const cJSON *item, const cJSON *parent, uint32_t index,
                         size_t key_off) {
    scn_pos_t *p = &w->doc->slots[slot_of(w->doc, item)];
    p->item = item;
    p->parent = parent;
    p->index = index;
    p->key_off = key_off;
    p->val_off = w->i;
    return p;
}

static bool expect_byte(walker_t *w, char c) {
    w->i = scn_text_skip_ws(w->doc->text, w->doc->len, w->i);
    if (w->i >= w->doc->len || w->doc->text[w->i] != c) {
        return false;
    }
    w->i++;
    return true;
}

static int walk_value(walker_t *w, const cJSON *item, const cJSON *parent, uint32_t index,
                      size_t key_off);

static int key_order(const void *a, const void *b) {
    const scn_pos_t *const *x = a, *const *y = b;
    int c = strcmp((*x)->item->string, (*y)->item->string);
    if (c != 0) {
        return c;
    }
    return (*x)->key_off < (*y)->key_off ? -1 : 1;
}

/*
 * The first duplicate key of one object in file order: sort the members by (key, offset); every
 * member that sorts right after an equal key repeats it. O(n log n), so an object with a huge
 * number of members cannot make this quadratic.
 */
static int find_duplicate(walker_t *w, const cJSON *obj, size_t n) {
    const scn_pos_t **m = malloc(n * sizeof *m);
    if (m == NULL) {
        return -SIM_ENOMEM;
    }
    size_t k = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        m[k++] = scn_doc_pos(w->doc, c);
    }
    qsort(m, n, sizeof *m, key_order);
    size_t group = 0; /* the first (earliest) member with the current key */
    for (size_t i = 1; i < n; i++) {
        if (strcmp(m[i - 1]->item->string, m[i]->item->string) != 0) {
            group = i;
        } else if (w->dup == NULL || m[i]->key_off < w->dup->key_off) {
            w->dup = m[i];
            w->dup_first = m[group];
        }
    }
    free(m);
    return 0;
}

static int walk_object(walker_t *w, const cJSON *obj) {
    size_t n = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next, n++) {
        if (n > 0 && !expect_byte(w, ',')) {
            return -SIM_EIO;
        }
        w->i = scn_text_skip_ws(w->doc->text, w->doc->len, w->i);
        size_t key_off = w->i;
        if (w->i >= w->doc->len || w->doc->text[w->i] != '"') {
            return -SIM_EIO;
        }
        w->i = scn_text_string_end(w->doc->text, w->doc->len, w->i);
        if (w->i == SIZE_MAX) {
            return -SIM_EIO;
        }
        note_nul(w, c, key_off, w->i);
        if (!expect_byte(w, ':')) {
            return -SIM_EIO;
        }
        int rc = walk_value(w, c, obj, (uint32_t)n, key_off);
        if (rc != 0) {
            return rc;
        }
    }
    if (!expect_byte(w, '}')) {
        return -SIM_EIO;
    }
    return n > 1 ? find_duplicate(w, obj, n) : 0;
}

static int walk_array(walker_t *w, const cJSON *arr) {
    uint32_t n = 0;
    for (const cJSON *c = arr->child; c != NULL; c = c->next, n++) {
        if (n > 0 && !expect_byte(w, ',')) {
            return -SIM_EIO;
        }
        int rc = walk_value(w, c, arr, n, SCN_NO_OFFSET);
        if (rc != 0) {
            return rc;
        }
    }
    return expect_byte(w, ']') ? 0 : -SIM_EIO;
}

static int walk_value(walker_t *w, const cJSON *item, const cJSON *parent, uint32_t index,
                      size_t key_off) {
    const char *t = w->doc->text;
    w->i = scn_text_skip_ws(t, w->doc->len, w->i);
    record(w, item, parent, index, key_off);
    if (cJSON_IsObject(item)) {
        return expect_byte(w, '{') ? walk_object(w, item) : -SIM_EIO;
    }
    if (cJSON_IsArray(item)) {
        return expect_byte(w, '[') ? walk_array(w, item) : -SIM_EIO;
    }
    if (cJSON_IsString(item)) {
        if (w->i >= w->doc->len || t[w->i] != '"') {
            return -SIM_EIO;
        }
        size_t start = w->i;
        w->i = scn_text_string_end(t, w->doc->len, w->i);
        if (w->i == SIZE_MAX) {
            return -SIM_EIO;
        }
        note_nul(w, item, start, w->i);
        return 0;
    }
    size_t end = scn_text_scalar_end(t, w->doc->len, w->i);
    if (end == w->i) {
        return -SIM_EIO;
    }
    w->i = end;
    return 0;
}

/* A UTF-8 byte order mark is skipped by cJSON at the very start, and so by the walk. */
static size_t skip_bom(const char *text, size_t len) {
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* One scan of the whole text, saving its state at every stride boundary (offset 0 included). */
static int build_marks(scn_doc_t *doc) {
    size_t n = doc->len / SCN_LINECOL_STRIDE + 1;
    doc->marks = malloc(n * sizeof *doc->marks);
    if (doc->marks == NULL) {
        return -SIM_ENOMEM;
    }
    scn_linecol_t lc = SCN_LINECOL_START;
    doc->marks[0] = lc;
    for (size_t k = 1; k < n; k++) {
        size_t from = (k - 1) * SCN_LINECOL_STRIDE;
        scn_text_advance(&lc, doc->text, from, from + SCN_LINECOL_STRIDE);
        doc->marks[k] = lc;
    }
    doc->n_marks = n;
    return 0;
}

void scn_doc_linecol(const scn_doc_t *doc, size_t off, unsigned *line, unsigned *col) {
    if (off > doc->len) {
        off = doc->len;
    }
    size_t k = off / SCN_LINECOL_STRIDE;
    SIM_ASSERT(k < doc->n_marks);
    scn_linecol_t lc = doc->marks[k];
    scn_text_advance(&lc, doc->text, k * SCN_LINECOL_STRIDE, off);
    *line = lc.line;
    *col = lc.col;
}

static int build_index(scn_doc_t *doc, scn_doc_error_t *err) {
    size_t n = count_items(doc->root), cap = 16;
    while (cap < 2 * n) {
        cap *= 2;
    }
    doc->slots = calloc(cap, sizeof *doc->slots);
    if (doc->slots == NULL) {
        return -SIM_ENOMEM;
    }
    doc->cap = cap;
    walker_t w = {.doc = doc, .i = skip_bom(doc->text, doc->len), .nul_off = SIZE_MAX};
    int rc = walk_value(&w, doc->root, NULL, 0, SCN_NO_OFFSET);
    if (rc == -SIM_EIO) {
        err->off = w.i;
        snprintf(err->message, sizeof err->message,
                 "internal error: the position index disagrees with the JSON parser");
        return rc;
    }
    if (rc == 0 && w.nul_item != NULL) {
        char ptr[160];
        scn_doc_pointer(doc, w.nul_item, ptr, sizeof ptr);
        err->off = w.nul_off;
        snprintf(err->message, sizeof err->message,
                 "%s: a string may not contain the NUL character (%s)", ptr,
                 w.nul_raw ? "a raw 0x00 byte" : "\\u0000");
        return -SIM_EFORMAT;
    }
    if (rc == 0 && w.dup != NULL) {
        unsigned line, col;
        char ptr[160];
        scn_doc_linecol(doc, w.dup_first->key_off, &line, &col);
        scn_doc_pointer(doc, w.dup->item, ptr, sizeof ptr);
        err->off = w.dup->key_off;
        snprintf(err->message, sizeof err->message, "%s: duplicate key (first defined at %u:%u)",
                 ptr, line, col);
        return -SIM_EFORMAT;
    }
    return rc;
}

int scn_doc_parse(scn_doc_t *doc, const char *text, size_t len, scn_doc_error_t *err) {
    memset(doc, 0, sizeof *doc);
    doc->text = text;
    doc->len = len;
    const char *end = NULL;
    /* The length includes the terminating NUL, so require_null_terminated can see the end. */
    doc->root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (doc->root == NULL) {
        /* cJSON gives no reason. If the whole text is well-formed, it ran out of memory;
         * otherwise the error is explained where cJSON stopped. */
        size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;
        if (!scn_syntax_explain(text, len, len, &err->off, err->message, sizeof err->message)) {
            return -SIM_ENOMEM;
        }
        scn_syntax_explain(text, len, off, &err->off, err->message, sizeof err->message);
        return -SIM_EFORMAT;
    }
    /* Only strings can hold such bytes here (cJSON rejects them anywhere else), and a name or
     * message quoting them would not be text. */
    size_t bad = scn_text_utf8_invalid(text, len);
    if (bad != SIZE_MAX) {
        cJSON_Delete(doc->root);
        doc->root = NULL;
        err->off = bad;
        snprintf(err->message, sizeof err->message,
                 "byte 0x%02X is not valid UTF-8 (JSON text must be UTF-8)",
                 (unsigned)(unsigned char)text[bad]);
        return -SIM_EFORMAT;
    }
    int rc = build_marks(doc);
    rc = rc != 0 ? rc : build_index(doc, err);
    if (rc != 0) {
        scn_doc_free(doc);
        doc->text = text;
        doc->len = len;
    }
    return rc;
}

void scn_doc_free(scn_doc_t *doc) {
    cJSON_Delete(doc->root);
    free(doc->slots);
    free(doc->marks);
    memset(doc, 0, sizeof *doc);
}
