#!/bin/sh
# vmsim sweep: every row against a separate `vmsim run` of the same cell (its JSON
# report's "stats"), the LRU stack pass against separate runs at every frame count,
# -j 1 against -j 2, merged shards against the unsharded output, and bad SPECs.
# Usage: tests/verbs/sweep.sh path/to/vmsim
set -u
vmsim=${1:?usage: sweep.sh VMSIM}
. "$(dirname "$0")/../lib.sh"

# same FILE1 FILE2 WHAT
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | head -5; fi; }

# check_rows CSV RUN-ARGS...: each row of the sweep's CSV (trace, varied keys, then
# counters) against `vmsim run RUN-ARGS --trace TRACE --set KEY=VALUE... --format json`.
check_rows() {
    csv=$1
    shift
    head -1 "$csv" | tr ',' '\n' >"$tmp/cols"
    nkeys=$(awk 'NR > 1 && /\./ { n++ } END { print n + 0 }' "$tmp/cols")
    rows=0
    tail -n +2 "$csv" >"$tmp/rows"
    while IFS= read -r row; do
        rows=$((rows + 1))
        trace=$(echo "$row" | cut -d, -f1)
        sets=""
        i=2
        while [ $i -le $((nkeys + 1)) ]; do
            sets="$sets --set $(sed -n "${i}p" "$tmp/cols")=$(echo "$row" | cut -d, -f$i)"
            i=$((i + 1))
        done
        # shellcheck disable=SC2086
        "$vmsim" run "$@" $traceopt $sets --format json >"$tmp/run.json" 2>/dev/null
        # "stats": {"steps": 12, ...} as key=value lines
        grep '"stats"' "$tmp/run.json" | sed 's/.*"stats": {//; s/}.*//; s/"//g; s/, /\n/g; s/: /=/g' >"$tmp/stats"
        i=$((nkeys + 2))
        for name in $(tail -n +$((nkeys + 2)) "$tmp/cols"); do
            want=$(sed -n "s/^$name=//p" "$tmp/stats")
            [ "$want" = null ] && want=""        # no TLB: an empty CSV field
            got=$(echo "$row" | cut -d, -f$i)
            [ "$got" = "$want" ] || { bad "$csv row $rows ($trace$sets): $name $got, a separate run says $want"; return; }
            i=$((i + 1))
        done
    done <"$tmp/rows"
    [ "$rows" -gt 0 ] && ok || bad "$csv has no rows"
}

# --- every counter of every cell equals a separate run ------------------------
traceopt=""
"$vmsim" sweep scenarios/belady.ini --vary memory.policy=fifo,lru,clock,opt --vary memory.frames=1..5 \
    -j 2 >"$tmp/belady.csv" 2>"$tmp/err" && ok || bad "belady sweep exits 0"
[ "$(wc -l <"$tmp/belady.csv")" -eq 21 ] && ok || bad "4 policies x 5 frame counts are 20 rows"
check_rows "$tmp/belady.csv" scenarios/belady.ini
# Belady's anomaly (Belady, Nelson and Shedler, CACM 12(6), 1969): FIFO on
# 1 2 3 4 1 2 5 1 2 3 4 5 faults 9 times with 3 frames and 10 with 4.
grep -q '^scenarios/belady.ini,fifo,3,12,12,.*' "$tmp/belady.csv" && ok || bad "belady rows start trace,policy,frames"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    $2 == "fifo" && $3 == 3 { a = $c["page_faults"] } $2 == "fifo" && $3 == 4 { b = $c["page_faults"] }
    END { exit !(a == 9 && b == 10) }' "$tmp/belady.csv" && ok || bad "FIFO: 9 faults with 3 frames, 10 with 4"

# The header: trace, the keys, then the report's counters by their JSON names.
head -1 "$tmp/belady.csv" | grep -q '^trace,memory.policy,memory.frames,steps,references,tlb_hits,' && ok ||
    bad "CSV header starts trace,memory.policy,memory.frames,steps,references,..."

