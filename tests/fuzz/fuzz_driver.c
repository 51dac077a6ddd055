/*
 * fuzz_driver.c: the standalone replay driver: feeds files to a fuzz target without libFuzzer.
 *
 *   fuzz_<name>_replay PATH...
 *
 * Every PATH is a file or a directory; a directory contributes its regular files (not those
 * starting with '.'), in name order so a run is the same on every machine. Each file is read into
 * a buffer of exactly its size (a sanitizer build then catches a read one byte past the input)
 * and passed to LLVMFuzzerTestOneInput() once. The name goes to stdout before the call, so a
 * crash or a FUZZ_CHECK failure is reported right after the file that caused it.
 *
 * Exit status: 0 when every input ran, 1 when a path cannot be read or no input was found at all
 * (an empty corpus would make the CTest entry pass without testing anything), 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

#define MAX_FILES_PER_DIR 4096
#define MAX_INPUT_BYTES   (64u * 1024u * 1024u)

/* Runs one file; returns 0, or 1 when it cannot be read. */
static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > MAX_INPUT_BYTES) {
        fprintf(stderr, "%s: cannot size, or larger than %u bytes\n", path, MAX_INPUT_BYTES);
        fclose(f);
        return 1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n > 0 ? n : 1u);
    if (buf == NULL || fread(buf, 1, n, f) != n) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    printf("%s (%zu bytes)\n", path, n);
    fflush(stdout);
    (void)LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of a directory in name order; counts them into *runs. */
static int run_dir(const char *dir, size_t *runs) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "%s: cannot open the directory\n", dir);
        return 1;
    }
    char **names = malloc(MAX_FILES_PER_DIR * sizeof *names);
    size_t n = 0;
    int rc = names == NULL;
    for (struct dirent *e = readdir(d); rc == 0 && e != NULL; e = readdir(d)) {
        if (e->d_name[0] == '.') {
            continue;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        rc = n + 1 == MAX_FILES_PER_DIR || names[n] == NULL;
        if (rc == 0) {
            snprintf(names[n++], len, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    if (rc == 0) {
        qsort(names, n, sizeof *names, by_name);
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(names[i]);
            *runs += rc == 0 ? 1u : 0u;
        }
        free(names[i]);
    }
    free(names);
    if (rc != 0) {
        fprintf(stderr, "%s: stopped (out of memory, too many files or an unreadable file)\n", dir);
    }
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
        return 2;
    }
    size_t runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: no such file or directory\n", argv[i]);
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &runs) : run_file(argv[i]);
        if (rc != 0) {
            return 1;
        }
        runs += S_ISDIR(st.st_mode) ? 0u : 1u;
    }
    printf("%zu inputs ran\n", runs);
    if (runs == 0) {
        fprintf(stderr, "no input found: an empty corpus tests nothing\n");
        return 1;
    }
    return 0;
}
