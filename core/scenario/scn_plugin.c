/*
 * scn_plugin.c: finding the firmware plugin of every node.
 *
 * A bare name ("testnode") means fw_testnode.so in the first of the plugin directories that has
 * it readable, as a shell finds a command in PATH. A name with '/' is a path, relative to the
 * scenario's directory unless absolute, so a scenario and its plugin can travel together.
 * Only existence and readability are checked here; loading is the host's job. This runs after
 * every other check, so bad data (exit 65) is reported before a missing plugin (exit 66).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scn_parts.h"

#define PLUGIN_PATH_MAX 4096

int scn_plugin_value_ok(scn_ctx_t *c, const cJSON *v) {
    const char *p = v->valuestring;
    if (strchr(p, '/') != NULL ? p[strlen(p) - 1] == '/' : !scn_name_ok(p, 64)) {
        return scn_fail_value(c, v,
                              "expected a plugin name of letters, digits, '_', '.' or '-' "
                              "(\"testnode\" for fw_testnode.so) or a path to a file");
    }
    return 0;
}

/* 0 when `path` is a readable regular file, else an errno value. */
static int readable_file(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        return errno;
    }
    if (S_ISDIR(st.st_mode)) {
        return EISDIR;
    }
    return access(path, R_OK) == 0 ? 0 : errno;
}

static int by_path(scn_ctx_t *c, const cJSON *v, char *out) {
    const char *name = v->valuestring;
    int n = name[0] == '/' ? snprintf(out, PLUGIN_PATH_MAX, "%s", name)
                           : snprintf(out, PLUGIN_PATH_MAX, "%s/%s", c->s->dir, name);
    if (n < 0 || n >= PLUGIN_PATH_MAX) {
        /* Cut short, it could name another file. */
        return scn_fail_value(c, v, "plugin path longer than %d bytes", PLUGIN_PATH_MAX - 1);
    }
    int err = readable_file(out);
    if (err != 0) {
        /* The whole path (not a cut quote): it is what the user has to go and fix. */
        return scn_fail_input(c, v, "cannot read plugin \"%.200s\": %s", out, strerror(err));
    }
    return 0;
}

static int by_name(scn_ctx_t *c, const cJSON *v, char *out) {
    const char *name = v->valuestring;
    for (const char *const *d = c->plugin_dirs; d != NULL && *d != NULL; d++) {
        int n = snprintf(out, PLUGIN_PATH_MAX, "%s/fw_%s.so", *d, name);
        if (n > 0 && n < PLUGIN_PATH_MAX && readable_file(out) == 0) {
            return 0;
        }
    }
    return scn_fail_input(c, v,
                          "plugin \"%s\" not found (no readable fw_%s.so in the plugin "
                          "directories)",
                          name, name);
}

static int resolve(scn_ctx_t *c, const cJSON *v, char **out) {
    char *path = malloc(PLUGIN_PATH_MAX);
    if (path == NULL) {
        return scn_fail_nomem(c);
    }
    int rc = strchr(v->valuestring, '/') != NULL ? by_path(c, v, path) : by_name(c, v, path);
    if (rc == 0) {
        *out = scn_strdup(path);
        rc = *out != NULL ? 0 : scn_fail_nomem(c);
    }
    free(path);
    return rc;
}

static bool runs_firmware(const sim_scn_node_t *n) {
    return n->type == SIM_NODE_FIRMWARE || n->type == SIM_NODE_PACK;
}

int scn_resolve_plugins(scn_ctx_t *c) {
    /* A node with no plugin at all is bad data: report it before looking at any file. */
    for (size_t i = 0; c->plugin == NULL && i < c->s->n_nodes; i++) {
        if (c->node_plugin[i] == NULL && runs_firmware(&c->s->nodes[i])) {
            return scn_fail_missing(c, c->node_obj[i], "plugin",
                                    "no plugin for this node (give \"plugin\" here or at the top "
                                    "level)");
        }
    }
    char *fallback = NULL;
    int rc = c->plugin != NULL ? resolve(c, c->plugin, &fallback) : 0;
    for (size_t i = 0; rc == 0 && i < c->s->n_nodes; i++) {
        sim_scn_node_t *n = &c->s->nodes[i];
        if (!runs_firmware(n)) {
            continue; /* the gateway types run no firmware: plugin stays NULL */
        }
        if (c->node_plugin[i] != NULL) {
            rc = resolve(c, c->node_plugin[i], &n->plugin);
        } else {
            n->plugin = scn_strdup(fallback);
            rc = n->plugin != NULL ? 0 : scn_fail_nomem(c);
        }
    }
    free(fallback);
    return rc;
}
