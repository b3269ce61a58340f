#!/usr/bin/env bash
# Slurm as the launcher, for real: starts a one-node cluster on this machine (munged, slurmctld,
# slurmd, with a generated slurm.conf: proctrack/linuxproc, task/none, select/cons_tres, state
# and spool in a temporary folder), submits samples/cluster/convert.sbatch as a job array with
# `sbatch --wait --array=0-3` over a generated folder, checks that every file was converted
# exactly once and that the shard reports merge, then stops the daemons it started.
# Exits 77 (ctest: skipped) with the reason when the daemons cannot start here (not root, no
# Slurm installed). Usage: slurm_test.sh PIXFLOW SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/common.sh"
pixflow=$1
source_dir=$2

skip() {
  echo "SKIP: $*" >&2
  exit 77
}
for tool in munged mungekey slurmctld slurmd sbatch scontrol; do
  command -v "$tool" >/dev/null || skip "$tool not found (install slurm-wlm and munge: .ci/install-deps)"
done
[[ $(id -u) -eq 0 ]] || skip "the daemons run as root here (SlurmUser=root); run as root"

work=$(mktemp -d /tmp/pixflow-slurm.XXXXXX)
chmod 755 "$work"
daemons=()
cleanup() {
  local pid
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${daemons[@]}"; do
    # Each is our child: wait reaps it. Bounded: SIGKILL after 10 s.
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_SLURM_TEST:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

host=$(hostname -s)
base=$((20000 + $$ % 20000))  # ports of our own, away from a real cluster's 6817/6818
mkdir -p "$work/state" "$work/spool" "$work/munge"
chmod 755 "$work/munge"  # munged wants its socket folder searchable

mungekey --create --keyfile="$work/munge/munge.key" 2>"$work/mungekey.log" ||
  skip "mungekey failed: $(cat "$work/mungekey.log")"
munged --foreground --force --key-file="$work/munge/munge.key" \
  --socket="$work/munge/munge.sock" --pid-file="$work/munge/munged.pid" \
  --seed-file="$work/munge/munged.seed" --log-file="$work/munge/munged.log" \
  >"$work/munge/munged.out" 2>&1 &
daemons+=($!)
for _ in $(seq 50); do [[ -S $work/munge/munge.sock ]] && break; sleep 0.1; done
[[ -S $work/munge/munge.sock ]] || skip "munged did not start: $(cat "$work/munge/munged.log" 2>/dev/null)"

cat >"$work/slurm.conf" <<CONF
ClusterName=pixflowtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$(nproc) RealMemory=$((($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024) * 3 / 4)) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
export SLURM_CONF=$work/slurm.conf

slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
daemons+=($!)
ready=0
for _ in $(seq 150); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then ready=1; break; fi
  for pid in "${daemons[@]}"; do
    kill -0 "$pid" 2>/dev/null ||
      skip "a Slurm daemon exited: $(tail -5 "$work"/slurm*.log "$work"/slurm*.out 2>/dev/null)"
  done
  sleep 0.2
done
((ready)) || skip "the node did not come up: $(sinfo 2>&1; tail -5 "$work"/slurm*.log)"

make_inputs "$work/in" 32
chmod -R a+rX "$work"
export PIXFLOW=$pixflow
sbatch --wait --array=0-3 --cpus-per-task=1 --mem-per-cpu=500M \
  --output="$work/job-%a.log" --chdir="$work" \
  "$source_dir/samples/cluster/convert.sbatch" "$work/in" "$work/out" --resize 64x \
  >"$work/sbatch.out" 2>&1 || fail "sbatch --wait exited $?: $(cat "$work/sbatch.out" "$work"/job-*.log)"
for k in 0 1 2 3; do
  grep -q "shard $k/4 (from SLURM_ARRAY_TASK_ID=$k, SLURM_ARRAY_TASK_COUNT=4" "$work/job-$k.log" ||
    fail "task $k: $(cat "$work/job-$k.log")"
done
check_exactly_once "$pixflow" "$work/in" "$work/out" "$work"/out.reports/report-{0,1,2,3}.json
echo "slurm: 32 images over a 4-task job array, each exactly once"

# srun tasks: SLURM_PROCID of SLURM_STEP_NUM_TASKS (the batch script around them has
# SLURM_PROCID=0 and SLURM_NTASKS=2 too, and must not take that for a shard).
sbatch --wait --ntasks=2 --cpus-per-task=1 --mem-per-cpu=500M --output="$work/srun.log" \
  --chdir="$work" --wrap "srun $pixflow convert $work/in -o $work/out-srun --resize 64x -v \
    --report $work/srun-{shard}.json >/dev/null" >"$work/sbatch-srun.out" 2>&1 ||
  fail "sbatch (srun) exited $?: $(cat "$work/sbatch-srun.out" "$work/srun.log")"
for k in 0 1; do
  grep -q "shard $k/2 (from SLURM_PROCID=$k, SLURM_STEP_NUM_TASKS=2)" "$work/srun.log" ||
    fail "srun task $k: $(cat "$work/srun.log")"
done
check_exactly_once "$pixflow" "$work/in" "$work/out-srun" "$work"/srun-{0,1}.json
echo "slurm: 32 images over 2 srun tasks, each exactly once"
