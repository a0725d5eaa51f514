"""The dashboard page stored whole per user and URL: a repeated look is cheap, and whatever the
page shows — figures after a write, the unread count, a new report, the user's roles — is never
served stale; every answer carries a working CSRF token of its own."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.notifications.actions import notify
from portal.reports.actions import generate_report
from portal.reports.models import Report
from services.actions.requests import cancel_request
from services.models import ServiceRequest
from tests.factories import UserFactory, grant
from villages.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.API_READ_CACHE = True


def without_tokens(content: bytes) -> bytes:
    return TOKEN.sub(b"", content)


def page(client, url=HOME) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def fresh_page(client, settings, url=HOME) -> bytes:
    """The page as rendered now, without the stored copy."""
    settings.API_READ_CACHE = False
    try:
        return page(client, url)
    finally:
        settings.API_READ_CACHE = True


def test_a_repeated_look_is_the_stored_page_without_a_query(
    three_areas, as_persona, django_assert_num_queries
):
    client = as_persona("official")
    first = page(client)

    # The user and their roles come from the cache too (portal.authentication).
    with django_assert_num_queries(0):
        again = page(client)

    assert without_tokens(again) == without_tokens(first)


def test_a_request_saved_without_moving_the_figures_keeps_the_stored_page(
    three_areas, as_persona, django_assert_num_queries
):
    """The page shows requests only through the rollups: a save that leaves them as they were
    (here a plain save, no action) leaves the stored page too."""
    client = as_persona("official")
    first = page(client)
    service_request = ServiceRequest.objects.get(tracking_code="OVERDU000001")
    service_request.save(update_fields=["updated_at"])

    with django_assert_num_queries(0):
        again = page(client)

    assert without_tokens(again) == without_tokens(first)


def test_every_answer_carries_a_working_csrf_token_of_its_own(three_areas, official):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    first, again = page(client), page(client)
    tokens = [TOKEN.search(content).group(1).decode() for content in (first, again)]
    assert b"csrf-token" not in again
    assert tokens[0] != tokens[1]  # masked afresh for each answer

    response = client.post(
        reverse("set_language"), {"language": "id", "next": HOME, "csrfmiddlewaretoken": tokens[1]}
    )

    assert response.status_code == 302


def test_a_write_that_moves_the_figures_shows_at_the_next_look(
    three_areas, as_persona, regions, settings, django_capture_on_commit_callbacks
):
    client = as_persona("officer")
    before = page(client)
    clerk = UserFactory(username="sekdes2")
    grant(clerk, Role.VILLAGE_SECRETARY, regions.village_a)
    late = ServiceRequest.objects.get(tracking_code="OVERDU000001")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(service_request=late, reason="Pemohon pindah.", actor=clerk)
    after = page(client)

    assert without_tokens(after) != without_tokens(before)
    assert without_tokens(after) == without_tokens(fresh_page(client, settings))


def test_a_new_unread_notification_shows_in_the_menu_at_the_next_look(
    three_areas, as_persona, official, django_capture_on_commit_callbacks
):
    client = as_persona("official")
    assert b"data-unread-count" not in page(client)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=official,
            kind="test.note",
            subject=None,
            title="Catatan baru",
            body="Ada catatan baru.",
            dedupe_key="page-cache",
            channels=["inbox"],
        )

    assert b"data-unread-count" in page(client)


def test_a_finished_report_is_linked_at_the_next_look(three_areas, as_persona, official, regions):
    client = as_persona("official")
    assert b'data-latest-report="none"' in page(client)
    report = Report.objects.create(
        requested_by=official,
        area_code=regions.regency.code,
        area_name=regions.regency.name,
        period_start="2026-10-01",
        period_end="2026-10-31",
    )

    generate_report(report_id=report.pk)

    assert reverse("reports:report-detail", args=[report.pk]).encode() in page(client)


def test_a_user_who_lost_the_role_is_refused_despite_the_stored_page(
    three_areas, as_persona, official
):
    client = as_persona("official")
    page(client)

    RoleAssignment.objects.filter(user=official).delete()

    assert client.get(HOME).status_code == 403


def test_users_never_get_each_others_pages(three_areas, as_persona, admin_user, official):
    official_page = page(as_persona("official"))
    admin_page = page(as_persona("admin_user"))

    assert without_tokens(admin_page) != without_tokens(official_page)
    assert b"Administration" in admin_page
    assert b"Administration" not in official_page
