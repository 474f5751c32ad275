#!/bin/sh
# bench-stream.sh FILE: writes `make bench`'s page stream into FILE unless it is there:
# 5,000,000 references to 2,048 pages, 90% of them within a working set of 200 pages
# that drifts (scripts/bench.sh and scripts/callgrind-compare.sh read it).
set -eu
[ -s "$1" ] && exit 0
echo "generating $1 (once)..." >&2
awk 'BEGIN { srand(7); base = 0;
    for (i = 0; i < 5000000; i++) {
        if (i % 50000 == 0) base = int(rand() * 1848);
        if (rand() < 0.9) p = base + int(rand() * 200); else p = int(rand() * 2048);
        print p } }' >"$1.tmp"
mv "$1.tmp" "$1"
