#!/bin/sh
# kind = translate through vmsim generate and vmsim grade. The key is checked against
# a page walk written here in awk over the handout itself (questions.txt's OSTEP dump,
# read as paging-multilevel-translate.py reads it: 32-byte pages, 1-byte entries,
# valid bit 7, PFN in bits 6..0, VA = PD index 5 | PT index 5 | offset 5); each slip's
# answer is computed here from the same walk, then graded end to end.
# Usage: tests/verbs/translate.sh path/to/vmsim
set -u
vmsim=${1:?usage: translate.sh VMSIM}
. "$(dirname "$0")/../lib.sh"
check() { if eval "$2"; then ok; else bad "$1"; fi; }

printf '[exercise]\nsalt = tr-test\n[question walk]\nkind = translate\nmachine = ostep\nmapped = 16\naddresses = 24\n' >"$tmp/ex.ini"
"$vmsim" generate "$tmp/ex.ini" --student jdoe --student alice --student bob --out "$tmp/out" >"$tmp/gen" 2>"$tmp/err" &&
    ok || bad "generate exits 0: $(head -2 "$tmp/err")"

# walk QUESTIONS: one line per address, "N VA PDI PTI STATUS PA VALUE PDE PTE": STATUS is
# ok, PD or PT (where the walk stops); PDE and PTE the entries read (-1 if not read).
walk() {
    awk '
    function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v }
    /^page +[0-9]+:/ { split($0, a, ":"); split(a[1], b, " "); f = b[2] + 0
        for (i = 0; i < 32; i++) mem[f * 32 + i] = hex(substr(a[2], 2 * i + 1, 2)) }
    /^PDBR: / { pdbr = $2 + 0 }
    /^  walk\.[0-9]+  0x/ { split($1, a, "."); n = a[2]; va = hex($2)
        pdi = int(va / 1024) % 32; pti = int(va / 32) % 32; off = va % 32
        pde = mem[pdbr * 32 + pdi]; pte = -1; st = "ok"; pa = -1; val = -1
        if (pde < 128) st = "PD"
        else { pte = mem[(pde % 128) * 32 + pti]; if (pte < 128) st = "PT" }
        if (st == "ok") { pa = (pte % 128) * 32 + off; val = mem[pa] }
        print n, va, pdi, pti, st, pa, val, pde, pte }' "$1"
}
for id in jdoe alice bob; do
    walk "$tmp/out/$id/questions.txt" >"$tmp/$id.walk"
    awk '{ q = "walk." $1
        if ($5 == "ok") { printf "%s = 0x%x\n%s.value = 0x%02x\n", q, $6, q, $7 }
        else printf "%s = fault %s\n%s.value = -\n", q, $5, q
        printf "%s.pde = %d\n%s.pte = %d\n", q, $3, q, $4 }' "$tmp/$id.walk" >"$tmp/$id.want"
    grep '^walk\.' "$tmp/out/$id/key.txt" >"$tmp/$id.key"
    check "$id: 24 addresses walked" "[ \$(wc -l <'$tmp/$id.walk') -eq 24 ]"
    if cmp -s "$tmp/$id.want" "$tmp/$id.key"; then ok; else bad "$id: the key is the walk over the dump"; diff "$tmp/$id.want" "$tmp/$id.key" | head -5; fi
    check "$id: some addresses translate, some fault" "grep -q ' ok ' '$tmp/$id.walk' && grep -qv ' ok ' '$tmp/$id.walk'"
    check "$id: the image and trace are written" "[ -s '$tmp/out/$id/walk.image' ] && [ \$(wc -l <'$tmp/out/$id/walk.trace') -eq 24 ]"
    "$vmsim" grade "$tmp/ex.ini" "$tmp/out/$id/key.txt" --format csv >"$tmp/g" 2>"$tmp/err"
    check "$id: the key gets full marks (96 items)" "grep -q '^$id,0x[0-9a-f]*,96,96,' '$tmp/g'"
    "$vmsim" grade "$tmp/ex.ini" "$tmp/out/$id/answers.txt" --format csv >"$tmp/g" 2>"$tmp/err"
    check "$id: the blank template gets 0" "grep -q '^$id,0x[0-9a-f]*,0,96,' '$tmp/g'"
