import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG = "k" * 20 + "Zq9-_xT3vB7nM2pL8rW4yH6jF1dS5aG0cE" + "x" * 10


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PRODUCTION", "DEBUG")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "secret",
    ["django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop", "short-secret", "a" * 60],
)
def test_production_refuses_a_development_secret(secret):
    result = run_manage("check", PRODUCTION="on", SECRET_KEY=secret, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "development SECRET_KEY" in result.stderr


def test_production_refuses_a_missing_secret():
    result = run_manage("check", PRODUCTION="on", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_a_typo_in_a_boolean_stops_the_start():
    result = run_manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG must be on/off" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="on",
        HTTPS="on",
        SECRET_KEY=STRONG,
        ALLOWED_HOSTS="debate.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prepared_statements_off_turns_preparing_off_for_postgresql():
    """For a pooler that cannot keep prepared statements (forum/lib/postgresql)."""
    options = "settings.DATABASES['default']['OPTIONS']"
    show = f"from django.conf import settings; print({options}.get('prepare_threshold', 'on'))"
    url = "postgres://nobody@127.0.0.1:5432/never_opened"
    off = run_manage("shell", "-c", show, DATABASE_URL=url, PREPARED_STATEMENTS="off")
    on = run_manage("shell", "-c", show, DATABASE_URL=url)
    assert (off.stdout.split()[-1], on.stdout.split()[-1]) == ("None", "on"), off.stderr + on.stderr
