#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: runs each libFuzzer target for SECONDS with its dictionary and
# seed corpus, then prints executions and coverage per target.
#   fuzz/run.sh BIN_DIR SECONDS "EXTRA_LIBFUZZER_ARGS" TARGET...
# New corpus entries, crash artifacts and logs go under build-fuzz/run/, never
# into the checked-in fuzz/corpus/. Exit status 1 when a target crashed.
set -uo pipefail

bin=$1 secs=$2 extra=$3
shift 3
out=build-fuzz/run
failed=0
declare -A line result

for t in "$@"; do
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	log="$out/$t.log"
	echo "fuzz: $t for ${secs} s (log $log)"
	# the first corpus directory receives what libFuzzer finds; the seeds are only read
	# shellcheck disable=SC2086
	"$bin/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -dict="fuzz/dict/$t.dict" \
		-artifact_prefix="$out/artifacts/$t/" $extra "$out/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	# the last status line: "#N ... cov: C ft: F corp: ... exec/s: E" (fork mode: "exec/s E")
	line[$t]=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	if [[ $rc -ne 0 ]] || ls "$out/artifacts/$t" | grep -qE '^(crash|leak|timeout|oom)-'; then
		result[$t]="FAILED (rc $rc): $(grep -m1 -E '^SUMMARY:' "$log" || echo 'see log'); artifacts in $out/artifacts/$t/"
		failed=1
	else
		result[$t]=ok
	fi
done

echo
printf '%-12s %12s %9s %7s %7s  %s\n' target executions exec/s cov ft result
for t in "$@"; do
	l=${line[$t]}
	execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$l")
	rate=$(sed -nE 's/.*exec\/s:? ([0-9]+).*/\1/p' <<<"$l")
	cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$l")
	ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$l")
	printf '%-12s %12s %9s %7s %7s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${result[$t]}"
done
exit $failed
