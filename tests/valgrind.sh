#!/bin/sh
# valgrind.sh [-j N] [--until T] BUILD_DIR [ITEM...]
#
# Runs a build's tests under valgrind's memcheck and fails when any has a memory error, a definite
# leak, or fails by itself. An ITEM is a CUnit suite of BUILD_DIR/tests (test_kernel) or a
# scenario file, run as `alfasim run SCENARIO --until T` (T default 10m, SIM_VALGRIND_UNTIL):
# memcheck runs about 30 to 100 times slower, so scenarios stop at T, judged up to there. Without
# ITEMs: every suite the build has (tests/test_*) and every bundled scenario (scenarios/*.json,
# scenarios/test/*.json). -j N runs N valgrind processes at a time (default 1).
#
# The build must be without sanitizers (valgrind and ASan do not mix):
#
#   cmake -S . -B build-valgrind -DSIM_VALGRIND=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-valgrind -j2
#   tests/valgrind.sh -j 2 build-valgrind          (or: cd build-valgrind && ctest -L valgrind -j2)
#
# Forked children are followed but kept quiet (--child-silent-after-fork): the crash fixtures and
# the isolated firmware die on purpose there. Each item's log is BUILD_DIR/valgrind/<item>.log
# (memcheck) and .out (the program). An item still running after SIM_VALGRIND_TIMEOUT seconds
# (default 1200) fails. Exit 0 all clean, 1 an item failed, 2 usage or no valgrind.
set -u
jobs=1
until=${SIM_VALGRIND_UNTIL:-10m}
limit=${SIM_VALGRIND_TIMEOUT:-1200}
while [ $# -gt 0 ]; do
    case $1 in
        -j) jobs=${2:-}; shift 2 ;;
        --until) until=${2:-}; shift 2 ;;
        *) break ;;
    esac
done
if [ $# -lt 1 ] || [ ! -d "$1/tests" ] || [ -z "$jobs" ] || [ -z "$until" ]; then
    echo "usage: $0 [-j N] [--until T] BUILD_DIR [SUITE|SCENARIO.json ...]" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not found (Debian package: valgrind)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
shift

# One item, in a subshell of its own: "clean" or "FAILED" with the memcheck log.
if [ "${VALGRIND_SH_ONE:-}" = 1 ]; then
    item=$1
    mkdir -p "$build/valgrind"
    case $item in
        *.json)
            item=$(cd "$(dirname "$item")" && pwd)/$(basename "$item") # valgrind runs in $build
            name=scenario-$(basename "$(dirname "$item")")-$(basename "$item" .json)
            set -- "$build/alfasim" run "$item" --until "$until" --no-pcap \
                --out "$build/valgrind/$name.run" ;;
        *)
            name=$item
            set -- "$build/tests/$item" ;;
    esac
    log=$build/valgrind/$name.log
    if [ ! -x "$1" ]; then
        echo "valgrind: $name: $1 is not built"
        exit 1
    fi
    rm -rf "$build/valgrind/$name.run"
    t0=$(date +%s)
    (cd "$build" && timeout --kill-after=10 "$limit" valgrind --quiet --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
        --log-file="$log" "$@" >"$log.out" 2>&1)
    rc=$?
    secs=$(($(date +%s) - t0))
    if [ $rc -eq 0 ]; then
        echo "valgrind: $name: clean (${secs} s)"
        exit 0
    fi
    why="exit $rc"
    [ $rc -eq 99 ] && why="memcheck errors"
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && why="still running after $limit s"
    echo "valgrind: $name: FAILED, $why (${secs} s; $log, $log.out)"
    cat "$log"
    tail -n 20 "$log.out"
    echo
    exit 1
fi

if [ $# -eq 0 ]; then
    set -- $(cd "$build/tests" && ls -d test_* 2>/dev/null | grep -v '\.') \
        $(ls "$src"/scenarios/*.json "$src"/scenarios/test/*.json 2>/dev/null)
fi
# Firmware children are slower under valgrind: give the hang watchdog of the node host room.
SIM_TEST_HANG_TIMEOUT_MS=${SIM_TEST_HANG_TIMEOUT_MS:-5000}
export SIM_TEST_HANG_TIMEOUT_MS
# The panel's suites open their window on SDL's dummy driver, as under ctest.
SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy}
SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export SDL_VIDEODRIVER SDL_AUDIODRIVER
mkdir -p "$build/valgrind"
summary=$build/valgrind/summary.$$ # one per invocation: CTest runs several at a time
printf '%s\n' "$@" | VALGRIND_SH_ONE=1 xargs -P "$jobs" -I{} \
    sh "$0" --until "$until" "$build" {} 2>&1 | tee "$summary"
failed=$(grep -c '^valgrind: .*: FAILED' "$summary")
clean=$(grep -c '^valgrind: .*: clean' "$summary")
rm -f "$summary"
[ $# -gt 1 ] && echo "valgrind: $clean clean, $failed failed, of $#"
[ "$failed" -eq 0 ] && [ "$clean" -eq $# ]
