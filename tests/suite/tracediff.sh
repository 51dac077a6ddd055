#!/bin/sh
# tracediff.sh ALFASIM WORK_DIR: checks `alfasim trace-diff` on hand-made run folders: the exit
# codes (0 same, 1 different, 66 missing, 64 usage), plain against gzip-compressed files, and
# the virtual time it prints for the first divergent line of each kind of trace file.
set -u
alfasim=$1
work=$2
rm -rf "$work" && mkdir -p "$work" || exit 1
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect CODE PATTERN ARGS...: trace-diff ARGS exits CODE and prints a line matching PATTERN.
expect() {
    code=$1
    pattern=$2
    shift 2
    "$alfasim" trace-diff "$@" >"$work/out.txt" 2>&1
    rc=$?
    if [ "$rc" -ne "$code" ]; then
        fail "trace-diff $* exited $rc, expected $code"
        cat "$work/out.txt"
    elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$work/out.txt"; then
        fail "trace-diff $*: no line matching '$pattern' in:"
        cat "$work/out.txt"
    fi
}

mkrun() {
    mkdir -p "$1"
    printf '(0000000001.000000) can0 300#0102020500000001\n(0000000002.000250) can0 101#0032\n' \
        >"$1/bus.log"
    printf '{"t_ns":0,"type":"boot","node":"pack1"}\n{"t_ns":1000000000,"type":"log"}\n' \
        >"$1/events.jsonl"
    printf '{"t_ns":1500000000,"type":"relay","closed":true}\n' >>"$1/events.jsonl"
    printf '$enddefinitions $end\n#0\n0!\n#250\n1!\n#700\n0!\n' >"$1/signals.vcd"
}

mkrun "$work/a"
mkrun "$work/b"
expect 0 "the same (3 trace files)" "$work/a" "$work/b"

# The same content gzip-compressed on one side.
mkrun "$work/gz"
gzip -n "$work/gz/bus.log" "$work/gz/events.jsonl"
expect 0 "events.jsonl: same (3 lines)" "$work/a" "$work/gz"

# events.jsonl: the time comes from t_ns.
mkrun "$work/ev"
sed -i 's/"closed":true/"closed":false/' "$work/ev/events.jsonl"
expect 1 "events.jsonl: first divergence at line 3" "$work/a" "$work/ev"
expect 1 "t=1.500000000s" "$work/a" "$work/ev"
expect 1 "t=1.500000000s" "$work/gz" "$work/ev"

# bus.log: the time comes from the candump stamp (microseconds).
mkrun "$work/bus"
sed -i 's/101#0032/101#0033/' "$work/bus/bus.log"
expect 1 "bus.log: first divergence at line 2" "$work/a" "$work/bus"
expect 1 "t=2.000250000s" "$work/a" "$work/bus"

# signals.vcd: the time is the last #t line before the divergence.
mkrun "$work/vcd"
sed -i 's/^1!$/0!/' "$work/vcd/signals.vcd"
expect 1 "t=0.000000250s" "$work/a" "$work/vcd"

# One side shorter: the other side ends.
mkrun "$work/short"
sed -i '3d' "$work/short/events.jsonl"
expect 1 "end of file after 2 lines" "$work/a" "$work/short"

# Only the first divergent line is printed, even when later lines differ too.
mkrun "$work/many"
sed -i 's/"type":"/"type":"x/' "$work/many/events.jsonl"
expect 1 "first divergence at line 1" "$work/a" "$work/many"
n=$(grep -c '"t_ns"' "$work/out.txt")
[ "$n" -eq 2 ] || fail "expected the divergent line of each side only, got $n lines"

# A file in one folder only, a missing folder, a corrupt .gz, usage errors.
mkrun "$work/nobus"
rm "$work/nobus/bus.log"
expect 66 "bus.log missing" "$work/a" "$work/nobus"
expect 66 "cannot read" "$work/a" "$work/nowhere"
mkrun "$work/badgz"
rm "$work/badgz/events.jsonl"
printf 'not gzip data\n' >"$work/badgz/events.jsonl.gz"
expect 66 "cannot decompress" "$work/a" "$work/badgz"
# A .gz damaged after the first difference is still damage (66), not a difference (1).
mkrun "$work/cutgz"
sed -i 's/"closed":true/"closed":false/' "$work/cutgz/events.jsonl"
yes '{"t_ns":2000000000,"type":"filler"}' | head -n 5000 >>"$work/cutgz/events.jsonl"
gzip -n "$work/cutgz/events.jsonl"
head -c 300 "$work/cutgz/events.jsonl.gz" >"$work/cutgz/cut" && mv "$work/cutgz/cut" "$work/cutgz/events.jsonl.gz"
expect 66 "cutgz/events.jsonl.gz: error: cannot decompress" "$work/a" "$work/cutgz"
# Something other than a file where a trace belongs is named as such, not "missing"; a FIFO is
# never opened (the read would wait for a writer for ever).
mkrun "$work/dirbus"
rm "$work/dirbus/bus.log" && mkdir "$work/dirbus/bus.log"
expect 66 "dirbus/bus.log: error: cannot read: Is a directory" "$work/a" "$work/dirbus"
mkrun "$work/fifo"
rm "$work/fifo/events.jsonl" && mkfifo "$work/fifo/events.jsonl"
expect 66 "fifo/events.jsonl: error: cannot read: not a regular file" "$work/a" "$work/fifo"
# A divergent line is shown as it is: a CR, a NUL.
mkrun "$work/crlf"
sed -i 's/$/\r/' "$work/crlf/signals.vcd"
expect 1 'end\\x0D$' "$work/a" "$work/crlf"
mkrun "$work/nul"
printf '{"t_ns":2\000}\n' >>"$work/nul/events.jsonl"
expect 1 '{"t_ns":2\\x00}$' "$work/a" "$work/nul"
mkdir -p "$work/empty1" "$work/empty2"
expect 66 "no trace files" "$work/empty1" "$work/empty2"
expect 64 "" "$work/a"
expect 0 "Usage: alfasim trace-diff" --help

if [ "$failures" -ne 0 ]; then
    echo "$failures trace-diff checks failed"
    exit 1
fi
echo "trace-diff: every check passed"
