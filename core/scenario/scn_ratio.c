/*
 * scn_ratio.c: probabilities as exact integer ratios (num/den), never floating point, so the
 * decision a fault makes depends only on the seeded stream and not on rounding.
 *
 * "1/3" stays 1/3; "0.25" becomes 25/100 (den 10^k for k decimals, unreduced, so the ratio is
 * exactly what was written). Zero in any form clears the fault: num = den = 0.
 */
#include <stdbool.h>
#include <string.h>

#include "scn_values.h"

#define MAX_DECIMALS 9 /* 10^9 fits the uint32_t denominator */

/* Reads a run of digits as an unsigned number; false when there is none or it exceeds 2^32-1. */
static bool read_u32(const char **p, uint32_t *out) {
    const char *s = *p;
    uint64_t v = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        v = v * 10u + (uint64_t)(**p - '0');
        if (v > UINT32_MAX) {
            return false;
        }
    }
    *out = (uint32_t)v;
    return *p > s;
}

static int parse_fraction(const char *s, uint32_t *num, uint32_t *den, const char **why) {
    const char *p = s;
    if (!read_u32(&p, num) || *p != '/') {
        *why = "is not a ratio of two whole numbers below 2^32 (\"1/4\")";
        return -SIM_EFORMAT;
    }
    p++;
    if (!read_u32(&p, den) || *p != '\0') {
        *why = "is not a ratio of two whole numbers below 2^32 (\"1/4\")";
        return -SIM_EFORMAT;
    }
    if (*den == 0) {
        *why = "has a zero denominator";
        return -SIM_EFORMAT;
    }
    return 0;
}

static int parse_decimal(const char *s, uint32_t *num, uint32_t *den, const char **why) {
    const char *p = s;
    uint32_t ip = 0, frac = 0, pow10 = 1;
    if (!read_u32(&p, &ip) || ip > 1) {
        *why = "is not a probability from 0 to 1";
        return -SIM_EFORMAT;
    }
    if (*p == '.') {
        p++;
        const char *start = p;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (p - start == MAX_DECIMALS) {
                *why = "has more than 9 decimals";
                return -SIM_EFORMAT;
            }
            frac = frac * 10u + (uint32_t)(*p - '0');
            pow10 *= 10u;
        }
        if (p == start) {
            *why = "needs digits after the decimal point";
            return -SIM_EFORMAT;
        }
    }
    if (*p != '\0') {
        *why = "is not a probability (\"1/4\", \"0.25\" or a number from 0 to 1)";
        return -SIM_EFORMAT;
    }
    *num = ip * pow10 + frac;
    *den = pow10;
    return 0;
}

int scn_parse_ratio(const char *s, uint32_t *num, uint32_t *den, const char **why) {
    if (s[0] == '-') {
        *why = "is negative";
        return -SIM_EFORMAT;
    }
    int rc =
        strchr(s, '/') != NULL ? parse_fraction(s, num, den, why) : parse_decimal(s, num, den, why);
    if (rc != 0) {
        return rc;
    }
    if (*num > *den) {
        *why = "is above 1";
        return -SIM_EFORMAT;
    }
    if (*num == 0) {
        *den = 0; /* zero clears the fault (sim_can.h: den 0 clears) */
    }
    return 0;
}
