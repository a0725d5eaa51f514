"""One limit on public tracking lookups per client address, shared by the page and the API.

DRF's throttles cannot guard a plain Django view, so both count here, in Django's cache (Redis
in production: the count holds across workers). The rate is the DRF setting
`DEFAULT_THROTTLE_RATES["tracking"]`, e.g. "20/10m": 20 lookups per 10 minutes, a fixed window
per address.
"""

from __future__ import annotations

import re

from django.core.cache import cache
from django.utils.translation import gettext
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

CACHE_PREFIX = "tracking-lookups:"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])")


def tracking_rate() -> tuple[int, int]:
    """(lookups allowed, window in seconds), read at each call so that settings changes apply."""
    rate = api_settings.DEFAULT_THROTTLE_RATES["tracking"]
    match = _RATE_RE.match(rate)
    if match is None:
        raise ValueError(f"bad tracking rate {rate!r}: use e.g. 20/10m")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def client_address(request) -> str:
    """The client's address as DRF's throttles find it: REMOTE_ADDR, or behind NUM_PROXIES
    reverse proxies (settings take it from AXES_PROXY_COUNT) the X-Forwarded-For entry the
    nearest added; never the whole header, which the client writes itself."""
    return BaseThrottle().get_ident(request)


def cache_key(address: str) -> str:
    return f"{CACHE_PREFIX}{address}"


def count_lookup(request) -> int | None:
    """Count one lookup of the request's address: None while within the limit, else the
    seconds to wait (the window's length, an upper bound: the cache does not tell its age)."""
    allowed, window = tracking_rate()
    key = cache_key(client_address(request))
    # add() starts the window only when absent; incr() is atomic in Redis.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    if count <= allowed:
        return None
    return window


def too_many_lookups_message() -> str:
    return gettext("Too many tracking lookups from your connection.")


class TrackingThrottle(BaseThrottle):
    """The API side of the shared limit, with a clear message instead of DRF's default."""

    def allow_request(self, request, view):
        wait = count_lookup(request)
        if wait is not None:
            raise Throttled(wait=wait, detail=too_many_lookups_message())
        return True
