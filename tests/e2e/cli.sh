#!/bin/sh
# Command-line contract: every subcommand's --help exits 0 and shows an example; unknown options
# and commands exit 64 with one error line; --version works; no progress output when stderr is
# not a terminal; a missing scenario exits 66; a suite runs every scenario it finds, and none
# found is an error; the options each command accepts, its --help and docs/usage.md agree.
# Usage: cli.sh ALFASIM_BINARY SOURCE_DIR
set -u
alfasim=$1
cd "$2" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # description, command...; the command's success is the check
    desc=$1; shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc"; fail=$((fail + 1)); fi
}
for cmd in run suite check-determinism validate replay trace-diff bench; do
    "$alfasim" "$cmd" --help >"$tmp/help" 2>&1
    check "$cmd --help exits 0" [ $? -eq 0 ]
    check "$cmd --help has an example" grep -q "Example" "$tmp/help"
    "$alfasim" "$cmd" --bogus-flag >/dev/null 2>"$tmp/err"
    check "$cmd --bogus-flag exits 64" [ $? -eq 64 ]
    check "$cmd --bogus-flag names the option" grep -q "unknown option '--bogus-flag'" "$tmp/err"
done
"$alfasim" --help >/dev/null 2>&1
check "--help exits 0" [ $? -eq 0 ]
"$alfasim" --version >"$tmp/ver" 2>&1
check "--version exits 0" [ $? -eq 0 ]
check "--version names the plugin ABI" grep -q "plugin ABI" "$tmp/ver"
"$alfasim" rnu >/dev/null 2>"$tmp/err"
check "a mistyped command exits 64" [ $? -eq 64 ]
check "a mistyped command gets a suggestion" grep -q "did you mean 'run'" "$tmp/err"
"$alfasim" >/dev/null 2>&1
check "no command exits 64" [ $? -eq 64 ]
"$alfasim" run "$tmp/nope.json" --out "$tmp/o" >/dev/null 2>"$tmp/err"
check "a missing scenario exits 66" [ $? -eq 66 ]
check "a missing scenario names the file" grep -q "nope.json: error: " "$tmp/err"
check "a missing scenario writes nothing" [ ! -e "$tmp/o" ]
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/run" --seed 0x5 >"$tmp/out" 2>"$tmp/err"
check "a run exits 0" [ $? -eq 0 ]
check "no progress output when stderr is not a terminal" [ ! -s "$tmp/err" ]
check "the run folder has its files" test -s "$tmp/run/bus.log" -a -s "$tmp/run/events.jsonl" \
    -a -s "$tmp/run/signals.vcd" -a -s "$tmp/run/report.json"
check "no partial folder is left" [ ! -e "$tmp/run.partial" ]
: >"$tmp/a_file"
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/a_file" >/dev/null 2>"$tmp/err"
check "--out naming a file exits 74" [ $? -eq 74 ]
check "--out naming a file says so in one line, path first" \
    [ "$(cat "$tmp/err")" = "$tmp/a_file: error: exists and is not a run folder (no events.jsonl): refusing to replace it" ]
check "--out naming a file leaves it alone" [ -f "$tmp/a_file" ] && [ ! -s "$tmp/a_file" ]
"$alfasim" run scenarios/test/two_nodes.json --seed banana >/dev/null 2>&1
check "a bad seed exits 64" [ $? -eq 64 ]
# A suite lists every scenario however many there are: 1100 broken files (more than one folder
# listing once held) and one good scenario in a subfolder, all reported, none dropped.
mkdir -p "$tmp/many/sub"
i=0
while [ $i -lt 1100 ]; do echo '{' >"$tmp/many/s$i.json"; i=$((i + 1)); done
cp scenarios/test/two_nodes.json "$tmp/many/sub/"
"$alfasim" suite "$tmp/many" --out "$tmp/many_out" --duration 1s >"$tmp/out" 2>"$tmp/err"
check "a suite with a broken scenario exits 65" [ $? -eq 65 ]
check "a suite of 1101 scenarios counts them all" \
    grep -q "^1101 scenarios: 1 passed, 1100 failed" "$tmp/out"
check "a suite reports every broken scenario" [ "$(grep -c ': error: ' "$tmp/err")" -eq 1100 ]
mkdir "$tmp/empty"
"$alfasim" suite "$tmp/empty" --out "$tmp/empty_out" >/dev/null 2>"$tmp/err"
check "a suite that finds no scenario exits 66" [ $? -eq 66 ]
check "a suite that finds no scenario names the path" \
    grep -q "empty: error: no scenario files" "$tmp/err"
