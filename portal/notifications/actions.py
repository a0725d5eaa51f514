"""Writes to notifications: creating them (once), sending them (once), reading, preferences.

De-duplication has two halves:
- creation: every row has a unique `dedupe_key` (the caller's key + channel + recipient), and
  rows are inserted skipping keys that exist (one bulk insert for a whole sweep batch), so a
  sweep run twice creates nothing new;
- sending: a worker may send a row only after moving it to `sending` with one conditional UPDATE
  (pending/failed, attempts left); the database lets exactly one of two racing workers, a retried
  task or a second beat process change it, and the others see an updated count of 0 and stop.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, partial

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib.phone import normalise_phone
from portal.lib.tasks import delay_or_leave
from portal.notifications.channels import (
    ChannelDisabled,
    PermanentChannelError,
    TemporaryChannelError,
    deliver,
)
from portal.notifications.models import (
    MAX_ATTEMPTS,
    Channel,
    Notification,
    NotificationPreference,
    State,
    unread_cache_key,
)

logger = logging.getLogger(__name__)

# Longer than the send task's hard time limit, so that a send still running is never requeued.
STALE_SEND_AFTER = datetime.timedelta(minutes=15)
# Above this many rows to send, sends are published in chunks of this size (one message each).
SEND_CHUNK = 100


def refresh_unread_count(*, user_id: int) -> int:
    """Count the user's unread inbox notifications into the cache the menu reads.

    Called after every change to the count (after commit) and by the inbox page, so that the
    menu on every other page costs no query. Should the cache lose the value, the menu shows no
    count until the next notification, read or inbox visit.
    """
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).inbox().count()
    try:
        cache.set(unread_cache_key(user_id), count, timeout=None)
    except Exception:  # the menu's convenience; never worth failing a page or an action
        logger.warning("Unread notification count not cached", exc_info=True)
    return count


# Users counted per query by refresh_unread_counts: a sweep's tens of thousands of recipients
# fit no single IN list on SQLite (999 parameters); PostgreSQL takes far longer lists.
_REFRESH_CHUNK = {"sqlite": 900}


def refresh_unread_counts(*, user_ids: Iterable[int]) -> None:
    """`refresh_unread_count` for many users, one query per 10,000 users (900 on SQLite); users
    without unread rows get 0."""
    user_ids = sorted(set(user_ids))
    size = _REFRESH_CHUNK.get(connection.vendor, 10_000)
    for start in range(0, len(user_ids), size):
        chunk = user_ids[start : start + size]
        counts = dict.fromkeys(chunk, 0)
        rows = (
            Notification.objects.filter(recipient_id__in=chunk, read_at__isnull=True)
            .inbox()
            .values_list("recipient_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts.update(rows)
        try:
            cache.set_many({unread_cache_key(pk): n for pk, n in counts.items()}, timeout=None)
        except Exception:  # the menu's convenience; never worth failing a page or an action
            logger.warning("Unread notification counts not cached", exc_info=True)
            return


# The inbox recipients whose counts wait for the end of `unread_counts_refreshed_once`, or None
# outside it (each notify_many then refreshes its own after its commit).
_unread_to_refresh: ContextVar[set[int] | None] = ContextVar("unread_to_refresh", default=None)


@contextmanager
def unread_counts_refreshed_once() -> Iterator[None]:
    """Within this block, notify_many leaves the unread counts of its inbox recipients to be
    refreshed once on leaving it (after the enclosing commit, if any), not after each of its own
    commits.

    For a sweep of many short transactions: a secretary told in 30 of its batches is counted
    once instead of 30 times, and 200 batches cost a few count queries instead of 200. The menu
    shows the new count when the sweep ends rather than batch by batch.
    """
    user_ids: set[int] = set()
    token = _unread_to_refresh.set(user_ids)
    try:
        yield
    finally:
        _unread_to_refresh.reset(token)
        if user_ids:
            transaction.on_commit(partial(refresh_unread_counts, user_ids=user_ids), robust=True)


def _refresh_unread_count_on_commit(user_id: int) -> None:
    transaction.on_commit(partial(refresh_unread_count, user_id=user_id), robust=True)


def _enqueue_sends_on_commit(notification_ids: list[int]) -> None:
    """Send the rows after commit: one task per row when there are few, else one message per
    chunk that a worker fans out, so that a sweep creating 100,000 rows publishes 1,000 messages
    rather than 100,000. A broker that is down (or, with tasks run in-process, a send that failed
    and wants a retry) must not fail the caller: the rows stay pending or failed, and
    `requeue_stale_sends` (beat) hands them to a worker later."""
    # Imported here: the task module imports this one.
    from portal.notifications.tasks import enqueue_sends_task, send_notification_task

    if not notification_ids:
        return

    def enqueue():
        if len(notification_ids) <= SEND_CHUNK:
            for pk in notification_ids:
                delay_or_leave(send_notification_task, pk)
        else:
            for start in range(0, len(notification_ids), SEND_CHUNK):
                delay_or_leave(enqueue_sends_task, notification_ids[start : start + SEND_CHUNK])

    enqueue.__name__ = "enqueue"
    transaction.on_commit(enqueue)


def row_key(dedupe_key: str, channel: str, recipient: User | None, address: str = "") -> str:
    """`request.due_soon:service_request:42:2026-11-24` → `…:email:user7` (a user), or
    `request.ready:42` → `…:whatsapp:+6281234567890` (a citizen's number)."""
    return f"{dedupe_key}:{channel}:{f'user{recipient.pk}' if recipient else address}"


@dataclass(frozen=True)
class Notice:
    """One event to tell one user about; `notify_many` makes a row per wanted channel.

    For a citizen without an account, `recipient` is None and `address` their WhatsApp number
    (normalised, +62…): the notice then goes to WhatsApp only.
    """

    recipient: User | None
    kind: str
    subject: models.Model | None
    title: str
    body: str
    dedupe_key: str
    url: str = ""
    channels: tuple[str, ...] | None = None
    address: str = ""
    attachment: str = ""


_ALL_CHANNELS = tuple(Channel.values)
# What a user who never chose gets: e-mail on, WhatsApp once they give a number.
_DEFAULT_PREFERENCE = NotificationPreference()


def _wanted_channels(channels: Iterable[str] | None) -> tuple[str, ...]:
    if channels is None:
        return _ALL_CHANNELS
    wanted = tuple(dict.fromkeys(channels))
    unknown = set(wanted) - set(_ALL_CHANNELS)
    if unknown:
        raise ValueError(f"Unknown notification channel: {', '.join(sorted(unknown))}")
    return wanted


# The columns notify_many writes; the others (claimed, sent, read) start empty.
_INSERT_FIELDS = (
    "recipient",
    "address",
    "kind",
    "subject_type",
    "subject_id",
    "title",
    "body",
    "url",
    "attachment",
    "channel",
    "state",
    "attempts",
    "last_error",
    "dedupe_key",
    "created_at",
)
# Rows per INSERT … VALUES statement: 15 parameters each, well under SQLite's limit.
_INSERT_CHUNK = 500
# De-duplication keys per lookup of the keys that exist.
_LOOKUP_CHUNK = 500
# Rows per INSERT … SELECT from a JSON parameter: more than a sweep batch makes, so that a batch
# is one statement.
_JSON_CHUNK = 5000


def _insert_new(values: list[tuple]) -> list[tuple[int, str, int | None]]:
    """INSERT the rows whose de-duplication key is new, skipping the others, in a few statements;
    returns (id, channel, recipient id) of the rows inserted.

    `INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING` (PostgreSQL, and SQLite ≥ 3.35 for
    the demo) tells exactly which rows this call made, also while another process inserts the
    same keys. It is written out because Django's bulk_create neither returns ids with
    ignore_conflicts nor is cheap enough for a sweep of 100,000 rows.
    """
    if not values:
        return []
    if connection.vendor == "postgresql":
        return _insert_from_json(values)
    return _insert_values(values)


def _insert_sql(select: str) -> str:
    """`INSERT INTO notification (the _INSERT_FIELDS) <select> ON CONFLICT … RETURNING …`."""
    meta = Notification._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _INSERT_FIELDS)
    returning = ", ".join(quote(meta.get_field(name).column) for name in ("id", "channel"))
    returning += ", " + quote(meta.get_field("recipient").column)
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) {select} "
        f"ON CONFLICT ({quote(meta.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {returning}"
    )


