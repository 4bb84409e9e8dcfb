#!/usr/bin/env bash
# Measures what Redis durability costs on this machine: SET and XADD (the suite's two kinds of write) with
# AOF and `appendfsync always` (what the suite runs), `everysec`, and no AOF, in the same run, rounds
# alternating between the three so that drift in the machine hits them alike. Prints a Markdown table of
# medians (requests per second, p99 in ms) and the ratio to no AOF.
#   usage: docs/measure-aof.sh [rounds=5] [requests=20000] [clients=16]
set -euo pipefail
rounds=${1:-5} requests=${2:-20000} clients=${3:-16}
work=$(mktemp -d)
trap 'for p in $(cat "$work"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

declare -A port=([always]=16391 [everysec]=16392 [none]=16393)
for mode in always everysec none; do
  mkdir -p "$work/$mode"
  if [ "$mode" = none ]; then aof=(--appendonly no); else aof=(--appendonly yes --appendfsync "$mode"); fi
  redis-server --port "${port[$mode]}" --bind 127.0.0.1 --dir "$work/$mode" --save "" "${aof[@]}" --daemonize no >/dev/null &
  echo $! > "$work/$mode.pid"
done
for mode in always everysec none; do
  until redis-cli -p "${port[$mode]}" ping >/dev/null 2>&1; do sleep 0.1; done
done

# One line per run: mode test rps p99
for round in $(seq "$rounds"); do
  for mode in always everysec none; do
    p=${port[$mode]}
    redis-benchmark -p "$p" -c "$clients" -n "$requests" -t set --csv 2>/dev/null | awk -F, -v m="$mode" 'NR>1 {gsub(/"/, "", $2); gsub(/"/, "", $7); print m, "SET", $2, $7}' >> "$work/runs"
    redis-benchmark -p "$p" -c "$clients" -n "$requests" --csv XADD bench-stream '*' field value 2>/dev/null | awk -F, -v m="$mode" 'NR>1 {gsub(/"/, "", $2); gsub(/"/, "", $7); print m, "XADD", $2, $7}' >> "$work/runs"
    redis-cli -p "$p" del bench-stream >/dev/null
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "| test | durability | requests/s (median of $rounds) | p99 ms (median) | ratio to no AOF |"
echo "|---|---|---|---|---|"
for test in SET XADD; do
  base=$(awk -v t="$test" '$1=="none" && $2==t {print $3}' "$work/runs" | median)
  for mode in always everysec none; do
    rps=$(awk -v t="$test" -v m="$mode" '$1==m && $2==t {print $3}' "$work/runs" | median)
    p99=$(awk -v t="$test" -v m="$mode" '$1==m && $2==t {print $4}' "$work/runs" | median)
    printf '| %s | %s | %.0f | %.3f | %.2f |\n' "$test" "$mode" "$rps" "$p99" "$(echo "$rps / $base" | bc -l)"
  done
done
