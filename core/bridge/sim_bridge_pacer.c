/*
 * sim_bridge_pacer.c: the virtual-to-host time mapping of real-time pacing, as pure arithmetic
 * (host times come in as arguments; see sim_bridge_host.c for the clock).
 *
 * due(t) = host_anchor + (t - virt_anchor) * 1000 / factor_milli, computed without overflow for
 * any run length (a quotient/remainder split) and saturated at INT64_MAX.
 */
#include <string.h>

#include "sim_bridge_pacer.h"

#define DEFAULT_MAX_LAG_NS (250 * SIM_NS_PER_MS)

void sim_pacer_init(sim_pacer_t *p, uint32_t factor_milli) {
    SIM_ASSERT(p != NULL && factor_milli <= SIM_PACER_FACTOR_MAX_MILLI);
    memset(p, 0, sizeof *p);
    p->factor_milli = factor_milli;
    p->max_lag_ns = DEFAULT_MAX_LAG_NS;
}

void sim_pacer_rebase(sim_pacer_t *p, uint64_t host_ns, sim_time_ns_t virt_ns) {
    if (p->anchored) {
        p->rebases++;
    }
    p->anchored = true;
    p->host_anchor_ns = host_ns;
    p->virt_anchor_ns = virt_ns;
}

/* dv * 1000 / factor in host ns, saturating. */
static int64_t scale(int64_t dv, uint32_t factor_milli) {
    int64_t q = dv / factor_milli, r = dv % factor_milli;
    if (q > INT64_MAX / 1000) {
        return INT64_MAX;
    }
    return q * 1000 + r * 1000 / factor_milli;
}

int64_t sim_pacer_wait_ns(sim_pacer_t *p, uint64_t host_now_ns, sim_time_ns_t virt_ns) {
    if (p->factor_milli == 0) {
        return 0;
    }
    if (!p->anchored) {
        sim_pacer_rebase(p, host_now_ns, virt_ns);
        return 0;
    }
    int64_t dv = virt_ns - p->virt_anchor_ns;
    if (dv <= 0) {
        return 0;
    }
    int64_t offset = scale(dv, p->factor_milli);
    uint64_t due = (uint64_t)offset > UINT64_MAX - p->host_anchor_ns
                       ? UINT64_MAX
                       : p->host_anchor_ns + (uint64_t)offset;
    if (due >= host_now_ns) {
        uint64_t wait = due - host_now_ns;
        return wait > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)wait;
    }
    if (host_now_ns - due > (uint64_t)p->max_lag_ns) {
        sim_pacer_rebase(p, host_now_ns, virt_ns);
    }
    return 0;
}

int sim_pacer_parse_factor(const char *text, uint32_t *factor_milli) {
    if (text == NULL || text[0] == '\0') {
        return -SIM_EINVAL;
    }
    uint64_t whole = 0, frac = 0;
    unsigned frac_digits = 0;
    const char *s = text;
    for (; *s >= '0' && *s <= '9'; s++) {
        whole = whole * 10 + (uint64_t)(*s - '0');
        if (whole > SIM_PACER_FACTOR_MAX_MILLI / 1000) {
            return -SIM_EINVAL;
        }
    }
    if (s == text && *s != '.') {
        return -SIM_EINVAL;
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++) {
            if (++frac_digits > 3) {
                return -SIM_EINVAL;
            }
            frac = frac * 10 + (uint64_t)(*s - '0');
        }
        if (frac_digits == 0) {
            return -SIM_EINVAL;
        }
    }
    for (unsigned i = frac_digits; i < 3; i++) {
        frac *= 10;
    }
    uint64_t milli = whole * 1000 + frac;
    if (*s != '\0' || milli == 0 || milli > SIM_PACER_FACTOR_MAX_MILLI) {
        return -SIM_EINVAL;
    }
    *factor_milli = (uint32_t)milli;
    return 0;
}
