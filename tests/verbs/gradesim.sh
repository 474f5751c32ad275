#!/bin/sh
# vmsim grade-sim and the labs' trace formats (csc369, cs1550). The "student
# simulators" are shell scripts written here; the right one is an LRU simulator in awk
# (not vmsim's engine), so full marks mean vmsim and it agree. Trace formats are
# checked against the grammar in docs/file-formats.md on small files written here.
# Usage: tests/verbs/gradesim.sh path/to/vmsim
set -u
vmsim=${1:?usage: gradesim.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
. "$(dirname "$0")/../lib.sh"

check() { if eval "$2"; then ok; else bad "$1"; sed 's/^/  /' "$tmp/out" | head -20; fi; }

# expect_exit STATUS DESCRIPTION command...: keeps stdout and stderr in $tmp.
expect_exit() {
    status=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$status" ]; then ok; else bad "$what: exit $got, wanted $status"; sed 's/^/  /' "$tmp/err" | head -3; fi
}

# ---- trace formats ------------------------------------------------------------------

# csc369: I/L/S/M with bare hex, no size; M is one write reference.
printf 'I 4005d0\nL 1ffefff5d8\n# a comment\nS 0x601040\nM 601044\n' >"$tmp/a.csc369"
expect_exit 0 "csc369 trace" "$vmsim" run --trace "$tmp/a.csc369" --trace-format csc369 --format csv --log all
check "csc369: four references, M one write" \
    '[ "$(cut -d, -f2,4,5 "$tmp/out" | tail -n +2 | tr "\n" " ")" = "1,X,0x4005d0 2,R,0x1ffefff5d8 4,W,0x601040 5,W,0x601044 " ]'
printf 'M 601044,4\n' >"$tmp/bad.csc369"
expect_exit 2 "csc369 with a size" "$vmsim" run --trace "$tmp/bad.csc369" --trace-format csc369
check "csc369 error names FILE:LINE" 'grep -q "bad.csc369:1: expected .I|L|S|M ADDR. (csc369)" "$tmp/err" && [ ! -s "$tmp/out" ]'

# cs1550: process N is its own process pN (pid N + 1, docs/file-formats.md), with its
# own address space; the frames are shared.
printf 's 0x0041f7a0 1\nl 0x00001000 0\nl 0x00001000 1\nl 0x1008 0\n' >"$tmp/b.cs1550"
expect_exit 0 "cs1550 trace" "$vmsim" run --trace "$tmp/b.cs1550" --trace-format cs1550 --format csv --log all \
    --set memory.frames=16 --set tlb.entries=0
check "cs1550: processes apart, one address space each" \
    '[ "$(cut -d, -f3,4,5,8 "$tmp/out" | tail -n +2 | tr "\n" " ")" = "2,W,0x41f7a0,minor 1,R,0x1000,minor 2,R,0x1000,minor 1,R,0x1008, " ]'
printf 'l 0x100000000 1\n' >"$tmp/bad.cs1550"
expect_exit 2 "cs1550 address of 33 bits" "$vmsim" run --trace "$tmp/bad.cs1550" --trace-format cs1550
check "cs1550 address error" 'grep -q "bad.cs1550:1: expected an address below 2^32" "$tmp/err"'
printf 'l 0x1000 32768\n' >"$tmp/bad.cs1550"
expect_exit 2 "cs1550 process 32768" "$vmsim" run --trace "$tmp/bad.cs1550" --trace-format cs1550
printf 'l 0x1000\n' >"$tmp/bad.cs1550"
expect_exit 2 "cs1550 without a process" "$vmsim" run --trace "$tmp/bad.cs1550" --trace-format cs1550
check "cs1550 grammar error" 'grep -q "expected .l|s ADDR PROCESS. (cs1550)" "$tmp/err"'
# Not sniffed (process 0 would be ls's size 0): the format must be named.
expect_exit 2 "cs1550 lines sniffed" "$vmsim" run --trace "$tmp/b.cs1550"
check "cs1550 lines without --trace-format" 'grep -q "use --trace-format" "$tmp/err"'

# ---- grade-sim ----------------------------------------------------------------------

# A CS1550 trace: 2 processes, pages 0-9 each, a third of the references writes.
awk 'BEGIN { x = 7; for (i = 0; i < 300; i++) { x = (x * 1103515245 + 12345) % 2147483648;
     p = int(x / 65536) % 10; w = int(x / 256) % 3 == 0; pid = int(x / 4096) % 2;
     printf "%s 0x%08x %d\n", w ? "s" : "l", p * 4096 + (x % 4096), pid } }' >"$tmp/t.trace"
gzip -k "$tmp/t.trace"
mkdir "$tmp/hidden" && mv "$tmp/t.trace.gz" "$tmp/hidden/"

