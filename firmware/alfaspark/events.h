/*
 * events.h: the binary event log sent on CAN 0x400+NodeID (spec §9.12).
 *
 * An event is [code, severity, arg...] (at most 6 arguments), sent as a DLC 8 frame whose unused
 * argument bytes are 0, so one fixed layout (docs/alfaspark.dbc) decodes every event. Events
 * wait in a bounded queue of FW_EVENT_QUEUE entries; when it is full the oldest is dropped and
 * counted. The sub-tick sends at most one event per FW_EVENT_MIN_GAP_MS. Codes and their fixed
 * severities are the table of §9.12; the arguments per code are documented in
 * docs/can-protocol.md.
 */
#ifndef FW_EVENTS_H
#define FW_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "fw_config.h"

enum {
    FW_EVT_BMS_TIMEOUT = 1,   /* a whole poll cycle failed, the last attempt timed out */
    FW_EVT_BMS_FRAME = 2,     /* a whole poll cycle failed otherwise (CRC, header, exception) */
    FW_EVT_BMS_STALE = 3,     /* BMS data became stale */
    FW_EVT_BMS_ALARM = 4,     /* BMS alarm bits went non-zero */
    FW_EVT_CAN_ERROR = 5,     /* error-passive / bus-off, sent after recovery */
    FW_EVT_NODE_MOVED = 6,    /* NodeID collision: this node moved */
    FW_EVT_WDT_RESET = 7,     /* the previous boot ended in a watchdog reset */
    FW_EVT_GRID_LIMIT = 8,    /* grid-import limit tripped */
    FW_EVT_LOADS_LIMIT = 9,   /* Eco shed every load and consumption stayed above the limit */
    FW_EVT_TIME_INVALID = 10, /* an invalid or too short time broadcast */
};

#define FW_EVENT_MAX_ARGS 6u

typedef struct {
    uint8_t code;
    uint8_t severity; /* 0 info, 1 warning, 2 fault */
    uint8_t nargs;
    uint8_t args[FW_EVENT_MAX_ARGS];
} fw_event_t;

typedef struct {
    fw_event_t q[FW_EVENT_QUEUE];
    uint8_t head;  /* index of the oldest event */
    uint8_t count; /* events waiting */
    bool sent_any;
    uint64_t last_sent_ms;
    uint32_t dropped; /* oldest events overwritten because the queue was full */
    uint32_t posted;
} fw_events_t;

/** Severity of a code per §9.12 (1 for unknown codes). */
uint8_t fw_event_severity(uint8_t code);

/** Queues an event; when the queue is full the oldest is dropped (counted). nargs is clamped. */
void fw_events_push(fw_events_t *ev, uint8_t code, const uint8_t *args, uint8_t nargs);

/**
 * Takes the oldest event if one is waiting and at least FW_EVENT_MIN_GAP_MS passed since the
 * last one was taken. Returns false (and leaves *out alone) otherwise.
 */
bool fw_events_pop_due(fw_events_t *ev, uint64_t now_ms, fw_event_t *out);

/**
 * The same test without taking the event: the caller sends it, and only when the controller
 * took the frame calls fw_events_mark_sent, so an event never vanishes into a full TX queue.
 */
bool fw_events_peek_due(const fw_events_t *ev, uint64_t now_ms, fw_event_t *out);
/** Removes the oldest event and starts the 1 s gap (after its frame was queued). */
void fw_events_mark_sent(fw_events_t *ev, uint64_t now_ms);

/** Queues an event on this node's log (the core's one event queue). */
void fw_event_post(uint8_t code, const uint8_t *args, uint8_t nargs);

#endif
