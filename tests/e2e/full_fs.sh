#!/bin/sh
# A run folder on a full or read-only file system: `alfasim run` and `alfasim replay` exit 74
# with one line naming the folder, and leave no folder, partial or whole. Needs root for the
# small tmpfs mounts; skipped (exit 0, "skip:" line) otherwise.
# Usage: full_fs.sh ALFASIM_BINARY SOURCE_DIR
set -u
alfasim=$1
cd "$2" || exit 2
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: not root, no tmpfs to fill"
    exit 0
fi
tmp=$(mktemp -d)
full="$tmp/full"
ro="$tmp/ro"
mkdir "$full" "$ro"
if ! mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    rmdir "$full" "$ro" "$tmp"
    echo "skip: cannot mount a tmpfs"
    exit 0
fi
mount -t tmpfs -o size=64k,ro tmpfs "$ro"
trap 'umount "$full" "$ro" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # description, command...; the command's success is the check
    desc=$1; shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc"; fail=$((fail + 1)); fi
}
scenario=scenarios/test/two_nodes.json
"$alfasim" run "$scenario" --out "$tmp/rec" >/dev/null 2>&1 || { echo "FAIL: the first run"; exit 1; }
# The traces need about 19 KB: 44 KB of filler leaves too little.
head -c 45056 /dev/zero >"$full/filler"
"$alfasim" run "$scenario" --out "$full/run" >/dev/null 2>"$tmp/err"
check "a run on a full file system exits 74" [ $? -eq 74 ]
check "a run on a full file system says why in one line" \
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^$full/run: error: .*No space left" "$tmp/err"
"$alfasim" replay "$tmp/rec" --out "$full/replay" >/dev/null 2>"$tmp/err"
check "a replay on a full file system exits 74" [ $? -eq 74 ]
check "a replay on a full file system says why in one line" \
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^$full/replay: error: .*No space left" "$tmp/err"
TMPDIR="$full" "$alfasim" replay "$tmp/rec" >/dev/null 2>"$tmp/err"
check "a replay into a full TMPDIR exits 74" [ $? -eq 74 ]
check "nothing but the filler is left on the full file system" [ "$(ls -A "$full")" = filler ]
"$alfasim" run "$scenario" --out "$ro/run" >/dev/null 2>"$tmp/err"
check "a run on a read-only file system exits 74" [ $? -eq 74 ]
"$alfasim" replay "$tmp/rec" --out "$ro/replay" >/dev/null 2>"$tmp/err"
check "a replay on a read-only file system exits 74" [ $? -eq 74 ]
check "nothing is left on the read-only file system" [ -z "$(ls -A "$ro")" ]
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
