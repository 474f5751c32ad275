#!/bin/sh
# make install into a temporary DESTDIR, then the installed vmsim from another folder:
# scenarios by name (VMSIM_DATADIR, and the folders beside the program), --list,
# --version, the window program under libexec, man pages that lint clean and cover
# every verb, option and key, bash completion, and make uninstall.
# Usage: tests/verbs/install.sh path/to/vmsim (the build's; this test installs its own)
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib.sh"
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

# The default PREFIX, as the build's own: installing rebuilds nothing.
root=$tmp/root
prefix=/usr/local
data=$root$prefix/share/vmsim
if ! env -u MAKEFLAGS -u MAKELEVEL make -s -C "$src" install DESTDIR="$root" >"$tmp/make.log" 2>&1; then
    bad "make install"; cat "$tmp/make.log"
    echo "install: $pass passed, $fail failed"; exit 1
fi
vmsim=$root$prefix/bin/vmsim

# --- what is where ------------------------------------------------------------
for f in bin/vmsim libexec/vmsim/vmsim-gui share/vmsim/scenarios/belady.ini \
         share/vmsim/configs/x86_64.ini share/man/man1/vmsim.1 share/man/man5/vmsim-scenario.5 \
         share/bash-completion/completions/vmsim; do
    check "installed $f" test -f "$root$prefix/$f"
done
check "vmsim is executable" test -x "$vmsim"
n_src=$(ls "$src"/scenarios/*.ini | wc -l)
n_inst=$(ls "$data"/scenarios/*.ini | wc -l)
check "all $n_src scenarios installed (got $n_inst)" test "$n_src" -eq "$n_inst"
[ -d "$src/exercises" ] && check "exercises installed" test -d "$data/exercises"
[ -f "$src/include/vmsim/policy_plugin.h" ] &&
    check "plugin header installed" test -f "$root$prefix/include/vmsim/policy_plugin.h"

# --- scenarios by name, from another folder -------------------------------------
mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" || exit 1
# Belady's anomaly (Belady, Nelson, Shedler 1969; OSTEP ch. 22): the string
# 1 2 3 4 1 2 5 1 2 3 4 5 under FIFO faults 9 times with 3 frames, 10 with 4.
VMSIM_DATADIR=$data "$vmsim" run belady >out 2>err
check "run belady with VMSIM_DATADIR: exit 0" test $? -eq 0
check "belady: 9 faults with 3 frames" grep -Eq '^page faults +9 ' out
VMSIM_DATADIR=$data "$vmsim" run belady.ini --set memory.frames=4 >out 2>err
check "belady.ini with 4 frames: 10 faults" grep -Eq '^page faults +10 ' out
# The include = ../configs/textbook.ini of an installed scenario resolves there.
VMSIM_DATADIR=$data "$vmsim" run oom-killer >out 2>err
check "an installed scenario's include works" test $? -eq 0
# VMSIM_DATADIR alone is searched when set.
mkdir empty
VMSIM_DATADIR=$tmp/elsewhere/empty "$vmsim" run belady >out 2>err
check "no scenario in VMSIM_DATADIR: exit 2" test $? -eq 2
check "the message names the folder" grep -q "$tmp/elsewhere/empty/scenarios" err
check "nothing on stdout" test ! -s out
# Unset, the installed program finds ../share/vmsim beside itself.
env -u VMSIM_DATADIR "$vmsim" run belady >out 2>err
check "run belady found beside the program" grep -Eq '^page faults +9 ' out
# A path that exists wins over a name.
sed 's/^title = .*/title = a local file/; s|\.\./configs/|'"$data"'/configs/|' \
    "$data/scenarios/belady.ini" > belady
VMSIM_DATADIR=$data "$vmsim" run belady >out 2>err
check "a file named belady wins" grep -q '^a local file' out
VMSIM_DATADIR=$data "$vmsim" run --list >out 2>err
check "--list names every scenario" test "$(wc -l < out)" -eq "$n_src"
check "--list gives titles" grep -q "^belady  *Belady's anomaly" out
VMSIM_DATADIR=$data "$vmsim" run --list --format json >out 2>err
check "--list takes no other option" test $? -eq 2

# --- version ------------------------------------------------------------------
check "--version is scripts/version.sh's" \
    test "$("$vmsim" --version)" = "vmsim $(sh "$src/scripts/version.sh")"

# --- the window program, found under libexec ------------------------------------
SDL_VIDEODRIVER=dummy VMSIM_DATADIR=$data "$vmsim" gui belady --steps 3 --screenshot shot.png \
    --size 1024x640 >out 2>err
check "gui --screenshot through libexec/vmsim/vmsim-gui" test $? -eq 0
check "a PNG" test "$(head -c 4 shot.png | tail -c 3)" = PNG

# --- man pages ------------------------------------------------------------------
man1=$root$prefix/share/man/man1/vmsim.1
man5=$root$prefix/share/man/man5/vmsim-scenario.5
for page in "$man1" "$man5"; do
    check "mandoc -Tlint $(basename "$page") prints nothing" \
        test -z "$(mandoc -Tlint "$page" 2>&1)"
    check "man --warnings -l $(basename "$page") prints nothing" \
        test -z "$(man --warnings -l "$page" 2>&1 >/dev/null)"
done
check "vmsim.1 names the data folder" grep -q 'usr/local/share/vmsim' "$man1"
# Every verb and each of its options is in vmsim(1) and in README.md or docs/.
sed 's/\\-/-/g' "$man1" > man1.txt
cat "$src/README.md" "$src"/docs/*.md > docs.txt
for v in $("$vmsim" help verbs); do
    [ "$v" = help ] && continue
    "$vmsim" "$v" --help > help 2>&1
    check "vmsim $v --help: exit 0, usage first (vmsim(1) is made of it)" \
        test $? -eq 0 -a "$(head -c $((14 + ${#v})) help)" = "usage: vmsim $v "
    check "vmsim(1) has verb $v" grep -q "^\.SS \"vmsim $v\"" man1.txt
    check "docs show verb $v" grep -q "vmsim $v" docs.txt
    for o in $("$vmsim" "$v" --help | sed -n 's/^  \(--[a-z][-a-z]*\).*/\1/p'); do
        check "vmsim(1) has $v $o" grep -q -- "^\\\\fB$o\\\\fR" man1.txt
        check "docs show $v $o" grep -q -- "$o" docs.txt
    done
done
# Every key of the loader's table is in vmsim-scenario(5), so in docs/file-formats.md,
# and the loader takes it (--set reaches every section but scenario and process).
"$vmsim" help keys > keys
sed 's/\\f[BIRP]//g' "$man5" > man5.txt
check "help keys lists keys" test "$(wc -l < keys)" -gt 40
while IFS=. read -r section key; do
    check "vmsim-scenario(5) has $section.$key" grep -q "\\<$key\\>" man5.txt
    case $section in scenario | process) continue ;; esac
    "$vmsim" run --set "$section.$key=?" >/dev/null 2>err
    check "$section.$key is a key the loader takes" test -z "$(grep 'unknown' err)"
