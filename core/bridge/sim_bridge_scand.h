/*
 * sim_bridge_scand.h: the socketcand text protocol, the subset Debian's python-can 4.1 speaks,
 * as pure functions (formatting and a byte-stream parser); the server is sim_bridge_scand.c.
 *
 *   S: < hi >            C: < open can0 >      S: < ok >
 *   C: < rawmode >       S: < ok >             then frames both ways:
 *   S:  < frame 351 1.000250 3002E803DC05E001 >      (leading space, see below)
 *   S:  < frame 18FF50E5 1.000480 0102 >
 *   S:  < frame 123 2.000000  >                       (zero-length: two spaces)
 *   C: < send 18FF50E5 3 1 2 ab >< send 123 0  >      (several per segment, split anywhere)
 *
 * Server to client: identifier %03X (standard) or %08X (extended), the frame's virtual end time
 * as seconds with exactly 6 decimals (the time bus.log shows), data as contiguous uppercase hex.
 * Every frame is preceded by one space: python-can 4.1 throws away the character after the last
 * complete message of each read, and the space is what it then throws away instead of the '<'
 * of a frame split across TCP segments (its parser scans for '<', so the space is harmless).
 * A remote frame cannot be expressed and goes out as a zero-length data frame.
 *
 * Client to server: the parser scans the stream from '<' to '>', whatever the segmentation;
 * whitespace between commands is skipped, other stray bytes are reported once per run. A command
 * is text (printable ASCII and whitespace): one holding any other byte, such as a NUL, is
 * reported and skipped whole. In "send", ID, LEN and the bytes are hex without padding
 * (python-can writes "%X" and "%x"); an ID longer than 3 digits, or above 0x7FF, is extended;
 * LEN above 8 is refused (a CAN FD length counts as FD, others as a bad DLC), as the daemon does.
 */
#ifndef SIM_BRIDGE_SCAND_H
#define SIM_BRIDGE_SCAND_H

#include <stdbool.h>
#include <stddef.h>

#include "sim_bridge_io.h"

/** Longest command body kept (text between '<' and '>'); longer ones are reported and skipped. */
#define SIM_SCAND_CMD_MAX 160
/** Room for one formatted frame and its NUL. */
#define SIM_SCAND_FRAME_MAX 64

/** Formats " < frame … >" into buf (SIM_SCAND_FRAME_MAX bytes); returns its length. */
size_t sim_scand_format_frame(char *buf, const sim_can_frame_t *f, sim_time_ns_t t_ns);

typedef struct {
    char body[SIM_SCAND_CMD_MAX + 1];
    size_t len;
    bool in_cmd;            /* between '<' and '>' */
    bool too_long;          /* the current command overflowed body */
    bool binary;            /* the current command holds a byte that is not text */
    bool junk;              /* inside a run of stray bytes (reported once) */
    unsigned char bad_byte; /* binary: the first such byte */
} sim_scand_parser_t;

typedef struct {
    /** One complete command: the NUL-terminated text between '<' and '>'. */
    void (*command)(void *ctx, const char *body);
    /**
     * Input that is not a command: stray bytes, an overlong or unterminated command, a command
     * holding a byte that is not text. `what` is only valid during the call.
     */
    void (*junk)(void *ctx, const char *what);
    void *ctx;
} sim_scand_handler_t;

void sim_scand_parser_init(sim_scand_parser_t *p);
/** Feeds n bytes of the client's stream; calls h for each complete command and each problem. */
void sim_scand_feed(sim_scand_parser_t *p, const char *data, size_t n,
                    const sim_scand_handler_t *h);

/**
 * The first word of a command body ("send", "open", ...) copied into word (cap bytes, cut),
 * and a pointer to the rest of the body after it.
 */
const char *sim_scand_verb(const char *body, char *word, size_t cap);

/**
 * Parses the arguments of "send" (after the verb): "ID LEN B0 … ". Returns the classification:
 * SIM_BRIDGE_IN_FRAME with *out set, SIM_BRIDGE_IN_FD or SIM_BRIDGE_IN_BAD_DLC for LEN > 8, or
 * SIM_BRIDGE_IN_MALFORMED; detail (>= 64 bytes) says what was wrong.
 */
sim_bridge_in_kind_t sim_scand_parse_send(const char *args, sim_can_frame_t *out, char *detail,
                                          size_t detail_len);

#endif
