#!/bin/sh
# run-in-vm.sh: runs a command inside a small Linux VM that has SocketCAN, with this host's own
# files, for the bridge tests on machines whose kernel has no CAN (containers, CI runners).
#
#   tests/bridge/vm/run-in-vm.sh OUT_DIR COMMAND [ARG...]
#
# The VM is qemu-system-x86_64 under TCG (no KVM needed) booting Debian's kernel
# (linux-image-amd64, unpacked with dpkg-deb -x, not installed) with an initramfs built here
# from busybox-static. Its init loads can, can-raw, can-dev, vcan and the 9p modules, mounts this
# host's root read-only over virtio-9p, mounts OUT_DIR writable at the same path, chroots into
# the host root, brings up lo and vcan0, and runs COMMAND with the host's binaries (alfasim,
# can-utils, python3). COMMAND's exit status becomes this script's. Its output and the VM's
# console go to OUT_DIR/console.log (and to stdout).
#
# Needs: qemu-system-x86, busybox-static, and the kernel: SIM_VM_KERNEL_DIR pointing at an
# unpacked linux-image package (boot/vmlinuz-*, lib/modules/*), or apt-get able to download
# linux-image-amd64's kernel package (cached in SIM_VM_CACHE, default ~/.cache/alfasim-vm).
# Environment: SIM_VM_TIMEOUT (seconds, default 600), SIM_VM_MEM (MiB, default 1024).
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 OUT_DIR COMMAND [ARG...]" >&2
    exit 64
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
case "$out" in *[!A-Za-z0-9_./-]*)
    echo "run-in-vm: OUT_DIR must be a plain path (letters, digits, _ . / -): $out" >&2
    exit 64 ;;
esac
for tool in qemu-system-x86_64 busybox dpkg-deb; do
    command -v "$tool" >/dev/null || {
        echo "run-in-vm: $tool is missing (apt-get install qemu-system-x86 busybox-static)" >&2
        exit 69
    }
done
busybox_bin=$(command -v busybox)
if ! file -L "$busybox_bin" 2>/dev/null | grep -q 'statically linked' &&
   ! ldd "$busybox_bin" 2>&1 | grep -q 'not a dynamic'; then
    echo "run-in-vm: $busybox_bin is not static (install busybox-static)" >&2
    exit 69
fi

# ---- the kernel -------------------------------------------------------------------------------
kdir=${SIM_VM_KERNEL_DIR:-}
if [ -z "$kdir" ]; then
    cache=${SIM_VM_CACHE:-$HOME/.cache/alfasim-vm}
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$pkg" ] || { echo "run-in-vm: cannot resolve linux-image-amd64" >&2; exit 69; }
    kdir=$cache/$pkg
    if [ ! -d "$kdir/lib/modules" ]; then
        mkdir -p "$cache"
        (cd "$cache" && apt-get download "$pkg" >/dev/null) ||
            { echo "run-in-vm: apt-get download $pkg failed" >&2; exit 69; }
        rm -rf "$kdir.tmp" && dpkg-deb -x "$cache/$pkg"_*.deb "$kdir.tmp" && mv "$kdir.tmp" "$kdir"
        rm -f "$cache/$pkg"_*.deb
    fi
fi
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
kver=$(ls "$kdir/lib/modules" | head -n 1)
mods="can can-raw can-dev vcan virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
      virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

# ---- the initramfs ----------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/host"
cp "$busybox_bin" "$root/bin/busybox"
for m in $mods; do
    f=$(find "$kdir/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" |
        head -n 1)
    [ -n "$f" ] || { echo "run-in-vm: module $m not found in $kdir" >&2; exit 69; }
    case "$f" in
        *.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
        *.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
        *) cp "$f" "$root/lib/modules/$m.ko" ;;
    esac
done
# Folders the command needs that lie under /tmp, where the VM puts a writable tmpfs: the source
# tree (a fresh clone may live in /tmp) and the folder the command runs in. They are bind-mounted
# back over the tmpfs from the host root.
repo=$(cd "$(dirname "$0")/../../.." && pwd)
keep=""
for d in "$repo" "$(pwd)"; do
    case "$d" in
        /tmp/*)
            case " $keep " in *" $d "*) ;; *) keep="$keep $d" ;; esac ;;
    esac
done
# The command, as the chrooted shell will run it, from the directory this script ran in.
{
    printf 'cd %s || exit 70\n' "$(pwd)"
    printf 'exec'
    for a in "$@"; do printf " '%s'" "$(printf %s "$a" | sed "s/'/'\\\\''/g")"; done
    printf '\n'
} >"$out/vm-command.sh"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(echo $mods); do
    insmod /lib/modules/\$m.ko || echo "vm: insmod \$m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || echo "vm: no host root"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
for d in $keep; do
    mkdir -p /keep\$d && mount -o bind /host\$d /keep\$d
done
mount -t tmpfs tmp /host/tmp
for d in $keep; do
    mkdir -p /host\$d && mount -o bind /keep\$d /host\$d
done
mount -t tmpfs run /host/run 2>/dev/null
# The results share goes last, at its host path (made in the tmpfs when it is under /tmp).
mkdir -p /host$out 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L results /host$out || echo "vm: no results share"
chroot /host /bin/sh -c 'ip link set lo up && ip link add dev vcan0 type vcan && ip link set up vcan0'
echo "vm: running the command"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp LANG=C.UTF-8 /bin/sh $out/vm-command.sh
echo "vm: exit \$?" >/host$out/vm-exit
sync
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | "$busybox_bin" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"

# ---- boot -------------------------------------------------------------------------------------
rm -f "$out/vm-exit"
set +e
timeout "${SIM_VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m "${SIM_VM_MEM:-1024}" \
    -nographic -no-reboot -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$out,mount_tag=results,security_model=none" </dev/null |
    tee "$out/console.log"
set -e
if [ ! -f "$out/vm-exit" ]; then
    echo "run-in-vm: the VM did not finish (see $out/console.log)" >&2
    exit 70
fi
status=$(sed -n 's/^vm: exit //p' "$out/vm-exit")
exit "${status:-70}"
