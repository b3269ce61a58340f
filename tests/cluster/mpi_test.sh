#!/usr/bin/env bash
# Open MPI as the launcher: `mpirun -np 4 pixflow convert ...` starts four independent copies;
# each reads its rank and size (OMPI_COMM_WORLD_RANK/SIZE) as --shard K/N. pixflow never calls
# MPI itself: MPI is only how a cluster starts it. Usage: mpi_test.sh PIXFLOW
set -euo pipefail
source "$(dirname "$0")/common.sh"
pixflow=$1
command -v mpirun >/dev/null || fail "mpirun not found (install openmpi-bin: .ci/install-deps)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_inputs "$work/in" 24

for mode in threads processes; do
  mpirun --oversubscribe --allow-run-as-root -np 4 \
    "$pixflow" convert "$work/in" -o "$work/out-$mode" --resize 64x --mode "$mode" --workers 2 \
    -j 1 -v --report "$work/$mode-{shard}.json" >/dev/null 2>"$work/$mode.log" ||
    fail "mpirun exited $?: $(cat "$work/$mode.log")"
  for k in 0 1 2 3; do
    grep -q "shard $k/4 (from OMPI_COMM_WORLD_RANK=$k, OMPI_COMM_WORLD_SIZE=4)" "$work/$mode.log" ||
      fail "rank $k did not take shard $k/4: $(cat "$work/$mode.log")"
  done
  check_exactly_once "$pixflow" "$work/in" "$work/out-$mode" "$work/$mode"-{0,1,2,3}.json
  echo "mpi ($mode): 24 images over 4 ranks, each exactly once"
done
