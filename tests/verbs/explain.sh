#!/bin/sh
# The per-access record (docs/reports.md): victims in the JSON log against a small
# FIFO/LRU written here in awk, a reason on every victim of every policy, the CSV and
# reflog projections of the same record, and copy-on-write's frames.
# Usage: tests/verbs/explain.sh path/to/vmsim
set -u
vmsim=${1:?usage: explain.sh VMSIM}
. "$(dirname "$0")/../lib.sh"

# The textbook victims of a page stream: FIFO evicts the page loaded earliest, LRU the
# page used least recently (Silberschatz 10.4.2, 10.4.4). One victim page per line.
textbook() {   # policy frames < stream
    awk -v pol="$1" -v nf="$2" '
    { p = $1; t++
      if (p in res) { if (pol == "lru") used[p] = t; next }
      if (n == nf) {
          v = ""; best = 0
          for (q in res) { k = (pol == "lru") ? used[q] : loaded[q]
                           if (v == "" || k < best) { v = q; best = k } }
          print v; delete res[v]; n--
      }
      res[p] = 1; loaded[p] = t; used[p] = t; n++ }'
}

# The victims' vpns of the JSON log, in order.
json_victims() {
    grep -o '"victims": \[[^]]*\]' | grep -o '"vpn": [0-9]*' | sed 's/.*: //'
}

# Page streams: the Belady string, a loop, and seeded pseudo-random ones.
printf '1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n' >"$tmp/s0"
awk 'BEGIN { for (i = 0; i < 40; i++) print i % 6 }' >"$tmp/s1"
for seed in 1 2 3 4 5; do
    awk -v seed=$seed 'BEGIN { srand(seed); for (i = 0; i < 200; i++) print int(rand() * 10) }' >"$tmp/s$((seed + 1))"
done
for s in 0 1 2 3 4 5 6; do
    for pol in fifo lru; do
        for nf in 3 4 5; do
            textbook $pol $nf <"$tmp/s$s" >"$tmp/want"
            "$vmsim" run --trace "$tmp/s$s" --format json --log all --set memory.policy=$pol \
                --set memory.frames=$nf | json_victims >"$tmp/got"
            if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "$pol $nf frames, stream s$s"; fi
        done
    done
done

# LFU counts a page's load as its first use, and only that (PolicyOps: insert is the
# first reference, touch every later one). Worked by hand, 3 frames, 1 2 1 3 4: pages 1,
# 2, 3 load into frames 0, 1, 2; 1 is used again (2 uses), 2 and 3 once each; 4 evicts
# the fewest uses, the oldest among equals: page 2 in frame 1.
printf '1\n2\n1\n3\n4\n' >"$tmp/lfu"
"$vmsim" run --trace "$tmp/lfu" --log all --set memory.policy=lfu --set memory.frames=3 >"$tmp/lfu.log"
grep -q 'why: LFU (least frequently used): frames in load order, oldest first: page 1 in frame 0 (uses 2), page 2 in frame 1 (uses 1), page 3 in frame 2 (uses 1)$' \
    "$tmp/lfu.log" && ok || bad "LFU's counts: one use per reference, the load included"
grep -q 'memory full: victim frame 1 holds' "$tmp/lfu.log" && ok || bad "LFU's victim on 1 2 1 3 4"

# reflog: a lackey M is one W reference (its R half folded into it), faulting when
# either half did. Worked by hand, FIFO with 3 frames (configs/textbook.ini), 4K pages:
# M 4000 evicts page 1 (clean); M 1000 evicts page 2 (dirty from S); page 4 is dirty
# from its M when L 6000 evicts it; M 7ffe,4 spans pages 7 and 8: two W references,
# evicting pages 1 (dirty from its M) and 5.
printf ' L 1000,4\n S 2000,4\n L 3000,4\n M 4000,4\n M 4008,4\n M 1000,4\n L 5000,4\n L 6000,4\n M 7ffe,4\n' >"$tmp/m.lackey"
printf '1 1 R M - 0\n2 2 W M - 0\n3 3 R M - 0\n4 4 W M 1 0\n5 4 W H - 0\n6 1 W M 2 1\n7 5 R M 3 0\n8 6 R M 4 1\n9 7 W M 1 1\n10 8 W M 5 0\n' >"$tmp/m.want"
"$vmsim" run --trace "$tmp/m.lackey" --trace-format lackey --config configs/textbook.ini --format reflog >"$tmp/m.got"
cmp -s "$tmp/m.want" "$tmp/m.got" && ok || bad "reflog: an M is one W reference"

