#!/bin/sh
# cli_limits.sh ALFASIM SOURCE_DIR OUT_DIR
#
# What the command line refuses and how it ends (docs/usage.md, docs/traces.md): times beyond
# the 400-day limit of a run on --duration and --until (run, suite, check-determinism); a replay
# of a folder whose report.json lacks the seed or the duration or holds a bad one (exit 65, one
# line naming the file and the field, no temporary folder left); the --bridge message; a
# --bridge-wait without --bridge; SIGINT, SIGTERM and SIGHUP during a run and a replay (exit
# 128+N, no partial or temporary folder left, the previous run folder intact); a write that
# fails (exit 74 at once, one line naming the file and the reason, no folder left); a signal to
# suite or check-determinism is passed on to their child runs (no child left running, no folder);
# a second signal ends a run stuck inside its firmware at once (exit 128+N).
set -u
alfasim=$1
src=$2
out=$3
py=/usr/bin/python3
scn=$src/scenarios/test/two_nodes.json
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# A binary that wrongly accepts what it should refuse would run for centuries: every command
# is bounded in time, and every file in size, so that such a failure cannot fill the disk.
ulimit -f 1048576
limit=60

# expect NAME WANT_EXIT CMD...: runs alfasim CMD... (at most $limit s); its stderr in
# $out/NAME.err
expect() {
    name=$1
    want=$2
    shift 2
    timeout -k 5 "$limit" "$alfasim" "$@" >"$out/$name.out" 2>"$out/$name.err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want: $(cat "$out/$name.err")"
}

# first_line NAME TEXT: the first stderr line of NAME is exactly TEXT
first_line() {
    got=$(head -n 1 "$out/$1.err")
    [ "$got" = "$2" ] || fail "$1: stderr '$got', want '$2'"
}

rm -rf "$out" && mkdir -p "$out/tmp" || exit 1
limit=10 # refusals are immediate

# ---- 1. times beyond the longest run (the scenario loader's 400 days) are usage errors ----
expect dur_huge 64 run "$scn" --duration 106751d --out "$out/x" --quiet
first_line dur_huge "alfasim: error: --duration: '106751d' is longer than a run may be (400 days)"
expect dur_401 64 run "$scn" --duration 401d --out "$out/x" --quiet
expect until_401 64 run "$scn" --until 401d --out "$out/x" --quiet
first_line until_401 "alfasim: error: --until: '401d' is longer than a run may be (400 days)"
expect suite_401 64 suite "$scn" --duration 401d --out "$out/x"
expect check_401 64 check-determinism "$scn" --duration 401d
# 400 days is the limit itself: accepted (cut after 1 s so that it ends)
expect dur_400 0 run "$scn" --duration 400d --until 1s --out "$out/d400" --quiet --no-pcap
[ -d "$out/x" ] || [ -d "$out/x.partial" ] && fail "a refused run wrote a folder"

# A one-letter option takes its value attached too ("-j2", as make does), and checks it the same
expect jobs_attached 0 suite "$scn" -j2 --duration 1s --out "$out/j2" --quiet
expect jobs_attached_bad 64 suite "$scn" -j0 --duration 1s --out "$out/j2" --quiet
first_line jobs_attached_bad "alfasim: error: -j: '0' is not a worker count 1..256"

# ---- 3, 4. the bridge options ----
expect bridge_kind 64 run "$scn" --bridge foo:bar --out "$out/x"
first_line bridge_kind \
    "alfasim: error: --bridge: unknown kind in 'foo:bar'; use socketcan:IFACE or socketcand:HOST:PORT"
expect wait_alone 64 run "$scn" --bridge-wait 5s --out "$out/x" --quiet
first_line wait_alone "alfasim: error: --bridge-wait: only with --bridge socketcand:HOST:PORT"

# ---- 2. a replay trusts nothing in report.json ----
limit=60
expect rec 0 run "$scn" --out "$out/rec" --quiet --no-pcap
TMPDIR=$out/tmp expect replay_ok 0 replay "$out/rec"

