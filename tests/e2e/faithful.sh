#!/bin/sh
# Machines of every shape, through the command line: what a run with no TLB reports,
# the warning for frames too few for the page tables, the textbook machine a page
# stream runs on, and the docs' claims about page sizes. The expected counts are the
# textbook's (Belady's FIFO example) and the machine's arithmetic, worked below.
# Usage: tests/e2e/faithful.sh path/to/vmsim
set -u
vmsim=${1:?usage: faithful.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 2

# --- 11: no TLB: nothing to count, and no TLB cycles ------------------------------
# tlb.entries = 0: the TLB counters are none (null in JSON, empty in CSV, "TLB none" in
# text) and no access is charged timing.tlb. Belady's 12 references on the textbook
# machine: 12 x 100 (memory) + 9 faults x 1000 + 81 entries read x 100 = 18300 cycles.
pages=tests/data/belady.pages
"$vmsim" run --trace $pages --format json --log all >"$tmp/j" 2>&1 || bad "json run"
grep -q '"tlb_hits": null, "tlb_misses": null, "stlb_hits": null' "$tmp/j" && ok || bad "11: JSON TLB counters null"
grep -q '"tlb_hit_rate": null' "$tmp/j" && ok || bad "11: JSON hit rate null"
grep -q '"step": 1, .*"tlb": null' "$tmp/j" && ok || bad "11: JSON access has no TLB"
grep -q '"cycles": 18300' "$tmp/j" && ok || bad "11: no TLB cycles (18300)"
"$vmsim" run --trace $pages --format csv >"$tmp/c" 2>&1
fields=$(awk -F, 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i } NR==2 { print $c["tlb_hits"] "|" $c["tlb_misses"] }' "$tmp/c")
[ "$fields" = "|" ] && ok || bad "11: CSV TLB counters empty, got '$fields'"
"$vmsim" run --trace $pages >"$tmp/t" 2>&1
grep -qE '^TLB +none$' "$tmp/t" && ok || bad "11: text says TLB none"
grep -q 'TLB hits\|TLB misses' "$tmp/t" && bad "11: text counts TLB hits" || ok
"$vmsim" run --trace $pages --log all 2>&1 | grep -q 'TLB miss\|TLB fill' && bad "11: TLB events logged" || ok

# --- 12: a page stream alone runs on configs/textbook.ini, --set over it -----------
# FIFO, 3 frames: 9 faults; 4 frames: 10 (Belady's anomaly, OSTEP ch. 22).
grep -qE '^page faults +9 ' "$tmp/t" && ok || bad "12: textbook machine, 3 frames: 9 faults"
grep -q 'page tables in a separate pool' "$tmp/t" && ok || bad "12: textbook machine's page tables"
"$vmsim" run --trace $pages --set memory.frames=4 2>&1 | grep -qE '^page faults +10 ' && ok ||
    bad "12: --set over the textbook machine: 10 faults"
"$vmsim" run --help | grep -q 'configs/textbook.ini' && ok || bad "12: --help names the textbook machine"

# --- 12: frames too few for one process's page tables: warn, keep the status -------
# x86-64 needs 4 table pages and a data frame: 3 frames in RAM cannot hold them.
"$vmsim" run --trace $pages --set memory.page_tables=ram >"$tmp/o" 2>"$tmp/e"
st=$?
grep -q 'memory.page_tables = separate' "$tmp/e" && ok || bad "12: run warns, naming page_tables"
[ $st -eq 0 ] && ok || bad "12: the warning leaves the exit status ($st)"
grep -q 'warning' "$tmp/o" && bad "12: the warning went to stdout" || ok
cat >"$tmp/small.ini" <<EOF
[machine]
arch = x86_64
[memory]
frames = 3
[trace]
lines =
    R 0x1000
EOF
"$vmsim" check "$tmp/small.ini" >"$tmp/o" 2>"$tmp/e"
st=$?
grep -q 'memory.page_tables = separate' "$tmp/e" && ok || bad "12: check warns"
[ $st -eq 0 ] && grep -q ': ok' "$tmp/o" && ok || bad "12: check still passes the file ($st)"
"$vmsim" run --trace $pages --set memory.frames=5 --set memory.page_tables=ram 2>&1 >/dev/null |
    grep -q warning && bad "12: 5 frames hold 4 tables and a page: no warning" || ok

# --- 15: Sv48's 512 GiB pages need 2^27 frames of 4 KiB, past the 2^26 maximum -----
grep -q '| `sv48` | 9+9+9+9+12 | as sv39 | 4K, 2M, 1G |' docs/file-formats.md && ok ||
    bad "15: docs list sv48's reachable page sizes"
grep -q '512G' docs/file-formats.md && bad "15: docs still claim 512G pages" || ok
[ $(( (1 << 39) / 4096 )) -gt 67108864 ] && ok || bad "15: arithmetic"

finish faithful
