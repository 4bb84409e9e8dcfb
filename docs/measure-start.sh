#!/usr/bin/env bash
# Measures how long the suite takes to start: from `dotnet run --project AppHost --no-build` to the
# gateway's /health answering 200 (Redis, the services and the gateway all up), and to the first party
# list answered with the reference data loaded. Prints the median of the runs.
#   usage: docs/measure-start.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
dotnet build AppHost -v q -nologo >/dev/null
healthy=() listed=()

# Stops dotnet run, the AppHost, DCP and what DCP started, and waits until the gateway's port is free.
stop_suite() {
  kill -TERM -- -"$1" 2>/dev/null || true
  pkill -TERM -f 'Ent.Partnership' || true
  pkill -TERM -f 'aspire.hosting.orchestration.*/dcp' || true
  pkill -TERM -x redis-server || true
  local deadline=$((SECONDS + 30))
  while curl -s -o /dev/null -m 1 http://localhost:8080/alive && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  wait "$1" 2>/dev/null || true
}
for run in $(seq "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s.%N)
  setsid dotnet run --project AppHost --no-build -- --Redis:DataDirectory="$data" >"$data/log" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 180))
  until curl -sf -o /dev/null http://localhost:8080/health; do
    [ $SECONDS -lt $deadline ] || { cat "$data/log"; stop_suite "$pid"; exit 1; }
    sleep 0.1
  done
  healthy+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
  until curl -sf -H 'X-Api-Key: dev-observer-key' 'http://localhost:8080/v1/parties?filter=kind%20%3D%20SCHOOL&pageSize=1' | grep -q uai; do
    [ $SECONDS -lt $deadline ] || { cat "$data/log"; stop_suite "$pid"; exit 1; }
    sleep 0.1
  done
  listed+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
  stop_suite "$pid"
  rm -rf "$data"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'gateway healthy: median %.1f s (runs: %s)\n' "$(median "${healthy[@]}")" "$(printf '%.1f ' "${healthy[@]}")"
printf 'schools listed:  median %.1f s (runs: %s)\n' "$(median "${listed[@]}")" "$(printf '%.1f ' "${listed[@]}")"
