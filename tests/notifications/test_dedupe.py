"""Never twice: creation by a unique key, sending by an atomic claim, stranded sends requeued;
and the channels a user chose."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, connection, transaction
from django.utils import timezone

from portal.notifications import actions
from portal.notifications.actions import (
    Notice,
    notify,
    notify_many,
    requeue_stale_sends,
    send_notification,
    set_preferences,
)
from portal.notifications.models import (
    MAX_ATTEMPTS,
    Channel,
    Notification,
    NotificationPreference,
    State,
)
from tests.factories import UserFactory

KEY = "request.due_soon:service_request:42:2026-11-24"


def remind(user, key=KEY, channels=None):
    return notify(
        recipient=user,
        kind="request.due_soon",
        subject=user,
        title="Permohonan jatuh tempo besok",
        body="Surat keterangan domisili.",
        url="/layanan/permohonan/42/",
        dedupe_key=key,
        channels=channels,
    )


@pytest.fixture
def user(db):
    user = UserFactory(username="sekdes", email="sekdes@example.org")
    NotificationPreference.objects.create(user=user, whatsapp_number="+6281234567890")
    return user


def test_notifying_twice_with_the_same_key_creates_one_row_per_channel_and_enqueues_once(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first:
        remind(user)
    with django_capture_on_commit_callbacks() as second:
        rows = remind(user)

    assert Notification.objects.count() == 3
    assert sorted(row.channel for row in rows) == ["email", "inbox", "whatsapp"]
    assert Notification.objects.get(channel="email").dedupe_key == f"{KEY}:email:user{user.pk}"
    enqueued = [callback for callback in first if getattr(callback, "__name__", "") == "enqueue"]
    assert len(enqueued) == 1  # e-mail and WhatsApp together; the inbox needs no sending
    assert second == []


def test_a_sweep_sized_batch_is_created_in_one_insert_and_every_row_is_sent(
    db, gateway, eager_celery, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    users = UserFactory.create_batch(3)
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, email_enabled=False, whatsapp_number=f"+62812000000{i}")
        for i, u in enumerate(users)
    )
    notices = [
        Notice(
            recipient=u,
            kind="request.overdue",
            subject=None,
            title=f"Permohonan {n} terlambat",
            body="",
            dedupe_key=f"request.overdue:{n}:secretary",
        )
        for n in range(90)
        for u in users
    ]
    # Preferences, existing keys, the inserts (500 rows each) and the savepoint around them;
    # after commit, the sends go out in chunks, each row once.
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(6),
    ):
        created = notify_many(notices)
    again = notify_many(notices)

    assert created == 90 * 3 * 2  # inbox and WhatsApp each
    assert again == 0
    whatsapp = Notification.objects.filter(channel="whatsapp")
    assert whatsapp.count() == 270
    assert set(whatsapp.values_list("state", flat=True)) == {"sent"}
    assert len(gateway.requests) == 270
    assert {r.json["target"] for r in gateway.requests} == {
        "+628120000000",
        "+628120000001",
        "+628120000002",
    }


def test_the_same_key_for_another_recipient_is_another_notification(user):
    remind(user, channels=[Channel.INBOX])
    remind(UserFactory(), channels=[Channel.INBOX])

    assert Notification.objects.count() == 2


def test_sending_twice_sends_once(gateway, user):
    [row] = remind(user, channels=[Channel.WHATSAPP])

    send_notification(notification=row)
    again = send_notification(notification=row)

    assert (again.state, again.attempts) == (State.SENT, 1)
    assert len(gateway.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_row_at_once_send_it_once(gateway):
    user = UserFactory(email="sekdes@example.org")
    NotificationPreference.objects.create(user=user, whatsapp_number="+6281234567890")
    [row] = remind(user, channels=[Channel.WHATSAPP])
    gateway.delay = 0.3  # the first send is still in flight when the second worker tries
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            send_notification(notification=Notification.objects.get(pk=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 1)
    assert len(gateway.requests) == 1


def test_a_send_stranded_by_a_dead_worker_is_requeued_and_sent_once(
    gateway, user, eager_celery, django_capture_on_commit_callbacks
):
    [stranded, fresh, exhausted] = [
        remind(user, key=f"k:{n}", channels=[Channel.WHATSAPP])[0] for n in range(3)
    ]
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Notification.objects.filter(pk=stranded.pk).update(
        state=State.SENDING, attempts=1, claimed_at=long_ago
    )
    Notification.objects.filter(pk=fresh.pk).update(
        state=State.SENDING, attempts=1, claimed_at=timezone.now()
    )
    Notification.objects.filter(pk=exhausted.pk).update(
        state=State.SENDING, attempts=MAX_ATTEMPTS, claimed_at=long_ago
    )

    with django_capture_on_commit_callbacks(execute=True):
        requeued = requeue_stale_sends(older_than=datetime.timedelta(minutes=15))

    assert requeued == [stranded.pk]
    for row in (stranded, fresh, exhausted):
        row.refresh_from_db()
    assert (stranded.state, stranded.attempts) == (State.SENT, 2)
    assert fresh.state == State.SENDING
    assert exhausted.state == State.FAILED
    assert "worker stopped" in exhausted.last_error
    assert len(gateway.requests) == 1


def test_the_sweep_also_picks_up_pending_rows_whose_task_never_ran(user):
    [row] = remind(user, channels=[Channel.EMAIL])
    Notification.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    remind(user, key="new", channels=[Channel.EMAIL])

    assert requeue_stale_sends(older_than=datetime.timedelta(minutes=15)) == [row.pk]


# Preferences


def test_without_preferences_a_user_gets_the_inbox_and_email(db):
    rows = remind(UserFactory())

    assert sorted(row.channel for row in rows) == ["email", "inbox"]


def test_a_user_who_turned_email_off_gets_no_email_row(user):
    set_preferences(
        user=user,
        email_enabled=False,
        whatsapp_enabled=True,
        whatsapp_number="0812-3456-7890",
        actor=user,
    )

    rows = remind(user)

    assert sorted(row.channel for row in rows) == ["inbox", "whatsapp"]


def test_the_callers_channels_narrow_the_users_choice(user):
    rows = remind(user, channels=[Channel.INBOX, Channel.EMAIL])

    assert sorted(row.channel for row in rows) == ["email", "inbox"]


def test_whatsapp_needs_a_number_and_the_number_is_normalised(user):
    preference = set_preferences(
        user=user,
        email_enabled=True,
        whatsapp_enabled=True,
        whatsapp_number="0812 3456 7890",
        actor=user,
    )
    assert preference.whatsapp_number == "+6281234567890"

    with pytest.raises(ValidationError) as error:
        set_preferences(
            user=user, email_enabled=True, whatsapp_enabled=True, whatsapp_number="", actor=user
        )
    assert "whatsapp_number" in error.value.message_dict
    with pytest.raises(ValidationError):
        set_preferences(
            user=user,
            email_enabled=True,
            whatsapp_enabled=False,
            whatsapp_number="12",
            actor=user,
        )


def test_nobody_changes_another_users_preferences(user):
    with pytest.raises(PermissionDenied):
        set_preferences(
            user=user,
            email_enabled=False,
            whatsapp_enabled=False,
            actor=UserFactory(),
        )


def test_with_the_broker_down_notifying_fails_nothing_and_the_sweep_sends_later(
    user, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        remind(user)

    email = Notification.objects.get(channel="email")
    assert email.state == "pending"
    assert "left for the requeue sweep" in caplog.text
    # Still down: the sweep leaves the rows pending, without an error either.
    requeue_stale_sends()
    to_send = Notification.objects.filter(channel__in=["email", "whatsapp"], state="pending")
    assert to_send.count() == 2


# The two ways of writing the rows: VALUES (SQLite, the demo) and one JSON parameter (PostgreSQL)

BOTH_WAYS = pytest.mark.parametrize("insert", ["_insert_values", "_insert_from_json"])


def stored() -> list[dict]:
    return list(Notification.objects.order_by("dedupe_key").values(*STORED_FIELDS))


STORED_FIELDS = (
    "recipient_id",
    "address",
    "kind",
    "subject_type_id",
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
)


def inbox_row(user, key: str) -> tuple:
    """A row as notify_many hands it to the insert (in the order of actions._INSERT_FIELDS)."""
    return (
        user.pk,
        "",
        "k",
        None,
        "",
        "t",
        "",
        "",
        "",
        "inbox",
        "pending",
        0,
        "",
        key,
        timezone.now(),
    )


@BOTH_WAYS
def test_both_ways_of_inserting_write_the_same_rows_and_skip_keys_that_exist(
    user, monkeypatch, insert
):
    monkeypatch.setattr(actions, "_insert_new", getattr(actions, insert))
    reminder = Notice(
        recipient=user,
        kind="request.due_soon",
        subject=user,
        title='Permohonan "SKD-01" \\ jatuh tempo',
        body="Baris satu\nbaris dua: ✓ Désa, emoji 🙂, tab\tselesai.",
        url="/layanan/permohonan/42/",
        dedupe_key="k:reminder",
        attachment="laporan/2026-W48.pdf",
    )
    ready = Notice(
        recipient=None,
        kind="request.ready",
        subject=None,
        title="Surat siap diambil",
        body="",
        dedupe_key="k:ready",
        address="+6281298765432",
    )

    assert notify_many([reminder, ready]) == 3 + 1  # inbox, e-mail, WhatsApp; the citizen's
    rows = stored()
    assert [(row["dedupe_key"], row["recipient_id"], row["address"]) for row in rows] == [
        ("k:ready:whatsapp:+6281298765432", None, "+6281298765432"),
        (f"k:reminder:email:user{user.pk}", user.pk, ""),
        (f"k:reminder:inbox:user{user.pk}", user.pk, ""),
        (f"k:reminder:whatsapp:user{user.pk}", user.pk, ""),
    ]
    citizen, email, *_ = rows
    assert (citizen["subject_type_id"], citizen["subject_id"], citizen["body"]) == (None, "", "")
    assert email["subject_id"] == str(user.pk)
    assert (email["title"], email["body"], email["url"], email["attachment"]) == (
        reminder.title,
        reminder.body,
        reminder.url,
        reminder.attachment,
    )
    assert {(row["state"], row["attempts"], row["last_error"]) for row in rows} == {
        ("pending", 0, "")
    }
    assert notify_many([reminder, ready]) == 0
    # A key another process inserted after the lookup is still skipped by the INSERT.
    existing = rows[0]["dedupe_key"]
    inserted = getattr(actions, insert)([inbox_row(user, existing), inbox_row(user, "k:new")])
    assert [channel for _, channel, _ in inserted] == ["inbox"]
    assert [row for row in stored() if row["dedupe_key"] != "k:new"] == rows


@BOTH_WAYS
def test_a_value_too_long_for_its_column_fails_rather_than_being_cut(user, insert):
    with pytest.raises(DataError), transaction.atomic():
        getattr(actions, insert)([inbox_row(user, "k" * 301)])
