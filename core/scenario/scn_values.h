/*
 * scn_values.h: parsers for the scalar notations of the scenario format, private to the loader.
 *
 * Each returns 0 or a negative SIM_E* code and, where callers need to say why, a short reason
 * ("has no unit", "is above 1") as a static string. Numbers are read from the raw JSON text, not
 * from cJSON's double, so 9007199254740993 is not silently rounded and "0.1" is exactly 1/10.
 */
#ifndef SCN_VALUES_H
#define SCN_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

/**
 * An unsigned integer from raw JSON number text ("42"), stopping at the end of the number.
 * @retval 0 @retval -SIM_EFORMAT fraction or exponent @retval -SIM_ERANGE negative or > 2^64-1
 */
int scn_parse_uint_text(const char *text, uint64_t *out);

/** "0x" and 1 to 16 hex digits (either case), nothing else. 0 or -SIM_EFORMAT. */
int scn_parse_hex(const char *s, uint64_t *out);

/** "24:6F:28:00:00:01": six pairs of hex digits separated by ':'. 0 or -SIM_EFORMAT. */
int scn_parse_mac(const char *s, uint8_t mac[6]);

/**
 * Pairs of hex digits ("0102A0FF", "" for none) into out[0..max).
 * @retval 0 with *n set @retval -SIM_EFORMAT odd length or not hex @retval -SIM_ERANGE > max
 */
int scn_parse_hex_bytes(const char *s, uint8_t *out, size_t max, size_t *n);

/**
 * A probability: "num/den", a decimal "0.25" (den 10^k, k <= 9 digits, kept unreduced) or the raw
 * text of a JSON number from 0 to 1. Zero gives num = den = 0 (the fault is cleared).
 * @retval 0 @retval -SIM_EFORMAT (*why set)
 */
int scn_parse_ratio(const char *s, uint32_t *num, uint32_t *den, const char **why);

/** sim_parse_duration() with the reason of a failure in *why. */
int scn_parse_duration(const char *text, sim_time_ns_t *out, const char **why);

/** Writes a duration in the largest unit that keeps it exact ("1500ms", "2s", "7d"). */
void scn_format_duration(sim_time_ns_t ns, char *buf, size_t cap);

#endif
