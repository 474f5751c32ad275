#!/bin/sh
# vmsim generate and vmsim grade. Every key is checked against a small FIFO/LRU/OPT
# simulator written here in awk (not vmsim's engine); seeds against FNV-1a values
# computed apart (tests/data/grade/seeds.txt); scores against points counted here.
# Usage: tests/verbs/grade.sh path/to/vmsim
set -u
vmsim=${1:?usage: grade.sh VMSIM}
data=$(dirname "$0")/../data/grade
lab=$data/lab.ini
. "$(dirname "$0")/../lib.sh"

check() { if eval "$2"; then ok; else bad "$1"; fi; }

# expect_exit STATUS DESCRIPTION command...: keeps stdout and stderr in $tmp.
expect_exit() {
    status=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$status" ]; then ok; else bad "$what: exit $got, wanted $status"; sed 's/^/  /' "$tmp/err" | head -3; fi
}

# The reference simulator: reads a key.txt and prints, per question, the parts it
# computes from the question's @policy, @frames and @string. Frames fill lowest
# first; a new page takes its victim's frame; OPT's ties go to the lowest frame; CLOCK's
# hand starts at frame 0, every reference (the load too) sets R, the hand clears set
# bits as it passes and stops one past the victim (include/vmsim/policy.h).
refsim() {
    awk '
    function nextuse(i, p,   k) { for (k = i + 1; k <= n; k++) if (pg[k] == p) return k; return 1e9 }
    function run(q, pol, nf,   i, j, f, best, p, s, seq, vic, st, faults, wb) {
        for (j = 0; j < nf; j++) { fr[j] = -1; dirty[j] = 0; rb[j] = 0 }
        hand = 0; faults = 0; wb = 0; seq = ""; vic = ""; st = ""
        for (i = 1; i <= n; i++) {
            p = pg[i]; f = -1
            for (j = 0; j < nf; j++) if (fr[j] == p) f = j
            if (f >= 0) { seq = seq " H"; last[f] = i; rb[f] = 1; if (wr[i]) dirty[f] = 1 }
            else {
                faults++; seq = seq " M"
                for (j = 0; j < nf; j++) if (fr[j] == -1) { f = j; break }
                if (f < 0) {
                    best = 0
                    for (j = 1; j < nf; j++) {
                        if (pol == "fifo" && load[j] < load[best]) best = j
                        if (pol == "lru" && last[j] < last[best]) best = j
                        if (pol == "opt" && nextuse(i, fr[j]) > nextuse(i, fr[best])) best = j
                    }
                    if (pol == "clock") {
                        while (rb[hand]) { rb[hand] = 0; hand = (hand + 1) % nf }
                        best = hand; hand = (hand + 1) % nf
                    }
                    f = best; vic = vic " " fr[f]; if (dirty[f]) wb++
                }
                fr[f] = p; load[f] = i; last[f] = i; dirty[f] = wr[i]; rb[f] = 1
            }
            s = ""
            for (j = 0; j < nf; j++) s = s (j ? " " : "") (fr[j] < 0 ? "-" : fr[j])
            st = st (i > 1 ? " | " : "") s
        }
        if (vic == "") vic = " -"
        print q ".seq =" seq; print q ".faults = " faults; print q ".victims =" vic
        print q ".writebacks = " wb; print q ".state = " st
    }
    /^@[a-z0-9_-]+\.policy = / { split($1, a, "."); pol[substr(a[1], 2)] = $3 }
    /^@[a-z0-9_-]+\.frames = / { split($1, a, "."); nfr[substr(a[1], 2)] = $3 }
    /^@[a-z0-9_-]+\.string = / {
        split($1, a, "."); q = substr(a[1], 2); n = NF - 2
        for (i = 1; i <= n; i++) { w = $(i + 2); wr[i] = (w ~ /w$/); sub(/w$/, "", w); pg[i] = w + 0 }
        run(q, pol[q], nfr[q])
    }' "$1"
}

