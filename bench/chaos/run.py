"""``make chaos``: under the mixed load, break the production stack five ways and check,
after each recovery, that nothing was lost or doubled (bench/chaos/checks.py).

Self-contained: its own PostgreSQL cluster (``<version> chaos`` on :5440) and its own Redis
(:6390), started here, restarted by the scenarios and stopped at the end; the machine's
shared PostgreSQL, replica and Redis are never touched (bench/chaos/infra.py).

Per run (CHAOS_RUNS, default 3), on a fresh database, the stack (config/prod.sh) on :8400:
  1. kill -9 the money worker's pool process while it runs a settlement sweep (caught
     between the sweep's records UPDATE and its wallet credits, by holding the wallets'
     row locks until its query waits on them);
  2. kill -9 the default worker's pool process while it delivers a payment notice (caught
     with its POST to /pay/notify/ open: the site processes the notice meanwhile);
  3. kill -9 one gunicorn worker during a checkout (caught inside the checkout's
     transaction, waiting on the SKU stock row locks held a moment);
  4. restart Redis with SHUTDOWN NOSAVE (the broker's queued tasks and the cache are lost);
  5. restart PostgreSQL (fast mode: every connection is cut).
Each prints what it killed and what it saw. After each: wait for /readyz and
CHAOS_RECOVERY_SECONDS, then run the checks. Exits 1 on the first failed check.
``--break-one`` corrupts a wallet before the first checks, to show that a failure is caught.
Needs root (pg_ctlcluster, the cluster's files) and kills only processes of its own stack.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import infra
from infra import PG_PORT, REDIS_PORT, ROOT, say

PY = str(ROOT / ".venv" / "bin" / "python")
OPS = ROOT / ".venv-ops"
OUT = ROOT / "var" / "chaos"
PORT = int(os.environ.get("CHAOS_PORT", "8400"))
DB = os.environ.get("CHAOS_DB_NAME", "quanzi_chaos")
RECOVERY = int(os.environ.get("CHAOS_RECOVERY_SECONDS", "75"))  # > one sweep interval (1 min)
CATCH_SECONDS = 90  # how long a scenario waits for its target to be doing the named work


def stack_env() -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(PORT),
        "PG_PORT": str(PG_PORT),
        "REDIS_PORT": str(REDIS_PORT),
        "PROD_DB_NAME": DB,
        "PROD_DEMO": "true",
        "QUANZI_SIGNUP_REQUIRES_SMS_CODE": "false",
        # Shorter than production, so that a run sees unpaid orders cancelled and payments
        # reconciled (the sweeps themselves run on the production schedule).
        "ORDERS_UNPAID_TIMEOUT_MINUTES": os.environ.get("ORDERS_UNPAID_TIMEOUT_MINUTES", "2"),
        "PAYMENT_QUERY_AFTER_MINUTES": os.environ.get("PAYMENT_QUERY_AFTER_MINUTES", "1"),
        "PROMETHEUS_MULTIPROC_DIR": str(OUT / "prometheus"),
        "LOAD_ACCOUNTS": str(OUT / "accounts.json"),  # never make load's file
    }


def django_env() -> dict[str, str]:
    return {
        **stack_env(),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": (ROOT / "var" / "prod-secret-key").read_text().strip(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB}",
        "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/3",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/2",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def ready(timeout: float = 240, stack: subprocess.Popen | None = None) -> float:
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if stack is not None and stack.poll() is not None:
            raise SystemExit(f"the stack exited ({stack.returncode}): see {OUT / 'stack.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"the stack did not become ready: see {OUT / 'stack.log'}")


def tool(*args: str, check: bool = True) -> int:
    """A helper script with the stack's environment: its report on the console, its
    application log (JSON lines) in var/chaos/tools.log."""
    with (OUT / "tools.log").open("a") as log:
        return subprocess.run([PY, *args], cwd=ROOT, env=django_env(), stderr=log, check=check).returncode


def sql(query: str) -> str:
    return infra.psql(query, db=DB)


def send_task(name: str) -> None:
    tool("-c", f"import django; django.setup(); from config.celery import app; app.send_task({name!r})")


def log_lines(worker: str, since: int = 0) -> list[str]:
    """The messages of one honcho process (``worker_money.1``) after byte ``since`` of the log."""
    with (OUT / "stack.log").open("rb") as log:
        log.seek(since)
        text = log.read().decode(errors="replace")
    found = []
    for line in text.splitlines():
        prefix, _, rest = line.partition(" | ")
        if prefix.split()[-1:] != [worker]:
            continue
        with contextlib.suppress(ValueError):
            rest = json.loads(rest)["message"]  # production logs are JSON lines
        found.append(f"{prefix.split()[0]} {rest}")
    return found


TASK_LINE = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] (received|succeeded|failed|raised|retry)(.*)")


def task_fates(worker: str, pid: int, since: int) -> None:
    """Print what the killed pool process was running, from the worker's log: tasks received
    and not finished before its death, and what became of each after (acks_late: redelivered)."""
    lines = log_lines(worker, since)
    death = next((i for i, line in enumerate(lines) if f"pid:{pid} exited" in line), None)
    if death is None:
        say(f"    log: no death of {pid} in the {worker} log")
        return
    open_tasks: dict[str, str] = {}
    for line in lines[:death]:
        if m := TASK_LINE.search(line):
            if m[3] == "received":
                open_tasks[m[2]] = m[1]
            else:
                open_tasks.pop(m[2], None)
    say(f"    log: {lines[death]}")
    for task_id, name in open_tasks.items():
        after = [m[3] + m[4][:40] for line in lines[death + 1:]
                 if (m := TASK_LINE.search(line)) and m[2] == task_id]
        say(f"    log: in flight in the worker at the kill: {name}[{task_id[:8]}];"
            f" after it: {', '.join(after) or 'nothing yet'}")


def log_size() -> int:
    return (OUT / "stack.log").stat().st_size


class Stack:
    """The running stack: the pid of config/prod.sh (honcho), every process's ancestor."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc, self.root = proc, proc.pid

    def kill9(self, pid: int, what: str) -> None:
        infra.kill9(pid, self.root)
        say(f"  kill -9 {pid} ({what})")


