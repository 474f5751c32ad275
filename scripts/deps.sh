#!/bin/sh
# Install the Debian packages vmsim needs to build and test, if any are missing.
# Usage: scripts/deps.sh [build|test|gui|bench|deb|fuzz]...   (no argument: everything)
# Runs apt-get through sudo when not root. Prints nothing when all is present.
set -eu

build="build-essential pkg-config libinih-dev zlib1g-dev liblzma-dev libreadline-dev lowdown"
test="libcunit1-dev mandoc man-db"
gui="libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core fontconfig libfontconfig-dev xvfb xauth xdotool"
bench="valgrind time xz-utils"
deb="debhelper devscripts dpkg-dev fakeroot lintian debootstrap"
fuzz="clang libclang-rt-14-dev llvm xz-utils gzip"

want=""
[ $# -eq 0 ] && set -- build test gui bench deb fuzz
for group in "$@"; do
    case "$group" in
    build) want="$want $build" ;;
    test)  want="$want $build $test" ;;
    gui)   want="$want $build $gui" ;;
    bench) want="$want $build $bench" ;;
    deb)   want="$want $build $gui $deb" ;;
    fuzz)  want="$want $build $fuzz" ;;
    *) echo "deps.sh: unknown group '$group' (build, test, gui, bench, deb, fuzz)" >&2; exit 2 ;;
    esac
done

missing=""
for pkg in $want; do
    case " $missing " in *" $pkg "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps.sh: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