"$alfasim" suite scenarios/test/two_nodes.json --shard 2/2 --out "$tmp/shard" >/dev/null 2>&1
check "an empty shard passes" [ $? -eq 0 ]
# validate searches a folder as suite does: the 1100 broken files and the good one in sub/, each
# reported; a folder without scenarios, a missing path (the other paths still checked).
"$alfasim" validate "$tmp/many" >"$tmp/out" 2>"$tmp/err"
check "validate of a folder with broken scenarios exits 65" [ $? -eq 65 ]
check "validate of a folder checks the subfolder's scenario" \
    [ "$(cat "$tmp/out")" = "$tmp/many/sub/two_nodes.json: ok (2 nodes, 2 actions)" ]
check "validate of a folder reports every broken scenario" \
    [ "$(grep -c ': error: ' "$tmp/err")" -eq 1100 ]
"$alfasim" validate "$tmp/empty" >/dev/null 2>"$tmp/err"
check "validate of a folder without scenarios exits 66" [ $? -eq 66 ]
check "validate of a folder without scenarios names it" \
    grep -q "empty: error: no scenario files" "$tmp/err"
"$alfasim" validate "$tmp/nope" scenarios/test/ >"$tmp/out" 2>"$tmp/err"
check "validate of a missing path exits 66" [ $? -eq 66 ]
check "validate goes on after a missing path" grep -q "^scenarios/test/two_nodes.json: ok" "$tmp/out"
check "validate of a missing path names it" grep -q "nope: error: cannot read" "$tmp/err"
# A FIFO among the scenarios would block the suite for ever when opened: it is refused first.
mkdir "$tmp/fifo_dir" && cp scenarios/test/two_nodes.json "$tmp/fifo_dir/" &&
    mkfifo "$tmp/fifo_dir/pipe.json"
timeout 20 "$alfasim" suite "$tmp/fifo_dir" --out "$tmp/fifo_out" >/dev/null 2>"$tmp/err"
check "a suite folder holding a FIFO exits 66 at once" [ $? -eq 66 ]
check "a suite folder holding a FIFO names it" \
    [ "$(cat "$tmp/err")" = "$tmp/fifo_dir/pipe.json: error: not a regular file" ]
# A JUnit path that cannot be written stops the suite before anything runs.
"$alfasim" suite scenarios/test/two_nodes.json --out "$tmp/junit_out" \
    --junit "$tmp/a_file/j.xml" >/dev/null 2>"$tmp/err"
check "an unwritable --junit path exits 74" [ $? -eq 74 ]
check "an unwritable --junit path is named with its reason before any run" \
    [ "$(cat "$tmp/err")" = "$tmp/a_file/j.xml: error: cannot write the JUnit file: Not a directory" ]
check "an unwritable --junit path runs nothing" [ ! -e "$tmp/junit_out" ]
# Folders missing above the JUnit file are made, as for --out (a fresh checkout has no out/).
"$alfasim" suite scenarios/test/two_nodes.json --out "$tmp/new/suite" \
    --junit "$tmp/new/suite/junit.xml" >/dev/null 2>&1
check "suite --junit inside a new --out folder works" [ $? -eq 0 ] && [ -s "$tmp/new/suite/junit.xml" ]
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/new2/run" \
    --junit "$tmp/new2/reports/junit.xml" >/dev/null 2>&1
check "run --junit in a new folder works" [ $? -eq 0 ] && [ -s "$tmp/new2/reports/junit.xml" ]
mkdir "$tmp/jdir"
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/junit_run" --junit "$tmp/jdir" \
    >/dev/null 2>"$tmp/err"
check "run --junit naming a folder exits 74 before the run" [ $? -eq 74 ] && [ ! -e "$tmp/junit_run" ]
check "run --junit naming a folder says why" grep -q "jdir: error: cannot write the JUnit file: Is a directory" "$tmp/err"
# replay checks the folder's own traces against the recorded digest: an edited bus.log fails
# even though the replay itself matches; compressed traces are not checked.
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/rec" >/dev/null 2>&1
"$alfasim" replay "$tmp/rec" --quiet >"$tmp/out" 2>&1
check "a replay of an untouched run folder exits 0" [ $? -eq 0 ]
sed -i '50s/#/#0/' "$tmp/rec/bus.log"
"$alfasim" replay "$tmp/rec" --quiet >"$tmp/out" 2>&1
check "a replay of an edited run folder exits 1" [ $? -eq 1 ]
check "a replay of an edited run folder says so" grep -q "changed after the run" "$tmp/out"
check "a replay of an edited run folder shows the line" grep -q "bus.log line 50" "$tmp/out"
check "a replay of an edited run folder labels both sides" \
    grep -q "in the folder: (0000000002.400162) can0 701#0" "$tmp/out"
