#!/bin/sh
# A different seed changes the digest where randomness is used, and the same seed does not.
# Usage: seed.sh ALFASIM_BINARY SCENARIO
set -u
alfasim=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
digest() {
    "$alfasim" run "$scenario" --seed "$1" --out "$tmp/s$1-$2" --quiet || exit 1
    sed -n 's/.*"digest": *"\([0-9a-f]*\)".*/\1/p' "$tmp/s$1-$2/report.json" | head -1
}
a=$(digest 1 a)
b=$(digest 1 b)
c=$(digest 2 a)
echo "seed 1: $a"
echo "seed 1: $b"
echo "seed 2: $c"
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] && echo "1 passed, 0 failed" && exit 0
echo "0 passed, 1 failed"
exit 1