# bad NAME FIELD PYTHON: a copy of the recorded run whose report.json PYTHON changed (d is the
# parsed report) must be refused with exit 65 and one line naming the file and FIELD
bad() {
    rm -rf "$out/$1" && cp -r "$out/rec" "$out/$1" || exit 1
    $py -c "import json,sys
p=sys.argv[1]+'/report.json'; d=json.load(open(p))
$3
json.dump(d, open(p, 'w'))" "$out/$1" || exit 1
    TMPDIR=$out/tmp expect "$1" 65 replay "$out/$1"
    [ "$(wc -l <"$out/$1.err")" -eq 1 ] || fail "$1: not one line: $(cat "$out/$1.err")"
    grep -q "^$out/$1/report.json: error: $2: " "$out/$1.err" ||
        fail "$1: the line does not name the file and $2: $(cat "$out/$1.err")"
}
limit=10
bad no_seed seed "del d['seed']"
bad seed_neg seed "d['seed'] = -1"
bad seed_frac seed "d['seed'] = 1.5"
bad seed_huge seed "d['seed'] = 1e30"
bad seed_text seed "d['seed'] = '1'"
bad seed_hex seed_hex "d['seed_hex'] = '0x1ffffffffffffffff'"
bad no_dur sim_duration_ns "del d['sim_duration_ns']"
bad dur_zero sim_duration_ns "d['sim_duration_ns'] = 0"
bad dur_neg sim_duration_ns "d['sim_duration_ns'] = -10000000000"
bad dur_frac sim_duration_ns "d['sim_duration_ns'] = 10000000000.5"
bad dur_1e30 sim_duration_ns "d['sim_duration_ns'] = 1e30"
bad dur_285y sim_duration_ns "d['sim_duration_ns'] = 9e18"
bad dur_401d sim_duration_ns "d['sim_duration_ns'] = 401 * 86400 * 10**9"
bad cut_before cut_from_ns "d['cut_from_ns'] = 5"
# a replay that fails (its scenario is gone) leaves no temporary folder either
rm -rf "$out/gone" && cp -r "$out/rec" "$out/gone" || exit 1
$py -c "import json,sys
p=sys.argv[1]+'/report.json'; d=json.load(open(p))
d['scenario']['path'] = sys.argv[1] + '/no_such.json'
json.dump(d, open(p, 'w'))" "$out/gone" || exit 1
TMPDIR=$out/tmp expect replay_gone 66 replay "$out/gone"
[ -z "$(ls -A "$out/tmp")" ] || fail "replays left temporary folders: $(ls "$out/tmp")"

limit=60

