"""The reports pages and downloads: scoped lists, the request form, the progress page, files
only within scope (everyone else 404), query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.reports.actions import generate_report
from portal.reports.models import Report, ReportState
from tests.factories import UserFactory, grant
from tests.reports.conftest import TODAY
from villages.models import Role

pytestmark = pytest.mark.django_db

LIST = reverse("reports:report-list")


def detail(report):
    return reverse("reports:report-detail", args=[report.pk])


def download(report, file_format):
    return reverse("reports:report-download", args=[report.pk, file_format])


@pytest.fixture
def kecamatan_report(make_report, officer):
    report = make_report(area_code="35.05.01", area_name="Kecamatan Wonodadi", requested_by=officer)
    return generate_report(report_id=report.pk, today=TODAY)


def test_the_list_shows_each_user_the_reports_of_their_area(
    as_persona, done_report, kecamatan_report, outsider
):
    official_page = as_persona("official").get(LIST).content.decode()
    assert detail(done_report) in official_page
    assert detail(kecamatan_report) in official_page

    officer_page = as_persona("officer").get(LIST).content.decode()
    assert detail(kecamatan_report) in officer_page
    # The officer's kecamatan lies inside the regency, not the other way round.
    assert detail(done_report) not in officer_page

    outsider_page = as_persona("outsider").get(LIST).content.decode()
    assert detail(kecamatan_report) not in outsider_page
    assert "Request a report" not in outsider_page


@pytest.mark.parametrize("persona", ["outsider", "secretary", "volunteer", "coordinator"])
def test_others_get_404_for_a_report_and_its_files(as_persona, done_report, persona):
    client = as_persona(persona)

    assert client.get(detail(done_report)).status_code == 404
    for file_format in ("pdf", "xlsx", "csv"):
        assert client.get(download(done_report, file_format)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, done_report):
    response = client.get(download(done_report, "pdf"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("file_format", "content_type", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_a_download_has_its_content_type_and_a_filename(
    as_persona, done_report, file_format, content_type, magic
):
    response = as_persona("official").get(download(done_report, file_format))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="laporan-kabupaten-blitar-20261001-20261031.{file_format}"'
    )
    assert b"".join(response.streaming_content).startswith(magic)


def test_an_unknown_format_or_an_unfinished_report_has_no_file(as_persona, make_report, official):
    report = make_report(requested_by=official)
    client = as_persona("official")

    assert client.get(download(report, "pdf")).status_code == 404
    assert client.get(download(report, "docx")).status_code == 404


def test_the_page_of_a_running_report_shows_its_progress_and_refreshes(
    as_persona, make_report, official
):
    report = make_report(requested_by=official)
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.RUNNING, progress=45, stage="visits"
    )

    html = as_persona("official").get(detail(report)).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<progress id="report-progress" max="100" value="45">' in html
    assert "Counting visits" in html


def test_the_page_of_a_done_report_shows_totals_attention_and_downloads(as_persona, done_report):
    html = as_persona("official").get(detail(done_report)).content.decode()

    assert "http-equiv" not in html
    for file_format in ("pdf", "xlsx", "csv"):
        assert download(done_report, file_format) in html
    assert "Bakung" in html
    assert "no milestone completed in the period while others did" in html
    assert "<svg" in html  # the pillar chart, drawn on the server


def test_the_page_of_a_failed_report_says_so_without_the_error_for_officials(
    as_persona, make_report, official
):
    report = make_report(
        requested_by=official, state=ReportState.FAILED, error="OSError: disk full"
    )

    html = as_persona("official").get(detail(report)).content.decode()

    assert "could not be made" in html
    assert "disk full" not in html


def test_an_officer_requests_a_report_for_their_kecamatan_from_the_page(
    as_persona, pilot, django_capture_on_commit_callbacks, eager_celery
):
    client = as_persona("officer")
    form = client.get(LIST).content.decode()
    assert 'value="35.05.01"' in form
    assert 'value="35.05.02"' not in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {
                "programme": pilot.programme.pk,
                "area": "35.05.01",
                "period_start": "2026-10-01",
                "period_end": "2026-10-31",
            },
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(report)
    assert report.state == ReportState.DONE
    assert report.totals["enrolments"] == 2


def test_the_form_refuses_another_kecamatan_naming_the_field(as_persona, pilot):
    response = as_persona("officer").post(
        LIST,
        {
            "programme": pilot.programme.pk,
            "area": "35.05.02",
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
        },
    )

    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not Report.objects.exists()


def test_the_form_refuses_a_reversed_period_naming_the_field(as_persona, pilot):
    response = as_persona("official").post(
        LIST,
        {"area": "35.05", "period_start": "2026-10-31", "period_end": "2026-10-01"},
    )

    assert "period_start" in response.context["form"].errors
    assert not Report.objects.exists()


def test_a_secretary_cannot_post_a_request(as_persona, pilot):
    response = as_persona("secretary").post(LIST, {"area": "35.05.01"})
    assert response.status_code == 403


def _many_reports(make_report, count):
    for _ in range(count):
        make_report(requested_by=UserFactory())


def test_the_list_costs_the_same_queries_for_one_report_as_for_fifty(
    as_persona, make_report, django_assert_max_num_queries
):
    client = as_persona("official")
    _many_reports(make_report, 1)
    with django_assert_max_num_queries(12) as one:
        assert client.get(LIST).status_code == 200
    _many_reports(make_report, 49)
    with django_assert_max_num_queries(12) as fifty:
        response = client.get(LIST)
    assert response.content.decode().count("/laporan/") >= 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


def test_the_menu_shows_reports_to_officials_and_officers_only(as_persona, regions):
    assert LIST in as_persona("official").get(reverse("home")).content.decode()
    assert LIST in as_persona("officer").get(reverse("home")).content.decode()
    assert LIST not in as_persona("secretary").get(reverse("home")).content.decode()


def test_a_second_official_of_the_regency_sees_the_scheduled_report(client, make_report, regions):
    report = make_report(requested_by=None, schedule_key="35.05:2026-W45")
    colleague = UserFactory()
    grant(colleague, Role.DISTRICT_OFFICIAL, regions.regency)
    client.force_login(colleague)

    assert client.get(detail(report)).status_code == 200
