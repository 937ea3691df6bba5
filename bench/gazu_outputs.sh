#!/bin/sh
# BENCH_N output publishes of one file with gazu, one Python process each
# (import gazu, log in, next revision, path, copy, register), as farm
# tasks would run them.
# usage: gazu_outputs.sh PYTHON SOURCE
set -eu
py=$1 src=$2
dir=$(dirname "$0")
i=0
while [ "$i" -lt "$BENCH_N" ]; do
  "$py" "$dir/gazu/output_publish.py" 1 "$src"
  i=$((i + 1))
done