# ---- 5. SIGINT, SIGTERM, SIGHUP end a run with 128+N and leave no partial folder ----
# wait_for PATTERN: until a path matching PATTERN exists (the run has started writing), at
# most 20 s
wait_for() {
    n=0
    while ! ls -d $1 >/dev/null 2>&1 && [ $n -lt 200 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    ls -d $1 >/dev/null 2>&1 || fail "$1 never appeared"
}

# interrupt NAME SIG WANT PATTERN: once PATTERN exists, sends SIG to the background process $pid
# and checks that it exits with WANT
interrupt() {
    wait_for "$4"
    kill -s "$2" "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq "$3" ] || fail "$1: exit $rc, want $3"
}

for sig in INT:130 TERM:143 HUP:129; do
    name=${sig%%:*}
    want=${sig##*:}
    dir=$out/sig_$name
    rm -rf "$dir" "$dir.partial"
    cp -r "$out/rec" "$dir" || exit 1 # a previous run folder, which must stay as it was
    timeout -k 5 60 "$alfasim" run "$scn" --duration 30d --out "$dir" --quiet --no-pcap \
        2>"$out/sig_$name.err" &
    pid=$!
    interrupt "SIG$name" "$name" "$want" "$dir.partial"
    [ -e "$dir.partial" ] && fail "SIG$name: $dir.partial left behind"
    cmp -s "$dir/report.json" "$out/rec/report.json" || fail "SIG$name: the old run folder changed"
    grep -q "^alfasim: interrupted by SIG$name: removed $dir.partial;" "$out/sig_$name.err" ||
        fail "SIG$name: message: $(cat "$out/sig_$name.err")"
done

# One interruption delivered twice at once (timeout(1) signals the process and then its process
# group; Ctrl-C reaches a suite's runs from the terminal and from the suite) is one request: the
# run still ends cleanly, its partial folder removed.
rm -rf "$out/twice" "$out/twice.partial"
"$alfasim" run "$scn" --duration 30d --out "$out/twice" --quiet --no-pcap 2>"$out/twice.err" &
pid=$!
wait_for "$out/twice.partial"
kill -s TERM "$pid"
kill -s TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "twice: exit $rc, want 143"
[ -e "$out/twice.partial" ] && fail "twice: a signal delivered twice left $out/twice.partial"
grep -q "^alfasim: interrupted by SIGTERM: removed $out/twice.partial;" "$out/twice.err" ||
    fail "twice: message: $(cat "$out/twice.err")"

# A long run to replay, interrupted: the temporary folder goes too, and so does --out's partial.
expect long 0 run "$scn" --duration 2d --out "$out/long" --quiet --no-pcap
TMPDIR=$out/tmp timeout -k 5 60 "$alfasim" replay "$out/long" --quiet --no-pcap \
    2>"$out/replay_sig.err" &
pid=$!
interrupt "replay SIGTERM" TERM 143 "$out/tmp/alfasim-replay-*/run.partial"
[ -z "$(ls -A "$out/tmp")" ] || fail "an interrupted replay left $(ls "$out/tmp")"
timeout -k 5 60 "$alfasim" replay "$out/long" --quiet --no-pcap --out "$out/replayed" \
    2>"$out/replay_int.err" &
pid=$!
interrupt "replay SIGINT" INT 130 "$out/replayed.partial"
[ -e "$out/replayed.partial" ] && fail "an interrupted replay left $out/replayed.partial"

# suite and check-determinism run each scenario in a child run. A signal sent to the parent
# alone (a CI timeout's kill) is passed on: exit 128+N, no child left running, no partial or
# temporary folder. Without timeout(1) in between, so that the signal reaches the parent only.
"$alfasim" suite "$scn" --duration 30d --out "$out/suite_sig" --quiet 2>"$out/suite_sig.err" &
pid=$!
interrupt "suite SIGTERM" TERM 143 "$out/suite_sig/*.partial"
sleep 0.2
pgrep -f "$out/suite_sig/" >/dev/null && fail "suite SIGTERM: a child run is still running"
ls -d "$out"/suite_sig/*.partial* >/dev/null 2>&1 && fail "suite SIGTERM: a partial folder left"
grep -q "^alfasim: interrupted by SIGTERM: the suite was stopped" "$out/suite_sig.err" ||
    fail "suite SIGTERM: message: $(cat "$out/suite_sig.err")"
pkill -f "$out/suite_sig/" # a failure above must not leave a 30-day run behind

mkdir -p "$out/dtmp"
TMPDIR=$out/dtmp "$alfasim" check-determinism "$scn" --duration 30d 2>"$out/det_sig.err" &
pid=$!
interrupt "check-determinism SIGHUP" HUP 129 "$out/dtmp/alfasim-det-*/run1.partial"
sleep 0.2
pgrep -f "$out/dtmp/" >/dev/null && fail "check-determinism SIGHUP: a child run is still running"
[ -z "$(ls -A "$out/dtmp")" ] || fail "check-determinism SIGHUP: left $(ls "$out/dtmp")"
pkill -f "$out/dtmp/"

# ---- 6. a write that fails (a full disk; here a file-size limit) ends the run at once ----
# A 30-day run under a 256 KiB limit per file: it must stop at the first failed write with exit
# 74 and one line naming the folder, the file and the reason, not run on to its end, and leave
# no partial folder; an earlier run folder at the same place stays as it was.
expect full_first 0 run "$scn" --duration 10s --out "$out/full" --quiet --no-pcap
before=$(cat "$out/full/report.json")
limit=60
(
    trap '' XFSZ
    ulimit -f 256
    expect full 74 run "$scn" --duration 30d --out "$out/full" --quiet --no-pcap
    exit "$failures"
) || failures=$((failures + 1))
grep -Eqx "$out/full: error: cannot write the run folder: (bus.log|events.jsonl|signals.vcd): File too large" \
    "$out/full.err" || fail "full: stderr '$(cat "$out/full.err")'"
[ "$(wc -l <"$out/full.err")" -eq 1 ] || fail "full: more than one line on stderr"
[ -e "$out/full.partial" ] && fail "a failed write left $out/full.partial"
ls -d "$out"/full.partial.* >/dev/null 2>&1 && fail "a failed write left a temporary folder"
[ "$(cat "$out/full/report.json")" = "$before" ] || fail "a failed write changed the earlier run"

# ---- 7. a run that never reaches a slice end ends at the second signal ----
# An in-process firmware that never returns from an entry point (crash_hang, from 0.5 s) keeps
# the run from the end of its first simulated second: the first SIGINT waits for it, the second
# ends the run at once with 130, saying so, and leaves the partial folder.
printf '{"name": "hang_in_process", "duration": "10s", "plugin": "crash_hang",\n "nodes": [{"name": "pack1"}]}\n' \
    >"$out/hang.json"
rm -rf "$out/hang" "$out/hang.partial"
# running PID: the process is there and not yet a zombie waiting to be reaped
running() {
    st=$(ps -o stat= -p "$1" 2>/dev/null)
    [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
# Not under timeout(1), which turns a signal it is sent into its own handling.
"$alfasim" run "$out/hang.json" --out "$out/hang" --quiet --no-pcap 2>"$out/hang.err" &
pid=$!
wait_for "$out/hang.partial"
sleep 1
kill -s INT "$pid"
kill -s INT "$pid" # the same interruption delivered twice, as timeout(1) and a terminal do
sleep 1.5
running "$pid" || fail "hang: the first SIGINT, delivered twice, ended a run stuck in its firmware"
kill -s INT "$pid" # a second request, 1.5 s later
n=0
while running "$pid" && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
if running "$pid"; then
    fail "hang: still running 10 s after the second SIGINT"
    kill -s KILL "$pid"
fi
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "hang: exit $rc after the second SIGINT, want 130"
grep -q "^alfasim: interrupted again by SIGINT: ended at once" "$out/hang.err" ||
    fail "hang: message: $(cat "$out/hang.err")"
rm -rf "$out/hang.partial"

[ "$failures" -eq 0 ] || {
    echo "$failures failure(s)"
    exit 1
}
echo "cli_limits: all checks passed"
