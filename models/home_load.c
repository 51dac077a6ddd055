/*
 * home_load.c: piecewise-linear daily load profile (contract in home_load.h).
 */
#include "home_load.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim_types.h"

struct home_load {
    home_load_point_t pts[HOME_LOAD_POINTS_MAX];
    size_t n;
};

/* A working household: asleep until 06:00, breakfast, empty house, cooking and TV at night. */
static const home_load_point_t default_profile[] = {
    {0, 250.0},          {5 * 3600, 250.0},   {6 * 3600, 600.0},  {8 * 3600, 900.0},
    {9 * 3600, 450.0},   {12 * 3600, 500.0},  {14 * 3600, 400.0}, {17 * 3600, 700.0},
    {19 * 3600, 1400.0}, {21 * 3600, 1100.0}, {23 * 3600, 400.0},
};

void home_load_cfg_default(home_load_cfg_t *cfg) {
    *cfg = (home_load_cfg_t){.points = NULL, .n_points = 0, .scale = 1.0};
}

static bool points_valid(const home_load_point_t *p, size_t n) {
    if (n < 1 || n > HOME_LOAD_POINTS_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i].t_s >= 86400 || !(p[i].power_w >= 0.0) || (i > 0 && p[i].t_s <= p[i - 1].t_s)) {
            return false;
        }
    }
    return true;
}

/* Loads cfg's profile (or the built-in one) into h, scaled. */
static int load_profile(home_load_t *h, const home_load_cfg_t *cfg) {
    const home_load_point_t *p = cfg->points ? cfg->points : default_profile;
    size_t n = cfg->points ? cfg->n_points : sizeof default_profile / sizeof default_profile[0];
    if (!points_valid(p, n) || !(cfg->scale >= 0.0)) {
        return -SIM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        h->pts[i] = (home_load_point_t){p[i].t_s, p[i].power_w * cfg->scale};
    }
    h->n = n;
    return 0;
}

int home_load_create(const home_load_cfg_t *cfg, home_load_t **out) {
    *out = NULL;
    home_load_t *h = calloc(1, sizeof *h);
    if (!h) {
        return -SIM_ENOMEM;
    }
    int rc = load_profile(h, cfg);
    if (rc != 0) {
        free(h);
        return rc;
    }
    *out = h;
    return 0;
}

int home_load_set_profile(home_load_t *h, const home_load_cfg_t *cfg) {
    home_load_t next = *h;
    int rc = load_profile(&next, cfg);
    if (rc == 0) {
        *h = next;
    }
    return rc;
}

void home_load_destroy(home_load_t *h) {
    free(h);
}

/* Segment i runs from point i to point i+1, the last one to the first point plus a day. */
static void segment(const home_load_t *h, size_t i, double *t0, double *p0, double *t1,
                    double *p1) {
    size_t j = (i + 1) % h->n;
    *t0 = h->pts[i].t_s;
    *p0 = h->pts[i].power_w;
    *t1 = h->pts[j].t_s + (j <= i ? 86400.0 : 0.0);
    *p1 = h->pts[j].power_w;
}

double home_load_power_w(const home_load_t *h, double second_of_day) {
    double s = second_of_day;
    if (s < h->pts[0].t_s) {
        s += 86400.0; /* before the first point: on the wrapping segment */
    }
    size_t i = h->n - 1;
    while (i > 0 && s < h->pts[i].t_s) {
        i--;
    }
    double t0, p0, t1, p1;
    segment(h, i, &t0, &p0, &t1, &p1);
    return p0 + (p1 - p0) * (s - t0) / (t1 - t0);
}

double home_load_daily_wh(const home_load_t *h) {
    double wh = 0.0;
    for (size_t i = 0; i < h->n; i++) {
        double t0, p0, t1, p1;
        segment(h, i, &t0, &p0, &t1, &p1);
        wh += (p0 + p1) / 2.0 * (t1 - t0) / 3600.0; /* trapezoid: exact for straight lines */
    }
    return wh;
}

static const char *skip_blanks(const char *s) {
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* A non-negative decimal "123" or "123.45", parsed without the C locale's help (a locale with a
 * decimal comma must not change what a profile means). NULL when there is no number. */
static const char *parse_decimal(const char *s, double *out) {
    if (*s < '0' || *s > '9') {
        return NULL;
    }
    double v = 0.0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10.0 + (*s - '0');
    }
    if (*s == '.') {
        double scale = 0.1;
        for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10.0) {
            v += (*s - '0') * scale;
        }
    }
    *out = v;
    return s;
}

/*
 * One CSV line: 1 point, 0 nothing (blank, comment), -2 the header, -1 malformed. Only the first
 * line that is not blank or a comment may be the header (header_ok), and only when it does not
 * start like a number: "0,abc" or "0;250" there is a bad point, not a header to skip.
 */
static int parse_line(const char *line, bool header_ok, home_load_point_t *pt) {
    double t, p;
    const char *start = skip_blanks(line);
    if (*start == '\0' || *start == '#' || *start == '\r') {
        return 0;
    }
    const char *s = parse_decimal(start, &t);
    s = s ? skip_blanks(s) : NULL;
    s = s && *s == ',' ? parse_decimal(skip_blanks(s + 1), &p) : NULL;
    s = s ? skip_blanks(s) : NULL;
    if (!s || (*s != '\0' && *s != '\r')) {
        return header_ok && strchr("0123456789+-.", *start) == NULL ? -2 : -1;
    }
    if (t >= 86400.0 || t != (double)(uint32_t)t) {
        return -1;
    }
    *pt = (home_load_point_t){(uint32_t)t, p};
    return 1;
}

int home_load_parse_csv(const char *text, home_load_point_t *pts, size_t max, size_t *n,
                        unsigned *bad_line) {
    char line[256];
    unsigned lineno = 0;
    bool header_ok = true; /* until the first line that is not blank or a comment */
    *n = 0;
    *bad_line = 0;
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3; /* a UTF-8 byte order mark, as spreadsheet programs write */
    }
    while (*text) {
        size_t len = strcspn(text, "\n");
        lineno++;
        if (len >= sizeof line) {
            *bad_line = lineno;
            return -SIM_EFORMAT;
        }
        memcpy(line, text, len);
        line[len] = '\0';
        text += len + (text[len] == '\n');
        home_load_point_t pt;
        int r = parse_line(line, header_ok, &pt);
        header_ok = header_ok && r == 0;
        if (r == -2) {
            continue; /* the header */
        }
        if (r < 0 || (r > 0 && *n > 0 && pt.t_s <= pts[*n - 1].t_s)) {
            *bad_line = lineno;
            return -SIM_EFORMAT;
        }
        if (r > 0 && *n == max) {
            return -SIM_ERANGE;
        }
        if (r > 0) {
            pts[(*n)++] = pt;
        }
    }
    return *n > 0 ? 0 : -SIM_EFORMAT;
}