# ... pinned in docs/reports.md, and in the order of the JSON report's "stats".
pinned=$(sed -n '/^    trace,KEY/,/^$/p' docs/reports.md | tr -d ' \n' | sed 's/^trace,KEY\.\.\.,//')
got=$(head -1 "$tmp/belady.csv" | sed 's/^trace,memory.policy,memory.frames,//')
[ "$got" = "$pinned" ] && ok || bad "header '$got' is not the one docs/reports.md pins: '$pinned'"
stats=$("$vmsim" run scenarios/belady.ini --format json | grep '"stats"' |
    sed 's/.*"stats": {//; s/}.*//; s/: null//g; s/: [0-9.]*//g; s/"//g; s/ //g')
[ "$got" = "$stats" ] && ok || bad "header counters '$got' are not the JSON stats keys '$stats'"

# Several traces and a machine with a TLB: every cell against its run.
traceopt="--trace"
"$vmsim" sweep --trace tests/data/belady.pages --trace tests/data/trace/small.lackey.xz \
    --vary tlb.entries=0,4,8 --vary memory.frames=8..14:3 >"$tmp/tlb.csv" 2>"$tmp/err" && ok || bad "tlb sweep exits 0"
# check_rows puts --trace before the trace named in the row
check_trace_rows() {
    head -1 "$1" >"$tmp/one.csv.h"
    for t in $(tail -n +2 "$1" | cut -d, -f1 | sort -u); do
        { cat "$tmp/one.csv.h"; grep "^$t," "$1"; } >"$tmp/one.csv"
        traceopt="--trace $t"
        check_rows "$tmp/one.csv"
    done
}
check_trace_rows "$tmp/tlb.csv"

# --- the LRU stack pass equals separate runs ------------------------------------
# uniform_1k_s1.pages: 1,000 references over 50 pages; every frame count 1..55.
VMSIM_SWEEP_PLAN=1 "$vmsim" sweep --trace tests/data/uniform_1k_s1.pages --set memory.policy=lru \
    --set memory.page_tables=separate --vary memory.frames=1..55 \
    --counters references,page_faults,evictions >"$tmp/stack.csv" 2>"$tmp/err" && ok || bad "stack sweep exits 0"
grep -q '55 cells: 55 in 1 stack pass, 0 run separately' "$tmp/err" && ok || bad "one stack pass: $(cat "$tmp/err")"
head -1 "$tmp/stack.csv" | grep -qx 'trace,memory.frames,references,page_faults,evictions' && ok ||
    bad "--counters keeps the columns asked for"
traceopt="--trace tests/data/uniform_1k_s1.pages"
check_rows "$tmp/stack.csv" --set memory.policy=lru --set memory.page_tables=separate
# OPT's priority stack, the same way
VMSIM_SWEEP_PLAN=1 "$vmsim" sweep --trace tests/data/uniform_1k_s1.pages --set memory.policy=opt \
    --set memory.page_tables=separate --vary memory.frames=1..55 \
    --counters references,page_faults,evictions >"$tmp/opt.csv" 2>"$tmp/err" && ok || bad "opt stack sweep exits 0"
grep -q '55 cells: 55 in 1 stack pass, 0 run separately' "$tmp/err" && ok || bad "one OPT stack pass: $(cat "$tmp/err")"
check_rows "$tmp/opt.csv" --set memory.policy=opt --set memory.page_tables=separate
# OPT with 3 frames on 1 2 3 4 1 2 5 1 2 3 4 5, by hand: 1 2 3 fault; 4 evicts 3 (next
# used last); 1 2 hit; 5 evicts 4; 1 2 hit; 3 evicts 1; 4 evicts 2 or 3; 5 hits: 7.
"$vmsim" sweep scenarios/belady.ini --set memory.policy=opt --vary memory.frames=3 --counters page_faults |
    tail -1 | grep -qx 'scenarios/belady.ini,3,7' && ok || bad "OPT, 3 frames, Belady's string: 7 faults"
# a pass that turns out not to fit (default.ini's process is killed by a segfault at
# step 17) falls back to separate runs; --steps stops the pass where it stops a run
traceopt=""
"$vmsim" sweep scenarios/default.ini --set memory.page_tables=separate --set memory.policy=lru \
    --vary memory.frames=1..6 --counters references,page_faults,evictions >"$tmp/fall.csv" && ok || bad "fallback sweep"
