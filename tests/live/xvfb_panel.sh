#!/bin/sh
# The real panel window under a virtual X display, driven as a person would: xdotool types the
# keys and clicks the mouse of docs/panel.md's tables into `alfasim run ... --panel`, then into
# `alfasim replay DIR --panel`. Each control is checked by what it leaves behind: the F12
# screenshots, named after the virtual time (pause, step, next event, speed, seeks), and the
# operator records in events.jsonl (node selection, modes, relays, power, hang, CAN, grid,
# scales, the command prompt, the toolbar). The replay must be identical to the run; Ctrl-C
# completes a run as q does.
#
#   xvfb_panel.sh ALFASIM SOURCE_DIR WORK_DIR
#
# Exit 0 passed, 1 failed, 77 skipped (no xvfb-run or xdotool: Debian packages xvfb, xdotool).
set -u
ALFASIM=$1
SRC=$2
WORK=$3
if [ -z "${XVFB_PANEL_INNER:-}" ]; then
    for tool in xvfb-run xdotool; do
        if ! command -v $tool >/dev/null 2>&1; then
            echo "skipped: $tool not found (apt-get install xvfb xdotool)"
            exit 77
        fi
    done
    rm -rf "$WORK"
    mkdir -p "$WORK"
    XVFB_PANEL_INNER=1 exec xvfb-run -a -e "$WORK/xvfb.log" -s "-screen 0 1600x1000x24 -nolisten tcp" \
        sh "$0" "$@"
fi

SCN=$SRC/scenarios/eco_three_packs.json
# An ASan build: SDL's X11 video opens a D-Bus connection whose buffer libdbus never frees.
printf 'leak:libdbus-1.so\n' >"$WORK/lsan.supp"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$WORK/lsan.supp"
export LSAN_OPTIONS
pid=
win=
. "$SRC/tests/live/checks.sh"
k() { # keys, each given time to reach the next frame
    for key in "$@"; do
        xdotool key "$key"
        sleep 0.25
    done
}
click() { # click X Y [BUTTON]: window pixels
    xdotool mousemove --window "$win" "$1" "$2" click "${3:-1}"
    sleep 0.3
}
newest() { ls -t "$WORK"/panel-*.png 2>/dev/null | head -n 1; }
shot() { # F12, waits for the new file, prints its virtual time ("12.400", "12.400-2")
    before=$(ls "$WORK"/panel-*.png 2>/dev/null | wc -l)
    sleep 0.3 # the previous key's effect is drawn first: F12 shoots the frame on screen
    k F12
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ "$(ls "$WORK"/panel-*.png 2>/dev/null | wc -l)" -gt "$before" ] && break
        sleep 0.25
    done
    newest | sed 's/.*panel-0*\([0-9]*\.[0-9-]*\)\.png/\1/; s/^\./0./'
}
start() { # start ARGS...: the window appears and gets the keyboard
    # A background job starts with SIGINT ignored, and SDL leaves an ignored signal alone:
    # restore it, as in a terminal, so that Ctrl-C (SIGINT) can be checked.
    (cd "$WORK" && exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ALFASIM" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt") &
    pid=$!
    win=$(timeout 20 xdotool search --sync --onlyvisible --name '^alfasim' | head -n 1)
    if [ -z "$win" ]; then
        echo "FAIL: no panel window ($(cat "$WORK/stderr.txt"))"
        kill "$pid" 2>/dev/null
        exit 1
    fi
    xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
    sleep 0.5
}
finish() { # q (or the key given), and the process must end within 60 s
    [ -n "${1:-}" ] || k q
    for _ in $(seq 1 240); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: q did not end the panel"
        kill "$pid"
        fails=$((fails + 1))
    fi
    wait "$pid"
    rc=$?
}
plus() { # plus A B: A + B seconds, three decimals
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'
}
ops() { grep -c "\"type\":\"operator\".*$1" "$WORK/run/events.jsonl"; }

# ---- a run: run control ---------------------------------------------------------------------
start run "$SCN" --panel --out "$WORK/run"
k space
t0=$(shot)
sleep 0.5
check "paused: a second screenshot is of the same instant ($t0)" test "$(shot)" = "$t0-2"
k s
ts=$(shot)
check "s steps 100 ms ($t0 -> $ts)" test "$ts" = "$(plus "$t0" 0.1)"
t1=$(shot | sed 's/-.*//')
k n
t2=$(shot)
check "n runs to the next event and pauses ($t1 -> $t2)" awk -v a="$t1" -v b="$t2" \
    'BEGIN { exit !(b > a && b < a + 0.2) }'
sleep 0.5
check "still paused after n" test "$(shot)" = "$t2-2"
k space plus plus plus plus
sleep 1
t3=$(shot)
k minus minus minus Down
sleep 1
t4=$(shot)
check "x20 runs 1 s of host time as many seconds ($t2 -> $t3)" awk -v a="$t2" -v b="$t3" \
    'BEGIN { exit !(b - a > 5) }'
k r
sleep 1
t5=$(shot)
sleep 1
t6=$(shot)
check "r: real time again ($t5 -> $t6)" awk -v a="$t5" -v b="$t6" 'BEGIN { exit !(b - a < 2.5) }'

