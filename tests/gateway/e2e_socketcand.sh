#!/bin/bash
# Gateway end to end: app -> MQTT -> reference gateway -> CAN -> simulated packs, and back.
#
#   e2e_socketcand.sh --alfasim PATH [--bridge socketcand | --bridge socketcan:IFACE]
#                     [--factor F] [--work DIR]
#
# Starts mosquitto on 127.0.0.1 (a free port), alfasim running tests/gateway/three_packs.json
# bridged to CAN (socketcand on a free loopback port by default; socketcan:vcan0 inside the
# bridge's VM test), and tests/gateway/alfaspark_gateway.py on that link. Then checks, every
# wait bounded:
#   1. telemetry of packs 20, 50 and 90 on MQTT within 5 simulated seconds, and master 90;
#   2. set_eco_limit, then set_eco on, published on MQTT: every pack ACKs both (MQTT results),
#      reports Eco in its ACK and its telemetry;
#   3. pack3 (NodeID 90) loses power at 170 s: alfaspark/master says 50 within the 120 s TTL
#      (after its last announcement, so by 295 s at the latest);
#   4. Home Assistant discovery configs are retained on the broker;
#   5. the run passes its own assertions (time broadcast received, Eco on in every pack's TEL,
#      failover), and bus.log holds the gateway's frames, the ACKs and the Eco mode masks;
#   6. alfasim replay of the run folder gives the live run's digest;
#   7. the gateway ends cleanly.
# Over SocketCAN the frames carry host time while the run goes F times faster, so the gateway
# gets --time-scale F: its TTL and minute clock then follow the run.
# Prints one line per check and "N passed, M failed". Exit 0 when all passed, 1 otherwise,
# 77 (skip) with the reason when a tool is missing, 2 on bad usage.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
ALFASIM=
BRIDGE=socketcand
FACTOR=10
WORK=

usage() {
    echo "usage: $0 --alfasim PATH [--bridge socketcand|socketcan:IFACE] [--factor F]" \
        "[--work DIR]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --alfasim) ALFASIM=${2:-}; shift 2 ;;
    --bridge) BRIDGE=${2:-}; shift 2 ;;
    --factor) FACTOR=${2:-}; shift 2 ;;
    --work) WORK=${2:-}; shift 2 ;;
    *) usage ;;
    esac
done
[ -n "$ALFASIM" ] || usage
case "$BRIDGE" in socketcand | socketcan:?*) ;; *) usage ;; esac
case "$FACTOR" in '' | *[!0-9]*) usage ;; esac

skip() {
    echo "SKIP: $*"
    exit 77
}

# ---- what the test needs -------------------------------------------------------------------
[ -x "$ALFASIM" ] || skip "alfasim not built at $ALFASIM"
"$ALFASIM" run --help 2>&1 | grep -q -- '--bridge' || skip "this alfasim has no --bridge"
for tool in /usr/sbin/mosquitto mosquitto_sub mosquitto_pub; do
    command -v "$tool" >/dev/null ||
        skip "$tool missing (apt-get install mosquitto mosquitto-clients)"
done
"$PY" -c "import can, paho.mqtt.client" 2>/dev/null ||
    skip "python3-can or python3-paho-mqtt missing for $PY"
if [ "$BRIDGE" != socketcand ]; then
    IFACE=${BRIDGE#socketcan:}
    [ -e "/sys/class/net/$IFACE" ] || skip "no CAN interface $IFACE on this host"
fi

WORK=${WORK:-$(mktemp -d /tmp/gateway-e2e.XXXXXX)}
rm -rf "$WORK"
mkdir -p "$WORK" || exit 2
SCENARIO=$HERE/three_packs.json
RUN=$WORK/run
MQTT_LOG=$WORK/mqtt.log
RUN_TIMEOUT_S=$((270 / FACTOR + 60))

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
}
trap cleanup EXIT