done
check "three students, three different images" "! cmp -s '$tmp/jdoe.walk' '$tmp/alice.walk' && ! cmp -s '$tmp/alice.walk' '$tmp/bob.walk'"

# The student replays the variant: vmsim's own walk over walk.image agrees with awk's.
"$vmsim" run --image "$tmp/out/jdoe/walk.image" --trace "$tmp/out/jdoe/walk.trace" --log all >"$tmp/log" 2>&1
check "walk.image replays: as many translations as awk's ok lines" \
    "[ \$(grep -c '^  -> physical' '$tmp/log') -eq \$(grep -c ' ok ' '$tmp/jdoe.walk') ]"

# Each slip, computed from the walk, on an address of its own. ok addresses take the
# PA slips (in order), faulting ones the fault slips; the swapped indices go in a
# .pde item. Right answers elsewhere are left blank.
awk '
    function at(st) { for (i = 1; i <= nw; i++) if (!used[i] && (S[i] == st || (st == "fault" && S[i] != "ok"))) { used[i] = 1; return i } return 0 }
    { nw++; N[nw] = $1; VA[nw] = $2; PDI[nw] = $3; PTI[nw] = $4; S[nw] = $5; PA[nw] = $6; PDE[nw] = $8; PTE[nw] = $9 }
    END {
        print "student = jdoe"
        i = at("ok"); printf "walk.%d = 0x%x\tkept the valid bit as part of the PFN\n", N[i], PTE[i] * 32 + PA[i] % 32
        i = at("ok"); printf "walk.%d = 0x%x\tdropped the offset\n", N[i], PA[i] - PA[i] % 32
        i = at("ok"); printf "walk.%d = 0x%x\tstopped a level early\n", N[i], (PDE[i] % 128) * 32 + PA[i] % 32
        i = at("ok"); printf "walk.%d = 0x%x\tused the VPN for the PFN\n", N[i], VA[i]
        i = at("ok"); printf "walk.%d = 0x%d\tmixed hex and decimal\n", N[i], PA[i]
        i = at("ok"); printf "walk.%d = fault PT\tsaid fault, but every entry on the way is valid\n", N[i]
        i = at("fault"); printf "walk.%d = fault %s\treported the fault at the wrong level\n", N[i], S[i] == "PD" ? "PT" : "PD"
        if ((i = at("PT"))) printf "walk.%d = 0x%x\ttranslated through an entry whose valid bit is clear\n", N[i], (PTE[i] % 128) * 32 + VA[i] % 32
        for (i = 1; i <= nw; i++) if (PDI[i] != PTI[i]) { printf "walk.%d.pde = %d\tswapped the indices of two levels\n", N[i], PTI[i]; break }
    }' "$tmp/jdoe.walk" | grep -v SKIP >"$tmp/slips"
cut -f1 "$tmp/slips" >"$tmp/slips.txt"
"$vmsim" grade "$tmp/ex.ini" "$tmp/slips.txt" --explain all >"$tmp/g" 2>"$tmp/err" && ok || bad "grade the slips exits 0"
tab=$(printf '\t')
while IFS="$tab" read -r line words; do
    [ "$line" = "student = jdoe" ] && continue
    item=${line%% =*}
    check "$item: '$words' named" "grep -q '^$item: Likely slip: $words' '$tmp/g'"