TMPDIR="$tmp/none" "$alfasim" replay "$tmp/rec" >/dev/null 2>"$tmp/err"
check "a replay without a usable TMPDIR exits 74" [ $? -eq 74 ]
check "a replay without a usable TMPDIR names it" grep -q "none: error: cannot create a temporary" "$tmp/err"
TMPDIR="$tmp/none" "$alfasim" check-determinism scenarios/test/two_nodes.json >/dev/null 2>"$tmp/err"
check "check-determinism without a usable TMPDIR exits 74" [ $? -eq 74 ]
check "check-determinism without a usable TMPDIR names it" \
    [ "$(cat "$tmp/err")" = "$tmp/none: error: cannot create a temporary folder: No such file or directory" ]
gzip "$tmp/rec/bus.log"
"$alfasim" replay "$tmp/rec" --quiet >/dev/null 2>&1
check "a replay of a folder with compressed traces exits 0" [ $? -eq 0 ]
mkdir "$tmp/rec/events.jsonl.d" && mv "$tmp/rec/events.jsonl" "$tmp/rec/events.jsonl.d/" &&
    mkdir "$tmp/rec/events.jsonl" && gunzip "$tmp/rec/bus.log.gz"
"$alfasim" replay "$tmp/rec" --quiet >/dev/null 2>"$tmp/err"
check "a replay of a folder with a folder for a trace file exits 1" [ $? -eq 1 ]
check "a replay of a folder with a folder for a trace file names it" \
    [ "$(cat "$tmp/err")" = "$tmp/rec: error: cannot read events.jsonl to check the folder's traces" ]
# A damaged run folder is named with the field at fault, never run, never taken as a divergence.
"$alfasim" run scenarios/test/two_nodes.json --out "$tmp/good" >/dev/null 2>&1
damaged() { # name: a copy of the good run folder to damage
    rm -rf "$tmp/$1" && cp -r "$tmp/good" "$tmp/$1"
}
damaged cut
head -c 100 "$tmp/good/report.json" >"$tmp/cut/report.json"
"$alfasim" replay "$tmp/cut" >/dev/null 2>"$tmp/err"
check "a replay of a report.json cut short exits 65" [ $? -eq 65 ]
check "a replay of a report.json cut short names it" \
    grep -q "cut/report.json: error: not a JSON object" "$tmp/err"
damaged digest
sed -i 's/"digest": "[0-9a-f]*"/"digest": "abc"/' "$tmp/digest/report.json"
"$alfasim" replay "$tmp/digest" >"$tmp/out" 2>"$tmp/err"
check "a replay of a report with a bad digest exits 65" [ $? -eq 65 ]
check "a replay of a report with a bad digest names the field" \
    grep -q "digest/report.json: error: digest: " "$tmp/err"
damaged nopath
sed -i '/"path": /d' "$tmp/nopath/report.json"
"$alfasim" replay "$tmp/nopath" >/dev/null 2>"$tmp/err"
check "a replay of a report without the scenario's path exits 65" [ $? -eq 65 ]
check "a replay of a report without the scenario's path names the field" \
    grep -q "nopath/report.json: error: scenario.path: " "$tmp/err"
