#!/bin/sh
# An operator session through the real command line and the real panel (headless): the
# scripted keys, commands and clicks of eco_session.script become recorded operator actions;
# `alfasim replay` repeats the run without the panel, and with it, to the same digest; a run
# watched only through screenshots has the digest of a plain run. Also the panel's errors.
#
#   session.sh ALFASIM SOURCE_DIR WORK_DIR
set -u
ALFASIM=$1
SRC=$2
WORK=$3
SCN=$SRC/scenarios/eco_three_packs.json

. "$SRC/tests/live/checks.sh"

digest() { sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p' "$1/report.json"; }
count() { grep -c "\"type\":\"operator\".*\"kind\":\"$2\"" "$1/events.jsonl"; }

rm -rf "$WORK"
mkdir -p "$WORK"

# The session, headless (no --panel: the panel draws into memory).
"$ALFASIM" run "$SCN" --quiet --duration 60s --out "$WORK/session" \
    --panel-script "$SRC/tests/live/eco_session.script" --screenshot-at 21s "$WORK/s21.png"
rc=$?
check "the session runs (exit 0 or 1, got $rc)" test "$rc" -le 1
check "a screenshot during the session" test -s "$WORK/s21.png"
S=$WORK/session
check "F3 on pack3 sent SET_ECO to its NodeID" \
    grep -q '"kind":"command","id":"0x202","target":50,"args":"01"' "$S/events.jsonl"
check "P power-cycled pack3" grep -q '"node":"pack3","kind":"power_cycle"' "$S/events.jsonl"
check "G cut and restored the grid" test "$(count "$S" grid)" -eq 2
check "] twice: PV 110 then 120 %" grep -q '"kind":"pv_scale","pct":120' "$S/events.jsonl"
check "the prompt sent eco-limit 2500 W" \
    grep -q '"id":"0x206","target":50,"args":"09C4"' "$S/events.jsonl"
check "U twice on pack2" test "$(count "$S" can_unplug)" -eq 2
check "the prompt set the load to 150 %" grep -q '"kind":"load_scale","pct":150' "$S/events.jsonl"
check "a click on R4 overrode it, a right click handed it back" \
    grep -q '"id":"0x20B","target":20,"args":"0302"' "$S/events.jsonl"
check "H hung pack1" grep -q '"node":"pack1","kind":"hang"' "$S/events.jsonl"
check "13 operator actions recorded" \
    test "$(grep -c '"type":"operator"' "$S/events.jsonl")" -eq 13

# Its replay, without and with the panel.
check "alfasim replay: identical" "$ALFASIM" replay "$S" --quiet
out=$("$ALFASIM" replay "$S" --screenshot-at 30s "$WORK/r30.png" --panel-size 960x600 2>&1)
check "replay with screenshots: identical ($out)" \
    sh -c 'case "$1" in *identical*) exit 0 ;; esac; exit 1' _ "$out"
check "a screenshot of the replay" test -s "$WORK/r30.png"

# The session changed the run; screenshots alone do not.
"$ALFASIM" run "$SCN" --quiet --duration 60s --out "$WORK/plain"
"$ALFASIM" run "$SCN" --quiet --duration 60s --out "$WORK/shots" \
    --screenshot-at 0s "$WORK/a.png" --screenshot-at 59.5s "$WORK/b.png"
check "the session's digest differs from a plain run" \
    test "$(digest "$S")" != "$(digest "$WORK/plain")"
check "screenshots leave the digest alone" test "$(digest "$WORK/shots")" = "$(digest "$WORK/plain")"

# Many keys at one instant: none is dropped, and each builds on the one before (the panel's
# input queue holds 64, the scale steps from the value just asked for, not the last frame's).
printf '2s text %s\n' "$(printf ',%.0s' $(seq 1 70))" >"$WORK/many.script"
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/many" --panel-script "$WORK/many.script" \
    2>"$WORK/many.err"
check "70 ',' at one instant: 70 load scale actions" test "$(count "$WORK/many" load_scale)" -eq 70
check "no input dropped" test ! -s "$WORK/many.err"
check "',' twice: load 90 then 80 %" grep -q '"kind":"load_scale","pct":80' "$WORK/many/events.jsonl"
check "the many-key session replays identically" "$ALFASIM" replay "$WORK/many" --quiet
# A window paused and resumed at one instant runs on (docs/panel.md: resume at the same instant).
printf '0s text 0\n1s text  \n1s text  \n3s text q\n' >"$WORK/resume.script"
SDL_VIDEODRIVER=dummy timeout 60 "$ALFASIM" run "$SCN" --quiet --duration 5s --panel \
    --out "$WORK/resume" --panel-script "$WORK/resume.script" 2>/dev/null
check "pause and resume on one frame: the run ends (exit 0 or 1, got $?)" test $? -le 1

# Errors.
printf '1s dance\n' >"$WORK/bad.script"
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/e1" --panel-script "$WORK/bad.script" \
    2>"$WORK/err1"
check "a malformed script is bad data (65, got $?)" test $? -eq 65
check "its message names file and line" grep -q "bad.script:1: error: unknown verb" "$WORK/err1"
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/e2" --panel-script "$WORK/none" \
    2>/dev/null
check "a missing script is missing input (66)" test $? -eq 66
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/e3" --screenshot-at 6s "$WORK/x.png" \
    2>/dev/null
check "a screenshot after the end is a usage error (64)" test $? -eq 64
: >"$WORK/a_file"
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/e7" --screenshot-at 2s \
    "$WORK/a_file/x.png" 2>"$WORK/err7"
check "a screenshot that cannot be written stops the run first (74, got $?)" test $? -eq 74
check "its message names the path and the reason" \
    grep -q "a_file/x.png: error: cannot write the screenshot: Not a directory" "$WORK/err7"
check "and nothing runs" test ! -e "$WORK/e7"
printf '1s text ]\n# late\n6s text ]\n' >"$WORK/late.script"
"$ALFASIM" run "$SCN" --quiet --duration 5s --out "$WORK/e6" --panel-script "$WORK/late.script" \
    2>"$WORK/err6"
check "a script entry after the end is bad data (65, got $?)" test $? -eq 65
check "its message names file, line and both times" \
    grep -q "late.script:3: error: the entry at 6s is after the run's end (5s)" "$WORK/err6"
check "and nothing runs" test ! -e "$WORK/e6"
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$ALFASIM" run "$SCN" --quiet \
    --duration 5s --out "$WORK/e4" --panel 2>"$WORK/err4"
check "--panel without a display is unavailable (69, got $?)" test $? -eq 69
check "and says what to do" grep -q "xvfb-run" "$WORK/err4"
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$ALFASIM" run "$SCN" --quiet \
    --duration 5s --out "$WORK/e5" --panel --screenshot-at 2s "$WORK/e5.png" 2>/dev/null
check "--panel with screenshots and no display falls back to headless" test -s "$WORK/e5.png"

echo "$passes passed, $fails failed"
test "$fails" -eq 0
