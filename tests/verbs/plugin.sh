#!/bin/sh
# Replacement policies as plugins (include/vmsim/policy_plugin.h) and vmsim grade-policy.
# The plugins are written here against the header, independently of vmsim's policies
# and of examples/policies: FIFO as a ring of frames in load order, LRU by last-use
# stamps, CLOCK as a hand over R bits, OPT from init->next_use. Their fault counts must
# be tests/data/expected-faults.csv's (computed by other programs, see its README).
# Usage: tests/verbs/plugin.sh path/to/vmsim
set -u
vmsim=${1:?usage: plugin.sh VMSIM}
case $vmsim in /*) ;; *) vmsim=$(pwd)/$vmsim ;; esac
root=$(pwd)
. "$(dirname "$0")/../lib.sh"

cat >"$tmp/p.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "vmsim/policy_plugin.h"
typedef struct {
    vmsim_policy_init in;
    uint32_t hand, ring_head, ring_len;
    uint32_t *ring;            /* FIFO: frames in load order, a circular buffer */
    uint64_t *stamp;           /* LRU: last use; others: 1 while resident */
    unsigned char *r;          /* CLOCK: R bits */
} S;
static void *create(const vmsim_policy_init *in)
{
    S *s = calloc(1, sizeof *s);
#ifdef SAY
    fprintf(stderr, "params '%s' frames %u\n", in->params, in->nframes);
#endif
    s->in = *in;
    s->ring = calloc(in->nframes, sizeof *s->ring);
    s->stamp = calloc(in->nframes, sizeof *s->stamp);
    s->r = calloc(in->nframes, 1);
    return s;
}
static void destroy(void *st) { S *s = st; free(s->ring); free(s->stamp); free(s->r); free(s); }
static void insert(void *st, uint32_t f, uint64_t vpn, uint32_t pid, int w, uint64_t now)
{
    S *s = st; (void)vpn, (void)pid, (void)w;
#ifdef SAY
    fprintf(stderr, "insert page %llu of pid %u at %llu\n", (unsigned long long)vpn, pid, (unsigned long long)now);
#endif
    s->stamp[f] = now;
    s->r[f] = 1;
    s->ring[(s->ring_head + s->ring_len++) % s->in.nframes] = f;
}
static void touch(void *st, uint32_t f, int w, uint64_t now)
{
    S *s = st; (void)w;
#if LRU
    s->stamp[f] = now;
#endif
    (void)now;
    s->r[f] = 1;
}
static void rm(void *st, uint32_t f)
{
    S *s = st;
    s->stamp[f] = 0;
    /* FIFO: only the head ever leaves on this test's machine (one process) */
    if (s->ring_len && s->ring[s->ring_head] == f)
        s->ring_head = (s->ring_head + 1) % s->in.nframes, s->ring_len--;
}
static uint32_t victim(void *st, uint64_t now)
{
    S *s = st; (void)now;
#if FIFO
    return s->ring[s->ring_head];
#elif LRU
    uint32_t best = 0;
    for (uint32_t f = 1; f < s->in.nframes; f++)
        if (s->stamp[f] < s->stamp[best]) best = f;
    return best;
#elif CLOCK
    for (;;) {
        uint32_t f = s->hand;
        s->hand = (f + 1) % s->in.nframes;
        if (!s->r[f]) return f;
        s->r[f] = 0;
    }
#else
    uint32_t best = 0;
    for (uint32_t f = 1; f < s->in.nframes; f++)
        if (s->in.next_use(s->in.engine, f) > s->in.next_use(s->in.engine, best)) best = f;
    return best;
#endif
}
static const vmsim_policy_ops ops = { VMSIM_POLICY_ABI, "t", create, destroy, insert, touch, rm, victim, 0, 0 };
const vmsim_policy_ops *vmsim_policy_v1(void) { return &ops; }
EOF
for p in FIFO LRU CLOCK OPT; do
    cc -shared -fPIC -O1 -D$p=1 -I"$root/include" -o "$tmp/$p.so" "$tmp/p.c" || bad "cc $p"
done

faults() {   # trace format frames policy -> page_faults
    "$vmsim" run --trace "$1" --trace-format "$2" --set memory.frames="$3" --set memory.policy="$4" \
        --set tlb.entries=0 --set memory.page_tables=separate --format csv |
        awk -F, 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i } NR==2 { print $col["page_faults"] }'
}
# Every row but the wc ones at fewer than 64 frames (each of those is a 200,000-line
# trace; one per policy is enough here).
while IFS=, read -r stream policy frames refs want; do
    [ "$stream" = stream ] && continue
    case "$stream,$frames" in
    wc,64) trace=tests/data/wc.lackey.xz fmt=lackey ;;
    wc,*) continue ;;
    *) trace=tests/data/$stream.pages fmt=pages ;;
    esac
    got=$(faults "$trace" "$fmt" "$frames" "plugin:$tmp/$policy.so")
    [ "$got" = "$want" ] && ok || bad "plugin $policy on $stream, $frames frames: $got faults, want $want"
