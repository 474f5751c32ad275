#!/bin/sh
# cs1550 traces' processes (docs/file-formats.md): each process number N is a process
# of its own, pN with pid N + 1, made at its first line, all sharing the frames. The
# expected faults and writes come from a small shared-frames simulator in awk over
# (process, page) keys (LRU, FIFO, OPT with ties to the lowest-numbered frame), not from
# vmsim's engine; every policy must also give the numbers of the same references folded
# into one process (process N's address A as N * 2^32 + A), as grade-sim's engine reads them.
# Usage: tests/verbs/cs1550.sh path/to/vmsim
set -u
vmsim=${1:?usage: cs1550.sh VMSIM}
. "$(dirname "$0")/../lib.sh"

check() { if eval "$2"; then ok; else bad "$1"; sed 's/^/  /' "$tmp/out" | head -20; fi; }

# Three processes; each uses pages 0-3 of its own, so the same page numbers recur in
# other processes (a simulator keyed by page alone faults less).
cat >"$tmp/t.cs1550" <<'TRACE'
l 0x00000010 0
s 0x00001020 1
l 0x00000030 1
s 0x00000040 0
l 0x00001050 2
l 0x00002060 0
s 0x00001070 1
l 00000080 2
l 0x00000090 0
s 0x000020a0 2
# a comment between references
l 0x000010b0 1
l 0x000000c0 1
s 0x000030d0 0
l 0x000010e0 2
l 0x000020f0 0
s 0x00000100 2
l 0x00001110 1
l 0x00000120 0
s 0x00003130 1
l 0x00002140 2
l 0x00000150 1
l 0x00003160 0
TRACE

# sim POLICY FRAMES: "faults writes" then "pN refs faults" per process in order of
# first appearance. A fault fills the lowest free frame, else the victim's frame; a
# page written since it was loaded is a write to disk when evicted.
sim() {
    awk -v pol="$1" -v nf="$2" '
    function hex(s,   v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s)
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v }
    function next_use(k, i,   j) { for (j = i + 1; j <= n; j++) if (key[j] == k) return j; return n + 1 }
    /^#/ || NF == 0 { next }
    { n++; op[n] = $1; pr[n] = $3; key[n] = $3 ":" int(hex($2) / 4096)
      if (!($3 in seen)) { seen[$3] = 1; order[++np] = $3 } }
    END {
        for (i = 1; i <= n; i++) {
            k = key[i]; refs[pr[i]]++
            if (!(k in frame)) {
                faults++; pf[pr[i]]++; f = -1
                for (g = 0; g < nf && f < 0; g++) if (!(g in owner)) f = g
                if (f < 0) {
                    f = 0; best = -1
                    for (g = 0; g < nf; g++) {
                        v = owner[g]
                        score = pol == "lru" ? -last[v] : pol == "fifo" ? -loaded[v] : next_use(v, i)
                        if (best < 0 || score > bestscore) { best = g; bestscore = score }
                    }
                    f = best; v = owner[f]; writes += dirty[v] + 0
                    delete frame[v]; delete dirty[v]
                }
                owner[f] = k; frame[k] = f; loaded[k] = i
            }
            last[k] = i
            if (op[i] == "s") dirty[k] = 1
        }
        printf "%d %d\n", faults, writes
        for (j = 1; j <= np; j++) printf "p%s %d %d\n", order[j], refs[order[j]], pf[order[j]]
    }' "$tmp/t.cs1550"
}

# vmsim's numbers in the same shape, from its JSON report.
numbers() {
    sed -n 's/.*"page_faults": \([0-9]*\), .*"writebacks": \([0-9]*\),.*/\1 \2/p' "$tmp/out"
    sed -n 's/.*"name": "\(p[0-9]*\)".*"references": \([0-9]*\), "page_faults": \([0-9]*\),.*/\1 \2 \3/p' "$tmp/out"
}

for frames in 3 4; do
    for pol in lru fifo opt; do
        expect 0 "cs1550 $pol $frames frames" "$vmsim" run --trace "$tmp/t.cs1550" --trace-format cs1550 \
            --config configs/textbook.ini --set memory.frames=$frames --set memory.policy=$pol --format json
        sim $pol $frames >"$tmp/want"
        numbers >"$tmp/got"
        check "cs1550 $pol with $frames frames: faults, writes and each process's references and faults" \
            'cmp -s "$tmp/want" "$tmp/got" || { echo want; cat "$tmp/want"; echo got; cat "$tmp/got"; false; }'
    done
done
# Worked by hand: with 3 frames LRU hits only at line 4 (p0's page 0 again): 21 faults,
# and the dirty pages evicted are p1's 1 (twice), p0's 0, 2's 2, 0's 3, 2's 0, 1's 3.
check "hand check: LRU with 3 frames faults 21 times and writes 7 pages" '[ "$(sim lru 3 | head -1)" = "21 7" ]'

