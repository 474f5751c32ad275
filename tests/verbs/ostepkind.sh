#!/bin/sh
# kind = ostep questions in vmsim generate / grade. The keys are checked against what
# python3 printed for OSTEP's programs (tests/data/ostep/outputs.tar.xz, cases.tsv):
# an exercise with `seed = 21` (or 22) gives every student that seed, and the key must
# be python's -c answers, read here by awk (not by vmsim). Then grading: the key
# against itself gets full marks, the blank template 0, a wrong answer loses exactly
# its item; the replay files run; bad questions are refused with FILE:LINE.
# Usage: tests/verbs/ostepkind.sh path/to/vmsim
set -u
vmsim=${1:?usage: ostepkind.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
. "$(dirname "$0")/../lib.sh"

data=$(cd "$(dirname "$0")/../data/ostep" && pwd)
mkdir "$tmp/ref"
xz -dc "$data/outputs.tar.xz" | tar -xf - -C "$tmp/ref" || { echo "ostepkind: cannot unpack"; exit 1; }

# flags_of CASE: the case's flags (cases.tsv) without -s N and -c.
flags_of() {
    awk -F'\t' -v c="$1" '$1 == c { print $5 }' "$data/cases.tsv" |
        sed 's/-s [0-9]* //; s/ -c$//'
}
seed_of() {
    awk -F'\t' -v c="$1" '$1 == c { print $5 }' "$data/cases.tsv" | sed 's/^-s \([0-9]*\) .*/\1/'
}
prog_of() {
    awk -F'\t' -v c="$1" '$1 == c { print $3 }' "$data/cases.tsv"
}

# expected Q CASE: the key lines python's -c output gives (hex without leading zeros).
expected() {
    awk -v q="$1" '
        function hex(s) { sub(/^0x/, "", s); sub(/^0+/, "", s); return "0x" (s == "" ? "0" : s) }
        /^Access: [0-9]+  (HIT |MISS)/ {
            seq = seq (seq == "" ? "" : " ") ($3 == "HIT" ? "H" : "M")
            s = $0; sub(/^[^[]*\[/, "", s); sub(/\].*/, "", s); gsub(/,/, "", s)
            st = st (st == "" ? "" : " | ") s
        }
        /^FINALSTATS/ { print q ".seq = " seq; print q ".hits = " $3; print q ".misses = " $5
                        print q ".hitrate = " $7 }
        /^  VA 0x/ { n++; if ($0 ~ /Invalid/) print q "." n " = invalid"
                     else { s = $0; sub(/.*--> /, "", s); sub(/ .*/, "", s); print q "." n " = " hex(s) } }
        /^Virtual Address 0x/ { n++ }
        /Translates to Physical Address/ { print q "." n " = " hex($6); print q "." n ".value = " hex($9) }
        /--> Fault/ { print q "." n " = fault"; print q "." n ".value = -" }
        END { if (st != "") print q ".state = " st }
    ' "$tmp/ref/$2.out"
}

# The exercise: one question per case, each with the case's seed fixed.
cases="g0281 g0282 g0285 g0288 g0002 g0006 g0161 g0164"
ex=$tmp/ostep.ini
printf '[exercise]\ntitle = OSTEP\nsalt = t1\n' >"$ex"
for c in $cases; do
    case $(prog_of $c) in
    paging-policy) ask="seq state hits misses hitrate" ;;
    paging-linear-translate) ask=pa ;;
    *) ask="pa value" ;;
    esac
    printf '\n[question %s]\nkind = ostep\nprogram = %s\nflags = %s\nseed = %s\nask = %s\n' \
        "$c" "$(prog_of $c)" "$(flags_of $c)" "$(seed_of $c)" "$ask" >>"$ex"
done
"$vmsim" generate "$ex" --student ada --student bob --out "$tmp/out" >/dev/null 2>"$tmp/err" ||
    { bad "generate: $(cat "$tmp/err")"; }

# --- the keys are python's answers, for every student ---------------------------------
for s in ada bob; do
    for c in $cases; do
        expected $c $c | sort >"$tmp/want"
        grep "^$c\." "$tmp/out/$s/key.txt" | sort >"$tmp/got"
        if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok; else
            bad "$s $c: key differs from python's -c"; diff "$tmp/want" "$tmp/got" | head -5; fi
    done
done

# --- the questions are python's output without -c (the seed's, g0280's neighbour) ----
# g0003 is `-s 21` of the linear program without -c: the question with seed = 21 and no
# flags shows exactly that output.
printf '[exercise]\nsalt = t2\n\n[question lin]\nkind = ostep\nprogram = paging-linear-translate\nseed = 21\n' >"$tmp/q.ini"
"$vmsim" generate "$tmp/q.ini" --student ada --out "$tmp/q" >/dev/null 2>&1
awk '/^ARG seed/,/segfault\)\.$/' "$tmp/q/ada/questions.txt" >"$tmp/got"
awk '/^ARG seed/,/segfault\)\.$/' "$tmp/ref/g0003.out" >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "questions.txt is not g0003's output"; fi

