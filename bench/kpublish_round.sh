#!/bin/sh
# One save-hook round with kpublish: claim the next revision and get its
# path, save the scene there (here: copy a file), register it.
# usage: kpublish_round.sh KPUBLISH TASK_ID SOFTWARE_NAME ROOTS_FILE SCENE
set -eu
kp=$1 task=$2 software=$3 roots=$4 scene=$5
path=$("$kp" publish working --task "$task" --software "$software" --roots "$roots" --print-path)
cp "$scene" "$path"
"$kp" publish working "$path" --roots "$roots" >/dev/null
