#!/bin/sh
# The bus.log of a bundled two-node run is accepted, frame for frame, by can-utils' log2asc and
# by python-can's log reader (Debian's /usr/bin/python3 with python3-can).
# Usage: interop.sh ALFASIM_BINARY SOURCE_DIR
set -u
alfasim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$alfasim" run "$src/scenarios/test/two_nodes.json" --out "$tmp/run" --quiet || exit 1
frames=$(grep -c '#' "$tmp/run/bus.log")
[ "$frames" -gt 0 ] || { echo "no frames in bus.log"; exit 1; }
if command -v log2asc >/dev/null; then
    log2asc -I "$tmp/run/bus.log" can0 >"$tmp/bus.asc" || { echo "log2asc failed"; exit 1; }
    # One ASC line per frame: lines that start with a timestamp and carry a channel number.
    asc=$(grep -cE '^ *[0-9]+\.[0-9]+ +[0-9]+ ' "$tmp/bus.asc")
    [ "$asc" -eq "$frames" ] || { echo "log2asc: $asc frames, bus.log has $frames"; exit 1; }
else
    echo "log2asc not installed"; exit 1
fi
/usr/bin/python3 "$src/tests/e2e/read_candump.py" "$tmp/run/bus.log" "$frames" || exit 1
echo "2 passed, 0 failed"