@contextlib.contextmanager
def holding(lock_sql: str) -> Iterator[int]:
    """Hold row locks in a transaction of our own (released on exit); yields its backend pid."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname=DB)
    try:
        with conn.cursor() as cursor:
            cursor.execute(lock_sql)
        yield conn.get_backend_pid()
    finally:
        conn.rollback()
        conn.close()


def wait_blocked(stack: Stack, *, locker: int, marker: str,
                 timeout: float = CATCH_SECONDS) -> tuple[int, str]:
    """The first process of the stack matching ``marker`` whose backend waits on ``locker``'s
    locks: (its pid, the query it waits in)."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname=DB)
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with conn.cursor() as cursor:
                cursor.execute("SELECT client_port, query FROM pg_stat_activity"
                               " WHERE %s = ANY(pg_blocking_pids(pid))", [locker])
                rows = cursor.fetchall()
            candidates = infra.workers(stack.root, marker)
            for client_port, query in rows:
                owner = infra.owner_of_local_port(candidates, client_port)
                if owner is not None:
                    return owner, " ".join(query.split())[:160]
            time.sleep(0.05)
    finally:
        conn.close()
    raise SystemExit(f"chaos: no {marker} process waited on the held locks within {timeout:.0f} s")


# --- the scenarios -----------------------------------------------------------------------

DUE = ("FROM distribution_commissionrecord r JOIN orders_orderitem i ON i.id = r.order_item_id"
       " WHERE r.state = 'pending' AND i.window_closed_at IS NOT NULL")


def scenario_settlement(stack: Stack) -> None:
    say("1. kill -9 the money worker during a settlement sweep")
    for _attempt in range(3):
        tool("bench/chaos/make_due.py")
        mark = log_size()
        with holding("SELECT id FROM distribution_wallet ORDER BY id FOR UPDATE") as locker:
            due = int(sql(f"SELECT count(*) {DUE}"))
            if not due:
                continue  # the beat's sweep was quicker: make more due
            say(f"  {due} commission records due; wallets locked; settle_commissions sent")
            send_task("distribution.tasks.settle_commissions")
            pid, query = wait_blocked(stack, locker=locker, marker="-n money@")
            say(f"  money pool process {pid} is inside a settlement batch, waiting in: {query}")
            stack.kill9(pid, "money worker, settling")
        time.sleep(3)
        say(f"  3 s after the kill (locks released): {sql(f'SELECT count(*) {DUE}')} of {due} still due")
        task_fates("worker_money.1", pid, mark)
        return
    raise SystemExit("chaos: no commission record became due to settle")


