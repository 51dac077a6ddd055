/*
 * sim_scn_check.h: the assertions of a scenario as the loader checked them: what is observed (a
 * subject), how it is compared (a condition) and when it is judged (at, always, never,
 * eventually, within). The engine that judges them in virtual time is core/assert/sim_assert.h;
 * docs/scenario-format.md "Assertions" is the user's view.
 *
 * Values are exact: numbers are fixed point in millionths of their unit (read from the file's
 * text, never through a double), so "soc_percent >= 20.5" compares integers and a trace of the
 * verdict is the same on every host. A subject's value type is fixed by its kind
 * (sim_subject_type()); the loader only accepts comparisons that make sense for it (order and
 * ranges only on numbers).
 *
 * Who supplies a subject's value (sim_subject_source()):
 *   FRAMES  the engine itself, from the CAN frames the run layer feeds it (master election
 *           flags, NodeIDs, frame counts, decoded signals);
 *   FEEDS   the engine itself, from the indicator changes the run layer feeds it (status LEDs
 *           and their blinking, TM1637 text and blinking, WS2812 pixels);
 *   PROBE   the run layer, through the probe it gives the engine (relays, plant quantities, NVS
 *           write counts, node state and resets, CAN controller state).
 */
#ifndef SIM_SCN_CHECK_H
#define SIM_SCN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_types.h"

#define SIM_VALUE_MICRO  1000000LL /* fixed point: 1 unit = 10^6 */
#define SIM_VALUE_TEXT   32u       /* characters of a text value, with the NUL */
#define SIM_SCN_NAME_LEN 64u       /* characters of an assertion name, with the NUL */

typedef enum {
    SIM_VAL_NONE = 0, /* not available now (node off, nothing seen yet): compares false */
    SIM_VAL_BOOL,
    SIM_VAL_NUM, /* fixed point, millionths */
    SIM_VAL_TEXT,
    SIM_VAL_COLOUR, /* 0xRRGGBB */
} sim_value_type_t;

typedef struct {
    sim_value_type_t type;
    bool b;
    int64_t num_micro;
    uint32_t rgb;
    char text[SIM_VALUE_TEXT];
} sim_value_t;

/*
 * Subjects. The comment gives the value type, the source and what `node` and `item` mean
 * (node -1: not tied to a node).
 */
typedef enum {
    /* FRAMES */
    SIM_SUBJ_MASTER = 1,  /* text: names of the nodes whose is-master flag is fresh, in node
                             order, joined by ','; "" when none. node -1 */
    SIM_SUBJ_MASTER_FLAG, /* bool: this node's is-master flag is fresh and set */
    SIM_SUBJ_NODE_ID,     /* num: the NodeID the node last sent with (ANN, TEL, ACK, EVT) */
    SIM_SUBJ_CAN_FRAMES,  /* num: frames matching id/mask/data since since_ns; node: sender */
    SIM_SUBJ_SIGNAL,      /* num: the last decoded value; item = signal index (sim_signals.h);
                             node: sender (-1: any) */
    /* FEEDS */
    SIM_SUBJ_LED,           /* text "off", "on", "blink"; item = led (0 green, 1 yellow, 2 red) */
    SIM_SUBJ_LED_PERIOD_MS, /* num: blink period, ms (0 when steady); item = led */
    SIM_SUBJ_DISPLAY,       /* text: what the TM1637 shows now (blanks while blinked off) */
    SIM_SUBJ_DISPLAY_SHOWN, /* text: the last non-blank text (what a person reads) */
    SIM_SUBJ_DISPLAY_BLINK, /* bool: the display blinks */
    SIM_SUBJ_PIXEL,         /* colour: item = pixel index */
    SIM_SUBJ_PIXELS_LIT,    /* num: pixels that are not black */
    SIM_SUBJ_PIXELS_OF,     /* num: pixels of colour `rgb` */
    /* PROBE */
    SIM_SUBJ_RELAY,            /* bool: the contact connects the circuit; item = relay 0..3 */
    SIM_SUBJ_RELAY_COIL,       /* bool: the firmware drives it active (GPIO); item = relay */
    SIM_SUBJ_RELAY_OPERATIONS, /* num: contact movements so far; item = relay */
    SIM_SUBJ_QUANTITY,         /* num: a plant quantity; item = sim_quantity_t */
    SIM_SUBJ_NVS_WRITES,       /* num: writes of nvs_ns/nvs_key, or of all keys when key "" */
    SIM_SUBJ_NODE_STATE,       /* text "off", "running", "hung" */
    SIM_SUBJ_RESETS,           /* num: boots of reason item (sim_reset_kind_t) */
    SIM_SUBJ_CAN_STATE,        /* text: sim_can_state_name() of the node's controller */
    SIM_SUBJ_KIND_COUNT_
} sim_subject_kind_t;