# --- generate ----------------------------------------------------------------
expect_exit 0 "generate" "$vmsim" generate "$lab" --student jdoe --student Alice --out "$tmp/a"
check "generate lists ID SEED DIR" "grep -qx 'jdoe 0x[0-9a-f]\{16\} $tmp/a/jdoe' '$tmp/out'"
"$vmsim" generate "$lab" --student alice --student jdoe --out "$tmp/b" >/dev/null 2>&1
check "generating twice gives identical trees" "diff -r '$tmp/a' '$tmp/b' >/dev/null"
for f in questions.txt answers.txt key.txt lru4.ini fifo3.ini opt3.ini; do
    check "generate writes $f" "[ -s '$tmp/a/jdoe/$f' ]"
done
for q in lru4 fifo3 opt3; do
    want=$(awk -v k="jdoe/$q" '$1 == k { print $2 }' "$data/seeds.txt")
    check "$q's seed is FNV-1a of salt/id/question" "grep -qx '@$q.seed = $want' '$tmp/a/jdoe/key.txt'"
done
check "alice's variant differs from jdoe's" "! cmp -s '$tmp/a/alice/key.txt' '$tmp/a/jdoe/key.txt'"
check "the key records vmsim's version" "grep -q '^@version = vmsim ' '$tmp/a/jdoe/key.txt'"
expect_exit 0 "every variant passes vmsim check" "$vmsim" check "$tmp"/a/*/*.ini
expect_exit 0 "a variant opens in vmsim run" "$vmsim" run "$tmp/a/jdoe/lru4.ini"
faults=$(awk '/^lru4.faults/ { print $3 }' "$tmp/a/jdoe/key.txt")
check "vmsim run of the variant counts the key's faults" "grep -Eq '^page faults +$faults ' '$tmp/out'"
# The machine written into each variant is configs/textbook.ini's.
for kv in 'entries = 0' 'page_tables = separate' 'slots = unlimited' 'arch = x86_64'; do
    check "variant scenario has textbook's $kv" "grep -qx '$kv' '$tmp/a/jdoe/lru4.ini' && grep -qx '$kv' configs/textbook.ini"
done

# --- keys against the reference simulator --------------------------------------
expect_exit 0 "generate 200" "$vmsim" generate "$lab" --roster "$data/roster.txt" --out "$tmp/c"
check "200 students listed" "[ \$(wc -l < '$tmp/out') -eq 200 ]"
awk '{ print $1, $2 }' "$tmp/out" > "$tmp/seeds"
check "student seeds are FNV-1a of salt/id" "grep '^s' '$data/seeds.txt' | diff - '$tmp/seeds' >/dev/null"
badkeys=0
for d in "$tmp"/c/s0[0-4]?; do
    refsim "$d/key.txt" > "$tmp/ref"
    grep -E '^[a-z0-9]+\.[a-z]+ = ' "$d/key.txt" | while read -r line; do
        grep -qxF "$line" "$tmp/ref" || { echo "  $d: $line"; echo x; }
    done | grep -q x && badkeys=$((badkeys + 1))
done
check "keys of 49 students agree with the awk simulator ($badkeys differ)" "[ $badkeys -eq 0 ]"

# CLOCK, against the same simulator.
printf '[exercise]\nsalt = clock\n[question c]\nkind = faults\npolicy = clock\nframes = 4\nrefs = 30\npages = 0-7\nwrites = 20\nask = seq faults victims writebacks state\n' > "$tmp/clock.ini"
"$vmsim" generate "$tmp/clock.ini" --student a --student b --student c --student d --out "$tmp/clk" > /dev/null 2>&1
badkeys=0
for d in "$tmp"/clk/?; do
    refsim "$d/key.txt" > "$tmp/ref"
    for l in $(grep -E '^c\.' "$d/key.txt" | tr ' ' '~'); do
        grep -qxF "$(echo "$l" | tr '~' ' ')" "$tmp/ref" || badkeys=$((badkeys + 1))
    done
done
check "CLOCK keys of 4 students agree with the awk simulator ($badkeys lines differ)" "[ $badkeys -eq 0 ] && [ -s '$tmp/clk/d/key.txt' ]"

# --- grading ---------------------------------------------------------------------
key=$tmp/a/jdoe/key.txt
expect_exit 0 "grade the key" "$vmsim" grade "$lab" "$key"
check "the key graded against itself scores full marks" "head -1 '$tmp/out' | grep -Eq '^jdoe: ([0-9.]+) / \\1 '"
expect_exit 0 "grade the blank template" "$vmsim" grade "$lab" "$tmp/a/jdoe"
check "the blank template scores 0" "head -1 '$tmp/out' | grep -q '^jdoe: 0 / '"
check "the blank template is gradable" "! grep -q 'not gradable' '$tmp/out'"

# One changed answer: the first victim of lru4 (0.5 points).
right=$(awk '/^lru4.victims/ { print $3 }' "$key")
awk '/^lru4.victims/ { $3 = 99 } { print }' "$key" > "$tmp/one.txt"
expect_exit 0 "grade one wrong victim" "$vmsim" grade "$lab" "$tmp/one.txt"
full=$("$vmsim" grade "$lab" "$key" | awk 'NR == 1 { print $4 }')
less=$(awk -v f="$full" 'BEGIN { printf "%g", f - 0.5 }')
check "one wrong victim loses exactly 0.5" "head -1 '$tmp/out' | grep -q '^jdoe: $less / $full '"
check "only lru4.victims lost points" "[ \$(grep -c 'first wrong\|  wrong' '$tmp/out') -eq 1 ] && grep -q 'lru4.victims .*first wrong at position 1' '$tmp/out'"
check "the explanation names the right victim" "grep -q 'lru4.victims, eviction 1 .*you answered 99; the answer is $right\\.' '$tmp/out'"
check "the explanation orders pages by last use" "grep -A1 'Resident pages by last use, least recent first:' '$tmp/out' | grep -q '^    $right (last used at '"
check "the explanation gives a replay command" "grep -q 'Replay: vmsim step $tmp/a/jdoe/lru4.ini' '$tmp/out' || grep -q 'Replay: vmsim generate' '$tmp/out'"

# FIFO's sequence for the LRU question (with the same frames) is recognised.
printf '[exercise]\nsalt = x\n[question q]\nkind = faults\npolicy = lru\nframes = 3\nstring = 7 0 1 2 0 3 0 4 2 3 0 3 2\nask = seq faults\n' > "$tmp/lru.ini"
printf '@q.policy = fifo\n@q.frames = 3\n@q.string = 7 0 1 2 0 3 0 4 2 3 0 3 2\n' > "$tmp/fifo.key"
refsim "$tmp/fifo.key" | grep '^q.seq' > "$tmp/fifo.txt"
expect_exit 0 "grade FIFO's sequence for LRU" "$vmsim" grade "$tmp/lru.ini" "$tmp/fifo.txt"
check "FIFO's sequence is recognised" "grep -q 'Your sequence is exactly FIFO.s with 3 frames' '$tmp/out'"

# The grammar: the key written another way (case, HIT/FAULT words, runs of H and M,
# 0x hex, CSV lines, commas, comments, upper-case ids) still scores full marks.
awk '
/^@/ || /^#/ { next }
/^student/ { print "STUDENT = JDOE   # a comment"; next }
/^lru4.seq/ { s = ""; for (i = 3; i <= NF; i++) s = s ($i == "H" ? "h" : "M"); print "LRU4.Seq = " s; next }
/^lru4.faults/ { printf "lru4.faults,0x%x\n", $3; next }
/^lru4.victims/ { s = ""; for (i = 3; i <= NF; i++) s = s (i > 3 ? ", " : "") $i; print "lru4.victims = " s; next }
/^fifo3.seq/ { s = ""; for (i = 3; i <= NF; i++) s = s " " ($i == "H" ? "HIT" : "fault"); print "fifo3.seq =" s; next }
/^fifo3.state/ { gsub(/-/, "none"); gsub(/ \| /, "|"); print; next }
{ print }' "$key" > "$tmp/grammar.txt"
"$vmsim" grade "$lab" "$tmp/grammar.txt" > "$tmp/out"
check "the grammar's other spellings score full marks" "head -1 '$tmp/out' | grep -q '^jdoe: $full / $full '"
check "the grammar: no format errors" "! grep -q expected '$tmp/out'"

# Long answers: a 400-reference string's seq (800 characters on one line).
{ printf '[exercise]\nsalt = x\n[question q]\nkind = faults\npolicy = lru\nframes = 5\nrefs = 400\npages = 0-9\n'; } > "$tmp/big.ini"
"$vmsim" generate "$tmp/big.ini" --student a --out "$tmp/big" > /dev/null 2>&1
"$vmsim" grade "$tmp/big.ini" "$tmp/big/a/key.txt" > "$tmp/out"
check "a 400-position answer is read whole" "grep -Eq '^  q.seq +100 / 100 ' '$tmp/out'"

# Malformed lines: reported FILE:LINE, the rest graded; --strict exits 3.
{ cat "$key"; echo 'this is not an answer'; } > "$tmp/mal.txt"
line=$(wc -l < "$tmp/mal.txt")
expect_exit 0 "a malformed line" "$vmsim" grade "$lab" "$tmp/mal.txt"
check "malformed line named FILE:LINE" "grep -q \"$tmp/mal.txt:$line: expected ITEM = ANSWER, got 'this is not an answer'\" '$tmp/out'"
check "the rest is graded" "head -1 '$tmp/out' | grep -q '^jdoe: $full / $full '"
expect_exit 3 "--strict with a malformed line" "$vmsim" grade "$lab" "$tmp/mal.txt" --strict
expect_exit 0 "--strict with a clean key" "$vmsim" grade "$lab" "$key" --strict
echo 'nothing here' > "$tmp/junk.txt"
expect_exit 0 "a file with no valid line" "$vmsim" grade "$lab" "$tmp/junk.txt" --format prairielearn
check "no valid line: gradable false" "grep -q '\"gradable\": false' '$tmp/out'"

# --student: an autograder says who submitted; a 'student =' line for another is flagged.
expect_exit 0 "grade --student" "$vmsim" grade "$lab" "$key" --student alice --explain none
check "--student grades as that student" "head -1 '$tmp/out' | grep -q '^alice: '"
check "--student flags a student line for another" "grep -q \"$key:2: student = jdoe, but this submission is graded as alice\" '$tmp/out'"
expect_exit 0 "grade --student, the same id" "$vmsim" grade "$lab" "$key" --student JDOE --strict
expect_exit 2 "--student with several submissions" "$vmsim" grade "$lab" "$key" "$tmp/one.txt" --student x

# Gradescope: the top-level score is the sum of the tests.
expect_exit 0 "gradescope" "$vmsim" grade "$lab" "$tmp/one.txt" --format gradescope
check "gradescope score = sum of tests" "awk -F'\"score\": ' '/^  \"score\"/ { split(\$2, a, \",\"); top = a[1] } /\"max_score\"/ { split(\$2, a, \",\"); s += a[1]; n++ } END { exit !(n == 8 && (top - s) ^ 2 < 1e-9) }' '$tmp/out'"
check "gradescope visibility from the exercise" "grep -q '\"name\": \"opt3.victims\".*\"visibility\": \"after_due_date\"' '$tmp/out'"
expect_exit 0 "prairielearn" "$vmsim" grade "$lab" "$tmp/mal.txt" --format prairielearn
for field in '"succeeded": true' '"gradable": true' '"score": 1,' '"format_errors": \[' '"tests": \[' '"points": ' '"max_points": ' '"message": '; do
    check "prairielearn has $field" "grep -q '$field' '$tmp/out'"
done

# Credit modes: prefix keeps the positions before the first wrong one; exact is all
# or nothing; follow-through judges each step from the student's earlier victims.
n=$(awk '/^fifo3.seq/ { print NF - 2 }' "$key")
awk '/^fifo3.seq/ { $5 = ($5 == "H" ? "M" : "H") } { print }' "$key" > "$tmp/prefix.txt"
"$vmsim" grade "$lab" "$tmp/prefix.txt" > "$tmp/out"
check "prefix: wrong third of $n keeps 2 positions" "grep -Eq '^  fifo3.seq +1 / $(awk -v n="$n" 'BEGIN { printf "%g", n * 0.5 }') ' '$tmp/out'"
printf '[exercise]\nsalt = x\n[question q]\nkind = faults\npolicy = fifo\nframes = 3\nstring = 1 2 3 4 1 2 5 1 2 3 4 5\nask = seq victims\ncredit = follow-through\npoints = seq:1 victims:1\n' > "$tmp/ft.ini"
# FIFO, 3 frames: victims 1 2 3 4 1 2. A student evicts 2 first (wrong), then goes on
# right from their own memory (1 2 3 | 4 replaces 2): 1, 3, 4, 2, 5, 1. Per-item that
# is 2 of 6 right (3 and 4); followed through, 5 of 6.
printf 'q.victims = 2 1 3 4 2 5 1\n' > "$tmp/ft.txt"
"$vmsim" grade "$tmp/ft.ini" "$tmp/ft.txt" --explain none > "$tmp/out"
check "follow-through credits the steps after a wrong victim" "grep -Eq '^  q.victims +5 / 6 ' '$tmp/out'"
sed 's/follow-through/per-item/' "$tmp/ft.ini" > "$tmp/pi.ini"
"$vmsim" grade "$tmp/pi.ini" "$tmp/ft.txt" --explain none > "$tmp/out"
check "per-item credits only equal positions" "grep -Eq '^  q.victims +2 / 6 ' '$tmp/out'"
sed 's/follow-through/exact/' "$tmp/ft.ini" > "$tmp/ex.ini"
"$vmsim" grade "$tmp/ex.ini" "$tmp/ft.txt" --explain none > "$tmp/out"
check "exact gives nothing for one wrong victim" "grep -Eq '^  q.victims +0 / 6 ' '$tmp/out'"

# --- tlb and oom kinds ------------------------------------------------------------------
# TLB: a set-associative TLB in awk (set = page mod sets; LRU by last use, FIFO by fill
# time; an empty way is filled first).
tlbsim() {
    awk '
    /^@[a-z0-9]+\.entries = / { split($1, a, "."); q = substr(a[1], 2); ent[q] = $3 }
    /^@[a-z0-9]+\.ways = / { split($1, a, "."); ways[q] = $3 }
    /^@[a-z0-9]+\.policy = / { split($1, a, "."); pol[q] = $3 }
    /^@[a-z0-9]+\.string = / {
        split($1, a, "."); q = substr(a[1], 2); w = ways[q]; sets = ent[q] / w
        delete tag; delete stamp; hits = 0; seq = ""
        for (i = 3; i <= NF; i++) {
            p = $i + 0; s = p % sets; f = -1
            for (k = 0; k < w; k++) if ((s, k) in tag && tag[s, k] == p) f = k
            if (f >= 0) { hits++; seq = seq " H"; if (pol[q] == "lru") stamp[s, f] = i; continue }
            seq = seq " M"; v = -1
            for (k = 0; k < w; k++) if (!((s, k) in tag)) { v = k; break }
            if (v < 0) { v = 0; for (k = 1; k < w; k++) if (stamp[s, k] < stamp[s, v]) v = k }
            tag[s, v] = p; stamp[s, v] = i
        }
        print q ".seq =" seq; print q ".hits = " hits; print q ".misses = " NF - 2 - hits
    }' "$1"
}
"$vmsim" generate "$data/kinds.ini" --student ann --student ben --student cy --out "$tmp/k" > /dev/null 2>&1
for id in ann ben cy; do
    tlbsim "$tmp/k/$id/key.txt" > "$tmp/ref"
    check "$id: TLB keys agree with the awk TLB" "grep -E '^tf?\\.' '$tmp/k/$id/key.txt' | while read -r l; do grep -qxF \"\$l\" '$tmp/ref' || exit 1; done"
    check "$id: tlb seq present" "grep -q '^t.seq = [HM ]*\$' '$tmp/k/$id/key.txt'"
done
# OOM (Linux mm/oom_kill.c oom_badness, fs/proc/base.c proc_oom_score): totalpages =
# 2000 frames + 0 swap; points = rss + swap + page-table pages + adj * (2000 / 1000);
# oom_score = (1000 + points * 1000 / totalpages) * 2 / 3; adj -1000 scores 0. When
# cache (the third to run) finds memory full, web holds 400 pages, db 900 and cache
# 2000 - 1300 (page tables are kept apart). Page-table pages of a heap at 0x600000 on
# x86_64: a PDPT, a PD and one PT per 2 MiB (512 pages) it spans, plus R for the root
# (R = 1 where the root is counted, 0 as the kernel's mm_pgtables_bytes does).
oomcheck() {
    awk -v R="$1" 'function tables(p) { return R + 2 + int((1536 + p - 1) / 512) - 3 + 1 }
    BEGIN {
        tot = 2000; cache = tot - 400 - 900
        b["web"] = 400 + tables(400); b["db"] = 900 + tables(900) - 300 * 2
        b["cache"] = cache + tables(cache) + 300 * 2
        for (n in b) s[n] = int((1000 + int(b[n] * 1000 / tot)) * 2 / 3)
        printf "o.scores = %d %d %d 0\n", s["web"], s["db"], s["cache"]
    }'
}
check "oom: the victim is cache (largest points)" "grep -qx 'o.victim = cache' '$tmp/k/ann/key.txt'"
check "oom: scores by the kernel's formula" "{ oomcheck 0; oomcheck 1; } | grep -qxF \"\$(grep '^o.scores' '$tmp/k/ann/key.txt')\""
grep '^o\.' "$tmp/k/ann/key.txt" > "$tmp/o.ann"; grep '^o\.' "$tmp/k/ben/key.txt" > "$tmp/o.ben"
check "oom: the same for every student (no drawn input)" "cmp -s '$tmp/o.ann' '$tmp/o.ben'"
expect_exit 0 "oom variant runs" "$vmsim" run "$tmp/k/ann/o.ini"
check "oom variant kills cache in vmsim run" "grep -q 'Killed process [0-9]* (cache)' '$tmp/out'"
# --set 'process NAME.KEY=VALUE' changes the variant: with db at +1000, db dies.
"$vmsim" generate "$data/kinds.ini" --student ann --set 'process db.oom_score_adj=1000' --out "$tmp/k2" > /dev/null 2>&1
check "--set process: db dies instead" "grep -qx 'o.victim = db' '$tmp/k2/ann/key.txt'"
sed 's/^o.victim = .*/o.victim = db/' "$tmp/k2/ann/key.txt" > "$tmp/setans.txt"
"$vmsim" grade "$data/kinds.ini" "$tmp/setans.txt" --set 'process db.oom_score_adj=1000' > "$tmp/out"
check "grade --set process regrades with the same change" "grep -Eq '^  o.victim +1 / 1' '$tmp/out'"
expect_exit 2 "--set an unknown process" "$vmsim" generate "$data/kinds.ini" --student ann --set 'process nope.oom_score_adj=5' --out "$tmp/k3"
check "--set unknown process named" "grep -q \"process nope.oom_score_adj=5: no question's scenario has that process\" '$tmp/err'"
sed 's/^o.victim = .*/o.victim = web/' "$tmp/k/ann/key.txt" > "$tmp/oomwrong.txt"
"$vmsim" grade "$data/kinds.ini" "$tmp/oomwrong.txt" > "$tmp/out"
check "oom: a wrong victim explained with the formula" "grep -q 'o.victim: you answered web; the answer is cache' '$tmp/out' && grep -q 'oom_score = (1000 + badness' '$tmp/out'"
check "oom: wrong victim loses only its point" "grep -Eq '^  o.scores +4 / 4' '$tmp/out'"

