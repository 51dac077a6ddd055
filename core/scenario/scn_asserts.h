/*
 * scn_asserts.h: the assertion part of the loader, private to it.
 *
 *   scn_asserts.c   "assertions": names, kinds and their times           scn_on_assertions()
 *   scn_subjects.c  what is observed: the subject table and parameters    scn_subject_object()
 *   scn_compare.c   how it is compared: eq/ne/lt/le/gt/ge/in, tolerance,  scn_cond_compare()
 *                   exact fixed-point numbers, colours, CAN frame matches
 */
#ifndef SCN_ASSERTS_H
#define SCN_ASSERTS_H

#include <stdbool.h>

#include "scn_ctx.h"

/** The keys that describe a subject ("subject", "node", "relay", "id", ...); returns the count. */
size_t scn_subject_keys(const char *const **keys);
/** The comparison keys (eq, ne, lt, le, gt, ge, in, tolerance); returns the count. */
size_t scn_compare_keys(const char *const **keys);

/** Reads the subject of an assertion or trigger object (its unknown keys already checked). */
int scn_subject_object(scn_ctx_t *c, const cJSON *obj, sim_subject_t *s);

/** Reads the one comparison of obj for cond->subj (already set). */
int scn_cond_compare(scn_ctx_t *c, const cJSON *obj, sim_cond_t *cond);

/** can_frames parameters of obj: id, mask, data (hex, "??" for any byte), ext, since. */
int scn_frame_match(scn_ctx_t *c, const cJSON *obj, sim_subject_t *s);

/** A colour: "#RRGGBB" or "off", "black", "red", "green", "blue", "white". */
int scn_colour_value(scn_ctx_t *c, const cJSON *v, uint32_t *rgb);

/** The subject's scenario name ("relay", "soc_percent"), for messages. */
const char *scn_subject_label(const sim_subject_t *s);

/**
 * An exact decimal from raw JSON number text: optional '-', digits, optionally '.' and up to 6
 * more digits; no exponent. In millionths. 0 or -SIM_EFORMAT (*why set).
 */
int scn_parse_fixed(const char *text, int64_t *micro, const char **why);

#endif