done < keys
# ...and every key the loader compares against is in the table.
for key in $(sed -n 's/.*strcmp(k, "\([a-z_]*\)").*/\1/p; s/.*{ "\([a-z_]*\)", offsetof.*/\1/p' \
                 "$src/sim/core/scenario_keys.c" | sort -u); do
    check "help keys lists $key" grep -q "\.$key\$" keys
done

# --- bash completion --------------------------------------------------------------
comp=$root$prefix/share/bash-completion/completions/vmsim
if command -v bash >/dev/null; then
    got=$(PATH=$root$prefix/bin:$PATH VMSIM_DATADIR=$data bash -c '
        . "$1"
        c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _vmsim; echo "${COMPREPLY[*]}"; }
        c vmsim r; c vmsim run --set memory.po; c vmsim run --set memory.policy = cl
        c vmsim run bel; c vmsim run --format ""' sh "$comp" 2>&1)
    check "completion: verbs, keys, policies, scenarios, choices" \
        test "$got" = "run
memory.policy memory.policy_params
clock
belady
text json csv reflog"
fi

# --- uninstall ------------------------------------------------------------------
cd "$src" || exit 1
env -u MAKEFLAGS -u MAKELEVEL make -s uninstall DESTDIR="$root" >"$tmp/make.log" 2>&1
check "make uninstall" test $? -eq 0
check "uninstall leaves no file" test -z "$(find "$root" -type f)"

finish install
