"""One row per notification and channel, and each user's channel preferences.

A row's unique `dedupe_key` is what makes sending idempotent: the same reminder to the same person
on the same channel can be created only once, and only the worker that moves the row from
pending/failed to sending (see actions.send_notification) may send it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Attempts per row, the first send included; the task's Celery retries stop at the same number.
MAX_ATTEMPTS = 5


class Channel(models.TextChoices):
    INBOX = "inbox", _("inbox")
    EMAIL = "email", _("e-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class State(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """A user's own notifications; nobody sees another's, administrators included (the
        admin is where they look rows up)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def inbox(self) -> NotificationQuerySet:
        return self.filter(channel=Channel.INBOX)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    # A user, or, for a citizen without an account, no user and a WhatsApp number in `address`.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        # notification_inbox_idx starts with the recipient: a second index would only slow the
        # inserts of a sweep.
        db_index=False,
    )
    address = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        # Nothing looks notifications up by their subject's type alone.
        db_index=False,
        # No database constraint: content types are written by migrations and never deleted
        # while the portal runs (the ORM still cascades), and checking each of a sweep's 200,000
        # new rows against them at commit cost seconds.
        db_constraint=False,
    )
    # Text, so that rows with integer, UUID or code keys (villages use BPS codes) all fit.
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # A file in the default storage that the e-mail carries (e.g. a weekly report's PDF).
    attachment = models.CharField(_("attachment"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    # Unique (Meta.constraints); a constraint rather than unique=True, which on PostgreSQL adds a
    # second, LIKE-pattern index that nothing uses and every insert pays for.
    dedupe_key = models.CharField(_("de-duplication key"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the current or last send attempt began; a row left `sending` long after it was
    # claimed belongs to a worker that died (actions.requeue_stale_sends).
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_unique_dedupe_key"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notification_known_channel"
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="notification_known_state"
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, address="")
                | Q(recipient__isnull=True, channel=Channel.WHATSAPP) & ~Q(address=""),
                name="notification_user_or_whatsapp_number",
            ),
        ]
        indexes = [
            # The inbox page and the unread count in the menu.
            models.Index(
                fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"
            ),
            # The stale-send sweep reads only rows in flight (inbox rows are never sent).
            models.Index(
                fields=["state", "claimed_at"],
                condition=Q(
                    state__in=["pending", "sending", "failed"], channel__in=["email", "whatsapp"]
                ),
                name="notification_in_flight_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or self.address} ({self.channel}, {self.state})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Which channels a user wants besides the inbox, which is always on.

    A user without a row gets the defaults: e-mail on, WhatsApp on once they give a number.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("by e-mail"), default=True)
    whatsapp_enabled = models.BooleanField(_("by WhatsApp"), default=True)
    # The user model has no phone; the number lives here, normalised to +62… (E.164).
    whatsapp_number = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    def wants(self, channel: str) -> bool:
        if channel == Channel.INBOX:
            return True
        if channel == Channel.EMAIL:
            return self.email_enabled
        if channel == Channel.WHATSAPP:
            return self.whatsapp_enabled and bool(self.whatsapp_number)
        return False


def unread_cache_key(user_id: int) -> str:
    """Where the menu finds a user's unread inbox count (see actions.refresh_unread_count).

    The database name keeps apart portals and test runs (each its own database) sharing a Redis.
    """
    return f"notifications:unread:{connection.settings_dict['NAME']}:{user_id}"


def preference_for(user) -> NotificationPreference:
    """The user's saved preference, or the defaults (unsaved) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