def scenario_notices(stack: Stack) -> None:
    """The unpaid orders' rows are locked a few seconds at a time, so that a notice for one
    of them (its buyer pays at the cashier meanwhile) waits in the site's handler on the
    order lock, its POST open: the default pool process that sent it is then killed."""
    say("2. kill -9 the default worker while it delivers a payment notice")
    mark = log_size()
    deadline = time.monotonic() + CATCH_SECONDS
    while time.monotonic() < deadline:
        unpaid = "SELECT id FROM orders_order WHERE state = 'pending_payment' ORDER BY id FOR UPDATE"
        with holding(unpaid) as locker:
            try:
                _, query = wait_blocked(stack, locker=locker, marker="gunicorn", timeout=3)
            except SystemExit:
                continue  # no notice came for the locked orders: lock the unpaid ones again
            posting = infra.connected_to(infra.workers(stack.root, "-n default@"), PORT)
            if not posting:
                continue
            pid, local_port = posting[0]
            say(f"  the site handles a notice, waiting in: {query}")
            stack.kill9(pid, f"default worker, its notice POST to :{PORT} open from port {local_port}")
        break
    else:
        raise SystemExit("chaos: no payment notice in flight within the wait")
    time.sleep(3)
    task_fates("worker.1", pid, mark)


def scenario_gunicorn(stack: Stack) -> None:
    say("3. kill -9 one gunicorn worker during checkouts")
    orders = sql("SELECT count(*) FROM orders_order")
    with holding("SELECT id FROM mall_sku ORDER BY id FOR NO KEY UPDATE") as locker:
        pid, query = wait_blocked(stack, locker=locker, marker="gunicorn")
        say(f"  gunicorn worker {pid} is inside a checkout, waiting in: {query}")
        stack.kill9(pid, "gunicorn worker, checking out")
    time.sleep(3)
    after = sql("SELECT count(*) FROM orders_order")
    say(f"  orders: {orders} before, {after} 3 s after; gunicorn workers now:"
        f" {len(infra.workers(stack.root, 'gunicorn'))}")


def scenario_redis(stack: Stack) -> None:
    say("4. restart Redis (SHUTDOWN NOSAVE: queued tasks and the cache are lost)")
    mark = log_size()
    queued = {q: infra.redis_cli("-n", "2", "llen", q) for q in ("money", "default", "messages")}
    queued["unacked (running, acks_late)"] = infra.redis_cli("-n", "2", "hlen", "unacked")
    queued["cache keys"] = infra.redis_cli("-n", "3", "dbsize")
    infra.redis_stop()
    time.sleep(3)
    infra.redis_start()
    keys = infra.redis_cli("-n", "2", "dbsize")
    say(f"  lost: {queued}; Redis back, keys in the broker db: {keys}")
    time.sleep(15)  # a worker that crashed is back after ~2 s of respawn and its start-up
    for worker in ("worker_money.1", "worker.1", "beat.1"):  # crashed and respawned, or reconnected
        for line in log_lines(worker, mark):
            if any(w in line for w in ("Unrecoverable", "respawn:", "Connected to redis")):
                say(f"    log: {worker} {line[:150]}")


def scenario_postgres(stack: Stack) -> None:
    say("5. restart PostgreSQL")
    connections = sql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{DB}'")
    started = time.monotonic()
    infra.pg_restart()
    infra.pg_ready()
    took = time.monotonic() - started
    say(f"  cut {connections} connections; the cluster answered again after {took:.1f} s")


SCENARIOS: tuple[Callable[[Stack], None], ...] = (
    scenario_settlement, scenario_notices, scenario_gunicorn, scenario_redis, scenario_postgres)


