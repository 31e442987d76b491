#!/bin/sh
# `make bench-jobs`: a batch of N jobs (a seed sweep of one pair) at SIZE px with the default
# --jobs, against --jobs 1, and against one of its jobs alone on 1 thread (issue 18: the
# default should finish within 1.25x of that one job). Prints one table; the images and
# records are left in a temporary folder, which is removed. THREADS `auto` leaves --threads
# out, so the batch gets its default, every physical core (`make bench`).
#   sh tools/bench_jobs.sh N SIZE CONTENT STYLE THREADS
set -eu
n=$1; size=$2; content=$3; style=$4; threads=$5
bin=${STYLIZE:-.build/release/stylize}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seeds=$(seq -s, 1 "$n")
# Wall seconds of a command; its stderr goes to $out/last.err (the plan line is read from it).
seconds() {
    start=$(date +%s.%N)
    "$@" > /dev/null 2> "$out/last.err" || { cat "$out/last.err" >&2; exit 1; }
    echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }'
}
common="--content $content --style $style --size $size --quiet"
each="$threads threads each"
if [ "$threads" = auto ]; then each="every core each"; else common="$common --threads $threads"; fi
alone=$(seconds "$bin" batch $common --out "$out/alone" --sweep seed=1 --threads 1)
default=$(seconds "$bin" batch $common --out "$out/default" --sweep "seed=$seeds")
slots=$(grep -o '([0-9]* jobs* [^;]*' "$out/last.err" | tr -d '(')
serial=$(seconds "$bin" batch $common --out "$out/serial" --sweep "seed=$seeds" --jobs 1)
echo "batch of $n jobs at $size px, --threads $threads ($(uname -n), $(nproc) cores):"
printf '  %-56s %8s s\n' "one job alone, 1 thread" "$alone" "$n jobs, default ($slots)" "$default" "$n jobs, --jobs 1 ($each)" "$serial"
# The ideal with J slots is one job alone times ceil(N / J) rounds (issue 18's goal, with N
# jobs on N cores: at most 1.25 times one job alone, 80% of the ideal throughput).
slotcount=$(echo "$slots" | awk '{ print $1 }')
echo "$default $alone $serial $n $slotcount" | awk '{ rounds = int(($4 + $5 - 1) / $5);
    printf "  default against the ideal (one job alone x %d rounds): %.2f (goal: at most 1.25); --jobs 1 / default: %.2f\n", rounds, $1 / ($2 * rounds), $3 / $1 }'
