#!/usr/bin/env bash
# Runs one cargo-fuzz target for a while and prints what it did: executions, and any crash.
#
#   tools/fuzz-run.sh TARGET SECONDS JOBS [cargo-fuzz build flags…] -- [libFuzzer flags…]
#
# libFuzzer flags given here come after the defaults (-max_len=16384 -timeout=30), so they win.
# With JOBS > 1, libFuzzer runs that many fuzzing processes side by side over one shared
# corpus (`-jobs=N -workers=N`, one per core); each writes fuzz-N.log in the working
# directory, which this script moves to target/fuzz-logs/TARGET/ and sums.
# New inputs go to target/fuzz-corpus/TARGET; crash inputs to fuzz/artifacts/TARGET.
set -uo pipefail
target=$1 seconds=$2 jobs=$3
shift 3
build=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do build+=("$1"); shift; done
[ $# -gt 0 ] && shift
logs=target/fuzz-logs/$target
mkdir -p "target/fuzz-corpus/$target" "$logs"
rm -f "$logs"/*.log fuzz-[0-9]*.log
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
echo "fuzzing $target for $seconds s (${jobs} process(es))"
cargo +nightly fuzz run "${build[@]}" "$target" "target/fuzz-corpus/$target" "fuzz/corpus/$target" -- \
	-max_len=16384 -timeout=30 "$@" "${parallel[@]}" -max_total_time="$seconds" \
	-print_final_stats=1 >"$logs/main.log" 2>&1
status=$?
# Each process's own log when there are several (the main log repeats them), else the main log.
runs=("$logs/main.log")
if mv fuzz-[0-9]*.log "$logs/" 2>/dev/null; then
	runs=("$logs"/fuzz-[0-9]*.log)
fi
# What a reader needs: the end of each run, and any crash or panic with its cause.
grep -hE '^(#[0-9]+.*DONE|SUMMARY|==[0-9]+==ERROR|thread .* panicked|Test unit written)' "${runs[@]}"
executions=$(grep -h '^stat::number_of_executed_units' "${runs[@]}" | awk '{n += $2} END {print n + 0}')
echo "$target: $executions executions in $seconds s"
if [ $status -ne 0 ]; then
	echo "$target: the fuzzer stopped with status $status (full output in $logs/)"
	tail -n 30 "$logs/main.log"
	exit 1
fi
