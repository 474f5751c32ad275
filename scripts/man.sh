#!/bin/sh
# Generates the man pages into OUTDIR:
#   vmsim.1            man/vmsim.1.in, its VERBS section made from the program's own
#                      help: `vmsim help verbs`, then `vmsim VERB --help` for each
#   vmsim-scenario.5   man/vmsim-scenario.5.md and docs/file-formats.md, through lowdown
# A verb or option added to the program, or a key added to docs/file-formats.md, is in
# the next build's pages with no change here.
# Usage: scripts/man.sh VMSIM OUTDIR DATADIR LIBEXECDIR
set -eu
vmsim=$1 out=$2 datadir=$3 libexecdir=$4
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

version=$("$vmsim" --version | sed 's/^vmsim //')
stamp=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}
date=$(date -u -d "@$stamp" +%Y-%m-%d)

# man(7) text must not carry a literal '-' meant as a minus, nor '\'.
manesc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g'; }

verbs() {
    for v in $("$vmsim" help verbs); do
        [ "$v" = help ] && continue
        printf '.SS "vmsim %s"\n' "$v"
        "$vmsim" "$v" --help | awk -f "$src/scripts/helpman.awk"
    done
}

verbs > "$out/verbs.tmp"
awk -v version="$version" -v date="$date" \
    -v datadir="$(printf %s "$datadir" | manesc)" -v libexecdir="$(printf %s "$libexecdir" | manesc)" \
    -v verbs="$out/verbs.tmp" '
    /^@VERBS@$/ { while ((getline l < verbs) > 0) print l; next }
    { gsub(/@DATADIR@/, datadir); gsub(/@LIBEXECDIR@/, libexecdir); print }' "$src/man/vmsim.1.in" |
    LC_ALL=C awk -v title=VMSIM -v section=1 -v version="$version" -v date="$date" \
        -f "$src/scripts/manfix.awk" > "$out/vmsim.1"
rm -f "$out/verbs.tmp"

# docs/file-formats.md below the page's own NAME, SYNOPSIS and DESCRIPTION: its title
# dropped and its headings raised one level (## is a man section, ### a subsection).
awk '/^```/ { fence = !fence }
     !fence && /^# / { next }
     !fence && /^##/ { sub(/^#/, "") }
     { print }' "$src/docs/file-formats.md" |
    cat "$src/man/vmsim-scenario.5.md" - |
    lowdown -s -Tman |
    LC_ALL=C awk -v title=VMSIM-SCENARIO -v section=5 -v version="$version" -v date="$date" \
        -f "$src/scripts/manfix.awk" > "$out/vmsim-scenario.5"
