/*
 * scn_duration.c: duration strings ("1.5s", "250us", "7d") in exact integer nanoseconds.
 *
 * No floating point: "1.5s" is 1 s + 5/10 s computed as integers, so it is exactly
 * 1500000000 ns on every host. A fraction must come out as whole nanoseconds ("1.5ns" is
 * rejected) and every product is checked against INT64_MAX before it is formed.
 * scn_duration_value() wraps the parser for scenario values, with the reason in the message.
 */
#include <stdio.h>
#include <string.h>

#include "scn_parts.h"
#include "scn_values.h"

#define MAX_FRACTION_DIGITS 18 /* 10^18 still fits in a uint64_t */

static const struct {
    const char *unit;
    int64_t ns;
} units[] = {
    {"d", 86400LL * SIM_NS_PER_S},
    {"h", 3600LL * SIM_NS_PER_S},
    {"m", 60LL * SIM_NS_PER_S},
    {"s", SIM_NS_PER_S},
    {"ms", SIM_NS_PER_MS},
    {"us", SIM_NS_PER_US},
    {"ns", 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Whole nanoseconds in frac / 10^k of `unit_ns`, or -1 when it is not a whole number. */
static int64_t fraction_ns(uint64_t frac, unsigned k, int64_t unit_ns) {
    uint64_t pow10 = 1;
    for (unsigned i = 0; i < k; i++) {
        pow10 *= 10u;
    }
    /* frac/10^k * unit = (frac / (10^k/g)) * (unit/g) with g = gcd(unit, 10^k); the first
     * factor is below g, so the product stays below unit and cannot overflow. */
    uint64_t g = gcd_u64((uint64_t)unit_ns, pow10);
    uint64_t den = pow10 / g;
    if (frac % den != 0) {
        return -1;
    }
    return (int64_t)((frac / den) * ((uint64_t)unit_ns / g));
}

/* Reads digits into *v and returns how many; *overflow is set when *v cannot hold them. */
static int read_digits(const char **p, uint64_t *v, bool *overflow) {
    int n = 0;
    *v = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++, n++) {
        unsigned d = (unsigned)(**p - '0');
        if (*v > (UINT64_MAX - d) / 10u) {
            *overflow = true;
        } else {
            *v = *v * 10u + d;
        }
    }
    return n;
}

static int64_t unit_of(const char *p) {
    for (size_t i = 0; i < N_UNITS; i++) {
        if (strcmp(p, units[i].unit) == 0) {
            return units[i].ns;
        }
    }
    return 0;
}

/* The fraction digits after '.', without trailing zeros: value and count, or -1 if too many. */
static int read_fraction(const char **p, uint64_t *frac) {
    const char *start = *p, *end = *p;
    while (*end >= '0' && *end <= '9') {
        end++;
    }
    const char *last = end;
    while (last > start && last[-1] == '0') {
        last--;
    }
    *p = end;
    if (last - start > MAX_FRACTION_DIGITS) {
        return -1;
    }
    *frac = 0;
    for (const char *q = start; q < last; q++) {
        *frac = *frac * 10u + (uint64_t)(*q - '0');
    }
    return end == start ? -2 : (int)(last - start);
}

int scn_parse_duration(const char *text, sim_time_ns_t *out, const char **why) {
    const char *p = text;
    uint64_t ip = 0, frac = 0;
    bool overflow = false;
    int k = 0;
    if (*p == '\0') {
        *why = "is empty";
        return -SIM_EFORMAT;
    }
    if (*p == '-') {
        *why = "is negative";
        return -SIM_EFORMAT;
    }
    if (read_digits(&p, &ip, &overflow) == 0) {
        *why = "does not start with a number";
        return -SIM_EFORMAT;
    }
    if (*p == '.') {
        p++;
        k = read_fraction(&p, &frac);
        if (k == -2) {
            *why = "needs digits after the decimal point";
            return -SIM_EFORMAT;
        }
    }
    if (*p == '\0') {
        *why = "has no unit (ns, us, ms, s, m, h or d)";
        return -SIM_EFORMAT;
    }
    int64_t unit_ns = unit_of(p);
    if (unit_ns == 0) {
        *why = "has an unknown unit (expected ns, us, ms, s, m, h or d right after the number)";
        return -SIM_EFORMAT;
    }
    int64_t f = k < 0 ? -1 : fraction_ns(frac, (unsigned)k, unit_ns);
    if (f < 0) {
        *why = "is not a whole number of nanoseconds";
        return -SIM_EFORMAT;
    }
    if (overflow || ip > (uint64_t)((INT64_MAX - f) / unit_ns)) {
        *why = "is too large";
        return -SIM_EFORMAT;
    }
    *out = (int64_t)ip * unit_ns + f;
    return 0;
}

int sim_parse_duration(const char *text, sim_time_ns_t *out) {
    const char *why = NULL;
    return scn_parse_duration(text, out, &why);
}

void scn_format_duration(sim_time_ns_t ns, char *buf, size_t cap) {
    if (ns == 0) {
        snprintf(buf, cap, "0s");
        return;
    }
    for (size_t i = 0; i < N_UNITS; i++) {
        if (ns % units[i].ns == 0) {
            snprintf(buf, cap, "%lld%s", (long long)(ns / units[i].ns), units[i].unit);
            return;
        }
    }
}

int scn_duration_value(scn_ctx_t *c, const cJSON *v, sim_time_ns_t *out) {
    const char *why = "";
    if (scn_parse_duration(v->valuestring, out, &why) == 0) {
        return 0;
    }
    char q[64];
    scn_quote_item(v, q, sizeof q);
    return scn_fail_value(c, v, "duration %s %s", q, why);
}
