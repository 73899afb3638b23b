#!/usr/bin/env bash
# `make fuzz`: API fuzzing. Start the production stack (config/prod.sh) on its own database,
# Redis databases and port with the demo data, sign in as the demo shopper and the demo
# reseller the way the mini-program does (POST /api/v1/auth/signin/ → `Authorization: Token …`),
# run schemathesis against /api/schema/ once per identity, print each summary, stop the stack.
# Exit 1 on any finding (a 5xx, a response that breaks the schema, ...).
#
# FUZZ_MAX_EXAMPLES (per operation and phase), FUZZ_MAX_TIME (seconds per identity, a cap),
# FUZZ_WORKERS, FUZZ_SEED, FUZZ_PORT, FUZZ_DB_NAME can be set from the environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PORT=${FUZZ_PORT:-8500}
export PROD_DB_NAME=${FUZZ_DB_NAME:-quanzi_fuzz}
export PROD_DEMO=true
# Own Redis databases: the fuzzer's sign-ins, rate limits and tasks never meet anyone else's.
export CELERY_BROKER_URL=${FUZZ_BROKER_URL:-redis://127.0.0.1:6379/8}
export CACHE_URL=${FUZZ_CACHE_URL:-redis://127.0.0.1:6379/9}
# Small on purpose: the machine is shared, and the fuzzer is not a load test.
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-2} CELERY_CONCURRENCY=${CELERY_CONCURRENCY:-1}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
MAX_TIME=${FUZZ_MAX_TIME:-180}
# One worker: with more, schemathesis (on Python 3.11) now and then dies in its own schema
# compiler ("SystemError: AST constructor recursion depth mismatch") and skips a phase.
WORKERS=${FUZZ_WORKERS:-1}
SEED=${FUZZ_SEED:-20261205}
# The checks: no 5xx; every response, its status code, content type and documented headers as
# the schema says; a protected operation refuses a request without the token; an undocumented
# method answers 405; a deleted resource is gone. Left out, on purpose:
# - positive_data_acceptance: data the schema allows is still refused by business rules (an
#   unknown id is a 404, an empty cart cannot check out) -- documented answers, not bugs;
# - negative_data_rejection: DRF reads input leniently by design -- an empty optional query
#   value (`?tab=`) is "not given", a number where a string is expected is that string
#   (`{"nickname": 0}` is "0"), an unusable `page_size` falls back to the default -- so such
#   requests get the default answer, not a 400. Input that could do harm is caught by the
#   serializers, and one that crashes is caught by not_a_server_error.
CHECKS=${FUZZ_CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance,ignored_auth,unsupported_method,use_after_free,ensure_resource_availability}
# Not fuzzed while signed in: signing out revokes the very token the run uses (every later
# request would be a 401). The sign-out itself is covered by tests/test_api_auth*.
EXCLUDE_PATHS=(--exclude-path /api/v1/auth/signout/)
. bench/ops_venv.sh  # OPS=.venv-ops, made on first use
mkdir -p var/fuzz
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $PROD_DB_NAME WITH (FORCE)" >/dev/null
redis-cli -n "${CACHE_URL##*/}" FLUSHDB >/dev/null  # this run's own cache db: old rate-limit counters
setsid config/prod.sh > var/fuzz/stack.log 2>&1 &
STACK=$!
cleanup() { kill -TERM -- -"$STACK" 2>/dev/null || true; sleep 3; kill -KILL -- -"$STACK" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
BASE="http://127.0.0.1:$PORT"
echo "waiting for the stack on :$PORT (log: var/fuzz/stack.log)"
for _ in $(seq 1 300); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$BASE/readyz" >/dev/null || { echo "the stack did not become ready"; tail -40 var/fuzz/stack.log; exit 1; }

signin() {  # phone password → token, as a client signs in
  curl -fsS -X POST "$BASE/api/v1/auth/signin/" -H 'Content-Type: application/json' \
    -d "{\"phone\": \"$1\", \"password\": \"$2\"}" | jq -er .token
}
declare -A IDENTITY=([shopper]=13900000001 [reseller]=13800000001)  # the demo's (README)
STATUS=0
declare -A RESULT
for who in shopper reseller; do
  token=$(signin "${IDENTITY[$who]}" quanzi123)
  echo ""
  echo "=== schemathesis as the $who (${IDENTITY[$who]}): max $MAX_EXAMPLES examples per operation, ≤ ${MAX_TIME}s"
  rc=0
  timeout --signal=INT "$((MAX_TIME + 60))" \
    $OPS/bin/schemathesis --no-color run "$BASE/api/schema/" --url "$BASE" \
      -H "Authorization: Token $token" -H "Accept-Language: zh-hans" \
      --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" \
      --workers "$WORKERS" --seed "$SEED" --request-timeout 30 --no-shrink \
      --suppress-health-check all --warnings off \
      "${EXCLUDE_PATHS[@]}" --report junit,ndjson --report-dir "var/fuzz/$who" \
      > "var/fuzz/$who.log" 2>&1 || rc=$?
  sed -n '/SUMMARY/,$p' "var/fuzz/$who.log"
  RESULT[$who]=$rc
  [ "$rc" -eq 0 ] || STATUS=1
done
echo ""
for who in shopper reseller; do
  echo "fuzz $who: $([ "${RESULT[$who]}" -eq 0 ] && echo 'no findings' || echo "FINDINGS (exit ${RESULT[$who]}; var/fuzz/$who.log)")"
done
exit $STATUS
