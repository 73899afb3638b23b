# Quanzi — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prod load fuzz chaos test test-sqlite-money bench bench-smoke lint fmt migrate seed messages check-deploy venv

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## make run: install, migrate, load the demo and serve on http://127.0.0.1:8000/
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@# The demo history pays through the sandbox: its notices name the server's address.
	@if $(PY) manage.py help seed_distribution_demo >/dev/null 2>&1; then \
	  PAYMENT_NOTIFY_BASE_URL=http://$(HOST):$(PORT) PAYMENT_SANDBOX_AUTOGENERATE_KEYS=true \
	  $(PY) manage.py seed_distribution_demo; fi
	$(PY) manage.py sync_roles
	$(PY) manage.py seed_staff_demo
	@# The dashboard's and the reports' daily tables, filled for the demo's 60 days of history.
	$(PY) manage.py console_seed_demo
	@if $(PY) manage.py help seed_crm_demo >/dev/null 2>&1; then $(PY) manage.py seed_crm_demo; fi
	$(PY) manage.py seed_promotions_demo
	@echo ""
	@echo "  Storefront (H5):  http://$(HOST):$(PORT)/"
	@echo "  Staff admin:      http://$(HOST):$(PORT)/admin/"
	@echo "  API docs:         http://$(HOST):$(PORT)/api/docs/"
	@echo "  Periodic sweeps run in-process (manage.py run_schedule) beside the server."
	@echo ""
	@$(PY) manage.py run_schedule --tick 5 > run_schedule.log 2>&1 & pid=$$!; \
	  trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	  PAYMENT_NOTIFY_BASE_URL=http://$(HOST):$(PORT) PAYMENT_SANDBOX_AUTOGENERATE_KEYS=true \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## make prod: the production shape on this machine (needs the local PostgreSQL and Redis):
## gunicorn, a money worker, a messages+default worker and one beat, under honcho (Procfile)
prod: $(STAMP)
	PORT=$(PORT) config/prod.sh

## make load: the mixed locust load against the production stack on its own database and
## port (LOAD_USERS=50 LOAD_TIME=5m); prints p50/p95/p99 per endpoint beside the floor view
load: $(STAMP)
	bench/load/run.sh

## make fuzz: schemathesis against /api/schema/ on the production stack (own database and port),
## signed in as the demo shopper and the demo reseller; exit 1 on any finding (FUZZ_MAX_TIME=180 s each)
fuzz: $(STAMP)
	bench/fuzz/run.sh

## make chaos: under that load, kill -9 workers, restart Redis and PostgreSQL, and check
## after each that nothing was lost or doubled (CHAOS_RUNS=3; needs root; not part of make test).
## Its own PostgreSQL cluster (:5440) and Redis (:6390): the shared ones are never touched.
CHAOS_RUNS ?= 3
chaos: $(STAMP)
	$(PY) bench/chaos/run.py --runs $(CHAOS_RUNS) $(CHAOS_ARGS)

## make test: the whole suite (PostgreSQL when reachable; CI=true requires it)
test: $(STAMP)
	$(PY) tests/run_suite.py $(PYTEST_ARGS)

## make test-sqlite-money: the money tests once more on SQLite, the embedded database of
## `make run` (I8: exact on every supported database); no browser, no PostgreSQL-only tests
MONEY_TESTS := tests/test_money.py tests/test_money_storage.py tests/orders \
	tests/distribution/test_commission_*.py tests/distribution/test_wallet.py \
	tests/distribution/test_earnings_*.py tests/distribution/test_selectors.py \
	tests/distribution/test_levels.py tests/distribution/test_team_views.py \
	tests/distribution/test_compliance.py tests/distribution/test_money_property.py \
	tests/promotions/test_checkout_coupons.py tests/promotions/test_issue.py \
	tests/promotions/test_money_property.py tests/promotions/test_partners.py
test-sqlite-money: $(STAMP)
	QUANZI_TEST_DB=sqlite $(PY) tests/run_suite.py -m "not browser and not postgres" $(MONEY_TESTS) $(PYTEST_ARGS)

## make bench: benchmarks that print their figures (PostgreSQL)
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

## make bench-smoke: every benchmark once at tiny sizes (seconds each): fails if one no longer runs
bench-smoke: $(STAMP)
	$(PY) bench/run.py --smoke $(BENCH_ARGS)

## make lint: ruff, and the architecture contracts (import-linter, pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: $(STAMP)
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_promotions_demo

## make messages: refresh the zh-hans catalogue (needs GNU gettext) and compile it
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))') \
	DJANGO_ALLOWED_HOSTS=quanzi.example.com DATABASE_URL=sqlite:///tmp/x.sqlite3 \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING
