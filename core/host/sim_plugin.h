/*
 * sim_plugin.h: the firmware plugin loader. It turns a plugin file into isolated, loaded copies.
 *
 * Firmware keeps its state in globals, as embedded code does, so every simulated node needs its
 * own copy of the plugin's .data and .bss. dlopen() maps one object once per path, and dlmopen()
 * namespaces stop at 16, so the loader makes each copy a distinct object instead: the file's
 * bytes are read once (a sim_plugin_image_t, shareable through a sim_plugin_cache_t), and each
 * copy writes them into its own anonymous memory file (memfd) and dlopen()s that through
 * /proc/self/fd/N. A copy's memory file stays open while the copy is loaded: the dynamic linker
 * recognises already-loaded objects by path name, and a closed descriptor number would be reused
 * by the next copy, which would then silently get the previous copy back. Unloading is dlclose()
 * and close(); reloading gives fresh RAM. The copies' read-only segments (code and constants) are
 * mapped from the first copy's memory file, so all copies run one physical copy of the code
 * (sim_plugin_int.h); only what the firmware can write is per copy.
 *
 * Validation, in this order, with one error line naming the file (the caller prints it):
 *   "<path>: error: cannot open plugin: No such file or directory"           -SIM_ENOENT (66)
 *   "<path>: error: cannot read plugin: <reason>"                            -SIM_EIO    (66)
 *   "<path>: error: not an alfasim plugin (not a shared object: <reason>)"   -SIM_EFORMAT (65)
 *   "<path>: error: not an alfasim plugin (no alfasim_plugin_entry symbol)"  -SIM_EFORMAT (65)
 *   "<path>: error: plugin entry returned no descriptor"                     -SIM_EFORMAT (65)
 *   "<path>: error: plugin ABI version 7 is newer than this alfasim (supports 1..1)"
 *                                                                            -SIM_EVERSION (65)
 *   "<path>: error: plugin ABI version 0 is not supported (supports 1..1)"  -SIM_EVERSION (65)
 *   "<path>: error: plugin operations table is N bytes, ABI version 1 needs at least M"
 *   "<path>: error: plugin descriptor has no operations (or no init)"        -SIM_EFORMAT (65)
 * Every failure path unloads what it loaded. Exit codes follow sysexits (EX_NOINPUT 66,
 * EX_DATAERR 65); sim_plugin_exit_code() maps a return value to them.
 *
 * Ownership: an image is reference counted (the cache holds one reference, each copy another),
 * so a cache may be destroyed while copies made from it are still loaded. Not thread-safe: one
 * run uses its loader objects from one thread.
 */
#ifndef SIM_PLUGIN_H
#define SIM_PLUGIN_H

#include <stddef.h>

#include "alfasim_plugin.h"
#include "sim_types.h"

/** The bytes of one plugin file, read once, shared by every copy made from it. */
typedef struct sim_plugin_image sim_plugin_image_t;

/**
 * Reads a plugin file into a new image (one reference, owned by the caller).
 * @retval 0, -SIM_ENOENT (missing), -SIM_EIO (unreadable), -SIM_ENOMEM; message in err
 */
int sim_plugin_image_read(const char *path, sim_plugin_image_t **out, char *err, size_t errlen);
/** Takes one more reference. */
void sim_plugin_image_retain(sim_plugin_image_t *img);
/** Drops one reference; the bytes are freed with the last one. NULL is ignored. */
void sim_plugin_image_release(sim_plugin_image_t *img);
/** The path the image was read from (as given). */
const char *sim_plugin_image_path(const sim_plugin_image_t *img);
/** Size of the file in bytes. */
size_t sim_plugin_image_size(const sim_plugin_image_t *img);
/** The file's bytes (read-only; valid while a reference is held). */
const void *sim_plugin_image_bytes(const sim_plugin_image_t *img);

/** Images by path, so 127 nodes running the same firmware read its file once. */
typedef struct sim_plugin_cache sim_plugin_cache_t;

/** 0 or -SIM_ENOMEM. */
int sim_plugin_cache_create(sim_plugin_cache_t **out);
/** Drops the cache's references; images still used by copies live on. NULL is ignored. */
void sim_plugin_cache_destroy(sim_plugin_cache_t *c);
/**
 * The image of `path` (read on first use), as a new reference the caller releases. Failures are
 * not cached. Same return values as sim_plugin_image_read.
 */
int sim_plugin_cache_get(sim_plugin_cache_t *c, const char *path, sim_plugin_image_t **out,
                         char *err, size_t errlen);

/** One loaded, isolated copy of a plugin: its own globals, its own descriptor. */
typedef struct sim_plugin sim_plugin_t;

/**
 * Loads a new copy from an image and validates its descriptor (see the list above). The copy
 * holds a reference to the image.
 * @retval 0, -SIM_EFORMAT, -SIM_EVERSION, -SIM_ENOMEM (no memory, or no memory file);
 *         message in err
 */
int sim_plugin_load(sim_plugin_image_t *img, sim_plugin_t **out, char *err, size_t errlen);
/** Reads `path` and loads one copy (no cache). Return values of both steps. */
int sim_plugin_open(const char *path, sim_plugin_t **out, char *err, size_t errlen);
/** dlclose()s the copy: its globals are gone. NULL is ignored. */
void sim_plugin_unload(sim_plugin_t *p);

/** The copy's descriptor (memory inside the copy: valid until unload). */
const alfasim_plugin_t *sim_plugin_descriptor(const sim_plugin_t *p);
/** The image the copy was made from. */
sim_plugin_image_t *sim_plugin_image(const sim_plugin_t *p);

/** Process exit code for a loader return value: 66 (-SIM_ENOENT, -SIM_EIO), 65 (-SIM_EFORMAT,
 *  -SIM_EVERSION), 0 for 0, 70 (internal error) otherwise. */
int sim_plugin_exit_code(int err);

#endif