# --- a run ---------------------------------------------------------------------------------


def checks(*, break_one: bool = False) -> None:
    if tool("bench/chaos/checks.py", *(["--break-one"] if break_one else []), check=False):
        raise SystemExit("chaos: a check FAILED (see above)")


def recover_and_check(stack: Stack, label: str, *, break_one: bool = False) -> None:
    time.sleep(5)
    waited = ready(stack=stack.proc)
    say(f"  /readyz 200 after {waited + 5:.0f} s; recovering {RECOVERY} s ...")
    time.sleep(RECOVERY)
    say(f"  checks after {label}:")
    checks(break_one=break_one)


def start_load(users: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(OPS / "bin" / "locust"), "-f", "bench/load/locustfile.py", "--headless", "-u", users, "-r", "5",
         "-t", "120m", "--host", f"http://127.0.0.1:{PORT}", "--only-summary"],
        cwd=ROOT, env=stack_env(), stdout=(OUT / "locust.log").open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)


def stop(proc: subprocess.Popen | None, grace: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(grace)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def one_run(number: int, *, break_one: bool) -> None:
    started = time.monotonic()
    say(f"\n######## chaos run {number} ########")
    infra.psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    infra.redis_cli("flushall")
    (OUT / "prometheus").mkdir(exist_ok=True)  # migrate runs before prod.sh makes it afresh
    stack_proc = subprocess.Popen(["config/prod.sh"], cwd=ROOT, env=stack_env(), stderr=subprocess.STDOUT,
                                  stdout=(OUT / "stack.log").open("w"), start_new_session=True)
    stack, load = Stack(stack_proc), None
    try:
        took = ready(600, stack_proc)
        say(f"  stack (config/prod.sh) ready after {took:.0f} s: migrate, demo, gunicorn, 2 workers, beat")
        tool("bench/load/prepare.py", "--shoppers", "40", "--resellers", "10")  # 16 shoppers run at once
        load = start_load(os.environ.get("CHAOS_USERS", "20"))
        time.sleep(45)  # orders, payments and sign-ups accumulate
        for i, scenario in enumerate(SCENARIOS):
            t0 = time.monotonic()
            scenario(stack)
            recover_and_check(stack, scenario.__name__, break_one=break_one and i == 0)
            say(f"  ({scenario.__name__}: {time.monotonic() - t0:.0f} s)")
        say(f"  load stopped; final checks after {RECOVERY} s for the sweeps to drain:")
        stop(load)
        time.sleep(RECOVERY)
        checks()
        summary = [line for line in (OUT / "locust.log").read_text().splitlines() if "Aggregated" in line]
        say(f"  load: {summary[0].split(None, 1)[1] if summary else '(no summary)'}")
        say(f"chaos run {number}: clean ({time.monotonic() - started:.0f} s)")
    finally:
        stop(load)
        stop(stack_proc, grace=30)


def ensure_ops_venv() -> None:
    if not (OPS / "bin" / "locust").exists():
        subprocess.run([sys.executable, "-m", "venv", str(OPS)], check=True)
        subprocess.run([str(OPS / "bin" / "pip"), "install", "--quiet", "-r", "requirements-ops.txt"],
                       cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CHAOS_RUNS", "3")))
    parser.add_argument("--break-one", action="store_true",
                        help="corrupt a wallet: the first checks must fail")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("make chaos needs root: it runs a PostgreSQL cluster of its own (pg_ctlcluster)")
    ensure_ops_venv()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    infra.pg_start()
    infra.redis_start()
    say(f"chaos: own PostgreSQL {infra.pg_version()}/{infra.CLUSTER} on :{PG_PORT}, own Redis on"
        f" :{REDIS_PORT}, stack on :{PORT}; {args.runs} run(s), recovery {RECOVERY} s")
    try:
        for number in range(1, args.runs + 1):
            one_run(number, break_one=args.break_one)
    finally:
        infra.redis_stop()
        infra.pg_stop()
        took = time.monotonic() - started
        say(f"chaos: stopped its Redis and its PostgreSQL cluster (kept, stopped); {took:.0f} s in all")
    say(f"\nchaos: {args.runs} runs, every check clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
