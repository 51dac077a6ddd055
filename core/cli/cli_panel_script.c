/*
 * cli_panel_script.c: the --panel-script reader (see cli_panel_script.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_panel_script.h"
#include "sim_scenario.h"

static const char *const key_names[] = {CLI_SCRIPT_KEY_NAMES};
#define N_KEYS (sizeof key_names / sizeof key_names[0])

typedef struct {
    const char *path;
    unsigned line;
    char *err;
    size_t errlen;
} ctx_t;

__attribute__((format(printf, 2, 3))) static int fail(const ctx_t *c, const char *fmt, ...) {
    int n = snprintf(c->err, c->errlen, "%s:%u: error: ", c->path, c->line);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < c->errlen) {
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return -SIM_EFORMAT;
}

/* NAME[+shift][+ctrl], case-insensitive. */
static int parse_key(const ctx_t *c, char *arg, cli_script_entry_t *e) {
    char *save = NULL, *name = strtok_r(arg, "+", &save);
    e->key = -1;
    for (size_t i = 0; name != NULL && i < N_KEYS; i++) {
        e->key = strcasecmp(name, key_names[i]) == 0 ? (int)i : e->key;
    }
    if (e->key < 0) {
        return fail(c,
                    "unknown key '%s' (F1..F12, Return, Escape, Tab, Backspace, Left, Right, "
                    "Up, Down, Home, End; characters go in 'text')",
                    name ? name : "");
    }
    for (char *m; (m = strtok_r(NULL, "+", &save)) != NULL;) {
        if (strcasecmp(m, "shift") == 0) {
            e->shift = true;
        } else if (strcasecmp(m, "ctrl") == 0) {
            e->ctrl = true;
        } else {
            return fail(c, "unknown modifier '%s' (shift, ctrl)", m);
        }
    }
    return 0;
}

static int parse_ints(const ctx_t *c, const char *arg, cli_script_entry_t *e, bool click) {
    char extra[16] = "";
    int n = sscanf(arg, "%d %d %15s", &e->x, &e->y, extra);
    if (n < 2 || e->x < 0 || e->y < 0 || e->x > 16384 || e->y > 16384 || (!click && n > 2)) {
        return fail(c,
                    click ? "expected 'click X Y [left|right|middle]'" : "expected 'resize W H'");
    }
    if (!click && (e->x > 7680 || e->y > 4320)) {
        /* The largest window --panel-size accepts; a bigger canvas is gigabytes of pixels. */
        return fail(c, "resize %dx%d is larger than 7680x4320", e->x, e->y);
    }
    e->button = 1;
    if (n == 3) {
        e->button = strcmp(extra, "left") == 0     ? 1
                    : strcmp(extra, "middle") == 0 ? 2
                    : strcmp(extra, "right") == 0  ? 3
                                                   : 0;
        if (e->button == 0) {
            return fail(c, "unknown button '%s' (left, right, middle)", extra);
        }
    }
    return 0;
}

/* VERB ARGUMENTS after the time. */
static int parse_verb(const ctx_t *c, char *verb, char *arg, cli_script_entry_t *e) {
    if (strcmp(verb, "key") == 0) {
        e->verb = CLI_SCRIPT_KEY;
        return parse_key(c, arg, e);
    }
    if (strcmp(verb, "click") == 0 || strcmp(verb, "resize") == 0) {
        e->verb = verb[0] == 'c' ? CLI_SCRIPT_CLICK : CLI_SCRIPT_RESIZE;
        return parse_ints(c, arg, e, verb[0] == 'c');
    }
    if (strcmp(verb, "text") == 0 || strcmp(verb, "command") == 0) {
        e->verb = verb[0] == 't' ? CLI_SCRIPT_TEXT : CLI_SCRIPT_COMMAND;
        if (arg[0] == '\0' || strlen(arg) >= sizeof e->text) {
            return fail(c, "'%s' needs 1 to %u characters", verb, CLI_SCRIPT_TEXT_MAX - 1);
        }
        snprintf(e->text, sizeof e->text, "%s", arg);
        return 0;
    }
    return fail(c, "unknown verb '%s' (key, text, click, command, resize)", verb);
}

/* "TIME VERB ARGUMENTS": the arguments are the rest of the line after one space. */
static int parse_line(const ctx_t *c, char *line, sim_time_ns_t prev, cli_script_entry_t *e) {
    memset(e, 0, sizeof *e);
    e->line = c->line;
    char *verb = strchr(line, ' ');
    if (verb == NULL) {
        return fail(c, "expected 'TIME VERB ...'");
    }
    *verb++ = '\0';
    char *arg = strchr(verb, ' ');
    if (arg == NULL) {
        arg = verb + strlen(verb);
    } else {
        *arg++ = '\0';
    }
    if (sim_parse_duration(line, &e->t_ns) != 0) {
        return fail(c, "'%s' is not a time like 5s or 1500ms", line);
    }
    if (e->t_ns < prev) {
        return fail(c, "entries must not go back in time");
    }
    return parse_verb(c, verb, arg, e);
}

static int add(cli_script_t *s, const cli_script_entry_t *e, size_t *cap) {
    if (s->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        cli_script_entry_t *p = realloc(s->entries, ncap * sizeof *p);
        if (p == NULL) {
            return -SIM_ENOMEM;
        }
        s->entries = p;
        *cap = ncap;
    }
    s->entries[s->n++] = *e;
    return 0;
}

int cli_script_parse(const char *path, const char *text, cli_script_t *out, char *err,
                     size_t errlen) {
    memset(out, 0, sizeof *out);
    ctx_t c = {.path = path, .err = err, .errlen = errlen};
    size_t cap = 0;
    int rc = 0;
    for (const char *p = text; rc == 0 && *p != '\0';) {
        size_t n = strcspn(p, "\n");
        char line[256];
        c.line++;
        if (n >= sizeof line) {
            rc = fail(&c, "line longer than %zu characters", sizeof line - 1);
            break;
        }
        memcpy(line, p, n);
        line[n - (n > 0 && line[n - 1] == '\r')] = '\0';
        p += n + (p[n] == '\n');
        if (line[0] == '\0' || line[0] == '#') {
            continue;
        }
        cli_script_entry_t e;
        rc = parse_line(&c, line, out->n > 0 ? out->entries[out->n - 1].t_ns : 0, &e);
        if (rc == 0 && out->n >= CLI_SCRIPT_MAX_ENTRIES) {
            rc = fail(&c, "more than %u entries", CLI_SCRIPT_MAX_ENTRIES);
        }
        rc = rc == 0 ? add(out, &e, &cap) : rc;
    }
    if (rc != 0) {
        cli_script_free(out);
    }
    return rc;
}

int cli_script_load(const char *path, cli_script_t *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    if (f != NULL) {
        FILE *m = open_memstream(&buf, &len);
        char chunk[4096];
        size_t n;
        while (m != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && len < 1u << 20) {
            fwrite(chunk, 1, n, m);
        }
        if (m != NULL) {
            fclose(m);
        }
        fclose(f);
    }
    if (buf == NULL) {
        snprintf(err, errlen, "%s: error: cannot read the panel script", path);
        return -SIM_ENOENT;
    }
    int rc = cli_script_parse(path, buf, out, err, errlen);
    free(buf);
    return rc;
}

void cli_script_free(cli_script_t *s) {
    free(s->entries);
    s->entries = NULL;
    s->n = 0;
}
