#!/bin/sh
# golden.sh ALFASIM SCENARIO GOLDEN_DIR OUT_DIR [ALFASIM RUN OPTIONS...]
#
# Runs one bundled scenario and compares its trace with the golden trace in GOLDEN_DIR
# (traces/<scenario>/), byte for byte. The run must pass (exit 0: every assertion held).
#
# A golden folder holds `digest` (the run's trace digest, docs/traces.md) and the trace files
# gzip-compressed with `gzip -n` (no name, no time stamp, so the same bytes compress the same):
# events.jsonl always, bus.log and signals.vcd when each is at most SIM_GOLDEN_MAX_BYTES
# (default 4 MiB) uncompressed. Longer runs keep only the digest for the files left out; the
# digest still covers all three, so any change fails the test.
#
# SIM_UPDATE_GOLDEN=1 rewrites GOLDEN_DIR from this run instead of comparing (review the change
# with `git diff --stat traces/` and `alfasim trace-diff`). On a mismatch the first divergent
# line of each stored file is printed by `alfasim trace-diff`.
set -u
alfasim=$1
scenario=$2
golden=$3
out=$4
shift 4
max_bytes=${SIM_GOLDEN_MAX_BYTES:-4194304}
name=$(basename "$golden")

mkdir -p "$(dirname "$out")" || exit 1
"$alfasim" run "$scenario" --out "$out" --quiet --no-pcap "$@"
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "$name: the run exited $rc; a bundled scenario must pass (exit 0)"
    if [ -f "$out/report.json" ]; then
        grep -A4 '"passed": false' "$out/report.json"
    fi
    exit 1
fi
digest=$(sed -n 's/^ *"digest": "\([0-9a-f]*\)".*/\1/p' "$out/report.json")
if [ -z "$digest" ]; then
    echo "$name: no digest in $out/report.json"
    exit 1
fi

if [ "${SIM_UPDATE_GOLDEN:-0}" = 1 ]; then
    new="$golden.new"
    rm -rf "$new" && mkdir -p "$new" || exit 1
    echo "$digest" >"$new/digest"
    for f in bus.log events.jsonl signals.vcd; do
        size=$(wc -c <"$out/$f")
        if [ "$f" = events.jsonl ] || [ "$size" -le "$max_bytes" ]; then
            gzip -n -9 -c "$out/$f" >"$new/$f.gz" || exit 1
        fi
    done
    rm -rf "$golden" && mv "$new" "$golden" || exit 1
    echo "$name: golden trace updated ($(ls "$golden" | tr '\n' ' '))"
    exit 0
fi

if [ ! -f "$golden/digest" ]; then
    echo "$name: no golden trace in $golden"
    echo "  create it with: SIM_UPDATE_GOLDEN=1 ctest -R 'suite_golden_$name\$', then review git diff"
    exit 1
fi

# Compare every stored file, then the digest (which also covers the files not stored).
view="$out.golden-view"
rm -rf "$view" && mkdir -p "$view" || exit 1
differ=0
for gz in "$golden"/*.gz; do
    f=$(basename "$gz" .gz)
    ln -s "$(cd "$out" && pwd)/$f" "$view/$f"
    if ! gzip -dc "$gz" | cmp -s - "$out/$f"; then
        differ=1
    fi
done
want=$(cat "$golden/digest")
if [ "$differ" -eq 0 ] && [ "$want" = "$digest" ]; then
    rm -rf "$view"
    echo "$name: matches the golden trace (digest $digest)"
    exit 0
fi
echo "$name: the trace differs from the golden trace"
echo "  golden digest: $want"
echo "  this run:      $digest"
if [ "$differ" -eq 0 ]; then
    echo "  every stored file matches: the difference is in a file kept only as the digest"
fi
"$alfasim" trace-diff "$golden" "$view" --quiet
echo "  if the change is intended: SIM_UPDATE_GOLDEN=1 ctest -R 'suite_golden_$name\$', then review git diff"
exit 1
