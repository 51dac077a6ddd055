/*
 * sim_node_child.h: the isolated firmware's side of the channel, shared by sim_node_child.c (main
 * loop, batches, crash handler) and sim_node_proxy.c (the proxy host table). Internal to
 * core/host; none of it runs in the host process.
 *
 * The child holds one plugin copy and a mirror of what the host would answer. Each operation the
 * firmware calls is answered from the mirror and appended to the output buffer as an OP record;
 * the buffer goes out when it fills, when an operation needs the host's answer (sync), and at the
 * end of a batch. The child trusts the host completely: it is the host that checks the child.
 */
#ifndef SIM_NODE_CHILD_H
#define SIM_NODE_CHILD_H

#include "sim_node_int.h"

#define CHILD_OUT_CAP (2u * SIM_ISO_UP_MAX)
#define CHILD_IN_CAP  (2u * (sizeof(sim_iso_hdr_t) + SIM_ISO_DOWN_MAX))

typedef struct {
    sim_iso_chan_t *chan;
    sim_plugin_t *copy;
    const alfasim_fw_ops_t *fw;
    alfasim_host_ops_t proxy;
    sim_iso_mirror_t m;
    uint8_t mac[6];
    int reason;
    sim_nvs_t *nvs;
    bool restart;  /* the firmware asked for a restart: no more items in this batch */
    uint8_t *rbuf; /* input from the host (CHILD_IN_CAP bytes) */
    size_t r_off, r_len;
    const uint8_t *in; /* the payload of the last record read, inside rbuf */
    uint16_t *samples;
    size_t out_len;
    uint8_t out[CHILD_OUT_CAP];
} child_t;

/* ---- sim_node_proxy.c ---- */
void sim_node__proxy_fill(child_t *c);

/* ---- sim_node_child.c ---- */
/** Appends a record to the output buffer (flushing first if it does not fit). */
void sim_node__child_put(child_t *c, uint16_t type, const void *head, size_t head_len);
/** Appends an OP record with its byte strings (NULL blobs are flagged in op->nulls by the
 *  caller and have length 0). */
void sim_node__child_put_op(child_t *c, sim_iso_op_t *op, const void *b0, const void *b1,
                            const void *b2);
/** Sends the output buffer; the host is gone if this fails, and the child exits. */
void sim_node__child_flush(child_t *c);
/** A sync operation: sends it with everything before it, waits for the REPLY, takes its mirror,
 *  returns its result. */
int32_t sim_node__child_sync(child_t *c, sim_iso_op_t *op);

#endif
