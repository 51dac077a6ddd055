#!/bin/sh
# A bridged run with the panel (headless, paced x4): a python-can client on socketcand sends a
# frame while a panel script unplugs pack1 from CAN and plugs it back. The run records both the
# bridged frame and the operator's actions, and `alfasim replay` (without and with the panel)
# gives the same digest: the bridge's pump and the operator's actions keep their order.
#
#   bridge_session.sh ALFASIM SOURCE_DIR
set -u
alfasim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port=$((20000 + ($$ + 7919) % 20000))
printf '1s text 1\n1s text U\n2s text U\n' >"$tmp/script"
"$alfasim" run "$src/scenarios/test/two_nodes.json" --bridge "socketcand:127.0.0.1:$port" \
    --realtime=4 --bridge-wait 30s --out "$tmp/run" --quiet --panel-script "$tmp/script" \
    --screenshot-at 2500ms "$tmp/shot.png" 2>"$tmp/err" &
pid=$!
sleep 0.5
/usr/bin/python3 "$src/tests/e2e/socketcand_client.py" "$port" >"$tmp/client" || {
    echo "client failed"; cat "$tmp/err"; kill $pid; exit 1; }
wait $pid || { echo "bridged run failed"; cat "$tmp/err"; exit 1; }
fail=0
grep -q '"type":"bridge_rx".*"frame":"123#FF"' "$tmp/run/events.jsonl" ||
    { echo "FAIL: the bridged frame is not recorded"; fail=$((fail + 1)); }
[ "$(grep -c '"type":"operator","node":"pack1","kind":"can_unplug"' "$tmp/run/events.jsonl")" \
    -eq 2 ] || { echo "FAIL: the operator's unplug and plug are not recorded"; fail=$((fail + 1)); }
[ -s "$tmp/shot.png" ] || { echo "FAIL: no screenshot"; fail=$((fail + 1)); }
"$alfasim" replay "$tmp/run" --quiet || { echo "FAIL: replay differs"; fail=$((fail + 1)); }
"$alfasim" replay "$tmp/run" --quiet --screenshot-at 1s "$tmp/r.png" ||
    { echo "FAIL: replay with the panel differs"; fail=$((fail + 1)); }
echo "$((5 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
