#!/bin/sh
# Installs the package that `make deb` built into a fresh Debian bookworm chroot with
# `apt-get install ./vmsim_*.deb` (which must pull every dependency from the mirror),
# then runs `vmsim run belady` from another folder and the man page there.
# Skips, saying why, where no chroot can be made: not root, no debootstrap, no mirror;
# with CACHED_ONLY=1 (as CI runs it), also where no debootstrap result is cached yet:
# with one, the test takes about 1.5 minutes, without, 3 to 5 (measured on 2 cores).
# Usage: tests/deb/chroot.sh DEBDIR          (make test-deb runs it)
set -u
pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
skip() { echo "deb-chroot: skipped: $*"; echo "deb-chroot: 0 passed, 0 failed, 1 skipped"; exit 0; }

deb=$(ls "${1:?usage: chroot.sh DEBDIR}"/vmsim_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "deb-chroot: no vmsim_*.deb in $1 (run make deb)"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "not root (debootstrap and chroot need root)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (scripts/deps.sh deb)"
# The mirror this machine's apt already uses.
mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
[ -n "$mirror" ] || skip "no Debian mirror in /etc/apt/sources.list*"

root=$(mktemp -d /var/tmp/vmsim-chroot.XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
start=$(date +%s)
# A fresh debootstrap takes minutes; its untouched result is kept for a week and
# unpacked again in seconds (nothing of vmsim is in it).
cache=${VMSIM_CHROOT_CACHE:-/var/cache/vmsim/bookworm-minbase.tar}
if [ -n "$(find "$cache" -mtime -7 2>/dev/null)" ]; then
    tar -xf "$cache" -C "$root"
elif [ -n "${CACHED_ONLY:-}" ]; then
    skip "no chroot cached in $cache (CACHED_ONLY is set: make test-deb makes one, in about 4 minutes)"
elif timeout 300 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
    mkdir -p "$(dirname "$cache")" && tar -cf "$cache.tmp" -C "$root" . && mv "$cache.tmp" "$cache"
else
    tail -5 "$root.log"; rm -f "$root.log"
    skip "debootstrap could not make a bookworm chroot from $mirror"
fi
rm -f "$root.log"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
in_root timeout 300 sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends /tmp/vmsim_*.deb' >"$root/apt.log" 2>&1
check "apt-get install ./vmsim_*.deb in a fresh bookworm" test $? -eq 0 || tail -20 "$root/apt.log"
# Belady's anomaly (OSTEP ch. 22): FIFO with 3 frames faults 9 times on 1 2 3 4 1 2 5 1 2 3 4 5.
in_root sh -c 'mkdir -p /home/u && cd /home/u && vmsim run belady' >"$root/out" 2>&1
check "vmsim run belady from /home/u" grep -Eq '^page faults +9 ' "$root/out"
in_root vmsim --version >"$root/out" 2>&1
check "vmsim --version" grep -q '^vmsim [0-9]' "$root/out"
check "the window program is installed" test -x "$root/usr/libexec/vmsim/vmsim-gui"
in_root sh -c 'ldd /usr/libexec/vmsim/vmsim-gui | grep "not found"' >"$root/out" 2>&1
check "vmsim-gui's libraries all installed" test ! -s "$root/out"
echo "deb-chroot: took $(( $(date +%s) - start )) s"
echo "deb-chroot: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
