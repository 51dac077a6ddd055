#!/bin/sh
# Command-line contract: every subcommand's --help exits 0 and shows an example; unknown options
# and commands exit 64 with one error line; --version works; no progress output when stderr is
# not a terminal; a missing scenario exits 66.
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
for cmd in run suite check-determinism validate; do
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
"$alfasim" run scenarios/test/two_nodes.json --seed banana >/dev/null 2>&1
check "a bad seed exits 64" [ $? -eq 64 ]
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
