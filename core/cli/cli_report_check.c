/*
 * cli_report_check.c: the fields of a recorded run's report.json that `alfasim replay` runs
 * (see cli_spawn.h). A replay trusts nothing in the folder it is given: a seed or a duration
 * that is missing, negative, fractional or out of range would otherwise run a different
 * simulation (a 0 s run, a 285-year run, an out-of-range conversion) and report it as a
 * divergence instead of naming the bad field; a recorded digest that is not a digest would be
 * reported as a replay that differs, with no line that differs.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_spawn.h"

/* The largest double below 2^64 (2^64 - 2^11): every double up to it converts to uint64_t. */
#define U64_MAX_DOUBLE 18446744073709549568.0

/* A whole number in [min, max] (0 <= min, max <= U64_MAX_DOUBLE); false with the reason in
 * `why` otherwise. The range is checked first, so the conversion that tests wholeness is
 * defined. */
static bool whole_in(const cJSON *v, double min, double max, const char *range, char *why,
                     size_t len) {
    if (v == NULL) {
        snprintf(why, len, "missing");
        return false;
    }
    if (!cJSON_IsNumber(v)) {
        snprintf(why, len, "not a number");
        return false;
    }
    double x = v->valuedouble;
    if (!(x >= min && x <= max) || (double)(uint64_t)x != x) {
        snprintf(why, len, "%.17g is not a whole number %s", x, range);
        return false;
    }
    return true;
}

static const char *check_seed(const cJSON *root, char *why, size_t len) {
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(root, "seed_hex");
    uint64_t seed = 0;
    if (hex != NULL && (!cJSON_IsString(hex) || strncmp(hex->valuestring, "0x", 2) != 0 ||
                        !cli_parse_u64(hex->valuestring, &seed))) {
        snprintf(why, len, "not a 0x hex number up to 0xffffffffffffffff");
        return "seed_hex";
    }
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(root, "seed");
    /* The writer always writes both; the number is the one a reader without seed_hex uses. */
    if (!whole_in(num, 0.0, U64_MAX_DOUBLE, "from 0 below 2^64", why, len)) {
        return "seed";
    }
    return NULL;
}

/* 64 lowercase hex digits: a SHA-256 as the run writes it. */
static bool is_sha256_hex(const cJSON *v) {
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 64) {
        return false;
    }
    return strspn(v->valuestring, "0123456789abcdef") == 64;
}

/* What the replay runs and compares with besides the seed and the duration: the scenario file
 * (its path, and its hash when the run could take one) and the digest of the recorded traces. */
static const char *check_scenario_and_digest(const cJSON *root, char *why, size_t len) {
    const cJSON *scn = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(scn, "path");
    if (!cJSON_IsString(path) || path->valuestring[0] == '\0') {
        snprintf(why, len, "missing, or not a file path");
        return "scenario.path";
    }
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(scn, "sha256");
    if (sha != NULL && !cJSON_IsNull(sha) && !is_sha256_hex(sha)) {
        snprintf(why, len, "not 64 lowercase hex digits (nor null)");
        return "scenario.sha256";
    }
    if (!is_sha256_hex(cJSON_GetObjectItemCaseSensitive(root, "digest"))) {
        snprintf(why, len, "missing, or not 64 lowercase hex digits");
        return "digest";
    }
    return NULL;
}

const char *cli_report_check_replay(const struct cJSON *root, char *why, size_t len) {
    const char *bad = check_seed(root, why, len);
    if (bad != NULL) {
        return bad;
    }
    const double max_ns = (double)SIM_SCN_MAX_DURATION_NS;
    const cJSON *dur = cJSON_GetObjectItemCaseSensitive(root, "sim_duration_ns");
    char range[96];
    snprintf(range, sizeof range, "of ns from 1 to %lld days",
             (long long)(SIM_SCN_MAX_DURATION_NS / (86400LL * SIM_NS_PER_S)));
    if (!whole_in(dur, 1.0, max_ns, range, why, len)) {
        return "sim_duration_ns";
    }
    const cJSON *cut = cJSON_GetObjectItemCaseSensitive(root, "cut_from_ns");
    if (cut != NULL && !whole_in(cut, dur->valuedouble + 1.0, max_ns,
                                 "of ns after sim_duration_ns, within the same limit", why, len)) {
        return "cut_from_ns";
    }
    return check_scenario_and_digest(root, why, len);
}
