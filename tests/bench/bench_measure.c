/*
 * bench_measure.c: the host facts a benchmark reports: CPU time, resident memory, the machine,
 * and where the plugins are. They are read here and only printed; none of them ever reaches a
 * simulation or its traces.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_int.h"

double bench_cpu_s(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A "Key:   123 kB" line of /proc/self/status, in KiB; 0 if absent. */
static uint64_t status_kib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    size_t klen = strlen(key);
    unsigned long long v = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            if (sscanf(line + klen + 1, "%llu", &v) != 1) {
                v = 0;
            }
            break;
        }
    }
    fclose(f);
    return v;
}

uint64_t bench_peak_rss_kib(void) {
    return status_kib("VmHWM");
}

uint64_t bench_rss_kib(void) {
    return status_kib("VmRSS");
}

void bench_fail(bench_result_t *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note, sizeof r->note, fmt, ap);
    va_end(ap);
    r->failed = true;
}

/* The "model name" of /proc/cpuinfo, trimmed; "unknown CPU" if absent. */
static void cpu_model(char *buf, size_t len) {
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) {
        return;
    }
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += strspn(colon + 1, " \t") + 1;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

void bench_machine(char *buf, size_t len) {
    char cpu[128];
    cpu_model(cpu, sizeof cpu);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__clang__)
    const char *cc = "clang " __clang_version__;
#elif defined(__GNUC__)
    const char *cc = "gcc " __VERSION__;
#else
    const char *cc = "unknown compiler";
#endif
#ifdef BENCH_BUILD_FLAGS
    const char *flags = BENCH_BUILD_FLAGS;
#else
    const char *flags = "";
#endif
    /* The load when the run started: on a shared machine it says how much others were running. */
    double load = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &load) != 1) {
            load = -1.0;
        }
        fclose(f);
    }
    snprintf(buf, len, "%s, %ld cores online, load average %.2f, %s %s", cpu, cores, load, cc,
             flags);
}

bench_cpu_ticks_t bench_cpu_ticks(void) {
    bench_cpu_ticks_t t = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL) {
        return t;
    }
    /* "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is
     * already counted in user and nice, so it is left out of the total. */
    unsigned long long v[8];
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++) {
            t.total += v[i];
        }
        t.steal = v[7];
        t.ok = true;
    }
    fclose(f);
    return t;
}

void bench_machine_add_steal(char *buf, size_t len, bench_cpu_ticks_t before) {
    bench_cpu_ticks_t after = bench_cpu_ticks();
    if (!before.ok || !after.ok || after.total <= before.total || after.steal < before.steal) {
        return;
    }
    double pct =
        100.0 * (double)(after.steal - before.steal) / (double)(after.total - before.total);
    size_t used = strlen(buf);
    if (used < len) {
        snprintf(buf + used, len - used, ", hypervisor steal %.1f %% during the run", pct);
    }
}

bool bench_find_plugin(const bench_opts_t *o, const char *file, char *path, size_t len) {
    for (const char *const *d = o->plugin_dirs; d != NULL && *d != NULL; d++) {
        snprintf(path, len, "%s/%s", *d, file);
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            fclose(f);
            return true;
        }
    }
    return false;
}
