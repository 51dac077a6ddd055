/*
 * scn_values.c: integers, hex numbers, MAC addresses and hex byte strings (see scn_values.h).
 */
#include "scn_values.h"

#include <stdbool.h>
#include <string.h>

static int hex_val(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int scn_parse_uint_text(const char *text, uint64_t *out) {
    const char *p = text;
    uint64_t v = 0;
    bool overflow = false;
    if (*p == '-') {
        return -SIM_ERANGE;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10u) {
            overflow = true;
        }
        v = v * 10u + d;
    }
    if (p == text || *p == '.' || *p == 'e' || *p == 'E') {
        return -SIM_EFORMAT;
    }
    if (overflow) {
        return -SIM_ERANGE;
    }
    *out = v;
    return 0;
}

int scn_parse_hex(const char *s, uint64_t *out) {
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return -SIM_EFORMAT;
    }
    size_t n = strlen(s + 2);
    if (n == 0 || n > 16) {
        return -SIM_EFORMAT;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hex_val(s[2 + i]);
        if (d < 0) {
            return -SIM_EFORMAT;
        }
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int scn_parse_mac(const char *s, uint8_t mac[6]) {
    if (strlen(s) != 17) {
        return -SIM_EFORMAT;
    }
    for (size_t i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        int hi = hex_val(p[0]), lo = hex_val(p[1]);
        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':')) {
            return -SIM_EFORMAT;
        }
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int scn_parse_hex_bytes(const char *s, uint8_t *out, size_t max, size_t *n) {
    size_t len = strlen(s);
    if (len % 2 != 0) {
        return -SIM_EFORMAT;
    }
    for (size_t i = 0; i < len; i++) {
        if (hex_val(s[i]) < 0) {
            return -SIM_EFORMAT;
        }
    }
    if (len / 2 > max) {
        *n = len / 2;
        return -SIM_ERANGE;
    }
    for (size_t i = 0; i < len / 2; i++) {
        out[i] = (uint8_t)(hex_val(s[2 * i]) << 4 | hex_val(s[2 * i + 1]));
    }
    *n = len / 2;
    return 0;
}
