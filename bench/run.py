"""Run the benchmarks: ``python bench/run.py [--smoke] [NAME ...] [OPTIONS]`` (``make bench``).

Every ``bench/bench_<name>.py`` module exposes ``main(argv: list[str]) -> int`` and
``SMOKE_ARGS``, the tiny sizes of its smoke run. Names given first select modules
(default: all, in name order); the remaining arguments are passed to each selected
module, e.g. ``bench/run.py referral --sizes 10000,100000``.

``--smoke`` (``make bench-smoke``, and CI after the tests) runs each selected benchmark
once with its ``SMOKE_ARGS`` (arguments given after the names are appended, so they
win): the same code at tiny sizes, seconds each. Its figures are printed, not judged;
what counts is that every benchmark runs to the end, so the exit status is non-zero if
any one raised, failed one of its own checks, or ran past ``--timeout`` seconds.

Benchmarks need PostgreSQL (DATABASE_URL) and build their own databases, named after
this run's id (``QUANZI_BENCH_RUN_ID``), so runs on one machine never collide.
"""

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from bench.common import run_id  # noqa: E402 - after the path is set

SMOKE_TIMEOUT = 300  # seconds per benchmark in a smoke run


def available() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def _options(argv: list[str]) -> tuple[bool, float | None, list[str]]:
    smoke, timeout, rest = False, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--smoke":
            smoke = True
        elif arg == "--timeout":
            timeout = float(next(args))
        elif arg.startswith("--timeout="):
            timeout = float(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    return smoke, timeout, rest


def _run_child(name: str, argv: list[str], *, smoke: bool, timeout: float | None) -> int:
    """One process per benchmark (each sets Django up on its own database and settings),
    in its own process group, so a timeout stops its helpers too."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one", name, *(["--smoke"] if smoke else []),
               *argv]
    child = subprocess.Popen(command, cwd=BENCH_DIR.parent, start_new_session=True)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"bench {name}: still running after {timeout:.0f} s: stopping it", flush=True)
        os.killpg(child.pid, signal.SIGTERM)  # the benchmark drops its database on SIGTERM
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        return 124
    except KeyboardInterrupt:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait()
        raise


def main(argv: list[str]) -> int:
    smoke, timeout, argv = _options(argv)
    if smoke and timeout is None:
        timeout = SMOKE_TIMEOUT
    names = available()
    selected = []
    while argv and argv[0] in names:
        selected.append(argv.pop(0))
    if argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; available: {', '.join(names)}")
        return 2
    print(f"bench run {run_id()}{' (smoke: tiny sizes, figures not judged)' if smoke else ''}", flush=True)
    results = []
    for name in selected or names:
        print(f"\n######## bench: {name}{' (smoke)' if smoke else ''} ########", flush=True)
        started = time.perf_counter()
        status = _run_child(name, argv, smoke=smoke, timeout=timeout)
        results.append((name, status, time.perf_counter() - started))
    print("\n######## bench summary ########")
    for name, status, elapsed in results:
        print(f"  {name:<12} {'ok' if status == 0 else f'FAILED (exit {status})':<18} {elapsed:6.1f} s")
    failed = [name for name, status, _ in results if status != 0]
    if failed:
        print(f"bench: {len(failed)} of {len(results)} failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


def _stop(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds: the benchmark's database is dropped on the way out


def run_one(name: str, argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    module = importlib.import_module(f"bench.bench_{name}")
    if argv[:1] == ["--smoke"]:
        argv = [*module.SMOKE_ARGS, *argv[1:]]
        print(f"smoke arguments: {' '.join(argv)}", flush=True)
    return module.main(argv) or 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        sys.exit(run_one(sys.argv[2], sys.argv[3:]))
    run_id()  # made here, inherited by every benchmark process
    sys.exit(main(sys.argv[1:]))