# The student's LRU simulator (CS1550's ./vmsim -n FRAMES -a POLICY TRACE): global LRU
# over (process, page), a dirty victim is a write to disk. BIAS is added to the faults;
# REFLOG=1 prints a reflog line per reference, REFLOG_FLIP=N makes line N's H/M wrong.
cat >"$tmp/lru.sh" <<'SIM'
#!/bin/sh
frames=$2; trace=$5
awk -v nf="$frames" -v bias="${BIAS:-0}" -v reflog="${REFLOG:-0}" -v flip="${REFLOG_FLIP:-0}" '
function hex(s,   v, i, c) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
    return v }
{   n++; page = int(hex($2) / 4096); key = $3 ":" page; w = $1 == "s"
    hit = (key in last); victim = "-"; d = 0
    if (!hit) { faults++
        if (used == nf) { best = ""; for (k in last) if (best == "" || last[k] < last[best]) best = k
            split(best, parts, ":"); victim = parts[2]; d = dirty[best] + 0; writes += d
            delete last[best]; delete dirty[best]; used-- }
        used++ }
    last[key] = n; if (w) dirty[key] = 1
    if (reflog) { h = hit ? "H" : "M"; if (n == flip) h = hit ? "M" : "H"
        printf "%d %d %s %s %s %d\n", n, page, w ? "W" : "R", h, victim, d } }
END { printf "Algorithm: LRU\nNumber of frames: %d\nTotal memory accesses: %d\nTotal page faults: %d\nTotal writes to disk: %d\n", nf, n, faults + bias, writes + 0 }' "$trace"
SIM

# submission NAME MAKE_RECIPE VMSIM_BODY: a folder with a Makefile that makes ./vmsim.
submission() {
    mkdir -p "$tmp/subs/$1"
    printf 'vmsim: vmsim.sh\n\t%s\n' "$2" >"$tmp/subs/$1/Makefile"
    printf '#!/bin/sh\n%s\n' "$3" >"$tmp/subs/$1/vmsim.sh"
}
cp "$tmp/lru.sh" "$tmp/lru-sim"
submission good 'cp vmsim.sh vmsim && chmod +x vmsim' "exec sh '$tmp/lru-sim' \"\$@\""
submission offbyone 'cp vmsim.sh vmsim && chmod +x vmsim' "BIAS=1 exec sh '$tmp/lru-sim' \"\$@\""
submission reflog 'cp vmsim.sh vmsim && chmod +x vmsim' "REFLOG=1 REFLOG_FLIP=40 exec sh '$tmp/lru-sim' \"\$@\""
submission nobuild 'echo "vmsim.c:3: error: expected ;" >&2; exit 1' 'true'
submission crash 'cp vmsim.sh vmsim && chmod +x vmsim' 'echo starting; kill -SEGV $$'
submission hang 'cp vmsim.sh vmsim && chmod +x vmsim' 'sleep 30'

cat >"$tmp/tests.ini" <<'INI'
[grade-sim]
profile = cs1550
build = make
run = ./vmsim -n {frames} -a {policy} {trace}
timeout = 1
[test lru-4]
trace = hidden/t.trace.gz
frames = 4
policy = lru
compare = faults writes accesses
points = 3
[test lru-7]
trace = hidden/t.trace.gz
frames = 7
policy = lru
points = 3
INI

# The numbers the awk simulator finds (independent of vmsim), for the messages below.
gunzip -c "$tmp/hidden/t.trace.gz" >"$tmp/t.plain"
faults4=$(sh "$tmp/lru.sh" -n 4 -a lru "$tmp/t.plain" | sed -n 's/Total page faults: //p')

start=$(date +%s)
expect_exit 0 "grade-sim, every kind of submission" "$vmsim" grade-sim "$tmp/tests.ini" \
    "$tmp/subs/good" "$tmp/subs/offbyone" "$tmp/subs/reflog" "$tmp/subs/nobuild" \
    "$tmp/subs/crash" "$tmp/subs/hang"
took=$(( $(date +%s) - start ))
cp "$tmp/out" "$tmp/all"
check "the right simulator gets full marks" 'grep -q "^good: 6 / 6 " "$tmp/all"'
check "off by one: partial credit" 'grep -q "^offbyone: 4 / 6 " "$tmp/all"'
check "off by one: the difference shown" \
    'grep -q "lru-4.faults: your program printed $((faults4 + 1)); vmsim counts $faults4 (yours is 1 more)" "$tmp/all"'
check "reflog: counters right" 'grep -q "^reflog: 6 / 6 " "$tmp/all"'
check "does not build: 0 with the reason" \
    'grep -q "^nobuild: 0 / 6 " "$tmp/all" && grep -q "the build (make) failed: exit status 2" "$tmp/all" && grep -q "error: expected ;" "$tmp/all"'
check "crash: 0 with the signal" 'grep -q "^crash: 0 / 6 " "$tmp/all" && grep -q "killed by signal 11" "$tmp/all"'
check "hang: 0, timed out" 'grep -q "^hang: 0 / 6 " "$tmp/all" && grep -q "timed out after 1 s" "$tmp/all"'
check "the whole run is quick (timeouts of 1 s)" '[ "$took" -le 8 ]'

