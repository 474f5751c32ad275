#!/bin/sh
# check-layers.sh [SRCROOT [BUILDDIR]]: checks that calls and includes in sim/core run
# one way (docs/design.md, "Layout"), from what the build wrote: the objects' symbols
# (nm) and the compiler's dependency files (-MMD's .d beside each object). Prints one
# line per violation and exits 1; exits 0 when there is none, 2 on bad usage.
#
# A core file's layer is its folder: sim/core/hw/ (hw), sim/core/os/ and below (os), the
# files of sim/core/ itself (top). The rules:
#  - hw uses no symbol defined in os or top, and includes none of their private headers;
#  - os uses no symbol defined in top (it may include sim_int.h: the Sim it works on);
#  - no core file uses a symbol defined outside sim/core (sim/cli, sim/ui, sim/grade,
#    the generated sources, ...), includes a header from those folders, or includes
#    SDL or readline (with -MMD the compiler leaves system headers out of the .d, so
#    the #include lines of the files the .d names are read for those two);
#  - core files form no cycle: A uses a symbol of B and B, directly or through others,
#    one of A's.
# Calls are judged by symbols alone: a header of include/vmsim/ declares, whichever
# folder defines its functions, so including one is no dependency; the symbols the
# object then uses are. Includes are judged for private headers (those under
# sim/core/: sim_int.h and image_int.h are top's, os/policy/policy_int.h is os's) and
# for headers outside the core. An object whose source is gone (a stale one after a
# move) is ignored. Needs only sh, awk and nm; the rules are in check-layers.awk.
set -eu
src=${1:-.}
build=${2:-build}
if [ $# -gt 2 ] || [ ! -d "$src/sim/core" ] || [ ! -d "$build/sim/core" ]; then
    echo "usage: check-layers.sh [SRCROOT [BUILDDIR]] (after a build: BUILDDIR/sim/core/ holds the objects)" >&2
    exit 2
fi
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cd "$src"

# The objects that have a source (in the tree, or generated into the build dir).
objs=
for o in $(find "$build" -name '*.o' | sort); do
    rel=${o#"$build"/}
    if [ -f "${rel%.o}.c" ] || [ -f "${o%.o}.c" ]; then
        objs="$objs $o"
    fi
done
deps=
for o in $objs; do
    case $o in
    "$build"/sim/core/*)
        if [ ! -f "${o%.o}.d" ]; then
            echo "check-layers: ${o%.o}.d missing: build with -MMD" >&2
            exit 2
        fi
        deps="$deps ${o%.o}.d" ;;
    esac
done
if [ -z "$deps" ]; then
    echo "check-layers: no core objects under $build/sim/core: build first" >&2
    exit 2
fi

# shellcheck disable=SC2086
nm -A -P -g $objs |
    awk -v build="$build/" -v root="$(pwd)/" -f "$here/check-layers.awk" - $deps
