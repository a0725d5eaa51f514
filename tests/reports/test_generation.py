"""Generation: claimed once, never rebuilt when done, failures recorded and raised, stranded
reports picked up again; requesting validates the area, programme, cohort and period."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.reports.actions import (
    STALE_AFTER,
    generate_report,
    request_report,
    requeue_stale_reports,
)
from portal.reports.models import Report, ReportState
from portal.reports.tasks import generate_report_task
from tests.factories import CohortFactory, ProgrammeFactory
from tests.reports.conftest import END, START, TODAY

pytestmark = pytest.mark.django_db


def test_a_done_report_is_not_generated_again(done_report, media_root):
    first = (done_report.started_at, done_report.finished_at, done_report.pdf_file.name)

    again = generate_report(report_id=done_report.pk, today=TODAY)

    assert again.state == ReportState.DONE
    assert (again.started_at, again.finished_at, again.pdf_file.name) == first
    assert len(list((media_root / "reports" / str(done_report.pk)).iterdir())) == 3


def test_the_task_run_twice_generates_once(make_report, official, eager_celery):
    report = make_report(requested_by=official)

    assert generate_report_task.apply(args=[report.pk]).get() == ReportState.DONE
    report.refresh_from_db()
    finished = report.finished_at
    assert generate_report_task.apply(args=[report.pk]).get() == ReportState.DONE
    report.refresh_from_db()
    assert report.finished_at == finished


def test_a_report_running_on_a_live_worker_is_not_claimed_by_another(make_report, official):
    started = timezone.now() - datetime.timedelta(minutes=1)
    report = make_report(requested_by=official, state=ReportState.RUNNING, started_at=started)

    result = generate_report(report_id=report.pk, today=TODAY)

    assert result.state == ReportState.RUNNING
    assert result.started_at == started
    assert not result.pdf_file


def test_a_report_whose_worker_died_is_claimed_again_and_finished(make_report, official):
    started = timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1)
    report = make_report(requested_by=official, state=ReportState.RUNNING, started_at=started)

    result = generate_report(report_id=report.pk, today=TODAY)

    assert result.state == ReportState.DONE
    assert result.started_at > started
    assert result.pdf_file and result.xlsx_file and result.csv_file


def test_a_failure_is_recorded_on_the_report_and_raised(make_report, official, settings, tmp_path):
    # A regular file where the media folder should be: storing the files fails for real.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker
    report = make_report(requested_by=official)

    with pytest.raises(OSError):
        generate_report(report_id=report.pk, today=TODAY)

    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.stage == "failed"
    assert "Error" in report.error and report.error.split(":")[0].endswith("Error")
    assert report.finished_at is not None
    # A failed report stays failed: asking again does not rebuild it silently.
    assert generate_report(report_id=report.pk, today=TODAY).state == ReportState.FAILED


def test_a_vanished_report_is_nothing_to_do(db):
    assert generate_report(report_id=987654) is None


# Requesting


def test_an_official_requests_a_report_for_a_kecamatan_of_the_regency(
    pilot, official, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(
            actor=official,
            area_code="35.05.01",
            programme=pilot.programme,
            period_start=START,
            period_end=END,
        )

    report.refresh_from_db()
    assert report.state == ReportState.DONE
    assert report.requested_by == official
    assert report.area_name == "Kecamatan Wonodadi, KABUPATEN BLITAR"
    assert report.totals["enrolments"] == 2


def test_the_default_period_is_the_last_30_days(pilot, officer):
    report = request_report(
        actor=officer, area_code="35.05.01", programme=pilot.programme, today=TODAY
    )

    assert (report.period_start, report.period_end) == (
        TODAY - datetime.timedelta(days=29),
        TODAY,
    )


def test_the_same_request_while_it_runs_returns_the_same_report(pilot, officer):
    first = request_report(actor=officer, area_code="35.05.01", programme=pilot.programme)
    second = request_report(actor=officer, area_code="35.05.01", programme=pilot.programme)

    assert first.pk == second.pk
    assert Report.objects.count() == 1


def test_a_kecamatan_officer_cannot_request_a_report_for_another_kecamatan(pilot, officer):
    with pytest.raises(ValidationError) as error:
        request_report(actor=officer, area_code="35.05.02", programme=pilot.programme)

    assert "area" in error.value.message_dict
    assert not Report.objects.exists()


def test_a_kecamatan_officer_cannot_request_a_report_for_the_whole_regency(pilot, officer):
    with pytest.raises(ValidationError) as error:
        request_report(actor=officer, area_code="35.05", programme=pilot.programme)

    assert "area" in error.value.message_dict


def test_only_administrators_report_on_the_whole_country(pilot, official, admin_user):
    with pytest.raises(ValidationError) as error:
        request_report(actor=official, area_code="")
    assert "area" in error.value.message_dict

    report = request_report(actor=admin_user, area_code="")
    assert report.area_name == "Whole country"


def test_a_secretary_may_not_request_reports(pilot, secretary):
    with pytest.raises(PermissionDenied):
        request_report(actor=secretary, area_code="35.05.01.2001")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"area_code": "35.05.99"}, "area"),
        ({"area_code": "blitar"}, "area"),
        ({"period_start": END, "period_end": START}, "period_start"),
        ({"period_end": TODAY + datetime.timedelta(days=1)}, "period_end"),
        ({"period_start": datetime.date(2020, 1, 1), "period_end": END}, "period_start"),
    ],
)
def test_bad_input_is_refused_naming_the_field(pilot, official, fields, field):
    values = {"area_code": "35.05", "programme": pilot.programme, **fields}
    with pytest.raises(ValidationError) as error:
        request_report(actor=official, today=TODAY, **values)

    assert field in error.value.message_dict


def test_a_programme_of_another_regency_or_a_cohort_of_another_programme_is_refused(
    pilot, regions, official, admin_user
):
    kediri = ProgrammeFactory(regency=regions.other_regency)
    with pytest.raises(ValidationError) as error:
        request_report(actor=official, area_code="35.05", programme=kediri)
    assert "programme" in error.value.message_dict

    with pytest.raises(ValidationError) as error:
        request_report(actor=admin_user, area_code="35.05", programme=kediri)
    assert "area" in error.value.message_dict

    other_cohort = CohortFactory(programme=ProgrammeFactory(regency=regions.regency))
    with pytest.raises(ValidationError) as error:
        request_report(
            actor=official, area_code="35.05", programme=pilot.programme, cohort=other_cohort
        )
    assert "cohort" in error.value.message_dict


def test_progress_is_reported_stage_by_stage_in_increasing_percent(pilot):
    from portal.reports.figures import ReportParams, compute_figures

    seen = []
    compute_figures(
        ReportParams(area_code="35.05", start=START, end=END, today=TODAY),
        progress=lambda percent, stage: seen.append((percent, stage)),
    )

    percents = [percent for percent, _stage in seen]
    assert percents == sorted(percents) and len(set(percents)) == len(percents)
    assert [stage for _percent, stage in seen][:3] == ["villages", "milestones", "pillars"]


def test_the_sweep_hands_a_report_whose_task_was_lost_to_a_worker_again(
    make_report, official, django_capture_on_commit_callbacks, eager_celery
):
    lost = make_report(requested_by=official)
    fresh = make_report(requested_by=official)
    Report.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=6)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_reports() == [lost.pk]

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.state == ReportState.DONE
    assert fresh.state == ReportState.QUEUED
