#!/bin/sh
# mutant.sh ALFASIM SCENARIO MUTANT_PLUGIN_DIR OUT_DIR ASSERTION...
#
# Runs a bundled scenario with a deliberately broken firmware (a plugin built with one
# -DFW_MUTATION_*, see firmware/alfaspark/fw_mutations.h and docs/suite.md) and passes only when
# the suite catches the defect: the run exits 1 (an assertion failed, not a crash or a load
# error) and each ASSERTION named is among the failed ones, so the scenario fails for the
# behaviour the mutation breaks and not by accident. MUTANT_PLUGIN_DIR holds the mutant as
# fw_alfaspark.so and goes first in the plugin search path.
set -u
alfasim=$1
scenario=$2
plugins=$3
out=$4
shift 4

mkdir -p "$(dirname "$out")" || exit 1
"$alfasim" run "$scenario" --plugin-path "$plugins" --out "$out" --quiet --no-pcap
rc=$?
if [ "$rc" -ne 1 ]; then
    echo "$(basename "$scenario") with the mutant in $plugins exited $rc; expected 1 (caught)"
    exit 1
fi
/usr/bin/python3 - "$out/report.json" "$@" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
failed = {a["name"]: a for a in report["assertions"] if not a["passed"]}
print("failed assertions: " + ", ".join(sorted(failed)))
missing = [n for n in sys.argv[2:] if n not in failed]
for n in missing:
    print(f"expected assertion {n!r} to fail, but it did not")
for n in sys.argv[2:]:
    if n in failed:
        a = failed[n]
        print(f"  {n}: expected {a.get('expected')}, actual {a.get('actual')} at t_ns={a.get('t_ns')}")
sys.exit(1 if missing else 0)
EOF
