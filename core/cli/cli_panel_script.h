/*
 * cli_panel_script.h: a scripted panel session (--panel-script FILE): what an operator types and
 * clicks, at virtual times, so a session can be repeated, tested and documented.
 *
 * One entry a line; blank lines and lines starting with '#' are skipped. TIME is a duration with
 * its unit ("5s", "1500ms"); entries must not go back in time.
 *
 *   TIME key NAME[+shift][+ctrl]   a key that types nothing: F1..F12, Return, Escape, Tab,
 *                                  Backspace, Left, Right, Up, Down, Home, End
 *   TIME text CHARACTERS           typed text, as a keyboard types it ("G", "2", " ", "P")
 *   TIME click X Y [left|right|middle]   a mouse click (button down and up) at window pixel X, Y
 *   TIME command LINE              the command prompt: ':' then LINE then Return
 *   TIME resize W H                the window resized to W x H
 *
 * Entries are fed to the panel exactly as its window's events would be (panel_feed), on the
 * first frame at or after their time; the run layer stops for a frame at each entry's time, so
 * the panel's inputs, and the operator actions they make, land at exactly that virtual time.
 *
 * The parser knows nothing of SDL or the panel: verbs and arguments are checked for shape here
 * (key names, numbers) and turned into panel events by cli_panel.c.
 */
#ifndef SIM_CLI_PANEL_SCRIPT_H
#define SIM_CLI_PANEL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim_types.h"

#define CLI_SCRIPT_MAX_ENTRIES 10000u
#define CLI_SCRIPT_TEXT_MAX    96u

typedef enum {
    CLI_SCRIPT_KEY = 1,
    CLI_SCRIPT_TEXT,
    CLI_SCRIPT_CLICK,
    CLI_SCRIPT_COMMAND,
    CLI_SCRIPT_RESIZE,
} cli_script_verb_t;

/** Key names the script accepts, in the order of cli_script_entry_t.key (0 = F1). */
#define CLI_SCRIPT_KEY_NAMES                                                                       \
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "Return", "Escape", \
        "Tab", "Backspace", "Left", "Right", "Up", "Down", "Home", "End"

typedef struct {
    sim_time_ns_t t_ns;
    cli_script_verb_t verb;
    int key;                        /* KEY: index into CLI_SCRIPT_KEY_NAMES */
    bool shift, ctrl;               /* KEY modifiers */
    int x, y;                       /* CLICK position, RESIZE size */
    int button;                     /* CLICK: 1 left, 2 middle, 3 right */
    char text[CLI_SCRIPT_TEXT_MAX]; /* TEXT characters, COMMAND line */
    unsigned line;                  /* source line, for messages */
} cli_script_entry_t;

typedef struct {
    cli_script_entry_t *entries; /* in time order */
    size_t n;
} cli_script_t;

/**
 * Reads a script.
 * @retval 0            *out filled (free with cli_script_free)
 * @retval -SIM_ENOENT  the file cannot be read (message in err)
 * @retval -SIM_EFORMAT a line is malformed: "FILE:LINE: error: ..." in err
 * @retval -SIM_ENOMEM
 */
int cli_script_load(const char *path, cli_script_t *out, char *err, size_t errlen);

/** Parses a script held in memory; `path` only names it in messages. Same return values. */
int cli_script_parse(const char *path, const char *text, cli_script_t *out, char *err,
                     size_t errlen);

void cli_script_free(cli_script_t *s);

#endif
