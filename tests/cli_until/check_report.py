"""check_report.py RUN_DIR VERDICT CUT_FROM_NS [NAME=STATE ...]

Checks the report.json of a run folder written by `alfasim run`:

  VERDICT      the "verdict" it must say (pass, fail, error, cut)
  CUT_FROM_NS  the "cut_from_ns" it must carry, or "-" for a complete run, whose report must have
               no "cut_from_ns" and no "open" on any assertion
  NAME=STATE   every assertion, in report order, with its state: pass (passed, not open), fail
               (not passed, not open) or open (open at the cut, so not passed)

It also recomputes the trace digest from bus.log, events.jsonl and signals.vcd (docs/traces.md)
and compares it with the report's, so a cut never changes what the digest covers.
Exit 0 when everything holds, else 1 with one line per mismatch.
"""
import hashlib
import json
import sys


def digest_of(run_dir):
    parts = b"".join(
        hashlib.sha256(open(f"{run_dir}/{name}", "rb").read()).digest()
        for name in ("bus.log", "events.jsonl", "signals.vcd")
    )
    return hashlib.sha256(parts).hexdigest()


def assertion_state(a, cut):
    if cut and not isinstance(a.get("open"), bool):
        return "no open flag"
    if a.get("open"):
        return "open" if a["passed"] is False else "open but passed"
    return "pass" if a["passed"] else "fail"


def check(run_dir, verdict, cut_from, expected):
    with open(f"{run_dir}/report.json", encoding="utf-8") as f:
        r = json.load(f)
    bad = []
    if r.get("verdict") != verdict:
        bad.append(f"verdict {r.get('verdict')!r}, want {verdict!r}")
    cut = cut_from != "-"
    if cut and r.get("cut_from_ns") != int(cut_from):
        bad.append(f"cut_from_ns {r.get('cut_from_ns')!r}, want {cut_from}")
    if not cut and "cut_from_ns" in r:
        bad.append("a complete run's report has cut_from_ns")
    if cut and r.get("sim_duration_ns", 0) >= r.get("cut_from_ns", 0):
        bad.append("sim_duration_ns is not before cut_from_ns")
    if (r.get("error") is not None) != (verdict == "error"):
        bad.append(f"error key {r.get('error')!r} with verdict {verdict}")
    got = [(a["name"], assertion_state(a, cut)) for a in r["assertions"]]
    if not cut and any("open" in a for a in r["assertions"]):
        bad.append("a complete run's report marks assertions open")
    if got != expected:
        bad.append(f"assertions {got}, want {expected}")
    if r.get("digest") != digest_of(run_dir):
        bad.append(f"digest {r.get('digest')} is not the digest of the trace files")
    return bad


def main(argv):
    if len(argv) < 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    expected = [tuple(x.split("=", 1)) for x in argv[3:]]
    bad = check(argv[0], argv[1], argv[2], expected)
    for line in bad:
        print(f"{argv[0]}/report.json: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
