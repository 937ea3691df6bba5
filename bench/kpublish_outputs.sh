#!/bin/sh
# BENCH_N output publishes with kpublish, one process each, of the files
# kbench outputs made for this process ($BENCH_SRC/cache_PROC_*.abc), to
# the key it gives in the environment (BENCH_ENTITY, BENCH_TASK_TYPE,
# BENCH_OUTPUT_TYPE, BENCH_ROOTS).
# usage: kpublish_outputs.sh KPUBLISH [FLAG...]
set -eu
kp=$1
shift
proc=$(echo "$BENCH_PROC" | awk '{ s = ""; n = $1; do { s = substr("abcdefghijklmnopqrstuvwxyz", n % 26 + 1, 1) s; n = int(n / 26) } while (n > 0); print s }')
for src in "$BENCH_SRC/cache_${proc}_"*.abc; do
  "$kp" publish output "$src" --entity "$BENCH_ENTITY" --task-type "$BENCH_TASK_TYPE" \
    --output-type "$BENCH_OUTPUT_TYPE" --roots "$BENCH_ROOTS" --no-progress "$@" >/dev/null
done
