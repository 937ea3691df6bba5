#!/bin/sh
# BENCH_N output publishes with gazu, one Python process each (import
# gazu, log in, next revision, path, copy, register), as farm tasks would
# run them.
# usage: gazu_outputs.sh PYTHON
set -eu
py=$1
dir=$(dirname "$0")
i=0
while [ "$i" -lt "$BENCH_N" ]; do
  "$py" "$dir/gazu/output_publish.py" "$i" 1
  i=$((i + 1))
done
