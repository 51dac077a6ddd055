/*
 * scn_diag.c: diagnostics of the scenario loader, "file:line:col: error: message" (GNU).
 *
 * A semantic message starts with the JSON pointer of what is wrong, so it names the place twice:
 * line:col for editors, the pointer for people and scripts. The pointer of a missing key is the
 * key it should have had, reported at the object that lacks it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scn_ctx.h"

void sim_diag_format(const sim_diag_t *d, char *buf, size_t len) {
    if (d->line == 0) {
        snprintf(buf, len, "%s: error: %s", d->file, d->message);
    } else {
        snprintf(buf, len, "%s:%u:%u: error: %s", d->file, d->line, d->col, d->message);
    }
}

/*
 * Copies a message, escaping control bytes as scn_text_quote() does ("\n", "\t", "\u0001"):
 * messages quote strings of the input (paths, names) whole, and a diagnostic must stay one line.
 */
static void copy_one_line(char *dst, size_t cap, const char *src) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p != '\0'; p++) {
        char esc[8] = {(char)*p, '\0'};
        if (*p == '\n' || *p == '\t') {
            snprintf(esc, sizeof esc, "\\%c", *p == '\n' ? 'n' : 't');
        } else if (*p < 0x20u || *p == 0x7Fu) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)*p);
        }
        size_t n = strlen(esc);
        if (o + n >= cap) {
            break;
        }
        memcpy(dst + o, esc, n);
        o += n;
    }
    dst[o] = '\0';
}

void scn_diag_file(sim_diag_t *d, const char *path, int exit_code, const char *message) {
    memset(d, 0, sizeof *d);
    snprintf(d->file, sizeof d->file, "%s", path);
    copy_one_line(d->message, sizeof d->message, message);
    d->exit_code = exit_code;
}

void scn_diag_at(sim_diag_t *d, const char *path, const char *text, size_t len, size_t off,
                 int exit_code, const char *message) {
    scn_diag_file(d, path, exit_code, message);
    scn_text_linecol(text, len, off, &d->line, &d->col);
}

SCN_PRINTF(6, 0)
static int vfail(scn_ctx_t *c, size_t off, const char *ptr, int exit_code, int rc, const char *fmt,
                 va_list ap) {
    char body[sizeof c->diag->message];
    char msg[sizeof c->diag->message + 128]; /* cut to the diagnostic size when copied */
    vsnprintf(body, sizeof body, fmt, ap);
    /* A long pointer must not push the explanation out: cut the pointer first. */
    if (ptr[0] == '\0') {
        snprintf(msg, sizeof msg, "%s", body); /* the document itself */
    } else {
        snprintf(msg, sizeof msg, "%.120s: %s", ptr, body);
    }
    scn_diag_file(c->diag, c->path, exit_code, msg);
    scn_doc_linecol(c->doc, off, &c->diag->line, &c->diag->col);
    return rc;
}

int scn_fail_value(scn_ctx_t *c, const cJSON *item, const char *fmt, ...) {
    char ptr[160];
    scn_doc_pointer(c->doc, item, ptr, sizeof ptr);
    va_list ap;
    va_start(ap, fmt);
    int rc =
        vfail(c, scn_doc_pos(c->doc, item)->val_off, ptr, SCN_EXIT_DATAERR, -SIM_EFORMAT, fmt, ap);
    va_end(ap);
    return rc;
}

int scn_fail_key(scn_ctx_t *c, const cJSON *item, const char *fmt, ...) {
    char ptr[160];
    scn_doc_pointer(c->doc, item, ptr, sizeof ptr);
    const scn_pos_t *p = scn_doc_pos(c->doc, item);
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(c, p->key_off != SCN_NO_OFFSET ? p->key_off : p->val_off, ptr, SCN_EXIT_DATAERR,
                   -SIM_EFORMAT, fmt, ap);
    va_end(ap);
    return rc;
}

int scn_fail_missing(scn_ctx_t *c, const cJSON *obj, const char *key, const char *fmt, ...) {
    char ptr[160];
    scn_doc_pointer(c->doc, obj, ptr, sizeof ptr);
    size_t n = strlen(ptr);
    snprintf(ptr + n, sizeof ptr - n, "/%s", key);
    va_list ap;
    va_start(ap, fmt);
    int rc =
        vfail(c, scn_doc_pos(c->doc, obj)->val_off, ptr, SCN_EXIT_DATAERR, -SIM_EFORMAT, fmt, ap);
    va_end(ap);
    return rc;
}

int scn_fail_input(scn_ctx_t *c, const cJSON *item, const char *fmt, ...) {
    char ptr[160];
    scn_doc_pointer(c->doc, item, ptr, sizeof ptr);
    va_list ap;
    va_start(ap, fmt);
    int rc =
        vfail(c, scn_doc_pos(c->doc, item)->val_off, ptr, SCN_EXIT_NOINPUT, -SIM_ENOENT, fmt, ap);
    va_end(ap);
    return rc;
}

int scn_fail_nomem(scn_ctx_t *c) {
    scn_diag_file(c->diag, c->path, SCN_EXIT_SOFTWARE, "out of memory");
    return -SIM_ENOMEM;
}

void scn_quote_item(const cJSON *item, char *buf, size_t cap) {
    const char *s = cJSON_GetStringValue(item);
    if (s == NULL) {
        s = "";
    }
    scn_text_quote(buf, cap, s, strlen(s));
}
