#!/bin/sh
# alfasim_vcan_check.sh: `alfasim run` of three Alfaspark packs against a real vcan0, inside the
# VM of run-in-vm.sh (tests/cmake/bridge.cmake registers it as bridge_vm_alfasim).
#
#   alfasim_vcan_check.sh ALFASIM SCENARIO OUT_DIR [SECONDS]
#
# 1. candump -L vcan0 (with a receive buffer large enough for the burst) records while
#    `alfasim run SCENARIO --bridge socketcan:vcan0` runs SECONDS (default 20) of virtual time
#    at real time; alfasim's stderr goes to OUT_DIR/alfasim.err.
# 2. About 2 s after the packs' first frames reach vcan0, cansend puts SET_ECO on (to all
#    packs, seq 1) on vcan0, as the gateway would.
# 3. 4 s later, SIGUSR1 pauses the run; once alfasim says it stands still, cangen sends a
#    burst of 1000 frames, and 2 s later SIGUSR1 resumes the run.
# 4. alfasim_vcan_compare.py: candump and bus.log hold the same frames in the same order; every
#    pack ACKed the command; the burst arrived after the pause, whole, recorded and counted.
# 5. `alfasim replay` of the run folder gives the live run's digest.
set -u
alfasim=$1
scenario=$2
out=$3
seconds=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
fail=0

rm -rf "$out/live" "$out/replay" "$out/alfasim.err"
candump -L -r 8388608 vcan0 >"$out/candump.log" &
dump=$!
sleep 1
"$alfasim" run "$scenario" --bridge socketcan:vcan0 --duration "${seconds}s" --out "$out/live" \
    >"$out/alfasim.out" 2>"$out/alfasim.err" &
run=$!
# The command goes out once the packs' frames reach vcan0: the bridge is up (loading the
# firmware may take seconds on a busy machine), then about 2 s later.
i=0
while [ "$(wc -l <"$out/candump.log")" -lt 10 ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 2
cansend vcan0 202#7F0101 || fail=1
sleep 4
kill -USR1 $run
i=0
while ! grep -q '^alfasim: paused at' "$out/alfasim.err" && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
cangen vcan0 -I 7AA -L 2 -D i -g 0 -n 1000 || fail=1
sleep 2
kill -USR1 $run
wait $run || { echo "alfasim_vcan_check: alfasim run failed"; fail=1; }
sleep 1
kill $dump
wait $dump 2>/dev/null
cat "$out/alfasim.out" "$out/alfasim.err"

/usr/bin/python3 "$here/alfasim_vcan_compare.py" "$out" || fail=1

if "$alfasim" replay "$out/live" --out "$out/replay" >"$out/replay.txt"; then
    cat "$out/replay.txt"
    echo "alfasim_vcan_check: the replay's digest equals the live run's"
else
    cat "$out/replay.txt"
    echo "alfasim_vcan_check: FAIL: the replay differs or failed"
    fail=1
fi
[ $fail -eq 0 ] && echo "alfasim_vcan_check: all checks passed"
exit $fail
