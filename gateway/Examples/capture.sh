#!/usr/bin/env bash
# Captures the API reference's examples from the suite's sample data: each resource as the gateway answers it,
# its lists cut to two items. Run the suite first (dotnet run --project AppHost), then:
#   gateway/Examples/capture.sh [gateway-url] > gateway/Examples/examples.json
# Needs curl and jq. Keys are the OpenAPI schema names; the gateway's build embeds the file.
set -euo pipefail
base="${1:-http://localhost:8080}"
get() { curl -sf -H "X-Api-Key: dev-admin-key" "$base/v1/$1"; }
post() { curl -sf -H "X-Api-Key: dev-admin-key" -H "Content-Type: application/json" -d "$2" "$base/v1/$1"; }
first() { jq ".$2[0]" <<<"$(get "$1")"; }

convention=conventions/mbn-grand-est
obligation=$(get "obligations?pageSize=1&filter=kind%20%3D%20TRAINING%20AND%20period_start%20%3D%202019-09-01" | jq -r '.obligations[0].name')
message=$(get "communications?pageSize=1" | jq -r '.communications[0].name')
check='{"communication": {"issuer": "parties/region-grand-est", "title": "Transports scolaires : nouveaux horaires",
  "body": "Les horaires des cars changent le 3 novembre. Profitez de notre offre spéciale !", "category": "TRANSPORT",
  "audiences": ["PARENTS"], "targets": {"schools": ["parties/uai-0671001z"]}, "expireTime": "2027-01-31T00:00:00Z"}}'

jq -n --sort-keys \
  --argjson party "$(get parties/region-grand-est)" \
  --argjson membership "$(first parties/groupement-ent-grand-est/memberships memberships)" \
  --argjson competence "$(get 'parties/uai-0671001z:competence?date=2026-09-01')" \
  --argjson history "$(get "$convention:history?pageSize=2")" \
  --argjson convention "$(get $convention)" \
  --argjson readiness "$(get "$convention:readiness")" \
  --argjson deliberation "$(first $convention/deliberations deliberations)" \
  --argjson signature "$(first $convention/signatures signatures)" \
  --argjson meeting "$(first $convention/meetings meetings)" \
  --argjson obligation "$(get "$obligation")" \
  --argjson evidence "$(first "$obligation/evidence" evidence)" \
  --argjson report "$(get "obligations:report?convention=$convention&schoolYear=2019-2020")" \
  --argjson communication "$(get "$message")" \
  --argjson delivery "$(first "$message/deliveries" deliveries)" \
  --argjson election "$(first elections elections)" \
  --argjson verdict "$(post communications:check "$check")" \
  '{
    parties_v1_Party: $party, parties_v1_Membership: $membership, parties_v1_Competence: $competence,
    common_v1_History: $history,
    conventions_v1_Convention: $convention, conventions_v1_Readiness: $readiness,
    conventions_v1_Deliberation: $deliberation, conventions_v1_Signature: $signature, conventions_v1_Meeting: $meeting,
    obligations_v1_Obligation: $obligation, obligations_v1_Evidence: $evidence, obligations_v1_ComplianceReport: $report,
    communications_v1_Communication: $communication, communications_v1_Delivery: $delivery,
    communications_v1_Election: $election, communications_v1_Verdict: $verdict
  } | walk(if type == "array" then .[:2] else . end)'
