/*
 * nvs_wear.c: the flash-wear projection of a bundled scenario's run (scenarios/nvs_week.json).
 *
 * Usage: suite_nvs_wear REPORT.json MIN_YEARS
 *
 * The scenario counts the firmware's NVS writes per key with assertions named
 * "nvs_writes.<key>" (subject nvs_writes, judged at the end of the run), so each count is in the
 * run's report.json as that assertion's "actual". This tool turns the counts and the run's
 * virtual duration into writes per day and hands them to the NVS wear model (models/nvs_wear.h,
 * the ESP32 nvs_flash geometry), then prints the projection and fails when the projected life
 * with wear levelling is under MIN_YEARS, or when a count is missing or an assertion failed.
 *
 * The value sizes are the firmware's persisted settings (spec/firmware.md §10.2): nodeID u8,
 * modeMask u8, ecoLimit u16, gridLimit u8, touWindow 4-byte blob, scThresh 2-byte blob.
 * Exit codes: 0 projection at or above MIN_YEARS, 1 below it or a bad report, 64 usage.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvs_wear.h"

#define PREFIX "nvs_writes."

typedef struct {
    const char *key;
    size_t len;
    double writes;
    bool seen;
} key_count_t;

static key_count_t keys[] = {
    {"nodeID", 1, 0, false},    {"modeMask", 1, 0, false},  {"ecoLimit", 2, 0, false},
    {"gridLimit", 1, 0, false}, {"touWindow", 4, 0, false}, {"scThresh", 2, 0, false},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(text, cap);
            if (grown == NULL) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, 4096, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

/* Takes the counts from the "nvs_writes.<key>" assertions; false on a failed one. */
static bool take_counts(const cJSON *asserts) {
    bool ok = true;
    const cJSON *a = NULL;
    cJSON_ArrayForEach(a, asserts) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "name"));
        const char *actual = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "actual"));
        if (name == NULL || strncmp(name, PREFIX, strlen(PREFIX)) != 0 || actual == NULL) {
            continue;
        }
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "passed"))) {
            printf("assertion %s failed: its count is not the scenario's\n", name);
            ok = false;
        }
        for (size_t i = 0; i < N_KEYS; i++) {
            if (strcmp(name + strlen(PREFIX), keys[i].key) == 0) {
                keys[i].writes = strtod(actual, NULL);
                keys[i].seen = true;
            }
        }
    }
    return ok;
}

static void print_projection(const nvs_wear_geom_t *g, const nvs_wear_result_t *r, double days) {
    printf("%.3f days of virtual time; projection for %u pages of 4096 bytes, %u kept erased, "
           "%u rated erase cycles:\n",
           days, (unsigned)g->pages, (unsigned)g->reserved_pages, (unsigned)g->rated_cycles);
    printf("  writes per day %.4f, entries per day %.4f, erases per page per day %.6f\n",
           r->writes_per_day, r->entries_per_day, r->erases_per_page_per_day);
    printf("  years to rated wear with wear levelling: %.0f\n", r->years);
    printf("  years without levelling (every write erasing one sector): %.0f\n",
           r->years_single_sector);
}

static int project(double days, double min_years) {
    nvs_wear_key_t in[N_KEYS];
    printf("%-10s %5s %7s %10s\n", "key", "bytes", "writes", "per day");
    for (size_t i = 0; i < N_KEYS; i++) {
        in[i].value_len = keys[i].len;
        in[i].writes_per_day = keys[i].writes / days;
        printf("%-10s %5zu %7.0f %10.4f\n", keys[i].key, keys[i].len, keys[i].writes,
               in[i].writes_per_day);
    }
    nvs_wear_geom_t g;
    nvs_wear_geom_default(&g);
    nvs_wear_result_t r;
    if (nvs_wear_project(&g, in, N_KEYS, &r) != 0) {
        printf("the wear model refused the counts\n");
        return 1;
    }
    print_projection(&g, &r, days);
    if (r.years < min_years) {
        printf("FAIL: %.0f years is under the required %.0f\n", r.years, min_years);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: suite_nvs_wear REPORT.json MIN_YEARS\n");
        return 64;
    }
    char *text = read_text(argv[1]);
    cJSON *doc = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    if (doc == NULL) {
        printf("%s: cannot read a report\n", argv[1]);
        return 1;
    }
    double ns = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "sim_duration_ns"));
    bool ok = take_counts(cJSON_GetObjectItemCaseSensitive(doc, "assertions")) && ns > 0;
    cJSON_Delete(doc);
    for (size_t i = 0; i < N_KEYS; i++) {
        if (!keys[i].seen) {
            printf("no assertion %s%s in %s\n", PREFIX, keys[i].key, argv[1]);
            ok = false;
        }
    }
    return ok ? project(ns / 86400e9, strtod(argv[2], NULL)) : 1;
}
