#!/bin/sh
# cli_until.sh ALFASIM SOURCE_DIR OUT_DIR
#
# `alfasim run --until T`: what a run cut short prints, exits with and writes to report.json
# (docs/usage.md, docs/traces.md). A bundled scenario cut before its end; a fixture whose
# assertions fail early, cut after them, at the end of a window and before everything; a cut
# past the end, which is a complete run; --duration, which is not a cut; --junit, which is
# refused with a cut; a node fault, which a cut does not hide; the replay of a cut run.
set -u
alfasim=$1
src=$2
out=$3
py=/usr/bin/python3
check="$py $src/tests/cli_until/check_report.py"
fixture=$src/tests/cli_until/until_fail.json
single=$src/scenarios/election_single.json
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# run NAME WANT_EXIT ARGS...: runs alfasim into $out/NAME; its stdout in $out/NAME.txt
run() {
    name=$1
    want=$2
    shift 2
    "$alfasim" run "$@" --no-pcap --out "$out/$name" >"$out/$name.txt" 2>"$out/$name.err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want: $(cat "$out/$name.err")"
}

# has NAME TEXT: the summary of run NAME has a line starting with TEXT
has() {
    grep -qF -- "$2" "$out/$1.txt" || fail "$1: no line '$2' in: $(cat "$out/$1.txt")"
}

rm -rf "$out" && mkdir -p "$out" || exit 1

# A bundled scenario cut at 10 s of 20 s: two assertions decided (both hold), five whose windows
# reach past the cut are open, including an `always ... end` that held so far.
run single10 0 "$single" --until 10s
has single10 "election_single: cut at 10.000s of 20.000s, no verdict  seed=0x1 "
has single10 "  assertions: 2 decided by the cut (0 failed), 5 open at the cut"
$check "$out/single10" cut 20000000000 no_master_during_holdoff=pass elects_itself=pass \
    stays_master=open aggregate_master_id=open aggregate_online=open green_blinks_as_master=open \
    gateway_never_announces=open || fail "single10: report.json"

# --duration 10s is a shorter scenario, not a cut: the same trace, and the assertions still
# open at its end fail.
run single_d10 1 "$single" --duration 10s
$check "$out/single_d10" fail - no_master_during_holdoff=pass elects_itself=pass \
    stays_master=pass aggregate_master_id=fail aggregate_online=fail green_blinks_as_master=fail \
    gateway_never_announces=fail || fail "single_d10: report.json"
cmp -s "$out/single10/events.jsonl" "$out/single_d10/events.jsonl" ||
    fail "a cut at 10 s and --duration 10s give different traces"

# A cut past the end, or at it, is a complete run: verdict pass, no cut fields, and the same
# report as a run without --until but for the command that reproduces it.
run single 0 "$single"
has single "election_single: pass  seed=0x1 "
for t in 1h 20s; do
    run "single_until_$t" 0 "$single" --until "$t"
    has "single_until_$t" "election_single: pass  seed=0x1 "
    $check "$out/single_until_$t" pass - no_master_during_holdoff=pass elects_itself=pass \
        stays_master=pass aggregate_master_id=pass aggregate_online=pass \
        green_blinks_as_master=pass gateway_never_announces=pass ||
        fail "single_until_$t: report.json"
    grep -v '"wall_ms"\|"repro"' "$out/single/report.json" >"$out/plain.json"
    grep -v '"wall_ms"\|"repro"' "$out/single_until_$t/report.json" >"$out/until.json"
    cmp -s "$out/plain.json" "$out/until.json" || fail "--until $t: report differs from a plain run"
done

# The fixture cut at 5 s: early_wrong (at 2 s) and never_running (violated at 1 s) failed before
# the cut, so the run exits 1; its verdict is still cut, with the open ones not counted.
all="early_wrong early_right boots runs_to_4s late always_running never_running running_after_6s"
run fix5 1 "$fixture" --until 5s
has fix5 "until_fail: cut at 5.000s of 10.000s, no verdict  seed=0x1 "
has fix5 "  assertions: 5 decided by the cut (2 failed), 3 open at the cut"
has fix5 "  FAILED early_wrong at t=2.000s"
has fix5 "  FAILED never_running at t=1.000s"
has fix5 "  reproduce: alfasim run "
if grep -q "FAILED \(late\|always_running\|running_after_6s\)" "$out/fix5.txt"; then
    fail "fix5: an open assertion is listed as failed"
fi
$check "$out/fix5" cut 10000000000 early_wrong=fail early_right=pass boots=pass runs_to_4s=pass \
    late=open always_running=open never_running=fail running_after_6s=open ||
    fail "fix5: report.json"

# Cut at 8 s, the instant `late` is decided and after running_after_6s's window closed: both
# are judged; the `always` to the end stays open.
run fix8 1 "$fixture" --until 8s
has fix8 "  assertions: 7 decided by the cut (2 failed), 1 open at the cut"
$check "$out/fix8" cut 10000000000 early_wrong=fail early_right=pass boots=pass runs_to_4s=pass \
    late=pass always_running=open never_running=fail running_after_6s=pass ||
    fail "fix8: report.json"

# Cut at 500 ms, before every window but that of `boots`: exit 0, and still no pass verdict.
run fix05 0 "$fixture" --until 500ms
has fix05 "  assertions: 1 decided by the cut (0 failed), 7 open at the cut"
$check "$out/fix05" cut 10000000000 early_wrong=open early_right=open boots=pass \
    runs_to_4s=open late=open always_running=open never_running=open running_after_6s=open ||
    fail "fix05: report.json"

# The complete fixture fails on the same two assertions, and nothing is open.
run fix 1 "$fixture"
$check "$out/fix" fail - early_wrong=fail early_right=pass boots=pass runs_to_4s=pass late=pass \
    always_running=pass never_running=fail running_after_6s=pass || fail "fix: report.json"

# --junit with a cut is a usage error (64) before anything runs.
"$alfasim" run "$fixture" --until 5s --junit "$out/j.xml" --out "$out/junit" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 64 ] || fail "--until with --junit: exit $rc, want 64"
[ ! -e "$out/junit" ] && [ ! -e "$out/j.xml" ] || fail "--until with --junit wrote output"

# A node fault still wins over a cut: verdict error, exit 3; the cut is still reported.
run fault2 3 "$src/tests/cli_until/until_fault.json" --isolate --until 2s
$check "$out/fault2" error 10000000000 late=open || fail "fault2: report.json"

# The cut run's folder replays (the replay reads its report) to the same digest...
"$alfasim" replay "$out/fix5" --out "$out/fix5_replay" --quiet >"$out/replay.txt" 2>&1 ||
    fail "replay of a cut run: $(cat "$out/replay.txt")"
# ... and its report is a cut run's report, as the recorded one.
$check "$out/fix5_replay" cut 10000000000 early_wrong=fail early_right=pass boots=pass \
    runs_to_4s=pass late=open always_running=open never_running=fail running_after_6s=open ||
    fail "replay of a cut run: report.json"

if [ "$failures" -ne 0 ]; then
    echo "cli_until: $failures check(s) failed"
    exit 1
fi
echo "cli_until: ok"