# The reflog's first divergence, explained (the counters being right, it is reported
# only with a wrong counter: a wrong reflog alone is shown when a count differs).
submission reflogbad 'cp vmsim.sh vmsim && chmod +x vmsim' "BIAS=2 REFLOG=1 REFLOG_FLIP=40 exec sh '$tmp/lru-sim' \"\$@\""
expect_exit 0 "grade-sim, a wrong reflog" "$vmsim" grade-sim "$tmp/tests.ini" "$tmp/subs/reflogbad"
check "reflog: first divergence at reference 40" 'grep -q "your reflog first differs at reference 40" "$tmp/out"'
# vmsim's reflog line there is the awk simulator's own (unflipped) line 40.
line40=$(REFLOG=1 sh "$tmp/lru.sh" -n 4 -a lru "$tmp/t.plain" | sed -n 40p)
check "reflog: vmsim's record equals the awk simulator's" 'grep -q "^    vmsim: $line40\$" "$tmp/out"'
check "reflog: the resident pages in LRU order" 'grep -q "Resident pages by last use, least recent first" "$tmp/out"'

# Outputs shared with vmsim grade.
expect_exit 0 "grade-sim --format gradescope" "$vmsim" grade-sim "$tmp/tests.ini" "$tmp/subs/offbyone" --format gradescope
check "gradescope: score and a test per counter" \
    'grep -q "\"score\": 4," "$tmp/out" && grep -q "\"name\": \"lru-4.faults\", \"score\": 0, \"max_score\": 1" "$tmp/out"'
expect_exit 3 "--strict with a crash" "$vmsim" grade-sim "$tmp/tests.ini" "$tmp/subs/crash" --strict

# csc369: the student's FIFO simulator prints CSC369's summary (its "Total references :"
# has a blank before the colon); custom: a regular expression on a pages trace.
printf 'I 4005d0\nL 1ffefff5d8\nS 601040\nM 601044\nL 4005d8\nS 7ff000\nL 1ffefff5d0\nM 602000\nI 400000\nL 601000\n' >"$tmp/c.trace"
cat >"$tmp/fifo369.sh" <<'SIM'
#!/bin/sh
# sim -f TRACE -m FRAMES -a fifo
awk -v nf="$4" '
function hex(s,   v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v }
{   n++; p = int(hex($2) / 4096)
    if (p in loaded) hits++
    else { miss++
        if (used == nf) { v = q[head++]; if (dirty[v]) de++; else ce++; delete loaded[v]; delete dirty[v]; used-- }
        q[tail++] = p; loaded[p] = 1; used++ }
    if ($1 == "S" || $1 == "M") dirty[p] = 1 }
END { printf "Hit count: %d\nMiss count: %d\nClean evictions: %d\nDirty evictions: %d\nTotal references : %d\n", hits, miss, ce, de, n }' "$2"
SIM
mkdir -p "$tmp/subs369/s1"
cat >"$tmp/t369.ini" <<INI
[grade-sim]
profile = csc369
run = sh '$tmp/fifo369.sh' -f {trace} -m {frames} -a {policy}
[test fifo-2]
trace = c.trace
frames = 2
policy = fifo
INI
expect_exit 0 "grade-sim csc369" "$vmsim" grade-sim "$tmp/t369.ini" "$tmp/subs369/s1"
check "csc369: five counters right" 'grep -q "^s1: 1 / 1 " "$tmp/out" && [ "$(grep -c " 0.2 / 0.2" "$tmp/out")" -eq 5 ]'
printf '3\n1\n3\n2\n1\n4\n' >"$tmp/p.trace"
cat >"$tmp/custom.ini" <<INI
[grade-sim]
profile = custom
trace_format = pages
counter.faults = ^Faults: (\d+)
run = echo "Faults: \$(( {pagesize} / 8192 + 4 ))"
[test opt]
trace = p.trace
frames = 2
policy = opt
pagesize = 8192
INI
# OPT with 2 frames on 3 1 3 2 1 4: 3 and 1 miss, 3 hits, 2 evicts 3 (never used
# again), 1 hits, 4 misses: 4 faults. The program prints pagesize / 8192 + 4 = 5.
expect_exit 0 "grade-sim custom" "$vmsim" grade-sim "$tmp/custom.ini" "$tmp/subs369/s1"
check "custom: the regular expression read, OPT's count" 'grep -q "opt.faults: your program printed 5; vmsim counts 4 (yours is 1 more)" "$tmp/out"'

# Bad tests files: FILE:LINE, exit 2, nothing on stdout.
printf '[grade-sim]\nprofile = cs1551\n' >"$tmp/bad.ini"
expect_exit 2 "unknown profile" "$vmsim" grade-sim "$tmp/bad.ini" "$tmp/subs/good"
check "unknown profile: FILE:LINE" 'grep -q "bad.ini:2: expected profile = cs1550, csc369 or custom" "$tmp/err" && [ ! -s "$tmp/out" ]'
printf '[grade-sim]\nprofile = cs1550\nrun = x\n[test t]\ntrace = nothere\nframes = 2\n' >"$tmp/bad.ini"
expect_exit 2 "missing trace" "$vmsim" grade-sim "$tmp/bad.ini" "$tmp/subs/good"

finish gradesim
