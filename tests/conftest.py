import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("QUANZI_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    on_pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    have_chromium = shutil.which(CHROMIUM) is not None
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    skip_pg = pytest.mark.skip(reason="PostgreSQL-only test: running on SQLite")
    skip_browser = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not have_chromium:
            if ci:
                raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}")
            item.add_marker(skip_browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "PostgreSQL-only" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} PostgreSQL-only tests were SKIPPED (SQLite run)",
                                   red=True, bold=True)
    terminalreporter.write_line(f"database backend: {connection.vendor}")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