done <"$tmp/slips"
check "nine slips tried" "[ \$(grep -c 'Likely slip' '$tmp/g') -eq 9 ]"
# fault pte (OSTEP's word) is right where the PT entry is invalid; pde where the PD's is.
awk 'BEGIN { print "student = jdoe" } $5 != "ok" { printf "walk.%d = fault %s\n", $1, $5 == "PT" ? "pte" : "pde" }' "$tmp/jdoe.walk" >"$tmp/words.txt"
n=$(($(wc -l <"$tmp/words.txt") - 1))
"$vmsim" grade "$tmp/ex.ini" "$tmp/words.txt" --format csv >"$tmp/g" 2>"$tmp/err"
check "OSTEP's pde/pte name the faulting level ($n right)" "grep -q '^jdoe,0x[0-9a-f]*,$n,96,' '$tmp/g'"

# Items the variant does not have (address 25 of 24; no value asked by a question
# without it) are format errors with FILE:LINE.
printf 'student = jdoe\nwalk.25 = 0x1\n' >"$tmp/unknown.txt"
"$vmsim" grade "$tmp/ex.ini" "$tmp/unknown.txt" >"$tmp/g" 2>"$tmp/err"
check "walk.25 is an unknown item" "grep -q 'unknown.txt:2: unknown item .walk.25.' '$tmp/g'"

# Bad exercises: FILE:LINE, exit 2, nothing on stdout.
printf '[exercise]\n[question w]\nkind = translate\nmapped = lots\n' >"$tmp/bad.ini"
"$vmsim" generate "$tmp/bad.ini" --student x --out "$tmp/bad" >"$tmp/o" 2>"$tmp/err"
check "a bad mapped: exit 2, FILE:LINE" "[ \$? -eq 2 ] && grep -q '^$tmp/bad.ini:4: mapped' '$tmp/err' && [ ! -s '$tmp/o' ]"
printf '[exercise]\n[question w]\nkind = translate\nmachine = x86_64\ndump = entries\nask = pa value\n' >"$tmp/bad.ini"
"$vmsim" generate "$tmp/bad.ini" --student x --out "$tmp/bad" >"$tmp/o" 2>"$tmp/err"
check "value without the byte dump: exit 2" "[ \$? -eq 2 ] && grep -q 'needs dump = ostep' '$tmp/err'"

# A root table of four pages (tests/data/image/linear-1k.ini: 1024 4-byte entries, 1 KiB
# pages): the handout names its four frames, and the key agrees with a walk here over the
# handout's entries (T0[VPN] -> frame F: PA = F * 1024 + offset; no entry: fault T0).
cp "$(dirname "$0")/../data/image/linear-1k.ini" "$tmp/linear-1k.ini"
printf '[question w]\nkind = translate\nmachine = linear-1k.ini\nmapped = 40\naddresses = 24\ndump = entries\nask = pa fault\n' >"$tmp/wide.ini"
"$vmsim" generate "$tmp/wide.ini" --student jdoe --out "$tmp/wide" >"$tmp/o" 2>"$tmp/err" &&
    ok || bad "generate a wide root exits 0: $(head -2 "$tmp/err")"
check "the handout names the root's four frames" \
    "grep -q 'The root table (T0) is in frames \([0-9]*\)-' '$tmp/wide/jdoe/questions.txt' && grep -q '^T0 in frames ' '$tmp/wide/jdoe/questions.txt'"
awk '
    function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v }
    /^  T0\[[0-9]+\] at / { split($1, t, /[][]/); split($0, a, " in frame "); split(a[2], b, " "); map[t[2] + 0] = b[1] + 0 }
    /^  w\.[0-9]+  0x/ { va = hex($2); vpn = int(va / 1024)
        if (vpn in map) printf "%s = 0x%x\n", $1, map[vpn] * 1024 + va % 1024
        else printf "%s = fault T0\n", $1 }' "$tmp/wide/jdoe/questions.txt" >"$tmp/wide.want"
grep '^w\.[0-9]* = ' "$tmp/wide/jdoe/key.txt" >"$tmp/wide.got"
check "the wide root's key is the walk's (24 addresses)" \
    "[ \$(wc -l <'$tmp/wide.want') -eq 24 ] && cmp -s '$tmp/wide.want' '$tmp/wide.got'"

finish translate