# Every policy gives every victim a reason.
for p in fifo lru opt clock second-chance nru lfu aging wsclock random; do
    for sc in belady thrashing; do
        "$vmsim" run scenarios/$sc.ini --format json --log all --set memory.policy=$p >"$tmp/j"
        n=$(grep -o '"victims": \[{' "$tmp/j" | wc -l)
        e=$(grep -c '"reason": ""' "$tmp/j")
        if [ "$n" -gt 0 ] && [ "$e" -eq 0 ]; then ok; else bad "$p on $sc: $n victims, $e without a reason"; fi
    done
done

# The reflog is the JSON record's projection: the same victims in the same order.
"$vmsim" run --trace "$tmp/s2" --format reflog --set memory.policy=lru >"$tmp/ref"
awk '$5 != "-" { print $5 }' "$tmp/ref" >"$tmp/got"
textbook lru 3 <"$tmp/s2" >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "reflog victims"; fi
if [ "$(wc -l <"$tmp/ref")" -eq 200 ]; then ok; else bad "reflog: one line per reference"; fi

# CSV: today's 8 columns first, then the record's 6; the victim column as in the JSON.
"$vmsim" run --trace "$tmp/s0" --format csv --log all >"$tmp/c"
if head -1 "$tmp/c" | grep -qx 'step,line,pid,op,va,pa,tlb,fault,vpn,result,victim_pid,victim_vpn,victim_frame,writeback'
then ok; else bad "csv header"; fi
awk -F, 'NR > 1 && $12 != "" { print $12 }' "$tmp/c" >"$tmp/got"
textbook fifo 3 <"$tmp/s0" >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "csv victim_vpn"; fi