# ---- the same run: operator actions, recorded ------------------------------------------------
k 1 F3 Tab
click 870 188          # pack2's R3: override it open
click 870 188 3        # right click: back to automatic
k 3 shift+h shift+p shift+g shift+g bracketright comma 2 shift+u shift+u Escape
k Return
xdotool type --delay 30 "eco-limit 2500"
k Return colon
xdotool type --delay 30 "target pack1"
k Return shift+o shift+o F1
click 600 400          # closes the help
k 0
sleep 1
t7=$(shot)
check "0: as fast as possible reaches the end (at $t7)" test "$t7" = "600.000"
finish
check "the run ends with its summary (exit $rc)" grep -q '^eco_three_packs: ' "$WORK/stdout.txt"
check "F3 on pack1 toggled Eco, which the scenario had turned on: SET_ECO off to NodeID 20" \
    grep -q '"kind":"command","id":"0x202","target":20,"args":"00"' "$WORK/run/events.jsonl"
check "a click opened pack2's R3, a right click gave it back" \
    sh -c "grep -q '\"id\":\"0x20B\",\"target\":90,\"args\":\"0200\"' \"\$0\" && \
           grep -q '\"id\":\"0x20B\",\"target\":90,\"args\":\"0202\"' \"\$0\"" "$WORK/run/events.jsonl"
check "P power-cycled pack3" grep -q '"node":"pack3","kind":"power_cycle"' "$WORK/run/events.jsonl"
check "G twice: grid cut and restored" test "$(ops '"kind":"grid"')" -eq 2
check "] raised PV to 110 %" grep -q '"kind":"pv_scale","pct":110' "$WORK/run/events.jsonl"
check ", lowered the load to 90 %" grep -q '"kind":"load_scale","pct":90' "$WORK/run/events.jsonl"
check "H hung pack3" grep -q '"node":"pack3","kind":"hang"' "$WORK/run/events.jsonl"
check "U twice on pack2" test "$(ops '"node":"pack2","kind":"can_unplug"')" -eq 2
check "Esc, then the prompt sent eco-limit 2500 W to every pack" \
    grep -q '"id":"0x206","target":127,"args":"09C4"' "$WORK/run/events.jsonl"
check "O twice on pack1 (selected through the prompt): off, then on" \
    sh -c "grep -q '\"node\":\"pack1\",\"kind\":\"power\",\"on\":false' \"\$0\" && \
           grep -q '\"node\":\"pack1\",\"kind\":\"power\",\"on\":true' \"\$0\"" "$WORK/run/events.jsonl"
check "14 operator actions recorded" test "$(ops .)" -eq 14

# ---- its replay: scrubbing --------------------------------------------------------------------
rm -f "$WORK"/panel-*.png
start replay "$WORK/run" --panel --out "$WORK/replay"
k space
r0=$(shot)
k Right
check "Right seeks +1 s" test "$(shot)" = "$(plus "$r0" 1)"
k shift+Right
check "Shift+Right seeks +10 s" test "$(shot)" = "$(plus "$r0" 11)"
k ctrl+Right
check "Ctrl+Right seeks +60 s" test "$(shot)" = "$(plus "$r0" 71)"
k Left
check "Left seeks back 1 s" test "$(shot)" = "$(plus "$r0" 70)"
k End
check "End jumps to the end" test "$(shot)" = "600.000"
k Home
check "Home jumps to the start" test "$(shot)" = "0.000"
click 640 789          # the middle of the timeline
t8=$(shot)
check "a click on the timeline's middle seeks there ($t8)" awk -v t="$t8" \
    'BEGIN { exit !(t > 270 && t < 330) }'
k shift+g
check "paused at the instant of the click" test "$(shot)" = "$t8-2"
finish
check "the replay with the panel is identical (exit $rc)" grep -q 'replay identical' \
    "$WORK/stdout.txt"
check "the replay refused G: no new action recorded" test "$(grep -c '"type":"operator"' \
    "$WORK/replay/events.jsonl")" -eq 14

# ---- another run: the mouse on cards and toolbar, all packs, Ctrl-C ---------------------------
rm -f "$WORK"/panel-*.png
start run "$SCN" --panel --out "$WORK/run2"
click 415 400          # pack3's card selects it
k F2 a F4
click 49 626           # the Pause button
t9=$(shot)
sleep 0.5
check "the Pause button pauses" test "$(shot)" = "$t9-2"
click 49 626           # Run again
k 3
click 577 626          # the Cycle button: power-cycle the selected pack3
sleep 0.5
kill -INT "$pid"
finish no-q
check "Ctrl-C ends the frames, the run is completed unpaced (exit $rc)" \
    grep -q '^eco_three_packs: .* sim=600.000s' "$WORK/stdout.txt"
E2=$WORK/run2/events.jsonl
check "a click on pack3's card, then F2: SET_SELF_CONSUMPTION to NodeID 50" \
    grep -q '"id":"0x201","target":50' "$E2"
check "a, then F4: SET_TOU to every pack (127)" grep -q '"id":"0x203","target":127' "$E2"
check "the Cycle button power-cycled pack3" grep -q '"node":"pack3","kind":"power_cycle"' "$E2"
check "3 operator actions in the second run" test "$(grep -c '"type":"operator"' "$E2")" -eq 3

echo "xvfb panel: $passes checks passed, $fails failed"
[ "$fails" -eq 0 ]