PASSED=0
FAILED=0
check() { # check NAME COMMAND...: one verdict line
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        PASSED=$((PASSED + 1))
        echo "PASS: $name"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL: $name"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
    fi
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s until it succeeds or time runs out;
# the last attempt's status and output are the result.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.2
    done
    "$@"
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

listening() { # listening PORT: something accepts TCP connections on 127.0.0.1:PORT
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

in_log() { grep -q -- "$1" "$2"; }

CHECK=("$PY" "$HERE/e2e_check.py" --mqtt-log "$MQTT_LOG")
NODES=20,50,90
if [ "$BRIDGE" != socketcand ]; then
    CHECK+=(--clock host)
fi

# ---- broker and recorder -------------------------------------------------------------------
MQTT_PORT=$(free_port)
/usr/sbin/mosquitto -p "$MQTT_PORT" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
if ! wait_for 10 listening "$MQTT_PORT"; then
    echo "FAIL: mosquitto did not start"
    cat "$WORK/mosquitto.log"
    exit 1
fi

mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -v -t 'alfaspark/#' >"$MQTT_LOG" 2>"$WORK/sub.err" &
PIDS+=($!)
# The recorder is subscribed once it has seen a marker published after it started.
marker_seen() {
    mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -t alfaspark/e2e/marker -m ready &&
        in_log 'alfaspark/e2e/marker ready' "$MQTT_LOG"
}
wait_for 10 marker_seen >/dev/null || { echo "FAIL: mosquitto_sub did not subscribe"; exit 1; }

# ---- simulation and gateway ----------------------------------------------------------------
GW=("$PY" "$HERE/alfaspark_gateway.py" --mqtt-host 127.0.0.1 --mqtt-port "$MQTT_PORT"
    --epoch 2024-06-21T12:00)
start_alfasim() { # start_alfasim BRIDGE_SPEC
    "$ALFASIM" run "$SCENARIO" --bridge "$1" --realtime="$FACTOR" --out "$RUN" \
        >"$WORK/alfasim.out" 2>"$WORK/alfasim.err" &
    ALFASIM_PID=$!
    PIDS+=("$ALFASIM_PID")
}
start_gateway() { # start_gateway LINK ARGS...
    "${GW[@]}" "$@" >"$WORK/gateway.out" 2>"$WORK/gateway.err" &
    GATEWAY_PID=$!
    PIDS+=("$GATEWAY_PID")
}

if [ "$BRIDGE" = socketcand ]; then
    # alfasim picks a free port (port 0), reports it, and waits for its one client.
    start_alfasim socketcand:127.0.0.1:0
    port_reported() { grep -o 'listening on port [0-9]*' "$WORK/alfasim.err"; }
    if ! wait_for 20 port_reported >/dev/null; then
        echo "FAIL: no socketcand port"
        cat "$WORK/alfasim.err"
        exit 1
    fi
    CAN_PORT=$(port_reported | awk '{print $4}')
    start_gateway --can-interface socketcand --host 127.0.0.1 --port "$CAN_PORT"
else
    # The gateway listens first: the run starts at once and its boot frames go out on $IFACE.
    start_gateway --can-interface socketcan --channel "$IFACE" --time-scale "$FACTOR"
    wait_for 20 in_log 'alfaspark/gateway/status online' "$MQTT_LOG" >/dev/null
    start_alfasim "$BRIDGE"
fi
echo "work: $WORK (bridge $BRIDGE, x$FACTOR, broker 127.0.0.1:$MQTT_PORT)"

# ---- 1. telemetry and master ----------------------------------------------------------------
check "telemetry of packs $NODES within 5 s" \
    wait_for 30 "${CHECK[@]}" telemetry --within 5 --nodes $NODES
check "master 90 within 5 s" wait_for 10 "${CHECK[@]}" master --expect 90 --within 5

# ---- 2. Eco from MQTT -----------------------------------------------------------------------
pub() { mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -q 1 -t "$1" -m "$2"; }
pub alfaspark/cmd/set_eco_limit '{"limit_w": 5000, "id": "e2e-limit"}'
check "set_eco_limit ACKed by every pack" \
    wait_for 20 "${CHECK[@]}" result --cmd set_eco_limit --request-id e2e-limit --nodes $NODES
pub alfaspark/cmd/set_eco '{"on": true, "id": "e2e-eco"}'
check "set_eco ACKed by every pack, Eco in each ACK" \
    wait_for 20 "${CHECK[@]}" result --cmd set_eco --request-id e2e-eco --mode-bit 1 --nodes $NODES
check "Eco on in every pack's telemetry" \
    wait_for 20 "${CHECK[@]}" mode --mode eco --nodes $NODES

# ---- 3. failover ----------------------------------------------------------------------------
check "master 50 within the TTL after pack3's power cut" \
    wait_for "$RUN_TIMEOUT_S" "${CHECK[@]}" master --expect 50 --after 170 --within 125

# ---- 4. Home Assistant discovery (retained) ------------------------------------------------
mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -v -C 1 -W 5 \
    -t 'homeassistant/sensor/alfaspark_28000039/soc/config' >"$WORK/discovery.log" 2>&1
check "discovery config retained for pack 90" "${CHECK[@]}" discovery --file "$WORK/discovery.log"

# ---- 5. the run and its trace ---------------------------------------------------------------
run_ended() { ! kill -0 "$ALFASIM_PID" 2>/dev/null; }
wait_for "$RUN_TIMEOUT_S" run_ended >/dev/null
if run_ended; then
    wait "$ALFASIM_PID"
    RC=$?
else
    RC=timeout
fi
check "alfasim run passed its assertions (exit $RC)" test "$RC" = 0
[ "$RC" = 0 ] || sed 's/^/    /' "$WORK/alfasim.out" "$WORK/alfasim.err"
check "bus.log: gateway commands, ACKs, Eco mode masks, time every 60 s" \
    "${CHECK[@]}" trace --run "$RUN" --nodes $NODES

# ---- 6. replay ------------------------------------------------------------------------------
check "replay gives the live digest" "$ALFASIM" replay "$RUN" --quiet

# ---- 7. the gateway ends --------------------------------------------------------------------
gateway_ended() { ! kill -0 "$GATEWAY_PID" 2>/dev/null; }
if [ "$BRIDGE" != socketcand ]; then
    kill -TERM "$GATEWAY_PID" 2>/dev/null # a SocketCAN link does not end with the run
fi
wait_for 10 gateway_ended >/dev/null
if gateway_ended; then
    wait "$GATEWAY_PID"
    GW_RC=$?
else
    GW_RC=running
fi
check "gateway ended cleanly (exit $GW_RC)" test "$GW_RC" = 0
check "gateway said offline on leaving" in_log 'alfaspark/gateway/status offline' "$MQTT_LOG"
if [ "$FAILED" -ne 0 ]; then
    echo "--- gateway stderr (last lines)"
    tail -n 20 "$WORK/gateway.err"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