# --- grading ------------------------------------------------------------------------
score() { "$vmsim" grade "$ex" "$1" 2>/dev/null | head -1 | sed 's/^[^:]*: \([0-9.]*\) \/ \([0-9.]*\) .*/\1 \2/'; }
set -- $(score "$tmp/out/ada/key.txt")
if [ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$2" != 0 ]; then ok; else bad "key against itself: $*"; fi
full=${2:-0}
set -- $(score "$tmp/out/ada/answers.txt")
if [ "${1:-x}" = 0 ]; then ok; else bad "blank template: $*"; fi
# One wrong item each: a translation (1 point), an access of a sequence (0.25).
sed 's/^\(g0002\.1 = \).*/\10x1/' "$tmp/out/ada/key.txt" >"$tmp/w1"
set -- $(score "$tmp/w1")
if [ "${1:-x}" = "$(awk -v f="$full" 'BEGIN { print f - 1 }')" ]; then ok; else bad "one wrong pa: $* of $full"; fi
sed '/^g0281\.seq = /s/= ./= X/' "$tmp/out/ada/key.txt" >"$tmp/w2"
set -- $(score "$tmp/w2")
if [ "${1:-x}" = "$(awk -v f="$full" 'BEGIN { print f - 0.25 }')" ]; then ok; else bad "one wrong access: $* of $full"; fi
# Other spellings of the same answer: decimal, FAULT, segfault.
sed 's/^\(g0164\.[0-9]* = \)fault$/\1FAULT/; s/^\(g0002\.[0-9]* = \)invalid$/\1segfault/' \
    "$tmp/out/ada/key.txt" >"$tmp/w3"
set -- $(score "$tmp/w3")
if [ "${1:-x}" = "$full" ]; then ok; else bad "FAULT/segfault spellings: $* of $full"; fi
pa=$(sed -n 's/^g0161\.1 = 0x\([0-9a-f]*\)$/\1/p' "$tmp/out/ada/key.txt")
sed "s/^g0161\.1 = 0x.*/g0161.1 = $(printf %d "0x$pa")/" "$tmp/out/ada/key.txt" >"$tmp/w4"
set -- $(score "$tmp/w4")
if [ -n "$pa" ] && [ "${1:-x}" = "$full" ]; then ok; else bad "decimal pa: $* of $full"; fi

# --- replay files ---------------------------------------------------------------------
d=$tmp/out/ada
for f in g0281.ini g0282.ini g0161.image g0161.image.trace g0002.image g0002.image.ini; do
    if [ -s "$d/$f" ]; then ok; else bad "no $f"; fi
done
if [ ! -e "$d/g0285.ini" ]; then ok; else bad "CLOCK has a replay file"; fi
if "$vmsim" run "$d/g0281.ini" >/dev/null 2>&1; then ok; else bad "vmsim run g0281.ini"; fi
if (cd "$d" && "$vmsim" run --image g0161.image --trace g0161.image.trace >/dev/null 2>&1); then ok
else bad "vmsim run --image g0161.image"; fi

# --- a drawn seed: the one @Q.command names, below 1000000 ----------------------------
printf '[exercise]\nsalt = t3\n\n[question p]\nkind = ostep\nflags = -n 5\n' >"$tmp/d.ini"
"$vmsim" generate "$tmp/d.ini" --student ada --student bob --out "$tmp/d" >/dev/null 2>&1
sa=$(sed -n 's/^@p.command = .* -s \([0-9]*\) -c$/\1/p' "$tmp/d/ada/key.txt")
sb=$(sed -n 's/^@p.command = .* -s \([0-9]*\) -c$/\1/p' "$tmp/d/bob/key.txt")
if [ -n "$sa" ] && [ "$sa" -lt 1000000 ] && [ "$sa" != "$sb" ]; then ok; else bad "drawn seeds '$sa' '$sb'"; fi
"$vmsim" ostep paging-policy -n 5 -s "$sa" >"$tmp/run" 2>&1
if grep -q "ARG seed $sa\$" "$tmp/d/ada/questions.txt" && awk '/^ARG addresses/,/^$/' "$tmp/run" |
    cmp -s - "$(awk '/^ARG addresses/,/^$/' "$tmp/d/ada/questions.txt" >"$tmp/qa"; echo "$tmp/qa")"
then ok; else bad "questions.txt is not the program's output for seed $sa"; fi

# --- bad questions ----------------------------------------------------------------------
badq() {
    printf '[exercise]\nsalt = b\n\n[question x]\nkind = ostep\n%s\n' "$2" >"$tmp/b.ini"
    "$vmsim" generate "$tmp/b.ini" --student ada --out "$tmp/b" >"$tmp/bo" 2>"$tmp/be"
    rc=$?
    if [ $rc -eq 2 ] && [ ! -s "$tmp/bo" ] && grep -q "b.ini:[0-9]*: .*$3" "$tmp/be"; then ok
    else bad "$1: rc $rc: $(cat "$tmp/be")"; fi
}
badq "-c in flags" "flags = -n 3 -c" "vmsim's to set"
badq "--seed in flags" "flags = --seed=4" "vmsim's to set"
badq "unknown program" "program = paging-foo" "program = paging-policy"
badq "pa of paging-policy" "ask = pa" "answers only"
badq "flags the program refuses" "flags = -p LFU" "Policy LFU"
badq "a bad seed" "seed = -3" "seed = a number"

finish ostepkind
