#!/usr/bin/env bash
# A Kubernetes indexed Job (completionMode: Indexed, as in samples/cluster/convert-job.yaml)
# runs one pod per index with JOB_COMPLETION_INDEX set by the Job controller; the completion
# count reaches pixflow as --shard-count (or JOB_COMPLETIONS, which the manifest may set). This
# runs each index the way the controller would, in parallel, and checks the union.
# Usage: kubernetes_test.sh PIXFLOW
set -euo pipefail
source "$(dirname "$0")/common.sh"
pixflow=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_inputs "$work/in" 30
completions=5

pids=()
for index in $(seq 0 $((completions - 1))); do
  # Even indexes pass --shard-count; odd ones get JOB_COMPLETIONS from the pod's env.
  if ((index % 2 == 0)); then
    env -i PATH="$PATH" JOB_COMPLETION_INDEX=$index "$pixflow" convert "$work/in" -o "$work/out" \
      --resize 64x --shard-count $completions -v --report "$work/r-{shard}.json" \
      >/dev/null 2>"$work/pod$index.log" &
  else
    env -i PATH="$PATH" JOB_COMPLETION_INDEX=$index JOB_COMPLETIONS=$completions "$pixflow" \
      convert "$work/in" -o "$work/out" --resize 64x --mode processes --workers 2 -v \
      --report "$work/r-{shard}.json" >/dev/null 2>"$work/pod$index.log" &
  fi
  pids+=($!)
done
for index in "${!pids[@]}"; do
  wait "${pids[index]}" || fail "index $index exited $?: $(cat "$work/pod$index.log")"
  grep -q "shard $index/$completions (from JOB_COMPLETION_INDEX=$index" "$work/pod$index.log" ||
    fail "index $index: $(cat "$work/pod$index.log")"
done
check_exactly_once "$pixflow" "$work/in" "$work/out" "$work"/r-{0,1,2,3,4}.json

# Without a completion count the index alone must be refused, not convert everything.
if env -i JOB_COMPLETION_INDEX=1 "$pixflow" convert "$work/in" -o "$work/none" 2>"$work/bad.log"; then
  fail "JOB_COMPLETION_INDEX without a count was accepted"
fi
grep -q -- "--shard-count" "$work/bad.log" || fail "$(cat "$work/bad.log")"
echo "kubernetes: 30 images over $completions indexes, each exactly once"
