#!/bin/sh
# Memory images from the command line: vmsim run --image and vmsim dump, checked
# against OSTEP's own output (tests/data/ostep/multilevel-seed0.txt, made by
# paging-multilevel-translate.py -s 0 -c) and a bad image's FILE:LINE message.
# Usage: tests/verbs/image.sh path/to/vmsim
set -u
vmsim=${1:?usage: image.sh VMSIM}
. "$(dirname "$0")/../lib.sh"
seed0=tests/data/ostep/multilevel-seed0.txt

# OSTEP's answers: each "Translates to Physical Address 0xNNN" of the file, in order,
# against the "-> physical" lines of the log; each "Fault" against a fault line.
"$vmsim" run --image "$seed0" --log all >"$tmp/log" 2>"$tmp/err" && ok || bad "run --image exits 0"
sed -n 's/.*Translates to Physical Address 0x0*\([0-9a-f]\)/0x\1/p; s/.*--> Fault.*/fault/p' "$seed0" |
    sed 's/ .*//' >"$tmp/want"
sed -n 's/^  -> physical \(0x[0-9a-f]*\)$/\1/p; s/^  page fault (unhandled): PT entry not valid.*/fault/p' "$tmp/log" >"$tmp/got"
[ "$(wc -l <"$tmp/want")" -eq 10 ] && ok || bad "ten answers in $seed0"
if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "run --image: OSTEP's answers"; diff "$tmp/want" "$tmp/got" | head; fi

# dump --style ostep gives back OSTEP's page lines and PDBR line byte for byte.
"$vmsim" dump --image "$seed0" --style ostep >"$tmp/dump" && ok || bad "dump --style ostep exits 0"
sed -n '/^page   0:/,/^PDBR:/p' "$seed0" >"$tmp/want"
cmp -s "$tmp/want" "$tmp/dump" && ok || bad "dump --style ostep is OSTEP's dump"

# The .image text reads back to the same dump.
"$vmsim" dump --image "$seed0" --style image >"$tmp/seed0.image" && ok || bad "dump --style image"
"$vmsim" dump --image "$tmp/seed0.image" --style ostep >"$tmp/dump2" && ok || bad "dump of the .image"
cmp -s "$tmp/dump" "$tmp/dump2" && ok || bad "the .image round trip changes the dump"

# A hand-written Sv39 image (tests/data/image/sv39-two-pages.image, its entries worked
# out from the RISC-V privileged spec §4.4: PPN << 10 | V R W X U A D): reads and a
# fetch translate, a TLB hit needs no walk, a write to the r-x page stops at L0
# (W clear: a page fault, §4.3.2 step 5), an empty L0 entry and an empty L2 entry fault
# at their levels, and nothing is repaired.
"$vmsim" run --image tests/data/image/sv39-two-pages.image --trace tests/data/image/sv39-two-pages.trace \
    --log all >"$tmp/sv39" 2>"$tmp/err" && ok || bad "run the sv39 image"
sed -n 's/^  -> physical //p; s/^  page fault (unhandled): \([A-Z0-9]*\) entry.*/fault \1/p' "$tmp/sv39" | tr '\n' ' ' >"$tmp/got"
want='0x9000 0x9007 0x9000 0xc010 fault L0 fault L0 fault L2 '
[ "$(cat "$tmp/got")" = "$want" ] && ok || bad "sv39 image: got '$(cat "$tmp/got")', wanted '$want'"
"$vmsim" dump --image tests/data/image/sv39-two-pages.image --style vmprint >"$tmp/vm" && ok || bad "dump --style vmprint"
cat >"$tmp/want" <<'END'
page table 0x0000000000005000
..0: pte 0x0000000000000c01 pa 0x0000000000003000
.. ..2: pte 0x0000000000001c01 pa 0x0000000000007000
.. .. ..0: pte 0x00000000000024d7 pa 0x0000000000009000
.. .. ..1: pte 0x000000000000305b pa 0x000000000000c000
END
cmp -s "$tmp/want" "$tmp/vm" && ok || bad "vmprint tree of the sv39 image"

# The stepper: forwards into the fault, back to the translation.
printf 'step\nstep\nback\nquit\n' | "$vmsim" step --image "$seed0" >"$tmp/step" 2>&1 && ok || bad "step --image exits 0"
grep -c -- '-> physical 0x6bc' "$tmp/step" | grep -qx 2 && ok || bad "step, back: 0x611c -> 0x6bc twice"
grep -q 'page fault (unhandled): PT entry not valid' "$tmp/step" && ok || bad "step: the fault at the PT"

# The window renders an image headless (SDL's dummy driver): a PNG of step 2.
env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=dummy "$vmsim" gui --image "$seed0" --steps 2 \
    --screenshot "$tmp/gui.png" >"$tmp/out" 2>"$tmp/err" && ok || bad "gui --image --screenshot exits 0"
[ "$(head -c 4 "$tmp/gui.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e47 ] && ok || bad "gui --image writes a PNG"

# Bad input: FILE:LINE, exit 2, nothing on stdout.
printf 'machine = ostep\nroot = 1\nframe 3: zz\n' >"$tmp/bad.image"
for verb in run dump; do
    if [ $verb = run ]; then trace="--trace tests/data/trace/basic.vmsim"; else trace=; fi
    "$vmsim" $verb --image "$tmp/bad.image" $trace >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 2 ] && ok || bad "$verb: a bad image exits 2"
    grep -q "bad.image:3: expected the frame's bytes" "$tmp/err" && ok || bad "$verb: bad image names FILE:LINE"
    [ -s "$tmp/out" ] && bad "$verb: stdout not empty on a bad image" || ok
done
"$vmsim" check tests/data/image/sv39-two-pages.image >"$tmp/out" 2>"$tmp/err" && grep -qx 'tests/data/image/sv39-two-pages.image: ok' "$tmp/out" &&
    ok || bad "check an image"
"$vmsim" check "$tmp/bad.image" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "bad.image:3:" "$tmp/err" && ok || bad "check a bad image: exit 2, FILE:LINE"
"$vmsim" run scenarios/belady.ini --image "$seed0" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "--image with a scenario exits 2"
"$vmsim" dump --image "$seed0" --style tree >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "must be one of ostep entries vmprint image" "$tmp/err" && ok || bad "dump: a bad --style"
printf 'R 0x611c\nfork child\n' >"$tmp/events.trace"
"$vmsim" run --image "$seed0" --trace "$tmp/events.trace" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "events.trace:2: a memory image has no operating system" "$tmp/err" && ok ||
    bad "a process event on an image is FILE:LINE"
[ -s "$tmp/out" ] && bad "stdout not empty after a process event on an image" || ok
printf 'machine = ostep\nroot = 1\n' >"$tmp/empty.image"
"$vmsim" run --image "$tmp/empty.image" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "no addresses to translate" "$tmp/err" && ok || bad "an image without addresses or --trace"

finish image
