#!/bin/sh
# Regenerates the reference outputs of tests/verbs/ostep.sh from OSTEP's own programs.
# Usage (from anywhere): sh tests/data/ostep/regen.sh DIR
#   DIR holds paging-linear-translate.py, paging-multilevel-translate.py and
#   paging-policy.py from remzi-arpacidusseau/ostep-homework at commit
#   6c6cfc7e82c274fb7f0f068b5a75e1b42f7615b6 (they are not kept in this repository).
#   The outputs here were made by python3 3.11.7 from the newest versions that could be
#   read: tchajed/ostep-homework at 3acd7a68bb148a978ff9e8a28f13f8b51a400aa6, a copy of
#   upstream after its multilevel -c lines gained "0x" (upstream's older stored versions,
#   2e94adc9 and 4b15aadb, lack it). Their option tables, help strings and defaults are
#   those of every stored version; the 572 outputs of ../shared/data/ostep made at the
#   pinned commit (the g* and INDEX cases) come out byte for byte.
# Reads cases.in (NAME, ENV or -, PROGRAM, FLAGS; tab-separated) and writes cases.tsv
# (NAME, ENV, PROGRAM, the exit status, FLAGS: flags last, as they may be empty) and
# outputs.tar.xz (NAME.out: stdout; NAME.err: stderr where the exit status is 2,
# optparse's own messages). COLUMNS is unset unless
# ENV sets it. The programs run from this folder, so -f names its files.
set -eu
src=$(cd "${1:?usage: regen.sh DIR-WITH-THE-OSTEP-PROGRAMS}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tab=$(printf '\t')
: >"$tmp/cases.tsv"
while IFS="$tab" read -r name env prog flags; do
    set +e
    eval "set -- $flags"
    if [ "$env" = - ]; then
        env -u COLUMNS python3 "$src/$prog.py" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    else
        env -u COLUMNS "$env" python3 "$src/$prog.py" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    fi
    status=$?
    set -e
    [ "$status" -eq 2 ] || rm -f "$tmp/$name.err"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$env" "$prog" "$status" "$flags" >>"$tmp/cases.tsv"
done <cases.in
mv "$tmp/cases.tsv" cases.tsv
(cd "$tmp" && ls | LC_ALL=C sort | tar -cf - --owner=0 --group=0 --mtime=@0 -T - | xz -9 >"$here/outputs.tar.xz")
echo "regen: $(wc -l <cases.tsv) cases"
