#!/bin/sh
# Prints vmsim's version: the VERSION file of a release tarball, else `git describe`
# (tags vX.Y), else 0.1-COMMITS-gHASH while the repository has no tag, else 0.1.
cd "$(dirname "$0")/.." || exit 1
if [ -f VERSION ]; then
    cat VERSION
elif d=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
    echo "${d#v}"
elif h=$(git describe --always --dirty 2>/dev/null) && n=$(git rev-list --count HEAD 2>/dev/null); then
    echo "0.1-$n-g$h"
else
    echo 0.1
fi
