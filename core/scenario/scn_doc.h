/*
 * scn_doc.h: a parsed JSON document that remembers where every item came from.
 *
 * scn_doc_parse() parses with cJSON (trailing garbage rejected) and then walks the text in step
 * with the tree, member by member and element by element, recording for every item the byte
 * offset of its value, of its key (object members) and its parent. That index is an
 * open-addressing hash keyed by the item's address; addresses are only hashed, never printed,
 * so diagnostics stay deterministic. The same walk finds duplicate keys, which cJSON accepts
 * silently (a lookup then sees only the first). Text that is not well-formed UTF-8 is refused
 * at its first bad byte: cJSON copies such bytes into strings unchecked.
 *
 * On failure the error says where (byte offset) and what, in words: syntax errors are explained
 * by scn_syntax_explain(), duplicates name the JSON pointer of the second key and the line:col of
 * the first. Items and offsets stay valid until scn_doc_free(); `text` is borrowed.
 *
 * Diagnostics and timeline entries need the line:col of many offsets. Scanning from the first
 * byte each time made loading quadratic in the size of the file, so the parse also saves the
 * scan's state every SCN_LINECOL_STRIDE bytes: scn_doc_linecol() resumes from the checkpoint
 * before the offset and reads fewer than SCN_LINECOL_STRIDE bytes, in any order of offsets.
 */
#ifndef SCN_DOC_H
#define SCN_DOC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scn_text.h"

#define SCN_NO_OFFSET SIZE_MAX

/* Bytes between two line:col checkpoints: the memory is 8 bytes per stride (3 % of the text). */
#define SCN_LINECOL_STRIDE 256u

typedef struct {
    const cJSON *item;
    const cJSON *parent; /* NULL for the root */
    size_t key_off;      /* the member's key (its opening quote), or SCN_NO_OFFSET */
    size_t val_off;      /* the first byte of the value */
    uint32_t index;      /* position among the parent's children */
} scn_pos_t;

typedef struct {
    const char *text; /* borrowed; text[len] == '\0' */
    size_t len;
    cJSON *root;
    scn_pos_t *slots; /* open addressing, capacity a power of two; item NULL = empty */
    size_t cap;
    scn_linecol_t *marks; /* marks[k]: the line:col of offset k * SCN_LINECOL_STRIDE */
    size_t n_marks;
} scn_doc_t;

typedef struct {
    size_t off; /* where the error is */
    char message[256];
} scn_doc_error_t;

/**
 * Parses text[0..len) (text[len] must be '\0').
 * @retval 0             *doc ready
 * @retval -SIM_EFORMAT  syntax error or duplicate key: *err filled, *doc empty
 * @retval -SIM_ENOMEM   *doc empty
 * @retval -SIM_EIO      the walk lost step with cJSON (a bug): *err filled, *doc empty
 */
int scn_doc_parse(scn_doc_t *doc, const char *text, size_t len, scn_doc_error_t *err);

void scn_doc_free(scn_doc_t *doc);

/** The recorded position of an item of this document (SIM_ASSERTs that it is one). */
const scn_pos_t *scn_doc_pos(const scn_doc_t *doc, const cJSON *item);

/** 1-based line:col of byte `off` (clamped to len), as scn_text_linecol() counts them. */
void scn_doc_linecol(const scn_doc_t *doc, size_t off, unsigned *line, unsigned *col);

/** The raw text of a value (its first byte); useful to read numbers exactly. */
const char *scn_doc_value_text(const scn_doc_t *doc, const cJSON *item);

/**
 * Writes the JSON pointer (RFC 6901) of an item into buf: "/nodes/1/mac"; "" for the root.
 * Keys are escaped ("~0", "~1") and control bytes shown as "\u00XX"; too long a pointer is cut.
 */
void scn_doc_pointer(const scn_doc_t *doc, const cJSON *item, char *buf, size_t cap);

/**
 * Explains a syntax error cJSON reported at `off`: *where may move to the culprit's start.
 * Returns false (nothing written) when the text is in fact one well-formed JSON value; with
 * off = len that asks exactly "is this valid JSON for cJSON?" (if so, cJSON ran out of memory).
 */
bool scn_syntax_explain(const char *text, size_t len, size_t off, size_t *where, char *msg,
                        size_t cap);

#endif