def _insert_values(values: list[tuple]) -> list[tuple[int, str, int | None]]:
    """`_insert_new` with the rows written out as VALUES, 500 a statement (any database)."""
    row_sql = "(" + ", ".join(["%s"] * len(_INSERT_FIELDS)) + ")"
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), _INSERT_CHUNK):
            chunk = values[start : start + _INSERT_CHUNK]
            cursor.execute(
                _insert_sql(f"VALUES {', '.join([row_sql] * len(chunk))}"),
                [value for row in chunk for value in row],
            )
            inserted += cursor.fetchall()
    return inserted


def _insert_from_json(values: list[tuple]) -> list[tuple[int, str, int | None]]:
    """`_insert_new` on PostgreSQL: the rows travel as one JSON parameter that
    `json_populate_recordset` turns back into rows of the table's type.

    A sweep batch's 1,000 rows written out as VALUES are 15,000 parameters that the driver
    quotes one by one and the server parses one by one; one JSON text is written by the json
    module and read by the server much faster, and the batch is one statement: the INSERT takes
    about 40 ms instead of 65. (One array parameter per column with `unnest` gained little: the
    driver still writes every value into an ARRAY[…] expression.) The values are converted to the
    columns' types as in VALUES: a text too long for its column fails rather than being cut.
    """
    meta = Notification._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in _INSERT_FIELDS]
    sql = _insert_sql(
        f"SELECT {', '.join(quote(column) for column in columns)} "
        f"FROM json_populate_recordset(NULL::{quote(meta.db_table)}, %s::json)"
    )
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), _JSON_CHUNK):
            rows = [
                dict(zip(columns, row, strict=True)) for row in values[start : start + _JSON_CHUNK]
            ]
            # created_at is the one value JSON has no type for: ISO 8601, which PostgreSQL reads.
            cursor.execute(sql, [json.dumps(rows, ensure_ascii=False, default=_isoformat)])
            inserted += cursor.fetchall()
    return inserted


