/*
 * sim_sha256.h: SHA-256 (FIPS 180-4 §6.2), streamed, for the trace digest and scenario hashes.
 *
 * A context absorbs any number of byte chunks with sim_sha256_update() and yields the 32-byte
 * digest once with sim_sha256_final(); the result depends only on the concatenated bytes, never
 * on how they were split into chunks. Messages up to 2^61 - 1 bytes (the length is kept in bytes,
 * converted to bits at the end). Pure computation: no allocation, no I/O, re-entrant per context;
 * the one function that reads a file, sim_sha256_file(), lives in sim_sha256_file.c.
 */
#ifndef SIM_SHA256_H
#define SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SIM_SHA256_LEN     32 /* digest bytes */
#define SIM_SHA256_HEX_LEN 65 /* hex digits plus the NUL */

typedef struct {
    uint32_t h[8];      /* intermediate hash value H(i) */
    uint64_t len_bytes; /* bytes absorbed so far */
    uint8_t block[64];  /* pending partial block */
    size_t block_len;   /* bytes used in block, 0..63 */
} sim_sha256_t;

/** Starts a new message (H(0) of FIPS 180-4 §5.3.3). */
void sim_sha256_init(sim_sha256_t *c);

/** Absorbs len bytes; data may be NULL when len is 0. */
void sim_sha256_update(sim_sha256_t *c, const void *data, size_t len);

/** Pads, finishes and writes the digest. The context must be re-initialised before reuse. */
void sim_sha256_final(sim_sha256_t *c, uint8_t out[SIM_SHA256_LEN]);

/** Lowercase hex of a digest into out (64 digits and a NUL). */
void sim_sha256_hex(const uint8_t digest[SIM_SHA256_LEN], char out[SIM_SHA256_HEX_LEN]);

/** One-shot helper: hex SHA-256 of a buffer. */
void sim_sha256_hex_of(const void *data, size_t len, char out[SIM_SHA256_HEX_LEN]);

/** SHA-256 of a file's bytes into out: 0, -SIM_ENOENT when the file is absent, -SIM_EIO when it
 *  cannot be opened or read, or is not a regular file (a folder, a FIFO: never waited on); out is
 *  then meaningless. */
int sim_sha256_file(const char *path, uint8_t out[SIM_SHA256_LEN]);

#endif
