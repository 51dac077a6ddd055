#!/bin/sh
# run-ci.sh: the CI fuzzing job (docs/robustness.md, "Fuzzing").
#
#   tests/fuzz/run-ci.sh [SECONDS_PER_TARGET [BUILD_DIR]]     defaults: 60, <source>/build-fuzz
#
# 1. configures BUILD_DIR with clang, ASan and UBSan (the fuzz targets are only built with clang);
# 2. builds every fuzz target, libFuzzer and replay programs (target fuzz_all);
# 3. replays the checked-in corpora and crash reproducers (CTest label "fuzz"), then once more
#    through the libFuzzer binaries (-runs=0);
# 4. fuzzes each target for SECONDS_PER_TARGET seconds (-max_total_time), starting from the
#    checked-in corpus. New inputs go to BUILD_DIR/fuzz-work/<target>/corpus, never into the
#    source tree; a crash, a leak, a sanitizer report, a failed invariant or a timeout is saved
#    to BUILD_DIR/fuzz-work/<target>/artifacts/ and fails the job.
#
# Every target runs even after one fails; the exit status is 1 if any failed.
# Needs Debian's clang (14) with libclang-rt-14-dev (libFuzzer and the sanitizer runtimes).
set -eu

SECONDS_PER_TARGET=${1:-60}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${2:-$SRC/build-fuzz}
TARGETS="scenario scand bridge_replay fw_modbus fw_can"

CC=clang cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIM_WERROR=ON \
    -DSIM_ASAN=ON -DSIM_UBSAN=ON >/dev/null
cmake --build "$BUILD" --target fuzz_all -j2

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

(cd "$BUILD" && ctest -L fuzz --output-on-failure)

failed=""
for t in $TARGETS; do
    bin=$BUILD/fuzz/fuzz_$t
    seeds=$SRC/tests/fuzz/corpus/$t
    regressions=$SRC/tests/fuzz/regressions/$t
    work=$BUILD/fuzz-work/$t
    mkdir -p "$work/corpus" "$work/artifacts"
    set -- "$seeds"
    if [ -d "$regressions" ]; then
        set -- "$seeds" "$regressions"
    fi
    dict=""
    if [ -f "$SRC/tests/fuzz/$t.dict" ]; then
        dict=-dict=$SRC/tests/fuzz/$t.dict
    fi
    echo "== fuzz_$t: replay, then $SECONDS_PER_TARGET s of fuzzing"
    if ! "$bin" -runs=0 "$@" >"$work/replay.log" 2>&1; then
        tail -n 40 "$work/replay.log"
        failed="$failed $t"
        continue
    fi
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb bounds memory per process.
    if ! "$bin" $dict -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" "$@" >"$work/fuzz.log" 2>&1; then
        tail -n 60 "$work/fuzz.log"
        echo "fuzz_$t failed: reproducer in $work/artifacts/"
        failed="$failed $t"
        continue
    fi
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$work/fuzz.log" || true
done

if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed"
    exit 1
fi
echo "fuzzing clean: $TARGETS"
