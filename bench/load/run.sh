#!/usr/bin/env bash
# `make load`: start the production stack on its own database and port, prepare accounts,
# run the mixed locust load headless (LOAD_USERS users for LOAD_TIME, loopback only), print
# the table against the floor view, and stop everything. Exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${LOAD_USERS:-50}
TIME=${LOAD_TIME:-5m}
export PORT=${LOAD_PORT:-8300}
export PROD_DB_NAME=${LOAD_DB_NAME:-quanzi_load}
export PROD_DEMO=true
export PG_PORT=${PG_PORT:-5432} REDIS_PORT=${REDIS_PORT:-6379}  # as config/prod.sh reads them
export QUANZI_SIGNUP_REQUIRES_SMS_CODE=false  # the SMS provider is not what this measures
. bench/ops_venv.sh  # OPS=.venv-ops, made on first use
mkdir -p var/load
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS $PROD_DB_NAME WITH (FORCE)" >/dev/null
# Run the stack as the production shape does (config/prod.sh), in its own process group.
setsid config/prod.sh > var/load/stack.log 2>&1 &
STACK=$!
cleanup() { kill -TERM -- -"$STACK" 2>/dev/null || true; sleep 3; kill -KILL -- -"$STACK" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
echo "waiting for the stack on :$PORT (log: var/load/stack.log)"
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the stack did not become ready"; tail -40 var/load/stack.log; exit 1; }
export DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY="$(cat var/prod-secret-key)"
export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PROD_DB_NAME
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:$REDIS_PORT/3}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:$REDIS_PORT/2} DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
.venv/bin/python bench/load/prepare.py
echo "load: $USERS users for $TIME against http://127.0.0.1:$PORT"
$OPS/bin/locust -f bench/load/locustfile.py --headless -u "$USERS" -r 10 -t "$TIME" \
  --host "http://127.0.0.1:$PORT" --csv var/load/run --only-summary --stop-timeout 10 \
  > var/load/locust.log 2>&1 || true
.venv/bin/python bench/load/report.py var/load/run_stats.csv
