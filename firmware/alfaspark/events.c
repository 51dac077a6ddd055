/*
 * events.c: the bounded event queue behind CAN 0x400+N (spec §9.12). See events.h.
 */
#include "events.h"

#include <string.h>

#include "fw_state.h"

uint8_t fw_event_severity(uint8_t code) {
    switch (code) {
        case FW_EVT_BMS_STALE:
        case FW_EVT_BMS_ALARM:
        case FW_EVT_CAN_ERROR:
        case FW_EVT_WDT_RESET:
            return 2;
        default:
            return 1;
    }
}

void fw_events_push(fw_events_t *ev, uint8_t code, const uint8_t *args, uint8_t nargs) {
    if (nargs > FW_EVENT_MAX_ARGS) {
        nargs = FW_EVENT_MAX_ARGS;
    }
    if (ev->count == FW_EVENT_QUEUE) {
        /* Full: the oldest event is the least useful one, drop it. */
        ev->head = (uint8_t)((ev->head + 1u) % FW_EVENT_QUEUE);
        ev->count--;
        ev->dropped++;
    }
    fw_event_t *e = &ev->q[(ev->head + ev->count) % FW_EVENT_QUEUE];
    memset(e, 0, sizeof *e);
    e->code = code;
    e->severity = fw_event_severity(code);
    e->nargs = nargs;
    if (nargs > 0u) {
        memcpy(e->args, args, nargs);
    }
    ev->count++;
    ev->posted++;
}

bool fw_events_peek_due(const fw_events_t *ev, uint64_t now_ms, fw_event_t *out) {
    if (ev->count == 0u) {
        return false;
    }
    if (ev->sent_any && now_ms - ev->last_sent_ms < FW_EVENT_MIN_GAP_MS) {
        return false;
    }
    *out = ev->q[ev->head];
    return true;
}

void fw_events_mark_sent(fw_events_t *ev, uint64_t now_ms) {
    if (ev->count == 0u) {
        return;
    }
    ev->head = (uint8_t)((ev->head + 1u) % FW_EVENT_QUEUE);
    ev->count--;
    ev->sent_any = true;
    ev->last_sent_ms = now_ms;
}

bool fw_events_pop_due(fw_events_t *ev, uint64_t now_ms, fw_event_t *out) {
    if (!fw_events_peek_due(ev, now_ms, out)) {
        return false;
    }
    fw_events_mark_sent(ev, now_ms);
    return true;
}

void fw_event_post(uint8_t code, const uint8_t *args, uint8_t nargs) {
    fw_events_push(&fw_state.ev, code, args, nargs);
}
