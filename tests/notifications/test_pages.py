"""The inbox, its unread count in the menu, opening a notification, and the settings page."""

import re

import pytest
from django.urls import reverse

from portal.notifications.actions import mark_read, notify
from portal.notifications.models import Channel, Notification, NotificationPreference
from tests.factories import UserFactory


def inbox_note(user, n, url="/layanan/"):
    [row] = notify(
        recipient=user,
        kind="visit.waiting",
        subject=None,
        title=f"Pemberitahuan {n}",
        body="Isi pemberitahuan.",
        url=url,
        dedupe_key=f"visit.waiting:{n}",
        channels=[Channel.INBOX],
    )
    return row


def test_the_inbox_needs_a_login(client, db):
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_inbox_shows_only_the_users_own_notifications_newest_first(client, secretary, outsider):
    inbox_note(secretary, 1)
    inbox_note(secretary, 2)
    inbox_note(outsider, 3)
    client.force_login(secretary)

    html = client.get(reverse("notifications:inbox")).content.decode()

    assert html.index("Pemberitahuan 2") < html.index("Pemberitahuan 1")
    assert "Pemberitahuan 3" not in html


@pytest.mark.parametrize("count", [1, 50])
def test_the_inbox_query_budget(client, secretary, count, django_assert_max_num_queries):
    for n in range(count):
        inbox_note(secretary, n)
    client.force_login(secretary)

    # Session, user, roles for the menu, page count, page rows, unread count.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == count


def badge(html: str) -> str | None:
    match = re.search(r"data-unread-count>(\d+)<", html)
    return match and match.group(1)


def test_the_menu_shows_the_unread_count_on_every_page_without_a_query(
    client, secretary, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = [inbox_note(secretary, n) for n in range(3)]
    client.force_login(secretary)

    # As the home page's own budget: session, user, roles, roles for the menu; no count.
    with django_assert_max_num_queries(4):
        html = client.get(reverse("home")).content.decode()
    assert badge(html) == "3"

    with django_capture_on_commit_callbacks(execute=True):
        mark_read(notification=rows[0], actor=secretary)
    assert badge(client.get(reverse("home")).content.decode()) == "2"


def test_the_inbox_restores_a_count_the_cache_lost(client, secretary):
    inbox_note(secretary, 1)  # its after-commit count update never runs in this test
    client.force_login(secretary)
    assert badge(client.get(reverse("home")).content.decode()) is None

    assert badge(client.get(reverse("notifications:inbox")).content.decode()) == "1"
    assert badge(client.get(reverse("home")).content.decode()) == "1"


def test_the_menu_shows_no_count_when_all_is_read(client, secretary):
    client.force_login(secretary)

    html = client.get(reverse("home")).content.decode()

    assert reverse("notifications:inbox") in html
    assert "data-unread-count" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, secretary):
    row = inbox_note(secretary, 1, url="/layanan/permohonan/42/")
    client.force_login(secretary)

    response = client.post(reverse("notifications:open", args=[row.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/layanan/permohonan/42/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_link_to_another_site_is_not_followed(client, secretary):
    row = inbox_note(secretary, 1, url="https://evil.example/")
    client.force_login(secretary)

    response = client.post(reverse("notifications:open", args=[row.pk]))

    assert response["Location"] == reverse("notifications:inbox")


def test_the_outsider_cannot_open_another_users_notification(client, secretary, outsider):
    row = inbox_note(secretary, 1)
    client.force_login(outsider)

    response = client.post(reverse("notifications:open", args=[row.pk]))

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_opening_needs_a_post(client, secretary):
    row = inbox_note(secretary, 1)
    client.force_login(secretary)

    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 405


def test_mark_all_read_touches_only_the_users_own(client, secretary, outsider):
    inbox_note(secretary, 1)
    inbox_note(secretary, 2)
    theirs = inbox_note(outsider, 3)
    client.force_login(secretary)

    response = client.post(reverse("notifications:mark-all-read"), follow=True)

    assert Notification.objects.filter(recipient=secretary, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "data-unread-count" not in response.content.decode()


def test_the_settings_page_saves_the_users_choice(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("notifications:preferences"),
        {"whatsapp_enabled": "on", "whatsapp_number": "0812-3456-7890"},
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.email_enabled, preference.whatsapp_enabled) == (False, True)
    assert preference.whatsapp_number == "+6281234567890"


def test_the_settings_page_shows_a_bad_number_on_its_field(client, db):
    client.force_login(UserFactory())

    response = client.post(
        reverse("notifications:preferences"),
        {"whatsapp_enabled": "on", "whatsapp_number": "12"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["whatsapp_number"]
    assert not NotificationPreference.objects.exists()
