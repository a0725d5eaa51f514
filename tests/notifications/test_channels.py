"""Sending through the WhatsApp gateway (a real local HTTP server) and by e-mail (locmem)."""

import socket

import pytest

from portal.notifications.actions import notify, send_notification
from portal.notifications.channels import TemporaryChannelError
from portal.notifications.models import (
    MAX_ATTEMPTS,
    Channel,
    Notification,
    NotificationPreference,
    State,
)
from portal.notifications.tasks import send_notification_task
from tests.factories import UserFactory
from tests.notifications.conftest import GATEWAY_TOKEN


@pytest.fixture
def user(db):
    user = UserFactory(username="sekdes", email="sekdes@example.org")
    NotificationPreference.objects.create(user=user, whatsapp_number="+6281234567890")
    return user


def whatsapp_row(user, key="visit.waiting:visit:7:2026-11-24"):
    [row] = notify(
        recipient=user,
        kind="visit.waiting",
        subject=user,
        title="Kunjungan menunggu tinjauan",
        body="Kunjungan ke Jaten menunggu sejak 3 hari.",
        url="/relawan/kunjungan/7/",
        dedupe_key=key,
        channels=[Channel.WHATSAPP],
    )
    return row


def test_a_whatsapp_notification_is_posted_as_json_with_the_token_and_marked_sent(
    gateway, user, settings
):
    settings.PORTAL_URL = "https://portal.blitarkab.go.id"
    row = send_notification(notification=whatsapp_row(user))

    assert row.state == State.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    [request] = gateway.requests
    assert request.path == "/send"
    assert request.headers["Authorization"] == GATEWAY_TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "target": "+6281234567890",
        "message": "Kunjungan menunggu tinjauan\n\n"
        "Kunjungan ke Jaten menunggu sejak 3 hari.\n\n"
        "https://portal.blitarkab.go.id/relawan/kunjungan/7/",
    }


@pytest.mark.parametrize("answer", ["500", "sleep", "close"])
def test_a_5xx_a_timeout_or_a_dropped_connection_fails_the_row_for_a_retry(gateway, user, answer):
    gateway.answers = [answer]
    row = whatsapp_row(user)

    with pytest.raises(TemporaryChannelError):
        send_notification(notification=row)

    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.attempts == 1
    assert row.last_error
    assert "+62" not in row.last_error
    # The retry claims the row again and sends it.
    assert send_notification(notification=row).state == State.SENT
    assert len(gateway.requests) == 2


def test_a_refused_connection_is_temporary(db, user, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.WHATSAPP_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    row = whatsapp_row(user)

    with pytest.raises(TemporaryChannelError, match="unreachable"):
        send_notification(notification=row)

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.FAILED, 1)


@pytest.mark.parametrize(
    ("answer", "error"),
    [("400", "HTTP 400"), ("refused", "invalid token"), ("no-json", "without JSON")],
)
def test_a_4xx_or_a_refusal_is_a_permanent_failure_never_retried(gateway, user, answer, error):
    gateway.answers = [answer]
    row = send_notification(notification=whatsapp_row(user))

    assert row.state == State.FAILED
    assert row.attempts == MAX_ATTEMPTS
    assert error in row.last_error
    # A retried task cannot claim it again.
    assert send_notification(notification=row).attempts == MAX_ATTEMPTS
    assert len(gateway.requests) == 1


def test_the_task_retries_with_backoff_until_the_gateway_recovers(gateway, user, eager_retries):
    gateway.answers = ["500", "close"]
    row = whatsapp_row(user)

    send_notification_task.apply(args=[row.pk])

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 3, "")
    assert len(gateway.requests) == 3


def test_the_task_gives_up_after_the_last_attempt_and_records_the_failure(
    gateway, user, eager_retries
):
    gateway.answers = ["500"] * 10
    row = whatsapp_row(user)

    send_notification_task.apply(args=[row.pk])

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert row.last_error == "gateway answered HTTP 500"
    assert len(gateway.requests) == MAX_ATTEMPTS


def test_the_task_does_nothing_for_a_row_that_is_gone(gateway, user):
    row = whatsapp_row(user)
    row.delete()

    send_notification_task.apply(args=[row.pk])

    assert gateway.requests == []


def test_without_a_gateway_whatsapp_notifications_are_skipped_with_a_reason(user, settings):
    settings.WHATSAPP_GATEWAY_URL = ""

    row = send_notification(notification=whatsapp_row(user))

    assert row.state == State.SKIPPED
    assert "WHATSAPP_GATEWAY_URL" in row.last_error


def test_a_number_removed_before_the_send_fails_for_good(gateway, user):
    row = whatsapp_row(user)
    NotificationPreference.objects.filter(user=user).update(whatsapp_number="")

    row = send_notification(notification=row)

    assert (row.state, row.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert row.last_error == "the recipient has no WhatsApp number"
    assert gateway.requests == []


def test_an_email_notification_goes_out_once_through_the_mail_backend(
    user, mailoutbox, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_URL = "https://portal.blitarkab.go.id/"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                recipient=user,
                kind="request.due_soon",
                subject=user,
                title="Permohonan jatuh tempo besok",
                body="Surat keterangan domisili untuk Siti.",
                url="/layanan/permohonan/42/",
                dedupe_key="request.due_soon:service_request:42:2026-11-24",
                channels=[Channel.EMAIL],
            )

    [message] = mailoutbox
    assert message.to == ["sekdes@example.org"]
    assert message.subject == "Permohonan jatuh tempo besok"
    assert "https://portal.blitarkab.go.id/layanan/permohonan/42/" in message.body
    row = Notification.objects.get()
    assert (row.state, row.attempts) == (State.SENT, 1)
    assert send_notification(notification=row).state == State.SENT
    assert len(mailoutbox) == 1


def test_an_email_to_a_user_without_an_address_fails_for_good(db, mailoutbox):
    user = UserFactory(email="")
    [row] = notify(
        recipient=user,
        kind="k",
        subject=None,
        title="t",
        body="b",
        dedupe_key="k:1",
        channels=[Channel.EMAIL],
    )

    row = send_notification(notification=row)

    assert (row.state, row.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert row.last_error == "the recipient has no e-mail address"
    assert mailoutbox == []


def test_the_inbox_channel_is_never_sent(gateway, user):
    [row] = notify(
        recipient=user,
        kind="k",
        subject=None,
        title="t",
        body="b",
        dedupe_key="k:1",
        channels=[Channel.INBOX],
    )

    assert send_notification(notification=row).state == State.PENDING
    assert gateway.requests == []
