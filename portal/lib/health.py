"""Whether the parts the portal depends on answer right now."""

from functools import cache

import redis
from django.conf import settings
from django.db import connection


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not usable"; the name says which
        return f"error: {error.__class__.__name__}"
    return "ok"


@cache
def _redis_client(url: str) -> redis.Redis:
    # One pooled client per URL: a health check must not open a connection per request.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def broker_state() -> str:
    """`ok` when the Redis broker answers a PING, `eager` when tasks run in-process."""
    if not settings.REDIS_URL:
        return "eager"
    try:
        _redis_client(settings.REDIS_URL).ping()
    except redis.RedisError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"
