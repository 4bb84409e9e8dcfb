#!/usr/bin/env bash
# Measures publication: one Région message to every school under its competence (the lycées and EREA of
# the extract, about 250), from the approval to every delivery DELIVERED, with the ENT sandbox failing
# none of the pushes (the baseline) and then 20% of them, in the same run of the suite. Each run starts
# the suite on a fresh Redis folder. Prints each run and the medians.
#   usage: docs/measure-publication.sh [runs=3] [failure-rate=0.2]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rate=${2:-0.2}
gateway=http://localhost:8080
sandbox=http://localhost:8090
dotnet build AppHost -v q -nologo >/dev/null

stop_suite() {
  kill -TERM -- -"$1" 2>/dev/null || true
  pkill -TERM -f 'Ent.Partnership' || true
  pkill -TERM -f 'aspire.hosting.orchestration.*/dcp' || true
  pkill -TERM -x redis-server || true
  local deadline=$((SECONDS + 30))
  while curl -s -o /dev/null -m 1 "$gateway/alive" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  wait "$1" 2>/dev/null || true
}

call() { curl -sf -H "X-Api-Key: $1" -H 'Content-Type: application/json' "${@:2}"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# Publishes one message and prints: schools, seconds from approval to the last delivery, pushes made.
publish() {
  curl -sf -X PUT -H 'Content-Type: application/json' "$sandbox/settings" -d "{\"failureRate\": $1}" >/dev/null
  local expire name start schools
  expire=$(date -u -d '+20 days' +%Y-%m-%dT%H:%M:%SZ)
  name=$(call dev-region-key "$gateway/v1/communications" -d "{\"title\": \"Fermeture des lycées le 11 novembre\", \"body\": \"Les lycées seront fermés le 11 novembre.\", \"category\": \"EVENT\", \"audiences\": [\"PARENTS\", \"PUPILS\"], \"targets\": {\"allSchoolsUnderCompetence\": true}, \"expireTime\": \"$expire\"}" | field 'd["name"]')
  call dev-region-key "$gateway/v1/$name:submit" -d '{}' >/dev/null
  start=$(date +%s.%N)
  schools=$(call dev-admin-key "$gateway/v1/$name:approve" -d '{}' | field 'len(d["resolvedSchools"])')
  local deadline=$((SECONDS + 600))
  until [ "$(call dev-region-key "$gateway/v1/$name" | field 'd.get("deliverySummary", {}).get("delivered", 0)')" = "$schools" ]; do
    [ $SECONDS -lt $deadline ] || { echo "not delivered in 600 s" >&2; return 1; }
    sleep 0.2
  done
  local seconds attempts
  seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
  attempts=$(call dev-region-key "$gateway/v1/$name/deliveries?pageSize=500" | field 'sum(x.get("attempts", 0) for x in d["deliveries"])')
  printf '%s %.2f %s\n' "$schools" "$seconds" "$attempts"
}

baseline=() faulty=()
for run in $(seq "$runs"); do
  data=$(mktemp -d)
  setsid dotnet run --project AppHost --no-build -- --Redis:DataDirectory="$data" --EntSandbox:Port=8090 >"$data/log" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 240))
  # Ready when the schools are loaded and the charter is known (a check finds the convention).
  until call dev-region-key "$gateway/v1/parties?filter=kind%20%3D%20SCHOOL&pageSize=500" 2>/dev/null | grep -q uai \
    && call dev-region-key "$gateway/v1/communications:check" -d '{"communication": {"category": "EVENT", "audiences": ["PARENTS"], "targets": {"allSchoolsUnderCompetence": true}}}' 2>/dev/null | grep -q '"charterRevision"'; do
    [ $SECONDS -lt $deadline ] || { cat "$data/log"; stop_suite "$pid"; exit 1; }
    sleep 0.5
  done
  read -r schools seconds attempts < <(publish 0)
  baseline+=("$seconds")
  echo "run $run: $schools schools, failure 0: $seconds s, $attempts pushes"
  read -r schools seconds attempts < <(publish "$rate")
  faulty+=("$seconds")
  echo "run $run: $schools schools, failure $rate: $seconds s, $attempts pushes"
  stop_suite "$pid"
  rm -rf "$data"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
b=$(median "${baseline[@]}")
f=$(median "${faulty[@]}")
echo "median: $b s without failures, $f s with $rate failing: ratio $(echo "$f / $b" | bc -l | cut -c1-4)"
