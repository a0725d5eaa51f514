"""`/api/reports/`: scoped list and detail, requesting (202), downloads within scope only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.accounts.models import User
from portal.reports.models import Report, ReportState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/reports/"


@pytest.fixture
def api_as():
    def sign_in(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return sign_in


def test_the_list_holds_only_reports_of_the_users_area(api_as, done_report, officer, official):
    assert [r["id"] for r in api_as(official).get(URL).json()["results"]] == [done_report.pk]
    assert api_as(officer).get(URL).json()["results"] == []


def test_the_detail_carries_state_totals_and_download_links(api_as, done_report, official):
    data = api_as(official).get(f"{URL}{done_report.pk}/").json()

    assert data["state"] == "done"
    assert data["progress"] == 100
    assert data["area_code"] == "35.05"
    assert data["programme_name"] == "Desa Cerdas"
    assert data["totals"]["requests_filed"] == 4
    assert data["attention"][0]["village"] == "Bakung"
    assert data["downloads"] == {
        fmt: f"{URL}{done_report.pk}/download/{fmt}/" for fmt in ("pdf", "xlsx", "csv")
    }


def test_the_outsider_gets_404_for_the_detail_and_the_files(api_as, done_report, outsider):
    client = api_as(outsider)

    assert client.get(f"{URL}{done_report.pk}/").status_code == 404
    for fmt in ("pdf", "xlsx", "csv"):
        assert client.get(f"{URL}{done_report.pk}/download/{fmt}/").status_code == 404


def test_an_anonymous_client_is_refused(done_report):
    assert APIClient().get(URL).status_code == 401


def test_a_download_is_the_file_with_its_type(api_as, done_report, official):
    response = api_as(official).get(
        f"{URL}{done_report.pk}/download/pdf/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_request_is_accepted_queued_and_then_done(
    api_as, pilot, officer, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(officer).post(
            URL,
            {
                "programme": pilot.programme.pk,
                "area": "35.05.01",
                "period_start": "2026-10-01",
                "period_end": "2026-10-31",
            },
            format="json",
        )

    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    report = Report.objects.get(pk=response.json()["id"])
    assert report.requested_by == officer
    assert report.state == ReportState.DONE


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"area": "35.05.02"}, "area"),
        ({"area": ""}, "area"),
        ({"area": "35.05.01", "period_start": "2026-10-31", "period_end": "2026-10-01"},
         "period_start"),
        ({"area": "35.05.01", "programme": 999999}, "programme"),
        ({"area": "35.05.01", "period_end": "kemarin"}, "period_end"),
    ],
)  # fmt: skip
def test_bad_requests_are_400_naming_the_field(api_as, pilot, officer, payload, field):
    response = api_as(officer).post(URL, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_a_secretary_may_not_request_a_report(api_as, pilot, secretary):
    response = api_as(secretary).post(URL, {"area": "35.05.01"}, format="json")
    assert response.status_code == 403


def test_the_list_costs_the_same_queries_for_one_report_as_for_fifty(
    api_as, make_report, official, django_assert_max_num_queries
):
    def fresh_client():
        # A new user object each time: its role rows are read once per request, as in life.
        return api_as(User.objects.get(pk=official.pk))

    make_report(requested_by=UserFactory())
    with django_assert_max_num_queries(6) as one:
        assert len(fresh_client().get(URL).json()["results"]) == 1
    for _ in range(49):
        make_report(requested_by=UserFactory())
    with django_assert_max_num_queries(6) as fifty:
        assert len(fresh_client().get(URL).json()["results"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)
