#!/bin/sh
# Checks the package that `make deb` built: its files (dpkg-deb --contents) against
# what make install puts under /usr, its control fields, and lintian (no error).
# Usage: tests/deb/check.sh DEBDIR          (.ci/run runs it after make deb)
set -u
pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: check.sh DEBDIR}
deb=$(ls "$dir"/vmsim_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "deb: no vmsim_*.deb in $dir (run make deb)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dpkg-deb --contents "$deb" | awk '{ print $6 }' > "$tmp/contents"
for f in ./usr/bin/vmsim ./usr/libexec/vmsim/vmsim-gui ./usr/share/man/man1/vmsim.1.gz \
         ./usr/share/man/man5/vmsim-scenario.5.gz ./usr/share/bash-completion/completions/vmsim \
         ./usr/share/doc/vmsim/copyright ./usr/share/vmsim/configs/x86_64.ini; do
    check "package holds $f" grep -qx "$f" "$tmp/contents"
done
for f in "$src"/scenarios/*.ini; do
    check "package holds scenario $(basename "$f")" grep -qx "./usr/share/vmsim/scenarios/$(basename "$f")" "$tmp/contents"
done
[ -d "$src/exercises" ] && check "package holds exercises/" grep -q '^./usr/share/vmsim/exercises/' "$tmp/contents"
check "nothing outside /usr" test -z "$(grep -v '^\./$' "$tmp/contents" | grep -v '^\./usr/')"
dpkg-deb --field "$deb" Depends > "$tmp/depends"
for lib in libsdl2 libinih libreadline fonts-dejavu-core; do
    check "Depends names $lib" grep -q "$lib" "$tmp/depends"
done

changes=$(ls "$dir"/vmsim_*.changes | head -1)
lintian --fail-on error "$changes" > "$tmp/lintian" 2>&1
check "lintian: no error" test $? -eq 0
check "lintian prints no E: line" test -z "$(grep '^E:' "$tmp/lintian")"
grep '^[EW]:' "$tmp/lintian" | head -20

echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