@lru_cache(maxsize=16)
def _isoformat(value: datetime.datetime) -> str:
    # Called for each row's created_at, which all rows of a notify_many call share.
    return value.isoformat()


@transaction.atomic
def notify_many(notices: Iterable[Notice]) -> int:
    """Create the rows of many notices with a fixed number of queries, each key only once;
    returns how many rows this call created (keys that existed count nothing).

    Queries: the recipients' preferences, the keys that exist already (one query per 500 keys),
    then the INSERT of the new rows (on PostgreSQL one statement, elsewhere one per 500 rows)
    that still skips a key another process inserted meanwhile. Sending of the new e-mail/WhatsApp
    rows is enqueued after commit, and the unread counts of inbox recipients are refreshed then
    (or at the end of an enclosing `unread_counts_refreshed_once`).
    """
    notices = list(notices)
    if not notices:
        return 0
    recipient_ids = {notice.recipient.pk for notice in notices if notice.recipient}
    preferences = {
        preference.user_id: preference
        for preference in NotificationPreference.objects.filter(user_id__in=recipient_ids)
    }
    wanted: dict[str, tuple[Notice, str]] = {}
    for notice in notices:
        if notice.recipient is None:
            # A citizen who gave their number at the counter: WhatsApp to it, nothing else.
            preference = NotificationPreference(email_enabled=False, whatsapp_number=notice.address)
        else:
            preference = preferences.get(notice.recipient.pk, _DEFAULT_PREFERENCE)
        for channel in _wanted_channels(notice.channels):
            if notice.recipient is None and channel == Channel.INBOX:
                continue
            if preference.wants(channel):
                key = row_key(notice.dedupe_key, channel, notice.recipient, notice.address)
                wanted.setdefault(key, (notice, channel))
    # Keys that exist are left out before the rows are even built: a daily sweep finds most of
    # its overdue rows already reminded, and a lookup costs far less than an INSERT that
    # conflicts. Looked up 500 at a time: for a longer list PostgreSQL may prefer reading the
    # whole table to reading the unique index, all the more before it has statistics of a
    # fast-growing table.
    keys = list(wanted)
    existing = set()
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        existing.update(
            Notification.objects.filter(dedupe_key__in=keys[start : start + _LOOKUP_CHUNK])
            .order_by()
            .values_list("dedupe_key", flat=True)
        )
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    # A sweep's thousands of notices are about a model or two.
    content_types: dict[type, int] = {}
    rows = []
    for key, (notice, channel) in wanted.items():
        if key in existing:
            continue
        subject_type_id, subject_id = None, ""
        if notice.subject is not None:
            model = type(notice.subject)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(model).pk
            subject_type_id = content_types[model]
            subject_id = str(notice.subject.pk)
        # In the order of _INSERT_FIELDS.
        rows.append(
            (
                notice.recipient.pk if notice.recipient else None,
                "" if notice.recipient else notice.address,
                notice.kind,
                subject_type_id,
                subject_id,
                notice.title[:200],
                notice.body,
                notice.url,
                notice.attachment if channel == Channel.EMAIL else "",
                channel,
                State.PENDING,
                0,
                "",
                key,
                created_at,
            )
        )
    inserted = _insert_new(rows)
    _enqueue_sends_on_commit([pk for pk, channel, _ in inserted if channel != Channel.INBOX])
    inbox_recipients = {user_id for _, channel, user_id in inserted if channel == Channel.INBOX}
    deferred = _unread_to_refresh.get()
    if deferred is not None:
        deferred.update(inbox_recipients)
    elif inbox_recipients:
        transaction.on_commit(
            partial(refresh_unread_counts, user_ids=inbox_recipients), robust=True
        )
    return len(inserted)


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    subject: models.Model | None,
    title: str,
    body: str,
    url: str = "",
    dedupe_key: str,
    channels: Iterable[str] | None = None,
    attachment: str = "",
) -> list[Notification]:
    """Tell `recipient` about `subject`, once per wanted channel, whatever the number of calls.

    `title` and `body` are already in the recipient's language. `dedupe_key` names the event
    (kind, subject, occasion); `channels` limits the channels (default: all), and the recipient's
    preferences limit them further (the inbox is always on). Returns the rows, new or existing;
    sending of new e-mail/WhatsApp rows is enqueued after commit. Raises ValueError for an unknown
    channel. `attachment` names a file in the default storage for the e-mail to carry.
    """
    wanted = _wanted_channels(channels)
    notify_many(
        [
            Notice(
                recipient=recipient,
                kind=kind,
                subject=subject,
                title=title,
                body=body,
                url=url,
                dedupe_key=dedupe_key,
                channels=tuple(wanted),
                attachment=attachment,
            )
        ]
    )
    keys = [row_key(dedupe_key, channel, recipient) for channel in wanted]
    return list(Notification.objects.filter(dedupe_key__in=keys).order_by("pk"))