/** Plant quantities (SIM_SUBJ_QUANTITY), from pack_plant_snapshot() and the models. */
typedef enum {
    SIM_Q_SOC_PERCENT = 0, /* battery state of charge, % */
    SIM_Q_V_PACK_V,        /* battery terminal voltage, V */
    SIM_Q_I_BATT_A,        /* battery current, A, + charging */
    SIM_Q_P_PV_W,          /* PV power used */
    SIM_Q_P_HOME_W,        /* AC power served to the home */
    SIM_Q_P_GRID_W,        /* grid import */
    SIM_Q_P_BATT_W,        /* DC into the battery, + charging */
    SIM_Q_P_POOL_W,
    SIM_Q_P_HEATER_W,
    SIM_Q_P_UNSERVED_W,
    SIM_Q_P_CURTAILED_W,
    SIM_Q_GRID_IMPORT_WH, /* the true (revenue) meter */
    SIM_Q_HEATER_TEMP_C,
    SIM_Q_GRID_UP,         /* 1 while the grid supplies this pack, else 0 */
    SIM_Q_POOL_STARTS,     /* pool pump motor starts */
    SIM_Q_BMS_REQUESTS,    /* Modbus requests the BMS received for its address */
    SIM_Q_BMS_REPLIES,     /* normal replies it sent */
    SIM_Q_CAN_TX_ERRORS,   /* error frames while this node transmitted */
    SIM_Q_CAN_BUS_OFF,     /* times this node's controller went bus-off */
    SIM_Q_BMS_EARLY_BYTES, /* bytes the BMS dropped: sent within t3.5 of its own reply's end */
    SIM_Q_COUNT_
} sim_quantity_t;

/** Reset kinds (SIM_SUBJ_RESETS). */
typedef enum {
    SIM_RESET_BOOTS = 0, /* every boot: power-ons and resets */
    SIM_RESET_POWER_ON,
    SIM_RESET_WATCHDOG,
    SIM_RESET_SOFTWARE,
    SIM_RESET_COUNT_
} sim_reset_kind_t;

typedef struct {
    sim_subject_kind_t kind;
    int node; /* node index, or -1 */
    int item; /* relay, led, pixel, quantity, reset kind or signal index; for CAN_FRAMES the
                 length of the data pattern (shorter frames do not match); 0 otherwise */
    /* SIM_SUBJ_CAN_FRAMES: (id & mask) == (match_id & mask), data[i] & data_mask[i] equal */
    uint32_t match_id, match_mask;
    uint8_t data[8], data_mask[8];
    bool ext; /* 29-bit identifiers (else 11-bit) */
    sim_time_ns_t since_ns;
    uint32_t rgb;                 /* SIM_SUBJ_PIXELS_OF */
    char nvs_ns[16], nvs_key[16]; /* SIM_SUBJ_NVS_WRITES ("" key: every key) */
} sim_subject_t;

typedef enum { SIM_SUBJ_FRAMES = 0, SIM_SUBJ_FEEDS, SIM_SUBJ_PROBE } sim_subject_source_t;

/** The value type and the source of a subject kind. */
sim_value_type_t sim_subject_type(sim_subject_kind_t kind);
sim_subject_source_t sim_subject_source(sim_subject_kind_t kind);
/** The scenario name of a subject kind ("master", "relay", "soc_percent" is a quantity). */
const char *sim_subject_name(sim_subject_kind_t kind);
/** The scenario name of a quantity ("soc_percent", "p_grid_w", ...). */
const char *sim_quantity_name(sim_quantity_t q);
/** The scenario name of a reset kind ("boots", "watchdog", ...). */
const char *sim_reset_kind_name(sim_reset_kind_t r);

typedef enum {
    SIM_CMP_EQ = 0,
    SIM_CMP_NE,
    SIM_CMP_LT,
    SIM_CMP_LE,
    SIM_CMP_GT,
    SIM_CMP_GE,
    SIM_CMP_IN
} sim_cmp_op_t;

/** A subject compared with a value: eq/ne on any type (numbers within tol), the rest on numbers. */
typedef struct {
    sim_subject_t subj;
    sim_cmp_op_t op;
    sim_value_t value;    /* IN: the low end */
    sim_value_t value_hi; /* IN: the high end (inclusive) */
    int64_t tol_micro;    /* EQ/NE on numbers: |actual - value| <= tol counts as equal */
} sim_cond_t;

typedef enum {
    SIM_CHECK_AT = 1,     /* the condition holds at `at` (after everything at that instant) */
    SIM_CHECK_ALWAYS,     /* it holds at every instant of [from, to] */
    SIM_CHECK_NEVER,      /* it holds at no instant of [from, to] */
    SIM_CHECK_EVENTUALLY, /* it holds at some instant of [from, to] (for hold_ns, if given) */
    SIM_CHECK_WITHIN,     /* after each trigger, it holds within within_ns (for hold_ns) */
} sim_check_kind_t;

typedef struct {
    char name[SIM_SCN_NAME_LEN]; /* unique within the scenario */
    sim_check_kind_t kind;
    sim_time_ns_t at_ns;          /* AT */
    sim_time_ns_t from_ns, to_ns; /* windows; to_ns SIM_TIME_NEVER = the end of the run */
    sim_time_ns_t within_ns;      /* WITHIN */
    sim_time_ns_t hold_ns;        /* EVENTUALLY, WITHIN: must then hold this long; 0 = once */
    bool trigger_is_cond;         /* WITHIN: trigger is `trigger` becoming true in [from, to] */
    sim_time_ns_t after_ns;       /* WITHIN with a time trigger */
    sim_cond_t cond;
    sim_cond_t trigger;
    unsigned line; /* source line of the assertion, for messages */
} sim_scn_assert_t;

/** "at", "always", ... for messages. */
const char *sim_check_kind_name(sim_check_kind_t kind);

#endif
