/*
 * sim_bridge_spec.c: the --bridge argument ("socketcan:IFACE", "socketcand:HOST:PORT") and the
 * bridge built from it.
 *
 * Parsing is strict, so that a typo is a usage error (exit 64) before anything opens, and the
 * open errors that remain are about the host (exit 69): a missing interface, no AF_CAN, a port
 * in use. Interface names follow the kernel's rule (1..15 bytes, no '/', ':' or whitespace).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_bridge_int.h"

#define SOCKETCAND_GRACE_MS 100

static int parse_iface(const char *name, sim_bridge_spec_t *out, char *err, size_t errlen) {
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof out->iface || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strpbrk(name, "/: \t\n") != NULL) {
        snprintf(err, errlen,
                 "--bridge socketcan:IFACE: '%s' is not an interface name "
                 "(1 to 15 characters without '/', ':' or spaces), e.g. socketcan:vcan0",
                 name);
        return -SIM_EINVAL;
    }
    out->kind = SIM_BRIDGE_SOCKETCAN;
    memcpy(out->iface, name, n + 1);
    return 0;
}

static int parse_port(const char *s, uint16_t *port) {
    if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s)) {
        return -SIM_EINVAL;
    }
    unsigned long v = strtoul(s, NULL, 10);
    if (v > 65535) {
        return -SIM_EINVAL;
    }
    *port = (uint16_t)v;
    return 0;
}

static int parse_host_port(const char *hp, sim_bridge_spec_t *out, char *err, size_t errlen) {
    const char *colon = strrchr(hp, ':');
    size_t hl = colon != NULL ? (size_t)(colon - hp) : 0;
    struct in_addr a;
    if (colon == NULL || hl == 0 || hl >= sizeof out->host) {
        snprintf(err, errlen,
                 "--bridge socketcand:HOST:PORT: missing host or port in '%s', "
                 "e.g. socketcand:127.0.0.1:29536",
                 hp);
        return -SIM_EINVAL;
    }
    memcpy(out->host, hp, hl);
    out->host[hl] = '\0';
    if (strcmp(out->host, "localhost") != 0 && inet_pton(AF_INET, out->host, &a) != 1) {
        snprintf(err, errlen, "--bridge socketcand: '%s' is not an IPv4 address", out->host);
        return -SIM_EINVAL;
    }
    if (parse_port(colon + 1, &out->port) != 0) {
        snprintf(err, errlen, "--bridge socketcand: '%s' is not a port (0 to 65535)", colon + 1);
        return -SIM_EINVAL;
    }
    out->kind = SIM_BRIDGE_SOCKETCAND;
    return 0;
}

int sim_bridge_parse_spec(const char *text, sim_bridge_spec_t *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (text == NULL || strlen(text) >= sizeof out->text) {
        snprintf(err, errlen, "--bridge: missing or too long");
        return -SIM_EINVAL;
    }
    strcpy(out->text, text);
    if (strncmp(text, "socketcan:", 10) == 0) {
        return parse_iface(text + 10, out, err, errlen);
    }
    if (strncmp(text, "socketcand:", 11) == 0) {
        return parse_host_port(text + 11, out, err, errlen);
    }
    snprintf(err, errlen,
             "--bridge: unknown kind in '%s'; use socketcan:IFACE or "
             "socketcand:HOST:PORT",
             text);
    return -SIM_EINVAL;
}

int sim_bridge_open(sim_kernel_t *k, sim_can_bus_t *bus, sim_trace_t *trace,
                    const sim_bridge_spec_t *spec, const sim_bridge_cfg_t *cfg, sim_bridge_t **out,
                    char *err, size_t errlen) {
    sim_bridge_cfg_t c = {0};
    if (cfg != NULL) {
        c = *cfg;
    }
    if (c.endpoint == NULL) {
        c.endpoint = spec->text;
    }
    if (spec->kind == SIM_BRIDGE_SOCKETCAND && c.grace_ms == 0) {
        c.grace_ms = SOCKETCAND_GRACE_MS;
    }
    sim_bridge_io_t io = {0};
    int rc = spec->kind == SIM_BRIDGE_SOCKETCAN
                 ? sim_bridge_io_socketcan(spec->iface, sim_can_bus_bitrate(bus), &io)
                 : sim_bridge_io_socketcand(spec->host, spec->port, &io);
    if (rc != 0) {
        snprintf(err, errlen, "bridge %s: %s", spec->text, sim_strerror(rc));
        *out = NULL;
        return rc;
    }
    return sim_bridge_create(k, bus, trace, io, &c, out, err, errlen);
}
