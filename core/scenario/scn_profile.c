/*
 * scn_profile.c: daily power profiles and times of day.
 *
 * A profile is inline, [[0, 250], [25200, 800], ...] (second of the day, W), or a CSV file
 * "t_s,power_w" relative to the scenario, parsed by home_load_parse_csv() (so the format is
 * exactly the model's). Either way the points must be what home_load.h accepts: 1 to 288 points,
 * seconds 0..86399 strictly increasing, powers >= 0; the model is built once to confirm it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_fields.h"
#include "scn_pack.h"
#include "scn_parts.h"
#include "scn_text.h"

#define MAX_CSV_BYTES (1u << 20)
#define POWER_W_MAX   1e7

static int add_profile(scn_ctx_t *c, home_load_point_t *pts, size_t n, int *index) {
    sim_scenario_t *s = c->s;
    sim_scn_profile_t *grown = realloc(s->profiles, (s->n_profiles + 1) * sizeof *grown);
    if (grown == NULL) {
        free(pts);
        return scn_fail_nomem(c);
    }
    s->profiles = grown;
    s->profiles[s->n_profiles] = (sim_scn_profile_t){pts, n, 1.0};
    *index = (int)s->n_profiles++;
    return 0;
}

static int inline_point(scn_ctx_t *c, const cJSON *e, home_load_point_t *p) {
    uint64_t t = 0;
    if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2) {
        return scn_fail_value(c, e, "expected a point [t_s, power_w] such as [25200, 800]");
    }
    int rc = scn_uint_in(c, e->child, 0, 86399, &t);
    rc = rc ? rc : scn_number_in(c, e->child->next, 0, POWER_W_MAX, &p->power_w);
    p->t_s = (uint32_t)t;
    return rc;
}

static int inline_profile(scn_ctx_t *c, const cJSON *v, home_load_point_t *pts, size_t *n) {
    int count = cJSON_GetArraySize(v);
    if (count < 1 || count > HOME_LOAD_POINTS_MAX) {
        return scn_fail_value(c, v, "expected 1 to %d points, got %d", HOME_LOAD_POINTS_MAX, count);
    }
    size_t i = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next, i++) {
        int rc = inline_point(c, e, &pts[i]);
        if (rc == 0 && i > 0 && pts[i].t_s <= pts[i - 1].t_s) {
            rc = scn_fail_value(c, e->child, "times must increase (%u after %u)", pts[i].t_s,
                                pts[i - 1].t_s);
        }
        if (rc != 0) {
            return rc;
        }
    }
    *n = i;
    return 0;
}

static int csv_profile(scn_ctx_t *c, const cJSON *v, home_load_point_t *pts, size_t *n) {
    char path[4096];
    const char *name = v->valuestring;
    snprintf(path, sizeof path, "%s%s%s", name[0] == '/' ? "" : c->s->dir,
             name[0] == '/' ? "" : "/", name);
    char *text = NULL;
    size_t len = 0;
    int err = scn_read_file(path, MAX_CSV_BYTES, &text, &len);
    if (err != 0) {
        return err == ENOMEM ? scn_fail_nomem(c)
                             : scn_fail_input(c, v, "cannot read profile \"%.200s\": %s", path,
                                              scn_read_error(err));
    }
    /* The parser reads a C string: a NUL byte would silently end the profile there. */
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        unsigned line, col;
        scn_text_linecol(text, len, (size_t)(nul - text), &line, &col);
        free(text);
        return scn_fail_value(c, v, "profile \"%.200s\" line %u: a NUL byte (expected text)", path,
                              line);
    }
    unsigned bad = 0;
    int rc = home_load_parse_csv(text, pts, HOME_LOAD_POINTS_MAX, n, &bad);
    free(text);
    if (rc == -SIM_ERANGE) {
        return scn_fail_value(c, v, "profile \"%.200s\" has more than %d points", path,
                              HOME_LOAD_POINTS_MAX);
    }
    if (rc != 0 && bad == 0) {
        return scn_fail_value(c, v, "profile \"%.200s\" has no points (expected lines t_s,power_w)",
                              path);
    }
    if (rc != 0) {
        return scn_fail_value(c, v, "profile \"%.200s\" line %u: expected t_s,power_w", path, bad);
    }
    for (size_t i = 0; i < *n; i++) { /* the same range as an inline profile's powers */
        if (pts[i].power_w > POWER_W_MAX) {
            return scn_fail_value(c, v, "profile \"%.200s\": %g W at %u s is above 1e+07 W", path,
                                  pts[i].power_w, (unsigned)pts[i].t_s);
        }
    }
    return 0;
}

int scn_profile_value(scn_ctx_t *c, const cJSON *v, int *index) {
    home_load_point_t *pts = calloc(HOME_LOAD_POINTS_MAX, sizeof *pts);
    size_t n = 0;
    if (pts == NULL) {
        return scn_fail_nomem(c);
    }
    int rc = cJSON_IsArray(v) ? inline_profile(c, v, pts, &n) : csv_profile(c, v, pts, &n);
    home_load_t *h = NULL;
    home_load_cfg_t hc = {pts, n, 1.0};
    if (rc == 0 && (rc = home_load_create(&hc, &h)) != 0) {
        rc = rc == -SIM_ENOMEM ? scn_fail_nomem(c)
                               : scn_fail_value(c, v,
                                                "expected 1 to %d points with increasing seconds "
                                                "0..86399 and powers >= 0",
                                                HOME_LOAD_POINTS_MAX);
    }
    home_load_destroy(h);
    if (rc != 0) {
        free(pts);
        return rc;
    }
    return add_profile(c, pts, n, index);
}

int scn_hhmm_value(scn_ctx_t *c, const cJSON *v, uint16_t *minutes) {
    const char *s = cJSON_GetStringValue(v);
    bool ok = s != NULL && strlen(s) == 5 && s[2] == ':';
    for (int i = 0; ok && i < 5; i++) {
        ok = i == 2 || (s[i] >= '0' && s[i] <= '9');
    }
    int h = ok ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
    int m = ok ? (s[3] - '0') * 10 + (s[4] - '0') : 0;
    if (!ok || h > 23 || m > 59) {
        return scn_fail_value(c, v, "expected a time of day \"HH:MM\" from 00:00 to 23:59");
    }
    *minutes = (uint16_t)(h * 60 + m);
    return 0;
}
