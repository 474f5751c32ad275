#!/bin/sh
# Robustness: every shipped scenario on every small machine keeps its bookkeeping
# (VMSIM_CHECK=1: sim_check after every step, with run and with the stepper forward and
# back), and the regression cases of the fuzzing campaign (docs/testing.md) behave.
# Usage: tests/verbs/robust.sh path/to/vmsim
set -u
vmsim=${1:?usage: robust.sh VMSIM}
dir=$(dirname "$0")/../data/robust
. "$(dirname "$0")/../lib.sh"

# --- every scenario, 1..8 frames, tables in RAM and separate (findings 1-2) ---------
# A run may stop (1: out of memory with nothing killable) but never abort on a failed
# check (134) nor call a run-time outcome bad input (2).
export VMSIM_CHECK=1
for s in scenarios/*.ini; do
    for f in 1 2 3 4 5 6 7 8; do
        for pt in ram separate; do
            expect "0 1" "run $s frames=$f tables=$pt" \
                "$vmsim" run "$s" --set memory.frames=$f --set memory.page_tables=$pt
        done
    done
done
# The stepper to the end, back, forward again, from the start: each step checked.
for s in scenarios/*.ini; do
    for f in 1 3 5 8; do
        printf 'step 100000\nback 3\nstep 2\nback 100000\nstep 7\nback 2\nstep 100000\nquit\n' \
            >"$tmp/cmds"
        expect "0 1" "step $s frames=$f" sh -c "\"$vmsim\" step \"$s\" --set memory.frames=$f <\"$tmp/cmds\""
    done
done
unset VMSIM_CHECK

# --- finding 1: the OOM killer picks the faulting process during its page walk ------
expect "0 1" "default at 3 frames" env VMSIM_CHECK=1 "$vmsim" run scenarios/default.ini --set memory.frames=3
grep -q 'Killed process' "$tmp/out" || "$vmsim" run scenarios/default.ini --set memory.frames=3 --log all |
    grep -q 'Killed process' && ok || bad "default at 3 frames: an OOM kill is reported"

# --- finding 2: fork under memory pressure ------------------------------------------
# (a) refused: the parent sees -ENOMEM, no child exists, a switch to it is a skip.
expect 0 "fork refused by overcommit" env VMSIM_CHECK=1 "$vmsim" run "$dir/fork-refused.ini" --log all
grep -q 'fork() = -ENOMEM' "$tmp/out" && ok || bad "(a) fork returns -ENOMEM"
grep -q "skipped: 'kid' does not exist: its fork failed" "$tmp/out" && ok || bad "(a) switch to the unborn child is a logged skip"
grep -q ' kid ' "$tmp/out" && bad "(a) no child in the process table" || ok
# (b) the parent is the OOM killer's choice while its tables are copied: no child.
expect "0 1" "fork: parent killed" env VMSIM_CHECK=1 "$vmsim" run "$dir/fork-parent-killed.ini" --log all
grep -q 'Killed process 1 (big)' "$tmp/out" && ok || bad "(b) the parent is killed"
grep -q 'fork() =' "$tmp/out" && bad "(b) the fork never returns" || ok
grep -Eq '^ +[0-9]+ +kid ' "$tmp/out" && bad "(b) no child in the process table" || ok
# The child being copied is not on the task list yet (copy_process adds it once its mm
# is built), so dump_tasks() does not list it.
grep -Eq 'kernel: \[ +[0-9]+\].* kid$' "$tmp/out" && bad "(b) the half-built child in the task dump" || ok
# (c) another process is killed to make room: the fork completes.
expect 0 "fork: another killed" env VMSIM_CHECK=1 "$vmsim" run "$dir/fork-other-killed.ini" --log all
grep -q 'Killed process 1 (hog)' "$tmp/out" && ok || bad "(c) the other process is killed"
grep -q "fork() = 3: child 'kid'" "$tmp/out" && ok || bad "(c) the fork completes"
grep -Eq 'kernel: \[ +[0-9]+\].* kid$' "$tmp/out" && bad "(c) the half-built child in the task dump" || ok

# --- finding 3: separate table frames stop where the entry's frame field does ----------
# ostep's entries hold a 7-bit frame number (frames 0..127): with 128 frames of RAM no
# separate table frame is expressible, with 125 three are.
expect 1 "ostep, 128 frames, separate tables" \
    "$vmsim" run scenarios/ostep-smalltables.ini --set memory.frames=128 --set memory.page_tables=separate
grep -q 'an entry can point at frames up to 127' "$tmp/err" && ok || bad "the separate region's bound is named"
expect 0 "ostep, 120 frames, separate tables" env VMSIM_CHECK=1 \
    "$vmsim" run scenarios/ostep-smalltables.ini --set memory.frames=120 --set memory.page_tables=separate

# --- finding 4: RISC-V PROT_NONE then fork, then eviction -----------------------------
expect 0 "sv39 mprotect --- and fork" env VMSIM_CHECK=1 "$vmsim" run "$dir/riscv-protnone-fork.ini"
for arch in x86_64 x86_32 sv39 sv48; do
    expect 0 "$arch: a read after mprotect ---" env VMSIM_CHECK=1 \
        "$vmsim" run "$dir/protnone-read.ini" --set machine.arch=$arch --log all
    sed -n '/^step 3:/,/^$/p' "$tmp/out" | grep -q 'Segmentation fault' && ok || bad "$arch: a read of a PROT_NONE page faults"
done

# --- findings 7-11: INI input, read by inih alone ------------------------------------
# bad_input WHAT WANT command...: exit 2, WANT on stderr, nothing on stdout, in time.
bad_input() {
    what=$1 want=$2
    shift 2
    timeout 5 "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq 2 ] && ok || bad "$what: exit $got, wanted 2"
    grep -qF -- "$want" "$tmp/err" && ok || { bad "$what: stderr lacks '$want'"; sed 's/^/  got: /' "$tmp/err" | head -2; }
    [ -s "$tmp/out" ] && bad "$what: stdout not empty" || ok
}
printf '[scenario]\ninclude = /dev/zero\n' >"$tmp/inc-zero.ini"
bad_input "check /dev/zero" "/dev/zero: not a regular file" "$vmsim" check /dev/zero
bad_input "--config /dev/zero" "/dev/zero: not a regular file" "$vmsim" run --config /dev/zero
bad_input "include = /dev/zero" "inc-zero.ini:2: in include: /dev/zero: not a regular file" "$vmsim" check "$tmp/inc-zero.ini"
head -c 1048576 /dev/zero >"$tmp/zeros.ini"
bad_input "a file of NULs" "zeros.ini:1: unexpected NUL byte" "$vmsim" check "$tmp/zeros.ini"
printf '[memory]\nframes = 4\0junk\n' >"$tmp/nul-short.ini"
bad_input "a NUL in a short line" "nul-short.ini:2: unexpected NUL byte" "$vmsim" check "$tmp/nul-short.ini"
{ printf '[memory]\nframes = 4\0'; printf '%0300d' 0; printf '\n[bogus]\n'; } >"$tmp/nul-padded.ini"
bad_input "a NUL with padding" "nul-padded.ini:2: unexpected NUL byte" "$vmsim" check "$tmp/nul-padded.ini"
mkdir "$tmp/dir.ini"
printf '[scenario]\ninclude = dir.ini\n' >"$tmp/inc-dir.ini"
bad_input "a directory as scenario" "dir.ini: not a regular file" "$vmsim" check "$tmp/dir.ini"
bad_input "a directory as include" "inc-dir.ini:2: in include:" "$vmsim" run "$tmp/inc-dir.ini"
bad_input "a directory as config" "dir.ini: not a regular file" "$vmsim" run --config "$tmp/dir.ini"
# A byte-order mark: inih strips it, and its first section is read like any other.
printf '\357\273\277[bogus]\nframes = 4\n' >"$tmp/bom-bogus.ini"
bad_input "BOM, unknown first section" "bom-bogus.ini:1: unknown section [bogus]" "$vmsim" check "$tmp/bom-bogus.ini"
printf '\357\273\277[memory]\nframes = 5\n' >"$tmp/bom-frames.ini"
expect 0 "BOM, [memory] first" "$vmsim" run "$tmp/bom-frames.ini" --trace tests/data/belady.pages
grep -q '^memory    5 frames' "$tmp/out" && ok || bad "BOM: the first section's keys are applied"
# \v and \f are white space to inih: an indented line after a key continues it, and
# only description and lines continue; at the start of a section it is a header.
printf '[memory]\nframes = 4\n\v[bogus]\n' >"$tmp/vt.ini"
bad_input "VT before a header after a key" "vt.ini:3: expected 'key = value'; only description and lines continue" "$vmsim" check "$tmp/vt.ini"
printf '[memory]\n\f[bogus]\n' >"$tmp/ff.ini"
bad_input "FF before a header" "ff.ini:2: unknown section [bogus]" "$vmsim" check "$tmp/ff.ini"
# A megabyte of any of these is turned away (or accepted) within a second of CPU time
# (ulimit -t: a shared, busy machine does not make the test fail; CPU_SECONDS=N allows
# more for a build under the sanitizers).
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "[process p%d]\n", i }' >"$tmp/procs.ini"
awk 'BEGIN { print "[trace]\nformat = vmsim\nlines ="; for (i = 0; i < 80000; i++) printf "    R 0x%x\n", i * 64 }' >"$tmp/lines.ini"
awk 'BEGIN { print "[scenario]\ndescription = a"; for (i = 0; i < 35000; i++) print "    more words of a description" }' >"$tmp/desc.ini"
for f in procs lines desc; do
    (ulimit -t "${CPU_SECONDS:-1}"; exec "$vmsim" check "$tmp/$f.ini") >/dev/null 2>&1
    got=$?
    [ "$got" -le 2 ] && ok || bad "check of a megabyte ($f.ini) took more than a second (exit $got)"
done

# --- findings 12-14: check and run agree; run-time outcomes are not bad input ---------
# 12: a trace may fork any number of children (check kept only 256 names).
awk 'BEGIN { print "[process p]\nheap = 0x600000 4K\n[trace]\nformat = vmsim\nlines =";
             for (i = 0; i < 300; i++) printf "    fork c%d\n", i; print "    switch c299" }' >"$tmp/forks.ini"
expect 0 "check: 300 forks, then a switch to the last" "$vmsim" check "$tmp/forks.ini"
expect 0 "run: 300 forks, then a switch to the last" "$vmsim" run "$tmp/forks.ini"
# 13: a fork of a name that is taken is refused by both, in the same words.
printf '[process p]\nheap = 0x600000 4K\n[process q]\n[trace]\nformat = vmsim\nlines =\n    fork q\n' >"$tmp/fork-taken.ini"
for verb in check run; do
    bad_input "$verb: fork of a taken name" "fork-taken.ini:7: fork: the name 'q' is taken" "$vmsim" $verb "$tmp/fork-taken.ini"
done
printf '[process p]\nheap = 0x600000 4K\n[trace]\nformat = vmsim\nlines =\n    fork c\n    fork c\n' >"$tmp/fork-twice.ini"
for verb in check run; do
    bad_input "$verb: a name forked twice" "fork-twice.ini:7: fork: the name 'c' is taken" "$vmsim" $verb "$tmp/fork-twice.ini"
done
# 14: an access through a NULL from a refused malloc, a switch to a child whose fork was
# skipped (its parent was dead), a call too large for any stack: events, exit 0.
expect 0 "access through a refused malloc" "$vmsim" run "$dir/malloc-null.ini" --log all
grep -q "W 0x8$" "$tmp/out" && grep -q 'Segmentation fault' "$tmp/out" && ok || bad "NULL + 8 is accessed and faults"
printf '[process p]\nheap = 0x600000 4K\n[trace]\nformat = vmsim\nlines =\n    W 0x900000\n    fork c\n    switch c\n    W 0x600000\n' >"$tmp/fork-skipped.ini"
expect 0 "switch to a child whose fork was skipped" "$vmsim" run "$tmp/fork-skipped.ini" --log all
grep -q "skipped: 'c' does not exist: its fork failed" "$tmp/out" && ok || bad "the switch is a logged skip"
expect 0 "call 5G" "$vmsim" run "$dir/call-huge.ini" --log all
grep -q 'stack overflow: a 5368709120-byte frame goes below stack_limit' "$tmp/out" && ok || bad "call 5G: SIGSEGV naming stack_limit"

# --- finding 15: THP copy-on-write with no free run falls back to base pages -----------
expect 0 "THP copy-on-write without a run" env VMSIM_CHECK=1 "$vmsim" run "$dir/thp-cow.ini" --log all
grep -q 'SIGBUS' "$tmp/out" && bad "THP copy-on-write: no SIGBUS" || ok
grep -q 'it falls back to base pages' "$tmp/out" && ok || bad "THP copy-on-write: the fallback is told"

# --- findings 16-17: a trace from a pipe cannot be read twice: say so, lose no line ----
awk 'BEGIN { for (i = 0; i < 40000; i++) printf "R 0x%x\n", (i * 4096) % 16777216; print "BOGUS LINE" }' >"$tmp/big.trace"
mkfifo "$tmp/fifo"
cat "$tmp/big.trace" >"$tmp/fifo" &
printf 'step 30000\nback 20000\nstep 20000\nquit\n' |
    "$vmsim" step --trace "$tmp/fifo" --trace-format vmsim >"$tmp/out" 2>&1
wait
grep -q 'cannot go back to byte 0 of a pipe: reading a trace again' "$tmp/out" && ok || bad "back on a FIFO says a regular file is needed"
grep -q 'fifo:40001: expected' "$tmp/out" && ok || { bad "after a failed back, errors name the right line"; grep 'BOGUS' "$tmp/out" | head -2; }
head -n 40000 "$tmp/big.trace" >"$tmp/ok.trace"
cat "$tmp/ok.trace" >"$tmp/fifo" &
bad_input "opt on a FIFO" "cannot go back to byte 0 of a pipe" "$vmsim" run --trace "$tmp/fifo" --trace-format vmsim --set memory.policy=opt
wait
# Standard input and FIFOs are traces; a directory is not.
expect 0 "--trace - (stdin)" sh -c "\"$vmsim\" run --trace - <\"$tmp/ok.trace\""
grep -q '^references  *40000$' "$tmp/out" && ok || bad "--trace - reads standard input"
bad_input "a directory as trace" "is a directory, not a trace" "$vmsim" run --trace "$tmp"

# --- finding 19 ------------------------------------------------------------------------
bad_input "--steps past 2^64-1" "--steps needs a number of steps" "$vmsim" run --steps 18446744073709551616
bad_input "--set error without :0:" "vmsim: --set tlb.ways=3: tlb.ways: must divide" "$vmsim" run --set tlb.ways=3
grep -q ':0:' "$tmp/err" && bad "--set errors have no line" || ok
printf '\357\273\277R 0x1000\nW 0x2000\n' >"$tmp/bom.trace"
expect 0 "a trace starting with a BOM" "$vmsim" run --trace "$tmp/bom.trace"
grep -q '^references  *2$' "$tmp/out" && ok || bad "BOM trace: both lines read"
printf 'R 0x1000\nW 0x2000\n' >"$tmp/t.trace"
gzip -c "$tmp/t.trace" >"$tmp/t.gz"
xz -c "$tmp/t.trace" >"$tmp/t.xz"
for z in gz xz; do
    cat "$tmp/t.$z" "$tmp/t.$z" >"$tmp/two.$z"
    expect 0 "$z: two members" "$vmsim" run --trace "$tmp/two.$z"
    grep -q '^references  *4$' "$tmp/out" && ok || bad "$z: both members read"
    { cat "$tmp/t.$z"; printf 'garbage!'; } >"$tmp/junk.$z"
    name=$z; [ $z = gz ] && name=gzip
    bad_input "$z: trailing garbage" "bytes after the end of the $name data" "$vmsim" run --trace "$tmp/junk.$z"
done
expect 1 "a kill while the scenario is built" "$vmsim" run scenarios/oom-killer.ini --set memory.frames=2 --log all
head -1 "$tmp/out" | grep -q '^before step 1: database (pid 2) was killed' && ok || bad "a kill before step 1 is shown"

finish robust