# --keys: grade against saved keys (an edited key changes the verdict).
mkdir -p "$tmp/keys/jdoe"
sed 's/^lru4.faults = .*/lru4.faults = 999/' "$tmp/a/jdoe/key.txt" > "$tmp/keys/jdoe/key.txt"
"$vmsim" grade "$lab" "$tmp/a/jdoe/key.txt" --keys "$tmp/keys" > "$tmp/out"
check "--keys: the saved key is used" "grep -q 'lru4.faults: you answered [0-9]*; the answer is 999' '$tmp/out'"
{ cat "$tmp/a/jdoe/key.txt"; echo '@lru4.victims.accept = 99 98'; } > "$tmp/keys/jdoe/key.txt"
printf 'student = jdoe\nlru4.victims = 99 98\n' > "$tmp/alt.txt"
"$vmsim" grade "$lab" "$tmp/alt.txt" --keys "$tmp/keys" --explain none > "$tmp/out"
check "--keys: an @accept alternative scores the whole part" "grep -Eq '^  lru4.victims +([0-9.]+) / \\1 *\$' '$tmp/out'"
sed 's/^@version = .*/@version = vmsim 0.0/' "$tmp/a/jdoe/key.txt" > "$tmp/keys/jdoe/key.txt"
"$vmsim" grade "$lab" "$tmp/a/jdoe/key.txt" --keys "$tmp/keys" > "$tmp/out" 2> "$tmp/err"
check "--keys: a key from another version is warned about" "grep -q 'made by vmsim 0.0' '$tmp/err'"

