#!/bin/bash
# fw_rx_layout.sh SOURCE_DIR PLUGIN [MAX_BYTES]: checks the layout firmware/ports/sim/rx_path.ld
# asks for.
#
#   1. every function the script names is defined in the firmware or its port (a renamed
#      function would silently drop out of the gathered path);
#   2. the plugin has the gathered section, at most MAX_BYTES long (default one page, 4096; 0
#      skips the length, for sanitizer builds whose checks make the path several pages);
#   3. every named function the plugin has as a symbol lies inside that section, and the two
#      entry points of the path (fw_on_can_rx, fw_node_on_can_rx) are among them.
# Exit 0 when all hold; 1 with one line per failure otherwise.
set -u
src=$1
plugin=$2
script=$src/firmware/ports/sim/rx_path.ld
max_bytes=${3:-4096}
fail=0
problem() {
    echo "fw_rx_layout: $*" >&2
    fail=1
}

names=$(sed -n 's/^ *\*(\.text\.\([A-Za-z0-9_]*\))$/\1/p' "$script")
[ -n "$names" ] || problem "$script: names no function"

for f in $names; do
    # A definition: the name and its parameter list on a line that does not end a declaration.
    if ! grep -qsE "^[A-Za-z].*[ *]$f\([^;]*$" "$src"/firmware/alfaspark/*.[ch] \
        "$src"/firmware/ports/sim/*.c; then
        problem "$script: '$f' is not defined in firmware/alfaspark or firmware/ports/sim"
    fi
done

read -r sec_addr sec_size < <(readelf -SW "$plugin" |
    awk '$2 == ".text.alfasim_rx" {print $4, $6} $3 == ".text.alfasim_rx" {print $5, $7}')
if [ -z "${sec_addr:-}" ]; then
    problem "$plugin: no .text.alfasim_rx section (the plugin was linked without rx_path.ld)"
    exit 1
fi
start=$((16#$sec_addr))
size=$((16#$sec_size))
if [ "$max_bytes" -gt 0 ] && [ "$size" -gt "$max_bytes" ]; then
    problem "$plugin: the receive path is $size bytes, over $max_bytes"
fi

declare -A found=()
while read -r addr kind name; do
    found[$name]=1
    a=$((16#$addr))
    if [ "$a" -lt "$start" ] || [ "$a" -ge $((start + size)) ]; then
        problem "$plugin: $name ($kind at 0x$addr) is outside .text.alfasim_rx"
    fi
done < <(nm "$plugin" | awk -v list=" $(echo $names) " \
    '($2 == "t" || $2 == "T") && index(list, " " $3 " ") {print $1, $2, $3}')

for entry in fw_on_can_rx fw_node_on_can_rx; do
    [ -n "${found[$entry]:-}" ] || problem "$plugin: entry point $entry not found as a symbol"
done
exit $fail
