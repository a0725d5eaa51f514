"""Writes to notifications: creating them (once), sending them (once), reading, preferences.

De-duplication has two halves:
- creation: every row has a unique `dedupe_key` (the caller's key + channel + recipient), and
  rows are created with get_or_create on it, so a sweep run twice creates nothing new;
- sending: a worker may send a row only after moving it to `sending` with one conditional UPDATE
  (pending/failed, attempts left); the database lets exactly one of two racing workers, a retried
  task or a second beat process change it, and the others see an updated count of 0 and stop.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib.phone import normalise_phone
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
    preference_for,
    unread_cache_key,
)

logger = logging.getLogger(__name__)

# Longer than the send task's hard time limit, so that a send still running is never requeued.
STALE_SEND_AFTER = datetime.timedelta(minutes=15)


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


def _refresh_unread_count_on_commit(user_id: int) -> None:
    transaction.on_commit(partial(refresh_unread_count, user_id=user_id), robust=True)


def _enqueue_send_on_commit(notification_id: int) -> None:
    """Send the row after commit. A broker that is down (or, with tasks run in-process, a send
    that failed and wants a retry) must not fail the caller's request: the row stays pending or
    failed, and `requeue_stale_sends` (beat) hands it to a worker later."""
    # Imported here: the task module imports this one.
    from portal.notifications.tasks import send_notification_task

    def enqueue():
        try:
            send_notification_task.delay(notification_id)
        except Exception:
            logger.warning(
                "Notification %s left for the requeue sweep", notification_id, exc_info=True
            )

    transaction.on_commit(enqueue)


def row_key(dedupe_key: str, channel: str, recipient: User) -> str:
    """`request.due_soon:service_request:42:2026-11-24` → `…:email:user7`."""
    return f"{dedupe_key}:{channel}:user{recipient.pk}"


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
) -> list[Notification]:
    """Tell `recipient` about `subject`, once per wanted channel, whatever the number of calls.

    `title` and `body` are already in the recipient's language. `dedupe_key` names the event
    (kind, subject, occasion); `channels` limits the channels (default: all), and the recipient's
    preferences limit them further (the inbox is always on). Returns the rows, new or existing;
    sending of new e-mail/WhatsApp rows is enqueued after commit. Raises ValueError for an unknown
    channel.
    """
    # Imported here: the task module imports this one.

    wanted = list(dict.fromkeys(channels or Channel.values))
    unknown = set(wanted) - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown notification channel: {', '.join(sorted(unknown))}")
    preference = preference_for(recipient)
    subject_fields = {"subject_type": None, "subject_id": ""}
    if subject is not None:
        subject_fields = {
            "subject_type": ContentType.objects.get_for_model(subject),
            "subject_id": str(subject.pk),
        }
    rows = []
    for channel in wanted:
        if not preference.wants(channel):
            continue
        notification, created = Notification.objects.get_or_create(
            dedupe_key=row_key(dedupe_key, channel, recipient),
            defaults={
                "recipient": recipient,
                "kind": kind,
                "title": title[:200],
                "body": body,
                "url": url,
                "channel": channel,
                **subject_fields,
            },
        )
        if created and channel == Channel.INBOX:
            _refresh_unread_count_on_commit(recipient.pk)
        elif created:
            _enqueue_send_on_commit(notification.pk)
        rows.append(notification)
    return rows


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
    # Imported here: the task module imports this one.

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
        for pk in ids:
            # Sending twice is harmless: only one task can claim the row.
            _enqueue_send_on_commit(pk)
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
