#!/bin/sh
# The window end to end. Headless first (no display needed): --screenshot writes a
# PNG, bad input exits 2 with the CLI's FILE:LINE message and writes nothing, a missing
# font exits 2, and `vmsim` without a verb falls back to a headless run. Then, under
# xvfb-run, a real window driven with xdotool: five steps forward, three back; the
# title must say step 2, and the window's F12 screenshot must be byte-identical to
# `vmsim gui --steps 2 --screenshot` (the state a headless run reaches at step 2).
# Skips the window part (saying why) only when xvfb-run or xdotool is missing.
# Usage: tests/e2e/gui.sh path/to/vmsim   (KEEP=1 keeps its temporary directory)
set -u
vmsim=${1:?usage: gui.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
root=$(pwd)
. "$(dirname "$0")/../lib.sh"
is_png() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# expect STATUS DESCRIPTION command...: runs it (20 s at most) into $tmp/out, $tmp/err.
expect() {
    want=$1 what=$2
    shift 2
    timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, wanted $want"; sed 's/^/  /' "$tmp/err" | head -3; fi
}

# --- headless -------------------------------------------------------------------
expect 0 "screenshot" env -u DISPLAY -u WAYLAND_DISPLAY "$vmsim" gui scenarios/default.ini --steps 2 \
    --screenshot "$tmp/h2.png" --size 1280x800
is_png "$tmp/h2.png" && ok || bad "--screenshot did not write a PNG"
expect 0 "screenshot at step 3" "$vmsim" gui scenarios/default.ini --steps 3 --screenshot "$tmp/h3.png" --size 1280x800
cmp -s "$tmp/h2.png" "$tmp/h3.png" && bad "steps 2 and 3 look the same" || ok

bad_ini=$(ls tests/data/bad/*.ini | head -1)
"$vmsim" run "$bad_ini" 2>"$tmp/run.err" >/dev/null
expect 2 "bad scenario" "$vmsim" gui "$bad_ini" --screenshot "$tmp/bad.png"
cmp -s "$tmp/err" "$tmp/run.err" && ok || bad "gui and run disagree on $bad_ini: $(cat "$tmp/err")"
[ -e "$tmp/bad.png" ] && bad "a PNG was written for a bad scenario" || ok
expect 2 "bad trace line" "$vmsim" gui --trace tests/data/bad/bad-trace.trace --trace-format vmsim --steps 1000 \
    --screenshot "$tmp/bad.png"
grep -q 'tests/data/bad/bad-trace.trace:[0-9]*:' "$tmp/err" && ok || bad "no FILE:LINE for a bad trace line: $(cat "$tmp/err")"
[ -e "$tmp/bad.png" ] && bad "a PNG was written for a bad trace" || ok
expect 2 "bad --size" "$vmsim" gui --size 12 --screenshot "$tmp/bad.png"
expect 2 "--size below the minimum" "$vmsim" gui --size 1000x640 --screenshot "$tmp/bad.png"
grep -q '1024x640' "$tmp/err" && ok || bad "--size 1000x640 does not name the minimum: $(cat "$tmp/err")"
expect 2 "--text-out alone" "$vmsim" gui --text-out "$tmp/t.json"
expect 0 "--text-out" "$vmsim" gui scenarios/default.ini --steps 4 --screenshot "$tmp/t.png" --text-out "$tmp/t.json"
grep -q '^  {"text": "PD\[3\]: not present", "panel": "walk", "box": \[[0-9]*, [0-9]*, [0-9]*, [0-9]*\], "width": [0-9]*, "cut": false' "$tmp/t.json" \
    && ok || bad "--text-out lacks the faulting walk box: $(grep -c . "$tmp/t.json") lines"
[ "$(head -c1 "$tmp/t.json")" = "[" ] && [ "$(tail -n1 "$tmp/t.json")" = "]" ] && ok || bad "--text-out is not a JSON list"
expect 2 "no font" env VMSIM_FONT=/no/such/font.ttf "$vmsim" gui --screenshot "$tmp/bad.png"
grep -q 'VMSIM_FONT=/no/such/font.ttf' "$tmp/err" && ok || bad "no font: $(cat "$tmp/err")"
expect 1 "unwritable screenshot" "$vmsim" gui --screenshot "$tmp/no/such/dir/x.png"
expect 1 "a window without a display" env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$vmsim" gui
grep -q 'no display' "$tmp/err" && ok || bad "no display: $(cat "$tmp/err")"
expect 0 "no verb without a display" env -u DISPLAY -u WAYLAND_DISPLAY "$vmsim" scenarios/default.ini
grep -q 'page faults' "$tmp/out" && ok || bad "no verb without a display did not run headless"

if ! command -v xvfb-run >/dev/null 2>&1 || ! command -v xdotool >/dev/null 2>&1; then
    echo "gui-e2e: window tests skipped: xvfb-run or xdotool is not installed (scripts/deps.sh gui)"
    finish gui-e2e; exit
fi

# --- the window, under xvfb -------------------------------------------------------
# Runs inside xvfb-run: opens the window in $tmp (where F12 saves), drives it, and
# writes what it saw to $tmp/seen (title after 5 forward, after 3 back; exit status).
cat >"$tmp/drive.sh" <<'EOF'
vmsim=$1 root=$2 tmp=$3
cd "$tmp" || exit 1
xdotool mousemove 1590 990            # off the window: no hover in the screenshot
title() { xdotool getwindowname "$wid" 2>/dev/null; }
wait_title() {                         # up to 10 s for the title to end in $1
    i=0
    while [ $i -lt 100 ]; do
        case $(title) in *"$1") return 0 ;; esac
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# X11, D-Bus and GL drivers leak at exit; our code is leak-checked by test_ui.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$vmsim" gui "$root/scenarios/default.ini" --size 1280x800 2>"$tmp/gui.err" &
pid=$!
wid=$(timeout 15 xdotool search --sync --name '^vmsim .* step 0$' | head -1)
if [ -z "$wid" ]; then
    echo "nowindow" >"$tmp/seen"
    kill "$pid"
    exit 1
fi
# One key at a time, each waited for: a loaded machine may take a while to draw a step.
for i in 1 2 3 4 5; do xdotool key --window "$wid" Right; wait_title "step $i"; done
echo "forward: $(title)" >"$tmp/seen"
for i in 4 3 2; do xdotool key --window "$wid" Left; wait_title "step $i"; done
echo "back: $(title)" >>"$tmp/seen"
# H opens the help overlay and Esc closes it without quitting: F12 then saves step 2
# as it looks with no overlay.
xdotool key --window "$wid" h
xdotool key --window "$wid" Escape
xdotool key --window "$wid" F12
i=0
while [ ! -e vmsim-2.png ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xdotool key --window "$wid" q
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill "$pid" 2>/dev/null
wait "$pid"
echo "exit: $?" >>"$tmp/seen"
EOF
timeout 50 xvfb-run -a -s "-screen 0 1600x1000x24" sh "$tmp/drive.sh" "$vmsim" "$root" "$tmp" >/dev/null 2>&1
if ! [ -s "$tmp/seen" ] || grep -q nowindow "$tmp/seen"; then
    bad "the window did not open under xvfb-run"
    sed 's/^/  /' "$tmp/gui.err" 2>/dev/null | head -3
    finish gui-e2e; exit
fi
grep -q '^forward: vmsim — .* — step 5$' "$tmp/seen" && ok || bad "after five Right: $(sed -n 1p "$tmp/seen")"
grep -q '^back: vmsim — .* — step 2$' "$tmp/seen" && ok || bad "after three Left: $(sed -n 2p "$tmp/seen")"
grep -q '^exit: 0$' "$tmp/seen" && ok || bad "Q did not quit cleanly: $(sed -n 3p "$tmp/seen")"

# What the window says against headless runs of step 2.
steps=$(sed -n 's/^back: .* step \([0-9]*\)$/\1/p' "$tmp/seen")
"$vmsim" run scenarios/default.ini --steps 2 --format json >"$tmp/run.json"
grep -q "\"steps\": ${steps:-none}," "$tmp/run.json" && ok || bad "run --steps 2 disagrees with the title (step ${steps:-?})"
is_png "$tmp/vmsim-2.png" && ok || bad "F12 did not save vmsim-2.png"
cmp -s "$tmp/vmsim-2.png" "$tmp/h2.png" && ok || bad "the window's F12 screenshot differs from --steps 2 --screenshot"
cmp -s "$tmp/vmsim-2.png" "$tmp/h3.png" && bad "the window's screenshot matches step 3" || ok

# Without a verb and with a display, but stdout not a terminal: a headless run.
timeout 20 xvfb-run -a "$vmsim" scenarios/default.ini >"$tmp/out" 2>&1
grep -q 'page faults' "$tmp/out" && ok || bad "no verb, stdout a file: not a headless report"
finish gui-e2e
