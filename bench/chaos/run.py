"""``make chaos``: under the mixed load, break the production stack five ways and check,
after each recovery, that nothing was lost or doubled (bench/chaos/checks.py).

Per run (CHAOS_RUNS, default 3), on a fresh database and its own port:
  1. kill -9 the money worker's process while it runs a settlement sweep;
  2. kill -9 the default worker's process while it delivers payment notices, and the
     money worker's while it reconciles payments;
  3. kill -9 one gunicorn worker during checkouts;
  4. restart Redis (broker and cache; queued tasks are lost: the sweeps must recover);
  5. restart PostgreSQL.
After each: wait for /readyz and a sweep interval, then run the checks. Exits 1 on the
first failed check. ``--break-one`` corrupts a wallet before the first checks, to show
that a failure is caught. Needs root (Redis and PostgreSQL restarts) and stops nothing it
did not start except those two services, which it starts again.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
OPS = ROOT / ".venv-ops"
PORT = int(os.environ.get("CHAOS_PORT", "8400"))
DB = os.environ.get("CHAOS_DB_NAME", "quanzi_chaos")
RECOVERY = int(os.environ.get("CHAOS_RECOVERY_SECONDS", "75"))  # > one sweep interval (1 min)
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def say(*parts: object) -> None:
    print(*parts, flush=True)


def stack_env() -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(PORT),
        "PROD_DB_NAME": DB,
        "PROD_DEMO": "true",
        "QUANZI_SIGNUP_REQUIRES_SMS_CODE": "false",
    }


def django_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": (ROOT / "var" / "prod-secret-key").read_text().strip(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def ready(timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("the stack did not become ready: see var/chaos/stack.log")


def children(pattern: str) -> list[int]:
    """Pids matching ``pattern`` whose parent also matches (pool / worker children)."""
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False).stdout.split()
    pids = {int(p) for p in out}
    result = []
    for pid in pids:
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().split()[3])
        except (OSError, ValueError):
            continue
        if ppid in pids:
            result.append(pid)
    return sorted(result)


def kill9(pattern: str, what: str) -> None:
    pids = children(pattern)
    if not pids:
        raise SystemExit(f"no {what} process to kill ({pattern})")
    os.kill(pids[0], signal.SIGKILL)
    say(f"  kill -9 {pids[0]} ({what})")


def send_task(name: str) -> None:
    code = f"import django; django.setup(); from config.celery import app; app.send_task({name!r})"
    subprocess.run([PY, "-c", code], cwd=ROOT, env=django_env(), check=True)


def checks(*, break_one: bool = False) -> None:
    args = [PY, "bench/chaos/checks.py", *(["--break-one"] if break_one else [])]
    status = subprocess.run(args, cwd=ROOT, env=django_env(), check=False).returncode
    if status:
        raise SystemExit("chaos: a check FAILED (see above)")


def recover_and_check(label: str, *, break_one: bool = False) -> None:
    say(f"  recovering ({RECOVERY} s) ...")
    time.sleep(5)
    ready()
    time.sleep(RECOVERY)
    say(f"  checks after {label}:")
    checks(break_one=break_one)


def scenario_settlement() -> None:
    say("1. kill -9 the money worker during a settlement sweep")
    subprocess.run([PY, "bench/chaos/make_due.py"], cwd=ROOT, env=django_env(), check=True)
    send_task("distribution.tasks.settle_commissions")
    time.sleep(0.5)
    kill9("celery -A config worker -Q money", "money worker, settling")


def scenario_notices() -> None:
    say("2. kill -9 workers during payment-notice delivery and payment reconciliation")
    send_task("orders.tasks.reconcile_payments")
    time.sleep(0.3)
    kill9("celery -A config worker -Q messages", "default worker, delivering notices")
    kill9("celery -A config worker -Q money", "money worker, reconciling payments")


def scenario_gunicorn() -> None:
    say("3. kill -9 one gunicorn worker during checkouts")
    kill9("gunicorn -c gunicorn.conf.py", "gunicorn worker")


def scenario_redis() -> None:
    say("4. restart Redis (queued tasks and cache are lost)")
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
    time.sleep(3)
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=True)


def scenario_postgres() -> None:
    say("5. restart PostgreSQL")
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"], check=True
    )


def one_run(number: int, *, minutes: int, break_one: bool) -> None:
    say(f"\n######## chaos run {number} ########")
    (ROOT / "var" / "chaos").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"],
        check=True,
        capture_output=True,
    )
    log = (ROOT / "var" / "chaos" / "stack.log").open("w")
    stack = subprocess.Popen(
        ["config/prod.sh"],
        cwd=ROOT,
        env=stack_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    load = None
    try:
        ready()
        subprocess.run(
            [PY, "bench/load/prepare.py", "--shoppers", "100", "--resellers", "10"],
            cwd=ROOT,
            env=django_env(),
            check=True,
        )
        load = subprocess.Popen(
            [
                str(OPS / "bin" / "locust"),
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "-u",
                os.environ.get("CHAOS_USERS", "20"),
                "-r",
                "5",
                "-t",
                f"{minutes}m",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--only-summary",
            ],
            cwd=ROOT,
            stdout=(ROOT / "var" / "chaos" / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        time.sleep(45)  # orders, payments and sign-ups accumulate
        for i, scenario in enumerate(
            (scenario_settlement, scenario_notices, scenario_gunicorn, scenario_redis, scenario_postgres)
        ):
            scenario()
            recover_and_check(scenario.__name__, break_one=break_one and i == 0)
        say("  load stopped; final checks after the sweeps drain:")
        os.killpg(load.pid, signal.SIGTERM)
        time.sleep(RECOVERY)
        checks()
        say(f"chaos run {number}: clean")
    finally:
        for proc in (load, stack):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        time.sleep(5)
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CHAOS_RUNS", "3")))
    parser.add_argument(
        "--break-one", action="store_true", help="corrupt a wallet: the first checks must fail"
    )
    args = parser.parse_args()
    if not (OPS / "bin" / "locust").exists():
        subprocess.run([sys.executable, "-m", "venv", str(OPS)], check=True)
        subprocess.run(
            [str(OPS / "bin" / "pip"), "install", "--quiet", "-r", "requirements-ops.txt"],
            cwd=ROOT,
            check=True,
        )
    minutes = 3 + 5 * (RECOVERY + 40) // 60
    for number in range(1, args.runs + 1):
        one_run(number, minutes=minutes, break_one=args.break_one)
    say(f"\nchaos: {args.runs} runs, every check clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
