import os
import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

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


def clear_run_cache() -> None:
    """Empty this run's cache and nothing else.

    Django's Redis ``clear()`` is FLUSHDB, which would empty another run's cache on the
    same Redis database; this deletes only the keys under this run's prefix.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend: ``django.core.cache.cache`` is a proxy isinstance() misses
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_run_cache()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the project's language, whatever the previous one left active.

    LocaleMiddleware activates the request's language in this thread and nothing turns it
    off again, so one ``Accept-Language: en`` request through the test client would make
    every later test in the process English.
    """
    yield
    translation.deactivate()  # back to settings.LANGUAGE_CODE (zh-hans)


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
