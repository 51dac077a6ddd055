#!/bin/sh
# same_digest.sh ALFASIM SCENARIO OUT_DIR REF [ALFASIM RUN OPTIONS...]
#
# Runs SCENARIO once more (with ALFASIM, which may be another build of the simulator) and checks
# that its trace digest equals the reference: REF is either an earlier run folder (the digest in
# its report.json) or a golden folder (its `digest` file). Used for the determinism checks:
#   - the same build twice (REF = the golden test's own run folder);
#   - a build at another optimisation level (REF = the golden folder).
# The verdict (exit code) must match too: both runs pass. On a mismatch, `alfasim trace-diff`
# prints the first divergent line of every trace file both folders hold.
set -u
alfasim=$1
scenario=$2
out=$3
ref=$4
shift 4

digest_of() {
    if [ -f "$1/report.json" ]; then
        sed -n 's/^ *"digest": "\([0-9a-f]*\)".*/\1/p' "$1/report.json"
    elif [ -f "$1/digest" ]; then
        cat "$1/digest"
    fi
}

want=$(digest_of "$ref")
if [ -z "$want" ]; then
    echo "no reference digest in $ref (neither report.json nor digest)"
    exit 1
fi
mkdir -p "$(dirname "$out")" || exit 1
"$alfasim" run "$scenario" --out "$out" --quiet --no-pcap "$@"
rc=$?
got=$(digest_of "$out")
if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
    echo "$(basename "$scenario"): same digest as $ref ($got)"
    exit 0
fi
echo "$(basename "$scenario"): exit $rc, digest differs from $ref"
echo "  reference: $want"
echo "  this run:  ${got:-none}"
# Show only the files the reference kept (a golden folder may hold events.jsonl alone).
view="$out.ref-view"
rm -rf "$view" && mkdir -p "$view" || exit 1
for f in bus.log events.jsonl signals.vcd; do
    if [ -e "$ref/$f" ] || [ -e "$ref/$f.gz" ]; then
        ln -s "$(cd "$out" && pwd)/$f" "$view/$f"
    fi
done
"$alfasim" trace-diff "$ref" "$view" --quiet
exit 1