# Copy-on-write: "from" is the frame the page had before the write (the pa of the last
# access to that page), "to" the frame the write lands in (its pa).
"$vmsim" run scenarios/fork-cow.ini --format json --log all >"$tmp/j"
awk '
function hex(s,   i, v) { v = 0; for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
/"va": / {
    match($0, /"vpn": [0-9]+/); vpn = substr($0, RSTART + 7, RLENGTH - 7)
    match($0, /"pa": "0x[0-9a-f]+"/); pa = substr($0, RSTART + 7, RLENGTH - 8)
    frame = int(hex(pa) / 4096)
    if (match($0, /"cow": \{"from": [0-9]+, "to": [0-9]+/)) {
        split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/)
        n++
        if (f[2] != last[vpn] || f[3] != frame) { print "cow " f[2] "->" f[3] " want " last[vpn] "->" frame; badn++ }
    }
    last[vpn] = frame
}
END { if (n != 3 || badn) exit 1 }' "$tmp/j" && ok || bad "cow frames"

# The OOM killer's reasons: each badness sum is the kernel's oom_badness() (rss + swap
# entries + page-table pages + adj * (totalpages / 1000)), its terms are the task table's
# columns (pgtables_bytes / page size), the winner has the highest sum.
"$vmsim" run scenarios/oom-killer.ini --log all >"$tmp/oom"
awk '
/kernel: \[ *[0-9]+\]/ { gsub(/[][]/, " "); rss[$NF] = $6; pt[$NF] = $7 / 4096; adj[$NF] = $9 }
/why: .* badness = / {
    name = $2; n = split($0, w, " ")
    a = w[8]; sw = w[11]; t = w[15]; d = w[18]; tot = w[21]; e = w[n]
    if (e != a + sw + t + d * int(tot / 1000) || a != rss[name] || t != pt[name] || d != adj[name]) {
        print "bad sum: " $0; bad++ }
    if (e > best) { best = e; who = name }
    sums++
}
/why: .* has the highest badness/ { winner = $2 }
/why: .*unkillable \(oom_score_adj -1000\)/ { unk++ }
/why: no frame could be reclaimed/ { noreclaim++ }
END { if (bad || sums != 2 || unk != 1 || noreclaim != 1 || winner != who) { print sums, unk, winner, who; exit 1 } }
' "$tmp/oom" && ok || bad "oom badness sums"

# OSTEP's OPT (paging-policy.py -p OPT) evicts, among pages never used again, the one
# loaded last; `vmsim ostep --scenario` writes memory.opt_ties = latest-loaded, and the
# victims of vmsim run on that scenario are the Replaced: column of the Python program's
# own -c output (tests/data/ostep/outputs.tar.xz, cases g0282..g0345).
mkdir "$tmp/ostep"
xz -dc tests/data/ostep/outputs.tar.xz | tar -xf - -C "$tmp/ostep" || bad "cannot unpack OSTEP's outputs"
differs=0
for c in 0282:21 0289:22 0296:23 0303:24 0310:25 0317:26 0324:27 0331:28 0338:29 0345:30; do
    g=${c%:*} seed=${c#*:}
    "$vmsim" ostep paging-policy -s "$seed" -p OPT -n 20 -C 3 -c --scenario "$tmp/o.ini" >/dev/null
    sed -n 's/.*Replaced:\([0-9]*\) .*/\1/p' "$tmp/ostep/g$g.out" >"$tmp/want"
    "$vmsim" run "$tmp/o.ini" --format reflog | awk '$5 != "-" { print $5 }' >"$tmp/got"
    if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "OSTEP OPT victims, seed $seed"; fi
    "$vmsim" run "$tmp/o.ini" --format reflog --set memory.opt_ties=lowest-frame |
        awk '$5 != "-" { print $5 }' | cmp -s - "$tmp/want" || differs=$((differs + 1))
done
# The key matters: the lowest-frame rule gives other victims on some of these seeds.
[ "$differs" -gt 0 ] && ok || bad "opt_ties = lowest-frame never changed a victim"

# The TLB never changes silently: each kind of invalidation names the entries it drops,
# and each dropped entry is one a fill put there and nothing dropped since (a small model
# of the TLB's contents kept here from the log's fill and drop lines).
"$vmsim" run tests/data/tlb-invalidate.ini --log all >"$tmp/tlb"
for why in "mprotect changed the permissions" "fork write-protected the parent's entries" \
           "copy-on-write rewrote the entry" "its mapping was removed" "a switch with no ASIDs" \
           "its page was evicted"; do
    grep -q "TLB entry dropped ($why): page 0x" "$tmp/tlb" && ok || bad "no TLB drop for: $why"
done
awk '
/TLB fill: page/ { have[$4 " " $7] = 1 }
/TLB entry dropped/ { sub(/.*: page /, ""); sub(/,.*/, ""); k = $1 " " $4
                      if (!(k in have)) { print "dropped but not there: " k; bad++ } delete have[k]; since++ }
/TLB flushed: / { if ($3 != since) { print "flush of " $3 " after " since " drops"; bad++ } }
/^step/ { since = 0 }
END { exit bad ? 1 : 0 }' "$tmp/tlb" && ok || bad "TLB drops against the fills"
"$vmsim" run scenarios/default.ini --log all | grep -q "TLB entry dropped (its process ended): page 0x400000" &&
    ok || bad "no TLB drop for: its process ended"
# The child's write after a read finds its read-only entry: said, and counted as a miss.
awk '/^step 8: c W 0x602000/ { on = 1; next } on && /^step/ { on = 0 }
     on && /TLB hit, but the entry is read-only/ { found = 1 } END { exit !found }' "$tmp/tlb" &&
    ok || bad "a TLB hit on a read-only entry is not said"
"$vmsim" run tests/data/tlb-invalidate.ini --format json --log all >"$tmp/j"
grep -q '"step": 8, .*"tlb": "miss", "fault": "cow"' "$tmp/j" && ok || bad "the refused hit counts as a miss"
[ "$(grep -o '"tlb": "dtlb", "va"' "$tmp/j" | wc -l)" -eq "$(grep -c 'TLB entry dropped' "$tmp/tlb")" ] &&
    ok || bad "tlb_invalidated: one element per entry dropped"

# The stepper: print pt ADDR PROC shows each side of a copy-on-write (the frames the
# JSON record's cow names), print frames names every process mapping a shared frame.
printf 'step 9\nprint pt 0x601000 child\nprint pt 0x601000 shell\nprint pt 0x601000 2\nprint frames\nquit\n' |
    "$vmsim" step scenarios/fork-cow.ini >"$tmp/st" 2>&1
"$vmsim" run scenarios/fork-cow.ini --format json --log all >"$tmp/j"
from=$(grep '"step": 8,' "$tmp/j" | sed 's/.*"cow": {"from": \([0-9]*\), "to": \([0-9]*\)}.*/\1/')
to=$(grep '"step": 8,' "$tmp/j" | sed 's/.*"cow": {"from": \([0-9]*\), "to": \([0-9]*\)}.*/\2/')
[ "$(grep -c "^  -> frame $to," "$tmp/st")" -eq 2 ] && grep -q "^  -> frame $from," "$tmp/st" &&
    grep -q "walk of 0x601000 in child's page tables (pid 2)" "$tmp/st" &&
    grep -q "walk of 0x601000 in shell's page tables (pid 1)" "$tmp/st" && ok || bad "print pt ADDR PROC"
grep -q "text page 0x400000.*shared by shell (pid 1), child (pid 2)" "$tmp/st" &&
    ! grep -q "heap page 0x601000.*shared" "$tmp/st" && ok || bad "print frames: the owners of shared frames"
printf 'print pt 0x601000 nobody\nquit\n' | "$vmsim" step scenarios/fork-cow.ini 2>&1 |
    grep -q "no process named 'nobody'" && ok || bad "print pt with an unknown process"

# print frames marks the next victim: the frame the next eviction takes (the JSON log's
# victims), before each step of the Belady string, for the policies that can say.
for p in fifo lru opt clock second-chance nru lfu aging; do
    { i=0; while [ $i -lt 12 ]; do printf 'print frames\nstep\n'; i=$((i + 1)); done; echo quit; } |
        "$vmsim" step scenarios/belady.ini --set memory.policy=$p 2>&1 |
        awk '/<- next victim/ { m = $1 } /^step [0-9]+:/ { n = $2; sub(":", "", n); mark[n] = m; m = "" }
             END { for (k in mark) print k, mark[k] }' | sort -n >"$tmp/marks"
    "$vmsim" run scenarios/belady.ini --format json --log all --set memory.policy=$p |
        sed -n 's/.*"step": \([0-9]*\),.*"victims": \[{"frame": \([0-9]*\),.*/\1 \2/p' >"$tmp/vict"
    # every eviction was announced by the mark just before its step
    if [ -s "$tmp/vict" ] && awk 'NR == FNR { mark[$1] = $2; next } mark[$1] != $2 { bad = 1 } END { exit bad }' \
        "$tmp/marks" "$tmp/vict"; then ok; else bad "$p: print frames' next victim is not the next eviction"; fi
done

# Evicting a page shared since the fork: the victim line names every process mapping it,
# and the record's "evicted" lists each mapping removed (a, pid 1, and its child c, pid 3).
grep -q "memory full: victim frame [0-9]* holds page 0x601000 shared by a (pid 1), c (pid 3): every mapping goes" \
    "$tmp/tlb" && ok || bad "a shared victim does not name its mappings"
"$vmsim" run tests/data/tlb-invalidate.ini --format json --log all |
    grep '"victims": \[{"frame": [0-9]*, "pid": 1, "name": "a", "vpn": 1537' |
    grep -q '"evicted": \[{"pid": 1, "name": "a", "va": "0x601000"}, {"pid": 3, "name": "c", "va": "0x601000"}\]' &&
    ok || bad "evicted: every mapping of a shared victim"

# The stack: each page it grows is a line; the overflow names the limit it hit, the
# scenario's stack_limit (16K below the stack's top page's end, scenarios/stack-overflow.ini).
"$vmsim" run scenarios/stack-overflow.ini --log all >"$tmp/so"
[ "$(grep -c 'note: the stack grew down to 0x' "$tmp/so")" -eq 3 ] && ok || bad "the stack's growth is not said"
grep -q 'recurse killed: .*the stack may not grow below 0x7fffffffb000' "$tmp/so" && ok || bad "a stack overflow names its limit"

finish explain
