#!/bin/sh
# Golden tests: runs every scenario in scenarios/ and compares the text log and the
# JSON report with the checked-in files in tests/golden/. UPDATE=1 rewrites them
# (then read the diff before committing: a golden file is only as right as its check).
# Usage: tests/golden.sh path/to/vmsim
set -u
vmsim=${1:?usage: golden.sh VMSIM}
dir=tests/golden
. "$(dirname "$0")/lib.sh"

check() {   # name, expected file, command...
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo "exit $?" >>"$tmp/out"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/out" "$want"
    fi
    if [ -f "$want" ] && cmp -s "$tmp/out" "$want"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL golden $name ($want)"
        [ -f "$want" ] && diff -u "$want" "$tmp/out" | head -40
        [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err" | head -5
    fi
}

for s in scenarios/*.ini scenarios/isa/*.ini; do
    n=$(basename "$s" .ini)
    d=$dir
    case $s in scenarios/isa/*) d=$dir/isa; mkdir -p "$d" ;; esac
    check "$n.log" "$d/$n.log" "$vmsim" run "$s" --log all
    check "$n.json" "$d/$n.json" "$vmsim" run "$s" --format json --log all
done
# Each policy's victims and its reason for them (the policy's state when it chose), on the
# two replacement scenarios: only the victim lines, so each can be checked by hand.
for s in belady thrashing; do
    for p in fifo lru opt clock second-chance nru lfu aging wsclock random; do
        check "$s-$p.why" "$dir/why/$s-$p.log" sh -c \
            "\"\$0\" run scenarios/$s.ini --log all --set memory.policy=$p | grep -E '^step|memory full|why:|written'" "$vmsim"
    done
done
# The logs for machines: CSV with the record's columns, and the reflog.
for s in belady fork-cow swap-writeback; do
    check "$s.csv" "$dir/$s.csv" "$vmsim" run "scenarios/$s.ini" --format csv --log all
    check "$s.reflog" "$dir/$s.reflog" "$vmsim" run "scenarios/$s.ini" --format reflog
done
finish golden