check_rows "$tmp/fall.csv" scenarios/default.ini --set memory.page_tables=separate --set memory.policy=lru
traceopt="--trace tests/data/uniform_1k_s1.pages"
"$vmsim" sweep --trace tests/data/uniform_1k_s1.pages --set memory.policy=lru --set memory.page_tables=separate \
    --vary memory.frames=1..30:7 --steps 333 --counters references,page_faults,evictions >"$tmp/steps.csv" && ok || bad "--steps sweep"
check_rows "$tmp/steps.csv" --set memory.policy=lru --set memory.page_tables=separate --steps 333
# the same sweep on a machine a stack pass does not fit (page tables in RAM) runs separately
VMSIM_SWEEP_PLAN=1 "$vmsim" sweep --trace tests/data/uniform_1k_s1.pages --set memory.policy=lru \
    --set memory.page_tables=ram \
    --vary memory.frames=4..40:9 --counters references,page_faults,evictions >"$tmp/ram.csv" 2>"$tmp/err" && ok || bad "ram sweep"
grep -q '5 cells: 0 in 0 stack passes, 5 run separately' "$tmp/err" && ok || bad "separate runs: $(cat "$tmp/err")"
check_rows "$tmp/ram.csv" --set memory.policy=lru --set memory.page_tables=ram

# --- -j and shards ----------------------------------------------------------------
args="scenarios/belady.ini --vary memory.policy=fifo,lru,random --vary memory.frames=1..7 --vary tlb.entries=0,4"
# shellcheck disable=SC2086
"$vmsim" sweep $args -j 1 >"$tmp/j1.csv" && ok || bad "-j 1"
# shellcheck disable=SC2086
"$vmsim" sweep $args -j 2 >"$tmp/j2.csv" && ok || bad "-j 2"
same "$tmp/j1.csv" "$tmp/j2.csv" "-j 1 and -j 2 give the same bytes"
# shellcheck disable=SC2086
"$vmsim" sweep $args -j 1 --format json >"$tmp/j1.json" && ok || bad "json"
for i in 1 2 3 4 5; do
    # shellcheck disable=SC2086
    "$vmsim" sweep $args --shard $i/5 -j 2 >"$tmp/part$i" || bad "shard $i/5"
done
head -1 "$tmp/part2" | grep -q '^# vmsim sweep shard 2/5: rows 9-16 of 42$' && ok || bad "shard line: $(head -1 "$tmp/part2")"
"$vmsim" sweep --merge "$tmp/part4" "$tmp/part2" "$tmp/part1" "$tmp/part5" "$tmp/part3" >"$tmp/merged.csv" && ok || bad "merge"
same "$tmp/j1.csv" "$tmp/merged.csv" "merged shards equal the unsharded CSV"
"$vmsim" sweep --merge "$tmp"/part? --format json >"$tmp/merged.json" && ok || bad "merge json"
same "$tmp/j1.json" "$tmp/merged.json" "merged shards equal the unsharded JSON"
# more shards than cells: empty slices still merge
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    "$vmsim" sweep scenarios/belady.ini --vary memory.frames=3..4 --shard $i/20 >"$tmp/tiny$i" || bad "tiny shard $i"
done
"$vmsim" sweep scenarios/belady.ini --vary memory.frames=3..4 >"$tmp/tiny.csv"
# shellcheck disable=SC2046
"$vmsim" sweep --merge $(for i in $(seq 1 20); do echo "$tmp/tiny$i"; done) >"$tmp/tinym.csv" && ok || bad "merge 20 tiny shards"
same "$tmp/tiny.csv" "$tmp/tinym.csv" "20 shards of 2 rows merge"

# --- plots -------------------------------------------------------------------------
"$vmsim" sweep scenarios/belady.ini --vary memory.policy=fifo,lru --vary memory.frames=1..6 \
    --plot "$tmp/p.svg" --plot "$tmp/p.gp" --plot "$tmp/p.png" >/dev/null 2>"$tmp/err" && ok || bad "plots: $(cat "$tmp/err")"
grep -q '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"' "$tmp/p.svg" && ok || bad "SVG 1200x800"
for w in 'Page faults against frames' 'trace: scenarios/belady.ini' '>fifo<' '>lru<' 'page faults' 'memory.frames'; do
    grep -q "$w" "$tmp/p.svg" && ok || bad "SVG has '$w'"
