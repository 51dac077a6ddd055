#!/bin/sh
# Every malformed scenario in tests/malformed/ must, through the real command line, print the
# expected one-line error (first line of <name>.expect) on stderr, exit with the expected code
# (second line), and write no output folder. Run from the source tree root.
# Usage: malformed.sh ALFASIM_BINARY SOURCE_DIR
set -u
alfasim=$1
cd "$2" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
fail=0
for json in tests/malformed/*.json; do
    expect="${json%.json}.expect"
    [ -f "$expect" ] || { echo "missing $expect"; fail=$((fail + 1)); continue; }
    want_line=$(sed -n 1p "$expect")
    want_code=$(sed -n 2p "$expect")
    out="$tmp/out-$count"
    "$alfasim" run "$json" --out "$out" --plugin-path "$(dirname "$alfasim")/plugins" \
        >"$tmp/stdout" 2>"$tmp/stderr"
    code=$?
    got_line=$(sed -n 1p "$tmp/stderr")
    count=$((count + 1))
    if [ "$code" != "$want_code" ]; then
        echo "FAIL $json: exit $code, expected $want_code"; fail=$((fail + 1)); continue
    fi
    if [ "$got_line" != "$want_line" ]; then
        printf 'FAIL %s:\n  got:      %s\n  expected: %s\n' "$json" "$got_line" "$want_line"
        fail=$((fail + 1)); continue
    fi
    if ! printf '%s\n' "$got_line" | grep -Eq '^[^:]+:([0-9]+:[0-9]+:)? error: '; then
        echo "FAIL $json: not a file:line:col: error: line: $got_line"; fail=$((fail + 1)); continue
    fi
    if [ -e "$out" ] || [ -e "$out.partial" ]; then
        echo "FAIL $json: an output folder was written"; fail=$((fail + 1)); continue
    fi
done
if [ "$count" -lt 30 ]; then
    echo "FAIL: only $count malformed scenarios (at least 30 expected)"
    fail=$((fail + 1))
fi
echo "$((count - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
