#!/usr/bin/env bash
# `make prod`: the production shape on this machine — production settings against the
# local PostgreSQL and Redis, gunicorn, two Celery workers (money; messages + default) and
# one beat, all started by honcho from the Procfile. Ctrl-C stops them all.
#
# Everything below can be overridden from the environment (see README "Production").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
# The broker is the Redis that must answer; by default the local one on REDIS_PORT.
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:$REDIS_PORT/2}
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:$REDIS_PORT/3}
if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; then
  echo "PostgreSQL is not answering on $PG_HOST:$PG_PORT. Start it, e.g.:" >&2
  echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
fi
if ! redis-cli -u "$CELERY_BROKER_URL" ping >/dev/null 2>&1; then
  echo "Redis is not answering at $CELERY_BROKER_URL. Start it, e.g.:" >&2
  echo "  redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save '' --appendonly no" >&2
  exit 1
fi

mkdir -p var
if [ ! -s var/prod-secret-key ]; then  # made once, kept out of git (var/ is ignored)
  (umask 077; $PY -c 'import secrets; print(secrets.token_urlsafe(64))' > var/prod-secret-key)
fi
PROD_DB_NAME=${PROD_DB_NAME:-quanzi_prod}
if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$PROD_DB_NAME'" | grep -q 1; then
  createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$PROD_DB_NAME"
fi

export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(cat var/prod-secret-key)}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@$PG_HOST:$PG_PORT/$PROD_DB_NAME}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
PORT=${PORT:-8000}
export QUANZI_BIND=${QUANZI_BIND:-127.0.0.1:$PORT}
# Plain HTTP on the loopback: no TLS in front here, so no redirect and no Secure-only
# cookies. Behind a TLS proxy, leave both at their production defaults (on).
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-false}
export DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-false}
export PAYMENT_NOTIFY_BASE_URL=${PAYMENT_NOTIFY_BASE_URL:-http://$QUANZI_BIND}
export PAYMENT_SANDBOX_AUTOGENERATE_KEYS=${PAYMENT_SANDBOX_AUTOGENERATE_KEYS:-true}

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
# The demo data (with its published staff passwords) only on a loopback-only site, unless
# PROD_DEMO says otherwise; a real host never gets it by default.
if [ -z "${PROD_DEMO:-}" ]; then
  case ",$DJANGO_ALLOWED_HOSTS," in
    ,127.0.0.1,localhost,|,localhost,127.0.0.1,|,127.0.0.1,|,localhost,) PROD_DEMO=true ;;
    *) PROD_DEMO=false ;;
  esac
fi
if [ "$PROD_DEMO" = true ]; then
  echo "loading the demo data (loopback-only site; PROD_DEMO=false skips it)"
  $PY manage.py seed_demo --allow-production
  $PY manage.py seed_distribution_demo --allow-production
fi
echo ""
echo "  Quanzi (production settings) on http://$QUANZI_BIND/   health: /healthz  /readyz"
echo ""
# Metrics: every process (gunicorn workers, Celery workers) writes its counters here and
# /metrics adds them up; emptied at each start (counters restart from zero, as Prometheus expects).
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
export QUANZI_METRICS_TOKEN=${QUANZI_METRICS_TOKEN:-$(cat var/prod-metrics-token 2>/dev/null || true)}
if [ -z "$QUANZI_METRICS_TOKEN" ]; then
  QUANZI_METRICS_TOKEN=$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')
  (umask 077; echo "$QUANZI_METRICS_TOKEN" > var/prod-metrics-token)
fi
echo "  metrics: curl -H \"Authorization: Bearer \$(cat var/prod-metrics-token)\" http://$QUANZI_BIND/metrics"
exec .venv/bin/honcho start -f Procfile
