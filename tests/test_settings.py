"""Production settings: `check --deploy` is clean, and a missing secret stops start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra_env)
    return subprocess.run([sys.executable, "manage.py", *args], check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/quanzi",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     extra_env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_fails_with_a_clear_message():
    result = _manage("check", extra_env=PRODUCTION_ENV)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_development_secret_key_is_refused_in_production():
    result = _manage("check", extra_env={**PRODUCTION_ENV,
                                         "DJANGO_SECRET_KEY": "dev-only-insecure-key-change-me"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too short" in result.stderr
