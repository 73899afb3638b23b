"""The production shape's plumbing: health endpoints, request ids, Celery queues, Procfile."""

import importlib
import re
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from prometheus_client import REGISTRY

from config.celery import MONEY_TASKS, app, route_task
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401 (sandbox keys)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def ready(client: Client):
    """GET /readyz from a thread of its own: the view is async (django-health-check), and a
    browser test's Playwright may have left an event loop running on this thread; gunicorn's
    worker threads never have one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(client.get, "/readyz").result()


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_green_when_database_cache_and_migrations_are(client):
    response = ready(client)
    assert response.status_code == 200, response.content
    body = response.json()
    assert any(name.startswith("Database") for name in body)
    assert any(name.startswith("MigrationsApplied") for name in body)
    assert set(body.values()) == {"OK"}


@pytest.mark.django_db(transaction=True)  # the checks run on their own threads' connections
def test_readyz_refuses_traffic_while_a_migration_is_not_applied(client):
    # A real unapplied migration: forget, for a moment, that the last one of an app ran.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations"
                       " WHERE app = 'orders') RETURNING app, name, applied")
        row = cursor.fetchone()
    try:
        response = ready(client)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)", row)
    assert response.status_code == 503
    assert response.json()["MigrationsApplied(alias='default')"].endswith("1 migrations not applied")
    assert ready(client).status_code == 200


def test_every_response_carries_a_request_id_and_keeps_a_valid_incoming_one(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    incoming = uuid.uuid4().hex
    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming
    # Not a UUID (a header injection attempt): replaced by a fresh id.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="evil\nline")["X-Request-ID"] != "evil\nline"


def test_money_tasks_go_to_the_money_queue_and_the_rest_to_the_default(settings):
    settings.QUANZI_QUEUES = {"money": "m-q", "messages": "msg-q", "default": "d-q"}
    for name in MONEY_TASKS:
        importlib.import_module(name.rsplit(".", 1)[0])  # as a worker's autodiscovery does
        assert name in app.tasks, f"{name} is routed as money work but no such task is registered"
        assert route_task(name, (), {}, {}) == {"queue": "m-q"}
    assert route_task("crm.tasks.dispatch", (), {}, {}) == {"queue": "msg-q"}
    assert route_task("distribution.tasks.place_pending_referral_trees", (), {}, {}) is None


def test_the_procfile_runs_one_beat_and_workers_for_every_queue():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    kinds = dict(line.split(":", 1) for line in lines)
    assert [k for k, cmd in kinds.items() if " beat " in cmd] == ["beat"]
    consumed = set()
    for cmd in kinds.values():
        if " worker " in cmd:
            queues = re.search(r'-Q "([^"]+)"', cmd).group(1)
            consumed |= {re.sub(r"\$\{\w+:-(\w+)\}", r"\1", q) for q in queues.split(",")}
    assert consumed == {"money", "messages", "default"}
    assert kinds["web"].strip().startswith(".venv/bin/gunicorn -c gunicorn.conf.py")
    # honcho restarts nothing: a Celery process that dies on its own is restarted by the wrapper
    assert all(cmd.strip().startswith("config/respawn.sh .venv/bin/celery ")
               for kind, cmd in kinds.items() if kind != "web")


def test_respawn_starts_a_crashed_process_again_and_a_sigterm_stops_it(tmp_path):
    # given a command that crashes on its first start and stays up on its second
    runs = tmp_path / "runs"
    command = (f'n=$(cat {runs} 2>/dev/null || echo 0); echo $((n + 1)) > {runs};'
               f' [ "$n" -ge 1 ] && exec sleep 60; exit 3')
    wrapper = subprocess.Popen([str(ROOT / "config" / "respawn.sh"), "sh", "-c", command],
                               stderr=subprocess.PIPE, text=True)
    try:
        # when it has crashed once
        deadline = time.monotonic() + 15
        while not (runs.exists() and runs.read_text().strip() == "2") and time.monotonic() < deadline:
            time.sleep(0.1)
        # then it was started again, and is still running
        assert runs.read_text().strip() == "2"
        assert wrapper.poll() is None
    finally:
        wrapper.send_signal(signal.SIGTERM)
        _, err = wrapper.communicate(timeout=10)
    # and a SIGTERM ends it for good (passed on to the command), with nothing started again
    assert wrapper.returncode != 0
    assert "exited with status 3; starting it again" in err
    time.sleep(2.5)
    assert runs.read_text().strip() == "2"


# --- /metrics ---------------------------------------------------------------------------


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_metrics_is_hidden_without_the_token_and_open_with_it(client, monkeypatch, django_user_model):
    monkeypatch.setenv("QUANZI_METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("quanzi_orders_paid_total", "quanzi_placement_pending", "quanzi_placement_lag_seconds",
                 "django_http_requests_latency_seconds_by_view_method"):
        assert name in body
    staff = django_user_model.objects.create_user("13700000001", "pw-123456", is_staff=True)
    client.force_login(staff)
    assert client.get("/metrics").status_code == 404  # staff, not superuser
    staff.is_superuser = True
    staff.save()
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_the_money_counters_move_with_committed_changes_only(django_capture_on_commit_callbacks):
    from distribution.commission.services.records import commissions_settle_due
    from distribution.models import LedgerEntry
    from tests.distribution.commission_world import buy, close_windows, make_world, receive, sku

    world = make_world(tiers=2)
    names = ("quanzi_orders_paid_total", "quanzi_commission_records_created_total",
             "quanzi_commission_records_settled_total")
    before = {name: _value(name) for name in names}
    credits_before = _value("quanzi_ledger_postings_total", kind=LedgerEntry.Kind.COMMISSION_CREDIT)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(world.buyer, [(sku("100.00", "40.00"), 1)])
        receive(order)
        close_windows()
        commissions_settle_due()
    paid, created, settled = (_value(name) - before[name] for name in names)
    assert (paid, created, settled) == (1, 2, 2)  # one order, two tiers, both settled
    credits = _value("quanzi_ledger_postings_total", kind=LedgerEntry.Kind.COMMISSION_CREDIT)
    assert credits == credits_before + 2

    # A payment rolled back counts nothing: the counter waits for the commit.
    paid = _value("quanzi_orders_paid_total")
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        buy(world.buyer, [(sku("50.00", "20.00"), 1)])
        raise RuntimeError("roll back")
    assert _value("quanzi_orders_paid_total") == paid


@pytest.mark.django_db
def test_a_rejected_payment_notice_is_counted_by_reason():
    from orders.errors import PaymentNoticeRejected

    before = _value("quanzi_payment_notices_rejected_total", reason="amount_mismatch")
    PaymentNoticeRejected.because("amount_mismatch", "x", order="Q1")
    assert _value("quanzi_payment_notices_rejected_total", reason="amount_mismatch") == before + 1
