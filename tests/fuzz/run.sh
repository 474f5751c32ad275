#!/bin/sh
# Runs fuzz harnesses built by `make fuzz-build`, each for FUZZ_SECONDS seconds, from a
# corpus seeded with the repository's files. Fails on the first finding: libFuzzer
# leaves the input in BUILD/findings/ (reproduce with `BUILD/fuzz_NAME FILE`).
# Usage: FUZZ_SECONDS=N [FUZZ_SEED=S] tests/fuzz/run.sh BUILD NAME...
# FUZZ_SEED fixes libFuzzer's random seed (CI: the same mutations on every run).
# -malloc_limit_mb above the RSS limit: the frame table is one calloc of up to 2^26
# records, which the kernel backs only as frames are used.
set -u
build=${1:?usage: run.sh BUILD NAME...}
shift
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$build/findings"

# seed NAME: fills $build/seeds/NAME from the repository (the corpus proper, in
# $build/corpus/NAME, keeps what the runs found interesting between runs).
seed() {
    d=$build/seeds/$1
    rm -rf "$d"
    mkdir -p "$d" "$build/corpus/$1"
    i=0
    case $1 in
    ini)
        for f in scenarios/*.ini configs/*.ini tests/data/bad/*.ini tests/data/robust/*.ini; do
            cp "$f" "$d/$(echo "$f" | tr / _)"
        done ;;
    trace)
        for f in tests/data/*.pages tests/data/*.xz tests/data/bad/*.trace tests/data/trace/*; do
            [ -f "$f" ] || continue
            i=$((i + 1))
            # format byte (0 auto), machine byte, then the file's first 64 KiB
            { printf '\000\003'; head -c 65536 "$f"; } >"$d/seed$i"
        done ;;
    set)
        printf 'memory.frames=3\nmemory.policy=opt\n' >"$d/a"
        printf 'machine.arch=sv39\nmemory.page_tables=separate\nmemory.frames=2\n' >"$d/b"
        printf 'memory.thp=always\nswap.slots=0\noom.panic_on_oom=1\n' >"$d/c"
        printf 'tlb.entries=0\nmemory.frames=67108864\n' >"$d/d" ;;
    step)
        printf '\001\003step 5\nback 2\nprint pt\ncontinue\nback 100\nrestart\nstep 1000\n' >"$d/a"
        printf '\002\002break oom\ncontinue\nprint frames\nback 1\nstep 3\nprint proc\n' >"$d/b"
        printf '\003\000step 100\nback 50\nprint tlb\nprint va\ninfo break\ndelete 1\nc\n' >"$d/c" ;;
    gen)
        head -c 512 tests/data/uniform_1k_s1.pages >"$d/a"
        printf 'fork switch exit brk mmap munmap mprotect call ret malloc free' >"$d/b" ;;
    esac
}

status=0
for name in "$@"; do
    seed "$name"
    echo "== fuzz_$name: ${seconds}s"
    "$build/fuzz_$name" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 \
        -malloc_limit_mb=4096 ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
        -artifact_prefix="$build/findings/$name-" -print_final_stats=1 \
        "$build/corpus/$name" "$build/seeds/$name" >"$build/fuzz_$name.log" 2>&1
    rc=$?
    grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|cov:' "$build/fuzz_$name.log" | tail -2
    if [ "$rc" -ne 0 ]; then
        echo "FAIL fuzz_$name: a finding (see $build/fuzz_$name.log and $build/findings/)"
        tail -30 "$build/fuzz_$name.log"
        status=1
    fi
done
exit $status
