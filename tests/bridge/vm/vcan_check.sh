#!/bin/sh
# vcan_check.sh: the bridge against a real vcan0, run inside the VM of run-in-vm.sh.
#
#   vcan_check.sh BRIDGE_WORLD OUT_DIR [TEST_BRIDGE_SOCKETCAN]
#
# 1. The SocketCAN suite with a real interface (SIM_TEST_VCAN=vcan0), when its binary is given.
# 2. candump -L vcan0 (with a receive buffer large enough for the burst) records while bridge_world runs three nodes bridged to vcan0 for 20 s at
#    real time; cansend puts a command on vcan0 at about 3 s; at 8 s the simulation pauses for
#    3 s and cangen sends a burst of 1000 frames meanwhile.
# 3. vcan_compare.py: candump and bus.log hold the same frames in the same order, the command
#    reached every node and each acknowledged it, the whole burst arrived and is recorded.
# 4. The replay of the run folder gives the live run's digest.
set -u
world=$1
out=$2
suite=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
fail=0

if [ -n "$suite" ] && [ -x "$suite" ]; then
    SIM_TEST_VCAN=vcan0 "$suite" || fail=1
fi

rm -rf "$out/live" "$out/live.paused" "$out/replay"
candump -L -r 8388608 vcan0 >"$out/candump.log" &
dump=$!
sleep 1
"$world" live "$out/live" 20 1 socketcan:vcan0 - 8 3000 >"$out/live.txt" &
run=$!
sleep 3
cansend vcan0 100#07 || fail=1
i=0
while [ ! -f "$out/live.paused" ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
cangen vcan0 -I 2AA -L 2 -D i -g 0 -n 1000 || fail=1
wait $run || { echo "vcan_check: bridge_world live failed"; fail=1; }
sleep 1
kill $dump
wait $dump 2>/dev/null
cat "$out/live.txt"

/usr/bin/python3 "$here/vcan_compare.py" "$out" || fail=1

"$world" replay "$out/live" "$out/replay" 20 >"$out/replay.txt" || fail=1
live_digest=$(sed -n 's/^digest //p' "$out/live.txt")
replay_digest=$(sed -n 's/^digest //p' "$out/replay.txt")
if [ -z "$live_digest" ] || [ "$live_digest" != "$replay_digest" ]; then
    echo "vcan_check: FAIL: replay digest '$replay_digest' != live '$live_digest'"
    fail=1
else
    echo "vcan_check: replay digest equals the live run's ($live_digest)"
fi
[ $fail -eq 0 ] && echo "vcan_check: all checks passed"
exit $fail
