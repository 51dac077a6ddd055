/*
 * sim_plugin_int.h: what the loader's files share with each other, not with the rest of alfasim.
 *
 * Code sharing. Every copy of a plugin is loaded from a memory file of its own (sim_plugin.h says
 * why), so without help the dynamic linker would map each copy's code from a different file: one
 * physical copy of the firmware's code per node, and every CAN delivery, which runs the next
 * node's copy, would start with instruction-cache and TLB misses (at 126 packs, about a third of
 * the run). The read-only segments of a copy (code, constants, symbol tables) hold the same bytes
 * in every copy, because the dynamic linker relocates only writable pages. So the image keeps the
 * memory file of its first copy open (its "code file"), and every later copy's read-only segments
 * are mapped again, at the same addresses, from that file. Writable segments (.data, .bss, the
 * GOT) stay each copy's own: isolation is unchanged.
 */
#ifndef SIM_PLUGIN_INT_H
#define SIM_PLUGIN_INT_H
#include <stddef.h>

#include "sim_plugin.h"

/** The image's code file: a descriptor the image owns, or -1 before its first copy. */
int sim_plugin__image_code_fd(const sim_plugin_image_t *img);

/** Hands the image a descriptor to own (closed with the image's last reference). */
void sim_plugin__image_set_code_fd(sim_plugin_image_t *img, int fd);

/**
 * Maps the read-only segments of a freshly opened copy (dlopen handle `handle`, loaded from a
 * file with these `bytes`) from `code_fd`, a file holding the same bytes. A segment is replaced
 * only if the ELF headers describe it plainly (page-congruent offset, no zero-filled tail, no page
 * shared with a writable segment, inside the file) and the bytes mapped now equal the file's, so
 * a plugin with text relocations, or anything unexpected, simply keeps its private pages.
 * @return the number of bytes now shared (0: nothing shared, the copy works as it was), or
 *         -SIM_ENOMEM if a replacement failed half-way (the copy must not be used, nor closed)
 */
long sim_plugin__share_readonly(void *handle, const unsigned char *bytes, size_t size, int code_fd);

#endif
