#!/bin/sh
# The terminal stepper's transcripts. Each tests/step/NAME.cmds is piped into
# `vmsim step ARGS`, ARGS taken from its first line ("# vmsim step ARGS"); what comes
# out (stdout and stderr together) and the exit status must match NAME.out.
# Usage: tests/e2e/step.sh path/to/vmsim      UPDATE=1 rewrites the .out files.
set -u
vmsim=${1:?usage: step.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
if [ ! -x "$vmsim" ]; then
    echo "step: $vmsim is not a program (make builds build/vmsim)"
    exit 2
fi
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 2

for cmds in tests/step/*.cmds; do
    name=${cmds%.cmds}
    if ! head -n 1 "$cmds" | grep -q '^# vmsim step'; then
        echo "FAIL $cmds: the first line must be '# vmsim step [ARGS]'"
        fail=$((fail + 1))
        continue
    fi
    args=$(sed -n '1s/^# vmsim step//p' "$cmds")
    # ARGS are words without quoting (file names and --set options), split on purpose.
    # shellcheck disable=SC2086
    "$vmsim" step $args <"$cmds" >"$tmp/out" 2>&1
    echo "(exit status $?)" >>"$tmp/out"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/out" "$name.out"
        pass=$((pass + 1))
    elif cmp -s "$tmp/out" "$name.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $cmds: the transcript differs from $name.out"
        diff -u "$name.out" "$tmp/out" | head -40
    fi
done

finish step
