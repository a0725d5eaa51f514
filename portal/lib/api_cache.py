"""A cache of API reads (list and detail) that no write can leave stale.

Every answer is cached per user, path and query, language and day, under the current *data
versions* of the apps it reads: one counter per app in the cache, which any write to that app's
tables moves on. A read first fetches the counters and its cached entry in one round trip, and
uses the entry only when it was stored under the same versions; so nothing cached before a write
is ever served after it.

Which apps an answer reads follows the layers: an app's API reads its own app and those below it,
never a sibling's. Every answer also depends on the signed-in user, whose roles and assignments
live in the villages and volunteers apps (`USER_LABELS`). So a saved service request leaves the
visit and village answers cached, and the dashboard page, which reads everything, follows every
app.

A counter moves on every save or delete of a tracked model of its app (Django's model signals:
whatever writes, an action, the admin or a shell) and once more when the transaction commits, so
a read that ran between the write and its commit cannot keep what it saw. Writes that bypass the
signals (bulk inserts of an import, `QuerySet.update`) call `bump(label)` themselves, and entries
expire after `TIMEOUT` in any case. Everything else a response depends on runs before the cache:
authentication, permissions and throttles.

A cache that is down fails neither a write nor a read: the read is computed afresh, and a version
that could not be moved on leaves stored entries at most `TIMEOUT` old.

The domain's apps may use the mixin (this is the ground layer); `portal` connects the signals for
the apps' models at start-up (`track`). Off (`API_READ_CACHE`) without a cache that every process
shares: a version kept in one process's memory would miss the other processes' writes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.response import Response

logger = logging.getLogger(__name__)

TIMEOUT = 10 * 60


# The apps whose models make up a signed-in user (portal.authentication): users, API tokens,
# roles (villages) and a volunteer's mentoring assignments (volunteers). Every answer cached per
# user depends on them too.
USER_LABELS = ("accounts", "authtoken", "villages", "volunteers")

# The labels of the apps whose models are tracked (`track`).
_tracked: set[str] = set()


def version_key(label: str) -> str:
    # The version of one app's data in one database: two portals (or two test runs) sharing a
    # cache server neither read each other's answers nor move each other's versions.
    return f"api-cache:version:{connection.settings_dict['NAME']}:{label}"


def version_keys(labels=None) -> list[str]:
    """The keys of these apps' versions (None: every tracked app's)."""
    return [version_key(label) for label in _labels(labels)]


def _labels(labels) -> tuple[str, ...]:
    return tuple(sorted(_tracked)) if labels is None else tuple(labels)


def _first_version() -> int:
    # Never a value used before (the nanoseconds now): were the counter evicted, a restart at
    # a small number could meet an entry stored under that number before.
    return time.time_ns()


def current_version(label: str) -> int:
    return cache.get_or_set(version_key(label), _first_version, timeout=None)


def bump(*labels: str) -> None:
    """Move the data version of these apps (none named: of every tracked app) on now, and again
    when the current transaction commits (once per transaction and app, however many of its
    writes call this)."""
    labels = _labels(labels or None)
    _increment(labels)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        pending = {
            label
            for _savepoints, func, _robust in connection.run_on_commit
            if getattr(func, "func", None) is _increment
            for label in func.args[0]
        }
        labels = tuple(label for label in labels if label not in pending)
        if not labels:
            return
    transaction.on_commit(partial(_increment, labels), robust=True)


def _increment(labels: tuple[str, ...]) -> None:
    for label in labels:
        try:
            try:
                cache.incr(version_key(label))
            except ValueError:  # not there yet (or evicted)
                cache.set(version_key(label), _first_version(), timeout=None)
        except Exception:  # a cache that is down never fails a write; what it holds expires
            logger.warning("Data version of %s not moved on", label, exc_info=True)


def read_many(keys: list[str]) -> dict | None:
    """`cache.get_many`, or None when the cache is down (the caller then computes afresh)."""
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("Cached reads unavailable", exc_info=True)
        return None


def store(key: str, value, timeout: int = TIMEOUT) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("Read not cached", exc_info=True)


def versioned(
    key: str,
    compute: Callable[[], tuple[Any, bool]],
    labels=None,
    *,
    other_state: tuple[str, ...] = (),
    timeout: int = TIMEOUT,
):
    """The value stored at `key` under the current versions of these apps (None: every tracked
    app) and the values at the `other_state` keys, else the first item of what `compute()`
    returns, stored there when its second item is true. One cache round trip for a value found;
    `compute()` alone when the cache is down."""
    labels = _labels(labels)
    app_keys = version_keys(labels)
    found = read_many([*app_keys, *other_state, key])
    if found is None:
        return compute()[0]
    versions = tuple(
        found[state_key] if state_key in found else current_version(label)
        for label, state_key in zip(labels, app_keys, strict=True)
    )
    state = (*versions, *(found.get(state_key) for state_key in other_state))
    entry = found.get(key)
    if entry is not None and entry[0] == state:
        return entry[1]
    value, keep = compute()
    if keep:
        store(key, (state, value), timeout)
    return value


def _on_write(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return  # a login changes nothing an API answer shows
    bump(sender._meta.app_label)


def track(models) -> None:
    """Bump the model's app on every save, delete and many-to-many change of `models`."""
    for model in models:
        _tracked.add(model._meta.app_label)
        uid = f"api-cache:{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_write, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
            )


def read_key(request) -> str:
    """Where a read is stored: per database, user, language, day and absolute URL (the dashboard
    page's stored copy uses it too)."""
    parts = [
        connection.settings_dict["NAME"],
        str(request.user.pk),
        get_language() or "",
        timezone.localdate().isoformat(),
        request.build_absolute_uri(),
    ]
    return "api-cache:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class CachedReadMixin:
    """For a scoped viewset: `list` and `retrieve` answer from the cache when nothing was written
    since they were stored (see the module's docstring). Only 200 answers are stored.

    `cache_labels` names the apps the answers read beyond `USER_LABELS` (their own, when it is
    not among those); None, the default, means every tracked app."""

    cache_labels: tuple[str, ...] | None = None

    def _cached(self, method, request, *args, **kwargs):
        if not settings.API_READ_CACHE:
            return method(request, *args, **kwargs)
        computed = None

        def compute():
            nonlocal computed
            computed = method(request, *args, **kwargs)
            return computed.data, computed.status_code == 200

        labels = None if self.cache_labels is None else USER_LABELS + self.cache_labels
        data = versioned(read_key(request), compute, labels)
        # A miss answers with the response just made (whatever its status), a hit with its data.
        return computed if computed is not None else Response(data)

    def list(self, request, *args, **kwargs):
        return self._cached(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._cached(super().retrieve, request, *args, **kwargs)
