"""Run the benchmarks: ``python bench/run.py [NAME ...] [OPTIONS]`` (``make bench``).

Every ``bench/bench_<name>.py`` module exposes ``main(argv: list[str]) -> int``. Names
given first select modules (default: all, in name order); the remaining arguments are
passed to each selected module, e.g. ``bench/run.py referral --sizes 10000,100000``.
Benchmarks need PostgreSQL (DATABASE_URL) and build their own database.
"""

import importlib
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))


def available() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names = available()
    selected = []
    while argv and argv[0] in names:
        selected.append(argv.pop(0))
    if argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; available: {', '.join(names)}")
        return 2
    status = 0
    for name in selected or names:
        print(f"\n######## bench: {name} ########", flush=True)
        # One process per benchmark: each sets Django up on its own database and settings.
        status = max(status, subprocess.call(
            [sys.executable, str(Path(__file__).resolve()), "--one", name, *argv], cwd=BENCH_DIR.parent))
    return status


def run_one(name: str, argv: list[str]) -> int:
    module = importlib.import_module(f"bench.bench_{name}")
    return module.main(argv) or 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        sys.exit(run_one(sys.argv[2], sys.argv[3:]))
    sys.exit(main(sys.argv[1:]))