def _finish(notification: Notification, **fields) -> Notification:
    """Record the outcome of the attempt this worker claimed."""
    Notification.objects.filter(pk=notification.pk, state=State.SENDING).update(**fields)
    notification.refresh_from_db()
    return notification


def send_notification(*, notification: Notification) -> Notification:
    """Send an e-mail or WhatsApp notification unless it is sent, skipped, being sent by another
    worker or out of attempts.

    Deliberately not atomic: the claim must be committed (and visible to other workers) before
    the message leaves, and no transaction stays open during a network call.

    Effects: `sent` with sent_at; `skipped` when the channel is not configured; `failed` with
    attempts exhausted on a permanent error (no address, 4xx), never dropped silently. On a
    temporary error the row is `failed` and TemporaryChannelError is raised, for the task to retry
    with backoff, unless this was the last attempt.
    """
    claimed = Notification.objects.filter(
        pk=notification.pk,
        channel__in=[Channel.EMAIL, Channel.WHATSAPP],
        state__in=[State.PENDING, State.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(state=State.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        notification.refresh_from_db()
        return notification
    notification = Notification.objects.select_related("recipient").get(pk=notification.pk)
    try:
        deliver(notification)
    except ChannelDisabled as error:
        return _finish(notification, state=State.SKIPPED, last_error=str(error)[:255])
    except PermanentChannelError as error:
        logger.warning("Notification %s failed for good: %s", notification.pk, error)
        return _finish(
            notification, state=State.FAILED, attempts=MAX_ATTEMPTS, last_error=str(error)[:255]
        )
    except TemporaryChannelError as error:
        notification = _finish(notification, state=State.FAILED, last_error=str(error)[:255])
        if notification.attempts < MAX_ATTEMPTS:
            raise
        logger.warning("Notification %s failed after %s attempts", notification.pk, MAX_ATTEMPTS)
        return notification
    return _finish(notification, state=State.SENT, sent_at=timezone.now(), last_error="")


def requeue_stale_sends(*, older_than: datetime.timedelta = STALE_SEND_AFTER) -> list[int]:
    """Give rows stranded by a dead worker or a lost task message back to the senders.

    A row still `sending` `older_than` after its claim goes back to `pending` (or to `failed` when
    it has no attempts left); pending rows never picked up and failed rows whose retry never came
    are re-enqueued too. Returns the ids enqueued.

    At-least-once: a worker killed after the gateway accepted the message but before it recorded
    `sent` leaves the row `sending`, and this sweep sends it again. A rare duplicate message is
    preferred to a reminder that silently never arrives.
    """
    cutoff = timezone.now() - older_than
    note = "requeued: the worker stopped during the send"
    with transaction.atomic():
        stale = Notification.objects.select_for_update(skip_locked=True).filter(
            state=State.SENDING, claimed_at__lt=cutoff
        )
        stale_ids = list(stale.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=stale_ids, attempts__gte=MAX_ATTEMPTS).update(
            state=State.FAILED, last_error=note
        )
        Notification.objects.filter(pk__in=stale_ids, attempts__lt=MAX_ATTEMPTS).update(
            state=State.PENDING, last_error=note
        )
        due = Notification.objects.filter(
            Q(pk__in=stale_ids)
            | Q(state=State.PENDING, created_at__lt=cutoff)
            | Q(state=State.FAILED, claimed_at__lt=cutoff),
            channel__in=[Channel.EMAIL, Channel.WHATSAPP],
            attempts__lt=MAX_ATTEMPTS,
        )
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        # Sending twice is harmless: only one task can claim the row.
        _enqueue_sends_on_commit(ids)
    return ids


def _require_recipient(actor: User, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(gettext("This notification is someone else's."))


@transaction.atomic
def mark_read(*, notification: Notification, actor: User) -> Notification:
    """Mark an inbox notification read (again is a no-op). Raises PermissionDenied unless actor
    is its recipient."""
    _require_recipient(actor, notification)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
        _refresh_unread_count_on_commit(actor.pk)
    return notification


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """Mark all of actor's unread inbox notifications read; returns how many changed."""
    return Notification.objects.visible_to(actor).inbox().unread().update(read_at=timezone.now())


@transaction.atomic
def set_preferences(
    *,
    user: User,
    email_enabled: bool,
    whatsapp_enabled: bool,
    whatsapp_number: str = "",
    actor: User,
) -> NotificationPreference:
    """Save which channels `user` wants besides the inbox.

    Raises PermissionDenied unless actor is the user or an administrator, ValidationError on
    `whatsapp_number` for a number that is not a phone number, or WhatsApp wanted without one.
    """
    if actor.pk != user.pk and not actor.is_administrator:
        raise PermissionDenied(gettext("You may change only your own notification settings."))
    try:
        whatsapp_number = normalise_phone(whatsapp_number)
    except ValidationError as error:
        raise ValidationError({"whatsapp_number": error.messages}) from error
    if whatsapp_enabled and not whatsapp_number:
        raise ValidationError(
            {"whatsapp_number": gettext("Give a WhatsApp number to get notifications there.")}
        )
    preference = NotificationPreference.objects.select_for_update().filter(
        user=user
    ).first() or NotificationPreference(user=user)
    preference.email_enabled = email_enabled
    preference.whatsapp_enabled = whatsapp_enabled
    preference.whatsapp_number = whatsapp_number
    preference.full_clean()
    preference.save()
    return preference
