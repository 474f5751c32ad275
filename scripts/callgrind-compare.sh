#!/bin/sh
# callgrind-compare.sh OLD_VMSIM NEW_VMSIM: two binaries side by side in instructions
# (callgrind's Ir: the same whatever the machine's load) per record of two runs,
#  - per lackey record: tests/data/wc.lackey.xz (`wc` recorded with lackey, 196,850
#    records, decompressed first so liblzma's work is not counted), as `make bench`
#    runs its lackey trace: a 64-entry 4-way TLB, 64 frames, lru;
#  - per reference: the first 200,000 references of `make bench`'s stream.pages on the
#    textbook machine (no TLB), 64 frames, lru, as bench's table of issue 20 counts it;
# and new/old. Each count includes start-up (about a million instructions, 5 a record
# here, about the same for both). Exits 1 when NEW takes more than 3 % more than OLD on either (the
# limit of a change that moves code but should not slow it), 2 on bad usage.
# Inputs go to $BENCH_OUT (bench-out/, as make bench's). Needs valgrind and xz
# (scripts/deps.sh bench).
set -eu
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: callgrind-compare.sh OLD_VMSIM NEW_VMSIM (two vmsim binaries)" >&2
    exit 2
fi
for tool in valgrind xz; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "callgrind-compare.sh: needs $tool (sh scripts/deps.sh bench)" >&2
        exit 2
    fi
done
old=$1
new=$2
here=$(dirname "$0")
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
sh "$here/bench-stream.sh" "$out/stream.pages"
head -n 200000 "$out/stream.pages" >"$out/stream200k.pages"
xz -dc "$here/../tests/data/wc.lackey.xz" >"$out/wc.lackey"
records=$(grep -c '^[ I]' "$out/wc.lackey")

# ir VMSIM ARGS...: the instructions of `VMSIM run ARGS... --format csv`.
ir() {
    vmsim=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$vmsim" run "$@" --format csv 2>&1 >/dev/null |
        sed -n 's/.*refs: *//p' | tr -d ,
}
# compare LABEL N ARGS...: one row: OLD's and NEW's instructions per record over N
# records, and new/old.
worse=0
compare() {
    label=$1 n=$2
    shift 2
    a=$(ir "$old" "$@")
    b=$(ir "$new" "$@")
    awk -v l="$label" -v n="$n" -v a="$a" -v b="$b" 'BEGIN {
        r = b / a
        printf "%-66s %9.1f %9.1f %8.3f  %s\n", l, a / n, b / n, r,
            (r <= 1.03) ? "within 3 %" : sprintf("%+.1f %%: MORE than 3 %%", (r - 1) * 100)
        exit (r > 1.03) }' || worse=1
}

echo "callgrind: old = $old, new = $new"
printf '%-66s %9s %9s %8s\n' "instructions per" "old" "new" "new/old"
compare "lackey record: wc.lackey ($records), TLB 64 4-way, 64 frames, lru" "$records" \
    --trace "$out/wc.lackey" --trace-format lackey \
    --set tlb.entries=64 --set tlb.ways=4 --set memory.frames=64 --set memory.policy=lru
compare "reference: stream.pages' first 200000, textbook, 64 frames, lru" 200000 \
    --trace "$out/stream200k.pages" --trace-format pages \
    --set memory.frames=64 --set memory.policy=lru
exit $worse
