#!/bin/sh
# Command-line contract: every subcommand's --help exits 0 and shows an example; unknown options
# and commands exit 64 with one error line; --version works; no progress output when stderr is
# not a terminal; a missing scenario exits 66; a suite runs every scenario it finds, and none
# found is an error.
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
    grep -q "in the folder: (0000000002.400170) can0 701#0" "$tmp/out"
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
