#!/bin/sh
# Builds the Debian package from a release tree (the folder `make dist` fills, with
# debian/ and a VERSION file) with dpkg-buildpackage, into OUTDIR.
# Usage: scripts/deb.sh DISTDIR VERSION OUTDIR
set -eu
dist=$1 version=$2 out=$(mkdir -p "$3" && cd "$3" && pwd)
# A native package's version has no '-' (that would start a Debian revision).
debver=$(printf %s "$version" | sed 's/-/+/g')
rm -rf "$out" && mkdir -p "$out"
cp -a "$dist" "$out/vmsim-$debver"
cd "$out/vmsim-$debver"
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}"
sed -i "1s/([^)]*)/($debver)/" debian/changelog
dpkg-buildpackage -us -uc -b >../build.log 2>&1 || { tail -30 ../build.log >&2; exit 1; }
ls "$out"/*.deb