# OPT's ties across processes go to the lowest-numbered frame, whoever owns it. With 2
# frames: line 3 finds p0's page 0 (frame 0) and p1's page 0 (frame 1, dirty) both never
# used again and evicts frame 0, so nothing is written; line 4 then evicts p2's page 0,
# again in frame 0. Ties broken towards frame 1 would write p1's page.
printf 'l 0x0 0\ns 0x0 1\nl 0x0 2\nl 0x1000 1\n' >"$tmp/tie.cs1550"
expect 0 "OPT tie" "$vmsim" run --trace "$tmp/tie.cs1550" --trace-format cs1550 --config configs/textbook.ini \
    --set memory.frames=2 --set memory.policy=opt --format csv --log all
check "OPT tie: frame 0 each time, no write" \
    '[ "$(cut -d, -f3,6 "$tmp/out" | tail -n +2 | tr "\n" " ")" = "1,0x0 2,0x1000 3,0x0 2,0x0 " ]'
expect 0 "OPT tie, counters" "$vmsim" run --trace "$tmp/tie.cs1550" --trace-format cs1550 --config configs/textbook.ini \
    --set memory.frames=2 --set memory.policy=opt --format json
check "OPT tie: 4 faults, 0 writes" '[ "$(numbers | head -1)" = "4 0" ]'

# The report lists the processes by their pids (N + 1), in order of first lines.
expect 0 "cs1550 text report" "$vmsim" run --trace "$tmp/t.cs1550" --trace-format cs1550 --config configs/textbook.ini
check "text report: p0 (pid 1), p1 (pid 2), p2 (pid 3), no main" \
    '[ "$(awk "/^ *PID/ { on = 1; next } on && NF { print \$1, \$2 }" "$tmp/out" | tr "\n" " ")" = "1 p0 2 p1 3 p2 " ]'

# Every policy gives the faults and writes of the folded trace (grade-sim's engine).
awk '/^#/ || NF == 0 { next }
     { a = $2; sub(/^0x/, "", a); printf "%s 0x%x%s\n", $1 == "s" ? "W" : "R", $3, a }' \
    "$tmp/t.cs1550" >"$tmp/folded.trace"
check "folded trace written" 'grep -q "^W 0x100001020$" "$tmp/folded.trace"'
policies=$("$vmsim" run --help | sed -n 's/^ *policies: //p')
check "policies listed" '[ -n "$policies" ]'
for pol in $policies; do
    for frames in 3 5; do
        "$vmsim" run --trace "$tmp/t.cs1550" --trace-format cs1550 --config configs/textbook.ini \
            --set memory.frames=$frames --set memory.policy=$pol --format json >"$tmp/out" 2>"$tmp/err"
        numbers | head -1 >"$tmp/procs"
        "$vmsim" run --trace "$tmp/folded.trace" --config configs/textbook.ini \
            --set memory.frames=$frames --set memory.policy=$pol --format json >"$tmp/out" 2>"$tmp/err"
        numbers | head -1 >"$tmp/one"
        check "$pol, $frames frames: processes give the folded trace's faults and writes" \
            '[ -s "$tmp/one" ] && cmp -s "$tmp/procs" "$tmp/one"'
    done
done

# A switch is a context switch: without ASIDs it flushes the TLB (a process's pages are
# walked again after another ran), with ASIDs its entries stay.
printf 'l 0x1000 0\nl 0x1000 1\nl 0x1000 0\nl 0x1000 1\n' >"$tmp/tlb.cs1550"
expect 0 "TLB without ASIDs" "$vmsim" run --trace "$tmp/tlb.cs1550" --trace-format cs1550 --log all \
    --set tlb.entries=8 --set tlb.asid=no
check "no ASIDs: each switch flushes, no hit" \
    '[ "$(grep -c "^step [0-9]*: switch to p" "$tmp/out")" = 4 ] && grep -q "^TLB hits  *0 " "$tmp/out"'
expect 0 "TLB with ASIDs" "$vmsim" run --trace "$tmp/tlb.cs1550" --trace-format cs1550 --log all \
    --set tlb.entries=8 --set tlb.asid=yes
check "ASIDs: the second visit of each process hits" 'grep -q "^TLB hits  *2 " "$tmp/out"'

# The stepper shows a process made at its first line.
printf 'print proc\nstep 2\nprint proc\nquit\n' >"$tmp/cmds"
expect 0 "stepper" "$vmsim" step --trace "$tmp/t.cs1550" --trace-format cs1550 --config configs/textbook.ini <"$tmp/cmds"
check "stepper: no process before the first line, then p0 and p1 (on the CPU)" \
    'grep -q "^no process yet" "$tmp/out" && grep -q "^step 2: p1 created for process 1 of the trace" "$tmp/out" &&
     grep -q "^    1  p0 " "$tmp/out" && grep -q "^\*   2  p1 " "$tmp/out"'

finish cs1550
