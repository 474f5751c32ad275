#!/bin/sh
# vmsim ostep against OSTEP's own programs: every case of tests/data/ostep/cases.tsv
# (stdout byte for byte, the exit status, optparse's stderr where it exits 2) against
# the outputs python3 printed (outputs.tar.xz, made by tests/data/ostep/regen.sh); then
# --scenario: paging-policy's FIFO/LRU/OPT scenarios run through `vmsim run` give the
# same hits and misses, its other policies are refused, and the multilevel program's
# memory image follows the image grammar, holds OSTEP's dump and walks (by an
# independent walk written here) to OSTEP's answers.
# Usage: [OSTEP_EVERY=N] tests/verbs/ostep.sh path/to/vmsim
# OSTEP_EVERY=N runs every Nth case only (CI's sanitizer pass: the same code, a quarter of
# the process starts).
set -u
vmsim=${1:?usage: ostep.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tab=$(printf '\t')

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

cd "$(dirname "$0")/../data/ostep" || exit 1
mkdir "$tmp/ref"
xz -dc outputs.tar.xz | tar -xf - -C "$tmp/ref" || { echo "ostep: cannot unpack outputs.tar.xz"; exit 1; }

# run_case ENV PROGRAM FLAGS [EXTRA...]: vmsim ostep with COLUMNS unset (or ENV).
run_case() {
    e=$1 prog=$2 flags=$3
    shift 3
    eval "set -- $flags \"\$@\""
    if [ "$e" = - ]; then
        env -u COLUMNS "$vmsim" ostep "$prog" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    else
        env -u COLUMNS "$e" "$vmsim" ostep "$prog" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    fi
}

# --- every case, byte for byte -------------------------------------------------------
every=${OSTEP_EVERY:-1}
n=0
while IFS="$tab" read -r name e prog status flags; do
    n=$((n + 1))
    [ $((n % every)) -eq 0 ] || continue
    run_case "$e" "$prog" "$flags"
    got=$?
    what="$name: $prog $flags"
    if [ "$got" -ne "$status" ]; then
        bad "$what: exit $got, python exits $status"
    elif ! cmp -s "$tmp/out" "$tmp/ref/$name.out"; then
        bad "$what: stdout differs"
        diff "$tmp/ref/$name.out" "$tmp/out" | head -5
    elif [ "$status" -eq 2 ] && ! cmp -s "$tmp/err" "$tmp/ref/$name.err"; then
        bad "$what: stderr differs from optparse's"
        diff "$tmp/ref/$name.err" "$tmp/err" | head -5
    elif [ "$status" -ne 2 ] && [ "$(wc -l <"$tmp/err")" -gt 1 ]; then
        bad "$what: more than one line on stderr"
    else
        ok
    fi
done <cases.tsv

# --- the verb itself --------------------------------------------------------------------------
"$vmsim" ostep >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q '^usage: vmsim ostep' "$tmp/err" && ok || bad "vmsim ostep alone: usage, exit 2"
"$vmsim" ostep --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q 'paging-multilevel-translate' "$tmp/out" && ok || bad "vmsim ostep --help"
"$vmsim" ostep paging-tlb -s 1 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "unknown program 'paging-tlb'" "$tmp/err" && ok || bad "an unknown program"
"$vmsim" ostep vm-beyondphys-policy/paging-policy.py -c >"$tmp/out" 2>&1
cmp -s "$tmp/out" "$tmp/ref/x117.out" && ok || bad "PROGRAM given as a path to the .py"

# --- paging-policy --scenario: the same hits and misses under vmsim run -------------------
# The HIT/MISS column of OSTEP's trace, one word a line.
ostep_hits() { sed -n 's/^Access: [-0-9]*  \(HIT\|MISS\) .*/\1/p' "$1"; }
# vmsim's per-step fault column: MISS where the step faulted.
vmsim_hits() {
    "$vmsim" run "$1" --format csv --log all |
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fault") c = i; next }
                 /^[0-9]/ { print ($c == "" || $c == "none") ? "HIT" : "MISS" }'
}
nscen=0
while IFS="$tab" read -r name e prog status flags; do
    [ "$prog" = paging-policy ] && [ "$status" -eq 0 ] || continue
    case " $flags " in *" -c "*) ;; *) continue ;; esac
    case " $flags " in *" -N "*|*" -f "*) continue ;; esac
    case " $flags " in *" -p FIFO "*|*" -p LRU "*|*" -p OPT "*) ;; *) continue ;; esac
    case " $flags " in *" -- "*) continue ;; esac  # --scenario would be positional
    rm -f "$tmp/s.ini"
    run_case "$e" "$prog" "$flags" --scenario "$tmp/s.ini"
    got=$?
    if [ "$got" -eq 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/s.ini" ] &&
       grep -q -- "--scenario: " "$tmp/err"; then
        ok  # a cache size or page vmsim cannot have: refused with the reason
        continue
    fi
    nscen=$((nscen + 1))
    if [ "$got" -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/ref/$name.out"; then
        bad "$name: --scenario changed the output or the exit status"
        continue
    fi
    ostep_hits "$tmp/ref/$name.out" >"$tmp/want"
    vmsim_hits "$tmp/s.ini" >"$tmp/got" 2>"$tmp/err"
    if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok; else
        bad "$name: vmsim run on the scenario of '$flags' hits and misses otherwise"
        diff "$tmp/want" "$tmp/got" | head -4
        head -2 "$tmp/err"
    fi
done <cases.tsv
[ "$nscen" -ge 100 ] && ok || bad "only $nscen paging-policy scenarios checked"

for p in RAND CLOCK MRU UNOPT; do
    run_case - paging-policy "-s 3 -p $p -c" --scenario "$tmp/no.ini"
    if [ $? -eq 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/no.ini" ] &&
       grep -q "no vmsim equivalent" "$tmp/err"; then ok; else bad "--scenario with -p $p is refused"; fi
done
run_case - paging-policy "-s 3 -C 0 -c" --scenario "$tmp/no.ini"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/no.ini" ] && ok || bad "--scenario with -C 0 is refused"
run_case - paging-linear-translate "-s 3 -a 64 -p 256 -P 8 -c" --scenario "$tmp/no.image"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/no.image" ] && grep -q "16 bytes at least" "$tmp/err" &&
    ok || bad "paging-linear-translate --scenario says why a table has no image"
run_case - paging-policy "-s 3 -c" --scenario
[ $? -eq 2 ] && ok || bad "--scenario without a FILE"
run_case - paging-policy "-s 3 -c" --scenario /no/such/dir/x.ini
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && ok || bad "--scenario into a missing folder"

# --- the multilevel program's image ------------------------------------------------------
# check_image IMAGE TRACE REF: the grammar of a .image file (machine before the frames,
# root, frame N: HEX with N < 128 given once and at most 32 bytes), its bytes against
# the page lines of OSTEP's dump, the trace against its addresses, and a walk of each
# address over the image (PDE at root*32 + bits 14..10; PTE at PFN*32 + bits 9..5;
# valid bit 7, PFN bits 6..0) against OSTEP's answers.
check_image() {
    awk -v trace="$2" -v ref="$3" '
    function hex(s) { return index("0123456789abcdef", tolower(s)) - 1 }
    function byte(s, i) { return hex(substr(s, 2 * i + 1, 1)) * 16 + hex(substr(s, 2 * i + 2, 1)) }
    function die(m) { print m; bad = 1; exit 1 }
    { sub(/[#;].*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
    $0 == "" { next }
    /^machine = / { if (frames) die("machine after a frame"); machine = $3; next }
    /^root = [0-9]+$/ { root = $3 + 0; next }
    /^frame [0-9]+: [0-9a-f]+$/ {
        n = substr($2, 1, length($2) - 1) + 0
        if (n >= 128 || (n in seen) || length($3) % 2 || length($3) > 64) die("bad frame line: " $0)
        seen[n] = 1; frames++
        for (i = 0; i < length($3) / 2; i++) mem[n * 32 + i] = byte($3, i)
        next
    }
    { die("not image grammar: " $0) }
    END {
        if (bad) exit 1
        if (machine != "ostep" || root == "") { print "machine or root missing"; exit 1 }
        while ((getline line < ref) > 0) {
            if (line ~ /^page +[0-9]+:/) {
                split(line, f, ":"); p = substr(f[1], 5) + 0
                for (i = 0; i < 32; i++)
                    if (byte(f[2], i) != mem[p * 32 + i] + 0) { print "page " p " differs"; exit 1 }
                pages++
            } else if (line ~ /^PDBR:/) {
                split(line, f, " "); if (f[2] + 0 != root) { print "root differs"; exit 1 }
            } else if (line ~ /^Virtual Address 0x/) {
                va = 0; h = substr(line, 19, 4)
                for (i = 1; i <= 4; i++) va = va * 16 + hex(substr(h, i, 1))
                if ((getline t < trace) <= 0) { print "trace short"; exit 1 }
                while (t ~ /^#/) getline t < trace
                if (t != sprintf("R 0x%04x 1", va)) { print "trace line " t; exit 1 }
                pde = mem[root * 32 + int(va / 1024) % 32] + 0
                if (pde < 128) want = "Fault (page directory"
                else {
                    pte = mem[(pde % 128) * 32 + int(va / 32) % 32] + 0
                    if (pte < 128) want = "Fault (page table"
                    else { pa = (pte % 128) * 32 + va % 32
                           want = sprintf("Physical Address 0x%03x --> Value: 0x%02x", pa, mem[pa] + 0) }
                }
                do getline line < ref; while (line ~ /^ *-->  *p[dt]e index/)
                if (index(line, want) == 0) { printf "0x%04x: walk gives %s, OSTEP %s\n", va, want, line; exit 1 }
                asked++
            }
        }
        if (pages != 128) { print "dump incomplete"; exit 1 }
        if ((getline t < trace) > 0 && t !~ /^#/) { print "trace too long"; exit 1 }
    }' "$1"
}

nimg=0
while IFS="$tab" read -r name e prog status flags; do
    [ "$prog" = paging-multilevel-translate ] && [ "$status" -eq 0 ] || continue
    case " $flags " in *" -c "*) ;; *) continue ;; esac
    case " $flags " in *" -- "*) continue ;; esac
    nimg=$((nimg + 1))
    rm -f "$tmp/m.image" "$tmp/m.image.trace"
    run_case "$e" "$prog" "$flags" --scenario "$tmp/m.image"
    if [ $? -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/ref/$name.out"; then
        bad "$name: --scenario changed the output or the exit status"
    elif check_image "$tmp/m.image" "$tmp/m.image.trace" "$tmp/ref/$name.out" >"$tmp/why"; then
        ok
    else
        bad "$name: the image of '$flags': $(cat "$tmp/why")"
    fi
done <cases.tsv
[ "$nimg" -ge 100 ] && ok || bad "only $nimg multilevel images checked"

# --- the linear program's image ---------------------------------------------------------
# check_linear IMAGE REF: the machine beside it names OSTEP's page size; the table, of
# 2^levels 4-byte entries, spans k = max(1, 2^levels * 4 / page_size) frames from the
# root, a multiple of k (docs/file-formats.md); its entries (little-endian, entry i at
# byte (frame - root) * page_size + 4 * i of the run) map no page into those frames, and
# walk each address of OSTEP's trace to its answer: valid bit 31, the PFN below,
# PA = PFN << pagebits | offset.
check_linear() {
    awk -v ref="$2" -v ini="$1.ini" -v trace="$1.trace" '
    function hex(s) { return index("0123456789abcdef", tolower(s)) - 1 }
    function num(s,   v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + hex(substr(s, i, 1)); return v }
    BEGIN {
        while ((getline line < ini) > 0) {
            split(line, f, " ")
            if (f[1] == "page_size") ps = f[3]
            if (f[1] == "levels") lv = f[3]
        }
        k = 2 ^ lv * 4 / ps; if (k < 1) k = 1
    }
    { sub(/[#;].*/, "") }
    /^machine = / { if ($3 != mach) { print "machine " $3; bad = 1 } }
    /^root = / { root = $3 + 0; if (root % k) { print "root " root " not a multiple of " k; bad = 1 } }
    /^frame / {
        n = substr($2, 1, length($2) - 1) - root
        if (n < 0 || n >= k) { print "frame " $2 " outside the table (root " root ", " k " frames)"; bad = 1 }
        for (i = 3; i <= NF; i++) e[n * ps / 4 + i - 3] = num(substr($i, 7, 2) substr($i, 5, 2) substr($i, 3, 2) substr($i, 1, 2))
    }
    END {
        if (bad) exit 1
        for (v in e) if (e[v] >= 2147483648 && e[v] - 2147483648 >= root && e[v] - 2147483648 < root + k) {
            print "VPN " v " maps a frame of the table"; exit 1 }
        pb = 0; while (2 ^ pb < ps) pb++
        while ((getline line < ref) > 0) {
            if (line !~ /^  VA 0x/) continue
            va = num(substr(line, 8, 8)); vpn = int(va / ps)
            do getline t < trace; while (t ~ /^#/)
            if (t != sprintf("R 0x%x 1", va)) { print "trace line " t; exit 1 }
            if (e[vpn] < 2147483648) want = sprintf("Invalid (VPN %d not valid)", vpn)
            else want = sprintf("--> %08x", (e[vpn] - 2147483648) * ps + va % ps)
            if (index(line, want) == 0) { print "walk gives " want " for: " line; exit 1 }
        }
    }' mach="$(basename "$1").ini" "$1"
}

nlin=0
while IFS="$tab" read -r name e prog status flags; do
    [ "$prog" = paging-linear-translate ] && [ "$status" -eq 0 ] || continue
    case " $flags " in *" -c "*) ;; *) continue ;; esac
    case " $flags " in *" -- "*) continue ;; esac
    rm -f "$tmp/l.image" "$tmp/l.image.ini" "$tmp/l.image.trace"
    run_case "$e" "$prog" "$flags" --scenario "$tmp/l.image"
    got=$?
    if [ "$got" -eq 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/l.image" ] &&
       grep -q "no vmsim image of this table" "$tmp/err"; then
        ok  # pages under 16 bytes, a one-page address space: refused with the reason
    elif [ "$got" -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/ref/$name.out"; then
        bad "$name: --scenario changed the output or the exit status"
    elif "$vmsim" check "$tmp/l.image.ini" >/dev/null 2>"$tmp/why" &&
         check_linear "$tmp/l.image" "$tmp/ref/$name.out" >"$tmp/why"; then
        nlin=$((nlin + 1))
        ok
    else
        bad "$name: the image of '$flags': $(cat "$tmp/why")"
    fi
done <cases.tsv
[ "$nlin" -ge 50 ] && ok || bad "only $nlin linear images checked"

# --- images through `vmsim run --image`, where this vmsim has it ---------------------------
# OSTEP's answers as "PA" or "fault", one a line, against run's CSV pa and fault columns.
ostep_answers() {
    sed -n -e 's/.*Translates to Physical Address 0x0*\([0-9a-f][0-9a-f]*\) .*/0x\1/p' \
           -e 's/.*--> *Fault .*/fault/p' -e 's/.*--> *Invalid .*/fault/p' \
           -e 's/^  VA 0x.* --> 0*\([0-9a-f][0-9a-f]*\) (decimal .*/0x\1/p' "$1"
}
vmsim_answers() {
    "$vmsim" run --image "$1" --trace "$1.trace" --format csv --log all |
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "pa") p = i; if ($i == "fault") f = i }; next }
                 /^[0-9]/ { print ($f != "" && $f != "none") ? "fault" : $p }'
}
if "$vmsim" run --help 2>&1 | grep -q -- --image; then
    for c in "paging-multilevel-translate|-s 0 -c|m" "paging-multilevel-translate|-s 77 -a 80 -n 40 -c|m" \
             "paging-linear-translate|-s 5 -a 32k -P 1k -p 512k -n 30 -c|l" \
             "paging-linear-translate|-s 8 -a 8k -p 64k -P 256 -n 30 -u 75 -c|l"; do
        prog=${c%%|*} rest=${c#*|} flags=${rest%|*}
        rm -f "$tmp/r.image"
        run_case - "$prog" "$flags" --scenario "$tmp/r.image" || bad "'$prog $flags' exits $?"
        ostep_answers "$tmp/out" >"$tmp/want"
        vmsim_answers "$tmp/r.image" >"$tmp/got" 2>"$tmp/err"
        if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok; else
            bad "vmsim run --image on '$prog $flags' translates otherwise"
            diff "$tmp/want" "$tmp/got" | head -4; head -2 "$tmp/err"
        fi
    done
else
    echo "ostep: (vmsim run has no --image yet: the images were checked by the walks above only)"
fi

# --- linear tables larger than a page (linear-big.txt: OSTEP's own answers) ---------------
# Each case's table spans several frames, in OSTEP's memory or past it. vmsim ostep prints
# OSTEP's answers; the image is checked by the walk of check_linear, and `vmsim run
# --image` (with VMSIM_CHECK=1: the bookkeeping after every step) reaches the same
# physical addresses and faults.
check_big() {
    run_case - paging-linear-translate "$1" --scenario "$tmp/b.image"
    got=$?
    grep '^  VA 0x' "$tmp/out" >"$tmp/big.out"
    wide=$(sed -n 's/^# The table: .* frames \([0-9]*\)-\([0-9]*\)$/\1 \2/p' "$tmp/b.image")
    if [ "$got" -ne 0 ] || ! cmp -s "$tmp/big.out" "$tmp/big.ref"; then
        bad "linear-big '$1': vmsim ostep answers otherwise (exit $got)"
    elif [ -z "$wide" ] || [ "${wide#* }" -le "${wide% *}" ]; then
        bad "linear-big '$1': the table does not span several frames"
    elif ! "$vmsim" check "$tmp/b.image.ini" >/dev/null 2>"$tmp/why" ||
         ! check_linear "$tmp/b.image" "$tmp/big.ref" >"$tmp/why"; then
        bad "linear-big '$1': the image: $(cat "$tmp/why")"
    else
        ostep_answers "$tmp/big.ref" >"$tmp/want"
        (VMSIM_CHECK=1; export VMSIM_CHECK; vmsim_answers "$tmp/b.image") >"$tmp/got" 2>"$tmp/err"
        if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got" && [ ! -s "$tmp/err" ]; then
            nbig=$((nbig + 1))
            ok
        else
            bad "linear-big '$1': vmsim run --image translates otherwise"
            diff "$tmp/want" "$tmp/got" | head -4; head -2 "$tmp/err"
        fi
    fi
}
nbig=0
flags=
while IFS= read -r line; do
    case $line in
    "flags: "*) [ -z "$flags" ] || check_big "$flags"; flags=${line#flags: }; : >"$tmp/big.ref" ;;
    "  VA "*) printf '%s\n' "$line" >>"$tmp/big.ref" ;;
    esac
done <linear-big.txt
[ -z "$flags" ] || check_big "$flags"
[ "$nbig" -ge 9 ] && ok || bad "only $nbig linear tables larger than a page checked"

echo "ostep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
