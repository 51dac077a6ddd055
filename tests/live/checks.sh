# checks.sh: the pass/fail tally the live session scripts share; source it with `. checks.sh`.
#
#   check "what" command...   runs the command quietly; counts a pass, or prints FAIL: what
#
# The caller reads $passes and $fails at the end.
fails=0
passes=0

check() {
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then
        passes=$((passes + 1))
    else
        echo "FAIL: $what"
        fails=$((fails + 1))
    fi
}
