"""Settings come from the environment and refuse malformed values with the variable's name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def load_settings(**overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))
    }
    environment.update(overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE)",
        ],
        cwd=PROJECT,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "perhaps"),
        ("DATABASE_URL", "not-a-database"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("DJANGO_SECURE_HSTS_SECONDS", "1 year"),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(variable, value):
    result = load_settings(**{"DJANGO_DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_without_a_secret_key_does_not_start():
    result = load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_embedded_default_is_sqlite_in_jakarta_time():
    result = load_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "Asia/Jakarta"]


def test_database_url_selects_postgresql():
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 60, DATABASE_URL="postgres://portal@db.example:5432/portal"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["False", "django.db.backends.postgresql"]
