"""Kept importable for the distribution tests: the harness lives in ``tests/concurrency.py``."""

from tests.concurrency import run_parallel

__all__ = ["run_parallel"]
