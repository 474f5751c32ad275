#!/bin/sh
# scripts/check-layers.sh against tiny core trees built here: a clean one (top calls
# os, os calls hw and a policy, os includes sim_int.h, a stale object whose source is
# gone) must pass; each copy of it with one wrong call or include must fail with exit
# status 1, one line naming the file, the symbol or header and its layer, and a count of
# one violation. The expected lines follow from how each tree is written, by hand.
# Usage: sh tests/layers/test.sh
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib.sh"
check="$root/scripts/check-layers.sh"
CC=${CC:-cc}

# compile FILE.c...: as the Makefile compiles the core (-MMD -MP, -Iinclude -Isim/core);
# sys/ stands for the system's headers (-isystem: -MMD leaves them out of the .d).
compile() {
    for c; do
        mkdir -p "build/$(dirname "$c")"
        $CC -std=c11 -c -MMD -MP -Iinclude -Isim/core -isystem sys "$c" -o "build/${c%.c}.o" ||
            bad "compiling $c"
    done
}
# put PATH TEXT: writes TEXT (one line) into PATH and compiles it if it is a .c file.
put() {
    mkdir -p "$(dirname "$1")"
    printf '%s\n' "$2" >"$1"
    case $1 in *.c) compile "$1" ;; esac
}

# The clean tree, in $tmp/base.
mkdir "$tmp/base" && cd "$tmp/base" || exit 1
put include/vmsim/a.h 'int top_run(void); int os_fault(int v); int hw_walk(int v); int pol_pick(void);'
put sim/core/sim_int.h 'struct Sim { int x; };'
put sim/core/os/policy/policy_int.h 'struct PState { int y; };'
put sim/ui/ui.h 'int ui_draw(void);'
put sys/SDL2/SDL.h 'int SDL_Init(unsigned f);'
put sys/readline/readline.h 'char *readline(const char *p);'
put sim/core/sim.c '#include "sim_int.h"
#include "vmsim/a.h"
int top_run(void) { return os_fault(1); }'
put sim/core/os/mm.c '#include "sim_int.h"
#include "vmsim/a.h"
int os_fault(int v) { return hw_walk(v) + pol_pick(); }'
put sim/core/os/policy/lru.c '#include "os/policy/policy_int.h"
#include "vmsim/a.h"
int pol_pick(void) { return 0; }'
put sim/core/hw/mmu.c '#include "vmsim/a.h"
int hw_walk(int v) { return v; }'
put sim/cli/say.c 'int cli_say(void); int cli_say(void) { return 1; }'
put sim/cli/main.c '#include "vmsim/a.h"
int main(void) { return top_run(); }'
put sim/core/os/gone.c 'int top_run(void); int gone(void); int gone(void) { return top_run(); }'
rm sim/core/os/gone.c

# tree NAME: a copy of the clean tree (built) in $tmp/NAME, the working directory.
tree() {
    cd "$tmp" && cp -R base "$1" && cd "$1" || exit 1
}
# verdict NAME STATUS LINE...: runs the check; wants exit STATUS and each LINE whole
# in its output (shown once when a line is missing).
verdict() {
    name=$1 status=$2
    shift 2
    expect "$status" "$name" sh "$check" . build
    missing=0
    for line; do
        if grep -qxF -- "$line" "$tmp/out"; then ok; else
            bad "$name: no line: $line"
            missing=1
        fi
    done
    [ $missing -eq 0 ] || sed 's/^/  | /' "$tmp/out" "$tmp/err"
}

tree clean
verdict "clean tree" 0 "check-layers: ok: 4 core files, 3 uses between them, one way, no cycle"
expect 2 "no build dir" sh "$check" . nowhere

tree hw-os
put sim/core/hw/tlb.c 'int os_fault(int v); int tlb_f(void); int tlb_f(void) { return os_fault(0); }'
verdict "hw calls os" 1 \
    "sim/core/hw/tlb.c: uses os_fault of sim/core/os/mm.c (os): hw/ calls nothing above it" \
    "check-layers: 1 violation"

tree hw-top
put sim/core/hw/tlb.c 'int top_run(void); int tlb_f(void); int tlb_f(void) { return top_run(); }'
verdict "hw calls top" 1 \
    "sim/core/hw/tlb.c: uses top_run of sim/core/sim.c (top): hw/ calls nothing above it" \
    "check-layers: 1 violation"

# hw_includes NAME HEADER STRUCT LAYER: hw/tlb.c includes HEADER, private to LAYER.
hw_includes() {
    tree "$1"
    put sim/core/hw/tlb.c "#include \"$2\"
int tlb_f(void); int tlb_f(void) { return (int)sizeof(struct $3); }"
    verdict "hw includes $2" 1 \
        "sim/core/hw/tlb.c: includes sim/core/$2, a private header of $4: hw/ includes none above it" \
        "check-layers: 1 violation"
}
hw_includes hw-sim-int sim_int.h Sim top
hw_includes hw-policy-int os/policy/policy_int.h PState os

tree os-top
put sim/core/os/policy/fifo.c 'int top_run(void); int fifo_f(void); int fifo_f(void) { return top_run(); }'
verdict "os/policy calls top" 1 \
    "sim/core/os/policy/fifo.c: uses top_run of sim/core/sim.c (top): os/ does not call the top of sim/core" \
    "check-layers: 1 violation"

tree core-cli
put sim/core/hw/tlb.c 'int cli_say(void); int tlb_f(void); int tlb_f(void) { return cli_say(); }'
verdict "core calls sim/cli" 1 \
    "sim/core/hw/tlb.c: uses cli_say of sim/cli/say.c (sim/cli): the core uses nothing outside sim/core" \
    "check-layers: 1 violation"

tree core-ui-h
put sim/core/event.c '#include "../ui/ui.h"
int ev_f(void); int ev_f(void) { return 0; }'
verdict "core includes sim/ui/ui.h" 1 \
    "sim/core/event.c: includes sim/ui/ui.h (sim/ui): the core includes nothing outside sim/core" \
    "check-layers: 1 violation"

tree core-sdl
put sim/core/os/proc.c '#include <SDL2/SDL.h> /* a comment> after it */
int proc_f(void); int proc_f(void) { return 0; }'
verdict "core includes SDL" 1 \
    "sim/core/os/proc.c: includes <SDL2/SDL.h> (SDL or readline): the core is built without them" \
    "check-layers: 1 violation"

tree core-readline
put sim/core/os/policy/policy_int.h '#include <readline/readline.h>
struct PState { int y; };'
compile sim/core/os/policy/lru.c
verdict "core includes readline through a private header" 1 \
    "sim/core/os/policy/lru.c: includes <readline/readline.h> through sim/core/os/policy/policy_int.h (SDL or readline): the core is built without them" \
    "check-layers: 1 violation"

tree core-sdl-call
put sim/core/hw/tlb.c 'int SDL_Init(unsigned f); int tlb_f(void); int tlb_f(void) { return SDL_Init(0); }'
verdict "core calls SDL" 1 \
    "sim/core/hw/tlb.c: uses SDL_Init (SDL or readline): the core is built without them" \
    "check-layers: 1 violation"

tree cycle
put sim/core/os/x.c 'int y_f(void); int x_f(void); int x_f(void) { return y_f(); }'
put sim/core/os/y.c 'int z_f(void); int y_f(void); int y_f(void) { return z_f(); }'
put sim/core/os/z.c 'int x_f(void); int z_f(void); int z_f(void) { return x_f() + 1; }'
verdict "a cycle of three os files" 1 \
    "cycle: sim/core/os/x.c -> sim/core/os/y.c -> sim/core/os/z.c -> sim/core/os/x.c (3 files tied: sim/core/os/x.c sim/core/os/y.c sim/core/os/z.c)" \
    "  sim/core/os/z.c -> sim/core/os/x.c: x_f" \
    "check-layers: 1 violation"

tree cycle-top
put sim/core/trace.c 'int hist_f(void); int trace_f(void); int trace_f(void) { return hist_f(); }'
put sim/core/history.c 'int trace_f(void); int top_run(void); int hist_f(void);
int hist_f(void) { return trace_f() + top_run(); }'
verdict "a cycle of two top files" 1 \
    "cycle: sim/core/history.c -> sim/core/trace.c -> sim/core/history.c (2 files tied: sim/core/history.c sim/core/trace.c)" \
    "check-layers: 1 violation"

finish layers