done <tests/data/expected-faults.csv

# examples/policies (what `make examples` builds) against the same rows.
for row in fifo:FIFO:uniform_1k_s1:8 lru:LRU:uniform_1k_s1:8 opt:OPT:uniform_1k_s1:16 clock:CLOCK:wc:64; do
    IFS=: read -r ex policy stream frames <<EOF2
$row
EOF2
    want=$(awk -F, -v s="$stream" -v p="$policy" -v f="$frames" '$1 == s && $2 == p && $3 == f { print $5 }' tests/data/expected-faults.csv)
    cc -shared -fPIC -O1 -I"$root/include" -o "$tmp/ex_$ex.so" "examples/policies/$ex.c" || bad "cc examples/policies/$ex.c"
    case $stream in wc) trace=tests/data/wc.lackey.xz fmt=lackey ;; *) trace=tests/data/$stream.pages fmt=pages ;; esac
    got=$(faults "$trace" "$fmt" "$frames" "plugin:$tmp/ex_$ex.so")
    [ -n "$want" ] && [ "$got" = "$want" ] && ok || bad "examples/policies/$ex.c on $stream, $frames frames: $got faults, want $want"
done
cc -shared -fPIC -I"$root/include" -o "$tmp/skeleton.so" examples/policies/skeleton.c && \
    "$vmsim" run --trace tests/data/belady.pages --set memory.policy=plugin:"$tmp/skeleton.so" >/dev/null \
    && ok || bad "the skeleton builds and runs"

# insert is told the page and the process: Belady's string with FIFO in 3 frames faults
# at references 1-7, 10 and 11 (README of tests/data), loading pages 1 2 3 4 1 2 5 3 4.
cc -shared -fPIC -DFIFO=1 -DSAY=1 -I"$root/include" -o "$tmp/say.so" "$tmp/p.c" || bad "cc say"
"$vmsim" run --trace tests/data/belady.pages --set memory.frames=3 --set memory.policy=plugin:"$tmp/say.so" \
    2>"$tmp/err" >/dev/null
pid=$(sed -n '/^insert/{s/.* pid \([0-9]*\) .*/\1/p;q;}' "$tmp/err")
[ "$(awk '/^insert/ { printf "%s@%s ", $3, $8 }' "$tmp/err")" = "1@1 2@2 3@3 4@4 1@5 2@6 5@7 3@10 4@11 " ] && [ -n "$pid" ] \
    && [ "$(grep -c " pid $pid " "$tmp/err")" = 9 ] && ok || bad "insert's page numbers: $(cat "$tmp/err")"
grep -q "^params '' frames 3$" "$tmp/err" && ok || bad "create without params: $(head -1 "$tmp/err")"
"$vmsim" run --trace tests/data/belady.pages --set memory.frames=3 --set memory.policy=plugin:"$tmp/say.so" \
    --set 'memory.policy_params = window=4 x' 2>"$tmp/err" >/dev/null
grep -q "^params 'window=4 x' frames 3$" "$tmp/err" && ok || bad "memory.policy_params: $(head -1 "$tmp/err")"
printf '[memory]\npolicy_params = x\n' >"$tmp/params.ini"
"$vmsim" run "$tmp/params.ini" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "params.ini:2: memory.policy_params goes with a plugin, on the command line only" "$tmp/err" \
    && ok || bad "policy_params in a file: $(cat "$tmp/err")"
# Stepping back replays the plugin from the start: going to 12, back to 6 and on to 12
# again tells every insert a second time, the same (a new instance of the plugin).
printf 'step 12\nback 6\nstep 6\nprint stats\nquit\n' | "$vmsim" step --trace tests/data/belady.pages \
    --set memory.frames=3 --set memory.policy=plugin:"$tmp/say.so" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(awk '/^insert/ { printf "%s@%s ", $3, $8 }' "$tmp/err")" = "1@1 2@2 3@3 4@4 1@5 2@6 5@7 3@10 4@11 1@1 2@2 3@3 4@4 1@5 2@6 5@7 3@10 4@11 " ] \
    && grep -q "page faults  *9" "$tmp/out" && ok || bad "step back with a plugin: $(cat "$tmp/err")"

# The header vmsim prints is the repository's.
"$vmsim" help plugin-header | cmp -s - include/vmsim/policy_plugin.h && ok || bad "help plugin-header differs from the header"

# A file cannot load code; the command line names the plugin.
printf '[memory]\nframes = 3\npolicy = plugin:%s/LRU.so\n' "$tmp" >"$tmp/evil.ini"
"$vmsim" run "$tmp/evil.ini" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "evil.ini:3: a plugin policy is loaded from the command line only" "$tmp/err" \
    && ok || bad "a scenario naming a plugin: $(cat "$tmp/err")"
"$vmsim" run --trace tests/data/belady.pages --set memory.policy=plugin:"$tmp/none.so" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot load it" "$tmp/err" && ok || bad "a missing plugin: $(cat "$tmp/err")"

# Bad plugins: one that crashes, one that never answers, one that names a frame not
# holding a page (frame 0 holds the page-table root on the default machine), one that
# names no frame at all.
for k in crash loop table out; do
    sed -e "s/^#if FIFO/#if 1\n    if (\"$k\"[0] == 'c') { volatile int *z = 0; return (uint32_t)*z; }\n    if (\"$k\"[0] == 'l') for (;;) ;\n    if (\"$k\"[0] == 't') return 0;\n    return s->in.nframes;\n#elif FIFO/" "$tmp/p.c" >"$tmp/$k.c"
    cc -shared -fPIC -I"$root/include" -o "$tmp/$k.so" "$tmp/$k.c" || bad "cc $k"
done
"$vmsim" run --set memory.frames=8 --set memory.policy=plugin:"$tmp/table.so" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "plugin $tmp/table.so: at reference [0-9]* victim() returned frame 0, which is not resident" "$tmp/err" \
    && ok || bad "a victim not resident: $(cat "$tmp/err")"

# grade-policy: FIFO graded as LRU on Belady's string 1 2 3 4 1 2 5 1 2 3 4 5, 3 frames.
# By hand: pages 1 2 3 fill frames 0 1 2; both evict pages 1 2 3 4 (frames 0 1 2 0) at
# references 4 5 6 7; at reference 10 (page 3) LRU evicts page 5 (frame 0, last used at
# 7) and FIFO page 1 (frame 1, loaded at 5, before 5 at 7). LRU makes 10 - 3 = 7
# evictions, 4 agree: 5 x 4/7 = 2.8571 points.
cp tests/data/belady.pages "$tmp/"
cat >"$tmp/tests.ini" <<'EOF'
[grade-policy]
reference = lru
cpu_seconds = 1

[test belady3]
trace = belady.pages
frames = 3
compare = victims
points = 5

[test belady4]
trace = belady.pages
frames = 4
compare = faults
points = 1
EOF
"$vmsim" grade-policy "$tmp/tests.ini" "$tmp/FIFO.so" "$tmp/LRU.so" "$tmp/crash.so" "$tmp/loop.so" "$tmp/out.so" \
    >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "grade-policy exits 0 whatever the plugins do: $(cat "$tmp/err")"
grep -q "^FIFO: 2.8571 / 6" "$tmp/out" && ok || bad "FIFO as LRU: a partial score"
grep -q "belady3: eviction 5, at reference 10: yours evicted frame 1 (page 1), lru evicts frame 0 (page 5)" "$tmp/out" \
    && ok || bad "FIFO as LRU: the first divergence"
grep -q "lru's state before reference 10: .*0 (last used at 7)" "$tmp/out" && ok || bad "the reference's state"
grep -q "^LRU: 6 / 6" "$tmp/out" && ok || bad "LRU as LRU: full marks"
grep -q "^crash: 0 / 6" "$tmp/out" && grep -q "belady3: SIGSEGV at reference 4" "$tmp/out" && ok || bad "a crash"
grep -q "^loop: 0 / 6" "$tmp/out" && grep -q "belady3: no answer in 1 s at reference 4" "$tmp/out" && ok || bad "a hang"
grep -q "^out: 0 / 6" "$tmp/out" && grep -q "victim() returned frame 3, which is not a frame" "$tmp/out" && ok || bad "a bad frame"

# Gradescope: the top-level score is the sum of the tests' scores.
"$vmsim" grade-policy "$tmp/tests.ini" "$tmp/FIFO.so" --format gradescope >"$tmp/gs.json" 2>"$tmp/err"
awk '/"score":/ { gsub(/[^0-9.]/, "", $2); if (!top) { top = $2 } }
     /"max_score"/ { for (i = 1; i < NF; i++) if ($i == "\"score\":") { v = $(i+1); gsub(/,/, "", v); sum += v } }
     END { exit !(top > 0 && (top - sum) < 0.0001 && (sum - top) < 0.0001) }' "$tmp/gs.json" \
    && ok || bad "gradescope score = sum of tests: $(head -3 "$tmp/gs.json")"

finish plugin
