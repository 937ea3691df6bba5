#!/bin/sh
# BENCH_N output publishes of one file with kpublish, one process each, to
# the key kbench outputs gives in the environment (BENCH_ENTITY,
# BENCH_TASK_TYPE, BENCH_OUTPUT_TYPE, BENCH_ROOTS).
# usage: kpublish_outputs.sh KPUBLISH SOURCE [FLAG...]
set -eu
kp=$1 src=$2
shift 2
i=0
while [ "$i" -lt "$BENCH_N" ]; do
  "$kp" publish output "$src" --entity "$BENCH_ENTITY" --task-type "$BENCH_TASK_TYPE" \
    --output-type "$BENCH_OUTPUT_TYPE" --roots "$BENCH_ROOTS" --no-progress "$@" >/dev/null
  i=$((i + 1))
done
