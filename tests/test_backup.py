"""The backup runbook (docs/backup.md), run for real: the demo history (orders, payments,
commission, settlement, refunds and clawbacks, withdrawals) in a database of its own,
dumped with pg_dump, restored with pg_restore into another; the restored copy reconciles
clean and holds the same rows."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres
TABLES = ("orders_order", "orders_payment", "orders_refund", "distribution_commissionrecord",
          "distribution_ledgerentry", "distribution_withdrawal", "distribution_member", "distribution_wallet")


def _url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def _psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", _url(db), "-tAc", sql], capture_output=True, text=True, check=True).stdout


def _manage(db: str, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _url(db),
           "CACHE_URL": "locmemcache://backup-test", "CELERY_BROKER_URL": "",
           "PAYMENT_SANDBOX_KEY_DIR": str(tmp / "keys"), "PAYMENT_SANDBOX_AUTOGENERATE_KEYS": "true",
           "PAYMENT_NOTIFY_BASE_URL": "http://127.0.0.1:9", "DJANGO_MEDIA_ROOT": str(tmp / "media")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)


def test_a_dump_of_a_busy_database_restores_and_reconciles_clean(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("pg_dump / pg_restore need PostgreSQL")
    run_id = settings.TEST_RUN_ID
    source, restored = f"quanzi_backup_src_{run_id}", f"quanzi_backup_dst_{run_id}"
    dump = tmp_path / "quanzi.dump"
    try:
        for db in (source, restored):
            _psql(f'DROP DATABASE IF EXISTS "{db}"')
            _psql(f'CREATE DATABASE "{db}"')
        for step in (("migrate", "--noinput"), ("seed_demo",), ("seed_distribution_demo",)):
            done = _manage(source, *step, tmp=tmp_path)
            assert done.returncode == 0, done.stderr[-2000:]
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _url(source)],
                       check=True)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={_url(restored)}", str(dump)], check=True)

        for command in ("reconcile_wallets", "check_referral_tree"):
            result = _manage(restored, command, tmp=tmp_path)
            assert result.returncode == 0, f"{command}, restored copy:\n{result.stdout}{result.stderr}"
        counts = {db: [_psql(f"SELECT count(*) FROM {t}", db).strip() for t in TABLES]
                  for db in (source, restored)}
        assert counts[source] == counts[restored]
        busy = dict(zip(TABLES, map(int, counts[restored]), strict=True))
        assert min(busy["orders_payment"], busy["distribution_ledgerentry"], busy["orders_refund"]) > 0
    finally:
        for db in (source, restored):
            _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