# A FIFO where a trace file belongs is refused at once: a read would block for ever, out of
# reach of SIGTERM.
damaged fifo
rm "$tmp/fifo/bus.log" && mkfifo "$tmp/fifo/bus.log"
timeout -k 1 20 "$alfasim" replay "$tmp/fifo" >/dev/null 2>"$tmp/err"
check "a replay of a folder with a FIFO for bus.log ends with exit 1" [ $? -eq 1 ]
# The divergent line is shown as it is: the CR of a CRLF line is visible.
damaged crlf
sed -i 's/$/\r/' "$tmp/crlf/signals.vcd"
"$alfasim" replay "$tmp/crlf" >"$tmp/out" 2>&1
check "a replay shows the CR of a CRLF line" grep -q 'in the folder: $version alfasim $end\\x0D$' "$tmp/out"
# --out naming the replayed folder would replace the recorded run with the replay's output.
damaged self
sed -i '50s/#/#0/' "$tmp/self/bus.log"
cp "$tmp/self/bus.log" "$tmp/self_bus.log"
"$alfasim" replay "$tmp/self" --out "$tmp/self/" >/dev/null 2>"$tmp/err"
check "a replay into its own folder exits 64" [ $? -eq 64 ]
check "a replay into its own folder leaves it alone" cmp -s "$tmp/self/bus.log" "$tmp/self_bus.log"
# --shard takes decimal K/N only: "1/-1" was shard 1 of 4294967295 (one scenario run, passing).
"$alfasim" suite scenarios/test --shard 1/-1 --out "$tmp/shard" >/dev/null 2>"$tmp/err"
check "--shard 1/-1 exits 64" [ $? -eq 64 ]
# A worker that crashes is that scenario's failure, named as a crash; the report an earlier suite
# left at the same path never stands in for it.
segv_plugin="$(dirname "$alfasim")/plugins/fw_crash_segv.so"
if [ -f "$segv_plugin" ]; then
    mkdir -p "$tmp/crash" "$tmp/crash_out"
    sed 's/"name": "two_nodes"/"name": "crashes"/' scenarios/test/two_nodes.json >"$tmp/ok.json"
    sed -e 's/"name": "two_nodes"/"name": "crashes"/' \
        -e 's/"plugin": "testnode"/"plugin": "crash_segv"/' \
        scenarios/test/two_nodes.json >"$tmp/crash/crashes.json"
    "$alfasim" run "$tmp/ok.json" --out "$tmp/crash_out/crashes" >/dev/null 2>&1
    # handle_segv=0: a sanitizer build, too, dies of the signal rather than exiting 1.
    ASAN_OPTIONS=handle_segv=0 "$alfasim" suite "$tmp/crash" --out "$tmp/crash_out" \
        --junit "$tmp/crash.xml" >"$tmp/out" 2>"$tmp/err"
    check "a suite whose worker crashes exits 70" [ $? -eq 70 ]
    check "a crashed worker is named as a crash" \
        grep -q "crashes: ERROR: the run crashed: killed by signal 11" "$tmp/err"
    check "a crashed worker is an error in the JUnit file, not an earlier run's pass" \
        grep -q '<error type="error" message="the run crashed: killed by signal 11' "$tmp/crash.xml"
else
    echo "skip: no $segv_plugin"
fi
# The options a command accepts, those its --help synopsis shows and those docs/usage.md's
# synopsis shows are the same set (the aliases --jobs and -q are described in the prose). Each
# known option is given alone: the parser names it when it is unknown, before anything runs.
opts_of() { grep -oE '(^|[[ |])--?[a-z][-a-z]*' | sed 's/^[[ |]*//' | sort -u; }
src=$(pwd)
for cmd in run suite check-determinism validate replay trace-diff bench; do
    "$alfasim" "$cmd" --help | awk 'NF == 0 { exit } { print }' | opts_of >"$tmp/help_opts"
    awk -v c="alfasim $cmd " '/^```/ { if (seen) exit; seen = 1; next }
        index($0, c) == 1 { on = 1; print; next } /^alfasim / { on = 0 } on' docs/usage.md |
        opts_of >"$tmp/doc_opts"
    check "$cmd: docs/usage.md's synopsis has the options of its --help" \
        diff "$tmp/help_opts" "$tmp/doc_opts"
    "$alfasim" "$cmd" --help | sed -n '/^Options:/,/^$/p' | grep -E '^  -' | grep -oE -- '--[a-z][-a-z]*' |
        sort -u >"$tmp/listed_opts"
    check "$cmd: every option --help describes is in its synopsis" \
        [ -z "$(comm -23 "$tmp/listed_opts" "$tmp/help_opts")" ]
    [ "$cmd" = bench ] && continue # bench without a value runs benchmarks
    for opt in --seed --duration --until --out --junit -j --shard --quiet --no-pcap --plugin-path \
        --bridge --bridge-wait --realtime --isolate --panel --screenshot-at --panel-size \
        --panel-script; do
        if "$alfasim" "$cmd" "$opt" 2>&1 | grep -q "unknown option"; then took=no; else took=yes; fi
        if grep -qx -- "$opt" "$tmp/help_opts"; then shown=yes; else shown=no; fi
        check "$cmd $opt: accepted ($took) exactly when --help shows it ($shown)" [ $took = $shown ]
    done
done
"$alfasim" check-determinism scenarios/test/two_nodes.json --quiet >"$tmp/out" 2>&1
check "check-determinism --quiet exits 0 on identical runs" [ $? -eq 0 ]
check "check-determinism --quiet prints nothing on identical runs" [ ! -s "$tmp/out" ]
# Without --out a run goes to out/<name>, making out/ in a folder that has none (a fresh checkout).
mkdir "$tmp/fresh"
(cd "$tmp/fresh" && "$alfasim" run "$src/scenarios/test/two_nodes.json" --quiet) 2>"$tmp/err"
check "a run without --out where there is no out/ exits 0" [ $? -eq 0 ]
check "a run without --out where there is no out/ writes out/<name>" \
    test -s "$tmp/fresh/out/two_nodes/report.json"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
