/*
 * sim_trace_text.h: locale-free text encoding shared by the trace and report writers.
 *
 * Everything a trace prints must be a pure function of simulated state, so nothing here depends
 * on the C library's locale: numbers are built from integers, and the one floating-point format
 * (VCD reals, "%.9g") has its radix character forced to '.'.
 *
 * Strings from outside (node names, firmware log lines, scenario text) may hold any bytes. JSON
 * and XML both require UTF-8, so invalid sequences are replaced by U+FFFD, never copied through:
 * a reader never chokes on a trace because a firmware printed garbage. Control characters become
 * \u00XX in JSON; in XML (where most of them are illegal even as references) they become U+FFFD,
 * except tab, newline and carriage return, which attributes keep as character references.
 *
 * Internal to core/trace: not part of the public API.
 */
#ifndef SIM_TRACE_TEXT_H
#define SIM_TRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** U+FFFD, the replacement for invalid UTF-8. */
#define SIM_TEXT_REPLACEMENT 0xFFFDu

/**
 * Decodes one code point of the NUL-terminated string s (s[0] != 0). Returns the bytes consumed
 * (1..4); an invalid, overlong, surrogate or truncated sequence consumes 1 byte and yields
 * SIM_TEXT_REPLACEMENT.
 */
size_t sim_text_utf8_next(const char *s, uint32_t *cp);

/**
 * Appends the JSON escape of s (no quotes) to out[*len..cap-1], keeping out NUL-terminated.
 * Only whole escape sequences and whole UTF-8 characters are written. Returns true when all of s
 * fitted; false when it stopped early (out then holds a valid, shorter prefix).
 */
bool sim_text_json_escape(char *out, size_t cap, size_t *len, const char *s);

/** Writes s as a quoted JSON string to f. */
void sim_text_json_fput(FILE *f, const char *s);

/** Writes s XML-escaped to f; attr also encodes tab/newline/CR as references (attribute values). */
void sim_text_xml_fput(FILE *f, const char *s, bool attr);

/**
 * Formats val / 10^decimals exactly (12345, 3 -> "12.345"; -5, 3 -> "-0.005"); decimals <= 19.
 * Returns the length, or 0 when cap is too small (out is then "").
 */
size_t sim_text_fixed(char *out, size_t cap, int64_t val, unsigned decimals);

/** "%.9g" of v with '.' as the radix character whatever the locale. Returns the length. */
size_t sim_text_real(char *out, size_t cap, double v);

#endif
