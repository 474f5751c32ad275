#!/bin/sh
# Determinism: every scenario run twice gives byte-identical text (with the full log),
# JSON and CSV; `run` and the stepper (`step` to the end, `print stats`) reach the same
# statistics. And Ctrl-C during a run: the partial report, exit 130.
# Usage: tests/verbs/determinism.sh path/to/vmsim
set -u
vmsim=${1:?usage: determinism.sh VMSIM}
. "$(dirname "$0")/../lib.sh"

# The figures both reports print, as NAME VALUE lines.
stats_of() {
    grep -E '^(references|TLB hits|TLB misses|page faults|evictions|write-backs|swap-ins|segfaults|OOM kills|page walks|table pages|cycles) ' "$1" |
        sed -E 's/  +/ /g; s/ \(.*//'
}

for s in scenarios/*.ini; do
    for run in 1 2; do
        "$vmsim" run "$s" --log all >"$tmp/text$run" 2>&1
        "$vmsim" run "$s" --format json --log all >"$tmp/json$run" 2>&1
        "$vmsim" run "$s" --format csv --log all >"$tmp/csv$run" 2>&1
        "$vmsim" run "$s" --format csv >"$tmp/csvstats$run" 2>&1
    done
    for f in text json csv csvstats; do
        cmp -s "$tmp/${f}1" "$tmp/${f}2" && ok || bad "$s: two runs differ ($f)"
    done
    printf 'step 1000000\nprint stats\nquit\n' | "$vmsim" step "$s" >"$tmp/step" 2>&1
    sed -n '/print stats/,$p' "$tmp/step" >"$tmp/stepstats"
    stats_of "$tmp/text1" >"$tmp/a"
    stats_of "$tmp/stepstats" >"$tmp/b"
    if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then ok; else bad "$s: run and step reach different statistics"; diff "$tmp/a" "$tmp/b" | head -4; fi
done

# Ctrl-C: a long run stops at the next step, prints what it has (JSON: "halted":
# "interrupted"; text: a line saying so) and exits 130.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "R 0x%x\n", (i * 4096) % 67108864 }' >"$tmp/long.trace"
for fmt in json text; do
    VMSIM_CHECK=1 "$vmsim" run --trace "$tmp/long.trace" --set memory.frames=4096 --format $fmt \
        >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 1
    kill -INT $pid
    wait $pid
    got=$?
    [ "$got" -eq 130 ] && ok || bad "Ctrl-C ($fmt): exit $got, wanted 130"
    grep -q 'vmsim: interrupted after step' "$tmp/err" && ok || bad "Ctrl-C ($fmt): stderr says so"
    if [ $fmt = json ]; then
        grep -q '"halted": "interrupted"' "$tmp/out" && ok || bad "Ctrl-C: JSON says halted: interrupted"
        tail -1 "$tmp/out" | grep -q '^}$' && ok || bad "Ctrl-C: the JSON is whole"
    else
        grep -q '^interrupted (Ctrl-C) after step [0-9]*: the report covers the steps taken$' "$tmp/out" && ok ||
            bad "Ctrl-C: the text report says so"
    fi
done

finish determinism