done
[ "$(grep -c '<polyline' "$tmp/p.svg")" -eq 2 ] && ok || bad "SVG: one line per policy"
grep -q '^plot \$s0 with linespoints' "$tmp/p.gp" && grep -q '^1 12$' "$tmp/p.gp" && ok || bad "gnuplot script with its data"
# PNG: signature, then the IHDR chunk's width and height (PNG spec, 11.2.2)
[ "$(od -An -tx1 -N8 "$tmp/p.png" | tr -d ' ')" = 89504e470d0a1a0a ] && ok || bad "PNG signature"
[ "$(od -An -tx1 -j16 -N8 "$tmp/p.png" | tr -d ' ')" = 00000004b0000003 ] || [ "$(od -An -tx1 -j16 -N8 "$tmp/p.png" | tr -d ' ')" = 000004b000000320 ] && ok || bad "PNG is 1200x800"
# plots from merged shards are the same as from the whole sweep
"$vmsim" sweep --merge "$tmp"/part? --plot "$tmp/m.svg" >/dev/null && "$vmsim" sweep $args --plot "$tmp/w.svg" >/dev/null
same "$tmp/w.svg" "$tmp/m.svg" "the merged sweep's SVG equals the whole sweep's"
"$vmsim" sweep scenarios/belady.ini --vary memory.policy=fifo,lru --plot "$tmp/no.svg" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/no.svg" ] && [ ! -s "$tmp/out" ] && grep -q 'a plot needs a varied key with numbers' "$tmp/err" && ok ||
    bad "a plot with no numeric key: exit 2, no file, a message"

# --- a run that stops (out of memory with panic_on_oom): its row, exit 1 -------------
"$vmsim" sweep scenarios/swap-writeback.ini --vary swap.slots=0,8 --set oom.panic_on_oom=yes \
    --counters page_faults,swap_outs >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 3 ] && grep -q 'row 1: Kernel panic' "$tmp/err" && ok ||
    bad "a stopped run: exit $st (wanted 1), all rows, the reason: $(cat "$tmp/err")"
"$vmsim" run scenarios/swap-writeback.ini --set swap.slots=0 --set oom.panic_on_oom=yes --format json 2>/dev/null |
    grep -o '"page_faults": [0-9]*' | head -1 | grep -qx "\"page_faults\": $(sed -n 2p "$tmp/out" | cut -d, -f3)" &&
    ok || bad "the stopped row equals the stopped run"

# --- bad input: exit 2, a clear message, nothing on stdout ----------------------------
# expect_bad MESSAGE-PATTERN args...
expect_bad() {
    pat=$1
    shift
    "$vmsim" sweep "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $st -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "$pat" "$tmp/err"; then ok; else
        bad "sweep $*: exit $st (wanted 2), stdout $(wc -c <"$tmp/out") bytes, stderr: $(head -1 "$tmp/err")"
    fi
}
expect_bad "memory.frames=5..1: '5..1': the range is empty" scenarios/belady.ini --vary memory.frames=5..1
expect_bad "'1..8:0': the step must be at least 1" scenarios/belady.ini --vary memory.frames=1..8:0
expect_bad "'a..9': expected A..B or A..B:STEP" scenarios/belady.ini --vary memory.frames=a..9
expect_bad "an empty value" scenarios/belady.ini --vary memory.frames=1,,3
expect_bad "expected SECTION.KEY=SPEC" scenarios/belady.ini --vary frames=1..3
expect_bad "--vary memory.frames=0: expected a number of frames" scenarios/belady.ini --vary memory.frames=0..2
expect_bad "unknown key" scenarios/belady.ini --vary memory.nope=1,2
expect_bad "--format must be csv or json" scenarios/belady.ini --vary memory.frames=3 --format text
expect_bad "--shard needs I/N" scenarios/belady.ini --vary memory.frames=3 --shard 3/2
expect_bad "expected rows that follow\|expected shards 1 to\|a sweep in" --merge "$tmp/part1" "$tmp/part3"
expect_bad ":1: expected '# vmsim sweep shard" --merge "$tmp/j1.csv"
expect_bad "no/such.pages" --trace no/such.pages --vary memory.frames=1..2

finish sweep