# --- bad input -------------------------------------------------------------------------
printf '[exercise]\nsalt = x\n[question q]\nkind = faults\nframes = 99\n' > "$tmp/bad.ini"
expect_exit 2 "bad exercise" "$vmsim" grade "$tmp/bad.ini" "$key"
check "bad exercise: FILE:LINE" "grep -q \"$tmp/bad.ini:5: expected frames = 1..16, got '99'\" '$tmp/err'"
check "bad exercise: nothing on stdout" "[ ! -s '$tmp/out' ]"
printf '[exercise]\n[question q]\npolicy = lru\n' > "$tmp/bad.ini"
expect_exit 2 "kind not first" "$vmsim" generate "$tmp/bad.ini" --student x --out "$tmp/x"
check "kind first: FILE:LINE" "grep -q '$tmp/bad.ini:3: expected kind' '$tmp/err'"
check "bad exercise writes nothing" "[ ! -e '$tmp/x' ]"
expect_exit 2 "bad student id" "$vmsim" generate "$lab" --student 'a b' --out "$tmp/x"
expect_exit 2 "bad --set" "$vmsim" generate "$lab" --student x --set memory.frames=0 --out "$tmp/x"
check "bad --set names itself" "grep -q -- '--set memory.frames=0' '$tmp/err'"
check "bad --set writes nothing" "[ ! -e '$tmp/x' ]"
{ printf '[exercise]\nsalt = x\n[question q]\nkind = faults\nstring = '; i=0; while [ $i -lt 150 ]; do printf '%d ' $((i % 9)); i=$((i + 1)); done; echo; } > "$tmp/long.ini"
expect_exit 2 "an overlong line" "$vmsim" generate "$tmp/long.ini" --student a --out "$tmp/x"
check "overlong line named" "grep -q '$tmp/long.ini:5: line is too long' '$tmp/err'"
printf '[exercise]\nsalt = x\n[question q]\nkind = faults\nstring = 1 2 3\n  4 5 6\n  7 8 9\n' > "$tmp/cont.ini"
"$vmsim" generate "$tmp/cont.ini" --student a --out "$tmp/cont" > /dev/null 2>&1
check "a value continues on indented lines" "grep -qx '@q.string = 1 2 3 4 5 6 7 8 9' '$tmp/cont/a/key.txt'"
printf 'ok1\n# fine\nbad id\n' > "$tmp/roster"
expect_exit 2 "bad roster line" "$vmsim" generate "$lab" --roster "$tmp/roster" --out "$tmp/x"
check "bad roster: FILE:LINE" "grep -q \"$tmp/roster:3: expected a student id\" '$tmp/err'"
check "bad roster writes nothing" "[ ! -e '$tmp/x' ] && [ ! -s '$tmp/out' ]"
expect_exit 0 "--out FILE for one submission" "$vmsim" grade "$lab" "$key" --format gradescope --out "$tmp/results.json"
check "--out FILE: nothing on stdout, the file written" "[ ! -s '$tmp/out' ] && grep -q '\"tests\"' '$tmp/results.json'"
expect_exit 1 "--out into a missing folder" "$vmsim" grade "$lab" "$key" --out "$tmp/no/such/dir/r.txt"
expect_exit 2 "several gradescope results need --out" "$vmsim" grade "$lab" "$key" "$tmp/one.txt" --format gradescope
expect_exit 2 "grade without submissions" "$vmsim" grade "$lab"

