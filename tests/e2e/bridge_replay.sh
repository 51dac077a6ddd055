#!/bin/sh
# Through the command line: a run bridged to a socketcand server on 127.0.0.1, with a python-can
# client that sends one frame; the client receives every frame of the run but its own, the run
# records the injected frame, and `alfasim replay` of the run folder gives the same digest. A run
# still waiting for its client ends at once on SIGINT (exit 130, no folder left behind); one
# whose client never completes the handshake ends after --bridge-wait with exit 69.
# Usage: bridge_replay.sh ALFASIM_BINARY SOURCE_DIR
set -u
alfasim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((20000 + $$ % 20000))
"$alfasim" run "$src/scenarios/test/two_nodes.json" --bridge "socketcand:127.0.0.1:$port" \
    --realtime=4 --bridge-wait 30s --out "$tmp/run" --quiet 2>"$tmp/err" &
pid=$!
sleep 0.5
/usr/bin/python3 "$src/tests/e2e/socketcand_client.py" "$port" >"$tmp/client" || {
    echo "client failed"; cat "$tmp/err"; kill $pid; exit 1; }
wait $pid || { echo "bridged run failed"; cat "$tmp/err"; exit 1; }
frames=$(grep -c '#' "$tmp/run/bus.log")
got=$(sed -n 's/received //p' "$tmp/client")
echo "bus.log: $frames frames; client received: $got"
fail=0
[ "$got" -eq $((frames - 1)) ] || { echo "FAIL: client missed frames"; fail=$((fail + 1)); }
grep -q '"type":"bridge_rx".*"frame":"123#FF"' "$tmp/run/events.jsonl" ||
    { echo "FAIL: the injected frame is not recorded"; fail=$((fail + 1)); }
grep -q '^([0-9.]*) can0 123#FF$' "$tmp/run/bus.log" ||
    { echo "FAIL: the injected frame is not on the bus"; fail=$((fail + 1)); }
"$alfasim" replay "$tmp/run" || { echo "FAIL: replay differs"; fail=$((fail + 1)); }
# Ctrl-C while the run still waits for its client ends it at once, as it ends a running one.
"$alfasim" run "$src/scenarios/test/two_nodes.json" --bridge socketcand:127.0.0.1:0 \
    --bridge-wait 60s --out "$tmp/waiting" --quiet 2>"$tmp/wait.err" &
pid=$!
sleep 1
start=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -ne 130 ] || [ "$took" -gt 5 ] || ! grep -q 'interrupted by SIGINT' "$tmp/wait.err" ||
    [ -e "$tmp/waiting.partial" ]; then
    echo "FAIL: SIGINT while waiting for a client: exit $rc after ${took}s"
    cat "$tmp/wait.err"
    fail=$((fail + 1))
fi
# Nobody completes the handshake in time: exit 69, one line that says so, no folder.
"$alfasim" run "$src/scenarios/test/two_nodes.json" --bridge socketcand:127.0.0.1:0 \
    --bridge-wait 1s --out "$tmp/alone" --quiet 2>"$tmp/alone.err"
rc=$?
if [ "$rc" -ne 69 ] || [ -e "$tmp/alone" ] || [ -e "$tmp/alone.partial" ] ||
    [ "$(tail -n 1 "$tmp/alone.err")" != "bridge socketcand:127.0.0.1:0: error: no client completed the handshake within 1000 ms" ]; then
    echo "FAIL: no client within --bridge-wait: exit $rc"
    cat "$tmp/alone.err"
    fail=$((fail + 1))
fi
echo "$((6 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
