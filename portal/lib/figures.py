"""Telling whoever keeps derived figures (the dashboard's rollups) that a write changed the facts.

The write actions live in `villages`, `volunteers` and `services`, which may not import `portal`
(see the layering rules); the rollups live in `portal.dashboard`, which imports them all. So the
actions call `note_change(...)` here, in the ground, and the dashboard connects to
`figures_changed`. It is an explicit call in each action (no model-save signals), sent once per
transaction after it commits, with every village, kecamatan, volunteer and programme it touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with `village_ids`, `district_ids`, `volunteer_ids`, `programme_ids` (sets) after commit.
figures_changed = Signal()

KINDS = ("village_ids", "district_ids", "volunteer_ids", "programme_ids")


class _Flush:
    """One on-commit callback per `note_change`; they share the transaction's pending ids, so the
    first to run sends them all and the others find nothing left. A rolled-back transaction (or
    savepoint) drops its callbacks, and the ids noted only there go with them."""

    def __init__(self, pending: dict[str, set]):
        self.pending = pending

    def __call__(self):
        if not any(self.pending.values()):
            return
        payload = {kind: set(ids) for kind, ids in self.pending.items()}
        for ids in self.pending.values():
            ids.clear()
        figures_changed.send(sender=None, **payload)


def _pending_of_transaction(connection) -> dict[str, set] | None:
    for _savepoints, func, _robust in reversed(connection.run_on_commit):
        if isinstance(func, _Flush):
            return func.pending
    return None


def note_change(
    *,
    village_ids: Iterable[str] = (),
    district_ids: Iterable[str] = (),
    volunteer_ids: Iterable[int] = (),
    programme_ids: Iterable[int] = (),
) -> None:
    """After the current transaction commits (at once outside one), tell the listeners which
    villages, kecamatan, volunteers and programmes this write touched. Never raises into the
    caller: a listener that fails is logged, and the nightly rebuild repairs what it missed."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    noted = {
        "village_ids": {code for code in village_ids if code},
        "district_ids": {code for code in district_ids if code},
        "volunteer_ids": {pk for pk in volunteer_ids if pk},
        "programme_ids": {pk for pk in programme_ids if pk},
    }
    pending = _pending_of_transaction(connection) if connection.in_atomic_block else None
    if pending is None:
        pending = {kind: set() for kind in KINDS}
    for kind, ids in noted.items():
        pending[kind] |= ids
    transaction.on_commit(_Flush(pending), robust=True)