# --- 200 submissions with injected mistakes -----------------------------------------
# Student i: even, a seq position flipped in lru4 (-0.25); i%3 = 0, lru4.faults + 1
# (-2); i%5 = 0, fifo3.seq position p = i%12 + 1 flipped (prefix: -(12 - p + 1) * 0.5);
# i%7 = 0, opt3's first victim wrong (exact: -0.5 a victim); i%11 = 0, a malformed
# line; i%13 = 0, fifo3.state left out (-0.25 * 12).
mkdir -p "$tmp/subs"
for d in "$tmp"/c/s*; do
    id=${d##*/}
    i=${id#s}
    awk -v i="$i" -v out="$tmp/subs/$id.txt" -v expf="$tmp/exp.$id" '
    function flip(w) { return w == "H" ? "M" : "H" }
    /^@/ || /^#/ { next }
    /^lru4.seq/ { if (i % 2 == 0) { p = i % 16 + 1; $(p + 2) = flip($(p + 2)); lost["lru4"] += 0.25 } }
    /^lru4.faults/ { if (i % 3 == 0) { $3 = $3 + 1; lost["lru4"] += 2 } }
    /^fifo3.seq/ { if (i % 5 == 0) { p = i % 12 + 1; $(p + 2) = flip($(p + 2)); lost["fifo3"] += (12 - p + 1) * 0.5 } }
    /^fifo3.state/ { if (i % 13 == 0) { split($0, g, "|"); lost["fifo3"] += 0.25 * length(g); next } }
    /^opt3.victims/ { nv = NF - 2; if (i % 7 == 0) { $3 = 99; lost["opt3"] += 0.5 * nv } }
    /^lru4.victims/ { nl = NF - 2 }
    { print > out }
    END {
        if (i % 11 == 0) print "oops" > out
        printf "%s %s %s %s %d\n", lost["lru4"] + 0, lost["fifo3"] + 0, lost["opt3"] + 0, nl, nv > expf
    }' "$d/key.txt"
done
# Expected summary.csv: max per question from the points and each key's lengths.
{
    echo "id,seed,score,max,lru4,fifo3,opt3,gradable,format_errors"
    for f in "$tmp"/exp.s*; do
        id=${f##*/exp.}
        seed=$(awk -v k="$id" '$1 == k { print $2 }' "$data/seeds.txt")
        read -r l1 l2 l3 nl nv < "$f"
        i=$(echo "${id#s}" | sed 's/^0*//')
        awk -v id="$id" -v seed="$seed" -v l1="$l1" -v l2="$l2" -v l3="$l3" -v nl="$nl" -v nv="$nv" -v e="$((i % 11 == 0))" 'BEGIN {
            m1 = 16 * 0.25 + 2 + nl * 0.5; m2 = 12 * 0.5 + 1 + 12 * 0.25; m3 = 1 + nv * 0.5
            printf "%s,%s,%g,%g,%g,%g,%g,yes,%d\n", id, seed, m1 + m2 + m3 - l1 - l2 - l3, m1 + m2 + m3, m1 - l1, m2 - l2, m3 - l3, e }'
    done
} > "$tmp/expected.csv"
start=$(date +%s.%N)
expect_exit 0 "grade 200 submissions" "$vmsim" grade "$lab" "$tmp/subs" --format csv --out "$tmp/res"
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "grade: 200 submissions graded in $secs s (the target, for an optimised build, is under 5 s)"
check "200 submissions: summary.csv equals the expected file" "diff '$tmp/expected.csv' '$tmp/res/summary.csv' >&2"
check "200 submissions: a result per student" "[ -s '$tmp/res/s200.csv' ] && [ -s '$tmp/res/items.csv' ]"
check "items.csv: one row per item" "[ \$(wc -l < '$tmp/res/items.csv') -eq 9 ]"
check "items.csv: lru4.faults right for 134 of 200" "grep -q '^lru4.faults,2,1.3400,0.6700,' '$tmp/res/items.csv'"
check "200 submissions in well under a minute" "awk -v s='$secs' 'BEGIN { exit !(s < 60) }'"

finish grade
