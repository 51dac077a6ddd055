/*
 * scn_text.h: lexical helpers over raw JSON text, private to the scenario loader.
 *
 * They accept exactly what cJSON 1.7 accepts, because the position index walks the text in step
 * with cJSON's tree and the syntax-error explainer re-reads the text cJSON rejected:
 *   - whitespace is every byte <= 0x20, NUL included (cJSON's buffer_skip_whitespace);
 *   - a string runs from '"' to the next unescaped '"'; a backslash skips the byte after it;
 *   - a number is a run of "0123456789+-eE."; literals are runs of letters.
 * Every index is a byte offset into `text`, which holds `len` bytes (a NUL may follow).
 * scn_text_linecol() turns an offset into the GNU line:col of a diagnostic by scanning from the
 * first byte; a document that needs many positions keeps checkpoints instead (scn_doc_linecol),
 * which resume the same scan with scn_text_advance().
 */
#ifndef SCN_TEXT_H
#define SCN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* printf-style checking of the loader's message helpers (they build diagnostics). */
#if defined(__GNUC__)
#define SCN_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SCN_PRINTF(fmt, args)
#endif

/** First offset >= i that is not whitespace, or len. */
size_t scn_text_skip_ws(const char *text, size_t len, size_t i);

/** Offset just after the string opening at i (text[i] == '"'), or SIZE_MAX if unterminated. */
size_t scn_text_string_end(const char *text, size_t len, size_t i);

/** Offset just after the number or literal starting at i (the run of its characters). */
size_t scn_text_scalar_end(const char *text, size_t len, size_t i);

/** True for the bytes that may make up a number or a literal token. */
bool scn_text_is_scalar_byte(char c);

/**
 * 1-based line and column of byte `off` (clamped to len). Tabs advance to the next multiple of 8
 * plus 1 (GNU); a multi-byte UTF-8 character counts as one column.
 */
void scn_text_linecol(const char *text, size_t len, size_t off, unsigned *line, unsigned *col);

/**
 * Offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF, no truncated sequence), or SIZE_MAX when
 * all `len` bytes are. JSON text is UTF-8 (RFC 8259 section 8.1), and cJSON passes other bytes
 * through into names and messages unchecked.
 */
size_t scn_text_utf8_invalid(const char *text, size_t len);

/** Where a line:col scan stands: the 1-based line and column of the next byte. */
typedef struct {
    unsigned line;
    unsigned col;
} scn_linecol_t;

/** The state before the first byte: {1, 1}. */
#define SCN_LINECOL_START ((scn_linecol_t){1u, 1u})

/**
 * Moves *lc over text[from..to) by the rules of scn_text_linecol(); resuming from a state saved at
 * `from` gives exactly what a scan from offset 0 gives.
 */
void scn_text_advance(scn_linecol_t *lc, const char *text, size_t from, size_t to);

/**
 * How many bytes the line:col scans of this thread have read so far. Only a test reads it, to
 * prove that a load reads each byte a bounded number of times however many positions it needs.
 */
size_t scn_text_linecol_scanned_bytes(void);

/**
 * Writes `src` (n bytes) into dst as a JSON-style quoted string ("a\"b\n"), cutting it with "..."
 * so the result fits in cap and shows at most 48 source bytes. Keeps diagnostics on one line.
 */
void scn_text_quote(char *dst, size_t cap, const char *src, size_t n);

#endif
